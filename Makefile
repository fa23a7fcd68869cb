# Two commands for a new machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Root installs system packages directly; anyone else through sudo.
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=

.PHONY: demo test install browser lint check-deploy messages serve clean

demo: install  ## create .venv, migrate, seed the demo street, print logins, serve
	$(BIN)/gongzhi demo

serve: install
	$(BIN)/gongzhi serve

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# Debian's Chromium drives the browser tests (Playwright's own browser
# download does not work offline); Noto CJK renders the Chinese in screenshots.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk; \
	fi

test: install browser  ## the whole suite on SQLite (DATABASE_URL selects PostgreSQL)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Production settings must pass Django's deployment checks cleanly.
check-deploy: install
	DJANGO_SETTINGS_MODULE=gongzhi.config.settings.production \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	GONGZHI_DATA_KEY="$$($(BIN)/python -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())')" \
	ALLOWED_HOSTS=gongzhi.example.org \
	GONGZHI_DATA_DIR="$$(mktemp -d)" \
	$(BIN)/gongzhi check --deploy --fail-level WARNING

messages: install  ## refresh and compile translations (needs gettext)
	cd src/gongzhi && ../../$(BIN)/gongzhi makemessages -l zh_Hans -l en --no-obsolete
	cd src/gongzhi && ../../$(BIN)/gongzhi compilemessages

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache artifacts
