"""The evaluation context shared by the findings rules and the risk scores: one run's
cached reads of the graph (nodes by kind, the credentials each workflow holds, environments,
copies of one credential, orphans, blast radii and shortest paths), so ten rules and the
scorer cost little more than one analysis. It reads the graph only through the store
interface (``nodes``, ``get_nodes``, ``expand``, ``edges``) and the existing analyses, so
everything built on it runs unchanged on the embedded store and on Neo4j.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from graph.model import TARGET_KINDS
from graph.store import Store

from .blast_radius import blast_radius
from .blast_summary import BlastSummaries
from .credential_use import credential_use
from .joint_paths import first_paths
from .orphans import SUBJECT_KINDS, orphaned_paths
from .path import shortest_paths
from .shared_credentials import NON_PROD, shared_credentials, workflow_environment
from .traverse import is_valid_credential, now_iso, targets_of

#: Secret stores that mean the value sits in clear text in a definition or config file.
PLAINTEXT_STORES = frozenset({"embedded", "plaintext", "config", "file", "code"})
#: Credential types that do not expire or refresh by themselves.
STATIC_TYPES = frozenset({"access_key", "api_key", "password", "connection_string",
                          "bearer_token", "basic_auth", "private_key", "service_account_key",
                          "personal_access_token", "token"})
#: Edges by which a connector holds a credential (``connector_creds``).
_CONNECTOR_CRED_EDGES = ("AUTHENTICATES_WITH", "REFERENCES", "EMBEDS", "CAN_ASSUME")
#: Edges by which a workflow or a connector holds a secret directly (``direct_held``).
_DIRECT_HOLD_EDGES = frozenset({"REFERENCES", "EMBEDS", "AUTHENTICATES_WITH"})


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


@dataclass
class Context:
    """Cached reads shared by the findings rules and the risk scorer of one run."""

    store: Store
    as_of: str = field(default_factory=now_iso)
    rotation_days: int = 90
    unknown_as: str = "write"
    _blast: dict = field(default_factory=dict, repr=False)
    _paths: dict = field(default_factory=dict, repr=False)
    _blast_path: dict = field(default_factory=dict, repr=False)
    _crown: dict = field(default_factory=dict, repr=False)

    # --- nodes -------------------------------------------------------------------------

    @cached_property
    def by_kind(self) -> dict[str, dict[str, dict]]:
        out: dict[str, dict[str, dict]] = {}
        for kind in ("Workflow", "Connector", "Secret", "Identity", "Workspace"):
            out[kind] = {n["id"]: n for n in self.store.nodes(kind)}
        return out

    @cached_property
    def _nodes(self) -> dict[str, dict]:
        """Every node of ``by_kind`` by id (ids are unique across kinds), and the others
        :meth:`node` has read."""
        return {i: n for nodes in self.by_kind.values() for i, n in nodes.items()}

    def node(self, nid: str) -> dict:
        got = self._nodes.get(nid)
        if got is None:
            got = self._nodes[nid] = self.store.get_node(nid) or {"id": nid}
        return got

    def name(self, nid: str) -> str:
        return str(self.node(nid).get("name", nid))

    def read(self, ids) -> None:
        """Read the nodes of ``ids`` not read yet in one ``get_nodes``, so the
        :meth:`node` and :meth:`name` calls that follow cost a dict lookup each."""
        nodes = self._nodes
        missing = [i for i in dict.fromkeys(ids) if i not in nodes]
        if missing:
            found = self.store.get_nodes(missing)
            nodes.update((i, found.get(i) or {"id": i}) for i in missing)

    def names(self, ids) -> dict[str, str]:
        """:meth:`name` of each of ``ids``, in their first-seen order (one read)."""
        ids = list(dict.fromkeys(ids))
        self.read(ids)
        nodes = self._nodes  # every one of ids is in it now: what name() reads, inline
        return {i: str(nodes[i].get("name", i)) for i in ids}

    def valid(self, node: dict) -> bool:
        return is_valid_credential(node, self.as_of)

    # --- workflows and the credentials they hold ---------------------------------------

    @cached_property
    def workflows(self) -> list[str]:
        return sorted(self.by_kind["Workflow"])

    @cached_property
    def _use(self):
        return credential_use(self.store, self.workflows)

    @property
    def uses(self) -> dict[str, set[str]]:
        """Workflow id -> credential ids it holds (see queries/credential_use.py)."""
        return self._use[0]

    @cached_property
    def users(self) -> dict[str, set[str]]:
        """Credential id -> workflows that hold it."""
        out: dict[str, set[str]] = {}
        for wf, creds in self.uses.items():
            for c in creds:
                out.setdefault(c, set()).add(wf)
        return out

    @cached_property
    def workflow_env(self) -> dict[str, str]:
        """Workflow id -> environment, inherited from its workspace when unknown."""
        # What workflow_context reads, from the workflows and workspaces already read
        # (a second get_nodes of every workflow cost 0.4 s at 100k), and the containing
        # workspaces only of the workflows whose own environment is unknown: only those
        # inherit one (see workflow_environment).
        nodes = self.by_kind["Workflow"]
        unknown = [w for w in self.workflows
                   if (nodes[w].get("environment") or "unknown") == "unknown"]
        spaces: dict[str, list[str]] = {}
        for src, _, dst in self.store.expand_ends(unknown, "in", ("CONTAINS",)):
            spaces.setdefault(dst, []).append(src)
        space_nodes = {s: self.node(s) for ss in spaces.values() for s in ss}
        return {w: workflow_environment(nodes[w], spaces.get(w, []), space_nodes)
                for w in self.workflows}

    def non_prod(self, env: str | None) -> bool:
        return env in NON_PROD

    @cached_property
    def _held_edges(self) -> list[tuple[str, str, str]]:
        """``(src, kind, dst)`` of every edge leaving a workflow or a connector that
        :attr:`connectors_of`, :attr:`connector_creds`, :attr:`direct_held` and
        :attr:`embedded` look at, in one ``expand_ends`` (four reads of the same start
        ids cost 3.3 s at 1M; each property keeps only its own sources and kinds)."""
        starts = sorted(self.by_kind["Workflow"]) + sorted(self.by_kind["Connector"])
        return self.store.expand_ends(starts, "out", ("USES", *_CONNECTOR_CRED_EDGES))

    @cached_property
    def connectors_of(self) -> dict[str, list[str]]:
        """Workflow id -> its connectors."""
        out: dict[str, list[str]] = {}
        workflows, connectors = self.by_kind["Workflow"], self.by_kind["Connector"]
        for src, kind, dst in self._held_edges:
            if kind == "USES" and src in workflows and dst in connectors:
                out.setdefault(src, []).append(dst)
        return {k: sorted(v) for k, v in out.items()}

    @cached_property
    def connector_creds(self) -> dict[str, list[tuple[str, str]]]:
        """Connector id -> (edge kind, credential id) it holds directly."""
        out: dict[str, list[tuple[str, str]]] = {}
        connectors = self.by_kind["Connector"]
        for src, kind, dst in self._held_edges:
            if kind != "USES" and src in connectors:
                out.setdefault(src, []).append((kind, dst))
        return {k: sorted(v) for k, v in out.items()}

    @cached_property
    def same_value(self) -> dict[str, set[str]]:
        """Secret id -> other secrets holding the same credential."""
        # The few SAME_VALUE_AS edges (1,472 at 1M) as one read of that kind, rather than
        # an expand of every secret id (190,000 at 1M) to find them.
        out: dict[str, set[str]] = {}
        secrets = self.by_kind["Secret"]
        for e in self.store.edges("SAME_VALUE_AS"):
            if e.src in secrets:
                out.setdefault(e.src, set()).add(e.dst)
        return out

    def same_credential(self, sid: str) -> list[str]:
        """Every stored copy of ``sid``'s credential (``SAME_VALUE_AS``), itself included."""
        seen, stack = {sid}, [sid]
        while stack:
            for other in self.same_value.get(stack.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        return sorted(seen)

    @cached_property
    def direct_held(self) -> set[str]:
        """Secrets a workflow or connector holds directly (not only through a copy)."""
        return {dst for _, kind, dst in self._held_edges if kind in _DIRECT_HOLD_EDGES}

    def group_copies(self, ids, prefer=lambda sid: 0) -> list[tuple[str, list[str]]]:
        """``ids`` grouped by the credential they hold, so one key stored in two places (an
        n8n credential and the IAM key it is) is one finding: (representative, the other
        copies). The representative is the copy ``prefer`` ranks lowest, then one a
        workflow holds directly, then the first id."""
        ids = set(ids)
        done: set[str] = set()
        out = []
        for sid in sorted(ids):
            if sid in done:
                continue
            comp = self.same_credential(sid)
            done.update(comp)
            members = [m for m in comp if m in ids]
            rep = min(members, key=lambda m: (prefer(m), m not in self.direct_held, m))
            out.append((rep, [m for m in comp if m != rep]))
        return out

    @cached_property
    def embedded(self) -> set[str]:
        """Secrets hard-coded in a definition: an ``EMBEDS`` edge in, or a clear-text store."""
        ids = {i for i, n in self.by_kind["Secret"].items() if n.get("store") in PLAINTEXT_STORES}
        ids.update(d for _, kind, d in self._held_edges if kind == "EMBEDS")
        return ids

    @cached_property
    def orphans(self):
        """:func:`queries.orphans.orphaned_paths` of the store; what its reasons reach (and
        which credentials active workflows use) are read off the blast figures' closure
        when the scorer has built it already (a findings run builds it first)."""
        subjects = {i: n for kind in SUBJECT_KINDS for i, n in self.by_kind[kind].items()}
        built = self.__dict__.get("blast_summaries")
        return orphaned_paths(self.store, as_of=self.as_of, use=self._use, nodes=subjects,
                              reaches=None if built is None else built.targets_of,
                              reached=None if built is None else built.reached)

    @cached_property
    def shared(self):
        """:func:`queries.shared_credentials.shared_credentials` of the store (2 or more
        workflows), read once for the rules and drift's posture."""
        return shared_credentials(self.store, as_of=self.as_of, users=self.users,
                                  nodes=self._nodes, workflow_env=self.workflow_env,
                                  reaches=self._targets_of)

    def _targets_of(self, start_sets: list[list[str]]) -> dict[tuple[str, ...], list[str]]:
        """:func:`queries.traverse.targets_of` of ``start_sets``: read off the blast
        figures' closure when the scorer has built it already (a findings run, by the time
        the shared-credential rule runs), else by the store's own joint walk."""
        built = self.__dict__.get("blast_summaries")
        got = None if built is None else built.targets_of(start_sets)
        return got if got is not None else targets_of(self.store, start_sets, self.as_of)

    def crown_among(self, ids) -> list[str]:
        """The crown jewels among ``ids``, in their order (node reads cached for the run,
        so many calls cost one ``get_nodes`` of the ids not seen yet)."""
        ids = list(ids)
        missing = set(ids).difference(self._crown)  # one C loop over ids
        if missing:
            found = self.store.get_nodes(sorted(missing))
            self._crown.update((i, bool(found.get(i, {}).get("crown_jewel"))) for i in missing)
        return [i for i in ids if self._crown[i]]

    # --- time --------------------------------------------------------------------------

    def age_days(self, node: dict) -> float | None:
        """Days since the credential was last rotated (else created); None when unknown."""
        ts = node.get("last_rotated_at") or node.get("created_at")
        if not ts:
            return None
        return (self._as_of_time - _parse(ts)).total_seconds() / 86400

    @cached_property
    def _as_of_time(self) -> datetime:
        """``as_of`` parsed once (``age_days`` is asked of every scored credential)."""
        return _parse(self.as_of)

    def long_lived(self, node: dict) -> bool:
        age = self.age_days(node)
        return age is not None and age > self.rotation_days

    # --- reach -------------------------------------------------------------------------

    def blast(self, nid: str):
        if nid not in self._blast:
            self._blast[nid] = blast_radius(self.store, nid, unknown_as=self.unknown_as,
                                            as_of=self.as_of)
        return self._blast[nid]

    @cached_property
    def blast_summaries(self) -> BlastSummaries:
        """Every node's blast score, crown jewels, admin targets and reach, from one
        condensation of the graph (what the scorer needs, without a walk per node)."""
        return BlastSummaries(self.store, self.as_of, self.unknown_as, known=self.by_kind,
                              dead_known=self.invalid_credentials)

    def blast_summary(self, nid: str) -> dict:
        return self.blast_summaries.summary(nid)

    def targets(self, nid: str) -> list[dict]:
        """Resource, system and vault rows of ``nid``'s blast radius."""
        return [r for r in self.blast(nid).rows if r["kind"] in TARGET_KINDS and r["valid"]]

    def crown_reach(self, nid: str, levels=("write", "admin")) -> list[dict]:
        """Crown jewels ``nid`` reaches with one of ``levels`` (``unknown`` counts as the
        analyst's ``unknown_as``)."""
        out = []
        for r in self.targets(nid):
            level = self.unknown_as if r["access"] == "unknown" else r["access"]
            if r["crown_jewel"] and level in levels:
                out.append(r)
        return out

    def _blast_paths(self, src: str) -> dict[str, list[str]]:
        if src not in self._blast_path:
            self._blast_path[src] = {r["id"]: r["path"] for r in self._blast[src].rows}
        return self._blast_path[src]

    def prefetch_paths(self, pairs) -> None:
        """Find the paths of many ``(src, dst)`` pairs in one joint walk
        (:func:`queries.joint_paths.first_paths`), so the rules' :meth:`path` calls that
        follow are answered without a walk each. The paths are the ones :meth:`path`
        would find one by one."""
        todo = {(s, d) for s, d in pairs if (s, d) not in self._paths}
        if todo:
            self._paths.update(first_paths(self.store, todo, as_of=self.as_of,
                                           invalid=self.invalid_credentials))

    @cached_property
    def invalid_credentials(self) -> set[str]:
        """Secrets and identities that no longer work (revoked, expired, disabled)."""
        return {i for kind in ("Secret", "Identity") for i, n in self.by_kind[kind].items()
                if not self.valid(n)}

    def path(self, src: str, dst: str) -> list[str]:
        """One shortest access path from ``src`` to ``dst`` ([src, dst] when none)."""
        key = (src, dst)
        if key not in self._paths and src in self._blast:
            # The blast radius already walked from src in the order shortest_paths
            # walks (edges sorted by (from, kind, to) per hop), so its path to dst is
            # the first shortest path: no second walk per finding.
            found = self._blast_paths(src).get(dst)
            if found is not None:
                self._paths[key] = found
        if key not in self._paths:
            rows = shortest_paths(self.store, src, dst, limit=1, as_of=self.as_of).rows
            self._paths[key] = rows[0]["path"] if rows else [src, dst]
        return self._paths[key]
