#[automatically_derived]
const _: () = {
    #[repr(C)]
    #[allow(dead_code, non_camel_case_types)]
    struct __TaggedPrefix {
        __field0: u32,
        __tail: [u32; 0],
    }
    const _: () = {
        ::ancillary::__private::assert_payload_field::<u32>();
        ::ancillary::__private::assert_payload_field::<u32>();
        ::core::assert!(
            ::core::mem::offset_of!(__TaggedPrefix, __field0) == 0usize,
            "`Tagged` has padding before its first field `tag`"
        );
        ::core::assert!(
            ::core::mem::offset_of!(__TaggedPrefix, __tail) ==
            ::core::mem::offset_of!(__TaggedPrefix, __field0) + ::core::mem::size_of:: <
            u32 > (),
            "`Tagged` has padding before its trailing slice (field `values`), to align the slice's elements; add an explicit padding field before it (for example `_pad: [u8; N]`)"
        );
        ::core::assert!(
            ::core::mem::size_of:: < u32 > () != 0,
            "the elements of the trailing slice of `Tagged` (field `values`) are zero-sized; use a slice of bytes or integers"
        );
        ::core::assert!(
            ::ancillary::__private::is_multiple_of(::core::mem::offset_of!(__TaggedPrefix,
            __tail), ::core::mem::align_of:: < __TaggedPrefix > (),),
            "the fields of `Tagged` before its trailing slice (field `values`) do not fill a multiple of the struct's alignment, so a value would end in padding; add an explicit padding field before the slice (for example `_pad: [u8; N]`)"
        );
        ::core::assert!(
            ::ancillary::__private::is_multiple_of(::core::mem::size_of:: < u32 > (),
            ::core::mem::align_of:: < __TaggedPrefix > (),),
            "the element size of the trailing slice of `Tagged` (field `values`) is not a multiple of the struct's alignment, so a `&Tagged` would claim padding past the end of the payload; use an element type at least as aligned as the other fields or, for a header followed by bytes, remove the slice field and add the flag `trailing_bytes` to `#[cmsg]` (the header is then copied, the bytes borrowed)"
        );
    };
    #[automatically_derived]
    impl Tagged {
        ///Whether `message` is a `Tagged`: its level and type are this type's, and its payload length fits. Same as `<Tagged as ControlMessagePayload>::matches`.
        #[allow(dead_code, clippy::same_name_method)]
        #[inline]
        pub fn matches(
            message: &::ancillary::__private::ControlMessage<'_>,
        ) -> ::core::primitive::bool {
            <Self as ::ancillary::__private::ControlMessagePayload>::matches(message)
        }
    }
    #[automatically_derived]
    unsafe impl ::ancillary::__private::ControlMessagePayload for Tagged {
        const LEVEL: ::ancillary::__private::c_int = ::ancillary::__private::cmsg_value!(
            libc::SOL_SOCKET
        );
        const TYPE: ::ancillary::__private::c_int = ::ancillary::__private::cmsg_value!(
            0x4000
        );
        const LAYOUT: ::ancillary::__private::PayloadLayout = ::ancillary::__private::PayloadLayout {
            prefix: ::core::mem::offset_of!(__TaggedPrefix, __tail),
            elem: ::core::mem::size_of::<u32>(),
            align: ::core::mem::align_of::<__TaggedPrefix>(),
        };
        type Parsed<'a> = &'a Self where Self: 'a;
        #[inline]
        fn parse<'a>(
            message: ::ancillary::__private::ControlMessage<'a>,
        ) -> ::core::result::Result<&'a Self, ::ancillary::__private::PayloadError>
        where
            Self: 'a,
        {
            ::ancillary::__private::ref_payload::<Self>(message)
        }
        #[inline]
        fn cast_ptr(
            ptr: *const ::core::primitive::u8,
            elements: ::core::primitive::usize,
        ) -> *const Self {
            ::core::ptr::slice_from_raw_parts(ptr.cast::<u32>(), elements) as *const Self
        }
    }
    #[automatically_derived]
    impl<'a> ::core::convert::TryFrom<::ancillary::__private::ControlMessage<'a>>
    for &'a Tagged {
        type Error = ::ancillary::__private::PayloadError;
        #[inline]
        fn try_from(
            message: ::ancillary::__private::ControlMessage<'a>,
        ) -> ::core::result::Result<Self, ::ancillary::__private::PayloadError> {
            ::ancillary::__private::ref_payload::<Tagged>(message)
        }
    }
    #[automatically_derived]
    impl<'a> ::core::convert::From<&'a Tagged>
    for ::ancillary::__private::ControlMessage<'a> {
        #[inline]
        fn from(value: &'a Tagged) -> Self {
            ::ancillary::__private::to_message::<Tagged>(value)
        }
    }
    #[automatically_derived]
    impl<'a> ::ancillary::__private::FromControlMessage<'a> for &'a Tagged {
        #[inline]
        fn from_control_message(
            message: ::ancillary::__private::ControlMessage<'a>,
        ) -> ::core::option::Option<
            ::core::result::Result<Self, ::ancillary::__private::PayloadError>,
        > {
            ::ancillary::__private::variant::<Tagged>(message)
        }
    }
};
