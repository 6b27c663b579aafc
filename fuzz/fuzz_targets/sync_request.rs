#![no_main]
//! See `prestasi_e2e::fuzzing::sync_request`. The product catches a panic
//! inside automerge's decoders (core::doc); libFuzzer's own panic hook would
//! abort on it before the catch, so the target keeps the default hook: a
//! panic that escapes is still a crash (libfuzzer-sys aborts on it), and one
//! in a server worker, answered 500, fails the target's body.
libfuzzer_sys::fuzz_target!(
    init: {
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| prestasi_e2e::fuzzing::sync_request(data)
);
