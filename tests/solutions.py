"""The instructor's reference solutions to every exercise in the notebooks, kept out of the student notebooks.

Each entry: the notebook, the check it calls, the check's other arguments as the notebook passes them,
the right answer (worked out here from the definition), and a typical wrong answer with the words its
hint must contain. tests/test_checks.py runs them all, and fails when a notebook has an exercise with
no entry here. LESSON_TASKS: the two lesson exercises whose check is in helpers.homework_tasks (03 Ex1, 04 Ex3:
checks that are given where the pattern is, or the shape, never the answer itself); tests/test_homework_leaks.py
runs them.
"""

import numpy as np

from helpers.filters import kernel

SLIDE_GRID = np.array(
    [
        [121, 10, 78, 96, 125],
        [48, 152, 68, 125, 111],
        [145, 78, 85, 89, 65],
        [154, 214, 56, 200, 66],
        [214, 87, 45, 102, 45],
    ]
)
SLIDE_IMAGE = np.array(
    [[0, 2, 5, -3, 10], [9, -1, 29, 4, 11], [0, 34, 7, -9, -17], [6, 25, 6, 0, 0], [-8, 21, 0, -77, 0]]
)
SLIDE_KERNEL = np.array([[3, 2, 1], [-1, -2, -3], [2, 1, -1]])
EXERCISE_IMAGE_03 = np.zeros((12, 12))
EXERCISE_IMAGE_03[3, 1:11] = 1
EXERCISE_IMAGE_03[5:11, 8] = 1
EXERCISE_IMAGE_03[8:, :4] = 1
EXERCISE_LINE_03 = np.zeros((12, 12), bool)
EXERCISE_LINE_03[3, 1:11] = True
EXERCISE_MAP_04 = np.array([[0, 5, 1, 1], [2, 3, 9, 0], [4, 4, 0, 2], [1, 8, 6, 6]])

SOLUTIONS = [
    # 01: the gradient at (3, 2), the 56: right minus left, below minus above (not the pixel the lesson works out,
    # and not the check's format example)
    (
        "01_hog_svm",
        "pixel_gradient",
        dict(image=SLIDE_GRID, row=3, col=2),
        (200 - 214, 45 - 85),
        (45 - 85, 200 - 214),
        "swapped",
    ),
    # 01: 4x4-pixel cells: 7x7 cells, 6x6 blocks of 2x2 cells, 9 bins
    (
        "01_hog_svm",
        "hog_length",
        dict(image_size=28, pixels_per_cell=4, cells_per_block=2, orientations=9),
        6 * 6 * 2 * 2 * 9,
        7 * 7 * 9,
        "Blocks overlap",
    ),
    # 02: floor((28 + 2 - 4 - 1) / 2) + 1
    (
        "02_convolution",
        "output_shape",
        dict(n=28, kernel=5, stride=2, padding=1),
        (28 + 2 - 4 - 1) // 2 + 1,
        (28 + 2 - 4 - 1) / 2 + 1,
        "floor",
    ),
    (
        "02_convolution",
        "one_output_cell",
        dict(image=SLIDE_IMAGE, kernel=SLIDE_KERNEL, row=1, col=2),
        int(np.sum(SLIDE_IMAGE[1:4, 2:5] * SLIDE_KERNEL)),
        int(np.sum(SLIDE_IMAGE[1:4, 2:5] * SLIDE_KERNEL[::-1, ::-1])),
        "flipped kernel",
    ),
    # 02: AlexNet's first layer, floor((224 + 4 - 11) / 4) + 1 = 55
    ("02_convolution", "output_shape", dict(n=224, kernel=11, stride=4, padding=2), 55, 54, "padding"),
    # 03: a zero-sum kernel on a flat image is 0 inside, but the corner's window holds the padding's zeros
    (
        "03_edge_filters",
        "one_output_cell",
        dict(image=np.full((6, 6), 0.5), kernel=kernel("laplacian"), row=0, col=0, padding=1),
        float(np.sum(np.pad(np.full((6, 6), 0.5), 1)[:3, :3] * kernel("laplacian"))),
        0,
        "hangs over the border",
    ),
    # 04: 2x2 max pooling of the exercise map, by hand
    (
        "04_pooling",
        "pooled",
        dict(x=EXERCISE_MAP_04, kernel_size=2, kind="max"),
        [[5, 9], [8, 6]],
        [[2.5, 2.75], [4.25, 3.5]],
        "average",
    ),
    # 04: 3x3 average pooling, stride 1: the means of the four 3x3 windows
    (
        "04_pooling",
        "pooled",
        dict(x=EXERCISE_MAP_04, kernel_size=3, stride=1, kind="average"),
        [[EXERCISE_MAP_04[r : r + 3, c : c + 3].mean() for c in range(2)] for r in range(2)],
        [[1, 1], [1, 1]],
        "differ",
    ),
    # 05: 32 kernels of 16 x 3 x 3 weights, plus 32 biases
    (
        "05_mnist_cnn",
        "conv_parameters",
        dict(in_channels=16, out_channels=32, kernel_size=3, bias=True),
        32 * 16 * 9 + 32,
        32 * 16 * 9,
        "bias",
    ),
]

