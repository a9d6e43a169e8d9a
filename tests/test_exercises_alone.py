"""Every exercise cell, run ALONE in a fresh kernel, works or says in one sentence what to run first: no traceback.

A student restarts the kernel (or comes back the next day) and runs only the exercise cell. The cells are found
by their tag `exercise` in the lecture notebooks (notebooks/*.ipynb, notebooks/ru/*.ipynb) and in the student release
of the homework (answer cells, and the autograder cells a student runs to check them), never by position.

One kernel per notebook, `%reset -f` between cells. Why that stands for a fresh kernel: what decides whether a
cell fails is the user namespace, the names earlier cells made; `%reset -f` empties it (variables, functions,
imported names, In/Out), so each cell sees what it would see after a restart. What survives is the module cache
(`sys.modules`: an import is quicker, not different) and the NameError handler that `from helpers import checks`
installs; in a restarted kernel the cell's own first line, `from helpers import checks`, installs it before
anything else runs, so the cell meets the same handler either way. The first cell of each notebook runs in a
really fresh kernel. A restart per cell would cost a kernel start (and a torch import) per cell.

JupyterLab tells the kernel which notebook it runs (JPY_SESSION_NAME); the test does the same, so the hint can
name the part of the notebook that makes a missing name.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tools import homework

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LECTURES = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((NOTEBOOKS / "ru").glob("*.ipynb"))  # and the Russian edition


def exercise_cells(nb, autograder: bool = False) -> list:
    """The code cells tagged `exercise` (and, with `autograder`, nbgrader's grade cells) in notebook order."""
    return [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and ("exercise" in c.metadata.get("tags", []) or (autograder and c.metadata.get("nbgrader", {}).get("grade")))
    ]


def run_alone(path: Path, cells: list, timeout: int = 300) -> list[tuple[str, list]]:
    """Run each cell on its own (one kernel, `%reset -f` before each): [(source, outputs)]."""
    program = []
    for cell in cells:
        program += [nbformat.v4.new_code_cell("%reset -f"), nbformat.v4.new_code_cell(cell.source)]
    nb = nbformat.v4.new_notebook(cells=program[1:])  # the first cell meets a fresh kernel
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env={**os.environ, "JPY_SESSION_NAME": str(path), "OMP_NUM_THREADS": "1"})
    return [(c.source, c.outputs) for c in nb.cells if c.source != "%reset -f"]


def problems(results) -> list[str]:
    """What a student would see that is not a pass, a hint or their cell's own output: tracebacks, or a hint
    on stderr that is longer than one sentence."""
    found = []
    for source, outputs in results:
        first = source.splitlines()[0] if source else ""
        if not first.startswith("from helpers import checks"):
            found.append(f"does not start with `from helpers import checks`: {first!r}")
        for out in _as_shown(outputs):
            if out.output_type == "error":
                found.append(f"{first!r}...: traceback {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                lines = [line for line in out.text.splitlines() if line.strip()]
                if len(lines) != 1 or "Traceback" in out.text or re.search(r'File "', out.text):
                    found.append(f"{first!r}...: stderr is not one sentence: {out.text!r}")
    return found


def _as_shown(outputs) -> list:
    """The outputs as JupyterLab shows them: consecutive text on the same stream is one output. The kernel sends
    what is written in one go, but under load a line and its newline can come as two messages (seen in CI: a hint,
    then '\\n' alone)."""
    shown = []
    for out in outputs:
        if out.output_type == "stream" and shown and shown[-1].output_type == "stream" and shown[-1].name == out.name:
            shown[-1] = nbformat.v4.new_output("stream", name=out.name, text=shown[-1].text + out.text)
        else:
            shown.append(out)
    return shown


def test_text_split_across_two_stream_messages_is_judged_as_shown():
    hint = nbformat.v4.new_output("stream", name="stderr", text="Not yet: run the cell above.")
    newline = nbformat.v4.new_output("stream", name="stderr", text="\n")
    source = "from helpers import checks\nchecks.x()"
    assert problems([(source, [hint, newline])]) == []
    assert problems([(source, [hint, nbformat.v4.new_output("stream", name="stderr", text="\nand more\n")])])


def stderr(outputs) -> str:
    return "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_each_lecture_exercise_cell_runs_alone_without_a_traceback(path):
    cells = exercise_cells(nbformat.read(path, as_version=4))
    if not cells:
        pytest.skip(f"{path.name} has no cell tagged `exercise`")
    assert problems(run_alone(path, cells)) == []


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return homework.prepare(tmp_path_factory.mktemp("alone") / "course")


def test_each_homework_cell_runs_alone_without_a_traceback(release):
    """Answer cells and the autograder cells a student runs, each alone, in the release as handed out."""
    counts, hints = {}, []
    for path in sorted(release.glob("*.ipynb")):
        cells = exercise_cells(nbformat.read(path, as_version=4), autograder=True)
        results = run_alone(path, cells)
        assert problems(results) == [], path.name
        counts[path.stem] = len(cells)
        hints += [stderr(outputs) for _, outputs in results if stderr(outputs)]
    assert set(counts) == {p.stem for p in homework.SOURCE.glob("*.ipynb")} and min(counts.values()) >= 6
    # An autograder cell run before its answer cell names the part of the notebook that makes the answer.
    assert any("is made in “Exercise 2 · im2col (hard, 3 points)”" in h for h in hints), hints


def test_the_hint_names_the_section_and_other_errors_keep_their_traceback(tmp_path):
    """A NameError in a cell gets one sentence naming the section that makes the name; a NameError inside a
    function of a module, and any other exception, keep IPython's usual traceback."""
    notebook = tmp_path / "lesson.ipynb"
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("## 5. The slide's example"),
            nbformat.v4.new_code_cell("slide_image = [[1, 2], [3, 4]]"),
            nbformat.v4.new_markdown_cell("## 6. Exercises"),
        ]
    )
    nbformat.write(nb, notebook)
    (tmp_path / "broken_module.py").write_text("def f():\n    return undefined_in_module\n")
    cells = [
        nbformat.v4.new_code_cell(s)
        for s in (
            "from helpers import checks\nchecks.one_output_cell(slide_image[0][0], [[1]], [[1]], row=0, col=0)",
            "from helpers import checks\nundefined_name_xyz",
            "from helpers import checks\nimport broken_module\nbroken_module.f()",
            "from helpers import checks\n1 / 0",
            "from helpers import checks\nnp.zeros(3)",
            "from helpers import checks\ndef f():\n    total += 1\nf()",
        )
    ]
    results = run_alone(notebook, cells)
    assert stderr(results[0][1]).strip() == (
        "`slide_image` is made in “5. The slide's example”: run the cells "
        "above first (Run → Run All Above Selected Cell)."
    )
    assert "`undefined_name_xyz` is not defined. If you meant the text undefined_name_xyz, put it in quotes" in stderr(
        results[1][1]
    )
    assert [o.ename for o in results[2][1] if o.output_type == "error"] == ["NameError"]
    assert [o.ename for o in results[3][1] if o.output_type == "error"] == ["ZeroDivisionError"]
    assert "add `import numpy as np`" in stderr(results[4][1])
    assert [o.ename for o in results[5][1] if o.output_type == "error"] == ["UnboundLocalError"]
