"""Feedback for the exercises: every check answers with a clear pass or a hint, never a traceback.

A check works out the right answer itself (with torch, scikit-image or the definition), so the
student notebooks hold no solutions; the instructor's reference solutions are in
tests/solutions.py, where a test runs every check against them and against a wrong answer.

    from helpers import checks
    checks.output_shape(answer, n=28, kernel=5, stride=2, padding=1)
"""

from __future__ import annotations

import functools
import html

import numpy as np


class Feedback(str):
    """The text of a check's answer; `.ok` says whether it passed. Shown as a coloured box in Jupyter."""

    ok: bool

    def __new__(cls, ok: bool, text: str):
        obj = super().__new__(cls, ("✓ " if ok else "✗ ") + text)
        obj.ok = ok
        return obj

    def _repr_html_(self):
        colour, background = ("#2e7d32", "#edf7ed") if self.ok else ("#b26a00", "#fff4e5")
        return (f'<div style="border-left:5px solid {colour};background:{background};padding:6px 12px;'
                f'max-width:760px">{html.escape(str(self))}</div>')

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return str(self)


def _not_answered(answer) -> Feedback | None:
    if answer is None or answer is ...:
        return Feedback(False, "Not answered yet: replace None with your answer and run the cell again.")
    return None


def _readable(check):
    """Wrap a check so that an answer it cannot read (text, a wrong type) gets a hint, not a traceback."""
    @functools.wraps(check)
    def guarded(answer, *args, **kwargs):
        try:
            return check(answer, *args, **kwargs)
        except (TypeError, ValueError, OverflowError) as error:
            wanted = (check.__doc__ or "").strip().splitlines()[0].rstrip(".")
            return Feedback(False, f"Could not read {answer!r} as an answer here ({error}). "
                                   f"Wanted: {wanted}.")
    return guarded


def _as_array(answer):
    try:
        return np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None


# --- 01: gradients and HOG ---------------------------------------------------------------------

@_readable
def pixel_gradient(answer, image, row, col) -> Feedback:
    """(gx, gy) at (row, col) with central differences: gx = right − left, gy = below − above."""
    if (fb := _not_answered(answer)) is not None:
        return fb
    img = np.asarray(image, float)
    gx, gy = img[row, col + 1] - img[row, col - 1], img[row + 1, col] - img[row - 1, col]
    got = _as_array(answer)
    if got is None or got.shape != (2,):
        return Feedback(False, "Give two numbers: (gx, gy).")
    if np.allclose(got, (gx, gy)):
        return Feedback(True, f"Right: gx = {gx:g}, gy = {gy:g}, magnitude {np.hypot(gx, gy):.2f}.")
    if np.allclose(got, (gy, gx)):
        return Feedback(False, "The two are swapped: gx is along the row (right − left), gy along the column "
                               "(below − above).")
    if np.allclose(np.abs(got), np.abs((gx, gy))):
        return Feedback(False, "The sizes are right but a sign is not: subtract the left (above) neighbour "
                               "from the right (below) one.")
    return Feedback(False, f"Not quite. Take the neighbours of pixel ({row}, {col}): gx uses ({row}, {col - 1}) "
                           f"and ({row}, {col + 1}), gy uses ({row - 1}, {col}) and ({row + 1}, {col}).")


@_readable
def hog_length(answer, image_size=28, pixels_per_cell=7, cells_per_block=2, orientations=9) -> Feedback:
    """The length of a HOG feature vector, counted from the definition and checked with scikit-image."""
    if (fb := _not_answered(answer)) is not None:
        return fb
    from skimage.feature import hog

    expected = hog(np.zeros((image_size, image_size)), orientations=orientations,
                   pixels_per_cell=(pixels_per_cell,) * 2, cells_per_block=(cells_per_block,) * 2).size
    cells = image_size // pixels_per_cell
    blocks = cells - cells_per_block + 1
    if int(answer) == expected:
        return Feedback(True, f"Right: {cells}×{cells} cells, {blocks}×{blocks} blocks of "
                              f"{cells_per_block}×{cells_per_block} cells × {orientations} bins = {expected}.")
    if int(answer) == cells * cells * orientations:
        return Feedback(False, "That counts each cell once. Blocks overlap: each block of "
                               f"{cells_per_block}×{cells_per_block} cells is normalised and kept on its own.")
    return Feedback(False, f"Count the cells ({image_size} // {pixels_per_cell} per side), then the blocks "
                           f"(cells − {cells_per_block} + 1 per side), then multiply by cells per block and by "
                           f"{orientations} bins.")


# --- 02: convolution ---------------------------------------------------------------------------

