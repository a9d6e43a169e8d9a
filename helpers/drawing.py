"""Draw a digit (notebook 06): the drawing pad and the trained CNN shown live.

    from helpers.drawing import draw_a_digit, preprocess_drawing
    pad = draw_a_digit(cnn)          # the canvas, the 28×28 input, the softmax bars, every layer's maps
    pad                               # display it; draw with the mouse or a finger

A drawing becomes an MNIST digit, and the network's input, in helpers.mnist_style (`ink`, `preprocess_drawing`,
`network_input`, importable from here too). Here: what the network does with it (`look`, `receptive_field`), and the
pad (its pictures are made by helpers.pixels: `colour`, `mosaic`).
"""

from __future__ import annotations

import html
import time

import numpy as np

from helpers import _validate as v
from helpers.i18n import tr
from helpers.mnist_style import BOX, INK_THRESHOLD, MIN_CONTRAST, SIZE, ink, network_input, preprocess_drawing  # noqa: F401
from helpers.pixels import colour, mosaic, mosaic_shape

# --- What the network sees --------------------------------------------------------------------------


def look(model, digit) -> tuple[np.ndarray, dict]:
    """The network on one digit: softmax probabilities (10,) and every block's activation maps after its ReLU,
    {layer name: (channels, h, w) array}, in the order they run."""
    import torch

    from helpers.models import activations, eval_mode, torch_threads

    x = network_input(digit)
    with torch_threads(1), eval_mode(model):  # one 28×28 image: threads cost more than they give
        maps = activations(model, x, kinds=(torch.nn.ReLU,))
        with torch.no_grad():
            probabilities = torch.softmax(model(x), dim=1)[0].numpy()
    return probabilities, {name: m[0].numpy() for name, m in maps.items()}


def receptive_field(model, layer: str, row: int, col: int, size: int = SIZE) -> tuple[int, int, int, int]:
    """The input pixels one unit sees: (top, left, bottom, right), inclusive, clipped to the size×size input.

    `layer` is the model's child name as `helpers.models.activations` gives it ("2 ReLU" or just "2"), and
    (row, col) a position in that layer's map: `helpers.models.receptive_field` of the layers up to it.
    """
    from helpers.models import receptive_field as field

    children = list(model.named_children())
    names = [n for n, _ in children]
    key = str(layer).split()[0]
    if key not in names:
        raise ValueError(f"layer must be one of the model's layers {names}, got {layer!r}")
    size = v.whole(size, "size", 1)
    top, left, bottom, right = field(children[: names.index(key) + 1], row, col)
    clip = lambda x: int(min(max(x, 0), size - 1))
    return clip(top), clip(left), clip(bottom), clip(right)


# --- The drawing pad ----------------------------------------------------------------------------------

#: The pad's sizes at each explorer scale (helpers.explorer): a 1366×768 laptop, or presenter() for a 1920×1080
#: projector, where every text is 18 px or more and block 3's maps are squares of 35 px instead of 21.
SIZES = {
    "laptop": dict(pad=240, input_scale=5, maps_px=480, title=15, prediction=28, message=15, note=14, bars=14),
    "presenter": dict(pad=336, input_scale=7, maps_px=720, title=20, prediction=40, message=20, note=18, bars=18),
}


def _style(z: dict) -> str:
    return f"""<style>
canvas.digit-pixels {{ image-rendering: pixelated; image-rendering: crisp-edges; }}
canvas.digit-pad {{ border: 2px solid #555; border-radius: 4px; cursor: crosshair; touch-action: none; }}
canvas.digit-maps {{ cursor: pointer; }}
.digit-title {{ font-size: {z["title"]}px; font-weight: 600; margin: 2px 0; line-height: 1.3; }}
.digit-prediction {{ font-size: {z["prediction"]}px; font-weight: 700; min-height: {z["prediction"] + 6}px; }}
.digit-message {{ font-size: {z["message"]}px; color: #8a4b00; line-height: 1.3; }}
.digit-note {{ font-size: {z["note"]}px; color: #555; line-height: 1.3; }}
.digit-bars {{ font-size: {z["bars"]}px; font-family: monospace; line-height: {z["bars"] + 3}px; }}
.digit-pad-box .widget-button {{ font-size: {z["note"]}px; height: {z["note"] * 2 + 4}px; }}
</style>"""


