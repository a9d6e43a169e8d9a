"""The code a lesson writes in a notebook cell, loaded for a test.

A notebook cell tagged `lesson-NAME` (cell metadata tags, as nbval's tags are) holds code a student reads: the
convolution loop, pooling, one HOG cell, the gradient-descent loop, the training loop. Tests run that very
cell, so what the student reads is what is checked against the fast helper and against torch / scikit-image:

    ns = lesson_namespace("02_convolution", "lesson-conv2d")
    ns["conv2d_slide"](image, kernel, stride=2, padding=1)
"""

from __future__ import annotations

import json
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def lesson_source(notebook: str, tag: str) -> str:
    """The source of the one code cell of notebooks/<notebook>.ipynb tagged `tag`."""
    path = NOTEBOOKS / f"{notebook}.ipynb"
    cells = [
        c
        for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
        if c["cell_type"] == "code" and tag in c.get("metadata", {}).get("tags", [])
    ]
    assert len(cells) == 1, f"{path.name}: {len(cells)} code cells tagged {tag!r}, expected one"
    return "".join(cells[0]["source"])


def lesson_namespace(notebook: str, tag: str, **given) -> dict:
    """Run the tagged cell in a fresh namespace (with `given` names defined first) and return the namespace."""
    namespace = dict(given)
    exec(compile(lesson_source(notebook, tag), f"{notebook}.ipynb[{tag}]", "exec"), namespace)
    return namespace
