#!/usr/bin/env bash
# Runs every test of the workspace. This is the README's test command and
# what .ci/run calls after installing what a fresh machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --locked
# The bindings, from Kotlin on the JVM, against a real server (also checks
# that the Swift bindings are generated).
bash scripts/kotlin-test.sh
# The web pages in headless Chromium, against the seeded demo server.
bash scripts/browser-test.sh
