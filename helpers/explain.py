"""What the network looks at, and how to fool it (notebook 07): saliency, occlusion, Grad-CAM, the patches a
channel likes most, and the fast gradient sign method (FGSM).

Notebook 07 writes saliency, Grad-CAM and FGSM in view, for one digit, in cells tagged `lesson-*`; the functions here
do the same for a batch (tests/test_explain.py checks them against those cells, against captum's Saliency,
Occlusion and LayerGradCam, and against torch's autograd). The model is the lecture CNN, in evaluation mode; x is a
batch as `helpers.train.to_tensors` makes it (normalised), except for FGSM, which works on pixels 0..1, so that its
ε is a share of the white.
"""

from __future__ import annotations

import hashlib
import math
import os

import numpy as np

from helpers.i18n import tr
from helpers.train import MNIST_MEAN, MNIST_STD

#: The ε of the FGSM curve (the share of white each pixel may move by).
EPSILONS = (0.0, 0.05, 0.1, 0.2, 0.3)


# --- checking arguments ---------------------------------------------------------------------------------


def _check_model(model):
    from torch import nn

    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch nn.Module (the trained CNN), got {type(model).__name__}")


def _check_x(x, name="x"):
    import torch

    if not isinstance(x, torch.Tensor) or x.ndim != 4 or not x.is_floating_point() or len(x) == 0:
        what = f"a {x.ndim}-D {x.dtype} tensor" if isinstance(x, torch.Tensor) else f"a {type(x).__name__}"
        raise ValueError(
            f"{name} must be a non-empty float tensor of images (N, 1, H, W), as to_tensors makes; got {what}"
        )


def _labels(labels, n, name="labels"):
    """labels as an int64 tensor of n entries 0..9 (an int is one label for every image)."""
    import torch

    if isinstance(labels, (int, np.integer)) and not isinstance(labels, bool):
        labels = [int(labels)] * n
    try:
        t = torch.as_tensor(np.asarray(labels))
    except (TypeError, ValueError):
        t = None
    if t is None or t.ndim != 1 or len(t) != n or t.is_floating_point() or t.dtype == torch.bool:
        raise ValueError(f"{name} must be {n} whole numbers 0..9, one per image, got {labels!r:.60}")
    if len(t) and (t.min() < 0 or t.max() > 9):
        raise ValueError(f"{name} must be digits 0..9, got values from {int(t.min())} to {int(t.max())}")
    return t.to(torch.int64)


def _whole(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")


def _epsilon(value, name="epsilon"):
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.floating, np.integer))
        or not math.isfinite(value)
        or not 0 <= value <= 1
    ):
        raise ValueError(f"{name} must be a number from 0 to 1 (a share of the white), got {value!r}")
    return float(value)


def normalise(pixels):
    """Pixels 0..1 → what the CNN reads: (pixels − MNIST mean) / MNIST std."""
    return (pixels - MNIST_MEAN) / MNIST_STD


def pixels_of(x):
    """The inverse of `normalise`: a batch from to_tensors → pixels 0..1."""
    return x * MNIST_STD + MNIST_MEAN


# --- 1. saliency --------------------------------------------------------------------------------------


def saliency(model, x, labels):
    """|∂ score of the label / ∂ pixel| for every image of a batch: (N, H, W) tensor. The score is the logit
    (before softmax), as in Simonyan et al. 2014 and captum's Saliency."""
    import torch

    _check_model(model)
    _check_x(x)
    labels = _labels(labels, len(x))
    model.eval()
    x = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        scores = model(x).gather(1, labels[:, None]).sum()  # images are independent in eval mode
        (grad,) = torch.autograd.grad(scores, x)
    return grad[:, 0].abs()


# --- 2. occlusion -------------------------------------------------------------------------------------


def window_starts(n: int, size: int, stride: int) -> list[int]:
    """Where the patch's windows start along one side of n pixels, as captum's Occlusion places them: every
    `stride` pixels, plus one more, cut off at the edge, when they do not fit exactly (ceil, not floor)."""
    count = math.ceil((n - size) / stride) + 1
    return [i * stride for i in range(count)]


