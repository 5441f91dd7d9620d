# lscplan: `make` lists the targets.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install build check test test-fast lint golden bench a11y screenshots docs clean

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

# Tests keep their compiled bytecode (and pytest its rewritten test modules) in
# __pycache__, even where the environment turns that off (PYTHONDONTWRITEBYTECODE):
# compiling them again is a second of every test process's start.
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest

test: $(STAMP) ## Run the test suite (installs what it needs first)
	$(PYTEST)

# tests/test_fuzz.py holds only slow tests (its pytestmark): left out whole, so that
# Hypothesis is not even imported.
test-fast: $(STAMP) ## Every test that lays out no PDF and is not marked slow: the quick inner loop
	$(PYTEST) -m "not pdf and not slow and not fuzz_long" -q -n auto --ignore=tests/test_fuzz.py

lint: $(STAMP) ## Run ruff, then mypy on lscplan/
	$(BIN)/ruff check lscplan tests
	$(BIN)/mypy lscplan

golden: $(STAMP) ## Regenerate the golden HTML files from the starter plan
	LSCPLAN_REGENERATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_render.py -k golden -q

A11Y := tools/a11y
A11Y_OUT := build/a11y
CHROMIUM ?= chromium

# Debian's chromium (and poppler-utils for pdftoppm) when missing, installed only as root.
define need-apt
	@command -v $(1) >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(2); } \
	  || { echo "$(1) is missing: install Debian's $(2) (apt-get install $(2))" >&2; exit 2; }
endef

$(A11Y)/node_modules/.installed: $(A11Y)/package.json $(A11Y)/package-lock.json
	$(call need-apt,npm,npm)
	cd $(A11Y) && npm ci --no-audit --no-fund --silent
	touch $@

a11y: $(STAMP) $(A11Y)/node_modules/.installed ## axe-core (WCAG 2.1 AA) in headless Chromium on the bundled plan's and an init plan's HTML
	$(call need-apt,$(CHROMIUM),chromium)
	rm -rf $(A11Y_OUT) && mkdir -p $(A11Y_OUT)
	$(BIN)/lscplan build plan --out $(A11Y_OUT)/plan --no-pdf --quiet
	$(BIN)/lscplan init $(A11Y_OUT)/init-plan >/dev/null
	$(BIN)/lscplan build $(A11Y_OUT)/init-plan --out $(A11Y_OUT)/init --no-pdf --quiet
	CHROMIUM="$$(command -v $(CHROMIUM))" node $(A11Y)/axe.mjs $(A11Y_OUT)/plan/*.html $(A11Y_OUT)/init/*.html

# The tutorial's pictures (docs/tutorial.md): the first page of each PDF of a plan that
# lscplan init wrote, committed under docs/images/tutorial/ so that make docs stays
# offline and needs neither poppler nor Chromium. PDFs are byte-identical from the same
# sources, and so are these PNGs: run it again after a change to the starter plan or the
# templates, and commit what differs.
TUTORIAL := build/tutorial
TUTORIAL_SHOTS := docs/images/tutorial

screenshots: $(STAMP) ## The first pages of every document as PNGs in build/screenshots/ (PDF by pdftoppm, HTML by Chromium), and the tutorial's in docs/images/tutorial/
	$(call need-apt,pdftoppm,poppler-utils)
	$(call need-apt,$(CHROMIUM),chromium)
	$(BIN)/lscplan build plan --out build --quiet
	CHROMIUM="$$(command -v $(CHROMIUM))" tools/screenshots.sh build build/screenshots
	rm -rf $(TUTORIAL) && $(BIN)/lscplan init $(TUTORIAL)/my-plan >/dev/null
	$(BIN)/lscplan build $(TUTORIAL)/my-plan --out $(TUTORIAL)/my-build --quiet
	CHROMIUM="$$(command -v $(CHROMIUM))" tools/screenshots.sh $(TUTORIAL)/my-build $(TUTORIAL)/shots 1
	mkdir -p $(TUTORIAL_SHOTS)
	for doc in ltp-submission public-summary board-governing-body-update; do \
	  cp $(TUTORIAL)/shots/$$doc-pdf-*.png $(TUTORIAL_SHOTS)/$$doc-pdf-1.png || exit 1; done

DOCS_STAMP := $(VENV)/.docs-stamp

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[docs]'
	touch $@

docs: $(DOCS_STAMP) ## The documentation site in build/docs/ (MkDocs, offline; reference generated from the code)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

bench: $(STAMP) ## Measure builds against the WeasyPrint floor, and at scale; writes benchmarks/RESULTS.md
	$(BIN)/python benchmarks/bench.py

clean: ## Remove build outputs and the virtual environment
	rm -rf build dist $(VENV) .pytest_cache .ruff_cache .mypy_cache
