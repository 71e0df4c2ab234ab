"""Privilege escalation (CAN_ESCALATE_TO) on exports written here in the shape of
``aws iam get-account-authorization-details``: one test per method of the table, asserting
the exact edges from the attacker, and their absence under a Deny, a resource constraint
that excludes the target, and a permissions boundary. Also: conditions, the per-account
hubs, blast radius and path through escalation, the findings, and access levels of AWS's
ReadOnlyAccess and ViewOnlyAccess.
"""

from __future__ import annotations

import json

import pytest

from graph.embedded import EmbeddedStore
from graph.records import validate
from ingest.aws import parse
from ingest.aws.escalation import HUB_MIN, hub_id
from ingest.aws.escalation_methods import METHODS, METHODS_BY_NAME
from queries import blast_radius
from queries.findings import findings
from queries.path import shortest_paths

ACCT = "444455556666"
USER_KIND = {"AddUserToGroup", "AttachUserPolicy", "PutUserPolicy", "AttachGroupPolicy",
             "PutGroupPolicy"}
MANAGED = f"arn:aws:iam::{ACCT}:policy/team-policy"


def arn(rest):
    return f"arn:aws:iam::{ACCT}:{rest}"


def iid(rest):
    return f"identity:aws:{arn(rest)}"


def doc(*stmts):
    return {"Version": "2012-10-17", "Statement": list(stmts)}


def allow(actions, resource="*", **extra):
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def trust(service):
    return doc({"Effect": "Allow", "Principal": {"Service": service},
                "Action": "sts:AssumeRole"})


def role(name, policies=(), trust_doc=None, managed=(), boundary=None):
    out = {"RoleName": name, "Arn": arn(f"role/{name}"), "Path": "/",
           "AssumeRolePolicyDocument": trust_doc or doc(
               {"Effect": "Allow", "Principal": {"AWS": arn("root")},
                "Action": "sts:AssumeRole"}),
           "RolePolicyList": [{"PolicyName": f"p{i}", "PolicyDocument": d}
                              for i, d in enumerate(policies)],
           "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a}
                                       for a in managed]}
    if boundary:
        out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                      "PermissionsBoundaryArn": boundary}
    return out


def user(name, policies=(), groups=(), managed=(), boundary=None):
    out = {"UserName": name, "Arn": arn(f"user/{name}"), "Path": "/", "GroupList": list(groups),
           "UserPolicyList": [{"PolicyName": f"p{i}", "PolicyDocument": d}
                              for i, d in enumerate(policies)],
           "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a}
                                       for a in managed]}
    if boundary:
        out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                      "PermissionsBoundaryArn": boundary}
    return out


def managed_policy(policy_arn, document, older=()):
    """A managed policy whose default is ``document``; ``older``: documents of its
    non-default versions v1, v2... (the default is the version after them)."""
    vid = f"v{len(older) + 1}"
    return {"PolicyName": policy_arn.rsplit("/", 1)[-1], "Arn": policy_arn, "Path": "/",
            "DefaultVersionId": vid, "AttachmentCount": 1, "IsAttachable": True,
            "PolicyVersionList": [{"Document": d, "VersionId": f"v{i + 1}",
                                   "IsDefaultVersion": False} for i, d in enumerate(older)]
            + [{"Document": document, "VersionId": vid, "IsDefaultVersion": True}]}


def export(users=(), groups=(), roles=(), policies=()):
    return {"UserDetailList": list(users),
            "GroupDetailList": list(groups) or [{"GroupName": "ops", "Arn": arn("group/ops"),
                                                 "Path": "/", "GroupPolicyList": [],
                                                 "AttachedManagedPolicies": []}],
            "RoleDetailList": list(roles), "Policies": list(policies)}


def run(tmp_path, data):
    path = tmp_path / "authz.json"
    path.write_text(json.dumps(data))
    b = parse(path)
    validate(b)
    return b


def escalations(b, src=None):
    return {(e.src, e.dst): e.props for e in b.edges
            if e.kind == "CAN_ESCALATE_TO" and (src is None or e.src == src)}


