"""Figures used in more than one notebook: matrices with their numbers, digit grids, source listings."""

from __future__ import annotations

import inspect

import matplotlib.pyplot as plt
import numpy as np

from helpers.i18n import tr


def show_matrix(
    m, ax=None, title=None, cmap="gray", fmt=None, fontsize=None, colorbar=False, highlight=None, vmin=None, vmax=None
):
    """A small matrix drawn as an image with its numbers written in each cell.

    highlight: (row, col, height, width) drawn as a red rectangle, e.g. the current window.
    """
    m = np.asarray(m)
    ax = ax or plt.gca()
    im = ax.imshow(m, cmap=cmap, vmin=vmin, vmax=vmax)
    if fmt is None:
        fmt = "{:.0f}" if np.allclose(m, np.round(m)) else "{:.2g}"
    if m.size <= 900:
        lo, hi = (np.nanmin(m), np.nanmax(m)) if vmin is None else (vmin, vmax)
        mid = (lo + hi) / 2
        size = fontsize or max(5, min(12, 180 // max(m.shape)))
        for (i, j), v in np.ndenumerate(m):
            light = (v < mid) if cmap in ("gray", "viridis", "magma") else abs(v - mid) > (hi - lo) / 3
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=size, color="white" if light else "black")
    if highlight is not None:
        r, c, h, w = highlight
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), w, h, fill=False, edgecolor="red", linewidth=2.5))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(tr(title))  # a notebook's title, in the reader's language where i18n_ru has it
    if colorbar:
        plt.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return im


