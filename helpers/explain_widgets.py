"""Notebook 07's two explorers, on helpers.widgets' framework (a message instead of a traceback, timings, a static
picture of the first view, laptop or presenter scale):

    occlusion_explorer(cnn, images, labels, indices)   patch size and stride: the map of how much p(label) drops
    fgsm_explorer(cnn, images, labels, indices)        ε: the prediction, its probability and the change

Both compute on one thread (for one digit, threads cost more than they give, far more on a busy CPU) and draw into
a figure built once and updated in place.
"""

from __future__ import annotations

import numpy as np

from helpers.explorer import with_still
from helpers.explorer_figures import ExplorerCanvas, _show_image, fast_image
from helpers.i18n import tr

#: The slider ranges. A patch of 4 with stride 2 is 13×13 = 169 windows, the most one update computes (about
#: 80 ms on one busy core); stride 1 would be 625 windows and more.
PATCH_SIZES = (4, 14)
STRIDES = (2, 7)
EPSILON_TOP = 0.3


def _digit_menu(description, images, labels, indices):
    import ipywidgets as w

    from helpers.explorer import scale

    indices = [int(i) for i in indices]
    if not indices or any(not 0 <= i < len(images) for i in indices):
        raise ValueError(f"indices must be positions of digits in images (0 to {len(images) - 1}), got {indices}")
    s = scale()
    return w.Dropdown(
        options=[(tr("test digit #{i} (a {label})", i=i, label=int(labels[i])), i) for i in indices],
        description=description,
        style={"description_width": "initial"},
        layout=w.Layout(width=f"{s.slider_px + 120}px"),
    )


def _one_thread():
    """One torch thread for one digit (helpers.models.torch_threads): quicker than two waiting for each other."""
    from helpers.models import torch_threads

    return torch_threads(1)


def _tensor(image):
    """A uint8 digit (28, 28) → its (1, 1, 28, 28) tensor as the CNN reads it."""
    from helpers.train import to_tensors

    return to_tensors(np.asarray(image)[None])


def _style_axes(axes):
    for ax in axes:
        ax.set_xticks([]), ax.set_yticks([])


# --- occlusion --------------------------------------------------------------------------------------


class OcclusionFigure:
    """The digit with one patch on it, the drop of p(label) for every window position, and the per-pixel map."""

    def __init__(self, s=None):
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle

        from helpers.explorer import scale

        self.s = s = s or scale()
        self.fig = Figure(figsize=(11, 4.0), dpi=s.dpi)
        self.axes = self.fig.subplots(1, 3)
        self.fig.subplots_adjust(left=0.01, right=0.93, top=0.80, bottom=0.03, wspace=0.25)
        _style_axes(self.axes)
        z = np.zeros((3, 3))
        self.digit = fast_image(self.axes[0].imshow(z, cmap="gray", vmin=0, vmax=255))
        self.patch = self.axes[0].add_patch(
            Rectangle((0, 0), 1, 1, facecolor="#555", edgecolor="tab:orange", linewidth=2, alpha=0.85)
        )
        self.drops = fast_image(self.axes[1].imshow(z, cmap="RdBu_r", vmin=-1, vmax=1))
        self.best = self.axes[1].add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="tab:orange", linewidth=2))
        self.under = fast_image(self.axes[2].imshow(z, cmap="gray", vmin=0, vmax=255))
        self.pixels = fast_image(self.axes[2].imshow(z, cmap="RdBu_r", vmin=-1, vmax=1, alpha=0.7))
        self.bar = self.fig.colorbar(self.pixels, ax=self.axes[2], fraction=0.046, pad=0.03)
        self.bar.ax.tick_params(labelsize=s.font_pt)
        # Blitting, as in the FGSM figure: the pictures, the outlines, the titles and the colour bar (its scale
        # follows the largest drop) are drawn over a saved background.
        self.canvas = ExplorerCanvas(self.fig)
        self.moving = [
            self.digit,
            self.drops,
            self.under,
            self.pixels,
            self.patch,
            self.best,
            self.bar.ax,
            *(ax.title for ax in self.axes),
            *(sp for ax in self.axes for sp in ax.spines.values()),
        ]
        for artist in self.moving:
            artist.set_animated(True)
        self._background = None

    def update(self, image, label, p, drops, attribution, size, stride, starts):
        s = self.s
        _show_image(self.digit, image, 0, 255)
        i, j = np.unravel_index(np.argmax(drops), drops.shape)
        self.patch.set_bounds(starts[j] - 0.5, starts[i] - 0.5, size, size)
        self.axes[0].set_title(
            tr("the digit, p({label}) = {p}\nthe patch that hurts most", label=label, p=f"{p:.1%}"), fontsize=s.font_pt
        )
        # one colour scale for both maps, fitted to the largest drop (a sure network's drops are small)
        lim = max(float(np.abs(drops).max()), 0.01)
        _show_image(self.drops, drops, -lim, lim)
        self.best.set_bounds(j - 0.5, i - 0.5, 1, 1)
        self.axes[1].set_title(
            tr(
                "drop of p({label}), one cell per window:\n{h}×{w} positions (stride {stride})",
                label=label,
                h=drops.shape[0],
                w=drops.shape[1],
                stride=stride,
            ),
            fontsize=s.font_pt,
        )
        _show_image(self.under, image, 0, 255)
        _show_image(self.pixels, attribution, -lim, lim)
        self.bar.set_ticks([-lim, 0, lim], labels=[f"{-lim:.2f}", "0", f"{lim:.2f}"])
        # raised above the colour bar's top number, which a title wider than its axes would touch
        self.axes[2].set_title(
            tr("per pixel: mean drop of the\nwindows that cover it (as captum)"), fontsize=s.font_pt, pad=s.font_pt
        )
        return FGSMFigure.render(self)


