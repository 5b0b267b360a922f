# One front door. `make run` installs and opens the dashboard on the embedded default
# (SQLite, synthetic sample); `make test` installs everything the tests need and runs them.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
PORT   ?= 8501
APP_ROLE ?= dashboard_app
export DATABASE_URL MIGRATION_DATABASE_URL

.PHONY: run test lint typecheck bench install install-dev services browser clean-store

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# PostgreSQL with two roles (docs/deployment.md): make run DATABASE_URL=…app… MIGRATION_DATABASE_URL=…owner… APP_ROLE=…
run: install
	$(if $(MIGRATION_DATABASE_URL),$(PY) -m metrics db-grant --app-role $(APP_ROLE) --migrate-db "$(MIGRATION_DATABASE_URL)",)
	$(PY) -m metrics demo
	$(VENV)/bin/streamlit run dashboard/app.py --server.port $(PORT) --server.headless true

# Debian's Chromium for the browser tests (never a browser download).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null)

# The PostgreSQL server the store tests use (127.0.0.1:5432, database `test`).
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; pg_isready -h 127.0.0.1 -p 5432

lint: install-dev
	$(VENV)/bin/ruff check metrics dashboard tests bench
	$(VENV)/bin/mypy metrics

typecheck: install-dev
	$(VENV)/bin/mypy metrics

# Three workers on two cores: much of a test waits on PostgreSQL, a Streamlit server or Chromium, not the CPU.
test: install-dev browser services lint
	$(PY) -m pytest -n 3 -q

# Every benchmark in bench/, one after another, each printing its own figures (copy them into BENCHMARKS.md).
BENCHMARKS := $(sort $(wildcard bench/bench_*.py))

bench: install-dev
	@for b in $(BENCHMARKS); do echo "== $$b"; PYTHONPATH=. $(PY) $$b || exit 1; done

clean-store:
	rm -rf var/