def _setup(m, key_resource="*", extra=(), boundary=None):
    """An export where the attacker holds exactly the method's actions, and the identity
    it should reach."""
    service = m.service or "lambda.amazonaws.com"
    actions = [*m.actions, *m.any_of[:1]]
    by_resource = [allow([a for a in actions if a != m.key], "*")] if len(actions) > 1 else []
    own = arn("user/attacker") if m.name in USER_KIND else arn("role/attacker")
    if m.reaches == "admin":
        key_res = {"AttachGroupPolicy": arn("group/ops"), "PutGroupPolicy": arn("group/ops"),
                   "CreatePolicyVersion": MANAGED, "SetDefaultPolicyVersion": MANAGED}.get(
                       m.name, own) if key_resource == "*" else key_resource
    else:
        key_res = key_resource
    policy = doc(*by_resource, allow([m.key], key_res), *extra)
    bpol = [managed_policy(boundary, doc(allow(["s3:GetObject"])))] if boundary else []
    # An older version granting more, so SetDefaultPolicyVersion has something to restore.
    team = managed_policy(MANAGED, doc(allow(["s3:ListBucket"])), older=[doc(allow(["*"]))])
    target_role = role("target", trust_doc=trust(service))
    if m.name in USER_KIND:
        attacker = user("attacker", [policy], groups=["ops"], boundary=boundary)
        users, roles = [attacker, user("victim")], [target_role]
    else:
        attacker = role("attacker", [policy], managed=[MANAGED], boundary=boundary)
        users, roles = [user("victim")], [attacker, target_role]
    expected = {"user": iid("user/victim"), "role": iid("role/target"),
                "group": iid("group/ops"), "passrole": iid("role/target"),
                "existing": iid("role/target"), "admin": hub_id(ACCT, "admin")}[m.reaches]
    src = iid("user/attacker") if m.name in USER_KIND else iid("role/attacker")
    return export(users, roles=roles, policies=[team, *bpol]), src, expected


@pytest.mark.parametrize("name", [m.name for m in METHODS])
def test_each_method_reaches_exactly_its_target(tmp_path, name):
    m = METHODS_BY_NAME[name]
    data, src, expected = _setup(m)
    b = run(tmp_path, data)
    got = escalations(b, src)
    assert set(got) == {(src, expected)}
    edge = got[(src, expected)]
    assert name in edge["methods"]
    assert edge["conditional"] is (m.reaches == "existing")
    assert set(m.actions) <= set(edge["actions"])
    assert edge["grant"] == "p0 (inline)"
    assert m.description in edge["reason"] or edge["method"] != name


@pytest.mark.parametrize("name", [m.name for m in METHODS])
def test_each_method_removed_by_an_unconditional_deny(tmp_path, name):
    m = METHODS_BY_NAME[name]
    data, src, _ = _setup(m, extra=[{"Effect": "Deny", "Action": m.key, "Resource": "*"}])
    left = escalations(run(tmp_path, data), src)
    # other methods the same actions complete may remain; this one is gone
    assert not any(name in e["methods"] for e in left.values())
    assert len(left) <= 1


@pytest.mark.parametrize("name", [m.name for m in METHODS if m.reaches != "existing"])
def test_each_method_removed_when_its_resource_excludes_the_target(tmp_path, name):
    m = METHODS_BY_NAME[name]
    other = {"user": arn("user/someone-else"), "role": arn("role/someone-else"),
             "group": arn("group/other"), "passrole": arn("role/someone-else"),
             "admin": arn("user/someone-else")}[m.reaches]
    data, src, _ = _setup(m, key_resource=other)
    left = escalations(run(tmp_path, data), src)
    assert not any(name in e["methods"] for e in left.values())
    assert len(left) <= 1


@pytest.mark.parametrize("name", [m.name for m in METHODS])
def test_each_method_removed_by_a_permissions_boundary(tmp_path, name):
    m = METHODS_BY_NAME[name]
    data, src, _ = _setup(m, boundary=arn("policy/s3-read-boundary"))
    b = run(tmp_path, data)
    assert escalations(b, src) == {}
    assert b.skipped == []


