# Two commands matter on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONPATH := layers/shared:functions:infra:cli:.

.PHONY: run test unit lint typecheck cfn-lint bench bench-quick clean console screenshots openapi deploy-check

$(STAMP): requirements-dev.txt layers/shared/requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

run: $(STAMP) console
	$(BIN)/python -m local_stack

test: $(STAMP) console lint typecheck cfn-lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy layers/shared functions infra cli tests benchmarks

cfn-lint: $(STAMP)
	$(BIN)/cfn-lint template.yaml

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.quick

# 100,000 records are opt-in (about an hour each way): make bench SIZES=1000,10000,100000
SIZES ?= 1000,10000
bench: $(STAMP)
	$(BIN)/python -m benchmarks --sizes $(SIZES)

# The OpenAPI document (into the layer, served by the docs function) and docs/api.md, from the code.
openapi: $(STAMP)
	$(BIN)/python -m api_reference

# `sam validate --lint` and `sam build` as a deployment runs them, with the SAM CLI in a virtualenv
# of its own (it pins other versions of boto3 and click). No AWS account: a region, fake
# credentials, no telemetry, and AWS endpoints on a closed loopback port, so only the package
# registry (the layer's dependencies) is reached. Without the service's PYTHONPATH: the SAM CLI and
# its pip must see only their own environment.
DEPLOY_VENV := .venv-deploy
DEPLOY_STAMP := $(DEPLOY_VENV)/.installed
SAM := env -u PYTHONPATH AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing \
	AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing AWS_ENDPOINT_URL=http://127.0.0.1:9 \
	SAM_CLI_TELEMETRY=0 $(DEPLOY_VENV)/bin/sam

$(DEPLOY_STAMP): requirements-deploy.txt
	test -x $(DEPLOY_VENV)/bin/python || $(PYTHON) -m venv $(DEPLOY_VENV)
	env -u PYTHONPATH $(DEPLOY_VENV)/bin/python -m pip install --quiet --upgrade pip
	env -u PYTHONPATH $(DEPLOY_VENV)/bin/python -m pip install --quiet -r requirements-deploy.txt
	touch $(DEPLOY_STAMP)

deploy-check: $(STAMP) $(DEPLOY_STAMP)
	$(BIN)/python -m api_reference --check
	$(SAM) validate --lint
	$(SAM) build
	test -s .aws-sam/build/SharedLayer/python/odoo_sync/api/openapi.json
	test -s .aws-sam/build/DocsFunction/docs_api/handler.py

clean:
	rm -rf $(VENV) $(DEPLOY_VENV) .local .mypy_cache .ruff_cache .hypothesis .aws-sam console/node_modules console/dist

# The console (console/): npm ci when package-lock.json changed, a build when a source changed.
# Without Node.js the API still runs; the console's page then says how to build it.
CONSOLE_SOURCES := $(shell find console/src console/public -type f 2>/dev/null) console/index.html console/vite.config.js
CONSOLE_BUILD := console/dist/index.html
console:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(CONSOLE_BUILD); \
	else echo "Node.js 20+ with npm is needed to build the console (console/); skipped."; fi

console/node_modules/.package-lock.json: console/package-lock.json console/package.json
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CONSOLE_BUILD): console/node_modules/.package-lock.json $(CONSOLE_SOURCES)
	cd console && npm run --silent build -- --logLevel warn

# Screenshots of every console page (laptop and phone) into docs/console/, against a local stack.
screenshots: $(STAMP) console
	$(BIN)/python -m tests.console.screenshots docs/console
