# The whole job in one command (`make run`) and every test in another (`make test`).
# Targets are verbs that chain: `make demo-data ingest build docs`.
# Everything generated goes under DATA_DIR (default ./data): delete it for a clean reset.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= ./data
SCALE ?= 0.1
SEED ?= 42
# DIRTY=0 turns off the injected bad records (duplicates, malformed lines, out-of-range values, ...)
DIRTY ?= 1
# DAYS: days of history for demo-data (default 90); days to add for advance (default 1)
DAYS ?=
# DRIFT=<kind>: `make advance` injects a drift from the first new day on (channel_mix, price, volume_drop,
# null_spike, schema_change; demo/generator/drift.py); the ground truth goes into the demo manifest
DRIFT ?=
PORT ?= 8080
# M: the model of `make model` / `make show`; PROD_STATE: the production artifacts `make slim-ci` compares with
M ?=
LIMIT ?= 10
PROD_STATE ?= $(DATA_DIR)/prod-artifacts
# DEMO_CHECKS=1: `make build` also runs the checks of the demo's own data (tests/dbt/demo/, var demo_checks);
# `make run` (always the demo) sets it
DEMO_CHECKS ?=
DBT_BUILD_VARS = $(if $(filter 1 true,$(DEMO_CHECKS)),--vars '{demo_checks: true}',)
# UNIT_TESTS=1: `make build` runs dbt's unit tests too. They test the SQL on fixed inputs, not the day's data,
# so the daily build leaves them to `make unit-test`, `make slim-ci` and `make test` (dbt's own advice for
# production builds); `make run` (the first, whole run) sets it
UNIT_TESTS ?=
DBT_BUILD_EXCLUDE = $(if $(filter 1 true,$(UNIT_TESTS)),,--exclude-resource-type unit_test)
# TARGET: the profiles.yml output of `make build` / `make dbt-build` (dev: DuckDB, the default; postgres; spark)
TARGET ?= dev
DBT_TARGET_ARG = $(if $(filter-out dev,$(TARGET)),--target $(TARGET),)
# PARITY_TARGETS: the engines `make parity` builds and compares (the first is the reference); spark uses
# the cluster of `make spark-up` if one is up, else starts one for the run
PARITY_TARGETS ?= dev postgres spark
# PARITY_ADVANCE_DAYS: then a daily cycle on each engine (demo advance, incremental ingest and build) and a
# second comparison; 0 compares the full build only
PARITY_ADVANCE_DAYS ?= 0
# dbt's artifacts folder (dbt reads DBT_TARGET_PATH from the environment too); MANIFEST: the manifest whose
# descriptions `make publish` copies into the snapshot as comments
DBT_TARGET_PATH ?= target
MANIFEST ?= $(DBT_TARGET_PATH)/manifest.json
export DATA_DIR

# Colour and spinners only on a terminal: output piped to a file or read by CI stays plain text.
# dbt's own log file (logs/dbt.log) never gets colour codes.
export DBT_USE_COLORS_FILE ?= false
DBT = DBT_USE_COLORS=$${DBT_USE_COLORS:-$$([ -t 1 ] && echo true || echo false)} $(BIN)/dbt
# $(call plain,<command>): the command, its output (stdout and stderr) made plain text when not on a terminal
plain = if [ -t 1 ]; then $(1); else $(1) 2>&1 | $(BIN)/python -m tools.plain_output; fi

STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: help setup run demo-data advance api-start api-stop api-status ingest build dbt-build save-manifest publish \
        docs docs-generate docs-serve metrics lint lint-fix test test-fast test-idempotency browser \
        reliability reliability-inputs reliability-crash parity spark-up spark-down bench bench-engines bench-generate \
        bench-ingest bench-build bench-compare bench-scale-run clean check model show slim-ci unit-test monitor monitor-quality scaffold train score ct serve-model bench-train

help: ## Show this help
	@echo "Usage: make <target> [DATA_DIR=./data] [SCALE=$(SCALE)] [DAYS=N] [SEED=$(SEED)] [DIRTY=1]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing pinned dependencies into $(VENV) (first run takes a minute or two)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP) ## Create .venv (if missing) and install the pinned dependencies

