"""Homework with nbgrader: the student release holds no solution, and three returned sets are autograded as expected.

One release and one grading run for the module (a fresh nbgrader course folder under tmp): three students,
`reference` (the solutions typed in: full points), `untouched` (the release as handed out: zero points, no crash)
and `partly_wrong` (five typical mistakes: the points and hints listed in PARTLY_WRONG).
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from tools import homework

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")   # nbgrader's lazy relations

SOURCES = sorted(homework.SOURCE.glob("*.ipynb"))
SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION\n?", re.S | re.M)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n(.*?)^[ \t]*### END HIDDEN TESTS\n?", re.S | re.M)

# (notebook, answer cell's grade_id, text in the reference answer, the mistake), the autograder cell that then
# fails, and the words its hint must contain.
PARTLY_WRONG = [
    ("hw01_hog", "hog_length", "3 * 3 * 2 * 2 * 9", "4 * 4 * 9", ["hog_length_check"], "Blocks overlap"),
    ("hw01_hog", "normalize_block", "np.minimum(v, 0.2)", "v", ["normalize_block_check"], "nothing is clipped"),
    ("hw02_convolution", "conv_loop", "np.sum(window * kernel)", "np.sum(window * kernel[::-1, ::-1])",
     ["conv_loop_check", "conv_channels_check"], "flips the kernel"),
    ("hw04_pooling", "max_pool", "size].max()", "size].mean()", ["max_pool_check"], "That is average pooling"),
    ("hw05_cnn", "network_parameters", "(8 * 1 * 9 + 8) + (16 * 8 * 9 + 16) + (10 * 16 * 7 * 7 + 10)",
     "(8 * 1 * 9) + (16 * 8 * 9) + (10 * 16 * 7 * 7)", ["network_parameters_check"], "also has one bias"),
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


@pytest.fixture(scope="module")
def graded(course):
    root, released = course
    submissions = root / "submissions"
    _submission(released, submissions / "reference")
    _submission(released, submissions / "untouched", mistakes=None)
    _submission(released, submissions / "partly_wrong", mistakes=PARTLY_WRONG)
    csv_path = homework.grade(submissions, root / "grades", course=root / "course")
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    table = {row["student"]: row for row in rows}
    print("\n" + csv_path.read_text(encoding="utf-8"))
    return csv_path, table


def test_the_release_holds_no_solution_and_no_hidden_test(course):
    _, released = course
    assert sorted(p.name for p in released.glob("*.ipynb")) == [p.name for p in SOURCES]
    for source in SOURCES:
        text = (released / source.name).read_text(encoding="utf-8")
        cells = nbformat.read(released / source.name, as_version=4).cells
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        assert all(not c.get("outputs") for c in cells if c.cell_type == "code"), "outputs left in the release"
        whole = "".join("".join(c["source"]) for c in _cells(source))
        rest = HIDDEN.sub("", SOLUTION.sub("", whole))               # what the release may show
        secret = {line.strip() for block in SOLUTION.findall(whole) + HIDDEN.findall(whole)
                  for line in block.splitlines()}
        # a line of an answer or a hidden test, unless the handed-out part has it too (`import numpy as np`)
        secret = {line for line in secret if len(line) > 12 and not line.startswith("#") and line not in rest}
        assert len(secret) > 5
        for line in secret:
            assert json.dumps(line)[1:-1] not in text, f"{source.name}: the release shows {line!r}"


def test_the_release_holds_no_reference_value(course):
    """The numbers the answers come to (324, 16, 4864, 40, 18, 9098, ...) appear nowhere in the release."""
    _, released = course
    checked = []
    for source in SOURCES:
        text = (released / source.name).read_text(encoding="utf-8")
        for cell in _cells(source):
            solution = _solution_text("".join(cell["source"]))
            match = re.match(r"\s*(\w+_answer)\s*=\s*(.+)", solution)
            if match and not match.group(2).lstrip().startswith("["):
                value = eval(match.group(2), {})                      # noqa: S307 - our own reference answer
                assert not re.search(rf"(?<![\d.]){value}(?![\d.])", text), \
                    f"{source.name}: the answer {value} of {match.group(1)} appears in the release"
                assert not re.search(rf"(?<![\d.]){value:,}(?![\d.])", text), f"{value:,}"
                checked.append(value)
    assert sorted(checked) == [16, 18, 40, 324, 4864, 9098]


def test_reference_solutions_score_full_points(graded):
    _, table = graded
    assert table["reference"]["total"] == table["(max)"]["total"]
    assert float(table["(max)"]["total"]) == 34


def test_the_untouched_release_scores_zero_without_crashing(graded):
    csv_path, table = graded
    assert float(table["untouched"]["total"]) == 0
    feedback = csv_path.parent / "feedback" / "untouched"
    assert sorted(p.name for p in feedback.glob("*.html")) == [f"{p.stem}.html" for p in SOURCES]
    page = html.unescape((feedback / "hw02_convolution.html").read_text(encoding="utf-8"))
    assert "Not answered yet" in page and "returns nothing" in page


def test_a_partly_wrong_submission_loses_exactly_the_points_of_its_mistakes_with_hints(graded):
    csv_path, table = graded
    row, maxima = table["partly_wrong"], table["(max)"]
    failing = {f"{nb}:{check}" for nb, _, _, _, checks, _ in PARTLY_WRONG for check in checks}
    for column, top in maxima.items():
        if column in ("student", "total"):
            continue
        assert float(row[column]) == (0 if column in failing else float(top)), column
    assert float(row["total"]) == 21          # 34 less 1 + 3 (hw01), 3 + 2 (hw02), 3 (hw04), 1 (hw05)
    for notebook, *_, hint in PARTLY_WRONG:
        page = html.unescape((csv_path.parent / "feedback" / "partly_wrong" / f"{notebook}.html")
                             .read_text(encoding="utf-8"))
        assert hint in page, f"{notebook}: hint {hint!r} missing from the feedback"
