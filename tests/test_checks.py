"""Every exercise check passes its reference solution and rejects a wrong answer with a hint."""

import json
import re
from pathlib import Path

import pytest

from helpers import checks
from solutions import SOLUTIONS

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.mark.parametrize("notebook, check, kwargs, right, wrong, hint", SOLUTIONS,
                         ids=[f"{s[0]}-{s[1]}-{i}" for i, s in enumerate(SOLUTIONS)])
def test_check_passes_the_reference_and_rejects_a_wrong_answer(notebook, check, kwargs, right, wrong, hint):
    fn = getattr(checks, check)
    good = fn(right, **kwargs)
    assert good.ok and str(good).startswith("✓"), str(good)
    bad = fn(wrong, **kwargs)
    assert not bad.ok and str(bad).startswith("✗"), str(bad)
    assert hint in str(bad), f"hint {hint!r} missing from {str(bad)!r}"


@pytest.mark.parametrize("notebook, check, kwargs, right, wrong, hint", SOLUTIONS[:1] + SOLUTIONS[-1:])
def test_an_unanswered_exercise_gives_feedback_not_a_traceback(notebook, check, kwargs, right, wrong, hint):
    fn = getattr(checks, check)
    assert "Not answered yet" in fn(None, **kwargs)


@pytest.mark.parametrize("answer", ["thirteen", [["a", "b"]], {"x": 1}, 1e400])
@pytest.mark.parametrize("notebook, check, kwargs, right, wrong, hint", SOLUTIONS,
                         ids=[f"{s[0]}-{s[1]}-{i}" for i, s in enumerate(SOLUTIONS)])
def test_an_unreadable_answer_gives_a_hint_not_a_traceback(notebook, check, kwargs, right, wrong, hint, answer):
    feedback = getattr(checks, check)(answer, **kwargs)
    assert isinstance(feedback, checks.Feedback) and not feedback.ok, str(feedback)


def test_an_unreadable_answer_says_what_was_wanted():
    feedback = checks.conv_parameters("thirteen", in_channels=1, out_channels=8, kernel_size=3)
    assert "Could not read 'thirteen'" in feedback and "parameter count of a convolution layer" in feedback


def test_feedback_shows_as_coloured_html():
    assert "#2e7d32" in checks.Feedback(True, "ok")._repr_html_()
    assert "#b26a00" in checks.Feedback(False, "no")._repr_html_()


def test_every_exercise_in_the_notebooks_has_a_reference_solution():
    calls = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                calls += [(path.stem, name) for name in re.findall(r"checks\.(\w+)\(answer", "".join(cell["source"]))]
    assert calls == [(s[0], s[1]) for s in SOLUTIONS]
