# Two commands on a fresh machine: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_CONCURRENCY ?= 3
GUNICORN_TIMEOUT ?= 30
# The publishing worker's queues: scheduled publishing and other short tasks, never an LLM call.
PUBLISHING_QUEUES ?= publishing,default
# `make run`: links (feeds, sitemaps, printed addresses) name the address it serves on, unless SITE_URL is set
# in the environment, on make's command line or in .env.
RUN_SITE_URL = $(if $(SITE_URL),,$(if $(shell grep -s '^SITE_URL=' .env),,SITE_URL=http://$(HOST):$(PORT)))

.PHONY: help install lock run test lint typecheck format bench bench-pages bench-profile bench-backup bench-llm bench-media release serve worker backup db-stop clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

# Every package of the tree, at the version and with the hashes of requirements-dev.lock (`make lock` makes it).
$(VENV)/.installed: requirements.lock requirements-dev.lock
	@python=$$(scripts/find-python) || exit 1; \
	  test -x $(PY) || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	@touch $@

install: $(VENV)/.installed  ## Create the virtualenv and install the locked packages (hashes checked)

# Locks for every Python from 3.12 and every platform; the versions already locked are kept unless UPGRADE=1.
LOCK_OPTIONS = --quiet --universal --python-version 3.12 --generate-hashes --custom-compile-command "make lock" \
  $(if $(UPGRADE),--upgrade)
lock: install  ## Resolve requirements.txt and requirements-dev.txt into the .lock files (UPGRADE=1: newest allowed)
	$(VENV)/bin/uv pip compile requirements.txt $(LOCK_OPTIONS) -o requirements.lock
	$(VENV)/bin/uv pip compile requirements-dev.txt $(LOCK_OPTIONS) -c requirements.lock -o requirements-dev.lock

run: install  ## Migrate, load demo content, start web server and task worker
	$(MANAGE) migrate --noinput
	$(RUN_SITE_URL) $(MANAGE) load_demo
	@echo "Starting the publishing worker, the LLM worker and the web server on http://$(HOST):$(PORT)/ (Ctrl+C stops all)"
	@$(RUN_SITE_URL) $(MANAGE) run_worker --queue-name $(PUBLISHING_QUEUES) & publishing=$$!; \
	  $(RUN_SITE_URL) $(MANAGE) run_worker --queue-name llm & llm=$$!; \
	  trap 'kill $$publishing $$llm 2>/dev/null' EXIT INT TERM; \
	  $(RUN_SITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

worker: install  ## Run only the task workers: publishing (and other short tasks) and LLM, each through database outages
	@$(MANAGE) run_worker --queue-name $(PUBLISHING_QUEUES) & publishing=$$!; \
	  trap 'kill $$publishing 2>/dev/null' EXIT INT TERM; \
	  $(MANAGE) run_worker --queue-name llm

# The HTML checker (vnu.jar, run on the machine's Java) and axe-core, pinned in test-tools/package-lock.json.
test-tools/node_modules/.package-lock.json: test-tools/package.json test-tools/package-lock.json
	npm ci --prefix test-tools --ignore-scripts --no-audit --no-fund --loglevel=error

test: install test-tools/node_modules/.package-lock.json  ## Run the test suite (embedded PostgreSQL unless DATABASE_URL is set)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install  ## ruff check, ruff format --check and mypy (make typecheck)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

typecheck: install  ## mypy with django-stubs on the services and selectors (the files listed in pyproject.toml)
	$(VENV)/bin/mypy

format: install  ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

release: install  ## Release step of a deploy, once per deploy: migrate (under a lock) and collectstatic
	$(MANAGE) release

serve: install  ## Production web server: gunicorn with WEB_CONCURRENCY workers (run `make release` first, or RELEASE=1)
	@if [ -n "$(RELEASE)" ]; then $(MANAGE) release; fi
	$(VENV)/bin/gunicorn -c blog_project/gunicorn_conf.py blog_project.wsgi --bind $(HOST):$(PORT) \
	  --workers $(WEB_CONCURRENCY) --timeout $(GUNICORN_TIMEOUT)

backup: install  ## Back up the database now (manage.py pg_backup) into BACKUP_DIR
	$(MANAGE) pg_backup

bench: bench-pages bench-backup bench-llm bench-media  ## Run every benchmark (never part of `make test`); results in bench/results.json

bench-backup: install  ## Benchmark pg_backup against a bare pg_dump on 200,000 sections, and the restore
	$(PY) bench/backup.py $(BENCH_BACKUP_ARGS)

bench-pages: install  ## Readers' pages and admin under gunicorn + wrk, as ratios to a floor view
	$(PY) bench/pages.py $(BENCH_PAGES_ARGS)

bench-profile: install  ## Per-request CPU of each page in-process, and a pyinstrument profile of each (bench/profiles/)
	$(PY) bench/profile_pages.py

bench-llm: install  ## LLM benchmarks: recording overhead per call, metrics page with 200,000 log rows
	$(PY) bench/llm_bench.py

db-stop: install  ## Stop the embedded PostgreSQL server
	$(PY) -c 'from pathlib import Path; from blog_project.embedded_postgres import stop_server; print("stopped" if stop_server(Path("var/postgres")) else "not running")'

clean:  ## Remove the virtualenv (keeps var/: database, media, backups)
	rm -rf $(VENV)

bench-media: install  ## Watermark throughput, one process against all cores, and peak memory per worker
	$(PY) bench/watermark.py

.PHONY: scale-test
scale-test: install  ## Two web instances and two task workers on one database, Redis and S3: shared pages, tasks once, media, a killed worker
	$(PY) -m pytest -m scale blog_project/tests/test_scale.py $(PYTEST_ARGS)
