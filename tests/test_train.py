"""helpers.train: the CNN's training loop, its cache, the shift augmentation; notebook 05's own model and
training loop (its `lesson-model` and `lesson-train` cells) against helpers.models and helpers.train."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from lesson_code import lesson_namespace

from helpers import train
from helpers.data import load_mnist
from helpers.models import lecture_cnn


@pytest.fixture(scope="module")
def digits():
    images, labels = load_mnist("train")
    return train.to_tensors(images[:640], labels[:640])


@pytest.fixture(scope="module")
def lesson():
    model = lesson_namespace("05_mnist_cnn", "lesson-model")
    loop = lesson_namespace("05_mnist_cnn", "lesson-train")
    loop["tqdm"] = lambda iterable, **kwargs: iterable  # no progress bar in the test log
    return model["make_cnn"], loop["train"]


def test_the_notebook_model_is_the_lecture_cnn(lesson):
    make_cnn, _ = lesson
    ours, helper = make_cnn(), lecture_cnn((16, 32, 64))
    assert str(ours) == str(helper)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {k: v.shape for k, v in helper.state_dict().items()}
    torch.manual_seed(3)
    a = make_cnn()
    torch.manual_seed(3)
    b = lecture_cnn((16, 32, 64))
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(p, q), name  # the same seed gives the same starting weights
    x = torch.randn(2, 1, 28, 28)
    assert torch.equal(a.eval()(x), b.eval()(x))


def test_the_notebook_loop_equals_fit_step_for_step(lesson, digits):
    """Same seed, two epochs of five batches: the same loss at every step, the same weights at the end."""
    make_cnn, notebook_train = lesson
    x, y = digits
    recipe = dict(epochs=2, batch_size=128, lr=1e-2, seed=4)
    torch.manual_seed(0)
    ours = make_cnn()
    losses = notebook_train(ours, x, y, **recipe)
    torch.manual_seed(0)
    helper = lecture_cnn((16, 32, 64))
    history = train.fit(helper, x, y, progress=False, **recipe)
    assert len(losses) == 10 and losses == history.losses
    for (name, p), q in zip(ours.state_dict().items(), helper.state_dict().values()):
        assert torch.equal(p, q), name
    assert losses[-1] < losses[0]  # and it learns


def test_the_notebook_loop_is_adam_with_one_cycle_by_hand(lesson, digits):
    """Against torch's autograd alone: the first step of the notebook's loop moves every weight as Adam's first
    step does, by lr_0 * g / (|g| + 1e-8), where lr_0 = peak lr / 25 is where the one-cycle schedule starts."""
    make_cnn, notebook_train = lesson
    x, y = digits  # 640 digits: five batches of 128
    torch.manual_seed(0)
    model = make_cnn()
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(5))[:128]  # the loop's first batch
    loss = torch.nn.functional.cross_entropy(model.train()(x[order]), y[order])
    grads = torch.autograd.grad(loss, list(model.parameters()))
    start = [p.detach().clone() for p in model.parameters()]
    seen = []  # the weights as the second batch's forward pass finds them: after exactly one step
    model.register_forward_pre_hook(lambda m, args: seen.append([p.detach().clone() for p in m.parameters()]))
    notebook_train(model, x, y, epochs=1, batch_size=128, lr=0.01, seed=5)
    for p1, p0, g in zip(seen[1], start, grads):
        torch.testing.assert_close(p1, p0 - 0.01 / 25 * g / (g.abs() + 1e-8), rtol=0, atol=1e-7)


def test_the_notebook_loop_fills_the_same_cache_as_fit(lesson, digits, tmp_path, monkeypatch):
    make_cnn, notebook_train = lesson
    x, y = digits
    monkeypatch.setattr(train, "CACHE_DIR", tmp_path)
    recipe = dict(epochs=1, batch_size=64, lr=1e-2)
    first, h1 = train.cached_fit("net", make_cnn, x, y, loop=notebook_train, **recipe)
    second, h2 = train.cached_fit("net", lambda: lecture_cnn((16, 32, 64)), x, y, progress=False, **recipe)
    assert not h1.from_cache and h2.from_cache and h2.losses == h1.losses and len(h1.losses) == 10
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)


def test_cached_fit_trains_once_then_loads_the_same_weights(tmp_path, monkeypatch, digits):
    monkeypatch.setattr(train, "CACHE_DIR", tmp_path)
    x, y = digits
    build = lambda: lecture_cnn((4,))
    first, h1 = train.cached_fit("tiny", build, x, y, progress=False, epochs=1, batch_size=64, lr=1e-2)
    second, h2 = train.cached_fit("tiny", build, x, y, progress=False, epochs=1, batch_size=64, lr=1e-2)
    assert not h1.from_cache and h2.from_cache and h2.losses == h1.losses
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
    assert len(list(tmp_path.glob("tiny-*.pt"))) == 1
    train.cached_fit("tiny", build, x, y, progress=False, epochs=1, batch_size=32, lr=1e-2)  # another recipe
    train.cached_fit("tiny", lambda: lecture_cnn((5,)), x, y, progress=False, epochs=1, batch_size=64, lr=1e-2)
    train.cached_fit("tiny", build, x.flip(-1), y, progress=False, epochs=1, batch_size=64, lr=1e-2)  # other data
    assert len(list(tmp_path.glob("tiny-*.pt"))) == 4


def test_random_shift_moves_each_image_by_at_most_the_limit():
    x = torch.full((50, 1, 8, 8), -1.0)
    x[:, 0, 4, 4] = 5.0  # one bright pixel per image
    out = train.random_shift(x, 2, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    rows, cols = torch.nonzero(out[:, 0] == 5.0, as_tuple=True)[1:]
    assert len(rows) == 50 and rows.sub(4).abs().max() <= 2 and cols.sub(4).abs().max() <= 2
    assert len({(int(r), int(c)) for r, c in zip(rows, cols)}) > 5  # the shifts differ between images


@given(
    n=st.integers(1, 5),
    side=st.integers(1, 9),
    dtype=st.sampled_from([np.uint8, np.int64, np.float32]),
    transpose=st.booleans(),
)
def test_to_tensors_normalises_any_batch_by_hand(n, side, dtype, transpose):
    images = np.random.default_rng(n * side).integers(0, 256, (n, side, side)).astype(dtype)
    if transpose:
        images = images.transpose(0, 2, 1)  # not contiguous: the same answer as its copy
    x, y = train.to_tensors(images, np.arange(n))
    expected = (np.ascontiguousarray(images, np.float64)[:, None] / 255 - 0.1307) / 0.3081
    assert x.shape == (n, 1, side, side) and x.dtype == torch.float32 and y.dtype == torch.int64
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-5, atol=1e-5)


# --- Bad input: a ValueError that names the argument (issue 16) -----------------------------------------


@pytest.mark.parametrize(
    "images, words",
    [
        (np.zeros((28, 28), np.uint8), "images must be a batch"),
        (np.zeros((2, 28, 28, 3), np.uint8), "colour"),
        (np.zeros((2, 1, 28, 28), np.uint8), "images must be a batch of grey images"),
        (np.zeros((2, 28, 28), bool), "images must hold numbers"),
        (np.full((2, 28, 28), np.nan), "NaN"),
        (np.full((2, 28, 28), np.inf), "NaN or inf"),
    ],
)
def test_to_tensors_rejects_what_is_not_a_batch_of_grey_digits(images, words):
    with pytest.raises(ValueError, match=words):
        train.to_tensors(images)


def test_to_tensors_checks_the_labels():
    with pytest.raises(ValueError, match="labels must be 2 whole numbers"):
        train.to_tensors(np.zeros((2, 28, 28), np.uint8), [1, 2, 3])
    with pytest.raises(ValueError, match="labels"):
        train.to_tensors(np.zeros((2, 28, 28), np.uint8), [0.5, 1.5])
    x, y = train.to_tensors(np.zeros((0, 28, 28), np.uint8), np.zeros(0, int))  # an empty batch stays empty
    assert x.shape == (0, 1, 28, 28) and y.shape == (0,)


@pytest.mark.parametrize(
    "change, words",
    [
        (dict(x=np.zeros((10, 1, 28, 28), np.float32)), "x must be a float tensor"),
        (dict(x=torch.zeros(10, 28, 28)), "x must be a float tensor"),
        (dict(x=torch.zeros(10, 1, 28, 28, dtype=torch.uint8)), "x must be a float tensor"),
        (dict(x=torch.zeros(0, 1, 28, 28), y=torch.zeros(0, dtype=torch.int64)), "x is empty"),
        (dict(y=torch.zeros(10)), "y must be an int64 tensor"),
        (dict(y=torch.zeros(9, dtype=torch.int64)), "x has 10 images but y has 9"),
        (dict(epochs=0), "epochs must be a whole number"),
        (dict(epochs=1.5), "epochs"),
        (dict(batch_size=11), "batch_size .11. is larger than the 10"),
        (dict(batch_size=True), "batch_size"),
        (dict(lr=float("nan")), "lr must be a finite number > 0"),
        (dict(lr=-1.0), "lr"),
        (dict(shift=-1), "shift must be a whole number"),
    ],
)
def test_fit_names_the_bad_argument(change, words):
    args = dict(
        x=torch.zeros(10, 1, 28, 28), y=torch.zeros(10, dtype=torch.int64), epochs=1, batch_size=5, lr=0.01, shift=0
    )
    args.update(change)
    with pytest.raises(ValueError, match=words):
        train.fit(lecture_cnn((4,)), progress=False, **args)


def test_evaluate_names_the_bad_argument_and_reads_a_non_contiguous_batch():
    model = lecture_cnn((4,)).eval()
    x = torch.randn(6, 1, 28, 28)
    y = torch.arange(6)
    with pytest.raises(ValueError, match="x is empty"):
        train.evaluate(model, x[:0], y[:0])
    with pytest.raises(ValueError, match="y must be an int64"):
        train.evaluate(model, x, y.float())
    with pytest.raises(ValueError, match="batch_size"):
        train.evaluate(model, x, y, batch_size=0)
    flipped = x.transpose(2, 3)
    assert (
        train.evaluate(model, flipped, y, batch_size=4)[1].tolist()
        == train.evaluate(model, flipped.contiguous(), y)[1].tolist()
    )


def test_random_shift_and_cached_fit_name_the_bad_argument(digits):
    with pytest.raises(ValueError, match="max_shift"):
        train.random_shift(torch.zeros(2, 1, 8, 8), 1.5, torch.Generator())
    with pytest.raises(ValueError, match="x must be a float tensor"):
        train.random_shift(torch.zeros(2, 8, 8), 1, torch.Generator())
    with pytest.raises(ValueError, match="build must be a function"):
        train.cached_fit("x", lecture_cnn((4,)), *digits)


def test_the_cache_lock_admits_one_holder_at_a_time(tmp_path):
    """Two file descriptors in one process, as two notebooks would hold them: while `cached_fit`'s lock is held, a
    second holder cannot take it; once released, it can. Deterministic: no processes, no sleeps."""
    fcntl = pytest.importorskip("fcntl")  # Windows has no fcntl, and no lock (one notebook at a time there)
    path = tmp_path / "net.pt"
    with (
        train._only_one_trainer(path),
        open(path.with_suffix(".lock"), "w") as second,
        pytest.raises(BlockingIOError),
    ):
        fcntl.flock(second, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(path.with_suffix(".lock"), "w") as second:
        fcntl.flock(second, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
        fcntl.flock(second, fcntl.LOCK_UN)


def test_a_network_asked_for_twice_is_trained_once(tmp_path, monkeypatch):
    monkeypatch.setattr(train, "CACHE_DIR", tmp_path)
    images, labels = load_mnist("train")
    x, y = train.to_tensors(images[:64], labels[:64])
    calls = []

    def counting_loop(model, x, y, seed=0, **recipe):
        calls.append(seed)
        return [0.0]

    for _ in range(2):
        _, history = train.cached_fit(
            "tiny", lambda: lecture_cnn((2,)), x, y, loop=counting_loop, epochs=1, batch_size=32, lr=1e-2
        )
    assert calls == [0] and history.from_cache
    assert len(list(tmp_path.glob("tiny-*.pt"))) == 1
