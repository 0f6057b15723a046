#[automatically_derived]
const _: () = {
    const _: () = {
        ::ancillary::__private::assert_payload_field::<libc::c_int>();
        ::core::assert!(
            ::core::mem::offset_of!(IpMtu, mtu) == 0usize,
            "`IpMtu` has padding before its first field `mtu`"
        );
        ::core::assert!(
            ::core::mem::size_of:: < IpMtu > () == ::core::mem::offset_of!(IpMtu, mtu) +
            ::core::mem::size_of:: < libc::c_int > (),
            "`IpMtu` has padding after its last field `mtu`, to round its size up to its alignment; add an explicit padding field at the end (for example `_pad: [u8; N]`) so that every byte of the payload is a field"
        );
        ::core::assert!(
            ::core::mem::size_of:: < IpMtu > () != 0,
            "`IpMtu` is zero-sized (all its fields are), so it has no value to give the kernel; give it the option's C value as its field"
        );
    };
    #[automatically_derived]
    unsafe impl ::ancillary::__private::PayloadField for IpMtu {}
    #[automatically_derived]
    unsafe impl ::ancillary::__private::SocketOption for IpMtu {
        const LEVEL: ::ancillary::__private::c_int = ::ancillary::__private::cmsg_value!(
            libc::IPPROTO_IP
        );
        const NAME: ::ancillary::__private::c_int = ::ancillary::__private::cmsg_value!(
            libc::IP_MTU
        );
        type Raw = Self;
        #[inline]
        fn to_raw(&self) -> Self {
            ::ancillary::__private::copy_raw::<Self>(self)
        }
        #[inline]
        fn from_raw(raw: Self) -> Self {
            raw
        }
    }
    #[automatically_derived]
    impl ::ancillary::__private::GetSocketOption for IpMtu {}
};