run: DEMO_CHECKS = 1
run: UNIT_TESTS = 1
run: setup demo-data ingest build docs-generate ## Everything on the embedded default: demo data, ingest, dbt build, docs
	@echo
	@echo "done. warehouse: $(DATA_DIR)/warehouse.duckdb   docs site: $(DATA_DIR)/docs (make docs-serve)"

demo-data: setup ## Generate the demo shop's source systems (SCALE, DAYS=90, SEED, DIRTY=1)
	@$(BIN)/python -m demo generate --scale $(SCALE) --days $(or $(DAYS),90) --seed $(SEED) \
		$(if $(filter 0,$(DIRTY)),--no-dirty,)

advance: setup ## Simulate the next day(s) on top of existing demo data (DAYS=1; DRIFT=<kind> injects a drift)
	@$(BIN)/python -m demo advance --days $(or $(DAYS),1)$(if $(DRIFT), --drift $(DRIFT))

api-start: setup ## Start the demo ad platform API on 127.0.0.1 (background)
	@$(BIN)/python -m demo api start

api-stop: setup ## Stop the demo ad platform API
	@$(BIN)/python -m demo api stop

api-status: setup ## Is the demo ad platform API running?
	@$(BIN)/python -m demo api status

# STRICT=1: warnings (a glob that matches no file, every file rejected, the same content twice) fail the ingest
STRICT ?=
INGEST_ARGS = $(if $(SOURCE),--source $(SOURCE),) $(if $(filter 1,$(STRICT)),--strict,)

ingest: setup ## Load every source into DATA_DIR/warehouse.duckdb with dlt (SOURCE=<name> for one; STRICT=1: warnings fail)
	@$(BIN)/python -m demo with -- $(BIN)/python -m ingestion $(INGEST_ARGS)

# `make build` is the three steps in order; each one also runs on its own
build: dbt-build save-manifest publish ## dbt build without unit tests (UNIT_TESTS=1: with them; DEMO_CHECKS=1: the demo's own data checks too), then save the production manifest (save-manifest) and publish

dbt-build: setup ## dbt build only: seeds, models, snapshots and data tests (UNIT_TESTS=1: unit tests too; refused while the warehouse is in use)
	@mkdir -p "$(DATA_DIR)"
	@$(if $(DBT_TARGET_ARG),,$(BIN)/python -m tools.warehouse_lock check "$(DATA_DIR)/warehouse.duckdb")
	@$(DBT) build --project-dir . --profiles-dir . $(DBT_TARGET_ARG) $(DBT_BUILD_VARS) $(DBT_BUILD_EXCLUDE)

unit-test: setup ## dbt's unit tests alone (the SQL of parsing, sessionization, attribution, SCD2, ... on fixed inputs; after a build)
	@$(DBT) test --select "test_type:unit" --project-dir . --profiles-dir . $(DBT_TARGET_ARG)

save-manifest: ## Save dbt's manifest (MANIFEST) as the production state that make slim-ci compares with (PROD_STATE)
	@test -f "$(MANIFEST)" || { echo "no $(MANIFEST): run make dbt-build first" >&2; exit 2; }
	@mkdir -p "$(PROD_STATE)"
	@cp "$(MANIFEST)" "$(PROD_STATE)/manifest.json.tmp" && mv "$(PROD_STATE)/manifest.json.tmp" "$(PROD_STATE)/manifest.json"

publish: setup ## Snapshot the marts into DATA_DIR/published/warehouse.duckdb for read-only use (atomic swap)
	@$(if $(DBT_TARGET_ARG),echo "publish: the DuckDB snapshot is for TARGET=dev only (skipped for $(TARGET))",$(BIN)/python -m tools.publish --manifest "$(MANIFEST)")

spark-up: setup ## Start a local Spark standalone cluster (master, 1 worker) and its Thrift server on 127.0.0.1:10000 (DATA_DIR/spark/)
	@$(BIN)/python -c "import pyspark" 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[spark]'
	@$(BIN)/python -m tools.spark_cluster up

spark-down: setup ## Stop the Spark cluster of make spark-up
	@$(BIN)/python -m tools.spark_cluster down

