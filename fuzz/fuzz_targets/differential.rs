//! `differential`: see `ancillary_fuzz::check_differential`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ancillary_fuzz::check_differential(data));
