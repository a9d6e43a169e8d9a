"""The explorers' logic, headless: ipywidgets.interactive, set a control's value, read .result."""

import io

import hypothesis.extra.numpy as hnp
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from helpers.widgets import Message, control, digit_browser, explorer, int_slider


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_digit_browser_follows_the_slider():
    images = np.arange(5 * 4 * 4, dtype=np.uint8).reshape(5, 4, 4)
    labels = np.array([3, 1, 4, 1, 5])
    ui = digit_browser(images, labels)
    assert ui.result == {"index": 0, "label": 3}
    control(ui, "index").value = 4
    assert ui.result == {"index": 4, "label": 5}
    assert len(ui.timings_ms) == 2


def test_a_value_error_becomes_a_message_not_a_traceback():
    def draw(n):
        if n > 2:
            raise ValueError(f"n must be at most 2, got {n}")
        return n * 10

    ui = explorer(draw, n=int_slider("n", 1, 0, 5))
    assert ui.result == 10
    control(ui, "n").value = 4
    assert isinstance(ui.result, Message) and "n must be at most 2, got 4" in ui.result
    control(ui, "n").value = 2
    assert ui.result == 20


def test_other_errors_are_not_hidden():
    ui = explorer(lambda n: 1 // n, n=int_slider("n", 1, 0, 5))
    control(ui, "n").value = 0  # a bug, not a bad setting: interactive shows it as usual
    assert ui.result is None or not isinstance(ui.result, Message)


def test_control_names_the_choices_when_missing():
    ui = explorer(lambda n: n, n=int_slider("n", 1, 0, 5))
    with pytest.raises(KeyError, match="no control named 'stride'"):
        control(ui, "stride")


# --- the convolution explorer ------------------------------------------------------------------

from helpers.widgets import conv_explorer, conv_step  # noqa: E402 - imported where the tests that use it begin

SLIDE = [[1, 2, 3], [-4, 7, 4], [2, -5, 1]]
SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]


@pytest.fixture
def conv_ui():
    rng = np.random.default_rng(0)
    images = {"big": rng.integers(0, 255, (12, 12)).astype(float), "small": rng.random((4, 4))}
    return conv_explorer(images, {"slide": SLIDE, "sobel x": SOBEL_X, "gauss5": np.ones((5, 5)) / 25}), images


def torch_map(image, kernel, stride=1, padding=0, dilation=1):
    import torch
    import torch.nn.functional as F

    x = torch.tensor(image, dtype=torch.float64)[None, None]
    k = torch.tensor(np.asarray(kernel, float))[None, None]
    return F.conv2d(x, k, stride=stride, padding=padding, dilation=dilation)[0, 0].numpy()


def test_explorer_starts_with_the_first_image_and_kernel(conv_ui):
    ui, images = conv_ui
    np.testing.assert_allclose(ui.result["output"], torch_map(images["big"], SLIDE, padding=1))


@pytest.mark.parametrize(
    "name, value, expected_shape",
    [
        ("stride", 2, (6, 6)),
        ("stride", 3, (4, 4)),
        ("padding", 0, (10, 10)),
        ("padding", 3, (16, 16)),
        ("dilation", 2, (10, 10)),
        ("size", 5, (10, 10)),
    ],
)
def test_each_slider_changes_the_map_as_torch_does(conv_ui, name, value, expected_shape):
    ui, images = conv_ui
    control(ui, name).value = value
    settings = {"stride": 1, "padding": 1, "dilation": 1, name: value}
    kernel = np.pad(SLIDE, 1) if name == "size" else SLIDE
    settings.pop("size", None)
    assert ui.result["shape"] == expected_shape
    np.testing.assert_allclose(ui.result["output"], torch_map(images["big"], kernel, **settings))


