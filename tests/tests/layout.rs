//! Layout on the target this test is compiled for: `ancillary`'s sizing figures equal the
//! target's C macros (`CMSG_LEN`, `CMSG_SPACE`, `CMSG_DATA`, `CMSG_NXTHDR` as `libc`
//! transcribes them), the exact numbers are the ones the target's headers give, and bytes
//! written by either side read back through the other.
//!
//! CI runs this natively and under qemu-user for i686 (32-bit: 4-byte `size_t`, 4-byte
//! alignment) and s390x (64-bit, big-endian), so each of those layouts is proven on its own
//! target, not inferred from x86_64.

use std::os::fd::{AsFd, AsRawFd};

use ancillary::{cmsg_len, cmsg_space, AncillaryData, ControlMessage, ControlMessages, HEADER_LEN};
use libc::{c_int, c_uint, cmsghdr, msghdr};

/// A control buffer aligned for any `cmsghdr`, as C code gets with a union.
#[repr(C, align(16))]
struct Aligned([u8; 256]);

/// `CMSG_SPACE` and `CMSG_LEN` of the target, through `libc`.
fn libc_space_len(payload_len: usize) -> (usize, usize) {
    let len = c_uint::try_from(payload_len).expect("small payload");
    // SAFETY: CMSG_SPACE and CMSG_LEN are pure arithmetic on their argument.
    let (space, cmsg_len) = unsafe { (libc::CMSG_SPACE(len), libc::CMSG_LEN(len)) };
    (space as usize, cmsg_len as usize)
}

/// A `msghdr` whose control buffer is `control[..len]`, for the `CMSG_*` walking macros.
fn msghdr_over(control: &mut Aligned, len: usize) -> msghdr {
    assert!(len <= control.0.len());
    // SAFETY: `msghdr` is plain data; all zeroes is a valid (empty) value.
    let mut msg: msghdr = unsafe { core::mem::zeroed() };
    msg.msg_control = control.0.as_mut_ptr().cast();
    msg.msg_controllen = len as _;
    msg
}

#[test]
fn space_and_len_equal_libc_for_0_to_1024_bytes() {
    for payload_len in 0..=1024 {
        let (space, len) = libc_space_len(payload_len);
        assert_eq!(cmsg_space(payload_len), space, "CMSG_SPACE({payload_len})");
        assert_eq!(cmsg_len(payload_len), len, "CMSG_LEN({payload_len})");
    }
    for count in 0..=256 {
        let (space, _) = libc_space_len(count * size_of::<c_int>());
        assert_eq!(AncillaryData::space_for_fds(count), space, "{count} fds");
    }
    assert_eq!(HEADER_LEN, libc_space_len(0).1, "HEADER_LEN is CMSG_LEN(0)");
}

/// The exact figures of this target's C headers, written out so that a wrong `libc` (or a
/// wrong reading of it above) cannot hide behind agreeing with itself.
struct Expected {
    header_size: usize,
    header_align: usize,
    header_len: usize,
    /// `CMSG_SPACE` of 0, 1, 4, 8, 12 and 1012 (253 fds) bytes.
    space: [usize; 6],
}

const PAYLOADS: [usize; 6] = [0, 1, 4, 8, 12, 1012];

/// Linux (glibc, bionic) on 64-bit targets: `cmsg_len` is a `size_t`, so the header is 16
/// bytes and everything rounds to 8. Big-endian s390x is the same.
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    not(target_env = "musl"),
    target_pointer_width = "64"
))]
const EXPECTED: Expected = Expected {
    header_size: 16,
    header_align: 8,
    header_len: 16,
    space: [16, 24, 24, 24, 32, 1032],
};

/// musl on 64-bit targets: the same 16 bytes, but musl spells the kernel's `size_t
/// cmsg_len` as a `socklen_t` plus an `int` of padding (before it on big-endian targets,
/// after it on little-endian ones), so the struct is only 4-aligned. `CMSG_ALIGN` still
/// rounds to 8.
#[cfg(all(target_os = "linux", target_env = "musl", target_pointer_width = "64"))]
const EXPECTED: Expected = Expected {
    header_size: 16,
    header_align: 4,
    header_len: 16,
    space: [16, 24, 24, 24, 32, 1032],
};

