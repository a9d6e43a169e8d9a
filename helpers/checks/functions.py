"""Checks of a function the student wrote: run it on cases built here, compare with torch or scikit-image, and
name the typical mistake. An error the student's code raises becomes one line naming the case."""

from __future__ import annotations

import numpy as np

from helpers.checks.feedback import Feedback, _matrix, _no, _readable, _to_numpy, _yes
from helpers.i18n import tr

# --- code the student writes: run it on cases built here, compare with torch ----------------------


def _function(fn, name: str):
    if fn is None or fn is ...:
        return _no("Not answered yet: write `{name}` in the cell and run it.", name=name)
    if not callable(fn):
        return _no("Give the function itself: `{name}`, without brackets after it.", name=name)
    return None


def _run(fn, name: str, case: str, *args, **kwargs):
    """Call the student's function; an error it raises becomes a one-line hint naming the case."""
    try:
        result = fn(*args, **kwargs)
    except Exception as error:
        return _no(
            "Your `{name}` stopped with an error on {case}: {etype}: {error}",
            name=name,
            case=case,
            etype=type(error).__name__,
            error=str(error).splitlines()[0] if str(error) else "",
        )
    return result


def _result(result, name: str, what: str, example: str):
    if isinstance(result, Feedback):
        return result
    if result is None:
        return _no("Your `{name}` returns nothing (None): end it with `return` and {what}.", name=name, what=what)
    got = _matrix(result, what, example)
    return got


def _torch_conv(image, kernel, stride=1, padding=0):
    import torch
    import torch.nn.functional as F

    x = torch.as_tensor(np.asarray(image, float))
    w = torch.as_tensor(np.asarray(kernel, float))
    if x.ndim == 2:
        return F.conv2d(x[None, None], w[None, None], stride=stride, padding=padding)[0, 0].numpy()
    return F.conv2d(x[None], w, stride=stride, padding=padding)[0].numpy()


def _cases(seed: int, channels: bool = False):
    rng = np.random.default_rng(seed)
    shapes = [(5, 5, 3, 1, 0), (6, 7, 3, 2, 1), (7, 7, 2, 2, 0), (8, 6, 3, 3, 2)]
    for h, w, k, s, p in shapes:
        if channels:
            yield rng.integers(-5, 6, (3, h, w)).astype(float), rng.integers(-3, 4, (2, 3, k, k)).astype(float), s, p
        else:
            yield rng.integers(-5, 6, (h, w)).astype(float), rng.integers(-3, 4, (k, k)).astype(float), s, p


