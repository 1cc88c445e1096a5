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

## Generate the demo store, build it, validate it (dbt tests, GX checkpoint), publish it,
## print the decision and the command that opens the app.
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

## dbt docs for the demo (on a copy: the published file is never opened for writing).
docs: $(STAMP)
	test -f published/healthy_beauty/aura.duckdb || $(MAKE) demo
	mkdir -p target && rm -f target/docs.duckdb && cp published/healthy_beauty/aura.duckdb target/docs.duckdb
	chmod u+w target/docs.duckdb  # published run files are read-only
	AURA_DB=target/docs.duckdb $(BIN)/dbt docs generate --profiles-dir . \
		--vars '{aura_input_dir: demo_data/healthy_beauty}'
	$(BIN)/dbt docs serve --profiles-dir .

## Benchmarks (not part of the tests): python -m bench.run --sizes 10000,100000,1000000
bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf target logs published demo_data
