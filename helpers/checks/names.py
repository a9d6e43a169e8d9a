"""A NameError in a notebook cell: one sentence that says which part of the notebook makes the missing name,
instead of a traceback. `install_name_hints()` registers the handler with IPython (helpers.checks calls it)."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from helpers.i18n import tr

RUN_ABOVE = "Run → Run All Above Selected Cell"


_KNOWN_MODULES = {
    "np": "import numpy as np",
    "torch": "import torch",
    "F": "import torch.nn.functional as F",
    "nn": "from torch import nn",
    "plt": "import matplotlib.pyplot as plt",
    "checks": "from helpers import checks",
}


def _notebook_path(user_ns: dict) -> Path | None:
    """The notebook this kernel runs: JupyterLab names it in JPY_SESSION_NAME, VS Code in __vsc_ipynb_file__."""
    for name in (os.environ.get("JPY_SESSION_NAME"), user_ns.get("__vsc_ipynb_file__"), user_ns.get("__session__")):
        if not name:
            continue
        p = Path(name)
        for candidate in (p, Path.cwd() / p, Path.cwd() / p.name):
            if candidate.suffix == ".ipynb" and candidate.is_file():
                return candidate
    return None


def _defines(source: str, name: str) -> bool:
    """Whether a cell's top-level code makes `name` (assigns, defines, imports or loops over it)."""
    n = re.escape(name)
    patterns = [
        rf"^(?:async\s+)?def\s+{n}\b",
        rf"^class\s+{n}\b",
        rf"^import\s+.*\bas\s+{n}\b",
        rf"^import\s+(?:[\w.]+\s*,\s*)*{n}\b",
        rf"^from\s+\S+\s+import\s+.*\b{n}\b",
        rf"^for\s+(?:[\w\s,()]*,\s*)?\(?{n}\b.*\bin\b",
        rf"^with\s+.*\bas\s+\(?{n}\b",
    ]
    for line in source.splitlines():
        if line[:1].isspace():
            continue
        if any(re.match(p, line) for p in patterns):
            return True
        left = re.split(r"(?<![=!<>+\-*/%&|^])=(?!=)", line, maxsplit=1)
        if len(left) == 2 and name in re.findall(r"\w+", re.sub(r"\[.*?\]|\.\w+", "", left[0])):
            return True
    return False


def where_defined(notebook: Path, name: str) -> str | None:
    """The heading of the part of `notebook` whose code first makes `name`, or None."""
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    heading = None
    for cell in cells:
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown":
            titles = [re.sub(r"[*_`]", "", m).strip() for m in re.findall(r"^#{1,4}\s+(.+)$", source, re.M)]
            heading = titles[-1] if titles else heading
        elif cell.get("cell_type") == "code" and _defines(source, name):
            return heading
    return None


def name_hint(name: str, user_ns: dict | None = None) -> str:
    """The sentence a NameError for `name` gets in a notebook cell."""
    notebook = _notebook_path(user_ns or {})
    place = where_defined(notebook, name) if notebook else None
    if name in _KNOWN_MODULES and place is None:
        return tr(
            "`{name}` is not defined yet: run the cells above first ({run}), or add `{line}` at the top of this cell.",
            name=name,
            run=RUN_ABOVE,
            line=_KNOWN_MODULES[name],
        )
    if place:
        return tr(
            "`{name}` is made in “{place}”: run the cells above first ({run}).", name=name, place=place, run=RUN_ABOVE
        )
    return tr(
        '`{name}` is not defined. If you meant the text {name}, put it in quotes: "{name}". If it is a name '
        "from this notebook, run the cells above first ({run}), or check its spelling.",
        name=name,
        run=RUN_ABOVE,
    )


def _name_error_handler(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: a NameError raised by a cell's own code becomes one sentence."""
    frame_tb = tb
    while frame_tb is not None and frame_tb.tb_next is not None:
        frame_tb = frame_tb.tb_next
    in_cell = frame_tb is not None and frame_tb.tb_frame.f_globals is shell.user_ns
    name = getattr(value, "name", None) or (re.findall(r"'(\w+)'", str(value)) or [None])[0]
    if not in_cell or not name or issubclass(etype, UnboundLocalError):  # a local used too early: a real bug
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    sys.stderr.write(name_hint(name, shell.user_ns) + "\n")  # one write: the hint and its newline in one output
    return None


def install_name_hints() -> bool:
    """Register the NameError handler with the running IPython; returns whether there was one."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((NameError,), _name_error_handler)
    return True
