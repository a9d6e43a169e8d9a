"""The class run, trained by the loop notebook 05 writes (its `lesson-model` and `lesson-train` cells, run
from the notebook file), and the homework run, against the pytorch/examples MNIST net trained in the same
run on the same CPU (nothing is loaded from cache/)."""

import importlib.util
import os
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from benchmarks import Row, fmt_time
from helpers.data import load_mnist
from helpers.models import count_parameters, lecture_cnn
from helpers.train import CLASS_RECIPE, FIT_DIGITS, HOMEWORK_CHANNELS, HOMEWORK_RECIPE, evaluate, fit, to_tensors

ROOT = Path(__file__).resolve().parent.parent


class ReferenceNet(nn.Module):
    """The pytorch/examples MNIST network (examples/mnist/main.py): conv32 → conv64 → max pool → dropout
    → fc128 → dropout → fc10, trained there with Adadelta (lr 1.0, decayed 0.7 per epoch) and batch 64."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        x = torch.max_pool2d(x, 2)
        x = torch.flatten(self.dropout1(x), 1)
        x = self.dropout2(torch.relu(self.fc1(x)))
        return self.fc2(x)  # logits; the example's log_softmax + nll_loss equals cross_entropy on these


def train_reference(model, x, y, batch_size=64, lr=1.0, seed=0):
    """One epoch of the pytorch/examples recipe: Adadelta, shuffled mini-batches."""
    optimizer = torch.optim.Adadelta(model.parameters(), lr=lr)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    model.train()
    for i in range(len(x) // batch_size):
        batch = order[i * batch_size : (i + 1) * batch_size]
        loss = F.cross_entropy(model(x[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def notebook_lesson():
    """make_cnn and train as notebook 05 defines them (its tagged cells), with the progress bar off."""
    spec = importlib.util.spec_from_file_location("lesson_code", ROOT / "tests" / "lesson_code.py")
    lesson_code = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lesson_code)
    model = lesson_code.lesson_namespace("05_mnist_cnn", "lesson-model")
    loop = lesson_code.lesson_namespace("05_mnist_cnn", "lesson-train")
    loop["tqdm"] = lambda iterable, **kwargs: iterable
    return model["make_cnn"], loop["train"]


def _timed(train, model, x, y, **recipe):
    t0 = time.perf_counter()
    train(model, x, y, **recipe)
    return time.perf_counter() - t0


def run():
    x_all, y_all = to_tensors(*load_mnist("train"))
    x, y = x_all[:FIT_DIGITS], y_all[:FIT_DIGITS]  # the class run: 55,000 digits, as notebook 05
    xt, yt = to_tensors(*load_mnist("test"))
    threads = torch.get_num_threads()
    make_cnn, train = notebook_lesson()
    rows = []
    torch.manual_seed(0)
    model = make_cnn()
    seconds = _timed(train, model, x, y, seed=0, **CLASS_RECIPE)
    accuracy = evaluate(model, xt, yt)[0]
    torch.manual_seed(0)
    ref = ReferenceNet()
    ref_seconds = _timed(train_reference, ref, x, y)
    ref_accuracy = evaluate(ref, xt, yt)[0]
    rows.append(
        Row(
            f"class run, notebook 05's loop: test accuracy ({count_parameters(model):,} parameters)",
            f"{accuracy:.2%}",
            f"{ref_accuracy:.2%} (pytorch/examples net, 1 epoch)",
            accuracy * 100,
            ">= 99.0 %",
            accuracy >= 0.99,
        )
    )
    rows.append(
        Row(
            f"class run, notebook 05's loop: training wall time, {threads} CPU threads",
            fmt_time(seconds),
            fmt_time(ref_seconds),
            seconds / ref_seconds,
            "<= 30 s",
            seconds <= 30,
        )
    )
    if os.environ.get("BENCH_QUICK") != "1":
        torch.manual_seed(0)
        model = lecture_cnn(HOMEWORK_CHANNELS)
        seconds = fit(model, x_all, y_all, seed=0, progress=False, **HOMEWORK_RECIPE).seconds
        accuracy = evaluate(model, xt, yt)[0]
        rows.append(
            Row(
                f"homework run: test accuracy ({count_parameters(model):,} parameters)",
                f"{accuracy:.2%}",
                "",
                accuracy * 100,
                ">= 99.5 %",
                accuracy >= 0.995,
            )
        )
        rows.append(Row("homework run: training wall time", fmt_time(seconds), "", seconds, "<= 300 s", seconds <= 300))
    return rows
