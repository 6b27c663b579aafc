#![no_main]
//! See `prestasi_e2e::fuzzing::bundle_file`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| prestasi_e2e::fuzzing::bundle_file(data));
