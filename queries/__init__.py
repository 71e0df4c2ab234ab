"""The analyses. Each takes a store (embedded or Neo4j) and plain arguments and returns a
:class:`~queries.results.Result` that converts to a pandas DataFrame and to JSON. Reports,
renderers and exports built on them live in :mod:`reports`, which imports ``queries``, never
the reverse.

Example (see tests and notebooks for runnable ones)::

    from graph import open_store
    from queries import blast_radius
    blast_radius(open_store(), "invoice-sync").to_frame()
"""

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

__all__ = ["Result", "blast_radius", "blast_radius_summaries", "entry_points", "findings",
           "inbound",
           "orphaned_paths", "resolve_node", "risk_scores", "shared_credentials",
           "shortest_paths", "stats"]
