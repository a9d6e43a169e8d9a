"""Grade a class: each student's answer cells run in their sandbox, each grade cell runs here, on data.

See tools/grading/__init__.py for the design and the contract a grade cell keeps.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from tools.grading import notebooks as nbs
from tools.grading import wire
from tools.grading.sandbox import NotStarted, Sandbox, SandboxError, Timeout, warn_if_not_isolated

CELL_TIMEOUT = 60.0  # seconds for one answer cell, or for one call of a student's function
NOTEBOOK_TIMEOUT = 240.0  # seconds for a whole notebook, replays after a crash included


@dataclass
class CellResult:
    grade_id: str
    max_points: float
    points: float | None  # None: graded by hand
    feedback: str = ""


@dataclass
class NotebookResult:
    name: str
    cells: list[CellResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # answer cells that stopped with an error (feedback)
    manual: dict[str, str] = field(default_factory=dict)


# --- the instructor's names: the notebook's own code without solutions, run here once ----------------------------

_CONTEXT: dict = {}


def context(source: Path, release: Path) -> dict[int, dict]:
    """For each grade cell (by its index in the plan), the names the instructor's code has made before it: the
    setup cells and the answer cells as released (solutions cut out), run in this process."""
    key = (str(source), str(release))
    if key not in _CONTEXT:
        stubs = nbs.answers(release)
        ns: dict = {"__name__": "__main__"}
        snapshots = {}
        for i, cell in enumerate(nbs.plan(source)):
            if cell.kind in ("setup", "answer"):
                code = cell.source if cell.kind == "setup" else stubs.get(cell.grade_id, "")
                with (
                    contextlib.redirect_stdout(io.StringIO()),
                    contextlib.redirect_stderr(io.StringIO()),
                    contextlib.suppress(Exception),  # a stub that fails leaves its names undefined
                ):
                    exec(compile(code, f"<{source.stem}:{cell.grade_id or 'setup'}>", "exec"), ns)
            elif cell.kind == "grade":
                snapshots[i] = dict(ns)
        _CONTEXT[key] = snapshots
    return _CONTEXT[key]


# --- the student's names: data, or a proxy that calls the function in the sandbox ------------------------------

_ERRORS: dict[str, type] = {}


def _student_error(name: str, message: str) -> Exception:
    """An exception of the same class name as the one the student's code raised (a hint says `IndexError: ...`)."""
    cls = _ERRORS.get(name)
    if cls is None:
        cls = _ERRORS[name] = type(name if name.isidentifier() else "Error", (Exception,), {"__module__": "student"})
    return cls(message)


class NotReadable:
    """A student's value the grader does not accept (see wire.py for the kinds it does)."""

    def __init__(self, name: str, why: str):
        self.name, self.why = name, why

    def __repr__(self):
        return f"<{self.name}: {self.why}>"


class StudentFunction:
    """A student's function: each call sends its arguments to the sandbox and returns the result as data. Networks
    and optimizers among the arguments are sent as copies and updated here after the call."""

    def __init__(self, runner: NotebookRunner, index: int, name: str, generation: int):
        self.runner, self.index, self.__name__, self.generation = runner, index, name, generation

    def __repr__(self):
        return f"<function {self.__name__}>"

    def __call__(self, *args, **kwargs):
        return self.runner.call(self, args, kwargs)


