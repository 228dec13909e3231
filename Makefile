# Two commands do all set-up on a fresh machine:
#   make check   -> installs everything, builds nothing by hand, runs `calcinosis-kg check`
#   make test    -> installs everything, runs the test suite
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: help setup check test test-fast mutate bench bench-serve release docs readme

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	bash scripts/install-system-deps.sh
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

help:  # the targets, one line each
	@echo "make check        install everything, then run calcinosis-kg check"
	@echo "make test         install everything, then lint, types and the whole test suite"
	@echo "make test-fast    the quick part (~1 min): lint, types, tests without Java, browser, server, slow"
	@echo "make mutate       the hand-written mutants: each must make its tests fail"
	@echo "make bench        the speed benchmarks (check, queries, merge, cases)"
	@echo "make bench-serve  serve side by side with the Oxigraph server (exit 1: a target missed)"
	@echo "make release      build the release artifacts into release/"
	@echo "make docs         build the documentation site into site/"
	@echo "make readme       regenerate docs/readme/questions.md"

check: setup
	$(VENV)/bin/calcinosis-kg check

test: setup
	bash scripts/install-consumers.sh .venv-consumers
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/ruff format --check src tests benchmarks scripts
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q

# the quick part (no Java VM, no headless Chromium, no HTTP server, no test measured at a second
# or more: tests/slow_tests.txt): lint, types and the rest of the tests on two workers; markers
# are set in tests/conftest.py. `make test` still runs everything.
test-fast: setup
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/ruff format --check src tests benchmarks scripts
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q -n 2 -m "not java and not browser and not server and not slow"

# the hand-written mutants of issue 21 (scripts/mutants.py): each must make its tests fail
mutate: setup
	$(PY) scripts/mutants.py

bench: setup
	$(PY) benchmarks/bench_check.py
	$(PY) benchmarks/bench_queries.py
	$(PY) benchmarks/bench_merge_hp.py
	$(PY) benchmarks/bench_cases.py

# needs the Oxigraph server binary, which the dev extra installs (pip package oxigraph)
bench-serve: setup
	$(PY) benchmarks/bench_serve.py

release: setup
	$(VENV)/bin/calcinosis-kg release --output release

docs: setup
	$(VENV)/bin/calcinosis-kg docs --output site --readme-img docs/img

readme: setup  # regenerate docs/readme/questions.md (tests/test_readme.py checks it)
	$(PY) scripts/readme_questions.py
