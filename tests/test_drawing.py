"""helpers.drawing: a drawing made into an MNIST digit, receptive fields, and the drawing pad's logic.

The digits are checked against MNIST's own (enlarged, moved and thickened, then brought back), against values
computed by hand, and the receptive fields against torch's gradients; the trained CNN must still read them.
"""

import numpy as np
import pytest
import torch
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from lesson_code import lesson_namespace
from scipy import ndimage
from torch import nn

from helpers.data import load_mnist
from helpers.drawing import DrawingPad, colour, ink, look, mosaic, network_input, preprocess_drawing, receptive_field
from helpers.models import layer_table, lecture_cnn


@pytest.fixture(scope="module")
def trained():
    """The class CNN (from cache/, or trained once: about 25 s on 2 free cores)."""
    from helpers.train import trained_lecture_cnn

    return trained_lecture_cnn(progress=False)[0]


@pytest.fixture(scope="module")
def test_digits():
    images, labels = load_mnist("test")
    return images[:1000], labels[:1000]


def enlarge(digit, canvas=360, shift=(0, 0), thicken=1):
    """An MNIST digit ×10 (each pixel a 10×10 square), its strokes widened by a thicken×thicken max filter,
    at `shift` on a black canvas."""
    big = np.kron(digit.astype(np.float32), np.ones((10, 10), np.float32))
    if thicken > 1:
        big = ndimage.maximum_filter(big, size=thicken)
    out = np.zeros((canvas, canvas), np.float32)
    out[shift[0] : shift[0] + big.shape[0], shift[1] : shift[1] + big.shape[1]] = big
    return out.astype(np.uint8)


# --- preprocess_drawing against MNIST ----------------------------------------------------------------


def test_an_enlarged_and_moved_mnist_digit_comes_back_exactly(test_digits):
    """MNIST made these digits with this recipe, so undoing an enlargement gives the very pixels back."""
    images, _ = test_digits
    rng = np.random.default_rng(0)
    for digit in images[:200]:
        back = preprocess_drawing(enlarge(digit, shift=tuple(rng.integers(0, 81, 2))))
        np.testing.assert_allclose(back, digit / digit.max(), atol=1e-5)


def test_thickened_moved_digits_stay_close_and_the_cnn_reads_them(test_digits, trained):
    """1,000 test digits ×10, moved anywhere on a 360×360 canvas, strokes 0.8 MNIST pixels thicker (a max filter
    of 9 canvas pixels): close to the originals, and the class CNN still reads at least 97 % of them."""
    from helpers.train import evaluate, to_tensors

    images, labels = test_digits
    rng = np.random.default_rng(1)
    back = np.array([preprocess_drawing(enlarge(d, shift=tuple(rng.integers(0, 81, 2)), thicken=9)) for d in images])
    originals = images / 255.0
    correlation = np.array([np.corrcoef(a.ravel(), b.ravel())[0, 1] for a, b in zip(originals, back)])
    assert np.median(correlation) > 0.9, np.median(correlation)
    assert np.percentile(correlation, 5) > 0.7, np.percentile(correlation, 5)
    accuracy, _ = evaluate(trained, to_tensors(back * 255), torch.as_tensor(labels, dtype=torch.int64))
    original_accuracy, _ = evaluate(trained, *to_tensors(images, labels))
    print(
        f"\nmedian correlation {np.median(correlation):.3f}; CNN accuracy {accuracy:.1%} "
        f"(on the untouched digits {original_accuracy:.1%})"
    )
    assert accuracy >= 0.97


def test_the_lesson_cell_is_the_helper():
    """The recipe as the notebook writes it equals preprocess_drawing on white ink on black."""
    ns = lesson_namespace("06_draw_a_digit", "lesson-mnist-style")
    rng = np.random.default_rng(2)
    digits, _ = load_mnist("test")
    for digit in digits[:20]:
        canvas = enlarge(digit, canvas=400, shift=tuple(rng.integers(0, 121, 2)), thicken=int(rng.integers(1, 20)))
        np.testing.assert_allclose(ns["mnist_style"](canvas), preprocess_drawing(canvas), atol=1e-6)


