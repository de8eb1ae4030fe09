# `make run` serves the example application; `make test` runs every test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test unit conformance lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[async,dotenv,test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python examples/serve.py

test: unit conformance

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests

conformance: $(STAMP)
	$(BIN)/python conformance/run.py

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .conformance
