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

Importing this module inside IPython also registers a handler for NameError: an exercise cell run
before its set-up (after a restart, or out of order) prints ONE sentence saying which part of the
notebook makes the missing name, instead of a traceback. Other exceptions keep their tracebacks.
"""

from __future__ import annotations

import functools
import html
import json
import math
import os
import re
import sys
from pathlib import Path

import numpy as np

from helpers.i18n import tr

RUN_ABOVE = "Run → Run All Above Selected Cell"


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


def _no(text: str, **values) -> Feedback:
    return Feedback(False, tr(text, **values))


def _yes(text: str, **values) -> Feedback:
    return Feedback(True, tr(text, **values))


def _not_answered(answer) -> Feedback | None:
    if answer is None or answer is ...:
        return _no("Not answered yet: replace None with your answer and run the cell again.")
    return None


def _readable(check):
    """Wrap a check so that an answer it cannot read gets a hint naming what was wanted, never a traceback."""
    @functools.wraps(check)
    def guarded(answer, *args, **kwargs):
        try:
            return check(answer, *args, **kwargs)
        except Exception:  # noqa: BLE001 - whatever the answer, the student gets a sentence
            wanted = (check.__doc__ or "").strip().splitlines()[0].rstrip(".")
            return _no("Could not read {answer} as an answer here. Wanted: {wanted}.",
                       answer=_short(answer), wanted=tr(wanted))
    return guarded


def _short(answer, limit: int = 60) -> str:
    text = repr(answer)
    return text if len(text) <= limit else text[:limit - 1] + "…"


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
    if hasattr(answer, "detach") and hasattr(answer, "numpy"):        # a torch tensor
        return answer.detach().cpu().numpy()
    return answer


def _number(answer, what: str):
    """One real number from an answer, or a Feedback saying in the lesson's words what is wrong with it."""
    if (fb := _not_answered(answer)) is not None:
        return fb
    if isinstance(answer, (bool, np.bool_)):
        return _no("{answer} is a yes/no value; the answer is {what}, a number.", answer=answer, what=what)
    if isinstance(answer, str):
        try:
            float(answer.strip().replace(",", ""))
            return _no("“{answer}” is text in quotes; write {what} as a number, without the quotes.",
                       answer=answer, what=what)
        except ValueError:
            return _no("“{answer}” is text; write {what} with digits, for example 42.",
                       answer=answer if len(answer) <= 30 else answer[:29] + "…", what=what)
    if isinstance(answer, dict):
        return _no("The answer is {what}: one number, not a dictionary.", what=what)
    answer = _to_numpy(answer)
    try:
        arr = np.asarray(answer)
    except Exception:  # noqa: BLE001 - ragged lists and the like
        return _no("The answer is {what}: one number, not a list.", what=what)
    if arr.ndim > 0:
        return _no("The answer is {what}: one number, not {kind} of {n} values.",
                   what=what, kind=_kind(answer), n=arr.size)
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
    if (fb := _not_answered(answer)) is not None:
        return fb
    if isinstance(answer, (str, dict, bool)) or np.isscalar(answer):
        return _no("The answer is {what}, written like {example}; this is {kind}.",
                   what=what, example=example, kind=tr("one number") if np.isscalar(answer)
                   and not isinstance(answer, str) else _kind(answer))
    answer = _to_numpy(answer)
    try:
        arr = np.asarray(answer)
    except ValueError:
        return _no("The rows have different lengths; {what} has the same number of values in every row.",
                   what=what)
    if arr.dtype == object:
        return _no("The rows have different lengths; {what} has the same number of values in every row.",
                   what=what)
    if arr.dtype.kind not in "iuf":
        return _no("Every entry of {what} must be a number (no text, no True/False), like {example}.",
                   what=what, example=example)
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        return _no("{what} holds a value that is not a finite number (nan or inf).", what=what)
    return arr


# --- 01: gradients and HOG ---------------------------------------------------------------------

@_readable
def pixel_gradient(answer, image, row, col) -> Feedback:
    """(gx, gy) at (row, col) with central differences: gx = right − left, gy = below − above."""
    got = _matrix(answer, tr("a pair (gx, gy)"), "(20, 68)")
    if isinstance(got, Feedback):
        return got
    img = np.asarray(image, float)
    gx, gy = img[row, col + 1] - img[row, col - 1], img[row + 1, col] - img[row - 1, col]
    if got.shape != (2,):
        return _no("Give two numbers: (gx, gy).")
    if np.allclose(got, (gx, gy)):
        return _yes("Right: gx = {gx}, gy = {gy}, magnitude {m}.", gx=f"{gx:g}", gy=f"{gy:g}",
                    m=f"{np.hypot(gx, gy):.2f}")
    if np.allclose(got, (gy, gx)):
        return _no("The two are swapped: gx is along the row (right − left), gy along the column "
                   "(below − above).")
    if np.allclose(np.abs(got), np.abs((gx, gy))):
        return _no("The sizes are right but a sign is not: subtract the left (above) neighbour "
                   "from the right (below) one.")
    return _no("Not quite. Take the neighbours of pixel ({row}, {col}): gx uses ({row}, {left}) and ({row}, "
               "{right}), gy uses ({up}, {col}) and ({down}, {col}).", row=row, col=col, left=col - 1,
               right=col + 1, up=row - 1, down=row + 1)


