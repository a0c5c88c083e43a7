#!/usr/bin/env bash
# Fuzzes the HTTP API: schemathesis (every check, fixed seed) over docs/openapi.yaml and
# docs/zendesk-openapi.json (the /api/v2 routes) against a throwaway local stack (in memory,
# its own ports), as the admin, with two customers as peers for object-level authorization.
# Exit status: schemathesis's (1 on any failure).
#   FUZZ_EXAMPLES  test cases per operation and phase as the admin (default 60; half as alice).
#                  A count, not a time budget: with the fixed seed the same cases run on every
#                  machine, so a failure in CI is the failure a laptop shows, whatever its speed.
# Reports (JUnit) and the stack's log land in target/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
infra/bootstrap.sh --fuzz
out=target/fuzz
rm -rf "$out" && mkdir -p "$out"
# Start as CI does: no replays of failures a previous local run cached.
rm -rf .schemathesis
cargo build --quiet -p helpdesk-local --bin helpdesk-local

export HELPDESK_HTTP_PORT=3310 HELPDESK_DDB_PORT=8310 HELPDESK_S3_PORT=9310 HELPDESK_WS_PORT=3311 HELPDESK_MOTO_PORT=4310 HELPDESK_SMTP_PORT=2310
# Schemathesis checks that bad credentials get a 401 by sending the same ones again and again;
# past ten failed logins for one account the stack (rightly) answers 429 instead, so that
# throttle is lifted here (tests/api/throttles.rs covers it). So is the Zendesk API's 700
# requests a minute per user: the Zendesk run sends about 70 a second as the admin, and past
# the limit every answer would be a 429 that tells nothing about the handlers (tests/api/zendesk.rs
# covers the limit).
THROTTLE_FAILED_LOGINS=1000000/60 THROTTLE_API_REQUESTS=1000000/60 RUST_LOG=warn target/debug/helpdesk-local --in-memory >"$out/stack.log" 2>&1 &
stack=$!
trap 'kill "$stack" 2>/dev/null; wait "$stack" 2>/dev/null || true' EXIT
url="http://127.0.0.1:$HELPDESK_HTTP_PORT"
for _ in $(seq 1 180); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/auth/me" || true)
  [[ "$code" == 401 ]] && break
  kill -0 "$stack" 2>/dev/null || { cat "$out/stack.log" >&2; echo "[fuzz] the stack died" >&2; exit 1; }
  sleep 1
done
[[ "$code" == 401 ]] || { echo "[fuzz] the stack did not come up" >&2; exit 1; }

# The identities: the seeded admin, and two customers registered now.
token() { .local/venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
admin=$(curl -s -X POST "$url/auth/login" -H 'content-type: application/json' \
  -d '{"email":"admin@example.com","password":"helpdesk-demo"}' | token)
customer() {
  curl -s -X POST "$url/auth/register" -H 'content-type: application/json' \
    -d "{\"name\":\"$1\",\"email\":\"$1-$RANDOM$RANDOM@example.com\",\"password\":\"fuzz-customer-$1\"}" | token
}
alice=$(customer alice)
bob=$(customer bob)
export FUZZ_AUTH="$out/auth.json"
cat >"$FUZZ_AUTH" <<JSON
{"auth": [
  {"name": "alice", "fixedHeaders": [{"name": "Authorization", "value": "Bearer $alice"}]},
  {"name": "bob", "fixedHeaders": [{"name": "Authorization", "value": "Bearer $bob"}]},
  {"name": "admin", "fixedHeaders": [{"name": "Authorization", "value": "Bearer $admin"}]}
]}
JSON

# Three runs: the native API as the admin (every route open), then as the customer alice,
# whose objects bob must not reach (object-level authorization, half as many cases); then the
# Zendesk-compatible routes as the admin (a third as many cases per operation).
# FUZZ_ONLY=native or FUZZ_ONLY=zendesk runs only that API's runs.
examples=${FUZZ_EXAMPLES:-60}
status=0
for run in "native:docs/openapi.yaml:admin:$examples" "native:docs/openapi.yaml:alice:$(((examples + 1) / 2))" \
  "zendesk:docs/zendesk-openapi.json:admin:$(((examples + 2) / 3))"; do
  IFS=: read -r api spec user count <<<"$run"
  if [[ -n "${FUZZ_ONLY:-}" && "$FUZZ_ONLY" != "$api" ]]; then continue; fi
  name="$api-$user"
  echo "[fuzz] schemathesis over $spec as $user, $count cases per operation, against $url" >&2
  set +e
  .local/venv/bin/schemathesis --config-file infra/fuzz/schemathesis.toml run "$spec" \
    --url "$url" --auth-wfc-user "$user" --checks all --seed 42 --workers 1 --max-examples "$count" \
    --exclude-path /auth/logout --report junit --report-dir "$out/$name" --no-color >"$out/$name.txt" 2>&1
  code=$?
  set -e
  # The summary (not the reproductions, which can be megabytes) on the console.
  sed -n '/= SUMMARY =/,$p' "$out/$name.txt" >&2
  if [[ $code -ne 0 ]]; then
    echo "[fuzz] failures over $spec as $user: see $out/$name.txt" >&2
    .local/venv/bin/python infra/fuzz/failures.py "$out/$name/junit-*.xml" >&2 || true
    status=$code
  fi
done
exit $status
