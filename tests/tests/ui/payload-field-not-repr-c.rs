use ancillary::PayloadField;

#[derive(PayloadField)]
struct Plain {
    value: u32,
    other: u32,
}

fn main() {}
