"""The lecture's networks in torch, and a per-layer summary: output shape, parameters, receptive field."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


def mlp(hidden: int = 256) -> nn.Sequential:
    """The fully connected baseline: flatten the 28×28 image, two hidden layers of ReLU units."""
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, 10))


def lecture_cnn(channels=(16, 32, 64), batch_norm: bool = True) -> nn.Sequential:
    """The lecture's pattern, image → conv → act → pool → conv → ..., three times, then one linear layer.

    Each block: 3×3 convolution with padding 1 (size kept), batch normalisation (optional; it makes a
    short training on a CPU reliable), ReLU, 2×2 max pooling (size halved): 28 → 14 → 7 → 3.
    """
    layers, c_in = [], 1
    for c in channels:
        layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=not batch_norm)]
        layers += [nn.BatchNorm2d(c)] if batch_norm else []
        layers += [nn.ReLU(), nn.MaxPool2d(2)]
        c_in = c
    side = 28
    for _ in channels:
        side //= 2
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(c_in * side * side, 10))


class ReferenceNet(nn.Module):
    """The pytorch/examples MNIST network (examples/mnist/main.py): conv32 → conv64 → max pool → dropout
    → fc128 → dropout → fc10, trained there with Adadelta (lr 1.0) and batch 64. The reference the
    course's CNN is measured against."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        x = torch.max_pool2d(x, 2)
        x = torch.flatten(self.dropout1(x), 1)
        x = self.dropout2(torch.relu(self.fc1(x)))
        return self.fc2(x)  # logits; the example's log_softmax + nll_loss equals cross_entropy on these


def count_parameters(model: nn.Module) -> int:
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
            model(torch.zeros(input_shape))
        model.train(was_training)
    finally:
        for h in hooks:
            h.remove()
    return rows


def format_table(rows: list[LayerRow]) -> str:
    """The layer table as text: one line a layer, and the total."""
    lines = [f"{'layer':<14} {'kind':<18} {'output shape':<20} {'parameters':>12} {'receptive field':>16}"]
    for r in rows:
        field = "whole image" if r.receptive_field is None else f"{r.receptive_field}×{r.receptive_field}"
        lines.append(f"{r.name:<14} {r.kind:<18} {str(r.output_shape):<20} {r.parameters:>12,} {field:>16}")
    lines.append(f"{'total':<14} {'':<18} {'':<20} {sum(r.parameters for r in rows):>12,}")
    return "\n".join(lines)


def activations(model: nn.Module, x: torch.Tensor, kinds=(nn.Conv2d, nn.ReLU, nn.MaxPool2d)) -> dict:
    """The output of every layer of the given kinds for input x, by layer name, in the order they run."""
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