class NotebookRunner:
    """One notebook of one student: runs the cells in order, answer cells in the sandbox, grade cells here."""

    def __init__(self, sandbox: Sandbox, source: Path, release: Path, cell_timeout: float, notebook_timeout: float):
        self.sandbox, self.source, self.release = sandbox, source, release
        self.cell_timeout, self.deadline = cell_timeout, time.monotonic() + notebook_timeout
        self.notebook_timeout = notebook_timeout
        self.generation = 0
        self.live = False
        self.executed: list[tuple[int, str, str]] = []  # (index, label, code) run in the current child
        self.fatal: set[int] = set()
        self.result = NotebookResult(source.stem)

    def note(self, text: str) -> None:
        line = f"{self.source.stem}: {text}"[:300]
        if line not in self.result.notes:
            self.result.notes.append(line)

    def left(self) -> float:
        """Seconds until the notebook's cap."""
        return self.deadline - time.monotonic()

    # --- the child ---------------------------------------------------------------------------------------------
    def revive(self) -> None:
        """A fresh child with the cells run so far run again (except those that ended or hung the sandbox)."""
        self.sandbox.fork()
        self.generation += 1
        self.live = True
        for index, label, code in list(self.executed):
            if index not in self.fatal:
                self._exec(index, label, code, replay=True)
                if not self.live:
                    return self.revive() if self.left() > 0 else None

    def _exec(self, index: int, label: str, code: str, replay: bool = False) -> None:
        timeout = min(self.cell_timeout, self.deadline - time.monotonic())
        try:
            reply, _ = self.sandbox.request(
                {"op": "exec", "source": code, "cell": label}, timeout=timeout, what=f"running {label}"
            )
        except Timeout:
            self.fatal.add(index)
            self.live = False
            self.note(f"{label} ran past {timeout:.0f} s and was stopped; graded without it")
            return
        except SandboxError as e:
            self.fatal.add(index)
            self.live = False
            self.note(f"{label}: {e} (os._exit, a crash or the memory limit); graded without it")
            return
        if not replay and not reply.get("ok"):
            error = reply.get("error") or "an error"
            self.result.errors.append(f"{label}: {error}")
            self.note(f"{label} stopped with {error}")

    def run_cell(self, index: int, label: str, code: str) -> None:
        if not self.live:
            self.revive()
        if self.left() <= 0:
            return
        self.executed.append((index, label, code))
        self._exec(index, label, code)

    # --- values and calls ---------------------------------------------------------------------------------------
    def fetch(self, names: list[str]) -> dict:
        if not names:
            return {}
        if not self.live:
            self.revive()
        reply, blobs = self.sandbox.request(
            {"op": "get", "names": names},
            timeout=max(1.0, min(self.cell_timeout, self.left())),
            what="reading the answers",
        )
        dec = wire.Decoder(blobs)
        values = {}
        for name, tree in (reply.get("values") or {}).items():
            if name not in names:
                continue
            if isinstance(tree, dict) and ("$module" in tree or "$undefined" in tree):
                continue
            if isinstance(tree, dict) and "$function" in tree:
                values[name] = StudentFunction(
                    self, int(tree["$function"]), str(tree.get("name", name))[:60], self.generation
                )
            elif isinstance(tree, dict) and "$unsendable" in tree:
                values[name] = NotReadable(name, f"a {tree['$unsendable']} the grader cannot read")
            else:
                try:
                    values[name] = dec.decode(tree)
                except Exception as e:
                    values[name] = NotReadable(name, "a value the grader cannot read")
                    self.note(f"{name}: not readable ({type(e).__name__}: {str(e)[:80]})")
        return values

    def call(self, fn: StudentFunction, args, kwargs):
        if fn.generation != self.generation or not self.live:
            raise _student_error("Stopped", f"`{fn.__name__}` is gone: an earlier call ended its Python process")
        enc = wire.Encoder()
        try:
            targs, tkwargs = enc.encode(list(args)), enc.encode(dict(kwargs))
        except wire.Unsendable as e:  # the instructor's grade cell passed something the contract excludes
            raise TypeError(f"a grade cell may pass only data to a student's function, not {e}") from None
        optimizers = [
            (i, a)
            for i, a in enumerate(list(args) + list(kwargs.values()))
            if type(a).__name__.endswith(("SGD", "Adam", "AdamW")) or hasattr(a, "param_groups")
        ]
        timeout = max(0.5, min(self.cell_timeout, self.left()))  # each call of the student's code
        try:
            reply, blobs = self.sandbox.request(
                {"op": "call", "function": fn.index, "args": targs, "kwargs": tkwargs},
                enc.blobs,
                timeout=timeout,
                what=f"calling {fn.__name__}",
            )
        except Timeout:
            self.live = False
            self.note(f"a call of {fn.__name__} ran past {timeout:.0f} s and was stopped")
            raise _student_error("Timeout", f"it ran longer than {timeout:.0f} s and was stopped") from None
        except SandboxError as e:
            self.live = False
            self.note(f"a call of {fn.__name__}: {e}")
            raise _student_error(
                "Ended", "it ended the Python process (os._exit, a crash or the memory limit)"
            ) from None
        if not reply.get("ok"):
            raise _student_error(str(reply.get("type") or "Error"), str(reply.get("message") or ""))
        dec = wire.Decoder(blobs)
        result = dec.decode(reply.get("result"))
        self._write_back(enc, dec, reply.get("updated") or [], optimizers)
        return result

    @staticmethod
    def _write_back(enc, dec, updated, optimizers) -> None:
        """The networks and optimizers a call changed in the sandbox: the same change here, in place."""
        by_model = {}
        for _, opt in optimizers:
            params = opt.param_groups[0]["params"]
            for i, m in enumerate(enc.models):
                if next(iter(m.parameters()), None) is params[0]:
                    by_model[i] = opt
        for index, state, opt_state in updated:
            net = enc.models[int(index)]
            if state is not None:
                wire.load_state(net, dec.state(state))
            elif opt_state is not None and int(index) in by_model:
                opt = by_model[int(index)]
                opt.load_state_dict(dec.decode(opt_state["state"]))
                for k, v in (opt_state.get("counts") or {}).items():
                    if k in wire.COUNTS and isinstance(v, int) and hasattr(opt, k):
                        setattr(opt, k, v)

    # --- grade cells ----------------------------------------------------------------------------------------
    def grade(self, index: int, cell: nbs.Cell, names: set[str], ctx: dict) -> CellResult:
        from helpers import checks

        result = CellResult(cell.grade_id, cell.points, 0.0)
        if self.deadline - time.monotonic() <= 0:
            result.feedback = "Not graded: the notebook ran out of its time."
            return result
        out = io.StringIO()
        try:
            wanted = sorted(nbs.read_names(cell.source) & names)
            ns = dict(ctx)
            try:
                ns.update(self.fetch(wanted))
            except SandboxError as e:
                self.live = False
                self.note(f"{cell.grade_id}: the answers could not be read ({e})")
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(compile(cell.source, f"<{self.source.stem}:{cell.grade_id}>", "exec"), ns)
            result.points = cell.points
        except checks.NotYet as e:
            if str(e) not in out.getvalue():
                out.write(str(e) + "\n")
        except AssertionError as e:
            out.write(f"✗ A hidden test did not pass{': ' + str(e) if str(e) else ''}.\n")
        except Exception as e:
            out.write(f"✗ Stopped with {type(e).__name__}: {str(e)[:300]}\n")
            if type(e).__module__ != "student" and not isinstance(
                e, (TypeError, ValueError, IndexError, KeyError, AttributeError, NameError)
            ):
                self.note(
                    f"{cell.grade_id}: {type(e).__name__} in the grade cell: "
                    f"{traceback.format_exception_only(e)[-1].strip()[:150]}"
                )
        result.feedback = out.getvalue().strip()
        return result

    def run(self, submission: Path | None) -> NotebookResult:
        plan = nbs.plan(self.source)
        graded = [c for c in plan if c.kind in ("grade", "manual")]
        if submission is None:
            self.result.cells = [
                CellResult(c.grade_id, c.points, 0.0 if c.kind == "grade" else None, "Not returned.") for c in graded
            ]
            self.note("not returned: 0 points")
            return self.result
        try:
            answers = nbs.answers(submission)
            self.result.manual = nbs.manual_answers(submission)
        except nbs.Unreadable as e:
            self.result.cells = [
                CellResult(
                    c.grade_id, c.points, 0.0 if c.kind == "grade" else None, f"The notebook could not be read: {e}."
                )
                for c in graded
            ]
            self.note(f"{e}: 0 points")
            return self.result
        stubs = nbs.answers(self.release)
        ctx = context(self.source, self.release)
        names: set[str] = set()
        try:
            for index, cell in enumerate(plan):
                if cell.kind == "setup":
                    self.run_cell(index, f"setup cell {index}", cell.source)
                elif cell.kind == "answer":
                    names |= cell.student_names
                    code = answers.get(cell.grade_id, stubs.get(cell.grade_id, ""))
                    self.run_cell(index, cell.grade_id, code)
                elif cell.kind == "grade":
                    if self.deadline - time.monotonic() <= 0:
                        self.note(
                            f"the notebook ran past {self.notebook_timeout:.0f} s: {cell.grade_id} "
                            "and what follows got 0"
                        )
                    self.result.cells.append(self.grade(index, cell, names, ctx[index]))
                else:
                    text = self.result.manual.get(cell.grade_id, "")
                    self.result.cells.append(
                        CellResult(cell.grade_id, cell.points, None, "Graded by hand. The answer:\n" + text)
                    )
        finally:
            try:
                self.sandbox.end_child()
            except SandboxError:
                self.sandbox.kill()
        return self.result


