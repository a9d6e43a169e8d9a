"""helpers.conv and notebook 02's lesson code against torch.nn.functional.conv2d and scipy.signal.correlate2d."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from lesson_code import lesson_namespace
from scipy.signal import correlate2d

from helpers._validate import pair as _pair
from helpers.conv import conv2d, output_size

SLIDE_IMAGE = np.array(
    [[0, 2, 5, -3, 10], [9, -1, 29, 4, 11], [0, 34, 7, -9, -17], [6, 25, 6, 0, 0], [-8, 21, 0, -77, 0]]
)
SLIDE_KERNEL = np.array([[3, 2, 1], [-1, -2, -3], [2, 1, -1]])


@st.composite
def conv_case(draw):
    """A random but valid case: shapes, channels, stride, padding, dilation, with or without bias."""
    N, C, K = draw(st.integers(1, 3)), draw(st.integers(1, 8)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    # The input is at least as large as the dilated kernel once padded.
    H = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 12))
    W = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((K, C, kh, kw))
    b = rng.standard_normal(K) if draw(st.booleans()) else None
    return x, w, b, (sh, sw), (ph, pw), (dh, dw)


def torch_conv(x, w, b=None, stride=1, padding=0, dilation=1):
    """torch's conv2d on numpy arrays (any layout, any real dtype: compared in float64)."""
    t = [None if a is None else torch.from_numpy(np.array(a, np.float64)) for a in (x, w, b)]
    return F.conv2d(*t, stride=stride, padding=padding, dilation=dilation).numpy()


@settings(max_examples=300)
@given(conv_case(), st.booleans())
def test_conv2d_equals_torch(case, float32):
    x, w, b, stride, padding, dilation = case
    if float32:
        x, w, b = (None if a is None else a.astype(np.float32) for a in (x, w, b))
    expected = torch_conv(x, w, b, stride, padding, dilation)
    got = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    assert got.dtype == x.dtype and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-4 if float32 else 1e-10, rtol=1e-5 if float32 else 0)


@settings(max_examples=100)
@given(conv_case())
def test_output_size_is_the_shape_torch_returns(case):
    x, w, b, stride, padding, dilation = case
    expected = torch_conv(x, w, None, stride, padding, dilation).shape[2:]
    got = tuple(output_size(x.shape[2 + a], w.shape[2 + a], stride[a], padding[a], dilation[a]) for a in (0, 1))
    assert got == expected


@settings(max_examples=100)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**31))
def test_single_image_equals_scipy_correlate2d(H, W, kh, kw, seed):
    rng = np.random.default_rng(seed)
    x, k = rng.standard_normal((H, W)), rng.standard_normal((kh, kw))
    pad = min(kh, kw) // 2
    if kh > H + 2 * pad or kw > W + 2 * pad:
        return
    np.testing.assert_allclose(conv2d(x, k, padding=pad), correlate2d(np.pad(x, pad), k, mode="valid"), atol=1e-10)


@pytest.mark.parametrize(
    "n, k, s, p, d, expected",
    [
        (28, 3, 1, 1, 1, 28),
        (28, 3, 1, 0, 1, 26),
        (28, 5, 2, 0, 1, 12),
        (7, 3, 2, 0, 1, 3),
        (224, 11, 4, 2, 1, 55),
        (6, 3, 2, 0, 1, 2),
        (5, 3, 1, 0, 2, 1),
    ],
)
def test_output_size_by_hand(n, k, s, p, d, expected):
    assert output_size(n, k, s, p, d) == expected


# --- notebook 02's lesson code: the loop a student reads is the convolution torch computes ------------------


@pytest.fixture(scope="module")
def lesson():
    slide = lesson_namespace("02_convolution", "lesson-conv2d", np=np)
    channels = lesson_namespace("02_convolution", "lesson-conv-channels", np=np, conv2d_slide=slide["conv2d_slide"])
    return {"conv2d_slide": slide["conv2d_slide"], "conv2d_channels": channels["conv2d_channels"]}


@settings(max_examples=150)
@given(
    H=st.integers(1, 12),
    W=st.integers(1, 12),
    kh=st.integers(1, 5),
    kw=st.integers(1, 5),
    stride=st.integers(1, 3),
    padding=st.integers(0, 3),
    seed=st.integers(0, 2**31),
)
def test_lesson_conv2d_slide_equals_conv2d_and_torch(lesson, H, W, kh, kw, stride, padding, seed):
    if kh > H + 2 * padding or kw > W + 2 * padding:
        return
    rng = np.random.default_rng(seed)
    image, kernel = rng.standard_normal((H, W)), rng.standard_normal((kh, kw))
    got = lesson["conv2d_slide"](image, kernel, stride=stride, padding=padding)
    expected = torch_conv(image[None, None], kernel[None, None], stride=stride, padding=padding)[0, 0]
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-10)
    np.testing.assert_allclose(got, conv2d(image, kernel, stride=stride, padding=padding), atol=1e-10)


