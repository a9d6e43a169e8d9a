"""The explorers' figures (helpers.widgets): each built once, then updated in place on every change of a control,
so a redraw costs one render and not a new figure. Each is a matplotlib Figure outside pyplot, so plt.close("all")
in a notebook cannot take it away, drawn at the explorers' scale (laptop or projector, helpers.explorer.scale).
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from helpers.explorer import Scale, _px, scale
from helpers.i18n import tr

# --- A canvas that remembers its texts ---------------------------------------------------------------


class _Recorder:
    """Stands in for a renderer's Agg core while a text is drawn: keeps every glyph bitmap it is given."""

    def __init__(self, core):
        self.core, self.glyphs, self.other = core, [], False

    def draw_text_image(self, image, x, y, angle, gc):
        self.glyphs.append((np.array(image, copy=True), x, y, angle))
        self.core.draw_text_image(image, x, y, angle, gc)

    def __getattr__(self, name):  # anything else (a box of mathtext, say): this text is not kept
        self.other = True
        return getattr(self.core, name)


class _TextKeepingRenderer(RendererAgg):
    """RendererAgg that renders each text once: its glyph bitmaps (FreeType's, at the text's exact sub-pixel
    position) are kept, and the same text drawn at the same place again is composited from them, in the colour
    of the moment. Pixel for pixel what RendererAgg draws (tests/test_widgets.py compares them); in an explorer,
    where titles, tick labels, the formula and the kernel's numbers come back again and again, it takes most of the
    time out of a redraw (matplotlib lays out and rasterises every glyph of every text on every draw)."""

    _KEEP = 4000  # texts kept per canvas; the oldest go first

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        extra = (mtext.get_fontfeatures(), mtext.get_language()) if mtext is not None else None
        try:
            key = (s, hash(prop), angle, round(x * 64), round(y * 64), gc.get_antialiased(), extra)
            hash(key)
        except TypeError:
            key = None
        kept = getattr(self, "_kept", None)
        if kept is None:
            kept = self._kept = {}
        if ismath or key is None:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        glyphs = kept.get(key)
        if glyphs is not None:
            for image, gx, gy, gangle in glyphs:
                self._renderer.draw_text_image(image, gx, gy, gangle, gc)
            return None
        core = self._renderer
        self._renderer = recorder = _Recorder(core)
        try:
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        finally:
            self._renderer = core
        if not recorder.other:
            if len(kept) >= self._KEEP:
                kept.pop(next(iter(kept)))
            kept[key] = recorder.glyphs
        return None


class ExplorerCanvas(FigureCanvasAgg):
    """FigureCanvasAgg whose renderer keeps its texts' glyphs (see _TextKeepingRenderer): for a figure that is
    redrawn many times, as an explorer's is."""

    def get_renderer(self):
        renderer = super().get_renderer()
        if type(renderer) is RendererAgg:
            renderer.__class__ = _TextKeepingRenderer
        return renderer


