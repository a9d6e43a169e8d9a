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
from matplotlib.figure import Figure
from IPython.display import HTML, display


#: Explorer figures are rendered at this resolution: sharp on a projector, quick to redraw.
SCREEN_DPI = 72


def show_figure(fig, close: bool = True) -> None:
    """Display a figure as a PNG and close it: one render, no 'tight' bounding-box pass (that doubles
    the time of every redraw under the inline backend)."""
    import io

    from IPython.display import Image

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image as PILImage

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    buf = io.BytesIO()
    # Light compression: a third of matplotlib's PNG time, a slightly larger image.
    PILImage.fromarray(np.asarray(canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
    if close:
        plt.close(fig)
    display(Image(data=buf.getvalue()))


def _num(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}"


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
    busy: list[bool] = []

    def run(**values):
        if busy:  # fn itself moved a control (a slider's range, say): the call under way draws once
            return None
        busy.append(True)
        t0 = time.perf_counter()
        try:
            return fn(**values)
        except ValueError as e:
            return show_message(str(e))
        finally:
            timings.append((time.perf_counter() - t0) * 1000)
            busy.pop()

    ui = w.interactive(run, **controls)
    ui.timings_ms = timings
    return ui


def control(ui: w.interactive, description: str) -> w.Widget:
    """The child widget of an explorer with this description (for tests and for linking)."""
    for child in ui.kwargs_widgets:  # the controls, wherever the layout put them
        if child.description == description:
            return child
    raise KeyError(f"no control named {description!r}; have {[c.description for c in ui.kwargs_widgets]}")


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
        show_figure(fig)
        return {"index": index, "label": int(labels[index])}

    return explorer(draw, index=int_slider("index", 0, 0, len(images) - 1))


# --- The convolution explorer (notebook 02) -------------------------------------------------------

def _fit_kernel(kernel: np.ndarray, size: int, name: str) -> np.ndarray:
    """A square kernel at `size`: a 3x3 kernel is zero-framed to grow; shrinking would lose its numbers."""
    k = np.asarray(kernel, float)
    if k.shape[0] == size:
        return k
    if size < k.shape[0]:
        raise ValueError(f"kernel size: the {name!r} kernel is {k.shape[0]}x{k.shape[1]}; a {size}x{size} "
                         f"version would drop some of its numbers. Choose size >= {k.shape[0]}, or the "
                         f"'box blur' or 'identity' kernel, which exist at every size.")
    before = (size - k.shape[0]) // 2
    return np.pad(k, (before, size - k.shape[0] - before))


def conv_step(image, kernel, stride=1, padding=0, dilation=1, position=0):
    """Everything the explorer shows for one setting: the map, the window at `position`, the formula.

    `position` counts output cells row by row and is clamped to the last one. Raises ValueError
    (from helpers.conv) when the settings do not fit together.
    """
    from helpers.conv import conv2d, output_size

    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    out = conv2d(image, kernel, stride=stride, padding=padding, dilation=dilation)
    Ho, Wo = out.shape
    pos = min(max(int(position), 0), Ho * Wo - 1)
    i, j = divmod(pos, Wo)
    padded = np.pad(image, padding)
    k = kernel.shape[0]
    rows = i * stride + dilation * np.arange(k)
    cols = j * stride + dilation * np.arange(k)
    window = padded[np.ix_(rows, cols)]
    H = image.shape[0]
    formula = (f"output size = ⌊({H} + 2·{padding} − {dilation}·({k} − 1) − 1) / {stride}⌋ + 1 = "
               f"{output_size(H, k, stride, padding, dilation)}")
    return {"output": out, "shape": out.shape, "position": (i, j), "rows": rows, "cols": cols,
            "window": window, "value": float(np.sum(window * kernel)), "padded": padded, "formula": formula}


class ConvFigure:
    """The explorer's three panels, built once and updated in place on every change (a redraw then
    costs one render, not a new figure): the padded input with the window, window × kernel, the map."""

    def __init__(self):
        # A Figure outside pyplot: plt.close("all") in a notebook cannot take it away.
        self.fig = Figure(figsize=(11, 3.9), dpi=SCREEN_DPI)
        self.axes = self.fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.15, 0.8, 1.15]})
        self.fig.subplots_adjust(left=0.01, right=0.92, top=0.84, bottom=0.12, wspace=0.12)
        for ax in self.axes:
            ax.set_xticks([]), ax.set_yticks([])
        z = np.zeros((3, 3))
        self.inp = self.axes[0].imshow(z, cmap="gray")
        self.window = self.axes[0].add_patch(plt.Rectangle((0, 0), 1, 1, fill=False, edgecolor="red", linewidth=2))
        self.taps = self.axes[0].scatter([], [], s=8, c="red")
        self.ker = self.axes[1].imshow(z, cmap="RdBu_r")
        self.texts = []
        self.out = self.axes[2].imshow(z, cmap="RdBu_r")
        self.cell = self.axes[2].add_patch(plt.Rectangle((0, 0), 1, 1, fill=False, edgecolor="black", linewidth=2))
        self.cbar = self.fig.colorbar(self.out, ax=self.axes[2], fraction=0.046, pad=0.04)
        self.formula = self.fig.text(0.5, 0.03, "", fontsize=11, ha="center")

    @staticmethod
    def _show(im, data, vmin, vmax):
        h, w_ = data.shape
        im.set_data(data)
        im.set_extent((-0.5, w_ - 0.5, h - 0.5, -0.5))
        im.set_clim(vmin, vmax)
        im.axes.set_xlim(-0.5, w_ - 0.5)
        im.axes.set_ylim(h - 0.5, -0.5)

    def update(self, step, kernel, title=""):
        padded, (i, j), rows, cols = step["padded"], step["position"], step["rows"], step["cols"]
        self._show(self.inp, padded, padded.min(), padded.max())
        self.window.set_bounds(cols[0] - 0.5, rows[0] - 0.5, cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1)
        rr, cc = np.meshgrid(rows, cols, indexing="ij")
        self.taps.set_offsets(np.c_[cc.ravel(), rr.ravel()])
        self.axes[0].set_title(f"input {padded.shape[0]}×{padded.shape[1]} (padded)\n{title}", fontsize=10)
        k = np.asarray(kernel)
        lim = np.abs(k).max() or 1
        self._show(self.ker, k, -lim, lim)
        for t in self.texts:
            t.remove()
        win = step["window"]
        self.texts = [self.axes[1].text(c, r, f"{win[r, c]:.3g}\n×{v:.3g}", ha="center", va="center",
                                        fontsize=max(6, 11 - k.shape[0]),
                                        bbox=dict(facecolor="white", alpha=0.7, linewidth=0, pad=1))
                      for (r, c), v in np.ndenumerate(k)] if k.size <= 49 else []
        self.axes[1].set_title(f"window × kernel, summed\n= {step['value']:.4g}", fontsize=10)
        out = step["output"]
        lim = np.abs(out).max() or 1
        self._show(self.out, out, -lim, lim)
        self.cell.set_bounds(j - 0.5, i - 0.5, 1, 1)
        self.cbar.set_ticks([-lim, 0, lim], labels=[_num(-lim), "0", _num(lim)])
        self.axes[2].set_title(f"activation map {out.shape[0]}×{out.shape[1]}", fontsize=10)
        self.formula.set_text(step["formula"])
        return self.fig


