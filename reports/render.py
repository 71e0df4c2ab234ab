"""Render a report dict (see ``reports/assemble.py``) by file extension.

- ``.html``: one self-contained file (jinja2 with autoescape; CSS, SVG graph and script
  inlined; no request to any network), with print CSS.
- ``.md``: Markdown with every value from data escaped, so a name cannot become markup.
- ``.csv``: the report's main table.
- ``.json``: the whole report dict (without the drawn SVG).
- ``.xlsx``: one sheet per table plus Summary, Findings and Evidence sheets.

CSV and XLSX cells that start with ``= + - @`` get a leading apostrophe, so a name from
data can never run as a spreadsheet formula.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jinja2

from graph.errors import InputError
from graph.safe_output import frame_csv, neutralise_cell, strict_json

from . import graph_svg

EXTENSIONS = (".html", ".md", ".csv", ".json", ".xlsx")


def _text(value, names: dict | None = None) -> str:
    if value is None or value != value:  # None or NaN
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(_text(v, names) for v in value)
    if isinstance(value, dict):
        return strict_json(value)
    return str(value)


def path_names(path: list[str], names: dict[str, str]) -> str:
    return " -> ".join(names.get(n, n) for n in path)


_safe_cell = neutralise_cell


# --- HTML ----------------------------------------------------------------------------

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
    trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
)
_ENV.filters["text"] = _text


def render_html(data: dict) -> str:
    return _ENV.get_template("report.html.j2").render(
        r=data, names=data["names"], style=graph_svg.STYLE, script=graph_svg.SCRIPT,
        svg=jinja2.utils.markupsafe.Markup(data["graph"]["svg"]) if data["graph"]["svg"]
        else None,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), path_names=path_names)


# --- Markdown ------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>|!~"})


def md(value) -> str:
    """Escape a value for Markdown: no markup, no HTML, no table breaks."""
    return _text(value).replace("\n", " ").translate(_MD_SPECIAL)


def render_markdown(data: dict) -> str:
    names = data["names"]
    out = [f"# {md(data['title'])}", "",
           f"As of {md(data['as_of'])}; store {md(data['store'])}.", ""]
    out += ["| | |", "|---|---|"] + [f"| {md(k)} | {md(v)} |" for k, v in data["summary"]]
    out.append("")
    if data["findings"]:
        out += ["## Findings", ""]
        for f in data["findings"]:
            out += [f"### {md(f['severity'].upper())} {md(f['title'])} "
                    f"({md(f['owasp'])} {md(f['owasp_title'])})", "",
                    f"- Rule: {md(f['rule'])}; risk {md(f['risk'])}; NIST CSF 2.0: "
                    f"{md(', '.join(f['nist']))}",
                    f"- {md(f['detail'])}",
                    f"- Remediation: {md(f['remediation'])}"]
            for p in f["paths"]:
                out.append(f"- Evidence: {md(path_names(p, names))}")
            out.append("")
    if data["paths"]:
        out += ["## Access paths", ""]
        for p in data["paths"]:
            out.append(f"- {md(names.get(p['target'], p['target']))} ({md(p['access'])}): "
                       f"{md(path_names(p['path'], names))}")
        out.append("")
    for t in data["tables"]:
        if t["name"] == "Findings":
            continue  # shown above, with evidence
        out += [f"## {md(t['name'])}", ""]
        if not t["rows"]:
            out += ["None.", ""]
            continue
        out += ["| " + " | ".join(md(c) for c in t["columns"]) + " |",
                "|" + "---|" * len(t["columns"])]
        out += ["| " + " | ".join(md(r.get(c)) for c in t["columns"]) + " |" for r in t["rows"]]
        out.append("")
    return "\n".join(out)


# --- tables ----------------------------------------------------------------------------

def _frame(table: dict):
    import pandas as pd

    rows = [{c: _safe_cell(_text(r.get(c)) if isinstance(r.get(c), (list, dict, type(None)))
                           else r.get(c)) for c in table["columns"]} for r in table["rows"]]
    return pd.DataFrame.from_records(rows, columns=table["columns"])


def render_csv(data: dict) -> str:
    return frame_csv(_frame(data["tables"][data["csv_table"]]))


def render_json(data: dict) -> str:
    out = {k: v for k, v in data.items() if k not in ("graph", "csv_table")}
    out["summary"] = {k: v for k, v in data["summary"]}
    out["graph"] = {k: v for k, v in data["graph"].items() if k != "svg"}
    return strict_json(out, indent=2, default=str)


def write_xlsx(data: dict, path: Path) -> None:
    import pandas as pd

    names = data["names"]
    summary = pd.DataFrame([(k, _safe_cell(_text(v))) for k, v in data["summary"]],
                           columns=["", data["title"]])
    evidence = pd.DataFrame.from_records(
        [{"finding": f["id"], "rule": f["rule"], "severity": f["severity"],
          "path": _safe_cell(path_names(p, names)), "ids": _safe_cell(" -> ".join(p))}
         for f in data["findings"] for p in f["paths"]],
        columns=["finding", "rule", "severity", "path", "ids"])
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        summary.to_excel(xl, sheet_name="Summary", index=False)
        used = {"Summary"}
        for t in data["tables"]:
            name = _sheet_name(t["name"], used)
            _frame(t).to_excel(xl, sheet_name=name, index=False)
        evidence.to_excel(xl, sheet_name=_sheet_name("Evidence", used), index=False)


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "Sheet"
    out, i = base, 2
    while out in used:
        out = f"{base[:28]} {i}"
        i += 1
    used.add(out)
    return out


def write(data: dict, path: Path) -> Path:
    ext = path.suffix.lower()
    if ext not in EXTENSIONS:
        raise InputError(f"{path}: report format comes from the extension; use one of "
                         f"{', '.join(EXTENSIONS)}")
    if not path.parent.exists():
        raise InputError(f"{path}: folder {path.parent} does not exist")
    tmp = path.with_name(path.name + ".tmp")
    if ext == ".xlsx":
        write_xlsx(data, tmp)
    else:
        text = {".html": render_html, ".md": render_markdown, ".csv": render_csv,
                ".json": render_json}[ext](data)
        tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # a failed render never leaves half a report
    return path