@settings(max_examples=80)
@given(
    C=st.integers(1, 4),
    K=st.integers(1, 4),
    H=st.integers(3, 10),
    W=st.integers(3, 10),
    k=st.integers(1, 3),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    seed=st.integers(0, 2**31),
)
def test_lesson_conv2d_channels_equals_conv2d_and_torch(lesson, C, K, H, W, k, stride, padding, seed):
    rng = np.random.default_rng(seed)
    x, kernels = rng.standard_normal((C, H, W)), rng.standard_normal((K, C, k, k))
    got = lesson["conv2d_channels"](x, kernels, stride=stride, padding=padding)
    expected = torch_conv(x[None], kernels, stride=stride, padding=padding)[0]
    assert got.shape == expected.shape == (K, output_size(H, k, stride, padding), output_size(W, k, stride, padding))
    np.testing.assert_allclose(got, expected, atol=1e-10)
    np.testing.assert_allclose(got, conv2d(x[None], kernels, stride=stride, padding=padding)[0], atol=1e-10)


def test_slide_worked_example_first_value_by_hand(lesson):
    # The lecture's "kernel is a trainable parameter" slide: 5x5 image, 3x3 kernel, first value -58.
    by_hand = 0 * 3 + 2 * 2 + 5 * 1 + 9 * -1 + -1 * -2 + 29 * -3 + 0 * 2 + 34 * 1 + 7 * -1
    assert by_hand == -58
    assert conv2d(SLIDE_IMAGE, SLIDE_KERNEL)[0, 0] == lesson["conv2d_slide"](SLIDE_IMAGE, SLIDE_KERNEL)[0, 0] == -58


# --- numbers and layouts ------------------------------------------------------------------------------


def test_float32_stays_float32_and_ints_become_float():
    x = np.ones((1, 1, 4, 4), np.float32)
    assert conv2d(x, np.ones((1, 1, 2, 2), np.float32)).dtype == np.float32
    assert conv2d(x.astype(np.float16), np.ones((1, 1, 2, 2), np.float16)).dtype == np.float32
    assert conv2d(np.ones((4, 4), np.uint8), np.ones((2, 2), int)).dtype == np.float64


@pytest.mark.parametrize(
    "x_dtype, w_dtype",
    [
        (np.uint8, np.int64),
        (np.uint8, np.float32),
        (np.int8, np.int8),
        (np.int64, np.int16),
        (bool, bool),
        (bool, np.float64),
    ],
)
def test_int_and_bool_inputs_give_the_numbers_torch_gives(x_dtype, w_dtype):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2 if x_dtype is bool else 100, (2, 3, 7, 6)).astype(x_dtype)
    w = rng.integers(0 if w_dtype is bool else -5, 2 if w_dtype is bool else 6, (4, 3, 3, 2)).astype(w_dtype)
    got = conv2d(x, w, padding=1, stride=(1, 2))
    assert got.dtype.kind == "f"
    np.testing.assert_array_equal(got, torch_conv(x, w, padding=1, stride=(1, 2)))  # whole numbers: exact


def test_no_overflow_in_uint8_images():
    assert conv2d(np.full((3, 3), 255, np.uint8), np.full((3, 3), 255, np.uint8))[0, 0] == 9 * 255 * 255


@pytest.mark.parametrize(
    "make",
    [
        lambda x, w: (x[:, :, ::2, ::3], w),  # strided slices of a bigger array
        lambda x, w: (x[..., ::-1, :], w[..., ::-1]),  # negative strides
        lambda x, w: (x.transpose(0, 1, 3, 2), w.transpose(0, 1, 3, 2)),  # transposed views
        lambda x, w: (np.asfortranarray(x), np.asfortranarray(w)),  # Fortran order
        lambda x, w: (x[1, 2].T, w[0, 2]),  # one image: a transposed 2-D view
    ],
)
def test_non_contiguous_arrays_give_the_same_numbers_as_torch(make):
    rng = np.random.default_rng(1)
    x, w = make(rng.standard_normal((2, 3, 12, 11)), rng.standard_normal((4, 3, 3, 2)))
    if x.ndim == 2:
        got, expected = conv2d(x, w, padding=1), torch_conv(x[None, None], w[None, None], padding=1)[0, 0]
    else:
        got, expected = conv2d(x, w, padding=1), torch_conv(x, w, padding=1)
    np.testing.assert_allclose(got, expected, atol=1e-10)


