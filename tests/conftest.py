import os

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

# The first torch call is slow; shapes, not time, are what the property tests are about.
settings.register_profile("course", deadline=None, print_blob=True)
settings.load_profile("course")


def pytest_configure(config):
    """With workers (make test), train the class CNN once before they start, if cache/ lacks it: notebooks 03, 05
    and 06 (both editions), the drawing tests and the exercise checks all load it, and would otherwise each train it
    at the same time on a fresh clone."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        from helpers.train import trained_lecture_cnn

        trained_lecture_cnn(progress=False)
