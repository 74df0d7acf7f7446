# Two commands: `make run` serves the portal with demo data on http://127.0.0.1:5000 (SQLite);
# `make test` runs the whole suite. Both install what they need first, and only when the files
# that pin it change, so running them again is quick.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := portal:create_app

.PHONY: run test lint assets install install-test clean

# The demo world is Kirklees's; the environment can still override these.
run: export COUNCIL_NAME ?= Kirklees Council
run: export COUNCIL_ORG_ID ?= GB-LAE-KIR
run: export GRANT_ID_PREFIX ?= 360G-demo-kirklees
run: install assets
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# pytest-xdist workers, each with databases of its own (tests/conftest.py): twice the cores,
# as the tests wait on PostgreSQL and Chromium about as much as they compute. Work stealing
# keeps every worker busy to the end, when the slow browser and PostgreSQL tests are left.
TEST_WORKERS ?= $(shell echo $$((2 * $$(nproc))))

test: install-test assets
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	PORTAL_ENV=testing $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
assets: static/css/portal.css

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/css/portal.css: node_modules/.package-lock.json assets/build.mjs $(wildcard assets/scss/*.scss assets/js/* assets/images/*)
	npm run --silent build

clean:
	rm -rf $(VENV) node_modules static instance/portal.db
