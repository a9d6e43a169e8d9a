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
    with pytest.raises(ValueError, match="sigma must be a finite number > 0"):
        gaussian_kernel(5, 0)
    with pytest.raises(ValueError, match="size must be"):
        gaussian_kernel(0)


@settings(max_examples=60)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_two_convolutions_equal_one_combined_kernel(h1, w1, h2, w2, seed):
    # Any 2-D shapes, square or not: torch's two convolutions in a row, and scipy's full convolution of the kernels.
    from scipy.signal import convolve2d

    rng = np.random.default_rng(seed)
    k1, k2, x = rng.standard_normal((h1, w1)), rng.standard_normal((h2, w2)), rng.standard_normal((12, 12))
    t = lambda a: torch.from_numpy(a)[None, None]
    twice = F.conv2d(F.conv2d(t(x), t(k1)), t(k2))[0, 0].numpy()
    combined = combined_kernel(k1, k2)
    assert combined.shape == (h1 + h2 - 1, w1 + w2 - 1)
    np.testing.assert_allclose(combined, convolve2d(k1, k2), atol=1e-12)
    np.testing.assert_allclose(conv2d(x, combined), twice, atol=1e-9)


def test_combined_kernel_of_a_column_and_a_square_keeps_both():
    # The case: a 3x1 column then a 3x3 square read a 5x3 region, every weight of both counted.
    combined = combined_kernel(np.ones((3, 1)), np.ones((3, 3)))
    np.testing.assert_array_equal(combined, [[1, 1, 1], [2, 2, 2], [3, 3, 3], [2, 2, 2], [1, 1, 1]])
    assert combined_kernel(np.ones((1, 3)), np.ones((3, 1))).shape == (3, 3)


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


# --- issue 16: every input a student might pass -------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.ones(3), "k1 must be a non-empty 2-D kernel"),
        (np.ones((1, 3, 3)), "k1 must be a non-empty 2-D kernel"),
        (np.ones((0, 3)), "k1 must be a non-empty 2-D kernel"),
        ([[np.nan, 0], [0, 1]], "k1 must hold finite numbers"),
        ([[np.inf]], "k1 must hold finite numbers"),
        ("abc", "k1 must be a 2-D kernel"),
        ([[1], [1, 2]], "k1 must be"),
    ],
)
def test_combined_kernel_rejects_what_is_not_a_kernel(bad, match):
    with pytest.raises(ValueError, match=match):
        combined_kernel(bad, np.ones((3, 3)))
    with pytest.raises(ValueError, match=match.replace("k1", "k2")):
        combined_kernel(np.ones((3, 3)), bad)


def test_combined_kernel_takes_ints_bools_and_strided_views():
    by_hand = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_array_equal(combined_kernel(np.ones((2, 2), int), np.ones((2, 2), bool)), by_hand)
    strided = np.ones((2, 4))[:, ::2]
    assert not strided.flags.c_contiguous
    np.testing.assert_array_equal(combined_kernel(strided, np.ones((2, 2))), by_hand)


def test_gaussian_kernel_rejects_bools_strings_and_infinite_sigma():
    for size in (True, 5.0, "5", -1):
        with pytest.raises(ValueError, match="size must be a whole number"):
            gaussian_kernel(size)
    for sigma in (np.inf, np.nan, "1", True, -1.0):
        with pytest.raises(ValueError, match="sigma must be a finite number > 0"):
            gaussian_kernel(5, sigma)
    np.testing.assert_allclose(gaussian_kernel(np.int64(3), np.float32(1)), gaussian_kernel(3, 1.0))


def test_relu_keeps_dtype_and_nan_as_torch_does():
    x = np.array([np.nan, -1.0, 0.0, 2.0])
    np.testing.assert_array_equal(relu(x), torch.relu(torch.from_numpy(x)).numpy())
    assert relu(np.array([3, 250], np.uint8)).dtype == np.uint8
    np.testing.assert_array_equal(relu(np.array([True, False])), [True, False])
    assert relu(np.zeros((0, 3))).shape == (0, 3)
    np.testing.assert_array_equal(relu(np.arange(-3, 3).reshape(2, 3).T), [[0, 0], [0, 1], [0, 2]])  # strided
    for bad in ("abc", [[1], [1, 2]], {"a": 1}):
        with pytest.raises(ValueError, match="x must be a number or an array of real numbers"):
            relu(bad)


