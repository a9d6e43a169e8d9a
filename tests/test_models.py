"""helpers.models: shapes and parameter counts against torch and hand counts; receptive fields by hand."""

import numpy as np
import pytest
import torch
import torchvision

from helpers.models import (
    activations,
    alexnet_2012,
    count_parameters,
    format_table,
    layer_table,
    lecture_cnn,
    mlp,
)


def test_alexnet_parameters_and_shapes():
    alexnet = torchvision.models.alexnet(weights=None)  # nothing downloaded
    rows = layer_table(alexnet, (1, 3, 224, 224))
    assert sum(r.parameters for r in rows) == count_parameters(alexnet) == 61_100_840
    first = rows[0]
    assert first.output_shape == (1, 64, 55, 55) and first.parameters == 64 * (3 * 11 * 11) + 64
    assert first.receptive_field == 11
    assert rows[-1].output_shape == (1, 1000)


def test_lecture_cnn_shapes_parameters_and_receptive_fields():
    rows = layer_table(lecture_cnn((16, 32, 64)))
    convs = [r for r in rows if r.kind == "Conv2d"]
    assert [r.output_shape for r in convs] == [(1, 16, 28, 28), (1, 32, 14, 14), (1, 64, 7, 7)]
    assert [r.parameters for r in convs] == [16 * 9, 32 * 16 * 9, 64 * 32 * 9]  # no bias before batch norm
    # by hand: 3 -> pool 4 -> +2*2 = 8 -> pool 10 -> +2*4 = 18 -> pool 22
    assert [r.receptive_field for r in rows if r.kind in ("Conv2d", "MaxPool2d")] == [3, 4, 8, 10, 18, 22]
    assert rows[-1].output_shape == (1, 10) and rows[-1].receptive_field is None
    assert sum(r.parameters for r in rows) == count_parameters(lecture_cnn((16, 32, 64)))