def digit_grid(images, labels=None, ncols=10, title=None, predictions=None, size=1.0):
    """Digits in a grid, each titled with its label (and a prediction, red when wrong)."""
    images = np.asarray(images)
    n = len(images)
    nrows = max(1, -(-n // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.15), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(images[k], cmap="gray")
        if predictions is not None:
            ok = labels is None or predictions[k] == labels[k]
            text = f"{labels[k]}→{predictions[k]}" if labels is not None else str(predictions[k])
            ax.set_title(text, fontsize=9, color="black" if ok else "red")
        elif labels is not None:
            ax.set_title(str(labels[k]), fontsize=9)
    if title:
        fig.suptitle(tr(title))
    fig.tight_layout()
    return fig


def show_source(obj):
    """The source of a helper, highlighted, so a notebook shows the code that exists once, in helpers/."""
    from IPython.display import Code

    return Code(inspect.getsource(obj), language="python")


def digits_canvas(images, positions, size=(64, 112)):
    """A larger image with several MNIST digits placed at (row, col) positions (brightest pixel wins)."""
    canvas = np.zeros(size, np.uint8)
    for img, (r, c) in zip(images, positions):
        canvas[r : r + 28, c : c + 28] = np.maximum(canvas[r : r + 28, c : c + 28], img)
    return canvas


def vision_tasks(canvas, classify, threshold=60):
    """Classification, detection and segmentation of a canvas of digits, with a digit classifier.

    Each connected blob of ink (scipy.ndimage.label) is one object: its bounding box is the detection,
    its pixels the segmentation, and `classify` (28×28 uint8 crops -> labels) names it. Returns a list
    of dicts: box (r0, c0, r1, c1), label, mask.
    """
    from scipy import ndimage

    blobs, n = ndimage.label(canvas > threshold)
    objects = []
    crops = []
    for k, sl in enumerate(ndimage.find_objects(blobs), start=1):
        r0, r1, c0, c1 = sl[0].start, sl[0].stop, sl[1].start, sl[1].stop
        if (r1 - r0) * (c1 - c0) < 20:
            continue
        # Centre the blob in a 28×28 crop, as MNIST digits are centred.
        cr, cc = (r0 + r1) // 2, (c0 + c1) // 2
        padded = np.pad(canvas * (blobs == k), 14)
        crops.append(padded[cr : cr + 28, cc : cc + 28])
        objects.append({"box": (r0, c0, r1, c1), "mask": blobs == k})
    for obj, label in zip(objects, classify(np.stack(crops)) if crops else []):
        obj["label"] = int(label)
    return objects


def vision_tasks_figure(canvas, objects, whole_label):
    """Three panels: (A) one label for the image, (B) boxes with labels, (C) a class for every pixel."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.4))
    for ax in axes:
        ax.imshow(canvas, cmap="gray")
        ax.set_xticks([]), ax.set_yticks([])
    axes[0].set_title(tr('(A) classification: the image is a "{label}"', label=whole_label))
    colours = plt.cm.tab10(np.arange(10))
    for obj in objects:
        r0, c0, r1, c1 = obj["box"]
        colour = colours[obj["label"]]
        axes[1].add_patch(
            plt.Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor=colour, linewidth=2)
        )
        axes[1].text(c0, r0 - 1.5, str(obj["label"]), color=colour, fontsize=12, fontweight="bold")
    axes[1].set_title(tr("(B) detection: where is each object, and what"))
    overlay = np.zeros(canvas.shape + (4,))
    for obj in objects:
        overlay[obj["mask"]] = colours[obj["label"]]
        overlay[obj["mask"], 3] = 0.75
    axes[2].imshow(overlay)
    axes[2].set_title(tr("(C) segmentation: a class for every pixel"))
    fig.tight_layout()
    return fig


def gradient_arrows(ax, row, col, gx, gy):
    """Pixel (row, col)'s gradient drawn over a matrix that `show_matrix` put on `ax`: gx (gold), then gy (blue)
    from its tip, and the gradient (gx, gy) itself (red), one cell long. The axes are an image's, rows growing
    downwards, so gy = below − above > 0 points down."""
    unit = 1 / np.hypot(gx, gy)
    arrow = dict(
        angles="xy",
        scale_units="xy",
        scale=1 / unit,
        width=0.016,
        headwidth=3.5,
        headlength=4,
        headaxislength=3.5,
        edgecolor="black",
        linewidth=0.8,
    )
    ax.quiver(col, row, gx, 0, color="gold", **arrow)
    ax.quiver(col + gx * unit, row, 0, gy, color="deepskyblue", **arrow)
    ax.quiver(col, row, gx, gy, color="red", **arrow)
    label = dict(fontsize=13, fontweight="bold", bbox=dict(facecolor="white", edgecolor="none", pad=1))
    ax.text(col + 0.25, row + 0.4, "gx", **label)
    ax.text(col + gx * unit + 0.125, row + gy * unit / 2 - 0.08, "gy", **label)


def map_stacks(stacks, labels, arrows, cmaps):
    """Stacks of maps drawn as cards, left to right (card 0 in front), a label under each stack and a text over
    the arrow to the next: a layer's input channels, its maps, the next layer's maps. `cmaps` holds one colour map
    per stack, or a list of one per card."""
    fig, ax = plt.subplots(figsize=(12, 3.6))
    step, gap, left = 0.16, 1.5, 0.0
    for k, (maps, label, cmap) in enumerate(zip(stacks, labels, cmaps)):
        for i in reversed(range(len(maps))):  # back cards first
            off, z = i * step, 2 * (len(maps) - i)
            ax.imshow(
                maps[i],
                cmap=cmap[i] if isinstance(cmap, list) else cmap,
                zorder=z,
                extent=(left + off, left + off + 1, off, off + 1),
                vmax=np.percentile(maps[i], 99.5),
            )
            ax.add_patch(plt.Rectangle((left + off, off), 1, 1, fill=False, zorder=z + 1))
        width = 1 + (len(maps) - 1) * step
        ax.text(left + width / 2, -0.1, label, ha="center", va="top", fontsize=12)
        if k < len(arrows):
            ax.annotate(
                "",
                (left + width + gap - 0.1, 0.5),
                (left + width + 0.1, 0.5),
                arrowprops=dict(arrowstyle="-|>", lw=2, color="0.3"),
            )
            ax.text(left + width + gap / 2, 0.62, arrows[k], ha="center", va="bottom", fontsize=12)
        left += width + gap
    ax.set(xlim=(-0.1, left - gap + 0.1), ylim=(-0.55, 2.25), aspect="equal")
    ax.axis("off")
    return fig


def activation_rows(image, maps, n=12, input_title="", row_label="{h}×{w}", title=""):
    """An input image on the left and, for each layer, the first `n` of its maps (C, H, W) in a row, one colour
    scale per row (0 to the row's brightest) with its colour bar. `row_label` is filled with i (the row: 1, 2, …),
    h and w (the maps' sides)."""
    fig = plt.figure(figsize=(12, 1.27 * len(maps)))
    grid = fig.add_gridspec(len(maps), n + 3, width_ratios=[3, 0.9] + [1] * n + [0.3], hspace=0.35, wspace=0.08)
    ax = fig.add_subplot(grid[:, 0])
    ax.imshow(image, cmap="gray")
    ax.axis("off")
    ax.set_title(input_title)
    for row, fmap in enumerate(maps):
        fmap = np.asarray(fmap)
        top = fmap[:n].max()
        for j in range(min(n, len(fmap))):
            a = fig.add_subplot(grid[row, 2 + j])
            shown = a.imshow(fmap[j], cmap="magma", vmin=0, vmax=top)
            a.set_xticks([]), a.set_yticks([])
            if j == 0:
                a.set_ylabel(row_label.format(i=row + 1, h=fmap.shape[1], w=fmap.shape[2]), fontsize=10)
        fig.colorbar(shown, cax=fig.add_subplot(grid[row, n + 2]))
    fig.suptitle(title)
    return fig


def image_rows(rows, titles, *, inputs=0, cmap="RdBu_r", limit=None, centred=True, label=None, size=2.6):
    """Images in rows, every map on one colour scale with one colour bar, so that equal colours are equal values.

    rows: a list of rows, each a list of images (a single row may be given as the list itself); titles: the same
    shape. The first `inputs` images of each row are inputs, drawn as they are (H×W×3 in colour, 2-D in grey); the
    rest are maps, drawn with `cmap` from −limit to limit when `centred`, else from 0 to limit. `limit` defaults to
    the largest |value| of the maps. label: the colour bar's. Returns the figure and its axes (rows × columns),
    so that a cell can mark a point on a map.
    """
    if len(rows) and not isinstance(rows[0], (list, tuple)):  # one row
        rows, titles = [rows], [titles]
    rows = [list(row) for row in rows]
    titles = [list(row) for row in titles]
    ncols = max(len(row) for row in rows)
    if [len(r) for r in titles] != [len(r) for r in rows]:
        raise ValueError("titles must have one title for each image, row by row")
    maps = [np.asarray(m, float) for row in rows for m in row[inputs:]]
    if not maps:
        raise ValueError("rows must hold at least one map after the `inputs` input images")
    if limit is None:
        limit = max(float(np.nanmax(np.abs(m))) for m in maps)
    vmin, vmax = (-limit, limit) if centred else (0, limit)
    fig, axes = plt.subplots(
        len(rows), ncols, figsize=(size * ncols + 1.2, size * len(rows) + 0.5), layout="constrained", squeeze=False
    )
    shown = None
    for r, (row, names) in enumerate(zip(rows, titles)):
        for c, ax in enumerate(axes[r]):
            ax.set_xticks([]), ax.set_yticks([])
            if c >= len(row):
                ax.axis("off")
                continue
            image = np.asarray(row[c])
            if c < inputs:
                ax.imshow(image, cmap=None if image.ndim == 3 else "gray")
            else:
                shown = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
            ax.set_title(names[c])
    fig.colorbar(shown, ax=axes[:, inputs:], shrink=0.85 if len(rows) == 1 else 0.7, label=label)
    return fig, axes


def kernel_snapshots(losses, snapshots, limit=2.0):
    """How a kernel is learned: the loss on a log scale, then the kernel at a few steps, its numbers written in
    (`show_matrix`, rounded to 0.1, one colour scale from −limit to limit). snapshots: (step, kernel) pairs."""
    fig = plt.figure(figsize=(12, 3.2))
    ax = fig.add_subplot(1, len(snapshots) + 1, 1)
    ax.semilogy(losses)
    ax.set(title=tr("loss going down"), xlabel=tr("step"))
    for j, (step, kernel) in enumerate(snapshots):
        show_matrix(
            np.round(kernel, 1) + 0.0,  # + 0.0: no "-0.0"
            ax=fig.add_subplot(1, len(snapshots) + 1, j + 2),
            cmap="RdBu_r",
            vmin=-limit,
            vmax=limit,
            fmt="{:.1f}",
            fontsize=11,
            title=tr("w at step {step}", step=step),
        )
    fig.tight_layout()
    return fig


def loss_and_schedule(losses, learning_rates, batch, window=25):
    """A training run: every batch's loss and its moving average over `window` batches (log scale, with the
    log 10 of guessing among ten digits), and below it the learning rate at each step."""
    losses = np.asarray(losses, float)
    if len(learning_rates) != len(losses):
        raise ValueError("learning_rates must have one value per step, as many as losses")
    steps = np.arange(len(losses))
    fig, (ax, ax_lr) = plt.subplots(2, 1, figsize=(9, 5), sharex=True, height_ratios=[2.2, 1])
    ax.semilogy(steps, losses, alpha=0.3, label=tr("each batch"))
    if len(losses) >= window:
        average = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax.semilogy(steps[window - 1 :], average, label=tr("average of {n} batches", n=window))
    ax.axhline(np.log(10), color="grey", linestyle=":", label=tr("log 10: guessing"))
    ax.set(ylabel=tr("cross-entropy loss"), title=tr("the loss during the one epoch of training"))
    ax.legend()
    ax_lr.plot(steps, learning_rates, color="tab:green")
    ax_lr.set(xlabel=tr("training step (a batch of {n} digits)", n=batch), ylabel=tr("learning rate"))
    fig.tight_layout()
    return fig