def test_boundary_missing_from_the_run_is_reported(tmp_path):
    m = METHODS_BY_NAME["CreateAccessKey"]
    data, src, expected = _setup(m)
    data["RoleDetailList"][0]["PermissionsBoundary"] = {
        "PermissionsBoundaryArn": arn("policy/not-exported")}
    b = run(tmp_path, data)
    assert set(escalations(b, src)) == {(src, expected)}
    assert len(b.skipped) == 1 and "permissions boundary" in b.skipped[0]


def test_conditions_are_kept_and_ranked_below(tmp_path):
    tagged = allow(["iam:PassRole"], "*",
                   Condition={"StringEquals": {"aws:RequestTag/team": "data"}})
    data = export([user("victim")], roles=[
        role("attacker", [doc(allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
                              tagged)]),
        role("target", trust_doc=trust("lambda.amazonaws.com"))])
    b = run(tmp_path, data)
    edge = escalations(b)[(iid("role/attacker"), iid("role/target"))]
    assert edge["conditional"] is True
    assert json.loads(edge["conditions"]) == [{"StringEquals": {"aws:RequestTag/team": "data"}}]
    # the same role also reachable unconditionally: the unconditional method leads
    data["RoleDetailList"][0]["RolePolicyList"].append(
        {"PolicyName": "code", "PolicyDocument": doc(allow(["lambda:UpdateFunctionCode"]))})
    both = escalations(run(tmp_path, data))[(iid("role/attacker"), iid("role/target"))]
    assert both["method"] == "PassRole+Lambda CreateFunction+InvokeFunction"
    assert both["methods"] == ["PassRole+Lambda CreateFunction+InvokeFunction",
                               "Lambda UpdateFunctionCode"]
    assert both["conditional"] is True  # neither is unconditional


def test_passed_to_service_is_evaluated(tmp_path):
    def with_passed(service):
        return export([user("victim")], roles=[
            role("attacker", [doc(allow(["ec2:RunInstances"]), allow(
                ["iam:PassRole"], "*",
                Condition={"StringEquals": {"iam:PassedToService": service}}))]),
            role("target", trust_doc=trust("ec2.amazonaws.com"))])
    ok = escalations(run(tmp_path, with_passed("ec2.amazonaws.com")))
    assert ok[(iid("role/attacker"), iid("role/target"))]["conditional"] is False
    assert escalations(run(tmp_path, with_passed("lambda.amazonaws.com"))) == {}


def test_wide_grants_go_through_one_hub_per_account(tmp_path):
    victims = [user(f"v{i}") for i in range(HUB_MIN)]
    data = export([*victims, user("attacker", [doc(allow(["iam:CreateAccessKey"]))])])
    b = run(tmp_path, data)
    hub = hub_id(ACCT, "users")
    got = escalations(b)
    assert set(got) == {(iid("user/attacker"), hub)} | {
        (hub, iid(f"user/v{i}")) for i in range(HUB_MIN)} | {(hub, iid("user/attacker"))}
    # a Deny on one victim: decided target by target, that victim left out
    data["UserDetailList"][-1]["UserPolicyList"].append({"PolicyName": "d", "PolicyDocument": doc(
        {"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": arn("user/v0")})})
    got = escalations(run(tmp_path, data), iid("user/attacker"))
    assert set(got) == {(iid("user/attacker"), iid(f"user/v{i}")) for i in range(1, HUB_MIN)}


def test_principals_already_admin_get_no_escalation_edges(tmp_path):
    data = export([user("root-ish", [doc(allow(["*"]))]), user("victim")])
    assert escalations(run(tmp_path, data)) == {}


def _store(tmp_path, data):
    store = EmbeddedStore(tmp_path / "s")
    store.write(run(tmp_path, data), source="t")
    return store


