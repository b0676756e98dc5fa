# Two commands matter on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONPATH := layers/shared:functions:infra:.

.PHONY: run test unit lint typecheck cfn-lint check bench bench-quick clean

$(STAMP): requirements-dev.txt layers/shared/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m local_stack

test: $(STAMP) lint typecheck cfn-lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy layers/shared functions infra tests benchmarks

cfn-lint: $(STAMP)
	$(BIN)/cfn-lint template.yaml

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.quick

# 100,000 records are opt-in (about an hour each way): make bench SIZES=1000,10000,100000
SIZES ?= 1000,10000
bench: $(STAMP)
	$(BIN)/python -m benchmarks --sizes $(SIZES)

clean:
	rm -rf $(VENV) .local .mypy_cache .ruff_cache .hypothesis