@_readable
def hog_length(answer, image_size=28, pixels_per_cell=7, cells_per_block=2, orientations=9) -> Feedback:
    """The length of a HOG feature vector, counted from the definition and checked with scikit-image."""
    got = _whole(answer, tr("the length of the HOG vector"),
                 tr("a feature vector has a whole number of values. Count cells, blocks and bins."))
    if isinstance(got, Feedback):
        return got
    from skimage.feature import hog

    expected = hog(np.zeros((image_size, image_size)), orientations=orientations,
                   pixels_per_cell=(pixels_per_cell,) * 2, cells_per_block=(cells_per_block,) * 2).size
    cells = image_size // pixels_per_cell
    blocks = cells - cells_per_block + 1
    if got == expected:
        return _yes("Right: {c}×{c} cells, {b}×{b} blocks of {cb}×{cb} cells × {o} bins = {e}.",
                    c=cells, b=blocks, cb=cells_per_block, o=orientations, e=expected)
    if got == cells * cells * orientations:
        return _no("That counts each cell once. Blocks overlap: each block of {cb}×{cb} cells is normalised "
                   "and kept on its own.", cb=cells_per_block)
    return _no("Count the cells ({n} // {p} per side), then the blocks (cells − {cb} + 1 per side), then multiply "
               "by cells per block and by {o} bins.", n=image_size, p=pixels_per_cell, cb=cells_per_block,
               o=orientations)


# --- 02: convolution ---------------------------------------------------------------------------

@_readable
def output_shape(answer, n, kernel, stride=1, padding=0, dilation=1) -> Feedback:
    """The side of the activation map, checked against the shape torch returns."""
    got = _number(answer, tr("the side of the activation map"))
    if isinstance(got, Feedback):
        return got
    import torch
    import torch.nn.functional as F

    expected = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, kernel, kernel), stride=stride,
                        padding=padding, dilation=dilation).shape[-1]
    if got == expected:
        return _yes("Right: {e}×{e}.", e=expected)
    no_floor = (n + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    if got != int(got) or (abs(got - no_floor) < 1e-9 and no_floor != expected):
        return _no("Close: the division does not come out even. Round down (floor) before adding 1.")
    if got == (n - dilation * (kernel - 1) - 1) // stride + 1 and padding:
        return _no("Did you forget the padding? It adds p to both sides: n + 2p.")
    return _no("Use ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 with n the input side, k the kernel side, "
               "p the padding, d the dilation and s the stride.")


@_readable
def one_output_cell(answer, image, kernel, row, col, stride=1, padding=0) -> Feedback:
    """One value of the activation map, computed here with torch."""
    got = _number(answer, tr("one value of the activation map"))
    if isinstance(got, Feedback):
        return got
    import torch
    import torch.nn.functional as F

    x = torch.tensor(np.asarray(image, float))[None, None]
    k = torch.tensor(np.asarray(kernel, float))[None, None]
    expected = F.conv2d(x, k, stride=stride, padding=padding)[0, 0].numpy()[row, col]
    if np.isclose(got, expected):
        return _yes("Right: {e}.", e=f"{expected:g}")
    flipped = F.conv2d(x, torch.flip(k, (2, 3)), stride=stride, padding=padding)[0, 0].numpy()[row, col]
    if np.isclose(got, flipped) and not np.isclose(flipped, expected):
        return _no("That is the flipped kernel (the mathematicians' convolution). Networks lay the "
                   "kernel on the window as it is: top-left on top-left.")
    kh, kw = np.shape(kernel)
    if padding:
        edge = np.pad(np.asarray(image, float), padding, mode="edge")[row * stride:row * stride + kh,
                                                                     col * stride:col * stride + kw]
        if np.isclose(got, np.sum(edge * np.asarray(kernel, float))):
            return _no("This window hangs over the border: the padding adds zeros there, not copies of the image's "
                       "edge. Put the zeros in and multiply again.")
    return _no("Multiply the {kh}×{kw} window that starts at row {r}, column {c} of the padded image by the "
               "kernel, cell by cell, and add everything up.", kh=kh, kw=kw, r=row * stride, c=col * stride)


# --- 03 and 04: filters and pooling ---------------------------------------------------------------

@_readable
def pooled(answer, x, kernel_size, stride=None, kind="max") -> Feedback:
    """A pooled map, checked against torch's max_pool2d / avg_pool2d."""
    got = _matrix(answer, tr("the pooled map"), "[[1, 2], [3, 4]]")
    if isinstance(got, Feedback):
        return got
    import torch
    import torch.nn.functional as F

    t = torch.tensor(np.asarray(x, float))[None, None]
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    expected = pool(t, kernel_size, stride)[0, 0].numpy()
    if got.shape != expected.shape:
        return _no("The pooled map should be {h}×{w}: one value per {k}×{k} window, windows {s} apart.",
                   h=expected.shape[0], w=expected.shape[1], k=kernel_size, s=stride or kernel_size)
    if np.allclose(got, expected):
        return _yes("Right.")
    other = (F.avg_pool2d if kind == "max" else F.max_pool2d)(t, kernel_size, stride)[0, 0].numpy()
    if np.allclose(got, other):
        return _no("That is {other} pooling; this one asks for {kind}.",
                   other=tr("average") if kind == "max" else tr("max"), kind=tr(kind))
    wrong = int(np.sum(~np.isclose(got, expected)))
    return _no("{wrong} of {n} values differ. Take each window in turn and keep its {what}.", wrong=wrong,
               n=expected.size, what=tr("largest value") if kind == "max" else tr("mean"))


@_readable
def kernel_response(answer, kernel, image) -> Feedback:
    """The kernel a student chose to react to a pattern: its strongest response must be on that pattern."""
    k = _matrix(answer, tr("a 3×3 kernel"), "[[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]]")
    if isinstance(k, Feedback):
        return k
    if k.shape != np.shape(kernel):
        return _no("Give a {h}×{w} kernel: {h} rows of {w} numbers, e.g. [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]].",
                   h=np.shape(kernel)[0], w=np.shape(kernel)[1])
    from helpers.conv import conv2d

    resp = conv2d(np.asarray(image, float), k)
    target = conv2d(np.asarray(image, float), np.asarray(kernel, float))
    on_pattern = target >= target.max() - 1e-9 * max(1.0, abs(target.max()))   # where the pattern is
    if resp.max() > 0 and resp[on_pattern].max() > resp[~on_pattern].max():
        return _yes("Right: your kernel responds most strongly ({m}) where the pattern is.", m=f"{resp.max():g}")
    return _no("Your kernel's strongest response is somewhere else. Put positive weights where the "
               "pattern's bright pixels are and negative weights around them.")


@_readable
def shape_through(answer, expected_shape, hint: str) -> Feedback:
    """A tensor shape the student predicted, compared with the one the network really produced."""
    expected = tuple(int(s) for s in expected_shape)
    got = _matrix(answer, tr("a shape"), str(expected))
    if isinstance(got, Feedback):
        return got
    if got.ndim != 1 or got.size != len(expected):
        return _no("Give the shape as {n} whole numbers in brackets, like (channels, height, width).",
                   n=len(expected))
    if np.any(got != np.round(got)):
        return _no("A shape counts channels and pixels: whole numbers. {hint}", hint=tr(hint))
    if tuple(int(v) for v in got) == expected:
        return _yes("Right: {e}.", e=expected)
    return Feedback(False, tr(hint))


# --- 05: networks -----------------------------------------------------------------------------------

@_readable
def conv_parameters(answer, in_channels, out_channels, kernel_size, bias=True) -> Feedback:
    """The parameter count of a convolution layer, checked against torch."""
    got = _whole(answer, tr("the parameter count of the layer"),
                 tr("a layer has a whole number of weights and biases."))
    if isinstance(got, Feedback):
        return got
    import torch

    layer = torch.nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias)
    expected = sum(p.numel() for p in layer.parameters())
    weights = out_channels * in_channels * kernel_size**2
    if got == expected:
        return _yes("Right: {k} kernels × {c} channels × {s}×{s}{b} = {e}.", k=out_channels, c=in_channels,
                    s=kernel_size, b=tr(" + {k} biases", k=out_channels) if bias else "", e=f"{expected:,}")
    if bias and got == weights:
        return _no("Almost: each kernel also has one bias.")
    if got == out_channels * kernel_size**2 + (out_channels if bias else 0):
        return _no("Each kernel spans all input channels: it has in_channels × k × k weights.")
    return _no("Count one kernel: in_channels × k × k weights (plus a bias); then multiply by the "
               "number of kernels.")


