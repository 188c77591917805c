# pollwatch — one-word tasks. Every target bootstraps .venv from a fresh clone when it is missing or stale.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export POLLWATCH_DATA_DIR ?= $(CURDIR)/var

.PHONY: help demo test test-sqlite test-postgres lint fix bench docs clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "pollwatch needs Python 3.11+; set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP) ## Build the synthetic demo election (SQLite) and serve it at http://127.0.0.1:8000
	$(BIN)/pollwatch demo

# pytest exits 5 when it collected no tests: treat that as the failure it is, like any other non-zero code.
define run_pytest
	$(BIN)/python -m pytest $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc
endef

test: test-sqlite test-postgres ## Run the whole suite: everything on SQLite, then the database tests on PostgreSQL

# Enketo, the real OpenRosa web client of the end-to-end test, bundled from the npm registry (needs node/npm).
ENKETO := tests/enketo/dist/enketo.js
$(ENKETO): tests/enketo/package.json tests/enketo/entry.js tests/enketo/build.sh
	bash tests/enketo/build.sh

test-sqlite: $(STAMP) $(ENKETO)
	@$(call run_pytest,-q -n 2 --dist loadfile)

test-postgres: $(STAMP) $(ENKETO) ## The database tests again, on a throwaway PostgreSQL cluster started by pytest
	@$(call run_pytest,-q -n 2 --dist loadfile --postgres -m django_db)

lint: $(STAMP) ## ruff, then mypy on the typed parts
	$(BIN)/ruff check pollwatch tests bench
	$(BIN)/mypy pollwatch/stats

fix: $(STAMP) ## Let ruff fix what it can
	$(BIN)/ruff check --fix pollwatch tests bench

bench: $(STAMP) ## Run every benchmark in bench/ (figures go to docs/benchmarks.md by hand)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

docs: $(STAMP) ## Regenerate docs/cli.md from --help
	$(BIN)/python -m pollwatch.docs_cli > docs/cli.md

clean: ## Remove the virtualenv and local data (keeps nothing)
	rm -rf $(VENV) var
