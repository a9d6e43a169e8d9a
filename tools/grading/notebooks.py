"""The homework notebooks as the grader sees them: cells in order, which are answers, which are graded, and which
names of a grade cell come from the student.

A source notebook (notebooks/homework/, with the solutions) is trusted; a submission is only read as JSON for the
sources of its answer cells, matched to the source's by nbgrader's grade_id.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n.*?^[ \t]*### END HIDDEN TESTS\n?", re.S | re.M)


class Unreadable(ValueError):
    """A returned notebook that is not a notebook: not JSON, or JSON without cells."""


@dataclass
class Cell:
    kind: str  # "setup" (instructor code), "answer", "grade" (autograded), "manual" (graded by hand)
    source: str
    grade_id: str | None = None
    points: float = 0.0
    student_names: set[str] = field(default_factory=set)  # answers: names whose value is the student's


def _meta(cell: dict) -> dict:
    meta = cell.get("metadata", {})
    return meta.get("nbgrader", {}) if isinstance(meta, dict) else {}


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def read_cells(path: Path) -> list[dict]:
    """The cells of a notebook file; Unreadable when it is not valid notebook JSON."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise Unreadable(f"not a readable notebook ({type(e).__name__}: {str(e)[:120]})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise Unreadable("not a notebook (no list of cells)")
    return [c for c in nb["cells"] if isinstance(c, dict)]


def plan(source: Path) -> list[Cell]:
    """The source notebook's cells that matter for grading, in order."""
    cells = []
    for cell in read_cells(source):
        meta, text = _meta(cell), _source(cell)
        if (
            meta.get("grade")
            and meta.get("solution")
            or meta.get("grade")
            and cell.get("cell_type") != "code"
            or meta.get("task")
        ):  # nbgrader's manually graded answers and tasks
            cells.append(Cell("manual", text, meta.get("grade_id"), float(meta.get("points", 0))))
        elif cell.get("cell_type") != "code":
            continue
        elif meta.get("grade"):
            cells.append(Cell("grade", text, meta.get("grade_id"), float(meta.get("points", 0))))
        elif meta.get("solution"):
            cells.append(Cell("answer", text, meta.get("grade_id"), student_names=student_names(text)))
        else:
            cells.append(Cell("setup", text))
    return cells


def answers(path: Path) -> dict[str, str]:
    """A submission's answer cells: grade_id -> source (cells without a grade_id, added by the student, are not
    graded). Unreadable when the file is not a notebook."""
    found = {}
    for cell in read_cells(path):
        meta = _meta(cell)
        if cell.get("cell_type") == "code" and meta.get("solution") and isinstance(meta.get("grade_id"), str):
            found.setdefault(meta["grade_id"], _source(cell))
    return found


def manual_answers(path: Path) -> dict[str, str]:
    found = {}
    for cell in read_cells(path):
        meta = _meta(cell)
        if meta.get("grade") and meta.get("solution") and isinstance(meta.get("grade_id"), str):
            found.setdefault(meta["grade_id"], _source(cell))
    return found


def without_hidden_tests(source: str) -> str:
    return HIDDEN.sub("", source)


# --- names ------------------------------------------------------------------------------------------------------


def _regions(source: str) -> list[tuple[int, int]]:
    """Line spans (1-based, inclusive) of the solution regions."""
    spans, start = [], None
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip() == BEGIN:
            start = number
        elif line.strip() == END and start is not None:
            spans.append((start, number))
            start = None
    return spans


def _bound(node: ast.AST) -> set[str]:
    """Names a top-level statement binds (not inside functions, classes or lambdas it defines)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    names: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in n.names if a.name != "*"}
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
            continue
        if not isinstance(n, ast.Lambda):
            stack.extend(ast.iter_child_nodes(n))
    return names


def read_names(source: str) -> set[str]:
    """Every name a piece of code reads (a superset of its free names: enough to know what to fetch)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def student_names(source: str) -> set[str]:
    """The names of an answer cell (of the source notebook) whose values are the student's work:
    1. names bound by a top-level statement that holds or lies in a solution region (the answer, or the function
       whose body is the answer);
    2. names bound by a statement after a region (computed from the answer);
    3. names the region reads that a statement above it in the same cell binds (a model the answer trains, a
       tensor it learns: the student's code changed them);
    less the names the cell's own top-level imports bind (np, torch, F: the grader's own modules).
    Every other name a grade cell reads is the instructor's: taken from the notebook's own code, run without
    solutions in the grader."""
    spans = _regions(source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    if not spans:
        return set().union(*(_bound(s) for s in tree.body)) if tree.body else set()
    first = spans[0][0]
    names: set[str] = set()
    above: set[str] = set()
    imported = {n for stmt in tree.body if isinstance(stmt, (ast.Import, ast.ImportFrom)) for n in _bound(stmt)}
    for stmt in tree.body:
        end = getattr(stmt, "end_lineno", stmt.lineno)
        inside = any(stmt.lineno <= b and end >= a for a, b in spans)
        if inside or stmt.lineno > first:
            names |= _bound(stmt)
            if inside:
                names |= read_names(ast.unparse(stmt)) & above
        else:
            above |= _bound(stmt)
    return names - imported  # a module the instructor imports is the grader's own, never the student's
