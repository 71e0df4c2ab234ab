"""Turn a :class:`~explorer.subgraph.Drawing` into a self-contained interactive graph page.

The nodes, edges and options are assembled with pyvis, then rendered with the explorer's
own template (``templates/graph.html``) instead of pyvis's, because pyvis's template pulls
vis-network and Bootstrap from CDNs even in ``in_line`` mode and a security tool must work
on a machine with no internet. The vis-network script and stylesheet the pyvis wheel bundles
are inlined, so the page makes no network request; a Content-Security-Policy with a nonce
forbids any other script, connection or image besides.

Names from the data are never markup: labels are drawn on a canvas, tooltips are plain text
(vis-network sets string titles with ``innerText``), the template autoescapes, and the JSON
carrying the data escapes ``<``, ``>`` and ``&`` so no name can close the script element.
"""

from __future__ import annotations

import json
import re
import secrets
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from graph.model import access_rank

from .subgraph import GROUP, Drawing, depths, plural

KIND_COLORS = {
    "Workspace": "#8c9db5",
    "Workflow": "#4e79a7",
    "Connector": "#76b7b2",
    "Secret": "#f28e2b",
    "Identity": "#b07aa1",
    "Vault": "#9c755f",
    "System": "#edc948",
    "Resource": "#59a14f",
    "Owner": "#bab0ac",
    "Actor": "#e15759",
    "Agent": "#ff9da7",
    GROUP: "#d9d9d9",
}
ACCESS_COLORS = {"admin": "#d62728", "write": "#ff7f0e", "unknown": "#7f7f7f",
                 "read": "#2ca02c"}
CROWN = "#d62728"
LABEL_MAX = 34
VIS_DIR = "lib/vis-9.1.2"
_IMAGE_RULE = re.compile(r"[^{}]*\{[^{}]*url\(\s*[\"']?data:[^{}]*\}")


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet as shipped inside the pyvis wheel."""
    base = resources.files("pyvis").joinpath(VIS_DIR)
    js = base.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    css = base.joinpath("vis-network.css").read_text(encoding="utf-8")
    # The rules carrying inline images style the navigation and manipulation buttons, which
    # the explorer turns off: 206 of the stylesheet's 220 KB, sent with every drawing.
    css = _IMAGE_RULE.sub("", css)
    # Inlined inside <script>/<style>: nothing in them may end the element early.
    assert "</script" not in js.lower() and "</style" not in css.lower()
    return js, css


@lru_cache(maxsize=1)
def _template():
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    return env.get_template("graph.html")


def safe_json(value) -> str:
    """JSON that can sit inside an HTML ``<script>`` element whatever strings it holds."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _short(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def node_tooltip(nid: str, attrs: dict) -> str:
    if attrs["kind"] == GROUP:
        kind = attrs["group_kind"]
        lines = [f"{attrs['count']} {plural(kind, attrs['count'])} collapsed into one node"]
        others = {k: v for k, v in attrs["counts"].items() if k != kind}
        if others:
            lines.append("and beyond them: " + ", ".join(f"{v} {plural(k, v)}"
                                                         for k, v in sorted(others.items())))
        if attrs.get("access"):
            lines.append(f"access: {attrs['access']}")
        lines += [f"- {n}" for n in attrs["sample"]]
        if attrs["count"] > len(attrs["sample"]):
            lines.append(f"... and {attrs['count'] - len(attrs['sample'])} more")
        return "\n".join(lines)
    lines = [str(attrs.get("name", nid)), f"{attrs['kind']}  {nid}"]
    for key in ("environment", "status", "access", "distance", "grant"):
        if attrs.get(key) not in (None, ""):
            lines.append(f"{key}: {attrs[key]}")
    if attrs.get("crown_jewel"):
        lines.append("crown jewel")
    if attrs.get("valid") is False:
        lines.append("credential no longer works (revoked, expired or disabled)")
    return "\n".join(lines)


def _edge_look(kind: str, props: dict) -> dict:
    access = props.get("access")
    if kind == "CAN_ACCESS" or (access and kind != "CAN_ASSUME"):
        label = access or "unknown"
        color = ACCESS_COLORS.get(label, "#7f7f7f")
        width = 1 + access_rank(label)[0]
    else:
        label, color, width = kind.lower().replace("_", " "), "#9e9e9e", 1
    if props.get("count"):
        label = f"{label} \u00d7{props['count']}"
    lines = [kind + (f" ({access})" if access else "")]
    for key in ("grant", "reason"):
        if props.get(key):
            lines.append(f"{key}: {props[key]}")
    if props.get("count"):
        lines.append(f"{props['count']} edges collapsed")
    return {"label": label, "color": color, "width": width, "title": "\n".join(lines)}


