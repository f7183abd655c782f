# jygproj — the two commands a fresh machine needs (see README):
#   make report   set up, then run the main job on the embedded sample data
#   make test     set up, then run the whole test suite
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin

.PHONY: help setup report test bench lock sample
help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup:  ## create .venv from requirements.lock, install the package, kernel and Debian packages
	@bash scripts/setup.sh

report: setup  ## main job: the 2023Q3 quarterly report from the sample data into reports/2023Q3/
	$(BIN)/jygproj quarterly 2023Q3

test:  ## the whole test suite (installs Chromium for the browser tests when missing)
	@bash scripts/setup.sh --browser
	$(BIN)/python -m pytest

bench: setup  ## run the benchmarks; writes benchmarks/results.json and benchmarks/RESULTS.md
	$(BIN)/python -m benchmarks

# Left out of the lock although a dependency asks for them (pip-compile's "unsafe" list; setup.sh
# installs the lock with --no-deps, so they stay out): pip and setuptools as before, and
# rfc3987-syntax with its lark grammar, which jupyter-events pulls in through
# jsonschema[format-nongpl] and which costs ~1 s at import in every process that imports
# jsonschema (papermill, altair, nbconvert, Voilà); it checks only the "iri" formats, which no
# schema of ours or of our dependencies uses (issue 18).
KEPT_OUT := pip setuptools rfc3987-syntax lark
lock:  ## re-pin requirements.lock from pyproject.toml (needs the network to PyPI)
	$(BIN)/pip-compile --quiet --strip-extras --extra dev --no-emit-index-url \
	    --no-emit-find-links $(addprefix --unsafe-package ,$(KEPT_OUT)) \
	    --output-file requirements.lock pyproject.toml

sample: setup  ## regenerate the embedded sample data set (deterministic)
	$(BIN)/jygproj sample data/sample/2023 --seed 2023 --as-of 2023-10