@with_still
def occlusion_explorer(model, images, labels, indices):
    """Slide a background patch over a digit: patch size and stride sliders, the drop of the probability of its
    label for every window position, and the per-pixel map captum's Occlusion gives."""
    import torch

    from helpers import explain
    from helpers.explorer import explorer, int_slider, lay_out, scale

    s = scale()
    import ipywidgets as w

    wide = w.Layout(width=f"{s.slider_px + 120}px")
    figure = OcclusionFigure(s)
    cache = {}

    def draw(digit, patch_size, stride, show):
        if stride > patch_size:
            raise ValueError(
                tr(
                    "stride {stride} is larger than patch size {size}: the pixels between two windows "
                    "would never be covered. Lower stride to {size} or less, or raise patch size.",
                    stride=stride,
                    size=patch_size,
                )
            )
        key = (digit, patch_size, stride)
        if key not in cache:
            x, label = _tensor(images[digit]), int(labels[digit])
            with _one_thread(), torch.no_grad():
                p = float(torch.softmax(model(x), 1)[0, label])
                drops, attribution = explain.occlusion(model, x, label, patch_size, stride)
            cache[key] = (label, p, drops[0].numpy(), attribution[0].numpy())
        label, p, drops, attribution = cache[key]
        starts = explain.window_starts(images[digit].shape[0], patch_size, stride)
        show(
            figure.update(np.asarray(images[digit]), label, p, drops, attribution, patch_size, stride, starts),
            close=False,
            drawn=True,
        )
        return {"drops": drops, "attribution": attribution, "windows": drops.size, "probability": p}

    ui = explorer(
        draw,
        digit=_digit_menu(tr("digit"), images, labels, indices),
        patch_size=int_slider(tr("patch size"), 7, *PATCH_SIZES, layout=wide),
        stride=int_slider(tr("stride"), 3, *STRIDES, layout=wide),
    )
    c = ui.controls
    lay_out(ui, w.HBox([c["digit"], w.VBox([c["patch_size"], c["stride"]])]))
    ui.figure = figure
    return ui


# --- FGSM -------------------------------------------------------------------------------------------