def build_network(d: Drawing, direction: str = "out", layout: str = "tree",
                  height: int = 560):
    """A pyvis Network holding the drawing's nodes, edges and options."""
    from pyvis.network import Network

    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="remote")
    depth = depths(d)
    deepest = max(depth.values(), default=0)
    for nid in sorted(d.nodes):
        attrs = d.nodes[nid]
        kind = attrs["kind"]
        opts = {"title": node_tooltip(nid, attrs), "size": 16, "borderWidth": 1,
                "font": {"size": 13}}
        color = {"background": KIND_COLORS.get(kind, "#cccccc"), "border": "#555555"}
        shape = "box" if kind == GROUP else "dot"
        if kind == GROUP:
            opts["shapeProperties"] = {"borderDashes": [4, 3]}
            opts["font"] = {"size": 13, "multi": False}
        if attrs.get("crown_jewel"):
            shape = "star"
            color["border"] = CROWN
            opts.update(size=26, borderWidth=3)
        if nid in d.focus:
            opts.update(size=max(opts["size"], 24), borderWidth=4)
            color["border"] = "#111111"
            opts["font"] = {"size": 15, "bold": True}
        if attrs.get("valid") is False:
            color["background"] = "#eeeeee"
            opts["shapeProperties"] = {"borderDashes": [3, 3]}
        if layout == "tree":
            lvl = depth.get(nid, 0)
            opts["level"] = lvl if direction == "out" else deepest - lvl
        label = _short(str(attrs.get("name") or nid))
        if attrs.get("crown_jewel"):
            label = "\u2605 " + label
        net.add_node(nid, label=label, shape=shape, color=color, **opts)
    for e in d.edges:
        net.add_edge(e.src, e.dst, **_edge_look(e.kind, e.props),
                     font={"size": 10, "align": "middle", "color": "#444444"},
                     arrows={"to": {"enabled": True, "scaleFactor": 0.6}})
    options: dict = {
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
        "edges": {"smooth": {"type": "cubicBezier", "forceDirection": "horizontal"}
                  if layout == "tree" else {"type": "continuous"}},
        "nodes": {"font": {"face": "sans-serif"}},
    }
    if layout == "tree":
        options["layout"] = {"hierarchical": {"enabled": True, "direction": "LR",
                                              "levelSeparation": 230, "nodeSpacing": 85,
                                              "sortMethod": "directed"}}
        options["physics"] = {"enabled": False}
    else:
        options["physics"] = {"enabled": True, "solver": "forceAtlas2Based",
                              # 60 steps lay out a bounded drawing about as well as 250,
                              # which cost the browser about a second before the first
                              # frame (docs/performance.md, issue 13 explorer section).
                              "stabilization": {"iterations": 60, "fit": True}}
    net.options = options
    return net


def to_html(d: Drawing, direction: str = "out", layout: str = "tree", height: int = 560,
            title: str = "access graph") -> str:
    """The drawing as one HTML page (inline scripts only, no network request)."""
    net = build_network(d, direction, layout, height)
    nodes, edges, _heading, _h, _w, options = net.get_network_data()
    js, css = _vis_assets()
    kinds = sorted({a["kind"] for a in d.nodes.values()} - {GROUP})
    legend = [(k, KIND_COLORS.get(k, "#cccccc")) for k in kinds]
    if any(a["kind"] == GROUP for a in d.nodes.values()):
        legend.append(("group (collapsed)", KIND_COLORS[GROUP]))
    levels = {e.props.get("access") for e in d.edges if e.props.get("access")}
    access_legend = [(lvl, c) for lvl, c in ACCESS_COLORS.items() if lvl in levels]
    data = {"nodes": nodes, "edges": edges, "options": json.loads(options)}
    return _template().render(
        nonce=secrets.token_urlsafe(16), vis_js=js, vis_css=css, height=height,
        title=title, legend=legend, access_legend=access_legend, data_json=safe_json(data))
