use ancillary::PayloadField;

#[derive(PayloadField)]
#[repr(C)]
struct Padded {
    flag: u8,
    value: u32,
}

fn main() {}
