"""Checks of two lesson exercises that must not be handed the answer (03 Exercise 1, 04 Exercise 3)."""

from __future__ import annotations

import numpy as np

from helpers.checks import Feedback
from helpers.homework_tasks._common import _array, _guarded, _n, _no, _t, _yes


@_guarded(wanted="A 3×3 kernel whose strongest response on the image is on the pattern's pixels")
def strongest_on(answer, image, pattern) -> Feedback:
    """A 3×3 kernel whose strongest response on the image is on the pattern's pixels."""
    k = _array(answer, "a 3×3 kernel")
    if isinstance(k, Feedback):
        return k
    if k.shape != (3, 3):
        return _no("Give a 3×3 kernel: 3 rows of 3 numbers, e.g. [[0, 0, 0], [0, 1, 0], [0, 0, 0]].")
    from helpers.conv import conv2d

    pattern = np.asarray(pattern, bool)
    response = conv2d(np.asarray(image, float), k, padding=1)  # one value per pixel of the image
    on, off = response[pattern].max(), response[~pattern].max()
    if on > 0 and on > off + 1e-9:
        return _yes("Right: your kernel responds most strongly ({m}) where the pattern is.", m=_n(on, "g"))
    return _no(
        "Your kernel's strongest response is somewhere else. Put positive weights where the "
        "pattern's bright pixels are and negative weights around them."
    )


@_guarded(wanted="A tensor shape the student predicted, compared with the one the network really produced")
def predicted_shape(answer, expected_shape, hint: str) -> Feedback:
    """A tensor shape the student predicted, compared with the one the network really produced."""
    expected = tuple(int(v) for v in expected_shape)
    got = _array(answer, "a shape")
    if isinstance(got, Feedback):
        return got
    if got.ndim != 1 or got.size != len(expected):
        return _no("Give the shape as {n} whole numbers in brackets, like (channels, height, width).", n=len(expected))
    if np.any(got != np.round(got)):
        return _no("A shape counts channels and pixels: whole numbers. {hint}", hint=_t(hint))
    if tuple(int(v) for v in got) == expected:
        return _yes("Right: {e}.", e=expected)
    return Feedback(False, _t(hint))
