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
