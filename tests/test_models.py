"""helpers.models: shapes and parameter counts against torch and hand counts; receptive fields by hand."""

import pytest
import torch
import torchvision

from helpers.models import ReferenceNet, count_parameters, format_table, layer_table, lecture_cnn, mlp


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


def test_mlp_and_reference_parameter_counts_by_hand():
    assert count_parameters(mlp(256)) == 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10
    # pytorch/examples MNIST net: conv 1->32 3x3, conv 32->64 3x3, fc 9216->128, fc 128->10
    assert count_parameters(ReferenceNet()) == (32 * 9 + 32) + (64 * 32 * 9 + 64) + (9216 * 128 + 128) + (128 * 10 + 10)


def test_format_table_lists_every_layer_and_the_total():
    text = format_table(layer_table(lecture_cnn((8,))))
    assert "Conv2d" in text and "whole image" in text and text.splitlines()[-1].split()[-1] == f"{count_parameters(lecture_cnn((8,))):,}"
