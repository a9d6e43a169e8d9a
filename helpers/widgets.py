"""The live explorers of notebooks 00, 02, 03 and 04: the digit browser, the convolution explorer (with its
kernel picker), the filter explorer and the pooling explorer: their controls, what they compute, and the messages
they show. They are built on helpers.explorer (sliders that redraw a figure, messages instead of tracebacks, laptop
or projector scale, a static first picture) and draw helpers.explorer_figures.

Every message an explorer can show for settings that do not work together is in `MESSAGES`; the tests reach each
one from the controls. The names of helpers.explorer and helpers.explorer_figures are importable from here too, as they
always were.
"""

from __future__ import annotations

import html

import ipywidgets as w
import numpy as np
from matplotlib.figure import Figure

from helpers.explorer import (  # noqa: F401 - re-exported: every old name still imports from here
    LAPTOP,
    PRESENTER,
    SLIDE_PX,
    STILL,
    Explorer,
    Message,
    Scale,
    _px,
    control,
    dropdown,
    explorer,
    int_slider,
    lay_out,
    presenter,
    scale,
    show_message,
    with_still,
)
from helpers.explorer_figures import ConvFigure, ExplorerCanvas, FilterFigure, PoolFigure, fast_image
from helpers.i18n import tr

# --- Messages: settings that do not work together ---------------------------------------------------

MESSAGES = {
    "conv-window-too-large": (
        "The window is larger than the padded image: size {size} with dilation {dilation} spans {span} pixels, "
        "but the image with padding {padding} is only {n} pixels wide. Lower size or dilation, or raise padding."
    ),
    "conv-kernel-too-small": (
        "size {size} is smaller than the {k}×{k} kernel '{kernel}': its numbers would not fit. Raise size to "
        "{k} or more, or choose kernel 'box blur' or 'identity', which exist at every size."
    ),
    "cell-not-a-number": (
        "The kernel grid's cell in row {row}, column {col} is not a number ({value}). Type a number between "
        "-{limit} and {limit}."
    ),
    "cell-too-large": (
        "The kernel grid's cell in row {row}, column {col} holds {value:.3g}, too large to draw. Type a number "
        "between -{limit} and {limit}."
    ),
    "pool-padding": (
        "padding {padding} is more than half of size {size}: a window at the edge would see padding only. "
        "Lower padding to {half}, or raise size."
    ),
    "pool-window-too-large": (
        "size {size} is larger than the activation map with padding {padding} ({n} + 2·{padding} = {m} "
        "pixels). Lower size, or raise padding."
    ),
}

#: The largest number a cell of the kernel grid may hold.
CELL_LIMIT = 1000


class Problem(ValueError):
    """Settings that do not work together, with the key of their message in MESSAGES."""

    def __init__(self, key: str, **values):
        self.key = key
        super().__init__(tr(MESSAGES[key], **values))


@with_still
def digit_browser(images, labels):
    """A slider over MNIST digits: the digit as an image and its label. Used in 00 to check widgets work."""
    images, labels = np.asarray(images), np.asarray(labels)
    s = scale()
    fig = Figure(figsize=(2.8, 2.8), dpi=s.dpi)
    ExplorerCanvas(fig)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.86)
    im = fast_image(ax.imshow(images[0], cmap="gray", interpolation="nearest"))
    ax.axis("off")

    def draw(index, show):
        im.set_data(images[index])
        ax.set_title(tr("digit #{index}: label {label}", index=index, label=labels[index]), fontsize=s.font_pt)
        show(fig)
        return {"index": index, "label": int(labels[index])}

    ui = explorer(
        draw, index=int_slider(tr("index"), 0, 0, len(images) - 1, layout=w.Layout(width=f"{s.slider_px + 200}px"))
    )
    lay_out(ui, ui.controls["index"])
    return ui


# --- The kernel picker: a preset menu and an editable 3×3 grid -----------------------------------------


