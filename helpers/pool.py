"""Max and average pooling in numpy, with torch's defaults and the same numbers; shifting maps and comparing them.

The lesson's version (notebook 04, `max_pool2d_naive`) loops over the output cells and takes `window.max()`. The
versions here give the same numbers for a whole batch at once: they loop over the few positions *inside* a window
instead (4 for a 2×2 window), and each step handles that position of every window with one strided slice.

x is one map (H, W) or a batch in torch's layout (N, C, H, W). kernel_size, stride and padding are an int or a
pair; stride defaults to kernel_size (windows side by side, no overlap). As in torch, padding may be at most half
the kernel; max pooling pads with -inf (padding never wins), average pooling pads with zeros and divides by the
full window (count_include_pad=True). NaN in a window gives NaN, as in torch.
"""

from __future__ import annotations

import numpy as np

from helpers import _validate as v


def _maps(x, name: str):
    """x as a real array of maps (…, H, W); a colour image (H, W, 3) is refused with a hint."""
    x = v.rank(v.numbers(x, name), name, tuple(range(2, 65)), "a map (H, W) or a stack of maps (…, H, W)")
    v.refuse_colour(
        x,
        name,
        "a map (H, W) or a stack of maps (…, H, W)",
        f"pass {name}.transpose(2, 0, 1) for one map per colour channel",
    )
    return x


def _window_slices(x, kernel_size, stride, padding, pad_value):
    """Check the arguments; return, for each position inside the window, the strided slice of padded x that holds
    that position of every window (kh·kw slices, each the shape of the output)."""
    x = v.numbers(x, "x")
    hint = (
        " (a colour image (H, W, 3) is x.transpose(2, 0, 1)[None]; a stack of maps (N, H, W) is x[:, None])"
        if x.ndim == 3
        else ""
    )
    v.rank(x, "x", (2, 4), "2-D (H, W) or 4-D (N, C, H, W)", hint)
    kh, kw = v.pair(kernel_size, "kernel_size", 1)
    sh, sw = v.pair(kernel_size if stride is None else stride, "stride", 1)
    ph, pw = v.pair(padding, "padding", 0)
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError(f"padding must be at most half of kernel_size ({kh // 2}, {kw // 2}), got {padding!r}")
    H, W = x.shape[-2] + 2 * ph, x.shape[-1] + 2 * pw
    if kh > H or kw > W:
        raise ValueError(f"kernel_size: a window of {kh}×{kw} is larger than the padded input {H}×{W}")
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    x = x.astype(np.result_type(x.dtype, np.float32), copy=False)  # float32 stays float32; ints become floats
    if ph or pw:
        x = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)], constant_values=pad_value)
    return [
        x[..., i : i + sh * (Ho - 1) + 1 : sh, j : j + sw * (Wo - 1) + 1 : sw] for i in range(kh) for j in range(kw)
    ]


def max_pool2d(x, kernel_size, stride=None, padding=0):
    """The largest value in each window, like torch.nn.functional.max_pool2d."""
    parts = _window_slices(x, kernel_size, stride, padding, pad_value=-np.inf)
    out = parts[0].copy()
    for part in parts[1:]:
        np.maximum(out, part, out=out)
    return out


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """The mean of each window, like torch.nn.functional.avg_pool2d (padding counts as zeros)."""
    parts = _window_slices(x, kernel_size, stride, padding, pad_value=0)
    out = parts[0].copy()
    with np.errstate(invalid="ignore"):  # inf + (-inf) is NaN, as in torch, without a warning
        for part in parts[1:]:
            out += part
    out /= len(parts)
    return out


def shift(images, dy: int = 0, dx: int = 1):
    """The images (…, H, W) moved down by dy and right by dx pixels (negative: up / left), zeros shifted in."""
    images = _maps(images, "images")
    dy, dx = v.whole(dy, "dy", None, unit="pixels"), v.whole(dx, "dx", None, unit="pixels")
    H, W = images.shape[-2:]
    if abs(dy) >= H or abs(dx) >= W:
        raise ValueError(f"dy and dx: a shift of (dy={dy}, dx={dx}) must be smaller than the image ({H}, {W})")
    out = np.zeros_like(images)
    src = images[..., max(0, -dy) : H - max(0, dy), max(0, -dx) : W - max(0, dx)]
    out[..., max(0, dy) : max(0, dy) + src.shape[-2], max(0, dx) : max(0, dx) + src.shape[-1]] = src
    return out


def _pair_of_maps(a, b):
    a, b = _maps(a, "a"), _maps(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (…, H, W), got {a.shape} and {b.shape}")
    return a, b


def agreement(a, b, atol: float = 1e-6):
    """Per map (…, H, W), the share of positions where two maps hold the same value, among the positions where
    either is non-zero (the background, zero in both, would otherwise count as agreement). NaN where a map holds
    a NaN."""
    a, b = _pair_of_maps(a, b)
    axes = (-2, -1)
    active = (a != 0) | (b != 0)
    same = np.isclose(a, b, atol=atol, rtol=0) & active
    share = same.sum(axis=axes) / np.maximum(active.sum(axis=axes), 1)
    return np.where(np.isnan(a).any(axis=axes) | np.isnan(b).any(axis=axes), np.nan, share)[()]


def similarity(a, b):
    """Per pair of maps (…, H, W), the cosine of the angle between them as vectors: 1 when they are
    proportional, 0 when they share no active position. NaN where a map holds a NaN or an inf."""
    a, b = _pair_of_maps(a, b)
    a = a.reshape(*a.shape[:-2], a.shape[-2] * a.shape[-1]).astype(float)  # each map as one vector
    b = b.reshape(*b.shape[:-2], b.shape[-2] * b.shape[-1]).astype(float)
    with np.errstate(invalid="ignore"):  # inf / inf is NaN: an infinite map has no direction
        norms = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
        return np.sum(a * b, axis=-1) / np.maximum(norms, 1e-12)