@_readable(
    wanted="A function `conv2d(image, kernel, stride=1, padding=0)` for one image and one kernel, compared with torch"
)
def conv2d_function(fn, name: str = "conv2d") -> Feedback:
    """A function `conv2d(image, kernel, stride=1, padding=0)` for one image and one kernel, compared with torch."""
    if (fb := _function(fn, name)) is not None:
        return fb
    for image, kernel, s, p in _cases(0):
        case = tr(
            "a {h}×{w} image, {k}×{k} kernel, stride {s}, padding {p}",
            h=image.shape[0],
            w=image.shape[1],
            k=kernel.shape[0],
            s=s,
            p=p,
        )
        got = _result(
            _run(fn, name, case, image.copy(), kernel.copy(), stride=s, padding=p),
            name,
            tr("the activation map"),
            "np.zeros((3, 3))",
        )
        if isinstance(got, Feedback):
            return got
        expected = _torch_conv(image, kernel, s, p)
        if got.shape != expected.shape:
            return _no(
                "On {case} the activation map should be {e} but yours is {g}: its side is ⌊(n + 2p − k) / s⌋ + 1.",
                case=case,
                e=expected.shape,
                g=got.shape,
            )
        if np.allclose(got, expected):
            continue
        if np.allclose(got, _torch_conv(image, kernel[::-1, ::-1].copy(), s, p)):
            return _no(
                "Your `{name}` flips the kernel (the mathematicians' convolution). Lay the kernel on the "
                "window as it is: window * kernel.",
                name=name,
            )
        return _no(
            "On {case} {n} of {m} values differ from torch. Check where each window starts: row i·s and "
            "column j·s of the padded image.",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` equals torch's conv2d with stride and padding.", name=name)


@_readable(
    wanted="A function `conv2d_channels(image, kernels, stride=1, padding=0)`: (C, H, W), (K, C, k, k) → (K, H', W')"
)
def conv2d_channels_function(fn, name: str = "conv2d_channels") -> Feedback:
    """A function `conv2d_channels(image, kernels, stride=1, padding=0)`: (C, H, W), (K, C, k, k) → (K, H', W')."""
    if (fb := _function(fn, name)) is not None:
        return fb
    for image, kernels, s, p in _cases(1, channels=True):
        case = tr(
            "a {c}-channel {h}×{w} image, {k} kernels of {c}×{ks}×{ks}, stride {s}, padding {p}",
            c=image.shape[0],
            h=image.shape[1],
            w=image.shape[2],
            k=kernels.shape[0],
            ks=kernels.shape[-1],
            s=s,
            p=p,
        )
        got = _result(
            _run(fn, name, case, image.copy(), kernels.copy(), stride=s, padding=p),
            name,
            tr("the K activation maps"),
            "np.zeros((2, 3, 3))",
        )
        if isinstance(got, Feedback):
            return got
        expected = _torch_conv(image, kernels, s, p)
        if got.shape != expected.shape:
            return _no(
                "On {case} the output should be {e} (one map per kernel) but yours is {g}.",
                case=case,
                e=expected.shape,
                g=got.shape,
            )
        if np.allclose(got, expected):
            continue
        only_first = np.stack([_torch_conv(image[0], k[0], s, p) for k in kernels])
        if np.allclose(got, only_first):
            return _no(
                "Only the first channel counts in your maps. Each kernel covers all C channels: add up "
                "the C single-channel convolutions."
            )
        return _no(
            "On {case} {n} of {m} values differ from torch. Map k is the sum over channels c of "
            "conv2d(image[c], kernels[k, c]).",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` equals torch's conv2d over channels.", name=name)


@_readable(wanted="A function `max_pool(x, size=2, stride=None)` for one map, compared with torch's max_pool2d")
def max_pool_function(fn, name: str = "max_pool") -> Feedback:
    """A function `max_pool(x, size=2, stride=None)` for one map, compared with torch's max_pool2d."""
    if (fb := _function(fn, name)) is not None:
        return fb
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(2)
    for h, w, k, s in [(4, 4, 2, None), (5, 7, 2, 2), (6, 6, 3, 1), (7, 5, 3, 2)]:
        x = rng.integers(-9, 10, (h, w)).astype(float)
        case = tr("a {h}×{w} map, {k}×{k} windows, stride {s}", h=h, w=w, k=k, s=s or k)
        got = _result(_run(fn, name, case, x.copy(), k, s), name, tr("the pooled map"), "np.zeros((2, 2))")
        if isinstance(got, Feedback):
            return got
        expected = F.max_pool2d(torch.tensor(x)[None, None], k, s)[0, 0].numpy()
        if got.shape != expected.shape:
            return _no(
                "On {case} the pooled map should be {e} but yours is {g}: windows that do not fit are "
                "left out (round down).",
                case=case,
                e=expected.shape,
                g=got.shape,
            )
        if np.allclose(got, expected):
            continue
        if np.allclose(got, F.avg_pool2d(torch.tensor(x)[None, None], k, s)[0, 0].numpy()):
            return _no("That is average pooling: keep each window's largest value (window.max()).")
        return _no(
            "On {case} {n} of {m} values differ from torch. Window (i, j) starts at row i·stride, column j·stride.",
            case=case,
            n=int(np.sum(~np.isclose(got, expected))),
            m=expected.size,
        )
    return _yes("Right: your `{name}` equals torch's max_pool2d.", name=name)


def _l2_normalise(v) -> np.ndarray:
    """L2 normalisation of one block, v / sqrt(‖v‖² + eps²), by helpers.hog (eps = 1e-5, as in scikit-image)."""
    from helpers.hog import normalize_blocks

    v = np.asarray(v, float)
    return normalize_blocks(v[None, None, None], cells_per_block=(1, 1), block_norm="L2").reshape(v.shape)


@_readable(
    wanted="A function `normalize_block(block)`: L2-Hys of one block's histograms (a 1-D array), as scikit-image "
    "does it"
)
def block_normalization_function(fn, name: str = "normalize_block") -> Feedback:
    """A function `normalize_block(block)`: L2-Hys of one block's histograms (a 1-D array), as scikit-image does it."""
    if (fb := _function(fn, name)) is not None:
        return fb
    import warnings

    from skimage.feature._hog import _hog_normalize_block

    spike = np.full(36, 0.05)
    spike[4] = 3.0  # one strong edge: here the clipping at 0.2 matters
    cases = [
        (tr("a block with one strong edge"), spike),
        (tr("a block of 36 random values"), np.random.default_rng(6).exponential(1.0, 36).round(3)),
        (tr("a block of 4 values"), np.array([0.0, 1.0, 2.0, 9.0])),
        (tr("a faint block (values of 0.000001)"), np.full(8, 1e-6)),
        (tr("an all-zero block"), np.zeros(36)),
    ]
    for case, block in cases:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # 0/0 in the student's code: the hint says it
            result = _run(fn, name, case, block.copy())
        if isinstance(result, Feedback):
            return result
        if result is None:
            return _no(
                "Your `{name}` returns nothing (None): end it with `return` and the normalised block.", name=name
            )
        try:
            raw = np.asarray(_to_numpy(result), float)
        except (TypeError, ValueError):
            raw = None
        if raw is not None and not np.any(block) and np.any(np.isnan(raw)):
            return _no(
                "On an all-zero block (no edges at all) your `{name}` gives nan: 0 / 0. Put eps² under the "
                "square root, v / sqrt(‖v‖² + eps²), so that such a block stays all zeros.",
                name=name,
            )
        got = _matrix(result, tr("the normalised block"), "np.zeros(36)")
        if isinstance(got, Feedback):
            return got
        if got.shape != block.shape:
            return _no(
                "On {case} the result should have shape {e}, one value per value of the block, but yours "
                "has shape {g}.",
                case=case,
                e=block.shape,
                g=got.shape,
            )
        expected = _hog_normalize_block(block, method="L2-Hys")
        if np.allclose(got, expected, rtol=1e-6, atol=1e-9):
            continue
        first = _l2_normalise(block)
        early = _l2_normalise(np.minimum(block, 0.2))
        if np.any(block) and np.allclose(got, block):
            return _no(
                "Your `{name}` returns the block as it was: divide it by its length, clip at 0.2, and "
                "divide by the new length.",
                name=name,
            )
        if np.allclose(got, first):
            return _no(
                "That is plain L2 normalisation: nothing is clipped. After dividing by the length, lower "
                "every value above 0.2 to 0.2 (np.minimum), then normalise again."
            )
        if np.allclose(got, np.minimum(first, 0.2)):
            return _no(
                "The clipping is right, but then normalise again: after clipping the block is shorter "
                "than 1, so divide it by its new length, sqrt(‖v‖² + eps²)."
            )
        if np.allclose(got, early) or np.allclose(got, _l2_normalise(early)):
            return _no(
                "You clip before the first normalisation. 0.2 is meant for a block of length 1: first "
                "divide by the length, then clip at 0.2, then normalise again."
            )
        outside = block / (np.sqrt(np.sum(block**2)) + 1e-5)
        outside = np.minimum(outside, 0.2)
        if np.allclose(got, outside / (np.sqrt(np.sum(outside**2)) + 1e-5)):
            return _no(
                "Nearly: eps goes under the square root, squared, v / sqrt(‖v‖² + eps²), not after it as "
                "‖v‖ + eps. On {case} that makes a difference.",
                case=case,
            )
        return _no(
            "On {case} your values differ from scikit-image's L2-Hys. Step by step: v / sqrt(‖v‖² + "
            "eps²) with eps = 1e-5, then np.minimum(v, 0.2), then v / sqrt(‖v‖² + eps²) again.",
            case=case,
        )
    return _yes("Right: your `{name}` equals scikit-image's L2-Hys on every block, the all-zero one too.", name=name)


@_readable(wanted="A function `image_gradients(image)` → (gx, gy): central differences, zero on the border")
def image_gradients_function(fn, name: str = "image_gradients") -> Feedback:
    """A function `image_gradients(image)` → (gx, gy): central differences, zero on the border."""
    if (fb := _function(fn, name)) is not None:
        return fb
    image = np.random.default_rng(4).integers(0, 256, (6, 7)).astype(float)
    result = _run(fn, name, tr("a 6×7 image"), image.copy())
    if isinstance(result, Feedback):
        return result
    if result is None:
        return _no("Your `{name}` returns nothing (None): end it with `return gx, gy`.", name=name)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return _no("Return two arrays, `return gx, gy`, each the size of the image.")
    gx, gy = (_matrix(g, tr("a gradient"), "np.zeros_like(image)") for g in result)
    for g in (gx, gy):
        if isinstance(g, Feedback):
            return g
    if gx.shape != image.shape or gy.shape != image.shape:
        return _no("gx and gy are the size of the image ({h}×{w}), with zeros on the border.", h=6, w=7)
    ex = np.zeros_like(image)
    ey = np.zeros_like(image)
    ex[:, 1:-1] = image[:, 2:] - image[:, :-2]
    ey[1:-1, :] = image[2:, :] - image[:-2, :]
    if np.allclose(gx, ex) and np.allclose(gy, ey):
        return _yes("Right: gx = right − left, gy = below − above, zero on the border.")
    if np.allclose(gx, ey) and np.allclose(gy, ex):
        return _no("gx and gy are swapped: gx runs along a row (right − left), gy down a column (below − above).")
    if np.allclose(gx, -ex) or np.allclose(gy, -ey):
        return _no("A sign is flipped: subtract the left (above) neighbour from the right (below) one.")
    if np.allclose(gx[1:-1, 1:-1], ex[1:-1, 1:-1]) and np.allclose(gy[1:-1, 1:-1], ey[1:-1, 1:-1]):
        return _no(
            "The inside is right; on the border (first and last column for gx, first and last row for gy) "
            "a pixel lacks a neighbour, so leave 0 there."
        )
    return _no(
        "gx[r, c] = image[r, c + 1] − image[r, c − 1] and gy[r, c] = image[r + 1, c] − image[r − 1, c], "
        "for the pixels that have both neighbours."
    )


def _counting_sgd(params, lr):
    """Plain SGD that counts what a training loop calls on it (`steps`, `zero_grads`): a window on the student's
    loop. A torch.optim.SGD itself, so the grader can send it to a sandbox (tools/grading/wire.py)."""
    import torch

    class CountingSGD(torch.optim.SGD):
        def __init__(self, params, lr):
            super().__init__(params, lr=lr)
            self.steps = self.zero_grads = 0

        def zero_grad(self, set_to_none: bool = True):
            self.zero_grads += 1
            super().zero_grad(set_to_none=set_to_none)

        def step(self, closure=None):
            self.steps += 1
            return super().step(closure)

    return CountingSGD(params, lr)


def _small_task(n: int = 512, seed: int = 0):
    """Two easy classes of 8×8 images (a bright bar across or down), enough to see a loop learn."""
    import torch

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 8, 8, generator=g) * 0.5
    y = torch.randint(0, 2, (n,), generator=g)
    x[y == 0, 0, 3:5, :] += 1.0
    x[y == 1, 0, :, 3:5] += 1.0
    return x, y