parity: setup ## Build the demo data on each engine (PARITY_TARGETS="dev postgres spark") and compare every mart row by row (PARITY_ADVANCE_DAYS=2: again after a daily cycle); exit 1 on a difference
	@$(if $(filter spark,$(PARITY_TARGETS)),$(BIN)/python -c "import pyspark" 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[spark]')
	@$(BIN)/python -m tools.parity --data-dir "$(DATA_DIR)/parity" --scale $(or $(PARITY_SCALE),0.02) \
		--days $(or $(DAYS),20) --seed $(SEED) --targets $(PARITY_TARGETS) --advance-days $(PARITY_ADVANCE_DAYS)

monitor: setup ## Build the monitoring models (models/monitoring) on the built warehouse; print the newest day's checks, write DATA_DIR/reports/monitoring.html, exit 1 on an error
	@$(DBT) build --select tag:monitoring --exclude test_name:no_monitoring_alarms --project-dir . --profiles-dir .
	@$(BIN)/python -m tools.monitoring $(if $(ALL),--all,) --report "$(DATA_DIR)/reports/monitoring.html"

# SEEDS, JSON: `make monitor-quality SEEDS=1,2 JSON=quality.json`
monitor-quality: setup ## Detection quality of the monitoring: each drift kind and a stationary run per seed, against the manifest
	@$(BIN)/python -m tools.monitoring_quality $(if $(SEEDS),--seeds $(SEEDS),) $(if $(JSON),--json $(JSON),)

# The churn model (ml/, README "Continuous training"): MLflow's store is DATA_DIR/mlflow
train: setup ## Train the churn model on the point-in-time snapshots, track and register it in MLflow (DATA_DIR/mlflow), promote it if the quality gate allows; writes DATA_DIR/ml/last_train.json
	@$(BIN)/python -m ml train

score: setup ## Score the newest day's customers with the champion model into the warehouse (ml_scores.churn_scores), then build fct_churn_scores and its realized-AUC report
	@$(BIN)/python -m tools.warehouse_lock check "$(DATA_DIR)/warehouse.duckdb"
	@$(BIN)/python -m ml score
	@$(DBT) build --select stg_ml_scores__churn_scores+ --project-dir . --profiles-dir . --quiet

ct: setup ## One continuous-training cycle: advance the demo a day, ingest, build, monitor, retrain if needed (no champion, drift on a model feature, a newly matured week), gate, score
	@$(MAKE) --no-print-directory advance DAYS=1
	@$(MAKE) --no-print-directory ingest build
	@$(MAKE) --no-print-directory monitor || echo "ct: monitoring reported errors (above); the retraining decision reads them"
	@rc=0; $(BIN)/python -m ml ct || rc=$$?; \
		if [ $$rc -eq 0 ]; then $(MAKE) --no-print-directory train; elif [ $$rc -ne 3 ]; then exit $$rc; fi
	@$(MAKE) --no-print-directory score

MODEL_PORT ?= 5001

serve-model: setup ## Serve the champion churn model with MLflow's scoring server on 127.0.0.1:MODEL_PORT (default 5001; POST /invocations {"dataframe_records": [...]}; Ctrl-C stops)
	@$(BIN)/python -m ml serve --port $(MODEL_PORT)

check: setup ## Metadata guardrails: descriptions, grain tests, not_null constraints, owners, layer rules, naming (on a fresh dbt parse)
	@$(DBT) parse --project-dir . --profiles-dir . --quiet
	@$(BIN)/python -m tools.check_project --manifest "$(DBT_TARGET_PATH)/manifest.json"

scaffold: setup ## Write the dbt source YAML and a typed, renamed stg_ model per raw table of a loaded dataset: make scaffold SOURCE=<dataset> [FORCE=1]
	@test -n "$(SOURCE)" || { echo "usage: make scaffold SOURCE=<dlt dataset> [FORCE=1]" >&2; exit 2; }
	@$(BIN)/python -m tools.scaffold --source "$(SOURCE)" --warehouse "$(DATA_DIR)/warehouse.duckdb" $(if $(filter 1,$(FORCE)),--force,)

model: setup ## Build one model and everything downstream of it, with their tests: make model M=<name>
	@test -n "$(M)" || { echo "usage: make model M=<model name>" >&2; exit 2; }
	@$(DBT) build --select "$(M)+" --project-dir . --profiles-dir .

show: setup ## Preview a model's rows (its SQL run on the warehouse, not the table): make show M=<name> [LIMIT=10]
	@test -n "$(M)" || { echo "usage: make show M=<model name> [LIMIT=10]" >&2; exit 2; }
	@$(DBT) show --select "$(M)" --limit $(LIMIT) --project-dir . --profiles-dir .

slim-ci: setup ## Build and test only changed models and their children, deferring to the last `make build` (PROD_STATE)
	@test -f "$(PROD_STATE)/manifest.json" || { echo "no production manifest in $(PROD_STATE): run make build first" >&2; exit 2; }
	@$(DBT) build --select state:modified+ --defer --state "$(PROD_STATE)" --project-dir . --profiles-dir .

docs-generate: setup ## Generate the dbt docs site (catalog from the warehouse) into DATA_DIR/docs
	@mkdir -p "$(DATA_DIR)/docs"
	@$(DBT) docs generate --project-dir . --profiles-dir . --target-path "$(DATA_DIR)/docs/target" --quiet
	@cp "$(DATA_DIR)/docs/target/index.html" "$(DATA_DIR)/docs/target/manifest.json" \
		"$(DATA_DIR)/docs/target/catalog.json" "$(DATA_DIR)/docs/"
	@echo "docs site written to $(DATA_DIR)/docs (make docs-serve to browse it)"

docs: docs-generate docs-serve ## Generate the docs site and serve it on http://127.0.0.1:PORT (Ctrl-C stops)

docs-serve: setup ## Serve the generated docs site on http://127.0.0.1:PORT (static files: no warehouse lock)
	@test -f "$(DATA_DIR)/docs/index.html" || $(MAKE) --no-print-directory docs-generate
	@echo "serving the dbt docs site on http://127.0.0.1:$(PORT) (Ctrl-C stops)"
	@$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory "$(DATA_DIR)/docs"

# the example query of `make metrics`; any `mf query` options, e.g.
# make metrics MF_QUERY="--metrics roas,cac --group-by campaign__channel"
MF_QUERY ?= --metrics revenue,orders,average_order_value --group-by metric_time__week --order metric_time__week

metrics: setup ## Validate the semantic layer (MetricFlow) on the built warehouse and run MF_QUERY (revenue by week)
	@$(DBT) parse --project-dir . --profiles-dir . --quiet
	@$(call plain,$(BIN)/mf validate-configs --show-all)
	@$(call plain,$(BIN)/mf query $(MF_QUERY) --decimals 2)

# sqlfluff's dbt templater compiles each model: against an empty scratch DATA_DIR (models render as on a
# first build; the warehouse is never opened, so a running build does not block the lint), with dbt's
# target folder there too. SQL=<paths> lints only those files, e.g. SQL=models/marts/core/fct_orders.sql
SQL ?= models tests/dbt

lint: setup ## Lint Python (ruff check, ruff format --check) and SQL (sqlfluff, house style in .sqlfluff; SQL=<paths>)
	@$(BIN)/ruff check demo ingestion ml benchmarks tools tests
	@$(BIN)/ruff format --check --quiet demo ingestion ml benchmarks tools tests
	@scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	DATA_DIR="$$scratch" DBT_TARGET_PATH="$$scratch/target" $(BIN)/sqlfluff lint $(SQL)

lint-fix: setup ## Apply sqlfluff's fixes to SQL (default: models tests/dbt); review the diff before committing
	@scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	DATA_DIR="$$scratch" DBT_TARGET_PATH="$$scratch/target" $(BIN)/sqlfluff fix $(SQL)

# two pytest-xdist workers: one builds the session warehouses and runs their tests, the other the rest beside it
PYTEST_WORKERS ?= 2

test: setup browser ## Run every test (pytest: generator, API, OLTP on PostgreSQL and MariaDB, docs site in Chromium, make smoke test; PYTEST_WORKERS=2)
	@$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadscope --durations 15

test-fast: setup ## Tests without the slow end-to-end ones
	@$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadscope -m "not slow"

reliability: setup ## Crash trials + bad-input catalogue (~5 min); writes the README's reliability summary
	@$(BIN)/python -m tools.reliability --write-readme

reliability-inputs: setup ## Bad-input catalogue: damage scratch demo data, ingest, dbt; a table of what each input gets
	@$(BIN)/python -m tools.reliability.bad_inputs $(if $(JSON),--json $(JSON),)

test-idempotency: setup ## Re-run ingest and dbt build on a copy of a demo warehouse; assert identical content hashes
	@$(BIN)/python -m pytest tests/python/warehouse/test_idempotency.py

# crash recovery trials (tools/reliability/crash.py): INGEST_TRIALS ingest kills, DBT_TRIALS dbt build kills
INGEST_TRIALS ?= 12
DBT_TRIALS ?= 4

reliability-crash: setup ## SIGKILL ingest and dbt build at random points, re-run, compare with an uninterrupted run (~5 min)
	@$(BIN)/python -m tools.reliability.crash --ingest-trials $(INGEST_TRIALS) --dbt-trials $(DBT_TRIALS) --seed $(SEED)

# the docs site test drives Debian's headless Chromium; without it (not root, no apt-get) that test skips
BROWSER_PACKAGES := chromium chromium-driver

browser: ## Install headless Chromium and chromedriver for the docs site test (Debian, as root) if missing
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	  echo "note: no /usr/bin/chromium + /usr/bin/chromedriver and no root apt-get to install them:" \
	    "the docs site browser test will be skipped (install Debian's $(BROWSER_PACKAGES))"; exit 0; fi; \
	echo "installing $(BROWSER_PACKAGES) with apt-get for the docs site browser test"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null 2>&1 \
	  || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; } \
	  || { echo "error: apt-get could not install $(BROWSER_PACKAGES)" >&2; exit 1; }

