"""An explorer: sliders that redraw a figure, for the instructor to move in class (the framework; the explorers
themselves are in helpers.widgets).

`explorer(fn, **controls)` is `ipywidgets.interactive` around a function that computes and draws. When the chosen
values cannot work together (a window larger than the padded image, say), fn raises ValueError and the explorer
shows its text where the picture would be, never a traceback. fn's return value (`ui.result`) is what the tests
read: the computed arrays, or the `Message` shown.

Two scales: the default fits a 1366×768 laptop; `presenter()` (or `make lab PRESENTER=1`) draws the explorers and
figures made after it for a 1920×1080 projector (text of 16 px and more).

A committed notebook stores no widget state, so an explorer also carries a static picture of its first view
(`image/png` next to the widget in its output): GitHub, nbviewer, the decks and a freshly opened notebook show that
picture; the live widget takes its place once the cell runs. It is drawn at a third scale, `STILL`, for a deck's
1280-px slide (an explorer made by a factory marked `@with_still`; any other shows its first picture). The live
picture comes from fn: an fn that takes a `show` argument is given a function that puts a figure into the
explorer's one picture (an ipywidgets.Image whose bytes each change replaces) and keeps it for the explorer
(`.static_png`, the first; `.last_png`, the latest), nothing kept anywhere else.
"""

from __future__ import annotations

import functools
import html
import inspect
import os
import struct
import time
import zlib
from dataclasses import dataclass

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display

from helpers.i18n import tr

# --- Scale: laptop or projector -----------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How large the explorers draw. Figure text is in points: on screen it is pt × dpi / 72 pixels."""

    name: str
    dpi: int  # explorer figures: 11 in wide -> 11 × dpi pixels
    font_pt: float  # titles, formula, colour-bar ticks
    widget_px: int  # the controls' text
    control_px: int  # the height of a control row
    slider_px: int  # a slider's width
    figure_dpi: int  # other matplotlib figures (rcParams["figure.dpi"])


#: Fits a 1366×768 laptop: an explorer about 970 px wide and under 560 px tall.
LAPTOP = Scale("laptop", dpi=88, font_pt=11, widget_px=14, control_px=30, slider_px=220, figure_dpi=72)
#: For a 1920×1080 projector: an explorer about 1650 px wide, all its text 16 px or more.
PRESENTER = Scale("presenter", dpi=150, font_pt=11, widget_px=20, control_px=40, slider_px=480, figure_dpi=110)

#: The static picture of a first view (the decks, GitHub, a notebook before it runs): an 11-inch figure is 1,265 px
#: wide, so a deck's 1280-px slide (1,272 px for a picture) shows it at its own size, and its smallest text is
#: 13 pt = 20.8 px there. (At the other scales' proportions no text could reach 20 px on that slide: 11 pt on
#: 11 inches is 17.8 px at 1280 px.)
STILL = Scale("still", dpi=115, font_pt=13, widget_px=14, control_px=30, slider_px=220, figure_dpi=72)
#: A deck's slide width (tools/slides.py), for which STILL draws.
SLIDE_PX = 1280

_scale = PRESENTER if os.environ.get("CNN_PRESENTER", "") not in ("", "0") else LAPTOP


def presenter(on: bool = True) -> Scale:
    """Draw the explorers (and matplotlib figures) made from now on for a projector, or, with False, for a
    laptop again. Returns the scale in use. `make lab PRESENTER=1` starts every notebook this way."""
    global _scale
    if not isinstance(on, (bool, np.bool_)):
        raise ValueError(f"on must be True or False, got {on!r}")
    _scale = PRESENTER if on else LAPTOP
    plt.rcParams["figure.dpi"] = _scale.figure_dpi
    return _scale


if _scale is PRESENTER:  # make lab PRESENTER=1
    plt.rcParams["figure.dpi"] = PRESENTER.figure_dpi


def scale() -> Scale:
    """The scale explorers are drawn at now."""
    return _scale


def _px(pt: float, dpi: float) -> float:
    return pt * dpi / 72


def _style(s: Scale) -> w.HTML:
    """CSS for the controls of explorers at scale `s` (ipywidgets reads these variables)."""
    cls = f"cnn-explorer-{s.name}"
    return w.HTML(
        f"<style>.{cls} {{ --jp-widgets-font-size: {s.widget_px}px; "
        f"--jp-widgets-inline-height: {s.control_px}px; --jp-widgets-inline-width: {s.slider_px + 120}px; "
        f"--jp-widgets-inline-width-short: {s.slider_px // 2}px; --jp-widgets-inline-label-width: 90px; "
        f"--jp-widgets-slider-handle-size: {s.widget_px}px; font-size: {s.widget_px}px; }}"
        f".{cls} .widget-label, .{cls} .widget-readout, .{cls} input, .{cls} select, .{cls} button "
        f"{{ font-size: {s.widget_px}px !important; }}"
        f".{cls} .widget-slider .noUi-target {{ height: {max(4, s.widget_px // 3)}px; }}"
        # A row of controls wider than the notebook (a narrow window, the file browser open) wraps onto the next
        # line; nothing in it is squeezed, which would hide a slider's number or cut a label.
        f".{cls} .widget-hbox {{ flex-wrap: wrap; row-gap: 4px; }}"
        f".{cls} .widget-hbox > *, .{cls} .widget-vbox > * {{ flex-shrink: 0; }}"
        f".{cls} .widget-readout {{ min-width: {s.widget_px * 3}px; overflow: visible; }}</style>",
        layout=w.Layout(height="0px", margin="0px"),
    )