def test_a_filled_rectangle_by_hand():
    """100×50 of ink → 20×10 of ones; its centre of mass (9.5, 4.5) goes to (13.5, 13.5): rows 4..23, cols 9..18."""
    canvas = np.zeros((300, 300), np.uint8)
    canvas[37:137, 200:250] = 255
    expected = np.zeros((28, 28), np.float32)
    expected[4:24, 9:19] = 1
    np.testing.assert_array_equal(preprocess_drawing(canvas), expected)


def test_a_wide_stroke_keeps_its_aspect_ratio():
    canvas = np.zeros((100, 300), np.uint8)
    canvas[40:50, 20:220] = 255  # 10 × 200 → 1 × 20
    digit = preprocess_drawing(canvas)
    rows, cols = np.nonzero(digit)
    assert (np.ptp(rows) + 1, np.ptp(cols) + 1) == (1, 20)


# --- Every format of the same drawing gives the same digit -------------------------------------------


def _formats(white_on_black):
    """The same drawing as the canvas formats preprocess_drawing accepts."""
    grey = white_on_black
    inverted = 255 - grey
    yield "grey uint8", grey
    yield "grey float 0..1", grey / 255.0
    yield "dark ink on white", inverted
    yield "bool", grey > 127
    yield "RGB dark on white", np.dstack([inverted] * 3)
    rgba_opaque = np.dstack([inverted] * 3 + [np.full_like(grey, 255)])
    yield "RGBA opaque, dark on white", rgba_opaque
    yield "RGBA black ink on transparent", np.dstack([np.zeros_like(grey)] * 3 + [grey])
    yield "RGBA white ink on transparent", np.dstack([np.full_like(grey, 255)] * 3 + [grey])


def test_every_format_of_one_drawing_gives_one_digit():
    canvas = np.zeros((240, 200), np.uint8)
    canvas[30:200, 90:120] = 255  # a "1"
    canvas[30:50, 60:120] = 255
    expected = preprocess_drawing(canvas)
    for name, image in _formats(canvas):
        np.testing.assert_allclose(preprocess_drawing(image), expected, atol=1e-6, err_msg=name)


@st.composite
def drawings(draw):
    h, w = draw(st.integers(30, 300)), draw(st.integers(30, 300))
    canvas = np.zeros((h, w), np.uint8)
    for _ in range(draw(st.integers(1, 4))):
        r0, r1 = sorted(draw(st.integers(0, h - 1)) for _ in range(2))
        c0, c1 = sorted(draw(st.integers(0, w - 1)) for _ in range(2))
        canvas[r0 : r1 + 1, c0 : c1 + 1] = draw(st.integers(60, 255))
    assume((canvas > 0).mean() < 0.4)  # the background is what most of the canvas is
    return canvas


@settings(max_examples=40)
@given(drawings())
@example(np.array([[60, 0, 0], [90, 0, 0]], np.uint8))  # 3.13's CI failure: the centre's column 14.5000010578633
def test_any_drawing_becomes_an_mnist_shaped_digit(canvas):
    digit = preprocess_drawing(canvas)
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() >= 0 and abs(digit.max() - 1) < 1e-6
    rows, cols = np.nonzero(digit)
    height, width = np.ptp(rows) + 1, np.ptp(cols) + 1
    assert max(height, width) == 20
    r, c = ndimage.center_of_mass(digit)
    # The centre of mass lands in [13.5, 14.5] (the shift is rounded to whole pixels), unless the box had to be kept
    # inside the frame. The float tolerance is on both sides: 14.5000010578633 was seen for a 60 and a 90 pixel.
    assert 13.5 - 1e-5 <= r <= 14.5 + 1e-5 or rows.min() == 0 or rows.max() == 27
    assert 13.5 - 1e-5 <= c <= 14.5 + 1e-5 or cols.min() == 0 or cols.max() == 27


