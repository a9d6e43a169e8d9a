"""2-D convolution in numpy: the loop a student reads, and a fast version that gives the same numbers.

Both compute cross-correlation, as torch.nn.functional.conv2d does: the kernel is laid on the
input as it is, not flipped. (The mathematicians' convolution flips the kernel first:
`conv2d(x, w[::-1, ::-1])`.)

Shapes:
- one image:  x (H, W) with a kernel (kh, kw) gives (Ho, Wo); bias is a number or None;
- torch's layout: x (N, C, H, W) with weight (K, C, kh, kw) and bias (K,) or None gives (N, K, Ho, Wo).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import as_strided


def _pair(value, name: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints, each at least `minimum`, as a pair; else ValueError naming `name`."""
    items = value if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2 or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in items):
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


def _prepare(x, weight, bias, stride, padding, dilation):
    """Check the arguments and bring them to torch's layout (N, C, H, W) / (K, C, kh, kw) / (K,)."""
    x, weight = np.asarray(x), np.asarray(weight)
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be 2-D (H, W) or 4-D (N, C, H, W), got shape {x.shape}")
    if weight.ndim != x.ndim:
        want = "2-D (kh, kw)" if x.ndim == 2 else "4-D (K, C, kh, kw)"
        raise ValueError(f"weight must be {want} for a {x.ndim}-D x, got shape {weight.shape}")
    single = x.ndim == 2
    if single:
        x, weight = x[None, None], weight[None, None]
    if weight.shape[1] != x.shape[1]:
        raise ValueError(f"weight has {weight.shape[1]} input channels but x has {x.shape[1]} (channel mismatch)")
    if min(weight.shape) < 1 or min(x.shape) < 1:
        raise ValueError(f"x and weight must not be empty, got shapes {x.shape} and {weight.shape}")
    dtype = np.result_type(x.dtype, weight.dtype, np.float32)
    K = weight.shape[0]
    if bias is None:
        b = np.zeros(K, dtype)
    else:
        b = np.asarray(bias, dtype)
        if single and b.ndim == 0:
            b = b.reshape(1)
        if b.shape != (K,):
            raise ValueError(f"bias must have shape ({K},) (one value per output channel), got {b.shape}")
    s, p, d = _pair(stride, "stride", 1), _pair(padding, "padding", 0), _pair(dilation, "dilation", 1)
    out_hw = tuple(output_size(x.shape[2 + a], weight.shape[2 + a], s[a], p[a], d[a]) for a in (0, 1))
    return x.astype(dtype, copy=False), weight.astype(dtype, copy=False), b, s, p, d, out_hw, single


def conv2d_naive(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """Convolution (cross-correlation) with plain loops: slide the window, multiply, add up."""
    x, weight, bias, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo), single = _prepare(
        x, weight, bias, stride, padding, dilation)
    N, C, H, W = x.shape
    K, _, kh, kw = weight.shape
    # Zero padding: a frame of ph rows and pw columns of zeros around every image.
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, K, Ho, Wo), dtype=x.dtype)
    for n in range(N):                      # every image
        for k in range(K):                  # every kernel -> one activation map
            for i in range(Ho):             # every output row
                for j in range(Wo):         # every output column
                    top, left = i * sh, j * sw          # the window's corner moves by the stride
                    window = xp[n, :,                   # all input channels at once
                                top: top + dh * (kh - 1) + 1: dh,
                                left: left + dw * (kw - 1) + 1: dw]
                    out[n, k, i, j] = np.sum(window * weight[k]) + bias[k]
    return out[0, 0] if single else out


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """The same numbers as conv2d_naive, vectorised: every window at once, then matrix products.

    im2col: a strided view lists, for every kernel cell (c, di, dj), the input value under it at
    every output position; copied into a matrix with C*kh*kw rows, the (K x C*kh*kw) kernel matrix
    times it gives every output value. With few rows (one input channel, say) a product per image
    writes the maps straight into (N, K, Ho, Wo); with many, one large product for the whole batch
    keeps BLAS busiest, and the result is reordered after.
    """
    x, weight, bias, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo), single = _prepare(
        x, weight, bias, stride, padding, dilation)
    N, C, H, W = x.shape
    K, _, kh, kw = weight.shape
    rows = C * kh * kw
    per_image = rows <= 64
    # Zero-padded input; channels first for the one large product.
    shape = (N, C, H + 2 * ph, W + 2 * pw) if per_image else (C, N, H + 2 * ph, W + 2 * pw)
    xp = np.zeros(shape, x.dtype)
    xp[..., ph: ph + H, pw: pw + W] = x if per_image else x.transpose(1, 0, 2, 3)
    s0, s1, sH, sW = xp.strides
    if per_image:
        windows = as_strided(xp, (N, C, kh, kw, Ho, Wo), (s0, s1, sH * dh, sW * dw, sH * sh, sW * sw))
        out = np.matmul(weight.reshape(K, rows), windows.reshape(N, rows, Ho * Wo))  # (N, K, Ho*Wo)
        out += bias[:, None]
        out = out.reshape(N, K, Ho, Wo)
    else:
        windows = as_strided(xp, (C, kh, kw, N, Ho, Wo), (s0, sH * dh, sW * dw, s1, sH * sh, sW * sw))
        out = weight.reshape(K, rows) @ windows.reshape(rows, N * Ho * Wo)             # (K, N*Ho*Wo)
        out += bias[:, None]
        out = np.ascontiguousarray(out.reshape(K, N, Ho, Wo).transpose(1, 0, 2, 3))
    return out[0, 0] if single else out
