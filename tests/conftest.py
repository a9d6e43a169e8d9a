import os
import re
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

# The first torch call is slow; shapes, not time, are what the property tests are about.
settings.register_profile("course", deadline=None, print_blob=True)
settings.load_profile("course")


def _group(item) -> str:
    """Which tests run on one xdist worker, one after another (`--dist loadgroup`): a notebook and its Russian twin
    (and the tests parametrized by it), so the second loads the networks the first trained from cache/ instead of
    training them again at the same time; otherwise a test module, as `--dist loadscope` does (one JupyterLab
    server per browser test module)."""
    path = Path(str(item.fspath))
    if path.suffix == ".ipynb":
        return path.stem
    named = re.search(r"\[(?:ru/)?(\d\d_\w+)\.ipynb\]", item.nodeid)
    return named.group(1) if named else item.nodeid.split("::")[0]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_group(item)))


def pytest_configure(config):
    """With workers (make test), train the class CNN once before they start, if cache/ lacks it: notebooks 03, 05
    and 06 (both editions), the drawing tests and the exercise checks all load it, and would otherwise each train it
    at the same time on a fresh clone."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        from helpers.train import trained_lecture_cnn

        trained_lecture_cnn(progress=False)
