# The two set-up commands of the README: `make demo` and `make test`. `make help` lists all.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help demo test lint typecheck imports unit bench clean

$(BIN)/qwc-service: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

demo: $(BIN)/qwc-service ## Run the main job on SQLite: server, two machines, a simulated sync
	$(BIN)/qwc-service demo

test: lint typecheck imports unit ## Lint, type-check, check the layers and run every test

lint: $(BIN)/qwc-service ## ruff: lint and formatting
	$(BIN)/ruff check qwc_service tests migrations $(wildcard bench)
	$(BIN)/ruff format --check qwc_service tests migrations $(wildcard bench)

typecheck: $(BIN)/qwc-service ## mypy over qwc_service
	$(BIN)/mypy

imports: $(BIN)/qwc-service ## import-linter: imports run only downward through the layers
	$(BIN)/lint-imports --no-cache

unit: $(BIN)/qwc-service ## pytest: the whole suite (SQLite, PostgreSQL, gunicorn, browser)
	$(BIN)/pytest

bench: $(BIN)/qwc-service ## The full benchmark, with its peer qbwc-kit (see bench/README.md)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