class NearestImage(AxesImage):
    """An AxesImage drawn nearest-neighbour by numpy, as an explorer's panels are: each cell's colour is looked up
    once (norm, colour map, alpha) and repeated onto the output pixels whose centres fall in it, where matplotlib
    resamples the data to the panel's size and colour-maps every pixel. The same pixels in a fraction of the time,
    but where a pixel's centre lies exactly on an edge between two cells (a panel 2.5 pixels a cell, say): there
    Agg's fixed-point sampling may take the other cell, and the edge moves by that one pixel (tests/test_widgets.py
    compares them with plain imshow's). What would not be drawn nearest-neighbour (another interpolation; "auto"
    below 3× enlargement, where matplotlib smooths), a mask, RGB data, origin "lower" and a magnification are left
    to matplotlib. `fast_image(ax.imshow(...))` makes one."""

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        from matplotlib.transforms import Affine2D, Bbox, TransformedBbox

        a, interpolation = self._A, self.get_interpolation()
        if (
            unsampled
            or magnification != 1.0
            or self.origin != "upper"
            or interpolation not in ("nearest", "none", "auto", "antialiased")
            or a is None
            or a.ndim != 2
            or np.ma.is_masked(a)
            or np.ndim(self.get_alpha()) != 0
        ):
            return super().make_image(renderer, magnification, unsampled)
        x1, x2, y1, y2 = self.get_extent()
        box = TransformedBbox(Bbox(np.array([[x1, y1], [x2, y2]])), self.get_transform())
        enlarged = min(abs(box.width) / a.shape[1], abs(box.height) / a.shape[0])
        if interpolation in ("auto", "antialiased") and enlarged <= 3:
            return super().make_image(renderer, magnification, unsampled)
        clip = (self.get_clip_box() or self.axes.bbox) if self.get_clip_on() else self.get_figure(root=True).bbox
        clipped = Bbox.intersection(box, clip)
        if clipped is None:
            return None, 0, 0, None
        e = clipped.extents  # rounded to whole pixels as matplotlib's _make_image does
        x0, y0 = np.floor(e[0] + 0.5), np.ceil(e[1] - 0.5 - 1e-8)
        width, height = int(np.floor(e[2] + 0.5 + 1e-8) - x0), int(np.ceil(e[3] - 0.5) - y0)
        if width <= 0 or height <= 0:
            return None, 0, 0, None
        h, w_ = a.shape
        # array coordinates (column, row from the top) -> output pixels; inverted: where each pixel's centre falls
        to_pixels = (
            Affine2D().translate(0, -h).scale(1, -1)
            + Affine2D().scale((x2 - x1) / w_, (y2 - y1) / h).translate(x1, y1)
            + self.get_transform()
            + Affine2D().translate(-x0, -y0)
        )
        back = to_pixels.inverted()
        cols = back.transform(np.c_[np.arange(width) + 0.5, np.zeros(width)])[:, 0]
        rows = back.transform(np.c_[np.zeros(height), np.arange(height) + 0.5])[:, 1]
        colours = np.ascontiguousarray(self.to_rgba(a, alpha=self._get_scalar_alpha(), bytes=True))
        # one 32-bit word per pixel: two takes (rows, then columns) instead of a 2-D fancy index on 4 channels
        words = colours.view(np.uint32).reshape(h, w_)
        words = words.take(np.clip(rows, 0, h - 1).astype(int), axis=0).take(
            np.clip(cols, 0, w_ - 1).astype(int), axis=1
        )
        out = words.view(np.uint8).reshape(height, width, 4)
        inside_r, inside_c = (rows >= 0) & (rows < h), (cols >= 0) & (cols < w_)
        if not (inside_r.all() and inside_c.all()):  # pixels beyond the data's extent stay transparent
            out[~(inside_r[:, None] & inside_c[None, :])] = 0
        return out, x0, y0, to_pixels


def fast_image(im):
    """Make an AxesImage (from imshow) draw as a NearestImage; returns it."""
    im.__class__ = NearestImage
    return im


def drawn_text_px(fig, width_px: float | None = None) -> list[tuple[float, str]]:
    """Every non-empty text the figure draws (animated artists included), as (its height in px, the text), the
    smallest first: its size in points × dpi / 72, times width_px / the figure's width when the figure is shown
    shrunk to width_px (a deck's slide, say)."""
    texts = []

    class Measuring(RendererAgg):
        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if s.strip():
                texts.append((prop.get_size_in_points(), s))
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)

    width, height = fig.get_size_inches() * fig.dpi
    shrink = min(1.0, width_px / width) if width_px else 1.0
    animated = [a for a in fig.findobj() if a.get_animated()]
    for a in animated:
        a.set_animated(False)
    try:
        fig.draw(Measuring(width, height, fig.dpi))
    finally:
        for a in animated:
            a.set_animated(True)
    return sorted((pt * fig.dpi / 72 * shrink, s) for pt, s in texts)


