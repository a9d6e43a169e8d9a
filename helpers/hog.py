"""HOG (histogram of oriented gradients) in numpy, vectorised across a batch of images.

The same features as skimage.feature.hog for grey images (same arguments, same order, same defaults: 9
orientations, 8×8-pixel cells, 3×3-cell blocks, L2-Hys; max difference below 1e-6), computed for many images
at once instead of one call per image:

1. gradients by central differences: gx = I[r, c+1] - I[r, c-1], gy = I[r+1, c] - I[r-1, c]
   (zero on the image border);
2. magnitude sqrt(gx² + gy²) and unsigned orientation atan2(gy, gx) in degrees, modulo 180;
3. per cell, a histogram of `orientations` equal bins over 0..180°, each pixel adding its magnitude
   to its bin (divided by the cell's pixel count); pixels past the last whole cell are not used.
   With split_votes=True each pixel shares its magnitude between the two nearest bin centres
   instead, as Dalal and Triggs do (scikit-image does not);
4. per block of cells_per_block cells (blocks overlap, stepping one cell), normalisation;
5. the blocks' values laid end to end.

The steps are separate functions, so notebook 01 can show each one. Notebook 01 writes step 3 for
one cell as a loop (the cell tagged lesson-hog-cell); tests/test_hog.py checks it equal to this.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from helpers import _validate as v

BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")
_EPS = 1e-5
_CHUNK_PIXELS = 500_000  # a large batch is processed this many pixels at a time, to bound memory


def _float_type(dtype) -> type:
    """The float type skimage computes in: float32 stays float32 (float16 too), all else float64."""
    return np.float32 if np.dtype(dtype) in (np.float16, np.float32) else np.float64


def gradients(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(gx, gy): central differences along a row (right − left) and down a column (below − above), zero on the
    border columns / rows. Images (H, W) or a batch (..., H, W)."""
    images = v.numbers(images, "images")
    gx = np.zeros_like(images)
    gy = np.zeros_like(images)
    gx[..., :, 1:-1] = images[..., :, 2:] - images[..., :, :-2]
    gy[..., 1:-1, :] = images[..., 2:, :] - images[..., :-2, :]
    return gx, gy