# (notebook, function of helpers.homework_tasks, its other arguments, right answer, wrong answer, words of the hint)
LESSON_TASKS = [
    # 03: a horizontal-line kernel answers most on the horizontal line
    (
        "03_edge_filters",
        "strongest_on",
        dict(image=EXERCISE_IMAGE_03, pattern=EXERCISE_LINE_03),
        [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]],
        [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]],
        "somewhere else",
    ),
    # 04: 28 -> conv pad 1: 28 -> pool: 14 -> conv: 12 -> pool: 6, with 16 channels
    (
        "04_pooling",
        "predicted_shape",
        dict(expected_shape=(16, 6, 6), hint="Follow the sides"),
        (16, 6, 6),
        (16, 7, 7),
        "Follow the sides",
    ),
]

# The homework's answers (notebooks/homework/, the reference solutions): (notebook, the answer's name in the
# answer cell, its value). tests/test_homework_leaks.py checks them against the source notebooks and scans every
# lesson and homework for them. `None` as the value: computed by the test (a float from data).
HOMEWORK_ANSWERS = [
    ("hw01_hog", "hog_length_answer", (48 // 8 - 3 + 1) * (40 // 8 - 3 + 1) * 3 * 3 * 6),
    ("hw02_convolution", "side_answer", (1000 + 2 * 4 - 3 * (5 - 1) - 1) // 2 + 1),
    ("hw02_convolution", "parameters_answer", 20 * 12 * 5 * 5 + 20),
    ("hw03_kernels", "edge_answer", (121 - 17) * (1 + 2 + 1)),
    ("hw03_kernels", "tip_kernel", [[-1, -1, -1], [-1, 1, 1], [-1, 1, -1]]),
    ("hw03_kernels", "lr_limit_answer", None),
    ("hw04_pooling", "avg_answer", [[13 / 4, 24 / 6], [27 / 6, 30 / 9]]),
    ("hw04_pooling", "rf_side_answer", 1 + 2 * 1 + 2 * 3 * 2 + 2 * 7 * 2 + 2 * 9 * 2),
    ("hw04_pooling", "rf_pixels_answer", 63 * 63),
    ("hw05_cnn", "parameters_answer", (6 * 25 + 6) + (12 * 6 * 9 + 12) + (10 * 12 * 36 + 10)),
]
# Numbers the questions graded by hand turn on (their reference answers): they must not be on screen either.
HOMEWORK_WORDS_ANSWERS = [
    ("hw02_convolution", "im2col_size_words", (3 * 11 * 11, 55 * 55)),
]
