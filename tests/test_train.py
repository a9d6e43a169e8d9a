"""helpers.train: the CNN's training loop, its cache, the shift augmentation."""

from helpers.data import load_mnist


def test_cached_fit_trains_once_then_loads_the_same_weights(tmp_path, monkeypatch):
    import torch

    from helpers import train
    from helpers.models import lecture_cnn

    monkeypatch.setattr(train, "CACHE_DIR", tmp_path)
    images, labels = load_mnist("train")
    x, y = train.to_tensors(images[:512], labels[:512])
    build = lambda: lecture_cnn((4,))  # noqa: E731
    first, h1 = train.cached_fit("tiny", build, x, y, progress=False, epochs=1, batch_size=64, lr=1e-2)
    second, h2 = train.cached_fit("tiny", build, x, y, progress=False, epochs=1, batch_size=64, lr=1e-2)
    assert not h1.from_cache and h2.from_cache and h2.losses == h1.losses
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
    assert len(list(tmp_path.glob("tiny-*.pt"))) == 1
    train.cached_fit("tiny", build, x, y, progress=False, epochs=1, batch_size=32, lr=1e-2)  # another recipe
    assert len(list(tmp_path.glob("tiny-*.pt"))) == 2


def test_random_shift_moves_each_image_by_at_most_the_limit():
    import torch

    from helpers.train import random_shift

    x = torch.full((50, 1, 8, 8), -1.0)
    x[:, 0, 4, 4] = 5.0  # one bright pixel per image
    out = random_shift(x, 2, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    rows, cols = torch.nonzero(out[:, 0] == 5.0, as_tuple=True)[1:]
    assert len(rows) == 50 and rows.sub(4).abs().max() <= 2 and cols.sub(4).abs().max() <= 2
    assert len({(int(r), int(c)) for r, c in zip(rows, cols)}) > 5  # the shifts differ between images
