# Thước đo — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test test-fast install system-packages runtime-check lint typecheck docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## The system packages the tests use (installed as root with apt-get; else one line naming them).
system-packages:
	@bash tools/system_packages.sh

## Start the app with its embedded defaults (SQLite in ./var, built-in and demo data).
demo: $(STAMP)
	$(BIN)/thuocdo demo

## Run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL).
test: $(STAMP) system-packages
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

## The suite without the fault-injection and fuzz runs (quick feedback while working).
test-fast: $(STAMP) system-packages
	$(BIN)/python -m pytest -n 2 -m "not fault and not fuzz" $(PYTEST_ARGS)

## Build the wheel, install it without extras in a clean virtual environment and run it.
runtime-check:
	bash .ci/runtime-install

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/python -m thuocdo.cli.docs > docs/cli.md
	THUOCDO_DATA_DIR="$$(mktemp -d)" $(BIN)/python -m thuocdo.api.schema > docs/openapi.json

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