# BENCH_JSON=<dir>: each benchmark also writes its judged figures to <dir>/<benchmark>.json, a list of
# {benchmark, scale, metric, value, unit, target, pass} records
BENCH_JSON ?=
bench_json = $(if $(BENCH_JSON),--json $(BENCH_JSON)/$(1).json,)

bench: bench-generate bench-ingest bench-build bench-train ## Run all benchmarks (BENCH_JSON=<dir>: also write their figures as JSON there)

bench-generate: setup ## Generator speed and peak memory at SCALE=1 and SCALE=3 (temporary DATA_DIRs)
	@$(BIN)/python -m benchmarks.generate --scales 1 3 $(call bench_json,generate)

bench-ingest: setup ## Ingest vs DuckDB's own loaders, incremental run, peak memory at SCALE=1 and 3 (~15 min)
	@$(BIN)/python -m benchmarks.ingest --scales 1 3 --repeats 3 1 $(call bench_json,ingest)

bench-train: setup ## make train's time and peak memory at SCALE=1 (targets < 2 min, < 2 GB; REUSE=<built DATA_DIR> skips preparing)
	@$(BIN)/python -m benchmarks.train --scale 1 $(if $(REUSE),--reuse "$(REUSE)",) $(call bench_json,train)

bench-build: setup ## dbt build time at SCALE=1 and 3, incremental build after one new day vs full, and dbt's floor (the same build with --empty) (~20 min)
	@$(BIN)/python -m benchmarks.build --scales 1 3 --repeats 3 1 $(call bench_json,build)

