"""The homework's own tasks (notebooks/homework/): task data, reference answers and the checks of the grade cells.

Every check compares a student's answer with an independent oracle (torch's autograd, `F.unfold`,
`F.avg_pool2d`, scikit-image's HOG, or a hand computation) and answers with a `Feedback`: ✓, or ✗ with a hint
that names the typical mistake, never a traceback. A check is given only data (numbers, arrays, tensors) and the
student's functions, which it calls with data only: the grader may run the student's cells in another process.

    from helpers import checks, homework_tasks as tasks
    checks.require(tasks.im2col_function(im2col))
"""

from __future__ import annotations

import functools
import math

import numpy as np

from helpers.checks import Feedback
from helpers.i18n import number as _n
from helpers.i18n import tr as _t


def _no(text: str, **values) -> Feedback:
    return Feedback(False, _t(text, **values))


def _yes(text: str, **values) -> Feedback:
    return Feedback(True, _t(text, **values))


def _short(answer, limit: int = 60) -> str:
    text = repr(answer)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _guarded(check):
    """Whatever the answer, a sentence: an answer the check cannot read gets a hint naming what was wanted."""

    @functools.wraps(check)
    def guarded(answer, *args, **kwargs):
        try:
            return check(answer, *args, **kwargs)
        except Exception:
            wanted = (check.__doc__ or "").strip().splitlines()[0].rstrip(".")
            return _no(
                "Could not read {answer} as an answer here. Wanted: {wanted}.", answer=_short(answer), wanted=_t(wanted)
            )

    return guarded


def _not_answered(answer):
    if answer is None or answer is ...:
        return _no("Not answered yet: replace None with your answer and run the cell again.")
    return None


def _number(answer, what: str):
    if (fb := _not_answered(answer)) is not None:
        return fb
    if isinstance(answer, (bool, np.bool_, str, dict)):
        return _no("The answer is {what}: one number, written with digits.", what=_t(what))
    if hasattr(answer, "detach"):
        answer = answer.detach().cpu().numpy()
    arr = np.asarray(answer)
    if arr.ndim > 0 or arr.dtype.kind not in "iuf":
        return _no("The answer is {what}: one number.", what=_t(what))
    value = float(arr)
    if not math.isfinite(value):
        return _no("{answer} is not a finite number; the answer is {what}.", answer=_short(answer), what=_t(what))
    return value


def _array(answer, what: str):
    if (fb := _not_answered(answer)) is not None:
        return fb
    if isinstance(answer, (str, dict, bool)):
        return _no("The answer is {what}: numbers in an array or a list of rows.", what=_t(what))
    if hasattr(answer, "detach"):
        answer = answer.detach().cpu().numpy()
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return _no("The answer is {what}: numbers in an array or a list of rows, every row as long.", what=_t(what))
    if not np.all(np.isfinite(arr)):
        return _no("{what} holds a value that is not a finite number (nan or inf).", what=_t(what).capitalize())
    return arr


def _call(fn, name: str, case: str, *args, **kwargs):
    """The student's function called on data; a Feedback if it is missing, not a function or stops with an error."""
    if fn is None or fn is ...:
        return _no("Not answered yet: write `{name}` in its cell and run it.", name=name)
    if not callable(fn):
        return _no("Give the function itself: `{name}`, without brackets after it.", name=name)
    try:
        result = fn(*args, **kwargs)
    except Exception as error:
        text = str(error).splitlines()[0] if str(error) else ""
        return _no(
            "Your `{name}` stopped with an error on {case}: {etype}: {error}",
            name=name,
            case=case,
            etype=type(error).__name__,
            error=text,
        )
    if result is None:
        return _no("Your `{name}` returns nothing (None): end it with `return`.", name=name)
    return result


# --- lesson exercises whose check must not be handed the answer (03 Ex1, 04 Ex3) ---------------------------------


@_guarded
def strongest_on(answer, image, pattern) -> Feedback:
    """A 3×3 kernel whose strongest response on the image is on the pattern's pixels."""
    k = _array(answer, "a 3×3 kernel")
    if isinstance(k, Feedback):
        return k
    if k.shape != (3, 3):
        return _no("Give a 3×3 kernel: 3 rows of 3 numbers, e.g. [[0, 0, 0], [0, 1, 0], [0, 0, 0]].")
    from helpers.conv import conv2d

    pattern = np.asarray(pattern, bool)
    response = conv2d(np.asarray(image, float), k, padding=1)  # one value per pixel of the image
    on, off = response[pattern].max(), response[~pattern].max()
    if on > 0 and on > off + 1e-9:
        return _yes("Right: your kernel responds most strongly ({m}) where the pattern is.", m=_n(on, "g"))
    return _no(
        "Your kernel's strongest response is somewhere else. Put positive weights where the "
        "pattern's bright pixels are and negative weights around them."
    )


