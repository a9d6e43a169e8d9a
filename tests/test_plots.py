"""helpers.plots: the figures notebooks draw with one call. Checked against hand-computed geometry, not pictures."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.image import AxesImage
from matplotlib.quiver import Quiver

from helpers import plots


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_gradient_arrows_are_gx_then_gy_then_the_gradient_one_cell_long():
    fig, ax = plt.subplots()
    plots.show_matrix(np.zeros((5, 5)), ax=ax)
    plots.gradient_arrows(ax, 2, 3, 3.0, -4.0)  # |g| = 5: one cell is 5 units
    arrows = [c for c in ax.collections if isinstance(c, Quiver)]
    assert [(float(q.U[0]), float(q.V[0])) for q in arrows] == [(3.0, 0.0), (0.0, -4.0), (3.0, -4.0)]
    starts = [tuple(np.round(q.get_offsets()[0], 9)) for q in arrows]
    assert starts == [(3.0, 2.0), (3.6, 2.0), (3.0, 2.0)]  # gy starts at gx's tip: 3 + 3/5
    assert all(q.scale == 5.0 and q.scale_units == "xy" and q.angles == "xy" for q in arrows)
    assert sorted(t.get_text() for t in ax.texts if t.get_text() in ("gx", "gy")) == ["gx", "gy"]


def test_map_stacks_draws_every_map_as_a_card_with_its_labels():
    rng = np.random.default_rng(0)
    stacks = [rng.random((3, 8, 8)), rng.random((4, 8, 8)), rng.random((2, 8, 8))]
    fig = plots.map_stacks(
        stacks, ["in", "mid", "out"], ["a", "b"], [["Reds_r", "Greens_r", "Blues_r"], "gray", "gray"]
    )
    ax = fig.axes[0]
    images = [i for i in ax.get_children() if isinstance(i, AxesImage)]
    assert len(images) == 9
    assert {t.get_text() for t in ax.texts if t.get_text()} == {"in", "mid", "out", "a", "b"}
    # stack 2 starts after stack 1 (3 cards: width 1 + 2·0.16) and the 1.5 gap
    fronts = sorted(round(i.get_extent()[0], 9) for i in images if i.get_extent()[2] == 0)
    assert fronts == [0.0, 2.82, 5.8]  # 0, 1.32 + 1.5, 2.82 + 1.48 + 1.5
    assert [i.get_cmap().name for i in images[:3]] == ["Blues_r", "Greens_r", "Reds_r"]  # back cards first


def test_activation_rows_one_scale_per_row_and_labels_filled():
    rng = np.random.default_rng(1)
    maps = [rng.random((16, 28, 28)), 3 * rng.random((32, 14, 14))]
    fig = plots.activation_rows(np.zeros((28, 28)), maps, n=4, row_label="block {i}\n{h}×{w}", title="t")
    images = [a.images[0] for a in fig.axes if a.images]
    assert len(images) == 1 + 2 * 4
    assert [im.get_clim()[1] for im in images[1:5]] == [maps[0][:4].max()] * 4
    assert [im.get_clim()[1] for im in images[5:]] == [maps[1][:4].max()] * 4
    labels = [a.get_ylabel() for a in fig.axes if a.get_ylabel()]
    assert labels[:2] == ["block 1\n28×28", "block 2\n14×14"]
    assert fig._suptitle.get_text() == "t"


def test_image_rows_one_scale_for_every_map_inputs_as_they_are():
    rng = np.random.default_rng(2)
    rgb, maps = rng.random((6, 6, 3)), [rng.normal(size=(6, 6)) * s for s in (1, 3, 2)]
    fig, axes = plots.image_rows([rgb, *maps], ["in", "a", "b", "c"], inputs=1, label="activation")
    assert axes.shape == (1, 4)
    largest = max(np.abs(m).max() for m in maps)
    assert [ax.images[0].get_clim() for ax in axes[0, 1:]] == [(-largest, largest)] * 3
    assert axes[0, 0].images[0].get_array().shape == (6, 6, 3)  # the input drawn in colour, on its own scale
    assert [ax.get_title() for ax in axes[0]] == ["in", "a", "b", "c"]
    bar = fig.axes[-1]
    assert bar.get_ylabel() == "activation" and bar.get_ylim() == (-largest, largest)


def test_image_rows_in_rows_from_zero_with_a_given_limit():
    digit, m = np.zeros((8, 8)), np.arange(64.0).reshape(8, 8)
    fig, axes = plots.image_rows(
        [[digit, m, m[::2, ::2]], [digit, m + 1, m[::2, ::2]]],
        [["d", "m", "p"], ["d2", "m2", "p2"]],
        inputs=1,
        cmap="magma",
        centred=False,
        limit=10,
    )
    assert axes.shape == (2, 3)
    assert {ax.images[0].get_clim() for ax in axes[:, 1:].flat} == {(0, 10)}
    assert {ax.images[0].get_cmap().name for ax in axes[:, 1:].flat} == {"magma"}
    assert axes[1, 0].images[0].get_cmap().name == "gray"
    with pytest.raises(ValueError, match="titles"):
        plots.image_rows([m, m], ["only one"])


def test_kernel_snapshots_writes_each_kernel_rounded_with_its_step():
    kernel = np.array([[0.04, -0.26, 1.0], [0, 0, 0], [-1.96, 0, 0.25]])
    fig = plots.kernel_snapshots([3.0, 1.0, 0.5], [(0, np.zeros((3, 3))), (20, kernel)])
    loss, first, second = fig.axes
    assert loss.get_yscale() == "log" and list(loss.lines[0].get_ydata()) == [3.0, 1.0, 0.5]
    assert [first.get_title(), second.get_title()] == ["w at step 0", "w at step 20"]
    numbers = [t.get_text() for t in second.texts]
    assert numbers[:3] == ["0.0", "-0.3", "1.0"] and numbers[6] == "-2.0"  # rounded to 0.1, no "-0.0"
    assert "-0.0" not in [t.get_text() for t in first.texts]


def test_loss_and_schedule_averages_over_the_window_and_checks_lengths():
    losses = np.linspace(2.3, 0.1, 100)
    rates = list(np.linspace(0, 0.01, 100))
    fig = plots.loss_and_schedule(losses, rates, batch=64, window=10)
    ax, ax_lr = fig.axes
    each, average, guess = ax.lines
    assert len(average.get_xdata()) == 91 and average.get_xdata()[0] == 9
    assert np.isclose(average.get_ydata()[0], losses[:10].mean())
    assert np.isclose(guess.get_ydata()[0], np.log(10))
    assert ax_lr.get_xlabel() == "training step (a batch of 64 digits)"
    with pytest.raises(ValueError, match="learning_rates"):
        plots.loss_and_schedule(losses, rates[:-1], batch=64)
