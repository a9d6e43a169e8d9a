# Two commands a newcomer needs: `make lab` and `make test`. Both create .venv and install the pinned
# packages the first time (a few minutes: torch is large), and skip that on later runs.
# Python 3.11, 3.12 or 3.13: `make test PYTHON=python3.12` builds its own .venv-python3.12 beside .venv.
PYTHON ?= python3
VENV   ?= $(if $(filter python3,$(PYTHON)),.venv,.venv-$(notdir $(PYTHON)))
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to start as root unless told; as root (containers, CI) pass the flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# The test run uses both cores; override with `make test JOBS=1`.
JOBS ?= 2

.PHONY: lab test smoke bench slides notebooks homework grade install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --progress-bar off -e .
	touch $(STAMP)

# JupyterLab set for class (no news pop-up): jupyter/overrides.json, installed into the venv's settings.
OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(OVERRIDES): jupyter/overrides.json $(STAMP)
	mkdir -p $(dir $@) && cp jupyter/overrides.json $@

# `make lab PRESENTER=1`: every explorer drawn for a 1920x1080 projector (helpers.widgets.presenter).
PRESENTER ?= 0
lab: $(STAMP) $(OVERRIDES)
	CNN_PRESENTER=$(PRESENTER) $(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope

# What CI runs on the other interpreters: the install, the helpers' tests and notebook 00.
smoke: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope tests --ignore=tests/test_browser.py \
		--ignore=tests/test_browser_drawing.py notebooks/00_start_here.ipynb

bench: $(STAMP)
	$(BIN)/python -m benchmarks

notebooks: $(STAMP)
	$(BIN)/python -m tools.notebooks execute

slides: $(STAMP)
	$(BIN)/python -m tools.slides

# Homework (nbgrader): the student release of notebooks/homework/ into homework-release/, and the autograding of a
# folder of returned notebooks (one subfolder per student) into homework-grades/ (grades.csv, feedback/).
# nbgrader runs `alembic` and kernels as commands: the venv's bin/ goes first on PATH.
homework: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m tools.homework release

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder with one subfolder per student>"; exit 2; }
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m tools.homework grade "$(SUBMISSIONS)"

clean:
	rm -rf .venv .venv-* data/mnist/.cache slides cache .pytest_cache .hypothesis
