::core::compile_error! {
    "unknown `cmsg` key `typ`; expected `level`, `type`, `crate`, `shared` or `trailing_bytes` (did you mean `type`?)"
}
::core::compile_error! {
    "a control message payload needs `#[repr(C)]` (or `#[repr(transparent)]`): without it Rust may reorder the fields; add `#[repr(C)]` to the struct"
}
#[automatically_derived]
const _: () = {
    #[automatically_derived]
    impl IpTtl {
        #[allow(dead_code)]
        pub fn matches(
            _: &::ancillary::__private::ControlMessage<'_>,
        ) -> ::core::primitive::bool {
            ::core::unreachable!()
        }
    }
    #[automatically_derived]
    unsafe impl ::ancillary::__private::ControlMessagePayload for IpTtl {
        const LEVEL: ::ancillary::__private::c_int = 0;
        const TYPE: ::ancillary::__private::c_int = 0;
        const LAYOUT: ::ancillary::__private::PayloadLayout = ::ancillary::__private::PayloadLayout {
            prefix: 0,
            elem: 0,
            align: 1,
        };
        type Parsed<'__cmsg> = Self where Self: '__cmsg;
        fn parse<'__cmsg>(
            _: ::ancillary::__private::ControlMessage<'__cmsg>,
        ) -> ::core::result::Result<Self, ::ancillary::__private::PayloadError>
        where
            Self: '__cmsg,
        {
            ::core::unreachable!()
        }
        fn cast_ptr(
            _: *const ::core::primitive::u8,
            _: ::core::primitive::usize,
        ) -> *const Self {
            ::core::unreachable!()
        }
    }
    #[automatically_derived]
    impl<'__cmsg> ::ancillary::__private::FromControlMessage<'__cmsg> for IpTtl {
        fn from_control_message(
            _: ::ancillary::__private::ControlMessage<'__cmsg>,
        ) -> ::core::option::Option<
            ::core::result::Result<Self, ::ancillary::__private::PayloadError>,
        > {
            ::core::unreachable!()
        }
    }
    #[automatically_derived]
    impl<
        '__cmsg,
    > ::core::convert::TryFrom<::ancillary::__private::ControlMessage<'__cmsg>>
    for IpTtl {
        type Error = ::ancillary::__private::PayloadError;
        fn try_from(
            _: ::ancillary::__private::ControlMessage<'__cmsg>,
        ) -> ::core::result::Result<Self, ::ancillary::__private::PayloadError> {
            ::core::unreachable!()
        }
    }
    #[automatically_derived]
    unsafe impl ::ancillary::__private::PayloadField for IpTtl {}
    #[automatically_derived]
    impl<'__cmsg> ::core::convert::From<&'__cmsg IpTtl>
    for ::ancillary::__private::ControlMessage<'__cmsg> {
        fn from(_: &'__cmsg IpTtl) -> Self {
            ::core::unreachable!()
        }
    }
};
