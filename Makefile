# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/qwc-service: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

## Run the main job on the embedded default (SQLite): server, two machines, a simulated sync.
demo: $(BIN)/qwc-service
	$(BIN)/qwc-service demo

## Lint, type-check and run the whole test suite (SQLite and PostgreSQL).
test: lint typecheck unit

lint: $(BIN)/qwc-service
	$(BIN)/ruff check qwc_service tests migrations $(wildcard bench)
	$(BIN)/ruff format --check qwc_service tests migrations $(wildcard bench)

typecheck: $(BIN)/qwc-service
	$(BIN)/mypy

unit: $(BIN)/qwc-service
	$(BIN)/pytest

bench: $(BIN)/qwc-service
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
