# Confnotes: `make demo` sets up and serves the demo site, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# The demo runs with DEBUG off (site_core/settings/demo.py): the site's own 404 and 500 pages.
DEMO_MANAGE := DJANGO_SETTINGS_MODULE=site_core.settings.demo $(MANAGE)

# A Python >= 3.12: $(PYTHON) if given, else the first suitable one on PATH or under pyenv.
PYTHON_CANDIDATES := $(PYTHON) python3.13 python3.12 python3 \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) \
	$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) \
	$(wildcard /usr/local/bin/python3.1[3-9]) $(wildcard /usr/bin/python3.1[3-9])
find_python = $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell command -v $(p) >/dev/null 2>&1 && $(p) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && command -v $(p))))

.PHONY: help demo serve serve-prod worker-prod test lint format check bench clean
help:
	@echo "make demo   set up .venv, migrate var/confnotes.sqlite3, load demo content, serve on 127.0.0.1:$(PORT)"
	@echo "make test   install test extras and run the whole pytest suite"
	@echo "make lint   ruff, djhtml, lint-imports, manage.py check, makemigrations --check"
	@echo "make bench  run the benchmarks in benchmarks/"
	@echo "make serve-prod  gunicorn with production settings on 127.0.0.1:$(PORT) (needs SECRET_KEY, ALLOWED_HOSTS, ...)"
	@echo "make worker-prod the task worker for background jobs (imports, index rebuilds), production settings"

$(VENV)/.runtime: requirements.lock
	@py="$(call find_python)"; \
	if [ -z "$$py" ]; then \
		echo "Confnotes needs Python 3.12 or newer and none was found." >&2; \
		echo "Install one, e.g. 'pyenv install 3.13' or 'apt-get install python3.13 python3.13-venv'," >&2; \
		echo "or point at it: make demo PYTHON=/path/to/python3.13" >&2; \
		exit 1; \
	fi; \
	echo "Using $$py ($$($$py --version))"; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		rm -rf $(VENV) && $$py -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $@

$(VENV)/.test: $(VENV)/.runtime requirements-test.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-test.lock
	@touch $@

demo: $(VENV)/.runtime
	@mkdir -p var
	$(DEMO_MANAGE) migrate --no-input -v 0
	$(DEMO_MANAGE) load_demo
	$(DEMO_MANAGE) setup_groups
	$(DEMO_MANAGE) set_site_url http://127.0.0.1:$(PORT)
	$(DEMO_MANAGE) ensure_demo_admin
	@echo "Confnotes demo: open http://127.0.0.1:$(PORT)/ (editors: http://127.0.0.1:$(PORT)/admin/, user admin)"
	@DJANGO_RUNSERVER_HIDE_WARNING=true $(DEMO_MANAGE) runserver 127.0.0.1:$(PORT) --skip-checks

serve: $(VENV)/.runtime
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# Production settings under gunicorn (README: "Running in production"). The environment must
# provide SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, ...; run `manage.py migrate` and
# `manage.py collectstatic --noinput` with the same environment first.
serve-prod: $(VENV)/.runtime
	DJANGO_SETTINGS_MODULE=site_core.settings.production \
		$(VENV)/bin/gunicorn site_core.wsgi -w 2 -b 127.0.0.1:$(PORT)

# The companion of serve-prod: runs the background jobs (admin imports of many talks) that
# production settings put on django-tasks-db's database backend. One or more per deployment.
worker-prod: $(VENV)/.runtime
	DJANGO_SETTINGS_MODULE=site_core.settings.production \
		$(MANAGE) db_worker --backend background

test: $(VENV)/.test
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check templates
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=site_core.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=site_core.settings.test $(MANAGE) makemigrations --check --dry-run

format: $(VENV)/.test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml templates

bench: $(VENV)/.test
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) var/confnotes.sqlite3 var/media var/static
