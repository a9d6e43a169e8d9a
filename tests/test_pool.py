"""helpers.pool against torch.nn.functional.max_pool2d / avg_pool2d."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.pool import agreement, avg_pool2d, max_pool2d, shift, similarity


@st.composite
def pool_case(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    H = draw(st.integers(max(1, kh - 2 * ph), 11))
    W = draw(st.integers(max(1, kw - 2 * pw), 11))
    four_d = draw(st.booleans())
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), H, W) if four_d else (H, W)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal(shape)
    if draw(st.booleans()):  # ties and negative plateaus, where padding must not win
        x = -np.abs(np.round(x))
    stride = draw(st.sampled_from([None, (sh, sw)]))
    return x, (kh, kw), stride, (ph, pw)


def torch_pool(fn, x, k, s, p):
    t = torch.from_numpy(x)
    t = t[None, None] if x.ndim == 2 else t
    out = fn(t, k, s, p).numpy()
    return out[0, 0] if x.ndim == 2 else out


@pytest.mark.parametrize("ours, theirs", [(max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)],
                         ids=["max", "average"])
@settings(max_examples=320)
@given(case=pool_case())
def test_pooling_equals_torch(ours, theirs, case):
    x, k, s, p = case
    expected = torch_pool(theirs, x, k, s, p)
    got = ours(x, k, s, p)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0)


def test_two_by_two_max_pool_by_hand():
    x = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 0, 7, 1], [2, 1, 3, 3]])
    np.testing.assert_array_equal(max_pool2d(x, 2), [[4, 5], [2, 7]])
    np.testing.assert_array_equal(avg_pool2d(x, 2), [[2.5, 2], [0.75, 3.5]])


@pytest.mark.parametrize("fn", [max_pool2d, avg_pool2d])
@pytest.mark.parametrize("args, shape, match", [
    ((0,), (4, 4), "kernel_size must be >= 1"),
    ((2, 0), (4, 4), "stride must be >= 1"),
    ((2, 2, -1), (4, 4), "padding must be >= 0"),
    ((2, 2, 2), (4, 4), "padding must be at most half of kernel_size"),
    ((5,), (4, 4), "kernel_size: .* larger than the padded input"),
    ((2,), (2, 4, 4), "x must be 2-D"),
])
def test_bad_arguments_raise_value_error_naming_them(fn, args, shape, match):
    with pytest.raises(ValueError, match=match):
        fn(np.zeros(shape), *args)


def test_shift_by_hand():
    x = np.arange(9).reshape(3, 3)
    np.testing.assert_array_equal(shift(x, 0, 1), [[0, 0, 1], [0, 3, 4], [0, 6, 7]])
    np.testing.assert_array_equal(shift(x, -1, 0), [[3, 4, 5], [6, 7, 8], [0, 0, 0]])
    np.testing.assert_array_equal(shift(x[None], 1, -1)[0], [[0, 0, 0], [1, 2, 0], [4, 5, 0]])
    with pytest.raises(ValueError, match="must be smaller than the image"):
        shift(x, 3, 0)


def test_agreement_by_hand():
    a = np.array([[0, 1, 2], [0, 0, 3]])
    b = np.array([[0, 1, 0], [5, 0, 3]])
    # active positions: (0,1) (0,2) (1,0) (1,2); same at (0,1) and (1,2)
    assert agreement(a, b) == pytest.approx(0.5)
    assert agreement(np.zeros((2, 2)), np.zeros((2, 2))) == 0


def test_a_one_pixel_shift_inside_a_pooling_window_leaves_max_pooling_unchanged():
    x = np.zeros((4, 4))
    x[0, 0] = 1  # moves to (0, 1): still in the top-left 2x2 window
    np.testing.assert_array_equal(max_pool2d(x, 2), max_pool2d(shift(x, 0, 1), 2))
    assert agreement(x, shift(x, 0, 1)) == 0


def test_similarity_against_scipy_cosine():
    from scipy.spatial.distance import cosine

    rng = np.random.default_rng(0)
    a, b = rng.random((3, 5, 5)), rng.random((3, 5, 5))
    for i in range(3):
        assert similarity(a[i], b[i]) == pytest.approx(1 - cosine(a[i].ravel(), b[i].ravel()))
    np.testing.assert_allclose(similarity(a, b), [1 - cosine(a[i].ravel(), b[i].ravel()) for i in range(3)])
    assert similarity(a[0], 2 * a[0]) == pytest.approx(1)
