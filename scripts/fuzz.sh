#!/usr/bin/env bash
# Run every cargo-fuzz target for SECONDS each (default 60), one after the
# other, and print libFuzzer's last status line per target. Needs the
# nightly toolchain and cargo-fuzz (installed when missing). Crashes land in
# fuzz/artifacts/<target>/: fix them and copy each input into
# fuzz/regressions/<target>/, where `cargo test` replays it on stable.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
cargo test -q -p prestasi-e2e --test fuzz_regressions -- --ignored write_seed_corpora >/dev/null
cd fuzz
for t in bundle_file documents push_path csv_import; do
    mkdir -p "corpus/$t"
    echo "== $t (${SECONDS_EACH}s)"
    cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
        -max_len=262144 2>&1 | grep -E "^#[0-9]+.*(DONE|pulse)|ERROR|SUMMARY|crash-|leak" | tail -3
done
