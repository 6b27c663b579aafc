#![no_main]
//! See `prestasi_e2e::fuzzing::documents`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| prestasi_e2e::fuzzing::documents(data));
