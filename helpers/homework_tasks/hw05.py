"""hw05: the backward pass with stride and padding; a network that must reach a target."""

from __future__ import annotations

import numpy as np

from helpers.checks import Feedback
from helpers.homework_tasks._common import _array, _call, _guarded, _n, _no, _not_answered, _t, _yes


def _conv_backward_reference(x, w, dout, stride, padding):
    import torch
    import torch.nn.functional as F

    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    F.conv2d(xt[None, None], wt[None, None], stride=stride, padding=padding)[0, 0].backward(torch.tensor(dout))
    return xt.grad.numpy(), wt.grad.numpy()


@_guarded(wanted="A function `conv_backward(x, w, dout, stride, padding)` → (dx, dw), compared with torch's autograd")
def conv_backward_function(fn, name: str = "conv_backward") -> Feedback:
    """A function `conv_backward(x, w, dout, stride, padding)` → (dx, dw), compared with torch's autograd."""
    rng = np.random.default_rng(55)
    for h, w_, k, s, p in [(5, 5, 3, 1, 0), (6, 5, 3, 1, 1), (7, 8, 3, 2, 1), (9, 7, 2, 3, 2)]:
        x, kernel = rng.normal(size=(h, w_)), rng.normal(size=(k, k))
        oh, ow = (h + 2 * p - k) // s + 1, (w_ + 2 * p - k) // s + 1
        dout = rng.normal(size=(oh, ow))
        case = _t("a {h}×{w} image, a {k}×{k} kernel, stride {s}, padding {p}", h=h, w=w_, k=k, s=s, p=p)
        result = _call(fn, name, case, x.copy(), kernel.copy(), dout.copy(), s, p)
        if isinstance(result, Feedback):
            return result
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return _no("Return two arrays: `return dx, dw` (dx the size of x, dw the size of w).")
        dx, dw = (_array(g, "a gradient") for g in result)
        for g in (dx, dw):
            if isinstance(g, Feedback):
                return g
        ex, ew = _conv_backward_reference(x, kernel, dout, s, p)
        if dx.shape == (h + 2 * p, w_ + 2 * p) and p:
            return _no(
                "Your dx has the padded size. The padding's zeros are not inputs: cut the border off, "
                "dx_padded[p:-p, p:-p]."
            )
        if dx.shape != x.shape or dw.shape != kernel.shape:
            return _no("dx has the shape of x ({hx}×{wx}) and dw the shape of w ({k}×{k}).", hx=h, wx=w_, k=k)
        if not np.allclose(dw, ew):
            if s > 1:
                return _no(
                    "On {case} dw is off. With stride s, output (i, j) used the window at row i·s, column "
                    "j·s of the PADDED image: dw += dout[i, j] · that window.",
                    case=case,
                )
            return _no(
                "On {case} dw is off. dw adds dout[i, j] · (the window output (i, j) saw) over all outputs, "
                "windows taken from the padded image.",
                case=case,
            )
        if not np.allclose(dx, ex):
            flipped, _ = _conv_backward_reference(x, kernel[::-1, ::-1].copy(), dout, s, p)
            if np.allclose(dx, flipped):
                return _no(
                    "dx uses the flipped kernel. Output (i, j) used pixel (i·s + a, j·s + b) with weight "
                    "w[a, b]: it sends dout[i, j] · w[a, b] back to exactly that pixel."
                )
            return _no(
                "On {case} dx is off. Send dout[i, j] · w back onto the window at (i·s, j·s) of a padded "
                "dx, adding where windows overlap, then cut the padding off.",
                case=case,
            )
    return _yes("Right: dx and dw equal torch's autograd, with stride and padding.")


def hidden_digits(n: int = 5000):
    """Digits no student cell uses: MNIST's test set, scaled as helpers.train.to_tensors scales the training ones."""
    from helpers.data import load_mnist
    from helpers.train import to_tensors

    images, labels = load_mnist("test")
    return to_tensors(images[:n], labels[:n])


@_guarded(wanted="A trained torch.nn.Sequential, measured on digits it never saw")
def reaches_target(model, target: float = 0.975) -> Feedback:
    """A trained torch.nn.Sequential, measured on digits it never saw."""
    if (fb := _not_answered(model)) is not None:
        return fb
    import torch

    if not isinstance(model, torch.nn.Module):
        return _no("`model` should be your trained network (a torch.nn.Sequential).")
    x, y = hidden_digits()
    model.eval()
    with torch.no_grad():
        scores = torch.cat([model(x[i : i + 1000]) for i in range(0, len(x), 1000)])
    if scores.ndim != 2 or scores.shape[1] != 10:
        return _no(
            "Your network's output for a batch of digits should be (batch, 10), one score per digit; it is {g}.",
            g=tuple(scores.shape),
        )
    acc = float((scores.argmax(1) == y).float().mean())
    if acc >= target:
        return _yes(
            "Right: {a} on {n} digits your network never saw (target {t}).",
            a=_n(acc, ".2%"),
            n=_n(len(x), ","),
            t=_n(target, ".1%"),
        )
    if acc < 0.2:
        return _no(
            "{a} is guessing level on digits it never saw: the network has not learned (is it the trained `model`?).",
            a=_n(acc, ".1%"),
        )
    return _no(
        "{a} on {n} digits it never saw; the target is {t}. Compare your choices on the validation digits: "
        "more passes, another learning rate, another width.",
        a=_n(acc, ".2%"),
        n=_n(len(x), ","),
        t=_n(target, ".1%"),
    )


