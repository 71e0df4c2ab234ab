from airflow.decorators import dag, task
from airflow.hooks.base import BaseHook


@dag(schedule="@weekly", catchup=False)
def marketing_attribution():
    @task
    def pull():
        conn = BaseHook.get_connection("hubspot_api")
        return conn.host

    @task
    def notify():
        return "{{ conn.slack_alerts.host }}"

    pull() >> notify()


marketing_attribution()