@_guarded
def predicted_shape(answer, expected_shape, hint: str) -> Feedback:
    """A tensor shape the student predicted, compared with the one the network really produced."""
    expected = tuple(int(v) for v in expected_shape)
    got = _array(answer, "a shape")
    if isinstance(got, Feedback):
        return got
    if got.ndim != 1 or got.size != len(expected):
        return _no("Give the shape as {n} whole numbers in brackets, like (channels, height, width).", n=len(expected))
    if np.any(got != np.round(got)):
        return _no("A shape counts channels and pixels: whole numbers. {hint}", hint=_t(hint))
    if tuple(int(v) for v in got) == expected:
        return _yes("Right: {e}.", e=expected)
    return Feedback(False, _t(hint))


# --- hw01: HOG ---------------------------------------------------------------------------------------------


@_guarded
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


@_guarded
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
                (
                    "Your angles stop at 180°: that is the unsigned HOG of the lesson. Here a dark-to-bright edge "
                    "and a bright-to-dark one are different: take the angle of (gx, gy) over the whole circle, 0°–360°."
                ),
            ),
            (
                signed_hog_reference(image, wrap=180),
                (
                    "Your angles stop at 180°, so the bins from 180° up stay empty. Here a dark-to-bright edge and a "
                    "bright-to-dark one are different: take the angle over the whole circle, 0°–360°."
                ),
            ),
            (
                signed_hog_reference(image, clip=None),
                (
                    "Nothing is clipped: that is plain L2. L2-Hys divides by the length, lowers every value above 0.2 "
                    "to 0.2, and divides by the new length."
                ),
            ),
            (
                signed_hog_reference(image, gy_down=False),
                (
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


# --- hw02: im2col and dilation --------------------------------------------------------------------------------


def _conv_cases(seed: int):
    rng = np.random.default_rng(seed)
    for c, h, w, k, s, p, d in [
        (1, 5, 5, 3, 1, 0, 1),
        (2, 7, 8, 3, 1, 1, 2),
        (3, 9, 7, 2, 2, 1, 3),
        (2, 10, 10, 3, 3, 2, 2),
    ]:
        yield (rng.integers(-5, 6, (c, h, w)).astype(float), rng.integers(-3, 4, (2, c, k, k)).astype(float), s, p, d)


def _case_text(image, k, s, p, d):
    return _t(
        "a {c}-channel {h}×{w} image, {k}×{k} windows, stride {s}, padding {p}, dilation {d}",
        c=image.shape[0],
        h=image.shape[1],
        w=image.shape[2],
        k=k,
        s=s,
        p=p,
        d=d,
    )


@_guarded
def im2col_function(fn, name: str = "im2col") -> Feedback:
    """A function `im2col(image, k, stride, padding, dilation)` → (C·k·k, L), compared with torch's F.unfold."""
    import torch
    import torch.nn.functional as F

    for image, kernels, s, p, d in _conv_cases(21):
        k = kernels.shape[-1]
        case = _case_text(image, k, s, p, d)
        got = _call(fn, name, case, image.copy(), k, s, p, d)
        if isinstance(got, Feedback):
            return got
        got = _array(got, "the matrix of windows")
        if isinstance(got, Feedback):
            return got
        expected = F.unfold(torch.tensor(image)[None], k, dilation=d, padding=p, stride=s)[0].numpy()
        if got.shape == expected.shape[::-1] and got.shape != expected.shape and np.allclose(got.T, expected):
            return _no(
                "Your matrix is transposed: one ROW per kernel weight (C·k·k of them) and one COLUMN per "
                "window (L of them), so that kernels.reshape(K, -1) @ cols gives the maps."
            )
        if got.shape != expected.shape:
            undilated = F.unfold(torch.tensor(image)[None], k, padding=p, stride=s)[0].numpy()
            if d > 1 and got.shape == undilated.shape:
                return _no(
                    "On {case} your matrix has as many windows as with dilation 1: a dilated window spans "
                    "d·(k − 1) + 1 pixels, so fewer windows fit.",
                    case=case,
                )
            return _no(
                "On {case} the matrix should be {e} (C·k·k rows, one column per window) but yours is {g}.",
                case=case,
                e=expected.shape,
                g=got.shape,
            )
        if np.allclose(got, expected):
            continue
        if d > 1:
            undilated = F.unfold(torch.tensor(image)[None], k, padding=p, stride=s)[0].numpy()
            if np.allclose(got, undilated[:, : got.shape[1]]):
                return _no(
                    "Your windows ignore the dilation: with dilation d the window takes every d-th pixel, "
                    "rows r, r + d, …, r + d·(k − 1)."
                )
        if np.allclose(np.sort(got, axis=0), np.sort(expected, axis=0)) or np.allclose(
            np.sort(got, axis=1), np.sort(expected, axis=1)
        ):
            return _no(
                "The right windows in another order. Rows: channel first, then the kernel's row, then its "
                "column (the order of kernels.reshape(K, -1)); columns: windows row by row of the map."
            )
        return _no(
            "On {case} {n} of {m} values differ from torch's F.unfold. Window (i, j) starts at row i·s, "
            "column j·s of the padded image and takes every d-th pixel.",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` equals torch's F.unfold, dilation included.", name=name)


@_guarded
def conv_im2col_function(fn, name: str = "conv2d_im2col") -> Feedback:
    """A function `conv2d_im2col(image, kernels, stride, padding, dilation)` → (K, H', W'), compared with torch."""
    import torch
    import torch.nn.functional as F

    for image, kernels, s, p, d in _conv_cases(22):
        k = kernels.shape[-1]
        case = _case_text(image, k, s, p, d)
        got = _call(fn, name, case, image.copy(), kernels.copy(), s, p, d)
        if isinstance(got, Feedback):
            return got
        got = _array(got, "the activation maps")
        if isinstance(got, Feedback):
            return got
        x, w = torch.tensor(image)[None], torch.tensor(kernels)
        expected = F.conv2d(x, w, stride=s, padding=p, dilation=d)[0].numpy()
        if got.shape != expected.shape:
            if got.size == expected.size:
                return _no(
                    "On {case} the values may be right but the shape is {g}, not {e}: reshape the product "
                    "to (K, H', W'), one map per kernel.",
                    case=case,
                    g=got.shape,
                    e=expected.shape,
                )
            return _no(
                "On {case} the output should be {e} (K maps of ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 per side) "
                "but yours is {g}.",
                case=case,
                e=expected.shape,
                g=got.shape,
            )
        if np.allclose(got, expected):
            continue
        flipped = F.conv2d(x, torch.flip(w, (2, 3)), stride=s, padding=p, dilation=d)[0].numpy()
        if np.allclose(got, flipped):
            return _no(
                "Your maps use the flipped kernel (the mathematicians' convolution). Networks lay the kernel "
                "on the window as it is."
            )
        return _no(
            "On {case} {n} of {m} values differ from torch's conv2d. The maps are "
            "kernels.reshape(K, -1) @ im2col(...), reshaped to (K, H', W').",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` equals torch's conv2d with stride, padding and dilation.", name=name)


@_guarded
def layer_parameters(answer, in_channels, out_channels, kernel_size, dilation) -> Feedback:
    """The trainable parameters of a (dilated) convolution layer, a whole number."""
    got = _number(answer, "the parameter count")
    if isinstance(got, Feedback):
        return got
    import torch

    layer = torch.nn.Conv2d(in_channels, out_channels, kernel_size, dilation=dilation)
    expected = sum(p.numel() for p in layer.parameters())
    span = dilation * (kernel_size - 1) + 1
    if got == expected:
        return _yes("Right: {e}. Dilation spreads the weights apart; it does not add any.", e=_n(expected, ","))
    if got in (out_channels * in_channels * span**2 + out_channels, out_channels * in_channels * span**2):
        return _no(
            "Dilation spreads the {k}×{k} weights over a wider window, but the kernel still has {k}×{k} "
            "weights per channel: the gaps hold no weights.",
            k=kernel_size,
        )
    if got == expected - out_channels:
        return _no("Almost: each kernel also has one bias.")
    return _no("Count one kernel: in_channels × k × k weights plus one bias, then multiply by the number of kernels.")


# --- hw03: a corner detector; the Hessian of the kernel-learning loss -------------------------------------------

_SHAPES = (
    "the corner ┌",
    "a corner ┐",
    "a corner └",
    "a corner ┘",
    "a horizontal line",
    "a vertical line",
    "a filled square",
)


def _draw(image, labels, kind, r, c, n):
    """Draw shape `kind` with its key pixel at (r, c) and arms of n pixels; False if it would touch another."""
    pixels = {
        0: [(r, c + t) for t in range(n)] + [(r + t, c) for t in range(1, n)],
        1: [(r, c - t) for t in range(n)] + [(r + t, c) for t in range(1, n)],
        2: [(r, c + t) for t in range(n)] + [(r - t, c) for t in range(1, n)],
        3: [(r, c - t) for t in range(n)] + [(r - t, c) for t in range(1, n)],
        4: [(r, c + t) for t in range(2 * n)],
        5: [(r + t, c) for t in range(2 * n)],
        6: [(r + a, c + b) for a in range(n) for b in range(n)],
    }[kind]
    size = image.shape[0]
    for y, x in pixels:
        if not (1 <= y < size - 1 and 1 <= x < size - 1) or np.any(labels[y - 1 : y + 2, x - 1 : x + 2] >= 0):
            return False
    for y, x in pixels:
        image[y, x] = 1.0
        labels[y, x] = kind
    return True


def corner_scenes(n: int = 20, seed: int = 0, size: int = 24):
    """n scenes (n, size, size) of 0s and 1s: one ┌ corner and distractors (the other three corners, lines, a
    filled square), none touching another; and the corner's pixel (row, column) in each, (n, 2)."""
    rng = np.random.default_rng(seed)
    scenes, corners = [], []
    while len(scenes) < n:
        image = np.zeros((size, size))
        labels = np.full((size, size), -1)
        r, c = rng.integers(1, size - 6, 2)
        if not _draw(image, labels, 0, r, c, int(rng.integers(3, 6))):
            continue
        for kind in rng.permutation(np.arange(1, 7)):
            for _ in range(30):
                if _draw(image, labels, kind, *rng.integers(1, size - 1, 2), int(rng.integers(3, 6))):
                    break
        scenes.append(image)
        corners.append((r, c))
    return np.array(scenes), np.array(corners)


@_guarded
def corner_kernel(answer, seed: int = 4321, n: int = 50) -> Feedback:
    """A square kernel of odd side whose strongest response in each scene is on the ┌ corner's pixel."""
    k = _array(answer, "the kernel")
    if isinstance(k, Feedback):
        return k
    if k.ndim != 2 or k.shape[0] != k.shape[1] or k.shape[0] % 2 == 0:
        return _no(
            "Give a square kernel with an odd side (3×3 or 5×5), as a list of rows; yours has shape {g}.", g=k.shape
        )
    from helpers.conv import conv2d

    scenes, corners = corner_scenes(n, seed)
    for i, (scene, (r, c)) in enumerate(zip(scenes, corners)):
        response = conv2d(scene, k, padding=k.shape[0] // 2)
        top = response[r, c]
        others = response.copy()
        others[r, c] = -np.inf
        if not top > others.max() + 1e-9:
            y, x = np.unravel_index(np.argmax(others), others.shape)
            _, labels = _scene_labels(seed, n, i)
            where = labels[y, x]
            what = _t(_SHAPES[where]) if where >= 0 else _t("an empty place next to a shape")
            if where == 0:
                what = _t("another pixel of the ┌ corner, not its tip")
            return _no(
                "In scene {i} your kernel answers {v} at the corner's tip ({r}, {c}) but {m} at ({y}, {x}), "
                "on {what}. Compare what a window holds at the tip and there: give the pixels "
                "that differ weights of opposite signs.",
                i=i,
                v=f"{top:g}",
                r=int(r),
                c=int(c),
                m=f"{others.max():g}",
                y=int(y),
                x=int(x),
                what=what,
            )
    return _yes("Right: in all {n} scenes your kernel's strongest response is exactly on the ┌ corner.", n=n)


def _scene_labels(seed, n, index):
    """Which shape each pixel of scene `index` belongs to (-1: none), by drawing the scenes again."""
    rng = np.random.default_rng(seed)
    count = 0
    while True:
        size = 24
        image = np.zeros((size, size))
        labels = np.full((size, size), -1)
        r, c = rng.integers(1, size - 6, 2)
        if not _draw(image, labels, 0, r, c, int(rng.integers(3, 6))):
            continue
        for kind in rng.permutation(np.arange(1, 7)):
            for _ in range(30):
                if _draw(image, labels, kind, *rng.integers(1, size - 1, 2), int(rng.integers(3, 6))):
                    break
        if count == index:
            return image, labels
        count += 1


def learning_images(n: int = 24, offset: int = 300):
    """n MNIST digits scaled to 0–1, (n, 28, 28): the images of hw03's learning-rate tasks."""
    from helpers.data import load_mnist

    images, _ = load_mnist("train")
    return images[offset : offset + n].astype(float) / 255


def _loss_hessian(images, k, stride):
    """The Hessian of mean((conv2d(images, w, stride) − targets)²) in the k·k weights, by torch's autograd."""
    import torch
    import torch.nn.functional as F

    x = torch.as_tensor(np.asarray(images, float))[:, None]
    targets = torch.zeros_like(F.conv2d(x, torch.zeros(1, 1, k, k, dtype=x.dtype), stride=stride))

    def loss(w):
        return ((F.conv2d(x, w.reshape(1, 1, k, k), stride=stride) - targets) ** 2).mean()

    return torch.autograd.functional.hessian(loss, torch.zeros(k * k, dtype=x.dtype)).numpy()


@_guarded
def loss_hessian_function(fn, name: str = "loss_hessian") -> Feedback:
    """A function `loss_hessian(images, k, stride)` → the (k·k, k·k) Hessian, compared with torch's autograd."""
    rng = np.random.default_rng(33)
    cases = [
        (rng.normal(size=(3, 6, 6)), 3, 1),
        (rng.uniform(0, 1, (4, 9, 8)), 2, 2),
        (rng.normal(size=(2, 11, 11)), 4, 3),
    ]
    for images, k, s in cases:
        case = _t(
            "{n} images of {h}×{w}, a {k}×{k} kernel, stride {s}",
            n=images.shape[0],
            h=images.shape[1],
            w=images.shape[2],
            k=k,
            s=s,
        )
        got = _call(fn, name, case, images.copy(), k, s)
        if isinstance(got, Feedback):
            return got
        got = _array(got, "the Hessian")
        if isinstance(got, Feedback):
            return got
        expected = _loss_hessian(images, k, s)
        if got.shape != expected.shape:
            return _no(
                "On {case} the Hessian should be {e}: one row and one column per kernel weight (k·k of "
                "them); yours is {g}.",
                case=case,
                e=expected.shape,
                g=got.shape,
            )
        if np.allclose(got, expected):
            continue
        if np.allclose(got, expected / 2):
            return _no("Half of autograd's: the derivative of e² is 2e, so the Hessian is 2·PᵀP / M, not PᵀP / M.")
        ratio = np.sum(got * expected) / np.sum(expected * expected)
        if np.allclose(got, ratio * expected, rtol=1e-6) and not np.isclose(ratio, 1):
            return _no(
                "Right shape, wrong scale (×{r}): the loss is the MEAN over all N·H'·W' output values, "
                "so divide by their number, M.",
                r=_n(ratio, ".4g"),
            )
        if s > 1 and got.shape == expected.shape and np.allclose(got, _loss_hessian(images, k, 1)):
            return _no(
                "That is the Hessian for stride 1: with stride {s} only the windows that start at multiples "
                "of {s} are outputs, "
                "so only those patches count.",
                s=s,
            )
        perm = np.arange(k * k).reshape(k, k).T.ravel()
        if np.allclose(got, expected[np.ix_(perm, perm)]):
            return _no(
                "Your weights are ordered column by column. Flatten the kernel row by row, as w.reshape(-1) does."
            )
        return _no(
            "On {case} your Hessian differs from autograd's. The loss is mean over the M outputs of "
            "(p·w − t)², with p a flattened window: its Hessian is 2·Σ p pᵀ / M.",
            case=case,
        )
    return _yes("Right: your `{name}` equals autograd's Hessian, stride included.", name=name)


@_guarded
def largest_stable_lr(answer, images, k, stride) -> Feedback:
    """The largest learning rate for which gradient descent on the loss does not blow up, one number."""
    got = _number(answer, "a learning rate")
    if isinstance(got, Feedback):
        return got
    eig = np.linalg.eigvalsh(_loss_hessian(images, k, stride))
    expected = 2 / eig[-1]
    if abs(got - expected) <= 0.01 * expected:
        return _yes("Right: 2/λ = {e} (λ = {l}, the steepest curvature).", e=_n(expected, ".4g"), l=_n(eig[-1], ".4g"))
    if abs(got - expected / 2) <= 0.01 * expected / 2:
        return _no(
            "That is 1/λ. Along the steepest direction a step multiplies the error by (1 − lr·λ): it grows "
            "only once |1 − lr·λ| > 1, that is for lr > 2/λ."
        )
    if abs(got - 2 / eig[0]) <= 0.01 * 2 / eig[0]:
        return _no(
            "That uses the smallest curvature. The steepest direction (the largest eigenvalue) is the first "
            "to overshoot."
        )
    if abs(got - eig[-1]) <= 0.01 * eig[-1]:
        return _no("That is λ itself, the largest eigenvalue; the learning rate limit is 2/λ.")
    return _no("Take the largest eigenvalue λ of your Hessian for these images (np.linalg.eigvalsh); the limit is 2/λ.")


# --- hw04: average pooling with padding; the max-pool backward pass; receptive fields ----------------------------


@_guarded
def avg_pooled(answer, x, kernel_size, stride, padding, count_include_pad) -> Feedback:
    """An average-pooled map, as a list of rows."""
    got = _array(answer, "the pooled map")
    if isinstance(got, Feedback):
        return got
    import torch
    import torch.nn.functional as F

    t = torch.tensor(np.asarray(x, float))[None, None]
    expected = F.avg_pool2d(t, kernel_size, stride, padding, count_include_pad=count_include_pad)[0, 0].numpy()
    if got.shape != expected.shape:
        return _no(
            "The pooled map is {h}×{w}: ⌊(n + 2p − k) / s⌋ + 1 windows per side.",
            h=expected.shape[0],
            w=expected.shape[1],
        )
    if np.allclose(got, expected, atol=1e-3):
        return _yes("Right.")
    other = F.avg_pool2d(t, kernel_size, stride, padding, count_include_pad=not count_include_pad)[0, 0].numpy()
    if np.allclose(got, other, atol=1e-3):
        return _no(
            "You divided by the full window, 9, everywhere. With count_include_pad=False a window that "
            "hangs over the border is divided by the number of REAL pixels in it."
            if not count_include_pad
            else "You divided by the real pixels only. With count_include_pad=True the padding's zeros count: "
            "divide every window by k·k."
        )
    wrong = int(np.sum(~np.isclose(got, expected, atol=1e-3)))
    return _no(
        "{wrong} of {n} values differ. Pad with zeros, take each window in turn, add its real pixels and "
        "divide by how many there are.",
        wrong=wrong,
        n=expected.size,
    )


@_guarded
def avg_pool_function(fn, name: str = "avg_pool") -> Feedback:
    """A function `avg_pool(x, size, stride, padding, count_include_pad)` for one map, compared with torch."""
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(44)
    for h, w, k, s, p, inc in [
        (4, 4, 2, 2, 0, True),
        (5, 6, 3, 2, 1, False),
        (5, 6, 3, 2, 1, True),
        (7, 5, 3, 1, 1, False),
        (6, 7, 4, 3, 2, False),
    ]:
        x = rng.integers(-9, 10, (h, w)).astype(float)
        case = _t(
            "a {h}×{w} map, {k}×{k} windows, stride {s}, padding {p}, count_include_pad={i}",
            h=h,
            w=w,
            k=k,
            s=s,
            p=p,
            i=inc,
        )
        got = _call(fn, name, case, x.copy(), k, s, p, inc)
        if isinstance(got, Feedback):
            return got
        got = _array(got, "the pooled map")
        if isinstance(got, Feedback):
            return got
        t = torch.tensor(x)[None, None]
        expected = F.avg_pool2d(t, k, s, p, count_include_pad=inc)[0, 0].numpy()
        if got.shape != expected.shape:
            return _no(
                "On {case} the pooled map should be {e} but yours is {g}: ⌊(n + 2p − k) / s⌋ + 1 per side.",
                case=case,
                e=expected.shape,
                g=got.shape,
            )
        if np.allclose(got, expected):
            continue
        if p and np.allclose(got, F.avg_pool2d(t, k, s, p, count_include_pad=not inc)[0, 0].numpy()):
            return _no(
                "On {case} your `{name}` does the opposite of count_include_pad: True divides every window "
                "by k·k (the zeros count), False by the number of real pixels in the window.",
                case=case,
                name=name,
            )
        return _no(
            "On {case} {n} of {m} values differ from torch's avg_pool2d.",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` equals torch's avg_pool2d, with and without count_include_pad.", name=name)


@_guarded
def max_pool_backward_function(fn, name: str = "max_pool_backward") -> Feedback:
    """A function `max_pool_backward(x, dout, size, stride)` → dx, compared with torch's autograd."""
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(45)
    for h, w, k, s in [(4, 4, 2, 2), (5, 7, 2, 2), (7, 7, 3, 2), (6, 5, 3, 1)]:
        x = rng.permutation(h * w).reshape(h, w).astype(float) + rng.uniform(0, 0.5, (h, w))  # no ties
        xt = torch.tensor(x, requires_grad=True)
        out = F.max_pool2d(xt[None, None], k, s)[0, 0]
        dout = rng.normal(size=tuple(out.shape)).round(2)
        out.backward(torch.tensor(dout))
        expected = xt.grad.numpy()
        case = _t("a {h}×{w} map, {k}×{k} windows, stride {s}", h=h, w=w, k=k, s=s)
        got = _call(fn, name, case, x.copy(), dout.copy(), k, s)
        if isinstance(got, Feedback):
            return got
        got = _array(got, "dx")
        if isinstance(got, Feedback):
            return got
        if got.shape != x.shape:
            return _no(
                "dx has the shape of x ({h}×{w}): one gradient per input pixel; yours is {g}.", h=h, w=w, g=got.shape
            )
        if np.allclose(got, expected):
            continue
        if not np.any(got):
            return _no("dx is all zeros: every window sends its dout to the pixel that won the max.")
        xa = torch.tensor(x, requires_grad=True)
        F.avg_pool2d(xa[None, None], k, s)[0, 0].backward(torch.tensor(dout))
        if np.allclose(got, xa.grad.numpy()) or np.allclose(got, xa.grad.numpy() * k * k):
            return _no(
                "You share dout over the whole window: that is average pooling's backward pass. Max pooling "
                "passed on only the largest value, so only that pixel gets the gradient."
            )
        overwrite = np.zeros_like(x)
        for i in range(dout.shape[0]):
            for j in range(dout.shape[1]):
                window = x[i * s : i * s + k, j * s : j * s + k]
                a, b = np.unravel_index(np.argmax(window), window.shape)
                overwrite[i * s + a, j * s + b] = dout[i, j]
        if np.allclose(got, overwrite):
            return _no(
                "On {case} the windows overlap and one pixel can win in two windows: add the gradients "
                "(dx[...] += dout[i, j]), do not overwrite them.",
                case=case,
            )
        return _no(
            "On {case} {n} of {m} values differ from autograd. Window (i, j) starts at row i·stride, column "
            "j·stride; its dout[i, j] goes to the position of its largest value.",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` equals torch's autograd, overlapping windows included.", name=name)


def _stack_modules(layers):
    import torch

    modules = []
    for kind, k, s, d in layers:
        if kind == "conv":
            m = torch.nn.Conv2d(1, 1, k, s, dilation=d, bias=False)
            torch.nn.init.constant_(m.weight, 1.0)
        else:
            m = torch.nn.AvgPool2d(k, s)  # the same windows as max pooling; every pixel gets a share
        modules.append(m)
    return torch.nn.Sequential(*modules).double()


def _influence(layers):
    """The input pixels one central output pixel depends on, as a boolean square, by a gradient."""
    import torch

    size = 1
    jump = 1
    for _, k, s, d in layers:
        size += d * (k - 1) * jump
        jump *= s
    side = 2 * size + 4 * jump + 8
    x = torch.ones(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    out = _stack_modules(layers)(x)
    out[0, 0, out.shape[-2] // 2, out.shape[-1] // 2].backward()
    grad = x.grad[0, 0].numpy() != 0
    rows, cols = np.nonzero(grad)
    return grad[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1], size


@_guarded
def receptive_side(answer, layers) -> Feedback:
    """The side of the square of input pixels one output pixel sees, a whole number."""
    got = _number(answer, "the receptive field's side")
    if isinstance(got, Feedback):
        return got
    square, size = _influence(layers)
    assert square.shape[0] == size, (square.shape, size)
    if got == size:
        return _yes("Right: {e}×{e} input pixels.", e=size)
    plain = 1
    jump = 1
    for _, k, s, _d in layers:
        plain += (k - 1) * jump
        jump *= s
    if got == plain:
        return _no(
            "That ignores the dilation: a k×k kernel with dilation d spans d·(k − 1) + 1 pixels, so it adds "
            "d·(k − 1) × (the product of the strides before it)."
        )
    if got == 1 + sum(d * (k - 1) for _, k, _, d in layers):
        return _no(
            "You added each layer's span as it is. After a stride s, one step of a later layer moves s "
            "input pixels: multiply by the product of the strides before it."
        )
    return _no("Start at 1 and walk through the layers: each adds d·(k − 1) × (the product of the strides before it).")


@_guarded
def receptive_pixels(answer, layers) -> Feedback:
    """How many input pixels of the receptive field really influence the output pixel, a whole number."""
    got = _number(answer, "a number of pixels")
    if isinstance(got, Feedback):
        return got
    square, size = _influence(layers)
    expected = int(square.sum())
    if got == expected:
        return _yes(
            "Right: {e} of the {s}×{s} = {a} pixels; the others fall in the holes of the dilated kernels.",
            e=_n(expected, ","),
            s=size,
            a=_n(size * size, ","),
        )
    if got == size * size:
        return _no(
            "That is the whole square. A dilated kernel skips pixels: find the ones whose gradient is not "
            "zero (backward from one output pixel of the stack with all weights 1)."
        )
    return _no(
        "Build the stack in torch with every weight 1 (AvgPool2d for the pooling), run a big image of ones "
        "through it, call backward on one output pixel near the middle and count the input pixels whose "
        "gradient is not zero."
    )


# --- hw05: the backward pass with stride and padding; a network that must reach a target ---------------------


def _conv_backward_reference(x, w, dout, stride, padding):
    import torch
    import torch.nn.functional as F

    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    F.conv2d(xt[None, None], wt[None, None], stride=stride, padding=padding)[0, 0].backward(torch.tensor(dout))
    return xt.grad.numpy(), wt.grad.numpy()


@_guarded
def conv_backward_function(fn, name: str = "conv_backward") -> Feedback:
    """A function `conv_backward(x, w, dout, stride, padding)` → (dx, dw), compared with torch's autograd."""
    rng = np.random.default_rng(55)
    for h, w_, k, s, p in [(5, 5, 3, 1, 0), (6, 5, 3, 1, 1), (7, 8, 3, 2, 1), (9, 7, 2, 3, 2)]:
        x, kernel = rng.normal(size=(h, w_)), rng.normal(size=(k, k))
        oh, ow = (h + 2 * p - k) // s + 1, (w_ + 2 * p - k) // s + 1
        dout = rng.normal(size=(oh, ow))
        case = _t("a {h}×{w} image, a {k}×{k} kernel, stride {s}, padding {p}", h=h, w=w_, k=k, s=s, p=p)
        result = _call(fn, name, case, x.copy(), kernel.copy(), dout.copy(), s, p)
        if isinstance(result, Feedback):
            return result
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return _no("Return two arrays: `return dx, dw` (dx the size of x, dw the size of w).")
        dx, dw = (_array(g, "a gradient") for g in result)
        for g in (dx, dw):
            if isinstance(g, Feedback):
                return g
        ex, ew = _conv_backward_reference(x, kernel, dout, s, p)
        if dx.shape == (h + 2 * p, w_ + 2 * p) and p:
            return _no(
                "Your dx has the padded size. The padding's zeros are not inputs: cut the border off, "
                "dx_padded[p:-p, p:-p]."
            )
        if dx.shape != x.shape or dw.shape != kernel.shape:
            return _no("dx has the shape of x ({hx}×{wx}) and dw the shape of w ({k}×{k}).", hx=h, wx=w_, k=k)
        if not np.allclose(dw, ew):
            if s > 1:
                return _no(
                    "On {case} dw is off. With stride s, output (i, j) used the window at row i·s, column "
                    "j·s of the PADDED image: dw += dout[i, j] · that window.",
                    case=case,
                )
            return _no(
                "On {case} dw is off. dw adds dout[i, j] · (the window output (i, j) saw) over all outputs, "
                "windows taken from the padded image.",
                case=case,
            )
        if not np.allclose(dx, ex):
            flipped, _ = _conv_backward_reference(x, kernel[::-1, ::-1].copy(), dout, s, p)
            if np.allclose(dx, flipped):
                return _no(
                    "dx uses the flipped kernel. Output (i, j) used pixel (i·s + a, j·s + b) with weight "
                    "w[a, b]: it sends dout[i, j] · w[a, b] back to exactly that pixel."
                )
            return _no(
                "On {case} dx is off. Send dout[i, j] · w back onto the window at (i·s, j·s) of a padded "
                "dx, adding where windows overlap, then cut the padding off.",
                case=case,
            )
    return _yes("Right: dx and dw equal torch's autograd, with stride and padding.")


def hidden_digits(n: int = 5000):
    """Digits no student cell uses: MNIST's test set, scaled as helpers.train.to_tensors scales the training ones."""
    from helpers.data import load_mnist
    from helpers.train import to_tensors

    images, labels = load_mnist("test")
    return to_tensors(images[:n], labels[:n])


@_guarded
def reaches_target(model, target: float = 0.975) -> Feedback:
    """A trained torch.nn.Sequential, measured on digits it never saw."""
    if (fb := _not_answered(model)) is not None:
        return fb
    import torch

    if not isinstance(model, torch.nn.Module):
        return _no("`model` should be your trained network (a torch.nn.Sequential).")
    x, y = hidden_digits()
    model.eval()
    with torch.no_grad():
        scores = torch.cat([model(x[i : i + 1000]) for i in range(0, len(x), 1000)])
    if scores.ndim != 2 or scores.shape[1] != 10:
        return _no(
            "Your network's output for a batch of digits should be (batch, 10), one score per digit; it is {g}.",
            g=tuple(scores.shape),
        )
    acc = float((scores.argmax(1) == y).float().mean())
    if acc >= target:
        return _yes(
            "Right: {a} on {n} digits your network never saw (target {t}).",
            a=_n(acc, ".2%"),
            n=_n(len(x), ","),
            t=_n(target, ".1%"),
        )
    if acc < 0.2:
        return _no(
            "{a} is guessing level on digits it never saw: the network has not learned (is it the trained `model`?).",
            a=_n(acc, ".1%"),
        )
    return _no(
        "{a} on {n} digits it never saw; the target is {t}. Compare your choices on the validation digits: "
        "more passes, another learning rate, another width.",
        a=_n(acc, ".2%"),
        n=_n(len(x), ","),
        t=_n(target, ".1%"),
    )
