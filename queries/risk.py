"""Risk scores an analyst can explain: blast radius x exposure (see docs/risk.md).

``blast`` sums, over every resource, system and vault a node reaches, an access weight
(read 1, write 2, admin 3; ``unknown`` as the analyst ranks it, default write) times a
crown-jewel weight (3 for a crown jewel, else 1). ``exposure`` is 1 plus a term for each
way the credential is easier to steal or harder to contain: embedded +1.0, static +0.5,
long-lived +0.5, shared +0.5, third-party +0.5, entry point +1.0 (an outside actor, such
as anyone on the internet or any GitHub user, starts a workflow holding it with no gate in
front of the trigger). ``risk = blast x exposure``, rounded to one decimal. A workflow's
exposure is that of the credentials it holds (plus third-party if one of its connectors is,
entry point if it is one); an identity's is that of the secrets that log in as it.
"""

from __future__ import annotations

from graph.model import TARGET_KINDS

from .blast_summary import ACCESS_WEIGHT, CROWN_WEIGHT
from .context import STATIC_TYPES, Context
from .entry_points import OUTSIDE_ACTORS
from .results import Result
from .traverse import now_iso

EXPOSURE_WEIGHTS = {"embedded": 1.0, "static": 0.5, "long_lived": 0.5, "shared": 0.5,
                    "third_party": 0.5, "entry_point": 1.0}
SCORED_KINDS = ("Workflow", "Secret", "Identity")
COLUMNS = ("id", "kind", "name", "risk", "blast", "exposure", "factors", "crown_jewels",
           "admin_targets", "reachable")


def blast_score(rows: list[dict], unknown_as: str = "write") -> float:
    """Weighted size of a blast radius (rows of :func:`queries.blast_radius`)."""
    total = 0.0
    for r in rows:
        if r["kind"] not in TARGET_KINDS or not r.get("valid", True):
            continue
        level = unknown_as if r["access"] == "unknown" else r["access"]
        total += ACCESS_WEIGHT.get(level, 2) * (CROWN_WEIGHT if r["crown_jewel"] else 1)
    return total


