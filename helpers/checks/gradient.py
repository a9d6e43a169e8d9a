"""The gradient check: numerical gradients by central differences, the relative error that compares two
gradients (CS231n's), and the check of a student's convolution backward pass against autograd."""

from __future__ import annotations

import numpy as np

from helpers.checks.feedback import Feedback, _matrix, _no, _readable, _yes
from helpers.checks.functions import _function, _run
from helpers.i18n import tr


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


@_readable(wanted="A function `conv_backward(x, w, dout)` → (dx, dw) for one image, one kernel, stride 1, no padding")
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
            return _no(
                "dx and dw are still all zeros: loop over the output positions (i, j) and send dout[i, j] "
                "back to the window it came from."
            )
        ex, ew = relative_error(dx, xt.grad.numpy()), relative_error(dw, wt.grad.numpy())
        if ew > 1e-6:
            return _no(
                "dw is off (relative error {e}). dw[a, b] adds dout[i, j] · x[i + a, j + b] over all "
                "output positions (i, j): a correlation of x with dout.",
                e=f"{ew:.1e}",
            )
        if ex > 1e-6:
            flipped = np.zeros_like(x)
            for i in range(dout.shape[0]):
                for j in range(dout.shape[1]):
                    flipped[i : i + k, j : j + k] += dout[i, j] * kernel[::-1, ::-1]
            if relative_error(dx, flipped) < 1e-6:
                return _no(
                    "dx uses the flipped kernel. Each output (i, j) used x[i + a, j + b] with weight "
                    "w[a, b], so it sends dout[i, j] · w[a, b] back to exactly that pixel."
                )
            return _no(
                "dx is off (relative error {e}). Every output (i, j) sends dout[i, j] · w back onto the "
                "window it came from: dx[i:i+k, j:j+k] += dout[i, j] * w.",
                e=f"{ex:.1e}",
            )
    numeric = numerical_gradient(
        lambda v: F.conv2d(torch.tensor(v)[None, None], torch.tensor(kernel)[None, None])[0, 0].numpy(), x, dout
    )
    return _yes(
        "Right: dx and dw agree with autograd (relative errors {ex} and {ew}); the numerical gradient "
        "agrees with dx to {en}.",
        ex=f"{ex:.0e}",
        ew=f"{ew:.0e}",
        en=f"{relative_error(numeric, dx):.0e}",
    )
