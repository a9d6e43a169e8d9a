"""The live explorers: sliders that redraw a figure, for the instructor to move in class.

Every explorer is `ipywidgets.interactive` around a function that computes and draws. When the
chosen values are impossible (a kernel larger than the padded image, say), the helpers raise
ValueError, and the explorer shows that message where the plot would be, never a traceback.
The function's return value (`explorer.result`) is what the tests read: the computed arrays, or
a `Message` with the text shown.
"""

from __future__ import annotations

import html
import time

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display


class Message(str):
    """What an explorer shows instead of a plot when the chosen values do not work together."""


def show_message(text: str) -> Message:
    display(HTML(
        '<div class="explorer-message" style="border:2px solid #d9822b;background:#fff6e5;'
        'padding:10px 14px;border-radius:6px;font-size:14px;max-width:720px">'
        f"<b>These settings do not work together:</b><br>{html.escape(text)}</div>"))
    return Message(text)


def explorer(fn, **controls) -> w.interactive:
    """interactive(fn, **controls), with ValueError shown as a message and each update timed.

    The returned widget has `.timings_ms`, the compute-and-draw time of every update so far.
    """
    timings: list[float] = []

    def run(**values):
        t0 = time.perf_counter()
        try:
            return fn(**values)
        except ValueError as e:
            plt.close("all")
            return show_message(str(e))
        finally:
            timings.append((time.perf_counter() - t0) * 1000)

    ui = w.interactive(run, **controls)
    ui.timings_ms = timings
    return ui


def control(ui: w.interactive, description: str) -> w.Widget:
    """The child widget of an explorer with this description (for tests and for linking)."""
    for child in ui.children:
        if getattr(child, "description", None) == description:
            return child
    raise KeyError(f"no control named {description!r}; have {[c.description for c in ui.children[:-1]]}")


def int_slider(description, value, lo, hi, step=1, **kw):
    return w.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                       continuous_update=kw.pop("continuous_update", True),
                       style={"description_width": "initial"}, **kw)


def digit_browser(images, labels):
    """A slider over MNIST digits: the digit as an image and its label. Used in 00 to check widgets work."""
    images, labels = np.asarray(images), np.asarray(labels)

    def draw(index):
        fig, ax = plt.subplots(figsize=(2.6, 2.6))
        ax.imshow(images[index], cmap="gray")
        ax.set_title(f"digit #{index}: label {labels[index]}")
        ax.axis("off")
        plt.show()
        return {"index": index, "label": int(labels[index])}

    return explorer(draw, index=int_slider("index", 0, 0, len(images) - 1))
