# `make run` brings up the whole stack locally; `make test` runs every test, browser ones
# included. Both set up what they need first: the virtualenv and Debian's chromium.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint format unit bench clean chromium deploy destroy policy unlock

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

run: $(STAMP)
	$(BIN)/python -m devstack.run

test: $(STAMP) chromium lint
	$(BIN)/python -m pytest -q

bench: $(STAMP) chromium
	$(BIN)/python -m bench

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

STAGE ?=

deploy: $(STAMP)
	@test -n "$(STAGE)" || { echo "usage: make deploy STAGE=dev|prod EMAIL_FROM=no-reply@your.domain [DOMAIN=... CERTIFICATE_ARN=...]"; exit 2; }
	$(BIN)/python -m deploy up --stage $(STAGE)

destroy: $(STAMP)
	@test -n "$(STAGE)" || { echo "usage: make destroy STAGE=dev|prod [ARGS=--delete-tables]"; exit 2; }
	$(BIN)/python -m deploy destroy --stage $(STAGE) $(ARGS)

unlock: $(STAMP)
	@test -n "$(STAGE)" -a -n "$(EMAIL)" || { echo "usage: make unlock STAGE=dev|prod EMAIL=..."; exit 2; }
	$(BIN)/python -m deploy unlock --stage $(STAGE) --email "$(EMAIL)"

policy: $(STAMP)
	$(BIN)/python -m deploy policy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/browser/screenshots build
