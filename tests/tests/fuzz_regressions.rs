//! Every input the fuzzers found worth keeping (`fuzz/regressions/<target>/`:
//! crashes fixed since, and inputs that once hung or grew) and every seed
//! goes through its target again, on stable: a fixed crash stays fixed.
//! `write_seed_corpora` (ignored; run by `scripts/fuzz.sh`) writes the
//! seeds where cargo-fuzz reads its corpora.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use prestasi_e2e::fuzzing::{TARGETS, seeds, target};

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

#[test]
fn every_kept_input_and_seed_goes_through_its_target() {
    let mut replayed = 0;
    for name in TARGETS {
        let run = target(name).unwrap();
        let dir = fuzz_dir().join("regressions").join(name);
        assert!(dir.is_dir(), "{} is missing", dir.display());
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                continue;
            }
            run(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    for (name, input) in seeds() {
        target(name).unwrap()(&input);
        replayed += 1;
    }
    assert!(replayed >= TARGETS.len(), "only {replayed} inputs replayed");
}

#[test]
fn seeds_cover_every_target() {
    let seeded: std::collections::BTreeSet<&str> = seeds().into_iter().map(|(n, _)| n).collect();
    assert_eq!(seeded, TARGETS.into_iter().collect());
}

#[test]
#[ignore = "run by scripts/fuzz.sh: writes fuzz/corpus/<target>/seed-*"]
fn write_seed_corpora() {
    for (i, (name, input)) in seeds().into_iter().enumerate() {
        let dir = fuzz_dir().join("corpus").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("seed-{i}")), input).unwrap();
    }
}
