# Two commands for a newcomer: `make demo` and `make test`. Needs only Python 3.11 and make:
# the first run installs uv into .tools/ and the locked dependencies into .venv/.

PYTHON ?= python3
PORT ?= 8000
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install demo test lint bench bench-data run worker beat clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode compiled at install: where PYTHONDONTWRITEBYTECODE is set (CI, containers) every
# process would otherwise compile each module it imports, about 3 s per command.
$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

install: $(VENV)/.installed

# DEMO_SYSTEM=<an ICB's ONS or ODS code> loads that system's demo instead of the shipped one.
demo: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py collectstatic --noinput -v0
	DEBUG=true $(PY) manage.py load_demo $(if $(DEMO_SYSTEM),--system "$(DEMO_SYSTEM)")
	@echo ""
	@echo "Outcomes is starting at http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The browser tests inject axe-core, pinned in tests/browser/package-lock.json. Without npm
# they skip locally (and fail in CI, where OUTCOMES_REQUIRE_SERVICES=1).
BROWSER_JS := tests/browser/node_modules/.package-lock.json

$(BROWSER_JS): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the browser tests will be skipped (install Node.js to run them)"; fi

test: lint $(BROWSER_JS)
	$(VENV)/bin/pytest

# Benchmarks (never timed tests). The ingest benchmark needs PostgreSQL: it creates the
# database named by BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/outcomes_bench).
# The page benchmark and load test read two databases that `make bench-data` builds once:
# BENCH_DATABASE_URL with _pages_100k and _pages_10m appended (synthetic, seeded); the board
# pack benchmark copies the first and loads the demo into a database of its own; the API
# benchmark builds BENCH_DATABASE_URL with _api appended (100k, then 1M observations).
bench: install
	$(PY) -m tests.benchmarks.bench_statistics
	$(PY) -m tests.benchmarks.bench_ingest
	$(PY) -m tests.benchmarks.bench_pages
	$(PY) -m tests.benchmarks.bench_boardpack
	$(PY) -m tests.benchmarks.bench_load
	$(PY) -m tests.benchmarks.bench_api

bench-data: install
	$(PY) -m tests.benchmarks.scale_data --scale ics
	$(PY) -m tests.benchmarks.scale_data --scale national

worker: install
	$(VENV)/bin/celery -A outcomes_site worker --loglevel=INFO

# Celery beat, beside a worker: the drop folder scan, uploads that waited for the broker,
# scheduled publications (every minute; their times are in the database) and, with
# FINGERTIPS_REFRESH_AT, the daily Fingertips refresh.
beat: install
	mkdir -p var && $(VENV)/bin/celery -A outcomes_site beat --loglevel=INFO --schedule var/celerybeat-schedule

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache tests/browser/node_modules