def test_position_steps_the_window_cell_by_cell(conv_ui):
    ui, images = conv_ui
    control(ui, "stride").value = 2
    control(ui, "position").value = 8  # 6 cells a row: row 1, column 2
    r = ui.result
    assert r["position"] == (1, 2)
    padded = np.pad(images["big"], 1)
    np.testing.assert_array_equal(r["window"], padded[2:5, 4:7])
    assert r["value"] == pytest.approx(float(np.sum(padded[2:5, 4:7] * np.array(SLIDE))))
    assert r["value"] == pytest.approx(r["output"][1, 2])
    assert control(ui, "position").max == 6 * 6 - 1


def test_position_range_follows_the_output_size(conv_ui):
    ui, _ = conv_ui
    control(ui, "position").value = 143
    control(ui, "stride").value = 4  # 12 + 2 - 3 = 11 -> 11 // 4 + 1 = 3 cells a side
    assert control(ui, "position").max == 8
    assert ui.result["position"] == (2, 2)


def test_presets_and_the_editable_grid(conv_ui):
    ui, images = conv_ui
    control(ui, "kernel").value = "sobel x"
    assert [c.value for c in ui.kernel_cells] == list(np.ravel(SOBEL_X))
    np.testing.assert_allclose(ui.result["output"], torch_map(images["big"], SOBEL_X, padding=1))
    ui.kernel_cells[4].value = 10.0  # edit the centre cell
    edited = np.array(SOBEL_X, float)
    edited[1, 1] = 10
    np.testing.assert_allclose(ui.result["output"], torch_map(images["big"], edited, padding=1))
    control(ui, "kernel").value = "gauss5"
    assert ui.result["kernel"].shape == (5, 5) and ui.result["shape"] == (10, 10)
    control(ui, "kernel").value = "box blur"
    control(ui, "size").value = 2
    np.testing.assert_allclose(ui.result["kernel"], np.full((2, 2), 0.25))


def test_impossible_settings_show_the_message(conv_ui):
    ui, _ = conv_ui
    control(ui, "image").value = "small"
    control(ui, "padding").value = 0
    control(ui, "dilation").value = 3  # a 3x3 kernel spanning 7 on a 4x4 image
    assert isinstance(ui.result, Message) and ui.result.key == "conv-window-too-large"
    assert "size 3 with dilation 3 spans 7 pixels" in ui.result and "padding 0" in ui.result
    control(ui, "dilation").value = 1
    assert ui.result["shape"] == (2, 2)
    control(ui, "size").value = 1  # the slide kernel cannot shrink
    assert isinstance(ui.result, Message) and ui.result.key == "conv-kernel-too-small"
    assert "size 1 is smaller than the 3×3 kernel 'slide'" in ui.result


def test_conv_step_formula_has_the_numbers_filled_in():
    step = conv_step(np.zeros((7, 7)), np.ones((3, 3)), stride=2, padding=0)
    assert step["formula"] == "output size = ⌊(7 + 2·0 − 1·(3 − 1) − 1) / 2⌋ + 1 = 3"


# --- the filter and pooling explorers ------------------------------------------------------------

from helpers.widgets import filter_explorer, pool_explorer  # noqa: E402 - imported where the tests that use it begin


def test_filter_explorer_shows_the_map_and_its_relu():
    img = np.zeros((8, 8))
    img[:, 4:] = 1.0  # a vertical edge
    ui = filter_explorer({"edge": img, "flat": np.ones((8, 8))}, {"sobel x": SOBEL_X, "sobel y": np.transpose(SOBEL_X)})
    expected = torch_map(img, SOBEL_X, padding=1)
    np.testing.assert_allclose(ui.result["map"], expected)
    np.testing.assert_allclose(ui.result["relu"], np.maximum(expected, 0))
    assert ui.result["map"].min() < 0 and ui.result["relu"].min() == 0  # the zero padding makes a negative edge
    control(ui, "kernel").value = "sobel y"
    np.testing.assert_allclose(ui.result["map"][1:-1, 1:-1], 0)  # no horizontal edge inside
    ui.kernel_cells[0].value = 5.0
    np.testing.assert_allclose(ui.result["kernel"][0, 0], 5.0)
    control(ui, "image").value = "flat"
    np.testing.assert_allclose(ui.result["map"], torch_map(np.ones((8, 8)), ui.result["kernel"], padding=1))


