"""A regular install (`pip install .`, as a JupyterHub image makes it) finds the bundled MNIST, and CNN_DATA_DIR /
CNN_CACHE_DIR move the data and the cache. A throw-away venv from uv's cache; only helpers and numpy are installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.data import load_mnist

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "from helpers import data, train; x, y = data.load_mnist('test'); "
    "print(data.DATA_DIR); print(train.CACHE_DIR); print(len(y), int(y[:100].sum()))"
)


def _uv() -> str:
    found = sorted(ROOT.glob(".tools/uv-*/bin/uv"))
    if not found:
        pytest.skip("uv is bootstrapped by make (.tools/); run through `make test`")
    return str(found[-1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    venv = tmp_path_factory.mktemp("venv") / "v"
    uv, env = _uv(), {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, env=env)
    numpy = next(
        line.split("==")[1] for line in (ROOT / "pyproject.toml").read_text().splitlines() if '"numpy==' in line
    ).strip('",')
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(venv / "bin" / "python"),
            "--no-deps",
            "--reinstall",
            str(ROOT),
            f"numpy=={numpy}",
        ],
        check=True,
        env=env,
    )
    return venv


def _probe(venv: Path, cwd: Path, **extra) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CNN_DATA_DIR", "CNN_CACHE_DIR")}
    env.update(HOME=str(cwd), **extra)
    out = subprocess.run([str(venv / "bin" / "python"), "-c", PROBE], cwd=cwd, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_a_regular_install_finds_the_bundled_mnist(installed, tmp_path):
    data_dir, cache_dir, counts = _probe(installed, tmp_path)
    assert Path(data_dir) == installed / "share" / "cnn-lecture" / "mnist"
    assert Path(cache_dir) == tmp_path / ".cache" / "cnn-lecture"  # not inside site-packages
    assert counts == f"10000 {int(load_mnist('test')[1][:100].sum())}"  # the same labels as the checkout's copy


def test_data_and_cache_folders_follow_the_environment(installed, tmp_path):
    data_dir, cache_dir, counts = _probe(
        installed, tmp_path, CNN_DATA_DIR=str(ROOT / "data" / "mnist"), CNN_CACHE_DIR=str(tmp_path / "weights")
    )
    assert (Path(data_dir), Path(cache_dir)) == (ROOT / "data" / "mnist", tmp_path / "weights")
    assert counts.startswith("10000 ")


def test_a_regular_install_carries_every_module_of_helpers(installed):
    """Every helpers module of the checkout is in the install (a subpackage missing from pyproject's package list
    would be left out, and its notebooks would fail with ModuleNotFoundError on a JupyterHub image)."""
    site = next(installed.glob("lib/python*/site-packages"))
    ours = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "helpers").rglob("*.py"))
    theirs = sorted(str(p.relative_to(site)) for p in (site / "helpers").rglob("*.py"))
    assert theirs == ours
