# Pix Orga — two commands do everything: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint chromium stop clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Embedded PostgreSQL + Redis under ./var, demo data, Celery worker and web server on :8000.
run: install
	$(PY) -m pixorga.embedded --data-dir var -- $(PY) -m pixorga.stack

## ruff, then the whole pytest suite (unit, integration, Celery worker, Playwright/Chromium).
test: install chromium
	$(PY) -m pixorga.embedded --temp -- sh -c '$(VENV)/bin/ruff check . && DJANGO_SETTINGS_MODULE=pixorga.settings.test $(PY) -m pytest $(PYTEST_ARGS)'

lint: install
	$(VENV)/bin/ruff check .

chromium:
	@if [ -x "$${CHROMIUM:-/usr/bin/chromium}" ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installation de Chromium (apt)…"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium est requis pour les tests navigateur : installez le paquet 'chromium' (ou définissez CHROMIUM)."; exit 1; fi

## Stop a Redis left running by a manage.py command run outside `make run`.
stop:
	$(PY) -m pixorga.embedded --data-dir var --stop

clean:
	rm -rf var
