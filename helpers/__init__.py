"""Helpers for the CNN lecture notebooks: one small module per idea.

data     MNIST from the bundled files          conv     convolution, fast (02 writes the loop)
hog      HOG features, checked against skimage  filters  named kernels and edge maps
pool     max / average pooling                  models   the lecture's networks in torch
train    the CNN training loop, cached          plots    figures used across notebooks
learn    one kernel by gradient descent (03)     drawing  draw a digit: MNIST's recipe, the live pad (06)
widgets  the live explorers                      checks   feedback for the exercises
i18n     the language switch (English / Russian)
"""

from __future__ import annotations

import platform
import sys

from helpers.i18n import below, count, language, number, plural_ru, set_language, tr

__all__ = ["report", "set_language", "language", "tr", "below", "number", "count", "plural_ru"]


def report() -> dict[str, str]:
    """Versions of what the notebooks use, the CPU threads torch will use, and whether MNIST is found."""
    from importlib import metadata

    import torch

    from helpers.data import load_mnist

    out = {"python": platform.python_version()}
    for name in ("numpy", "torch", "torchvision", "matplotlib", "scikit-image", "scikit-learn",
                 "ipywidgets", "jupyterlab_widgets", "ipycanvas"):
        try:
            out[name] = metadata.version(name).split("+")[0]
        except metadata.PackageNotFoundError:
            out[name] = tr("MISSING")
    out[tr("torch threads")] = str(torch.get_num_threads())
    try:
        train, test = load_mnist("train")[0], load_mnist("test")[0]
        out["MNIST"] = tr("found: {train} train + {test} test images", train=len(train), test=len(test))
    except Exception as e:  # shown to the student, who can act on the message
        out["MNIST"] = tr("PROBLEM: {error}", error=e)
    out[tr("platform")] = f"{platform.system()} {platform.machine()}, {sys.implementation.name}"
    return out
