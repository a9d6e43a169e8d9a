"""Keeping the notebooks as committed: executed top to bottom in a fresh kernel, no widget state.

    python -m tools.notebooks execute [notebooks/NN_name.ipynb ...]   (make notebooks)

nbclient cannot run Output widgets with store_widget_state=False, so the notebooks run with it and
the state is dropped afterwards: the widgets are live in JupyterLab, and nothing stale is stored.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def execute(path: Path | str, timeout: int = 900) -> float:
    """Run a notebook in a fresh kernel (cwd notebooks/), strip widget state, save it; return seconds."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - t0
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "execute":
        print(__doc__)
        return 2
    paths = [Path(p) for p in argv[1:]] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for p in paths:
        print(f"{p.name}: executed in {execute(p):.1f} s, {p.stat().st_size / 1e3:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
