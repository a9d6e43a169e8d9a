"""Homework: build the student release with nbgrader, grade the returned notebooks (tools/grading), one CSV of points.

    python -m tools.homework release [OUT]                  (make homework; OUT defaults to homework-release/,
                                                             the Russian edition in OUT/ru/)
    python -m tools.homework grade SUBMISSIONS [OUT]        (make grade SUBMISSIONS=...; OUT: homework-grades/)
    python -m tools.homework grade SUBMISSIONS --source notebooks/ru/homework     (another edition's sources)

The sources are notebooks/homework/*.ipynb: the reference solutions between `### BEGIN SOLUTION` and
`### END SOLUTION`, autograder cells (nbgrader `grade` cells with points) that call helpers.checks, and hidden
tests between `### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS`. nbgrader makes the release in a course folder
under build/ (git-ignored) where the sources form one assignment, `homework`; its configuration is
`nbgrader_config()` below, also written there as nbgrader_config.py so the nbgrader command line can be used in it.

Grading is tools/grading (read its module text: the design, and the contract a grade cell keeps): each student's
answer cells run in a sandbox, the grade cells in the grader, on data. SUBMISSIONS holds one folder per student
(the folder's name is the student's id) with the returned notebooks, directly or in any subfolder; a notebook a
student did not return gets 0. Grading writes OUT/grades.csv (one row per student, one column per exercise, the
total, and notes on what went wrong) and a feedback page per notebook, OUT/feedback/<student>/<notebook>.html.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks" / "homework"
#: The two editions' sources: the release holds both, the Russian in a folder named ru (the hints then speak Russian
#: after a kernel restart too, as in notebooks/ru/).
EDITIONS = {"en": SOURCE, "ru": ROOT / "notebooks" / "ru" / "homework"}
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
    c.Execute.timeout = 60
    c.Exchange.root = str(course / "exchange")  # never /srv/nbgrader: nothing outside the course folder
    return c


CONFIG_FILE = """# Written by tools/homework.py; the course's nbgrader settings (edit tools/homework.py, not this file).
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "cnn-lecture"
c.CourseDirectory.db_url = {db!r}
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.Execute.timeout = 60
c.Exchange.root = {exchange!r}
"""


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
    (course / "nbgrader_config.py").write_text(
        CONFIG_FILE.format(
            root=str(course),
            db=f"sqlite:///{course / 'gradebook.db'}",
            stub=CODE_STUB,
            exchange=str(course / "exchange"),
        )
    )
    _check(_api(course).generate_assignment(ASSIGNMENT, force=True, create=True), "generate_assignment")
    return course / "release" / ASSIGNMENT


def release(out: Path = RELEASE, course: Path = COURSE) -> list[Path]:
    """Build the student release (no solutions, no hidden tests) of both editions: the English into `out`, the
    Russian into `out`/ru; returns the notebooks."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    notebooks = []
    for language, source in EDITIONS.items():
        built = prepare(Path(course) if language == "en" else Path(f"{course}-{language}"), source)
        target = out if language == "en" else out / language
        shutil.copytree(built, target)
        notebooks += sorted(target.glob("*.ipynb"))
    return notebooks


def grade(
    submissions: Path,
    out: Path = GRADES,
    course: Path = COURSE,
    source: Path = SOURCE,
    jobs: int | None = None,
    cell_timeout: float | None = None,
    notebook_timeout: float | None = None,
) -> Path:
    """Grade every student folder in `submissions` (tools/grading: answer cells in a sandbox, grade cells here);
    write out/grades.csv and out/feedback/; return the CSV."""
    from tools.grading import grader

    released = prepare(course, source)
    sources = sorted((Path(course) / "source" / ASSIGNMENT).glob("*.ipynb"))
    language = "ru" if "ru" in Path(source).resolve().parts else "en"
    return grader.grade_class(
        Path(submissions),
        sources,
        released,
        Path(out),
        language=language,
        jobs=jobs,
        cell_timeout=cell_timeout or grader.CELL_TIMEOUT,
        notebook_timeout=notebook_timeout or grader.NOTEBOOK_TIMEOUT,
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["release"] and len(argv) <= 2:
        notebooks = release(Path(argv[1]) if len(argv) > 1 else RELEASE)
        print(
            f"student release: {len(notebooks)} notebooks in {Path(argv[1]) if len(argv) > 1 else RELEASE} "
            "(English) and its ru/ (Russian)"
        )
        return 0
    source = SOURCE
    if "--source" in argv[:-1]:  # grade another edition: --source notebooks/ru/homework
        at = argv.index("--source")
        source, argv = Path(argv[at + 1]).resolve(), argv[:at] + argv[at + 2 :]
    if argv[:1] == ["grade"] and 2 <= len(argv) <= 3:
        import time

        start = time.monotonic()
        path = grade(Path(argv[1]), Path(argv[2]) if len(argv) > 2 else GRADES, source=source)
        print(path.read_text(encoding="utf-8"))
        print(f"points: {path}\nfeedback: {path.parent / 'feedback'}\ngraded in {time.monotonic() - start:.0f} s")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
