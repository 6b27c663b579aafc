#![no_main]
//! See `prestasi_e2e::fuzzing::enroll_body`. Like every target, keeps the default
//! panic hook (libFuzzer's would abort on a panic the product catches): a
//! panic that escapes is still a crash (libfuzzer-sys aborts on it), and one
//! in a server worker, answered 500, fails the target's body.
libfuzzer_sys::fuzz_target!(
    init: {
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| prestasi_e2e::fuzzing::enroll_body(data)
);
