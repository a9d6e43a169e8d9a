"""The lecture's networks in torch, and a per-layer summary: output shape, parameters, receptive field."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from helpers.i18n import tr


def _whole(name, value, low=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")


def mlp(hidden: int = 256) -> nn.Sequential:
    """The fully connected baseline: flatten the 28×28 image, two hidden layers of ReLU units."""
    _whole("hidden", hidden)
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, 10))


def lecture_cnn(channels=(16, 32, 64), batch_norm: bool = True) -> nn.Sequential:
    """The lecture's pattern, image → conv → act → pool → conv → ..., once per entry of `channels` (1 to 4
    blocks), then one linear layer.

    Each block: 3×3 convolution with padding 1 (size kept), batch normalisation (optional; it makes a
    short training on a CPU reliable), ReLU, 2×2 max pooling (size halved): 28 → 14 → 7 → 3 → 1.
    Notebook 05 writes the three-block network out as an nn.Sequential; a test checks they match.
    """
    if isinstance(channels, (int, np.integer)) and not isinstance(channels, bool):
        channels = (channels,)
    if not isinstance(channels, (tuple, list)) or not 1 <= len(channels) <= 4:
        raise ValueError(f"channels must list the kernels of each block, 1 to 4 blocks (28 px halves to 1 "
                         f"after 4 poolings), e.g. (16, 32, 64); got {channels!r}")
    for c in channels:
        _whole("each entry of channels", c)
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
    _whole("num_classes", num_classes)
    lrn = lambda: nn.LocalResponseNorm(size=5, alpha=1e-4, beta=0.75, k=2.0)  # noqa: E731
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(3, 96, 11, stride=4)), ("relu1", nn.ReLU()), ("norm1", lrn()),
        ("pool1", nn.MaxPool2d(3, stride=2)),
        ("conv2", nn.Conv2d(96, 256, 5, padding=2, groups=2)), ("relu2", nn.ReLU()), ("norm2", lrn()),
        ("pool2", nn.MaxPool2d(3, stride=2)),
        ("conv3", nn.Conv2d(256, 384, 3, padding=1)), ("relu3", nn.ReLU()),
        ("conv4", nn.Conv2d(384, 384, 3, padding=1, groups=2)), ("relu4", nn.ReLU()),
        ("conv5", nn.Conv2d(384, 256, 3, padding=1, groups=2)), ("relu5", nn.ReLU()),
        ("pool5", nn.MaxPool2d(3, stride=2)), ("flatten", nn.Flatten()),
        ("drop6", nn.Dropout(0.5)), ("fc6", nn.Linear(256 * 6 * 6, 4096)), ("relu6", nn.ReLU()),
        ("drop7", nn.Dropout(0.5)), ("fc7", nn.Linear(4096, 4096)), ("relu7", nn.ReLU()),
        ("fc8", nn.Linear(4096, num_classes)),
    ]))


def _check_model(model):
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch nn.Module, got {type(model).__name__}")


def count_parameters(model: nn.Module) -> int:
    """The number of trainable numbers (weights and biases) in a model."""
    _check_model(model)
    return sum(p.numel() for p in model.parameters())


@dataclass
class LayerRow:
    name: str
    kind: str
    output_shape: tuple
    parameters: int
    receptive_field: int | None  # side of the input region one output value depends on (None: whole image)


def layer_table(model: nn.Module, input_shape=(1, 1, 28, 28)) -> list[LayerRow]:
    """Run a zero batch through the model and list every leaf layer in the order it runs: its output
    shape, its own parameters, and the receptive field so far.

    Receptive field: a k×k layer with stride s and dilation d widens it by (k - 1)·d input steps,
    where one step is the product of the strides before it; after a layer that mixes all positions
    (a linear layer, adaptive pooling) it is the whole image (None).
    """
    _check_model(model)
    if (not isinstance(input_shape, (tuple, list)) or len(input_shape) != 4
            or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in input_shape)):
        raise ValueError(f"input_shape must be 4 whole numbers >= 1, (N, C, H, W), got {input_shape!r}")
    rows: list[LayerRow] = []
    field, jump = 1, 1
    hooks = []

    def hook(name):
        def record(module, inputs, output):
            nonlocal field, jump
            k = s = d = None
            if isinstance(module, nn.Conv2d):
                k, s, d = module.kernel_size[0], module.stride[0], module.dilation[0]
            elif isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
                k = module.kernel_size if isinstance(module.kernel_size, int) else module.kernel_size[0]
                s = module.stride if isinstance(module.stride, int) else module.stride[0]
                d = getattr(module, "dilation", 1)
                d = d if isinstance(d, int) else d[0]
            elif isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
                if tuple(inputs[0].shape[-2:]) != tuple(output.shape[-2:]):  # same size: it changes nothing
                    field = None
            elif isinstance(module, nn.Linear):
                field = None
            if k is not None and field is not None:
                field += (k - 1) * d * jump
                jump *= s
            rows.append(LayerRow(name, type(module).__name__, tuple(output.shape),
                                 sum(p.numel() for p in module.parameters(recurse=False)), field))
        return record

    for name, module in model.named_modules():
        if not list(module.children()):
            hooks.append(module.register_forward_hook(hook(name)))
    try:
        was_training = model.training
        model.eval()
        with torch.no_grad():
            model(torch.zeros(tuple(int(n) for n in input_shape)))
        model.train(was_training)
    except RuntimeError as error:
        raise ValueError(f"input_shape {tuple(input_shape)} does not fit this model: {error}") from None
    finally:
        for h in hooks:
            h.remove()
    return rows


def format_table(rows: list[LayerRow]) -> str:
    """The layer table as text: one line a layer, and the total."""
    lines = [f"{tr('layer'):<14} {tr('kind'):<18} {tr('output shape'):<20} {tr('parameters'):>12} "
             f"{tr('receptive field'):>16}"]
    for r in rows:
        field = tr("whole image") if r.receptive_field is None else f"{r.receptive_field}×{r.receptive_field}"
        lines.append(f"{r.name:<14} {r.kind:<18} {str(r.output_shape):<20} {r.parameters:>12,} {field:>16}")
    lines.append(f"{tr('total'):<14} {'':<18} {'':<20} {sum(r.parameters for r in rows):>12,}")
    return "\n".join(lines)


def activations(model: nn.Module, x: torch.Tensor, kinds=(nn.Conv2d, nn.ReLU, nn.MaxPool2d)) -> dict:
    """The output of every layer of the given kinds for input x, by layer name, in the order they run."""
    _check_model(model)
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or not x.is_floating_point() or len(x) == 0:
        what = f"a {x.ndim}-D {x.dtype} tensor of {len(x) if x.ndim else 0}" if isinstance(x, torch.Tensor) \
            else f"a {type(x).__name__}"
        raise ValueError(f"x must be a non-empty float tensor (N, C, H, W), normalised as "
                         f"helpers.train.to_tensors makes it; got {what}")
    out, hooks = {}, []
    for name, module in model.named_modules():
        if isinstance(module, kinds):
            hooks.append(module.register_forward_hook(
                lambda m, i, o, name=name: out.__setitem__(f"{name} {type(m).__name__}", o.detach())))
    try:
        model.eval()
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return out
