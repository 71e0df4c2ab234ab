"""Names instead of ids in a result's table (``--ids`` keeps the ids): cells of the id
columns (a node id or a list of them) show the node's name, and an ``id``/``node`` column is
left out when the row also has a ``name``. Only the table changes; JSON and CSV keep the ids
scripts rely on. One ``get_nodes`` call for every id in the table.
"""

from __future__ import annotations

import dataclasses

import click

#: Columns whose values are node ids (or lists of them) in the analyses' rows.
ID_COLUMNS = frozenset({"id", "node", "mixing_credentials", "workspaces", "secrets",
                        "identities", "workflows", "reaches", "crown_jewels", "admin_targets",
                        "gated_targets"})
#: Columns dropped when the row carries a name too (it says the same, less readably).
NAMED_BY = {"id": "name", "node": "name"}


def ids_option(fn):
    """--ids: show node ids in the table instead of names."""
    return click.option("--ids", is_flag=True, help="Show node ids in the table instead of "
                        "names (JSON and CSV always have ids).")(fn)


def _ids_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def with_names(result, store):
    """A copy of ``result`` whose id columns show names (rows are copied, not changed)."""
    columns = list(result.columns) or (list(result.rows[0]) if result.rows else [])
    id_cols = [c for c in columns if c in ID_COLUMNS]
    wanted = {i for row in result.rows for c in id_cols for i in _ids_in(row.get(c))}
    if not wanted:
        return result
    names = {k: v.get("name") or k for k, v in store.get_nodes(wanted).items()}

    def name(value):
        if isinstance(value, str):
            return names.get(value, value)
        if isinstance(value, (list, tuple)):
            return [names.get(v, v) if isinstance(v, str) else v for v in value]
        return value

    rows = [{k: name(v) if k in id_cols else v for k, v in row.items()} for row in result.rows]
    keep = tuple(c for c in columns if not (c in NAMED_BY and NAMED_BY[c] in columns))
    return dataclasses.replace(result, rows=rows, columns=keep,
                               names={**result.names, **names})


def node_name(store, node_id: str) -> str:
    """``name (id)`` of one node for a title, or the id when it has no other name."""
    node = store.get_node(node_id) or {}
    name = node.get("name") or node_id
    return node_id if name == node_id else f"{name} ({node_id})"
