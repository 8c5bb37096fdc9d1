# Two commands for a new user: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test check bench fuzz clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# setuptools' editable build warns, in every editable mode, about import precedence:
	@# advice for packagers, noise in a newcomer's first command (errors still show).
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

demo: $(BIN)/.installed  ## lint and deploy examples/ to the embedded sandbox, show plan, result, status
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

# npm-groovy-lint 16 (18.x needs Node 22) lints the Jenkins templates; Java comes from the JDK.
GROOVY_LINT := .cache/npm-groovy-lint/node_modules/.bin/npm-groovy-lint

$(GROOVY_LINT):
	npm install --prefix .cache/npm-groovy-lint --no-audit --no-fund --loglevel=error npm-groovy-lint@16

test: $(BIN)/.installed $(GROOVY_LINT)  ## the whole test suite
	$(BIN)/pytest

check: $(BIN)/.installed  ## static checks: ruff, mypy (strict), our own commit messages
	$(BIN)/ruff check deployer hooks tests bench scripts
	$(BIN)/mypy
	$(BIN)/dagship commit-msg --range "$$(git rev-list --max-parents=0 HEAD | tail -n 1)..HEAD"

bench: $(BIN)/.installed  ## the benchmarks of bench/ (they print their figures)
	$(BIN)/python bench/commit_msg_bench.py
	$(BIN)/python bench/lint_bench.py
	$(BIN)/python bench/deploy_bench.py
	$(BIN)/python bench/diff_bench.py
	$(BIN)/python bench/pull_bench.py
	$(BIN)/python bench/scale_bench.py

fuzz: $(BIN)/.installed  ## the fuzz suites with the deep hypothesis profile (minutes; CI runs a fixed budget)
	HYPOTHESIS_PROFILE=deep $(BIN)/pytest tests/fuzz -q

clean:
	rm -rf $(VENV) .bench .pytest_cache .mypy_cache .ruff_cache .hypothesis
