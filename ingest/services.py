"""Which downstream service a node type, credential type, host or secret name points at.

Tables, not if-chains, so an analyst can read and extend them: each maps what a source
shows (an n8n node type, an n8n credential type, a host name, a GitHub secret name, an
Airflow ``conn_type``) to a service key used in system ids (``system:saas:<service>``,
see docs/ids.md). ``None`` means "no single system": generic nodes (code, if, merge) and
AWS, whose account a key alone does not name (AWS credentials join the AWS side through
their access key id instead).
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

#: n8n node type (the part after the package, e.g. ``slack`` of ``n8n-nodes-base.slack``)
#: -> service. Trigger variants (``slackTrigger``) are looked up without ``Trigger``.
N8N_NODE_SERVICES: dict[str, str | None] = {
    "slack": "slack", "salesforce": "salesforce", "hubspot": "hubspot", "jira": "jira",
    "jiraSoftwareCloud": "jira", "stripe": "stripe", "github": "github", "gitlab": "gitlab",
    "gmail": "gmail", "googleSheets": "google-sheets", "googleDrive": "google-drive",
    "googleCalendar": "google-calendar", "googleBigQuery": "bigquery", "notion": "notion",
    "airtable": "airtable", "trello": "trello", "asana": "asana", "discord": "discord",
    "telegram": "telegram", "microsoftTeams": "microsoft-teams",
    "microsoftOutlook": "microsoft-outlook", "microsoftExcel": "microsoft-excel",
    "twilio": "twilio", "sendGrid": "sendgrid", "mailchimp": "mailchimp",
    "pipedrive": "pipedrive", "zendesk": "zendesk", "freshdesk": "freshdesk",
    "intercom": "intercom", "shopify": "shopify", "quickbooks": "quickbooks",
    "xero": "xero", "netsuite": "netsuite", "pagerDuty": "pagerduty", "datadog": "datadog",
    "sentryIo": "sentry", "openAi": "openai", "lmChatOpenAi": "openai",
    "lmChatAnthropic": "anthropic", "anthropic": "anthropic", "snowflake": "snowflake",
    "clearbit": "clearbit", "dropbox": "dropbox", "box": "box", "linear": "linear",
    "clickUp": "clickup", "mondayCom": "monday", "zoom": "zoom", "netBox": "netbox",
    "awsS3": None, "awsLambda": None, "awsSes": None, "awsSns": None, "awsSqs": None,
    "awsDynamoDb": None,
}
#: Node types that reach a host named in their parameters (``system:http:<host>`` or a
#: database/server system), not a fixed SaaS.
N8N_HOST_NODES = frozenset({
    "httpRequest", "ssh", "ftp", "postgres", "mySql", "microsoftSql", "mongoDb", "redis",
    "emailSend", "imap", "emailReadImap", "graphql", "rabbitmq", "kafka", "mqtt",
})
#: n8n credential types -> service, for generic nodes (an HTTP Request node using a
#: predefined ``slackApi`` credential). Looked up after stripping OAuth2Api/Api/AppToken.
N8N_CREDENTIAL_SERVICES: dict[str, str | None] = {
    "aws": None, "googleApi": "google", "googleSheets": "google-sheets",
    "gmail": "gmail", "microsoftTeams": "microsoft-teams", "sentryIo": "sentry",
    "openAi": "openai", "pagerDuty": "pagerduty", "jiraSoftwareCloud": "jira",
    "jiraSoftwareServer": "jira", "hubspotApp": "hubspot", "hubspotDeveloper": "hubspot",
}
#: Credential types that only say *how* to authenticate, not where.
N8N_GENERIC_CREDENTIALS = frozenset({
    "httpHeaderAuth", "httpBasicAuth", "httpQueryAuth", "httpDigestAuth", "httpCustomAuth",
    "oAuth2Api", "oAuth1Api", "sshPassword", "sshPrivateKey", "postgres", "mySql",
    "microsoftSql", "mongoDb", "redis", "ftp", "sftp", "smtp", "imap",
})

#: Credential type -> the kind of secret it holds (first matching rule wins).
SECRET_TYPE_RULES: tuple[tuple[str, str], ...] = (
    (r"^aws$", "access_key"),
    (r"OAuth2", "oauth_token"),
    (r"OAuth1|oAuth1", "oauth_token"),
    (r"PrivateKey|sshKey", "private_key"),
    (r"Password|BasicAuth|DigestAuth|^postgres$|^mySql$|^microsoftSql$|^mongoDb$|^redis$|"
     r"^ftp$|^sftp$|^smtp$|^imap$", "password"),
    (r"HeaderAuth|QueryAuth|Token|Api$|ApiKey|Key$", "api_key"),
)


def n8n_secret_type(cred_type: str) -> str:
    for pattern, kind in SECRET_TYPE_RULES:
        if re.search(pattern, cred_type):
            return kind
    return "credential"


def n8n_node_service(node_type: str) -> tuple[str, str | None]:
    """(short type, service) of an n8n node type such as ``n8n-nodes-base.slackTrigger``."""
    short = node_type.rsplit(".", 1)[-1]
    base = short[:-len("Trigger")] if short.endswith("Trigger") and len(short) > 7 else short
    if base in N8N_NODE_SERVICES:
        return short, N8N_NODE_SERVICES[base]
    return short, "" if base in N8N_HOST_NODES else None


def n8n_credential_service(cred_type: str) -> str | None:
    if cred_type in N8N_CREDENTIAL_SERVICES:
        return N8N_CREDENTIAL_SERVICES[cred_type]
    if cred_type in N8N_GENERIC_CREDENTIALS:
        return None
    base = re.sub(r"(OAuth2Api|OAuth2|OAuthApi|AppToken|ApiKey|Api|Token)$", "", cred_type)
    if base in N8N_CREDENTIAL_SERVICES:
        return N8N_CREDENTIAL_SERVICES[base]
    if base in N8N_NODE_SERVICES:
        return N8N_NODE_SERVICES[base]
    return base.lower() or None


#: Host name suffix -> service, so a generic HTTP call to a known SaaS joins that system.
HOST_SERVICES: dict[str, str] = {
    "slack.com": "slack", "hooks.slack.com": "slack", "api.stripe.com": "stripe",
    "hubapi.com": "hubspot", "api.hubspot.com": "hubspot", "salesforce.com": "salesforce",
    "my.salesforce.com": "salesforce", "atlassian.net": "jira", "api.github.com": "github",
    "gitlab.com": "gitlab", "api.openai.com": "openai", "api.anthropic.com": "anthropic",
    "api.telegram.org": "telegram", "discord.com": "discord", "api.notion.com": "notion",
    "api.airtable.com": "airtable", "events.pagerduty.com": "pagerduty",
    "api.pagerduty.com": "pagerduty", "datadoghq.com": "datadog", "api.twilio.com": "twilio",
    "api.sendgrid.com": "sendgrid", "snowflakecomputing.com": "snowflake",
    "googleapis.com": "google", "codecov.io": "codecov", "sentry.io": "sentry",
}


def host_service(host: str) -> str | None:
    host = host.lower().rstrip(".")
    for suffix, service in HOST_SERVICES.items():
        if host == suffix or host.endswith("." + suffix):
            return service
    return None


def system_id(service: str | None, host: str | None = None, tenant: str | None = None) -> str | None:
    """The System id for a SaaS service (tenant when known) or, failing that, a host."""
    if host and not service:
        service = host_service(host)
    if service:
        return f"system:saas:{service}:{tenant}" if tenant else f"system:saas:{service}"
    if host:
        return f"system:http:{host.lower()}"
    return None


#: Words in a CI secret's name -> the service it opens (``STRIPE_KEY`` -> stripe).
SECRET_NAME_SERVICES: dict[str, str] = {
    "STRIPE": "stripe", "SLACK": "slack", "NPM": "npm", "PYPI": "pypi", "DOCKER": "dockerhub",
    "DOCKERHUB": "dockerhub", "SNYK": "snyk", "CODECOV": "codecov", "SONAR": "sonarcloud",
    "SONARCLOUD": "sonarcloud", "DATADOG": "datadog", "DD": "datadog", "SENTRY": "sentry",
    "TWILIO": "twilio", "SENDGRID": "sendgrid", "HEROKU": "heroku", "VERCEL": "vercel",
    "NETLIFY": "netlify", "CLOUDFLARE": "cloudflare", "OPENAI": "openai",
    "ANTHROPIC": "anthropic", "HUBSPOT": "hubspot", "SALESFORCE": "salesforce",
    "JIRA": "jira", "PAGERDUTY": "pagerduty", "TELEGRAM": "telegram", "DISCORD": "discord",
}
#: Third-party action owners -> the service the action talks to.
ACTION_SERVICES: dict[str, str] = {
    "codecov": "codecov", "slackapi": "slack", "rtCamp": "slack", "8398a7": "slack",
    "docker": "dockerhub", "pypa": "pypi", "snyk": "snyk", "SonarSource": "sonarcloud",
    "getsentry": "sentry", "cloudflare": "cloudflare", "amondnet": "vercel",
    "JS-DevTools": "npm",
}


def secret_name_service(name: str) -> str | None:
    for word in name.upper().split("_"):
        if word in SECRET_NAME_SERVICES:
            return SECRET_NAME_SERVICES[word]
    return None


#: CI secret name -> kind of secret (first matching rule wins).
SECRET_NAME_TYPES: tuple[tuple[str, str], ...] = (
    (r"ACCESS_KEY|SECRET_KEY", "access_key"),
    (r"PASSWORD|PASSWD|_PASS$", "password"),
    (r"PRIVATE_KEY|SSH_KEY|_PEM$|CERT", "private_key"),
    (r"_URL$|_DSN$|CONNECTION|_URI$", "connection_string"),
    (r"WEBHOOK", "webhook_url"),
    (r"TOKEN|PAT$", "token"),
    (r"KEY", "api_key"),
)


def secret_name_type(name: str) -> str:
    upper = name.upper()
    for pattern, kind in SECRET_NAME_TYPES:
        if re.search(pattern, upper):
            return kind
    return "secret"


#: Airflow ``conn_type`` -> (kind, service). kind "saas" gives system:saas:<service>[:tenant];
#: "host" gives system:<service>:<host> (a database or server named by its host); "aws"
#: none (the account is not in the connection; the key id joins the AWS side).
AIRFLOW_CONN_TYPES: dict[str, tuple[str, str | None]] = {
    "aws": ("aws", None), "s3": ("aws", None), "emr": ("aws", None),
    "snowflake": ("saas", "snowflake"), "slack": ("saas", "slack"),
    "slackwebhook": ("saas", "slack"), "slack_incoming_webhook": ("saas", "slack"),
    "google_cloud_platform": ("saas", "google-cloud"), "gcpbigquery": ("saas", "bigquery"),
    "databricks": ("saas", "databricks"), "salesforce": ("saas", "salesforce"),
    "hubspot": ("saas", "hubspot"), "datadog": ("saas", "datadog"),
    "opsgenie": ("saas", "opsgenie"), "pagerduty": ("saas", "pagerduty"),
    "github": ("saas", "github"), "openai": ("saas", "openai"),
    "postgres": ("host", "postgres"), "mysql": ("host", "mysql"), "mssql": ("host", "mssql"),
    "oracle": ("host", "oracle"), "redis": ("host", "redis"), "mongo": ("host", "mongodb"),
    "ssh": ("host", "ssh"), "sftp": ("host", "sftp"), "ftp": ("host", "ftp"),
    "redshift": ("host", "redshift"), "vertica": ("host", "vertica"),
    "elasticsearch": ("host", "elasticsearch"), "kafka": ("host", "kafka"),
    "http": ("http", None), "https": ("http", None), "smtp": ("host", "smtp"),
}


def split_url(url: str) -> SplitResult | None:
    """``urlsplit`` that gives None for a URL it refuses ("https://a]b", a bad port)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return None
    return parts
