"""helpers.learn: a hidden kernel recovered by gradient descent; the stability limit."""

import numpy as np
import pytest

from helpers.conv import conv2d
from helpers.data import load_mnist
from helpers.filters import kernel
from helpers.learn import learn_kernel, stable_learning_rate


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
