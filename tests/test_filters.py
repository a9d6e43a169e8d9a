"""helpers.filters against scikit-image, scipy and torch, and the kernels' meaning on synthetic images."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.ndimage import gaussian_filter
from skimage.filters import sobel

from helpers.conv import conv2d
from helpers.filters import NAMES, combined_kernel, gaussian_kernel, kernel, mean_response, relu, sobel_magnitude


@settings(max_examples=60)
@given(st.integers(3, 20), st.integers(3, 20), st.integers(0, 2**32 - 1))
def test_sobel_magnitude_equals_skimage_with_zero_padding_everywhere(H, W, seed):
    image = np.random.default_rng(seed).random((H, W))
    np.testing.assert_allclose(sobel_magnitude(image) / (4 * np.sqrt(2)), sobel(image, mode="constant"), atol=1e-12)


def test_sobel_magnitude_equals_skimage_default_inside_differs_on_the_border():
    from skimage import data

    image = data.camera()[::4, ::4]  # uint8: skimage scales to 0..1 first
    ours = sobel_magnitude(image) / (4 * np.sqrt(2) * 255)
    theirs = sobel(image)  # mode="reflect"
    np.testing.assert_allclose(ours[1:-1, 1:-1], theirs[1:-1, 1:-1], atol=1e-12)
    assert not np.allclose(ours[0], theirs[0])  # zeros outside vs a mirrored image


def test_x_kernels_respond_to_vertical_edges_y_kernels_to_horizontal():
    vertical_edge = np.zeros((9, 9))
    vertical_edge[:, 5:] = 1  # dark left half, bright right half: a vertical edge
    horizontal_edge = vertical_edge.T
    for name in ("sobel x", "prewitt x"):
        assert np.abs(conv2d(vertical_edge, kernel(name))).max() > 0
        assert np.abs(conv2d(horizontal_edge, kernel(name))).max() == 0
    for name in ("sobel y", "prewitt y"):
        assert np.abs(conv2d(horizontal_edge, kernel(name))).max() > 0
        assert np.abs(conv2d(vertical_edge, kernel(name))).max() == 0


def test_line_kernels_respond_most_to_their_own_line():
    vertical_line = np.zeros((9, 9))
    vertical_line[:, 4] = 1
    horizontal_line = vertical_line.T
    diagonal = np.fliplr(np.eye(9))  # a "/" line
    assert conv2d(vertical_line, kernel("vertical line")).max() == 6
    assert conv2d(horizontal_line, kernel("vertical line")).max() <= 0
    assert conv2d(horizontal_line, kernel("horizontal line")).max() == 6
    assert conv2d(diagonal, kernel("diagonal /")).max() == 6
    assert conv2d(diagonal, kernel("diagonal \\")).max() < 6


def test_every_named_kernel_is_3x3_and_a_copy():
    for name in NAMES:
        k = kernel(name)
        assert k.shape == (3, 3)
        k[:] = 99
        assert kernel(name).max() < 99
    assert kernel("box blur").sum() == pytest.approx(1) and kernel("gaussian blur").sum() == pytest.approx(1)
    with pytest.raises(ValueError, match="name must be one of"):
        kernel("sobel z")


def test_gaussian_kernel_matches_scipy_on_an_impulse():
    impulse = np.zeros((9, 9))
    impulse[4, 4] = 1
    expected = gaussian_filter(impulse, sigma=1.0, truncate=2.0)[2:7, 2:7]  # radius 2: a 5x5 kernel
    np.testing.assert_allclose(gaussian_kernel(5, 1.0), expected / expected.sum(), atol=1e-12)
    with pytest.raises(ValueError, match="sigma must be > 0"):
        gaussian_kernel(5, 0)
    with pytest.raises(ValueError, match="size must be"):
        gaussian_kernel(0)


@settings(max_examples=40)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_two_convolutions_equal_one_combined_kernel(n1, n2, seed):
    rng = np.random.default_rng(seed)
    k1, k2, x = rng.standard_normal((n1, n1)), rng.standard_normal((n2, n2)), rng.standard_normal((12, 12))
    t = lambda a: torch.from_numpy(a)[None, None]  # noqa: E731
    twice = F.conv2d(F.conv2d(t(x), t(k1)), t(k2))[0, 0].numpy()
    once = conv2d(x, combined_kernel(k1, k2))
    assert combined_kernel(k1, k2).shape == (n1 + n2 - 1,) * 2
    np.testing.assert_allclose(once, twice, atol=1e-9)


def test_relu_and_mean_response_by_hand():
    np.testing.assert_array_equal(relu([-2, 0, 3]), [0, 0, 3])
    img = np.zeros((1, 5, 5))
    img[0, :, 2] = 255  # a vertical line, mean brightness 255 / 5
    k = kernel("vertical line")
    maps = relu(conv2d(img[0] / 255, k, padding=1))
    assert mean_response(img, k, per_ink=False)[0] == pytest.approx(maps.mean())
    assert mean_response(img, k)[0] == pytest.approx(maps.mean() / (1 / 5))
    with pytest.raises(ValueError, match="images must be a batch"):
        mean_response(img[0], k)
