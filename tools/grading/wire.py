"""What crosses between the grader and a sandbox: framed messages of JSON and numpy blobs, never a pickle.

This file is copied into the sandbox and imported there too, so it uses only the standard library, numpy and
(lazily) torch. Decoding a message runs no code the message chose: JSON, `np.load(allow_pickle=False)`, and for a
network or an optimizer the constructors of a fixed list of torch classes with arguments checked to be plain data.

The kinds of value (`encode` / `decode`):
  None, bool, int, float (nan and inf too), complex, str; list, tuple, dict (any keys of these kinds);
  numpy arrays and numpy scalars of a numeric or bool dtype; torch tensors (sent as numpy, dtype and
  requires_grad kept; bfloat16 as float32);
  a torch.nn.Sequential whose layers are all in LAYERS (nested Sequentials too): the class names, the constructor
  arguments read from each layer's attributes (LAYERS lists them), its training flag and its state_dict;
  a torch.optim.SGD / Adam / AdamW over the parameters of a Sequential sent in the same call (its hyper-parameters,
  its state_dict and, if present, the integer attributes `steps` and `zero_grads` of a counting optimizer).
Anything else cannot be sent: `Unsendable` names its type.
"""

from __future__ import annotations

import io
import json
import math
import struct

import numpy as np

MAX_HEADER = 64 << 20  # one message's JSON
MAX_BLOBS = 768 << 20  # one message's arrays together

# torch.nn classes a network may be built of, and the constructor arguments read back from a layer's attributes.
LAYERS = {
    "Conv1d": (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
        "bias",
        "padding_mode",
    ),
    "Conv2d": (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
        "bias",
        "padding_mode",
    ),
    "Linear": ("in_features", "out_features", "bias"),
    "MaxPool2d": ("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
    "AvgPool2d": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
    "AdaptiveAvgPool2d": ("output_size",),
    "AdaptiveMaxPool2d": ("output_size",),
    "BatchNorm1d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "BatchNorm2d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "Dropout": ("p",),
    "Dropout2d": ("p",),
    "Flatten": ("start_dim", "end_dim"),
    "Unflatten": ("dim", "unflattened_size"),
    "ReLU": (),
    "LeakyReLU": ("negative_slope",),
    "ELU": ("alpha",),
    "GELU": ("approximate",),
    "Tanh": (),
    "Sigmoid": (),
    "Identity": (),
    "Softmax": ("dim",),
    "LogSoftmax": ("dim",),
    "Sequential": (),
}
OPTIMIZERS = {
    "SGD": ("lr", "momentum", "dampening", "weight_decay", "nesterov"),
    "Adam": ("lr", "betas", "eps", "weight_decay", "amsgrad"),
    "AdamW": ("lr", "betas", "eps", "weight_decay", "amsgrad"),
}
COUNTS = ("steps", "zero_grads")


class Unsendable(TypeError):
    """A value of a kind the grader does not accept from (or send to) a sandbox."""


class WireError(ValueError):
    """A message that breaks the format: too long, truncated, not JSON, a blob that is not a plain array."""


# --- values ----------------------------------------------------------------------------------------------------


def _plain(value, depth=0):
    """A layer's constructor argument: numbers, bools, strings, None and tuples of them only."""
    if depth > 3:
        raise Unsendable("nested too deep")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value if not isinstance(value, float) or math.isfinite(value) else str(value)
    if isinstance(value, (tuple, list)):
        return [_plain(v, depth + 1) for v in value]
    raise Unsendable(type(value).__name__)


class Encoder:
    """One message's values: the JSON tree and the list of array blobs it refers to by index."""

    def __init__(self):
        self.blobs: list[bytes] = []
        self.models: list = []  # the Sequentials of this message, by id, for the optimizers

    def array(self, arr: np.ndarray) -> int:
        if arr.dtype.kind not in "biufc":
            raise Unsendable(f"an array of {arr.dtype}")
        buf = io.BytesIO()
        np.save(buf, arr if arr.flags.c_contiguous else arr.copy(order="C"), allow_pickle=False)  # keeps 0-d
        self.blobs.append(buf.getvalue())
        return len(self.blobs) - 1

    def encode(self, value, depth: int = 0):
        if depth > 50:
            raise Unsendable("a structure nested more than 50 deep")
        if isinstance(value, np.generic):  # before float: np.float64 is a float too
            return {"$scalar": self.array(np.asarray(value))}
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return value if abs(value) < 2**53 else {"$int": str(value)}
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$float": repr(value)}
        if isinstance(value, complex):
            return {"$complex": [repr(value.real), repr(value.imag)]}
        if isinstance(value, (list, tuple)):
            items = [self.encode(v, depth + 1) for v in value]
            return items if type(value) is list else {"$tuple": items}
        if isinstance(value, dict):
            return {"$dict": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()]}
        if isinstance(value, np.ndarray):
            return {"$array": self.array(value)}
        torch = _torch_if_loaded()
        if torch is not None:
            if isinstance(value, torch.Tensor):
                t = value.detach().cpu()
                if t.dtype == torch.bfloat16:
                    t = t.float()
                return {
                    "$tensor": self.array(t.resolve_conj().resolve_neg().numpy()),
                    "grad": bool(value.requires_grad),
                }
            if isinstance(value, torch.nn.Module):
                return self.model(value)
            if isinstance(value, torch.optim.Optimizer):
                return self.optimizer(value)
        raise Unsendable(type(value).__name__)

    def model(self, net):
        spec = _spec(net)
        for i, known in enumerate(self.models):
            if known is net:
                return {"$model_ref": i}
        self.models.append(net)
        state = {k: self.encode(v) for k, v in net.state_dict().items()}
        return {"$model": spec, "state": state, "id": len(self.models) - 1}

    def optimizer(self, opt):
        import torch

        cls = next(
            (
                name
                for name in OPTIMIZERS
                if type(opt) is getattr(torch.optim, name)
                or (isinstance(opt, getattr(torch.optim, name)) and hasattr(opt, "steps"))
            ),
            None,
        )
        if cls is None or len(opt.param_groups) != 1:
            raise Unsendable(type(opt).__name__)
        params = opt.param_groups[0]["params"]
        owner = next(
            (
                i
                for i, m in enumerate(self.models)
                if len(list(m.parameters())) == len(params) and all(a is b for a, b in zip(m.parameters(), params))
            ),
            None,
        )
        if owner is None:
            raise Unsendable("an optimizer of parameters that are not a network's sent in the same call")
        hyper = {k: _plain(opt.param_groups[0][k]) for k in OPTIMIZERS[cls] if k in opt.param_groups[0]}
        counts = {k: int(getattr(opt, k)) for k in COUNTS if isinstance(getattr(opt, k, None), int)}
        return {
            "$optimizer": cls,
            "model": owner,
            "hyper": hyper,
            "counts": counts,
            "state": self.encode(opt.state_dict()),
        }