@pytest.mark.parametrize("channels", [(4,), (8, 16), (8, 16, 32)])
def test_lecture_cnn_runs_for_any_depth(channels):
    assert lecture_cnn(channels)(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_mlp_parameter_count_by_hand():
    assert count_parameters(mlp(256)) == 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10


def test_alexnet_2012_as_the_paper_counts_it():
    """Krizhevsky et al. 2012, fig. 2: the layers on two GPUs (conv2, conv4, conv5) see half the channels."""
    net = alexnet_2012()
    by_hand = {
        "conv1": 96 * 3 * 11 * 11 + 96,
        "conv2": 256 * 48 * 5 * 5 + 256,
        "conv3": 384 * 256 * 3 * 3 + 384,
        "conv4": 384 * 192 * 3 * 3 + 384,
        "conv5": 256 * 192 * 3 * 3 + 256,
        "fc6": 4096 * 9216 + 4096,
        "fc7": 4096 * 4096 + 4096,
        "fc8": 1000 * 4096 + 1000,
    }
    rows = {r.name: r for r in layer_table(net, (1, 3, 227, 227))}
    assert {name: rows[name].parameters for name in by_hand} == by_hand
    assert count_parameters(net) == sum(by_hand.values()) == 60_965_224
    assert [rows[n].output_shape for n in ("conv1", "pool1", "conv2", "pool2", "conv5", "pool5")] == [
        (1, 96, 55, 55),
        (1, 96, 27, 27),
        (1, 256, 27, 27),
        (1, 256, 13, 13),
        (1, 256, 13, 13),
        (1, 256, 6, 6),
    ]
    assert rows["fc8"].output_shape == (1, 1000)
    # groups=2 is two convolutions side by side, each on its half of the channels
    conv = net.conv2
    x = torch.randn(1, 96, 27, 27)
    halves = [
        torch.nn.functional.conv2d(
            x[:, 48 * g : 48 * (g + 1)],
            conv.weight[128 * g : 128 * (g + 1)],
            conv.bias[128 * g : 128 * (g + 1)],
            padding=2,
        )
        for g in range(2)
    ]
    torch.testing.assert_close(conv(x), torch.cat(halves, 1))


def test_alexnet_2012_and_torchvision_share_the_fully_connected_layers():
    paper = {r.name: r.parameters for r in layer_table(alexnet_2012(), (1, 3, 227, 227))}
    tv = torchvision.models.alexnet(weights=None)
    assert [paper[n] for n in ("fc6", "fc7", "fc8")] == [
        m.weight.numel() + m.bias.numel() for m in tv.classifier if isinstance(m, torch.nn.Linear)
    ]


# --- Bad input: a ValueError that names the argument (issue 16) -----------------------------------------


@pytest.mark.parametrize("channels", [(), (8, 8, 8, 8, 8), (0,), (8, -1), (8.5,), ("16",), None, (True,)])
def test_lecture_cnn_names_bad_channels(channels):
    with pytest.raises(ValueError, match="channels"):
        lecture_cnn(channels)


def test_lecture_cnn_reads_numpy_and_one_int():
    assert str(lecture_cnn(np.array([8, 16]).tolist())) == str(lecture_cnn((8, 16)))
    assert str(lecture_cnn(np.int64(8))) == str(lecture_cnn((8,)))
    assert lecture_cnn((np.int64(4), 8, 8, 8))(torch.zeros(1, 1, 28, 28)).shape == (1, 10)  # 4 blocks: 1×1 maps


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: mlp(0), "hidden"),
        (lambda: mlp(2.5), "hidden"),
        (lambda: alexnet_2012(0), "num_classes"),
        (lambda: count_parameters("cnn"), "model must be a torch nn.Module"),
        (lambda: layer_table(lecture_cnn((4,)), (1, 28, 28)), "input_shape must be 4 whole numbers"),
        (lambda: layer_table(lecture_cnn((4,)), (1, 1, 28, 0)), "input_shape"),
        (lambda: layer_table(lecture_cnn((4,)), (1, 3, 28, 28)), r"input_shape \(1, 3, 28, 28\) does not fit"),
        (lambda: layer_table(lecture_cnn((4,)), (1, 1, 32, 32)), "does not fit"),
        (lambda: layer_table(None), "model"),
        (lambda: activations(lecture_cnn((4,)), np.zeros((1, 1, 28, 28), np.float32)), "x must be a non-empty float"),
        (lambda: activations(lecture_cnn((4,)), torch.zeros(1, 1, 28, 28, dtype=torch.uint8)), "float tensor"),
        (lambda: activations(lecture_cnn((4,)), torch.zeros(0, 1, 28, 28)), "non-empty"),
        (lambda: activations(lecture_cnn((4,)), torch.zeros(28, 28)), "2-D"),
    ],
)
def test_bad_input_names_the_argument(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_activations_of_a_non_contiguous_batch_equal_its_copy_and_torch():
    torch.manual_seed(0)
    model = lecture_cnn((4, 8))
    x = torch.randn(3, 1, 28, 28).transpose(2, 3)
    out = activations(model, x, kinds=(torch.nn.Conv2d,))
    same = activations(model, x.contiguous(), kinds=(torch.nn.Conv2d,))
    assert list(out) == ["0 Conv2d", "4 Conv2d"]
    torch.testing.assert_close(out["0 Conv2d"], same["0 Conv2d"])
    torch.testing.assert_close(out["0 Conv2d"], torch.nn.functional.conv2d(x, model[0].weight, padding=1))


def test_format_table_lists_every_layer_and_the_total():
    text = format_table(layer_table(lecture_cnn((8,))))
    assert (
        "Conv2d" in text
        and "whole image" in text
        and text.splitlines()[-1].split()[-1] == f"{count_parameters(lecture_cnn((8,))):,}"
    )


# --- receptive_field against torch's gradients: the input pixels one output unit actually depends on --------------

from hypothesis import assume, given, settings  # noqa: E402 - imported where the tests that use it begin
from hypothesis import strategies as st  # noqa: E402 - imported where the tests that use it begin

from helpers.models import Field, receptive_field, torch_threads  # noqa: E402 - imported where the tests that use it begin


@st.composite
def window_stack(draw):
    """1 to 4 convolutions or average poolings, each with its own kernel, stride, padding and dilation, on an input
    large enough for all of them, and one unit of the last map."""
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        k, s = (draw(st.integers(1, 4)), draw(st.integers(1, 4))), (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        if draw(st.booleans()):
            p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
            d = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
            layers.append(torch.nn.Conv2d(1, 1, k, s, p, d, bias=False))
        else:
            layers.append(torch.nn.AvgPool2d(k, s, (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))))
        if draw(st.booleans()):
            layers.append(torch.nn.ReLU())
    side = draw(st.integers(24, 48))
    x = torch.zeros(1, 1, side, side)
    for layer in layers:
        try:
            x = layer(x)
        except RuntimeError:  # the input got smaller than a kernel
            assume(False)
        assume(min(x.shape[-2:]) >= 1)
    row, col = draw(st.integers(0, x.shape[-2] - 1)), draw(st.integers(0, x.shape[-1] - 1))
    return layers, side, row, col


@settings(max_examples=60)
@given(window_stack())
def test_receptive_field_is_where_the_gradient_of_one_unit_reaches(case):
    layers, side, row, col = case
    model = torch.nn.Sequential(*layers).double()
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(1.0)  # positive weights: no tap cancels another
    x = torch.ones(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    model(x)[0, 0, row, col].backward()
    rows, cols = np.nonzero(x.grad[0, 0].numpy())
    field = receptive_field(model, row, col)
    # every pixel the unit depends on lies in the field; a field inside the image is exactly the pixels' extent
    # (part of a field that reaches into the padding sees no pixel of x there)
    assert all(field.top <= r <= field.bottom for r in rows) and all(field.left <= c <= field.right for c in cols)
    if field.top >= 0 and field.left >= 0 and field.bottom < side and field.right < side:
        assert (rows.min(), cols.min(), rows.max(), cols.max()) == field
    # the same layers as (kernel, stride, padding, dilation) tuples give the same field
    tuples = [
        (m.kernel_size, m.stride, m.padding, getattr(m, "dilation", 1))
        for m in layers
        if not isinstance(m, torch.nn.ReLU)
    ]
    assert receptive_field(tuples, row, col) == field


def test_receptive_field_by_the_lectures_recurrence():
    # conv 3, pool 2 (stride 2), conv 3, pool 2: 1 + 2 + 1·2 ... = 3, 4, 8, 10, as layer_table says
    assert receptive_field([(3, 1), (2, 2), (3, 1), (2, 2)]) == Field(0, 0, 9, 9)
    assert receptive_field([(3, 1), (2, 2), (3, 1), (2, 2)]).height == 10
    assert receptive_field([(3, 1, 1)], 0, 5) == Field(-1, 4, 1, 6)  # padding reaches outside the image
    with pytest.raises(ValueError, match=r"layers: layer 1 \(Linear\) mixes all positions"):
        receptive_field([torch.nn.Conv2d(1, 1, 3), torch.nn.Linear(3, 3)])


def test_torch_threads_sets_and_restores():
    before = torch.get_num_threads()
    with torch_threads(1) as n:
        assert n == 1 and torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError), torch_threads(1):
        raise RuntimeError("a failure inside")
    assert torch.get_num_threads() == before


def test_activations_and_evaluate_leave_the_model_in_its_mode():
    from helpers.train import evaluate

    model = lecture_cnn((4,))
    model[1].eval()  # a mixed state: batch norm frozen, the rest training
    x, y = torch.randn(3, 1, 28, 28), torch.zeros(3, dtype=torch.int64)
    before = [m.training for m in model.modules()]
    activations(model, x)
    evaluate(model, x, y)
    layer_table(model)
    assert [m.training for m in model.modules()] == before
    model.eval()
    activations(model, x)
    assert not any(m.training for m in model.modules())