def test_sobel_magnitude_nan_and_inf_pixels_spread_as_in_torch():
    image = np.random.default_rng(1).random((8, 8))
    for value in (np.nan, np.inf):
        bad = image.copy()
        bad[3, 3] = value
        t = torch.from_numpy(np.pad(bad, 1))[None, None]
        gx = F.conv2d(t, torch.from_numpy(kernel("sobel x"))[None, None])[0, 0].numpy()
        gy = F.conv2d(t, torch.from_numpy(kernel("sobel y"))[None, None])[0, 0].numpy()
        with np.errstate(invalid="ignore", over="ignore"):
            expected = np.hypot(gx, gy)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no RuntimeWarning reaches the student
            got = sobel_magnitude(bad)
        np.testing.assert_allclose(got, expected, rtol=1e-12)  # NaN where torch has NaN, inf where inf
        assert not np.isfinite(got[2:5, 2:5]).any() and np.isfinite(np.delete(got, [2, 3, 4], 0)).all()


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, bool, np.float32])
def test_sobel_magnitude_of_ints_bools_and_strided_images_equals_skimage(dtype):
    image = (np.random.default_rng(2).random((10, 20)) * 255).astype(dtype)[:, ::2]  # a strided view
    assert not image.flags.c_contiguous
    np.testing.assert_allclose(
        sobel_magnitude(image) / (4 * np.sqrt(2)), sobel(image.astype(float), mode="constant"), atol=1e-9
    )


@pytest.mark.parametrize(
    "image, match",
    [
        (np.zeros((8, 8, 3)), "looks like colour"),
        (np.zeros((8, 8, 4)), "looks like colour"),
        (np.zeros(8), "image must be 2-D"),
        (np.zeros((2, 8, 8)), "image must be 2-D"),
        (np.zeros((0, 0)), "at least 3×3"),
        (np.zeros((0, 5)), "at least 3×3"),
        (np.array([["a"]]), "image must be"),
    ],
)
def test_sobel_magnitude_rejects_colour_empty_and_wrong_rank(image, match):
    with pytest.raises(ValueError, match=match):
        sobel_magnitude(image)
    with pytest.raises(ValueError, match="at least 3×3 once padded by 0"):
        sobel_magnitude(np.zeros((2, 9)), padding=0)
    assert sobel_magnitude(np.ones((1, 1))).shape == (1, 1)  # padded to 3x3: one output


def test_mean_response_edge_cases():
    rng = np.random.default_rng(3)
    batch = rng.random((3, 8, 8)) * 255
    k = kernel("sobel x")
    assert mean_response(np.zeros((0, 8, 8)), k).shape == (0,)
    with_nan = batch.copy()
    with_nan[1, 4, 4] = np.nan
    scores = mean_response(with_nan, k)
    assert np.isnan(scores[1]) and np.allclose(scores[[0, 2]], mean_response(batch, k)[[0, 2]])
    assert mean_response(np.zeros((1, 8, 8)), k)[0] == 0  # no ink: scores 0, no division by zero
    np.testing.assert_allclose(mean_response(batch.astype(np.uint8), k), mean_response(batch.astype(np.uint8) * 1.0, k))
    ink = batch > 128
    np.testing.assert_allclose(mean_response(ink, k), mean_response(ink * 255.0, k))  # True counts as full ink
    strided = np.repeat(batch, 2, axis=2)[:, :, ::2]
    np.testing.assert_allclose(mean_response(strided, k), mean_response(batch, k))
    for images, match in [
        (batch[0], "images must be a batch"),
        (batch[None], "images must be a batch"),
        (rng.random((3, 8, 8, 3)), "looks like colour"),
        (rng.random((8, 8, 3)), "looks like colour"),
    ]:
        with pytest.raises(ValueError, match=match):
            mean_response(images, k)
    for bad_k, match in [
        (np.ones(3), "k must be a non-empty 2-D kernel"),
        (np.ones((1, 3, 3)), "k must be a non-empty"),
        (np.full((3, 3), np.nan), "k must hold finite numbers"),
        ("sobel", "k must be a 2-D kernel"),
    ]:
        with pytest.raises(ValueError, match=match):
            mean_response(batch, bad_k)
