//! `roundtrip`: see `ancillary_fuzz::check_roundtrip`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ancillary_fuzz::check_roundtrip(data));
