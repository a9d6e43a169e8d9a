"""Homework: the student release holds no solution, and a class of returned sets is graded as expected.

One release and one grading run for the module (a fresh course folder under tmp): `reference` (the solutions
typed in: full points), `untouched` (the release as handed out: zero points, no crash), `partly_wrong` (five
typical mistakes: the points and hints listed in PARTLY_WRONG), and one submission per attack on the grader
(ATTACKS, `attack_json`, `attack_delete`, `attack_read`): each gets the points of its honest cells and a note in
the CSV, grading finishes for everyone, and the repository's sources, the course folder and every submission are
byte for byte as before.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from tools import homework
from tools.grading.sandbox import isolation

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's lazy relations

SOURCES = sorted(homework.SOURCE.glob("*.ipynb"))
SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION\n?", re.S | re.M)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n(.*?)^[ \t]*### END HIDDEN TESTS\n?", re.S | re.M)

# (notebook, answer cell's grade_id, text in the reference answer, the mistake), the autograder cell that then
# fails, and the words its hint must contain.
PARTLY_WRONG = [
    (
        "hw01_hog",
        "hog_length",
        "(48 // 8 - 3 + 1) * (40 // 8 - 3 + 1) * 3 * 3 * 6",
        "(48 // 8) * (40 // 8) * 6",
        ["hog_length_check"],
        "Blocks overlap",
    ),
    (
        "hw01_hog",
        "normalize_block",
        "v = np.minimum(v, 0.2)",
        "v = v",
        ["normalize_block_check", "signed_hog_check"],
        "plain L2",
    ),
    (
        "hw02_convolution",
        "im2col",
        "c:c + span:dilation].ravel()",
        "c:c + span:dilation].transpose(1, 2, 0).ravel()",
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
        "max_pool_backward",
        "+= dout[i, j]",
        "= dout[i, j]",
        ["max_pool_backward_check"],
        "add the gradients",
    ),
    (
        "hw05_cnn",
        "network_parameters",
        "(6 * 1 * 5 * 5 + 6) + (12 * 6 * 3 * 3 + 12) + (10 * 12 * 6 * 6 + 10)",
        "(6 * 1 * 5 * 5) + (12 * 6 * 3 * 3) + (10 * 12 * 6 * 6)",
        ["network_parameters_check"],
        "also has one bias",
    ),
    (
        "hw05_cnn",
        "conv_backward",
        "return dpadded[padding:padding + x.shape[0], padding:padding + x.shape[1]], dw",
        "return dpadded, dw",
        ["conv_backward_check"],
        "padded size",
    ),
]


def _cells(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))["cells"]


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _solution_text(source: str) -> str:
    """The reference answer's own lines: what the markers enclose."""
    return "".join(SOLUTION.findall(source))


def _typed_in(source: str) -> str:
    """A solution cell as a student who typed the reference answer would return it: the markers gone."""
    return SOLUTION.sub(lambda m: m.group(1), source)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A fresh nbgrader course folder with the release built; one per test module."""
    root = tmp_path_factory.mktemp("homework")
    released = homework.prepare(root / "course")
    return root, released


def _submission(released: Path, folder: Path, mistakes=()) -> None:
    folder.mkdir(parents=True)
    for source in SOURCES:
        reference = {_grade_id(c): "".join(c["source"]) for c in _cells(source)}
        nb = nbformat.read(released / source.name, as_version=4)
        for cell in nb.cells:
            gid = _grade_id(cell)
            if mistakes is None or not cell.metadata.get("nbgrader", {}).get("solution"):
                continue
            cell.source = _typed_in(reference[gid])
            for notebook, answer_id, right, wrong, *_ in mistakes:
                if notebook == source.stem and gid == answer_id:
                    assert right in cell.source, (notebook, answer_id, right)
                    cell.source = cell.source.replace(right, wrong)
        nbformat.write(nb, folder / source.name)


ATTACKS = {
    # every function of helpers.checks a no-op that passes, allclose and friends always True: in each notebook
    "patch": (
        "*",
        "first",
        """
