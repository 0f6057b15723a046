#[automatically_derived]
const _: () = {
    #[automatically_derived]
    unsafe impl ::anc::__private::SocketOption for UdpGro {
        const LEVEL: ::anc::__private::c_int = ::anc::__private::cmsg_value!(
            libc::SOL_UDP
        );
        const NAME: ::anc::__private::c_int = ::anc::__private::cmsg_value!(
            libc::UDP_GRO
        );
        type Raw = ::anc::__private::c_int;
        #[inline]
        fn to_raw(&self) -> ::anc::__private::c_int {
            <::anc::__private::c_int as ::core::convert::From<
                ::core::primitive::bool,
            >>::from(self.0)
        }
        #[inline]
        fn from_raw(raw: ::anc::__private::c_int) -> Self {
            Self { 0: raw != 0 }
        }
    }
    #[automatically_derived]
    impl ::anc::__private::SetSocketOption for UdpGro {}
};