def occlusion(model, x, labels, size: int = 7, stride: int = 3, batch_size: int = 512):
    """Cover each image with a background patch at every window position and measure how much the probability
    of its label drops. Returns (drops, attribution): drops (N, P, Q), one per window position, and the
    per-pixel attribution (N, H, W), each pixel the mean drop of the windows that cover it (captum's Occlusion
    with the background as baseline and the softmax probability as output)."""
    import torch

    _check_model(model)
    _check_x(x)
    labels = _labels(labels, len(x))
    n, _, h, w = x.shape
    _whole("size", size, 1, min(h, w))
    _whole("stride", stride, 1, size)
    rows, cols = window_starts(h, size, stride), window_starts(w, size, stride)
    masks = torch.zeros(len(rows) * len(cols), h, w)
    for i, (r, c) in enumerate((r, c) for r in rows for c in cols):
        masks[i, r : r + size, c : c + size] = 1
    background = normalise(torch.tensor(0.0))
    model.eval()
    with torch.no_grad():
        clean = torch.softmax(model(x), 1).gather(1, labels[:, None])[:, 0]  # (N,)
        # A window over background only leaves the image as it is: its drop is 0 without running the network.
        ink = (x[:, 0] != background).reshape(n, -1).float()
        touches = (ink @ masks.reshape(len(masks), -1).T) > 0  # (N, windows)
        image, window = touches.nonzero(as_tuple=True)
        drops = torch.zeros(n, len(masks))
        for i in range(0, len(image), batch_size):
            im, wi = image[i : i + batch_size], window[i : i + batch_size]
            m = masks[wi][:, None]  # (b, 1, h, w)
            covered = x[im] * (1 - m) + background * m
            p = torch.softmax(model(covered), 1).gather(1, labels[im][:, None])[:, 0]
            drops[im, wi] = clean[im] - p
    attribution = (drops @ masks.reshape(len(masks), -1)) / masks.sum(0).reshape(1, -1)
    return drops.reshape(n, len(rows), len(cols)), attribution.reshape(n, h, w)


# --- 3. Grad-CAM --------------------------------------------------------------------------------------


