"""Named kernels in one place, and the small operations notebooks 03 and 04 build on them.

Every kernel is laid on the image as it is (cross-correlation, as in helpers.conv and torch).
Orientation words describe what the kernel responds to:
- "sobel x" / "prewitt x" take right minus left: they respond to VERTICAL edges (brightness changing
  along x);
- "sobel y" / "prewitt y" take below minus above: they respond to HORIZONTAL edges;
- "vertical line" ([-1, 2, -1] in every row) responds to a thin vertical line, "horizontal line" to
  a thin horizontal one.
"""

from __future__ import annotations

import numpy as np

from helpers.conv import conv2d

_KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box blur": np.full((3, 3), 1 / 9),
    "gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "prewitt x": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "prewitt y": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "sobel x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "vertical line": [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]],
    "horizontal line": [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]],
    "diagonal /": [[-1, -1, 2], [-1, 2, -1], [2, -1, -1]],
    "diagonal \\": [[2, -1, -1], [-1, 2, -1], [-1, -1, 2]],
}

#: The names of the kernels `kernel()` knows, in a sensible order for menus.
NAMES = tuple(_KERNELS)


def kernel(name: str) -> np.ndarray:
    """A named 3×3 kernel as a new float array (so editing it changes nothing here)."""
    if name not in _KERNELS:
        raise ValueError(f"name must be one of {list(NAMES)}, got {name!r}")
    return np.array(_KERNELS[name], dtype=float)


def gaussian_kernel(size: int = 5, sigma: float = 1.0) -> np.ndarray:
    """A size×size Gaussian blur kernel that sums to 1."""
    if not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a whole number >= 1, got {size!r}")
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma!r}")
    r = np.arange(size) - (size - 1) / 2
    g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * sigma**2))
    return g / g.sum()


def relu(x):
    """max(x, 0): keeps the positive responses, sets the rest to 0."""
    return np.maximum(np.asarray(x), 0)


def sobel_magnitude(image, padding: int = 1) -> np.ndarray:
    """Edge strength sqrt(gx² + gy²) with the Sobel kernels, zero padding of `padding` pixels.

    skimage.filters.sobel(image, mode="constant") is this divided by 4·sqrt(2) (its kernels are
    normalised by 4, and it averages the two squares), and by 255 more for uint8 images, which it
    scales to 0..1 first. With its default mode="reflect" the two agree except on the border pixels.
    """
    image = np.asarray(image, float)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (H, W), got shape {image.shape}")
    gx = conv2d(image, kernel("sobel x"), padding=padding)
    gy = conv2d(image, kernel("sobel y"), padding=padding)
    return np.hypot(gx, gy)


def mean_response(images, k, after_relu: bool = True, per_ink: bool = True) -> np.ndarray:
    """How strongly a kernel 'lights up' on each image: the mean of its (ReLU'd) activation map.

    images (N, H, W) in 0..255; with per_ink, divided by the image's mean brightness, so that a
    bold digit does not score higher only for having more ink.
    """
    images = np.asarray(images, np.float32) / 255
    if images.ndim != 3:
        raise ValueError(f"images must be a batch (N, H, W), got shape {images.shape}")
    maps = conv2d(images[:, None], np.asarray(k, np.float32)[None, None], padding=1)[:, 0]
    if after_relu:
        maps = relu(maps)
    score = maps.mean(axis=(1, 2))
    if per_ink:
        score = score / np.maximum(images.mean(axis=(1, 2)), 1e-6)
    return score


def combined_kernel(k1, k2) -> np.ndarray:
    """The one kernel equal to applying k1 then k2 (no activation between): each output of the second
    convolution reads a (k1 + k2 - 1)-wide region of the input. Computed by convolving the two kernels."""
    k1, k2 = np.asarray(k1, float), np.asarray(k2, float)
    n1, n2 = k1.shape[0], k2.shape[0]
    # The response of conv(conv(x, k1), k2) to a single 1 at each input position, read at one output.
    size = n1 + n2 - 1
    out = np.zeros((size, size))
    for i in range(n2):
        for j in range(n2):
            out[i: i + n1, j: j + n1] += k2[i, j] * k1
    return out
