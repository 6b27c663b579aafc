#![no_main]
//! See `prestasi_e2e::fuzzing::csv_import`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| prestasi_e2e::fuzzing::csv_import(data));
