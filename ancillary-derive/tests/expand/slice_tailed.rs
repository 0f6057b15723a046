// A payload ending in a slice: viewed in place, its alignment checked.
#[derive(ControlMessage)]
#[cmsg(level = libc::SOL_SOCKET, type = 0x4000)]
#[repr(C)]
struct Tagged {
    tag: u32,
    values: [u32],
}
