"""No homework answer is on screen before the student works it out, and the homework's checks are right.

- The answers listed in tests/solutions.py (HOMEWORK_ANSWERS) are the source notebooks' reference answers.
- The scan: every lesson (notebooks/*.ipynb and notebooks/ru/*.ipynb: code, text, check calls, format hints,
  examples and stored outputs) and every homework as it is handed out (notebooks/homework/ and
  notebooks/ru/homework/ without the solution and hidden-test regions; the release keeps no outputs) holds none
  of the answers, in any of the ways a number is written (648; 6,020 or 6 020; 0.839 or 0,839; a matrix's entries
  in order). 0 found.
- A malformed or wrong answer to a homework or lesson check gets a hint that does not contain the answer (a format
  example that equals the answer is a leak too).
- Each homework check passes the reference solution and names the typical mistake, as the autograder will.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from solutions import HOMEWORK_ANSWERS, HOMEWORK_WORDS_ANSWERS, LESSON_TASKS, SOLUTIONS

from helpers import checks
from helpers import homework_tasks as tasks

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((NOTEBOOKS / "ru").glob("*.ipynb"))
HOMEWORK = sorted((NOTEBOOKS / "homework").glob("*.ipynb"))
HOMEWORK_RU = sorted((NOTEBOOKS / "ru" / "homework").glob("*.ipynb"))
SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION\n?", re.S | re.M)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n(.*?)^[ \t]*### END HIDDEN TESTS\n?", re.S | re.M)
# Answer cells that only measure (they train, time or plot): the answers above do not depend on them.
MEASURING = {"faint_or_moved", "im2col_size", "below_above", "raw_loss", "reach_target", "mirrored"}


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _lr_limit() -> float:
    return float(2 / np.linalg.eigvalsh(tasks._loss_hessian(tasks.learning_images(), 4, 2))[-1])


def _answers():
    return [(nb, name, _lr_limit() if value is None else value) for nb, name, value in HOMEWORK_ANSWERS]


# --- the ways a value is written ---------------------------------------------------------------------------------

SPACE = "[ \u00a0\u2009\u202f]"  # a thousands separator in Russian: a (thin, no-break) space


def _number(value: float) -> str:
    """A regex for one number as a person or Python would print it."""
    sign = "[-−]" if value < 0 else ""
    value = abs(value)
    if float(value).is_integer():
        whole = int(value)
        forms = {str(whole)}
        if whole >= 1000:
            forms |= {f"{whole:,}", f"{whole:,}".replace(",", SPACE)}
        body = "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + r")(?:[.,]0*)?"
    else:
        places = max(0, 2 - int(np.floor(np.log10(value))))  # three significant digits
        rounded = f"{value:.{places}f}".rstrip("0")  # 0.839, 3.33, 4.5
        cut = f"{np.floor(value * 10**places) / 10**places:.{places}f}".rstrip("0")  # 0.838 of 0.8387
        body = "(?:" + "|".join({d.replace(".", "[.,]") for d in (rounded, cut)}) + r")\d*"
    return sign + body


def _pattern(value) -> re.Pattern:
    flat = np.ravel(np.asarray(value, float))
    if flat.size == 1:
        core = _number(float(flat[0]))
    else:
        core = r"[\s,;\[\]()]+".join(_number(float(v)) for v in flat)
    return re.compile(rf"(?<![\w.,]){core}(?![\d]|[.,]\d)")


def test_the_patterns_find_an_answer_written_each_way():
    assert _pattern(6020).search("… 6,020 parameters") and _pattern(6020).search("6\u2009020 параметров")
    assert _pattern(648).search("(648)") and not _pattern(648).search("6480") and not _pattern(648).search("0.648")
    assert _pattern(0.83866).search("2/λ = 0.839") and _pattern(0.83866).search("0,8387")
    assert _pattern([[3.25, 4.0], [4.5, 10 / 3]]).search("[[3.25, 4.], [4.5, 3.3333]]")
    assert _pattern([[-1, -1], [1, 1]]).search("[[−1, -1], [1, 1]]") and not _pattern(-14).search("14")


# --- the answers are the notebooks' reference answers ------------------------------------------------------------


def _reference_namespace(path: Path) -> dict:
    """The answer cells of a source notebook run in order, the reference typed in (measuring cells skipped)."""
    namespace: dict = {}
    for cell in _cells(path):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution") and meta.get("grade_id") not in MEASURING:
            exec(compile("".join(cell["source"]), f"{path.name}:{meta['grade_id']}", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("path", HOMEWORK, ids=lambda p: p.stem)
def test_the_listed_answers_are_the_reference_answers(path):
    namespace = _reference_namespace(path)
    listed = [(name, value) for nb, name, value in _answers() if nb == path.stem]
    assert listed, f"{path.stem} has no answer listed in tests/solutions.py"
    for name, value in listed:
        assert np.allclose(np.asarray(namespace[name], float), np.asarray(value, float)), name


# --- the scan ------------------------------------------------------------------------------------------------


def _lesson_text(path: Path) -> str:
    """Everything a lesson shows: cells (code: check calls, hints, examples; text) and stored outputs."""
    parts = []
    for cell in _cells(path):
        parts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            parts.append("".join(out.get("evalue", "")))
            for kind in ("text/plain", "text/html", "text/markdown", "text/latex"):
                parts.append("".join(out.get("data", {}).get(kind, "")))
    return "\n".join(parts)


def _released_text(path: Path) -> str:
    """What the student release of a homework notebook shows: no solution region, no hidden test, no output."""
    return "\n".join(HIDDEN.sub("", SOLUTION.sub("", "".join(cell["source"]))) for cell in _cells(path))


def test_no_answer_is_on_screen_in_any_lesson_or_handed_out_homework():
    texts = {str(p.relative_to(NOTEBOOKS)): _lesson_text(p) for p in LESSONS}
    texts |= {str(p.relative_to(NOTEBOOKS)): _released_text(p) for p in HOMEWORK + HOMEWORK_RU}
    assert len(texts) >= 2 * 7 + 5
    found = []
    for notebook, name, value in _answers() + HOMEWORK_WORDS_ANSWERS:
        pattern = _pattern(value)
        for where, text in texts.items():
            for match in pattern.finditer(text):
                context = text[max(0, match.start() - 40) : match.end() + 20]
                found.append(f"{notebook}:{name} = {value!r} in {where}: …{context}…")
    assert found == [], "\n".join(found)


# --- hints never carry the answer ---------------------------------------------------------------------------------

MALFORMED = [None, "text", "12", {"a": 1}, [[1, 2], [3]], 1e400, float("nan"), True, [1.5, 2.5], np.zeros((4, 4))]

HOMEWORK_CHECKS = [  # (check, its other arguments as the grade cell passes them, the answer's name)
    (
        tasks.hog_length,
        dict(rows=48, cols=40, pixels_per_cell=8, cells_per_block=3, orientations=6),
        ("hw01_hog", "hog_length_answer"),
    ),
    (checks.output_shape, dict(n=1000, kernel=5, stride=2, padding=4, dilation=3), ("hw02_convolution", "side_answer")),
    (
        tasks.layer_parameters,
        dict(in_channels=12, out_channels=20, kernel_size=5, dilation=3),
        ("hw02_convolution", "parameters_answer"),
    ),
    (
        checks.one_output_cell,
        dict(
            image=np.array([[17] * 6] * 2 + [[40] * 6] + [[121] * 6] * 3),
            kernel=np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
            row=1,
            col=2,
        ),
        ("hw03_kernels", "edge_answer"),
    ),
    (tasks.corner_kernel, dict(), ("hw03_kernels", "tip_kernel")),
    (tasks.largest_stable_lr, dict(images=None, k=4, stride=2), ("hw03_kernels", "lr_limit_answer")),
    (
        tasks.avg_pooled,
        dict(
            x=[[3, 0, 7, 1], [2, 8, 4, 4], [5, 1, 0, 6], [9, 2, 3, 2]],
            kernel_size=3,
            stride=2,
            padding=1,
            count_include_pad=False,
        ),
        ("hw04_pooling", "avg_answer"),
    ),
    (
        tasks.receptive_side,
        dict(layers=[("conv", 3, 2, 1), ("conv", 3, 1, 3), ("conv", 3, 1, 7), ("conv", 3, 1, 9)]),
        ("hw04_pooling", "rf_side_answer"),
    ),
    (
        tasks.receptive_pixels,
        dict(layers=[("conv", 3, 2, 1), ("conv", 3, 1, 3), ("conv", 3, 1, 7), ("conv", 3, 1, 9)]),
        ("hw04_pooling", "rf_pixels_answer"),
    ),
]


@pytest.mark.parametrize("check, kwargs, name", HOMEWORK_CHECKS, ids=[c[2][1] for c in HOMEWORK_CHECKS])
def test_a_homework_check_passes_its_answer_and_no_hint_shows_it(check, kwargs, name):
    value = {(nb, n): v for nb, n, v in _answers()}[name]
    if "images" in kwargs:
        kwargs = dict(kwargs, images=tasks.learning_images())
    assert check(value, **kwargs).ok
    pattern = _pattern(value)
    flat = np.ravel(np.asarray(value, float))
    wrong = (
        [flat[0] + 1, flat[0] * 2, flat[0] / 2, -flat[0]]
        if flat.size == 1
        else [-np.asarray(value, float), np.asarray(value, float) + 1]
    )
    for answer in MALFORMED + wrong:
        feedback = check(answer, **kwargs)
        assert isinstance(feedback, checks.Feedback) and not feedback.ok, (answer, str(feedback))
        assert not pattern.search(str(feedback)), f"{name}: the hint for {answer!r} shows the answer: {feedback}"


LESSON_CHECKS = [(getattr(checks, c), kw, right) for _, c, kw, right, *_ in SOLUTIONS] + [
    (getattr(tasks, c), kw, right) for _, c, kw, right, *_ in LESSON_TASKS
]


@pytest.mark.parametrize(
    "check, kwargs, right", LESSON_CHECKS, ids=[f"{s[0]}-{s[1]}-{i}" for i, s in enumerate(SOLUTIONS + LESSON_TASKS)]
)
def test_no_lesson_check_shows_its_answer_in_a_hint_or_example(check, kwargs, right):
    pattern = _pattern(right)
    for answer in MALFORMED:
        feedback = check(answer, **kwargs)
        assert not feedback.ok and not pattern.search(str(feedback)), f"the hint for {answer!r}: {feedback}"


@pytest.mark.parametrize("notebook, check, kwargs, right, wrong, hint", LESSON_TASKS, ids=[s[1] for s in LESSON_TASKS])
def test_the_lesson_checks_of_homework_tasks_pass_the_reference_and_name_the_mistake(
    notebook, check, kwargs, right, wrong, hint
):
    fn = getattr(tasks, check)
    assert fn(right, **kwargs).ok
    bad = fn(wrong, **kwargs)
    assert not bad.ok and hint in str(bad), str(bad)
    assert "Not answered yet" in fn(None, **kwargs)


# --- the homework's function checks: the reference passes, the typical mistake gets its hint ---------------------

# (notebook, answer cell, text of the reference answer, the mistake, the grade cells that then fail, words of the hint)
TYPICAL_MISTAKES = [
    (
        "hw01_hog",
        "normalize_block",
        "v = np.minimum(v, 0.2)",
        "v = v",
        ["normalize_block_check", "signed_hog_check"],
        "plain L2",
    ),
    ("hw01_hog", "signed_hog", "% 360 // 45", "% 180 // 45", ["signed_hog_check"], "stop at 180°"),
    (
        "hw02_convolution",
        "im2col",
        "out[:, i * cols + j] = x[:, r:r + span:dilation, c:c + span:dilation].ravel()",
        "out[:, i * cols + j] = x[:, r:r + span:dilation, c:c + span:dilation].transpose(1, 2, 0).ravel()",
        ["im2col_check", "conv_im2col_check"],
        "another order",
    ),
    (
        "hw03_kernels",
        "loss_hessian",
        "return 2 * P.T @ P / len(P)",
        "return P.T @ P / len(P)",
        ["loss_hessian_check", "lr_limit_check"],
        "Half of autograd's",
    ),
    (
        "hw04_pooling",
        "avg_pool",
        "size * size if count_include_pad else real[window].sum()",
        "real[window].sum() if count_include_pad else size * size",
        ["avg_pool_check"],
        "the opposite",
    ),
    (
        "hw04_pooling",
        "max_pool_backward",
        "dx[i * stride + a, j * stride + b] += dout[i, j]",
        "dx[i * stride + a, j * stride + b] = dout[i, j]",
        ["max_pool_backward_check"],
        "add the gradients",
    ),
    (
        "hw05_cnn",
        "conv_backward",
        "return dpadded[padding:padding + x.shape[0], padding:padding + x.shape[1]], dw",
        "return dpadded, dw",
        ["conv_backward_check"],
        "padded size",
    ),
    (
        "hw05_cnn",
        "fgsm_towards",
        "return (pixels.detach() - epsilon * p.grad.sign()).clamp(0, 1)",
        "return (pixels.detach() + epsilon * p.grad.sign()).clamp(0, 1)",
        ["fgsm_towards_check"],
        "away from it",
    ),
    (
        "hw05_cnn",
        "fgsm_towards",
        "return (pixels.detach() - epsilon * p.grad.sign()).clamp(0, 1)",
        "return pixels.detach() - epsilon * p.grad.sign()",
        ["fgsm_towards_check"],
        "clamp(0, 1)",
    ),
    (
        "hw05_cnn",
        "fgsm_towards",
        "return (pixels.detach() - epsilon * p.grad.sign()).clamp(0, 1)",
        "return (pixels.detach() - epsilon * 100 * p.grad).clamp(0, 1)",
        ["fgsm_towards_check"],
        "sign of the gradient",
    ),
]
GRADE_CALLS = {  # the grade cell's check, called on the names the answer cells made
    "normalize_block_check": lambda ns: checks.block_normalization_function(ns["normalize_block"]),
    "signed_hog_check": lambda ns: tasks.signed_hog_function(ns["signed_hog"]),
    "im2col_check": lambda ns: tasks.im2col_function(ns["im2col"]),
    "conv_im2col_check": lambda ns: tasks.conv_im2col_function(ns["conv2d_im2col"]),
    "loss_hessian_check": lambda ns: tasks.loss_hessian_function(ns["loss_hessian"]),
    "lr_limit_check": lambda ns: tasks.largest_stable_lr(ns["lr_limit_answer"], tasks.learning_images(), k=4, stride=2),
    "avg_pool_check": lambda ns: tasks.avg_pool_function(ns["avg_pool"]),
    "max_pool_backward_check": lambda ns: tasks.max_pool_backward_function(ns["max_pool_backward"]),
    "conv_backward_check": lambda ns: tasks.conv_backward_function(ns["conv_backward"]),
    "fgsm_towards_check": lambda ns: tasks.fgsm_towards_function(ns["fgsm_towards"]),
}


def _namespace_with(path: Path, answer_id: str | None = None, right: str = "", wrong: str = "") -> dict:
    namespace: dict = {}
    for cell in _cells(path):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] != "code" or not meta.get("solution") or meta.get("grade_id") in MEASURING:
            continue
        source = "".join(cell["source"])
        if meta.get("grade_id") == answer_id:
            assert right in source, (answer_id, right)
            source = source.replace(right, wrong)
        exec(compile(source, f"{path.name}:{meta['grade_id']}", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("notebook", sorted({m[0] for m in TYPICAL_MISTAKES}))
def test_the_reference_passes_every_function_check(notebook):
    namespace = _namespace_with(NOTEBOOKS / "homework" / f"{notebook}.ipynb")
    for grade in {g for m in TYPICAL_MISTAKES if m[0] == notebook for g in m[4]}:
        feedback = GRADE_CALLS[grade](namespace)
        assert feedback.ok, f"{grade}: {feedback}"


@pytest.mark.parametrize(
    "notebook, answer_id, right, wrong, failing, hint", TYPICAL_MISTAKES, ids=[m[1] for m in TYPICAL_MISTAKES]
)
def test_a_typical_mistake_fails_its_checks_with_a_hint_that_names_it(notebook, answer_id, right, wrong, failing, hint):
    namespace = _namespace_with(NOTEBOOKS / "homework" / f"{notebook}.ipynb", answer_id, right, wrong)
    feedback = GRADE_CALLS[failing[0]](namespace)
    assert not feedback.ok and hint in str(feedback), str(feedback)
    for grade in failing[1:]:
        later = GRADE_CALLS[grade](namespace)
        assert not later.ok and "Traceback" not in str(later), str(later)


def test_hog_reference_is_scikit_images_hog_when_unsigned():
    from skimage.feature import hog

    from helpers.data import load_mnist

    for image in [load_mnist("test")[0][7].astype(float), np.random.default_rng(0).integers(0, 256, (12, 16))]:
        ours = tasks.signed_hog_reference(image, orientations=9, signed=False)
        theirs = hog(
            np.asarray(image, float),
            orientations=9,
            pixels_per_cell=(4, 4),
            cells_per_block=(2, 2),
            block_norm="L2-Hys",
        )
        assert np.allclose(ours, theirs, atol=1e-7)


def test_the_corner_scenes_have_one_tip_and_the_checks_work_on_fresh_ones():
    scenes, tips = tasks.corner_scenes(30, seed=9)
    assert scenes.shape == (30, 24, 24) and set(np.unique(scenes)) <= {0.0, 1.0}
    for scene, (r, c) in zip(scenes, tips):
        assert scene[r, c] == scene[r, c + 1] == scene[r + 1, c] == 1 and scene[r - 1, c] == scene[r, c - 1] == 0
    assert tasks.corner_kernel([[-1, -1, -1], [-1, 1, 1], [-1, 1, -1]], seed=9).ok
    assert (
        "filled square" in tasks.corner_kernel([[0, 0, 0], [0, 1, 1], [0, 1, 0]], seed=9)
        or not tasks.corner_kernel([[0, 0, 0], [0, 1, 1], [0, 1, 0]], seed=9).ok
    )


def test_the_target_check_measures_a_network_on_unseen_digits():
    import torch

    untrained = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(28 * 28, 10))
    feedback = tasks.reaches_target(untrained, target=0.965)
    assert not feedback.ok and "%" in str(feedback)
    assert "Not answered yet" in tasks.reaches_target(None)
    assert not tasks.reaches_target("model").ok
