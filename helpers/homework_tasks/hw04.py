"""hw04: average pooling with padding; the max-pool backward pass; receptive fields."""

from __future__ import annotations

import math

import numpy as np

from helpers.checks import Feedback
from helpers.homework_tasks._common import _array, _call, _guarded, _n, _no, _number, _t, _yes


@_guarded(wanted="An average-pooled map, as a list of rows")
def avg_pooled(answer, x, kernel_size, stride, padding, count_include_pad) -> Feedback:
    """An average-pooled map, as a list of rows."""
    got = _array(answer, "the pooled map")
    if isinstance(got, Feedback):
        return got
    import torch
    import torch.nn.functional as F

    t = torch.tensor(np.asarray(x, float))[None, None]
    expected = F.avg_pool2d(t, kernel_size, stride, padding, count_include_pad=count_include_pad)[0, 0].numpy()
    if got.shape != expected.shape:
        return _no(
            "The pooled map is {h}×{w}: ⌊(n + 2p − k) / s⌋ + 1 windows per side.",
            h=expected.shape[0],
            w=expected.shape[1],
        )
    if np.allclose(got, expected, atol=1e-3):
        return _yes("Right.")
    other = F.avg_pool2d(t, kernel_size, stride, padding, count_include_pad=not count_include_pad)[0, 0].numpy()
    if np.allclose(got, other, atol=1e-3):
        if not count_include_pad:
            return _no(
                "You divided by the full window, 9, everywhere. With count_include_pad=False a window that "
                "hangs over the border is divided by the number of REAL pixels in it."
            )
        return _no(
            "You divided by the real pixels only. With count_include_pad=True the padding's zeros count: "
            "divide every window by k·k."
        )
    wrong = int(np.sum(~np.isclose(got, expected, atol=1e-3)))
    return _no(
        "{wrong} of {n} values differ. Pad with zeros, take each window in turn, add its real pixels and "
        "divide by how many there are.",
        wrong=wrong,
        n=expected.size,
    )


