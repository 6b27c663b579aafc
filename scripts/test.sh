#!/usr/bin/env bash
# Runs every test of the workspace. This is the README's test command and
# what .ci/run calls after installing what a fresh machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --locked
