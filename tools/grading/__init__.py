"""Grading the homework so that a student's code cannot change its own grade.

    python -m tools.homework grade SUBMISSIONS [OUT]        (make grade SUBMISSIONS=...)

THE DESIGN. The source notebooks (notebooks/homework/, with the solutions) are trusted; a returned notebook is only
read as JSON. For each student one sandbox process (sandbox.py: new Linux namespaces, a root that shows only the
Python installation, the venv, helpers/, data/ and cache/ read-only, an unprivileged uid of its own, no network,
limits on memory, file size and processes) imports numpy and torch once and forks a fresh child per notebook. The
child runs the notebook's code cells in the source's order: the instructor's cells from the source, the answer cells
(nbgrader `solution` cells, matched by grade_id) from the student's notebook; cells the student added are not run. A
grade cell never runs there: it runs in the grader's own process, with
  - the instructor's names: what the notebook's own code makes without the solutions (the released cells, run
    once in the grader: feature_map, small_cnn, x_val, ...), and
  - the student's names (notebooks.student_names: what the source's solution regions bind or train), fetched
    from the child as data (wire.py: numbers, strings, lists, tuples, dicts, numpy arrays, torch tensors, a
    torch.nn.Sequential of standard layers, sent as JSON and np.save blobs, never a pickle) or, for a function,
    as a proxy: each call sends its arguments to the child and brings the result back as data.
So helpers.checks, numpy, torch and builtins in the grade cell are the grader's; whatever a student's cell does
to them in the sandbox changes nothing here. Points: a grade cell that finishes earns its points, one that raises
(checks.require's NotYet, a hidden test's assert, an error of the student's code) earns 0.

ROBUSTNESS. A notebook that is not valid JSON gets 0 and a note; an answer cell that ends its process (os._exit, a
crash, the memory limit) or runs past CELL_TIMEOUT (60 s; the same for each call of a student's function) is noted,
and the notebook goes on in a fresh child that runs the cells before it again without that one; a notebook stops
after NOTEBOOK_TIMEOUT (240 s), its remaining grade cells 0. grades.csv has a `notes` column saying what happened;
the log prints the same lines. Students are graded in parallel (one worker process per core), each student in their
own sandbox.

THE CONTRACT FOR A GRADE CELL (notebooks/homework/*.ipynb, and notebooks/ru/homework/):
  1. Use only the student's names that the answer cells above define (an answer variable, a function, a trained
     network, a learned tensor) and the instructor's names the notebook's own code defines. A name the source's
     solution region binds, a name bound after it in the same cell, and a name bound above it in the cell that
     the region reads (`model` in `model = small_cnn()` followed by training) are the student's; every other
     name is the instructor's, computed by the grader.
  2. Call a student's function with data arguments only: numbers, strings, None, lists, tuples, dicts, numpy
     arrays, torch tensors, and two kinds that are copied there and copied back after the call: a
     torch.nn.Sequential of the layers in wire.LAYERS, and a torch.optim.SGD / Adam / AdamW over that network's
     parameters (checks.training_loop's counting SGD: its `steps` and `zero_grads` come back too).
  3. Inspect only what comes back: data of the same kinds. A student's network arrives as a torch.nn.Sequential
     rebuilt here from wire.LAYERS' classes, their constructor arguments and its state_dict: a network with
     another layer (a custom nn.Module) cannot be sent, and the grade cell sees "a ... the grader cannot read".
  4. The instructor's code outside the solution regions must run without the answers (it is run without them to
     make the instructor's names); a check that needs the student's result computes it in the grade cell from the
     student's names (hw05: the accuracy of `model` on x_val), never trusts a number an answer cell reports.
  5. A grade cell graded by hand (nbgrader: `grade` and `solution` on the same cell, a written answer) gets a CSV
     column left blank and the student's text in the feedback page, for the instructor to grade.

ISOLATION (sandbox.py). As root on Linux: `unshare` (util-linux, always on Debian and Ubuntu) makes the namespaces,
isolate.py mounts the new root and drops to an unprivileged uid. A non-root user on Linux with user namespaces: the
same, mapped to the user's own uid (not tried on a machine yet: the course's machines run as root). Elsewhere
(macOS): a plain process in a temporary folder with the limits only, and a warning that the submission can read and
write what the instructor can.
"""
