#![no_main]
//! See `prestasi_e2e::fuzzing::push_path`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| prestasi_e2e::fuzzing::push_path(data));
