"""How a :class:`~queries.results.Result` looks in Jupyter: a table of its rows plus an inline
graph of the nodes and hops they name, offline and bounded.

``queries`` may not import ``reports`` (tests/test_layout.py), so the Result cannot call this
module itself; instead this module registers :func:`result_html` with
``queries.results.set_html_renderer`` when it is imported, and ``reports/__init__.py`` imports
it, so ``import reports`` (or any ``from reports... import``) in a notebook is all it takes:
from then on a Result as the last expression of a cell renders through ``_repr_html_``.

The graph is :mod:`reports.graph_svg`'s SVG (the one the HTML reports draw), built from
``Result.to_networkx()`` alone, with no store call: nodes in columns by hop distance from the
result's source, pan, zoom and neighbour highlighting from a few inlined lines of script, no
network request. vis-network (the explorer's renderer) would add 690 kB of script and style
to every output cell. Like the explorer, a drawing is bounded: at most :data:`MAX_NODES`
nodes (the source or target, crown jewels, then the nearest), with "N more not drawn" below.
Every text from the data is escaped by the templates; rows never hold a secret value.
"""

from __future__ import annotations

import jinja2

from queries import results

from .graph_svg import View, html_snippet

#: Nodes drawn at most; rows shown at most (the rest: ``result.to_frame()``).
MAX_NODES = 60
MAX_ROWS = 25
#: Node kind by the first part of its id (docs/ids.md), for nodes no row describes.
KIND_BY_PREFIX = {"workspace": "Workspace", "workflow": "Workflow", "connector": "Connector",
                  "secret": "Secret", "identity": "Identity", "resource": "Resource",
                  "system": "System", "vault": "Vault", "owner": "Owner", "actor": "Actor",
                  "agent": "Agent"}
FOCUS_KEYS = ("source", "target")

_HTML = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
    """<div class="nhi-result">
<p class="nhi-caption"><b>{{ count }} {{ rows_key }}</b>{% for k, v in caption %} · {{ k }}: {{ v }}{% endfor %}</p>
{% if columns %}
<table class="dataframe nhi-table">
<thead><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr>{% for c in columns %}<td>{{ row[c] }}</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
{% endif %}
{% if more_rows %}<p class="nhi-more">{{ more_rows }} more rows not shown: <code>result.to_frame()</code> has them all</p>{% endif %}
{{ graph|safe }}
{% if more_nodes %}<p class="nhi-more">{{ more_nodes }} more nodes not drawn (at most {{ max_nodes }}): <code>result.to_networkx()</code> has them all</p>{% endif %}
</div>""")


def node_kind(nid: str, attrs: dict) -> str:
    return str(attrs.get("kind") or KIND_BY_PREFIX.get(nid.partition(":")[0], "node"))


def label(nid: str, attrs: dict) -> str:
    """The node's name, else the last part of its id (a name the result did not carry)."""
    name = attrs.get("name")
    return str(name) if name and name != nid else nid.rsplit(":", 1)[-1] or nid


def columns(g, roots: list[str]) -> dict[str, int]:
    """Each node's hop distance from the nearest root (nodes nothing leads to are roots)."""
    import networkx as nx

    starts = [r for r in roots if r in g] or [n for n in g if g.in_degree(n) == 0] \
        or sorted(g)[:1]
    dist = dict(nx.multi_source_dijkstra_path_length(g, starts)) if starts else {}
    for nid in g:  # on a cycle nothing leads into from outside: a root of its own
        dist.setdefault(nid, 0)
    return dist


def cell(key: str, value, names: dict[str, str]) -> str:
    """One table cell as text: node ids as names, a path as a chain, a hop as its edge kind
    and access, never a Python repr of a dict."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {cell(k, v, names)}" for k, v in value.items())
    if isinstance(value, list):
        if all(isinstance(v, dict) and "kind" in v for v in value) and value:
            return ", ".join(v["kind"] + (f" ({v['access']})" if v.get("access") else "")
                             for v in value)
        parts = [names.get(v, v) if isinstance(v, str) else cell(key, v, names) for v in value]
        return (" -> " if key in ("path", "access_path") else ", ").join(map(str, parts))
    return str(value)


def result_view(result: results.Result, max_nodes: int = MAX_NODES) -> tuple[View, int]:
    """The drawing of ``result`` (at most ``max_nodes`` nodes) and how many were left out."""
    g = result.to_networkx()
    named = {k: result.header[k] for k in FOCUS_KEYS if isinstance(result.header.get(k), str)}
    focus = list(named.values())
    for key, nid in named.items():  # the source of a blast radius has no row of its own
        if nid in g:
            for part in ("kind", "name"):
                if result.header.get(f"{key}_{part}"):
                    g.nodes[nid][part] = result.header[f"{key}_{part}"]
    col = columns(g, focus)
    order = sorted(g, key=lambda n: (n not in focus, not g.nodes[n].get("crown_jewel"),
                                     col[n], label(n, g.nodes[n]).lower(), n))
    keep = set(order[:max_nodes])
    view = View(highlight={f for f in focus if f in keep})
    for nid in sorted(keep):
        a = g.nodes[nid]
        view.nodes.append({"id": nid, "kind": node_kind(nid, a), "name": label(nid, a),
                           "crown_jewel": bool(a.get("crown_jewel")), "column": col[nid]})
    for src, dst, e in sorted(g.edges(data=True), key=lambda t: (t[0], t[1])):
        if src in keep and dst in keep:
            view.edges.append({"src": src, "dst": dst, "kind": e.get("kind") or "path hop",
                               "reason": str(e.get("reason") or ""), "access": e.get("access")})
    return view, len(g) - len(keep)


def _caption(result: results.Result) -> list[tuple[str, str]]:
    out = []
    for key, value in result.header.items():
        if value is None or isinstance(value, list | dict) or key.endswith(("_kind", "_name")):
            continue
        if key in FOCUS_KEYS:
            name = result.header.get(f"{key}_name") or result.names.get(value)
            value = f"{name} ({value})" if name and name != value else value
        out.append((key, str(value)))
    return out


def result_html(result: results.Result, max_nodes: int = MAX_NODES,
                max_rows: int = MAX_ROWS) -> str:
    """The notebook view of ``result``: caption, the first ``max_rows`` rows as a table (names
    in paths), and the graph of the nodes and hops the rows name (at most ``max_nodes``)."""
    cols = list(result.columns) or (list(result.rows[0]) if result.rows else [])
    names = {**result.names, **{result.header[k]: result.header[f"{k}_name"] for k in FOCUS_KEYS
                                if result.header.get(k) and result.header.get(f"{k}_name")}}
    view, more_nodes = result_view(result, max_nodes)
    # html_snippet's own template escapes every text from the data; inserted as it is.
    graph = html_snippet(view, result.rows_key) if view.nodes else ""
    return _HTML.render(count=len(result.rows), rows_key=result.rows_key,
                        caption=_caption(result), columns=cols,
                        rows=[{c: cell(c, r.get(c), names) for c in cols}
                              for r in result.rows[:max_rows]],
                        more_rows=max(len(result.rows) - max_rows, 0), graph=graph,
                        more_nodes=more_nodes, max_nodes=max_nodes)


results.set_html_renderer(result_html)