def test_pool_explorer_follows_size_stride_kind_and_reports_bad_padding():
    import torch
    import torch.nn.functional as F

    fmap = np.random.default_rng(1).random((12, 12))
    ui = pool_explorer({"map": fmap})
    t = torch.from_numpy(fmap)[None, None]
    np.testing.assert_allclose(ui.result["pooled"], F.max_pool2d(t, 2)[0, 0].numpy())
    control(ui, "size").value = 3
    control(ui, "stride").value = 1
    assert ui.result["shape"] == (10, 10)
    control(ui, "kind").value = "average"
    np.testing.assert_allclose(ui.result["pooled"], F.avg_pool2d(t, 3, 1)[0, 0].numpy())
    control(ui, "padding").value = 2  # more than half of 3
    assert isinstance(ui.result, Message) and ui.result.key == "pool-padding"
    assert ui.result.startswith("padding 2 is more than half of size 3") and "kernel_size" not in ui.result
    control(ui, "size").value = 4
    assert ui.result["shape"] == (13, 13)


# --- the bugs of issue 13: a stale grid, unreachable messages, absurd cells --------------------------

from helpers import widgets as hw  # noqa: E402 - imported where the tests that use it begin


@pytest.mark.parametrize("name, expected", [("box blur", np.full(9, 1 / 9)), ("identity", np.eye(1, 9, 4)[0])])
def test_the_grid_shows_box_blur_and_identity_and_takes_edits(conv_ui, name, expected):
    ui, images = conv_ui
    control(ui, "kernel").value = "sobel x"
    control(ui, "kernel").value = name
    np.testing.assert_allclose([c.value for c in ui.kernel_cells], expected)  # not sobel's numbers
    np.testing.assert_allclose(ui.result["output"], torch_map(images["big"], expected.reshape(3, 3), padding=1))
    ui.kernel_cells[0].value = 2.0  # an edit counts
    edited = expected.reshape(3, 3).copy()
    edited[0, 0] = 2.0
    np.testing.assert_allclose(ui.result["kernel"], edited)
    np.testing.assert_allclose(ui.result["output"], torch_map(images["big"], edited, padding=1))
    control(ui, "size").value = 5  # box blur / identity made at 5x5: the 3x3 grid cannot show it
    assert ui.kernel_picker.grid.layout.visibility == "hidden" and "5×5" in ui.kernel_picker.label.value
    assert ui.result["kernel"].shape == (5, 5)
    control(ui, "size").value = 3
    assert ui.kernel_picker.grid.layout.visibility == "visible"
    np.testing.assert_allclose([c.value for c in ui.kernel_cells], expected)


def test_a_5x5_preset_hides_the_grid_and_grows_the_size(conv_ui):
    ui, _ = conv_ui
    control(ui, "kernel").value = "gauss5"
    assert control(ui, "size").value == 5 and ui.kernel_picker.grid.layout.visibility == "hidden"
    np.testing.assert_allclose(ui.result["kernel"], np.ones((5, 5)) / 25)
    control(ui, "kernel").value = "slide"
    assert ui.kernel_picker.grid.layout.visibility == "visible"
    assert [c.value for c in ui.kernel_cells] == list(np.ravel(SLIDE))


@pytest.mark.parametrize(
    "value, key",
    [
        (1e300, "cell-too-large"),
        (float("nan"), "cell-not-a-number"),
        (float("-inf"), "cell-not-a-number"),
        (-1001.0, "cell-too-large"),
    ],
)
def test_absurd_cell_values_are_refused_with_a_message(conv_ui, value, key):
    ui, _ = conv_ui
    ui.kernel_cells[5].value = value
    assert isinstance(ui.result, Message) and ui.result.key == key
    assert "row 2, column 3" in ui.result and "between -1000 and 1000" in ui.result
    ui.kernel_cells[5].value = 1000.0  # the largest allowed value draws
    assert not isinstance(ui.result, Message) and ui.result["kernel"][1, 2] == 1000


