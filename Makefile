# lscplan: `make` lists the targets.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install build check test test-fast lint golden bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 10

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install lscplan with its test tools

build: $(STAMP) ## Build every document of the bundled plan into build/
	$(BIN)/lscplan build plan --out build

check: $(STAMP) ## Check the bundled plan
	$(BIN)/lscplan check plan

test: $(STAMP) ## Run the test suite (installs what it needs first)
	$(BIN)/python -m pytest

test-fast: $(STAMP) ## Every test that lays out no PDF: the quick inner loop
	$(BIN)/python -m pytest -m "not pdf and not fuzz_long" -q -n auto

lint: $(STAMP) ## Run ruff
	$(BIN)/ruff check lscplan tests

golden: $(STAMP) ## Regenerate the golden HTML files from the starter plan
	LSCPLAN_REGENERATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_render.py -k golden -q

bench: $(STAMP) ## Measure builds against the WeasyPrint floor, and at scale; writes benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench.py

clean: ## Remove build outputs and the virtual environment
	rm -rf build dist $(VENV) .pytest_cache .ruff_cache
