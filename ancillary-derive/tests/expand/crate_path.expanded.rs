#[automatically_derived]
const _: () = {
    const _: () = {
        ::renamed_ancillary::__private::assert_payload_field::<u8>();
        ::core::assert!(
            ::core::mem::offset_of!(Tos, 0) == 0usize,
            "`Tos` has padding before its first field 0"
        );
        ::core::assert!(
            ::core::mem::size_of:: < Tos > () == ::core::mem::offset_of!(Tos, 0) +
            ::core::mem::size_of:: < u8 > (),
            "`Tos` has padding after its last field 0, to round its size up to its alignment; add an explicit padding field at the end (for example `_pad: [u8; N]`) so that every byte of the payload is a field"
        );
        ::core::assert!(
            ::core::mem::size_of:: < Tos > () != 0,
            "`Tos` is zero-sized (all its fields are), so it describes a control message with no payload bytes, which carries nothing to parse or send; give it the fields of the message's C payload, or, for a message that really has an empty payload, use `ControlMessage::new(level, type, &[])` to build it and `cmsg_level()`/`cmsg_type()` to recognise it"
        );
    };
    #[automatically_derived]
    impl Tos {
        ///Whether `message` is a `Tos`: its level and type are this type's, and its payload length fits. Same as `<Tos as ControlMessagePayload>::matches`.
        #[allow(dead_code, clippy::same_name_method)]
        #[inline]
        pub fn matches(
            message: &::renamed_ancillary::__private::ControlMessage<'_>,
        ) -> ::core::primitive::bool {
            <Self as ::renamed_ancillary::__private::ControlMessagePayload>::matches(
                message,
            )
        }
    }
    #[automatically_derived]
    unsafe impl ::renamed_ancillary::__private::ControlMessagePayload for Tos {
        const LEVEL: ::renamed_ancillary::__private::c_int = ::renamed_ancillary::__private::cmsg_value!(
            libc::IPPROTO_IP
        );
        const TYPE: ::renamed_ancillary::__private::c_int = ::renamed_ancillary::__private::cmsg_value!(
            if LINUX { 1 } else { 2 }
        );
        const LAYOUT: ::renamed_ancillary::__private::PayloadLayout = ::renamed_ancillary::__private::PayloadLayout::sized::<
            Self,
        >();
        type Parsed<'a> = Self where Self: 'a;
        #[inline]
        fn parse<'a>(
            message: ::renamed_ancillary::__private::ControlMessage<'a>,
        ) -> ::core::result::Result<Self, ::renamed_ancillary::__private::PayloadError>
        where
            Self: 'a,
        {
            ::renamed_ancillary::__private::read_payload::<Self>(message)
        }
        #[inline]
        fn cast_ptr(
            ptr: *const ::core::primitive::u8,
            _elements: ::core::primitive::usize,
        ) -> *const Self {
            ptr.cast::<Self>()
        }
    }
    #[automatically_derived]
    impl<'a> ::core::convert::TryFrom<::renamed_ancillary::__private::ControlMessage<'a>>
    for Tos {
        type Error = ::renamed_ancillary::__private::PayloadError;
        #[inline]
        fn try_from(
            message: ::renamed_ancillary::__private::ControlMessage<'a>,
        ) -> ::core::result::Result<Self, ::renamed_ancillary::__private::PayloadError> {
            ::renamed_ancillary::__private::read_payload::<Tos>(message)
        }
    }
    #[automatically_derived]
    impl<'a> ::core::convert::From<&'a Tos>
    for ::renamed_ancillary::__private::ControlMessage<'a> {
        #[inline]
        fn from(value: &'a Tos) -> Self {
            ::renamed_ancillary::__private::to_message::<Tos>(value)
        }
    }
    #[automatically_derived]
    unsafe impl ::renamed_ancillary::__private::PayloadField for Tos {}
    #[automatically_derived]
    impl<'a> ::renamed_ancillary::__private::FromControlMessage<'a> for Tos {
        #[inline]
        fn from_control_message(
            message: ::renamed_ancillary::__private::ControlMessage<'a>,
        ) -> ::core::option::Option<
            ::core::result::Result<Self, ::renamed_ancillary::__private::PayloadError>,
        > {
            ::renamed_ancillary::__private::variant::<Self>(message)
        }
    }
};