def _reach_every_message():
    """Reach each message of MESSAGES from the explorers' controls; returns key -> the Message."""
    rng = np.random.default_rng(2)
    seen = {}

    def note(ui):
        assert isinstance(ui.result, Message), ui.result
        seen[ui.result.key] = ui.result

    ui = conv_explorer({"digit": rng.random((28, 28))}, {"slide": SLIDE})
    for name, v in [("padding", 0), ("size", 7), ("dilation", 5)]:  # 5·6 + 1 = 31 > 28: the notebook's case
        control(ui, name).value = v
    note(ui)
    control(ui, "dilation").value = 1
    control(ui, "size").value = 2
    note(ui)
    control(ui, "size").value = 3
    ui.kernel_cells[0].value = float("nan")
    note(ui)
    ui.kernel_cells[0].value = 1e300
    note(ui)
    f = filter_explorer({"a": rng.random((8, 8))}, {"sobel x": SOBEL_X})
    f.kernel_cells[8].value = 1e300
    assert isinstance(f.result, Message) and f.result.key == "cell-too-large"
    p = pool_explorer({"small map": rng.random((4, 4))})
    control(p, "size").value = 1
    control(p, "padding").value = 1
    note(p)
    control(p, "padding").value = 0
    control(p, "size").value = 6
    note(p)
    return seen


def test_every_message_is_reachable_from_the_controls_and_names_them():
    seen = _reach_every_message()
    assert set(seen) == set(hw.MESSAGES)
    api_words = ("kernel_size", "x must", "weight", "2*", "got ")
    for key, text in seen.items():
        assert not any(word in text for word in api_words), (key, text)
    names = {
        "conv-window-too-large": ["size", "dilation", "padding"],
        "conv-kernel-too-small": ["size", "kernel"],
        "pool-padding": ["padding", "size"],
        "pool-window-too-large": ["size", "padding"],
    }
    for key, words in names.items():
        assert all(f"{word} " in seen[key] for word in words), (key, seen[key])


def test_messages_go_through_the_language_switch(monkeypatch):
    from helpers import i18n

    key = "pool-padding"
    monkeypatch.setitem(__import__("helpers.i18n_ru", fromlist=["RU"]).RU, hw.MESSAGES[key], "ПАДДИНГ {padding}")
    i18n.set_language("ru")
    try:
        p = pool_explorer({"m": np.ones((6, 6))})
        control(p, "size").value = 1
        control(p, "padding").value = 1
        assert p.result == "ПАДДИНГ 1"
    finally:
        i18n.set_language("en")


def test_controls_are_laid_out_by_name_not_by_position(conv_ui):
    ui, _ = conv_ui
    boxes = ui.children[1:-2]
    rows = [[d.description for d in _leaves(b) if hasattr(d, "description") and d.description] for b in boxes]
    assert rows[0][:6] == ["image", "kernel", "size", "stride", "padding", "dilation"]
    assert rows[1] == ["play", "position", "speed (steps/s)"]
    assert ui.children[-2] is ui.picture and ui.children[-1] is ui.out
    assert set(ui.controls) == {"image", "kernel", "size", "stride", "padding", "dilation", "position"}


def _leaves(widget):
    for child in getattr(widget, "children", ()):
        yield child
        yield from _leaves(child)


def test_play_walks_the_position_and_speed_sets_its_interval(conv_ui):
    ui, _ = conv_ui
    control(ui, "stride").value = 2
    assert ui.play.max == control(ui, "position").max == 35
    ui.play.value = 7  # what the browser's Play button does each tick
    assert control(ui, "position").value == 7 and ui.result["position"] == (1, 1)
    ui.speed.value = 10
    assert ui.play.interval == 100
    ui.speed.value = 1
    assert ui.play.interval == 1000


