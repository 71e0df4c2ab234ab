"""A small, self-contained SVG view of a subgraph, for reports and notebooks.

Nodes are laid out in columns (hop distance for a blast radius, node kind for an estate),
edges drawn as arrows with the edge kind and reason in a tooltip. The markup is rendered by
an autoescaping jinja2 template, so names from data always show as text, and it needs no
network: the few lines of JavaScript that add pan, zoom and neighbour highlighting are
inlined by the page that embeds the SVG (``SCRIPT``), never loaded from anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2

from graph.model import ACCESS_EDGES

KIND_COLUMN = {"Owner": 0, "Workspace": 1, "Vault": 1, "Workflow": 2, "Connector": 3,
               "Secret": 4, "Identity": 5, "System": 6, "Resource": 7}
KIND_COLOUR = {"Workspace": "#8e7cc3", "Workflow": "#4a86e8", "Connector": "#6fa8dc",
               "Secret": "#e69138", "Identity": "#f1c232", "Resource": "#cc4125",
               "System": "#a61c00", "Vault": "#6aa84f", "Owner": "#999999",
               "Actor": "#e15759", "Agent": "#ff9da7"}
COL_W, ROW_H, MARGIN, LABEL_MAX = 200, 30, 24, 26


@dataclass
class View:
    """Nodes (dicts with at least id, kind, name) and edges (src, kind, dst, reason)."""

    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    highlight: set[str] = field(default_factory=set)


def subgraph(store, ids, columns: dict[str, int] | None = None, highlight=()) -> View:
    """The view of ``ids`` and the access edges among them (one store call), laid out by
    ``columns`` (node id -> column) or by kind."""
    ids = sorted(set(ids))
    nodes = store.get_nodes(ids)
    wanted = set(nodes)
    edges = [e for e in store.expand(sorted(wanted), "out", ACCESS_EDGES) if e.dst in wanted]
    view = View(highlight=set(highlight))
    for nid in sorted(wanted):
        n = nodes[nid]
        col = (columns or {}).get(nid, KIND_COLUMN.get(n.get("kind"), 0))
        view.nodes.append({"id": nid, "kind": n.get("kind"), "name": str(n.get("name", nid)),
                           "crown_jewel": bool(n.get("crown_jewel")), "column": col})
    for e in sorted(edges, key=lambda e: (e.src, e.kind, e.dst)):
        view.edges.append({"src": e.src, "dst": e.dst, "kind": e.kind,
                           "reason": str(e.props.get("reason") or e.props.get("grant") or ""),
                           "access": e.props.get("access")})
    return view


def layout(view: View) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Positions by column, rows sorted by kind then name; and the canvas size."""
    cols = sorted({n["column"] for n in view.nodes})
    index = {c: i for i, c in enumerate(cols)}
    by_col: dict[int, list[dict]] = {}
    for n in view.nodes:
        by_col.setdefault(index[n["column"]], []).append(n)
    pos: dict[str, tuple[float, float]] = {}
    tallest = 0
    for c, members in by_col.items():
        members.sort(key=lambda n: (KIND_COLUMN.get(n["kind"], 9), n["name"].lower(), n["id"]))
        tallest = max(tallest, len(members))
        for r, n in enumerate(members):
            pos[n["id"]] = (MARGIN + 8 + c * COL_W, MARGIN + 14 + r * ROW_H)
    width = MARGIN * 2 + max(len(cols), 1) * COL_W
    height = MARGIN * 2 + max(tallest, 1) * ROW_H + 10
    return pos, width, height


_SVG = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
    """<svg xmlns="http://www.w3.org/2000/svg" class="nhi-graph" role="img"
 aria-label="{{ label }}" viewBox="0 0 {{ width }} {{ height }}" width="{{ width }}"
 height="{{ height }}" font-family="sans-serif" font-size="11">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7"
 markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#888"/>
</marker></defs>
<g class="edges">
{% for e in edges %}
<path class="edge" data-src="{{ e.si }}" data-dst="{{ e.di }}" d="{{ e.d }}" fill="none"
 stroke="{{ '#c00' if e.hot else '#aaa' }}" stroke-width="{{ 2 if e.hot else 1 }}"
 marker-end="url(#arrow)"><title>{{ e.kind }}{% if e.access %} ({{ e.access }}){% endif %}{% if e.reason %}: {{ e.reason }}{% endif %}</title></path>
{% endfor %}
</g>
<g class="nodes">
{% for n in nodes %}
<g class="node" data-i="{{ n.i }}" transform="translate({{ n.x }},{{ n.y }})" tabindex="0">
<title>{{ n.kind }}: {{ n.name }} ({{ n.id }}){% if n.crown_jewel %} - crown jewel{% endif %}</title>
<circle r="{{ 9 if n.crown_jewel else 7 }}" fill="{{ n.colour }}"
 stroke="{{ '#c00' if n.hot else '#333' }}" stroke-width="{{ 3 if n.hot or n.crown_jewel else 1 }}"/>
<text x="12" y="4">{{ n.label }}</text>
</g>
{% endfor %}
</g>
</svg>""")

