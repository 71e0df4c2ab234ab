"""The analyses. Each takes a store (embedded or Neo4j) and plain arguments and returns a
:class:`~queries.results.Result` that converts to a pandas DataFrame and to JSON.

>>> from graph import open_store                                  # doctest: +SKIP
>>> from queries import blast_radius                              # doctest: +SKIP
>>> blast_radius(open_store(), "invoice-sync").to_frame()         # doctest: +SKIP
"""

from .blast_radius import blast_radius
from .estate import blast_radius_summaries
from .inbound import inbound
from .orphans import orphaned_paths
from .path import shortest_paths
from .resolve import resolve_node
from .results import Result
from .shared_credentials import shared_credentials
from .stats import stats

__all__ = ["Result", "blast_radius", "blast_radius_summaries", "inbound", "orphaned_paths", "resolve_node",
           "shared_credentials", "shortest_paths", "stats"]
