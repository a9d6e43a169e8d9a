"""Checks of a value the student worked out: a number, a pair, a small matrix, a kernel. Each
works the right answer out itself (torch, scikit-image or the definition) and names the typical mistake."""

from __future__ import annotations

import numpy as np

from helpers.checks.feedback import Feedback, _matrix, _no, _number, _readable, _whole, _yes
from helpers.i18n import tr

# --- 01: gradients and HOG ---------------------------------------------------------------------


@_readable(wanted="(gx, gy) at (row, col) with central differences: gx = right − left, gy = below − above")
def pixel_gradient(answer, image, row, col) -> Feedback:
    """(gx, gy) at (row, col) with central differences: gx = right − left, gy = below − above."""
    got = _matrix(answer, tr("a pair (gx, gy)"), "(20, 68)")
    if isinstance(got, Feedback):
        return got
    img = np.asarray(image, float)
    gx, gy = img[row, col + 1] - img[row, col - 1], img[row + 1, col] - img[row - 1, col]
    if got.shape != (2,):
        return _no("Give two numbers: (gx, gy).")
    if np.allclose(got, (gx, gy)):
        return _yes(
            "Right: gx = {gx}, gy = {gy}, magnitude {m}.", gx=f"{gx:g}", gy=f"{gy:g}", m=f"{np.hypot(gx, gy):.2f}"
        )
    if np.allclose(got, (gy, gx)):
        return _no("The two are swapped: gx is along the row (right − left), gy along the column (below − above).")
    if np.allclose(np.abs(got), np.abs((gx, gy))):
        return _no(
            "The sizes are right but a sign is not: subtract the left (above) neighbour from the right (below) one."
        )
    return _no(
        "Not quite. Take the neighbours of pixel ({row}, {col}): gx uses ({row}, {left}) and ({row}, "
        "{right}), gy uses ({up}, {col}) and ({down}, {col}).",
        row=row,
        col=col,
        left=col - 1,
        right=col + 1,
        up=row - 1,
        down=row + 1,
    )


@_readable(wanted="The length of a HOG feature vector, counted from the definition and checked with scikit-image")
def hog_length(answer, image_size=28, pixels_per_cell=7, cells_per_block=2, orientations=9) -> Feedback:
    """The length of a HOG feature vector, counted from the definition and checked with scikit-image."""
    got = _whole(
        answer,
        tr("the length of the HOG vector"),
        tr("a feature vector has a whole number of values. Count cells, blocks and bins."),
    )
    if isinstance(got, Feedback):
        return got
    from skimage.feature import hog

    expected = hog(
        np.zeros((image_size, image_size)),
        orientations=orientations,
        pixels_per_cell=(pixels_per_cell,) * 2,
        cells_per_block=(cells_per_block,) * 2,
    ).size
    cells = image_size // pixels_per_cell
    blocks = cells - cells_per_block + 1
    if got == expected:
        return _yes(
            "Right: {c}×{c} cells, {b}×{b} blocks of {cb}×{cb} cells × {o} bins = {e}.",
            c=cells,
            b=blocks,
            cb=cells_per_block,
            o=orientations,
            e=expected,
        )
    if got == cells * cells * orientations:
        return _no(
            "That counts each cell once. Blocks overlap: each block of {cb}×{cb} cells is normalised "
            "and kept on its own.",
            cb=cells_per_block,
        )
    return _no(
        "Count the cells ({n} // {p} per side), then the blocks (cells − {cb} + 1 per side), then multiply "
        "by cells per block and by {o} bins.",
        n=image_size,
        p=pixels_per_cell,
        cb=cells_per_block,
        o=orientations,
    )


# --- 02: convolution ---------------------------------------------------------------------------


