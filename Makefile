# Two commands on a fresh machine with only python3: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: demo test lint parse docs bench clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

## Generate the demo store, build it, validate it (dbt tests), publish it, say how to look.
demo: $(STAMP)
	$(BIN)/python -m aura demo

## Everything: linters, dbt parse with warnings as errors, and the pytest suite.
test: $(STAMP) lint parse
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m aura.devtools.sql_lint

parse: $(STAMP)
	$(BIN)/dbt parse --profiles-dir . --warn-error --no-partial-parse --target-path target/parse
	$(BIN)/dbt parse --profiles-dir . --warn-error --no-partial-parse --target-path target/parse \
		--vars '{aura_input_format: canonical}'

docs: $(STAMP)
	AURA_DB=published/demo_docs.duckdb $(BIN)/dbt docs generate --profiles-dir . && \
		$(BIN)/dbt docs serve --profiles-dir .

## Benchmarks (not part of the tests): python -m bench.run --sizes 10000,100000,1000000
bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf target logs published demo_data