def _sized(name: str, size: int) -> np.ndarray:
    if name == "box blur":
        return np.full((size, size), 1.0 / size**2)
    k = np.zeros((size, size))
    k[size // 2, size // 2] = 1.0
    return k


class KernelPicker:
    """A preset menu and an editable 3×3 grid. Whenever the kernel in use is 3×3 before any zero frame
    (a 3×3 preset, or 'box blur' / 'identity' at size 3) the grid shows its numbers and any cell can be
    changed; otherwise the grid is hidden and a line says why. Call `watch(ui)` once the explorer exists."""

    def __init__(self, kernels: dict, any_size=()):
        self.kernels = {name: np.asarray(k, float) for name, k in kernels.items()}
        self.any_size = [n for n in any_size if n not in self.kernels]  # made at every size
        s = scale()
        self.preset = dropdown(tr("kernel"), list(self.kernels) + self.any_size)
        self.cells = [w.FloatText(value=0.0, layout=w.Layout(width=f"{s.widget_px * 4}px")) for _ in range(9)]
        # Wraps within the grid's width: the longer line for a larger kernel must not widen the row of controls.
        self.label = w.HTML(
            html.escape(tr("3×3 kernel (edit any cell)")),
            layout=w.Layout(width=f"{max(3 * (s.widget_px * 4 + 4), 14 * s.widget_px)}px"),
        )
        self.grid = w.GridBox(self.cells, layout=w.Layout(grid_template_columns=f"repeat(3, {s.widget_px * 4 + 4}px)"))
        self._loading = False
        self._holds = None  # which kernel the grid holds: (name, size)

    def base(self, name: str, size: int = 3) -> np.ndarray:
        """The kernel before any zero frame: a preset as given, 'box blur' / 'identity' at `size`."""
        return self.kernels[name] if name in self.kernels else _sized(name, size)

    def sync(self, name: str, size: int = 3) -> None:
        """Fill the grid with the kernel `name` when the choice changed, and show or hide it."""
        key = (name, size if name in self.any_size else None)
        if key == self._holds:
            return
        self._holds = key
        k = self.base(name, size)
        editable = k.shape == (3, 3)
        if editable:
            self._loading = True
            try:
                for cell, v in zip(self.cells, np.ravel(k)):
                    cell.value = float(v)
            finally:
                self._loading = False
        self.grid.layout.visibility = "visible" if editable else "hidden"
        self.label.value = html.escape(
            tr("3×3 kernel (edit any cell)")
            if editable
            else tr("the {k}×{k} kernel is drawn in the middle panel (the grid edits 3×3 kernels)", k=k.shape[0])
        )

    def grid_kernel(self) -> np.ndarray:
        """The grid's numbers; a cell that is not a number, or too large to draw, is a Problem."""
        values = np.array([cell.value for cell in self.cells], float)
        for idx, v in enumerate(values):
            row, col = divmod(idx, 3)
            if not np.isfinite(v):
                raise Problem("cell-not-a-number", row=row + 1, col=col + 1, value=v, limit=CELL_LIMIT)
            if abs(v) > CELL_LIMIT:
                raise Problem("cell-too-large", row=row + 1, col=col + 1, value=v, limit=CELL_LIMIT)
        return values.reshape(3, 3)

    def kernel(self, name: str, size: int = 3) -> np.ndarray:
        """The kernel in use: from the grid (with the edits) when it is a 3×3 one, else the preset."""
        self.sync(name, size)
        base = self.base(name, size)
        return self.grid_kernel() if base.shape == (3, 3) else base

    def watch(self, ui):
        for cell in self.cells:
            cell.observe(lambda change: None if self._loading else ui.update(), "value")

    def box(self):
        return w.VBox([self.label, self.grid])


# --- The convolution explorer (notebook 02) -------------------------------------------------------


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
    formula = tr(
        "output size = ⌊({H} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {n}",
        H=H,
        p=padding,
        d=dilation,
        k=k,
        s=stride,
        n=output_size(H, k, stride, padding, dilation),
    )
    return {
        "output": out,
        "shape": out.shape,
        "position": (i, j),
        "rows": rows,
        "cols": cols,
        "window": window,
        "value": float(np.sum(window * kernel)),
        "padded": padded,
        "formula": formula,
    }


@with_still
def conv_explorer(images: dict, kernels: dict):
    """The convolution explorer: image, kernel (preset or an editable 3×3 grid), size, stride, padding,
    dilation, and a position slider (with a Play button and a speed) that steps the window across the
    output, cell by cell.

    images: name -> 2-D array; kernels: name -> square array ('box blur' and 'identity' are made at
    any size). A 3×3 kernel is copied into the grid, where any cell can be edited.
    """
    s = scale()
    picker = KernelPicker(kernels, any_size=("box blur", "identity"))
    wide = w.Layout(width=f"{s.slider_px + 120}px")
    size_slider = int_slider(tr("size"), 3, 1, 7, layout=wide)
    pos_slider = int_slider(tr("position"), 0, 0, 27 * 27, layout=w.Layout(width=f"{s.slider_px * 2}px"))
    figure = ConvFigure(s)

    def grow_size(change):  # a 5x5 preset shows at size 5
        k = picker.base(change["new"], size_slider.value)
        if k.shape[0] > size_slider.value:
            size_slider.value = k.shape[0]

    picker.preset.observe(grow_size, "value")  # before the explorer's own observer: one redraw at the new size

    def draw(image, kernel, size, stride, padding, dilation, position, show):
        base = picker.base(kernel, size)
        if base.shape[0] > size:
            picker.sync(kernel, size)
            raise Problem("conv-kernel-too-small", size=size, k=base.shape[0], kernel=tr(kernel))
        k = picker.kernel(kernel, size)
        if size > k.shape[0]:  # a 3x3 kernel at a larger size: framed with zeros
            before = (size - k.shape[0]) // 2
            k = np.pad(k, (before, size - k.shape[0] - before))
        img = np.asarray(images[image], float)
        span, n = dilation * (size - 1) + 1, min(img.shape) + 2 * padding
        if span > n:
            raise Problem("conv-window-too-large", size=size, dilation=dilation, span=span, padding=padding, n=n)
        step = conv_step(img, k, stride, padding, dilation, position)
        n_cells = step["shape"][0] * step["shape"][1]
        if pos_slider.max != n_cells - 1:
            pos_slider.max = n_cells - 1
        figure.update(
            step, k, title=tr("{image}, {size}×{size} '{kernel}' kernel", image=tr(image), size=size, kernel=tr(kernel))
        )
        show(figure.render(), drawn=True)
        step["kernel"] = k
        return step

    controls = dict(
        image=dropdown(tr("image"), images),
        kernel=picker.preset,
        size=size_slider,
        stride=int_slider(tr("stride"), 1, 1, 4, layout=wide),
        padding=int_slider(tr("padding"), 1, 0, 3, layout=wide),
        dilation=int_slider(tr("dilation"), 1, 1, 5, layout=wide),
        position=pos_slider,
    )
    ui = explorer(draw, **controls)
    picker.watch(ui)

    # Play walks the window across the map; speed is in steps per second.
    play = w.Play(
        value=0,
        min=0,
        max=pos_slider.max,
        step=1,
        interval=250,
        description=tr("play"),
        show_repeat=False,
        layout=w.Layout(width=f"{s.widget_px * 7}px"),
    )
    speed = int_slider(tr("speed (steps/s)"), 4, 1, 10, layout=w.Layout(width=f"{s.slider_px + 120}px"))
    w.link((play, "value"), (pos_slider, "value"))
    w.dlink((pos_slider, "max"), (play, "max"))
    w.dlink((speed, "value"), (play, "interval"), transform=lambda v: int(1000 / v))
    ui.play, ui.speed, ui.kernel_cells, ui.kernel_picker, ui.figure = play, speed, picker.cells, picker, figure

    c = ui.controls
    lay_out(
        ui,
        w.HBox(
            [
                w.VBox([c["image"], c["kernel"], c["size"]]),
                w.VBox([c["stride"], c["padding"], c["dilation"]]),
                picker.box(),
            ]
        ),
        w.HBox([play, c["position"], speed]),
    )
    return ui


# --- The filter explorer (notebook 03) ------------------------------------------------------------


@with_still
def filter_explorer(images: dict, kernels: dict):
    """An image and a kernel (preset, or the editable 3×3 grid); the map before and after ReLU."""
    from helpers.conv import conv2d

    picker = KernelPicker(kernels)
    figure = FilterFigure()

    def draw(image, kernel, show):
        img = np.asarray(images[image], float)
        k = picker.kernel(kernel)
        fmap = conv2d(img, k, padding=k.shape[0] // 2)
        kept = np.maximum(fmap, 0)
        show(figure.update(img, fmap, kept, tr(image)))
        return {"kernel": k, "map": fmap, "relu": kept}

    ui = explorer(draw, image=dropdown(tr("image"), images), kernel=picker.preset)
    picker.watch(ui)
    ui.kernel_cells, ui.kernel_picker = picker.cells, picker
    c = ui.controls
    lay_out(ui, w.HBox([w.VBox([c["image"], c["kernel"]], layout=w.Layout(margin="0 24px 0 0")), picker.box()]))
    return ui


# --- The pooling explorer (notebook 04) ------------------------------------------------------------


@with_still
def pool_explorer(maps: dict):
    """Pooling on real activation maps: window size, stride, padding, max or average."""
    from helpers.pool import avg_pool2d, max_pool2d

    s = scale()
    figure = PoolFigure(s)
    wide = w.Layout(width=f"{s.slider_px + 120}px")

    def draw(activation_map, kind, size, stride, padding, show):
        fmap = np.asarray(maps[activation_map], float)
        if padding > size // 2:
            raise Problem("pool-padding", padding=padding, size=size, half=size // 2)
        n = min(fmap.shape)
        if size > n + 2 * padding:
            raise Problem("pool-window-too-large", size=size, padding=padding, n=n, m=n + 2 * padding)
        pooled = (max_pool2d if kind == "max" else avg_pool2d)(fmap, size, stride, padding)
        show(figure.update(fmap, pooled, size, stride, padding, tr(kind)))
        return {"pooled": pooled, "shape": pooled.shape}

    kinds = [(tr("max"), "max"), (tr("average"), "average")]
    ui = explorer(
        draw,
        activation_map=dropdown(tr("activation map"), maps),
        kind=w.ToggleButtons(
            options=kinds,
            value="max",
            description=tr("kind"),
            # wide enough for the longer name in either language («максимум», «среднее»)
            style={"button_width": f"{round(s.widget_px * (0.62 * max(len(t) for t, _ in kinds) + 2))}px"},
        ),
        size=int_slider(tr("size"), 2, 1, 6, layout=wide),
        stride=int_slider(tr("stride"), 2, 1, 6, layout=wide),
        padding=int_slider(tr("padding"), 0, 0, 3, layout=wide),
    )
    c = ui.controls
    lay_out(
        ui,
        w.HBox(
            [
                w.VBox([c["activation_map"], c["kind"]], layout=w.Layout(margin="0 24px 0 0")),
                w.VBox([c["size"], c["stride"], c["padding"]]),
            ]
        ),
    )
    return ui