@settings(max_examples=40)
@given(drawings(), st.integers(0, 40), st.integers(0, 40))
def test_where_on_the_canvas_does_not_matter(canvas, dy, dx):
    moved = np.zeros((canvas.shape[0] + 40, canvas.shape[1] + 40), np.uint8)
    moved[dy : dy + canvas.shape[0], dx : dx + canvas.shape[1]] = canvas
    np.testing.assert_array_equal(preprocess_drawing(moved), preprocess_drawing(canvas))


# --- Empty and bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((280, 280), np.uint8),
        np.full((100, 80), 255, np.uint8),
        np.full((50, 50), 0.4),
        np.zeros((280, 280, 4), np.uint8),
        np.full((60, 60, 4), 255, np.uint8),
        np.zeros((10, 10), bool),
    ],
    ids=["black", "white", "grey", "transparent", "opaque white RGBA", "bool"],
)
def test_an_empty_canvas_says_so(image):
    with pytest.raises(ValueError, match="image is empty"):
        preprocess_drawing(image)


@pytest.mark.parametrize(
    "image, words",
    [
        (np.zeros((5, 5, 2)), "shape"),
        (np.zeros(10), "shape"),
        (np.zeros((0, 5)), "at least one pixel"),
        (np.array([["a", "b"]]), "numbers"),
        (np.full((4, 4), np.nan), "NaN"),
        (-np.ones((4, 4)), ">= 0"),
        (np.full((4, 4), 300.0), "0..255"),
        (None, "numbers"),
        ([[1, 2], [3]], "image"),
    ],
)
def test_bad_input_is_named(image, words):
    with pytest.raises(ValueError, match="image") as e:
        preprocess_drawing(image)
    assert words in str(e.value)


def test_bad_threshold_is_named():
    with pytest.raises(ValueError, match="threshold"):
        preprocess_drawing(np.eye(30), threshold=1.5)


def test_ink_reads_both_polarities():
    picture = np.zeros((20, 20), np.uint8)
    picture[5:15, 8:12] = 200
    np.testing.assert_allclose(ink(picture), picture / 255)
    np.testing.assert_allclose(ink(255 - picture), picture / 255)


# --- Receptive fields ---------------------------------------------------------------------------------


def test_receptive_field_sizes_match_the_layer_table():
    model = lecture_cnn()
    table = {r.name: r.receptive_field for r in layer_table(model)}
    for layer, (row, col) in {"2": (10, 10), "6": (6, 6), "10": (3, 3)}.items():
        top, left, bottom, right = receptive_field(model, f"{layer} ReLU", row, col)
        assert bottom - top + 1 == right - left + 1 == table[layer], layer


def _gradient_support(model, layer_index, row, col):
    """Input pixels whose change moves unit (row, col) of the layer's first map: torch's answer."""
    x = torch.rand(1, 1, 28, 28, requires_grad=True)
    out = model[: layer_index + 1](x)
    out[0, 0, row, col].backward()
    rows, cols = np.nonzero(x.grad[0, 0].numpy())
    return rows.min(), cols.min(), rows.max(), cols.max()


@pytest.mark.parametrize(
    "layer_index, row, col",
    [(2, 0, 0), (2, 27, 13), (6, 5, 9), (6, 13, 13), (10, 0, 6), (10, 3, 3), (3, 4, 4), (7, 2, 5)],
)
def test_receptive_field_is_what_the_gradient_reaches(layer_index, row, col):
    """A twin of the CNN with average pooling (the same windows, but every input counts) and positive weights,
    so no ReLU or max hides a pixel: the input pixels with a non-zero gradient are exactly the field."""
    torch.manual_seed(0)
    model = lecture_cnn()
    twin = nn.Sequential(*[nn.AvgPool2d(2) if isinstance(m, nn.MaxPool2d) else m for m in model])
    with torch.no_grad():
        for p in twin.parameters():
            p.copy_(p.abs() + 0.01)
    twin.eval()
    assert receptive_field(model, str(layer_index), row, col) == _gradient_support(twin, layer_index, row, col)


