# Personal Secretary — the two commands a newcomer needs are `make run` and `make test`.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SERVE := $(VENV)/bin/uvicorn secretary.asgi:application --host $(HOST) --port $(PORT)
# Logs of what `make run` starts in the background.
RUN_DIR := .run
SERVER_LOG := $(RUN_DIR)/server.log

# Python 3.12: from PATH, else from pyenv (how these machines carry it).
PYTHON312 ?= $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' 2>/dev/null && command -v python3.12 \
	|| ls -1d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 2>/dev/null | tail -n 1)

# Tests run on the real services; override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/secretary
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: help venv install run test bench bench-before evaluate lint typecheck format messages migrate check compose-check clean

help:
	@echo "make run   - start the product on the embedded default (SQLite, inline tasks):"
	@echo "             the bot with TELEGRAM_BOT_TOKEN, else the terminal chat, plus the web server"
	@echo "             (a staff login for /admin/: DEBUG=1 $(PY) manage.py createsuperuser)"
	@echo "make test  - set up and run the whole test suite (PostgreSQL + Redis)"
	@echo "make bench - the benchmarks (webhook beside bare aiogram, pipeline, AI cost, memory, local"
	@echo "             classifier, expiry of 10,000) on the local services -> docs/performance.md"
	@echo "make evaluate - the local classifier on every evaluation set, cold and learning -> docs/classifier.md"
	@echo "make lint | typecheck | format | check | compose-check | messages | migrate | clean"

$(VENV)/.installed: requirements/base.txt requirements/dev.txt requirements/prod.txt
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found: install it (pyenv install 3.12) or set PYTHON312=/path/to/python3.12"; exit 1; }
	@test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements/dev.txt -r requirements/prod.txt
	@touch $@

venv install: $(VENV)/.installed

messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=staticfiles -v 0

migrate: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input

# The main job in front, the web server behind it (logging to $(SERVER_LOG), stopped when the
# main job ends): with a bot token the bot by long polling; without one, in a terminal, the chat
# (manage.py chat). Without a token and without a terminal it only serves, in front.
run: messages migrate
	@export DEBUG=$${DEBUG:-1}; \
	if [ -z "$$TELEGRAM_BOT_TOKEN" ] && [ ! -t 0 ]; then \
	  echo "Serving http://$(HOST):$(PORT)/ (admin: /admin/, readiness: /readyz); its log follows"; \
	  exec $(SERVE); \
	fi; \
	mkdir -p $(RUN_DIR); \
	$(SERVE) >$(SERVER_LOG) 2>&1 & server=$$!; \
	trap 'kill $$server 2>/dev/null; wait $$server 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then \
	  echo "The bot (long polling) and http://$(HOST):$(PORT)/ are running; server log: $(SERVER_LOG)"; \
	  $(PY) manage.py runbot; \
	else \
	  echo "No bot token: the chat and http://$(HOST):$(PORT)/ are running; server log: $(SERVER_LOG)"; \
	  $(PY) manage.py chat; \
	fi

test: messages
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	DEBUG=1 $(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks on the local services, each beside its baseline in the same run, writing
# bench/results/*.json and docs/performance.md. Each creates and drops a database of its
# own; BENCH_REDIS_URL's database is flushed.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/secretary_bench
BENCH_WEBHOOK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/secretary_bench_webhook
BENCH_REMINDERS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/secretary_bench_reminders
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/3
BENCH_SEARCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/secretary_bench_search
BENCH_ARCHIVE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/secretary_bench_archive
# The commit before the async webhook: `make bench-before` serves it under the same load,
# shortened (--quick: its worker needs many minutes to drain a full run).
BEFORE_COMMIT ?= e42cf47
BEFORE_DIR ?= /tmp/secretary-before

bench: messages
	DEBUG=1 $(PY) bench/local_classifier.py
	DEBUG=1 $(PY) bench/learning_classifier.py
	BENCH_DATABASE_URL=$(BENCH_WEBHOOK_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/webhook.py --profile
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/expiry.py
	MINIAPP_BENCH=1 DEBUG=1 DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m pytest -q tests/webapp/test_browser_speed.py
	BENCH_DATABASE_URL=$(BENCH_SEARCH_DATABASE_URL) $(PY) bench/search.py
	BENCH_DATABASE_URL=$(BENCH_REMINDERS_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/reminders.py
	BENCH_DATABASE_URL=$(BENCH_ARCHIVE_DATABASE_URL) $(PY) bench/archive.py
	$(PY) bench/report.py

# docs/classifier.md: every evaluation set cold, leave-one-out, with history, the learning
# curve and the targets, from one run (no database needed).
evaluate: messages
	DEBUG=1 $(PY) manage.py evaluate_classifier --report

bench-before: messages
	rm -rf $(BEFORE_DIR) && git worktree prune && git worktree add --detach $(BEFORE_DIR) $(BEFORE_COMMIT)
	ln -s $(CURDIR)/$(VENV) $(BEFORE_DIR)/$(VENV)
	cd $(BEFORE_DIR) && DEBUG=1 $(VENV)/bin/python manage.py compilemessages --ignore=.venv -v 0
	BENCH_DATABASE_URL=$(BENCH_WEBHOOK_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/webhook.py --quick --profile --app-root $(BEFORE_DIR)
	git worktree remove --force $(BEFORE_DIR)
	$(PY) bench/report.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	DEBUG=1 $(VENV)/bin/mypy .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=1 $(PY) manage.py check

# Validates the production compose file (docker-compose parses it; no engine needed).
compose-check:
	@command -v docker-compose >/dev/null || { echo "docker-compose not found: apt-get install docker-compose"; exit 1; }
	@tmp=$$(mktemp -d) && cp compose/docker-compose.yml $$tmp/ && cp -r compose/nginx compose/prometheus compose/grafana compose/loki compose/promtail $$tmp/ \
	  && printf 'POSTGRES_PASSWORD=check\nSECRET_KEY=check\n' > $$tmp/.env \
	  && docker-compose -f $$tmp/docker-compose.yml --profile monitoring --profile split-workers --profile local-bot-api config -q && rm -rf $$tmp && echo "compose file is valid"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
