"""Every exercise check passes its reference solution and rejects a wrong answer with a hint."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from solutions import SOLUTIONS

from helpers import checks

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.mark.parametrize(
    "notebook, check, kwargs, right, wrong, hint",
    SOLUTIONS,
    ids=[f"{s[0]}-{s[1]}-{i}" for i, s in enumerate(SOLUTIONS)],
)
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
@pytest.mark.parametrize(
    "notebook, check, kwargs, right, wrong, hint",
    SOLUTIONS,
    ids=[f"{s[0]}-{s[1]}-{i}" for i, s in enumerate(SOLUTIONS)],
)
def test_an_unreadable_answer_gives_a_hint_not_a_traceback(notebook, check, kwargs, right, wrong, hint, answer):
    feedback = getattr(checks, check)(answer, **kwargs)
    assert isinstance(feedback, checks.Feedback) and not feedback.ok, str(feedback)


# Words a student should never meet in a hint: Python's and numpy's own error messages.
INTERNALS = (
    "could not convert",
    "0-dimensional",
    "dtype",
    "Traceback",
    "invalid literal",
    "object of type",
    "unsupported operand",
    "NoneType",
    "not subscriptable",
    "inhomogeneous",
    "Error",
)


@pytest.mark.parametrize(
    "answer",
    ["forty", "40", [["a", "b"]], {"x": 1}, 1e400, float("nan"), True, 3 + 4j, np.arange(4), [1, [2, 3]], object()],
)
@pytest.mark.parametrize(
    "notebook, check, kwargs, right, wrong, hint",
    SOLUTIONS,
    ids=[f"{s[0]}-{s[1]}-{i}" for i, s in enumerate(SOLUTIONS)],
)
def test_a_hint_is_in_the_words_of_the_lesson(notebook, check, kwargs, right, wrong, hint, answer):
    feedback = getattr(checks, check)(answer, **kwargs)
    assert not feedback.ok
    assert not any(word in feedback for word in INTERNALS), str(feedback)


@pytest.mark.parametrize(
    "check, kwargs, answer, words",
    [
        ("conv_parameters", dict(in_channels=16, out_channels=32, kernel_size=3), 4640.7, "not a whole number"),
        ("hog_length", dict(), 1296.9, "not a whole number"),
        ("output_shape", dict(n=28, kernel=5, stride=2, padding=1), 13.5, "Round down"),
        ("conv_parameters", dict(in_channels=16, out_channels=32, kernel_size=3), "forty", "with digits"),
        ("conv_parameters", dict(in_channels=16, out_channels=32, kernel_size=3), "4640", "without the quotes"),
        ("output_shape", dict(n=28, kernel=5), np.array([24, 24]), "one number, not an array of 2 values"),
        ("output_shape", dict(n=28, kernel=5), [24], "one number, not a list"),
        ("output_shape", dict(n=28, kernel=5), True, "yes/no"),
        ("pooled", dict(x=np.eye(4), kernel_size=2), [[1, 0], [0]], "rows have different lengths"),
        ("pooled", dict(x=np.eye(4), kernel_size=2), 1, "this is one number"),
        ("shape_through", dict(expected_shape=(16, 6, 6), hint="h"), (16, 6.5, 6), "whole numbers"),
    ],
)
def test_a_wrong_kind_of_answer_gets_a_hint_that_names_it(check, kwargs, answer, words):
    feedback = getattr(checks, check)(answer, **kwargs)
    assert not feedback.ok and words in feedback, str(feedback)


@pytest.mark.parametrize(
    "check, kwargs, answer",
    [
        ("conv_parameters", dict(in_channels=16, out_channels=32, kernel_size=3), 4640.0),
        ("conv_parameters", dict(in_channels=16, out_channels=32, kernel_size=3), np.int64(4640)),
        ("hog_length", dict(image_size=28, pixels_per_cell=4), np.array(1296)),
        ("output_shape", dict(n=28, kernel=5, stride=2, padding=1), 13.0),
    ],
)
def test_a_whole_number_written_as_a_float_or_numpy_scalar_is_accepted(check, kwargs, answer):
    assert getattr(checks, check)(answer, **kwargs).ok


def test_hints_go_through_the_language_switch(monkeypatch):
    from helpers import i18n, i18n_ru

    monkeypatch.setitem(i18n_ru.RU, "Almost: each kernel also has one bias.", "Почти: у каждого ядра есть смещение.")
    monkeypatch.setattr(i18n, "_current", "ru")
    feedback = checks.conv_parameters(32 * 16 * 9, in_channels=16, out_channels=32, kernel_size=3)
    assert "Почти" in feedback


def test_feedback_shows_as_coloured_html():
    assert "#2e7d32" in checks.Feedback(True, "ok")._repr_html_()
    assert "#b26a00" in checks.Feedback(False, "no")._repr_html_()


def test_every_exercise_in_the_notebooks_has_a_reference_solution():
    calls = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                calls += [(path.stem, name) for name in re.findall(r"checks\.(\w+)\(answer", "".join(cell["source"]))]
    assert sorted(calls) == sorted((s[0], s[1]) for s in SOLUTIONS)


# --- checks of code a student writes: a reference passes, each typical mistake gets its own hint ---------------


def _conv(image, kernel, stride=1, padding=0, flip=False):
    image, kernel = np.pad(np.asarray(image, float), padding), np.asarray(kernel, float)
    kernel = kernel[::-1, ::-1] if flip else kernel
    k = kernel.shape[0]
    rows, cols = (image.shape[0] - k) // stride + 1, (image.shape[1] - k) // stride + 1
    return np.array(
        [
            [np.sum(image[i * stride : i * stride + k, j * stride : j * stride + k] * kernel) for j in range(cols)]
            for i in range(rows)
        ]
    )


def _pool(x, size=2, stride=None, reduce=np.max):
    s = stride or size
    rows, cols = (x.shape[0] - size) // s + 1, (x.shape[1] - size) // s + 1
    return np.array([[reduce(x[i * s : i * s + size, j * s : j * s + size]) for j in range(cols)] for i in range(rows)])


def _train(zero_grad=True, step=True):
    import torch.nn.functional as F

    def train_epoch(model, optimizer, images, labels, batch_size=64):
        for start in range(0, len(images), batch_size):
            loss = F.cross_entropy(model(images[start : start + batch_size]), labels[start : start + batch_size])
            if zero_grad:
                optimizer.zero_grad()
            loss.backward()
            if step:
                optimizer.step()

    return train_epoch


def _backward(flip=False):
    def conv_backward(x, w, dout):
        k = w.shape[0]
        dx, dw = np.zeros(x.shape), np.zeros(w.shape)
        for i in range(dout.shape[0]):
            for j in range(dout.shape[1]):
                dx[i : i + k, j : j + k] += dout[i, j] * (w[::-1, ::-1] if flip else w)
                dw += dout[i, j] * x[i : i + k, j : j + k]
        return dx, dw

    return conv_backward


def _gradients(image, swap=False):
    image = np.asarray(image, float)
    gx, gy = np.zeros_like(image), np.zeros_like(image)
    gx[:, 1:-1], gy[1:-1] = image[:, 2:] - image[:, :-2], image[2:] - image[:-2]
    return (gy, gx) if swap else (gx, gy)


def _l2_hys(block, eps=1e-5, clip=True, clip_first=False, renormalise=True, eps_outside=False):
    """L2-Hys by hand (Dalal and Triggs): normalise, clip at 0.2, normalise again; and its typical mistakes."""

    def normalise(v):
        return v / (np.sqrt(np.sum(v**2)) + eps) if eps_outside else v / np.sqrt(np.sum(v**2) + eps**2)

    v = np.asarray(block, float)
    if clip_first:
        v = np.minimum(v, 0.2)
    v = normalise(v)
    if clip and not clip_first:
        v = np.minimum(v, 0.2)
    return normalise(v) if renormalise else v


FUNCTION_CHECKS = [
    (
        "conv2d_function",
        _conv,
        lambda i, k, stride=1, padding=0: _conv(i, k, stride, padding, flip=True),
        "flips the kernel",
    ),
    ("conv2d_function", _conv, lambda i, k, stride=1, padding=0: _conv(i, k, stride, 0), "should be"),
    ("conv2d_function", _conv, lambda i, k, stride=1, padding=0: None, "returns nothing"),
    ("conv2d_function", _conv, lambda i, k, stride=1, padding=0: i[99], "stopped with an error on a 5×5 image"),
    (
        "conv2d_channels_function",
        lambda x, w, stride=1, padding=0: np.stack(
            [sum(_conv(x[c], k[c], stride, padding) for c in range(len(x))) for k in w]
        ),
        lambda x, w, stride=1, padding=0: np.stack([_conv(x[0], k[0], stride, padding) for k in w]),
        "first channel",
    ),
    ("max_pool_function", _pool, lambda x, size=2, stride=None: _pool(x, size, stride, np.mean), "average pooling"),
    ("max_pool_function", _pool, lambda x, size=2, stride=None: _pool(x, size, size), "round down"),
    ("image_gradients_function", _gradients, lambda im: _gradients(im, swap=True), "swapped"),
    ("block_normalization_function", _l2_hys, lambda b: _l2_hys(b, clip=False), "nothing is clipped"),
    ("block_normalization_function", _l2_hys, lambda b: _l2_hys(b, clip_first=True), "clip before the first"),
    ("block_normalization_function", _l2_hys, lambda b: _l2_hys(b, renormalise=False), "normalise again"),
    ("block_normalization_function", _l2_hys, lambda b: _l2_hys(b, eps=0), "gives nan"),
    ("block_normalization_function", _l2_hys, lambda b: _l2_hys(b, eps_outside=True), "under the square root"),
    ("block_normalization_function", _l2_hys, lambda b: b, "returns the block as it was"),
    ("training_loop", _train(), _train(zero_grad=False), "pile up"),
    ("training_loop", _train(), _train(step=False), "never change"),
    ("conv_backward_function", _backward(), _backward(flip=True), "flipped kernel"),
]


@pytest.mark.parametrize("check, right, wrong, hint", FUNCTION_CHECKS, ids=[f"{c[0]}-{c[3]}" for c in FUNCTION_CHECKS])
def test_a_code_check_passes_the_reference_and_names_the_mistake(check, right, wrong, hint):
    assert getattr(checks, check)(right).ok
    feedback = getattr(checks, check)(wrong)
    assert not feedback.ok and hint in feedback, str(feedback)


@pytest.mark.parametrize("check", sorted({c[0] for c in FUNCTION_CHECKS}))
def test_a_code_check_of_nothing_or_a_number_is_a_hint(check):
    assert "Not answered yet" in getattr(checks, check)(None)
    assert "without brackets" in getattr(checks, check)(3)


def test_the_block_normalization_check_agrees_with_the_hand_computed_l2_hys():
    """The check's reference (scikit-image) against values worked out by hand: a block [3, 4] has length 5, so
    [0.6, 0.8] -> clipped [0.2, 0.2] -> [1/√2, 1/√2]; an all-zero block stays all zeros."""
    from skimage.feature._hog import _hog_normalize_block

    assert np.allclose(_hog_normalize_block(np.array([3.0, 4.0]), method="L2-Hys"), [0.5**0.5] * 2)
    assert np.array_equal(_hog_normalize_block(np.zeros(4), method="L2-Hys"), np.zeros(4))
    assert checks.block_normalization_function(lambda b: _hog_normalize_block(b, method="L2-Hys")).ok
    assert "gives nan" in checks.block_normalization_function(lambda b: _l2_hys(b) / (b.sum() != 0))


def test_numerical_gradient_agrees_with_the_derivative():
    x, dout = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])
    assert checks.relative_error(checks.numerical_gradient(lambda v: v**2, x, dout), 2 * x * dout) < 1e-8


def test_receptive_field_matches_the_gradient_and_names_the_stride_mistake():
    stack = [("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)]
    assert checks.receptive_field(18, stack).ok  # 1 + 2 + 1 + 2·2 + 1·2 + 2·4, by hand
    assert "multiply the later layers" in checks.receptive_field(9, stack)


def test_the_learned_kernel_check_knows_the_hidden_kernel():
    import torch
    import torch.nn.functional as F

    images, targets = checks.kernel_task()
    w = torch.linalg.lstsq(
        torch.stack([images[:, 0, a : a + 10, b : b + 10].reshape(-1) for a in range(3) for b in range(3)], 1),
        targets.reshape(-1, 1),
    ).solution.reshape(3, 3)
    assert torch.allclose(F.conv2d(images, w[None, None]), targets)
    assert checks.learned_kernel(w).ok and not checks.learned_kernel(w + 1).ok


# --- a NameError in a cell: the sentence, the section it names ------------------------------------------------


def test_defines_finds_assignments_functions_imports_and_loops():
    assert checks._defines("slide_image = np.zeros(3)", "slide_image")
    assert checks._defines("a, slide_image = 1, 2", "slide_image")
    assert checks._defines("def conv2d(x):\n    return x", "conv2d")
    assert checks._defines("import numpy as np", "np")
    assert checks._defines("from helpers.conv import conv2d, output_size", "output_size")
    assert checks._defines("for image in images:\n    pass", "image")
    assert not checks._defines("y = slide_image + 1", "slide_image")
    assert not checks._defines("if slide_image == 3:\n    slide_image = 2", "slide_image")  # indented: local


def test_the_hint_names_the_heading_above_the_cell_that_makes_the_name(tmp_path, monkeypatch):
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["## 5. The slide's example"]},
            {"cell_type": "code", "source": ["slide_image = [[1]]\n"]},
            {"cell_type": "markdown", "source": ["### Exercise 2 · **The loop**"]},
            {"cell_type": "code", "source": ["def conv2d(x):\n", "    return x\n"]},
        ]
    }
    (tmp_path / "lesson.ipynb").write_text(__import__("json").dumps(nb))
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "lesson.ipynb"))
    assert checks.name_hint("slide_image").startswith("`slide_image` is made in “5. The slide's example”: run the")
    assert "“Exercise 2 · The loop”" in checks.name_hint("conv2d")
    nowhere = checks.name_hint("nowhere")  # made by no cell: most likely a text typed without its quotes
    assert nowhere.index('put it in quotes: "nowhere"') < nowhere.index("run the cells above")
    monkeypatch.delenv("JPY_SESSION_NAME")
    assert "add `import torch`" in checks.name_hint("torch")


# --- the package: one idea a module; a check's own bug is a bug, not "could not read your answer" ------------


def test_the_checks_package_keeps_each_module_under_500_lines():
    package = Path(checks.__file__).parent
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in package.glob("*.py")}
    assert {"feedback.py", "values.py", "functions.py", "gradient.py", "autograde.py", "names.py"} <= set(sizes)
    assert max(sizes.values()) <= 500, sizes


class _NoArray:
    """An answer numpy cannot take in: its conversion raises."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no")


