"""The bundled sample estate of Acme Freight, a fictional company, with planted problems
(see README.md in this folder). ``nhigraph demo`` loads every source listed here."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
COMPANY = "Acme Freight"
#: Nodes whose blast radius the demo prints.
SHOWCASE = (
    "workflow:github:acme/infra:.github/workflows/deploy.yml",
    "secret:n8n:acme-prod:cred-stripe-live",
)


def sources() -> list[dict]:
    """The sources of the sample estate, in load order: kind, path, source name, options."""
    # AWS first: the inventory adds owners and edges to the AWS nodes it loads.
    return [
        {"kind": "aws-iam", "path": str(HERE / "aws"), "source": "sample:acme-freight:aws"},
        {"kind": "inventory", "path": str(HERE / "inventory.yaml"),
         "source": "sample:acme-freight:inventory"},
    ]
