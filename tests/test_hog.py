"""helpers.hog against skimage.feature.hog, the lesson's loop for one cell (notebook 01) against both, and every
awkward input (NaN, inf, empty batches, colour, odd dtypes and layouts, wrong ranks) against skimage or a ValueError."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lesson_code import lesson_namespace
from skimage.feature import hog as sk_hog

from helpers.hog import (
    cell_histograms,
    deskew,
    gradients,
    hog,
    hog_features,
    magnitude_orientation,
    orientation_bins,
    pixel_features,
)

PARAMETER_SETS = [
    dict(orientations=9, pixels_per_cell=(7, 7), cells_per_block=(2, 2), block_norm="L2-Hys"),
    dict(orientations=9, pixels_per_cell=(4, 4), cells_per_block=(3, 3), block_norm="L2-Hys"),
    dict(orientations=6, pixels_per_cell=(5, 3), cells_per_block=(1, 2), block_norm="L1"),
    dict(orientations=12, pixels_per_cell=(6, 6), cells_per_block=(2, 1), block_norm="L2"),
    dict(orientations=4, pixels_per_cell=(3, 4), cells_per_block=(2, 2), block_norm="L1-sqrt"),
    dict(orientations=1, pixels_per_cell=(8, 8), cells_per_block=(1, 1), block_norm="L2-Hys"),
]


def random_image(rng, kind, H, W):
    if kind == "uint8":
        return rng.integers(0, 256, (H, W), dtype=np.uint8)
    if kind == "sparse":  # mostly flat, like a digit on its background; ties on bin edges
        return (rng.random((H, W)) < 0.2).astype(np.uint8) * rng.integers(1, 4, dtype=np.uint8)
    return rng.random((H, W)).astype(kind)


@st.composite
def image_and_parameters(draw):
    params = draw(st.sampled_from(PARAMETER_SETS))
    ch, cw = params["pixels_per_cell"]
    br, bc = params["cells_per_block"]
    H = draw(st.integers(ch * br, ch * br + 2 * ch + 3))
    W = draw(st.integers(cw * bc, cw * bc + 2 * cw + 3))
    kind = draw(st.sampled_from(["uint8", "float64", "float32", "sparse"]))
    image = random_image(np.random.default_rng(draw(st.integers(0, 2**32 - 1))), kind, H, W)
    return image, params


@settings(max_examples=200)
@given(image_and_parameters())
def test_hog_equals_skimage(case):
    image, params = case
    expected = sk_hog(image, **params)
    ours = hog(image, **params)
    assert ours.shape == expected.shape and ours.dtype == expected.dtype
    np.testing.assert_allclose(ours, expected, atol=1e-6, rtol=0)


@settings(max_examples=30)
@given(st.integers(1, 5), st.sampled_from(PARAMETER_SETS), st.integers(0, 2**32 - 1))
def test_batch_equals_one_image_at_a_time(n, params, seed):
    rng = np.random.default_rng(seed)
    batch = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    features = hog(batch, **params)
    assert features.shape[0] == n
    for image, f in zip(batch, features):
        np.testing.assert_allclose(f, sk_hog(image, **params), atol=1e-6, rtol=0)


def test_a_large_batch_runs_in_chunks_and_agrees():
    rng = np.random.default_rng(0)
    batch = rng.integers(0, 256, (1500, 28, 28), dtype=np.uint8)  # more than one chunk
    features = hog(batch)
    for i in (0, 700, 1499):
        np.testing.assert_allclose(features[i], sk_hog(batch[i]), atol=1e-6)  # the defaults are skimage's
    np.testing.assert_array_equal(deskew(batch)[[0, 1499]], deskew(batch[[0, 1499]]))


def test_slide_gradient_by_hand():
    # The lecture's 5x5 grid; the highlighted pixel is the centre (2, 2).
    grid = np.array(
        [
            [121, 10, 78, 96, 125],
            [48, 152, 68, 125, 111],
            [145, 78, 85, 89, 65],
            [154, 214, 56, 200, 66],
            [214, 87, 45, 102, 45],
        ],
        float,
    )
    gx, gy = gradients(grid)
    assert gx[2, 2] == 89 - 78 == 11
    assert gy[2, 2] == 56 - 68 == -12  # below minus above; the slide's "68 - 56" is 12, not 8
    mag, ori = magnitude_orientation(gx[2, 2], gy[2, 2])
    assert mag == pytest.approx(np.sqrt(11**2 + 12**2))
    assert ori == pytest.approx(np.degrees(np.arctan2(-12, 11)) + 180)


def test_orientation_bins_edges():
    # 9 bins of 20 degrees: 0 -> bin 0, 19.99 -> 0, 20 -> 1, 179.9 -> 8
    assert orientation_bins(np.array([0.0, 19.99, 20.0, 90.0, 179.9]), 9).tolist() == [0, 0, 1, 4, 8]


# --- the lesson: one cell's histogram, written as a loop in notebook 01 (cell tagged lesson-hog-cell) ----------


@pytest.fixture(scope="module")
def cell_histogram():
    return lesson_namespace("01_hog_svm", "lesson-hog-cell", np=np)["cell_histogram"]


@st.composite
def patch_and_cell(draw):
    """A random image of 3 to 5 cells a side (plus a ragged edge) and one cell of it away from the border."""
    ch, cw = draw(st.integers(2, 8)), draw(st.integers(2, 8))
    nr, nc = draw(st.integers(3, 5)), draw(st.integers(3, 5))
    H, W = nr * ch + draw(st.integers(0, ch - 1)), nc * cw + draw(st.integers(0, cw - 1))
    kind = draw(st.sampled_from(["uint8", "float64", "sparse"]))
    image = random_image(np.random.default_rng(draw(st.integers(0, 2**32 - 1))), kind, H, W).astype(float)
    r, c = draw(st.integers(1, nr - 2)), draw(st.integers(1, nc - 2))
    return image, (ch, cw), (r, c)


@settings(max_examples=100)
@given(patch_and_cell())
def test_lesson_cell_histogram_equals_helpers_and_skimage(cell_histogram, case):
    image, (ch, cw), (r, c) = case
    gx, gy = gradients(image)
    magnitude, orientation = magnitude_orientation(gx, gy)
    window = np.s_[r * ch : (r + 1) * ch, c * cw : (c + 1) * cw]
    whole = cell_histogram(magnitude[window], orientation[window], split=False)
    split = cell_histogram(magnitude[window], orientation[window])
    fast = cell_histograms(gx[None], gy[None], 9, (ch, cw))[0, r, c]
    fast_split = cell_histograms(gx[None], gy[None], 9, (ch, cw), split_votes=True)[0, r, c]
    np.testing.assert_allclose(whole, fast, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(split, fast_split, rtol=1e-12, atol=1e-12)
    # scikit-image keeps its cell histograms inside; with 1x1 blocks and L1 norm it returns each one as h / (Σh + ε)
    sk = sk_hog(
        image, orientations=9, pixels_per_cell=(ch, cw), cells_per_block=(1, 1), block_norm="L1", feature_vector=False
    )[r, c, 0, 0]
    np.testing.assert_allclose(whole / (whole.sum() + 1e-5), sk, rtol=1e-5, atol=1e-7)
    assert split.sum() == pytest.approx(whole.sum())  # splitting moves votes, it adds none


@pytest.mark.parametrize(
    "angle, expected",
    [
        (30.0, {1: 1.0}),  # on bin 1's centre: all of it there
        (40.0, {1: 0.5, 2: 0.5}),  # halfway between 30° and 50°
        (35.0, {1: 0.75, 2: 0.25}),
        (5.0, {0: 0.75, 8: 0.25}),  # below 10°: shares with 170° (as -10°)
        (175.0, {8: 0.75, 0: 0.25}),  # past 170°: shares with 10° (as 190°)
        (0.0, {0: 0.5, 8: 0.5}),
    ],
)
def test_a_split_vote_by_hand(cell_histogram, angle, expected):
    want = np.zeros(9)
    for b, share in expected.items():
        want[b] = 2.0 * share
    got = cell_histogram(np.array([[2.0]]), np.array([[angle]]))
    np.testing.assert_allclose(got, want, atol=1e-12)
    # The helper reads gradients, not angles: one pixel whose gradient, of length 2, points at `angle`.
    gx, gy = 2 * np.cos(np.radians(angle)), 2 * np.sin(np.radians(angle))
    fast = cell_histograms(np.array([[[gx]]]), np.array([[[gy]]]), 9, (1, 1), split_votes=True)
    np.testing.assert_allclose(fast[0, 0, 0], want, atol=1e-9)


@settings(max_examples=100)
@given(st.floats(0, 180, exclude_max=True), st.floats(0.1, 100))
def test_a_split_vote_lands_on_the_two_centres_around_its_angle(angle, m):
    gx, gy = np.array([[[np.cos(np.radians(angle))]]]) * m, np.array([[[np.sin(np.radians(angle))]]]) * m
    hist = cell_histograms(gx, gy, 9, (1, 1), split_votes=True)[0, 0, 0]
    bins = np.flatnonzero(hist > 1e-9 * m)
    assert hist.sum() == pytest.approx(m)
    assert len(bins) <= 2 and (len(bins) == 1 or (bins[1] - bins[0]) in (1, 8))
    # the centres, weighted by the shares, average back to the angle (unwrapped around 0° / 180°)
    centres = np.arange(9) * 20.0 + 10
    a = angle % 180
    nearest = [centres[b] + 180 * np.round((a - centres[b]) / 180) for b in range(9)]
    assert np.dot(hist, nearest) / m == pytest.approx(a, abs=1e-6)


@settings(max_examples=40)
@given(image_and_parameters())
def test_split_votes_move_mass_between_bins_only(case):
    image, params = case
    gx, gy = gradients(image.astype(float))
    whole = cell_histograms(gx[None], gy[None], params["orientations"], params["pixels_per_cell"])
    split = cell_histograms(gx[None], gy[None], params["orientations"], params["pixels_per_cell"], split_votes=True)
    np.testing.assert_allclose(split.sum(axis=-1), whole.sum(axis=-1), rtol=1e-9, atol=1e-9)
    assert hog(image, **params, split_votes=True).shape == hog(image, **params).shape


# --- awkward inputs: the right answer (skimage's), or a ValueError that names the argument -----------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf - inf and inf / inf, in skimage and in numpy
@settings(max_examples=60)
@given(image_and_parameters(), st.sampled_from([np.nan, np.inf, -np.inf]), st.integers(0, 10**6))
def test_nan_and_inf_pixels_give_what_skimage_gives(case, bad, where):
    image, params = case
    image = image.astype(float)
    image.flat[where % image.size] = bad
    np.testing.assert_allclose(hog(image, **params), sk_hog(image, **params), atol=1e-6, rtol=0, equal_nan=True)


def test_a_nan_pixel_gives_nan_in_its_blocks_without_a_warning():
    image = np.random.default_rng(0).random((28, 28))
    image[10, 10] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        features = hog(image, pixels_per_cell=(7, 7), cells_per_block=(2, 2)).reshape(3, 3, 36)
    # the NaN's neighbours are in cell (1, 1): the four blocks that hold that cell are NaN, the rest are numbers
    assert np.isnan(features[:2, :2]).all() and np.isfinite(features[2]).all() and np.isfinite(features[:, 2]).all()


@pytest.mark.parametrize("shape", [(0, 28, 28), (0, 9, 13)])
def test_an_empty_batch_gives_no_rows(shape):
    features = hog(np.zeros(shape, np.uint8), pixels_per_cell=(4, 4), cells_per_block=(2, 2))
    one = sk_hog(np.zeros(shape[1:]), pixels_per_cell=(4, 4), cells_per_block=(2, 2))
    assert features.shape == (0, one.size) and features.dtype == one.dtype
    assert deskew(np.zeros(shape)).shape == shape
    assert hog_features(np.zeros(shape)).shape[0] == 0
    assert pixel_features(np.zeros(shape)).shape == (0, shape[1] * shape[2])


@pytest.mark.parametrize("shape", [(28, 28, 3), (64, 48, 4), (2, 28, 28, 3)])
@pytest.mark.parametrize("fn", [hog, deskew, hog_features, pixel_features])
def test_colour_images_are_refused_with_a_word_about_colour(fn, shape):
    with pytest.raises(ValueError, match=r"images .*colour \(RGB\).*rgb2gray"):
        fn(np.zeros(shape, np.uint8))


@pytest.mark.parametrize(
    "dtype", [bool, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.int64, np.float16, np.float32, np.float64]
)
def test_every_real_dtype_gives_what_skimage_gives(dtype):
    rng = np.random.default_rng(1)
    image = (rng.random((28, 28)) > 0.6) if dtype is bool else rng.integers(0, 100, (28, 28)).astype(dtype)
    expected = sk_hog(image)
    ours = hog(image)
    assert ours.dtype == expected.dtype
    np.testing.assert_allclose(ours, expected, atol=1e-6 if dtype not in (np.float16, np.float32) else 1e-5)


@pytest.mark.parametrize(
    "view",
    [lambda a: a[::2, ::2], lambda a: a[:28, :28].T, lambda a: a[3:31, 5:33], lambda a: np.asfortranarray(a[:28, :28])],
)
def test_non_contiguous_images_give_what_skimage_gives(view):
    big = np.random.default_rng(2).integers(0, 256, (56, 56)).astype(float)
    image = view(big)
    np.testing.assert_allclose(hog(image), sk_hog(np.ascontiguousarray(image)), atol=1e-6)
    batch = np.stack([big[:28, :28], big[28:, 28:]]).transpose(0, 2, 1)  # a non-contiguous batch
    np.testing.assert_allclose(hog(batch)[1], hog(np.ascontiguousarray(batch[1])), atol=0)


@pytest.mark.parametrize(
    "images, match",
    [
        (np.zeros((28, 28), complex), "images must be an array of real numbers"),
        (np.full((28, 28), "a"), "images must be an array of real numbers"),
        ([[1, 2], [3]], "images must be an array of real numbers"),
    ],
)
def test_things_that_are_not_real_numbers_are_refused(images, match):
    with pytest.raises(ValueError, match=match):
        hog(images)


def test_deskew_refuses_nan_and_inf_naming_the_image():
    batch = np.zeros((3, 28, 28))
    batch[1, 5, 5] = np.nan
    with pytest.raises(ValueError, match="images must be finite.*image 1"):
        deskew(batch)
    with pytest.raises(ValueError, match="images must be finite"):
        deskew(np.full((28, 28), np.inf))


def test_pixel_features_of_one_image_is_one_vector():
    image = np.arange(784).reshape(28, 28) % 256
    np.testing.assert_allclose(pixel_features(image), image.ravel() / 255, rtol=1e-6)
    assert pixel_features(image[None]).shape == (1, 784)


@pytest.mark.parametrize(
    "kwargs, shape, match",
    [
        ({"pixels_per_cell": (30, 30)}, (28, 28), "pixels_per_cell .* larger than the image"),
        ({"pixels_per_cell": (0, 7)}, (28, 28), "pixels_per_cell must be >= 1"),
        ({"pixels_per_cell": (7.0, 7)}, (28, 28), "pixels_per_cell must be an int or a pair of ints"),
        ({"orientations": 0}, (28, 28), "orientations must be a whole number >= 1"),
        ({"orientations": 2.5}, (28, 28), "orientations must be a whole number"),
        ({"orientations": True}, (28, 28), "orientations must be a whole number"),
        ({}, (2, 3, 28, 28), "images must be one grey image"),
        ({}, (28,), "images must be one grey image"),
        ({}, (), "images must be one grey image"),
        ({"cells_per_block": (5, 5)}, (28, 28), "cells_per_block .* more than the image's"),
        ({"block_norm": "L3"}, (28, 28), "block_norm must be one of"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, shape, match):
    with pytest.raises(ValueError, match=match):
        hog(np.zeros(shape), **kwargs)


@pytest.mark.parametrize("shape", [(28,), (2, 3, 28, 28), ()])
def test_deskew_wrong_rank_raises(shape):
    with pytest.raises(ValueError, match="images must be one grey image"):
        deskew(np.zeros(shape))


# --- deskew against what a shear is: a slanted bar comes back upright ---------------------------------------------


def slanted_bar(skew, H=28, W=28, width=3.0, top=4, bottom=24):
    """A bar `width` pixels wide over rows top..bottom-1, its left edge at 12.5 + skew·(r − 14) in row r: each
    pixel holds the length of the bar inside it (exact anti-aliasing), so every row carries the same ink and the
    bar's centre moves by exactly `skew` pixels a row."""
    image = np.zeros((H, W))
    c = np.arange(W)
    for r in range(top, bottom):
        a = 12.5 + skew * (r - 14)
        image[r] = np.clip(np.minimum(c + 1, a + width) - np.maximum(c, a), 0, None)
    return image


