#[automatically_derived]
const _: () = {
    const _: () = {
        ::ancillary::__private::assert_payload_field::<libc::c_int>();
        ::ancillary::__private::assert_payload_field::<[u8; 4]>();
        ::ancillary::__private::assert_payload_field::<[u8; 4]>();
        ::core::assert!(
            ::core::mem::offset_of!(InPktinfo, ifindex) == 0usize,
            "`InPktinfo` has padding before its first field `ifindex`"
        );
        ::core::assert!(
            ::core::mem::offset_of!(InPktinfo, spec_dst) ==
            ::core::mem::offset_of!(InPktinfo, ifindex) + ::core::mem::size_of:: <
            libc::c_int > (),
            "`InPktinfo` has padding between field `ifindex` and field `spec_dst`, to align field `spec_dst`; add an explicit padding field between them (for example `_pad: [u8; N]`) or reorder the fields so that every byte of the payload is a field"
        );
        ::core::assert!(
            ::core::mem::offset_of!(InPktinfo, addr) ==
            ::core::mem::offset_of!(InPktinfo, spec_dst) + ::core::mem::size_of:: < [u8;
            4] > (),
            "`InPktinfo` has padding between field `spec_dst` and field `addr`, to align field `addr`; add an explicit padding field between them (for example `_pad: [u8; N]`) or reorder the fields so that every byte of the payload is a field"
        );
        ::core::assert!(
            ::core::mem::size_of:: < InPktinfo > () == ::core::mem::offset_of!(InPktinfo,
            addr) + ::core::mem::size_of:: < [u8; 4] > (),
            "`InPktinfo` has padding after its last field `addr`, to round its size up to its alignment; add an explicit padding field at the end (for example `_pad: [u8; N]`) so that every byte of the payload is a field"
        );
        ::core::assert!(
            ::core::mem::size_of:: < InPktinfo > () != 0,
            "`InPktinfo` is zero-sized (all its fields are), so it describes a control message with no payload bytes, which carries nothing to parse or send; give it the fields of the message's C payload, or, for a message that really has an empty payload, use `ControlMessage::new(level, type, &[])` to build it and `cmsg_level()`/`cmsg_type()` to recognise it"
        );
    };
    #[automatically_derived]
    impl InPktinfo {
        ///Whether `message` is a `InPktinfo`: its level and type are this type's, and its payload length fits. Same as `<InPktinfo as ControlMessagePayload>::matches`.
        #[allow(dead_code, clippy::same_name_method)]
        #[inline]
        pub fn matches(
            message: &::ancillary::__private::ControlMessage<'_>,
        ) -> ::core::primitive::bool {
            <Self as ::ancillary::__private::ControlMessagePayload>::matches(message)
        }
    }
    #[automatically_derived]
    unsafe impl ::ancillary::__private::ControlMessagePayload for InPktinfo {
        const LEVEL: ::ancillary::__private::c_int = ::ancillary::__private::cmsg_value!(
            libc::IPPROTO_IP
        );
        const TYPE: ::ancillary::__private::c_int = ::ancillary::__private::cmsg_value!(
            libc::IP_PKTINFO
        );
        const LAYOUT: ::ancillary::__private::PayloadLayout = ::ancillary::__private::PayloadLayout::sized::<
            Self,
        >();
        type Parsed<'a> = Self where Self: 'a;
        #[inline]
        fn parse<'a>(
            message: ::ancillary::__private::ControlMessage<'a>,
        ) -> ::core::result::Result<Self, ::ancillary::__private::PayloadError>
        where
            Self: 'a,
        {
            ::ancillary::__private::read_payload::<Self>(message)
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
    impl<'a> ::core::convert::TryFrom<::ancillary::__private::ControlMessage<'a>>
    for InPktinfo {
        type Error = ::ancillary::__private::PayloadError;
        #[inline]
        fn try_from(
            message: ::ancillary::__private::ControlMessage<'a>,
        ) -> ::core::result::Result<Self, ::ancillary::__private::PayloadError> {
            ::ancillary::__private::read_payload::<InPktinfo>(message)
        }
    }
    #[automatically_derived]
    impl<'a> ::core::convert::From<&'a InPktinfo>
    for ::ancillary::__private::ControlMessage<'a> {
        #[inline]
        fn from(value: &'a InPktinfo) -> Self {
            ::ancillary::__private::to_message::<InPktinfo>(value)
        }
    }
    #[automatically_derived]
    unsafe impl ::ancillary::__private::PayloadField for InPktinfo {}
    #[automatically_derived]
    impl<'a> ::ancillary::__private::FromControlMessage<'a> for InPktinfo {
        #[inline]
        fn from_control_message(
            message: ::ancillary::__private::ControlMessage<'a>,
        ) -> ::core::option::Option<
            ::core::result::Result<Self, ::ancillary::__private::PayloadError>,
        > {
            ::ancillary::__private::variant::<Self>(message)
        }
    }
};
