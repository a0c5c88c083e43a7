#!/usr/bin/env bash
# Unit and integration tests. cargo-nextest when it is installed (each test in its own process,
# in parallel), `cargo test` otherwise. The integration harness starts DynamoDB Local itself.
set -euo pipefail
cd "$(dirname "$0")/.."
infra/bootstrap.sh --clients
# The harness starts DynamoDB Local and moto once and leaves them running; a run then creates a
# table per test. DynamoDB Local slows down with every table it holds (a second run on the same
# instance took each test up to ten times longer), so each run starts with fresh emulators.
ddb_port="${HELPDESK_TEST_DDB_PORT:-8100}"
moto_port="${HELPDESK_TEST_MOTO_PORT:-8101}"
for pid in ".local/dynamodb-$ddb_port.pid" ".local/moto-$moto_port.pid"; do
  if [[ -f "$pid" ]]; then
    old="$(cat "$pid")"
    kill "$old" 2>/dev/null || true
    # Gone before the harness looks for a server on its port (at most 10 s).
    for _ in $(seq 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.2; done
    rm -f "$pid"
  fi
done
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi
