#[automatically_derived]
const _: () = {
    #[automatically_derived]
    impl<'a> ::ancillary::__private::FromControlMessage<'a> for Udp<'a> {
        #[inline]
        fn from_control_message(
            message: ::ancillary::__private::ControlMessage<'a>,
        ) -> ::core::option::Option<
            ::core::result::Result<Self, ::ancillary::__private::PayloadError>,
        > {
            if let ::core::option::Option::Some(result) = <IpTos as ::ancillary::__private::FromControlMessage<
                'a,
            >>::from_control_message(message) {
                return ::core::option::Option::Some(
                    ::core::result::Result::map(result, Self::Tos),
                );
            }
            if let ::core::option::Option::Some(result) = <&'a ScmRights as ::ancillary::__private::FromControlMessage<
                'a,
            >>::from_control_message(message) {
                return ::core::option::Option::Some(
                    ::core::result::Result::map(result, Self::Rights),
                );
            }
            if let ::core::option::Option::Some(result) = <ControlMessage<
                'a,
            > as ::ancillary::__private::FromControlMessage<
                'a,
            >>::from_control_message(message) {
                return ::core::option::Option::Some(
                    ::core::result::Result::map(result, Self::Other),
                );
            }
            ::core::option::Option::None
        }
    }
};