# --- a student, a class ----------------------------------------------------------------------------------------


def returned(folder: Path, names: list[str]) -> dict[str, Path]:
    """The notebooks a student returned, by name, found anywhere in their folder (checkpoints skipped)."""
    found = {}
    for path in sorted(Path(folder).rglob("*.ipynb")):
        if ".ipynb_checkpoints" not in path.parts and path.name in names and path.is_file():
            found.setdefault(path.name, path)
    return found


def grade_student(
    student: Path, sources: list[Path], release: Path, language: str, cell_timeout: float, notebook_timeout: float
) -> list[NotebookResult]:
    os.environ["NBGRADER_EXECUTION"] = "autograde"  # checks.require fails the cell instead of printing
    from helpers.i18n import set_language

    set_language(language)
    found = returned(student, [s.name for s in sources])
    sandbox = Sandbox(language)
    results = []
    try:
        for source in sources:
            runner = NotebookRunner(sandbox, source, release / source.name, cell_timeout, notebook_timeout)
            try:
                results.append(runner.run(found.get(source.name)))
            except NotStarted:
                raise
            except Exception as e:
                runner.note(f"grading failed: {type(e).__name__}: {e}")
                results.append(runner.result)
                sandbox.kill()
    finally:
        sandbox.close()
    return results


