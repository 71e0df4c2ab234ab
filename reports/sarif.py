"""Findings as SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), the file
GitHub code scanning and other SARIF viewers read.

One run of the tool ``nhigraph``: each rule of :mod:`queries.findings` is a
``reportingDescriptor`` (id, name, short and full description, help text = remediation,
OWASP/NIST tags, default level), each finding a ``result`` with its stable id as the
``nhigraph/v1`` partial fingerprint (so viewers track it across runs), a level from its
severity and one ``location`` per involved node: a physical one (``artifactLocation.uri``,
plus ``region.startLine`` when the node carries a ``line``) when the ingester recorded the
file the node came from (GitHub Actions workflow ``path``, n8n ``source`` ``n8n:<file>``),
and a logical one (the node id and kind) always.
"""

from __future__ import annotations

import json

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note",
          "info": "note"}
_SOURCE_PREFIXES = ("n8n:", "github-actions:", "airflow:")


def _file_of(node: dict) -> str | None:
    path = node.get("path")
    if isinstance(path, str) and path:
        return path
    source = node.get("source")
    if isinstance(source, str):
        for prefix in _SOURCE_PREFIXES:
            if source.startswith(prefix) and len(source) > len(prefix):
                return source[len(prefix):]
    return None


def _location(nid: str, node: dict) -> dict:
    loc: dict = {"logicalLocations": [{"name": str(node.get("name", nid)),
                                       "fullyQualifiedName": nid,
                                       "kind": str(node.get("kind", "node")).lower()}]}
    uri = _file_of(node)
    if uri:
        phys: dict = {"artifactLocation": {"uri": uri.replace("\\", "/").lstrip("/")}}
        line = node.get("line")
        if isinstance(line, int) and not isinstance(line, bool) and line >= 1:
            phys["region"] = {"startLine": line}
        loc["physicalLocation"] = phys
    return loc


def _rule(rule) -> dict:
    return {
        "id": rule.id, "name": rule.id.replace("-", " ").title().replace(" ", ""),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": f"{rule.title} ({rule.owasp})"},
        "help": {"text": rule.remediation},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["security", rule.owasp, *rule.nist]},
    }


def to_sarif(rows: list[dict], nodes: dict[str, dict], version: str = "0") -> dict:
    """The SARIF log of findings ``rows``; ``nodes`` maps node id to its properties."""
    from queries.findings import RULES

    index = {r.id: i for i, r in enumerate(RULES)}
    results = []
    for f in rows:
        locs = [_location(n, nodes.get(n, {})) for n in f["nodes"]]
        located = [loc for loc in locs if "physicalLocation" in loc]
        results.append({
            "ruleId": f["rule"], "ruleIndex": index[f["rule"]],
            "level": LEVELS[f["severity"]],
            "message": {"text": f"{f['title']}: {f['detail']}"},
            "locations": located or locs,
            "partialFingerprints": {"nhigraph/v1": f["id"]},
            "properties": {"severity": f["severity"], "risk": f["risk"],
                           "owasp": f["owasp"], "nodes": f["nodes"]},
        })
    return {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "nhigraph", "version": version,
                                "informationUri": "https://owasp.org/www-project-non-human-identities-top-10/",
                                "rules": [_rule(r) for r in RULES]}},
            "results": results,
        }],
    }


def sarif_text(rows: list[dict], nodes: dict[str, dict], version: str = "0") -> str:
    return json.dumps(to_sarif(rows, nodes, version), indent=2) + "\n"