/// Linux on 32-bit targets (i686, arm): 4-byte `size_t`, a 12-byte header and rounding to
/// 4, so one fd needs 16 bytes, not 24.
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    target_pointer_width = "32"
))]
const EXPECTED: Expected = Expected {
    header_size: 12,
    header_align: 4,
    header_len: 12,
    space: [12, 16, 16, 20, 24, 1024],
};

/// 64-bit FreeBSD: a 12-byte header (`socklen_t cmsg_len`) but `_ALIGN` rounds to 8, so the
/// payload starts at 16, not at `size_of::<cmsghdr>()`.
#[cfg(all(target_os = "freebsd", target_pointer_width = "64"))]
const EXPECTED: Expected = Expected {
    header_size: 12,
    header_align: 4,
    header_len: 16,
    space: [16, 24, 24, 24, 32, 1032],
};

/// Apple platforms (and 32-bit FreeBSD): a 12-byte header, rounding to 4.
#[cfg(any(
    target_vendor = "apple",
    all(target_os = "freebsd", target_pointer_width = "32")
))]
const EXPECTED: Expected = Expected {
    header_size: 12,
    header_align: 4,
    header_len: 12,
    space: [12, 16, 16, 20, 24, 1024],
};

/// The same figures checked at compile time, so that a check-only build for a target CI
/// cannot run (FreeBSD, macOS: `cargo clippy --target ...`) proves them too.
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_vendor = "apple"
))]
const _: () = {
    let e = EXPECTED;
    assert!(size_of::<cmsghdr>() == e.header_size);
    assert!(align_of::<cmsghdr>() == e.header_align);
    assert!(HEADER_LEN == e.header_len);
    let mut i = 0;
    while i < PAYLOADS.len() {
        assert!(cmsg_space(PAYLOADS[i]) == e.space[i]);
        assert!(cmsg_len(PAYLOADS[i]) == e.header_len + PAYLOADS[i]);
        i += 1;
    }
    assert!(AncillaryData::space_for_fds(253) == e.space[5]);
};

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_vendor = "apple"
))]
#[test]
fn exact_figures_of_this_target() {
    let e = EXPECTED;
    assert_eq!(size_of::<cmsghdr>(), e.header_size, "size_of::<cmsghdr>()");
    assert_eq!(
        align_of::<cmsghdr>(),
        e.header_align,
        "align_of::<cmsghdr>()"
    );
    assert_eq!(HEADER_LEN, e.header_len, "HEADER_LEN");
    for (payload, space) in PAYLOADS.into_iter().zip(e.space) {
        assert_eq!(cmsg_space(payload), space, "cmsg_space({payload})");
        assert_eq!(
            cmsg_len(payload),
            e.header_len + payload,
            "cmsg_len({payload})"
        );
    }
    assert_eq!(
        AncillaryData::space_for_fds(1),
        e.space[2],
        "space_for_fds(1)"
    );
    assert_eq!(
        AncillaryData::space_for_fds(253),
        e.space[5],
        "space_for_fds(253)"
    );
    println!(
        "{}-bit {} {}: header {} bytes (align {}), payload at {}, one fd needs {} bytes",
        usize::BITS,
        if cfg!(target_endian = "big") {
            "big-endian"
        } else {
            "little-endian"
        },
        std::env::consts::OS,
        e.header_size,
        e.header_align,
        e.header_len,
        e.space[2],
    );
}

#[test]
fn payload_offset_equals_cmsg_data() {
    let mut control = Aligned([0; 256]);
    let msg = msghdr_over(&mut control, libc_space_len(4).0);
    // SAFETY: `msg` describes `control`, which is aligned and long enough for one header;
    // CMSG_FIRSTHDR and CMSG_DATA only compute addresses inside it.
    let (first, data) = unsafe {
        let first = libc::CMSG_FIRSTHDR(&msg);
        assert!(!first.is_null());
        (first, libc::CMSG_DATA(first))
    };
    assert_eq!(first.cast::<u8>(), control.0.as_mut_ptr(), "CMSG_FIRSTHDR");
    assert_eq!(
        data as usize - first as usize,
        HEADER_LEN,
        "CMSG_DATA offset"
    );
}