def grad_cam(model, x, labels, layer: int = 10, size=None):
    """Grad-CAM (Selvaraju et al. 2017) on the output of `model[layer]` (default: block 3's ReLU, 7×7 maps):
    each map weighted by the mean gradient of the label's score over it, summed, ReLU. Returns (cam, upsampled):
    (N, h, w), and (N, H, W) bilinearly stretched to the input's size (or `size`)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    _check_model(model)
    _check_x(x)
    if not isinstance(model, nn.Sequential):
        raise ValueError("model must be an nn.Sequential (the lecture CNN), so that it splits at `layer`")
    _whole("layer", layer, 0, len(model) - 2)
    labels = _labels(labels, len(x))
    model.eval()
    with torch.enable_grad():
        maps = model[: layer + 1](x)
        if maps.ndim != 4:
            raise ValueError(
                f"layer {layer} ({type(model[layer]).__name__}) gives no maps: choose a layer up to the last block"
            )
        maps = maps.detach().requires_grad_(True)
        scores = model[layer + 1 :](maps).gather(1, labels[:, None]).sum()
        (grad,) = torch.autograd.grad(scores, maps)
    weights = grad.mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((weights * maps.detach()).sum(1))
    size = tuple(x.shape[-2:]) if size is None else size
    return cam, F.interpolate(cam[:, None], size=size, mode="bilinear")[:, 0]


# --- 4. what a channel responds to across the data ------------------------------------------------------


def top_activations(model, x, layers=(6, 10), k: int = 9, batch_size: int = 1000, cache: bool = False) -> dict:
    """For every channel of the output of each `model[layer]`: the k images of the batch it responds to most
    (each image counted once, at its strongest position). One pass over the batch for all the layers. Returns
    {layer: (values, images, rows, cols)}, each a (channels, k) array, best first. With cache=True the result
    is kept in cache/ (keyed by the weights, the data and the layers)."""
    import torch

    _check_model(model)
    _check_x(x)
    if isinstance(layers, (int, np.integer)):
        layers = (layers,)
    layers = tuple(sorted(set(layers)))
    for layer in layers:
        _whole("each layer", layer, 0, len(model) - 1)
    _whole("k", k, 1, len(x))

    def compute():
        model.eval()
        best = {layer: [] for layer in layers}
        where = {layer: [] for layer in layers}
        widths = {}
        with torch.no_grad():
            for i in range(0, len(x), batch_size):
                out, start = x[i : i + batch_size], 0
                for layer in layers:
                    out, start = model[start : layer + 1](out), layer + 1
                    if out.ndim != 4:
                        raise ValueError(
                            f"layer {layer} ({type(model[layer]).__name__}) gives no maps: choose "
                            "layers up to the last block"
                        )
                    value, index = out.flatten(2).max(2)  # (n, channels)
                    best[layer].append(value)
                    where[layer].append(index)
                    widths[layer] = out.shape[-1]
        result = {}
        for layer in layers:
            values, images = torch.cat(best[layer]).topk(k, dim=0)  # (k, channels)
            pos = torch.cat(where[layer]).gather(0, images)
            for name, a in (
                ("values", values),
                ("images", images),
                ("rows", pos // widths[layer]),
                ("cols", pos % widths[layer]),
            ):
                result[f"{layer}-{name}"] = a.T.numpy()
        return result

    if cache:
        step = max(1, len(x) // 512)
        result = _cached("top-activations", _digest(model, x[::step].numpy(), layers=layers, k=k, n=len(x)), compute)
    else:
        result = compute()
    return {
        layer: tuple(result[f"{layer}-{name}"] for name in ("values", "images", "rows", "cols")) for layer in layers
    }


def patch(image, model, layer: int, row: int, col: int, side: int) -> np.ndarray:
    """The input pixels a unit at (row, col) of `model[layer]`'s maps sees (helpers.drawing.receptive_field,
    which notebook 06 draws), as a side×side array: where the field runs over the image's edge, the missing
    part is background (0)."""
    from helpers.drawing import receptive_field

    image = np.asarray(image, float)
    top, left, bottom, right = receptive_field(model, str(layer), int(row), int(col), size=image.shape[0])
    crop = image[top : bottom + 1, left : right + 1]
    out = np.zeros((side, side))
    # a field clipped at the top or left edge keeps its bottom-right corner in place, and the other way round
    r0 = side - crop.shape[0] if top == 0 and crop.shape[0] < side else 0
    c0 = side - crop.shape[1] if left == 0 and crop.shape[1] < side else 0
    out[r0 : r0 + crop.shape[0], c0 : c0 + crop.shape[1]] = crop[:side, :side]
    return out


# --- 5. fooling the network -----------------------------------------------------------------------------


def gradient_sign(model, pixels, labels):
    """The sign (−1, 0, +1) of ∂ loss / ∂ pixel for the true labels: the direction FGSM moves each pixel."""
    import torch
    import torch.nn.functional as F

    _check_model(model)
    _check_x(pixels, "pixels")
    labels = _labels(labels, len(pixels))
    model.eval()
    pixels = pixels.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        loss = F.cross_entropy(model(normalise(pixels)), labels, reduction="sum")
        (grad,) = torch.autograd.grad(loss, pixels)
    return grad.sign()


def fgsm(model, pixels, labels, epsilon: float):
    """The fast gradient sign method (Goodfellow et al. 2015): every pixel (0..1) moved by ε in the direction
    that raises the loss of the true label, then kept in 0..1. Returns the new pixels (N, 1, H, W)."""
    epsilon = _epsilon(epsilon)
    sign = gradient_sign(model, pixels, labels)
    return (pixels.detach() + epsilon * sign).clamp(0, 1)


def _digest(model, *arrays, **params) -> str:
    """A short hash of a model's weights, some data and parameters: the name of a cached result."""
    import torch

    h = hashlib.sha256(repr(sorted(params.items())).encode() + torch.__version__.encode())
    for name, t in model.state_dict().items():
        h.update(name.encode())
        h.update(np.ascontiguousarray(t.detach().cpu().numpy()).tobytes())
    for a in arrays:
        h.update(np.ascontiguousarray(np.asarray(a)).tobytes())
    return h.hexdigest()[:12]


