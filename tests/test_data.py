"""helpers.data against the canonical MNIST facts, with no network."""

import hashlib
import shutil
import socket

import numpy as np
import pytest

from helpers import data

# The canonical label counts of MNIST (LeCun et al.), digits 0..9.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the network was touched")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("split, n, counts", [("train", 60000, TRAIN_COUNTS), ("test", 10000, TEST_COUNTS)])
def test_load_mnist_shapes_and_label_counts(no_network, split, n, counts):
    images, labels = data.load_mnist(split)
    assert images.shape == (n, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (n,) and labels.dtype == np.int64
    assert np.bincount(labels, minlength=10).tolist() == counts
    assert images.min() == 0 and images.max() == 255


def test_bundled_files_match_published_sums():
    sums = {}
    for line in (data.DATA_DIR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        sums[name] = digest
    assert sums == data.SHA256
    for name, digest in sums.items():
        assert hashlib.sha256((data.DATA_DIR / name).read_bytes()).hexdigest() == digest


def test_mnist_dataset_is_torchvisions_and_agrees_with_numpy(no_network):
    from torchvision.datasets import MNIST

    images, labels = data.load_mnist("test")
    ds = data.mnist_dataset("test")
    assert isinstance(ds, MNIST) and len(ds) == 10000
    for i in (0, 1234, 9999):
        img, label = ds[i]
        assert label == labels[i]
        assert np.array_equal(np.asarray(img), images[i])


def test_mnist_dataset_applies_transform(no_network):
    from torchvision.transforms import ToTensor

    x, y = data.mnist_dataset("train", transform=ToTensor())[0]
    assert tuple(x.shape) == (1, 28, 28) and float(x.max()) <= 1.0


@pytest.fixture
def copy_of_data(tmp_path):
    for name in data.SHA256:
        shutil.copy(data.DATA_DIR / name, tmp_path / name)
    return tmp_path


def test_missing_file_names_it_and_says_how_to_restore(copy_of_data):
    (copy_of_data / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(data.DataFileError, match=r"t10k-labels-idx1-ubyte\.gz is missing.*git checkout"):
        data.load_mnist("test", data_dir=copy_of_data)


def test_corrupted_file_names_it_and_says_how_to_restore(copy_of_data):
    path = copy_of_data / "train-images-idx3-ubyte.gz"
    raw = bytearray(path.read_bytes())
    raw[1000] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(data.DataFileError, match=r"train-images-idx3-ubyte\.gz is corrupted.*git checkout"):
        data.load_mnist("train", data_dir=copy_of_data)
    with pytest.raises(data.DataFileError, match="corrupted"):
        data.mnist_dataset("train", data_dir=copy_of_data)


def test_bad_split_is_a_value_error():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.load_mnist("validation")
