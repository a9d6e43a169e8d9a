"""HOG (histogram of oriented gradients) in numpy, vectorised across a batch of images.

The same features as skimage.feature.hog for grey images (same arguments, same order, max
difference below 1e-6), computed for many images at once instead of one call per image:

1. gradients by central differences: gx = I[r, c+1] - I[r, c-1], gy = I[r+1, c] - I[r-1, c]
   (zero on the image border);
2. magnitude sqrt(gx² + gy²) and unsigned orientation atan2(gy, gx) in degrees, modulo 180;
3. per cell, a histogram of `orientations` equal bins over 0..180°, each pixel adding its magnitude
   to its bin (divided by the cell's pixel count); pixels past the last whole cell are not used;
4. per block of cells_per_block cells (blocks overlap, stepping one cell), normalisation;
5. the blocks' values laid end to end.

The steps are separate functions, so notebook 01 can show each one.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from helpers.conv import _pair

BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")
_EPS = 1e-5


def _float_type(dtype) -> type:
    """The float type skimage computes in: float32 stays float32 (float16 too), all else float64."""
    return np.float32 if np.dtype(dtype) in (np.float16, np.float32) else np.float64


def gradients(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(gy, gx): central differences along rows and columns, zero on the border rows / columns."""
    images = np.asarray(images)
    gy = np.zeros_like(images)
    gx = np.zeros_like(images)
    gy[..., 1:-1, :] = images[..., 2:, :] - images[..., :-2, :]
    gx[..., :, 1:-1] = images[..., :, 2:] - images[..., :, :-2]
    return gy, gx