def test_the_static_picture_is_in_the_output_next_to_the_widget(conv_ui):
    ui, _ = conv_ui
    bundle = ui._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    import io

    from PIL import Image

    width, height = Image.open(io.BytesIO(bundle["image/png"])).size
    assert width == round(11 * hw.STILL.dpi) and height < width  # the still: drawn for a deck's slide


def test_every_explorers_still_has_text_of_20px_or_more_on_a_1280px_slide(still_fits_a_slide):
    rng = np.random.default_rng(0)
    maps = {"map": rng.random((26, 26))}
    for ui in (
        conv_explorer({"big": rng.random((28, 28))}, {"slide": SLIDE}),
        filter_explorer(maps, {"slide": SLIDE}),
        pool_explorer(maps),
        digit_browser(rng.integers(0, 256, (3, 28, 28)), np.arange(3)),
    ):
        still_fits_a_slide(ui)


def test_an_explorer_whose_still_fails_shows_its_first_picture():
    calls = []

    @hw.with_still
    def make():
        calls.append(hw.scale().name)
        if hw.scale() is hw.STILL:
            raise RuntimeError("no still today")
        return digit_browser(np.zeros((2, 28, 28), np.uint8), np.arange(2))

    ui = make()
    bundle = ui._repr_mimebundle_()
    assert calls == ["laptop", "still"] and bundle["image/png"] == ui.static_png == ui.still_png


def test_an_explorer_without_a_still_shows_its_first_picture():
    def draw(n, show):
        fig = plt.figure(figsize=(2, 2))
        plt.title(str(n))
        show(fig, close=True)

    ui = explorer(draw, n=int_slider("n", 1, 0, 3))
    ui.controls["n"].value = 2
    assert ui.make_still is None and ui.still_png == ui.static_png != ui.last_png


def _png_size(png: bytes) -> tuple[int, int]:
    import io

    from PIL import Image

    return Image.open(io.BytesIO(png)).size


@pytest.fixture
def presenter_scale():
    hw.presenter(True)
    yield hw.PRESENTER
    hw.presenter(False)


def test_presenter_scale_text_is_16px_or_more(presenter_scale):
    s = presenter_scale
    assert hw._px(s.font_pt, s.dpi) >= 16 and s.widget_px >= 16
    ui = conv_explorer({"big": np.random.default_rng(0).random((28, 28))}, {"slide": SLIDE})
    assert ui.scale is s and "cnn-explorer-presenter" in ui._dom_classes
    fig = ui.figure
    for n in (3, 5, 7):  # the numbers inside the window × kernel cells, at every kernel size
        control(ui, "size").value = n
        sizes = [t.get_fontsize() for t in fig.texts]
        assert min(sizes) * s.dpi / 72 >= 16, (n, min(sizes))
    width, _ = _png_size(ui.static_png)
    assert width <= 1700  # the picture, as drawn, fits the notebook's width on a 1920 px screen


def test_laptop_scale_fits_a_1366_screen():
    s = hw.LAPTOP
    assert hw.scale() is s
    maps = {"map": np.random.default_rng(0).random((26, 26))}
    for ui in (conv_explorer(maps, {"slide": SLIDE}), filter_explorer(maps, {"slide": SLIDE}), pool_explorer(maps)):
        width, height = _png_size(ui.static_png)  # every explorer's picture, as drawn
        assert width <= 1000 and height <= 380, (width, height)
    assert hw._px(s.font_pt, s.dpi) >= 13
    ui = conv_explorer({"big": np.random.default_rng(0).random((28, 28))}, {"slide": SLIDE})
    fig = ui.figure
    for n in (3, 7):
        control(ui, "size").value = n
        assert min(t.get_fontsize() for t in fig.texts) * s.dpi / 72 >= 11, n


def test_presenter_refuses_a_non_boolean():
    with pytest.raises(ValueError, match="on must be True or False"):
        hw.presenter("yes")


