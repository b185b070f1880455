# Newcomer entry points: each target creates the virtual environment when it is missing.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: crawl test demo lint clean system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

crawl: $(STAMP)  ## the real crawl of every built-in outlet into data/sportnews.duckdb
	$(BIN)/sportnews crawl

system-deps:  ## best effort: Debian's redis-server and chromium for two tests (they skip without)
	bash .ci/setup.sh

test: $(STAMP) system-deps  ## lint and the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

demo: $(STAMP)  ## offline demo: crawl the recorded sample outlets into data/demo.duckdb
	$(BIN)/sportnews demo

lint: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data/demo.duckdb .pytest_cache .ruff_cache
