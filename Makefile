# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.test-installed

.PHONY: demo test install test-deps lint clean bench fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

## Byte-compile the project as a regular install does (an editable one does not): each
## command would otherwise compile its modules again wherever PYTHONDONTWRITEBYTECODE is set.
COMPILE := $(BIN)/python -m compileall -q cli graph queries ingest reports explorer sample_estate

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	-$(COMPILE) > /dev/null
	touch $@

install: $(STAMP)

## Install, load the bundled sample estate into ./.nhigraph, print what it shows and open
## the explorer (only print how to open it when NHIGRAPH_NO_EXPLORER=1 or not on a terminal).
demo: install
	$(BIN)/nhigraph demo
	@if [ "$${NHIGRAPH_NO_EXPLORER:-0}" = "1" ] || [ ! -t 0 ] || [ ! -t 1 ]; then \
		echo "explore it: $(BIN)/streamlit run app.py"; \
	else \
		echo "opening the explorer on http://127.0.0.1:8501 (Ctrl+C to stop)"; \
		$(BIN)/streamlit run app.py; \
	fi

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	-$(COMPILE) > /dev/null
	touch $@

## Everything the tests need that is not a Python package (browsers, ...).
test-deps: $(TSTAMP)
	bash scripts/test-deps.sh "$(BIN)"

## Install test dependencies, start what the tests need, run the whole suite.
test: test-deps
	$(BIN)/ruff check .
	$(BIN)/mypy graph queries
	$(BIN)/pytest -q

## Scale benchmark (prints a table; SIZES=10000,100000,1000000 for the full run).
SIZES ?= 10000,100000
bench: $(TSTAMP)
	$(BIN)/python benchmarks/scale.py --sizes $(SIZES)

## Lint, types, and the import layout (no circle, dependencies one way: tests/test_layout.py).
lint: $(TSTAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy graph queries
	$(BIN)/pytest -q -p no:cacheprovider tests/test_layout.py

clean:
	rm -rf $(VENV) .nhigraph test-artifacts

## Coverage-guided fuzzing (atheris) of every registered ingester's parse for FUZZ_SECONDS
## each (default 30), printing cases tried per ingester; a crash keeps its input and fails.
FUZZ_SECONDS ?= 30
fuzz: $(TSTAMP)
	$(BIN)/pip install -q -e '.[test,fuzz]'
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python scripts/fuzz.py
