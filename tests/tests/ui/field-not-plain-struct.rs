use ancillary::ControlMessage;

// A struct of plain fields is not a field type by itself: it needs `PayloadField`.
#[derive(Clone, Copy)]
#[repr(C)]
struct Range {
    start: u32,
    len: u32,
}

#[derive(ControlMessage)]
#[cmsg(level = 0x7ead, type = 1)]
#[repr(C)]
struct Message {
    range: Range,
}

fn main() {}