#: Pan (drag), zoom (wheel) and neighbour highlighting (click) for every ``svg.nhi-graph``
#: on the page. Static text: it reads only the SVG's own attributes, never data as code.
SCRIPT = """
(function () {
  document.querySelectorAll('svg.nhi-graph').forEach(function (svg) {
    // Every notebook output carries this script: bind each drawing once.
    if (svg.getAttribute('data-bound')) return;
    svg.setAttribute('data-bound', '1');
    var vb = svg.viewBox.baseVal, drag = null;
    svg.addEventListener('wheel', function (ev) {
      ev.preventDefault();
      var k = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
      var r = svg.getBoundingClientRect();
      var mx = vb.x + (ev.clientX - r.left) / r.width * vb.width;
      var my = vb.y + (ev.clientY - r.top) / r.height * vb.height;
      vb.x = mx - (mx - vb.x) * k; vb.y = my - (my - vb.y) * k;
      vb.width *= k; vb.height *= k;
    }, {passive: false});
    svg.addEventListener('mousedown', function (ev) { drag = [ev.clientX, ev.clientY]; });
    window.addEventListener('mouseup', function () { drag = null; });
    svg.addEventListener('mousemove', function (ev) {
      if (!drag) return;
      var r = svg.getBoundingClientRect();
      vb.x -= (ev.clientX - drag[0]) / r.width * vb.width;
      vb.y -= (ev.clientY - drag[1]) / r.height * vb.height;
      drag = [ev.clientX, ev.clientY];
    });
    svg.querySelectorAll('g.node').forEach(function (node) {
      node.addEventListener('click', function () {
        var i = node.getAttribute('data-i'), on = !node.classList.contains('selected');
        svg.querySelectorAll('.selected,.neighbour').forEach(function (x) {
          x.classList.remove('selected'); x.classList.remove('neighbour');
        });
        if (!on) return;
        node.classList.add('selected');
        svg.querySelectorAll('path.edge').forEach(function (e) {
          var s = e.getAttribute('data-src'), d = e.getAttribute('data-dst');
          if (s === i || d === i) {
            e.classList.add('neighbour');
            var other = svg.querySelector('g.node[data-i="' + (s === i ? d : s) + '"]');
            if (other) other.classList.add('neighbour');
          }
        });
      });
    });
  });
})();
"""

STYLE = """
svg.nhi-graph { background: #fff; border: 1px solid #ddd; max-width: 100%; height: auto;
  cursor: grab; }
svg.nhi-graph g.node { cursor: pointer; }
svg.nhi-graph g.node.selected circle { stroke: #000; stroke-width: 4; }
svg.nhi-graph g.node.neighbour text { font-weight: bold; }
svg.nhi-graph path.edge.neighbour { stroke: #1155cc; stroke-width: 2.5; }
"""


def render_svg(view: View, label: str = "access graph") -> str:
    """SVG markup of ``view`` (every text from data escaped)."""
    pos, width, height = layout(view)
    index = {n["id"]: i for i, n in enumerate(view.nodes)}
    nodes = []
    for n in view.nodes:
        x, y = pos[n["id"]]
        name = n["name"]
        nodes.append({**n, "i": index[n["id"]], "x": x, "y": y,
                      "label": name if len(name) <= LABEL_MAX else name[:LABEL_MAX - 1] + "…",
                      "colour": KIND_COLOUR.get(n["kind"], "#777"),
                      "hot": n["id"] in view.highlight})
    edges = []
    for e in view.edges:
        if e["src"] not in pos or e["dst"] not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e["src"]], pos[e["dst"]]
        if x1 == x2:  # same column: bow out to the right so the arrow stays visible
            d = f"M{x1 + 8},{y1} C{x1 + 60},{y1} {x2 + 60},{y2} {x2 + 9},{y2}"
        else:
            sx, tx = (x1 + 8, x2 - 9) if x2 > x1 else (x1 - 8, x2 + 9)
            mx = (sx + tx) / 2
            d = f"M{sx},{y1} C{mx},{y1} {mx},{y2} {tx},{y2}"
        edges.append({**e, "si": index[e["src"]], "di": index[e["dst"]], "d": d,
                      "hot": e["src"] in view.highlight and e["dst"] in view.highlight})
    return _SVG.render(nodes=nodes, edges=edges, width=width, height=height, label=label)


def html_snippet(view: View, label: str = "access graph") -> str:
    """The SVG with its style and script, for a notebook cell (``IPython.display.HTML``)."""
    return f"<style>{STYLE}</style>{render_svg(view, label)}<script>{SCRIPT}</script>"