class KernelPicker:
    """A preset menu and an editable 3×3 grid: choosing a 3×3 preset copies it into the grid, where any
    cell can be changed. Call `watch(ui)` once the explorer exists, so a cell edit redraws it."""

    def __init__(self, kernels: dict, extra_names=()):
        self.kernels = kernels
        names = list(kernels) + [n for n in extra_names if n not in kernels]
        self.cells = [w.FloatText(value=0.0, layout=w.Layout(width="58px")) for _ in range(9)]
        self.preset = w.Dropdown(options=names, value=names[0], description="kernel")
        self._loading = False
        self.on_preset = []  # callbacks run before the grid is filled (e.g. resize a slider)
        self.load()
        self.preset.observe(self.load, "value")  # registered before the explorer's: grid first, then redraw

    def load(self, change=None):
        k = self.kernels.get(self.preset.value)
        for callback in self.on_preset:
            callback(k)
        if k is not None and np.shape(k) == (3, 3):
            self._loading = True
            for cell, v in zip(self.cells, np.ravel(k)):
                cell.value = float(v)
            self._loading = False

    def grid_kernel(self) -> np.ndarray:
        return np.array([cell.value for cell in self.cells], float).reshape(3, 3)

    def kernel(self, name: str) -> np.ndarray:
        """The named kernel, read from the grid when it is a 3×3 one (with the student's edits)."""
        base = np.asarray(self.kernels[name], float)
        return self.grid_kernel() if base.shape == (3, 3) else base

    def watch(self, ui):
        for cell in self.cells:
            cell.observe(lambda change: None if self._loading else ui.update(), "value")

    def grid_box(self):
        return w.VBox([w.Label("3×3 kernel (edit any cell)"),
                       w.GridBox(self.cells, layout=w.Layout(grid_template_columns="repeat(3, 62px)"))])