bench-engines: setup ## dbt build time per engine (dev, postgres, spark) at SCALE=0.1 and 1, and the growth ratio (about an hour)
	@$(BIN)/python -c "import pyspark" 2>/dev/null || $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[spark]'
	@$(BIN)/python -m benchmarks.engines --scales 0.1 1 --targets dev postgres spark $(call bench_json,engines)

bench-scale-run: setup ## make run's phases (demo-data, ingest, build, docs-generate) at SCALE=1 and SCALE=10: seconds, peak RSS, growth (SCALES="1 10"; about an hour)
	@$(BIN)/python -m benchmarks.scale_run --scales $(or $(SCALES),1 10) $(call bench_json,scale_run)

bench-compare: setup ## Two versions' dbt build side by side on the same SCALE=1 data, full and after one new day (BASE=<git rev>, required; HEAD=<rev>, default this working tree; ~15 min)
	@test -n "$(BASE)" || { echo "make bench-compare needs BASE=<git revision>"; exit 2; }
	@$(BIN)/python -m benchmarks.compare_builds --base "$(BASE)" $(if $(HEAD),--head "$(HEAD)",) --scale 1 --rounds 2 $(call bench_json,compare_builds)

clean: ## Remove DATA_DIR, dbt artifacts and caches (keeps .venv)
	@$(BIN)/python -m demo api stop >/dev/null 2>&1 || true
	rm -rf "$(DATA_DIR)" target logs dbt_packages .pytest_cache .ruff_cache
