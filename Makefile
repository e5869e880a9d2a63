# Switchboard: `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench venv clean migration i18n

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/switchboard demo

test: $(STAMP) lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy customers/model.py customers/value routing/model.py tickets/model tickets/holiday_sources.py knowledge/model.py knowledge/index knowledge/flows routing/engine routing/erlang.py routing/metrics customers/leads/scoring.py routing/outbound/model.py routing/outbound/compliance.py routing/outbound/retry.py routing/outbound/hopper.py routing/outbound/pacing.py routing/outbound/simulation.py routing/outbound/schedule.py customers/leads/intake.py knowledge/store.py knowledge/sync.py knowledge/service.py knowledge/flow_service.py knowledge/schemas.py knowledge/api.py switchboard/core console

bench: $(STAMP)
	for name in screen_pop routing_decision sla_timers kb_search cti_ingest dialer ani_lookup customer_search customer_360 console_pop wallboard; do \
		$(BIN)/python -m bench $$name --json || exit 1; \
	done

# For contributors: after changing console strings, `make i18n` extracts them, merges them into
# the Chinese catalog (translate the new msgstr lines, then run it again) and compiles the .mo.
i18n: $(STAMP)
	$(BIN)/pybabel extract -o console/locale/console.pot --no-location --omit-header --sort-output console
	$(BIN)/pybabel update -i console/locale/console.pot -d console/locale -D console -l zh_CN \
		--no-fuzzy-matching
	$(BIN)/pybabel compile -d console/locale -D console -l zh_CN --statistics

# For contributors: `make migration MSG="what changed"` writes the next alembic revision.
migration: $(STAMP)
	rm -rf .migration-scratch
	SWITCHBOARD_DATA_DIR=.migration-scratch $(BIN)/python -c "import asyncio, sys; \
	from switchboard.core.settings import Settings; from switchboard.migrate import new_revision; \
	asyncio.run(new_revision(Settings(), sys.argv[1]))" "$(MSG)"
	rm -rf .migration-scratch
	$(BIN)/ruff format switchboard/migrations/versions

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .hypothesis
