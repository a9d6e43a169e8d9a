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
    try:
        Ho, Wo = output_size(H, kh, sh, ph), output_size(W, kw, sw, pw)
    except ValueError as e:  # name this function's argument
        raise ValueError(str(e).replace("kernel: a kernel", "kernel_size: a window", 1)) from None
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


def shift(images, dy: int = 0, dx: int = 1):
    """The images moved down by dy and right by dx pixels (negative: up / left), zeros shifted in."""
    images = np.asarray(images)
    out = np.zeros_like(images)
    H, W = images.shape[-2:]
    if abs(dy) >= H or abs(dx) >= W:
        raise ValueError(f"shift (dy={dy}, dx={dx}) must be smaller than the image ({H}, {W})")
    src = images[..., max(0, -dy): H - max(0, dy), max(0, -dx): W - max(0, dx)]
    out[..., max(0, dy): max(0, dy) + src.shape[-2], max(0, dx): max(0, dx) + src.shape[-1]] = src
    return out


def agreement(a, b, atol: float = 1e-6):
    """Per map, the share of positions where two maps hold the same value, among the positions where
    either is non-zero (the background, zero in both, would otherwise count as agreement)."""
    a, b = np.asarray(a), np.asarray(b)
    axes = (-2, -1)
    active = (a != 0) | (b != 0)
    same = np.isclose(a, b, atol=atol, rtol=0) & active
    return same.sum(axis=axes) / np.maximum(active.sum(axis=axes), 1)


def similarity(a, b):
    """Per pair of maps (…, H, W), the cosine of the angle between them as vectors: 1 when they are
    proportional, 0 when they share no active position."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    a2 = a.reshape(*a.shape[:-2], -1)
    b2 = b.reshape(*b.shape[:-2], -1)
    norms = np.linalg.norm(a2, axis=-1) * np.linalg.norm(b2, axis=-1)
    return np.sum(a2 * b2, axis=-1) / np.maximum(norms, 1e-12)