def second_moments(image):
    """(mu11, mu02) about the centre of mass: mu11 = Σ I·(r − r̄)(c − c̄), mu02 = Σ I·(r − r̄)²."""
    r, c = np.indices(image.shape)
    m = image.sum()
    dr, dc = r - (image * r).sum() / m, c - (image * c).sum() / m
    return (image * dr * dc).sum(), (image * dr**2).sum()


@settings(max_examples=40)
@given(st.floats(-0.4, 0.4))
def test_deskew_straightens_a_bar_sheared_by_a_known_amount(skew):
    bar = slanted_bar(skew)
    mu11, mu02 = second_moments(bar)
    assert mu11 / mu02 == pytest.approx(skew, abs=1e-9)  # the oracle: the slant we drew
    mu11, mu02 = second_moments(deskew(bar).astype(np.float64))
    assert abs(mu11 / mu02) < 0.01, mu11 / mu02  # upright afterwards
    assert deskew(bar).sum() == pytest.approx(bar.sum(), rel=1e-4)  # a shear moves ink, it adds none


def test_deskew_leaves_an_upright_bar_alone():
    bar = slanted_bar(0.0)
    np.testing.assert_allclose(deskew(bar), bar, atol=1e-6)


# --- the defaults are scikit-image's, read from its own signature -------------------------------------------------


def test_hog_defaults_are_scikit_images():
    import inspect

    theirs = inspect.signature(sk_hog).parameters
    for fn in (hog, cell_histograms):
        ours = inspect.signature(fn).parameters
        for name in ("orientations", "pixels_per_cell", "cells_per_block", "block_norm"):
            if name in ours:
                assert ours[name].default == theirs[name].default, (fn.__name__, name)
    from helpers.hog import normalize_blocks

    ours = inspect.signature(normalize_blocks).parameters
    assert ours["cells_per_block"].default == theirs["cells_per_block"].default
    assert ours["block_norm"].default == theirs["block_norm"].default
    image = np.random.default_rng(5).integers(0, 256, (40, 48)).astype(np.uint8)
    np.testing.assert_allclose(hog(image), sk_hog(image), atol=1e-6)  # and so the call without arguments agrees
