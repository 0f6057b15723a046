use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = 0x7ead, type = 1, trailing_bytes)]
#[repr(C)]
struct Labelled {
    id: u32,
    label: [u8],
}

fn main() {}
