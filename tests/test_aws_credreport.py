"""The credential report matched to ``list-access-keys`` rows (ingest/aws/credreport.py):
two keys created in the same second each keep their own id (told apart by status), and
``AccessKeyLastUsed`` (from ``get-access-key-last-used``) fills a date the report lacks."""

from __future__ import annotations

from graph.records import Batch
from ingest.aws import credreport

HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,mfa_active,"
          "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
          "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
          "access_key_2_last_used_date,access_key_2_last_used_service\n")
ARN = "arn:aws:iam::111111111111:user/etl-bot"
SAME = "2026-05-01T08:00:00+00:00"


def _read(row: str, keys: list[dict]) -> dict:
    batch, notes = Batch(), []
    credreport.read(HEADER + row + "\n", "report.csv", keys, notes.append, batch)
    assert notes == []
    return {n.id: n.props for n in batch.nodes if n.kind == "Secret"}


def test_two_keys_of_the_same_second_keep_both_ids():
    # Key 1 in the report is the inactive one; the metadata lists the active one first.
    row = (f"etl-bot,{ARN},2026-01-01T00:00:00+00:00,false,N/A,false,"
           f"false,{SAME},N/A,N/A,true,{SAME},N/A,N/A")
    keys = [{"UserName": "etl-bot", "AccessKeyId": "AKIASAMESECOND00001", "Status": "Active",
             "CreateDate": "2026-05-01T08:00:00Z"},
            {"UserName": "etl-bot", "AccessKeyId": "AKIASAMESECOND00002",
             "Status": "Inactive", "CreateDate": "2026-05-01T08:00:00Z"}]
    secrets = _read(row, keys)
    assert sorted(secrets) == ["secret:aws:AKIASAMESECOND00001",
                               "secret:aws:AKIASAMESECOND00002"]
    assert secrets["secret:aws:AKIASAMESECOND00002"]["key_slot"] == 1
    assert secrets["secret:aws:AKIASAMESECOND00002"]["status"] == "inactive"
    assert secrets["secret:aws:AKIASAMESECOND00001"]["key_slot"] == 2
    assert secrets["secret:aws:AKIASAMESECOND00001"]["status"] == "active"


def test_same_second_and_same_status_still_two_keys_in_order():
    row = (f"etl-bot,{ARN},2026-01-01T00:00:00+00:00,false,N/A,false,"
           f"true,{SAME},N/A,N/A,true,{SAME},N/A,N/A")
    keys = [{"UserName": "etl-bot", "AccessKeyId": f"AKIASAMESECOND0000{i}", "Status": "Active",
             "CreateDate": "2026-05-01T08:00:00Z"} for i in (1, 2)]
    secrets = _read(row, keys)
    assert {k: v["key_slot"] for k, v in secrets.items()} == {
        "secret:aws:AKIASAMESECOND00001": 1, "secret:aws:AKIASAMESECOND00002": 2}


def test_last_used_from_get_access_key_last_used():
    row = (f"etl-bot,{ARN},2026-01-01T00:00:00+00:00,false,N/A,false,"
           f"true,2026-02-01T00:00:00+00:00,N/A,N/A,true,2026-03-01T00:00:00+00:00,"
           f"2026-11-02T10:00:00+00:00,s3")
    keys = [{"UserName": "etl-bot", "AccessKeyId": "AKIALASTUSED0000001", "Status": "Active",
             "CreateDate": "2026-02-01T00:00:00Z",
             "AccessKeyLastUsed": {"LastUsedDate": "2026-10-15T12:30:00Z",
                                   "ServiceName": "sts", "Region": "us-east-1"}},
            {"UserName": "etl-bot", "AccessKeyId": "AKIALASTUSED0000002", "Status": "Active",
             "CreateDate": "2026-03-01T00:00:00Z",
             "AccessKeyLastUsed": {"LastUsedDate": "2026-10-01T00:00:00Z",
                                   "ServiceName": "ec2"}}]
    secrets = _read(row, keys)
    k1, k2 = secrets["secret:aws:AKIALASTUSED0000001"], secrets["secret:aws:AKIALASTUSED0000002"]
    # The report has no date for key 1: the API's date; key 2's report date wins.
    assert (k1["last_used_at"], k1["last_used_service"]) == ("2026-10-15T12:30:00Z", "sts")
    assert "never_used" not in k1
    assert (k2["last_used_at"], k2["last_used_service"]) == ("2026-11-02T10:00:00Z", "s3")


def test_no_last_used_anywhere_is_never_used():
    row = (f"etl-bot,{ARN},2026-01-01T00:00:00+00:00,false,N/A,false,"
           f"true,2026-02-01T00:00:00+00:00,N/A,N/A,false,N/A,N/A,N/A")
    keys = [{"UserName": "etl-bot", "AccessKeyId": "AKIANEVERUSED000001", "Status": "Active",
             "CreateDate": "2026-02-01T00:00:00Z", "AccessKeyLastUsed": {"Region": "N/A"}}]
    (k,) = _read(row, keys).values()
    assert k["never_used"] is True and "last_used_at" not in k


def _cli(*args):
    from click.testing import CliRunner

    from cli import cli
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_unused_credentials_command_on_the_aws_fixtures(tmp_path):
    import json
    from pathlib import Path

    store = str(tmp_path / "store")
    data = str(Path(__file__).parent / "data" / "aws")
    assert _cli("ingest", "aws-iam", data, "--store", store)[0] == 0
    base = ("unused-credentials", "--store", store, "--as-of", "2026-12-01T00:00:00Z",
            "--format", "json")

    def recent(days, *more):
        code, out, err = _cli(*base, "--days", str(days), *more)
        assert code == 0, err
        return {r["node"]: "not_run_recently" in r["reasons"]
                for r in json.loads(out)["unused_credentials"]}

    # alice key 1 last used 2026-11-20 (11 days before), bob's key never; alice key 2 is
    # inactive, so not a valid credential; no workflow uses an access key.
    assert recent(5) == {"secret:aws:AKIAFIXTUREALICE0001": True,
                         "secret:aws:AKIAFIXTUREBOB000001": True}
    assert recent(30) == {"secret:aws:AKIAFIXTUREALICE0001": False,
                          "secret:aws:AKIAFIXTUREBOB000001": True}
    assert recent(30, "--platform", "n8n") == {}
    code, _, err = _cli("unused-credentials", "--store", store, "--as-of", "soon")
    assert code == 2 and "--as-of" in err and err.count("\n") == 1
