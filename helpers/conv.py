"""2-D convolution in numpy: what the rest of the course calls. Notebook 02 writes the loop itself.

conv2d computes cross-correlation, as torch.nn.functional.conv2d does: the kernel is laid on the input
as it is, not flipped. (The mathematicians' convolution flips the kernel first: `conv2d(x, w[::-1, ::-1])`.)

Shapes:
- one grey image:  x (H, W) with a kernel (kh, kw) gives (Ho, Wo); bias is a number or None;
- torch's layout:  x (N, C, H, W) with weight (K, C, kh, kw) and bias (K,) or None gives (N, K, Ho, Wo).
  Channels come first, as in torch: a colour image (H, W, 3) is `x.transpose(2, 0, 1)[None]`.

Numbers: float32 stays float32 (float16 becomes float32), other inputs follow numpy's rules with float32
(uint8, int8 and bool images: float32; int32/int64: float64). NaN and inf spread to every output whose
window holds them, as in torch. An empty batch (N = 0) gives an empty result.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _pair(value, name: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints, each at least `minimum`, as a pair; else ValueError naming `name`."""
    items = value.tolist() if isinstance(value, np.ndarray) else value
    items = items if isinstance(items, (tuple, list)) else (items, items)
    if len(items) != 2 or not all(isinstance(v, Integral) and not isinstance(v, (bool, np.bool_)) for v in items):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(items) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(items[0]), int(items[1])


def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Length of the output along one axis: floor((n + 2p - d(k - 1) - 1) / s) + 1.

    When the division is not exact the floor drops the last positions where the window would
    hang over the padded edge. Raises ValueError when the (dilated) kernel does not fit at all.
    """
    (n, _), (kernel, _) = _pair(n, "n", 1), _pair(kernel, "kernel", 1)
    (stride, _), (padding, _) = _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    (dilation, _) = _pair(dilation, "dilation", 1)
    span = dilation * (kernel - 1) + 1
    if span > n + 2 * padding:
        raise ValueError(
            f"kernel: a kernel of size {kernel} (dilation {dilation}, spanning {span}) is larger than "
            f"the padded input ({n} + 2*{padding} = {n + 2 * padding})"
        )
    return (n + 2 * padding - span) // stride + 1


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """Convolution (cross-correlation) of images with kernels: the numbers torch gives, in numpy.

    Every window at once: a view of the padded input lists each window (nothing copied yet); one copy
    lays the windows side by side as the columns of a matrix ("im2col"); one matrix product with the
    kernels, each flattened to a row, gives every value of every activation map. The bias rides in the
    same product: a last row of ones under the windows, and the bias as a last column of the kernels.
    """
    x, weight, bias, (sh, sw), (ph, pw), (dh, dw), single = _prepare(x, weight, bias, stride, padding, dilation)
    N, C = x.shape[:2]
    K, _, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))                       # zero padding
    spans = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)                              # a dilated kernel's reach
    windows = sliding_window_view(xp, spans, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, Ho, Wo, kh, kw)
    Ho, Wo = windows.shape[2:4]
    rows = C * kh * kw
    columns = np.empty((N, rows + 1, Ho * Wo), x.dtype)                          # one column per output position
    columns[:, :rows].reshape(N, C, kh, kw, Ho, Wo)[...] = windows.transpose(0, 1, 4, 5, 2, 3)  # im2col: the copy
    columns[:, rows] = 1                                                         # the row of ones, for the bias
    kernels = np.concatenate([weight.reshape(K, rows), bias[:, None]], axis=1)  # (K, rows + 1)
    with np.errstate(invalid="ignore", over="ignore"):   # inf × a zero of the padding: NaN, as torch, no warning
        out = (kernels @ columns).reshape(N, K, Ho, Wo)                          # every map of every image
    return out[0, 0] if single else out


def _prepare(x, weight, bias, stride, padding, dilation):
    """Check the arguments (ValueError naming the one at fault) and bring them to torch's layout."""
    x, weight = np.asarray(x), np.asarray(weight)
    for name, a in (("x", x), ("weight", weight)):
        if a.dtype.kind not in "biuf":
            raise ValueError(f"{name} must hold numbers (bool, int or float), got dtype {a.dtype}")
    if x.ndim == 3 and x.shape[-1] in (3, 4):
        raise ValueError(f"x has shape {x.shape}: a colour image with its channels last (H, W, {x.shape[-1]}). "
                         "conv2d takes one grey image (H, W), or images with their channels first (N, C, H, W) "
                         "as torch does: pass x.transpose(2, 0, 1)[None] with a (K, C, kh, kw) weight, "
                         "or one channel x[:, :, c]")
    if x.ndim not in (2, 4):
        extra = "; for one image with C channels first (C, H, W), pass x[None]" if x.ndim == 3 else ""
        raise ValueError(f"x must be 2-D (H, W) or 4-D (N, C, H, W), channels first, got shape {x.shape}{extra}")
    if weight.ndim != x.ndim:
        want = "2-D (kh, kw)" if x.ndim == 2 else "4-D (K, C, kh, kw)"
        raise ValueError(f"weight must be {want} for a {x.ndim}-D x, got shape {weight.shape}")
    single = x.ndim == 2
    if single:
        x, weight = x[None, None], weight[None, None]
    if weight.shape[1] != x.shape[1]:
        hint = (f"; x looks like channels last (N, H, W, C): conv2d wants channels first, "
                f"x.transpose(0, 3, 1, 2)") if x.shape[-1] == weight.shape[1] else ""
        raise ValueError(f"weight has {weight.shape[1]} input channels but x has {x.shape[1]} "
                         f"(channel mismatch){hint}")
    if min(x.shape[1:]) < 1:
        raise ValueError(f"x must have at least one channel, row and column, got shape {x.shape}")
    if min(weight.shape) < 1:
        raise ValueError(f"weight must have at least one kernel, channel, row and column, got shape {weight.shape}")
    dtype = np.result_type(x.dtype, weight.dtype, np.float32)
    if bias is None:
        bias = np.zeros(weight.shape[0], dtype)
    else:
        bias = np.asarray(bias, dtype)
        if single and bias.ndim == 0:
            bias = bias.reshape(1)
        if bias.shape != (weight.shape[0],):
            raise ValueError(f"bias must have shape ({weight.shape[0]},) (one value per output channel), "
                             f"got {bias.shape}")
    s, p, d = _pair(stride, "stride", 1), _pair(padding, "padding", 0), _pair(dilation, "dilation", 1)
    for a in (0, 1):  # ValueError when the kernel does not fit
        output_size(x.shape[2 + a], weight.shape[2 + a], s[a], p[a], d[a])
    return x.astype(dtype, copy=False), weight.astype(dtype, copy=False), bias, s, p, d, single
