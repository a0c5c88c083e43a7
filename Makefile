# The two commands that matter: `make dev` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
TEST_DDB_PORT ?= 8100

.PHONY: dev dev-memory test lint unit-and-integration template fuzz build bench stop fmt openapi partitions

## Start the whole local stack on loopback (installs what it needs the first time).
dev:
	infra/bootstrap.sh
	$(CARGO) run -p helpdesk-local --bin helpdesk-local -- $(ARGS)

## The same with throwaway in-memory data.
dev-memory:
	infra/bootstrap.sh
	$(CARGO) run -p helpdesk-local --bin helpdesk-local -- --in-memory

## Every gate: formatting, lints, unit and integration tests, the SAM template, the API fuzzer.
test: lint unit-and-integration template fuzz

lint:
	infra/bootstrap.sh --lint
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit-and-integration:
	HELPDESK_TEST_DDB_PORT=$(TEST_DDB_PORT) infra/run-tests.sh

## schemathesis over docs/openapi.yaml against a throwaway local stack (about two and a half minutes).
fuzz:
	infra/fuzz.sh

template:
	python3 infra/partitions/generate.py --check
	.local/venv/bin/cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 .local/venv/bin/sam validate --lint --region us-east-1 -t template.yaml

## Benchmarks (release build): writes docs/benchmarks.md and docs/benchmarks.json.
bench:
	infra/bootstrap.sh
	$(CARGO) build --release --workspace --bins
	target/release/helpdesk-bench $(ARGS)

FUNCTIONS := $(notdir $(wildcard functions/*))

## Build every function for Lambda (arm64, provided.al2023) in one cargo-lambda run: one
## compile of the workspace, one target/lambda/<function>/bootstrap each, which template.yaml's
## CodeUri points at. Then `sam deploy` packages them (no `sam build`).
## --disable-optimizations: cargo-lambda would otherwise give every binary thin LTO and one
## codegen unit, a whole-program optimisation of about 100 CPU-seconds per function (and one
## codegen unit for every dependency); the workspace's release profile applies instead (no LTO,
## opt-level "s", stripped, panics abort), as for `make bench`.
build:
	infra/bootstrap.sh --build
	PATH="$(CURDIR)/.local/venv/bin:$$PATH" \
	  cargo lambda build --release --arm64 --disable-optimizations $(addprefix -p ,$(FUNCTIONS))
	for f in $(FUNCTIONS); do mkdir -p target/lambda/$$f/partitions && cp infra/partitions/*.json target/lambda/$$f/partitions/; done

## Rewrite infra/partitions/ (one AWS partition table per file, packaged beside every
## bootstrap) from the SDK crates in Cargo.lock; `make template` checks they are current.
partitions:
	python3 infra/partitions/generate.py

## Stop the DynamoDB Local and moto that integration tests leave running for the next run.
stop:
	-@for pid in .local/dynamodb-*.pid .local/moto-*.pid; do [ -f "$$pid" ] && kill $$(cat "$$pid") 2>/dev/null; rm -f "$$pid"; done; true

fmt:
	$(CARGO) fmt --all

## Regenerate docs/openapi.yaml and docs/zendesk-openapi.json from the code (a test fails when stale).
openapi:
	$(CARGO) run --quiet -p helpdesk-local --bin helpdesk-openapi > docs/openapi.yaml
	$(CARGO) run --quiet -p helpdesk-local --bin helpdesk-openapi -- --zendesk > docs/zendesk-openapi.json
