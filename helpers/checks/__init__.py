"""Feedback for the exercises: every check answers with a clear pass or a hint, never a traceback.

A check works out the right answer itself (with torch, scikit-image or the definition), so the
student notebooks hold no solutions; the instructor's reference solutions are in
tests/solutions.py (lecture notebooks) and between nbgrader's solution markers in notebooks/homework/.

    from helpers import checks            # the FIRST line of every exercise cell
    checks.output_shape(answer, n=28, kernel=5, stride=2, padding=1)

Three kinds of check:
- a number, a pair or a small matrix the student worked out (`output_shape`, `pooled`, ...);
- a function the student wrote (`conv2d_function`, `max_pool_function`, `training_loop`, ...), run on
  cases the check builds itself and compared with torch;
- `require(feedback)` in an autograder cell: shows the feedback, and fails the cell when it is not ✓.

The package, one idea a module: feedback.py (reading an answer, `Feedback`, the `_readable` guard), values.py
(checks of a value), functions.py (checks of a function), gradient.py (the numerical gradient check and the
backward pass), autograde.py (`require`, the autograder hook), names.py (the NameError hints).

Importing this package inside IPython also registers a handler for NameError: an exercise cell run
before its set-up (after a restart, or out of order) prints ONE sentence saying which part of the
notebook makes the missing name, instead of a traceback. Other exceptions keep their tracebacks.
"""

from helpers.checks.autograde import NotYet, require
from helpers.checks.feedback import Feedback, Unreadable, _readable
from helpers.checks.functions import (
    block_normalization_function,
    conv2d_channels_function,
    conv2d_function,
    image_gradients_function,
    max_pool_function,
    training_loop,
)
from helpers.checks.gradient import conv_backward_function, numerical_gradient, relative_error
from helpers.checks.names import RUN_ABOVE, _defines, install_name_hints, name_hint, where_defined
from helpers.checks.values import (
    conv_parameters,
    hog_length,
    kernel_response,
    kernel_task,
    learned_kernel,
    network_parameters,
    one_output_cell,
    output_shape,
    pixel_gradient,
    pooled,
    receptive_field,
    shape_through,
)

__all__ = [
    "RUN_ABOVE",
    "Feedback",
    "NotYet",
    "Unreadable",
    "block_normalization_function",
    "conv2d_channels_function",
    "conv2d_function",
    "conv_backward_function",
    "conv_parameters",
    "hog_length",
    "image_gradients_function",
    "install_name_hints",
    "kernel_response",
    "kernel_task",
    "learned_kernel",
    "max_pool_function",
    "name_hint",
    "network_parameters",
    "numerical_gradient",
    "one_output_cell",
    "output_shape",
    "pixel_gradient",
    "pooled",
    "receptive_field",
    "relative_error",
    "require",
    "shape_through",
    "training_loop",
    "where_defined",
    "_defines",
    "_readable",
]

install_name_hints()