def _torch_if_loaded():
    import sys

    return sys.modules.get("torch")


def _spec(net):
    """[class name, {argument: value}, training, [children]] of a network built only of LAYERS."""
    import torch

    name = type(net).__name__
    if name not in LAYERS or type(net) is not getattr(torch.nn, name, None):
        raise Unsendable(f"a network layer {name} (allowed: torch.nn {', '.join(sorted(LAYERS))})")
    args = {}
    for arg in LAYERS[name]:
        value = getattr(net, arg)
        if arg == "bias":
            value = value is not None
        args[arg] = _plain(value)
    children = [_spec(child) for child in net.children()] if name == "Sequential" else []
    return [name, args, bool(net.training), children]


def _build(spec, depth=0):
    """A network from `_spec`'s description: only LAYERS' classes, only their listed arguments, plain values."""
    import torch

    if depth > 20 or not (isinstance(spec, list) and len(spec) == 4):
        raise WireError("not a network description")
    name, args, training, children = spec
    if name not in LAYERS or not isinstance(args, dict) or not set(args) <= set(LAYERS[name]):
        raise WireError(f"not an allowed layer: {name!r}")
    args = {k: _unplain(v) for k, v in args.items()}
    if name == "Sequential":
        net = torch.nn.Sequential(*[_build(c, depth + 1) for c in children])
    else:
        net = getattr(torch.nn, name)(**args)
    net.train(bool(training))
    return net


