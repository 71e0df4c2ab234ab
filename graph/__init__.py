"""The canonical model and the stores (embedded NetworkX, Neo4j) behind one interface.

``graph`` imports neither ``ingest`` nor ``queries``.
"""

from .backends import open_store
from .errors import AmbiguousNode, InputError, NhiGraphError, NodeNotFound, StoreError
from .model import ACCESS_EDGES, EDGE_KINDS, METADATA_EDGES, NODE_KINDS, access_rank
from .records import Batch, Edge, Node, WriteResult, validate
from .store import Store

__all__ = [
    "ACCESS_EDGES", "EDGE_KINDS", "METADATA_EDGES", "NODE_KINDS", "AmbiguousNode", "Batch",
    "Edge", "InputError", "NhiGraphError", "Node", "NodeNotFound", "Store", "StoreError",
    "WriteResult", "access_rank", "open_store", "validate",
]
