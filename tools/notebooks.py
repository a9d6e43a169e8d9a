"""Keeping the notebooks as committed: executed top to bottom in a fresh kernel, no widget state.

    python -m tools.notebooks execute [notebooks/NN_name.ipynb ...]   (make notebooks)

It prints each notebook's run time and its kernel's peak memory (the figure a JupyterHub admin needs).

nbclient cannot run Output widgets with store_widget_state=False, so the notebooks run with it and
the state is dropped afterwards: the widgets are live in JupyterLab, and nothing stale is stored.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


class PeakMemory:
    """The largest resident memory (RSS) of this process's Jupyter kernels and their children, sampled every 0.1 s:
    what one student's kernel needs on a JupyterHub."""

    def __init__(self):
        import threading

        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self):
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.1):
            total = 0
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):  # a child that ended meanwhile
                    total += child.memory_info().rss
            self.peak = max(self.peak, total)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def finished_bars(nb) -> None:
    """A progress bar's stored text shows its final state (read from the widget state before that is dropped):
    otherwise a notebook opened without its widgets shows the bar as first drawn, at 0 %."""
    import html
    import re

    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            model = state.get(view["model_id"]) if view else None
            if not model or model.get("model_name") != "HBoxModel":
                continue
            parts = []
            for ref in model["state"].get("children", []):
                child = state.get(ref.removeprefix("IPY_MODEL_"), {})
                s = child.get("state", {})
                if child.get("model_name") == "HTMLModel":
                    parts.append(html.unescape(re.sub("<[^>]+>", "", s.get("value", ""))).strip())
                elif "Progress" in child.get("model_name", ""):
                    filled = round(10 * s.get("value", 0) / (s.get("max") or 1))
                    parts.append("|" + "█" * filled + " " * (10 - filled) + "|")
            if parts:
                out["data"]["text/plain"] = "".join(parts[:1] + parts[1:2]) + " " + " ".join(parts[2:])


def strip_run_metadata(nb) -> None:
    """What changes on every run and teaches nothing: widget state, execution timestamps, jupytext's header."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def execute(path: Path | str, timeout: int = 900) -> tuple[float, int]:
    """Run a notebook in a fresh kernel (cwd: the notebook's folder), strip widget state, save it; return the
    seconds it took and the kernel's peak memory in bytes."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    with PeakMemory() as memory:
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    seconds = time.perf_counter() - t0
    finished_bars(nb)
    strip_run_metadata(nb)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    return seconds, memory.peak


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "execute":
        print(__doc__)
        return 2
    paths = [Path(p) for p in argv[1:]] or sorted(NOTEBOOKS.glob("*.ipynb")) + sorted(NOTEBOOKS.glob("*/**/*.ipynb"))
    for p in paths:
        seconds, peak = execute(p)
        print(
            f"{p.resolve().relative_to(NOTEBOOKS)}: executed in {seconds:.1f} s, {p.stat().st_size / 1e3:.0f} kB, "
            f"kernel peak memory {peak / 2**20:.0f} MiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