class DrawingPad:
    """A canvas to draw on and the trained CNN's view of the drawing, updated on every stroke.

    Left: the pad (mouse or finger) and Clear. Middle: the 28×28 digit the network reads and the softmax
    bars. Right: every block's activation maps after ReLU (16, 32, 64), on one colour scale per layer. Click a
    map: its unit under the pointer is outlined there and its receptive field is drawn on the 28×28 input.

    For tests and code: `stroke(points)` draws a line through canvas points, `clear()`, `select(layer, channel,
    row, col)` picks a unit, and `.result` holds what is shown (prediction, probabilities, digit, maps, or the
    message); `.timings_ms` the compute-and-draw time of every update.
    """

    #: The pad's pixels at laptop scale; the pen is as thick, relative to the pad, as MNIST's strokes to a digit.
    PAD = 240
    PEN = 17
    #: While the pen moves, an update comes at most this often (ms), and leaves the kernel at least twice its own
    #: time free for the pen's events (so a slow machine draws fewer live updates, never a backlog); one update
    #: always follows the pen's release.
    LIVE_EVERY_MS = 60

    def __init__(self, model, pad_size: int | None = None, pen: int | None = None, input_scale: int | None = None):
        from helpers.explorer import scale

        self.sizes = SIZES[scale().name]  # laptop, or presenter() for the projector
        pad_size = self.sizes["pad"] if pad_size is None else pad_size
        pen = round(self.PEN * pad_size / self.PAD) if pen is None else pen
        input_scale = self.sizes["input_scale"] if input_scale is None else input_scale
        self._check(model, pad_size, pen, input_scale)
        self.model, self.pad_size, self.pen, self.input_scale = model, pad_size, pen, input_scale
        self._start_state()
        self._read_layers()
        self._make_canvases()
        self._make_widget()
        self._connect_pen()
        self.clear()

    # The constructor's parts, in the order it calls them.
    @staticmethod
    def _check(model, pad_size, pen, input_scale):
        """ValueError naming the argument that cannot make a pad."""
        from torch import nn

        if not isinstance(model, nn.Module):
            hint = " (trained_lecture_cnn() gives (model, history): pass its [0])" if isinstance(model, tuple) else ""
            raise ValueError(
                f"model must be a trained torch network such as trained_lecture_cnn()[0], "
                f"got {type(model).__name__}{hint}"
            )
        v.whole(pad_size, "pad_size", 56, 1000, unit="pixels")
        v.whole(pen, "pen", 1, pad_size // 4, unit="pixels")
        v.whole(input_scale, "input_scale", 1, 20)

    def _start_state(self):
        """Nothing drawn, nothing selected, no update yet; the drawing kept as pixels on the kernel's side."""
        from PIL import Image, ImageDraw

        self.timings_ms: list[float] = []
        self.result: dict = {}
        self.selected = None  # (layer name, channel, row, col)
        self._pen_down = False
        self._last_point = None
        self._last_update = 0.0
        self._released_at = 0.0  # wall clock, for the browser test's timing
        self._pixels = Image.new("L", (self.pad_size, self.pad_size), 0)  # the drawing as the kernel knows it
        self._draw = ImageDraw.Draw(self._pixels)  # (ink = 255)

    def _read_layers(self):
        """Layer names and map sizes, from one run on an empty input; each layer's pixel scale."""
        try:
            probabilities, maps = look(self.model, np.zeros((SIZE, SIZE), np.float32))
        except RuntimeError as e:
            raise ValueError(
                f"model must read one 28×28 digit (a (1, 1, 28, 28) tensor); it failed with: {e}"
            ) from None
        if probabilities.shape != (10,) or not maps:
            raise ValueError(
                "model must give 10 scores (one per digit) and have ReLU layers to show, "
                f"got {probabilities.shape[0]} scores and {len(maps)} ReLU layers"
            )
        self.layers = list(maps)
        self._shapes = {name: m.shape for name, m in maps.items()}
        # Each layer's mosaic at most maps_px wide: on a laptop (480) pixel scale 2 for 28×28 and 14×14 maps, 3 for
        # 7×7; on the projector (720) 3, 3 and 5.
        widest = self.sizes["maps_px"]
        self._scales = {
            name: max(1, widest // (mosaic_shape(s[0])[1] * (s[2] + 1) - 1)) for name, s in self._shapes.items()
        }

    def _make_canvases(self):
        """The pad, the 28×28 input view, one view of mosaics per layer, and the unseen atlas they copy from."""
        import ipywidgets as w
        from ipycanvas import Canvas

        pad_size = self.pad_size
        self.pad = Canvas(
            width=pad_size, height=pad_size, layout=w.Layout(width=f"{pad_size}px", height=f"{pad_size}px")
        )
        self.pad.add_class("digit-pad")
        side = SIZE * self.input_scale
        self.input_view = Canvas(width=side, height=side, layout=w.Layout(width=f"{side}px", height=f"{side}px"))
        self.input_view.add_class("digit-pixels")
        self.map_views = {}
        for name, (c, h, wd) in self._shapes.items():
            rows, cols = mosaic_shape(c)
            s = self._scales[name]
            height, width = (rows * (h + 1) - 1) * s, (cols * (wd + 1) - 1) * s
            view = Canvas(width=width, height=height, layout=w.Layout(width=f"{width}px", height=f"{height}px"))
            view.add_class("digit-pixels")
            view.add_class("digit-maps")
            view.on_mouse_down(lambda x, y, name=name: self._on_map_click(name, x, y))
            self.map_views[name] = view
        # One unseen canvas holds the pictures of an update, stacked: the input, then each layer's mosaic. The
        # browser decodes one small PNG an update, and each view copies its part of it, scaled up.
        heights = [SIZE] + [mosaic_shape(c)[0] * (h + 1) - 1 for c, h, _ in self._shapes.values()]
        widths = [SIZE] + [mosaic_shape(c)[1] * (wd + 1) - 1 for c, _, wd in self._shapes.values()]
        self._offsets = dict(zip(["input"] + self.layers, np.cumsum([0] + heights[:-1]).tolist()))
        self._atlas = Canvas(width=max(widths), height=sum(heights))

    def _make_widget(self):
        """The layout: the pad and Clear; the input, the prediction and its bars; every layer's maps."""
        import ipywidgets as w

        side = SIZE * self.input_scale
        self.clear_button = w.Button(
            description=tr("Clear"), icon="eraser", layout=w.Layout(width=f"{self.sizes['note'] * 8}px")
        )
        self.clear_button.on_click(lambda _: self.clear())
        self.prediction = w.HTML()
        self.bars = w.HTML()
        self.field_note = w.HTML()
        self.status = w.HTML()
        title = lambda text: w.HTML(f'<div class="digit-title">{html.escape(text)}</div>')
        block_titles = [
            tr("block {i}: {c} maps of {h}×{w}", i=i + 1, c=s[0], h=s[1], w=s[2])
            for i, s in enumerate(self._shapes.values())
        ]
        self.widget = w.HBox(
            [
                w.HTML(_style(self.sizes)),
                w.VBox(
                    [title(tr("Draw a digit")), self.pad, w.HBox([self.clear_button, self.status])],
                    layout=w.Layout(margin="0 14px 0 0"),
                ).add_class("digit-pad-box"),
                w.VBox(
                    [
                        title(tr("what the network reads (28×28)")),
                        self.input_view,
                        self.field_note,
                        title(tr("the network says")),
                        self.prediction,
                        self.bars,
                    ],
                    layout=w.Layout(width=f"{max(side, 11 * self.sizes['bars']) + 10}px", margin="0 14px 0 0"),
                ),
                w.VBox(
                    [x for name, t in zip(self.layers, block_titles) for x in (title(t), self.map_views[name])]
                    + [
                        w.HTML(
                            '<div class="digit-note">'
                            + html.escape(tr("Click a map: its receptive field is drawn on the input."))
                            + "</div>"
                        )
                    ]
                ),
            ],
            layout=w.Layout(flex_flow="row wrap", align_items="flex-start"),
        )

    def _connect_pen(self):
        """Mouse and touch on the pad draw; lifting the pen (or leaving the pad) ends the stroke."""
        self.pad.on_mouse_down(self._on_down)
        self.pad.on_mouse_move(self._on_move)
        self.pad.on_mouse_up(self._on_up)
        self.pad.on_mouse_out(self._on_up)
        self.pad.on_touch_start(lambda touches: touches and self._on_down(*touches[0]))
        self.pad.on_touch_move(lambda touches: touches and self._on_move(*touches[0]))
        self.pad.on_touch_end(lambda touches: self._on_up(*(touches[0] if touches else (None, None))))
        self.pad.on_touch_cancel(lambda touches: self._on_up(None, None))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    # The pen.
    def _segment(self, p, q):
        r = self.pen / 2
        self._draw.line([p, q], fill=255, width=self.pen)
        for x, y in (p, q):  # round ends and joints
            self._draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
        self.pad.stroke_line(p[0], p[1], q[0], q[1])

    def _on_down(self, x, y):
        self._pen_down, self._last_point = True, (x, y)
        self._segment((x, y), (x, y))

    def _on_move(self, x, y):
        if not self._pen_down:
            return
        self._segment(self._last_point, (x, y))
        self._last_point = (x, y)
        since = (time.perf_counter() - self._last_update) * 1000
        if since >= max(self.LIVE_EVERY_MS, 2 * (self.timings_ms[-1] if self.timings_ms else 0)):
            self.update()

    def _on_up(self, x=None, y=None):
        if not self._pen_down:
            return
        self._released_at = time.time()
        if x is not None:
            self._segment(self._last_point, (x, y))
        self._pen_down = False
        self.update()

    def stroke(self, points) -> dict:
        """Draw a line through (x, y) canvas points, as a mouse stroke would; returns the update's result."""
        points = [tuple(map(float, p)) for p in points]
        if not points or any(len(p) != 2 for p in points):
            raise ValueError(f"points must be a non-empty list of (x, y) pairs, got {points!r}")
        self._on_down(*points[0])
        for p in points[1:]:
            self._pen_down = True
            self._segment(self._last_point, p)
            self._last_point = p
        self._on_up()
        return self.result

    def clear(self) -> dict:
        """Wipe the pad; the network's side shows what to do instead of a prediction."""
        self._draw.rectangle([0, 0, self.pad_size, self.pad_size], fill=0)
        self.pad.clear()
        self.pad.fill_style = "white"
        self.pad.fill_rect(0, 0, self.pad_size, self.pad_size)
        self.pad.stroke_style = "black"
        self.pad.line_width = self.pen
        self.pad.line_cap = "round"
        self.pad.line_join = "round"
        self._pen_down = False
        return self.update()

    def pixels(self) -> np.ndarray:
        """The pad's pixels as (H, W) uint8, white ink on black (what preprocess_drawing reads)."""
        return np.asarray(self._pixels)

    # The network's side.
    def update(self) -> dict:
        """Read the pad, run the network, redraw its side; returns (and keeps in .result) what is shown."""
        from ipycanvas import hold_canvas

        t0 = time.perf_counter()
        try:
            digit = preprocess_drawing(self.pixels())
        except ValueError:
            digit = None
        with hold_canvas():
            if digit is None:
                self.result = {"message": tr("Draw a digit on the white square (mouse or finger)."), "prediction": None}
                self._show([np.zeros((SIZE, SIZE))] + [np.zeros(self._shapes[name]) for name in self.layers])
                self.prediction.value = (
                    f'<div class="digit-prediction digit-message" data-digit="">'
                    f"{html.escape(self.result['message'])}</div>"
                )
                self.bars.value = self._bars_html(None)
                self.field_note.value = ""
            else:
                probabilities, maps = look(self.model, digit)
                best = int(probabilities.argmax())
                self.result = {"prediction": best, "probabilities": probabilities, "digit": digit, "maps": maps}
                self._show([digit] + [maps[name] for name in self.layers])
                self.prediction.value = (
                    f'<div class="digit-prediction" data-digit="{best}">{best} '
                    f'<span class="digit-note">({probabilities[best]:.0%})</span></div>'
                )
                self.bars.value = self._bars_html(probabilities)
            self._show_selection()
        self._last_update = time.perf_counter()
        ms = (self._last_update - t0) * 1000
        self.timings_ms.append(ms)
        self.status.value = (
            f'<span class="digit-note digit-status" data-released="{self._released_at * 1000:.0f}" '
            f'data-done="{time.time() * 1000:.0f}">{html.escape(tr("update: {ms:.0f} ms", ms=ms))}</span>'
        )
        return self.result

    def _show(self, pictures):
        """The input digit and every layer's maps, sent as one small picture (the atlas) and drawn scaled up by
        the browser into their views, pixels kept sharp."""
        digit, *layers = pictures
        atlas = np.full((self._atlas.height, self._atlas.width, 4), 255, np.uint8)
        parts = [colour(digit, "gray", vmax=1)] + [mosaic(m, vmax=None if m.any() else 1)[0] for m in layers]
        for part, top in zip(parts, self._offsets.values()):
            atlas[top : top + part.shape[0], : part.shape[1]] = part
        self._atlas.put_image_data(atlas, 0, 0)
        views = [(self.input_view, self.input_scale)] + [(self.map_views[n], self._scales[n]) for n in self.layers]
        for (view, scale), top in zip(views, self._offsets.values()):
            view.image_smoothing_enabled = False
            view.save()
            view.scale(scale)
            view.draw_image(self._atlas, 0, -top)
            view.restore()

    def _bars_html(self, probabilities) -> str:
        px = self.sizes["bars"]  # the bars' text; a row, a digit's column and the longest bar grow with it
        rows = []
        for d in range(10):
            p = 0.0 if probabilities is None else float(probabilities[d])
            best = probabilities is not None and d == int(np.argmax(probabilities))
            colour_ = "#d9822b" if best else "#4a7bb7"
            rows.append(
                f'<div style="display:flex;align-items:center;height:{px + 3}px">'
                f'<span style="width:{round(px * 1.3)}px;font-weight:{700 if best else 400}">{d}</span>'
                f'<span style="display:inline-block;height:{px - 2}px;width:{p * px * 6.5:.0f}px;background:{colour_}">'
                f'</span><span style="margin-left:4px">{p:.0%}</span></div>'
            )
        return f'<div class="digit-bars">{"".join(rows)}</div>'

    # Receptive fields.
    def _on_map_click(self, name, x, y):
        c, h, w = self._shapes[name]
        rows, cols = mosaic_shape(c)
        s = self._scales[name]
        q, r = int(x // ((w + 1) * s)), int(y // ((h + 1) * s))
        col, row = int((x - q * (w + 1) * s) // s), int((y - r * (h + 1) * s) // s)
        channel = r * cols + q
        if channel >= c or row >= h or col >= w:  # a click on a gap
            return
        self.select(name, channel, row, col)

    def select(self, layer: str, channel: int, row: int, col: int):
        """Pick unit (row, col) of map `channel` in `layer`: outline it and draw its receptive field on the input."""
        if layer not in self._shapes:
            raise ValueError(f"layer must be one of {self.layers}, got {layer!r}")
        c, h, w = self._shapes[layer]
        if not (0 <= channel < c and 0 <= row < h and 0 <= col < w):
            raise ValueError(
                f"channel, row, col must lie in 0..{c - 1}, 0..{h - 1}, 0..{w - 1}; got {channel}, {row}, {col}"
            )
        self.selected = (layer, int(channel), int(row), int(col))
        self.update()
        return self.result["field"]

    def _show_selection(self):
        if self.selected is None:
            self.result["field"] = None
            return
        layer, channel, row, col = self.selected
        top, left, bottom, right = receptive_field(self.model, layer, row, col)
        self.result["field"] = (top, left, bottom, right)
        s = self.input_scale
        self.input_view.stroke_style = "#00e5ff"
        self.input_view.line_width = 3
        self.input_view.stroke_rect(
            left * s + 1.5, top * s + 1.5, (right - left + 1) * s - 3, (bottom - top + 1) * s - 3
        )
        c, h, w = self._shapes[layer]
        rows, cols = mosaic_shape(c)
        sc = self._scales[layer]
        r, q = divmod(channel, cols)
        x0, y0 = q * (w + 1) * sc, r * (h + 1) * sc  # the map's corner
        view = self.map_views[layer]
        view.stroke_style = "#00e5ff"
        view.line_width = 2
        view.stroke_rect(x0 - 1, y0 - 1, w * sc + 2, h * sc + 2)  # the map
        view.stroke_rect(x0 + col * sc - 1, y0 + row * sc - 1, sc + 2, sc + 2)  # the unit
        block = self.layers.index(layer) + 1
        self.field_note.value = (
            '<div class="digit-note">'
            + html.escape(
                tr(
                    "block {b}, map {m}, unit ({r}, {c}) sees input rows {t}–{bo}, columns {le}–{ri}",
                    b=block,
                    m=channel,
                    r=row,
                    c=col,
                    t=top,
                    bo=bottom,
                    le=left,
                    ri=right,
                )
            )
            + "</div>"
        )


def draw_a_digit(model) -> DrawingPad:
    """The drawing pad for a trained MNIST network (such as helpers.train.trained_lecture_cnn()[0])."""
    return DrawingPad(model)
