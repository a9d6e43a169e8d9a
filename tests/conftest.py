import os

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

# The first torch call is slow; shapes, not time, are what the property tests are about.
settings.register_profile("course", deadline=None, print_blob=True)
settings.load_profile("course")
