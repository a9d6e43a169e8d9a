"""conv2d against torch on two layer shapes (goal: <= 3x torch's time); the convolution explorer's time per change."""

import contextlib
import io

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks import Row, interleaved, time_row
from helpers.conv import conv2d

# conv2d is one im2col copy and one matrix product: numpy's GEMM bounds it, and readable code is
# worth more here than the last 30 % (issue 12), so the goal is 3x torch, not parity.
GOAL = 3.0


def run():
    rows = []
    rng = np.random.default_rng(0)
    for x_shape, w_shape in [((64, 1, 28, 28), (32, 1, 3, 3)), ((64, 32, 14, 14), (64, 32, 3, 3))]:
        x = rng.standard_normal(x_shape).astype(np.float32)
        w = rng.standard_normal(w_shape).astype(np.float32)
        b = rng.standard_normal(w_shape[0]).astype(np.float32)
        tx, tw, tb = map(torch.from_numpy, (x, w, b))
        with torch.no_grad():
            (t_ours, f_ours), (t_torch, f_torch) = interleaved(
                [
                    lambda x=x, w=w, b=b: conv2d(x, w, b, padding=1),
                    lambda tx=tx, tw=tw, tb=tb: F.conv2d(tx, tw, tb, padding=1),
                ]
            )
        rows.append(
            time_row(
                f"conv2d {x_shape}x{w_shape} pad 1 vs torch (page faults/call {f_ours:.0f} vs {f_torch:.0f})",
                t_ours,
                t_torch,
                GOAL,
            )
        )
    rows.append(explorer_row())
    return rows


def explorer_row():
    """Median compute + render time per slider change of the convolution explorer, headless."""
    import matplotlib

    matplotlib.use("Agg")
    from helpers.data import load_mnist
    from helpers.widgets import conv_explorer

    images, _ = load_mnist("test")
    with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter, display() prints a line per redraw
        ui = conv_explorer(
            {"digit": images[4], "digit 8": images[61]},
            {"slide": [[1, 2, 3], [-4, 7, 4], [2, -5, 1]], "sobel": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]},
        )
        ui.timings_ms.clear()
        _change_every_control(ui)
    t = float(np.median(ui.timings_ms)) / 1000
    return Row(
        "convolution explorer: compute + render per change", f"{t * 1e3:.0f} ms", "", t * 1e3, "<= 200 ms", t <= 0.2
    )


def _change_every_control(ui):
    from helpers.widgets import control

    for name, values in [
        ("stride", [2, 3, 1]),
        ("padding", [0, 2, 1]),
        ("dilation", [2, 1]),
        ("size", [5, 3]),
        ("position", [10, 100, 300, 500]),
        ("kernel", ["sobel", "slide"]),
        ("image", ["digit 8"]),
    ]:
        for v in values:
            control(ui, name).value = v
