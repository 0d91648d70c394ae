# microVET credentials. Quick start: `make demo` (workbench on http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed
NODE_STAMPS := interop/node_modules/.installed interop/oid4vci/node_modules/.installed tests/browser/node_modules/.installed

.PHONY: test test-releases demo quality venv node bench extract_translations compile_translations check_translations clean requirements upgrade

# One lock for the demo and the tests (requirements/test.txt, compiled by pip-tools from setup.py and
# requirements/test.in); the package itself goes in editable, without resolving anything again.
$(STAMP): setup.py requirements/test.txt requirements/mysql.txt
	test -x $(PY) || "$$(scripts/find-python312)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/test.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@# mysqlclient (what Open edX uses) compiles against libmariadb; without it the MariaDB tests are skipped.
	if pkg-config --exists libmariadb 2>/dev/null || pkg-config --exists mysqlclient 2>/dev/null; then \
	  $(PY) -m pip install --quiet -r requirements/mysql.txt; \
	else echo "NOTE: libmariadb-dev not installed: mysqlclient skipped, MariaDB tests will be skipped"; fi
	touch $(STAMP)

venv: $(STAMP)

# Node packages from lock files: the interop verifiers and axe-core for the browser tests.
%/node_modules/.installed: %/package.json %/package-lock.json
	npm ci --prefix $* --no-audit --no-fund --loglevel=error
	touch $@

node: $(NODE_STAMPS)

# The whole suite: unit, storage (SQLite, then MariaDB and PostgreSQL), Node interop and browser tests.
test: venv node compile_translations
	$(PY) -m pytest
	MICROVET_TEST_DB=mysql $(PY) -m pytest -m storage -q
	MICROVET_TEST_DB=postgresql $(PY) -m pytest -m storage -q

# The supported Open edX releases, each with its own pins (requirements/constraints-<release>.txt, tox.ini):
# unit and contract tests on SQLite. Teak and Ulmo run Python 3.11, Verawood 3.12 (pyenv's or on PATH).
RELEASES ?= teak,ulmo,verawood
test-releases: venv compile_translations
	MICROVET_PY311="$$(scripts/find-python 3.11)" MICROVET_PY312="$$(scripts/find-python 3.12)" \
	  $(VENV)/bin/tox run -e $(RELEASES)

demo: venv compile_translations
	$(PY) -m microcredential_xblock.demo --port $(PORT)

quality: venv
	$(PY) -m ruff check badge_issuer microcredential_xblock course_templates tests benchmarks
	$(PY) -m ruff format --check badge_issuer microcredential_xblock course_templates tests benchmarks

# Every benchmark, one Markdown table of figures, ratios and targets (the README's performance table).
# BENCH_ARGS="--dbs sqlite --bulk 1000" for a quicker run.
bench: venv node
	$(PY) benchmarks/run_all.py $(BENCH_ARGS)

extract_translations: venv
	$(PY) scripts/i18n.py extract

compile_translations: venv
	$(PY) scripts/i18n.py compile

check_translations: venv
	$(PY) scripts/i18n.py check

# The locks, compiled by pip-tools from the .in files (each against its constraints, the release locks
# with the release's Python): `make requirements` after editing a .in file or setup.py, `make upgrade`
# to move every pin to the newest release the constraints allow.
PIP_COMPILE_OPTIONS := --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
RELEASE_PYTHONS := teak:3.11 ulmo:3.11 verawood:3.12
requirements: venv
	$(PY) -m piptools compile $(PIP_COMPILE_OPTIONS) $(COMPILE_ARGS) -o requirements/test.txt setup.py requirements/test.in
	$(PY) -m piptools compile $(PIP_COMPILE_OPTIONS) $(COMPILE_ARGS) -o requirements/mysql.txt requirements/mysql.in
	for entry in $(RELEASE_PYTHONS); do \
	  release=$${entry%%:*} python=$$(scripts/find-python $${entry##*:}) tools=.tox/pip-tools-$${entry##*:}; \
	  test -x $$tools/bin/python || "$$python" -m venv $$tools; \
	  $$tools/bin/python -m pip install --quiet -c requirements/test.txt pip-tools; \
	  $$tools/bin/python -m piptools compile $(PIP_COMPILE_OPTIONS) $(COMPILE_ARGS) \
	    -o requirements/release-$$release.txt setup.py requirements/release-$$release.in || exit 1; \
	done

upgrade:
	$(MAKE) requirements COMPILE_ARGS=--upgrade

clean:
	rm -rf $(VENV) .tox interop/node_modules interop/oid4vci/node_modules tests/browser/node_modules var