def grade_class(
    submissions: Path,
    sources: list[Path],
    release: Path,
    out: Path,
    language: str = "en",
    jobs: int | None = None,
    cell_timeout: float = CELL_TIMEOUT,
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    log=print,
) -> Path:
    """Grade every student folder of `submissions`; write out/grades.csv and out/feedback/<student>/<nb>.html."""
    students = sorted(p for p in Path(submissions).iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise SystemExit(f"{submissions}: no student folders (one folder per student, holding the notebooks)")
    mode = warn_if_not_isolated()
    log(f"grading {len(students)} students, isolation: {mode}")
    _warm_data()
    jobs = jobs or min(len(students), max(1, os.cpu_count() or 1))
    results: dict[str, list[NotebookResult]] = {}
    pending, tries = list(students), {s.name: 0 for s in students}
    while pending:
        broken = []
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
            futures = {
                s: pool.submit(grade_student, s, sources, release, language, cell_timeout, notebook_timeout)
                for s in pending
            }
            for student, future in futures.items():
                try:
                    results[student.name] = future.result()
                except NotStarted as e:
                    pool.shutdown(cancel_futures=True)
                    raise SystemExit(f"grading stopped: {e}") from None
                except BrokenProcessPool as e:  # a grader process died: everyone it took down is graded again
                    tries[student.name] += 1
                    if tries[student.name] < 2:
                        broken.append(student)
                        continue
                    results[student.name] = [
                        NotebookResult(s.stem, notes=[f"grading failed twice: {e}"]) for s in sources
                    ]
                except Exception as e:
                    results[student.name] = [
                        NotebookResult(s.stem, notes=[f"grading failed: {type(e).__name__}: {e}"]) for s in sources
                    ]
                for nb in results[student.name]:
                    for line in nb.notes:
                        log(f"{student.name}: {line}")
        pending = broken
    results = {s.name: results[s.name] for s in students}
    if out.exists():
        import shutil

        shutil.rmtree(out)
    for name, nbres in results.items():
        for nb in nbres:
            path = out / "feedback" / name / f"{nb.name}.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(feedback_page(name, nb), encoding="utf-8")
    return write_csv(sources, results, out / "grades.csv")


def _warm_data() -> None:
    """The decompressed MNIST files the sandbox reads (it cannot write them: data/ is read-only there)."""
    try:
        from helpers.data import load_mnist

        load_mnist("train")
        load_mnist("test")
    except Exception:
        pass


def columns(sources: list[Path]) -> list[tuple[str, float, bool]]:
    """(notebook:grade_id, maximum points, graded by hand) for every graded cell, in notebook order."""
    cols = []
    for source in sources:
        for cell in nbs.plan(source):
            if cell.kind in ("grade", "manual"):
                cols.append((f"{source.stem}:{cell.grade_id}", cell.points, cell.kind == "manual"))
    return cols


def write_csv(sources: list[Path], results: dict[str, list[NotebookResult]], path: Path) -> Path:
    """One row per student: points per graded cell (blank for one graded by hand), the total, the notes."""
    cols = columns(sources)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *[c for c, _, _ in cols], "total", "notes"])
        writer.writerow(["(max)", *[f"{m:g}" for _, m, _ in cols], f"{sum(m for _, m, _ in cols):g}", ""])
        for student, nbres in results.items():
            got = {f"{nb.name}:{c.grade_id}": c.points for nb in nbres for c in nb.cells}
            row = [got.get(c, 0.0) for c, _, _ in cols]
            notes = " | ".join(line for nb in nbres for line in nb.notes)
            writer.writerow(
                [student, *["" if v is None else f"{v:g}" for v in row], f"{sum(v or 0 for v in row):g}", notes]
            )
    return path


