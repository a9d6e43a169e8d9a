"""Reading an answer and saying what is wrong with it: `Feedback` (a pass or a hint), the readers of a number,
a whole number and a matrix, and `_readable`, the guard every check wears."""

from __future__ import annotations

import functools
import html
import math

import numpy as np

from helpers.i18n import tr


class Feedback(str):
    """The text of a check's answer; `.ok` says whether it passed. Shown as a coloured box in Jupyter."""

    ok: bool

    def __new__(cls, ok: bool, text: str):
        obj = super().__new__(cls, ("✓ " if ok else "✗ ") + text)
        obj.ok = ok
        return obj

    def _repr_html_(self):
        colour, background = ("#2e7d32", "#edf7ed") if self.ok else ("#b26a00", "#fff4e5")
        return (
            f'<div style="border-left:5px solid {colour};background:{background};padding:6px 12px;'
            f'max-width:760px">{html.escape(str(self))}</div>'
        )

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return str(self)


def _no(text: str, **values) -> Feedback:
    return Feedback(False, tr(text, **values))


def _yes(text: str, **values) -> Feedback:
    return Feedback(True, tr(text, **values))


def _not_answered(answer) -> Feedback | None:
    if answer is None or answer is ...:
        return _no("Not answered yet: replace None with your answer and run the cell again.")
    return None


class Unreadable(Exception):
    """An answer a reader (`_number`, `_whole`, `_matrix`) could not make sense of in any way it knows."""


def _readable(check=None, *, wanted: str | None = None):
    """Wrap a check so that an answer it cannot read gets a hint naming what was wanted, never a traceback:
    `@_readable(wanted="The side of the activation map, …")`, the English text a catalogue key (the check's own
    name where none is given).

    Only `Unreadable`, raised by the readers below, becomes that hint: any other exception is a bug in the check
    and surfaces as one (in the tests), not as "Could not read your answer"."""
    if check is None:
        return functools.partial(_readable, wanted=wanted)

    @functools.wraps(check)
    def guarded(answer, *args, **kwargs):
        try:
            return check(answer, *args, **kwargs)
        except Unreadable:
            return _no(
                "Could not read {answer} as an answer here. Wanted: {wanted}.",
                answer=_short(answer),
                wanted=tr(wanted) if wanted else check.__name__,
            )

    return guarded


def _short(answer, limit: int = 60) -> str:
    text = repr(answer)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- reading answers: a hint in the lesson's words for anything that is not what was asked ------------


def _kind(answer) -> str:
    if isinstance(answer, str):
        return tr("text")
    if isinstance(answer, dict):
        return tr("a dictionary")
    if isinstance(answer, (list, tuple)):
        return tr("a list")
    return tr("an array")


def _to_numpy(answer):
    if hasattr(answer, "detach") and hasattr(answer, "numpy"):  # a torch tensor
        return answer.detach().cpu().numpy()
    return answer


def _number(answer, what: str):
    """One real number from an answer, or a Feedback saying in the lesson's words what is wrong with it."""
    try:
        return _read_number(answer, what)
    except Unreadable:
        raise
    except Exception as error:
        raise Unreadable from error


def _read_number(answer, what: str):
    if (fb := _not_answered(answer)) is not None:
        return fb
    if isinstance(answer, (bool, np.bool_)):
        return _no("{answer} is a yes/no value; the answer is {what}, a number.", answer=answer, what=what)
    if isinstance(answer, str):
        try:
            float(answer.strip().replace(",", ""))
            return _no(
                "“{answer}” is text in quotes; write {what} as a number, without the quotes.", answer=answer, what=what
            )
        except ValueError:
            return _no(
                "“{answer}” is text; write {what} with digits, for example 42.",
                answer=answer if len(answer) <= 30 else answer[:29] + "…",
                what=what,
            )
    if isinstance(answer, dict):
        return _no("The answer is {what}: one number, not a dictionary.", what=what)
    answer = _to_numpy(answer)
    try:
        arr = np.asarray(answer)
    except Exception:
        return _no("The answer is {what}: one number, not a list.", what=what)
    if arr.ndim > 0:
        return _no(
            "The answer is {what}: one number, not {kind} of {n} values.", what=what, kind=_kind(answer), n=arr.size
        )
    if arr.dtype.kind == "c":
        return _no("The answer is {what}: a real number, not a complex one.", what=what)
    if arr.dtype.kind not in "iuf":
        return _no("The answer is {what}: one number.", what=what)
    try:
        value = float(arr)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        return _no("{answer} is not a finite number; the answer is {what}.", answer=_short(answer), what=what)
    return value


def _whole(answer, what: str, why: str):
    """A whole number from an answer (55.0 counts as 55), or a Feedback; `why` says why it must be whole."""
    value = _number(answer, what)
    if isinstance(value, Feedback):
        return value
    if value != int(value):
        return _no("{value} is not a whole number: {why}", value=f"{value:g}", why=why)
    return int(value)


def _matrix(answer, what: str, example: str):
    """A numeric array from an answer (a list of rows, an array, a tensor), or a Feedback."""
    try:
        return _read_matrix(answer, what, example)
    except Unreadable:
        raise
    except Exception as error:
        raise Unreadable from error


def _read_matrix(answer, what: str, example: str):
    if (fb := _not_answered(answer)) is not None:
        return fb
    if isinstance(answer, (str, dict, bool)) or np.isscalar(answer):
        return _no(
            "The answer is {what}, written like {example}; this is {kind}.",
            what=what,
            example=example,
            kind=tr("one number") if np.isscalar(answer) and not isinstance(answer, str) else _kind(answer),
        )
    answer = _to_numpy(answer)
    try:
        arr = np.asarray(answer)
    except ValueError:
        return _no("The rows have different lengths; {what} has the same number of values in every row.", what=what)
    if arr.dtype == object:
        return _no("The rows have different lengths; {what} has the same number of values in every row.", what=what)
    if arr.dtype.kind not in "iuf":
        return _no(
            "Every entry of {what} must be a number (no text, no True/False), like {example}.",
            what=what,
            example=example,
        )
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        return _no("{what} holds a value that is not a finite number (nan or inf).", what=what)
    return arr
