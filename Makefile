# Two commands on a fresh machine with only python3: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: demo test lint parse browser docs bench backtest clean

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
test: $(STAMP) lint parse browser
	$(BIN)/python -m pytest -q --durations=15

## Debian's chromium for the real-browser test of the app (Playwright drives it; nothing is
## downloaded by Playwright). Without apt or root rights the test says how to install it and is
## skipped, except in CI (CI=true), where it fails.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
		if command -v apt-get >/dev/null; then \
			$$SUDO apt-get install -y -qq chromium >/dev/null 2>&1 \
			|| { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; } \
			|| echo "could not install Debian's chromium: the browser test needs it"; \
		fi; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m aura.devtools.sql_lint

parse: $(STAMP)
	$(BIN)/dbt parse --profiles-dir . --warn-error --no-partial-parse --target-path target/parse
	$(BIN)/dbt parse --profiles-dir . --warn-error --no-partial-parse --target-path target/parse \
		--vars '{aura_input_format: canonical}'
	$(BIN)/dbt parse --profiles-dir . --warn-error --no-partial-parse --target-path target/parse \
		--vars '{aura_backtest: true}'

## dbt docs for the demo (on a copy: the published file is never opened for writing).
docs: $(STAMP)
	test -f published/healthy_beauty/aura.duckdb || $(MAKE) demo
	mkdir -p target && rm -f target/docs.duckdb && cp published/healthy_beauty/aura.duckdb target/docs.duckdb
	chmod u+w target/docs.duckdb  # published run files are read-only
	AURA_DB=target/docs.duckdb $(BIN)/dbt docs generate --profiles-dir . \
		--vars '{aura_input_dir: demo_data/healthy_beauty}'
	$(BIN)/dbt docs serve --profiles-dir .

## Backtest: replay the engine at every past month-end and print how its predictions did
## (mart_backtest_calibration). Default: the demo store in demo_data/healthy_beauty (generated
## when missing). Any input: make backtest BACKTEST_ARGS="--input-dir DIR --format canonical
## --timezone Europe/London" (python -m aura.tracking.backtest --help lists the options).
BACKTEST_ARGS ?=
backtest: $(STAMP)
	$(BIN)/python -m aura.tracking.backtest $(BACKTEST_ARGS)

## Benchmarks (not part of the tests): python -m bench.run --sizes 10000,100000,1000000
bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf target logs published demo_data
