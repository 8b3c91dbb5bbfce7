# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint bench setup migrate clean fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(PY) manage.py migrate --noinput

## Serve the app with the seed corpus loaded and pre-annotated (SQLite, eager Celery by default).
run: migrate
	$(PY) manage.py seed_demo
	@echo
	@echo "  factcheck is starting on http://$(HOST):$(PORT)/"
	@echo "  Log in:  http://$(HOST):$(PORT)/   as reviewer1 or reviewer2 to review, lead to settle disputes"
	@echo "           (password: FACTCHECK_DEMO_PASSWORD in .env)"
	@echo "  Admin:   http://$(HOST):$(PORT)/admin/   (user admin only: the other users are not staff)"
	@echo "  API:     http://$(HOST):$(PORT)/api/docs/"
	@echo
	$(PY) manage.py runserver $(HOST):$(PORT)

## Run the test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, else SQLite/eager).
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

## Fuzz the API against its schema at length: tens of thousands of cases (FUZZ_EXAMPLES per
## role and kind; `make test` runs 300 of each).
FUZZ_EXAMPLES ?= 10000
fuzz: setup
	FACTCHECK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -m fuzz -p no:logging -s $(PYTEST_ARGS)

## Lint, types and migrations in step with the models.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run

## Print the benchmark table.
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .mypy_cache .ruff_cache