# --- Drawing and messages ---------------------------------------------------------------------------


def png(rgb) -> bytes:
    """An RGB picture (height × width × 3, uint8) as a PNG: every row unfiltered, zlib at level 1.

    PIL's encoder tries a filter on every row, which for an explorer's figure (flat colours, 1650×600 at the
    presenter scale) took longer than the compression itself: this is about twice as fast, for a file about
    as large. Any PNG reader gives back exactly `rgb` (tests/test_widgets.py checks it with PIL)."""
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8 or 0 in rgb.shape:
        raise ValueError(f"rgb must be a non-empty height × width × 3 array of uint8, got {rgb.dtype} {rgb.shape}")
    h, w_ = rgb.shape[:2]
    rows = np.zeros((h, 1 + 3 * w_), np.uint8)  # each row: filter type 0 (none), then its pixels
    rows[:, 1:] = rgb.reshape(h, -1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", w_, h, 8, 2, 0, 0, 0)  # 8 bits, RGB, no interlacing
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b"")


def figure_png(fig, drawn: bool = False) -> bytes:
    """A figure as a PNG (one render, no 'tight' bounding-box pass). drawn=True: the figure's Agg canvas already
    holds the picture (see helpers.explorer_figures.ConvFigure.render)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    if not drawn:
        canvas.draw()
    return png(np.asarray(canvas.buffer_rgba())[..., :3])


class Message(str):
    """What an explorer shows instead of a plot when the chosen values do not work together; `.key` is the
    key of the message in its explorer's table (helpers.widgets.MESSAGES), None for any other ValueError."""

    key: str | None = None


def message_html(text: str) -> str:
    """An explorer's message as HTML: `text` in an orange box, at the scale's text size."""
    px = _scale.widget_px
    return (
        f'<div class="explorer-message" style="border:2px solid #d9822b;background:#fff6e5;'
        f'padding:10px 14px;border-radius:6px;font-size:{px}px;line-height:1.4;max-width:{_scale.dpi * 9}px">'
        f"<b>{html.escape(tr('These settings do not work together:'))}</b><br>{html.escape(text)}</div>"
    )


def show_message(text: str, key: str | None = None, out: w.Output | None = None) -> Message:
    """Show `text` where an explorer's picture would be, in an orange box: as the only output of `out` (an
    explorer's output area), else displayed; return it as a Message."""
    if out is None:
        display(HTML(message_html(text)))
    else:
        shown = {"text/html": message_html(text), "text/plain": text}
        out.outputs = ({"output_type": "display_data", "data": shown, "metadata": {}},)
    m = Message(text)
    m.key = key
    return m


class Explorer(w.interactive):
    """`ipywidgets.interactive` that also carries a static PNG of its first view in its output, for
    pages without the live widget (GitHub, nbviewer, the decks, a notebook opened before it runs)."""

    pictures: list[bytes] | tuple = ()  # explorer() keeps here the first picture fn showed, and the latest
    make_still = None  # with_still sets it: the same explorer made again at the STILL scale
    _still: bytes | None = None
    _figures: list | tuple = (None,)  # explorer() keeps here the figure fn showed last

    @property
    def last_figure(self):
        """The matplotlib figure shown last (None before fn showed one)."""
        return self._figures[0]

    @property
    def static_png(self) -> bytes | None:
        """The first view, as a PNG (None when fn showed no figure)."""
        return self.pictures[0] if self.pictures else None

    @property
    def last_png(self) -> bytes | None:
        """The view shown now, as a PNG."""
        return self.pictures[-1] if self.pictures else None

    def __init__(self, fn, made: list | None = None, **controls):
        if made is not None:
            made.append(self)
        super().__init__(fn, **controls)

    @property
    def still_png(self) -> bytes | None:
        """The first view drawn at the STILL scale, made the first time it is asked for (the picture a page
        without the live widget shows); the first picture itself for an explorer without `make_still`."""
        if self._still is None and self.make_still is not None:
            try:
                self._still = self.make_still().static_png
            except Exception as e:  # the live explorer works: showing it must not fail for its picture
                self.log.warning("the explorer's still could not be drawn (%s); its first picture stands in", e)
                self._still = b""
        return self._still or self.static_png

    def update(self, *args):
        """interactive.update, without `with self.out` around each call: that context sends the page two messages
        on every change (the output widget starts and stops capturing), and the explorer's output area holds only
        its message, which explorer() writes there itself. An unexpected error still shows there."""
        self.kwargs = {widget._kwarg: widget.get_interact_value() for widget in self.kwargs_widgets}
        try:
            self.result = self.f(**self.kwargs)
        except Exception as e:
            from IPython import get_ipython

            ip = get_ipython()
            if ip is None:
                self.log.warning("Exception in interact callback: %s", e, exc_info=True)
            else:
                with self.out:
                    ip.showtraceback()

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None and self.still_png:
            bundle = dict(bundle)
            bundle["image/png"] = self.still_png
        return bundle


