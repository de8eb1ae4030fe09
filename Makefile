# `make run` serves the example application; `make test` runs every test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test unit conformance lint bench load clean

# The extensions are installed with a constraint pinning `flask` to this
# checkout, so pip never brings in another Flask; then the package is
# reinstalled editable (the constraint installs it as a plain copy).
$(STAMP): pyproject.toml requirements/extensions.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[async,asgi,dotenv,test]'
	echo "flask @ file://$(CURDIR)" > $(VENV)/constraints.txt
	$(BIN)/python -m pip install --quiet -c $(VENV)/constraints.txt -r requirements/extensions.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python examples/serve.py

test: lint unit conformance

# The browser test needs Debian's chromium; the script installs it when it
# can and says so when it can't (the test then skips with that reason).
unit: $(STAMP)
	sh scripts/install-browser.sh
	sh scripts/install-nginx.sh
	$(BIN)/python -m pytest -q tests

conformance: $(STAMP)
	$(BIN)/python conformance/run.py

lint: $(STAMP)
	$(BIN)/ruff check src tests examples conformance bench
	$(BIN)/ruff format --check src tests examples conformance bench
	$(BIN)/mypy

# The long load test: gunicorn with 2 workers serving Flaskr, 40k requests,
# worker memory compared between the first and last 10k (loopback only).
load: $(STAMP)
	FLASK_LOAD_REQUESTS=40000 $(BIN)/python -m pytest -q tests/deploy/test_load.py -s

# In-process, HTTP (gunicorn + wrk) and footprint benchmarks against Flask
# 3.1.3 installed in a throwaway virtualenv under .bench/.
bench:
	$(PYTHON) bench/run.py --all

clean:
	rm -rf $(VENV) .conformance .bench
