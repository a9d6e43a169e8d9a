"""One kernel learned by plain gradient descent (notebook 03): the fast, checked version of the loop 03 writes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from helpers import _validate as v


@dataclass
class LearnedKernel:
    kernel: np.ndarray  # the kernel after the last step
    losses: list[float]  # mean squared error before each step
    snapshots: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (step, kernel) every few steps
    steps: int = 0  # steps taken
    lr: float = 0.0  # the learning rate used


def _patches(images: np.ndarray, size: int) -> np.ndarray:
    from numpy.lib.stride_tricks import sliding_window_view

    return sliding_window_view(images, (size, size), axis=(-2, -1)).reshape(-1, size * size)


def _batch(value, name: str, want: str) -> np.ndarray:
    """A batch (N, H, W) of finite numbers as float64; one 2-D array counts as a batch of one."""
    array = v.numbers(value, name, want).astype(np.float64)
    if array.ndim == 2:
        array = array[None]
    v.refuse_colour(array, name, want, "make them grey first, e.g. skimage.color.rgb2gray")
    v.rank(array, name, (3,), f"{want} (or one 2-D array)")
    if len(array) == 0:
        raise ValueError(f"{name} must hold at least one image, got an empty batch {array.shape}")
    return v.finite(array, name)


def stable_learning_rate(images, size: int = 3) -> float:
    """The largest learning rate for which plain gradient descent on the mean squared error of a
    size×size kernel converges on these images: 2 / λmax of the loss's (constant) Hessian.

    The loss mean((x * w - y)²) is a quadratic in w whose Hessian is 2·PᵀP / M, with P the M
    image patches as rows; a step larger than 2/λmax makes the error along that direction grow.
    images (N, H, W) or one (H, W); all-zero images give inf (the loss does not depend on the kernel).
    """
    size = v.whole(size, "size", 1)
    images = _batch(images, "images", "a batch of grey images (N, H, W)")
    if size > min(images.shape[1:]):
        raise ValueError(f"size must be at most the image's side, {min(images.shape[1:])}, got {size}")
    p = _patches(images, size)
    hessian = 2 * p.T @ p / len(p)
    largest = np.linalg.eigvalsh(hessian)[-1]
    return float(2 / largest) if largest > 0 else float("inf")


def learn_kernel(
    images,
    targets,
    size: int = 3,
    lr: float | None = None,
    steps: int = 2000,
    seed: int = 0,
    tol: float | None = None,
    hidden=None,
    record_every: int = 50,
) -> LearnedKernel:
    """Find the size×size kernel that maps `images` to `targets` (its activation maps), starting at random
    and taking plain gradient-descent steps computed by torch autograd.

    images (N, H, W), targets (N, H - size + 1, W - size + 1) (or one 2-D image and its map). lr defaults to
    0.9 of the largest stable rate (`stable_learning_rate`). With `hidden` and `tol`, stop once
    max |kernel - hidden| < tol. A loss that grows past 1e12 stops the run: the learning rate was too high.
    The same numbers as the loop notebook 03 writes: seed s starts where torch.manual_seed(s) then
    0.1 * torch.randn(1, 1, size, size, dtype=torch.float64) starts.
    """
    import torch

    from helpers.models import torch_threads

    size, steps = v.whole(size, "size", 1), v.whole(steps, "steps", 0)
    record_every = v.whole(record_every, "record_every", 1)
    seed = v.whole(seed, "seed", None)
    tol = None if tol is None else v.positive(tol, "tol")
    images = _batch(images, "images", "a batch of grey images (N, H, W)")
    targets = _batch(targets, "targets", "a batch of activation maps (N, Ho, Wo)")
    if len(targets) != len(images):
        raise ValueError(f"targets must hold one map per image: {len(images)} images, {len(targets)} targets")
    want = (images.shape[1] - size + 1, images.shape[2] - size + 1)
    if targets.shape[1:] != want:
        raise ValueError(f"targets must be the {size}x{size} kernel's maps, {want}, got {targets.shape[1:]}")
    if not images.any():
        raise ValueError("images are all zero: every kernel gives the same maps, so there is nothing to learn")
    if lr is None:
        lr = 0.9 * stable_learning_rate(images, size)
    lr = v.positive(lr, "lr")
    hidden_t = None
    if hidden is not None:
        hidden = v.numbers(hidden, "hidden", f"a {size}x{size} kernel").astype(float)
        if hidden.shape != (size, size):
            raise ValueError(f"hidden must be a {size}x{size} kernel, got shape {hidden.shape}")
        hidden_t = torch.as_tensor(hidden)
    with torch_threads(1):  # tiny tensors: one core is quickest, and more threads only wait for each other
        return _descend(images, targets, size, lr, steps, seed, tol, hidden_t, record_every)


def _descend(images, targets, size, lr, steps, seed, tol, hidden_t, record_every) -> LearnedKernel:
    import torch
    import torch.nn.functional as F

    x, y = torch.as_tensor(images)[:, None], torch.as_tensor(targets)[:, None]
    generator = torch.Generator().manual_seed(seed)
    w = (0.1 * torch.randn(1, 1, size, size, generator=generator, dtype=torch.float64)).requires_grad_()
    result = LearnedKernel(kernel=np.zeros((size, size)), losses=[], lr=float(lr))
    for step in range(steps):
        loss = torch.mean((F.conv2d(x, w) - y) ** 2)
        result.losses.append(float(loss.detach()))
        if step % record_every == 0:
            result.snapshots.append((step, w.detach()[0, 0].numpy().copy()))
        if not np.isfinite(result.losses[-1]) or result.losses[-1] > 1e12:
            break
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad  # the whole of plain gradient descent
            w.grad.zero_()
        result.steps = step + 1
        if tol is not None and hidden_t is not None and float((w.detach()[0, 0] - hidden_t).abs().max()) < tol:
            break
    result.kernel = w.detach()[0, 0].numpy().copy()
    result.snapshots.append((result.steps, result.kernel))
    return result
