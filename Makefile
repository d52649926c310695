# Sigma: `make run` sets everything up and runs the app with the jobs process beside it;
# `make test` sets up and runs every test, linter and type check (CI runs exactly this).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed
PYTEST_ARGS   ?=

.PHONY: run test lint typecheck bench clean-data help

help:
	@echo "make run    - set up and run Sigma on http://localhost:8501 (SQLite + simulated market)"
	@echo "make test   - set up and run every test, ruff and mypy"
	@echo "make bench  - run the benchmarks in bench/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt $(RUNTIME_STAMP)
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

run: $(RUNTIME_STAMP)
	@bash scripts/run.sh

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadgroup -p no:cacheprovider $(PYTEST_ARGS)

bench: $(DEV_STAMP) .venv-bench/.installed
	$(BIN)/python -m bench.market
	$(BIN)/python -m bench.risk
	$(BIN)/python -m bench.portfolio
	.venv-bench/bin/python -m bench.greeks

# py_vollib_vectorized needs py_vollib==1.0.1, which clashes with the test oracles: its own venv.
.venv-bench/.installed: bench/requirements-greeks.txt
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/pip install -q -r bench/requirements-greeks.txt
	touch $@

clean-data:
	rm -rf data/