def magnitude_orientation(gy: np.ndarray, gx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradient magnitude, and unsigned orientation in degrees in [0, 180)."""
    gy, gx = np.asarray(gy, np.float64), np.asarray(gx, np.float64)
    degrees = np.rad2deg(np.arctan2(gy, gx))                # in [-180, 180]
    # Bit for bit `degrees % 180` (what skimage computes), without the slow floating-point modulo:
    # negative angles get +180 (one rounding, as in numpy's remainder), and ±180 becomes 0.
    orientation = np.where(degrees < 0, degrees + 180, degrees)
    orientation[orientation == 180] = 0
    return np.hypot(gx, gy), orientation


def orientation_bins(orientation: np.ndarray, orientations: int) -> np.ndarray:
    """The bin of each pixel: bin i holds angles in [180·i/n, 180·(i+1)/n); -1 where none does.

    Computed as floor(angle / width), then corrected where that rounds across a bin edge, so the
    edges are exactly those of skimage's comparisons.
    """
    width = 180.0 / orientations
    b = np.floor(orientation / width).astype(np.int64)
    b[orientation >= width * (b + 1)] += 1
    b[orientation < width * b] -= 1
    b[(b < 0) | (b >= orientations)] = -1
    return b


def cell_histograms(gy, gx, orientations=9, pixels_per_cell=(8, 8)) -> np.ndarray:
    """Histograms (N, cells_down, cells_across, orientations) from the gradients of a batch (N, H, W):
    each pixel adds its magnitude to its orientation bin; sums are divided by the cell's pixel count.

    Only pixels with a non-zero gradient can add anything, so the angles are computed for those
    alone (most of an MNIST digit is flat background); np.bincount then adds the magnitudes per
    (image, cell, bin) in the pixels' row-major order.
    """
    gy, gx = np.asarray(gy), np.asarray(gx)
    N, H, W = gy.shape
    ch, cw = pixels_per_cell
    nr, nc = H // ch, W // cw
    gy, gx = gy[:, : nr * ch, : nc * cw], gx[:, : nr * ch, : nc * cw]
    flat = np.flatnonzero((gy != 0) | (gx != 0))              # indices into the cropped batch
    gyv = gy.reshape(-1)[flat].astype(np.float64)
    gxv = gx.reshape(-1)[flat].astype(np.float64)
    magnitude, orientation = magnitude_orientation(gyv, gxv)
    bins = orientation_bins(orientation, orientations)
    image, pixel = np.divmod(flat, nr * ch * nc * cw)
    cell_of_pixel = ((np.arange(nr * ch) // ch)[:, None] * nc + (np.arange(nc * cw) // cw)[None, :]).ravel()
    index = (image * (nr * nc) + cell_of_pixel[pixel]) * orientations + bins
    keep = bins >= 0
    hist = np.bincount(index[keep], weights=magnitude[keep], minlength=N * nr * nc * orientations)
    return hist.reshape(N, nr, nc, orientations) / (ch * cw)


def normalize_blocks(hist, cells_per_block=(3, 3), block_norm="L2-Hys") -> np.ndarray:
    """Blocks (N, blocks_down, blocks_across, br, bc, orientations), each normalised on its own."""
    br, bc = cells_per_block
    blocks = sliding_window_view(hist, (br, bc), axis=(1, 2))               # (..., orient, br, bc)
    blocks = np.moveaxis(blocks, 3, -1)                                       # (..., br, bc, orient)
    axes = (-3, -2, -1)
    if block_norm == "L1":
        return blocks / (np.abs(blocks).sum(axis=axes, keepdims=True) + _EPS)
    if block_norm == "L1-sqrt":
        return np.sqrt(blocks / (np.abs(blocks).sum(axis=axes, keepdims=True) + _EPS))
    out = blocks / np.sqrt((blocks**2).sum(axis=axes, keepdims=True) + _EPS**2)
    if block_norm == "L2-Hys":  # L2, clip at 0.2, L2 again
        out = np.minimum(out, 0.2)
        out = out / np.sqrt((out**2).sum(axis=axes, keepdims=True) + _EPS**2)
    return out


def _check(images, orientations, pixels_per_cell, cells_per_block, block_norm):
    images = np.asarray(images)
    if images.ndim not in (2, 3):
        raise ValueError(f"images must be one grey image (H, W) or a batch (N, H, W), got shape {images.shape}")
    if not isinstance(orientations, (int, np.integer)) or isinstance(orientations, bool) or orientations < 1:
        raise ValueError(f"orientations must be a whole number >= 1, got {orientations!r}")
    cell = _pair(pixels_per_cell, "pixels_per_cell", 1)
    block = _pair(cells_per_block, "cells_per_block", 1)
    if block_norm not in BLOCK_NORMS:
        raise ValueError(f"block_norm must be one of {BLOCK_NORMS}, got {block_norm!r}")
    H, W = images.shape[-2:]
    if cell[0] > H or cell[1] > W:
        raise ValueError(f"pixels_per_cell {cell} is larger than the image ({H}, {W})")
    cells = (H // cell[0], W // cell[1])
    if block[0] > cells[0] or block[1] > cells[1]:
        raise ValueError(f"cells_per_block {block} is more than the image's {cells} cells "
                         f"(of {cell[0]}x{cell[1]} pixels)")
    return images, cell, block


def _map_chunks(fn, batch: np.ndarray, chunk: int) -> np.ndarray:
    """fn over consecutive chunks of a batch, on all cores (numpy releases the GIL), concatenated."""
    starts = range(0, len(batch), chunk)
    if len(starts) <= 1:
        return fn(batch)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return np.concatenate(list(pool.map(lambda s: fn(batch[s: s + chunk]), starts)))


def hog(images, orientations=9, pixels_per_cell=(7, 7), cells_per_block=(2, 2), block_norm="L2-Hys"):
    """HOG features of one image (H, W) -> (F,) or of a batch (N, H, W) -> (N, F).

    Equal to skimage.feature.hog(image, orientations, pixels_per_cell, cells_per_block, block_norm)
    for each image. A large batch is processed in chunks to bound memory.
    """
    images, cell, block = _check(images, orientations, pixels_per_cell, cells_per_block, block_norm)
    single = images.ndim == 2
    batch = images[None] if single else images
    ftype = _float_type(batch.dtype)
    chunk = max(1, 500_000 // (batch.shape[1] * batch.shape[2]))
    # Integer images keep integer gradients (exact, and a quarter of the memory): the same values
    # skimage gets in floating point.
    work = np.int16 if batch.dtype in (np.uint8, np.int8) else ftype

    def features_of(x):
        hist = cell_histograms(*gradients(x.astype(work)), orientations, cell)
        return normalize_blocks(hist, block, block_norm).astype(ftype).reshape(len(x), -1)

    features = _map_chunks(features_of, batch, chunk)
    return features[0] if single else features


def deskew(images: np.ndarray) -> np.ndarray:
    """Straighten slanted digits, a classic hand-made step before HOG: measure each image's slant
    from its second moments (skew = mu11 / mu02) and shear its rows back, with linear interpolation.

    images (H, W) or (N, H, W) -> float32 of the same shape. Row r moves sideways by
    skew * (r - H/2), so the middle row stays put; pixels shifted in from outside are 0. An image
    with (almost) no vertical spread is returned as it is.
    """
    images = np.asarray(images)
    if images.ndim not in (2, 3):
        raise ValueError(f"images must be (H, W) or (N, H, W), got shape {images.shape}")
    single = images.ndim == 2
    batch = images[None] if single else images
    out = _map_chunks(_deskew, batch, max(1, 500_000 // (batch.shape[1] * batch.shape[2])))
    return out[0] if single else out


def _deskew(images: np.ndarray) -> np.ndarray:
    x = images.astype(np.float32)
    N, H, W = x.shape
    rows, cols = np.arange(H, dtype=np.float32), np.arange(W, dtype=np.float32)
    row_mass = x.sum(axis=2)                                            # (N, H)
    mass = row_mass.sum(axis=1)
    safe = np.where(mass > 0, mass, 1)
    cy = row_mass @ rows / safe
    cx = x.sum(axis=1) @ cols / safe
    dy = rows[None, :] - cy[:, None]                                    # (N, H)
    dx = cols[None, :] - cx[:, None]                                    # (N, W)
    mu02 = np.sum(row_mass * dy**2, axis=1)
    mu11 = np.sum((x @ dx[:, :, None])[:, :, 0] * dy, axis=1)
    skew = np.where(mu02 > 1e-2, mu11 / np.where(mu02 > 1e-2, mu02, 1), 0).astype(np.float32)
    shift = skew[:, None] * (rows[None, :] - H / 2)                     # (N, H): per row, constant along it
    whole = np.clip(np.floor(shift), -W, W).astype(np.int64)
    frac = (shift - np.floor(shift))[:, :, None]
    # out[r, c] = (1 - f) * x[r, c + k] + f * x[r, c + k + 1], with W zeros on each side of every row.
    padded = np.zeros((N, H, 3 * W + 1), np.float32)
    padded[:, :, W: 2 * W] = x
    index = (W + whole)[:, :, None] + np.arange(W)[None, None, :]
    left = np.take_along_axis(padded, index, axis=2)
    right = np.take_along_axis(padded, index + 1, axis=2)
    return left + frac * (right - left)


def hog_features(images, deskew_first=True, **hog_kwargs) -> np.ndarray:
    """The classifier's input: HOG of the (deskewed) images, 4×4-pixel cells unless told otherwise."""
    hog_kwargs.setdefault("pixels_per_cell", (4, 4))
    return hog(deskew(images) if deskew_first else images, **hog_kwargs)


def pixel_features(images) -> np.ndarray:
    """Raw pixels scaled to 0..1, flattened: the baseline without hand-made features."""
    images = np.asarray(images)
    return images.reshape(len(images), -1).astype(np.float32) / 255


def kernel_svm(features, gamma: float, n_components: int = 2000, seed: int = 0):
    """An RBF-kernel SVM for 60,000 examples on a laptop: features -> Nyström approximation of the RBF
    kernel (n_components landmarks) -> least-squares SVM (a ridge fit on ±1 targets, one per class).

    An exact SVC(rbf) on HOG features takes minutes here; this fits in seconds with the same accuracy.
    `features` is a function images -> feature matrix (hog_features or pixel_features).
    """
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import RidgeClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    return make_pipeline(FunctionTransformer(features),
                         Nystroem(kernel="rbf", gamma=gamma, n_components=n_components, random_state=seed),
                         RidgeClassifier(alpha=1e-2))