@_readable(wanted="A function `train_epoch(model, optimizer, images, labels, batch_size)`: one pass over the data")
def training_loop(fn, name: str = "train_epoch") -> Feedback:
    """A function `train_epoch(model, optimizer, images, labels, batch_size)`: one pass over the data."""
    if (fb := _function(fn, name)) is not None:
        return fb
    import torch

    from helpers.models import torch_threads

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 2)
    )
    x, y = _small_task()
    before = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():
        loss0 = float(torch.nn.functional.cross_entropy(model(x), y))
    optimizer = _counting_sgd(model.parameters(), lr=0.1)
    case = tr("512 images in batches of 64")
    with torch_threads(1):  # tiny tensors: one core is quickest, and threads only wait
        result = _run(fn, name, case, model, optimizer, x, y, batch_size=64)
        if not isinstance(result, Feedback) and optimizer.steps:
            for _ in range(2):
                _run(fn, name, case, model, optimizer, x, y, batch_size=64)
    if isinstance(result, Feedback):
        return result
    batches = 512 // 64
    if optimizer.steps == 0:
        return _no("The weights never change: call `optimizer.step()` after `loss.backward()`, once per batch.")
    if optimizer.steps == 3:
        return _no(
            "`optimizer.step()` ran once; it should run once per batch ({b} times for 512 images in "
            "batches of 64): put forward, loss, backward and step inside the loop over batches.",
            b=batches,
        )
    if optimizer.steps != 3 * batches:
        return _no(
            "`optimizer.step()` ran {n} times in 3 passes over 512 images; it should run once per batch of "
            "64, {b} times a pass.",
            n=optimizer.steps,
            b=batches,
        )
    if optimizer.zero_grads < 3 * batches:
        return _no(
            "The gradients pile up from batch to batch: call `optimizer.zero_grad()` before "
            "`loss.backward()` in every batch."
        )
    if all(torch.equal(a, b) for a, b in zip(before, model.parameters())):
        return _no("The weights did not change: is `loss.backward()` called before `optimizer.step()`?")
    with torch.no_grad():
        loss3 = float(torch.nn.functional.cross_entropy(model(x), y))
    if not loss3 < 0.7 * loss0:
        return _no(
            "The loss hardly went down ({a} → {b} after 3 passes): is the loss computed on the model's "
            "output for the batch, with the batch's labels?",
            a=f"{loss0:.3f}",
            b=f"{loss3:.3f}",
        )
    return _yes(
        "Right: one step per batch, gradients zeroed, and the loss falls ({a} → {b} in 3 passes).",
        a=f"{loss0:.3f}",
        b=f"{loss3:.3f}",
    )
