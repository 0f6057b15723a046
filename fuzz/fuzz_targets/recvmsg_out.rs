//! `recvmsg_out`: see `ancillary_fuzz::check_recvmsg_out`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ancillary_fuzz::check_recvmsg_out(data));
