#!/usr/bin/env bash
# Unit and integration tests. cargo-nextest when it is installed (each test in its own process,
# in parallel), `cargo test` otherwise. The integration harness starts DynamoDB Local itself.
set -euo pipefail
cd "$(dirname "$0")/.."
infra/bootstrap.sh --clients
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi
