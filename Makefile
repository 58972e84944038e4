# The two commands a user needs are `make preview` and `make test`; both create
# the virtual environment from the lock files first, so a fresh machine with
# Python 3.11+, git and make needs nothing else.
PYTHON ?= python3
# Python caches compiled modules in __pycache__ (git-ignored). Without that cache every
# process compiles the Pulumi SDK modules it imports again: ~4.5 s per `infra` run, paid
# by each of the test suite's workers and subprocesses. A shell that sets
# PYTHONDONTWRITEBYTECODE (some CI images do) would disable it for these recipes.
unexport PYTHONDONTWRITEBYTECODE
# uv installs from the locks in seconds; INSTALLER=pip installs the same locks, hash-checked.
INSTALLER ?= uv
VENV := .venv
BIN := $(VENV)/bin
# Locked groups: what the program, `infra` and the policy pack run (make preview, the deploy
# runners), then the dev tools on top of it (make test); each is a subset of requirements.lock.
RUNTIME_LOCK := requirements/runtime.lock
DEV_LOCK := requirements.lock
BOOTSTRAP_LOCK := requirements/bootstrap.lock
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
LOCK_FLAGS := --generate-hashes --universal --python-version 3.11 --quiet

ifeq ($(INSTALLER),uv)
install = $(BIN)/uv pip install --python $(BIN)/python --quiet --require-hashes -r $(1) && \
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps --no-build-isolation -e .
else ifeq ($(INSTALLER),pip)
install = $(BIN)/python -m pip install --quiet --require-hashes -r $(1) && \
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
else
$(error INSTALLER=$(INSTALLER): use uv or pip)
endif

.PHONY: venv venv-dev scan-venv preview policy diff generate test test-fast lint typecheck bench lock clean

venv: $(RUNTIME_STAMP)

venv-dev: $(DEV_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv itself comes from its own one-line lock, installed by the venv's pip.
$(BIN)/uv: $(BOOTSTRAP_LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(BOOTSTRAP_LOCK)
	touch $@

$(RUNTIME_STAMP): $(RUNTIME_LOCK) pyproject.toml $(if $(filter uv,$(INSTALLER)),$(BIN)/uv) | $(BIN)/python
	$(call install,$(RUNTIME_LOCK))
	touch $@

$(DEV_STAMP): $(DEV_LOCK) $(RUNTIME_STAMP)
	$(call install,$(DEV_LOCK))
	touch $@

# Checkov (scripts/ci-checkov.sh, tests/delivery/test_checkov.py) in its own venv: its
# dependency tree pins versions that requirements.lock cannot share.
SCAN_VENV := .venv-scan
SCAN_LOCK := requirements-scan.lock
SCAN_STAMP := $(SCAN_VENV)/.installed

scan-venv: $(SCAN_STAMP)

$(SCAN_STAMP): $(SCAN_LOCK) $(if $(filter uv,$(INSTALLER)),$(BIN)/uv)
	$(PYTHON) -m venv $(SCAN_VENV)
ifeq ($(INSTALLER),uv)
	$(BIN)/uv pip install --python $(SCAN_VENV)/bin/python --quiet --require-hashes -r $(SCAN_LOCK)
else
	$(SCAN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(SCAN_LOCK)
endif
	touch $@

preview: $(RUNTIME_STAMP)
	$(BIN)/infra preview

policy: $(RUNTIME_STAMP)
	$(BIN)/infra preview --violations-only

# What the pull request's comment will say: `make diff BASE=main` (scripts/pr-comment.sh).
BASE ?= main
diff: $(RUNTIME_STAMP)
	INFRA=$(BIN)/infra PYTHON=$(BIN)/python scripts/pr-comment.sh $(BASE)

# Every file generated from the code and the stacks, rewritten after a change to them
# (scripts/generate.py lists the generators; the tests run each with --check).
generate: $(DEV_STAMP)
	$(BIN)/python scripts/generate.py

# The whole suite: what CI runs (.ci/run).
test: $(DEV_STAMP) $(SCAN_STAMP)
	$(BIN)/python -m pytest -n 2

# Everything but the tests marked slow (Checkov, fresh virtual environments, process
# behaviour, property-based fuzzing, end to end; pyproject.toml [tool.pytest.ini_options]
# markers): the quick loop while editing. `make test` before pushing.
test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow"

# The layering contracts ([tool.importlinter] in pyproject.toml); bootstrap/ on the path holds
# the bootstrap program's `delivery` package.
lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=bootstrap $(BIN)/lint-imports --no-cache --no-logo

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/bench.py

# Re-resolve every lock after changing pyproject.toml or policies/requirements.in: the full
# dev lock first, then each group pinned to the same versions from it.
lock: $(DEV_STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev $(LOCK_FLAGS) -o $(DEV_LOCK)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -c $(DEV_LOCK) -o $(RUNTIME_LOCK)
	$(BIN)/uv pip compile policies/requirements.in $(LOCK_FLAGS) -c $(DEV_LOCK) -o policies/requirements.lock
	echo uv | $(BIN)/uv pip compile - $(LOCK_FLAGS) -c $(DEV_LOCK) -o $(BOOTSTRAP_LOCK)
	$(BIN)/uv pip compile --group pyproject.toml:scan $(LOCK_FLAGS) -o $(SCAN_LOCK)

clean:
	rm -rf $(VENV) $(SCAN_VENV)