def test_moving_the_window_redraws_the_same_pixels_as_a_full_redraw(conv_ui):
    import io

    from PIL import Image

    ui, _ = conv_ui
    control(ui, "position").value = 40  # drawn over the saved background (blitting)
    fast = np.asarray(Image.open(io.BytesIO(ui.last_png)))
    ui.figure._background = None  # force a full draw of the same state
    ui.update()
    full = np.asarray(Image.open(io.BytesIO(ui.last_png)))
    np.testing.assert_array_equal(fast, full)


def test_make_lab_presenter_switch_reaches_the_kernel():
    import os
    import subprocess
    import sys

    code = "import helpers.widgets as w, matplotlib.pyplot as plt; print(w.scale().name, plt.rcParams['figure.dpi'])"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "CNN_PRESENTER": "1", "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["presenter", str(float(hw.PRESENTER.figure_dpi))]


@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=40).map(lambda s: (*s, 3))))
@example(np.zeros((1, 1, 3), np.uint8))
@example(np.full((600, 1650, 3), 255, np.uint8))
def test_the_explorers_png_is_read_back_exactly_by_pil(rgb):
    from PIL import Image

    from helpers.explorer import png

    back = Image.open(io.BytesIO(png(rgb)))
    assert back.mode == "RGB" and back.size == (rgb.shape[1], rgb.shape[0])
    np.testing.assert_array_equal(np.asarray(back), rgb)


@pytest.mark.parametrize(
    "bad",
    [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8), np.zeros((4, 4, 3)), np.zeros((0, 4, 3), np.uint8)],
)
def test_the_explorers_png_refuses_what_is_not_an_rgb_picture(bad):
    from helpers.explorer import png

    with pytest.raises(ValueError, match="rgb must be"):
        png(bad)


def test_a_message_takes_the_pictures_place_and_gives_it_back():
    from helpers.explorer import figure_png

    fig = plt.figure(figsize=(1, 1))

    def draw(n, show):
        if n > 2:
            raise ValueError(f"n must be at most 2, got {n}")
        fig.clear()
        fig.text(0.5, 0.5, str(n))
        show(fig)
        return n

    ui = explorer(draw, n=int_slider("n", 1, 0, 5))
    first = ui.picture.value
    assert ui.picture.layout.display is None and first == ui.static_png == figure_png(fig)
    control(ui, "n").value = 4
    assert isinstance(ui.result, Message) and ui.picture.layout.display == "none"
    (message,) = ui.out.outputs  # the message is the output area's only output, in its orange box
    assert (
        "n must be at most 2, got 4" in message["data"]["text/html"]
        and "explorer-message" in message["data"]["text/html"]
    )
    control(ui, "n").value = 3
    assert len(ui.out.outputs) == 1 and "got 3" in ui.out.outputs[0]["data"]["text/plain"]  # replaced, not added
    control(ui, "n").value = 2
    assert ui.result == 2 and ui.picture.layout.display is None and ui.out.outputs == ()
    assert ui.picture.value == ui.last_png != first and ui.static_png == first