def test_blast_radius_path_and_findings_follow_escalation(tmp_path):
    data = export(
        [user("victim", [doc(allow(["s3:*"], "arn:aws:s3:::billing"))]),
         user("selfish", [doc(allow(["iam:PutUserPolicy"], arn("user/selfish")))])],
        roles=[role("ci", [doc(allow(["iam:CreateAccessKey"], arn("user/victim")))])])
    store = _store(tmp_path, data)
    rows = {r["id"]: r for r in blast_radius(store, iid("role/ci")).rows}
    assert rows["resource:aws:arn:aws:s3:::billing"]["access"] == "admin"
    assert rows["resource:aws:arn:aws:s3:::billing"]["path"] == [
        iid("role/ci"), iid("user/victim"), "resource:aws:arn:aws:s3:::billing"]
    hops = shortest_paths(store, iid("role/ci"), "resource:aws:arn:aws:s3:::billing").rows[0]
    assert "CreateAccessKey" in hops["hops"][0]["reason"]
    selfish = {r["id"]: r for r in blast_radius(store, iid("user/selfish")).rows}
    assert selfish[f"system:aws:{ACCT}"]["access"] == "admin"
    got = {f["nodes"][0]: f for f in findings(store).rows if f["rule"] == "privilege-escalation"}
    assert set(got) == {iid("role/ci"), iid("user/selfish")}
    assert got[iid("role/ci")]["severity"] == "high"  # s3:* on billing: admin
    assert got[iid("role/ci")]["detail"] == (
        "ci can escalate by CreateAccessKey to victim; strongest access gained: admin")
    assert got[iid("user/selfish")]["severity"] == "high"
    assert (got[iid("role/ci")]["owasp"], got[iid("role/ci")]["nist"]) == \
        ("NHI5:2025", ["PR.AA-05"])
    admin = {f["nodes"][0] for f in findings(store).rows if f["rule"] == "admin-grant"}
    # an IAM user holding admin is flagged like a role; the self-granted target is not
    assert iid("user/victim") in admin and hub_id(ACCT, "admin") not in admin


READ_ONLY = doc(allow(["iam:List*", "iam:Get*", "s3:Get*", "s3:List*", "ec2:Describe*",
                       "glue:Get*", "glue:List*", "quicksight:Describe*", "cloudtrail:LookupEvents",
                       "monitron:ListProjectAdminUsers"]))
VIEW_ONLY = doc(allow(["iam:ListRoles", "iam:ListUsers", "iam:ListPolicies", "s3:ListAllMyBuckets",
                       "ec2:DescribeInstances", "glue:ListEntities",
                       "quicksight:DescribeTopicPermissions", "ssm-sap:GetResourcePermission",
                       "backup:ListIndexedRecoveryPointsForSearch"]))


@pytest.mark.parametrize("document", [READ_ONLY, VIEW_ONLY], ids=["ReadOnlyAccess",
                                                                  "ViewOnlyAccess"])
def test_read_only_policies_give_read_on_the_account(tmp_path, document):
    pol = arn("policy/view")
    data = export(roles=[role("auditor", managed=[pol])], policies=[managed_policy(pol, document)])
    b = run(tmp_path, data)
    got = {(e.src, e.dst): e.props["access"] for e in b.edges if e.kind == "CAN_ACCESS"}
    assert got == {(iid("role/auditor"), f"system:aws:{ACCT}"): "read"}


def _set_default(tmp_path, older, default=None):
    """The attacker role holds iam:SetDefaultPolicyVersion on team-policy, attached to it,
    whose default version allows s3:GetObject on bucket data (or ``default``)."""
    default = default or doc(allow(["s3:GetObject"], "arn:aws:s3:::data/*"))
    attacker = role("attacker", [doc(allow(["iam:SetDefaultPolicyVersion"], MANAGED))],
                    managed=[MANAGED])
    data = export(roles=[attacker], policies=[managed_policy(MANAGED, default, older)])
    b = run(tmp_path, data)
    assert b.skipped == []
    return escalations(b, iid("role/attacker"))


def test_set_default_version_escalates_to_an_older_admin_version(tmp_path):
    got = _set_default(tmp_path, older=[doc(allow(["s3:GetObject"], "arn:aws:s3:::data/*")),
                                        doc(allow(["*"]))])
    edge = got[(iid("role/attacker"), hub_id(ACCT, "admin"))]
    assert set(got) == {(iid("role/attacker"), hub_id(ACCT, "admin"))}
    assert edge["methods"] == ["SetDefaultPolicyVersion"]
    # v1 is the same as the default; v2 (allow *) is the one that grants more.
    assert f"on {MANAGED} (version v2 grants more)" in edge["reason"]