/// What `ancillary` sends, walked with the C macros: header fields at the right offsets in
/// native byte order, payload at `CMSG_DATA`, zeroed padding, next header at `CMSG_NXTHDR`.
#[test]
fn bytes_we_build_read_back_through_libc_macros() {
    // Nothing is sent, so any open descriptors do; the standard streams need no system
    // call, which keeps this test runnable under Miri on every target (Miri's `socketpair`
    // for FreeBSD rejects the `SOCK_CLOEXEC` that std passes).
    let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
    let fds = [stdin.as_fd(), stdout.as_fd(), stdin.as_fd()]; // 12 bytes: padded on 64-bit
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&fds);
    ancillary.add_control_message(ControlMessage::new(libc::IPPROTO_IP, libc::IP_TTL, &[64]));
    let bytes = ancillary
        .start_sendmsg()
        .expect("heap storage never overflows")
        .expect("there are messages");
    assert!(
        bytes.len() >= cmsg_space(12) + cmsg_len(1),
        "{} bytes",
        bytes.len()
    );

    let mut control = Aligned([0xAA; 256]);
    control.0[..bytes.len()].copy_from_slice(bytes);
    let msg = msghdr_over(&mut control, bytes.len());
    // SAFETY: `msg` describes the `bytes.len()` initialized, aligned bytes of `control`;
    // the macros only compute addresses within them (checked against the length), and
    // every read below is of a header or payload those bytes hold.
    unsafe {
        let first = libc::CMSG_FIRSTHDR(&msg);
        assert!(!first.is_null());
        let header = first.read();
        assert_eq!(header.cmsg_len as usize, cmsg_len(12));
        assert_eq!(
            (header.cmsg_level, header.cmsg_type),
            (libc::SOL_SOCKET, libc::SCM_RIGHTS)
        );
        let payload = core::slice::from_raw_parts(libc::CMSG_DATA(first), 12);
        let expected: Vec<u8> = fds
            .iter()
            .flat_map(|fd| fd.as_raw_fd().to_ne_bytes())
            .collect();
        assert_eq!(payload, expected);
        let padding = core::slice::from_raw_parts(
            first.cast::<u8>().add(cmsg_len(12)),
            cmsg_space(12) - cmsg_len(12),
        );
        assert!(padding.iter().all(|&byte| byte == 0), "padding {padding:?}");

        let second = libc::CMSG_NXTHDR(&msg, first);
        assert!(!second.is_null());
        assert_eq!(
            second as usize - first as usize,
            cmsg_space(12),
            "CMSG_NXTHDR"
        );
        let header = second.read();
        assert_eq!(header.cmsg_len as usize, cmsg_len(1));
        assert_eq!(
            (header.cmsg_level, header.cmsg_type),
            (libc::IPPROTO_IP, libc::IP_TTL)
        );
        assert_eq!(*libc::CMSG_DATA(second), 64);
    }
}

/// Bytes laid out with the C macros, as a kernel or C library hands them over, parse into
/// the same messages.
#[test]
fn bytes_libc_builds_parse_back() {
    let first_payload = 0x0102_0304_i32.to_ne_bytes();
    let len = libc_space_len(4).0 + libc_space_len(1).0;
    let mut control = Aligned([0; 256]);
    let msg = msghdr_over(&mut control, len);
    // SAFETY: `msg` describes `len` zeroed, aligned bytes of `control`, room for both
    // messages; each header and payload written lies inside them.
    unsafe {
        let first = libc::CMSG_FIRSTHDR(&msg);
        assert!(!first.is_null());
        (*first).cmsg_len = libc_space_len(4).1 as _;
        (*first).cmsg_level = libc::SOL_SOCKET;
        (*first).cmsg_type = libc::SCM_RIGHTS;
        libc::CMSG_DATA(first).copy_from_nonoverlapping(first_payload.as_ptr(), 4);
        let second = libc::CMSG_NXTHDR(&msg, first);
        assert!(!second.is_null());
        (*second).cmsg_len = libc_space_len(1).1 as _;
        (*second).cmsg_level = libc::IPPROTO_IP;
        (*second).cmsg_type = libc::IP_TTL;
        *libc::CMSG_DATA(second) = 64;
    }

    let parsed: Vec<_> = ControlMessages::from_bytes(&control.0[..len])
        .iter()
        .map(|m| {
            (
                m.cmsg_level(),
                m.cmsg_type(),
                m.data().to_vec(),
                m.truncated(),
            )
        })
        .collect();
    assert_eq!(
        parsed,
        [
            (
                libc::SOL_SOCKET,
                libc::SCM_RIGHTS,
                first_payload.to_vec(),
                false
            ),
            (libc::IPPROTO_IP, libc::IP_TTL, vec![64], false),
        ]
    );
}
