# Two commands a newcomer needs: `make lab` and `make test`. Both create .venv and install exactly uv.lock the first
# time (about half a minute: torch is large), and skip that on later runs.
# Python 3.11, 3.12 or 3.13: `make test PYTHON=python3.12` builds its own .venv-python3.12 beside .venv.
#
# What installs what (pyproject.toml's groups):
#   make lab                      a student's kernel: torch, numpy, JupyterLab, widgets (no test or grading stack)
#   make homework/grade/slides/notebooks   + the instructor's tools (nbgrader, nbconvert)
#   make test / make check        + the test stack (pytest, nbval, hypothesis, playwright, ruff)
PYTHON ?= python3
VENV   ?= $(if $(filter python3,$(PYTHON)),.venv,.venv-$(notdir $(PYTHON)))
BIN    := $(VENV)/bin
# JupyterLab refuses to start as root unless told; as root (containers, CI) pass the flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# The test run uses both cores; override with `make test JOBS=1`.
JOBS ?= 2

# uv installs the lock. It is bootstrapped from PyPI with pip into .tools/, so a newcomer needs only Python and make.
UV_VERSION := 0.13.8
UV := .tools/uv-$(UV_VERSION)/bin/uv
# uv never downloads an interpreter of its own: the one named by PYTHON is used.
export UV_PYTHON_DOWNLOADS := never
SYNC = UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')"

# `make lab CPU_TORCH=1`: torch and torchvision from PyTorch's CPU-only index instead of PyPI's CUDA build (on Linux
# about a tenth of the download; the course never uses a GPU), everything else exactly as locked. uv.lock holds PyPI's
# torch, since the CPU index is not reachable from every machine the lock is made on.
CPU_TORCH ?= 0
ifeq ($(CPU_TORCH),1)
TORCH_PINS := $(shell grep -oE '"torch(vision)?==[^"]+"' pyproject.toml | tr -d '"')
CUDA_ONLY  := torch torchvision triton $(shell grep -oE '^name = "(nvidia|cuda)-[^"]+"' uv.lock | cut -d'"' -f2)
SYNC += $(foreach p,$(CUDA_ONLY),--no-install-package $(p))
AFTER_SYNC = $(UV) pip install --python $(BIN)/python $(TORCH_PINS) --index-url https://download.pytorch.org/whl/cpu
else
AFTER_SYNC = true
endif

.PHONY: lab test check smoke lint bench slides notebooks homework grade install install-instructor clean

$(UV):
	$(PYTHON) -m venv .tools/uv-$(UV_VERSION)
	.tools/uv-$(UV_VERSION)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

# One stamp per group set; `--inexact` lets a smaller set leave a larger one's packages in place.
$(VENV)/.installed-student: pyproject.toml uv.lock | $(UV)
	$(SYNC) --inexact --no-default-groups
	$(AFTER_SYNC)
	touch $@
$(VENV)/.installed-instructor: pyproject.toml uv.lock | $(UV)
	$(SYNC) --inexact --no-default-groups --group instructor
	$(AFTER_SYNC)
	touch $@
$(VENV)/.installed-test: pyproject.toml uv.lock | $(UV)
	$(SYNC) --no-default-groups --group test
	$(AFTER_SYNC)
	touch $@ $(VENV)/.installed-student $(VENV)/.installed-instructor

install: $(VENV)/.installed-student
install-instructor: $(VENV)/.installed-instructor

# JupyterLab set for class (no news pop-up): jupyter/overrides.json, installed into the venv's settings.
OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(OVERRIDES): jupyter/overrides.json $(VENV)/.installed-student
	mkdir -p $(dir $@) && cp jupyter/overrides.json $@

# `make lab PRESENTER=1`: every explorer drawn for a 1920x1080 projector (helpers.widgets.presenter).
PRESENTER ?= 0
lab: $(VENV)/.installed-student $(OVERRIDES)
	CNN_PRESENTER=$(PRESENTER) $(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

# Every test: helpers, notebooks under nbval, homework grading, the browser. Lint first (a few seconds). The 15
# slowest tests are listed at the end: where to look when the run grows.
test: $(VENV)/.installed-test lint
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope --durations=15

# The quick tier: unit and property tests, no notebook, no browser, no training, no nbgrader (under a minute).
check: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n $(JOBS) -m "not slow" tests

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# What CI runs on the other interpreters: the install from the lock, the quick tier and notebook 00 under nbval.
smoke: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n $(JOBS) -m "not slow" tests
	$(BIN)/python -m pytest -p no:xdist notebooks/00_start_here.ipynb

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

notebooks: $(VENV)/.installed-instructor
	$(BIN)/python -m tools.notebooks execute

slides: $(VENV)/.installed-instructor
	$(BIN)/python -m tools.slides

# Homework (nbgrader): the student release of notebooks/homework/ into homework-release/, and the autograding of a
# folder of returned notebooks (one subfolder per student) into homework-grades/ (grades.csv, feedback/).
# nbgrader runs `alembic` and kernels as commands: the venv's bin/ goes first on PATH.
homework: $(VENV)/.installed-instructor
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m tools.homework release

# `make grade SUBMISSIONS=returns EDITION=ru` grades returns of the Russian edition (the release's ru/ folder).
EDITION ?= en
grade: $(VENV)/.installed-instructor
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder with one subfolder per student>"; exit 2; }
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m tools.homework grade "$(SUBMISSIONS)" \
		$(if $(filter ru,$(EDITION)),--source notebooks/ru/homework)

# Everything the project generates; the sources and data/ stay.
clean:
	rm -rf .venv .venv-* .tools data/mnist/.cache slides cache .pytest_cache .hypothesis .ruff_cache build \
		test-artifacts homework-release homework-grades helpers.egg-info cnn_lecture_helpers.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
