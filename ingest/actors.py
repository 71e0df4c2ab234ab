"""Outside actors and entry points, shared by the workflow-platform ingesters.

An entry point is a ``CAN_TRIGGER`` edge into a Workflow from an ``Actor`` (anyone on the
internet, any GitHub user, a repository's writers, whoever can email an inbox or message a
bot) or, for a trigger that checks a credential, from the ``Secret`` of that credential:
whoever holds it can start the workflow. Actor ids are global (``actor:anyone``,
``actor:github:any-user``) where the same people stand behind every source, and scoped
(``actor:github:<owner>/<repo>:writers``, ``actor:email:<inbox>``) where they are not, so
``nhigraph blast-radius anyone`` walks every public entry point of the estate at once.
"""

from __future__ import annotations

from .workflow_records import RecordBuilder

ANYONE = "actor:anyone"
GITHUB_ANY_USER = "actor:github:any-user"

#: Actor id -> (name, actor_type, platform) for the global actors.
GLOBAL_ACTORS = {
    ANYONE: ("anyone on the internet", "anyone", "internet"),
    GITHUB_ANY_USER: ("any GitHub user", "github-user", "github"),
}


def actor(b: RecordBuilder, aid: str, where: str, name: str | None = None,
          actor_type: str | None = None, platform: str | None = None) -> str:
    """The Actor ``aid`` (emitted once per batch)."""
    g = GLOBAL_ACTORS.get(aid)
    if g is not None:
        name, actor_type, platform = g
    props = {"name": name or aid.split(":", 1)[-1], "actor_type": actor_type or "unknown",
             "platform": platform}
    return b.once(aid, "Actor", {k: v for k, v in props.items() if v}, where)


def can_trigger(b: RecordBuilder, src: str, workflow: str, trigger: str, authentication: str,
                reason: str, where: str, gate: str | None = None) -> None:
    """``src CAN_TRIGGER workflow``; one edge per pair (later triggers join the text)."""
    key = ("can_trigger", src, workflow)
    props = {"trigger": trigger, "authentication": authentication}
    if gate:
        props["gate"] = gate
    if b.first(key):
        b.edge(src, "CAN_TRIGGER", workflow, reason, where, **props)
        return
    for e in reversed(b.batch.edges):
        if (e.src, e.kind, e.dst) == (src, "CAN_TRIGGER", workflow):
            if trigger not in str(e.props.get("trigger", "")).split(", "):
                e.props["trigger"] = f"{e.props['trigger']}, {trigger}"
                e.props["reason"] = f"{e.props['reason']}; {reason}"
            if not gate:
                e.props.pop("gate", None)  # one ungated way in makes the pair ungated
            return