def test_receptive_field_bad_input():
    model = lecture_cnn()
    with pytest.raises(ValueError, match="layer"):
        receptive_field(model, "99", 0, 0)
    with pytest.raises(ValueError, match="layer 13"):
        receptive_field(model, "13", 0, 0)  # the linear layer: the whole image
    with pytest.raises(ValueError, match="row must be a whole number >= 0"):
        receptive_field(model, "2", -1, 0)


# --- The network's view and the pad -----------------------------------------------------------------


def test_network_input_is_to_tensors_of_the_digit(test_digits):
    from helpers.train import to_tensors

    digit = test_digits[0][0]
    torch.testing.assert_close(network_input(digit / 255), to_tensors(digit[None]))
    with pytest.raises(ValueError, match="digit"):
        network_input(np.zeros((20, 20)))


def test_look_gives_probabilities_and_every_blocks_maps():
    torch.manual_seed(0)
    model = lecture_cnn().eval()
    digit = load_mnist("test")[0][0] / 255
    probabilities, maps = look(model, digit)
    expected = torch.softmax(model(network_input(digit)), 1)[0].detach().numpy()
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5, atol=1e-7)
    assert [m.shape for m in maps.values()] == [(16, 28, 28), (32, 14, 14), (64, 7, 7)]
    relu1 = torch.relu(model[1](model[0](network_input(digit))))[0].detach().numpy()
    np.testing.assert_allclose(maps["2 ReLU"], relu1, rtol=1e-5, atol=1e-6)


def test_mosaic_places_each_map_in_its_tile():
    maps = np.random.default_rng(3).random((32, 14, 14))
    picture, (rows, cols) = mosaic(maps)
    assert (rows, cols) == (2, 16) and picture.shape == (2 * 14 + 1, 16 * 14 + 15, 4)
    assert (picture[14] == 255).all() and (picture[:, 14] == 255).all()  # white gaps between the tiles
    tiles = colour(maps, vmax=maps.max())  # one colour scale for the layer
    for i in (0, 5, 16, 31):
        r, q = divmod(i, 16)
        np.testing.assert_array_equal(picture[r * 15 : r * 15 + 14, q * 15 : q * 15 + 14], tiles[i])
    assert mosaic(np.zeros((64, 7, 7)))[1] == (4, 16) and mosaic(np.zeros((16, 28, 28)))[1] == (2, 8)


def test_colour_runs_from_dark_to_bright():
    picture = colour(np.array([[0.0, 0.5, 1.0]]), "gray")
    assert picture[0, :, 0].tolist() == [0, 127, 255] and (picture[..., 3] == 255).all()


def _one(size=DrawingPad.PAD):
    return [(0.53 * size, 0.15 * size), (0.51 * size, 0.5 * size), (0.49 * size, 0.86 * size)]


def _zero(size=DrawingPad.PAD):
    t = np.linspace(0, 2 * np.pi, 40)
    return list(zip(size * (0.5 + 0.25 * np.cos(t)), size * (0.5 + 0.36 * np.sin(t))))


def test_the_pad_reads_a_drawn_one_and_zero(trained):
    pad = DrawingPad(trained)
    assert pad.result["prediction"] is None and "Draw a digit" in pad.result["message"]
    assert pad.stroke(_one())["prediction"] == 1
    assert 'data-digit="1"' in pad.prediction.value
    pad.clear()
    assert pad.result["prediction"] is None and 'data-digit=""' in pad.prediction.value
    assert pad.stroke(_zero())["prediction"] == 0
    # What the pad shows is preprocess_drawing of its pixels, through the network.
    np.testing.assert_array_equal(pad.result["digit"], preprocess_drawing(pad.pixels()))
    np.testing.assert_allclose(pad.result["probabilities"], look(trained, pad.result["digit"])[0])


