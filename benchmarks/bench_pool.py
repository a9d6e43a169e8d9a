"""Issue 5: max_pool2d against torch; the filter and pooling explorers' time per change.
Issue 8: the time to recover a hidden kernel by gradient descent."""

import contextlib
import io
import time

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks import Row, fmt_time, interleaved, time_row
from helpers.data import load_mnist


def run():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 32, 28, 28)).astype(np.float32)
    t = torch.from_numpy(x)
    from helpers.pool import avg_pool2d, max_pool2d

    rows = []
    for name, ours, theirs in [("max_pool2d", max_pool2d, F.max_pool2d), ("avg_pool2d", avg_pool2d, F.avg_pool2d)]:
        (t_ours, _), (t_torch, _) = interleaved([lambda ours=ours: ours(x, 2), lambda theirs=theirs: theirs(t, 2)])
        rows.append(time_row(f"{name} (64,32,28,28) 2x2 vs torch", t_ours, t_torch, 2.0))
    rows += explorer_rows()
    rows += learned_kernel_rows()
    return rows


def explorer_rows():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.conv import conv2d
    from helpers.filters import NAMES, kernel, relu
    from helpers.widgets import control, filter_explorer, pool_explorer

    images, _ = load_mnist("test")
    rows = []
    with contextlib.redirect_stdout(io.StringIO()):
        ui = filter_explorer({"a": images[0], "b": images[1]}, {n: kernel(n) for n in NAMES})
        ui.timings_ms.clear()
        for name in NAMES[1:]:
            control(ui, "kernel").value = name
        control(ui, "image").value = "b"
        ui.kernel_cells[4].value = 3.0
    t = float(np.median(ui.timings_ms))
    rows.append(Row("filter explorer: compute + render per change", f"{t:.0f} ms", "", t, "<= 200 ms", t <= 200))
    maps = {n: relu(conv2d(images[0] / 255, kernel(n), padding=1)) for n in ("sobel x", "sobel y")}
    with contextlib.redirect_stdout(io.StringIO()):
        ui = pool_explorer(maps)
        ui.timings_ms.clear()
        for name, values in [
            ("size", [3, 4, 2]),
            ("stride", [1, 3, 2]),
            ("kind", ["average", "max"]),
            ("padding", [1, 0]),
            ("activation_map", ["sobel y"]),
        ]:
            for v in values:
                control(ui, name if name != "activation_map" else "activation map").value = v
    t = float(np.median(ui.timings_ms))
    rows.append(Row("pooling explorer: compute + render per change", f"{t:.0f} ms", "", t, "<= 200 ms", t <= 200))
    return rows


def learned_kernel_rows():
    from helpers.conv import conv2d
    from helpers.filters import kernel
    from helpers.learn import learn_kernel

    images, _ = load_mnist("train")
    digits = images[:16] / 255.0
    rows = []
    learn_kernel(digits, conv2d(digits[:, None], kernel("laplacian")[None, None])[:, 0], steps=5)  # warm torch up
    for name in ("sobel x", "laplacian"):
        hidden = kernel(name)
        targets = conv2d(digits[:, None], hidden[None, None])[:, 0]
        t0 = time.perf_counter()
        run = learn_kernel(digits, targets, hidden=hidden, tol=1e-3, steps=5000, seed=0)
        seconds = time.perf_counter() - t0
        error = float(np.abs(run.kernel - hidden).max())
        rows.append(
            Row(
                f"learn hidden '{name}' kernel: time ({run.steps} steps, max error {error:.1e})",
                fmt_time(seconds),
                "",
                seconds,
                "<= 5 s, error < 1e-3",
                seconds <= 5 and error < 1e-3,
            )
        )
    return rows
