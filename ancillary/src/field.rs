//! [`PayloadField`]: the types a field of a `#[derive(ControlMessage)]` payload may have.
//!
//! The crate implements it for the integer and float types, arrays and slices of field
//! types, `()` and `PhantomData`, the plain C structs of the platform that control
//! messages carry (`libc::in_addr`, `in6_addr`, `in_pktinfo`, `sockaddr_in`, ...), each
//! behind compile-time proof that it has no padding on the target being built, and the
//! derive implements it for every sized message it derives, so a message can be a field of
//! another.

use core::marker::PhantomData;

use crate::cmsg::size_of_field;

/// A type whose values are plain bytes: what a field of a control message payload may be.
///
/// `#[derive(ControlMessage)]` requires it of every field type (of the element type of a
/// trailing slice), and implements it for the message it derives (for a sized one), so
/// that a derived message can be a field of another:
///
/// ```
/// use ancillary::{ControlMessage, ControlMessagePayload, PayloadField};
///
/// #[derive(ControlMessage, Clone, Copy)]
/// #[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
/// #[repr(C)]
/// struct Ttl {
///     ttl: libc::c_int,
/// }
///
/// // A made-up message: two TTLs, and an IPv4 address as `libc` defines it.
/// #[derive(ControlMessage, Clone, Copy)]
/// #[cmsg(level = 0x7ead, type = 2)]
/// #[repr(C)]
/// struct Pair {
///     first: Ttl,
///     second: Ttl,
///     addr: libc::in_addr,
/// }
///
/// fn is_plain<T: PayloadField>() {}
/// is_plain::<Ttl>();
/// assert_eq!(<Pair as ControlMessagePayload>::LAYOUT.prefix, 12);
/// ```
///
/// Implemented here for: every integer and float type; `[T; N]` and `[T]` of field types;
/// `()` and `PhantomData<T>`; and, on the platforms that define them, the C structs control
/// messages carry: `libc::in_addr`, `in6_addr`, `sockaddr_in`, `sockaddr_in6`, `timespec`,
/// and on Linux `ucred`, `in_pktinfo`, `in6_pktinfo`, `sock_txtime` (not on Android),
/// `sock_extended_err` (on Apple platforms `in_pktinfo` and `in6_pktinfo`, on FreeBSD
/// `in6_pktinfo`). Each C struct's implementation is compiled only together with `const` assertions that its
/// fields, named exhaustively, are field types themselves and leave no byte between or
/// after them on the target being built: a target where `libc` gives one of them padding
/// fails to build rather than read padding. `timespec` is left out where `libc` pads it (32-bit
/// targets with a 64-bit `time_t`: musl, and glibc when `libc` is asked for one).
///
/// # Safety
///
/// Implementing it promises, of every value of `Self` (of every element, for a slice):
///
/// 1. every byte pattern of its size is a valid value (no `bool`, `char`, enum, reference,
///    pointer, `NonZero*`);
/// 2. none of its bytes is padding, so all are initialised whenever the value is;
/// 3. it has no interior mutability (`UnsafeCell`, atomics, `Cell`).
///
/// These are zerocopy's `FromBytes`, `IntoBytes` and `Immutable` (zerocopy's traits cannot
/// stand in for this one: a blanket implementation for them would collide with the ones
/// for `libc`'s types, which only this crate can write). For a type of your own that is
/// `#[repr(C)]` and made of field types, a derive is the safe way: any sized
/// `#[derive(ControlMessage)]` struct is a `PayloadField`, and
/// [`#[derive(PayloadField)]`](derive@crate::PayloadField) makes one of a struct that is
/// no message. By hand, prove the layout beside the impl, as this crate does for `libc`'s
/// structs:
///
/// ```
/// use core::mem::{offset_of, size_of};
/// use ancillary::PayloadField;
///
/// #[repr(C)]
/// #[derive(Clone, Copy)]
/// struct Range {
///     start: u32,
///     len: u32,
/// }
///
/// // No padding: the fields cover the struct, one after the other.
/// const _: () = assert!(offset_of!(Range, len) == size_of::<u32>());
/// const _: () = assert!(size_of::<Range>() == 2 * size_of::<u32>());
/// // SAFETY: `Range` is `repr(C)`, its two fields are `u32` (any bytes valid, no padding,
/// // no interior mutability), and the assertions above prove there is no padding between
/// // or after them.
/// unsafe impl PayloadField for Range {}
/// ```
///
/// # zerocopy
///
/// With the `zerocopy` feature, zerocopy's byte-order integers are `PayloadField`s, and a
/// field marked `#[cmsg(zerocopy)]` (`#[sockopt(zerocopy)]` in an option) may be of any
/// type that derives zerocopy's `FromBytes`, `IntoBytes` and `Immutable`: the derive checks
/// those three instead of this trait.
#[cfg_attr(
    feature = "zerocopy",
    doc = r##"
