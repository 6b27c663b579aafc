#!/usr/bin/env bash
# The browser test: headless Chromium, driven by Playwright, against the demo
# server (`prestasi-devtools demo`). Installs Debian's chromium and the npm
# packages of tests/browser when missing, builds the demo, seeds it
# into a scratch directory on a free port, runs tests/browser/browser-test.mjs
# and stops the server. Screenshots of every page land in target/browser/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# --- Tools -------------------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
if ! command -v node >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
    (cd tests/browser && npm ci --silent --no-audit --no-fund)
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
    echo "browser: the demo server did not become ready; its log:" >&2
    tail -40 "$WORK/demo.log" >&2
    echo "browser: 0 passed, 1 failed"
    exit 1
fi
echo "browser: demo seeded and serving on $URL in $(($(date +%s) - started)) s"

# --- The test ----------------------------------------------------------------
mkdir -p target/browser
status=0
BASE_URL=$URL CHROMIUM=$CHROMIUM SCREENSHOTS="$ROOT/target/browser" \
    node tests/browser/browser-test.mjs || status=$?
if [ "$status" -ne 0 ]; then
    echo "browser: server log (last lines):" >&2
    tail -20 "$WORK/demo.log" >&2
fi
exit "$status"