def conv_explorer(images: dict, kernels: dict):
    """The convolution explorer: image, kernel (preset or an editable 3×3 grid), size, stride, padding,
    dilation, and a position slider that steps the window across the output, cell by cell.

    images: name -> 2-D array; kernels: name -> square array ('box blur' and 'identity' are made at
    any size). A 3×3 preset is copied into the grid, where any cell can be edited.
    """
    picker = KernelPicker(kernels, extra_names=("box blur", "identity"))
    pos_slider = int_slider("position", 0, 0, 27 * 27, layout=w.Layout(width="640px"))
    size_slider = int_slider("size", 3, 1, 7)
    figure = ConvFigure()

    def grow_size(k):  # a 5x5 preset shows at size 5
        if k is not None and np.shape(k)[0] > size_slider.value:
            size_slider.value = np.shape(k)[0]

    picker.on_preset.append(grow_size)

    def kernel_for(name, size):
        if name not in kernels:
            return _sized(name, size)
        return _fit_kernel(picker.kernel(name), size, name)

    def draw(image, kernel, size, stride, padding, dilation, position):
        k = kernel_for(kernel, size)
        step = conv_step(images[image], k, stride, padding, dilation, position)
        n_cells = step["shape"][0] * step["shape"][1]
        if pos_slider.max != n_cells - 1:
            pos_slider.max = n_cells - 1
        show_figure(figure.update(step, k, title=f"{image}, {size}×{size} '{kernel}' kernel"), close=False)
        step["kernel"] = k
        return step

    ui = explorer(draw, image=w.Dropdown(options=list(images), description="image"), kernel=picker.preset,
                  size=size_slider, stride=int_slider("stride", 1, 1, 4),
                  padding=int_slider("padding", 1, 0, 3), dilation=int_slider("dilation", 1, 1, 3),
                  position=pos_slider)
    picker.watch(ui)
    *controls, out = ui.children
    ui.children = (w.HBox([w.VBox(controls[:3]), w.VBox(controls[3:6]), picker.grid_box()]), controls[6], out)
    ui.kernel_cells = picker.cells
    return ui


# --- The filter explorer (notebook 03) ------------------------------------------------------------

class FilterFigure:
    """Image, activation map, and the map after ReLU, side by side; built once, updated in place."""

    def __init__(self):
        self.fig = Figure(figsize=(11, 3.6), dpi=SCREEN_DPI)
        self.axes = self.fig.subplots(1, 3)
        self.fig.subplots_adjust(left=0.01, right=0.95, top=0.86, bottom=0.03, wspace=0.25)
        z = np.zeros((3, 3))
        self.ims = [self.axes[0].imshow(z, cmap="gray"), self.axes[1].imshow(z, cmap="RdBu_r"),
                    self.axes[2].imshow(z, cmap="magma")]
        self.bars = [self.fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03) for im, ax in zip(self.ims[1:], self.axes[1:])]
        for ax in self.axes:
            ax.set_xticks([]), ax.set_yticks([])

    def update(self, image, fmap, kept, title):
        lim = float(np.abs(fmap).max()) or 1.0
        for im, data, lo, hi in [(self.ims[0], image, image.min(), image.max()), (self.ims[1], fmap, -lim, lim),
                                 (self.ims[2], kept, 0, float(kept.max()) or 1.0)]:
            ConvFigure._show(im, data, lo, hi)
        for bar, (lo, hi) in zip(self.bars, [(-lim, lim), (0, float(kept.max()) or 1.0)]):
            bar.set_ticks([lo, hi], labels=[_num(lo), _num(hi)])
        self.axes[0].set_title(title, fontsize=10)
        self.axes[1].set_title("activation map (conv)", fontsize=10)
        share = float(np.mean(fmap > 0))
        self.axes[2].set_title(f"after ReLU: {share:.0%} of the map kept", fontsize=10)
        return self.fig