```
use ancillary::{ControlMessage, ControlMessagePayload};
use zerocopy::byteorder::{NetworkEndian, U16};
use zerocopy::{FromBytes, Immutable, IntoBytes};

#[derive(FromBytes, IntoBytes, Immutable, Clone, Copy)]
#[repr(C)]
struct Span { start: u32, len: u32 }

#[derive(ControlMessage, Clone, Copy)]
#[cmsg(level = 0x7ead, type = 7)]
#[repr(C)]
struct Tagged {
    port: U16<NetworkEndian>,
    pad: [u8; 2],
    #[cmsg(zerocopy)]
    span: Span,
}

let tagged = Tagged { port: U16::new(443), pad: [0; 2], span: Span { start: 1, len: 2 } };
let message = ControlMessage::from(&tagged);
assert_eq!(&message.data()[..2], [1, 187]);
assert_eq!(Tagged::try_from(message).unwrap().span.len, 2);
```
"##
)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of a control message payload",
    label = "this field's type is not plain bytes",
    note = "every field of a `#[derive(ControlMessage)]` payload must be plain bytes: any \
            bit pattern is a valid value (so no `bool`, `char`, enum, reference, pointer \
            or `NonZero*`), no padding inside, no interior mutability (the trait \
            `ancillary::PayloadField`)",
    note = "use integers (`libc::c_int`, `u32`, ...), arrays of them, `libc`'s plain C \
            structs (`libc::in_addr`, `libc::in6_addr`, ...), or another \
            `#[derive(ControlMessage)]` struct; for a `#[repr(C)]` struct of such fields \
            without padding, add `#[derive(ancillary::PayloadField)]` to it"
)]
pub unsafe trait PayloadField {}

/// Implements [`PayloadField`] for primitive types.
macro_rules! primitive {
    ($($ty:ty),* $(,)?) => {$(
        // SAFETY: a primitive integer or float: every bit pattern of its size is a valid
        // value, it has no padding and no interior mutability.
        unsafe impl PayloadField for $ty {}
    )*};
}

primitive!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64);

// SAFETY: arrays place their elements one after the other with no gap (the element size
// is a multiple of its alignment), so an array of field types is valid for any bytes, has
// no padding and no interior mutability because its elements have none.
unsafe impl<T: PayloadField, const N: usize> PayloadField for [T; N] {}

// SAFETY: as for arrays, for any number of elements.
unsafe impl<T: PayloadField> PayloadField for [T] {}

// SAFETY: zero-sized, so there is no byte to be invalid, padding or mutable.
unsafe impl PayloadField for () {}

// SAFETY: zero-sized, whatever `T` is; it holds no `T`.
unsafe impl<T: ?Sized> PayloadField for PhantomData<T> {}

/// Compiles only if `T` is a [`PayloadField`]: the type of each field of a C struct, found
/// by destructuring a reference to the struct.
#[allow(
    dead_code,
    reason = "only type-checked, inside functions that are never called"
)]
fn plain<T: PayloadField + ?Sized>(_: &T) {}

/// `unsafe impl PayloadField` for C structs of `libc`, each with its proof. The fields are
/// listed in declaration order and exhaustively: destructuring without `..` fails to compile
/// if a field is missing or private, and each is checked to be a [`PayloadField`]; the
/// `const` assertions check that they follow one another with no gap from offset 0 and that
/// the last one ends where the struct does. The proof is compiled for the target being
/// built, so it holds for each target's own definition.
macro_rules! plain_c_struct {
    ($($(#[$cfg:meta])* $ty:ident { $($field:ident),+ $(,)? })*) => {$(
        $(#[$cfg])*
        const _: () = {
            #[allow(dead_code, reason = "only type-checked")]
            fn fields_are_plain(value: &libc::$ty) {
                let libc::$ty { $($field),+ } = value;
                $(plain($field);)+
            }
            let mut end = 0;
            $(
                assert!(core::mem::offset_of!(libc::$ty, $field) == end);
                end += size_of_field(|value: &libc::$ty| value.$field);
            )+
            assert!(end == core::mem::size_of::<libc::$ty>());
        };
        $(#[$cfg])*
        // SAFETY: by the `const` block above, compiled for this target: every field
        // is a `PayloadField` (no invalid bytes, no padding, no interior mutability inside
        // it), none is left out (the destructuring is exhaustive), and together they cover
        // the struct from its first byte to its last with no gap, so the struct has no
        // padding of its own either.
        unsafe impl PayloadField for libc::$ty {}
    )*};
}

plain_c_struct! {
    in_addr { s_addr }
    in6_addr { s6_addr }
}

#[cfg(linux_like)]
plain_c_struct! {
    sockaddr_in { sin_family, sin_port, sin_addr, sin_zero }
    sockaddr_in6 { sin6_family, sin6_port, sin6_flowinfo, sin6_addr, sin6_scope_id }
    ucred { pid, uid, gid }
    in_pktinfo { ipi_ifindex, ipi_spec_dst, ipi_addr }
    in6_pktinfo { ipi6_addr, ipi6_ifindex }
    // Android's `libc` has no `sock_txtime` (nor `SO_TXTIME`).
    #[cfg(target_os = "linux")]
    sock_txtime { clockid, flags }
    sock_extended_err { ee_errno, ee_origin, ee_type, ee_code, ee_pad, ee_info, ee_data }
    // A 64-bit `time_t` on a 32-bit target (musl; glibc if asked): `libc` pads `tv_nsec`.
    #[cfg(not(padded_timespec))]
    timespec { tv_sec, tv_nsec }
}

#[cfg(any(
    target_os = "freebsd",
    target_os = "macos",
    target_os = "ios",
    target_os = "tvos",
    target_os = "watchos",
    target_os = "visionos"
))]
plain_c_struct! {
    sockaddr_in { sin_len, sin_family, sin_port, sin_addr, sin_zero }
    sockaddr_in6 { sin6_len, sin6_family, sin6_port, sin6_flowinfo, sin6_addr, sin6_scope_id }
    in6_pktinfo { ipi6_addr, ipi6_ifindex }
    timespec { tv_sec, tv_nsec }
}

#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "tvos",
    target_os = "watchos",
    target_os = "visionos"
))]
plain_c_struct! {
    in_pktinfo { ipi_ifindex, ipi_spec_dst, ipi_addr }
}

/// Implements [`PayloadField`] for zerocopy's byte-order integers, whatever their order.
#[cfg(feature = "zerocopy")]
macro_rules! byte_order {
    ($($ty:ident),*) => {$(
        // SAFETY: zerocopy's byte-order types are `repr(transparent)` over `[u8; N]` (plus
        // a `PhantomData`), and zerocopy implements `FromBytes`, `IntoBytes` and
        // `Immutable` for them, which are this trait's three promises; the `const` below
        // has the compiler check those impls.
        unsafe impl<O: zerocopy::byteorder::ByteOrder> PayloadField for zerocopy::byteorder::$ty<O> {}
        const _: () = crate::__private::assert_zerocopy_field::<
            zerocopy::byteorder::$ty<zerocopy::byteorder::BigEndian>,
        >();
    )*};
}

#[cfg(feature = "zerocopy")]
byte_order!(U16, U32, U64, U128, I16, I32, I64, I128, F32, F64);

#[cfg(test)]
mod tests {
    use super::*;

    fn is_field<T: PayloadField + ?Sized>() {}

    #[test]
    fn c_structs_are_fields() {
        is_field::<libc::in_addr>();
        is_field::<libc::in6_addr>();
        is_field::<libc::sockaddr_in>();
        is_field::<libc::sockaddr_in6>();
        is_field::<[libc::in6_addr; 2]>();
        is_field::<[u8]>();
    }

    #[cfg(feature = "zerocopy")]
    #[test]
    fn byte_order_integers_are_fields() {
        use zerocopy::byteorder::{BigEndian, LittleEndian, U16, U32};
        is_field::<U16<BigEndian>>();
        is_field::<[U32<LittleEndian>]>();
    }
}
