#[automatically_derived]
const _: () = {
    const _: () = {
        ::ancillary::__private::assert_payload_field::<u32>();
        ::core::assert!(
            ::core::mem::offset_of!(Labelled, id) == 0usize,
            "`Labelled` has padding before its first field `id`"
        );
        ::core::assert!(
            ::core::mem::size_of:: < Labelled > () == ::core::mem::offset_of!(Labelled,
            id) + ::core::mem::size_of:: < u32 > (),
            "`Labelled` has padding after its last field `id`, to round its size up to its alignment; add an explicit padding field at the end (for example `_pad: [u8; N]`) so that every byte of the payload is a field"
        );
        ::core::assert!(
            ::core::mem::size_of:: < Labelled > () != 0,
            "`Labelled` is zero-sized (all its fields are), so it describes a control message with no payload bytes, which carries nothing to parse or send; give it the fields of the message's C payload, or, for a message that really has an empty payload, use `ControlMessage::new(level, type, &[])` to build it and `cmsg_level()`/`cmsg_type()` to recognise it"
        );
    };
    #[automatically_derived]
    impl Labelled {
        ///Whether `message` is a `Labelled`: its level and type are this type's, and its payload length fits. Same as `<Labelled as ControlMessagePayload>::matches`.
        #[allow(dead_code, clippy::same_name_method)]
        #[inline]
        pub fn matches(
            message: &::ancillary::__private::ControlMessage<'_>,
        ) -> ::core::primitive::bool {
            <Self as ::ancillary::__private::ControlMessagePayload>::matches(message)
        }
    }
    #[automatically_derived]
    unsafe impl ::ancillary::__private::ControlMessagePayload for Labelled {
        const LEVEL: ::ancillary::__private::c_int = ::ancillary::__private::cmsg_value!(
            0x7ead
        );
        const TYPE: ::ancillary::__private::c_int = ::ancillary::__private::cmsg_value!(
            4
        );
        const LAYOUT: ::ancillary::__private::PayloadLayout = ::ancillary::__private::PayloadLayout {
            prefix: ::core::mem::size_of::<Self>(),
            elem: 1,
            align: ::core::mem::align_of::<Self>(),
        };
        type Parsed<'a> = ::ancillary::__private::Tailed<'a, Self> where Self: 'a;
        #[inline]
        fn parse<'a>(
            message: ::ancillary::__private::ControlMessage<'a>,
        ) -> ::core::result::Result<
            ::ancillary::__private::Tailed<'a, Self>,
            ::ancillary::__private::PayloadError,
        >
        where
            Self: 'a,
        {
            ::ancillary::__private::read_tailed::<Self>(message)
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
    impl<'a> ::core::convert::From<&'a Labelled>
    for ::ancillary::__private::ControlMessage<'a> {
        #[inline]
        fn from(value: &'a Labelled) -> Self {
            ::ancillary::__private::to_message::<Labelled>(value)
        }
    }
    #[automatically_derived]
    unsafe impl ::ancillary::__private::PayloadField for Labelled {}
};
