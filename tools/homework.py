"""Homework with nbgrader: build the student release, autograde the returned notebooks, one CSV of points.

    python -m tools.homework release [OUT]                  (make homework; OUT defaults to homework-release/)
    python -m tools.homework grade SUBMISSIONS [OUT]        (make grade SUBMISSIONS=...; OUT: homework-grades/)

The sources are notebooks/homework/*.ipynb: the reference solutions between `### BEGIN SOLUTION` and
`### END SOLUTION`, autograder cells (nbgrader `grade` cells with points) that call helpers.checks, and hidden
tests between `### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS`. nbgrader works in a course folder under
build/ (git-ignored) where the sources form one assignment, `homework`; its configuration is `nbgrader_config()`
below, also written there as nbgrader_config.py so the nbgrader command line and formgrader can be used in it.

SUBMISSIONS holds one folder per student (the folder's name is the student's id) with the returned notebooks,
directly or in any subfolder. A notebook a student did not return is graded as the untouched release (0 points).
Grading writes OUT/grades.csv (one row per student, one column per exercise, then the total) and nbgrader's
feedback pages, OUT/feedback/<student>/<notebook>.html.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "homework"
COURSE = ROOT / "build" / "nbgrader"
RELEASE = ROOT / "homework-release"
GRADES = ROOT / "homework-grades"
ASSIGNMENT = "homework"
# What a solution region becomes in the release. A comment keeps a function body valid Python (each function
# in the sources has a line before its solution region), and an answer variable keeps its `= None` line above.
CODE_STUB = "# YOUR CODE HERE"


def nbgrader_config(course: Path):
    """The nbgrader configuration of the course folder `course`."""
    from traitlets.config import Config

    c = Config()
    c.CourseDirectory.root = str(course)
    c.CourseDirectory.course_id = "cnn-lecture"
    c.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    c.Execute.timeout = 300
    c.Exchange.root = str(course / "exchange")       # never /srv/nbgrader: nothing outside the course folder
    return c


CONFIG_FILE = '''# Written by tools/homework.py; the course's nbgrader settings (edit tools/homework.py, not this file).
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "cnn-lecture"
c.CourseDirectory.db_url = {db!r}
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.Execute.timeout = 300
c.Exchange.root = {exchange!r}
'''


def _environment() -> None:
    """nbgrader runs `alembic` (gradebook) and kernels as commands: put this Python's bin/ first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def _api(course: Path):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    _environment()
    config = nbgrader_config(course)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _check(result: dict, what: str) -> None:
    if not result.get("success"):
        raise RuntimeError(f"nbgrader {what} failed:\n{result.get('error') or ''}\n{result.get('log') or ''}")


def prepare(course: Path = COURSE, source: Path = SOURCE) -> Path:
    """A fresh nbgrader course folder with the sources as assignment `homework`; its release generated."""
    course = Path(course)
    if course.exists():
        shutil.rmtree(course)
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    (course / "exchange").mkdir()
    for nb in sorted(Path(source).glob("*.ipynb")):
        shutil.copy(nb, course / "source" / ASSIGNMENT / nb.name)
    (course / "nbgrader_config.py").write_text(CONFIG_FILE.format(
        root=str(course), db=f"sqlite:///{course / 'gradebook.db'}", stub=CODE_STUB,
        exchange=str(course / "exchange")))
    _check(_api(course).generate_assignment(ASSIGNMENT, force=True, create=True), "generate_assignment")
    return course / "release" / ASSIGNMENT


def release(out: Path = RELEASE, course: Path = COURSE) -> list[Path]:
    """Build the student release (no solutions, no hidden tests) into `out`; returns its notebooks."""
    built = prepare(course)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(built, out)
    return sorted(out.glob("*.ipynb"))


def _returned(folder: Path, names: list[str]) -> dict[str, Path]:
    """The notebooks a student returned, by name, found anywhere in their folder (checkpoints skipped)."""
    found = {}
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" not in path.parts and path.name in names:
            found.setdefault(path.name, path)
    return found


def grade(submissions: Path, out: Path = GRADES, course: Path = COURSE) -> Path:
    """Autograde every student folder in `submissions`; write out/grades.csv and out/feedback/; return the CSV."""
    submissions, out = Path(submissions), Path(out)
    students = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise SystemExit(f"{submissions}: no student folders (one folder per student, holding the notebooks)")
    released = prepare(course)
    names = sorted(p.name for p in released.glob("*.ipynb"))
    api = _api(course)
    for student in students:
        target = Path(course) / "submitted" / student.name / ASSIGNMENT
        target.mkdir(parents=True)
        returned = _returned(student, names)
        for name in names:
            shutil.copy(returned.get(name, released / name), target / name)
        missing = sorted(set(names) - set(returned))
        if missing:
            print(f"{student.name}: not returned, graded as not answered: {', '.join(missing)}")
        _check(api.autograde(ASSIGNMENT, student.name, force=True, create=True), f"autograde {student.name}")
        _check(api.generate_feedback(ASSIGNMENT, student.name, force=True), f"generate_feedback {student.name}")
    if out.exists():
        shutil.rmtree(out)
    for student in students:
        shutil.copytree(Path(course) / "feedback" / student.name / ASSIGNMENT, out / "feedback" / student.name)
    return write_csv(course, [s.name for s in students], out / "grades.csv")


def points(course: Path, students: list[str]) -> tuple[list[str], list[float], dict[str, dict[str, float]]]:
    """From the gradebook: the exercises (notebook:grade_id, in notebook order), their maximum points, and
    each student's points per exercise."""
    import warnings

    from nbgrader.api import Gradebook

    with warnings.catch_warnings(), Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gb:
        warnings.simplefilter("ignore")          # SQLAlchemy's autoflush notes on nbgrader's lazy relations
        assignment = gb.find_assignment(ASSIGNMENT)
        columns, maxima = [], []
        for notebook in sorted(assignment.notebooks, key=lambda n: n.name):
            source = (Path(course) / "source" / ASSIGNMENT / f"{notebook.name}.ipynb").read_text(encoding="utf-8")
            for cell in sorted(notebook.grade_cells, key=lambda c: source.find(f'"grade_id": "{c.name}"')):
                columns.append(f"{notebook.name}:{cell.name}")
                maxima.append(float(cell.max_score))
        table = {}
        for student in students:
            submission = gb.find_submission(ASSIGNMENT, student)
            table[student] = {f"{nb.name}:{g.name}": float(g.score) for nb in submission.notebooks for g in nb.grades}
    return columns, maxima, table


def write_csv(course: Path, students: list[str], path: Path) -> Path:
    """One row per student: their points per exercise and the total; a first row with the maximum points."""
    columns, maxima, table = points(course, students)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *columns, "total"])
        writer.writerow(["(max)", *[f"{m:g}" for m in maxima], f"{sum(maxima):g}"])
        for student in students:
            row = [table[student].get(c, 0.0) for c in columns]
            writer.writerow([student, *[f"{v:g}" for v in row], f"{sum(row):g}"])
    return path


def main(argv: list[str]) -> int:
    if argv[:1] == ["release"] and len(argv) <= 2:
        notebooks = release(Path(argv[1]) if len(argv) > 1 else RELEASE)
        print(f"student release: {len(notebooks)} notebooks in {notebooks[0].parent if notebooks else '-'}")
        return 0
    if argv[:1] == ["grade"] and 2 <= len(argv) <= 3:
        path = grade(Path(argv[1]), Path(argv[2]) if len(argv) > 2 else GRADES)
        print(path.read_text(encoding="utf-8"))
        print(f"points: {path}\nfeedback: {path.parent / 'feedback'}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
