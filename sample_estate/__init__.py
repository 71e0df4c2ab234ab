"""The bundled sample estate of Acme Freight, a fictional company, with planted problems
(see README.md in this folder). ``nhigraph demo`` loads every source listed here."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
GH = HERE / "github" / "acme" / "shipping-api"
COMPANY = "Acme Freight"
#: Nodes whose blast radius the demo prints.
SHOWCASE = (
    "workflow:github:acme/infra:.github/workflows/deploy.yml",
    "secret:n8n:acme-prod:cred-stripe-live",
    "workflow:github:acme/shipping-api:.github/workflows/deploy.yml",
    "workflow:n8n:acme-ops:ops-label-archive",
)


def sources() -> list[dict]:
    """The sources of the sample estate, in load order: kind, path, source name, options."""
    # AWS first: the inventory adds owners and edges to the AWS nodes it loads.
    return [
        {"kind": "aws-iam", "path": str(HERE / "aws"), "source": "sample:acme-freight:aws"},
        {"kind": "inventory", "path": str(HERE / "inventory.yaml"),
         "source": "sample:acme-freight:inventory"},
        # Real-format exports, stitched to the rest by ids and access key ids
        # (docs/ingest-workflows.md, "In the sample estate").
        {"kind": "n8n", "path": str(HERE / "n8n" / "acme-ops"),
         "source": "sample:acme-freight:n8n-acme-ops",
         "options": {"instance": "acme-ops", "environment": "prod", "saas_tenant": "acme"}},
        {"kind": "github-actions", "path": str(HERE / "github" / "acme" / "shipping-api"),
         "source": "sample:acme-freight:github-shipping-api",
         "options": {"repo": "acme/shipping-api", "environment": "prod", "saas_tenant": "acme",
                     # `gh secret list --env production` and `gh api .../environments`
                     "env_secrets": [f"production={GH / 'production-secrets.json'}"],
                     "environments": str(GH / "environments.json")}},
        # AI platforms (README "AI platforms"): one Slack bot token in four places.
        {"kind": "langflow", "path": str(HERE / "langflow" / "acme-ops"),
         "source": "sample:acme-freight:langflow-acme-ops",
         "options": {"instance": "acme-ops", "environment": "prod", "saas_tenant": "acme"}},
        {"kind": "flowise", "path": str(HERE / "flowise" / "acme-support"),
         "source": "sample:acme-freight:flowise-acme-support",
         "options": {"instance": "acme-support", "environment": "prod", "saas_tenant": "acme"}},
        {"kind": "mcp", "path": str(HERE / "mcp" / "dave-laptop"),
         "source": "sample:acme-freight:mcp-dave-laptop",
         "options": {"machine": "dave-laptop", "saas_tenant": "acme"}},
    ]


def load(store, replace: bool = False, on_result=None):
    """Load every source of the sample estate into ``store`` (as ``nhigraph demo`` does);
    ``on_result(source, WriteResult)`` is called after each source."""
    from ingest.pipeline import ingest

    for i, s in enumerate(sources()):
        first = replace and i == 0
        _, result = ingest(s["kind"], s["path"], store, source=s["source"], replace=first,
                           options=s.get("options"))
        if on_result is not None:
            on_result(s["source"], result)
    return store