@_readable
def output_shape(answer, n, kernel, stride=1, padding=0, dilation=1) -> Feedback:
    """The side of the activation map, checked against the shape torch returns."""
    if (fb := _not_answered(answer)) is not None:
        return fb
    import torch
    import torch.nn.functional as F

    expected = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, kernel, kernel), stride=stride,
                        padding=padding, dilation=dilation).shape[-1]
    try:
        answer = float(answer)
    except (TypeError, ValueError):
        return Feedback(False, "Give one number: the side of the activation map.")
    if answer == expected:
        return Feedback(True, f"Right: {expected}×{expected}.")
    no_floor = (n + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    if answer != int(answer) or (abs(answer - no_floor) < 1e-9 and no_floor != expected):
        return Feedback(False, "Close: the division does not come out even. Round down (floor) before adding 1.")
    if answer == (n - dilation * (kernel - 1) - 1) // stride + 1 and padding:
        return Feedback(False, "Did you forget the padding? It adds p to both sides: n + 2p.")
    return Feedback(False, "Use ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 with n the input side, k the kernel side, "
                           "p the padding, d the dilation and s the stride.")


@_readable
def one_output_cell(answer, image, kernel, row, col, stride=1, padding=0) -> Feedback:
    """One value of the activation map, computed here with torch."""
    if (fb := _not_answered(answer)) is not None:
        return fb
    import torch
    import torch.nn.functional as F

    x = torch.tensor(np.asarray(image, float))[None, None]
    k = torch.tensor(np.asarray(kernel, float))[None, None]
    out = F.conv2d(x, k, stride=stride, padding=padding)[0, 0].numpy()
    expected = out[row, col]
    if np.isclose(float(answer), expected):
        return Feedback(True, f"Right: {expected:g}.")
    flipped = F.conv2d(x, torch.flip(k, (2, 3)), stride=stride, padding=padding)[0, 0].numpy()[row, col]
    if np.isclose(float(answer), flipped) and not np.isclose(flipped, expected):
        return Feedback(False, "That is the flipped kernel (the mathematicians' convolution). Networks lay the "
                               "kernel on the window as it is: top-left on top-left.")
    return Feedback(False, f"Multiply the {np.shape(kernel)[0]}×{np.shape(kernel)[1]} window that starts at row "
                           f"{row * stride}, column {col * stride} of the padded image by the kernel, cell by "
                           f"cell, and add everything up.")


# --- 03 and 04: filters and pooling ---------------------------------------------------------------

@_readable
def pooled(answer, x, kernel_size, stride=None, kind="max") -> Feedback:
    """A pooled map, checked against torch's max_pool2d / avg_pool2d."""
    if (fb := _not_answered(answer)) is not None:
        return fb
    import torch
    import torch.nn.functional as F

    t = torch.tensor(np.asarray(x, float))[None, None]
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    expected = pool(t, kernel_size, stride)[0, 0].numpy()
    got = _as_array(answer)
    if got is None or got.shape != expected.shape:
        return Feedback(False, f"The pooled map should be {expected.shape[0]}×{expected.shape[1]}: one value per "
                               f"{kernel_size}×{kernel_size} window, windows {stride or kernel_size} apart.")
    if np.allclose(got, expected):
        return Feedback(True, "Right.")
    other = (F.avg_pool2d if kind == "max" else F.max_pool2d)(t, kernel_size, stride)[0, 0].numpy()
    if np.allclose(got, other):
        return Feedback(False, f"That is {'average' if kind == 'max' else 'max'} pooling; this one asks for {kind}.")
    wrong = int(np.sum(~np.isclose(got, expected)))
    return Feedback(False, f"{wrong} of {expected.size} values differ. Take each window in turn and keep its "
                           f"{'largest value' if kind == 'max' else 'mean'}.")


@_readable
def kernel_response(answer, kernel, image) -> Feedback:
    """The kernel a student chose to react to a pattern: its strongest response must be on that pattern."""
    if (fb := _not_answered(answer)) is not None:
        return fb
    k = _as_array(answer)
    if k is None or k.shape != (3, 3):
        return Feedback(False, "Give a 3×3 kernel, e.g. [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]].")
    from helpers.conv import conv2d

    resp = conv2d(np.asarray(image, float), k)
    target = conv2d(np.asarray(image, float), np.asarray(kernel, float))
    peak = np.unravel_index(np.argmax(target), target.shape)
    if resp.max() > 0 and np.unravel_index(np.argmax(resp), resp.shape) == peak:
        return Feedback(True, f"Right: your kernel responds most strongly ({resp.max():g}) where the pattern is.")
    return Feedback(False, "Your kernel's strongest response is somewhere else. Put positive weights where the "
                           "pattern's bright pixels are and negative weights around them.")


@_readable
def shape_through(answer, expected_shape, hint: str) -> Feedback:
    """A tensor shape the student predicted, compared with the one the network really produced."""
    if (fb := _not_answered(answer)) is not None:
        return fb
    if tuple(answer) == tuple(expected_shape):
        return Feedback(True, f"Right: {tuple(expected_shape)}.")
    return Feedback(False, hint)


# --- 05: networks -----------------------------------------------------------------------------------

@_readable
def conv_parameters(answer, in_channels, out_channels, kernel_size, bias=True) -> Feedback:
    """The parameter count of a convolution layer, checked against torch."""
    if (fb := _not_answered(answer)) is not None:
        return fb
    import torch

    layer = torch.nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias)
    expected = sum(p.numel() for p in layer.parameters())
    weights = out_channels * in_channels * kernel_size**2
    if int(answer) == expected:
        return Feedback(True, f"Right: {out_channels} kernels × {in_channels} channels × {kernel_size}×{kernel_size}"
                              f"{' + ' + str(out_channels) + ' biases' if bias else ''} = {expected:,}.")
    if bias and int(answer) == weights:
        return Feedback(False, "Almost: each kernel also has one bias.")
    if int(answer) == out_channels * kernel_size**2 + (out_channels if bias else 0):
        return Feedback(False, "Each kernel spans all input channels: it has in_channels × k × k weights.")
    return Feedback(False, "Count one kernel: in_channels × k × k weights (plus a bias); then multiply by the "
                           "number of kernels.")
