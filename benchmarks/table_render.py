"""How long ``cli.plumbing.table`` takes to render a table of many long rows (the shape of
``orphans`` on a heavy-sharing estate): builds a Result of N rows with long ids and paths and
prints wall time and peak traced memory of one render. Run: ``python benchmarks/table_render.py
[ROWS]`` (default 20,000)."""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cli.plumbing import table  # noqa: E402
from queries.results import Result  # noqa: E402


def make(rows: int) -> Result:
    out = []
    for i in range(rows):
        out.append({
            "workflow": f"workflow:n8n:prod-instance-eu-west-1:{i:06d}-sync-customer-records",
            "credential": f"credential:n8n:prod-instance-eu-west-1:{i % 97:04d}-postgres-main",
            "access": ("read", "write", "admin")[i % 3],
            "path": [f"workflow:n8n:prod:{i}", f"credential:n8n:prod:{i % 97}",
                     f"system:postgres:db-{i % 13}.internal.example.com:5432/customers"],
        })
    return Result(rows=out, summary={"rows": rows},
                  columns=("workflow", "credential", "access", "path"))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    result = make(rows)
    tracemalloc.start()
    start = time.perf_counter()
    text = table(result, "bench")
    wall = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    print(f"table: {rows} rows -> {len(text.splitlines())} lines, {wall:.2f} s, "
          f"peak {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
