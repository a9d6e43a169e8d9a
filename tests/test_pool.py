"""helpers.pool against torch.nn.functional.max_pool2d / avg_pool2d, and the lesson's loops in notebook 04."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from lesson_code import lesson_namespace

from helpers.pool import agreement, avg_pool2d, max_pool2d, shift, similarity

LESSON = lesson_namespace("04_pooling", "lesson-pool", np=np)


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


@pytest.mark.parametrize(
    "ours, theirs", [(max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)], ids=["max", "average"]
)
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
@pytest.mark.parametrize(
    "args, shape, match",
    [
        ((0,), (4, 4), "kernel_size must be >= 1"),
        ((2, 0), (4, 4), "stride must be >= 1"),
        ((2, 2, -1), (4, 4), "padding must be >= 0"),
        ((2, 2, 2), (4, 4), "padding must be at most half of kernel_size"),
        ((5,), (4, 4), "kernel_size: .* larger than the padded input"),
        ((2,), (2, 4, 4), "x must be 2-D"),
    ],
)
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


# --- The lesson's loops (notebook 04, cell tagged lesson-pool) ------------------------------------------------


@st.composite
def lesson_case(draw):
    size = draw(st.integers(1, 4))
    padding = draw(st.integers(0, size // 2))
    stride = draw(st.sampled_from([None, 1, 2, 3]))
    H, W = draw(st.integers(max(1, size - 2 * padding), 9)), draw(st.integers(max(1, size - 2 * padding), 9))
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).standard_normal((H, W))
    if draw(st.booleans()):  # ties and negative plateaus, where padding must not win
        x = -np.abs(np.round(x))
    return x, size, stride, padding


@pytest.mark.parametrize(
    "lesson, fast, theirs",
    [("max_pool2d_naive", max_pool2d, F.max_pool2d), ("avg_pool2d_naive", avg_pool2d, F.avg_pool2d)],
    ids=["max", "average"],
)
@settings(max_examples=150, deadline=None)
@given(case=lesson_case())
def test_lesson_loops_equal_the_fast_helper_and_torch(lesson, fast, theirs, case):
    x, size, stride, padding = case
    got = LESSON[lesson](x, size, stride, padding)
    expected = torch_pool(theirs, x, size, stride if stride else size, padding)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-12, rtol=0)
    np.testing.assert_allclose(got, fast(x, size, stride, padding), atol=1e-12, rtol=0)


def test_lesson_loops_by_hand():
    x = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 0, 7, 1], [2, 1, 3, 3]])
    np.testing.assert_array_equal(LESSON["max_pool2d_naive"](x, 2), [[4, 5], [2, 7]])
    np.testing.assert_array_equal(LESSON["avg_pool2d_naive"](x, 2), [[2.5, 2], [0.75, 3.5]])


# --- Edge cases: the right answer, or a ValueError naming the argument -----------------------------------------


def _with(x, cells):
    x = np.array(x, float)
    for (i, j), v in cells.items():
        x[i, j] = v
    return x


SPECIAL = {
    "NaN": _with(np.arange(36).reshape(6, 6), {(1, 1): np.nan}),
    "inf": _with(np.arange(36).reshape(6, 6), {(0, 0): np.inf, (3, 3): -np.inf}),
    "+inf and -inf in one window": _with(np.zeros((4, 4)), {(0, 0): np.inf, (0, 1): -np.inf}),
    "all -inf": np.full((4, 4), -np.inf),
}


@pytest.mark.parametrize(
    "ours, theirs", [(max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)], ids=["max", "average"]
)
@pytest.mark.parametrize("name", SPECIAL)
@pytest.mark.parametrize("padding", [0, 1])
def test_nan_and_inf_as_in_torch(ours, theirs, name, padding):
    x = SPECIAL[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning for inf - inf either
        got = ours(x, 2, 2, padding)
    np.testing.assert_array_equal(got, torch_pool(theirs, x, 2, 2, padding))


@pytest.mark.parametrize(
    "ours, theirs", [(max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)], ids=["max", "average"]
)
@pytest.mark.parametrize(
    "make",
    [
        lambda r: (r.standard_normal((6, 7)) * 50).astype(np.int64),
        lambda r: (r.random((6, 7)) * 255).astype(np.uint8),
        lambda r: r.random((6, 7)) > 0.5,
        lambda r: r.standard_normal((6, 7)).astype(np.float32),
        lambda r: r.standard_normal((7, 6)).T,  # transposed: not C-contiguous
        lambda r: r.standard_normal((2, 3, 12, 14))[:, ::-1, ::2, 1::2],  # reversed and strided
        lambda r: np.zeros((0, 3, 6, 6)),  # an empty batch
    ],
    ids=["int64", "uint8", "bool", "float32", "transposed", "strided", "empty batch"],
)
def test_dtypes_layouts_and_empty_batches_as_in_torch(ours, theirs, make):
    x = make(np.random.default_rng(0))
    got = ours(x, 3, 2, 1)
    expected = torch_pool(theirs, x.astype(np.float64), 3, 2, 1)
    assert got.shape == expected.shape
    assert got.dtype == (np.float32 if x.dtype in (np.uint8, np.bool_, np.float32) else np.float64)
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-6)


@pytest.mark.parametrize("fn", [max_pool2d, avg_pool2d])
@pytest.mark.parametrize(
    "x, match",
    [
        (np.zeros((8, 8, 3)), r"x must be 2-D .* colour image \(H, W, 3\) is x.transpose\(2, 0, 1\)\[None\]"),
        (np.zeros(6), r"x must be 2-D \(H, W\) or 4-D"),
        (np.zeros((1, 1, 1, 6, 6)), r"x must be 2-D \(H, W\) or 4-D"),
        (np.array([["a", "b"], ["c", "d"]]), r"x must be an array of real numbers"),
        (np.zeros((4, 4), complex), r"x must be an array of real numbers"),
    ],
    ids=["colour", "1-D", "5-D", "text", "complex"],
)
def test_inputs_pooling_cannot_take_raise_value_error_naming_x(fn, x, match):
    with pytest.raises(ValueError, match=match):
        fn(x, 2)


@pytest.mark.parametrize("size", [2.0, True, (2, 2, 2), "2"])
def test_kernel_size_must_be_whole(size):
    with pytest.raises(ValueError, match="kernel_size must be an int or a pair of ints"):
        max_pool2d(np.zeros((4, 4)), size)


def test_shift_edge_cases():
    x = _with(np.arange(16).reshape(4, 4), {(1, 1): np.nan})
    np.testing.assert_array_equal(shift(x, 1, 1)[2, 2], np.nan)  # NaN moves with its pixel
    assert shift(np.zeros((0, 5, 5)), 1, 1).shape == (0, 5, 5)
    assert shift(np.eye(3, dtype=bool), 0, 1).dtype == bool
    y = np.arange(30).reshape(5, 6).T  # not C-contiguous
    np.testing.assert_array_equal(shift(y, 1, -2), shift(y.copy(), 1, -2))
    np.testing.assert_array_equal(shift(y, np.int64(1), 0)[1:], y[:-1])
    for bad, match in [
        (np.zeros(5), "images must be a map"),
        (np.zeros((8, 8, 3)), "images has shape .* colour"),
        (np.array([["a"]]), "images must be an array of real numbers"),
    ]:
        with pytest.raises(ValueError, match=match):
            shift(bad, 0, 1)
    for dy, dx in [(0, 1.5), (0, True), (None, 1)]:
        with pytest.raises(ValueError, match="d[yx] must be a whole number"):
            shift(np.zeros((4, 4)), dy, dx)


@pytest.mark.parametrize("fn", [agreement, similarity])
def test_agreement_and_similarity_edge_cases(fn):
    rng = np.random.default_rng(1)
    a = rng.random((3, 5, 5))
    b = a.copy()
    b[1, 2, 2] = np.nan
    got = fn(a, b)
    assert np.isnan(got[1]) and not np.isnan(got[[0, 2]]).any()  # NaN stays in its own map
    assert fn(np.zeros((0, 5, 5)), np.zeros((0, 5, 5))).shape == (0,)
    np.testing.assert_allclose(fn(a > 0.5, a > 0.5), 1)
    np.testing.assert_allclose(fn((a * 9).astype(int), (a * 9).astype(int)), 1)
    np.testing.assert_allclose(fn(a.transpose(0, 2, 1), a.transpose(0, 2, 1).copy()), 1)
    for a_, b_, match in [
        (a, a[:, :4], "a and b must have the same shape"),
        (a, a[0], "a and b must have the same shape"),
        (np.ones(4), np.ones(4), "a must be a map"),
        (np.ones((8, 8, 3)), np.ones((8, 8, 3)), "a has shape .* colour"),
        (np.ones((2, 2)), np.array([["a", "b"], ["c", "d"]]), "b must be an array of real numbers"),
    ]:
        with pytest.raises(ValueError, match=match):
            fn(a_, b_)


def test_similarity_of_an_infinite_map_is_nan_without_a_warning():
    x = np.ones((3, 3))
    x[1, 1] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(similarity(x, np.ones((3, 3))))


# --- The claim notebook 04 makes, on real digits ------------------------------------------------------------------


def test_max_pooling_tolerates_a_one_pixel_shift_of_real_digits():
    from helpers.conv import conv2d
    from helpers.data import load_mnist
    from helpers.filters import kernel, relu

    x = load_mnist("test")[0][:300].astype(np.float32) / 255
    k = kernel("prewitt x").astype(np.float32)[None, None]
    maps = relu(conv2d(x[:, None], k, padding=1))
    moved = relu(conv2d(shift(x, 0, 1)[:, None], k, padding=1))
    np.testing.assert_array_equal(shift(maps, 0, 1)[..., 1:-1], moved[..., 1:-1])  # equivariance, off the border
    before = similarity(maps, moved)
    once, twice = (
        similarity(max_pool2d(maps, 2), max_pool2d(moved, 2)),
        similarity(max_pool2d(max_pool2d(maps, 2), 2), max_pool2d(max_pool2d(moved, 2), 2)),
    )
    average = similarity(avg_pool2d(maps, 2), avg_pool2d(moved, 2))
    assert np.mean(once > before) > 0.95
    assert twice.mean() > once.mean() > average.mean() > before.mean()
    assert agreement(max_pool2d(maps, 2), max_pool2d(moved, 2)).mean() < 0.5