@_readable
def network_parameters(answer, net) -> Feedback:
    """The parameter count of a whole network (every layer's weights and biases), checked against torch."""
    got = _whole(answer, tr("the parameter count of the network"),
                 tr("a network has a whole number of weights and biases."))
    if isinstance(got, Feedback):
        return got
    expected = sum(p.numel() for p in net.parameters())
    biases = sum(p.numel() for name, p in net.named_parameters() if name.endswith("bias"))
    if got == expected:
        return _yes("Right: {e} parameters.", e=f"{expected:,}")
    if got == expected - biases:
        return _no("Almost: every kernel and every output of a linear layer also has one bias.")
    layers = [m for m in net.modules() if len(list(m.parameters(recurse=False)))]
    for m in layers:
        own = sum(p.numel() for p in m.parameters(recurse=False))
        if got == expected - own:
            return _no("One layer is missing from your count: {layer}.", layer=str(m))
    return _no("Add up layer by layer: a convolution has out × in × k × k weights + out biases, a linear "
               "layer out × in weights + out biases; ReLU, pooling and flatten have none.")


def _receptive_field(layers) -> int:
    """The receptive field (one side) of a stack of (kind, kernel, stride) layers, by the recurrence."""
    size, jump = 1, 1
    for _, k, s in layers:
        size += (k - 1) * jump
        jump *= s
    return size


