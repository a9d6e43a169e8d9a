"""Max and average pooling in numpy, with torch's defaults and the same numbers.

x is one map (H, W) or a batch in torch's layout (N, C, H, W). kernel_size, stride and padding are
an int or a pair; stride defaults to kernel_size (windows side by side, no overlap). As in torch,
padding may be at most half the kernel; max pooling pads with -inf (padding never wins), average
pooling pads with zeros and divides by the full window (count_include_pad=True).
"""

from __future__ import annotations

import numpy as np

from helpers.conv import _pair, output_size


def _pool(x, kernel_size, stride, padding, reduce, pad_value):
    x = np.asarray(x)
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be 2-D (H, W) or 4-D (N, C, H, W), got shape {x.shape}")
    kh, kw = _pair(kernel_size, "kernel_size", 1)
    sh, sw = _pair(kernel_size if stride is None else stride, "stride", 1)
    ph, pw = _pair(padding, "padding", 0)
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError(f"padding must be at most half of kernel_size ({kh // 2}, {kw // 2}), got {padding!r}")
    H, W = x.shape[-2:]
    Ho, Wo = output_size(H, kh, sh, ph), output_size(W, kw, sw, pw)
    x = x.astype(np.result_type(x.dtype, np.float32), copy=False)
    if ph or pw:
        x = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)], constant_values=pad_value)
    # One strided slice per position inside the window: kh*kw array operations, each the size of
    # the output, instead of a Python loop over output cells.
    out = None
    for di in range(kh):
        for dj in range(kw):
            part = x[..., di: di + sh * (Ho - 1) + 1: sh, dj: dj + sw * (Wo - 1) + 1: sw]
            out = part.copy() if out is None else reduce(out, part, out=out)
    return out, kh * kw


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """The largest value in each window, like torch.nn.functional.max_pool2d."""
    out, _ = _pool(x, kernel_size, stride, padding, np.maximum, -np.inf)
    return out


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """The mean of each window, like torch.nn.functional.avg_pool2d (padding counts as zeros)."""
    out, n = _pool(x, kernel_size, stride, padding, np.add, 0)
    out /= n
    return out
