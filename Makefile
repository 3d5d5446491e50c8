# yishi — two commands for a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
PORT ?= 8000
APT_RUN := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 npm
APT_TEST := $(APT_RUN) chromium poppler-utils zbar-tools
AXE := node_modules/axe-core/axe.min.js

.PHONY: run lint test test-fast test-sqlite test-postgres install install-test static system-deps system-deps-test bench clean i18n i18n-compile

run: install static
	$(VENV)/bin/yishi serve --demo --port $(PORT)

# ruff (pyproject [tool.ruff]) over the code and mypy (pyproject [tool.mypy]) over src/yishi: any
# finding fails `make test` before a single test runs. A few seconds once mypy's cache is warm.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

# Two pytest-xdist workers, each with its own database, server and browser: a browser test mostly
# waits for the server or Chromium, so one process keeps one of the two cores busy at best.
# loadfile keeps a module's tests on one worker (a shared_world module builds on its own order).
PARALLEL ?= -n 2 --dist loadfile

test: install-test static lint
	@bash scripts/ensure-postgres.sh
	YISHI_TEST_DB=sqlite $(PY) -m pytest $(PARALLEL)
	@if [ "$$(cat .postgres-state 2>/dev/null)" = up ]; then \
	  YISHI_TEST_DB=postgres $(PY) -m pytest $(PARALLEL); \
	else echo "PostgreSQL 不可用:跳过 PostgreSQL 测试 (skipping the PostgreSQL run)"; fi

# While working: SQLite only, no browser (e2e) and no real elections from ../shared/data.
test-fast: install-test static
	YISHI_TEST_DB=sqlite $(PY) -m pytest -m "not e2e and not realdata"

test-sqlite: install-test static
	YISHI_TEST_DB=sqlite $(PY) -m pytest $(PARALLEL)

test-postgres: install-test static
	@bash scripts/ensure-postgres.sh
	YISHI_TEST_DB=postgres $(PY) -m pytest $(PARALLEL)

# System packages (Debian/Ubuntu): a CJK font for PDFs, pango for WeasyPrint, npm for htmx;
# Chromium and poppler for the tests. Installed only when missing and apt-get is there.
system-deps:
	@bash scripts/system-deps.sh $(APT_RUN)

system-deps-test:
	@bash scripts/system-deps.sh $(APT_TEST)

$(VENV)/.installed: pyproject.toml
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv || true
	@if command -v uv >/dev/null 2>&1; then \
	  uv venv --quiet --allow-existing $(VENV) && uv pip install --quiet --python $(PY) -e ".[test]"; \
	else \
	  $(PYTHON) -m venv $(VENV) && $(PY) -m pip install --quiet -e ".[test]"; \
	fi
	@touch $@

install: system-deps $(VENV)/.installed i18n-compile

install-test: system-deps-test $(VENV)/.installed i18n-compile $(AXE)

# Translations (Babel). Simplified Chinese is the source language: the strings in _() are Chinese,
# locale/yishi.pot lists them all, locale/en translates them, locale/zh_CN stays empty (the source
# shows as it is). `make i18n` after adding or changing strings: extracts them again and updates
# both catalogs (new strings arrive untranslated, changed ones fuzzy); then translate what
# tests/core/test_catalogs.py reports missing. The .mo files are built here, not committed:
# they are derived bytes that would conflict on every merge (core.i18n also compiles a .po newer
# than its .mo in memory, so a forgotten compile never shows stale text).
BABEL := $(VENV)/bin/pybabel
EXTRACT := $(BABEL) extract -F babel.cfg -k _l -k lazy_gettext --no-wrap --sort-by-file --add-location=file \
	--project=yishi --copyright-holder="yishi" --msgid-bugs-address="" -o locale/yishi.pot .
LOCALES := zh_CN en

i18n: $(VENV)/.installed
	$(EXTRACT)
	$(BABEL) update -i locale/yishi.pot -d locale -D yishi --no-wrap --ignore-obsolete
	$(MAKE) i18n-compile

i18n-compile: $(VENV)/.installed
	$(BABEL) compile -d locale -D yishi --statistics

# htmx comes from the npm registry (pinned in package.json) and is served from static/vendor:
# never from a CDN, so the app works on a council's offline intranet.
static: static/vendor/htmx.min.js

# axe-core (npm, pinned in package.json) for the browser tests: injected into every page they visit
# from node_modules, never served to users and never from a CDN.
$(AXE): package.json
	npm install --no-audit --no-fund --silent
	@touch $@

static/vendor/htmx.min.js: package.json
	npm install --no-audit --no-fund --silent
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

bench: install-test static
	@bash scripts/system-deps.sh wrk
	$(PY) bench/bench_ballots.py --db sqlite
	@bash scripts/ensure-postgres.sh && $(PY) bench/bench_ballots.py --db postgres
	$(PY) bench/bench_rules.py
	$(PY) bench/bench_review.py --db sqlite
	$(PY) bench/bench_dashboard.py --db sqlite
	@bash scripts/ensure-postgres.sh && $(PY) bench/bench_mix.py --db both

clean:
	rm -rf $(VENV) node_modules static/vendor .postgres-state locale/*/LC_MESSAGES/*.mo
