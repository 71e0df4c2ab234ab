"""The canonical model of nhigraph, declared once as data.

Node kinds, edge kinds (access edges that reachability traverses, metadata edges that it
never does), the properties each carries with a description, and the access levels. The
declarations drive validation, both stores, the inventory JSON Schema, exports and docs,
so a new property or edge is added here and nowhere else.

An edge ``A -> B`` means "whoever controls A can use B". Blast radius is forward
reachability over access edges; "who can reach this" is backward reachability.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# --- access levels -------------------------------------------------------------------

#: Levels a grant can give, weakest first. ``unknown`` means "a source shows the credential
#: opens the system but not with which rights"; it ranks like ``write`` unless the analyst
#: says otherwise (see :func:`access_rank`).
ACCESS_LEVELS = ("read", "write", "admin", "unknown")
#: What the attacker has over nodes they come to hold or act as (connectors, secrets,
#: identities, workflows): they *are* that principal.
CONTROL = "control"
_BASE_RANK = {"read": 1, "write": 2, "admin": 3, CONTROL: 4}


def access_rank(level: str, unknown_as: str = "write") -> tuple[int, int]:
    """Sort key for access levels: higher is stronger.

    ``unknown`` ranks like ``unknown_as``; on a tie the known level wins, because a known
    grant is the better evidence.

    Examples
    --------
    >>> access_rank("admin") > access_rank("write") > access_rank("read")
    True
    >>> access_rank("unknown") < access_rank("write")  # ties break towards the known level
    True
    >>> access_rank("unknown", unknown_as="admin") > access_rank("write")
    True
    """
    if level == "unknown":
        return (_BASE_RANK[unknown_as], 0)
    return (_BASE_RANK[level], 1)


def strongest(levels: Iterable[str], unknown_as: str = "write") -> str | None:
    """The strongest of several access levels, or None for none."""
    best = None
    for level in levels:
        if best is None or access_rank(level, unknown_as) > access_rank(best, unknown_as):
            best = level
    return best


# --- property declarations -----------------------------------------------------------

ENVIRONMENTS = ("prod", "staging", "dev", "test", "unknown")
STATUSES = (
    "active",
    "inactive",
    "retired",
    "archived",
    "disabled",
    "revoked",
    "expired",
    "departed",
    "unknown",
)
#: Statuses under which a credential no longer works.
INVALID_CREDENTIAL_STATUSES = frozenset({"revoked", "expired", "disabled", "retired", "inactive"})
#: Statuses under which a workflow no longer runs (but whose credentials may still work).
DORMANT_WORKFLOW_STATUSES = frozenset({"inactive", "retired", "archived", "disabled"})
#: Statuses under which an owner is no longer accountable.
GONE_OWNER_STATUSES = frozenset({"departed", "inactive", "disabled", "retired"})

ENV_SYNONYMS = {
    "production": "prod",
    "prd": "prod",
    "live": "prod",
    "stage": "staging",
    "stg": "staging",
    "preprod": "staging",
    "development": "dev",
    "develop": "dev",
    "sandbox": "dev",
    "qa": "test",
    "testing": "test",
    "": "unknown",
}


@dataclass(frozen=True)
class Prop:
    """A declared property: ``type`` is one of str, bool, int, float, list, datetime, enum."""

    name: str
    type: str
    description: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeKind:
    name: str
    description: str
    props: tuple[Prop, ...] = ()
    #: Nodes of this kind are things an attacker holds or acts as (access = control).
    held: bool = True


@dataclass(frozen=True)
class EdgeKind:
    name: str
    description: str
    traversed: bool
    pairs: tuple[tuple[str, str], ...]
    props: tuple[Prop, ...] = ()
    #: Written in both directions by the stores (SAME_VALUE_AS).
    symmetric: bool = False
    allowed: frozenset = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", frozenset(self.pairs))


COMMON_NODE_PROPS = (
    Prop("id", "str", "Stable unique id, namespaced by the system that owns the thing."),
    Prop("name", "str", "Human-readable name."),
    Prop("source", "str", "The ingester (and source file) that first described the node."),
    Prop("environment", "enum", "Deployment environment.", ENVIRONMENTS),
    Prop("status", "enum", "Lifecycle status; unknown is a value, not an error.", STATUSES),
    Prop("description", "str", "Free text."),
    Prop("tags", "list", "Labels from the source platform."),
    Prop("url", "str", "Where the thing lives in its platform."),
    Prop("created_at", "datetime", "ISO 8601 UTC."),
    Prop("updated_at", "datetime", "ISO 8601 UTC."),
    Prop("last_used_at", "datetime", "ISO 8601 UTC."),
    Prop("last_rotated_at", "datetime", "ISO 8601 UTC."),
    Prop("expires_at", "datetime", "ISO 8601 UTC; absent means never."),
)

NODE_KINDS: dict[str, NodeKind] = {
    k.name: k
    for k in (
        NodeKind(
            "Workspace",
            "A tenant, instance, project, organisation or repository of a workflow platform.",
            (Prop("platform", "str", "n8n, github, airflow, zapier, ..."),),
        ),
        NodeKind(
            "Workflow",
            "A workflow, pipeline, CI workflow file or DAG.",
            (
                Prop("platform", "str", "n8n, github, airflow, ..."),
                Prop("trigger", "str", "How it starts: schedule, webhook, push, manual, ..."),
                Prop("path", "str", "File path inside its repository, where it has one."),
                Prop("client", "str", "MCP: the client that reads the configuration "
                     "(claude-desktop, cursor, vscode, windsurf, ...)."),
                Prop("mode", "str", "Dify: the app's mode (workflow, advanced-chat, "
                     "agent-chat, chat, completion)."),
                Prop("dsl_version", "str", "Dify: the DSL version the export was written in."),
            ),
        ),
        NodeKind(
            "Connector",
            "A node, job, step or connection of a workflow that calls a downstream service.",
            (
                Prop("service", "str", "The downstream service or node type it calls."),
                Prop("third_party", "bool", "Code or service not owned by the platform or the company."),
                Prop("pinned", "bool", "Version pinned immutably (e.g. an action by commit SHA)."),
                Prop("version", "str", "Version or ref it runs."),
                Prop("credentials_unset", "list",
                     "Credential types the node needs with none set (an empty reference)."),
                Prop("inherits_secrets_to", "str",
                     "Reusable workflow a GitHub job passes every secret to (secrets: inherit)."),
                Prop("platform", "str", "The workflow platform it belongs to (langflow, "
                     "flowise, ...)."),
                Prop("node_type", "str", "The platform's node or component type (Langflow "
                     "component, Flowise node name, Dify node kind, mcp-server:<transport>)."),
                Prop("tool_mode", "bool", "Langflow: the component is in tool mode (an agent "
                     "may call it)."),
                Prop("transport", "str", "MCP: how the client talks to the server (stdio, "
                     "http, sse, streamable-http)."),
                Prop("command", "str", "MCP: the program a local server runs (npx, uvx, "
                     "docker, ...)."),
                Prop("package", "str", "MCP: the package the command starts "
                     "(@modelcontextprotocol/server-github)."),
                Prop("registry", "str", "MCP: where the package comes from (npm, pypi, "
                     "docker)."),
                Prop("model", "str", "Dify: the model a model node or agent uses."),
                Prop("provider_type", "str", "Dify: a tool's provider type (builtin, api, "
                     "workflow, mcp)."),
                Prop("tool_name", "str", "Dify: the tool's name at its provider."),
            ),
        ),
        NodeKind(
            "Secret",
            "A credential: token, API key, password, access key, certificate, OAuth grant.",
            (
                Prop("secret_type", "str", "api_key, oauth_token, password, access_key, ..."),
                Prop("store", "str", "Where it lives: vault, platform, embedded, env, file, ..."),
                Prop("fingerprint", "str", "Keyed HMAC-SHA256 of the value; never the value."),
                Prop("detector", "str",
                     "Why an embedded value was judged a secret (aws-access-key, high-entropy)."),
                Prop("access_key_id", "str", "Non-secret key identifier (e.g. AWS AKIA...)."),
                Prop("scope", "str", "repository, environment, organisation, instance, ..."),
            ),
        ),
        NodeKind(
            "Identity",
            "A principal a credential authenticates as: service account, role, user, group.",
            (
                Prop("identity_type", "str", "role, user, group, service_account, github_token, ..."),
                Prop("arn", "str", "AWS ARN where the identity is an AWS principal."),
                Prop("account", "str", "Cloud account / tenant / cluster."),
                Prop("interactive_login", "bool", "Can log in interactively (console, password)."),
                Prop("possible_human_use", "bool",
                     "A person may be using it: console password or recent console sign-in "
                     "(AWS credential report)."),
            ),
        ),
        NodeKind(
            "Resource",
            "A thing inside a system that holds data or does work: bucket, table, repo, queue.",
            (
                Prop("resource_type", "str", "s3_bucket, database, repository, ..."),
                Prop("crown_jewel", "bool", "Among the business's most sensitive assets."),
                Prop("arn", "str", "AWS ARN or ARN pattern where the resource is AWS."),
            ),
            held=False,
        ),
        NodeKind(
            "System",
            "A downstream platform or account: an AWS account, Salesforce org, Slack, Stripe.",
            (
                Prop("system_type", "str", "cloud_account, saas, database, cluster, ..."),
                Prop("crown_jewel", "bool", "Among the business's most sensitive assets."),
                Prop("host", "str", "Host name or base URL."),
            ),
            held=False,
        ),
        NodeKind(
            "Vault",
            "A secrets store: HashiCorp Vault, AWS Secrets Manager, a CI secret store.",
            (Prop("vault_type", "str", "hashicorp, aws_secrets_manager, github, ..."),),
            held=False,
        ),
        NodeKind(
            "Actor",
            "Who can start work from outside: anyone on the internet, any GitHub user, a "
            "repository's writers, whoever can email an inbox or message a bot.",
            (
                Prop("actor_type", "str", "anyone, github-user, repo-writers, email, chat, saas, "
                     "ip-allowlist, platform-users, api-users."),
                Prop("platform", "str", "Where the actor acts: internet, github, slack, ..."),
            ),
        ),
        NodeKind(
            "Agent",
            "An AI agent node of a workflow: whoever writes its input steers the tools and the "
            "language model it may call (prompt-controlled).",
            (
                Prop("node_type", "str", "The platform's node type."),
                Prop("tools", "list", "Names of the tool nodes connected to it."),
                Prop("model", "str", "Node type of its language model, when connected."),
                Prop("input_from", "list", "Trigger nodes upstream of it (what writes its input)."),
            ),
        ),
        NodeKind(
            "Owner",
            "A person or team accountable for things.",
            (
                Prop("owner_type", "str", "person or team."),
                Prop("email", "str", "Contact address."),
            ),
        ),
    )
}

ACCESS_EDGE_PROPS = (
    Prop("reason", "str", "Why this edge exists, in words, so every path explains itself."),
    Prop("source", "str", "The ingester that wrote the edge."),
)
GRANT_PROPS = (
    Prop("access", "enum", "Strongest access level the grant gives.", ACCESS_LEVELS),
    Prop("actions", "list", "Actions or verbs granted."),
    Prop("grant", "str", "The policy, binding or permission that gave the access."),
    Prop("conditional", "bool", "The grant holds only under conditions (recorded in `conditions`)."),
    Prop("conditions", "str", "The conditions as JSON text."),
)

#: Properties of CAN_TRIGGER (entry points) and of the gates a walk reports.
GATE_PROP = Prop("gate", "str", "A human approval or rule that must pass before this edge is "
                 "usable (e.g. an environment with required reviewers); the walk keeps the "
                 "path, marks it gated and ranks it below ungated ones.")
AUTHENTICATIONS = ("none", "basic", "header", "jwt", "bearer", "ip-allowlist", "signature",
                   "platform-user", "unknown")
TRIGGER_PROPS = (
    Prop("trigger", "str", "The trigger node (name and type) or event that starts the workflow."),
    Prop("authentication", "enum", "How the trigger checks the caller.", AUTHENTICATIONS),
    GATE_PROP,
)

_HOLDERS = ("Identity", "Secret")
_TARGETS = ("Resource", "System", "Vault")

EDGE_KINDS: dict[str, EdgeKind] = {
    e.name: e
    for e in (
        EdgeKind(
            "CONTAINS",
            "Containment that passes control: a workspace its workflows and stored credentials; "
            "a system its resources (access to the system is access to what it contains).",
            True,
            (
                ("Workspace", "Workflow"),
                ("Workspace", "Secret"),
                ("Workspace", "Workspace"),
                ("System", "Resource"),
                ("Resource", "Resource"),
            ),
            ACCESS_EDGE_PROPS,
        ),
        EdgeKind("USES", "A workflow runs a connector (or calls a sub-workflow, or runs an AI "
                 "agent).", True,
                 (("Workflow", "Connector"), ("Workflow", "Workflow"), ("Workflow", "Agent")),
                 ACCESS_EDGE_PROPS + (GATE_PROP,)),
        EdgeKind(
            "CAN_TRIGGER",
            "An outside actor (or whoever holds the trigger's credential) can start a workflow: "
            "an entry point.",
            True,
            (("Actor", "Workflow"), ("Secret", "Workflow")),
            ACCESS_EDGE_PROPS + TRIGGER_PROPS,
        ),
        EdgeKind(
            "CAN_INVOKE",
            "An AI agent can call a tool (a connector or a sub-workflow) or its language model, "
            "steered by whoever writes its input (prompt-controlled).",
            True,
            (("Agent", "Connector"), ("Agent", "Workflow")),
            ACCESS_EDGE_PROPS + (Prop("tool_type", "str", "tool, language-model, "
                                      "sub-workflow, mcp-client, code."),),
        ),
        EdgeKind("AUTHENTICATES_WITH", "A connector logs in with a credential.", True,
                 (("Connector", "Secret"), ("Connector", "Identity")), ACCESS_EDGE_PROPS),
        EdgeKind("REFERENCES", "A workflow reads a credential by reference (e.g. secrets.X).", True,
                 (("Workflow", "Secret"), ("Connector", "Secret")), ACCESS_EDGE_PROPS),
        EdgeKind("EMBEDS", "A credential is hard-coded in a workflow definition.", True,
                 (("Workflow", "Secret"), ("Connector", "Secret")), ACCESS_EDGE_PROPS),
        EdgeKind("STORES", "A vault holds a credential.", True, (("Vault", "Secret"),),
                 ACCESS_EDGE_PROPS),
        EdgeKind("AUTHENTICATES_AS", "A credential logs in as an identity.", True,
                 (("Secret", "Identity"),), ACCESS_EDGE_PROPS),
        EdgeKind(
            "CAN_ASSUME",
            "A principal can become another (assume-role, impersonation, OIDC federation).",
            True,
            (("Identity", "Identity"), ("Workflow", "Identity"), ("Connector", "Identity"),
             ("Workspace", "Identity")),
            ACCESS_EDGE_PROPS + (GRANT_PROPS[3], GRANT_PROPS[4], Prop(
                "oidc_subject_unrestricted", "bool",
                "An OIDC trust with no subject condition: any repository or workload of the "
                "provider can assume the role.")),
        ),
        EdgeKind(
            "CAN_ESCALATE_TO",
            "A principal's permissions let it become another identity (create its keys, pass "
            "it to a service that runs code, rewrite its trust, grant itself policies).",
            True,
            (("Identity", "Identity"),),
            ACCESS_EDGE_PROPS + (
                Prop("method", "str", "The escalation method (ingest/aws/escalation_methods.py); "
                     "the unconditional one first when several apply."),
                Prop("methods", "list", "Every method that reaches the same identity."),
                GRANT_PROPS[1], GRANT_PROPS[2], GRANT_PROPS[3], GRANT_PROPS[4],
            ),
        ),
        EdgeKind("MEMBER_OF", "An identity is a member of a group identity.", True,
                 (("Identity", "Identity"),), ACCESS_EDGE_PROPS),
        EdgeKind(
            "CAN_ACCESS",
            "A principal or credential has access to a resource, system or vault.",
            True,
            tuple((h, t) for h in _HOLDERS for t in _TARGETS),
            ACCESS_EDGE_PROPS + GRANT_PROPS + (
                Prop("denied_by", "list",
                     "Unconditional Denies that took actions away from the grant (the edge "
                     "shows what is left)."),
                Prop("deny_exceptions", "list",
                     "Denies (narrower resource, or conditional) and NotResource exclusions "
                     "that limit the grant but could not be applied by removing it."),
            ),
        ),
        EdgeKind("SAME_VALUE_AS", "Two stored secrets hold the same credential.", True,
                 (("Secret", "Secret"),), ACCESS_EDGE_PROPS, symmetric=True),
        EdgeKind("OWNS", "An owner is accountable for a thing.", False,
                 tuple(("Owner", k) for k in ("Workspace", "Workflow", "Connector", "Secret",
                                              "Identity", "Resource", "System", "Vault",
                                              "Agent")),
                 ACCESS_EDGE_PROPS),
        EdgeKind("CLONED_FROM", "A workflow was copied from another.", False,
                 (("Workflow", "Workflow"),), ACCESS_EDGE_PROPS),
        EdgeKind("TARGETS", "A connector calls a system or resource.", False,
                 (("Connector", "System"), ("Connector", "Resource")), ACCESS_EDGE_PROPS),
    )
}

ACCESS_EDGES = frozenset(k for k, e in EDGE_KINDS.items() if e.traversed)
METADATA_EDGES = frozenset(k for k, e in EDGE_KINDS.items() if not e.traversed)
#: Edges by which a workflow comes to hold a credential directly.
CREDENTIAL_USE_EDGES = frozenset({"USES", "AUTHENTICATES_WITH", "REFERENCES", "EMBEDS"})
#: Edges that start work from outside (entry points).
ENTRY_EDGES = frozenset({"CAN_TRIGGER"})
HELD_KINDS = frozenset(k for k, n in NODE_KINDS.items() if n.held)
TARGET_KINDS = frozenset(_TARGETS)


def node_props(kind: str) -> dict[str, Prop]:
    """All declared properties of a node kind (common ones first)."""
    out = {p.name: p for p in COMMON_NODE_PROPS}
    out.update({p.name: p for p in NODE_KINDS[kind].props})
    return out


def edge_props(kind: str) -> dict[str, Prop]:
    return {p.name: p for p in EDGE_KINDS[kind].props}


#: Property names whose values are secrets wherever they appear: never stored, logged or
#: shown. An ingester that meets one keeps only a keyed fingerprint.
SECRET_FIELD_NAMES = frozenset(
    {
        "value",
        "secret",
        "secret_value",
        "password",
        "passwd",
        "token",
        "api_key",
        "apikey",
        "private_key",
        "client_secret",
        "secret_access_key",
        "access_token",
        "refresh_token",
        "session_token",
    }
)
