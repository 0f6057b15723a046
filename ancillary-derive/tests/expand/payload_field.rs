// A plain struct that is no message: the layout proof and `PayloadField`. A field marked
// `#[cmsg(zerocopy)]` is checked against zerocopy's traits (`assert_zerocopy_field`)
// instead of `PayloadField`.
#[derive(PayloadField)]
#[repr(C)]
struct Range {
    start: u32,
    #[cmsg(zerocopy)]
    len: Len,
}
