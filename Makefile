# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-dev lint format migrate seed totp worker beat vendor messages screenshots clean

run: install ## A seeded demo on SQLite with eager Celery, at http://127.0.0.1:8000
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) runserver $(HOST)

test: install-dev ## The whole suite, on whatever DATABASE_URL names (SQLite when unset), one worker per core
	$(BIN)/pytest -n auto

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install
	$(MANAGE) migrate --noinput

seed: install
	$(MANAGE) seed_demo

totp: install ## Current two-factor codes of the demo admins
	$(MANAGE) demo_totp

worker: install
	$(BIN)/celery -A consortium worker --loglevel=INFO

beat: install
	$(BIN)/celery -A consortium beat --loglevel=INFO

screenshots: install-dev ## README screenshots of the seeded demo, into docs/screenshots/ (needs chromium)
	$(BIN)/python docs/screenshots/capture.py

messages: install ## Extract strings into locale/*/LC_MESSAGES/django.po, then compile (needs GNU gettext)
	$(MANAGE) makemessages --all --ignore=.venv --ignore=staticfiles
	$(MANAGE) compilemessages --ignore=.venv

vendor: ## Refresh the vendored front-end libraries from the npm registry
	cd static/vendor && npm install --no-save --no-audit --no-fund --no-package-lock
	cp static/vendor/node_modules/bootstrap/dist/css/bootstrap.min.css* static/vendor/
	cp static/vendor/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/
	cp static/vendor/node_modules/htmx.org/dist/htmx.min.js static/vendor/
	rm -rf static/vendor/node_modules

clean:
	rm -rf var staticfiles .pytest_cache