@_guarded(wanted="A function `avg_pool(x, size, stride, padding, count_include_pad)` for one map, compared with torch")
def avg_pool_function(fn, name: str = "avg_pool") -> Feedback:
    """A function `avg_pool(x, size, stride, padding, count_include_pad)` for one map, compared with torch."""
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(44)
    for h, w, k, s, p, inc in [
        (4, 4, 2, 2, 0, True),
        (5, 6, 3, 2, 1, False),
        (5, 6, 3, 2, 1, True),
        (7, 5, 3, 1, 1, False),
        (6, 7, 4, 3, 2, False),
    ]:
        x = rng.integers(-9, 10, (h, w)).astype(float)
        case = _t(
            "a {h}×{w} map, {k}×{k} windows, stride {s}, padding {p}, count_include_pad={i}",
            h=h,
            w=w,
            k=k,
            s=s,
            p=p,
            i=inc,
        )
        got = _call(fn, name, case, x.copy(), k, s, p, inc)
        if isinstance(got, Feedback):
            return got
        got = _array(got, "the pooled map")
        if isinstance(got, Feedback):
            return got
        t = torch.tensor(x)[None, None]
        expected = F.avg_pool2d(t, k, s, p, count_include_pad=inc)[0, 0].numpy()
        if got.shape != expected.shape:
            return _no(
                "On {case} the pooled map should be {e} but yours is {g}: ⌊(n + 2p − k) / s⌋ + 1 per side.",
                case=case,
                e=expected.shape,
                g=got.shape,
            )
        if np.allclose(got, expected):
            continue
        if p and np.allclose(got, F.avg_pool2d(t, k, s, p, count_include_pad=not inc)[0, 0].numpy()):
            return _no(
                "On {case} your `{name}` does the opposite of count_include_pad: True divides every window "
                "by k·k (the zeros count), False by the number of real pixels in the window.",
                case=case,
                name=name,
            )
        return _no(
            "On {case} {n} of {m} values differ from torch's avg_pool2d.",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` equals torch's avg_pool2d, with and without count_include_pad.", name=name)


@_guarded(wanted="A function `max_pool_backward(x, dout, size, stride)` → dx, compared with torch's autograd")
def max_pool_backward_function(fn, name: str = "max_pool_backward") -> Feedback:
    """A function `max_pool_backward(x, dout, size, stride)` → dx, compared with torch's autograd."""
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(45)
    for h, w, k, s in [(4, 4, 2, 2), (5, 7, 2, 2), (7, 7, 3, 2), (6, 5, 3, 1)]:
        x = rng.permutation(h * w).reshape(h, w).astype(float) + rng.uniform(0, 0.5, (h, w))  # no ties
        xt = torch.tensor(x, requires_grad=True)
        out = F.max_pool2d(xt[None, None], k, s)[0, 0]
        dout = rng.normal(size=tuple(out.shape)).round(2)
        out.backward(torch.tensor(dout))
        expected = xt.grad.numpy()
        case = _t("a {h}×{w} map, {k}×{k} windows, stride {s}", h=h, w=w, k=k, s=s)
        got = _call(fn, name, case, x.copy(), dout.copy(), k, s)
        if isinstance(got, Feedback):
            return got
        got = _array(got, "dx")
        if isinstance(got, Feedback):
            return got
        if got.shape != x.shape:
            return _no(
                "dx has the shape of x ({h}×{w}): one gradient per input pixel; yours is {g}.", h=h, w=w, g=got.shape
            )
        if np.allclose(got, expected):
            continue
        if not np.any(got):
            return _no("dx is all zeros: every window sends its dout to the pixel that won the max.")
        xa = torch.tensor(x, requires_grad=True)
        F.avg_pool2d(xa[None, None], k, s)[0, 0].backward(torch.tensor(dout))
        if np.allclose(got, xa.grad.numpy()) or np.allclose(got, xa.grad.numpy() * k * k):
            return _no(
                "You share dout over the whole window: that is average pooling's backward pass. Max pooling "
                "passed on only the largest value, so only that pixel gets the gradient."
            )
        overwrite = np.zeros_like(x)
        for i in range(dout.shape[0]):
            for j in range(dout.shape[1]):
                window = x[i * s : i * s + k, j * s : j * s + k]
                a, b = np.unravel_index(np.argmax(window), window.shape)
                overwrite[i * s + a, j * s + b] = dout[i, j]
        if np.allclose(got, overwrite):
            return _no(
                "On {case} the windows overlap and one pixel can win in two windows: add the gradients "
                "(dx[...] += dout[i, j]), do not overwrite them.",
                case=case,
            )
        return _no(
            "On {case} {n} of {m} values differ from autograd. Window (i, j) starts at row i·stride, column "
            "j·stride; its dout[i, j] goes to the position of its largest value.",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` equals torch's autograd, overlapping windows included.", name=name)


def _stack_modules(layers):
    import torch

    modules = []
    for kind, k, s, d in layers:
        if kind == "conv":
            m = torch.nn.Conv2d(1, 1, k, s, dilation=d, bias=False)
            torch.nn.init.constant_(m.weight, 1.0)
        else:
            m = torch.nn.AvgPool2d(k, s)  # the same windows as max pooling; every pixel gets a share
        modules.append(m)
    return torch.nn.Sequential(*modules).double()


def _influence(layers):
    """The input pixels one central output pixel depends on, as a boolean square, by a gradient."""
    import torch

    from helpers.models import receptive_field

    size = receptive_field([(k, s, 0, d) for _, k, s, d in layers]).height
    jump = math.prod(s for _, _, s, _ in layers)
    side = 2 * size + 4 * jump + 8
    x = torch.ones(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    out = _stack_modules(layers)(x)
    out[0, 0, out.shape[-2] // 2, out.shape[-1] // 2].backward()
    grad = x.grad[0, 0].numpy() != 0
    rows, cols = np.nonzero(grad)
    return grad[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1], size


@_guarded(wanted="The side of the square of input pixels one output pixel sees, a whole number")
def receptive_side(answer, layers) -> Feedback:
    """The side of the square of input pixels one output pixel sees, a whole number."""
    got = _number(answer, "the receptive field's side")
    if isinstance(got, Feedback):
        return got
    square, size = _influence(layers)
    assert square.shape[0] == size, (square.shape, size)
    if got == size:
        return _yes("Right: {e}×{e} input pixels.", e=size)
    from helpers.models import receptive_field

    if got == receptive_field([(k, s) for _, k, s, _ in layers]).height:  # the same stack without its dilations
        return _no(
            "That ignores the dilation: a k×k kernel with dilation d spans d·(k − 1) + 1 pixels, so it adds "
            "d·(k − 1) × (the product of the strides before it)."
        )
    if got == 1 + sum(d * (k - 1) for _, k, _, d in layers):
        return _no(
            "You added each layer's span as it is. After a stride s, one step of a later layer moves s "
            "input pixels: multiply by the product of the strides before it."
        )
    return _no("Start at 1 and walk through the layers: each adds d·(k − 1) × (the product of the strides before it).")


@_guarded(wanted="How many input pixels of the receptive field really influence the output pixel, a whole number")
def receptive_pixels(answer, layers) -> Feedback:
    """How many input pixels of the receptive field really influence the output pixel, a whole number."""
    got = _number(answer, "a number of pixels")
    if isinstance(got, Feedback):
        return got
    square, size = _influence(layers)
    expected = int(square.sum())
    if got == expected:
        return _yes(
            "Right: {e} of the {s}×{s} = {a} pixels; the others fall in the holes of the dilated kernels.",
            e=_n(expected, ","),
            s=size,
            a=_n(size * size, ","),
        )
    if got == size * size:
        return _no(
            "That is the whole square. A dilated kernel skips pixels: find the ones whose gradient is not "
            "zero (backward from one output pixel of the stack with all weights 1)."
        )
    return _no(
        "Build the stack in torch with every weight 1 (AvgPool2d for the pooling), run a big image of ones "
        "through it, call backward on one output pixel near the middle and count the input pixels whose "
        "gradient is not zero."
    )
