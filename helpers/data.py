"""MNIST from the files bundled in data/mnist/, with no network.

`load_mnist(split)` gives plain numpy arrays; `mnist_dataset(split)` gives the standard
`torchvision.datasets.MNIST`, prepared from the same files. Every file is checked against its
sha256 before it is used, and a missing or damaged file gives an error that names it and says
how to get it back.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import sys
from functools import cache
from pathlib import Path

import numpy as np


def _data_dir() -> Path:
    """Where the bundled MNIST files are: $CNN_DATA_DIR when set; else the checkout's data/mnist (an editable
    install, or helpers/ imported from the repository); else the copy that a regular `pip install .` puts under
    <prefix>/share/cnn-lecture/mnist (pyproject.toml's data-files), as in a JupyterHub image."""
    if os.environ.get("CNN_DATA_DIR"):
        return Path(os.environ["CNN_DATA_DIR"]).expanduser()
    checkout = Path(__file__).resolve().parent.parent / "data" / "mnist"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "cnn-lecture" / "mnist"


#: The folder with the four MNIST files (see `_data_dir`).
DATA_DIR = _data_dir()

#: sha256 of each bundled file, as published with the course (data/mnist/README.md lists them too).
SHA256 = {
    "train-images-idx3-ubyte.gz": "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
    "train-labels-idx1-ubyte.gz": "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203",
    "t10k-images-idx3-ubyte.gz": "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be",
    "t10k-labels-idx1-ubyte.gz": "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b",
}

_PREFIX = {"train": "train", "test": "t10k"}


class DataFileError(OSError):
    """A bundled data file is missing or damaged; the message says which and how to restore it."""


def _restore_hint(name: str) -> str:
    return (
        f"Restore it with `git checkout -- data/mnist/{name}` from the course repository "
        f"(or copy the original {name}, sha256 {SHA256[name][:12]}..., into data/mnist/)."
    )


def _check_split(split: str) -> str:
    if split not in _PREFIX:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    return _PREFIX[split]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verified_path(name: str, data_dir: Path | str | None = None) -> Path:
    """The path of a bundled .gz file after checking that it exists and its sha256 matches."""
    if name not in SHA256:
        raise ValueError(f"name must be one of {sorted(SHA256)}, got {name!r}")
    path = Path(data_dir or DATA_DIR) / name
    return _verified(path, os.path.getmtime(path) if path.exists() else None)


@cache
def _verified(path: Path, mtime: float | None) -> Path:
    # mtime is part of the cache key, so a file replaced on disk is checked again.
    name = path.name
    if mtime is None:
        raise DataFileError(f"MNIST file {path} is missing. {_restore_hint(name)}")
    digest = _sha256(path)
    if digest != SHA256[name]:
        raise DataFileError(
            f"MNIST file {path} is corrupted: sha256 {digest[:12]}... but expected "
            f"{SHA256[name][:12]}.... {_restore_hint(name)}"
        )
    return path


def _cache_root(data_dir: Path) -> Path:
    """The folder for the decompressed files: data_dir/.cache (git-ignored), or the course's cache folder when
    data_dir cannot be written (an installed, read-only copy)."""
    if os.access(data_dir, os.W_OK):
        return data_dir / ".cache"
    from helpers.train import CACHE_DIR

    return CACHE_DIR / "mnist"


def _raw_dir(data_dir: Path) -> Path:
    """The decompressed files, laid out as torchvision.datasets.MNIST reads them."""
    return _cache_root(data_dir) / "MNIST" / "raw"


def _decompressed(name: str, data_dir: Path) -> Path:
    """The decompressed IDX file for a verified .gz, made once (atomically) and reused."""
    src = verified_path(name, data_dir)
    dst = _raw_dir(data_dir) / name[: -len(".gz")]
    if not dst.exists() or dst.stat().st_mtime < src.stat().st_mtime:
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f"{dst.name}.{os.getpid()}.tmp")
        with gzip.open(src, "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout)
        os.replace(tmp, dst)
    return dst


def _read_idx(path: Path, expected_ndim: int) -> np.ndarray:
    """Read a raw IDX file: magic (0, 0, dtype 0x08 = uint8, ndim), then ndim big-endian sizes."""
    with open(path, "rb") as f:
        header = f.read(4)
        if len(header) != 4 or header[:3] != b"\x00\x00\x08" or header[3] != expected_ndim:
            raise DataFileError(f"{path} is not a uint8 IDX file with {expected_ndim} dimensions")
        shape = tuple(int(x) for x in np.frombuffer(f.read(4 * expected_ndim), dtype=">u4"))
        data = np.fromfile(f, dtype=np.uint8)
    if data.size != int(np.prod(shape)):
        raise DataFileError(f"{path} holds {data.size} values, its header promises {shape}")
    return data.reshape(shape)


def load_mnist(split: str = "train", data_dir: Path | str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST as numpy: images uint8 (N, 28, 28) in 0..255 and labels int64 (N,).

    split is "train" (60,000 digits) or "test" (10,000). Reads only the bundled files.
    """
    prefix = _check_split(split)
    data_dir = Path(data_dir or DATA_DIR)
    images = _read_idx(_decompressed(f"{prefix}-images-idx3-ubyte.gz", data_dir), 3)
    labels = _read_idx(_decompressed(f"{prefix}-labels-idx1-ubyte.gz", data_dir), 1).astype(np.int64)
    if len(images) != len(labels):
        raise DataFileError(f"{split}: {len(images)} images but {len(labels)} labels")
    return images, labels


def mnist_dataset(split: str = "train", transform=None, data_dir: Path | str | None = None):
    """The standard torchvision.datasets.MNIST for split "train" or "test", built from the bundled files.

    The files are decompressed into data/mnist/.cache/MNIST/raw (git-ignored), where torchvision
    finds them, so it never tries to download.
    """
    from torchvision.datasets import MNIST

    _check_split(split)
    data_dir = Path(data_dir or DATA_DIR)
    for name in SHA256:  # torchvision checks that all four files exist
        _decompressed(name, data_dir)
    return MNIST(root=str(_cache_root(data_dir)), train=(split == "train"), transform=transform, download=False)
