"""`make bench`: speed and accuracy against the references, as ratios measured in one run.

Each benchmarks/bench_*.py module has `run()` returning a list of `Row`s. The runner imports them in
order and prints one table. Times are the median of repeats on this machine's CPU; the ratio is what
is compared with the goal, never a time by itself.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass


@dataclass
class Row:
    what: str          # what is measured
    ours: str          # our figure, formatted
    reference: str     # the reference's figure in the same run, formatted ('' when none)
    ratio: float | None  # ours / reference (time) or the figure compared with the goal
    goal: str          # e.g. '<= 1.5x' or '>= 98.5 %'
    ok: bool | None    # whether the goal is met (None: informational)


def median_time(fn, repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of fn() in seconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def time_row(what: str, ours_s: float, ref_s: float, limit: float) -> Row:
    ratio = ours_s / ref_s
    return Row(what, fmt_time(ours_s), fmt_time(ref_s), ratio, f"<= {limit:g}x", ratio <= limit)
