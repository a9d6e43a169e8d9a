# Two commands a newcomer needs: `make lab` and `make test`. Both create .venv and install the pinned
# packages the first time (a few minutes: torch is large), and skip that on later runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to start as root unless told; as root (containers, CI) pass the flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# The test run uses both cores; override with `make test JOBS=1`.
JOBS ?= 2

.PHONY: lab test bench slides notebooks install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --progress-bar off -e .
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope

bench: $(STAMP)
	$(BIN)/python -m benchmarks

notebooks: $(STAMP)
	$(BIN)/python -m tools.notebooks execute

slides: $(STAMP)
	$(BIN)/python -m tools.slides

clean:
	rm -rf $(VENV) data/mnist/.cache slides cache .pytest_cache .hypothesis
