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

.PHONY: install demo test lint bench run worker clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

install: $(VENV)/.installed

demo: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py collectstatic --noinput -v0
	DEBUG=true $(PY) manage.py load_demo
	@echo ""
	@echo "Outcomes is starting at http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: lint
	$(VENV)/bin/pytest

# Benchmarks (never timed tests). The ingest benchmark needs PostgreSQL: it creates the
# database named by BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/outcomes_bench).
bench: install
	$(PY) -m tests.benchmarks.bench_statistics
	$(PY) -m tests.benchmarks.bench_ingest

worker: install
	$(VENV)/bin/celery -A outcomes_site worker --loglevel=INFO

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache
