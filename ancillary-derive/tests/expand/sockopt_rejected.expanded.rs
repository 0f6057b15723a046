::core::compile_error! {
    "a socket option's value cannot have generic parameters; it is plain bytes of one fixed layout, so remove the type, lifetime and const parameters"
}
::core::compile_error! {
    "missing `name` in `#[sockopt]`; add `name = <c_int constant>`, for example `name = libc::SO_RCVBUF`"
}
#[automatically_derived]
const _: () = {
    #[automatically_derived]
    unsafe impl<T> ::ancillary::__private::SocketOption for Peer<T> {
        const LEVEL: ::ancillary::__private::c_int = 0;
        const NAME: ::ancillary::__private::c_int = 0;
        type Raw = ::ancillary::__private::c_int;
        fn to_raw(&self) -> ::ancillary::__private::c_int {
            ::core::unreachable!()
        }
        fn from_raw(_: ::ancillary::__private::c_int) -> Self {
            ::core::unreachable!()
        }
    }
    #[automatically_derived]
    impl<T> ::ancillary::__private::GetSocketOption for Peer<T> {}
};
