"""What every homework check shares: Feedback sentences, reading an answer, calling a student's function."""

from __future__ import annotations

import functools
import math

import numpy as np

from helpers.checks import Feedback
from helpers.i18n import number as _n  # noqa: F401 (the homework modules format numbers with it)
from helpers.i18n import tr as _t


def _no(text: str, **values) -> Feedback:
    return Feedback(False, _t(text, **values))


def _yes(text: str, **values) -> Feedback:
    return Feedback(True, _t(text, **values))


def _short(answer, limit: int = 60) -> str:
    text = repr(answer)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _guarded(check=None, *, wanted: str | None = None):
    """Whatever the answer, a sentence: an answer the check cannot read gets a hint naming what was wanted
    (`@_guarded(wanted="An average-pooled map, …")`, the English text a catalogue key)."""
    if check is None:
        return functools.partial(_guarded, wanted=wanted)

    @functools.wraps(check)
    def guarded(answer, *args, **kwargs):
        try:
            return check(answer, *args, **kwargs)
        except Exception:  # a graded answer gets a sentence, whatever it is (the tests call each check on odd answers)
            return _no(
                "Could not read {answer} as an answer here. Wanted: {wanted}.",
                answer=_short(answer),
                wanted=_t(wanted) if wanted else check.__name__,
            )

    return guarded


def _not_answered(answer):
    if answer is None or answer is ...:
        return _no("Not answered yet: replace None with your answer and run the cell again.")
    return None


def _number(answer, what: str):
    if (fb := _not_answered(answer)) is not None:
        return fb
    if isinstance(answer, (bool, np.bool_, str, dict)):
        return _no("The answer is {what}: one number, written with digits.", what=_t(what))
    if hasattr(answer, "detach"):
        answer = answer.detach().cpu().numpy()
    arr = np.asarray(answer)
    if arr.ndim > 0 or arr.dtype.kind not in "iuf":
        return _no("The answer is {what}: one number.", what=_t(what))
    value = float(arr)
    if not math.isfinite(value):
        return _no("{answer} is not a finite number; the answer is {what}.", answer=_short(answer), what=_t(what))
    return value


def _array(answer, what: str):
    if (fb := _not_answered(answer)) is not None:
        return fb
    if isinstance(answer, (str, dict, bool)):
        return _no("The answer is {what}: numbers in an array or a list of rows.", what=_t(what))
    if hasattr(answer, "detach"):
        answer = answer.detach().cpu().numpy()
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return _no("The answer is {what}: numbers in an array or a list of rows, every row as long.", what=_t(what))
    if not np.all(np.isfinite(arr)):
        return _no("{what} holds a value that is not a finite number (nan or inf).", what=_t(what).capitalize())
    return arr


def _call(fn, name: str, case: str, *args, **kwargs):
    """The student's function called on data; a Feedback if it is missing, not a function or stops with an error."""
    if fn is None or fn is ...:
        return _no("Not answered yet: write `{name}` in its cell and run it.", name=name)
    if not callable(fn):
        return _no("Give the function itself: `{name}`, without brackets after it.", name=name)
    try:
        result = fn(*args, **kwargs)
    except Exception as error:
        text = str(error).splitlines()[0] if str(error) else ""
        return _no(
            "Your `{name}` stopped with an error on {case}: {etype}: {error}",
            name=name,
            case=case,
            etype=type(error).__name__,
            error=text,
        )
    if result is None:
        return _no("Your `{name}` returns nothing (None): end it with `return`.", name=name)
    return result