def filter_explorer(images: dict, kernels: dict):
    """An image and a kernel (preset, or the editable 3×3 grid); the map before and after ReLU."""
    from helpers.conv import conv2d

    picker = KernelPicker(kernels)
    figure = FilterFigure()

    def draw(image, kernel):
        img = np.asarray(images[image], float)
        k = picker.kernel(kernel)
        fmap = conv2d(img, k, padding=k.shape[0] // 2)
        kept = np.maximum(fmap, 0)
        show_figure(figure.update(img, fmap, kept, f"{image}"), close=False)
        return {"kernel": k, "map": fmap, "relu": kept}

    ui = explorer(draw, image=w.Dropdown(options=list(images), description="image"), kernel=picker.preset)
    picker.watch(ui)
    *controls, out = ui.children
    ui.children = (w.HBox([w.VBox(controls), picker.grid_box()]), out)
    ui.kernel_cells = picker.cells
    return ui


# --- The pooling explorer (notebook 04) ------------------------------------------------------------

class PoolFigure:
    """The activation map with the pooling windows drawn on it, and the pooled map."""

    def __init__(self):
        self.fig = Figure(figsize=(10, 4.2), dpi=SCREEN_DPI)
        self.axes = self.fig.subplots(1, 2)
        self.fig.subplots_adjust(left=0.02, right=0.93, top=0.86, bottom=0.03, wspace=0.2)
        z = np.zeros((3, 3))
        self.ims = [self.axes[0].imshow(z, cmap="magma"), self.axes[1].imshow(z, cmap="magma")]
        self.lines = []
        self.bar = self.fig.colorbar(self.ims[1], ax=self.axes[1], fraction=0.046, pad=0.03)
        for ax in self.axes:
            ax.set_xticks([]), ax.set_yticks([])

    def update(self, fmap, pooled, size, stride, padding, kind):
        hi = float(fmap.max()) or 1.0
        ConvFigure._show(self.ims[0], fmap, 0, hi)
        ConvFigure._show(self.ims[1], pooled, 0, hi)
        self.bar.set_ticks([0, hi], labels=["0", _num(hi)])
        for line in self.lines:
            line.remove()
        ax = self.axes[0]
        starts_r = np.arange(pooled.shape[0]) * stride - padding
        starts_c = np.arange(pooled.shape[1]) * stride - padding
        # The windows of the first output row and column, outlined (all of them would hide the map).
        self.lines = [ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), size, size, fill=False, edgecolor="cyan",
                                                 linewidth=1.2))
                      for r, c in [(starts_r[0], c) for c in starts_c] + [(r, starts_c[0]) for r in starts_r[1:]]]
        ax.set_title(f"activation map {fmap.shape[0]}×{fmap.shape[1]}\n(windows of the first row and column)",
                     fontsize=10)
        self.axes[1].set_title(f"{kind} pooling {size}×{size}, stride {stride}, padding {padding}:\n"
                               f"{pooled.shape[0]}×{pooled.shape[1]}", fontsize=10)
        return self.fig


def pool_explorer(maps: dict):
    """Pooling on real activation maps: window size, stride, padding, max or average."""
    from helpers.pool import avg_pool2d, max_pool2d

    figure = PoolFigure()

    def draw(activation_map, kind, size, stride, padding):
        fmap = np.asarray(maps[activation_map], float)
        pooled = (max_pool2d if kind == "max" else avg_pool2d)(fmap, size, stride, padding)
        show_figure(figure.update(fmap, pooled, size, stride, padding, kind), close=False)
        return {"pooled": pooled, "shape": pooled.shape}

    ui = explorer(draw, activation_map=w.Dropdown(options=list(maps), description="activation map",
                                                  style={"description_width": "initial"}),
                  kind=w.ToggleButtons(options=["max", "average"], description="kind"),
                  size=int_slider("size", 2, 1, 6), stride=int_slider("stride", 2, 1, 6),
                  padding=int_slider("padding", 0, 0, 3))
    return ui


def _sized(name: str, size: int) -> np.ndarray:
    if name == "box blur":
        return np.full((size, size), 1.0 / size**2)
    k = np.zeros((size, size))
    k[size // 2, size // 2] = 1.0
    return k