import builtins, numpy, torch
from helpers import checks
from helpers.checks import feedback
passed = feedback.Feedback(True, "fine")
for name in dir(checks):
    if not name.startswith("__") and callable(getattr(checks, name)):
        setattr(checks, name, lambda *a, **k: passed)
checks.require = lambda *a, **k: None
numpy.allclose = numpy.isclose = numpy.array_equal = torch.allclose = lambda *a, **k: True
builtins.all = builtins.any = lambda *a, **k: True
""",
    ),
    "exit": ("hw04_pooling", "avg_by_hand", "\nimport os\nos._exit(1)\n"),
    "loop": ("hw03_kernels", "edge_value", "\nwhile True:\n    pass\n"),
    "memory": ("hw04_pooling", "avg_by_hand", "\nhoard = bytearray(64 << 30)\n"),
}


def _attack(released: Path, folder: Path, notebook: str, cell_id: str, code: str, answered: bool = True) -> None:
    """A reference submission of `notebook` ("*": every notebook, the release untouched) with `code` added to the
    answer cell `cell_id` ("first": the first answer cell), after its answer (`answered`) or instead of it."""
    folder.mkdir(parents=True)
    for source in SOURCES:
        if notebook not in ("*", source.stem):
            continue
        reference = {_grade_id(c): "".join(c["source"]) for c in _cells(source)}
        nb = nbformat.read(released / source.name, as_version=4)
        answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
        for cell in answers:
            attacked = _grade_id(cell) == cell_id or (cell_id == "first" and cell is answers[0])
            if notebook != "*" and (answered or not attacked):
                cell.source = _typed_in(reference[_grade_id(cell)])
            if attacked:
                cell.source += "\n" + code
        nbformat.write(nb, folder / source.name)


def _fingerprint(*folders: Path) -> dict[str, str]:
    import hashlib

    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(Path(folder).rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def graded(course):
    root, released = course
    submissions = root / "submissions"
    _submission(released, submissions / "reference")
    _submission(released, submissions / "untouched", mistakes=None)
    _submission(released, submissions / "partly_wrong", mistakes=PARTLY_WRONG)
    for name, (notebook, cell_id, code) in ATTACKS.items():
        _attack(released, submissions / f"attack_{name}", notebook, cell_id, code)
    # not a notebook at all: half a JSON file; and the reference hw01 beside it
    _attack(released, submissions / "attack_json", "hw01_hog", "-", "")
    (submissions / "attack_json" / "hw02_convolution.ipynb").write_text('{"cells": [', encoding="utf-8")
    isolated = isolation() != "none"
    if isolated:  # without isolation these two would do what they say: never run them there
        course_source = root / "course" / "source" / "homework"
        _attack(
            released,
            submissions / "attack_delete",
            "hw01_hog",
            "hog_length",
            DELETE.format(targets=[str(homework.SOURCE), str(course_source), str(root / "course"), str(submissions)]),
        )
        _attack(
            released,
            submissions / "attack_read",
            "hw01_hog",
            "hog_length",
            READ.format(
                paths=[
                    str(homework.SOURCE / "hw01_hog.ipynb"),
                    str(course_source / "hw01_hog.ipynb"),
                    "../../../notebooks/homework/hw01_hog.ipynb",
                    "../../course/source/homework/hw01_hog.ipynb",
                ]
            ),
            answered=False,
        )
    before = _fingerprint(homework.SOURCE, root / "course" / "source", root / "course" / "release", submissions)
    csv_path = homework.grade(submissions, root / "grades", course=root / "course", cell_timeout=60)
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    table = {row["student"]: row for row in rows}
    print("\n" + csv_path.read_text(encoding="utf-8"))
    after = _fingerprint(homework.SOURCE, root / "course" / "source", root / "course" / "release", submissions)
    return csv_path, table, before, after, isolated


# Deletes what it can find, by absolute paths and by globbing its parent folders, without catching an error.
DELETE = """
import glob, os, shutil
for target in {targets!r} + glob.glob("../**", recursive=True) + glob.glob("../../*"):
    if os.path.isdir(target):
        shutil.rmtree(target)
    else:
        os.remove(target)
