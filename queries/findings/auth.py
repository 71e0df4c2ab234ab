"""NHI4 Insecure Authentication, NHI6 Insecure Cloud Deployment Configurations and NHI10
Human Use of NHI: how non-human identities log in, and who else logs in as them.
"""

from __future__ import annotations

from ..context import Context
from .base import Rule, finding

#: Platforms whose workflows can federate into clouds with short-lived tokens (OIDC).
FEDERATION_PLATFORMS = frozenset({"github", "gitlab", "circleci", "bitbucket", "buildkite"})

PASSWORD_TYPES = frozenset({"password", "basic_auth", "connection_string"})


def _static_cloud_key(node: dict) -> bool:
    return node.get("secret_type") == "access_key" or bool(node.get("access_key_id"))


def _logs_in_as(ctx: Context, secrets: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in ctx.store.expand(secrets, "out", ("AUTHENTICATES_AS",)):
        out.setdefault(e.src, []).append(e.dst)
    return out


def _federated_accounts(ctx: Context) -> set[str]:
    """Cloud accounts some workflow already reaches by federation (OIDC): proof that the
    short-lived option exists there."""
    starts = sorted(ctx.by_kind["Workflow"]) + sorted(ctx.by_kind["Connector"]) + \
        sorted(ctx.by_kind["Workspace"])
    dsts = {d for _, _, d in ctx.store.expand_ends(starts, "out", ("CAN_ASSUME",))}
    return {str(ctx.by_kind["Identity"].get(d, {}).get("account")) for d in dsts} - {"None"}


def _platform(ctx: Context, wf: str) -> str:
    return str(ctx.by_kind["Workflow"].get(wf, {}).get("platform", ""))


def _held_secrets(ctx: Context) -> list[tuple[str, dict]]:
    """Valid secrets some workflow holds, with their nodes (once per context, kept on it:
    three rules filter them)."""
    cache = ctx.__dict__  # like the context's own cached properties
    if "_held_secrets" not in cache:
        cache["_held_secrets"] = [(sid, node) for sid, node in ctx.by_kind["Secret"].items()
                                  if ctx.users.get(sid) and ctx.valid(node)]
    return cache["_held_secrets"]


def _held_keys(ctx: Context, predicate) -> list[tuple[str, list[str], list[str]]]:
    """Valid secrets matching ``predicate`` that workflows hold, one entry per credential:
    (representative, its other stored copies, the workflows holding any copy)."""
    held = [sid for sid, node in _held_secrets(ctx) if predicate(node)]
    out = []
    for rep, copies in ctx.group_copies(held):
        wfs = sorted({w for s in [rep, *copies] for w in ctx.users.get(s, ())})
        out.append((rep, copies, wfs))
    return out


def static_cloud_key(rule: Rule, ctx: Context) -> list[dict]:
    federated = _federated_accounts(ctx)
    keys = _held_keys(ctx, _static_cloud_key)
    logs_in = _logs_in_as(ctx, sorted({s for k, copies, _ in keys for s in [k, *copies]}))
    out = []
    for sid, copies, wfs in keys:
        idents = sorted({i for s in [sid, *copies] for i in logs_in.get(s, [])})
        accounts = {str(ctx.node(i).get("account")) for i in idents}
        option = sorted(accounts & federated) or sorted(
            {_platform(ctx, w) for w in wfs} & FEDERATION_PLATFORMS)
        severity = "high" if option else "medium"
        node = ctx.by_kind["Secret"][sid]
        age = ctx.age_days(node)
        detail = (f"{ctx.name(sid)} ({node.get('access_key_id', 'static key')}) is a static "
                  f"cloud key used by {', '.join(ctx.name(w) for w in wfs)}"
                  + (f", {int(age)} days since rotation" if age is not None else "")
                  + (f"; a federated option exists ({', '.join(option)})" if option else ""))
        paths = [ctx.path(w, i) for w in wfs[:3] for i in idents[:1]] or \
            [ctx.path(w, sid) for w in wfs[:3]]
        out.append(finding(rule, severity, [sid, *copies, *idents, *wfs], paths, detail))
    return out


def password_auth(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    for sid, copies, wfs in _held_keys(ctx, lambda n: n.get("secret_type") in PASSWORD_TYPES):
        node = ctx.by_kind["Secret"][sid]
        detail = (f"{ctx.name(sid)} is a {node['secret_type'].replace('_', ' ')} (basic "
                  f"authentication) used by {', '.join(ctx.name(w) for w in wfs)}")
        out.append(finding(rule, "low", [sid, *copies, *wfs],
                           [ctx.path(w, sid) for w in wfs[:3]], detail))
    return out


def ci_static_cloud_key(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    for sid, copies, wfs in _held_keys(ctx, _static_cloud_key):
        ci = [w for w in wfs if _platform(ctx, w) in FEDERATION_PLATFORMS]
        if not ci:
            continue
        crown = ctx.crown_reach(sid)
        detail = (f"CI/CD workflow(s) {', '.join(ctx.name(w) for w in ci)} hold the static "
                  f"cloud key {ctx.name(sid)} instead of federating with OIDC")
        if crown:
            detail += f"; it reaches crown jewels {', '.join(r['name'] for r in crown)}"
        out.append(finding(rule, "critical" if crown else "high", [sid, *copies, *ci],
                           [ctx.path(w, sid) for w in ci[:3]], detail))
    return out


def oidc_trust_unrestricted(rule: Rule, ctx: Context) -> list[dict]:
    out = []
    for e in sorted(ctx.store.edges("CAN_ASSUME"), key=lambda e: (e.dst, e.src)):
        if e.props.get("oidc_subject_unrestricted") is not True:
            continue
        targets = ctx.targets(e.dst)
        admin = [r for r in targets if r["access"] == "admin"]
        crown = ctx.crown_reach(e.dst)
        severity = "critical" if admin or crown else "high"
        paths = [[e.src, e.dst]] + [r["access_path"] for r in (crown or admin)[:2]
                                    if r.get("access_path")]
        detail = (f"{ctx.name(e.dst)} trusts OIDC tokens with no subject condition: any "
                  f"repository of the provider can assume it; it reaches {len(targets)} "
                  f"system(s)/resource(s)" + (f", admin over {len(admin)}" if admin else ""))
        out.append(finding(rule, severity, [e.dst, e.src], paths, detail))
    return out


def human_use(rule: Rule, ctx: Context) -> list[dict]:
    idents = {i: n for i, n in ctx.by_kind["Identity"].items()
              if n.get("interactive_login") is True and ctx.valid(n)}
    keys: dict[str, list[str]] = {}
    for e in ctx.store.expand(sorted(idents), "in", ("AUTHENTICATES_AS",)):
        if ctx.valid(ctx.node(e.src)):
            keys.setdefault(e.dst, []).append(e.src)
    out = []
    for iid, node in sorted(idents.items()):
        wfs = sorted(ctx.users.get(iid, ()))
        creds = sorted(keys.get(iid, []))
        if not (creds or wfs or node.get("possible_human_use") is True):
            continue  # a person's own login, not a non-human identity
        detail = (f"{ctx.name(iid)} can log in interactively (console/password) and is also "
                  f"used by machines: {len(creds)} credential(s), {len(wfs)} workflow(s)")
        paths = [[c, iid] for c in creds] + [ctx.path(w, iid) for w in wfs[:3]]
        out.append(finding(rule, "high", [iid, *creds, *wfs], paths, detail))
    return out


RULES = [
    Rule("static-cloud-key", "Static long-lived cloud access key where federation is possible",
         "NHI4:2025", ("PR.AA-01", "PR.AA-03"),
         "Replace the access key with federation (OIDC / assume-role with short-lived "
         "tokens); until then rotate it and restrict it by source.",
         "Secret.secret_type = access_key or Secret.access_key_id; AUTHENTICATES_AS to an "
         "Identity and its account; CAN_ASSUME from workflows/connectors (federation in use); "
         "Workflow.platform", static_cloud_key,
         severity="medium; high when a federated option demonstrably exists: a workflow already "
                  "federates (CAN_ASSUME) into the key's account, or the workflow's platform "
                  "offers OIDC (github, gitlab, circleci, bitbucket, buildkite)"),
    Rule("password-auth", "Password or basic authentication for a non-human identity",
         "NHI4:2025", ("PR.AA-03",),
         "Switch to key-pair, OAuth client credentials or workload identity; if a password "
         "must stay, make it long, unique and rotated.",
         "Secret.secret_type in password, basic_auth, connection_string; held by a workflow",
         password_auth, severity="low"),
    Rule("ci-static-cloud-key", "CI/CD pipeline holds a static cloud key", "NHI6:2025",
         ("PR.AA-01", "PR.PS-01"),
         "Configure OIDC federation from the CI platform to the cloud (a role whose trust is "
         "restricted to this repository and branch) and delete the stored key.",
         "Workflow.platform in github, gitlab, circleci, bitbucket, buildkite; static cloud "
         "key as for static-cloud-key; crown_jewel of what it reaches",
         ci_static_cloud_key, severity="high; critical when the key reaches a crown jewel "
         "with write/admin"),
    Rule("oidc-trust-unrestricted", "OIDC trust without a subject condition", "NHI6:2025",
         ("PR.AA-05", "PR.PS-01"),
         "Add a subject condition (e.g. token.actions.githubusercontent.com:sub = "
         "repo:ORG/REPO:ref:refs/heads/main) to the role's trust policy.",
         "CAN_ASSUME.oidc_subject_unrestricted = true (set by the AWS trust ingester)",
         oidc_trust_unrestricted,
         severity="high; critical when the role is admin anywhere or reaches a crown jewel with "
                  "write/admin"),
    Rule("human-use", "Non-human identity with interactive (human) login", "NHI10:2025",
         ("PR.AA-01", "PR.AA-03"),
         "Remove the console password (or the access keys): a person and a machine should "
         "never share one identity. Give the person their own federated login.",
         "Identity.interactive_login = true (and possible_human_use); valid secrets "
         "AUTHENTICATES_AS it; workflows using it", human_use, severity="high"),
]
