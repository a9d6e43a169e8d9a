"""A drawing made into an MNIST digit, the way MNIST made its own, and into the tensor the CNN reads (notebook 06
writes the recipe in a cell tagged lesson-mnist-style; tests/test_drawing.py checks the two equal).

MNIST's digits were made from scanned ink: the ink's bounding box scaled to fit 20×20 (aspect ratio kept,
anti-aliased), then placed in a 28×28 field so that its centre of mass sits in the middle. A drawing is
turned into a digit the same way (`preprocess_drawing`), or the network sees something it was never shown.
"""

from __future__ import annotations

import numpy as np

from helpers import _validate as v
from helpers.i18n import tr

#: MNIST's recipe: the ink's longer side becomes BOX pixels, in a SIZE×SIZE field.
BOX, SIZE = 20, 28
#: Ink up to this fraction of the darkest stroke does not count for the bounding box (0: any ink counts, as
#: in MNIST; raise it for a noisy picture such as a photo).
INK_THRESHOLD = 0.0
#: Below this contrast (0..1) with the background a canvas counts as empty.
MIN_CONTRAST = 0.1


# --- From canvas pixels to an MNIST digit ------------------------------------------------------------


def ink(image) -> np.ndarray:
    """How much ink each pixel holds, 0 (background) to 1, as a float (H, W) array.

    `image`: (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA; integers 0..255 or floats 0..1 (or 0..255).
    With transparency (an RGBA canvas drawn on a transparent background) the ink is the opacity, whatever
    its colour. Otherwise the background is the grey level of most pixels, and ink is whatever differs
    from it in the other direction: white ink on black and black ink on white both work.
    """
    a = v.numbers(image, "image", "an array of pixels (grey levels or RGBA values)")
    if a.dtype == bool:
        a = a.astype(np.float64)
    if not (a.ndim == 2 or (a.ndim == 3 and v.looks_like_colour(a.shape))):
        raise ValueError(
            f"image must be (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA (at least 5 pixels wide), got shape {a.shape}"
        )
    if a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"image must have at least one pixel, got shape {a.shape}")
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise ValueError("image must not contain NaN or infinity")
    if a.min() < 0:
        raise ValueError(f"image values must be >= 0 (0..255 or 0..1), got a minimum of {a.min():g}")
    top = a.max()
    if top > 255:
        raise ValueError(f"image values must be 0..255 or 0..1, got a maximum of {top:g}")
    if np.issubdtype(np.asarray(image).dtype, np.integer) or top > 1:
        a = a / 255
    if a.ndim == 3:
        if a.shape[2] == 4 and a[..., 3].min() < 1:
            return a[..., 3]  # drawn on a transparent canvas: opacity is ink
        a = a[..., :3] @ np.array([0.299, 0.587, 0.114])  # luminance
    background = np.median(a)
    if background > 0.5:  # dark ink on a light background
        a, background = 1 - a, 1 - background
    return np.clip(a - background, 0, None)


def preprocess_drawing(image, threshold: float = INK_THRESHOLD) -> np.ndarray:
    """Canvas pixels (any size; see `ink` for the formats) → a (28, 28) float32 digit, 0..1, as MNIST made them.

    1. crop to the bounding box of the ink; 2. scale it so its longer side is 20 pixels, anti-aliased: each new
    pixel is the average of the area it covers (a box filter; bilinear when a tiny drawing is enlarged);
    3. place it in a 28×28 field so that its centre of mass falls in the middle pixel (MNIST's centres of mass
    lie in [13.5, 14.5) in both directions), kept whole inside the field.

    An empty canvas raises ValueError (there is no digit to read).
    """
    from PIL import Image
    from scipy import ndimage

    if isinstance(threshold, (bool, np.bool_)) or not (isinstance(threshold, (int, float)) and 0 <= threshold < 1):
        raise ValueError(f"threshold must be a number in [0, 1), got {threshold!r}")
    amount = ink(image)
    peak = amount.max()
    if peak < MIN_CONTRAST:
        raise ValueError(tr("image is empty: there is no ink on it to read as a digit (draw one first)"))
    amount = amount / peak
    rows, cols = np.nonzero(amount > threshold)
    box = amount[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = BOX / max(box.shape)
    size = (max(1, round(box.shape[0] * scale)), max(1, round(box.shape[1] * scale)))
    method = Image.Resampling.BOX if scale <= 1 else Image.Resampling.BILINEAR
    small = np.clip(np.asarray(Image.fromarray(box.astype(np.float32)).resize(size[::-1], method)), 0, None)
    small = small / small.max()
    r, c = ndimage.center_of_mass(small)
    top = int(np.clip(np.ceil((SIZE - 1) / 2 - r), 0, SIZE - size[0]))
    left = int(np.clip(np.ceil((SIZE - 1) / 2 - c), 0, SIZE - size[1]))
    digit = np.zeros((SIZE, SIZE), np.float32)
    digit[top : top + size[0], left : left + size[1]] = small
    return digit


def network_input(digit):
    """A (28, 28) digit 0..1 (as preprocess_drawing gives) → the normalised (1, 1, 28, 28) tensor the CNN reads."""
    from helpers.train import to_tensors

    digit = v.numbers(digit, "digit", "a (28, 28) array").astype(np.float32)
    if digit.shape != (SIZE, SIZE):
        raise ValueError(f"digit must be a (28, 28) array, got shape {digit.shape}")
    return to_tensors(digit[None] * 255)
