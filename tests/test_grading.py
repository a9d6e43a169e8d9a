"""The grader's parts on their own: what crosses from a sandbox (data, never a pickle), which names of a grade cell
are the student's, and what a sandbox can see. The whole grading of fixture submissions is tests/test_homework.py."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from tools.grading import notebooks, wire
from tools.grading.sandbox import Sandbox, isolation


def _round_trip(value):
    enc = wire.Encoder()
    tree = enc.encode(value)
    blob = wire.pack({"v": tree}, enc.blobs)
    header, blobs = wire.read(io.BytesIO(blob))
    return wire.Decoder(blobs).decode(header["v"])


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        -(2**70),
        2.5,
        float("inf"),
        1 + 2j,
        "text",
        [1, [2, "x"]],
        (1, (2.0, None)),
        {"a": 1, 2: [3], (1, 2): "t"},
        np.float64(2.5),
        np.int64(7),
        np.arange(6.0).reshape(2, 3).T,
        np.array(True),
        np.zeros((0, 3)),
    ],
)
def test_plain_data_crosses_unchanged(value):
    got = _round_trip(value)
    if isinstance(value, np.ndarray):
        assert got.dtype == value.dtype and got.shape == value.shape and np.array_equal(got, value)
    elif isinstance(value, np.generic):
        assert type(got) is type(value) and got == value
    else:
        assert got == value and type(got) is type(value)


def test_a_tensor_keeps_its_dtype_shape_and_requires_grad():
    t = torch.arange(6, dtype=torch.float64).reshape(2, 3).requires_grad_(True)
    got = _round_trip(t)
    assert got.dtype == torch.float64 and got.shape == (2, 3) and got.requires_grad and torch.equal(got, t.detach())
    assert _round_trip(torch.tensor(3)).shape == ()


def test_a_network_of_standard_layers_is_rebuilt_with_its_weights():
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1),
        torch.nn.BatchNorm2d(4),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(4 * 4 * 4, 3),
    ).eval()
    got = _round_trip(net)
    x = torch.randn(2, 1, 8, 8)
    assert not got.training and torch.equal(got(x), net(x))


class _Custom(torch.nn.Module):
    def forward(self, x):
        return x


@pytest.mark.parametrize(
    "value", [object(), lambda x: x, _Custom(), torch.nn.Sequential(_Custom()), np.array([object()]), {1, 2}]
)
def test_anything_else_cannot_be_sent(value):
    with pytest.raises(wire.Unsendable):
        wire.Encoder().encode(value)


def test_a_pickle_in_a_blob_is_refused():
    """np.load(allow_pickle=False): an object array (a pickle inside) is an error, never unpickled."""
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        wire.Decoder([buf.getvalue()]).decode({"$array": 0})
    with pytest.raises(ValueError, match="allow_pickle"):
        wire.Decoder([pickle.dumps(1)]).decode({"$array": 0})
    with pytest.raises(wire.WireError):
        wire.Decoder([]).decode({"$array": 0})


def test_a_network_description_is_checked_against_its_weights_before_anything_is_allocated():
    enc = wire.Encoder()
    tree = enc.encode(torch.nn.Sequential(torch.nn.Linear(3, 2)))
    tree["$model"][3][0][1].update(in_features=10**6, out_features=10**6)  # 4 TB if it were built
    with pytest.raises(wire.WireError, match="does not fit"):
        wire.Decoder(enc.blobs).decode(tree)
    tree["$model"][3][0][0] = "Bilinear"  # not an allowed layer
    with pytest.raises(wire.WireError, match="not an allowed layer"):
        wire.Decoder(enc.blobs).decode(tree)


def test_the_students_names_are_what_the_solution_binds_or_trains():
    source = """from helpers import checks
import torch

feature_map = [[1, 2], [3, 4]]
model = small_cnn()
def train(x):
    y = x
    ### BEGIN SOLUTION
    y = y + 1
    ### END SOLUTION
    return y
### BEGIN SOLUTION
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
answer = 3
### END SOLUTION
accuracy = evaluate(model)
"""
    assert notebooks.student_names(source) == {"train", "optimizer", "answer", "accuracy", "model"}


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox()
    box.start()
    box.fork()
    yield box
    box.close()


def _run(box, code):
    reply, _ = box.request({"op": "exec", "source": code}, timeout=60)
    return reply


@pytest.mark.skipif(isolation() == "none", reason="no Linux namespaces here: the sandbox is a plain process")
def test_the_sandbox_sees_no_repository_no_network_and_writes_nowhere_but_its_own_tmpfs(sandbox):
    from tools.homework import ROOT, SOURCE

    assert "FileNotFoundError" in _run(sandbox, f"open({str(SOURCE / 'hw01_hog.ipynb')!r})")["error"]
    assert "FileNotFoundError" in _run(sandbox, f"open({str(ROOT / 'Makefile')!r})")["error"]
    assert _run(sandbox, "import os\nassert os.getuid() != 0 or os.path.exists('/proc/1/cmdline')")["ok"]
    error = _run(sandbox, f"open({str(ROOT / 'helpers' / 'x.py')!r}, 'w')")["error"]
    assert "Read-only file system" in error or "Permission denied" in error
    assert _run(sandbox, "open('here.txt', 'w').write('mine')")["ok"]
    assert "OSError" in _run(sandbox, "import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2)")["error"]
    assert _run(sandbox, "from helpers.data import load_mnist\nimages, _ = load_mnist('test')")["ok"]


def test_the_sandbox_has_a_memory_limit(sandbox):
    assert "MemoryError" in _run(sandbox, "hoard = bytearray(64 << 30)")["error"]


def test_a_fork_bomb_meets_the_process_limit(sandbox):
    if isolation() != "namespace":
        pytest.skip("the process limit needs the sandbox's own uid")
    code = (
        "import os\nchildren = []\nfor _ in range(400):\n    pid = os.fork()\n    if pid == 0:\n"
        "        import time\n        time.sleep(30)\n        os._exit(0)\n    children.append(pid)"
    )
    assert "BlockingIOError" in _run(sandbox, code)["error"]


def test_a_call_that_runs_past_its_limit_leaves_no_process_behind_even_without_namespaces(monkeypatch):
    """Without namespaces (macOS, or a machine that refuses them) the notebook's child is a plain process: the
    grader's kill must end it with the zygote, or an endless loop spins on after grading (seen: 12 CPU minutes)."""
    import time

    import psutil

    from tools.grading import sandbox as sandbox_module

    monkeypatch.setattr(sandbox_module, "isolation", lambda: "none")
    box = Sandbox()
    box.start()
    box.fork()
    try:
        assert _run(box, "import os\nchild = os.getpid()")["ok"]
        pid_file = Path(box.workdir) / "nb1" / "pid"
        assert _run(box, f"open({str(pid_file)!r}, 'w').write(str(child))")["ok"]
        child = int(pid_file.read_text())
        with pytest.raises(sandbox_module.Timeout):
            box.request({"op": "exec", "source": "while True:\n    pass"}, timeout=2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if psutil.Process(child).status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.NoSuchProcess:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"the child {child} still runs after its call was stopped")
    finally:
        box.close()
