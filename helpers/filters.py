"""Named kernels in one place, and the small operations notebooks 03 and 04 build on them.

Every kernel is laid on the image as it is (cross-correlation, as in helpers.conv and torch).
Orientation words describe what the kernel responds to:
- "sobel x" / "prewitt x" take right minus left: they respond to VERTICAL edges (brightness changing
  along x);
- "sobel y" / "prewitt y" take below minus above: they respond to HORIZONTAL edges;
- "vertical line" ([-1, 2, -1] in every row) responds to a thin vertical line, "horizontal line" to
  a thin horizontal one;
- "diagonal /" is the kernel the lecture's slide labels "curved lines" (изогнутые линии): it responds to a
  straight slanted line running from bottom-left to top-right, and to a curve only where it runs that way.
"""

from __future__ import annotations

import numpy as np

from helpers import _validate as v
from helpers.conv import conv2d
from helpers.i18n import N_

#: Each name is shown translated (N_ marks it for the catalogue) but used as it is.
_KERNELS = {
    N_("identity"): [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    N_("box blur"): np.full((3, 3), 1 / 9),
    N_("gaussian blur"): np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    N_("sharpen"): [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    N_("prewitt x"): [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    N_("prewitt y"): [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    N_("sobel x"): [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    N_("sobel y"): [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    N_("laplacian"): [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    N_("vertical line"): [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]],
    N_("horizontal line"): [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]],
    N_("diagonal /"): [[-1, -1, 2], [-1, 2, -1], [2, -1, -1]],
    N_("diagonal \\"): [[2, -1, -1], [-1, 2, -1], [-1, -1, 2]],
}

#: The names of the kernels `kernel()` knows, in a sensible order for menus.
NAMES = tuple(_KERNELS)


def _kernel_2d(value, name: str) -> np.ndarray:
    """A 2-D kernel of finite numbers (any size, square or not), as a float array."""
    k = v.numbers(value, name, "a 2-D kernel (kh, kw)").astype(float)
    if k.ndim != 2 or k.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D kernel (kh, kw), got shape {k.shape}")
    if not np.isfinite(k).all():
        raise ValueError(f"{name} must hold finite numbers, got NaN or inf")
    return k


def kernel(name: str) -> np.ndarray:
    """A named 3×3 kernel as a new float array (so editing it changes nothing here)."""
    if not isinstance(name, str) or name not in _KERNELS:
        raise ValueError(f"name must be one of {list(NAMES)}, got {name!r}")
    return np.array(_KERNELS[name], dtype=float)


def gaussian_kernel(size: int = 5, sigma: float = 1.0) -> np.ndarray:
    """A size×size Gaussian blur kernel that sums to 1."""
    size, sigma = v.whole(size, "size", 1), v.positive(sigma, "sigma")
    r = np.arange(size) - (size - 1) / 2
    g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * sigma**2))
    return g / g.sum()


def relu(x):
    """max(x, 0): keeps the positive responses, sets the rest to 0. Keeps the dtype; NaN stays NaN (as torch)."""
    x = v.numbers(x, "x", "a number or an array")
    return np.maximum(x, np.zeros((), x.dtype))


def sobel_magnitude(image, padding: int = 1) -> np.ndarray:
    """Edge strength sqrt(gx² + gy²) with the Sobel kernels, zero padding of `padding` pixels.

    skimage.filters.sobel(image, mode="constant") is this divided by 4·sqrt(2) (its kernels are
    normalised by 4, and it averages the two squares), and by 255 more for uint8 images, which it
    scales to 0..1 first. With its default mode="reflect" the two agree except on the border pixels.
    A NaN or inf pixel gives NaN or inf wherever a 3×3 window covers it, as torch's conv2d does.
    """
    image = v.numbers(image, "image", "a grey image (H, W)").astype(float)
    v.refuse_colour(image, "image", "one grey image (H, W)")
    v.rank(image, "image", (2,), "2-D (H, W)")
    padding = v.whole(padding, "padding", 0)
    if min(image.shape) + 2 * padding < 3:
        raise ValueError(f"image must be at least 3×3 once padded by {padding}, got shape {image.shape}")
    with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf pixels: NaN/inf out, no warning
        gx = conv2d(image, kernel("sobel x"), padding=padding)
        gy = conv2d(image, kernel("sobel y"), padding=padding)
        return np.hypot(gx, gy)


def mean_response(images, k, after_relu: bool = True, per_ink: bool = True) -> np.ndarray:
    """How strongly a kernel 'lights up' on each image: the mean of its (ReLU'd) activation map.

    images (N, H, W) grey, in 0..255 (a bool image counts True as 255); k a 2-D kernel, laid with zero padding
    of 1. With per_ink, divided by the image's mean brightness, so that a bold digit does not score higher
    only for having more ink (an all-black image scores 0). An image with a NaN pixel scores NaN; an empty
    batch gives an empty array.
    """
    ink_only = isinstance(images, np.ndarray) and images.dtype == bool
    images = v.numbers(images, "images", "a batch of grey images (N, H, W)").astype(float) * (255 if ink_only else 1)
    v.refuse_colour(images, "images", "a batch of grey images (N, H, W)")
    v.rank(images, "images", (3,), "a batch (N, H, W)")
    k = _kernel_2d(k, "k")
    if len(images) == 0:
        return np.zeros(0, np.float32)
    images = images.astype(np.float32) / 255
    with np.errstate(invalid="ignore", over="ignore"):
        maps = conv2d(images[:, None], k.astype(np.float32)[None, None], padding=1)[:, 0]
        if after_relu:
            maps = relu(maps)
        score = maps.mean(axis=(1, 2))
        if per_ink:
            score = score / np.maximum(images.mean(axis=(1, 2)), 1e-6)
    return score


def combined_kernel(k1, k2) -> np.ndarray:
    """The one kernel equal to applying k1 then k2 (no activation between, no padding): each output of the
    second convolution reads a (h1 + h2 - 1) × (w1 + w2 - 1) region of the input.

    conv2d(conv2d(x, k1), k2) == conv2d(x, combined_kernel(k1, k2)). The kernels may be of any 2-D shape,
    square or not; the result is their full 2-D convolution (scipy.signal.convolve2d(k1, k2)).
    """
    k1, k2 = _kernel_2d(k1, "k1"), _kernel_2d(k2, "k2")
    (h1, w1), (h2, w2) = k1.shape, k2.shape
    # The response of conv(conv(x, k1), k2) to a single 1 at each input position, read at one output:
    # each weight of k2 reads a copy of k1, shifted by that weight's position.
    out = np.zeros((h1 + h2 - 1, w1 + w2 - 1))
    for i in range(h2):
        for j in range(w2):
            out[i : i + h1, j : j + w1] += k2[i, j] * k1
    return out