def magnitude_orientation(gx: np.ndarray, gy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradient magnitude, and unsigned orientation atan2(gy, gx) in degrees in [0, 180) (NaN where a gradient
    is NaN). The arguments come in the order `gradients` gives them: gx first."""
    gx, gy = v.numbers(gx, "gx").astype(np.float64), v.numbers(gy, "gy").astype(np.float64)
    degrees = np.rad2deg(np.arctan2(gy, gx))  # in [-180, 180]
    # Bit for bit `degrees % 180` (what skimage computes), without the slow floating-point modulo:
    # negative angles get +180 (one rounding, as in numpy's remainder), and ±180 becomes 0.
    orientation = np.where(degrees < 0, degrees + 180, degrees)
    orientation[orientation == 180] = 0
    return np.hypot(gx, gy), orientation


def orientation_bins(orientation: np.ndarray, orientations: int) -> np.ndarray:
    """The bin of each pixel: bin i holds angles in [180·i/n, 180·(i+1)/n); -1 where none does.

    Computed as floor(angle / width), then corrected where that rounds across a bin edge, so the
    edges are exactly those of skimage's comparisons. Angles must be finite.
    """
    width = 180.0 / orientations
    b = np.floor(orientation / width).astype(np.int64)
    b[orientation >= width * (b + 1)] += 1
    b[orientation < width * b] -= 1
    b[(b < 0) | (b >= orientations)] = -1
    return b


def cell_histograms(gx, gy, orientations=9, pixels_per_cell=(8, 8), split_votes=False) -> np.ndarray:
    """Histograms (N, cells_down, cells_across, orientations) from the gradients (gx, gy) of a batch (N, H, W):
    each pixel adds its magnitude to its orientation bin; sums are divided by the cell's pixel count.

    split_votes=True: each pixel shares its magnitude between the two nearest bin centres
    (180·(i + ½)/n), in proportion to how close it is to each; angles near 0° share with the last bin.

    Only pixels with a non-zero gradient can add anything, so the angles are computed for those
    alone (most of an MNIST digit is flat background); np.bincount then adds the magnitudes per
    (image, cell, bin). A pixel whose angle is undefined (a NaN nearby) adds its magnitude to every
    bin of its cell, as scikit-image does, so the cell's histogram is NaN.
    """
    gx, gy = v.numbers(gx, "gx"), v.numbers(gy, "gy")
    v.rank(gx, "gx", (3,), "a batch of gradients (N, H, W)", " (one image's: gx[None])" if gx.ndim == 2 else "")
    if gy.shape != gx.shape:
        raise ValueError(f"gy must have the shape of gx, {gx.shape}, got {gy.shape}")
    orientations = v.whole(orientations, "orientations", 1)
    ch, cw = v.pair(pixels_per_cell, "pixels_per_cell", 1)
    N, H, W = gx.shape
    nr, nc = H // ch, W // cw
    gx, gy = gx[:, : nr * ch, : nc * cw], gy[:, : nr * ch, : nc * cw]
    flat = np.flatnonzero((gx != 0) | (gy != 0))  # indices into the cropped batch (NaN != 0)
    magnitude, orientation = magnitude_orientation(gx.reshape(-1)[flat], gy.reshape(-1)[flat])
    image, pixel = np.divmod(flat, nr * ch * nc * cw)
    cell_of_pixel = ((np.arange(nr * ch) // ch)[:, None] * nc + (np.arange(nc * cw) // cw)[None, :]).ravel()
    cell = image * (nr * nc) + cell_of_pixel[pixel]  # each pixel's cell, counted over the batch
    undefined = np.isnan(orientation)
    cell_u, magnitude_u = cell[undefined], magnitude[undefined]
    cell, magnitude, orientation = cell[~undefined], magnitude[~undefined], orientation[~undefined]
    if split_votes:
        position = orientation / (180.0 / orientations) - 0.5  # 0 at bin 0's centre, 1 at bin 1's, ...
        low = np.floor(position)
        share = position - low  # how far towards the next centre
        low = low.astype(np.int64) % orientations
        index = np.concatenate([cell * orientations + low, cell * orientations + (low + 1) % orientations])
        weights = np.concatenate([magnitude * (1 - share), magnitude * share])
    else:
        bins = orientation_bins(orientation, orientations)
        keep = bins >= 0
        index, weights = (cell * orientations + bins)[keep], magnitude[keep]
    hist = np.bincount(index, weights=weights, minlength=N * nr * nc * orientations)
    hist = hist.reshape(N * nr * nc, orientations)
    np.add.at(hist, cell_u, magnitude_u[:, None])  # NaN (or inf) into every bin of the cell
    return hist.reshape(N, nr, nc, orientations) / (ch * cw)


def normalize_blocks(hist, cells_per_block=(3, 3), block_norm="L2-Hys") -> np.ndarray:
    """Blocks (N, blocks_down, blocks_across, br, bc, orientations) of the cell histograms (N, cells_down,
    cells_across, orientations), each normalised on its own; blocks overlap, stepping one cell."""
    hist = v.rank(v.numbers(hist, "hist"), "hist", (4,), "cell histograms (N, cells_down, cells_across, orientations)")
    br, bc = v.pair(cells_per_block, "cells_per_block", 1)
    if block_norm not in BLOCK_NORMS:
        raise ValueError(f"block_norm must be one of {BLOCK_NORMS}, got {block_norm!r}")
    if br > hist.shape[1] or bc > hist.shape[2]:
        raise ValueError(f"cells_per_block {(br, bc)} is more than the {hist.shape[1:3]} cells of hist")
    blocks = sliding_window_view(hist, (br, bc), axis=(1, 2))  # (..., orient, br, bc)
    blocks = np.moveaxis(blocks, 3, -1)  # (..., br, bc, orient)
    axes = (-3, -2, -1)
    with np.errstate(invalid="ignore"):  # an infinite pixel gives inf / inf: NaN, as in skimage
        if block_norm == "L1":
            return blocks / (np.abs(blocks).sum(axis=axes, keepdims=True) + _EPS)
        if block_norm == "L1-sqrt":
            return np.sqrt(blocks / (np.abs(blocks).sum(axis=axes, keepdims=True) + _EPS))
        out = blocks / np.sqrt((blocks**2).sum(axis=axes, keepdims=True) + _EPS**2)
        if block_norm == "L2-Hys":  # L2, clip at 0.2, L2 again
            out = np.minimum(out, 0.2)
            out = out / np.sqrt((out**2).sum(axis=axes, keepdims=True) + _EPS**2)
        return out


def _grey_images(images, name="images") -> np.ndarray:
    """images as an array of real numbers, (H, W) or (N, H, W); else ValueError saying what is allowed."""
    images = v.numbers(images, name, "an array")
    v.refuse_colour(images, name, "grey images (H, W) or (N, H, W)", "convert first, e.g. skimage.color.rgb2gray")
    return v.rank(images, name, (2, 3), "one grey image (H, W) or a batch (N, H, W)")


def _check(images, orientations, pixels_per_cell, cells_per_block, block_norm):
    images = _grey_images(images)
    v.whole(orientations, "orientations", 1)
    cell = v.pair(pixels_per_cell, "pixels_per_cell", 1)
    block = v.pair(cells_per_block, "cells_per_block", 1)
    if block_norm not in BLOCK_NORMS:
        raise ValueError(f"block_norm must be one of {BLOCK_NORMS}, got {block_norm!r}")
    H, W = images.shape[-2:]
    if cell[0] > H or cell[1] > W:
        raise ValueError(f"pixels_per_cell {cell} is larger than the image ({H}, {W})")
    cells = (H // cell[0], W // cell[1])
    if block[0] > cells[0] or block[1] > cells[1]:
        raise ValueError(
            f"cells_per_block {block} is more than the image's {cells} cells (of {cell[0]}x{cell[1]} pixels)"
        )
    return images, cell, block


def _in_chunks(fn, batch: np.ndarray) -> np.ndarray:
    """fn over consecutive chunks of a batch (N, H, W), concatenated: a bounded amount of memory at a time."""
    chunk = max(1, _CHUNK_PIXELS // max(1, batch.shape[1] * batch.shape[2]))
    return np.concatenate([fn(batch[s : s + chunk]) for s in range(0, max(len(batch), 1), chunk)])


def hog(images, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(3, 3), block_norm="L2-Hys", split_votes=False):
    """HOG features of one grey image (H, W) -> (F,) or of a batch (N, H, W) -> (N, F).

    Equal to skimage.feature.hog(image, orientations, pixels_per_cell, cells_per_block, block_norm)
    for each image, defaults included (NaN where skimage gives NaN). For a 28×28 digit skimage's defaults
    give a single block; notebook 01 uses 7×7 or 4×4 cells in 2×2 blocks, and says so. split_votes=True
    shares each pixel's vote between the two nearest bins (Dalal and Triggs' HOG; skimage has no such option).
    """
    images, cell, block = _check(images, orientations, pixels_per_cell, cells_per_block, block_norm)
    single = images.ndim == 2
    batch = images[None] if single else images
    ftype = _float_type(batch.dtype)
    # Integer images keep integer gradients (exact, and a quarter of the memory): the same values
    # skimage gets in floating point.
    work = np.int16 if batch.dtype in (np.uint8, np.int8) else ftype
    H, W = batch.shape[1:]
    length = (H // cell[0] - block[0] + 1) * (W // cell[1] - block[1] + 1) * block[0] * block[1] * orientations

    def features_of(x):
        hist = cell_histograms(*gradients(x.astype(work)), orientations, cell, split_votes)  # (gx, gy)
        return normalize_blocks(hist, block, block_norm).astype(ftype).reshape(len(x), length)

    features = _in_chunks(features_of, batch)
    return features[0] if single else features


def deskew(images: np.ndarray) -> np.ndarray:
    """Straighten slanted digits, a classic hand-made step before HOG: measure each image's slant
    from its second moments (skew = mu11 / mu02) and shear its rows back, with linear interpolation.

    images (H, W) or (N, H, W) -> float32 of the same shape. Row r moves sideways by
    skew * (r - H/2), so the middle row stays put; pixels shifted in from outside are 0. An image
    with (almost) no vertical spread is returned as it is.
    """
    images = _grey_images(images)
    single = images.ndim == 2
    batch = images[None] if single else images
    if batch.dtype.kind == "f" and not np.isfinite(batch).all():
        bad = int(np.flatnonzero(~np.isfinite(batch).all(axis=(1, 2)))[0])
        raise ValueError(
            f"images must be finite to be deskewed (an image with NaN or inf has no slant): "
            f"{'the image' if single else f'image {bad}'} has one"
        )
    out = _in_chunks(_deskew, batch)
    return out[0] if single else out


def _deskew(images: np.ndarray) -> np.ndarray:
    x = images.astype(np.float32)
    N, H, W = x.shape
    rows, cols = np.arange(H, dtype=np.float32), np.arange(W, dtype=np.float32)
    row_mass = x.sum(axis=2)  # (N, H)
    mass = row_mass.sum(axis=1)
    safe = np.where(mass > 0, mass, 1)
    cy = row_mass @ rows / safe
    cx = x.sum(axis=1) @ cols / safe
    dy = rows[None, :] - cy[:, None]  # (N, H)
    dx = cols[None, :] - cx[:, None]  # (N, W)
    mu02 = np.sum(row_mass * dy**2, axis=1)
    mu11 = np.sum((x @ dx[:, :, None])[:, :, 0] * dy, axis=1)
    skew = np.where(mu02 > 1e-2, mu11 / np.where(mu02 > 1e-2, mu02, 1), 0).astype(np.float32)
    shift = skew[:, None] * (rows[None, :] - H / 2)  # (N, H): per row, constant along it
    whole = np.clip(np.floor(shift), -W, W).astype(np.int64)
    frac = (shift - np.floor(shift))[:, :, None]
    # out[r, c] = (1 - f) * x[r, c + k] + f * x[r, c + k + 1], with W zeros on each side of every row.
    padded = np.zeros((N, H, 3 * W + 1), np.float32)
    padded[:, :, W : 2 * W] = x
    index = (W + whole)[:, :, None] + np.arange(W)[None, None, :]
    left = np.take_along_axis(padded, index, axis=2)
    right = np.take_along_axis(padded, index + 1, axis=2)
    return left + frac * (right - left)


def hog_features(
    images,
    deskew_first=True,
    orientations=9,
    pixels_per_cell=(4, 4),
    cells_per_block=(2, 2),
    block_norm="L2-Hys",
    split_votes=True,
) -> np.ndarray:
    """The classifier's input, the features notebook 01 chooses on a validation set: HOG of the deskewed images
    with 4×4-pixel cells, 2×2-cell blocks and split votes. These defaults are the course's recipe, not
    scikit-image's (`hog` has those); every argument after `deskew_first` is `hog`'s."""
    if not isinstance(deskew_first, (bool, np.bool_)):
        raise ValueError(f"deskew_first must be True or False, got {deskew_first!r}")
    return hog(
        deskew(images) if deskew_first else images,
        orientations,
        pixels_per_cell,
        cells_per_block,
        block_norm,
        split_votes,
    )


def pixel_features(images) -> np.ndarray:
    """Raw pixels scaled to 0..1 (from 0..255), flattened: (H, W) -> (H·W,), (N, H, W) -> (N, H·W)."""
    images = _grey_images(images)
    flat = images.reshape(-1) if images.ndim == 2 else images.reshape(len(images), images.shape[1] * images.shape[2])
    return flat.astype(np.float32) / 255
