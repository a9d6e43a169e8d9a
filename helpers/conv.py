"""2-D convolution in numpy: the loop a student reads, and fast versions that give the same numbers.

- conv2d_naive: four plain loops, the definition;
- conv2d_im2col: every window copied into one matrix (im2col), then matrix products;
- conv2d: conv2d_im2col on one slice of the batch per CPU core; what the rest of the course calls.

All three compute cross-correlation, as torch.nn.functional.conv2d does: the kernel is laid on the
input as it is, not flipped. (The mathematicians' convolution flips the kernel first:
`conv2d(x, w[::-1, ::-1])`.)

Shapes:
- one image:  x (H, W) with a kernel (kh, kw) gives (Ho, Wo); bias is a number or None;
- torch's layout: x (N, C, H, W) with weight (K, C, kh, kw) and bias (K,) or None gives (N, K, Ho, Wo).
"""

from __future__ import annotations

import functools
import os
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


def conv2d_im2col(x, weight, bias=None, stride=1, padding=0, dilation=1, *, out=None):
    """The same numbers as conv2d_naive, vectorised: every window at once, then matrix products.

    im2col: a strided view lists, for every kernel cell (c, di, dj), the input value under it at
    every output position. Copied into a matrix with C*kh*kw rows, the (K x C*kh*kw) kernel matrix
    times it gives every output value of an image. The bias trick: one more row of ones under the
    windows, and the bias as one more column of the kernel matrix, so the product adds the bias too.
    `out`, if given, is an (N, K, Ho, Wo) array to write into (conv2d hands each core a slice).
    """
    x, weight, bias, (sh, sw), (ph, pw), (dh, dw), (Ho, Wo), single = _prepare(
        x, weight, bias, stride, padding, dilation)
    N, C, H, W = x.shape
    K, _, kh, kw = weight.shape
    rows = C * kh * kw
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), x.dtype)        # zero padding
    xp[:, :, ph: ph + H, pw: pw + W] = x
    s0, s1, sH, sW = xp.strides                                    # a view, nothing copied yet:
    windows = as_strided(xp, (N, C, kh, kw, Ho, Wo), (s0, s1, sH * dh, sW * dw, sH * sh, sW * sw))
    cols = np.empty((N, rows + 1, Ho, Wo), x.dtype)                # one column per output position
    cols[:, :rows].reshape(N, C, kh, kw, Ho, Wo)[...] = windows    # the copy (into a view of cols)
    cols[:, rows] = 1                                              # the bias trick's row of ones
    kernels = np.concatenate([weight.reshape(K, rows), bias[:, None]], axis=1)   # (K, rows + 1)
    if out is None:
        out = np.empty((N, K, Ho, Wo), x.dtype)
    elif out.shape != (N, K, Ho, Wo) or out.dtype != x.dtype or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-contiguous {x.dtype} array of shape {(N, K, Ho, Wo)}, "
                         f"got {out.dtype} {out.shape}")
    # Every image at once: (K, rows+1) @ (rows+1, Ho*Wo) -> (K, Ho*Wo), written straight into out.
    np.matmul(kernels, cols.reshape(N, rows + 1, Ho * Wo), out=out.reshape(N, K, Ho * Wo))
    return out[0, 0] if single else out


def _workers() -> int:
    try:
        return max(1, min(8, len(os.sched_getaffinity(0))))
    except AttributeError:                       # macOS, Windows
        return max(1, min(8, os.cpu_count() or 1))


@functools.lru_cache(maxsize=1)
def _pool():
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import ThreadpoolController
    return ThreadPoolExecutor(_workers(), thread_name_prefix="conv2d"), ThreadpoolController()


# When conv2d splits the batch across cores: with enough work to pay for the hand-over, and with at
# least PARALLEL_ROWS im2col rows. With fewer rows (one input channel, say) the products are bound by
# writing the output to memory, which one core already saturates on a small machine: measured on the
# course's 2-core machine, splitting (64,1,28,28)x(32,1,3,3) made it slower, (64,32,14,14)x(64,32,3,3) faster.
PARALLEL_FLOPS = 2_000_000
PARALLEL_ROWS = 64


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """The same numbers as conv2d_naive, as fast as numpy allows: what the rest of the course calls.

    conv2d_im2col, on one slice of the batch per CPU core when the layer is large enough (see
    PARALLEL_ROWS). Each core runs its slice with a single-threaded BLAS, so that the padding and
    im2col copies run in parallel too, not only the matrix products, and the results land straight in
    their part of one output array.
    """
    x, weight, bias, s, p, d, (Ho, Wo), single = _prepare(x, weight, bias, stride, padding, dilation)
    N, C = x.shape[:2]
    K, _, kh, kw = weight.shape
    out = np.empty((N, K, Ho, Wo), x.dtype)
    work = functools.partial(conv2d_im2col, weight=weight, bias=bias, stride=s, padding=p, dilation=d)
    rows = C * kh * kw
    workers = min(_workers(), N, 1 + 2 * N * K * rows * Ho * Wo // PARALLEL_FLOPS) if rows >= PARALLEL_ROWS else 1
    if workers == 1:
        work(x, out=out)
    else:
        pool, blas = _pool()
        edges = np.linspace(0, N, workers + 1).astype(int)
        with blas.limit(limits=1, user_api="blas"):
            # Slices 1.. go to the pool's threads; this thread takes slice 0 meanwhile.
            rest = [pool.submit(work, x[a:b], out=out[a:b]) for a, b in zip(edges[1:-1], edges[2:])]
            work(x[:edges[1]], out=out[:edges[1]])
            for job in rest:
                job.result()
    return out[0, 0] if single else out