def test_the_pad_follows_mouse_and_touch_events(trained):
    pad = DrawingPad(trained)
    (x0, y0), (x1, y1), (x2, y2) = _one()
    pad.pad._mouse_down_callbacks(x0, y0)  # what ipycanvas calls on the browser's events
    pad.pad._mouse_move_callbacks(x1, y1)
    pad.pad._mouse_up_callbacks(x2, y2)
    mouse = pad.pixels().copy()
    assert pad.result["prediction"] == 1
    pad.clear()
    pad.pad._touch_start_callbacks([(x0, y0)])
    pad.pad._touch_move_callbacks([(x1, y1)])
    pad.pad._touch_move_callbacks([(x2, y2)])
    pad.pad._touch_end_callbacks([])
    np.testing.assert_array_equal(pad.pixels(), mouse)
    pad.pad._mouse_move_callbacks(10, 10)  # the pen is up: nothing is drawn
    np.testing.assert_array_equal(pad.pixels(), mouse)


def test_clicking_a_map_selects_its_unit_and_field():
    torch.manual_seed(0)
    pad = DrawingPad(lecture_cnn())
    pad.stroke(_one())
    s = pad._scales["6 ReLU"]  # block 2: 2 rows of 16 maps of 14×14, 1-pixel gaps
    pad.map_views["6 ReLU"]._mouse_down_callbacks((5 * 15 + 9.5) * s, (15 + 3.5) * s)
    assert pad.selected == ("6 ReLU", 16 + 5, 3, 9)
    # By hand: conv 2 reads rows 2..4 of pool 1, which reads rows 4..9 of conv 1, which reads rows 3..10.
    assert pad.result["field"] == receptive_field(pad.model, "6 ReLU", 3, 9) == (3, 15, 10, 22)
    assert "rows 3–10, columns 15–22" in pad.field_note.value
    pad.map_views["6 ReLU"]._mouse_down_callbacks(14.5 * s, 1 * s)  # a gap between maps: nothing changes
    assert pad.selected == ("6 ReLU", 21, 3, 9)
    with pytest.raises(ValueError, match="channel"):
        pad.select("2 ReLU", 16, 0, 0)


def test_pad_arguments_are_checked():
    model = lecture_cnn()
    with pytest.raises(ValueError, match="pad_size"):
        DrawingPad(model, pad_size=10)
    with pytest.raises(ValueError, match="pen"):
        DrawingPad(model, pen=0)
    with pytest.raises(ValueError, match="points"):
        DrawingPad(model).stroke([])
    with pytest.raises(ValueError, match=r"model .*pass its \[0\]"):
        DrawingPad((model, None))  # trained_lecture_cnn()'s (model, history), unpacked not
    with pytest.raises(ValueError, match="model must read one 28×28 digit"):
        DrawingPad(nn.Sequential(nn.Flatten(), nn.Linear(10, 10)))


@pytest.mark.parametrize("presenting", [False, True])
def test_the_pad_follows_the_explorer_scale(presenting):
    """On the projector (presenter()) every text of the pad is 18 px or more and block 3's maps are squares of 35 px;
    on a laptop the pad, its input view and the widest mosaic fit a 1366-px screen beside JupyterLab's sidebar."""
    import re

    from helpers import explorer

    explorer.presenter(presenting)
    try:
        pad = DrawingPad(lecture_cnn())
    finally:
        explorer.presenter(False)
    sizes = [int(px) for px in re.findall(r"font-size: (\d+)px", pad.widget.children[0].value)]
    bars = [int(px) for px in re.findall(r"height:(\d+)px", pad._bars_html(np.full(10, 0.1)))]
    last = pad.layers[-1]
    square = pad._shapes[last][2] * pad._scales[last]
    widest = max(view.width for view in pad.map_views.values())
    if presenting:
        assert min(sizes) >= 18 and min(bars) >= 16 and square >= 35 and pad.pad_size == 336
        assert pad.pen == round(DrawingPad.PEN * 336 / DrawingPad.PAD)  # as thick, relative to the pad
    else:
        assert min(sizes) >= 14 and pad.pad_size == DrawingPad.PAD and pad.pen == DrawingPad.PEN
        assert pad.pad_size + 14 + max(28 * pad.input_scale, 11 * 14) + 24 + widest <= 1366 - 330
