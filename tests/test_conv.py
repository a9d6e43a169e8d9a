"""helpers.conv against torch.nn.functional.conv2d and scipy.signal.correlate2d."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.signal import correlate2d

import helpers.conv
from helpers.conv import conv2d, conv2d_im2col, conv2d_naive, output_size


@st.composite
def conv_case(draw):
    """A random but valid case: shapes, channels, stride, padding, dilation, with or without bias."""
    # Up to 8 channels, so that some im2col matrices have more than 64 rows.
    N, C, K = draw(st.integers(1, 3)), draw(st.integers(1, 8)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    # The input is at least as large as the dilated kernel once padded.
    H = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 12))
    W = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 12))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((K, C, kh, kw))
    b = rng.standard_normal(K) if draw(st.booleans()) else None
    return x, w, b, (sh, sw), (ph, pw), (dh, dw)


def torch_conv(x, w, b, stride, padding, dilation):
    return F.conv2d(torch.from_numpy(x), torch.from_numpy(w), None if b is None else torch.from_numpy(b),
                    stride=stride, padding=padding, dilation=dilation).numpy()


@settings(max_examples=350)
@given(conv_case())
def test_conv2d_and_naive_equal_torch(case):
    x, w, b, stride, padding, dilation = case
    expected = torch_conv(x, w, b, stride, padding, dilation)
    fast = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    im2col = conv2d_im2col(x, w, b, stride=stride, padding=padding, dilation=dilation)
    naive = conv2d_naive(x, w, b, stride=stride, padding=padding, dilation=dilation)
    assert fast.shape == expected.shape == naive.shape == im2col.shape
    for ours in (fast, im2col, naive):
        np.testing.assert_allclose(ours, expected, atol=1e-5, rtol=0)


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
    xp = np.pad(x, pad)
    expected = correlate2d(xp, k, mode="valid")
    np.testing.assert_allclose(conv2d(x, k, padding=pad), expected, atol=1e-10)
    np.testing.assert_allclose(conv2d_naive(x, k, padding=pad), expected, atol=1e-10)


def test_slide_worked_example_first_value_by_hand():
    # The lecture's "kernel is a trainable parameter" slide: 5x5 image, 3x3 kernel, first value -58.
    image = np.array([[0, 2, 5, -3, 10], [9, -1, 29, 4, 11], [0, 34, 7, -9, -17],
                      [6, 25, 6, 0, 0], [-8, 21, 0, -77, 0]])
    kernel = np.array([[3, 2, 1], [-1, -2, -3], [2, 1, -1]])
    by_hand = 0*3 + 2*2 + 5*1 + 9*-1 + -1*-2 + 29*-3 + 0*2 + 34*1 + 7*-1  # noqa: E226
    assert by_hand == -58
    assert conv2d(image, kernel)[0, 0] == conv2d_naive(image, kernel)[0, 0] == -58


def test_float32_stays_float32_and_ints_become_float():
    x = np.ones((1, 1, 4, 4), np.float32)
    assert conv2d(x, np.ones((1, 1, 2, 2), np.float32)).dtype == np.float32
    assert conv2d(np.ones((4, 4), np.uint8), np.ones((2, 2), int)).dtype == np.float64


def test_scalar_bias_for_one_image():
    assert np.all(conv2d(np.zeros((3, 3)), np.ones((2, 2)), bias=1.5) == 1.5)


@pytest.mark.parametrize("fn", [conv2d, conv2d_naive])
@pytest.mark.parametrize("kwargs, x_shape, w_shape, match", [
    ({"stride": 0}, (5, 5), (3, 3), "stride must be >= 1"),
    ({"padding": -1}, (5, 5), (3, 3), "padding must be >= 0"),
    ({"dilation": 0}, (5, 5), (3, 3), "dilation must be >= 1"),
    ({"stride": 1.5}, (5, 5), (3, 3), "stride must be an int"),
    ({}, (2, 2), (3, 3), "kernel: .* larger than the padded input"),
    ({"padding": 1, "dilation": 3}, (3, 3), (3, 3), "kernel: .* larger than the padded input"),
    ({}, (5,), (3,), "x must be 2-D"),
    ({}, (1, 5, 5), (3, 3), "x must be 2-D"),
    ({}, (5, 5), (1, 1, 3, 3), "weight must be 2-D"),
    ({}, (1, 3, 5, 5), (2, 2, 3, 3), "channel mismatch"),
    ({"bias": np.zeros(3)}, (1, 1, 5, 5), (2, 1, 3, 3), r"bias must have shape \(2,\)"),
])
def test_bad_arguments_raise_value_error_naming_them(fn, kwargs, x_shape, w_shape, match):
    with pytest.raises(ValueError, match=match):
        fn(np.zeros(x_shape), np.zeros(w_shape), **kwargs)


@pytest.mark.parametrize("n, k, s, p, d, expected", [
    (28, 3, 1, 1, 1, 28), (28, 3, 1, 0, 1, 26), (28, 5, 2, 0, 1, 12), (7, 3, 2, 0, 1, 3),
    (224, 11, 4, 2, 1, 55), (6, 3, 2, 0, 1, 2), (5, 3, 1, 0, 2, 1),
])
def test_output_size_by_hand(n, k, s, p, d, expected):
    assert output_size(n, k, s, p, d) == expected


@pytest.fixture
def every_batch_split(monkeypatch):
    """conv2d hands out slices of the batch even for tiny inputs, to up to three threads."""
    monkeypatch.setattr(helpers.conv, "PARALLEL_FLOPS", 1)
    monkeypatch.setattr(helpers.conv, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(helpers.conv, "_workers", lambda: 3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=conv_case(), N=st.integers(1, 7), float32=st.booleans())
def test_conv2d_split_across_threads_equals_torch(every_batch_split, case, N, float32):
    # N = 1..7 images over up to 3 threads: slices of 0, 1, 2 and 3 images, float64 and float32.
    x, w, b, stride, padding, dilation = case
    x = np.concatenate([x] * 7)[:N]
    if float32:
        x, w = x.astype(np.float32), w.astype(np.float32)
        b = None if b is None else b.astype(np.float32)
    expected = torch_conv(x, w, b, stride, padding, dilation)
    got = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    assert got.dtype == x.dtype and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-5 if float32 else 1e-10, rtol=1e-5 if float32 else 0)


def test_the_split_path_is_taken_and_limits_blas_to_one_thread(every_batch_split, monkeypatch):
    from threadpoolctl import threadpool_info

    seen = []
    real = helpers.conv.conv2d_im2col

    def spy(x, **kwargs):
        seen.append((x.shape[0], [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]))
        return real(x, **kwargs)

    monkeypatch.setattr(helpers.conv, "conv2d_im2col", spy)
    x, w = np.ones((7, 2, 6, 6)), np.ones((3, 2, 3, 3))
    assert np.all(conv2d(x, w, padding=1)[:, :, 1:-1, 1:-1] == 18)
    assert sorted(n for n, _ in seen) == [2, 2, 3]
    assert all(set(threads) == {1} for _, threads in seen)


def test_im2col_writes_into_out_and_rejects_a_wrong_one():
    x, w = np.ones((2, 1, 5, 5), np.float32), np.ones((4, 1, 3, 3), np.float32)
    out = np.full((2, 4, 3, 3), np.nan, np.float32)
    assert conv2d_im2col(x, w, out=out) is out and np.all(out == 9)
    with pytest.raises(ValueError, match="out must be a C-contiguous float32 array of shape"):
        conv2d_im2col(x, w, out=np.empty((2, 4, 3, 4), np.float32)[..., :3])
    with pytest.raises(ValueError, match="out must be"):
        conv2d_im2col(x, w, out=np.empty((2, 4, 3, 3)))
