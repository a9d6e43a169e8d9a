"""Run every benchmarks/bench_*.py and print one table: python -m benchmarks [name-filter]."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

import benchmarks


def main(argv: list[str]) -> int:
    wanted = argv[0] if argv else ""
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(benchmarks.__file__).parent)])
        if m.name.startswith("bench_") and wanted in m.name
    )
    kept = benchmarks.keep_freed_memory()
    rows = []
    t0 = time.perf_counter()
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += importlib.import_module(f"benchmarks.{name}").run()
    header = ("what", "ours", "reference", "ratio", "goal", "met")
    table = [header] + [
        (
            r.what,
            r.ours,
            r.reference,
            "" if r.ratio is None else f"{r.ratio:.2f}",
            r.goal,
            "" if r.ok is None else ("yes" if r.ok else "NO"),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for k, row in enumerate(table):
        print(" | ".join(cell.ljust(wd) for cell, wd in zip(row, widths)))
        if k == 0:
            print("-+-".join("-" * wd for wd in widths))
    print(f"\n{len(rows)} rows in {time.perf_counter() - t0:.0f} s; {sum(r.ok is False for r in rows)} goals not met")
    print(
        "malloc keeps freed blocks (no fresh-page faults in timings)"
        if kept
        else "malloc could not be told to keep freed blocks: timings may include page faults"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