def test_the_explorer_canvas_draws_the_same_pixels_as_agg_however_often_a_text_comes_back():
    """ExplorerCanvas composites a text drawn before from its kept glyphs: the picture must be RendererAgg's,
    pixel for pixel, through changes of text, colour, place, size and rotation, and with mathtext beside."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from helpers.explorer_figures import ExplorerCanvas

    def picture(canvas_class, states):
        fig = Figure(figsize=(4, 3), dpi=150)
        canvas = canvas_class(fig)
        ax = fig.subplots()
        ax.imshow(np.arange(16.0).reshape(4, 4), cmap="RdBu_r")
        title, label = ax.set_title(""), fig.text(0.1, 0.05, "", rotation=0)
        ax.text(0.5, 0.5, r"$\sum_i w_i x_i$", transform=ax.transAxes)
        out = []
        for text, colour, x, size, rotation in states:
            title.set_text(text)
            title.set_color(colour)
            label.set_text(f"{text}\n×{size}")
            label.set_position((x, 0.05))
            label.set_fontsize(size)
            label.set_rotation(rotation)
            canvas.draw()
            out.append(np.asarray(canvas.buffer_rgba()).copy())
        return out

    states = [
        ("map 26×26", "black", 0.1, 11, 0),
        ("summed = −3.5", "tab:red", 0.1003, 11, 0),  # a sub-pixel move
        ("map 26×26", "white", 0.1, 11, 0),  # back again, another colour
        ("map 26×26", "black", 0.1, 14, 30),
        ("map 26×26", "black", 0.1, 11, 0),
        ("map 26×26", "black", 0.3, 11, 0),  # the same text elsewhere
    ]
    for kept, plain in zip(picture(ExplorerCanvas, states), picture(FigureCanvasAgg, states)):
        np.testing.assert_array_equal(kept, plain)


def _panels(data, fast, dpi, alpha, interpolation, cmap):
    """Two panels of `data` (a square and a wide one), drawn by matplotlib's imshow or as NearestImages."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from helpers.explorer_figures import NearestImage, fast_image

    fig = Figure(figsize=(4, 2), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    for box in ([0.02, 0.1, 0.4, 0.8], [0.5, 0.3, 0.48, 0.5]):
        ax = fig.add_axes(box)
        im = ax.imshow(data, cmap=cmap, interpolation=interpolation, alpha=alpha)
        if fast:
            assert isinstance(fast_image(im), NearestImage)
        ax.set_axis_off()  # the image's pixels only, no frame drawn over its edge
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=40),
        elements={"min_value": -5, "max_value": 5, "allow_nan": False},
    ),
    st.sampled_from([72, 88, 115, 150]),
    st.sampled_from([None, 0.7]),
    st.sampled_from(["nearest", "auto", "bilinear"]),
    st.sampled_from(["gray", "RdBu_r", "magma"]),
)
@example(np.arange(6.0).reshape(2, 3), 150, None, "nearest", "gray")
@example(np.arange(96.0 * 96).reshape(96, 96), 88, None, "auto", "gray")  # under 3× enlarged: matplotlib smooths
def test_a_nearest_image_draws_the_pixels_imshow_draws(data, dpi, alpha, interpolation, cmap):
    plain = _panels(data, False, dpi, alpha, interpolation, cmap)
    fast = _panels(data, True, dpi, alpha, interpolation, cmap)
    # the same pixels, but where a cell's edge lies exactly on a pixel's centre: there Agg's fixed-point sampling
    # and numpy's may take different sides, and that pixel has its neighbour's colour (none differ in most examples)
    _assert_the_same_but_for_edges_on_pixel_centres(plain, fast)


def _assert_the_same_but_for_edges_on_pixel_centres(plain, fast):
    """Every pixel equal, but where a cell's edge lies on a pixel's centre and the two samplers take different
    sides: such a pixel has the colour of a pixel beside it (diagonals included: two edges) in the other picture.
    A flipped, shifted or mis-coloured picture fails."""
    differ = np.argwhere(np.any(plain != fast, axis=2))
    padded = np.pad(plain, ((1, 1), (1, 1), (0, 0)), mode="edge")
    for y, x in differ:
        neighbours = [padded[y + 1 + dy, x + 1 + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
        assert any((fast[y, x] == n).all() for n in neighbours), (y, x, fast[y, x], plain[y, x])


def test_a_nearest_image_moves_an_edge_on_a_pixel_centre_by_one_pixel_at_most():
    # 96 cells on about 240 pixels: 2.5 pixels a cell, an edge on a pixel's centre every second cell
    data = np.random.default_rng(0).random((96, 96))
    plain = _panels(data, False, 150, None, "nearest", "magma")
    fast = _panels(data, True, 150, None, "nearest", "magma")
    assert (plain != fast).any()  # the ties are there, and go differently in places
    _assert_the_same_but_for_edges_on_pixel_centres(plain, fast)
    # ... and the test itself catches a picture moved by one cell
    with pytest.raises(AssertionError):
        _assert_the_same_but_for_edges_on_pixel_centres(plain, np.roll(plain, 3, axis=1))
