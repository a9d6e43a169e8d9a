"""hw02: im2col and dilation."""

from __future__ import annotations

import numpy as np

from helpers.checks import Feedback
from helpers.homework_tasks._common import _array, _call, _guarded, _n, _no, _number, _t, _yes


def _conv_cases(seed: int):
    rng = np.random.default_rng(seed)
    for c, h, w, k, s, p, d in [
        (1, 5, 5, 3, 1, 0, 1),
        (2, 7, 8, 3, 1, 1, 2),
        (3, 9, 7, 2, 2, 1, 3),
        (2, 10, 10, 3, 3, 2, 2),
    ]:
        yield (rng.integers(-5, 6, (c, h, w)).astype(float), rng.integers(-3, 4, (2, c, k, k)).astype(float), s, p, d)


def _case_text(image, k, s, p, d):
    return _t(
        "a {c}-channel {h}×{w} image, {k}×{k} windows, stride {s}, padding {p}, dilation {d}",
        c=image.shape[0],
        h=image.shape[1],
        w=image.shape[2],
        k=k,
        s=s,
        p=p,
        d=d,
    )


@_guarded(
    wanted="A function `im2col(image, k, stride, padding, dilation)` → (C·k·k, L), compared with torch's F.unfold"
)
def im2col_function(fn, name: str = "im2col") -> Feedback:
    """A function `im2col(image, k, stride, padding, dilation)` → (C·k·k, L), compared with torch's F.unfold."""
    import torch
    import torch.nn.functional as F

    for image, kernels, s, p, d in _conv_cases(21):
        k = kernels.shape[-1]
        case = _case_text(image, k, s, p, d)
        got = _call(fn, name, case, image.copy(), k, s, p, d)
        if isinstance(got, Feedback):
            return got
        got = _array(got, "the matrix of windows")
        if isinstance(got, Feedback):
            return got
        expected = F.unfold(torch.tensor(image)[None], k, dilation=d, padding=p, stride=s)[0].numpy()
        if got.shape == expected.shape[::-1] and got.shape != expected.shape and np.allclose(got.T, expected):
            return _no(
                "Your matrix is transposed: one ROW per kernel weight (C·k·k of them) and one COLUMN per "
                "window (L of them), so that kernels.reshape(K, -1) @ cols gives the maps."
            )
        if got.shape != expected.shape:
            undilated = F.unfold(torch.tensor(image)[None], k, padding=p, stride=s)[0].numpy()
            if d > 1 and got.shape == undilated.shape:
                return _no(
                    "On {case} your matrix has as many windows as with dilation 1: a dilated window spans "
                    "d·(k − 1) + 1 pixels, so fewer windows fit.",
                    case=case,
                )
            return _no(
                "On {case} the matrix should be {e} (C·k·k rows, one column per window) but yours is {g}.",
                case=case,
                e=expected.shape,
                g=got.shape,
            )
        if np.allclose(got, expected):
            continue
        if d > 1:
            undilated = F.unfold(torch.tensor(image)[None], k, padding=p, stride=s)[0].numpy()
            if np.allclose(got, undilated[:, : got.shape[1]]):
                return _no(
                    "Your windows ignore the dilation: with dilation d the window takes every d-th pixel, "
                    "rows r, r + d, …, r + d·(k − 1)."
                )
        if np.allclose(np.sort(got, axis=0), np.sort(expected, axis=0)) or np.allclose(
            np.sort(got, axis=1), np.sort(expected, axis=1)
        ):
            return _no(
                "The right windows in another order. Rows: channel first, then the kernel's row, then its "
                "column (the order of kernels.reshape(K, -1)); columns: windows row by row of the map."
            )
        return _no(
            "On {case} {n} of {m} values differ from torch's F.unfold. Window (i, j) starts at row i·s, "
            "column j·s of the padded image and takes every d-th pixel.",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` equals torch's F.unfold, dilation included.", name=name)


@_guarded(
    wanted="A function `conv2d_im2col(image, kernels, stride, padding, dilation)` → (K, H', W'), compared with torch"
)
def conv_im2col_function(fn, name: str = "conv2d_im2col") -> Feedback:
    """A function `conv2d_im2col(image, kernels, stride, padding, dilation)` → (K, H', W'), compared with torch."""
    import torch
    import torch.nn.functional as F

    for image, kernels, s, p, d in _conv_cases(22):
        k = kernels.shape[-1]
        case = _case_text(image, k, s, p, d)
        got = _call(fn, name, case, image.copy(), kernels.copy(), s, p, d)
        if isinstance(got, Feedback):
            return got
        got = _array(got, "the activation maps")
        if isinstance(got, Feedback):
            return got
        x, w = torch.tensor(image)[None], torch.tensor(kernels)
        expected = F.conv2d(x, w, stride=s, padding=p, dilation=d)[0].numpy()
        if got.shape != expected.shape:
            if got.size == expected.size:
                return _no(
                    "On {case} the values may be right but the shape is {g}, not {e}: reshape the product "
                    "to (K, H', W'), one map per kernel.",
                    case=case,
                    g=got.shape,
                    e=expected.shape,
                )
            return _no(
                "On {case} the output should be {e} (K maps of ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 per side) "
                "but yours is {g}.",
                case=case,
                e=expected.shape,
                g=got.shape,
            )
        if np.allclose(got, expected):
            continue
        flipped = F.conv2d(x, torch.flip(w, (2, 3)), stride=s, padding=p, dilation=d)[0].numpy()
        if np.allclose(got, flipped):
            return _no(
                "Your maps use the flipped kernel (the mathematicians' convolution). Networks lay the kernel "
                "on the window as it is."
            )
        return _no(
            "On {case} {n} of {m} values differ from torch's conv2d. The maps are "
            "kernels.reshape(K, -1) @ im2col(...), reshaped to (K, H', W').",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` equals torch's conv2d with stride, padding and dilation.", name=name)


@_guarded(wanted="The trainable parameters of a (dilated) convolution layer, a whole number")
def layer_parameters(answer, in_channels, out_channels, kernel_size, dilation) -> Feedback:
    """The trainable parameters of a (dilated) convolution layer, a whole number."""
    got = _number(answer, "the parameter count")
    if isinstance(got, Feedback):
        return got
    import torch

    layer = torch.nn.Conv2d(in_channels, out_channels, kernel_size, dilation=dilation)
    expected = sum(p.numel() for p in layer.parameters())
    span = dilation * (kernel_size - 1) + 1
    if got == expected:
        return _yes("Right: {e}. Dilation spreads the weights apart; it does not add any.", e=_n(expected, ","))
    if got in (out_channels * in_channels * span**2 + out_channels, out_channels * in_channels * span**2):
        return _no(
            "Dilation spreads the {k}×{k} weights over a wider window, but the kernel still has {k}×{k} "
            "weights per channel: the gaps hold no weights.",
            k=kernel_size,
        )
    if got == expected - out_channels:
        return _no("Almost: each kernel also has one bias.")
    return _no("Count one kernel: in_channels × k × k weights plus one bias, then multiply by the number of kernels.")
