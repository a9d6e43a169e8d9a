"""helpers._validate: the argument rules, as properties; then every public function swept with the same bad inputs,
each of which must be a ValueError that names the argument (the student's words: what is wrong, and where)."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from helpers import _validate as v
from helpers import conv, drawing, explorer, filters, hog, learn, mnist_style, models, pool, train

# --- The rules -------------------------------------------------------------------------------------------------------


@given(st.integers(-5, 50), st.integers(-5, 5))
def test_whole_accepts_exactly_the_ints_from_the_minimum(n, minimum):
    for value in (n, np.int64(n), np.uint8(n) if n >= 0 else n):
        if n >= minimum:
            assert v.whole(value, "n", minimum) == n and type(v.whole(value, "n", minimum)) is int
        else:
            with pytest.raises(ValueError, match=f"n must be a whole number >= {minimum}, got"):
                v.whole(value, "n", minimum)


@pytest.mark.parametrize("value", [1.0, 2.5, True, np.bool_(True), "3", None, [3], np.array(3.0)])
def test_whole_refuses_what_is_not_an_int(value):
    with pytest.raises(ValueError, match="steps must be a whole number"):
        v.whole(value, "steps", 0)


def test_whole_says_the_range_and_unit():
    with pytest.raises(ValueError, match=r"pen must be a whole number of pixels in 1\.\.60, got 61"):
        v.whole(61, "pen", 1, 60, unit="pixels")
    with pytest.raises(ValueError, match=r"dy must be a whole number of pixels, got 0\.5"):
        v.whole(0.5, "dy", None, unit="pixels")
    assert v.whole(-7, "dy", None) == -7


@given(
    st.one_of(
        st.integers(0, 9),
        st.tuples(st.integers(0, 9), st.integers(0, 9)),
        st.lists(st.integers(0, 9), min_size=2, max_size=2),
    ),
    st.integers(0, 3),
)
def test_pair_of_an_int_or_two(value, minimum):
    as_pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if min(as_pair) >= minimum:
        assert v.pair(value, "stride", minimum) == as_pair
        assert v.pair(np.array(value), "stride", minimum) == as_pair
    else:
        with pytest.raises(ValueError, match=f"stride must be >= {minimum}"):
            v.pair(value, "stride", minimum)


@pytest.mark.parametrize("value", [1.5, True, (1, 2, 3), (1,), "2", (1.0, 2), None, (2, np.bool_(True))])
def test_pair_refuses_what_is_not_an_int_or_a_pair_of_ints(value):
    with pytest.raises(ValueError, match="kernel_size must be an int or a pair of ints"):
        v.pair(value, "kernel_size")


@given(st.lists(st.integers(1, 40), min_size=1, max_size=5))
def test_the_colour_rule_by_its_definition(shape):
    """Colour: at least 3 axes, channels last (3 or 4 of them), and wider than 4 pixels."""
    expected = len(shape) >= 3 and shape[-1] in (3, 4) and shape[-2] > 4
    assert v.looks_like_colour(shape) == expected
    if expected:
        with pytest.raises(ValueError, match=r"images has shape .* looks like colour \(RGB\)"):
            v.refuse_colour(np.zeros(shape), "images", "grey images")
    else:
        v.refuse_colour(np.zeros(shape), "images", "grey images")


@pytest.mark.parametrize(
    "shape, colour",
    [
        ((28, 28, 3), True),
        ((64, 48, 4), True),
        ((2, 28, 28, 3), True),
        ((28, 28), False),
        ((60000, 28, 28), False),
        ((16, 3, 3), False),
        ((8, 4, 4), False),
        ((28, 28, 5), False),
    ],
)
def test_the_colour_rule_on_the_shapes_of_the_course(shape, colour):
    assert v.looks_like_colour(shape) is colour


@pytest.mark.parametrize("value", ["abc", [[1, 2], [3]], np.zeros(3, complex), None, {"a": 1}, object()])
def test_numbers_refuses_what_is_not_real_numbers(value):
    with pytest.raises(ValueError, match="images must be an array of real numbers"):
        v.numbers(value, "images")


@pytest.mark.parametrize("value", [0, -1.0, np.nan, np.inf, "0.1", True, None])
def test_positive_refuses_what_is_not_a_finite_number_above_zero(value):
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        v.positive(value, "lr")


# --- The sweep: every public function, the same bad inputs -----------------------------------------------------------

WHOLE = [1.5, True, "3", None, -1]  # -1: below every minimum the helpers use
PAIR = [1.5, True, (1, 2, 3), "2", (1.0, 2), -1]
ARRAY = ["abc", [[1, 2], [3]], np.zeros((6, 6), complex), None]
COLOUR = [np.zeros((28, 28, 3))]  # where a grey image is wanted
POSITIVE = [0, -1.0, np.nan, np.inf, "0.1", True]
MODEL = ["cnn", None, (1, 2)]

rng = np.random.default_rng(0)
IMG = rng.random((12, 12))
BATCH = rng.random((2, 12, 12))
DIGITS = torch.zeros(4, 1, 28, 28)
LABELS = torch.zeros(4, dtype=torch.int64)


def _cnn():
    torch.manual_seed(0)
    return models.lecture_cnn((2,))


# (function, the arguments that work, the argument to spoil, the bad values)
SWEEP = [
    (conv.conv2d, dict(x=IMG, weight=np.ones((3, 3))), "x", ARRAY + COLOUR),
    (conv.conv2d, dict(x=IMG, weight=np.ones((3, 3))), "weight", ARRAY),
    (conv.conv2d, dict(x=IMG, weight=np.ones((3, 3))), "stride", PAIR),
    (conv.conv2d, dict(x=IMG, weight=np.ones((3, 3))), "padding", PAIR),
    (conv.conv2d, dict(x=IMG, weight=np.ones((3, 3))), "dilation", PAIR),
    (conv.output_size, dict(n=12, kernel=3), "n", WHOLE),
    (conv.output_size, dict(n=12, kernel=3), "kernel", WHOLE),
    (conv.output_size, dict(n=12, kernel=3), "stride", WHOLE),
    (pool.max_pool2d, dict(x=IMG, kernel_size=2), "x", ARRAY),
    (pool.max_pool2d, dict(x=IMG, kernel_size=2), "kernel_size", PAIR),
    (pool.avg_pool2d, dict(x=IMG, kernel_size=2), "stride", PAIR),
    (pool.avg_pool2d, dict(x=IMG, kernel_size=2), "padding", PAIR),
    (pool.shift, dict(images=BATCH), "images", ARRAY + COLOUR),
    (pool.shift, dict(images=BATCH), "dy", WHOLE[:-1]),
    (pool.shift, dict(images=BATCH), "dx", WHOLE[:-1]),
    (pool.agreement, dict(a=BATCH, b=BATCH), "a", ARRAY + COLOUR),
    (pool.similarity, dict(a=BATCH, b=BATCH), "b", ARRAY + COLOUR),
    (hog.gradients, dict(images=IMG), "images", ARRAY),
    (hog.magnitude_orientation, dict(gx=IMG, gy=IMG), "gx", ARRAY),
    (hog.magnitude_orientation, dict(gx=IMG, gy=IMG), "gy", ARRAY),
    (hog.cell_histograms, dict(gx=BATCH, gy=BATCH, pixels_per_cell=(4, 4)), "gx", ARRAY),
    (hog.cell_histograms, dict(gx=BATCH, gy=BATCH, pixels_per_cell=(4, 4)), "orientations", WHOLE),
    (hog.cell_histograms, dict(gx=BATCH, gy=BATCH), "pixels_per_cell", PAIR),
    (hog.normalize_blocks, dict(hist=np.ones((1, 3, 3, 9))), "hist", ARRAY),
    (hog.normalize_blocks, dict(hist=np.ones((1, 3, 3, 9))), "cells_per_block", PAIR),
    (hog.hog, dict(images=IMG, pixels_per_cell=(4, 4)), "images", ARRAY + COLOUR),
    (hog.hog, dict(images=IMG, pixels_per_cell=(4, 4)), "orientations", WHOLE),
    (hog.hog, dict(images=IMG), "pixels_per_cell", PAIR),
    (hog.hog, dict(images=IMG, pixels_per_cell=(4, 4)), "cells_per_block", PAIR),
    (hog.deskew, dict(images=IMG), "images", ARRAY + COLOUR),
    (hog.hog_features, dict(images=IMG), "images", ARRAY + COLOUR),
    (hog.hog_features, dict(images=IMG), "deskew_first", ["yes", None, 1]),
    (hog.pixel_features, dict(images=IMG), "images", ARRAY + COLOUR),
    (filters.kernel, dict(), "name", ["sobel", None, 3]),
    (filters.gaussian_kernel, dict(), "size", WHOLE),
    (filters.gaussian_kernel, dict(), "sigma", POSITIVE),
    (filters.relu, dict(), "x", ARRAY),
    (filters.sobel_magnitude, dict(image=IMG), "image", ARRAY + COLOUR),
    (filters.sobel_magnitude, dict(image=IMG), "padding", WHOLE),
    (filters.mean_response, dict(images=BATCH, k=np.ones((3, 3))), "images", ARRAY + COLOUR),
    (filters.mean_response, dict(images=BATCH, k=np.ones((3, 3))), "k", ARRAY),
    (filters.combined_kernel, dict(k1=np.ones((3, 3)), k2=np.ones((3, 3))), "k1", ARRAY),
    (learn.stable_learning_rate, dict(images=BATCH), "images", ARRAY + COLOUR),
    (learn.stable_learning_rate, dict(images=BATCH), "size", WHOLE),
    (learn.learn_kernel, dict(images=BATCH, targets=np.zeros((2, 10, 10)), steps=1), "targets", ARRAY),
    (learn.learn_kernel, dict(images=BATCH, targets=np.zeros((2, 10, 10)), steps=1), "steps", WHOLE),
    (learn.learn_kernel, dict(images=BATCH, targets=np.zeros((2, 10, 10)), steps=1), "lr", POSITIVE),
    (learn.learn_kernel, dict(images=BATCH, targets=np.zeros((2, 10, 10)), steps=1), "record_every", WHOLE),
    (learn.learn_kernel, dict(images=BATCH, targets=np.zeros((2, 10, 10)), steps=1), "seed", WHOLE[:-1]),
    (models.mlp, dict(), "hidden", WHOLE),
    (models.alexnet_2012, dict(), "num_classes", WHOLE),
    (models.lecture_cnn, dict(), "channels", [1.5, "16", None, (0,), (True,)]),
    (models.count_parameters, dict(), "model", MODEL),
    (models.layer_table, dict(), "model", MODEL),
    (models.layer_table, dict(model=_cnn()), "input_shape", [(1, 28, 28), (1, 1, 28, 1.5), "1x1x28x28", None]),
    (models.activations, dict(x=DIGITS), "model", MODEL),
    (models.activations, dict(model=_cnn()), "x", ARRAY + [np.zeros((1, 1, 28, 28))]),
    (models.receptive_field, dict(layers=[(3, 1)]), "row", WHOLE),
    (models.receptive_field, dict(layers=[(3, 1)]), "col", WHOLE),
    (models.receptive_field, dict(), "layers", [[(3, 1.5)], [("a", "b", "c")], [torch.nn.Linear(2, 2)]]),
    (train.to_tensors, dict(), "images", ARRAY + COLOUR + [np.zeros((2, 28, 28, 3))]),
    (train.to_tensors, dict(images=np.zeros((2, 28, 28))), "labels", ["ab", [0.5, 1.5], [1, 2, 3]]),
    (train.random_shift, dict(x=DIGITS, generator=torch.Generator()), "max_shift", WHOLE),
    (train.fit, dict(model=_cnn(), x=DIGITS, y=LABELS, batch_size=2, progress=False), "x", ARRAY),
    (train.fit, dict(model=_cnn(), x=DIGITS, y=LABELS, batch_size=2, progress=False), "epochs", WHOLE),
    (train.fit, dict(model=_cnn(), x=DIGITS, y=LABELS, progress=False), "batch_size", WHOLE),
    (train.fit, dict(model=_cnn(), x=DIGITS, y=LABELS, batch_size=2, progress=False), "lr", POSITIVE),
    (train.fit, dict(model=_cnn(), x=DIGITS, y=LABELS, batch_size=2, progress=False), "shift", WHOLE),
    (train.fit, dict(model=_cnn(), x=DIGITS, y=LABELS, batch_size=2, progress=False), "seed", WHOLE[:-1]),
    (train.evaluate, dict(model=_cnn(), x=DIGITS, y=LABELS), "y", ARRAY + [torch.zeros(4)]),
    (train.evaluate, dict(model=_cnn(), x=DIGITS, y=LABELS), "batch_size", WHOLE),
    (mnist_style.ink, dict(), "image", ARRAY + [np.zeros((28, 28, 5))]),
    (mnist_style.preprocess_drawing, dict(image=np.eye(28)), "threshold", [1.5, -0.1, "0", None, True]),
    (drawing.network_input, dict(), "digit", ARRAY + [np.zeros((20, 20))]),
    (drawing.receptive_field, dict(model=_cnn(), layer="2", col=0), "row", WHOLE),
    (drawing.receptive_field, dict(model=_cnn(), row=0, col=0), "layer", ["99", None, 2.5]),
    (drawing.colour, dict(), "values", ARRAY),
    (drawing.mosaic_shape, dict(), "n", WHOLE + [0]),
    (drawing.mosaic, dict(), "maps", ARRAY + [np.zeros((4, 4))]),
    (explorer.presenter, dict(), "on", ["yes", 1, None]),
]


def _cases():
    for fn, good, name, bads in SWEEP:
        for i, bad in enumerate(bads):
            yield pytest.param(fn, good, name, bad, id=f"{fn.__module__.split('.')[-1]}.{fn.__name__}-{name}-{i}")


@pytest.mark.parametrize("fn, good, name, bad", list(_cases()))
def test_every_public_function_names_the_bad_argument(fn, good, name, bad):
    with pytest.raises(ValueError) as caught:
        fn(**{**good, name: bad})
    message = str(caught.value)
    assert re.search(rf"(^|\W){re.escape(name)}(\W|$)", message), f"{fn.__name__}({name}={bad!r}): {message}"


def test_the_sweep_reaches_every_public_function():
    """A public function added later, and left out of the sweep, fails here."""
    import inspect

    swept = {fn for fn, *_ in SWEEP}
    left_out = []
    for module in (conv, pool, hog, filters, learn, models, train, drawing, mnist_style):
        for name, fn in vars(module).items():
            if (
                inspect.isfunction(fn)
                and fn.__module__ == module.__name__
                and not name.startswith("_")
                and inspect.signature(fn).parameters
                and fn not in swept
                and name not in NOT_SWEPT
            ):
                left_out.append(f"{module.__name__}.{name}")
    assert not left_out, left_out


#: Functions whose arguments are not a student's input (a figure helper's internals, a cache's key), or whose
#: bad input is checked through another function already swept.
NOT_SWEPT = {
    "orientation_bins",  # hog's internals: angles already checked by magnitude_orientation
    "torch_threads",  # a context manager: its n is checked, see test_torch_threads_and_eval_mode_name_n
    "eval_mode",
    "format_table",  # formats what layer_table returns
    "cache_path",
    "cached_fit",
    "trained_lecture_cnn",
    "look",  # network_input and the model's own check
    "draw_a_digit",  # DrawingPad, checked in tests/test_drawing.py
}


def test_torch_threads_and_eval_mode_name_their_argument():
    with pytest.raises(ValueError, match="n must be a whole number >= 1"), models.torch_threads(0):
        pass
    with pytest.raises(ValueError, match="model must be a torch nn.Module"), models.eval_mode("cnn"):
        pass
