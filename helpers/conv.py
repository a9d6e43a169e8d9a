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

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from helpers import _validate as v


def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Length of the output along one axis: floor((n + 2p - d(k - 1) - 1) / s) + 1.

    When the division is not exact the floor drops the last positions where the window would
    hang over the padded edge. Raises ValueError when the (dilated) kernel does not fit at all.
    """
    (n, _), (kernel, _) = v.pair(n, "n", 1), v.pair(kernel, "kernel", 1)
    (stride, _), (padding, _) = v.pair(stride, "stride", 1), v.pair(padding, "padding", 0)
    (dilation, _) = v.pair(dilation, "dilation", 1)
    span = dilation * (kernel - 1) + 1
    if span > n + 2 * padding:
        raise ValueError(
            f"kernel: a kernel of size {kernel} (dilation {dilation}, spanning {span}) is larger than "
            f"the padded input ({n} + 2*{padding} = {n + 2 * padding})"
        )
    return (n + 2 * padding - span) // stride + 1


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """Convolution (cross-correlation) of images with kernels: the numbers torch gives, in numpy.

    Every window at once ("im2col"): a view of the padded input lists each window (nothing copied yet); one
    copy lays the windows side by side as the columns of a matrix; one matrix product with the kernels, each
    flattened to a row, gives every value of every activation map; then each map gets its kernel's bias.
    """
    x, weight, bias, (sh, sw), (ph, pw), (dh, dw), single = _prepare(x, weight, bias, stride, padding, dilation)
    N, C = x.shape[:2]
    K, _, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))  # zero padding
    spans = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)  # a dilated kernel's reach
    windows = sliding_window_view(xp, spans, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, Ho, Wo, kh, kw)
    Ho, Wo = windows.shape[2:4]
    columns = windows.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, Ho * Wo)  # im2col: the one copy
    kernels = weight.reshape(K, C * kh * kw)  # one kernel a row
    with np.errstate(invalid="ignore", over="ignore"):  # inf × a zero of the padding: NaN, as torch, no warning
        out = (kernels @ columns).reshape(N, K, Ho, Wo)  # every map of every image
        out += bias[:, None, None]  # each map gets its kernel's bias
    return out[0, 0] if single else out


def _prepare(x, weight, bias, stride, padding, dilation):
    """Check the arguments (ValueError naming the one at fault) and bring them to torch's layout."""
    x, weight = v.numbers(x, "x"), v.numbers(weight, "weight")
    if x.ndim == 3:  # a 4-D x is in torch's layout, channels first, whatever its sizes
        v.refuse_colour(
            x,
            "x",
            "one grey image (H, W), or images with their channels first (N, C, H, W) as in torch",
            "pass x.transpose(2, 0, 1)[None] with a (K, C, kh, kw) weight, or one channel x[:, :, c]",
        )
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
        hint = (
            ("; x looks like channels last (N, H, W, C): conv2d wants channels first, x.transpose(0, 3, 1, 2)")
            if x.shape[-1] == weight.shape[1]
            else ""
        )
        raise ValueError(f"weight has {weight.shape[1]} input channels but x has {x.shape[1]} (channel mismatch){hint}")
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
            raise ValueError(
                f"bias must have shape ({weight.shape[0]},) (one value per output channel), got {bias.shape}"
            )
    s, p, d = v.pair(stride, "stride", 1), v.pair(padding, "padding", 0), v.pair(dilation, "dilation", 1)
    for a in (0, 1):  # ValueError when the kernel does not fit
        output_size(x.shape[2 + a], weight.shape[2 + a], s[a], p[a], d[a])
    return x.astype(dtype, copy=False), weight.astype(dtype, copy=False), bias, s, p, d, single