def feedback_page(student: str, nb: NotebookResult) -> str:
    esc = html.escape
    parts = [
        f"<!doctype html><meta charset='utf-8'><title>{esc(nb.name)} · {esc(student)}</title>",
        "<style>body{font-family:sans-serif;max-width:820px;margin:2em auto}pre{white-space:pre-wrap;"
        "background:#f6f6f6;padding:8px}.ok{color:#2e7d32}.no{color:#b26a00}</style>",
        f"<h1>{esc(nb.name)}</h1><p>{esc(student)}: {sum(c.points or 0 for c in nb.cells):g} of "
        f"{sum(c.max_points for c in nb.cells):g} points</p>",
    ]
    for c in nb.cells:
        mark = "manual" if c.points is None else ("ok" if c.points == c.max_points else "no")
        score = "graded by hand" if c.points is None else f"{c.points:g} / {c.max_points:g}"
        parts.append(f"<h2 class='{mark}'>{esc(c.grade_id)}: {score}</h2><pre>{esc(c.feedback)}</pre>")
    if nb.errors:
        parts.append("<h2>Answer cells that stopped with an error</h2><pre>" + esc("\n".join(nb.errors)) + "</pre>")
    if nb.notes:
        parts.append("<h2>Notes</h2><pre>" + esc("\n".join(nb.notes)) + "</pre>")
    return "\n".join(parts) + "\n"
