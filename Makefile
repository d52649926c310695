# Sigma: `make run` sets everything up and runs the app with the jobs process beside it;
# `make test` sets up and runs every test, linter and type check (CI runs exactly this).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed
PYTEST_ARGS   ?=

.PHONY: run test coverage mutate lint typecheck bench bench-batch clean-data help

help:
	@echo "make run    - set up and run Sigma on http://localhost:8501 (SQLite + simulated market)"
	@echo "make test   - set up and run every test, ruff and mypy"
	@echo "make coverage - the test suite (browser tests aside) under coverage, subprocesses included"
	@echo "make mutate - mutation scores per module (slow; MODULES=sigma/risk/var.py for one)"
	@echo "make bench  - run the benchmarks in bench/"
	@echo "make bench-batch - the nightly batch on 1,000 portfolios x 50 positions, per phase (ARGS=--executor dask)"

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

# Two pytest phases: the suite in parallel, then the browser tests and the Dask cluster test alone (one
# Streamlit server and one Chromium, or a cluster's worker processes, nothing competing for the 2 cores;
# the cluster's nannies failed to start under the parallel phase's load). Both always run; `make test`
# fails if either fails.
# "No tests collected" (exit 5) only counts as a pass when PYTEST_ARGS narrows the run.
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
define phase
start=$$(date +%s); $(PYTEST) $(2) $(PYTEST_ARGS); rc=$$?; \
if [ $$rc -eq 5 ] && [ -n "$(PYTEST_ARGS)" ]; then rc=0; fi; \
echo "make test: $(1) phase: exit $$rc after $$(( $$(date +%s) - start )) s"; \
[ $$rc -eq 0 ]
endef

test: lint typecheck
	@$(call phase,parallel,-n 2 --dist loadfile -m "not browser and not cluster"); p=$$?; \
	$(call phase,serial,-n 0 -m "browser or cluster"); b=$$?; \
	[ $$p -eq 0 ] && [ $$b -eq 0 ]

# Coverage of the whole suite, subprocesses included (the jobs CLI and `jobs serve` run in their own
# processes): coverage's .pth hook starts measuring in every Python started with COVERAGE_PROCESS_START.
coverage: $(DEV_STAMP)
	rm -f .coverage .coverage.*
	COVERAGE_PROCESS_START=$(CURDIR)/pyproject.toml $(BIN)/coverage run -m pytest -p no:cacheprovider -n 2 \
		--dist loadfile -m "not browser" $(PYTEST_ARGS)
	$(BIN)/coverage combine -q
	$(BIN)/coverage report

bench: $(DEV_STAMP) .venv-bench/.installed
	$(BIN)/python -m bench.market
	$(BIN)/python -m bench.risk
	$(BIN)/python -m bench.portfolio
	$(BIN)/python -m bench.snapshots
	.venv-bench/bin/python -m bench.greeks

bench-batch: $(DEV_STAMP)
	$(BIN)/python -m bench.batch $(ARGS)

# py_vollib_vectorized needs py_vollib==1.0.1, which clashes with the test oracles: its own venv.
.venv-bench/.installed: bench/requirements-greeks.txt
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/pip install -q -r bench/requirements-greeks.txt
	touch $@

clean-data:
	rm -rf data/

# Mutation testing (not in CI): one module at a time against its own tests; prints the share of
# mutants killed per module. `make mutate MODULES=sigma/risk/var.py` runs one; MUTATE_ARGS="--children 2".
mutate: $(DEV_STAMP)
	$(BIN)/python scripts/mutate.py $(MUTATE_ARGS) $(MODULES)