@_readable(wanted="The side of the activation map, checked against the shape torch returns")
def output_shape(answer, n, kernel, stride=1, padding=0, dilation=1) -> Feedback:
    """The side of the activation map, checked against the shape torch returns."""
    got = _number(answer, tr("the side of the activation map"))
    if isinstance(got, Feedback):
        return got
    import torch
    import torch.nn.functional as F

    expected = F.conv2d(
        torch.zeros(1, 1, n, n), torch.zeros(1, 1, kernel, kernel), stride=stride, padding=padding, dilation=dilation
    ).shape[-1]
    if got == expected:
        return _yes("Right: {e}×{e}.", e=expected)
    no_floor = (n + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    if abs(got - no_floor) < 1e-9 and no_floor != expected:
        return _no("Close: the division does not come out even. Round down (floor) before adding 1.")
    if got != int(got):
        return _no("{value} is not a whole number: {why}", value=f"{got:g}", why=tr("a side counts cells."))
    if got == (n - dilation * (kernel - 1) - 1) // stride + 1 and padding:
        return _no("Did you forget the padding? It adds p to both sides: n + 2p.")
    return _no(
        "Use ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 with n the input side, k the kernel side, "
        "p the padding, d the dilation and s the stride."
    )


@_readable(wanted="One value of the activation map, computed here with torch")
def one_output_cell(answer, image, kernel, row, col, stride=1, padding=0) -> Feedback:
    """One value of the activation map, computed here with torch."""
    got = _number(answer, tr("one value of the activation map"))
    if isinstance(got, Feedback):
        return got
    import torch
    import torch.nn.functional as F

    x = torch.tensor(np.asarray(image, float))[None, None]
    k = torch.tensor(np.asarray(kernel, float))[None, None]
    expected = F.conv2d(x, k, stride=stride, padding=padding)[0, 0].numpy()[row, col]
    if np.isclose(got, expected):
        return _yes("Right: {e}.", e=f"{expected:g}")
    flipped = F.conv2d(x, torch.flip(k, (2, 3)), stride=stride, padding=padding)[0, 0].numpy()[row, col]
    if np.isclose(got, flipped) and not np.isclose(flipped, expected):
        return _no(
            "That is the flipped kernel (the mathematicians' convolution). Networks lay the "
            "kernel on the window as it is: top-left on top-left."
        )
    kh, kw = np.shape(kernel)
    if padding:
        edge = np.pad(np.asarray(image, float), padding, mode="edge")[
            row * stride : row * stride + kh, col * stride : col * stride + kw
        ]
        if np.isclose(got, np.sum(edge * np.asarray(kernel, float))):
            return _no(
                "This window hangs over the border: the padding adds zeros there, not copies of the image's "
                "edge. Put the zeros in and multiply again."
            )
    return _no(
        "Multiply the {kh}×{kw} window that starts at row {r}, column {c} of the padded image by the "
        "kernel, cell by cell, and add everything up.",
        kh=kh,
        kw=kw,
        r=row * stride,
        c=col * stride,
    )


# --- 03 and 04: filters and pooling ---------------------------------------------------------------


@_readable(wanted="A pooled map, checked against torch's max_pool2d / avg_pool2d")
def pooled(answer, x, kernel_size, stride=None, kind="max") -> Feedback:
    """A pooled map, checked against torch's max_pool2d / avg_pool2d."""
    got = _matrix(answer, tr("the pooled map"), "[[1, 2], [3, 4]]")
    if isinstance(got, Feedback):
        return got
    import torch
    import torch.nn.functional as F

    t = torch.tensor(np.asarray(x, float))[None, None]
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    expected = pool(t, kernel_size, stride)[0, 0].numpy()
    if got.shape != expected.shape:
        return _no(
            "The pooled map should be {h}×{w}: one value per {k}×{k} window, windows {s} apart.",
            h=expected.shape[0],
            w=expected.shape[1],
            k=kernel_size,
            s=stride or kernel_size,
        )
    if np.allclose(got, expected):
        return _yes("Right.")
    other = (F.avg_pool2d if kind == "max" else F.max_pool2d)(t, kernel_size, stride)[0, 0].numpy()
    if np.allclose(got, other):
        return _no(
            "That is {other} pooling; this one asks for {kind}.",
            other=tr("average") if kind == "max" else tr("max"),
            kind=tr(kind),
        )
    wrong = int(np.sum(~np.isclose(got, expected)))
    return _no(
        "{wrong} of {n} values differ. Take each window in turn and keep its {what}.",
        wrong=wrong,
        n=expected.size,
        what=tr("largest value") if kind == "max" else tr("mean"),
    )


@_readable(wanted="The kernel a student chose to react to a pattern: its strongest response must be on that pattern")
def kernel_response(answer, kernel, image) -> Feedback:
    """The kernel a student chose to react to a pattern: its strongest response must be on that pattern."""
    k = _matrix(answer, tr("a 3×3 kernel"), "[[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]]")
    if isinstance(k, Feedback):
        return k
    if k.shape != np.shape(kernel):
        return _no(
            "Give a {h}×{w} kernel: {h} rows of {w} numbers, e.g. [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]].",
            h=np.shape(kernel)[0],
            w=np.shape(kernel)[1],
        )
    from helpers.conv import conv2d

    resp = conv2d(np.asarray(image, float), k)
    target = conv2d(np.asarray(image, float), np.asarray(kernel, float))
    on_pattern = target >= target.max() - 1e-9 * max(1.0, abs(target.max()))  # where the pattern is
    if resp.max() > 0 and resp[on_pattern].max() > resp[~on_pattern].max():
        return _yes("Right: your kernel responds most strongly ({m}) where the pattern is.", m=f"{resp.max():g}")
    return _no(
        "Your kernel's strongest response is somewhere else. Put positive weights where the "
        "pattern's bright pixels are and negative weights around them."
    )


@_readable(wanted="A tensor shape the student predicted, compared with the one the network really produced")
def shape_through(answer, expected_shape, hint: str) -> Feedback:
    """A tensor shape the student predicted, compared with the one the network really produced."""
    expected = tuple(int(s) for s in expected_shape)
    got = _matrix(answer, tr("a shape"), str(expected))
    if isinstance(got, Feedback):
        return got
    if got.ndim != 1 or got.size != len(expected):
        return _no("Give the shape as {n} whole numbers in brackets, like (channels, height, width).", n=len(expected))
    if np.any(got != np.round(got)):
        return _no("A shape counts channels and pixels: whole numbers. {hint}", hint=tr(hint))
    if tuple(int(v) for v in got) == expected:
        return _yes("Right: {e}.", e=expected)
    return Feedback(False, tr(hint))


# --- 05: networks -----------------------------------------------------------------------------------


@_readable(wanted="The parameter count of a convolution layer, checked against torch")
def conv_parameters(answer, in_channels, out_channels, kernel_size, bias=True) -> Feedback:
    """The parameter count of a convolution layer, checked against torch."""
    got = _whole(
        answer, tr("the parameter count of the layer"), tr("a layer has a whole number of weights and biases.")
    )
    if isinstance(got, Feedback):
        return got
    import torch

    layer = torch.nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias)
    expected = sum(p.numel() for p in layer.parameters())
    weights = out_channels * in_channels * kernel_size**2
    if got == expected:
        return _yes(
            "Right: {k} kernels × {c} channels × {s}×{s}{b} = {e}.",
            k=out_channels,
            c=in_channels,
            s=kernel_size,
            b=tr(" + {k} biases", k=out_channels) if bias else "",
            e=f"{expected:,}",
        )
    if bias and got == weights:
        return _no("Almost: each kernel also has one bias.")
    if got == out_channels * kernel_size**2 + (out_channels if bias else 0):
        return _no("Each kernel spans all input channels: it has in_channels × k × k weights.")
    return _no("Count one kernel: in_channels × k × k weights (plus a bias); then multiply by the number of kernels.")