def _cached(name: str, key: str, compute) -> dict:
    """compute() → a dict of arrays, saved in cache/ as name-key.npz (written whole or not at all), or loaded."""
    from helpers.train import CACHE_DIR

    path = CACHE_DIR / f"{name}-{key}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as saved:
            return {k: saved[k] for k in saved.files} | {"from_cache": True}
    result = {k: np.asarray(v) for k, v in compute().items()}
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez(tmp, **result)
    tmp.replace(path)
    return result | {"from_cache": False}


def fgsm_accuracy(model, pixels, labels, epsilons=EPSILONS, batch_size: int = 1000, cache: bool = False) -> dict:
    """Test accuracy under FGSM at each ε: the gradient once per batch, then one forward pass (no gradients)
    per ε. Returns {ε: accuracy}. With cache=True the result is kept in cache/ (keyed by the weights, the data
    and the ε), so a second run of the notebook loads it."""
    import torch
    import torch.nn.functional as F

    _check_model(model)
    _check_x(pixels, "pixels")
    labels = _labels(labels, len(pixels))
    epsilons = tuple(_epsilon(e, "each epsilon") for e in epsilons)
    _whole("batch_size", batch_size, 1, 10**9)

    def compute():
        model.eval()
        correct = torch.zeros(len(epsilons))
        for i in range(0, len(pixels), batch_size):
            p, y = pixels[i : i + batch_size].detach().clone().requires_grad_(True), labels[i : i + batch_size]
            with torch.enable_grad():
                logits = model(normalise(p))
                (grad,) = torch.autograd.grad(F.cross_entropy(logits, y, reduction="sum"), p)
            with torch.no_grad():
                for j, e in enumerate(epsilons):
                    out = logits if e == 0 else model(normalise((p + e * grad.sign()).clamp(0, 1)))
                    correct[j] += (out.argmax(1) == y).sum()
        return {"accuracy": (correct / len(pixels)).numpy()}

    if cache:
        step = max(1, len(pixels) // 512)
        key = _digest(model, pixels[::step].detach().numpy(), labels.numpy(), epsilons=epsilons)
        result = _cached("fgsm-curve", key, compute)
    else:
        result = compute()
    return {e: float(a) for e, a in zip(epsilons, result["accuracy"])}


def flip_epsilon(model, pixels, label: int, step: float = 0.01, top: float = 0.5):
    """The smallest ε on a grid of `step` (up to `top`) at which FGSM changes the network's answer for one digit
    (pixels (1, 1, H, W) or (H, W), 0..1), and the answer then; (None, None) when it never flips."""
    import torch

    pixels = torch.as_tensor(pixels, dtype=torch.float32)
    pixels = pixels[None, None] if pixels.ndim == 2 else pixels
    grid = np.round(np.arange(step, top + step / 2, step), 6)
    sign = gradient_sign(model, pixels, label)
    with torch.no_grad():
        batch = torch.cat([(pixels + float(e) * sign).clamp(0, 1) for e in grid])
        answers = model(normalise(batch)).argmax(1).numpy()
    flipped = np.flatnonzero(answers != int(label))
    return (float(grid[flipped[0]]), int(answers[flipped[0]])) if len(flipped) else (None, None)


# --- checks for the predict-first exercises (helpers.checks' style: a pass or a hint, never a traceback) -----


def _checks():
    """The exercise feedback's building blocks (helpers.checks.feedback), imported when an exercise is checked."""
    from helpers.checks import feedback

    return feedback


def check_windows(answer, size: int = 7, stride: int = 3, n: int = 28):
    """The number of windows (positions of the patch) on an n×n digit: a whole number."""
    checks = _checks()
    got = checks._whole(answer, tr("a number of windows"), tr("windows are counted, one by one."))
    if isinstance(got, checks.Feedback):
        return got
    per_side = len(window_starts(n, size, stride))
    floor_side = (n - size) // stride + 1
    if got == per_side**2:
        return checks._yes(
            "Right: {k} positions along each side, {k} × {k} = {total} windows. The map of the "
            "drops is {k}×{k}, like the activation map of a convolution with this size and stride.",
            k=per_side,
            total=per_side**2,
        )
    if got == per_side:
        return checks._no("That is the count along one side; the patch slides along the rows and the columns.")
    if got == floor_side**2 and floor_side != per_side:
        return checks._no(
            "That is the convolution's ⌊(28 − size) / stride⌋ + 1 per side. Occlusion adds one more "
            "window, cut off at the edge, so that the last pixels are covered too: round up."
        )
    return checks._no(
        "Not quite. Along one side the windows start at 0, {s}, {s2}, … while a patch of {k} still "
        "has pixels of the image under it; count them and square the count.",
        s=stride,
        s2=2 * stride,
        k=size,
    )


def _class_network_and_digit(index: int):
    """The class CNN (from cache/) and test digit `index` as (pixels 0..1 (1, 1, 28, 28), label)."""
    import torch

    from helpers.data import load_mnist
    from helpers.train import trained_lecture_cnn

    images, labels = load_mnist("test")
    model, _ = trained_lecture_cnn(progress=False)
    return model, torch.as_tensor(images[index] / 255, dtype=torch.float32)[None, None], int(labels[index])


def ink_share(model, pixels, label) -> float:
    """The share of a digit's saliency (pixels 0..1, (1, 1, H, W)) that lies on its ink (pixels above 0.5)."""
    s = saliency(model, normalise(pixels), label)[0]
    return float(s[pixels[0, 0] > 0.5].sum() / s.sum())


def check_where_it_looks(answer, index: int = 2):
    """ "ink" or "background": where most of the saliency of test digit `index` lies."""
    checks = _checks()
    if (fb := checks._not_answered(answer)) is not None:
        return fb
    if not isinstance(answer, str) or answer.strip().lower() not in ("ink", "background"):
        return checks._no('Answer with the word "ink" or "background", in quotes.')
    model, pixels, label = _class_network_and_digit(index)
    share = ink_share(model, pixels, label)
    right = "ink" if share >= 0.5 else "background"
    if answer.strip().lower() == right:
        return checks._yes(
            "Right: {share} of the saliency lies on the ink, {rest} on the background.",
            share=f"{share:.0%}",
            rest=f"{1 - share:.0%}",
        )
    if right == "ink":
        return checks._no(
            "Look at the map again: {share} of the saliency lies on the ink. The background matters "
            "too (a stroke there would make another digit), but less.",
            share=f"{share:.0%}",
        )
    return checks._no(
        "Look at the map again: only {share} of the saliency lies on the ink. Each ink pixel matters "
        "more than a background pixel, but the background has many more pixels, and where ink could "
        "appear (a bar that would make a 7, a loop that would make a 9) matters too.",
        share=f"{share:.0%}",
    )


def check_flip(answer, index: int = 0, step: float = 0.01):
    """The ε at which FGSM changes the answer for test digit `index`: a number between 0 and 0.5."""
    checks = _checks()
    got = checks._number(answer, tr("an ε between 0 and 0.5"))
    if isinstance(got, checks.Feedback):
        return got
    model, pixels, label = _class_network_and_digit(index)
    flip, answer_then = flip_epsilon(model, pixels, label, step=step)
    if flip is None:
        return checks._yes("This digit does not flip up to ε = 0.5; any guess is as good.")
    if abs(got - flip) <= step / 2 + 1e-9:
        return checks._yes(
            "Right: at ε = {e} the network reads {answer}, each pixel moved by {p} % of the white.",
            e=f"{flip:g}",
            answer=answer_then,
            p=f"{flip * 100:g}",
        )
    if got < flip:
        return checks._no(
            "At ε = {g} the network still reads the digit correctly: move the ε slider further.", g=f"{got:g}"
        )
    return checks._no(
        "At ε = {g} it has flipped, but it flipped earlier: move the ε slider back, one step at a time.", g=f"{got:g}"
    )
