"""hw03: a corner detector; the Hessian of the kernel-learning loss."""

from __future__ import annotations

import numpy as np

from helpers.checks import Feedback
from helpers.homework_tasks._common import _array, _call, _guarded, _n, _no, _number, _t, _yes
from helpers.i18n import N_

_SHAPES = (
    N_("the corner ┌"),
    N_("a corner ┐"),
    N_("a corner └"),
    N_("a corner ┘"),
    N_("a horizontal line"),
    N_("a vertical line"),
    N_("a filled square"),
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


def _scenes(seed: int, size: int = 24):
    """Scenes one after another, each (image, labels, (row, column) of the corner): labels says which shape each
    pixel belongs to (-1: none). The same seed gives the same scenes."""
    rng = np.random.default_rng(seed)
    while True:
        image = np.zeros((size, size))
        labels = np.full((size, size), -1)
        r, c = rng.integers(1, size - 6, 2)
        if not _draw(image, labels, 0, r, c, int(rng.integers(3, 6))):
            continue
        for kind in rng.permutation(np.arange(1, 7)):
            for _ in range(30):
                if _draw(image, labels, kind, *rng.integers(1, size - 1, 2), int(rng.integers(3, 6))):
                    break
        yield image, labels, (r, c)


def corner_scenes(n: int = 20, seed: int = 0, size: int = 24):
    """n scenes (n, size, size) of 0s and 1s: one ┌ corner and distractors (the other three corners, lines, a
    filled square), none touching another; and the corner's pixel (row, column) in each, (n, 2)."""
    drawn = [scene for scene, _ in zip(_scenes(seed, size), range(n))]
    return np.array([image for image, _, _ in drawn]), np.array([corner for _, _, corner in drawn])


@_guarded(wanted="A square kernel of odd side whose strongest response in each scene is on the ┌ corner's pixel")
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
    for i, (image, labels, _) in enumerate(_scenes(seed)):
        if i == index:
            return image, labels


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


@_guarded(
    wanted="A function `loss_hessian(images, k, stride)` → the (k·k, k·k) Hessian, compared with torch's autograd"
)
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


@_guarded(wanted="The largest learning rate for which gradient descent on the loss does not blow up, one number")
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