class FGSMFigure:
    """The digit, the change ε · sign(gradient), the changed digit, and the ten probabilities."""

    def __init__(self, s=None):
        from matplotlib.figure import Figure

        from helpers.explorer import scale

        self.s = s = s or scale()
        self.fig = Figure(figsize=(11, 3.6), dpi=s.dpi)
        self.axes = self.fig.subplots(1, 4, gridspec_kw={"width_ratios": (1, 1, 1, 1.3)})
        self.fig.subplots_adjust(left=0.01, right=0.98, top=0.80, bottom=0.12, wspace=0.3)
        _style_axes(self.axes[:3])
        z = np.zeros((3, 3))
        self.before = fast_image(self.axes[0].imshow(z, cmap="gray", vmin=0, vmax=1))
        self.change = fast_image(self.axes[1].imshow(z, cmap="RdBu_r", vmin=-EPSILON_TOP, vmax=EPSILON_TOP))
        self.after = fast_image(self.axes[2].imshow(z, cmap="gray", vmin=0, vmax=1))
        self.bars = self.axes[3].bar(range(10), np.zeros(10), color="#999")
        self.axes[3].set_ylim(0, 1)
        self.axes[3].set_xticks(range(10))
        self.axes[3].set_yticks([0, 0.5, 1], ["0", "50%", "100%"])
        self.axes[3].tick_params(labelsize=s.font_pt)
        # What changes with ε is drawn over a saved background (blitting): the three pictures, the bars, the titles;
        # the axes, ticks and labels are drawn once.
        self.canvas = ExplorerCanvas(self.fig)
        self.moving = [
            self.before,
            self.change,
            self.after,
            *self.bars,
            *(ax.title for ax in self.axes),
            *(sp for ax in self.axes[:3] for sp in ax.spines.values()),
        ]
        for artist in self.moving:
            artist.set_animated(True)
        self._background = None

    def update(self, before, change, after, probabilities, label, p_before, epsilon):
        s = self.s
        _show_image(self.before, before, 0, 1)
        _show_image(self.change, change, -EPSILON_TOP, EPSILON_TOP)
        _show_image(self.after, after, 0, 1)
        answer = int(np.argmax(probabilities))
        self.axes[0].set_title(
            tr("the digit: {label}\nread as {label} ({p})", label=label, p=f"{p_before:.1%}"), fontsize=s.font_pt
        )
        self.axes[1].set_title(
            tr("the change: ±{e}\n(ε · sign of the gradient)", e=f"{epsilon:.2f}"), fontsize=s.font_pt
        )
        self.axes[2].set_title(
            tr("after FGSM:\nread as {answer} ({p})", answer=answer, p=f"{probabilities[answer]:.1%}"),
            fontsize=s.font_pt,
            color="black" if answer == label else "tab:red",
        )
        for k, (bar, v) in enumerate(zip(self.bars, probabilities)):
            bar.set_height(v)
            bar.set_color("tab:green" if k == label else ("tab:red" if k == answer else "#999"))
        self.axes[3].set_title(tr("the ten probabilities"), fontsize=s.font_pt)
        return self.render()

    def render(self):
        """Restore the saved background and draw the moving parts (the first time: draw all, save it)."""
        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        return self.fig


@with_still
def fgsm_explorer(model, images, labels, indices):
    """One digit and an ε slider: FGSM's changed digit, what the network reads in it and how sure it is."""
    import ipywidgets as w
    import torch

    from helpers import explain
    from helpers.explorer import explorer, lay_out, scale

    s = scale()
    figure = FGSMFigure(s)
    signs = {}

    def draw(digit, epsilon, show):
        pixels = torch.as_tensor(np.asarray(images[digit], np.float32) / 255)[None, None]
        label = int(labels[digit])
        with _one_thread():
            if digit not in signs:
                signs[digit] = explain.gradient_sign(model, pixels, label)
            after = (pixels + epsilon * signs[digit]).clamp(0, 1)
            with torch.no_grad():
                probabilities = torch.softmax(model(explain.normalise(torch.cat([pixels, after]))), 1).numpy()
        change = (after - pixels)[0, 0].numpy()
        show(
            figure.update(
                pixels[0, 0].numpy(),
                change,
                after[0, 0].numpy(),
                probabilities[1],
                label,
                probabilities[0, label],
                epsilon,
            ),
            close=False,
            drawn=True,
        )
        answer = int(np.argmax(probabilities[1]))
        return {
            "prediction": answer,
            "probability": float(probabilities[1, answer]),
            "adversarial": after,
            "change": change,
        }

    ui = explorer(
        draw,
        digit=_digit_menu(tr("digit"), images, labels, indices),
        epsilon=w.FloatSlider(
            value=0.0,
            min=0.0,
            max=EPSILON_TOP,
            step=0.01,
            description=tr("ε"),
            readout_format=".2f",
            style={"description_width": "initial"},
            layout=w.Layout(width=f"{s.slider_px + 120}px"),
        ),
    )
    c = ui.controls
    lay_out(ui, w.HBox([c["digit"], c["epsilon"]]))
    ui.figure = figure
    return ui
