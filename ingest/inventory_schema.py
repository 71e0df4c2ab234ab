"""Regenerate docs/inventory.schema.json from the model: ``python -m ingest.inventory_schema``."""

import json
from pathlib import Path

from ingest.inventory import inventory_schema

if __name__ == "__main__":
    out = Path(__file__).parents[1] / "docs" / "inventory.schema.json"
    out.write_text(json.dumps(inventory_schema(), indent=2) + "\n")
    print(f"wrote {out}")
