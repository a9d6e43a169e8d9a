"""Helpers for the CNN lecture notebooks: one small module per idea.

data              MNIST from the bundled files
conv              convolution, fast (02 writes the loop)
filters           named kernels and edge maps (03)
pool              max / average pooling, shifts (04)
hog               HOG features, equal to scikit-image's (01)
learn             one kernel by gradient descent (03)
models            the lecture's networks; layer table, receptive field, eval mode, torch threads
train             the CNN training loop, cached (05)
plots             figures used across notebooks
explorer          the explorer framework: sliders that redraw a figure, laptop or projector scale
explorer_figures  the explorers' figures, updated in place
widgets           the live explorers (00, 02, 03, 04)
mnist_style       a drawing made into an MNIST digit, MNIST's own recipe (06)
drawing           the drawing pad and the CNN's view of the drawing (06)
pixels            pictures as RGBA arrays for a browser canvas (06, 07)
checks            feedback for the exercises (a package, one idea a module)
homework_tasks    the homework's tasks: their data, reference code and checks (one module per homework)
explain           saliency, occlusion, Grad-CAM, top patches, FGSM (07)
explain_widgets   07's occlusion and FGSM explorers
i18n              the language switch (English / Russian); i18n_ru, the catalogue of helpers' texts
_validate         the argument rules every helper checks (int or pair, whole number, colour image, ...)
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
    for name in (
        "numpy",
        "torch",
        "torchvision",
        "matplotlib",
        "scikit-image",
        "scikit-learn",
        "ipywidgets",
        "jupyterlab_widgets",
        "ipycanvas",
    ):
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
