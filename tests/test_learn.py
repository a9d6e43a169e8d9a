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
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        learn_kernel(digits, digits[:, 1:-1, 1:-1], lr=0, steps=1)


# --- notebook 03's lesson cell: the gradient-descent loop a student reads -----------------------------------------


def _lesson(digits, hidden):
    """Run notebook 03's `lesson-gd` cell on targets made by torch from a hidden kernel."""
    import torch
    import torch.nn.functional as F
    from lesson_code import lesson_namespace

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the notebook does, so both loops add up in the same order
    try:
        targets = F.conv2d(torch.from_numpy(digits)[:, None], torch.from_numpy(hidden)[None, None])[:, 0].numpy()
        return lesson_namespace("03_edge_filters", "lesson-gd", digits=digits, targets=targets, torch=torch), targets
    finally:
        torch.set_num_threads(threads)


def test_the_lesson_loop_recovers_sobel_x_and_equals_learn_kernel(digits):
    hidden = kernel("sobel x")
    ns, targets = _lesson(digits, hidden)
    learned = ns["w"].detach()[0, 0].numpy()
    assert np.abs(learned - hidden).max() < 1e-3  # the hidden kernel, known by hand
    assert ns["losses"][-1] < 1e-6 * ns["losses"][0]  # the loss went down
    assert len(ns["losses"]) == ns["steps"]
    fast = learn_kernel(digits, targets, lr=ns["lr"], steps=ns["steps"], seed=0)
    np.testing.assert_allclose(fast.kernel, learned, atol=1e-12)
    np.testing.assert_allclose(fast.losses, ns["losses"], rtol=1e-9)


def test_the_lesson_loop_finds_the_slides_kernel_too(digits):
    # The lecture's own "trainable parameter" kernel; a different start point and different targets.
    hidden = np.array([[3.0, 2, 1], [-1, -2, -3], [2, 1, -1]])
    ns, _ = _lesson(digits, hidden)
    assert np.abs(ns["w"].detach()[0, 0].numpy() - hidden).max() < 5e-3


def test_the_lesson_cell_is_short():
    from lesson_code import lesson_source

    body = [
        line
        for line in lesson_source("03_edge_filters", "lesson-gd").splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "import", "from"))
    ]
    assert len(body) <= 15, body


# --- issue 16: every input a student might pass -------------------------------------------------------------------


def test_one_image_and_its_map_count_as_a_batch_of_one(digits):
    targets = conv2d(digits[:, None], kernel("sobel y")[None, None])[:, 0]
    one = learn_kernel(digits[0], targets[0], steps=20, seed=2)
    batch = learn_kernel(digits[:1], targets[:1], steps=20, seed=2)
    np.testing.assert_array_equal(one.kernel, batch.kernel)
    assert stable_learning_rate(digits[0]) == pytest.approx(stable_learning_rate(digits[:1]))


@pytest.mark.parametrize(
    "convert",
    [
        lambda a: a.astype(np.float32),
        lambda a: np.asfortranarray(a),
        lambda a: np.repeat(a, 2, axis=2)[:, :, ::2],
    ],
)
def test_float32_fortran_and_strided_inputs_give_the_same_run(digits, convert):
    targets = conv2d(digits[:, None], kernel("sobel y")[None, None])[:, 0]
    expected = learn_kernel(digits.astype(np.float32).astype(float), targets, steps=30, seed=1)
    got = learn_kernel(convert(digits.astype(np.float32)), targets, steps=30, seed=1)
    np.testing.assert_array_equal(got.kernel, expected.kernel)


def test_integer_and_boolean_images_are_read_as_numbers(digits):
    ink = digits > 0.5
    targets = conv2d(ink[:, None].astype(float), kernel("laplacian")[None, None])[:, 0]
    as_bool = learn_kernel(ink, targets, steps=200, seed=0)
    as_int = learn_kernel(ink.astype(np.uint8), targets, steps=200, seed=0)
    np.testing.assert_array_equal(as_bool.kernel, as_int.kernel)
    assert as_bool.losses[-1] < 0.1 * as_bool.losses[0]
    assert stable_learning_rate(ink) == pytest.approx(stable_learning_rate(ink.astype(float)))


def test_no_steps_returns_the_starting_kernel(digits):
    import torch

    targets = digits[:, 1:-1, 1:-1]
    run = learn_kernel(digits, targets, steps=0, seed=5)
    start = 0.1 * torch.randn(1, 1, 3, 3, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    np.testing.assert_array_equal(run.kernel, start[0, 0].numpy())
    assert run.steps == 0 and run.losses == []


def test_all_zero_images_have_no_learning_rate_limit_and_nothing_to_learn():
    assert stable_learning_rate(np.zeros((2, 8, 8))) == float("inf")
    with pytest.raises(ValueError, match="images are all zero"):
        learn_kernel(np.zeros((2, 8, 8)), np.zeros((2, 6, 6)), steps=3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(images=np.zeros((0, 8, 8)), targets=np.zeros((0, 6, 6))), "images must hold at least one image"),
        (dict(images="digits"), "images must be a batch of grey images"),
        (dict(images=np.ones((2, 8, 8, 3))), "looks like colour"),
        (dict(images=np.ones((2, 1, 8, 8))), r"images must be a batch of grey images \(N, H, W\)"),
        (dict(images=np.ones(8)), "images must be a batch"),
        (dict(images=np.where(np.eye(8)[None] > 0, np.nan, 1.0).repeat(2, 0)), "images must hold finite numbers"),
        (dict(images=np.full((2, 8, 8), np.inf)), "images must hold finite numbers"),
        (dict(targets=np.full((2, 6, 6), np.nan)), "targets must hold finite numbers"),
        (dict(targets=np.ones((1, 6, 6))), "targets must hold one map per image: 2 images, 1 targets"),
        (dict(targets=np.ones((2, 8, 8))), "targets must be the 3x3 kernel's maps"),
        (dict(lr=0), "lr must be a finite number > 0"),
        (dict(lr=np.inf), "lr must be a finite number > 0"),
        (dict(lr=np.nan), "lr must be a finite number > 0"),
        (dict(lr="0.1"), "lr must be a finite number > 0"),
        (dict(steps=-1), "steps must be a whole number >= 0"),
        (dict(steps=2.5), "steps must be a whole number"),
        (dict(size=0), "size must be a whole number >= 1"),
        (dict(record_every=0), "record_every must be"),
        (dict(hidden=np.ones((2, 2)), tol=1e-3), "hidden must be a 3x3 kernel"),
    ],
)
def test_bad_inputs_name_the_argument(kwargs, match):
    args = dict(images=np.random.default_rng(0).random((2, 8, 8)), targets=np.zeros((2, 6, 6)), steps=2) | kwargs
    with pytest.raises(ValueError, match=match):
        learn_kernel(**args)


@pytest.mark.parametrize(
    "images, size, match",
    [
        (np.zeros((0, 8, 8)), 3, "at least one image"),
        (np.full((1, 8, 8), np.nan), 3, "finite numbers"),
        (np.ones((2, 8, 8, 3)), 3, "looks like colour"),
        (np.ones((2, 8, 8)), 0, "size must be a whole number >= 1"),
        (np.ones((2, 8, 8)), 9, "size must be at most the image's side, 8"),
        (np.ones((2, 8, 8)), 2.0, "size must be"),
    ],
)
def test_stable_learning_rate_bad_inputs(images, size, match):
    with pytest.raises(ValueError, match=match):
        stable_learning_rate(images, size)
