"""A delta (drift between two graphs, or a what-if plan) as Markdown or one self-contained
HTML page: the summary, then one table of changes. Every value from data is escaped
(Markdown through :func:`reports.render.md`, HTML through ``html.escape``), so a node name
can never become markup.
"""

from __future__ import annotations

import html

from .render import md, path_names

_COLS = ("change", "severity", "subject", "target", "detail", "path")


def _cells(row: dict, names: dict) -> list[str]:
    return [path_names(row.get(c) or [], names) if c == "path" else
            ("" if row.get(c) is None else str(row.get(c))) for c in _COLS]


def _summary_lines(result) -> list[str]:
    out = []
    for k, v in result.summary.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a}: {b}" for a, b in v.items()) or "-"
        elif isinstance(v, list):
            v = ", ".join(str(x) for x in v) or "-"
        out.append(f"{k}: {v}")
    return out


def changes_markdown(result, title: str) -> str:
    lines = [f"# {md(title)}", ""]
    lines += [f"- {md(line)}" for line in _summary_lines(result)]
    lines += ["", "| " + " | ".join(_COLS) + " |", "|" + "---|" * len(_COLS)]
    for row in result.rows:
        lines.append("| " + " | ".join(md(c) for c in _cells(row, result.names)) + " |")
    return "\n".join(lines) + "\n"


def changes_html(result, title: str) -> str:
    e = html.escape
    head = "".join(f"<th>{c}</th>" for c in _COLS)
    body = "".join(
        f'<tr class="{e(row["change"])}">' +
        "".join(f"<td>{e(c)}</td>" for c in _cells(row, result.names)) + "</tr>"
        for row in result.rows)
    summary = "".join(f"<li>{e(line)}</li>" for line in _summary_lines(result))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title>"
            "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}"
            "tr.jewel-path-gained td{background:#fde2e2}"
            "tr.jewel-path-lost td{background:#e2f5e6}</style></head><body>"
            f"<h1>{e(title)}</h1><ul>{summary}</ul><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></body></html>\n")