def _unplain(value, depth=0):
    if depth > 3:
        raise WireError("argument nested too deep")
    if isinstance(value, list):
        return tuple(_unplain(v, depth + 1) for v in value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return float(value) if value in ("inf", "-inf", "nan") else value
    raise WireError("not a plain argument")


class Decoder:
    def __init__(self, blobs: list[bytes]):
        self.blobs = blobs
        self.models: list = []

    def array(self, index) -> np.ndarray:
        if not isinstance(index, int) or not 0 <= index < len(self.blobs):
            raise WireError("a reference to a missing array")
        arr = np.load(io.BytesIO(self.blobs[index]), allow_pickle=False)
        if arr.dtype.kind not in "biufc":
            raise WireError("not a numeric array")
        return arr

    def decode(self, tree, depth: int = 0):
        if depth > 60:
            raise WireError("nested too deep")
        if tree is None or isinstance(tree, (bool, int, float, str)):
            return tree
        if isinstance(tree, list):
            return [self.decode(v, depth + 1) for v in tree]
        if not isinstance(tree, dict) or len(tree) == 0:
            raise WireError("not a value")
        if "$tuple" in tree:
            return tuple(self.decode(v, depth + 1) for v in tree["$tuple"])
        if "$dict" in tree:
            return {_hashable(self.decode(k, depth + 1)): self.decode(v, depth + 1) for k, v in tree["$dict"]}
        if "$int" in tree:
            return int(tree["$int"])
        if "$float" in tree:
            return float(tree["$float"])
        if "$complex" in tree:
            return complex(float(tree["$complex"][0]), float(tree["$complex"][1]))
        if "$array" in tree:
            return self.array(tree["$array"])
        if "$scalar" in tree:
            return self.array(tree["$scalar"])[()]
        if "$tensor" in tree:
            import torch

            t = torch.from_numpy(self.array(tree["$tensor"]).copy())
            if tree.get("grad") is True and (t.is_floating_point() or t.is_complex()):
                t.requires_grad_(True)
            return t
        if "$model" in tree:
            net = build_with_state(tree["$model"], self.state(tree["state"]))
            self.models.append(net)
            return net
        if "$model_ref" in tree:
            return self.models[int(tree["$model_ref"])]
        if "$optimizer" in tree:
            return self.optimizer(tree, depth)
        raise WireError("not a value")

    def state(self, tree) -> dict:
        """A state_dict sent as {key: encoded tensor}."""
        if not isinstance(tree, dict) or not all(isinstance(k, str) for k in tree):
            raise WireError("not a state_dict")
        return {k: self.decode(v, 1) for k, v in tree.items()}

    def optimizer(self, tree, depth):
        import torch

        name = tree["$optimizer"]
        if name not in OPTIMIZERS or not isinstance(tree.get("hyper"), dict):
            raise WireError(f"not an allowed optimizer: {name!r}")
        hyper = {k: _unplain(v) for k, v in tree["hyper"].items() if k in OPTIMIZERS[name]}
        net = self.models[int(tree["model"])]
        opt = counting(getattr(torch.optim, name))(net.parameters(), **hyper)
        state = self.decode(tree["state"], depth + 1)
        opt.load_state_dict(state)
        for k, v in (tree.get("counts") or {}).items():
            if k in COUNTS and isinstance(v, int):
                setattr(opt, k, v)
        return opt


def _hashable(key):
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    if isinstance(key, (dict, set, np.ndarray)) or _is_tensor(key):
        raise WireError("an unhashable dictionary key")
    return key


def _is_tensor(value) -> bool:
    torch = _torch_if_loaded()
    return torch is not None and isinstance(value, torch.Tensor)


def build_with_state(spec, state: dict):
    """The network of `spec` holding `state`. Built first on torch's meta device (no memory), so a description
    that asks for a huge layer is refused unless the state it came with is that large (and the state is bounded
    by MAX_BLOBS)."""
    import torch

    with torch.device("meta"):
        net = _build(spec)
    wanted = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    got = {k: tuple(getattr(v, "shape", ())) for k, v in state.items()}
    if wanted != got:
        raise WireError("a network whose state_dict does not fit its layers")
    net = net.to_empty(device="cpu")
    load_state(net, state)
    return net


def load_state(net, state) -> None:
    """Load a decoded state_dict (tensors, numbers) into `net` in place; every key and shape must match."""
    import torch

    if not isinstance(state, dict):
        raise WireError("a state_dict must be a dictionary")
    state = {k: v if _is_tensor(v) else torch.as_tensor(v) for k, v in state.items()}
    net.load_state_dict(state, strict=True)


def counting(base):
    """`base` (an optimizer class) that counts its `step` and `zero_grad` calls in `steps` and `zero_grads`."""

    class Counting(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.steps = self.zero_grads = 0

        def step(self, closure=None):
            self.steps += 1
            return super().step(closure)

        def zero_grad(self, set_to_none: bool = True):
            self.zero_grads += 1
            return super().zero_grad(set_to_none=set_to_none)

    Counting.__name__ = Counting.__qualname__ = f"Counting{base.__name__}"
    return Counting


# --- framing: one message = a JSON header and its blobs ---------------------------------------------------------


def pack(header: dict, blobs: list[bytes] = ()) -> bytes:
    text = json.dumps(header, allow_nan=True).encode("utf-8")
    parts = [struct.pack(">QI", len(text), len(blobs)), text]
    for blob in blobs:
        parts += [struct.pack(">Q", len(blob)), blob]
    return b"".join(parts)


def _read_exactly(stream, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read(stream) -> tuple[dict, list[bytes]]:
    """One message from a binary stream: (header, blobs). EOFError when the stream ended."""
    size, count = struct.unpack(">QI", _read_exactly(stream, 12))
    if size > MAX_HEADER or count > 100_000:
        raise WireError("a message too large")
    header = json.loads(_read_exactly(stream, size).decode("utf-8"))
    if not isinstance(header, dict):
        raise WireError("a message that is not a JSON object")
    blobs, total = [], 0
    for _ in range(count):
        (n,) = struct.unpack(">Q", _read_exactly(stream, 8))
        total += n
        if total > MAX_BLOBS:
            raise WireError("arrays too large")
        blobs.append(_read_exactly(stream, n))
    return header, blobs
