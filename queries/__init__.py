"""The analyses. Each takes a store (embedded or Neo4j) and plain arguments and returns a
:class:`~queries.results.Result` that converts to a pandas DataFrame and to JSON. Reports,
renderers and exports built on them live in :mod:`reports`, which imports ``queries``, never
the reverse.

Example (see tests and notebooks for runnable ones)::

    from graph import open_store
    from queries import blast_radius
    blast_radius(open_store(), "invoice-sync").to_frame()
"""

import importlib
import sys
import types
from typing import TYPE_CHECKING

#: Each public name and the module it lives in; imported on first use (PEP 562), so a
#: command that needs one analysis (``stats``) does not import every other one's
#: dependencies (NetworkX, pandas) at startup.
_LAZY = {
    "blast_radius": "blast_radius", "entry_points": "entry_points",
    "blast_radius_summaries": "estate", "findings": "findings", "inbound": "inbound",
    "orphaned_paths": "orphans", "shortest_paths": "path", "resolve_node": "resolve",
    "Result": "results", "risk_scores": "risk", "shared_credentials": "shared_credentials",
    "stats": "stats",
}

if TYPE_CHECKING:
    from .blast_radius import blast_radius
    from .entry_points import entry_points
    from .estate import blast_radius_summaries
    from .findings import findings
    from .inbound import inbound
    from .orphans import orphaned_paths
    from .path import shortest_paths
    from .resolve import resolve_node
    from .results import Result
    from .risk import risk_scores
    from .shared_credentials import shared_credentials
    from .stats import stats


class _Package(types.ModuleType):
    """Keeps ``queries.stats`` (and the other functions named like their module) the
    function, as the eager imports did: importing a submodule binds it on the package, which
    here is skipped for those names."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name) == name:
            return
        super().__setattr__(name, value)

    def __getattr__(self, name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'queries' has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        super().__setattr__(name, value)
        return value


sys.modules[__name__].__class__ = _Package


__all__ = ["Result", "blast_radius", "blast_radius_summaries", "entry_points", "findings",
           "inbound",
           "orphaned_paths", "resolve_node", "risk_scores", "shared_credentials",
           "shortest_paths", "stats"]
