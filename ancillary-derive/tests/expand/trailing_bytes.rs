// A header followed by bytes: parsed into a `Tailed`, the header copied, the bytes borrowed.
#[derive(ControlMessage)]
#[cmsg(level = 0x7ead, type = 4, trailing_bytes)]
#[repr(C)]
struct Labelled {
    id: u32,
}