class _Exposure:
    """Exposure factors per node, computed from one context."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._third_party_held: set[str] | None = None
        self._logins: dict[str, list[str]] | None = None
        self._exposed: set[str] | None = None
        # A secret's and an identity's factors, once each: workflows sharing a credential
        # and identities sharing a login ask for the same ones many times.
        self._secret: dict[str, frozenset[str]] = {}
        self._identity: dict[str, frozenset[str]] = {}

    def exposed(self) -> set[str]:
        """Workflows an outside actor starts with no gate on the trigger."""
        if self._exposed is None:
            edges = [e for e in self.ctx.store.edges("CAN_TRIGGER") if not e.props.get("gate")]
            actors = self.ctx.store.get_nodes({e.src for e in edges})
            self._exposed = {e.dst for e in edges
                             if actors.get(e.src, {}).get("actor_type") in OUTSIDE_ACTORS}
        return self._exposed

    def third_party_held(self) -> set[str]:
        if self._third_party_held is None:
            ctx = self.ctx
            self._third_party_held = {
                c for cid, n in ctx.by_kind["Connector"].items() if n.get("third_party") is True
                for _, c in ctx.connector_creds.get(cid, [])}
        return self._third_party_held

    def logins(self, iid: str) -> list[str]:
        if self._logins is None:
            self._logins = {}
            for src, _, dst in self.ctx.store.expand_ends(sorted(self.ctx.by_kind["Identity"]),
                                                          "in", ("AUTHENTICATES_AS",)):
                self._logins.setdefault(dst, []).append(src)
        return self._logins.get(iid, [])

    def secret(self, sid: str) -> frozenset[str]:
        got = self._secret.get(sid)
        if got is None:
            got = self._secret[sid] = frozenset(self._secret_factors(sid))
        return got

    def _secret_factors(self, sid: str) -> set[str]:
        ctx = self.ctx
        node = ctx.node(sid)
        out = set()
        if sid in ctx.embedded:
            out.add("embedded")
        if node.get("secret_type") in STATIC_TYPES or node.get("access_key_id"):
            out.add("static")
        if ctx.long_lived(node):
            out.add("long_lived")
        users = ctx.users.get(sid, ())
        if len(users) >= 2 or ctx.same_value.get(sid):
            out.add("shared")
        if sid in self.third_party_held():
            out.add("third_party")
        if not self.exposed().isdisjoint(users):
            out.add("entry_point")
        return out

    def identity(self, iid: str) -> frozenset[str]:
        got = self._identity.get(iid)
        if got is None:
            got = self._identity[iid] = frozenset(self._identity_factors(iid))
        return got

    def _identity_factors(self, iid: str) -> set[str]:
        out: set[str] = set()
        for s in self.logins(iid):
            if self.ctx.valid(self.ctx.node(s)):
                out |= self.secret(s) - {"shared"}
        users = self.ctx.users.get(iid, ())
        if len(users) >= 2:
            out.add("shared")
        if iid in self.third_party_held():
            out.add("third_party")
        if not self.exposed().isdisjoint(users):
            out.add("entry_point")
        return out

    def workflow(self, wid: str) -> set[str]:
        ctx = self.ctx
        out: set[str] = set()
        for c in ctx.uses.get(wid, ()):
            kind = ctx.node(c).get("kind")
            out |= self.secret(c) if kind == "Secret" else self.identity(c)
        if any(ctx.node(c).get("third_party") is True for c in ctx.connectors_of.get(wid, [])):
            out.add("third_party")
        if wid in self.exposed():
            out.add("entry_point")
        return out

    def factors(self, nid: str) -> frozenset[str] | set[str]:
        kind = self.ctx.node(nid).get("kind")
        if kind == "Secret":
            return self.secret(nid)
        if kind == "Identity":
            return self.identity(nid)
        if kind == "Workflow":
            return self.workflow(nid)
        return set()


class Scorer:
    """Scores nodes against one context, caching what it computes."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.exposure = _Exposure(ctx)
        self._cache: dict[str, dict] = {}

    def score(self, nid: str) -> dict:
        if nid in self._cache:
            return self._cache[nid]
        ctx = self.ctx
        node = ctx.node(nid)
        br = ctx.blast_summary(nid)
        blast = br["blast"]
        factors = sorted(self.exposure.factors(nid))
        exposure = 1 + sum(EXPOSURE_WEIGHTS[f] for f in factors)
        row = {
            "id": nid,
            "kind": node.get("kind"),
            "name": node.get("name", nid),
            "risk": round(blast * exposure, 1),
            "blast": blast,
            "exposure": exposure,
            "factors": factors,
            "crown_jewels": br["crown_jewels"],
            "admin_targets": br["admin_targets"],
            "reachable": br["reachable"],
        }
        self._cache[nid] = row
        return row


def scorer_for(ctx: Context) -> Scorer:
    """The one scorer of ``ctx`` (the findings rules and the risk scores share it)."""
    found = ctx.__dict__.get("_scorer")
    if found is None:
        found = ctx.__dict__["_scorer"] = Scorer(ctx)
    return found


def risk_scores(store, kinds=SCORED_KINDS, as_of: str | None = None, rotation_days: int = 90,
                unknown_as: str = "write", limit: int | None = None) -> Result:
    """Risk of every workflow, secret and identity (or of ``kinds``), highest first.

    Examples
    --------
    >>> from tests.graphs import chain_store
    >>> rows = {r["id"]: r for r in risk_scores(chain_store()).rows}
    >>> rows["wf"]["blast"], rows["wf"]["risk"], rows["old-key"]["risk"]
    (12.0, 12.0, 0.0)
    """
    ctx = Context(store, rotation_days=rotation_days, unknown_as=unknown_as,
                  as_of=as_of or now_iso())
    scorer = scorer_for(ctx)
    rows = [scorer.score(n["id"]) for kind in kinds for n in store.nodes(kind)]
    rows.sort(key=lambda r: (-r["risk"], r["id"]))
    if limit is not None:
        rows = rows[:limit]
    return Result(rows=rows, rows_key="scores", columns=COLUMNS,
                  header={"as_of": ctx.as_of, "rotation_days": rotation_days,
                          "formula": "risk = blast x exposure (docs/risk.md)"},
                  summary={"scored": len(rows),
                           "max_risk": max((r["risk"] for r in rows), default=0.0)})