def with_still(factory):
    """Mark an explorer factory whose explorers carry a still (`Explorer.still_png`): the factory called again,
    with the same arguments, at the STILL scale. That twin's widgets are closed at once; its figure stays
    readable as `twin.last_figure` (the tests measure its text)."""

    @functools.wraps(factory)
    def make(*args, **kwargs):
        ui = factory(*args, **kwargs)
        ui.make_still = functools.partial(_made_at_still_scale, factory, args, kwargs)
        return ui

    return make


def _made_at_still_scale(factory, args, kwargs) -> Explorer:
    from ipywidgets.widgets.widget import _instances

    global _scale
    before, saved = set(_instances), _scale
    _scale = STILL
    try:
        twin = factory(*args, **kwargs)
    finally:
        _scale = saved
        for key in set(_instances) - before:  # the twin's widgets: never displayed
            widget = _instances.get(key)
            if widget is not None:
                widget.close()
    return twin


def explorer(fn, **controls) -> Explorer:
    """interactive(fn, **controls), with ValueError shown as a message and each update timed.

    An fn with a `show` argument gets `show(fig, close=False, drawn=False)`: it puts the figure's PNG into the
    explorer's picture (`ui.picture`, an ipywidgets.Image kept for the explorer's life: a change replaces its
    bytes, and the browser swaps one image instead of rebuilding an output area) and keeps it for the explorer.
    A message is shown in `ui.out` in the picture's place. The returned widget has `.controls` (name -> widget),
    `.timings_ms` (the compute-and-draw time of every update so far), `.static_png` (the first view, shown where
    widgets cannot run) and `.last_png` (the view shown now).
    """
    timings: list[float] = []
    busy: list[bool] = []
    pictures: list[bytes] = []  # the first picture fn showed, and the latest
    figures: list = [None]  # the figure shown last
    takes_show = "show" in inspect.signature(fn).parameters
    # Its own size (never stretched to the row), shrunk to fit a narrower notebook.
    picture = w.Image(
        format="png", layout=w.Layout(display="none", max_width="100%", height="auto", align_self="flex-start")
    )
    picture.add_class("cnn-picture")
    made: list[Explorer] = []  # the explorer, once it exists (Explorer.__init__ puts it here before its first view)

    def show(fig, close: bool = False, drawn: bool = False) -> bytes:
        data = figure_png(fig, drawn)
        figures[0] = fig
        if close:
            plt.close(fig)
        picture.value = data
        if picture.layout.display is not None:  # hidden: before the first view, or behind a message
            made[0].out.outputs = ()  # the picture takes the message's place
            picture.layout.display = None
        pictures[1:] = [data]
        if len(pictures) == 1:  # the first picture stays first
            pictures.insert(0, data)
        return data

    def run(**values):
        if busy:  # fn itself moved a control (a slider's range, say): the call under way draws once
            return None
        busy.append(True)
        t0 = time.perf_counter()
        try:
            return fn(**values, show=show) if takes_show else fn(**values)
        except ValueError as e:
            picture.layout.display = "none"
            return show_message(str(e), getattr(e, "key", None), made[0].out)
        finally:
            timings.append((time.perf_counter() - t0) * 1000)
            busy.pop()

    ui = Explorer(run, made, **controls)  # runs fn once: the first view
    ui.picture = picture
    ui.children = (*ui.children[:-1], picture, ui.out)
    ui.pictures = pictures
    ui._figures = figures
    ui.controls = dict(controls)
    ui.timings_ms = timings
    ui.scale = _scale
    ui.add_class(f"cnn-explorer-{_scale.name}")
    return ui


def control(ui: w.interactive, name: str) -> w.Widget:
    """The control of an explorer by its argument name or its description (for tests and for linking)."""
    named = getattr(ui, "controls", {})
    if name in named:
        return named[name]
    for child in ui.kwargs_widgets:  # the controls, wherever the layout put them
        if child.description == name:
            return child
    have = list(named) or [c.description for c in ui.kwargs_widgets]
    raise KeyError(f"no control named {name!r}; have {have}")


def lay_out(ui: w.interactive, *rows) -> None:
    """Arrange an explorer's controls in rows (boxes built from `ui.controls` by name), its picture below."""
    ui.children = (_style(ui.scale), *rows, ui.picture, ui.out)


def int_slider(description, value, lo, hi, step=1, **kw):
    """A slider of whole numbers lo..hi, its label in full (not cut to the default width)."""
    return w.IntSlider(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=description,
        continuous_update=kw.pop("continuous_update", True),
        style={"description_width": "initial"},
        **kw,
    )


def dropdown(description, options):
    """A menu of names; each shows in the reader's language (tr), its value stays the name."""
    s = _scale
    return w.Dropdown(
        options=[(tr(str(o)), o) for o in options],
        description=description,
        style={"description_width": "initial"},
        layout=w.Layout(width=f"{s.slider_px + 120}px"),
    )