def _g(v: float) -> str:
    """A number in a cell: three significant digits, and never "-0"."""
    return "0" if abs(v) < 5e-4 else f"{float(v):.3g}"


def _num(v: float) -> str:
    """A colour-bar label: short whatever the size of the number."""
    if abs(v) >= 1e6:
        return f"{v:.3g}"
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _show_image(im, data, vmin, vmax):
    """Put `data` into an existing AxesImage, with its axes fitted to the new shape."""
    h, w_ = data.shape
    im.set_data(data)
    im.set_extent((-0.5, w_ - 0.5, h - 0.5, -0.5))
    im.set_clim(vmin, vmax)
    im.axes.set_xlim(-0.5, w_ - 0.5)
    im.axes.set_ylim(h - 0.5, -0.5)


# --- The convolution explorer (notebook 02) -------------------------------------------------------


class ConvFigure:
    """The explorer's three panels, built once and updated in place on every change (a redraw then
    costs one render, not a new figure): the padded input with the window, window × kernel, the map."""

    WIDTH_IN = 11.0
    RATIOS = (1.0, 1.0, 1.0)

    def __init__(self, s: Scale | None = None):
        self.s = s = s or scale()
        # A Figure outside pyplot: plt.close("all") in a notebook cannot take it away.
        self.fig = Figure(figsize=(self.WIDTH_IN, 4.0), dpi=s.dpi)
        self.axes = self.fig.subplots(1, 3, gridspec_kw={"width_ratios": self.RATIOS})
        self.fig.subplots_adjust(left=0.01, right=0.93, top=0.84, bottom=0.11, wspace=0.12)
        for ax in self.axes:
            ax.set_xticks([]), ax.set_yticks([])
        z = np.zeros((3, 3))
        self.inp = fast_image(self.axes[0].imshow(z, cmap="gray", interpolation="nearest"))
        self.window = self.axes[0].add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="red", linewidth=2))
        self.taps = self.axes[0].scatter([], [], s=10, c="red")
        self.ker = fast_image(self.axes[1].imshow(z, cmap="RdBu_r", interpolation="nearest"))
        self.texts, self._cell_texts = [], []  # the numbers in the window × kernel cells: those shown, all made
        self.out = fast_image(self.axes[2].imshow(z, cmap="RdBu_r", interpolation="nearest"))
        self.cell = self.axes[2].add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="black", linewidth=2))
        self.cbar = self.fig.colorbar(self.out, ax=self.axes[2], fraction=0.046, pad=0.04)
        self.cbar.ax.tick_params(labelsize=s.font_pt)
        self.formula = self.fig.text(0.5, 0.025, "", fontsize=s.font_pt + 1, ha="center")
        # What moves with the position slider is drawn over a saved background (blitting): moving the window
        # (and Play) redraws only these, not the three images.
        self.canvas = ExplorerCanvas(self.fig)
        self.moving = [self.window, self.taps, self.cell, self.axes[1].title]
        for artist in self.moving:
            artist.set_animated(True)
        self._background, self._settings = None, None
        # Pixels per cell of the middle panel, for sizing the numbers written in it.
        self._panel_px = self.axes[1].get_position().width * self.WIDTH_IN * s.dpi

    def cell_font_pt(self, k: int, lines: int) -> float:
        """A font that fills about a quarter of a cell's width per line of text, never above the titles'."""
        cell_px = self._panel_px / k
        px = min(cell_px * (0.27 if lines == 2 else 0.34), _px(self.s.font_pt, self.s.dpi))
        return px * 72 / self.s.dpi

    def update(self, step, kernel, title=""):
        s = self.s
        padded, (i, j), rows, cols = step["padded"], step["position"], step["rows"], step["cols"]
        _show_image(self.inp, padded, padded.min(), padded.max())
        self.window.set_bounds(cols[0] - 0.5, rows[0] - 0.5, cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1)
        rr, cc = np.meshgrid(rows, cols, indexing="ij")
        self.taps.set_offsets(np.c_[cc.ravel(), rr.ravel()])
        # A long image or kernel name wraps within the panel, on two lines at most, smaller if need be (a title
        # wider than the panel would lose its first letters, a taller one its first line).
        size = s.font_pt
        while True:
            lines = textwrap.wrap(title, max(12, int(self._panel_px / (0.5 * _px(size, s.dpi)))))
            if len(lines) <= 2 or size < 0.75 * s.font_pt:
                break
            size *= 0.9
        self.axes[0].set_title(
            tr("input {h}×{w} (padded)", h=padded.shape[0], w=padded.shape[1]) + "\n" + "\n".join(lines),
            fontsize=size,
        )
        k = np.asarray(kernel)
        lim = np.abs(k).max() or 1
        _show_image(self.ker, k, -lim, lim)
        win = step["window"]
        n = k.shape[0]
        # Up to 5×5 each cell shows "window value ×kernel value"; at 6×6 and 7×7 the product alone.
        two = n <= 5
        size = self.cell_font_pt(n, 2 if two else 1)
        # White on the dark cells, black on the light ones (a text box per cell would double the redraw time). The
        # texts are kept from one update to the next and given their new words, place and colour.
        cells = list(np.ndenumerate(k)) if k.size <= 49 else []
        while len(self._cell_texts) < len(cells):
            self._cell_texts.append(
                self.axes[1].text(0, 0, "", ha="center", va="center", linespacing=1.0, animated=True, visible=False)
            )
        self.texts = self._cell_texts[: len(cells)]
        for t in self._cell_texts[len(cells) :]:
            t.set_visible(False)
        for t, ((r, c), v) in zip(self.texts, cells):
            t.set(
                x=c,
                y=r,
                text=f"{_g(win[r, c])}\n×{_g(v)}" if two else _g(win[r, c] * v),
                fontsize=size,
                color="white" if abs(v) > 0.6 * lim else "black",
                visible=True,
            )
        what = tr("window × kernel") if two else tr("window × kernel (products)")
        self.axes[1].set_title(f"{what}\n" + tr("summed = {v}", v=f"{step['value']:.4g}"), fontsize=s.font_pt)
        out = step["output"]
        lim = np.abs(out).max() or 1
        _show_image(self.out, out, -lim, lim)
        self.cell.set_bounds(j - 0.5, i - 0.5, 1, 1)
        self.cbar.set_ticks([-lim, 0, lim], labels=[_num(-lim), "0", _num(lim)])
        self.axes[2].set_title(tr("activation map {h}×{w}", h=out.shape[0], w=out.shape[1]), fontsize=s.font_pt)
        self.formula.set_text(step["formula"])
        self._pending = (padded.tobytes(), k.tobytes(), out.tobytes(), title, step["formula"])
        return self.fig

    def render(self):
        """Draw into the canvas: everything when the settings changed, else the saved background and the
        moving parts only (the same pixels, a fraction of the time)."""
        if self._background is None or self._pending != self._settings:
            self.canvas.draw()  # the animated artists are left out of this pass
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._settings = self._pending
        else:
            self.canvas.restore_region(self._background)
        for artist in self.moving + self.texts:
            self.fig.draw_artist(artist)
        return self.fig