def test_nan_and_inf_spread_as_in_torch():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((4, 3, 3, 3))
    x[0, 1, 2, 2], x[1, 0, 5, 5] = np.nan, np.inf
    expected = torch_conv(x, w, padding=1)
    got = conv2d(x, w, padding=1)
    assert np.isnan(got).sum() == np.isnan(expected).sum() == 4 * 9  # every map, the 9 windows over the NaN
    assert np.isinf(got).sum() == np.isinf(expected).sum() == 4 * 9
    np.testing.assert_allclose(got, expected, atol=1e-10)  # NaN where torch has NaN, inf where inf
    w[0, 0, 0, 0] = np.inf  # inf times the zero padding: NaN, as in torch
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no RuntimeWarning reaches the student
        got = conv2d(x, w, padding=1)
    np.testing.assert_allclose(got, torch_conv(x, w, padding=1), atol=1e-10)


def test_an_empty_batch_gives_an_empty_result_like_torch():
    x, w = np.zeros((0, 3, 6, 5), np.float32), np.ones((4, 3, 3, 3), np.float32)
    got = conv2d(x, w, np.zeros(4), padding=1, stride=2)
    assert got.shape == torch_conv(x, w, padding=1, stride=2).shape == (0, 4, 3, 3) and got.dtype == np.float32


def test_scalar_bias_for_one_image():
    assert np.all(conv2d(np.zeros((3, 3)), np.ones((2, 2)), bias=1.5) == 1.5)


def test_pairs_may_be_numpy_ints_and_arrays():
    assert _pair(np.int64(2), "stride", 1) == (2, 2)
    assert _pair(np.array([1, 3]), "stride", 1) == (1, 3)
    x, w = np.ones((1, 1, 9, 9)), np.ones((1, 1, 3, 3))
    assert conv2d(x, w, stride=np.array([1, 3])).shape == (1, 1, 7, 3)


@pytest.mark.parametrize(
    "kwargs, x, w, match",
    [
        ({"stride": 0}, (5, 5), (3, 3), "stride must be >= 1"),
        ({"padding": -1}, (5, 5), (3, 3), "padding must be >= 0"),
        ({"dilation": 0}, (5, 5), (3, 3), "dilation must be >= 1"),
        ({"stride": 1.5}, (5, 5), (3, 3), "stride must be an int"),
        ({"stride": True}, (5, 5), (3, 3), "stride must be an int"),
        ({"stride": (1, 2, 3)}, (5, 5), (3, 3), "stride must be an int or a pair"),
        ({}, (2, 2), (3, 3), "kernel: .* larger than the padded input"),
        ({"padding": 1, "dilation": 3}, (3, 3), (3, 3), "kernel: .* larger than the padded input"),
        ({}, (5,), (3,), "x must be 2-D"),
        ({}, (3, 5, 5), (3, 3), r"x must be 2-D .* channels first.*x\[None\]"),
        ({}, (8, 8, 3), (3, 3), r"x has shape \(8, 8, 3\), which looks like colour .* channels first"),
        ({}, (8, 8, 4), (1, 4, 3, 3), r"x has shape \(8, 8, 4\), which looks like colour"),
        ({}, (2, 8, 8, 3), (4, 3, 3, 3), r"channel mismatch.*channels last.*x.transpose\(0, 3, 1, 2\)"),
        ({}, (5, 5), (3,), r"weight must be 2-D \(kh, kw\)"),
        ({}, (5, 5), (1, 3, 3), r"weight must be 2-D \(kh, kw\)"),
        ({}, (5, 5), (1, 1, 3, 3), r"weight must be 2-D \(kh, kw\)"),
        ({}, (1, 3, 5, 5), (3, 3), r"weight must be 4-D \(K, C, kh, kw\)"),
        ({}, (1, 3, 5, 5), (3, 3, 3), r"weight must be 4-D \(K, C, kh, kw\)"),
        ({}, (1, 3, 5, 5), (2, 2, 3, 3), "channel mismatch"),
        ({}, (1, 0, 5, 5), (2, 0, 3, 3), "x must have at least one channel"),
        ({}, (0, 5), (1, 1), "x must have at least one channel, row and column"),
        ({}, (1, 3, 5, 5), (0, 3, 3, 3), "weight must have at least one kernel"),
        ({"bias": np.zeros(3)}, (1, 1, 5, 5), (2, 1, 3, 3), r"bias must have shape \(2,\)"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, x, w, match):
    with pytest.raises(ValueError, match=match):
        conv2d(np.zeros(x), np.zeros(w), **kwargs)


@pytest.mark.parametrize(
    "x, name",
    [(np.array([["a", "b"], ["c", "d"]]), "x"), (np.ones((2, 2), complex), "x"), (np.array([[None, 1], [2, 3]]), "x")],
)
def test_what_is_not_a_number_is_refused_by_name(x, name):
    with pytest.raises(ValueError, match=f"{name} must be an array of real numbers"):
        conv2d(x, np.ones((1, 1)))
    with pytest.raises(ValueError, match="weight must be an array of real numbers"):
        conv2d(np.ones((2, 2)), x)
