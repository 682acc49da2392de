# `make run` brings up the whole stack locally; `make test` runs every test, browser ones
# included. Both set up what they need first: the virtualenv and Debian's chromium.

# The Lambda runtime is the Python that runs chalice (README: "Deploying"), so the whole
# project runs on the runtime's: python3.12, found on PATH or among pyenv's versions.
RUNTIME := 3.12
PYTHON ?= $(shell for p in python$(RUNTIME) \
  $$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/$(RUNTIME).*/bin/python$(RUNTIME) 2>/dev/null | sort -V -r); do \
  "$$p" -c '$(IS_RUNTIME)' 2>/dev/null && { echo "$$p"; break; }; done)
IS_RUNTIME := import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(RUNTIME)".split("."))))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(RUNTIME)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint format unit bench clean chromium deploy destroy policy unlock

$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python $(RUNTIME) is needed (the Lambda runtime): install it, or set PYTHON"; exit 2; }
	$(BIN)/python -c '$(IS_RUNTIME)' 2>/dev/null || $(PYTHON) -m venv --clear $(VENV)
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
