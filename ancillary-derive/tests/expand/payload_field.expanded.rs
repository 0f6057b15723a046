#[automatically_derived]
const _: () = {
    const _: () = {
        ::ancillary::__private::assert_payload_field::<u32>();
        ::ancillary::__private::assert_zerocopy_field::<Len>();
        ::core::assert!(
            ::core::mem::offset_of!(Range, start) == 0usize,
            "`Range` has padding before its first field `start`"
        );
        ::core::assert!(
            ::core::mem::offset_of!(Range, len) == ::core::mem::offset_of!(Range, start)
            + ::core::mem::size_of:: < u32 > (),
            "`Range` has padding between field `start` and field `len`, to align field `len`; add an explicit padding field between them (for example `_pad: [u8; N]`) or reorder the fields so that every byte of the payload is a field"
        );
        ::core::assert!(
            ::core::mem::size_of:: < Range > () == ::core::mem::offset_of!(Range, len) +
            ::core::mem::size_of:: < Len > (),
            "`Range` has padding after its last field `len`, to round its size up to its alignment; add an explicit padding field at the end (for example `_pad: [u8; N]`) so that every byte of the payload is a field"
        );
    };
    #[automatically_derived]
    unsafe impl ::ancillary::__private::PayloadField for Range {}
};
