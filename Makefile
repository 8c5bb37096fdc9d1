# Two commands for a new user: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test check bench fuzz clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

demo: $(BIN)/.installed  ## lint and deploy examples/ to the embedded sandbox, show plan, result, status
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: $(BIN)/.installed  ## the whole test suite
	$(BIN)/pytest

check: $(BIN)/.installed  ## static checks: ruff, mypy (strict), our own commit messages
	$(BIN)/ruff check deployer hooks tests bench scripts
	$(BIN)/mypy
	$(BIN)/dagship commit-msg --range "$$(git rev-list --max-parents=0 HEAD | tail -n 1)..HEAD"

bench: $(BIN)/.installed  ## the benchmarks of bench/ (they print their figures)
	$(BIN)/python bench/commit_msg_bench.py
	$(BIN)/python bench/lint_bench.py
	$(BIN)/python bench/deploy_bench.py
	$(BIN)/python bench/scale_bench.py

fuzz: $(BIN)/.installed  ## the fuzz suites with the deep hypothesis profile (minutes; CI runs a fixed budget)
	HYPOTHESIS_PROFILE=deep $(BIN)/pytest tests/fuzz -q

clean:
	rm -rf $(VENV) .bench .pytest_cache .mypy_cache .ruff_cache .hypothesis
