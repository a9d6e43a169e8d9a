"""One kernel learned by plain gradient descent (notebook 03): the fast, checked version of the loop 03 writes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class LearnedKernel:
    kernel: np.ndarray                 # the kernel after the last step
    losses: list[float]                # mean squared error before each step
    snapshots: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (step, kernel) every few steps
    steps: int = 0                     # steps taken
    lr: float = 0.0                    # the learning rate used


def _patches(images: np.ndarray, size: int) -> np.ndarray:
    from numpy.lib.stride_tricks import sliding_window_view

    return sliding_window_view(images, (size, size), axis=(-2, -1)).reshape(-1, size * size)


def stable_learning_rate(images, size: int = 3) -> float:
    """The largest learning rate for which plain gradient descent on the mean squared error of a
    size×size kernel converges on these images: 2 / λmax of the loss's (constant) Hessian.

    The loss mean((x * w - y)²) is a quadratic in w whose Hessian is 2·PᵀP / M, with P the M
    image patches as rows; a step larger than 2/λmax makes the error along that direction grow.
    """
    p = _patches(np.asarray(images, float), size)
    hessian = 2 * p.T @ p / len(p)
    return float(2 / np.linalg.eigvalsh(hessian)[-1])


def learn_kernel(images, targets, size: int = 3, lr: float | None = None, steps: int = 2000, seed: int = 0,
                 tol: float | None = None, hidden=None, record_every: int = 50) -> LearnedKernel:
    """Find the size×size kernel that maps `images` to `targets` (its activation maps), starting at random
    and taking plain gradient-descent steps computed by torch autograd.

    images (N, H, W), targets (N, H - size + 1, W - size + 1). lr defaults to 0.9 of the largest
    stable rate (`stable_learning_rate`). With `hidden` and `tol`, stop once max |kernel - hidden| < tol.
    A loss that grows past 1e12 stops the run: the learning rate was too high.
    """
    import torch
    import torch.nn.functional as F

    x = torch.as_tensor(np.asarray(images, float))[:, None]
    y = torch.as_tensor(np.asarray(targets, float))[:, None]
    if x.ndim != 4 or y.shape[0] != x.shape[0]:
        raise ValueError(f"images must be (N, H, W) and targets (N, Ho, Wo), got {tuple(x.shape[1:])} "
                         f"and {tuple(y.shape[1:])}")
    if y.shape[-2:] != (x.shape[-2] - size + 1, x.shape[-1] - size + 1):
        raise ValueError(f"targets must be the {size}x{size} kernel's maps, "
                         f"{(x.shape[-2] - size + 1, x.shape[-1] - size + 1)}, got {tuple(y.shape[-2:])}")
    if lr is None:
        lr = 0.9 * stable_learning_rate(images, size)
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")
    generator = torch.Generator().manual_seed(seed)
    w = (0.1 * torch.randn(1, 1, size, size, generator=generator, dtype=torch.float64)).requires_grad_()
    hidden_t = None if hidden is None else torch.as_tensor(np.asarray(hidden, float))
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
            w -= lr * w.grad          # the whole of plain gradient descent
            w.grad.zero_()
        result.steps = step + 1
        if tol is not None and hidden_t is not None and float((w.detach()[0, 0] - hidden_t).abs().max()) < tol:
            break
    result.kernel = w.detach()[0, 0].numpy().copy()
    result.snapshots.append((result.steps, result.kernel))
    return result
