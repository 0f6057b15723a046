#[automatically_derived]
const _: () = {
    const _: () = {
        crate::__private::assert_payload_field::<u8>();
        ::core::assert!(
            ::core::mem::offset_of!(IpTos, tos) == 0usize,
            "`IpTos` has padding before its first field `tos`"
        );
        ::core::assert!(
            ::core::mem::size_of:: < IpTos > () == ::core::mem::offset_of!(IpTos, tos) +
            ::core::mem::size_of:: < u8 > (),
            "`IpTos` has padding after its last field `tos`, to round its size up to its alignment; add an explicit padding field at the end (for example `_pad: [u8; N]`) so that every byte of the payload is a field"
        );
        ::core::assert!(
            ::core::mem::size_of:: < IpTos > () != 0,
            "`IpTos` is zero-sized (all its fields are), so it describes a control message with no payload bytes, which carries nothing to parse or send; give it the fields of the message's C payload, or, for a message that really has an empty payload, use `ControlMessage::new(level, type, &[])` to build it and `cmsg_level()`/`cmsg_type()` to recognise it"
        );
    };
    #[automatically_derived]
    impl IpTos {
        ///Whether `message` is a `IpTos`: its level and type are this type's, and its payload length fits. Same as `<IpTos as ControlMessagePayload>::matches`.
        #[allow(dead_code, clippy::same_name_method)]
        #[inline]
        pub fn matches(
            message: &crate::__private::ControlMessage<'_>,
        ) -> ::core::primitive::bool {
            <Self as crate::__private::ControlMessagePayload>::matches(message)
        }
    }
    #[automatically_derived]
    unsafe impl crate::__private::ControlMessagePayload for IpTos {
        const LEVEL: crate::__private::c_int = crate::__private::cmsg_value!(
            libc::IPPROTO_IP
        );
        const TYPE: crate::__private::c_int = crate::__private::cmsg_value!(
            libc::IP_TOS
        );
        const SHARED: ::core::primitive::bool = true;
        const LAYOUT: crate::__private::PayloadLayout = crate::__private::PayloadLayout::sized::<
            Self,
        >();
        type Parsed<'a> = Self where Self: 'a;
        #[inline]
        fn parse<'a>(
            message: crate::__private::ControlMessage<'a>,
        ) -> ::core::result::Result<Self, crate::__private::PayloadError>
        where
            Self: 'a,
        {
            crate::__private::read_payload::<Self>(message)
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
    impl<'a> ::core::convert::TryFrom<crate::__private::ControlMessage<'a>> for IpTos {
        type Error = crate::__private::PayloadError;
        #[inline]
        fn try_from(
            message: crate::__private::ControlMessage<'a>,
        ) -> ::core::result::Result<Self, crate::__private::PayloadError> {
            crate::__private::read_payload::<IpTos>(message)
        }
    }
    #[automatically_derived]
    impl<'a> ::core::convert::From<&'a IpTos> for crate::__private::ControlMessage<'a> {
        #[inline]
        fn from(value: &'a IpTos) -> Self {
            crate::__private::to_message::<IpTos>(value)
        }
    }
    #[automatically_derived]
    unsafe impl crate::__private::PayloadField for IpTos {}
    #[automatically_derived]
    impl<'a> crate::__private::FromControlMessage<'a> for IpTos {
        #[inline]
        fn from_control_message(
            message: crate::__private::ControlMessage<'a>,
        ) -> ::core::option::Option<
            ::core::result::Result<Self, crate::__private::PayloadError>,
        > {
            crate::__private::variant::<Self>(message)
        }
    }
};
