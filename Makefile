# Kampung — the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
NAME ?=
PYTEST_ARGS ?=

.PHONY: demo test install install-dev lint typecheck pytest bench serve messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## demo: install, build the demo regency (kept if already built) and serve it with gunicorn.
demo: install
	$(BIN)/kampung migrate --verbosity 0
	$(BIN)/kampung demo --no-serve
	$(BIN)/kampung collectstatic --noinput --verbosity 0
	@echo "Kampung berjalan di http://$(HOST):$(PORT)/  (Ctrl+C untuk berhenti)"
	$(BIN)/gunicorn kampung.config.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - --graceful-timeout 5

serve: install
	$(BIN)/kampung collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn kampung.config.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

## test: lint, type checks and the whole test suite.
test: install-dev lint typecheck pytest

lint: install-dev
	$(BIN)/ruff check kampung bench
	$(BIN)/ruff format --check kampung bench

typecheck: install-dev
	$(BIN)/mypy kampung bench

pytest: install-dev
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

## bench: run every benchmark in bench/ (or one: make bench NAME=demo_build).
bench: install-dev
	$(BIN)/python bench/run.py $(NAME)

## messages: refresh the English translation catalogue (needs GNU gettext); commit the .po and .mo.
messages: install
	$(BIN)/kampung makemessages -l en --ignore '.venv/*' --ignore 'bench/*'
	$(BIN)/kampung compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var
