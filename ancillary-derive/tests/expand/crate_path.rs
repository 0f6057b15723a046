// `#[cmsg(crate = ...)]`: every generated path goes through the given crate, and a value
// the derive does not parse itself (an `if`) is handed to the compiler through
// `cmsg_value!`.
#[derive(ControlMessage)]
#[cmsg(crate = ::renamed_ancillary, level = libc::IPPROTO_IP, type = if LINUX { 1 } else { 2 })]
#[repr(transparent)]
struct Tos(u8);
