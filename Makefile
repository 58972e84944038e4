# The two commands a user needs are `make preview` and `make test`; both create
# the virtual environment from the lock file first, so a fresh machine with
# Python 3.11+, git and make needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv scan-venv preview policy test lint typecheck bench lock clean

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Checkov (scripts/ci-checkov.sh, tests/delivery/test_checkov.py) in its own venv: its
# dependency tree pins versions that requirements.lock cannot share.
SCAN_VENV := .venv-scan
SCAN_STAMP := $(SCAN_VENV)/.installed

scan-venv: $(SCAN_STAMP)

$(SCAN_STAMP): requirements-scan.lock
	$(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-scan.lock
	touch $(SCAN_STAMP)

preview: $(STAMP)
	$(BIN)/infra preview

policy: $(STAMP)
	$(BIN)/infra preview --violations-only

test: $(STAMP) $(SCAN_STAMP)
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# Re-resolve the lock after changing pyproject.toml; needs uv, which the lock itself pins.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile --group pyproject.toml:scan --generate-hashes --universal --python-version 3.11 -o requirements-scan.lock

clean:
	rm -rf $(VENV) $(SCAN_VENV)
