"""helpers.below: a checked notebook output shows which side of a bound a float difference is on, not its digits."""

import numpy as np
import pytest

from helpers import below


@pytest.mark.parametrize(
    ("value", "bound", "text"),
    [
        (0.0, 1e-6, "< 1e-06"),
        (2e-8, 1e-6, "< 1e-06"),  # 01's HOG against scikit-image on one machine
        (np.float32(3e-7), 1e-6, "< 1e-06"),  # numpy scalars too
        (1e-6, 1e-6, "≥ 1e-06 (1.0e-06)"),  # the bound itself is not below it
        (2.5e-5, 1e-6, "≥ 1e-06 (2.5e-05)"),  # over: the value is shown, so a failing check says by how much
    ],
)
def test_below_names_the_side_of_the_bound(value, bound, text):
    assert below(value, bound) == text


def test_below_is_the_same_for_noise_on_either_side_of_zero():
    assert {below(d, 1e-9) for d in (0.0, 1e-13, 2.2e-16, 4e-12)} == {"< 1e-09"}
