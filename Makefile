# Set-up commands for a fresh machine: `make demo` and `make test`.
# Each bootstraps its own virtualenv (.venv) with every dependency.

PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.mercador-installed
BENCH_STAMP = $(VENV)/.mercador-bench-installed

.PHONY: test unit functional functional-mysql functional-postgresql demo lint docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,docs]'
	touch $(STAMP)

venv: $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,docs,bench]'
	touch $(BENCH_STAMP)

# The whole suite: unit and functional tests on SQLite and, at the same
# time (the servers of one pass leave a CPU idle about half of the time),
# the functional suites on MariaDB then PostgreSQL (skipped, with the
# reason, when the server is not reachable). The second lane's output is
# printed when both are done; the target fails if any pass failed. It
# installs every Python dependency a test needs (the bench extra's for the
# benchmark page's test, mod_wsgi where Apache's development files of
# bindep.txt are there to build it); with CI=true a test that would be
# skipped for a missing one fails instead.
test: $(BENCH_STAMP)
	@if [ ! -x $(BIN)/mod_wsgi-express ] && command -v apxs >/dev/null 2>&1; \
	then $(BIN)/pip install -q mod_wsgi; fi
	@lane=$$(mktemp -d /tmp/mercador-servers-XXXXXX); \
	( for db in mysql postgresql; do \
	    echo "== functional suites on $$db"; \
	    MERCADOR_TEST_DB=$$db $(BIN)/python -m pytest tests/functional \
	      -p no:cacheprovider --basetemp=$$lane/$$db || failed=1; \
	  done; exit $${failed:-0} ) > $$lane/output 2>&1 & servers=$$!; \
	echo "== unit and functional suites on SQLite (MariaDB and" \
	  "PostgreSQL at the same time, printed after)"; \
	{ $(BIN)/python -m pytest tests 2>&1; echo $$? > $$lane/rc; } \
	  | tee $$lane/sqlite; sqlite=$$(cat $$lane/rc); \
	wait $$servers; other=$$?; cat $$lane/output; \
	echo "== summary (SQLite, MariaDB, PostgreSQL)"; \
	grep -h -E '^(FAILED|ERROR) |^=+ .*[0-9]+ (passed|failed)' \
	  $$lane/sqlite $$lane/output; rm -rf $$lane; \
	test $$sqlite -eq 0 -a $$other -eq 0

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

functional: $(STAMP)
	$(BIN)/python -m pytest tests/functional

functional-mysql: $(STAMP)
	MERCADOR_TEST_DB=mysql $(BIN)/python -m pytest tests/functional

functional-postgresql: $(STAMP)
	MERCADOR_TEST_DB=postgresql $(BIN)/python -m pytest tests/functional

# CHAIN=1: a third cloud, a second-tier reseller (service chaining).
# COMPUTE=0: without the provider's Nova, Neutron and Cinder.
demo: $(STAMP)
	$(BIN)/python -m harness $(if $(CHAIN),--chain) \
	  $(if $(filter 0,$(COMPUTE)),--no-compute)

# HTML documentation in doc/build/html; warnings are errors.
docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html doc/source doc/build/html

lint: $(STAMP)
	$(BIN)/python -m flake8

# The benchmark suite (not a test): starts its own servers, measures what
# Mercador costs against its baselines and rewrites
# doc/source/benchmarks/results.rst and its plots. Options, e.g. a quick
# run: make bench BENCH_ARGS="--quick".
bench: $(BENCH_STAMP)
	MERCADOR_BENCH_MAKE=1 $(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
