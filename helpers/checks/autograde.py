"""The autograder hook: `require(feedback)` in an autograder cell shows the feedback and, under the grader
(NBGRADER_EXECUTION set), fails the cell when the check did not pass."""

from __future__ import annotations

import os
import sys

from helpers.checks.feedback import Feedback
from helpers.i18n import tr


class NotYet(AssertionError):
    """A failed check in an autograder cell: shown as its one-line hint, not as a traceback."""

    def _render_traceback_(self):
        return [str(self)]


def require(feedback: Feedback) -> None:
    """Show a check's feedback; when it is not ✓, fail the cell.

    For a student the failure is one line on stderr and the notebook runs on; under nbgrader's autograder
    (NBGRADER_EXECUTION is set) it raises NotYet, so the cell scores no points and the feedback shows the hint.
    """
    try:
        from IPython.display import display

        display(feedback)
    except ImportError:  # pragma: no cover - IPython is always there in the course's environment
        print(feedback)
    if getattr(feedback, "ok", False):
        return
    if os.environ.get("NBGRADER_EXECUTION"):
        raise NotYet(str(feedback))
    # one write: print() writes the text and its newline apart, and the kernel may send them as two outputs
    sys.stderr.write(tr("Not yet: {hint}", hint=str(feedback).removeprefix("✗ ")) + "\n")