@_readable
def receptive_field(answer, layers) -> Feedback:
    """The receptive field of one output pixel of a stack of layers: how many input pixels per side it sees."""
    got = _whole(answer, tr("the receptive field's side in input pixels"),
                 tr("it counts input pixels."))
    if isinstance(got, Feedback):
        return got
    import torch

    # The gradient of one output pixel with respect to the input is non-zero exactly where it looks
    # (average pooling stands in for max pooling: the same windows, and every pixel in them gets a share).
    modules = [torch.nn.Conv2d(1, 1, k, s, bias=False) if kind == "conv" else torch.nn.AvgPool2d(k, s)
               for kind, k, s in layers]
    for m in modules:
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.constant_(m.weight, 1.0)
    expected = _receptive_field(layers)
    side = 2 * expected + 8
    x = torch.ones(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    out = torch.nn.Sequential(*modules).double()(x)
    out[0, 0, out.shape[-2] // 2, out.shape[-1] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    measured = int(rows.max() - rows.min() + 1)
    assert measured == expected, (measured, expected)
    if got == expected:
        return _yes("Right: one output pixel sees {e}×{e} input pixels.", e=expected)
    if got == 1 + sum(k - 1 for _, k, _ in layers):
        return _no("You added k − 1 for every layer. After a layer with stride s, each further step covers s "
                   "times as many input pixels: multiply the later layers' k − 1 by the product of the "
                   "strides before them.")
    return _no("Start at 1 pixel and walk through the layers: each adds (k − 1) × (the product of the strides "
               "before it).")


# --- code the student writes: run it on cases built here, compare with torch ----------------------

def _function(fn, name: str):
    if fn is None or fn is ...:
        return _no("Not answered yet: write `{name}` in the cell and run it.", name=name)
    if not callable(fn):
        return _no("Give the function itself: `{name}`, without brackets after it.", name=name)
    return None


def _run(fn, name: str, case: str, *args, **kwargs):
    """Call the student's function; an error it raises becomes a one-line hint naming the case."""
    try:
        result = fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - the student's own code: say where it stopped, in one line
        return _no("Your `{name}` stopped with an error on {case}: {etype}: {error}", name=name, case=case,
                   etype=type(error).__name__, error=str(error).splitlines()[0] if str(error) else "")
    return result


def _result(result, name: str, what: str, example: str):
    if isinstance(result, Feedback):
        return result
    if result is None:
        return _no("Your `{name}` returns nothing (None): end it with `return` and {what}.", name=name, what=what)
    got = _matrix(result, what, example)
    return got


def _torch_conv(image, kernel, stride=1, padding=0):
    import torch
    import torch.nn.functional as F

    x = torch.as_tensor(np.asarray(image, float))
    w = torch.as_tensor(np.asarray(kernel, float))
    if x.ndim == 2:
        return F.conv2d(x[None, None], w[None, None], stride=stride, padding=padding)[0, 0].numpy()
    return F.conv2d(x[None], w, stride=stride, padding=padding)[0].numpy()


def _cases(seed: int, channels: bool = False):
    rng = np.random.default_rng(seed)
    shapes = [(5, 5, 3, 1, 0), (6, 7, 3, 2, 1), (7, 7, 2, 2, 0), (8, 6, 3, 3, 2)]
    for h, w, k, s, p in shapes:
        if channels:
            yield rng.integers(-5, 6, (3, h, w)).astype(float), rng.integers(-3, 4, (2, 3, k, k)).astype(float), s, p
        else:
            yield rng.integers(-5, 6, (h, w)).astype(float), rng.integers(-3, 4, (k, k)).astype(float), s, p


@_readable
def conv2d_function(fn, name: str = "conv2d") -> Feedback:
    """A function `conv2d(image, kernel, stride=1, padding=0)` for one image and one kernel, compared with torch."""
    if (fb := _function(fn, name)) is not None:
        return fb
    for image, kernel, s, p in _cases(0):
        case = tr("a {h}×{w} image, {k}×{k} kernel, stride {s}, padding {p}", h=image.shape[0], w=image.shape[1],
                  k=kernel.shape[0], s=s, p=p)
        got = _result(_run(fn, name, case, image.copy(), kernel.copy(), stride=s, padding=p), name,
                      tr("the activation map"), "np.zeros((3, 3))")
        if isinstance(got, Feedback):
            return got
        expected = _torch_conv(image, kernel, s, p)
        if got.shape != expected.shape:
            return _no("On {case} the activation map should be {e} but yours is {g}: its side is "
                       "⌊(n + 2p − k) / s⌋ + 1.", case=case, e=expected.shape, g=got.shape)
        if np.allclose(got, expected):
            continue
        if np.allclose(got, _torch_conv(image, kernel[::-1, ::-1].copy(), s, p)):
            return _no("Your `{name}` flips the kernel (the mathematicians' convolution). Lay the kernel on the "
                       "window as it is: window * kernel.", name=name)
        return _no("On {case} {n} of {m} values differ from torch. Check where each window starts: row i·s and "
                   "column j·s of the padded image.", case=case, n=int(np.sum(~np.isclose(got, expected))),
                   m=expected.size)
    return _yes("Right: your `{name}` equals torch's conv2d with stride and padding.", name=name)


@_readable
def conv2d_channels_function(fn, name: str = "conv2d_channels") -> Feedback:
    """A function `conv2d_channels(image, kernels, stride=1, padding=0)`: (C, H, W), (K, C, k, k) → (K, H', W')."""
    if (fb := _function(fn, name)) is not None:
        return fb
    for image, kernels, s, p in _cases(1, channels=True):
        case = tr("a {c}-channel {h}×{w} image, {k} kernels of {c}×{ks}×{ks}, stride {s}, padding {p}",
                  c=image.shape[0], h=image.shape[1], w=image.shape[2], k=kernels.shape[0], ks=kernels.shape[-1],
                  s=s, p=p)
        got = _result(_run(fn, name, case, image.copy(), kernels.copy(), stride=s, padding=p), name,
                      tr("the K activation maps"), "np.zeros((2, 3, 3))")
        if isinstance(got, Feedback):
            return got
        expected = _torch_conv(image, kernels, s, p)
        if got.shape != expected.shape:
            return _no("On {case} the output should be {e} (one map per kernel) but yours is {g}.", case=case,
                       e=expected.shape, g=got.shape)
        if np.allclose(got, expected):
            continue
        only_first = np.stack([_torch_conv(image[0], k[0], s, p) for k in kernels])
        if np.allclose(got, only_first):
            return _no("Only the first channel counts in your maps. Each kernel covers all C channels: add up "
                       "the C single-channel convolutions.")
        return _no("On {case} {n} of {m} values differ from torch. Map k is the sum over channels c of "
                   "conv2d(image[c], kernels[k, c]).", case=case, n=int(np.sum(~np.isclose(got, expected))),
                   m=expected.size)
    return _yes("Right: your `{name}` equals torch's conv2d over channels.", name=name)


@_readable
def max_pool_function(fn, name: str = "max_pool") -> Feedback:
    """A function `max_pool(x, size=2, stride=None)` for one map, compared with torch's max_pool2d."""
    if (fb := _function(fn, name)) is not None:
        return fb
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(2)
    for h, w, k, s in [(4, 4, 2, None), (5, 7, 2, 2), (6, 6, 3, 1), (7, 5, 3, 2)]:
        x = rng.integers(-9, 10, (h, w)).astype(float)
        case = tr("a {h}×{w} map, {k}×{k} windows, stride {s}", h=h, w=w, k=k, s=s or k)
        got = _result(_run(fn, name, case, x.copy(), k, s), name, tr("the pooled map"), "np.zeros((2, 2))")
        if isinstance(got, Feedback):
            return got
        expected = F.max_pool2d(torch.tensor(x)[None, None], k, s)[0, 0].numpy()
        if got.shape != expected.shape:
            return _no("On {case} the pooled map should be {e} but yours is {g}: windows that do not fit are "
                       "left out (round down).", case=case, e=expected.shape, g=got.shape)
        if np.allclose(got, expected):
            continue
        if np.allclose(got, F.avg_pool2d(torch.tensor(x)[None, None], k, s)[0, 0].numpy()):
            return _no("That is average pooling: keep each window's largest value (window.max()).")
        return _no("On {case} {n} of {m} values differ from torch. Window (i, j) starts at row i·stride, "
                   "column j·stride.", case=case, n=int(np.sum(~np.isclose(got, expected))), m=expected.size)
    return _yes("Right: your `{name}` equals torch's max_pool2d.", name=name)


def _vote_histogram(magnitude, orientation, bins: int = 9) -> np.ndarray:
    """A cell's histogram, each pixel's vote split between the two nearest bin centres (unsigned, 0–180°)."""
    width = 180 / bins
    position = (np.asarray(orientation, float).ravel() % 180) / width - 0.5   # in units of bins, centre 0 at 0
    low = np.floor(position)
    share_high = position - low
    hist = np.zeros(bins)
    m = np.asarray(magnitude, float).ravel()
    np.add.at(hist, low.astype(int) % bins, m * (1 - share_high))
    np.add.at(hist, (low.astype(int) + 1) % bins, m * share_high)
    return hist


@_readable
def cell_histogram_function(fn, name: str = "cell_histogram") -> Feedback:
    """A function `cell_histogram(magnitude, orientation)`: 9 bins of 20°, each vote split between two bins."""
    if (fb := _function(fn, name)) is not None:
        return fb
    rng = np.random.default_rng(3)
    cases = [(np.array([[1.0]]), np.array([[30.0]])), (np.array([[2.0]]), np.array([[40.0]])),
             (np.array([[1.0]]), np.array([[175.0]])),
             (rng.uniform(0, 5, (7, 7)).round(2), rng.uniform(0, 180, (7, 7)).round(1))]
    for magnitude, orientation in cases:
        case = tr("magnitude {m} at {o}°", m=magnitude.ravel()[0], o=orientation.ravel()[0]) \
            if magnitude.size == 1 else tr("a 7×7 cell")
        got = _result(_run(fn, name, case, magnitude.copy(), orientation.copy()), name, tr("the 9 bins"),
                      "np.zeros(9)")
        if isinstance(got, Feedback):
            return got
        expected = _vote_histogram(magnitude, orientation)
        if got.shape != (9,):
            return _no("The histogram has 9 bins, one value each; yours has shape {g}.", g=got.shape)
        if np.allclose(got, expected):
            continue
        if not np.any(got):
            return _no("Your histogram is all zeros: every pixel adds its magnitude to the bins (split between the "
                       "two nearest ones).")
        hard = np.bincount((orientation.ravel() // 20).astype(int) % 9, magnitude.ravel(), minlength=9)
        if np.allclose(got, hard):
            return _no("Each pixel gives its whole vote to one bin. Split it: a pixel at 40° sits halfway between "
                       "the centres 30° and 50°, so each of the two bins gets half of its magnitude.")
        if np.allclose(got.sum(), expected.sum()) and magnitude.size == 1:
            return _no("The total is right but it lands in the wrong bins for {case}. Bin i is centred at "
                       "20·i + 10°; angles past 170° share their vote with bin 0 (180° is 0°).", case=case)
        return _no("For {case} the bins should be {e}.", case=case, e=np.round(expected, 3).tolist())
    return _yes("Right: each pixel's vote is split between the two nearest bins.")


def _l2_normalise(v, eps: float = 1e-5) -> np.ndarray:
    return v / np.sqrt(np.sum(v ** 2) + eps ** 2)


@_readable
def block_normalization_function(fn, name: str = "normalize_block") -> Feedback:
    """A function `normalize_block(block)`: L2-Hys of one block's histograms (a 1-D array), as scikit-image does it."""
    if (fb := _function(fn, name)) is not None:
        return fb
    import warnings

    from skimage.feature._hog import _hog_normalize_block

    spike = np.full(36, 0.05)
    spike[4] = 3.0                                       # one strong edge: here the clipping at 0.2 matters
    cases = [(tr("a block with one strong edge"), spike),
             (tr("a block of 36 random values"), np.random.default_rng(6).exponential(1.0, 36).round(3)),
             (tr("a block of 4 values"), np.array([0.0, 1.0, 2.0, 9.0])),
             (tr("a faint block (values of 0.000001)"), np.full(8, 1e-6)),
             (tr("an all-zero block"), np.zeros(36))]
    for case, block in cases:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")                  # 0/0 in the student's code: the hint says it
            result = _run(fn, name, case, block.copy())
        if isinstance(result, Feedback):
            return result
        if result is None:
            return _no("Your `{name}` returns nothing (None): end it with `return` and the normalised block.",
                       name=name)
        try:
            raw = np.asarray(_to_numpy(result), float)
        except (TypeError, ValueError):
            raw = None
        if raw is not None and not np.any(block) and np.any(np.isnan(raw)):
            return _no("On an all-zero block (no edges at all) your `{name}` gives nan: 0 / 0. Put eps² under the "
                       "square root, v / sqrt(‖v‖² + eps²), so that such a block stays all zeros.", name=name)
        got = _matrix(result, tr("the normalised block"), "np.zeros(36)")
        if isinstance(got, Feedback):
            return got
        if got.shape != block.shape:
            return _no("On {case} the result should have shape {e}, one value per value of the block, but yours "
                       "has shape {g}.", case=case, e=block.shape, g=got.shape)
        expected = _hog_normalize_block(block, method="L2-Hys")
        if np.allclose(got, expected, rtol=1e-6, atol=1e-9):
            continue
        first = _l2_normalise(block)
        early = _l2_normalise(np.minimum(block, 0.2))
        if np.any(block) and np.allclose(got, block):
            return _no("Your `{name}` returns the block as it was: divide it by its length, clip at 0.2, and "
                       "divide by the new length.", name=name)
        if np.allclose(got, first):
            return _no("That is plain L2 normalisation: nothing is clipped. After dividing by the length, lower "
                       "every value above 0.2 to 0.2 (np.minimum), then normalise again.")
        if np.allclose(got, np.minimum(first, 0.2)):
            return _no("The clipping is right, but then normalise again: after clipping the block is shorter "
                       "than 1, so divide it by its new length, sqrt(‖v‖² + eps²).")
        if np.allclose(got, early) or np.allclose(got, _l2_normalise(early)):
            return _no("You clip before the first normalisation. 0.2 is meant for a block of length 1: first "
                       "divide by the length, then clip at 0.2, then normalise again.")
        outside = block / (np.sqrt(np.sum(block ** 2)) + 1e-5)
        outside = np.minimum(outside, 0.2)
        if np.allclose(got, outside / (np.sqrt(np.sum(outside ** 2)) + 1e-5)):
            return _no("Nearly: eps goes under the square root, squared, v / sqrt(‖v‖² + eps²), not after it as "
                       "‖v‖ + eps. On {case} that makes a difference.", case=case)
        return _no("On {case} your values differ from scikit-image's L2-Hys. Step by step: v / sqrt(‖v‖² + "
                   "eps²) with eps = 1e-5, then np.minimum(v, 0.2), then v / sqrt(‖v‖² + eps²) again.",
                   case=case)
    return _yes("Right: your `{name}` equals scikit-image's L2-Hys on every block, the all-zero one too.", name=name)


@_readable
def image_gradients_function(fn, name: str = "image_gradients") -> Feedback:
    """A function `image_gradients(image)` → (gx, gy): central differences, zero on the border."""
    if (fb := _function(fn, name)) is not None:
        return fb
    image = np.random.default_rng(4).integers(0, 256, (6, 7)).astype(float)
    result = _run(fn, name, tr("a 6×7 image"), image.copy())
    if isinstance(result, Feedback):
        return result
    if result is None:
        return _no("Your `{name}` returns nothing (None): end it with `return gx, gy`.", name=name)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return _no("Return two arrays, `return gx, gy`, each the size of the image.")
    gx, gy = (_matrix(g, tr("a gradient"), "np.zeros_like(image)") for g in result)
    for g in (gx, gy):
        if isinstance(g, Feedback):
            return g
    if gx.shape != image.shape or gy.shape != image.shape:
        return _no("gx and gy are the size of the image ({h}×{w}), with zeros on the border.", h=6, w=7)
    ex = np.zeros_like(image)
    ey = np.zeros_like(image)
    ex[:, 1:-1] = image[:, 2:] - image[:, :-2]
    ey[1:-1, :] = image[2:, :] - image[:-2, :]
    if np.allclose(gx, ex) and np.allclose(gy, ey):
        return _yes("Right: gx = right − left, gy = below − above, zero on the border.")
    if np.allclose(gx, ey) and np.allclose(gy, ex):
        return _no("gx and gy are swapped: gx runs along a row (right − left), gy down a column (below − above).")
    if np.allclose(gx, -ex) or np.allclose(gy, -ey):
        return _no("A sign is flipped: subtract the left (above) neighbour from the right (below) one.")
    if np.allclose(gx[1:-1, 1:-1], ex[1:-1, 1:-1]) and np.allclose(gy[1:-1, 1:-1], ey[1:-1, 1:-1]):
        return _no("The inside is right; on the border (first and last column for gx, first and last row for gy) "
                   "a pixel lacks a neighbour, so leave 0 there.")
    return _no("gx[r, c] = image[r, c + 1] − image[r, c − 1] and gy[r, c] = image[r + 1, c] − image[r − 1, c], "
               "for the pixels that have both neighbours.")


def _hidden_kernel() -> np.ndarray:
    return np.random.default_rng(2012).integers(-2, 3, (3, 3)).astype(float)


def kernel_task(n: int = 64, size: int = 12):
    """A kernel-learning task: n random size×size images (n, 1, size, size) and their activation maps under a
    hidden 3×3 kernel (n, 1, size − 2, size − 2), as float64 torch tensors. `learned_kernel` knows the kernel."""
    import torch
    import torch.nn.functional as F

    images = torch.as_tensor(np.random.default_rng(7).normal(size=(n, 1, size, size)))
    return images, F.conv2d(images, torch.as_tensor(_hidden_kernel())[None, None])


@_readable
def learned_kernel(answer, hidden=None) -> Feedback:
    """A kernel learned by gradient descent, compared with the hidden kernel that made the targets."""
    got = _matrix(answer, tr("a kernel"), "np.zeros((3, 3))")
    if isinstance(got, Feedback):
        return got
    hidden = _hidden_kernel() if hidden is None else np.asarray(hidden, float)
    if got.shape != hidden.shape:
        return _no("The learned kernel should be {h}×{w}.", h=hidden.shape[0], w=hidden.shape[1])
    error = float(np.abs(got - hidden).max())
    if error < 0.05:
        return _yes("Right: the learned kernel matches the hidden one (largest difference {e}).", e=f"{error:.1e}")
    if error > 1e6:
        return _no("The kernel blew up: the learning rate is too large, each step overshoots. Try a 10× smaller one.")
    return _no("Not there yet (largest difference {e}). Is `w -= lr * w.grad` inside `torch.no_grad()`, is the "
               "gradient zeroed after each step (`w.grad.zero_()`), and are there enough steps?", e=f"{error:.2g}")


class _CountingSGD:
    """Plain SGD that counts what a training loop calls on it: a window on the student's loop."""

    def __init__(self, params, lr):
        import torch
        self.inner = torch.optim.SGD(params, lr=lr)
        self.param_groups = self.inner.param_groups
        self.steps = self.zero_grads = 0

    def zero_grad(self, set_to_none: bool = True):
        self.zero_grads += 1
        self.inner.zero_grad(set_to_none=set_to_none)

    def step(self, closure=None):
        self.steps += 1
        return self.inner.step(closure)


def _small_task(n: int = 512, seed: int = 0):
    """Two easy classes of 8×8 images (a bright bar across or down), enough to see a loop learn."""
    import torch

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 8, 8, generator=g) * 0.5
    y = torch.randint(0, 2, (n,), generator=g)
    x[y == 0, 0, 3:5, :] += 1.0
    x[y == 1, 0, :, 3:5] += 1.0
    return x, y


@_readable
def training_loop(fn, name: str = "train_epoch") -> Feedback:
    """A function `train_epoch(model, optimizer, images, labels, batch_size)`: one pass over the data."""
    if (fb := _function(fn, name)) is not None:
        return fb
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                                torch.nn.Linear(4 * 6 * 6, 2))
    x, y = _small_task()
    before = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():
        loss0 = float(torch.nn.functional.cross_entropy(model(x), y))
    optimizer = _CountingSGD(model.parameters(), lr=0.1)
    case = tr("512 images in batches of 64")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)                 # tiny tensors: one core is quickest, and threads only wait
    try:
        result = _run(fn, name, case, model, optimizer, x, y, batch_size=64)
        if not isinstance(result, Feedback) and optimizer.steps:
            for _ in range(2):
                _run(fn, name, case, model, optimizer, x, y, batch_size=64)
    finally:
        torch.set_num_threads(threads)
    if isinstance(result, Feedback):
        return result
    batches = 512 // 64
    if optimizer.steps == 0:
        return _no("The weights never change: call `optimizer.step()` after `loss.backward()`, once per batch.")
    if optimizer.steps == 3:
        return _no("`optimizer.step()` ran once; it should run once per batch ({b} times for 512 images in "
                   "batches of 64): put forward, loss, backward and step inside the loop over batches.", b=batches)
    if optimizer.steps != 3 * batches:
        return _no("`optimizer.step()` ran {n} times in 3 passes over 512 images; it should run once per batch of "
                   "64, {b} times a pass.", n=optimizer.steps, b=batches)
    if optimizer.zero_grads < 3 * batches:
        return _no("The gradients pile up from batch to batch: call `optimizer.zero_grad()` before "
                   "`loss.backward()` in every batch.")
    if all(torch.equal(a, b) for a, b in zip(before, model.parameters())):
        return _no("The weights did not change: is `loss.backward()` called before `optimizer.step()`?")
    with torch.no_grad():
        loss3 = float(torch.nn.functional.cross_entropy(model(x), y))
    if not loss3 < 0.7 * loss0:
        return _no("The loss hardly went down ({a} → {b} after 3 passes): is the loss computed on the model's "
                   "output for the batch, with the batch's labels?", a=f"{loss0:.3f}", b=f"{loss3:.3f}")
    return _yes("Right: one step per batch, gradients zeroed, and the loss falls ({a} → {b} in 3 passes).",
                a=f"{loss0:.3f}", b=f"{loss3:.3f}")


@_readable
def accuracy(answer, target: float, what: str = "validation") -> Feedback:
    """An accuracy the student's training reached, compared with the target."""
    got = _number(answer, tr("an accuracy between 0 and 1"))
    if isinstance(got, Feedback):
        return got
    if not 0 <= got <= 1:
        return _no("An accuracy is a share between 0 and 1 (0.93 for 93 %); got {g}.", g=f"{got:g}")
    if got >= target:
        return _yes("Right: {a} on the {w} set, target {t}.", a=f"{got:.1%}", w=tr(what), t=f"{target:.0%}")
    if got < 0.2:
        return _no("{a} is guessing level: the network has not learned. Check the training loop (step, "
                   "zero_grad) and the learning rate.", a=f"{got:.1%}")
    return _no("{a} on the {w} set; the target is {t}. Train a little longer or try another learning rate.",
               a=f"{got:.1%}", w=tr(what), t=f"{target:.0%}")


def numerical_gradient(f, x, dout, h: float = 1e-5) -> np.ndarray:
    """CS231n's check: the gradient of sum(f(x) * dout) with respect to x by central differences."""
    x = np.array(x, float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        plus = np.sum(f(x) * dout)
        x[index] = old - h
        minus = np.sum(f(x) * dout)
        x[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad


def relative_error(a, b) -> float:
    """max |a − b| / max(|a| + |b|): CS231n's measure of how well two gradients agree (1e-7 or less: same)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


@_readable
def conv_backward_function(fn, name: str = "conv_backward") -> Feedback:
    """A function `conv_backward(x, w, dout)` → (dx, dw) for one image, one kernel, stride 1, no padding."""
    if (fb := _function(fn, name)) is not None:
        return fb
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(5)
    for h, w, k in [(4, 4, 2), (6, 5, 3)]:
        x, kernel = rng.normal(size=(h, w)), rng.normal(size=(k, k))
        dout = rng.normal(size=(h - k + 1, w - k + 1))
        case = tr("a {h}×{w} image and a {k}×{k} kernel", h=h, w=w, k=k)
        result = _run(fn, name, case, x.copy(), kernel.copy(), dout.copy())
        if isinstance(result, Feedback):
            return result
        if result is None:
            return _no("Your `{name}` returns nothing (None): end it with `return dx, dw`.", name=name)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return _no("Return two arrays: `return dx, dw` (dx the size of x, dw the size of w).")
        dx, dw = (_matrix(g, tr("a gradient"), "np.zeros_like(x)") for g in result)
        for g in (dx, dw):
            if isinstance(g, Feedback):
                return g
        xt = torch.tensor(x, requires_grad=True)
        wt = torch.tensor(kernel, requires_grad=True)
        F.conv2d(xt[None, None], wt[None, None])[0, 0].backward(torch.tensor(dout))
        if dx.shape != x.shape or dw.shape != kernel.shape:
            return _no("dx has the shape of x ({hx}×{wx}) and dw the shape of w ({k}×{k}).", hx=h, wx=w, k=k)
        if not np.any(dx) and not np.any(dw):
            return _no("dx and dw are still all zeros: loop over the output positions (i, j) and send dout[i, j] "
                       "back to the window it came from.")
        ex, ew = relative_error(dx, xt.grad.numpy()), relative_error(dw, wt.grad.numpy())
        if ew > 1e-6:
            return _no("dw is off (relative error {e}). dw[a, b] adds dout[i, j] · x[i + a, j + b] over all "
                       "output positions (i, j): a correlation of x with dout.", e=f"{ew:.1e}")
        if ex > 1e-6:
            flipped = np.zeros_like(x)
            for i in range(dout.shape[0]):
                for j in range(dout.shape[1]):
                    flipped[i:i + k, j:j + k] += dout[i, j] * kernel[::-1, ::-1]
            if relative_error(dx, flipped) < 1e-6:
                return _no("dx uses the flipped kernel. Each output (i, j) used x[i + a, j + b] with weight "
                           "w[a, b], so it sends dout[i, j] · w[a, b] back to exactly that pixel.")
            return _no("dx is off (relative error {e}). Every output (i, j) sends dout[i, j] · w back onto the "
                       "window it came from: dx[i:i+k, j:j+k] += dout[i, j] * w.", e=f"{ex:.1e}")
    numeric = numerical_gradient(lambda v: F.conv2d(torch.tensor(v)[None, None],
                                                    torch.tensor(kernel)[None, None])[0, 0].numpy(), x, dout)
    return _yes("Right: dx and dw agree with autograd (relative errors {ex} and {ew}); the numerical gradient "
                "agrees with dx to {en}.", ex=f"{ex:.0e}", ew=f"{ew:.0e}", en=f"{relative_error(numeric, dx):.0e}")


# --- autograder cells ---------------------------------------------------------------------------------

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
    print(tr("Not yet: {hint}", hint=str(feedback).removeprefix("✗ ")), file=sys.stderr)


# --- a NameError in a cell: one sentence that says which part of the notebook to run first ----------

_KNOWN_MODULES = {"np": "import numpy as np", "torch": "import torch", "F": "import torch.nn.functional as F",
                  "nn": "from torch import nn", "plt": "import matplotlib.pyplot as plt",
                  "checks": "from helpers import checks"}


def _notebook_path(user_ns: dict) -> Path | None:
    """The notebook this kernel runs: JupyterLab names it in JPY_SESSION_NAME, VS Code in __vsc_ipynb_file__."""
    for name in (os.environ.get("JPY_SESSION_NAME"), user_ns.get("__vsc_ipynb_file__"), user_ns.get("__session__")):
        if not name:
            continue
        p = Path(name)
        for candidate in (p, Path.cwd() / p, Path.cwd() / p.name):
            if candidate.suffix == ".ipynb" and candidate.is_file():
                return candidate
    return None


def _defines(source: str, name: str) -> bool:
    """Whether a cell's top-level code makes `name` (assigns, defines, imports or loops over it)."""
    n = re.escape(name)
    patterns = [rf"^(?:async\s+)?def\s+{n}\b", rf"^class\s+{n}\b", rf"^import\s+.*\bas\s+{n}\b",
                rf"^import\s+(?:[\w.]+\s*,\s*)*{n}\b", rf"^from\s+\S+\s+import\s+.*\b{n}\b",
                rf"^for\s+(?:[\w\s,()]*,\s*)?\(?{n}\b.*\bin\b", rf"^with\s+.*\bas\s+\(?{n}\b"]
    for line in source.splitlines():
        if line[:1].isspace():
            continue
        if any(re.match(p, line) for p in patterns):
            return True
        left = re.split(r"(?<![=!<>+\-*/%&|^])=(?!=)", line, maxsplit=1)
        if len(left) == 2 and name in re.findall(r"\w+", re.sub(r"\[.*?\]|\.\w+", "", left[0])):
            return True
    return False


def where_defined(notebook: Path, name: str) -> str | None:
    """The heading of the part of `notebook` whose code first makes `name`, or None."""
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    heading = None
    for cell in cells:
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown":
            titles = [re.sub(r"[*_`]", "", m).strip() for m in re.findall(r"^#{1,4}\s+(.+)$", source, re.M)]
            heading = titles[-1] if titles else heading
        elif cell.get("cell_type") == "code" and _defines(source, name):
            return heading
    return None


def name_hint(name: str, user_ns: dict | None = None) -> str:
    """The sentence a NameError for `name` gets in a notebook cell."""
    notebook = _notebook_path(user_ns or {})
    place = where_defined(notebook, name) if notebook else None
    if name in _KNOWN_MODULES and place is None:
        return tr("`{name}` is not defined yet: run the cells above first ({run}), or add `{line}` at the top "
                  "of this cell.", name=name, run=RUN_ABOVE, line=_KNOWN_MODULES[name])
    if place:
        return tr("`{name}` is made in “{place}”: run the cells above first ({run}).", name=name, place=place,
                  run=RUN_ABOVE)
    return tr("`{name}` is not defined yet: it is made in a cell above, so run the cells above first ({run}), "
              "or check its spelling.", name=name, run=RUN_ABOVE)


def _name_error_handler(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: a NameError raised by a cell's own code becomes one sentence."""
    frame_tb = tb
    while frame_tb is not None and frame_tb.tb_next is not None:
        frame_tb = frame_tb.tb_next
    in_cell = frame_tb is not None and frame_tb.tb_frame.f_globals is shell.user_ns
    name = getattr(value, "name", None) or (re.findall(r"'(\w+)'", str(value)) or [None])[0]
    if not in_cell or not name or issubclass(etype, UnboundLocalError):   # a local used too early: a real bug
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    print(name_hint(name, shell.user_ns), file=sys.stderr)
    return None


def install_name_hints() -> bool:
    """Register the NameError handler with the running IPython; returns whether there was one."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((NameError,), _name_error_handler)
    return True


install_name_hints()
