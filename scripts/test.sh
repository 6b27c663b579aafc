#!/usr/bin/env bash
# Runs every test of the workspace. This is the README's test command and
# what .ci/run calls after installing what a fresh machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

# A throwaway PostgreSQL cluster (scripts/pg-cluster.sh) for the tests that
# run on both backends; stopped and removed however this script ends.
eval "$(bash scripts/pg-cluster.sh start)"
trap 'bash scripts/pg-cluster.sh stop "$PRESTASI_PG_DIR"' EXIT
# Tests that need PostgreSQL fail rather than skip when it is missing.
export PRESTASI_REQUIRE_POSTGRES=1

# Everything, on SQLite; the storage conformance suite and the
# two-instance test also on PostgreSQL.
cargo test --workspace --locked
# The end-to-end sync and HR report tests again, every server on PostgreSQL.
PRESTASI_E2E_DATABASE_URL="$PRESTASI_TEST_DATABASE_URL" cargo test --locked -p prestasi-e2e
# The bindings, from Kotlin on the JVM, against a real server (also checks
# that the Swift bindings are generated).
bash scripts/kotlin-test.sh
# The web pages in headless Chromium, against the seeded demo server.
bash scripts/browser-test.sh
# The HR API against its OpenAPI document: schemathesis (PyPI, in a venv
# under target/) against the seeded demo server.
bash scripts/api-test.sh
# The deployment files: systemd units and the sample config (deploy/).
bash scripts/deploy-check.sh
