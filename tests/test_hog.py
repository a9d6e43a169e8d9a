"""helpers.hog against skimage.feature.hog, and its steps against values computed by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.feature import hog as sk_hog

from helpers.hog import gradients, hog, magnitude_orientation, orientation_bins

PARAMETER_SETS = [
    dict(orientations=9, pixels_per_cell=(7, 7), cells_per_block=(2, 2), block_norm="L2-Hys"),
    dict(orientations=9, pixels_per_cell=(4, 4), cells_per_block=(3, 3), block_norm="L2-Hys"),
    dict(orientations=6, pixels_per_cell=(5, 3), cells_per_block=(1, 2), block_norm="L1"),
    dict(orientations=12, pixels_per_cell=(6, 6), cells_per_block=(2, 1), block_norm="L2"),
    dict(orientations=4, pixels_per_cell=(3, 4), cells_per_block=(2, 2), block_norm="L1-sqrt"),
    dict(orientations=1, pixels_per_cell=(8, 8), cells_per_block=(1, 1), block_norm="L2-Hys"),
]


@st.composite
def image_and_parameters(draw):
    params = draw(st.sampled_from(PARAMETER_SETS))
    ch, cw = params["pixels_per_cell"]
    br, bc = params["cells_per_block"]
    H = draw(st.integers(ch * br, ch * br + 2 * ch + 3))
    W = draw(st.integers(cw * bc, cw * bc + 2 * cw + 3))
    kind = draw(st.sampled_from(["uint8", "float64", "float32", "sparse"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "uint8":
        image = rng.integers(0, 256, (H, W), dtype=np.uint8)
    elif kind == "sparse":  # mostly flat, like a digit on its background; ties on bin edges
        image = (rng.random((H, W)) < 0.2).astype(np.uint8) * rng.integers(1, 4, dtype=np.uint8)
    else:
        image = rng.random((H, W)).astype(kind)
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
        np.testing.assert_allclose(features[i], sk_hog(batch[i], pixels_per_cell=(7, 7), cells_per_block=(2, 2)),
                                   atol=1e-6)


def test_slide_gradient_by_hand():
    # The lecture's 5x5 grid; the highlighted pixel is the centre (2, 2).
    grid = np.array([[121, 10, 78, 96, 125], [48, 152, 68, 125, 111], [145, 78, 85, 89, 65],
                     [154, 214, 56, 200, 66], [214, 87, 45, 102, 45]], float)
    gy, gx = gradients(grid)
    assert gx[2, 2] == 89 - 78 == 11
    assert gy[2, 2] == 56 - 68 == -12  # below minus above; the slide's "68 - 56" is 12, not 8
    mag, ori = magnitude_orientation(gy[2, 2], gx[2, 2])
    assert mag == pytest.approx(np.sqrt(11**2 + 12**2))
    assert ori == pytest.approx(np.degrees(np.arctan2(-12, 11)) + 180)


def test_orientation_bins_edges():
    # 9 bins of 20 degrees: 0 -> bin 0, 19.99 -> 0, 20 -> 1, 179.9 -> 8
    assert orientation_bins(np.array([0.0, 19.99, 20.0, 90.0, 179.9]), 9).tolist() == [0, 0, 1, 4, 8]


@pytest.mark.parametrize("kwargs, shape, match", [
    ({"pixels_per_cell": (30, 30)}, (28, 28), "pixels_per_cell .* larger than the image"),
    ({"pixels_per_cell": (0, 7)}, (28, 28), "pixels_per_cell must be >= 1"),
    ({"orientations": 0}, (28, 28), "orientations must be a whole number >= 1"),
    ({"orientations": 2.5}, (28, 28), "orientations must be a whole number"),
    ({}, (2, 3, 28, 28), "images must be one grey image"),
    ({}, (28,), "images must be one grey image"),
    ({"cells_per_block": (5, 5)}, (28, 28), "cells_per_block .* more than the image's"),
    ({"block_norm": "L3"}, (28, 28), "block_norm must be one of"),
])
def test_bad_arguments_raise_value_error_naming_them(kwargs, shape, match):
    with pytest.raises(ValueError, match=match):
        hog(np.zeros(shape), **kwargs)