def test_an_answer_numpy_cannot_read_gets_the_could_not_read_hint():
    feedback = checks.pooled(_NoArray(), x=np.eye(4), kernel_size=2)
    assert not feedback.ok and "Could not read" in feedback and "pooled map" in feedback


def test_a_bug_in_a_check_surfaces_as_an_error_not_as_a_hint():
    @checks._readable
    def broken(answer):
        """Something."""
        return 1 / 0

    with pytest.raises(ZeroDivisionError):
        broken(3)


def test_the_receptive_field_self_test_blames_the_check_not_the_student(monkeypatch):
    from helpers import models

    monkeypatch.setattr(models, "receptive_field", lambda layers: models.Field(0, 0, 6, 6))  # the truth is 5
    with pytest.raises(RuntimeError, match="the recurrence gives 7"):
        checks.receptive_field(5, [("conv", 3, 1), ("conv", 3, 1)])


def test_the_could_not_read_hint_works_without_docstrings():
    """python -OO drops docstrings; the hint names what was wanted all the same (the decorator holds its text)."""
    import subprocess
    import sys

    code = (
        "import numpy as np\nfrom helpers import checks\n"
        "class A:\n    def __array__(self, *a, **k):\n        raise RuntimeError('no')\n"
        "print(checks.pooled(A(), x=np.eye(4), kernel_size=2))"
    )
    done = subprocess.run(
        [sys.executable, "-OO", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(checks.__file__).parent.parent.parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Could not read" in done.stdout and "pooled" in done.stdout


@pytest.mark.parametrize("answer", [3.5, 12.25, 13.9])
def test_a_fraction_for_a_side_is_told_a_side_counts_cells(answer):
    """28, kernel 5, stride 2, padding 1: (28 + 2 − 5) / 2 + 1 = 13.5 before the floor; 13 is right."""
    feedback = checks.output_shape(answer, n=28, kernel=5, stride=2, padding=1)
    assert not feedback.ok and "not a whole number: a side counts cells" in feedback


def test_the_unfloored_division_is_told_to_round_down():
    feedback = checks.output_shape(13.5, n=28, kernel=5, stride=2, padding=1)
    assert not feedback.ok and "Round down (floor)" in feedback