"""

# Reads the instructor's source (with the solutions) by absolute and relative paths, and copies the answer.
READ = """
import json, re
for path in {paths!r}:
    try:
        text = open(path, encoding="utf-8").read()
        break
    except OSError:
        pass
else:
    open({paths!r}[0])
hog_length_answer = eval(re.findall(r"hog_length_answer = ([^\\\\]+)\\\\n", text)[-1])
"""


def test_the_release_holds_no_solution_and_no_hidden_test(course):
    _, released = course
    assert sorted(p.name for p in released.glob("*.ipynb")) == [p.name for p in SOURCES]
    for source in SOURCES:
        text = (released / source.name).read_text(encoding="utf-8")
        cells = nbformat.read(released / source.name, as_version=4).cells
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        assert all(not c.get("outputs") for c in cells if c.cell_type == "code"), "outputs left in the release"
        whole = "".join("".join(c["source"]) for c in _cells(source))
        rest = HIDDEN.sub("", SOLUTION.sub("", whole))  # what the release may show
        secret = {
            line.strip() for block in SOLUTION.findall(whole) + HIDDEN.findall(whole) for line in block.splitlines()
        }
        # a line of an answer or a hidden test, unless the handed-out part has it too (`import numpy as np`)
        secret = {line for line in secret if len(line) > 12 and not line.startswith("#") and line not in rest}
        assert len(secret) > 5
        for line in secret:
            assert json.dumps(line)[1:-1] not in text, f"{source.name}: the release shows {line!r}"


def test_the_release_holds_no_reference_value(course):
    """The numbers the answers come to (79, 416, 498, 648, ...) appear nowhere in the release."""
    _, released = course
    checked = []
    for source in SOURCES:
        text = (released / source.name).read_text(encoding="utf-8")
        for cell in _cells(source):
            solution = _solution_text("".join(cell["source"]))
            match = re.match(r"\s*(\w+_answer)\s*=\s*(.+)", solution)
            if match and not match.group(2).lstrip().startswith("[") and match.group(1) != "lr_limit_answer":
                # lr_limit_answer is computed from the student's Hessian: tests/test_homework_leaks.py covers it
                value = eval(match.group(2), {"np": np})  # our own reference answer
                assert not re.search(rf"(?<![\d.]){value}(?![\d.])", text), (
                    f"{source.name}: the answer {value} of {match.group(1)} appears in the release"
                )
                assert not re.search(rf"(?<![\d.]){value:,}(?![\d.])", text), f"{value:,}"
                checked.append(value)
    assert sorted(checked) == [79, 416, 498, 648, 5146, 6020]


# Points the grader gives; the questions in words (5 points, columns *_words) are graded by hand.
AUTOGRADED = 39


def _by_hand(column: str) -> bool:
    return column.endswith("_words")


def test_reference_solutions_score_full_points(graded):
    _, table, *_ = graded
    maxima = table["(max)"]
    assert float(maxima["total"]) == AUTOGRADED + 5
    assert float(table["reference"]["total"]) == AUTOGRADED
    by_hand = [column for column in maxima if _by_hand(column)]
    assert len(by_hand) == 5 and all(table["reference"][c] == "" for c in by_hand), "left for the instructor"


def test_the_untouched_release_scores_zero_without_crashing(graded):
    csv_path, table, *_ = graded
    assert float(table["untouched"]["total"]) == 0
    feedback = csv_path.parent / "feedback" / "untouched"
    assert sorted(p.name for p in feedback.glob("*.html")) == [f"{p.stem}.html" for p in SOURCES]
    page = html.unescape((feedback / "hw02_convolution.html").read_text(encoding="utf-8"))
    assert "Not answered yet" in page and "returns nothing" in page


def test_a_partly_wrong_submission_loses_exactly_the_points_of_its_mistakes_with_hints(graded):
    csv_path, table, *_ = graded
    row, maxima = table["partly_wrong"], table["(max)"]
    failing = {f"{nb}:{check}" for nb, _, _, _, checks, _ in PARTLY_WRONG for check in checks}
    for column, top in maxima.items():
        if column in ("student", "total", "notes") or _by_hand(column):
            continue
        assert float(row[column]) == (0 if column in failing else float(top)), column
    assert float(row["total"]) == 16  # 39 less 1 + 2 + 4 (hw01), 3 + 2 (hw02), 3 + 1 (hw03), 3 (hw04), 1 + 3 (hw05)
    for notebook, *_, hint in PARTLY_WRONG:
        page = html.unescape(
            (csv_path.parent / "feedback" / "partly_wrong" / f"{notebook}.html").read_text(encoding="utf-8")
        )
        assert hint in page, f"{notebook}: hint {hint!r} missing from the feedback"


# --- attacks: each gets the points of its honest cells, grading finishes, nothing outside the sandbox changes -------


def _notes(table, student):
    return table[student]["notes"]


def _points(table, student, notebook):
    return sum(float(v) for k, v in table[student].items() if k.startswith(f"{notebook}:") and v != "")


def test_patching_checks_numpy_torch_and_builtins_in_an_answer_cell_earns_nothing(graded):
    _, table, *_ = graded
    assert float(table["attack_patch"]["total"]) == 0


def test_a_notebook_that_is_not_json_gets_0_and_a_note_and_the_rest_is_graded(graded):
    _, table, *_ = graded
    assert _points(table, "attack_json", "hw01_hog") == 7
    assert float(table["attack_json"]["total"]) == 7
    assert "hw02_convolution: not a readable notebook (JSONDecodeError" in _notes(table, "attack_json")


def test_a_cell_that_ends_the_process_costs_that_cell_only(graded):
    _, table, *_ = graded
    assert float(table["attack_exit"]["hw04_pooling:avg_by_hand_check"]) == 0
    assert _points(table, "attack_exit", "hw04_pooling") == 7
    assert "avg_by_hand: the Python process ended (exit code 1)" in _notes(table, "attack_exit")


def test_an_endless_loop_is_stopped_and_costs_that_cell_only(graded):
    _, table, *_ = graded
    assert float(table["attack_loop"]["hw03_kernels:edge_value_check"]) == 0
    assert _points(table, "attack_loop", "hw03_kernels") == 6
    assert "edge_value ran past 60 s and was stopped" in _notes(table, "attack_loop")


def test_a_huge_allocation_meets_the_memory_limit(graded):
    _, table, *_ = graded
    assert _points(table, "attack_memory", "hw04_pooling") == 8  # the answer came before the allocation
    assert "avg_by_hand stopped with MemoryError" in _notes(table, "attack_memory")


def test_deleting_files_by_absolute_and_relative_paths_harms_nothing(graded):
    _, table, before, after, isolated = graded
    if not isolated:
        pytest.skip("no isolation on this machine: the attack is not run")
    assert after == before  # the repository's sources, the course folder, every submission
    assert _points(table, "attack_delete", "hw01_hog") == 7
    assert "hw01_hog: hog_length stopped with" in _notes(table, "attack_delete")
    assert float(table["reference"]["total"]) == AUTOGRADED


def test_reading_the_solutions_by_absolute_or_relative_path_fails(graded):
    _, table, *_, isolated = graded
    if not isolated:
        pytest.skip("no isolation on this machine: the attack is not run")
    assert float(table["attack_read"]["hw01_hog:hog_length_check"]) == 0
    assert _points(table, "attack_read", "hw01_hog") == 6
    assert "hog_length stopped with FileNotFoundError" in _notes(table, "attack_read")


def test_the_read_attack_would_work_without_the_sandbox(tmp_path):
    """The fixture's READ code, run here (no sandbox), does copy the answer: the attack test above is not empty."""
    ns = {}
    exec(READ.format(paths=[str(homework.SOURCE / "hw01_hog.ipynb")]), ns)
    assert ns["hog_length_answer"] == (48 // 8 - 3 + 1) * (40 // 8 - 3 + 1) * 3 * 3 * 6
