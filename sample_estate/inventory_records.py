"""The sample estate's inventory being written, and the helpers every part adds with.

``nodes`` (by kind) and ``edges`` (by kind) are the document :func:`sample_estate.build.build`
returns; :func:`node`, :func:`edge` and :func:`grant` append to them, and the AWS helpers
(:func:`role`, :func:`user`, :func:`access_key`, :func:`s3`) name the AWS nodes the
``aws-iam`` ingester loads from ``sample_estate/aws/``, to add only what IAM exports do not
hold (owners, environments, crown jewels).
"""

from __future__ import annotations

ACCT = "111122223333"
DEV_ACCT = "444455556666"

nodes: dict[str, list[dict]] = {k: [] for k in (
    "Owner", "Workspace", "Vault", "System", "Resource", "Identity", "Secret", "Workflow",
    "Connector")}
edges: dict[str, list[dict]] = {}


def node(kind, id, **props):
    nodes[kind].append({"id": id, **props})
    return id


def edge(kind, src, dst, **props):
    edges.setdefault(kind, []).append({"from": src, "to": dst, **props})


# AWS nodes come from the aws-iam ingester; these add only what IAM exports do not hold.
def role(name, acct=ACCT, **props):
    return node("Identity", f"identity:aws:arn:aws:iam::{acct}:role/{name}",
                environment="prod" if acct == ACCT else "dev", **props)


def user(name, acct=ACCT, **props):
    return node("Identity", f"identity:aws:arn:aws:iam::{acct}:user/{name}",
                environment="prod", **props)


def access_key(key_id, **props):
    return node("Secret", f"secret:aws:{key_id}", environment="prod", **props)


def s3(bucket, crown=False, env="prod"):
    return node("Resource", f"resource:aws:arn:aws:s3:::{bucket}", crown_jewel=crown,
                environment=env)


def grant(holder, target, access, grant_name, actions=(), reason=None):
    edge("CAN_ACCESS", holder, target, access=access, grant=grant_name,
         actions=list(actions), reason=reason or f"{grant_name} gives {access}")
