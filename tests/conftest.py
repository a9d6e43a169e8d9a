import os

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

# The first torch call is slow; shapes, not time, are what the property tests are about.
settings.register_profile("course", deadline=None, print_blob=True)
# Under CI the examples are the same on every run (derandomized), so a submission cannot fail by chance; a local run
# keeps exploring, and what it finds becomes an @example in the test. HYPOTHESIS_PROFILE=ci runs CI's choice here.
settings.register_profile("ci", parent=settings.get_profile("course"), derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "course"))

# Test modules that start kernels, browsers, nbgrader or pip, or load the trained class network: `make check` leaves
# them out (-m "not slow"); `make test` runs everything.
SLOW_MODULES = {
    "test_browser",
    "test_browser_drawing",
    "test_browser_geometry",
    "test_homework",
    "test_exercises_alone",
    "test_slides",
    "test_tools_notebooks",
    "test_install",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = getattr(item, "module", None)
        if (
            module is None  # a notebook cell under nbval
            or module.__name__.rpartition(".")[2] in SLOW_MODULES
            or "trained" in getattr(item, "fixturenames", ())
        ):  # the class CNN (tests/test_drawing.py)
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    """A test worker beside others gives every kernel it starts (nbval, the browser's JupyterLab, nbgrader) one
    thread: two workers' kernels with two threads each on two cores wait for each other's threads, and a training
    cell took four times as long. The outputs are the same with one thread (the notebooks are checked that way).

    With workers (make test), train the class CNN once before they start, if cache/ lacks it: notebooks 03, 05
    and 06 (both editions), the drawing tests and the exercise checks all load it, and would otherwise each train it
    at the same time on a fresh clone. The quick tier (-m "not slow") never needs it."""
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    if workers > 1:
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ[name] = "1"
    if "not slow" in (config.option.markexpr or ""):
        return
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        from helpers.train import trained_lecture_cnn

        trained_lecture_cnn(progress=False)


@pytest.fixture
def still_fits_a_slide():
    """A check for an explorer's still (helpers.explorer.with_still), for the explorers of every test module: at
    most a slide wide (never stretched), all its text 20 px or more there, made by a twin whose widgets are closed,
    the live scale untouched; and the live picture's text smaller on that slide (the reason for the still)."""

    def check(ui):
        import io

        from PIL import Image

        import helpers.explorer as hx
        from helpers.explorer_figures import drawn_text_px

        live = hx.scale()
        assert ui._still is None  # made when first asked for
        twin = ui.make_still()
        assert twin.scale is hx.STILL and hx.scale() is live and ui.scale is live
        assert twin.comm is None and all(c.comm is None for c in twin.children)
        assert Image.open(io.BytesIO(ui.still_png)).size[0] <= hx.SLIDE_PX and ui.still_png is ui.still_png
        smallest = drawn_text_px(twin.last_figure, hx.SLIDE_PX)[0]
        assert smallest[0] >= 20, smallest
        assert drawn_text_px(ui.last_figure, hx.SLIDE_PX)[0][0] < 20

    return check
