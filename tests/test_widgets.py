"""The explorers' logic, headless: ipywidgets.interactive, set a control's value, read .result."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

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

from helpers.widgets import conv_explorer, conv_step  # noqa: E402

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


@pytest.mark.parametrize("name, value, expected_shape", [
    ("stride", 2, (6, 6)), ("stride", 3, (4, 4)), ("padding", 0, (10, 10)), ("padding", 3, (16, 16)),
    ("dilation", 2, (10, 10)), ("size", 5, (10, 10)),
])
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
    assert isinstance(ui.result, Message) and "larger than the padded input" in ui.result
    control(ui, "dilation").value = 1
    assert ui.result["shape"] == (2, 2)
    control(ui, "size").value = 1  # the slide kernel cannot shrink
    assert isinstance(ui.result, Message) and "kernel size" in ui.result


def test_conv_step_formula_has_the_numbers_filled_in():
    step = conv_step(np.zeros((7, 7)), np.ones((3, 3)), stride=2, padding=0)
    assert step["formula"] == "output size = ⌊(7 + 2·0 − 1·(3 − 1) − 1) / 2⌋ + 1 = 3"


# --- the filter and pooling explorers ------------------------------------------------------------

from helpers.widgets import filter_explorer, pool_explorer  # noqa: E402


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
    assert isinstance(ui.result, Message) and "padding must be at most half of kernel_size" in ui.result
    control(ui, "size").value = 4
    assert ui.result["shape"] == (13, 13)
