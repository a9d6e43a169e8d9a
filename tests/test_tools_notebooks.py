"""tools.notebooks: a finished progress bar is stored as finished (issue: 05 showed "0 %" beside "trained in 22 s")."""

import nbformat

from tools.notebooks import finished_bars


def _bar_notebook(value, maximum):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("train(...)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2, "version_minor": 0},
                "text/plain": "epoch 1/1:   0%|          | 0/468 [00:00<?, ?it/s]",
            },
        )
    ]
    nb.cells = [cell]
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {
                "box": {
                    "model_name": "HBoxModel",
                    "state": {"children": ["IPY_MODEL_a", "IPY_MODEL_b", "IPY_MODEL_c"]},
                },
                "a": {"model_name": "HTMLModel", "state": {"value": "epoch 1/1: 100%"}},
                "b": {"model_name": "FloatProgressModel", "state": {"value": value, "max": maximum}},
                "c": {"model_name": "HTMLModel", "state": {"value": " 468/468 [00:24&lt;00:00, 19.1it/s]"}},
            }
        }
    }
    return nb


def test_a_finished_bar_is_stored_full():
    nb = _bar_notebook(468, 468)
    finished_bars(nb)
    assert nb.cells[0].outputs[0]["data"]["text/plain"] == "epoch 1/1: 100%|██████████| 468/468 [00:24<00:00, 19.1it/s]"


def test_a_bar_stopped_halfway_is_stored_half_full():
    nb = _bar_notebook(234, 468)
    finished_bars(nb)
    assert "|█████     |" in nb.cells[0].outputs[0]["data"]["text/plain"]
