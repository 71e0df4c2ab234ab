"""Presentation: what the analyses in :mod:`queries` look like to a person or another tool.
``assemble`` gathers a report's data (the blast radius of one node, or the whole estate) into
one plain dict, ``render`` writes it as self-contained HTML, Markdown, CSV, JSON or XLSX
(jinja2 ``templates/``), ``graph_svg`` draws a subgraph as an offline SVG for reports and
notebooks, ``export`` writes the whole graph as BloodHound OpenGraph, GraphML or inventory
JSON, ``notebook`` makes every Result render in Jupyter as a table plus that SVG (registered on
import), and ``findings_docs`` generates docs/findings.md's rule reference from the rules' own
metadata. The one-way rule: ``reports`` imports ``queries`` and ``graph``, never the reverse.

Example::

    from graph import open_store
    from reports import estate_report, write_report
    write_report(estate_report(open_store()), "review.html")
"""

from . import notebook  # noqa: F401  (registers the notebook view of every Result)
from .assemble import blast_radius_report, estate_report, write_report
from .node_reports import cluster_report, inbound_report, paths_report

__all__ = ["blast_radius_report", "cluster_report", "estate_report", "inbound_report",
           "paths_report", "write_report"]
