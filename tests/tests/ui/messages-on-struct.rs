use ancillary::ControlMessages;

#[derive(ControlMessages)]
struct NotAnEnum {
    ttl: u32,
}

fn main() {}
