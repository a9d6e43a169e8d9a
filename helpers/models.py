"""The lecture's networks in torch, and what they compute layer by layer: a per-layer summary (output shape,
parameters, receptive field), the receptive field of one unit, every layer's activations; and the two ways of
running a network the helpers share: in evaluation mode (`eval_mode`) and on few CPU threads (`torch_threads`)."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

from helpers import _validate as v
from helpers.i18n import tr


@contextlib.contextmanager
def torch_threads(n: int = 1):
    """torch on `n` CPU threads inside the `with` block, and on as many as before after it. Small problems (one
    digit, one 3×3 kernel, a tiny network) run fastest on one thread: more only wait for each other, and far more
    so on a busy CPU."""
    n = v.whole(n, "n", 1)
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def eval_mode(model: nn.Module):
    """The model in evaluation mode (batch normalisation uses its running statistics, dropout keeps everything)
    inside the `with` block; after it every layer is back in the mode it was in, training or not."""
    _check_model(model)
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for m, training in modes:
            m.training = training


def mlp(hidden: int = 256) -> nn.Sequential:
    """The fully connected baseline: flatten the 28×28 image, two hidden layers of ReLU units."""
    v.whole(hidden, "hidden", 1)
    return nn.Sequential(
        nn.Flatten(), nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 10)
    )


def lecture_cnn(channels=(16, 32, 64), batch_norm: bool = True) -> nn.Sequential:
    """The lecture's pattern, image → conv → act → pool → conv → ..., once per entry of `channels` (1 to 4
    blocks), then one linear layer.

    Each block: 3×3 convolution with padding 1 (size kept), batch normalisation (optional; it makes a
    short training on a CPU reliable), ReLU, 2×2 max pooling (size halved): 28 → 14 → 7 → 3 → 1.
    Notebook 05 writes the three-block network out as an nn.Sequential; a test checks they match.
    """
    if v.is_whole(channels):
        channels = (channels,)
    if not isinstance(channels, (tuple, list)) or not 1 <= len(channels) <= 4:
        raise ValueError(
            f"channels must list the kernels of each block, 1 to 4 blocks (28 px halves to 1 "
            f"after 4 poolings), e.g. (16, 32, 64); got {channels!r}"
        )
    for c in channels:
        v.whole(c, "each entry of channels", 1)
    layers, c_in = [], 1
    for c in channels:
        layers += [nn.Conv2d(c_in, int(c), 3, padding=1, bias=not batch_norm)]
        layers += [nn.BatchNorm2d(int(c))] if batch_norm else []
        layers += [nn.ReLU(), nn.MaxPool2d(2)]
        c_in = int(c)
    side = 28
    for _ in channels:
        side //= 2
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(c_in * side * side, 10))


def alexnet_2012(num_classes: int = 1000) -> nn.Sequential:
    """AlexNet as the 2012 paper draws it (Krizhevsky, Sutskever, Hinton, NIPS 2012, fig. 2): 96, 256, 384,
    384, 256 kernels, local response normalisation after conv1 and conv2, and the layers that ran on two
    GPUs, each seeing half the channels (conv2, conv4, conv5), as groups=2. Input 3×227×227 (the paper's
    "224" does not give 55×55 after an 11×11 stride-4 convolution without padding). 60,965,224 parameters.
    torchvision's `alexnet` is the later one-GPU variant ("one weird trick", 2014): 64, 192, 384, 256, 256.
    """
    v.whole(num_classes, "num_classes", 1)
    lrn = lambda: nn.LocalResponseNorm(size=5, alpha=1e-4, beta=0.75, k=2.0)
    return nn.Sequential(
        OrderedDict(
            [
                ("conv1", nn.Conv2d(3, 96, 11, stride=4)),
                ("relu1", nn.ReLU()),
                ("norm1", lrn()),
                ("pool1", nn.MaxPool2d(3, stride=2)),
                ("conv2", nn.Conv2d(96, 256, 5, padding=2, groups=2)),
                ("relu2", nn.ReLU()),
                ("norm2", lrn()),
                ("pool2", nn.MaxPool2d(3, stride=2)),
                ("conv3", nn.Conv2d(256, 384, 3, padding=1)),
                ("relu3", nn.ReLU()),
                ("conv4", nn.Conv2d(384, 384, 3, padding=1, groups=2)),
                ("relu4", nn.ReLU()),
                ("conv5", nn.Conv2d(384, 256, 3, padding=1, groups=2)),
                ("relu5", nn.ReLU()),
                ("pool5", nn.MaxPool2d(3, stride=2)),
                ("flatten", nn.Flatten()),
                ("drop6", nn.Dropout(0.5)),
                ("fc6", nn.Linear(256 * 6 * 6, 4096)),
                ("relu6", nn.ReLU()),
                ("drop7", nn.Dropout(0.5)),
                ("fc7", nn.Linear(4096, 4096)),
                ("relu7", nn.ReLU()),
                ("fc8", nn.Linear(4096, num_classes)),
            ]
        )
    )


def _check_model(model):
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch nn.Module, got {type(model).__name__}")


def count_parameters(model: nn.Module) -> int:
    """The number of trainable numbers (weights and biases) in a model."""
    _check_model(model)
    return sum(p.numel() for p in model.parameters())


class Field(NamedTuple):
    """The input pixels one unit sees: rows top..bottom and columns left..right, inclusive."""

    top: int
    left: int
    bottom: int
    right: int

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    @property
    def width(self) -> int:
        return self.right - self.left + 1


#: Layers that slide a window over the image, and layers after which every output depends on every position.
WINDOWS = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)
MIXING = (nn.Linear, nn.Flatten, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)


def _window(layer) -> tuple[tuple[int, int], ...] | None:
    """(kernel, stride, padding, dilation), each a pair, of a window layer or a tuple; None for a layer that keeps
    positions; ValueError for one that mixes them."""
    if isinstance(layer, nn.Module):
        if isinstance(layer, MIXING):
            raise ValueError(type(layer).__name__)
        if not isinstance(layer, WINDOWS):
            return None  # ReLU, batch norm, dropout, ...: each position alone
        k = v.pair(layer.kernel_size, "kernel_size")
        d = v.pair(getattr(layer, "dilation", 1), "dilation")
        p = layer.padding
        if p == "valid":
            p = 0
        elif p == "same":
            p = ((d[0] * (k[0] - 1)) // 2, (d[1] * (k[1] - 1)) // 2)
        s = layer.stride if layer.stride is not None else layer.kernel_size
        return k, v.pair(s, "stride"), v.pair(p, "padding", 0), d
    if not isinstance(layer, (tuple, list)) or not 2 <= len(layer) <= 4:
        raise TypeError
    k, s, p, d = (*layer, 0, 1)[:4] if len(layer) == 2 else (*layer, 1)[:4]
    return v.pair(k, "kernel"), v.pair(s, "stride"), v.pair(p, "padding", 0), v.pair(d, "dilation")


def receptive_field(layers, row: int = 0, col: int = 0) -> Field:
    """The input pixels that unit (row, col) of the last layer's map depends on: Field(top, left, bottom, right),
    inclusive, in the input's coordinates (a field that reaches into the padding goes below 0 or past the edge;
    clip it to show it on an image). `.height` and `.width` are its sides.

    `layers`, in the order they run: torch modules (an nn.Sequential is walked into), `(name, module)` pairs as
    `model.named_children()` gives them, or tuples `(kernel, stride)`, `(kernel, stride, padding)` or
    `(kernel, stride, padding, dilation)` of ints or pairs. Convolutions and pooling move the window; ReLU,
    batch normalisation, dropout and other position-wise layers keep it; a layer that mixes all positions
    (linear, flatten, adaptive pooling) has no receptive field: ValueError naming it.

    Walking back from the unit, a window k with stride s, padding p and dilation d maps rows [a, b] of its output
    to rows [a·s − p, b·s − p + (k − 1)·d] of its input. For a stack of windows without padding the side is
    1 + Σ (kᵢ − 1)·dᵢ·(s₁·…·sᵢ₋₁), the recurrence of the lecture.
    """
    row, col = v.whole(row, "row", 0), v.whole(col, "col", 0)
    flat = []

    def walk(items, prefix=""):
        for i, item in enumerate(items):
            name, layer = (
                item
                if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
                else (f"{prefix}{i}", item)
            )
            if isinstance(layer, nn.Sequential):
                walk(list(layer.named_children()), f"{name}.")
            else:
                flat.append((name, layer))

    if isinstance(layers, nn.Module) and not isinstance(layers, nn.Sequential):
        layers = [layers]
    walk(list(layers.named_children()) if isinstance(layers, nn.Sequential) else list(layers))
    top, bottom, left, right = row, row, col, col
    for name, layer in reversed(flat):
        try:
            window = _window(layer)
        except TypeError:
            raise ValueError(
                f"layers must be torch modules or (kernel, stride[, padding[, dilation]]) tuples, "
                f"got {layer!r} at {name}"
            ) from None
        except ValueError as error:
            if isinstance(layer, nn.Module):
                raise ValueError(
                    f"layers: layer {name} ({error}) mixes all positions: a receptive field is defined "
                    "only up to the last convolution or pooling"
                ) from None
            raise ValueError(f"layers: layer {name}, {layer!r}: {error}") from None
        if window is None:
            continue
        k, s, p, d = window
        top, bottom = top * s[0] - p[0], bottom * s[0] - p[0] + (k[0] - 1) * d[0]
        left, right = left * s[1] - p[1], right * s[1] - p[1] + (k[1] - 1) * d[1]
    return Field(top, left, bottom, right)


@dataclass
class LayerRow:
    name: str
    kind: str
    output_shape: tuple
    parameters: int
    receptive_field: int | None  # side of the input region one output value depends on (None: whole image)


def layer_table(model: nn.Module, input_shape=(1, 1, 28, 28)) -> list[LayerRow]:
    """Run a zero batch through the model and list every leaf layer in the order it runs: its output
    shape, its own parameters, and the receptive field so far (`receptive_field` of the layers run so far; a
    flatten, or an adaptive pooling that keeps the size, leaves it as it was; after a layer that mixes all
    positions it is the whole image, None).
    """
    _check_model(model)
    if (
        not isinstance(input_shape, (tuple, list))
        or len(input_shape) != 4
        or not all(v.is_whole(n) and n >= 1 for n in input_shape)
    ):
        raise ValueError(f"input_shape must be 4 whole numbers >= 1, (N, C, H, W), got {input_shape!r}")
    rows: list[LayerRow] = []
    ran: list[nn.Module] = []  # the layers that change the field, in the order they ran
    hooks = []

    def hook(name):
        def record(module, inputs, output):
            same_size = tuple(inputs[0].shape[-2:]) == tuple(output.shape[-2:])
            if not (
                isinstance(module, nn.Flatten)
                or (isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)) and same_size)
            ):
                ran.append(module)
            try:
                field = receptive_field(ran).height
            except ValueError:
                field = None
            rows.append(
                LayerRow(
                    name,
                    type(module).__name__,
                    tuple(output.shape),
                    sum(p.numel() for p in module.parameters(recurse=False)),
                    field,
                )
            )

        return record

    for name, module in model.named_modules():
        if not list(module.children()):
            hooks.append(module.register_forward_hook(hook(name)))
    try:
        with eval_mode(model), torch.no_grad():
            model(torch.zeros(tuple(int(n) for n in input_shape)))
    except RuntimeError as error:
        raise ValueError(f"input_shape {tuple(input_shape)} does not fit this model: {error}") from None
    finally:
        for h in hooks:
            h.remove()
    return rows


def format_table(rows: list[LayerRow]) -> str:
    """The layer table as text: one line a layer, and the total."""
    lines = [
        f"{tr('layer'):<14} {tr('kind'):<18} {tr('output shape'):<20} {tr('parameters'):>12} "
        f"{tr('receptive field'):>16}"
    ]
    for r in rows:
        field = tr("whole image") if r.receptive_field is None else f"{r.receptive_field}×{r.receptive_field}"
        lines.append(f"{r.name:<14} {r.kind:<18} {str(r.output_shape):<20} {r.parameters:>12,} {field:>16}")
    lines.append(f"{tr('total'):<14} {'':<18} {'':<20} {sum(r.parameters for r in rows):>12,}")
    return "\n".join(lines)


def activations(model: nn.Module, x: torch.Tensor, kinds=(nn.Conv2d, nn.ReLU, nn.MaxPool2d)) -> dict:
    """The output of every layer of the given kinds for input x, by layer name, in the order they run; the model
    runs in evaluation mode, and is left in the mode it was in."""
    _check_model(model)
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or not x.is_floating_point() or len(x) == 0:
        what = (
            f"a {x.ndim}-D {x.dtype} tensor of {len(x) if x.ndim else 0}"
            if isinstance(x, torch.Tensor)
            else f"a {type(x).__name__}"
        )
        raise ValueError(
            f"x must be a non-empty float tensor (N, C, H, W), normalised as "
            f"helpers.train.to_tensors makes it; got {what}"
        )
    out, hooks = {}, []
    for name, module in model.named_modules():
        if isinstance(module, kinds):
            hooks.append(
                module.register_forward_hook(
                    lambda m, i, o, name=name: out.__setitem__(f"{name} {type(m).__name__}", o.detach())
                )
            )
    try:
        with eval_mode(model), torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return out
