"""Figures used in more than one notebook: matrices with their numbers, digit grids, source listings."""

from __future__ import annotations

import inspect

import matplotlib.pyplot as plt
import numpy as np


def show_matrix(m, ax=None, title=None, cmap="gray", fmt=None, fontsize=None, colorbar=False,
                highlight=None, vmin=None, vmax=None):
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
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=size,
                    color="white" if light else "black")
    if highlight is not None:
        r, c, h, w = highlight
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), w, h, fill=False, edgecolor="red", linewidth=2.5))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
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
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_source(obj):
    """The source of a helper, highlighted, so a notebook shows the code that exists once, in helpers/."""
    from IPython.display import Code

    return Code(inspect.getsource(obj), language="python")
