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
