"""The records the workflow-platform ingesters (n8n, GitHub Actions, Airflow) write.

One builder, :class:`RecordBuilder`, appends Workspace, Workflow, Connector, Secret, System
and Identity nodes and the edges between them (CONTAINS, USES, AUTHENTICATES_WITH,
REFERENCES, EMBEDS, CAN_ACCESS, TARGETS...) to a :class:`graph.records.Batch`. Every edge
carries the ingester's ``source`` and a ``reason`` in words; records that many places point
at (a System, a stub Identity, a Workspace's CONTAINS edge) are emitted once. Each
platform's transform subclasses it with its own ids and properties; the shape of a record
is decided here, so the three platforms cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Hashable

from graph.records import Batch, Edge, Node

from .services import system_id


class RecordBuilder:
    """Emits the records of one workspace (an n8n instance, a repository, a deployment).

    ``source`` tags every edge; ``env`` is the workspace's environment (None: unknown);
    ``tenant`` the tenant of the SaaS systems it calls, when known, so
    ``system:saas:<service>:<tenant>`` joins other sources.
    """

    def __init__(self, source: str, batch: Batch, env: str | None = None,
                 tenant: str | None = None):
        self.source, self.batch, self.env, self.tenant = source, batch, env, tenant
        self.seen: set[Hashable] = set()
        self.by_id: dict[str, Node] = {}

    # --- plumbing -------------------------------------------------------------------
    def first(self, key: Hashable) -> bool:
        """True the first time ``key`` is asked about: for records emitted once."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def node(self, nid: str, kind: str, props: dict, where: str) -> str:
        self.by_id[nid] = Node(nid, kind, props, where)
        self.batch.nodes.append(self.by_id[nid])
        return nid

    def once(self, nid: str, kind: str, props: dict, where: str) -> str:
        """The node ``nid``, emitted only the first time."""
        if self.first(nid):
            self.node(nid, kind, props, where)
        return nid

    def set_props(self, nid: str, **props) -> None:
        """Add properties to the record last emitted for ``nid``."""
        self.by_id[nid].props.update(props)

    def edge(self, src: str, kind: str, dst: str, reason: str, where: str, **props) -> None:
        self.batch.edges.append(Edge(src, kind, dst, {"reason": reason, "source": self.source,
                                                      **props}, where))

    def envprops(self, env: str | None = None) -> dict:
        """``{"environment": ...}`` of ``env`` (default: the workspace's), or nothing."""
        e = env or self.env
        return {"environment": e} if e else {}

    # --- records --------------------------------------------------------------------
    def contains(self, parent: str, child: str, reason: str, where: str,
                 once: Hashable | None = None) -> None:
        """``parent CONTAINS child``; with ``once``, only the first time that key is seen."""
        if once is None or self.first(once):
            self.edge(parent, "CONTAINS", child, reason, where)

    def workflow(self, wid: str, props: dict, parent: str, reason: str, where: str) -> str:
        self.node(wid, "Workflow", props, where)
        self.contains(parent, wid, reason, where)
        return wid

    def connector(self, cid: str, props: dict, workflow: str, reason: str, where: str) -> str:
        """A Connector (a node, job, step or hook) the workflow USES."""
        self.node(cid, "Connector", props, where)
        self.edge(workflow, "USES", cid, reason, where)
        return cid

    def can_access(self, holder: str, target: str, reason: str, where: str,
                   access: str = "unknown", **props) -> None:
        self.edge(holder, "CAN_ACCESS", target, reason, where, access=access, **props)

    def saas_system(self, service: str, where: str, tenant: str | None = None) -> str:
        """The System of a SaaS service (in ``tenant``, default the workspace's): a stub
        when the tenant is known (the tenant's owner describes it)."""
        tenant = tenant or self.tenant
        sid = system_id(service, None, tenant)
        assert sid is not None
        return self.once(sid, "System", {} if tenant else {"name": service,
                                                           "system_type": "saas"}, where)

    def host_system(self, kind: str, host: str, where: str) -> str:
        """The System ``system:<kind>:<host>`` (a database, an SSH server, an HTTP host)."""
        return self.once(f"system:{kind}:{host.lower()}", "System",
                         {"name": host, "system_type": kind, "host": host}, where)

    def stub_identity(self, iid: str, props: dict, where: str) -> str:
        """An Identity another ingester describes (a cloud role, a database login)."""
        return self.once(iid, "Identity", props, where)
