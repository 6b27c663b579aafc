#!/usr/bin/env bash
# The API test: schemathesis (PyPI) generates requests from the served
# OpenAPI document (GET /v1/openapi.yaml, written in server/openapi.yaml)
# and runs them against the seeded demo server (`prestasi-devtools demo`)
# on loopback, with every check: no 5xx, every status and content type
# documented, every response matching its schema, schema-valid requests
# accepted and schema-violating ones refused, and the stateful phase along
# the document's `links`. Installs schemathesis into a venv under target/
# when missing, builds the demo, seeds it into a scratch directory on a
# free port, logs in as BKPSDM, enrolls a kiosk for the device routes,
# runs schemathesis (configured in scripts/api-test.toml) and stops the
# server. Fails on any failure or error; reports land in target/api-test/.
#
# API_TEST_SEED picks another seed (the default is fixed, so that a run is
# reproducible); API_TEST_MAX_EXAMPLES the examples per operation and phase.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SCHEMATHESIS_VERSION=4.32.5
VENV=$ROOT/target/schemathesis-venv
SEED=${API_TEST_SEED:-20260101}
MAX_EXAMPLES=${API_TEST_MAX_EXAMPLES:-25}

# --- Tools -------------------------------------------------------------------
# The venv is kept: later runs need no network. `scripts/api-test.constraints`
# pins schemathesis' dependencies as tested.
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        -c scripts/api-test.constraints "schemathesis==$SCHEMATHESIS_VERSION"
fi

# --- The demo server ---------------------------------------------------------
cargo build -p prestasi-server -p prestasi-devtools --locked
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
started=$(date +%s)
"$ROOT/target/debug/prestasi-devtools" --data-dir "$WORK/data" demo --listen "127.0.0.1:$PORT" \
    >"$WORK/demo.out" 2>"$WORK/demo.log" &
SERVER_PID=$!

# Ready when the banner is printed (seeding done) and /health answers.
ready=
for _ in $(seq 1 600); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        break
    fi
    if grep -q "^Prestasi demo: " "$WORK/demo.out" && curl -fsS "$URL/health" >/dev/null 2>&1; then
        ready=1
        break
    fi
    sleep 0.5
done
if [ -z "$ready" ]; then
    echo "api: the demo server did not become ready; its log:" >&2
    tail -40 "$WORK/demo.log" >&2
    echo "api: 0 passed, 1 failed"
    exit 1
fi
echo "api: demo seeded and serving on $URL in $(($(date +%s) - started)) s"

# --- Credentials -------------------------------------------------------------
# An admin of the demo tenant, made with the CLI on the demo's database,
# whose session every HR and admin route is tested with (admins may do all
# HR does, and /v1/admin/*); a second login, of BKPSDM (the demo's printed
# login), that POST /v1/logout may end (scripts/api-test.toml) without
# ending the first; and a kiosk enrolled through the API itself (POST
# /v1/hr/devices, then POST /v1/enroll) for the routes that take a device's
# secret. Access tokens last 15 minutes: longer than a default run.
json() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }
post() { curl -fsS -X POST -H 'Content-Type: application/json' "$@"; }
ADMIN_PASSWORD=uji-api-$(python3 -c 'import secrets; print(secrets.token_hex(12))')
PRESTASI_PASSWORD=$ADMIN_PASSWORD "$ROOT/target/debug/prestasi-server" --data-dir "$WORK/data" \
    user create --tenant demo --username admin-uji-api --role admin >/dev/null
HR_TOKEN=$(post -d "{\"tenant\": \"demo\", \"username\": \"admin-uji-api\", \"password\": \"$ADMIN_PASSWORD\"}" \
    "$URL/v1/login" | json '["token"]')
LOGOUT_TOKEN=$(post -d '{"tenant": "demo", "username": "bkpsdm", "password": "kopi-arfak-pagi"}' "$URL/v1/login" |
    json '["token"]')
UNIT=$(curl -fsS -H "Authorization: Bearer $HR_TOKEN" "$URL/v1/hr/employees" | json '["employees"][0]["unit_id"]')
CODE=$(post -H "Authorization: Bearer $HR_TOKEN" -d "{\"role\": \"kiosk\", \"user\": \"Kios uji API\", \"units\": [\"$UNIT\"]}" \
    "$URL/v1/hr/devices" | json '["code"]')
DEVICE=$(python3 -c 'import uuid; print(uuid.uuid4())')
SECRET=$(post -d "{\"code\": \"$CODE\", \"device_id\": \"$DEVICE\"}" "$URL/v1/enroll" | json '["secret"]')

# --- The test ----------------------------------------------------------------
# Every check, every phase (examples, coverage, fuzzing, stateful); the
# exclusions are in scripts/api-test.toml, each with its reason.
REPORTS=$ROOT/target/api-test
rm -rf "$REPORTS"
mkdir -p "$REPORTS"
status=0
(
    # In the scratch directory: schemathesis and Hypothesis keep caches in
    # the working directory.
    cd "$WORK"
    SCHEMATHESIS_HOOKS=$ROOT/scripts/api_test_hooks.py PYTHONDONTWRITEBYTECODE=1 \
        PRESTASI_HR_TOKEN=$HR_TOKEN PRESTASI_LOGOUT_TOKEN=$LOGOUT_TOKEN PRESTASI_DEVICE_TOKEN="$DEVICE.$SECRET" \
        "$VENV/bin/schemathesis" --config-file "$ROOT/scripts/api-test.toml" run "$URL/v1/openapi.yaml" \
        --checks all --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 2 \
        --request-timeout 30 --generation-database none --no-color \
        --report junit --report-dir "$REPORTS"
) || status=$?

# The closing count: one JUnit test case per operation (and one for the
# stateful phase).
counts=$(python3 - "$REPORTS" <<'EOF'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = 0
for path in glob.glob(sys.argv[1] + "/*.xml"):
    for case in ET.parse(path).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is None:
            passed += 1
print(passed, failed)
EOF
)
read -r passed failed <<<"$counts"
if [ "$status" -ne 0 ]; then
    echo "api: server log (last lines):" >&2
    tail -20 "$WORK/demo.log" >&2
    [ "$failed" -gt 0 ] || failed=1
fi
echo "api: $passed passed, $failed failed"
exit "$status"
