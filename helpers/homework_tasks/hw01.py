"""hw01: HOG (the length of a descriptor; a signed-orientation HOG against scikit-image)."""

from __future__ import annotations

import numpy as np

from helpers.checks import Feedback
from helpers.homework_tasks._common import _array, _call, _guarded, _n, _no, _number, _t, _yes
from helpers.i18n import N_


@_guarded(wanted="The length of a HOG vector of a rows×cols image, a whole number")
def hog_length(answer, rows, cols, pixels_per_cell, cells_per_block, orientations) -> Feedback:
    """The length of a HOG vector of a rows×cols image, a whole number."""
    got = _number(answer, "the length of the HOG vector")
    if isinstance(got, Feedback):
        return got
    from skimage.feature import hog

    expected = hog(
        np.zeros((rows, cols)),
        orientations=orientations,
        pixels_per_cell=(pixels_per_cell,) * 2,
        cells_per_block=(cells_per_block,) * 2,
    ).size
    cr, cc = rows // pixels_per_cell, cols // pixels_per_cell
    if got == expected:
        return _yes("Right: {e} numbers.", e=_n(expected, ","))
    if got == cr * cc * orientations:
        return _no(
            "That counts each cell once. Blocks overlap: a block moves one cell at a time, and every block "
            "keeps its own normalised copy of its cells."
        )
    if got == (cr // cells_per_block) * (cc // cells_per_block) * cells_per_block**2 * orientations:
        return _no(
            "Your blocks sit side by side. A block moves one cell at a time, so the blocks overlap: "
            "cells − block + 1 of them per side."
        )
    side = max(rows, cols) // pixels_per_cell - cells_per_block + 1
    if got == side * side * cells_per_block**2 * orientations:
        return _no("The image is not square: count the blocks along the rows and along the columns separately.")
    return _no(
        "Count the cells per side (rows and columns apart), then the blocks per side (cells − block + 1), "
        "then multiply by the cells in a block and by the bins."
    )


def signed_hog_reference(
    image, orientations=8, pixels_per_cell=4, cells_per_block=2, signed=True, clip=0.2, gy_down=True, wrap=None
):
    """HOG as the homework defines it: the reference answer, written out (tests compare it with scikit-image
    for signed=False, orientations=9). Whole votes; bin i holds angles in [i·w, (i+1)·w), w = 360/n (180/n)."""
    image = np.asarray(image, float)
    gy = np.zeros_like(image)
    gx = np.zeros_like(image)
    gy[1:-1, :] = image[2:, :] - image[:-2, :]
    gx[:, 1:-1] = image[:, 2:] - image[:, :-2]
    if not gy_down:
        gy = -gy
    magnitude = np.hypot(gx, gy)
    full = 360 if signed else 180
    angle = np.rad2deg(np.arctan2(gy, gx)) % (wrap or full)  # wrap: a mistake the check recognises
    width = full / orientations
    bins = np.minimum((angle // width).astype(int), orientations - 1)
    p = pixel_cells = pixels_per_cell
    n_rows, n_cols = image.shape[0] // p, image.shape[1] // p
    hist = np.zeros((n_rows, n_cols, orientations))
    for r in range(n_rows):
        for c in range(n_cols):
            hist[r, c] = (
                np.bincount(
                    bins[r * p : (r + 1) * p, c * p : (c + 1) * p].ravel(),
                    magnitude[r * p : (r + 1) * p, c * p : (c + 1) * p].ravel(),
                    minlength=orientations,
                )
                / pixel_cells**2
            )
    b = cells_per_block
    eps = 1e-5
    blocks = []
    for r in range(n_rows - b + 1):
        for c in range(n_cols - b + 1):
            v = hist[r : r + b, c : c + b].ravel()
            v = v / np.sqrt(np.sum(v**2) + eps**2)
            if clip is not None:
                v = np.minimum(v, clip)
                v = v / np.sqrt(np.sum(v**2) + eps**2)
            blocks.append(v)
    return np.concatenate(blocks)


def _hog_cases():
    from helpers.data import load_mnist

    images, _ = load_mnist("test")
    rng = np.random.default_rng(1101)
    return [
        (_t("a 12×16 image of random numbers"), rng.integers(0, 256, (12, 16)).astype(float)),
        (_t("a 28×28 digit"), images[101].astype(float)),
        (_t("another 28×28 digit"), images[202].astype(float)),
        (_t("a 20×20 image with one bright square"), np.pad(np.full((8, 8), 200.0), 6)),
    ]


@_guarded(wanted="A function `signed_hog(image)`: HOG with signed orientations (8 bins of 45°), 4×4 cells, 2×2 blocks")
def signed_hog_function(fn, name: str = "signed_hog") -> Feedback:
    """A function `signed_hog(image)`: HOG with signed orientations (8 bins of 45°), 4×4 cells, 2×2 blocks."""
    for case, image in _hog_cases():
        got = _call(fn, name, case, image.copy())
        if isinstance(got, Feedback):
            return got
        got = _array(got, "the HOG vector")
        if isinstance(got, Feedback):
            return got
        expected = signed_hog_reference(image)
        if got.shape != expected.shape:
            got = got.ravel()
            if got.shape != expected.shape:
                return _no(
                    "On {case} the HOG vector should hold {e} numbers, yours holds {g}: (cells − 1) blocks "
                    "per side, 4 cells per block, 8 bins per cell.",
                    case=case,
                    e=expected.size,
                    g=got.size,
                )
        if np.allclose(got, expected, atol=1e-7):
            continue
        variants = [
            (
                signed_hog_reference(image, signed=False),
                N_(
                    "Your angles stop at 180°: that is the unsigned HOG of the lesson. Here a dark-to-bright edge "
                    "and a bright-to-dark one are different: take the angle of (gx, gy) over the whole circle, 0°–360°."
                ),
            ),
            (
                signed_hog_reference(image, wrap=180),
                N_(
                    "Your angles stop at 180°, so the bins from 180° up stay empty. Here a dark-to-bright edge and a "
                    "bright-to-dark one are different: take the angle over the whole circle, 0°–360°."
                ),
            ),
            (
                signed_hog_reference(image, clip=None),
                N_(
                    "Nothing is clipped: that is plain L2. L2-Hys divides by the length, lowers every value above 0.2 "
                    "to 0.2, and divides by the new length."
                ),
            ),
            (
                signed_hog_reference(image, gy_down=False),
                N_(
                    "Your vertical gradient points up (above − below). In an image rows grow downwards: gy = below − "
                    "above, as in the lesson."
                ),
            ),
        ]
        for other, hint in variants:
            if other.shape == got.shape and np.allclose(got, other, atol=1e-7):
                return _no(hint)
        if np.allclose(np.sort(got), np.sort(expected), atol=1e-7):
            return _no(
                "The right numbers in the wrong order. Lay out the blocks row by row; inside a block its "
                "cells row by row; inside a cell its 8 bins from 0° up."
            )
        return _no(
            "On {case} {n} of {m} numbers differ. Check each step on its own: the gradients (zero on the "
            "border), the angle in 0°–360° and its bin (angle // 45), the cell's histogram divided by its "
            "16 pixels, then L2-Hys per block.",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` agrees with the reference on every image, the digits too.", name=name)
