"""The homework's own tasks (notebooks/homework/): task data, reference answers and the checks of the grade cells,
one module per homework (hw01 … hw05) and `lessons` for the two lesson exercises whose check must not show the answer.

Every check compares a student's answer with an independent oracle (torch's autograd, `F.unfold`,
`F.avg_pool2d`, scikit-image's HOG, or a hand computation) and answers with a `Feedback`: ✓, or ✗ with a hint
that names the typical mistake, never a traceback. A check is given only data (numbers, arrays, tensors) and the
student's functions, which it calls with data only: the grader may run the student's cells in another process.

    from helpers import checks, homework_tasks as tasks
    checks.require(tasks.im2col_function(im2col))
"""

from helpers.homework_tasks.hw01 import *  # noqa: F403 (the notebooks call every check as tasks.<name>)
from helpers.homework_tasks.hw02 import *  # noqa: F403
from helpers.homework_tasks.hw03 import *  # noqa: F403
from helpers.homework_tasks.hw03 import _loss_hessian  # noqa: F401 (the tests' oracle)
from helpers.homework_tasks.hw04 import *  # noqa: F403
from helpers.homework_tasks.hw05 import *  # noqa: F403
from helpers.homework_tasks.hw05 import _conv_backward_reference  # noqa: F401 (the tests' oracle)
from helpers.homework_tasks.lessons import *  # noqa: F403
