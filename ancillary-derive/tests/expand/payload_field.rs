// A plain struct that is no message: the layout proof and `PayloadField`.
#[derive(PayloadField)]
#[repr(C)]
struct Range {
    start: u32,
    len: u32,
}
