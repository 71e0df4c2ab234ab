"""Result types shared by the analyses: plain rows that become a DataFrame or JSON."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graph.safe_output import strict_json


def path_text(path: list[str]) -> str:
    return " -> ".join(path)


#: How a notebook shows a :class:`Result` (``_repr_html_``). ``queries`` may not import
#: ``reports`` (tests/test_layout.py), so ``reports.notebook`` registers its renderer here when
#: it is imported (``import reports`` does it); until then Jupyter shows the plain repr.
_html_renderer: Callable[[Result], str] | None = None


def set_html_renderer(render: Callable[[Result], str] | None) -> None:
    """Make ``render(result) -> html`` the notebook view of every Result (None: plain repr)."""
    global _html_renderer
    _html_renderer = render


@dataclass
class Result:
    """Rows of one analysis plus a summary. ``rows_key`` names the rows in JSON."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    rows_key: str = "rows"
    header: dict[str, Any] = field(default_factory=dict)
    #: Columns for the table/CSV view, in order; lists are joined for display.
    columns: tuple[str, ...] = ()
    #: Node names by id, for showing paths readably (not part of the JSON).
    names: dict[str, str] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.header)
        out[self.rows_key] = self.rows
        if self.summary:
            out["summary"] = self.summary
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return strict_json(self.to_dict(), indent=indent, sort_keys=False, default=str)

    def records(self, readable: bool = False) -> tuple[list[str], list[dict[str, Any]]]:
        """``(columns, rows)`` for a table or CSV view: lists shown as text; with
        ``readable`` paths show node names instead of ids. Needs no pandas."""
        cols = list(self.columns) or (list(self.rows[0]) if self.rows else [])
        records = []
        for row in self.rows:
            rec = {}
            for c in cols:
                v = row.get(c)
                if isinstance(v, list) and c in ("path", "access_path"):
                    v = path_text([self.names[x] if x in self.names else x for x in v]
                                  if readable else v)
                elif isinstance(v, list):
                    v = ", ".join(map(str, v))
                rec[c] = v
            records.append(rec)
        return cols, records

    def to_frame(self, readable: bool = False):
        """A pandas DataFrame with one row per result row (see :meth:`records`)."""
        import pandas as pd

        cols, records = self.records(readable)
        return pd.DataFrame.from_records(records, columns=cols)

    def to_networkx(self):
        """A ``networkx.DiGraph`` of the nodes and hops the rows name, for further analysis in
        a notebook: the rows' paths (``path``, ``access_path``, a finding's ``paths``), a
        path's ``hops`` (whose edges keep ``kind``, ``access`` and ``reason``), and a sharing
        cluster's ``credentials`` (an edge from each workflow to the credential it uses). Each
        node has ``name``; a row's own node (``id``) also has the row's scalar columns
        (``kind``, ``access``, ``distance``...). Only ``hops`` say which relationship an edge is."""
        import networkx as nx

        g = nx.DiGraph()
        for row in self.rows:
            chains = [row.get("path"), row.get("access_path"), *(row.get("paths") or [])]
            for hops in chains:
                if isinstance(hops, list) and hops and all(isinstance(h, str) for h in hops):
                    nx.add_path(g, hops)
            for hop in row.get("hops") or []:
                if isinstance(hop, dict) and "from" in hop and "to" in hop:
                    g.add_edge(hop["from"], hop["to"], **{k: v for k, v in hop.items()
                                                          if k in ("kind", "access", "reason")})
            for cred in row.get("credentials") or []:
                if isinstance(cred, dict) and isinstance(cred.get("id"), str):
                    g.add_node(cred["id"], **{k: cred[k] for k in ("kind", "name") if k in cred})
                    for wf in cred.get("workflows") or []:
                        g.add_edge(wf, cred["id"], kind="USES")
                        g.nodes[wf].setdefault("kind", "Workflow")
            if isinstance(row.get("id"), str) and "kind" in row:  # a node's row, not a finding's
                g.add_node(row["id"], **{k: v for k, v in row.items()
                                         if k != "id" and not isinstance(v, list | dict)})
        for nid in g.nodes:
            g.nodes[nid].setdefault("name", self.names.get(nid, nid))
        return g

    def _repr_html_(self) -> str | None:
        """A table plus an inline graph in Jupyter, once ``reports`` is imported."""
        return _html_renderer(self) if _html_renderer is not None else None

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)
