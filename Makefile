# Two commands on a fresh machine: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test test-db lint format check bench serve worker db-stop clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@python=$$(scripts/find-python) || exit 1; \
	  test -x $(PY) || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed  ## Create the virtualenv and install pinned packages

run: install  ## Migrate, load demo content, start web server and task worker
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	@echo "Starting the task worker and the web server on http://$(HOST):$(PORT)/ (Ctrl+C stops both)"
	@$(MANAGE) db_worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(MANAGE) runserver $(HOST):$(PORT)

worker: install  ## Run only the task worker
	$(MANAGE) db_worker

test: install  ## Run the test suite (embedded PostgreSQL unless DATABASE_URL is set)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install  ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install  ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

db-stop: install  ## Stop the embedded PostgreSQL server
	$(PY) -c 'from pathlib import Path; from blog_project.embedded_postgres import stop_server; print("stopped" if stop_server(Path("var/postgres")) else "not running")'

clean:  ## Remove the virtualenv (keeps var/: database, media, backups)
	rm -rf $(VENV)

# --- Media library ---
.PHONY: bench-media
bench: bench-media  ## Run the benchmarks (never part of `make test`)

bench-media: install  ## Watermark throughput, one process against all cores, and peak memory per worker
	$(PY) bench/watermark.py
