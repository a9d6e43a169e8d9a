"""helpers.train: a hidden kernel recovered by gradient descent; the stability limit; the CNN loop."""

import numpy as np
import pytest

from helpers.conv import conv2d
from helpers.data import load_mnist
from helpers.filters import kernel
from helpers.train import learn_kernel, stable_learning_rate


@pytest.fixture(scope="module")
def digits():
    return load_mnist("train")[0][:16] / 255.0


@pytest.mark.parametrize("name", ["sobel x", "laplacian", "diagonal /"])
def test_hidden_kernel_is_recovered_within_1e_3(digits, name):
    hidden = kernel(name)
    targets = conv2d(digits[:, None], hidden[None, None])[:, 0]
    run = learn_kernel(digits, targets, hidden=hidden, tol=1e-3, steps=5000, seed=0)
    assert np.abs(run.kernel - hidden).max() < 1e-3
    assert run.steps < 5000
    assert run.losses[-1] < run.losses[0] * 1e-4


def test_seeded_runs_are_identical(digits):
    targets = conv2d(digits[:, None], kernel("sobel y")[None, None])[:, 0]
    a = learn_kernel(digits, targets, steps=50, seed=3)
    b = learn_kernel(digits, targets, steps=50, seed=3)
    np.testing.assert_array_equal(a.kernel, b.kernel)


def test_stable_learning_rate_is_two_over_the_largest_curvature(digits):
    # By hand: the loss mean((P w - y)^2) has Hessian 2 P^T P / M; its largest eigenvalue bounds the step.
    from numpy.lib.stride_tricks import sliding_window_view

    p = sliding_window_view(digits, (3, 3), axis=(1, 2)).reshape(-1, 9)
    lam = np.linalg.eigvalsh(2 * p.T @ p / len(p))[-1]
    assert stable_learning_rate(digits) == pytest.approx(2 / lam)
    targets = conv2d(digits[:, None], kernel("sobel x")[None, None])[:, 0]
    below = learn_kernel(digits, targets, lr=0.95 * 2 / lam, steps=300)
    above = learn_kernel(digits, targets, lr=1.05 * 2 / lam, steps=300)
    assert below.losses[-1] < below.losses[0]
    assert above.losses[-1] > 1e6 * above.losses[0]


def test_bad_arguments(digits):
    with pytest.raises(ValueError, match="targets must be the 3x3 kernel's maps"):
        learn_kernel(digits, digits, steps=1)
    with pytest.raises(ValueError, match="lr must be > 0"):
        learn_kernel(digits, digits[:, 1:-1, 1:-1], lr=0, steps=1)


def test_cached_fit_trains_once_then_loads_the_same_weights(tmp_path, monkeypatch):
    import torch

    from helpers import train
    from helpers.models import lecture_cnn

    monkeypatch.setattr(train, "CACHE_DIR", tmp_path)
    images, labels = load_mnist("train")
    x, y = train.to_tensors(images[:512], labels[:512])
    build = lambda: lecture_cnn((4,))  # noqa: E731
    first, h1 = train.cached_fit("tiny", build, x, y, progress=False, epochs=1, batch_size=64, lr=1e-2)
    second, h2 = train.cached_fit("tiny", build, x, y, progress=False, epochs=1, batch_size=64, lr=1e-2)
    assert not h1.from_cache and h2.from_cache and h2.losses == h1.losses
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
    assert len(list(tmp_path.glob("tiny-*.pt"))) == 1
    train.cached_fit("tiny", build, x, y, progress=False, epochs=1, batch_size=32, lr=1e-2)  # another recipe
    assert len(list(tmp_path.glob("tiny-*.pt"))) == 2


def test_random_shift_moves_each_image_by_at_most_the_limit():
    import torch

    from helpers.train import random_shift

    x = torch.full((50, 1, 8, 8), -1.0)
    x[:, 0, 4, 4] = 5.0  # one bright pixel per image
    out = random_shift(x, 2, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    rows, cols = torch.nonzero(out[:, 0] == 5.0, as_tuple=True)[1:]
    assert len(rows) == 50 and rows.sub(4).abs().max() <= 2 and cols.sub(4).abs().max() <= 2
    assert len({(int(r), int(c)) for r, c in zip(rows, cols)}) > 5  # the shifts differ between images