@_readable(wanted="The parameter count of a whole network (every layer's weights and biases), checked against torch")
def network_parameters(answer, net) -> Feedback:
    """The parameter count of a whole network (every layer's weights and biases), checked against torch."""
    got = _whole(
        answer, tr("the parameter count of the network"), tr("a network has a whole number of weights and biases.")
    )
    if isinstance(got, Feedback):
        return got
    expected = sum(p.numel() for p in net.parameters())
    biases = sum(p.numel() for name, p in net.named_parameters() if name.endswith("bias"))
    if got == expected:
        return _yes("Right: {e} parameters.", e=f"{expected:,}")
    if got == expected - biases:
        return _no("Almost: every kernel and every output of a linear layer also has one bias.")
    layers = [m for m in net.modules() if len(list(m.parameters(recurse=False)))]
    for m in layers:
        own = sum(p.numel() for p in m.parameters(recurse=False))
        if got == expected - own:
            return _no("One layer is missing from your count: {layer}.", layer=str(m))
    return _no(
        "Add up layer by layer: a convolution has out × in × k × k weights + out biases, a linear "
        "layer out × in weights + out biases; ReLU, pooling and flatten have none."
    )


@_readable(
    wanted="The receptive field of one output pixel of a stack of layers: how many input pixels per side it sees"
)
def receptive_field(answer, layers) -> Feedback:
    """The receptive field of one output pixel of a stack of layers: how many input pixels per side it sees."""
    got = _whole(answer, tr("the receptive field's side in input pixels"), tr("it counts input pixels."))
    if isinstance(got, Feedback):
        return got
    import torch

    # The gradient of one output pixel with respect to the input is non-zero exactly where it looks
    # (average pooling stands in for max pooling: the same windows, and every pixel in them gets a share).
    modules = [
        torch.nn.Conv2d(1, 1, k, s, bias=False) if kind == "conv" else torch.nn.AvgPool2d(k, s) for kind, k, s in layers
    ]
    for m in modules:
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.constant_(m.weight, 1.0)
    from helpers.models import receptive_field as field

    expected = field([(k, s) for _, k, s in layers]).height  # the recurrence
    side = 2 * expected + 8
    x = torch.ones(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    out = torch.nn.Sequential(*modules).double()(x)
    out[0, 0, out.shape[-2] // 2, out.shape[-1] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    measured = int(rows.max() - rows.min() + 1)
    if measured != expected:  # the check's own self-test: a bug here, never the student's answer
        raise RuntimeError(
            f"checks.receptive_field: the recurrence gives {expected} but the gradient {measured} for {layers}"
        )
    if got == expected:
        return _yes("Right: one output pixel sees {e}×{e} input pixels.", e=expected)
    if got == 1 + sum(k - 1 for _, k, _ in layers):
        return _no(
            "You added k − 1 for every layer. After a layer with stride s, each further step covers s "
            "times as many input pixels: multiply the later layers' k − 1 by the product of the "
            "strides before them."
        )
    return _no(
        "Start at 1 pixel and walk through the layers: each adds (k − 1) × (the product of the strides before it)."
    )


def _hidden_kernel() -> np.ndarray:
    return np.random.default_rng(2012).integers(-2, 3, (3, 3)).astype(float)


def kernel_task(n: int = 64, size: int = 12):
    """A kernel-learning task: n random size×size images (n, 1, size, size) and their activation maps under a
    hidden 3×3 kernel (n, 1, size − 2, size − 2), as float64 torch tensors. `learned_kernel` knows the kernel."""
    import torch
    import torch.nn.functional as F

    images = torch.as_tensor(np.random.default_rng(7).normal(size=(n, 1, size, size)))
    return images, F.conv2d(images, torch.as_tensor(_hidden_kernel())[None, None])


@_readable(wanted="A kernel learned by gradient descent, compared with the hidden kernel that made the targets")
def learned_kernel(answer, hidden=None) -> Feedback:
    """A kernel learned by gradient descent, compared with the hidden kernel that made the targets."""
    got = _matrix(answer, tr("a kernel"), "np.zeros((3, 3))")
    if isinstance(got, Feedback):
        return got
    hidden = _hidden_kernel() if hidden is None else np.asarray(hidden, float)
    if got.shape != hidden.shape:
        return _no("The learned kernel should be {h}×{w}.", h=hidden.shape[0], w=hidden.shape[1])
    error = float(np.abs(got - hidden).max())
    if error < 0.05:
        return _yes("Right: the learned kernel matches the hidden one (largest difference {e}).", e=f"{error:.1e}")
    if error > 1e6:
        return _no("The kernel blew up: the learning rate is too large, each step overshoots. Try a 10× smaller one.")
    return _no(
        "Not there yet (largest difference {e}). Is `w -= lr * w.grad` inside `torch.no_grad()`, is the "
        "gradient zeroed after each step (`w.grad.zero_()`), and are there enough steps?",
        e=f"{error:.2g}",
    )