# --- hw05 Exercise 6: a targeted FGSM (07 §5 moves away from the true label; here towards a chosen one) -------


def _attack_case(n: int = 8):
    """A small network that takes pixels 0..1, n test digits as pixels (N, 1, 28, 28) and a target per digit that
    is not its label."""
    import torch

    from helpers.data import load_mnist

    torch.manual_seed(605)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(676, 10)
    ).eval()
    images, labels = load_mnist("test")
    pixels = torch.tensor(images[300 : 300 + n], dtype=torch.float32)[:, None] / 255
    targets = torch.tensor((labels[300 : 300 + n].astype(np.int64) + 3) % 10)
    return model, pixels, targets


def _targeted_reference(model, pixels, targets, epsilon: float, towards: bool = True, clamp: bool = True):
    """One step of ε·sign(gradient of the cross-entropy with the targets), against it (towards the targets) or
    along it, then clamped to 0..1; by torch's autograd."""
    import torch
    import torch.nn.functional as F

    p = pixels.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        (grad,) = torch.autograd.grad(F.cross_entropy(model(p), targets, reduction="sum"), p)
    moved = pixels + (-epsilon if towards else epsilon) * grad.sign()
    return (moved.clamp(0, 1) if clamp else moved).detach()


@_guarded(
    wanted="A function `fgsm_towards(model, pixels, targets, epsilon)` → new pixels, compared with torch's autograd"
)
def fgsm_towards_function(fn, name: str = "fgsm_towards") -> Feedback:
    """A function `fgsm_towards(model, pixels, targets, epsilon)` → new pixels, compared with torch's autograd."""
    import torch

    model, pixels, targets = _attack_case()
    epsilon = 0.1
    expected = _targeted_reference(model, pixels, targets, epsilon)
    case = _t("{n} digits, ε = {e}", n=len(pixels), e=_n(epsilon, "g"))
    result = _call(fn, name, case, model, pixels.clone(), targets.clone(), epsilon)
    if isinstance(result, Feedback):
        return result
    got = _array(result, "the new pixels")
    if isinstance(got, Feedback):
        return got
    if got.shape != tuple(expected.shape):
        return _no(
            "Your `{name}` returns shape {g}; the new pixels have the shape of `pixels`, {e}.",
            name=name,
            g=got.shape,
            e=tuple(expected.shape),
        )
    want = expected.numpy()
    if np.allclose(got, want, atol=1e-6):
        with torch.no_grad():
            said = int((model(expected).argmax(1) == targets).sum())
        return _yes(
            "Right: every pixel moved by ε against the gradient of the target's loss. The small network here now "
            "says the target for {k} of {n} digits.",
            k=said,
            n=len(pixels),
        )
    away = _targeted_reference(model, pixels, targets, epsilon, towards=False).numpy()
    if np.allclose(got, away, atol=1e-6):
        return _no(
            "Your step raises the loss of the target: it pushes the network away from it, as 07's FGSM pushes "
            "away from the true label. To make it say the target, lower the target's loss: step against the sign "
            "of the gradient."
        )
    if np.allclose(got, _targeted_reference(model, pixels, targets, epsilon, clamp=False).numpy(), atol=1e-6):
        return _no("Some of your pixels leave 0..1 (a pixel is at most white): end with `.clamp(0, 1)`.")
    moved = np.abs(got - pixels.numpy())
    inside = (want > 0) & (want < 1)
    if inside.any() and not np.allclose(moved[inside], epsilon, atol=1e-6):
        return _no(
            "Not every pixel moved by exactly ε: FGSM uses only the sign of the gradient (`.sign()`), so each "
            "pixel moves by ε, up or down."
        )
    wrong = int(np.sum(~np.isclose(got, want, atol=1e-6)))
    return _no(
        "{wrong} of {n} pixels differ. Take the cross-entropy of `model(pixels)` with the targets, its gradient "
        "with respect to the pixels (`requires_grad_`), move each pixel by ε against the gradient's sign, and "
        "clamp to 0..1.",
        wrong=_n(wrong, ","),
        n=_n(got.size, ","),
    )