# --- The filter explorer (notebook 03) ------------------------------------------------------------


class FilterFigure:
    """Image, activation map, and the map after ReLU, side by side; built once, updated in place."""

    def __init__(self, s: Scale | None = None):
        self.s = s = s or scale()
        self.fig = Figure(figsize=(11, 3.7), dpi=s.dpi)
        ExplorerCanvas(self.fig)
        self.axes = self.fig.subplots(1, 3)
        self.fig.subplots_adjust(left=0.01, right=0.94, top=0.88, bottom=0.03, wspace=0.3)
        z = np.zeros((3, 3))
        self.ims = [
            fast_image(self.axes[0].imshow(z, cmap="gray")),
            fast_image(self.axes[1].imshow(z, cmap="RdBu_r")),
            fast_image(self.axes[2].imshow(z, cmap="magma")),
        ]
        self.bars = [
            self.fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03) for im, ax in zip(self.ims[1:], self.axes[1:])
        ]
        for bar in self.bars:
            bar.ax.tick_params(labelsize=s.font_pt)
        for ax in self.axes:
            ax.set_xticks([]), ax.set_yticks([])

    def update(self, image, fmap, kept, title):
        s = self.s
        lim = float(np.abs(fmap).max()) or 1.0
        for im, data, lo, hi in [
            (self.ims[0], image, image.min(), image.max()),
            (self.ims[1], fmap, -lim, lim),
            (self.ims[2], kept, 0, float(kept.max()) or 1.0),
        ]:
            _show_image(im, data, lo, hi)
        for bar, (lo, hi) in zip(self.bars, [(-lim, lim), (0, float(kept.max()) or 1.0)]):
            bar.set_ticks([lo, hi], labels=[_num(lo), _num(hi)])
        self.axes[0].set_title(title, fontsize=s.font_pt)
        self.axes[1].set_title(tr("activation map (conv)"), fontsize=s.font_pt)
        share = float(np.mean(fmap > 0))
        self.axes[2].set_title(tr("after ReLU: {share} of the map kept", share=f"{share:.0%}"), fontsize=s.font_pt)
        return self.fig


