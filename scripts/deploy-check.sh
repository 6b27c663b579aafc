#!/usr/bin/env bash
# Checks the deployment files in deploy/ (docs/DEPLOY.md): the systemd
# units with `systemd-analyze verify` (pointed at the freshly built binary),
# and the sample config file through the server's own parser.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked -q -p prestasi-server
bin="$PWD/target/debug/prestasi-server"
# The sample settings parse, and the binary accepts them.
"$bin" --config deploy/prestasi.toml renew-epoch --help >/dev/null
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "deploy-check: systemd-analyze not installed; units not verified" >&2
    exit 0
fi
units=$(mktemp -d)
trap 'rm -rf "$units"' EXIT
for f in deploy/*.service deploy/*.timer; do
    sed "s|/usr/local/bin/prestasi-server|$bin|g" "$f" >"$units/$(basename "$f")"
done
out=$(systemd-analyze verify "$units"/*.service "$units"/*.timer 2>&1) || { echo "$out" >&2; exit 1; }
# verify exits 0 on some warnings: any line about our units is a failure.
if grep -q "prestasi" <<<"$out"; then
    echo "$out" >&2
    exit 1
fi
echo "deploy-check: units and config file verified"
