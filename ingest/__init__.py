"""Ingesters: one module per source format, each turning files into canonical records
(:class:`graph.records.Batch`). No store code here: the caller writes the batch (through
:func:`ingest.pipeline.ingest`, which takes the store as an argument).

Every module or subpackage here that ends with ``INGESTER = Ingester(...)`` is a source
format (:mod:`ingest.registry` finds them). ``INGESTERS`` maps each name used on the
command line (``nhigraph ingest NAME PATH``) to the module that declares it.
"""


def __getattr__(name: str):
    if name == "INGESTERS":  # derived on each access, so it follows registry.reset()
        from ingest.registry import ingesters

        return {n: i.module for n, i in ingesters().items()}
    raise AttributeError(f"module 'ingest' has no attribute {name!r}")