# --- The pooling explorer (notebook 04) ------------------------------------------------------------


class PoolFigure:
    """The activation map with the pooling windows drawn on it, and the pooled map."""

    def __init__(self, s: Scale | None = None):
        self.s = s = s or scale()
        self.fig = Figure(figsize=(10, 4.2), dpi=s.dpi)
        ExplorerCanvas(self.fig)
        self.axes = self.fig.subplots(1, 2)
        self.fig.subplots_adjust(left=0.02, right=0.93, top=0.85, bottom=0.03, wspace=0.2)
        z = np.zeros((3, 3))
        self.ims = [fast_image(ax.imshow(z, cmap="magma")) for ax in self.axes]
        self.lines = []
        self.bar = self.fig.colorbar(self.ims[1], ax=self.axes[1], fraction=0.046, pad=0.03)
        self.bar.ax.tick_params(labelsize=s.font_pt)
        for ax in self.axes:
            ax.set_xticks([]), ax.set_yticks([])

    def update(self, fmap, pooled, size, stride, padding, kind):
        s = self.s
        hi = float(fmap.max()) or 1.0
        _show_image(self.ims[0], fmap, 0, hi)
        _show_image(self.ims[1], pooled, 0, hi)
        self.bar.set_ticks([0, hi], labels=["0", _num(hi)])
        ax = self.axes[0]
        starts_r = np.arange(pooled.shape[0]) * stride - padding
        starts_c = np.arange(pooled.shape[1]) * stride - padding
        # The windows of the first output row and column, outlined (all of them would hide the map). The outlines
        # are kept from one update to the next and moved (adding a patch to the axes costs more than drawing it).
        corners = [(starts_r[0], c) for c in starts_c] + [(r, starts_c[0]) for r in starts_r[1:]]
        while len(self.lines) < len(corners):
            self.lines.append(
                ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="cyan", linewidth=1.5, visible=False))
            )
        for k, line in enumerate(self.lines):
            if k < len(corners):
                r, c = corners[k]
                line.set_bounds(c - 0.5, r - 0.5, size, size)
            line.set_visible(k < len(corners))
        ax.set_title(
            tr("activation map {h}×{w}", h=fmap.shape[0], w=fmap.shape[1])
            + "\n"
            + tr("(windows of the first row and column)"),
            fontsize=s.font_pt,
        )
        self.axes[1].set_title(
            tr(
                "{kind} pooling {size}×{size}, stride {stride}, padding {padding}:",
                kind=kind,
                size=size,
                stride=stride,
                padding=padding,
            )
            + f"\n{pooled.shape[0]}×{pooled.shape[1]}",
            fontsize=s.font_pt,
        )
        return self.fig
