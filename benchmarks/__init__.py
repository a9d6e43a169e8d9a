"""`make bench`: speed and accuracy against the references, as ratios measured in one run.

Each benchmarks/bench_*.py module has `run()` returning a list of `Row`s. The runner imports them in
order and prints one table. Times are the median of repeats on this machine's CPU; the ratio is what
is compared with the goal, never a time by itself.

Two things make sub-millisecond comparisons on a shared 2-core VM unreliable, and both are handled:
- the machine's speed drifts over seconds (neighbours), so the two sides of a comparison are timed
  in alternating rounds (`interleaved`), never one whole series after the other;
- glibc returns large freed blocks to the OS and the next allocation faults every page in again,
  depending on what the process did before (torch's 6.4 MB conv output cost 3104 faults per call in
  one process state and none in another). `keep_freed_memory` makes malloc keep freed blocks, so
  no side pays for fresh pages; `interleaved` counts the page faults per call to show it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import resource
import statistics
import time
from dataclasses import dataclass


@dataclass
class Row:
    what: str  # what is measured
    ours: str  # our figure, formatted
    reference: str  # the reference's figure in the same run, formatted ('' when none)
    ratio: float | None  # ours / reference (time) or the figure compared with the goal
    goal: str  # e.g. '<= 1.5x' or '>= 98.5 %'
    ok: bool | None  # whether the goal is met (None: informational)


def interleaved(
    fns, rounds: int = 15, per_round: int = 5, pause: float = 0.2, warmup: float = 0.05
) -> list[tuple[float, float]]:
    """(median wall time in seconds, page faults per call) for each fn, timed in alternating rounds.

    Every round gives each fn a pause first, long enough for the previous fn's idle worker threads
    (OpenBLAS's, OpenMP's) to stop spinning and give the cores back; then untimed calls for `warmup`
    seconds (threads awake, cores at speed, caches filled); then per_round timed calls. The median is
    over all rounds: the steady state of each side, in the same minutes of the machine's life.
    """
    times = [[] for _ in fns]
    faults = [0] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            time.sleep(pause)
            start = time.perf_counter()
            while time.perf_counter() - start < warmup:
                fn()
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            for _ in range(per_round):
                t0 = time.perf_counter()
                fn()
                times[i].append(time.perf_counter() - t0)
            faults[i] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    return [(statistics.median(t), f / (rounds * per_round)) for t, f in zip(times, faults)]


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed large blocks for reuse (no mmap per block, no trimming).

    Returns False where there is no glibc (macOS, Windows, musl): timings there may include faults.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        return bool(libc.mallopt(M_MMAP_THRESHOLD, 1 << 30) and libc.mallopt(M_TRIM_THRESHOLD, 1 << 31))
    except (OSError, AttributeError):
        return False


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def time_row(what: str, ours_s: float, ref_s: float, limit: float) -> Row:
    ratio = ours_s / ref_s
    return Row(what, fmt_time(ours_s), fmt_time(ref_s), ratio, f"<= {limit:g}x", ratio <= limit)
