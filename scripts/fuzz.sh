#!/usr/bin/env bash
# Run every cargo-fuzz target (or the TARGETs named) for SECONDS each
# (default 60), one after the other, and print libFuzzer's last status line
# per target: `bash scripts/fuzz.sh SECONDS [TARGET...]`; with RUNS=N set,
# a target also stops after N executions (`RUNS=1000000 bash scripts/fuzz.sh
# 720`: a million, or 12 minutes, whichever comes first). Needs the
# nightly toolchain and cargo-fuzz (installed when missing). Crashes land in
# fuzz/artifacts/<target>/: fix them and copy each input into
# fuzz/regressions/<target>/, where `cargo test` replays it on stable.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(bundle_file documents push_path csv_import sync_request enroll_body login_body citizen_form)
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
cargo test -q -p prestasi-e2e --test fuzz_regressions -- --ignored write_seed_corpora >/dev/null
cd fuzz
for t in "${TARGETS[@]}"; do
    mkdir -p "corpus/$t"
    echo "== $t (${SECONDS_EACH}s)"
    cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$SECONDS_EACH" -runs="${RUNS:--1}" -rss_limit_mb=2048 \
        -max_len=262144 2>&1 | grep -E "^#[0-9]+.*(DONE|pulse)|ERROR|SUMMARY|crash-|leak" | tail -3
done
