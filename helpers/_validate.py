"""The argument rules every helper checks, written once: a bad argument is a ValueError that names it.

    from helpers import _validate as v
    kh, kw = v.pair(kernel_size, "kernel_size", minimum=1)        # an int or a pair of ints
    steps = v.whole(steps, "steps", minimum=0)                    # a whole number >= 0
    images = v.numbers(images, "images")                          # an array of real numbers
    v.refuse_colour(images, "images", "grey images (N, H, W)", "make them grey first, e.g. skimage.color.rgb2gray")

The messages are in the words a student reads: the argument's name, what it must be, what it got.

What counts as a colour image (one rule for every helper): scikit-image's layout, channels last, so an array of
3 or more axes whose last axis holds 3 (RGB) or 4 (RGBA) values, and whose next-to-last axis, the image's width, is
longer than 4 pixels (a stack of 3×3 kernels or 4×4 maps is not a colour image).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

#: The channels a colour image has (RGB, RGBA), and the narrowest colour image the rule accepts is wider than this.
COLOUR_CHANNELS = (3, 4)
_NARROWEST = 4


def is_whole(value) -> bool:
    """Whether `value` is one whole number (a Python or numpy int; True and False are not numbers here)."""
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def whole(value, name: str, minimum: int | None = 0, maximum: int | None = None, unit: str = "") -> int:
    """`value` as an int when it is a whole number in minimum..maximum (None: no bound); else ValueError naming
    `name`. `unit` ("pixels") is said in the message: "pen must be a whole number of pixels in 1..60"."""
    if not is_whole(value) or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        what = "a whole number" + (f" of {unit}" if unit else "")
        if minimum is not None and maximum is not None:
            what += f" in {minimum}..{maximum}"
        elif minimum is not None:
            what += f" >= {minimum}"
        elif maximum is not None:
            what += f" <= {maximum}"
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)


def pair(value, name: str, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints (tuple, list or array), each at least `minimum`, as a pair; else ValueError."""
    items = value.tolist() if isinstance(value, np.ndarray) else value
    items = items if isinstance(items, (tuple, list)) else (items, items)
    if len(items) != 2 or not all(is_whole(v) for v in items):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(items) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(items[0]), int(items[1])


def positive(value, name: str) -> float:
    """A finite real number > 0 (a learning rate, a sigma) as a float; else ValueError naming `name`."""
    if not isinstance(value, Real) or isinstance(value, (bool, np.bool_)) or not 0 < value < np.inf:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def numbers(value, name: str, what: str = "an array") -> np.ndarray:
    """`value` as an array of real numbers (bool, int or float); else ValueError naming `name` and saying `what`
    it should be ("a batch of grey images (N, H, W)"). Ragged lists, text, complex numbers and objects are refused."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # ragged lists
        array = None
    if array is None or array.dtype.kind not in "biuf":
        got = (
            f"dtype {array.dtype}"
            if array is not None and array.dtype.kind != "O"
            else f"{type(value).__name__} {value!r:.60}"
        )
        raise ValueError(f"{name} must be {what} of real numbers (bool, int or float), got {got}")
    return array


def finite(array: np.ndarray, name: str) -> np.ndarray:
    """`array` unless it holds NaN or inf; else ValueError naming `name` and counting them."""
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite numbers, got {int(np.sum(~np.isfinite(array)))} NaN or inf")
    return array


def looks_like_colour(shape) -> bool:
    """The one rule: 3 or more axes, the last of 3 (RGB) or 4 (RGBA) channels, the one before it wider than 4."""
    shape = tuple(shape)
    return len(shape) >= 3 and shape[-1] in COLOUR_CHANNELS and shape[-2] > _NARROWEST


def refuse_colour(array, name: str, want: str, fix: str = "make it grey first, e.g. skimage.color.rgb2gray") -> None:
    """ValueError naming `name` when `array` looks like a colour image (see `looks_like_colour`): what is
    expected instead (`want`), and how to get it (`fix`)."""
    shape = tuple(np.shape(array))
    if looks_like_colour(shape):
        raise ValueError(
            f"{name} has shape {shape}, which looks like colour (RGB): a colour image with its "
            f"{shape[-1]} channels last. {want[0].upper()}{want[1:]} is expected: {fix}"
        )


def rank(array: np.ndarray, name: str, ranks: tuple[int, ...], want: str, hint: str = "") -> np.ndarray:
    """`array` when its number of axes is one of `ranks`; else ValueError naming `name`, saying what it must be."""
    if array.ndim not in ranks:
        raise ValueError(f"{name} must be {want}, got shape {array.shape}{hint}")
    return array