@pytest.mark.parametrize("older", [
    [],  # no other version
    [doc(allow(["s3:GetObject"], "arn:aws:s3:::data/reports/*"))],  # narrower resource
    [doc(allow(["s3:GetObject"], "arn:aws:s3:::data/*"),  # same, and a Deny on top
         {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/x"})],
    [doc(allow(["s3:GetObject"], "arn:aws:s3:::data/*",  # same under a condition
               Condition={"Bool": {"aws:SecureTransport": "true"}}))],
], ids=["none", "narrower", "same-plus-deny", "conditional"])
def test_set_default_version_without_a_broader_version_is_no_escalation(tmp_path, older):
    assert _set_default(tmp_path, older=older) == {}


def test_set_default_version_that_drops_a_deny_grants_more(tmp_path):
    default = doc(allow(["s3:*"], "arn:aws:s3:::data/*"),
                  {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})
    got = _set_default(tmp_path, older=[doc(allow(["s3:*"], "arn:aws:s3:::data/*"))],
                       default=default)
    assert set(got) == {(iid("role/attacker"), hub_id(ACCT, "admin"))}


def _ec2_roles():
    """web and batch are in instance profiles, bare (also trusting EC2) is in none."""
    out = []
    for name, profiles in (("web", ["web-profile"]), ("batch", ["batch-profile"]),
                           ("bare", [])):
        r = role(name, trust_doc=trust("ec2.amazonaws.com"))
        r["InstanceProfileList"] = [{"InstanceProfileName": n, "Path": "/",
                                     "Arn": arn(f"instance-profile/{n}"),
                                     "InstanceProfileId": "AIPA" + n.upper()[:8],
                                     "Roles": []} for n in profiles]
        out.append(r)
    return out


@pytest.mark.parametrize("action", ["ec2:RunInstances", "ec2:AssociateIamInstanceProfile",
                                    "ec2:ReplaceIamInstanceProfileAssociation"])
def test_ec2_methods_reach_only_roles_in_an_instance_profile(tmp_path, action):
    attacker = role("attacker", [doc(allow([action, "iam:PassRole"]))])
    b = run(tmp_path, export(roles=[attacker, *_ec2_roles()]))
    got = escalations(b, iid("role/attacker"))
    assert set(got) == {(iid("role/attacker"), iid("role/web")),
                        (iid("role/attacker"), iid("role/batch"))}
    assert all(e["conditional"] is False for e in got.values())
    nodes = {n.id: n.props for n in b.nodes}
    assert nodes[iid("role/web")]["instance_profiles"] == [arn("instance-profile/web-profile")]
    assert "instance_profiles" not in nodes[iid("role/bare")]


def test_ec2_instance_profile_methods_under_deny_and_passrole_constraint(tmp_path):
    attacker = role("attacker", [doc(
        allow(["ec2:AssociateIamInstanceProfile", "ec2:RunInstances"]),
        allow(["iam:PassRole"], arn("role/batch")),
        {"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*"})])
    got = escalations(run(tmp_path, export(roles=[attacker, *_ec2_roles()])),
                      iid("role/attacker"))
    # PassRole only on batch; RunInstances denied, so only the association method is left.
    assert set(got) == {(iid("role/attacker"), iid("role/batch"))}
    assert got[(iid("role/attacker"), iid("role/batch"))]["methods"] == [
        "PassRole+EC2 AssociateIamInstanceProfile"]


def test_ec2_denied_passrole_leaves_no_instance_profile_escalation(tmp_path):
    attacker = role("attacker", [doc(
        allow(["ec2:ReplaceIamInstanceProfileAssociation", "iam:PassRole"]),
        {"Effect": "Deny", "Action": "iam:PassRole", "Resource": arn("role/web")})])
    got = escalations(run(tmp_path, export(roles=[attacker, *_ec2_roles()])),
                      iid("role/attacker"))
    assert set(got) == {(iid("role/attacker"), iid("role/batch"))}
