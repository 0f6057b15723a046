//! Byte images of what XNU writes into a receive buffer, built by hand from Apple's headers
//! (not with this crate's sizing functions), parsed with the crate. They make no system
//! call, so CI runs them under Miri for `aarch64-apple-darwin` (`x86_64-apple-darwin` has
//! the same layout).
//!
//! Apple's `sys/socket.h`: `struct cmsghdr { socklen_t cmsg_len; int cmsg_level; int
//! cmsg_type; }` (12 bytes); `__DARWIN_ALIGN32(p)` rounds to 4 (`sizeof(__uint32_t)`);
//! `CMSG_DATA(c)` is at `__DARWIN_ALIGN32(sizeof(struct cmsghdr))` = 12, `CMSG_LEN(l)` is
//! `12 + l` and `CMSG_SPACE(l)` is `12 + __DARWIN_ALIGN32(l)`, on 32- and 64-bit alike.
//!
//! XNU's `unp_externalize` installs every passed descriptor and rewrites the message as
//! `CMSG_LEN(n * sizeof(int))` bytes of `int`s; `copyout_control` then copies each message's
//! `CMSG_ALIGN(cmsg_len)` bytes while they fit and, when one does not, copies what fits of
//! it (its header still claiming the whole length), sets `MSG_CTRUNC` and stops. The
//! descriptors whose numbers were not copied stay open in the receiver.

use super::ScmCreds;
use crate::fds::count;
use crate::fds::FdKind;
use crate::{cmsg_len, cmsg_space, ControlMessage, ControlMessagePayload, ControlMessages};
use crate::{ScmRights, HEADER_LEN};

/// `__DARWIN_ALIGN32`.
const fn darwin_align32(len: usize) -> usize {
    (len + 3) & !3
}

/// `sizeof(struct cmsghdr)`, which is also where the payload starts.
const DARWIN_HEADER: usize = 12;

/// A receive buffer aligned for a `cmsghdr` (4), and more.
#[repr(C, align(8))]
struct Aligned([u8; 256]);

impl Aligned {
    fn holding(bytes: &[u8]) -> Box<Aligned> {
        let mut aligned = Box::new(Aligned([0; 256]));
        aligned.0[..bytes.len()].copy_from_slice(bytes);
        aligned
    }
}

/// One message as XNU copies it out: header, payload, zero padding to a multiple of 4.
fn xnu_message(level: libc::c_int, ty: libc::c_int, payload: &[u8]) -> Vec<u8> {
    let cmsg_len = u32::try_from(DARWIN_HEADER + payload.len()).unwrap();
    let mut out = Vec::new();
    out.extend_from_slice(&cmsg_len.to_ne_bytes());
    out.extend_from_slice(&level.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(payload);
    out.resize(DARWIN_HEADER + darwin_align32(payload.len()), 0);
    out
}

fn ints(values: &[libc::c_int]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|value| value.to_ne_bytes())
        .collect()
}

#[test]
fn sizes_are_apples() {
    assert_eq!(size_of::<libc::cmsghdr>(), DARWIN_HEADER);
    assert_eq!(HEADER_LEN, DARWIN_HEADER);
    // CMSG_LEN and CMSG_SPACE of Apple's headers, written out.
    for (payload, len, space) in [
        (0, 12, 12),
        (1, 13, 16),
        (4, 16, 16),
        (8, 20, 20),
        (12, 24, 24),
        (84, 96, 96),
        (1012, 1024, 1024),
    ] {
        assert_eq!(cmsg_len(payload), len, "CMSG_LEN({payload})");
        assert_eq!(cmsg_space(payload), space, "CMSG_SPACE({payload})");
        assert_eq!(space, DARWIN_HEADER + darwin_align32(payload));
    }
    assert_eq!(crate::AncillaryData::space_for_fds(2), 20);
    assert_eq!(ScmCreds::SPACE, 96);
}

#[test]
fn rights_of_two_fds_as_xnu_lays_them_out() {
    let bytes = xnu_message(libc::SOL_SOCKET, libc::SCM_RIGHTS, &ints(&[7, 9]));
    // cmsg_len = CMSG_LEN(8) = 20, no padding: exactly the bytes copied out.
    assert_eq!(bytes.len(), 20);
    assert_eq!(bytes[..4], 20u32.to_ne_bytes());
    let buffer = Aligned::holding(&bytes);
    let received = ControlMessages::from_bytes(&buffer.0[..bytes.len()]);
    let all: Vec<ControlMessage<'_>> = received.iter().collect();
    assert_eq!(all.len(), 1);
    assert!(!all[0].truncated());
    assert_eq!(
        all[0].data().as_ptr() as usize - buffer.0.as_ptr() as usize,
        12
    );
    let rights = received.find::<ScmRights>().unwrap().unwrap();
    assert_eq!(rights.fds(), [7, 9]);
    // Both are owned by the buffer that received them.
    assert_eq!(count(received.as_bytes(), FdKind::Rights), 2);
}

#[test]
fn walks_two_messages_4_byte_aligned() {
    // A UDP receive with IP_RECVDSTADDR (a 4-byte `in_addr`) and IP_RECVTTL (one byte on
    // XNU): the second header follows at 16, and the 1-byte payload is padded to 4.
    let mut bytes = xnu_message(libc::IPPROTO_IP, libc::IP_RECVDSTADDR, &[127, 0, 0, 1]);
    assert_eq!(bytes.len(), 16);
    bytes.extend(xnu_message(libc::IPPROTO_IP, libc::IP_RECVTTL, &[64]));
    assert_eq!(bytes.len(), 32);
    assert_eq!(bytes[16..20], 13u32.to_ne_bytes()); // CMSG_LEN(1)
    let buffer = Aligned::holding(&bytes);
    let base = buffer.0.as_ptr() as usize;
    let all: Vec<_> = ControlMessages::from_bytes(&buffer.0[..bytes.len()])
        .iter()
        .collect();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].cmsg_level(), all[0].cmsg_type(), all[0].data()),
        (libc::IPPROTO_IP, libc::IP_RECVDSTADDR, &[127, 0, 0, 1][..])
    );
    assert_eq!(
        (all[1].cmsg_level(), all[1].cmsg_type(), all[1].data()),
        (libc::IPPROTO_IP, libc::IP_RECVTTL, &[64][..])
    );
    assert_eq!(all[0].data().as_ptr() as usize - base, 12);
    assert_eq!(all[1].data().as_ptr() as usize - base, 16 + 12);
    // Without the last message's padding (as a sender may lay it out) the walk is the same.
    assert_eq!(
        ControlMessages::from_bytes(&buffer.0[..29]).iter().count(),
        2
    );
}

#[test]
fn rights_cut_short_by_copyout_name_only_the_fds_that_fit() {
    // Two fds passed, a buffer of CMSG_SPACE(4) = 16 bytes: XNU installed both, then copied
    // 16 bytes (the header, still saying CMSG_LEN(8) = 20, and the first fd) and set
    // MSG_CTRUNC. Fd 9 is open in the process, and nothing in the buffer names it.
    let whole = xnu_message(libc::SOL_SOCKET, libc::SCM_RIGHTS, &ints(&[7, 9]));
    let buffer = Aligned::holding(&whole[..16]);
    let received = ControlMessages::from_bytes(&buffer.0[..16]);
    let message = received.iter().next().unwrap();
    assert!(message.truncated());
    assert_eq!(message.data(), 7i32.to_ne_bytes());
    assert_eq!(received.iter().count(), 1);
    // The crate owns (and would close) exactly the fd that is named.
    assert_eq!(count(received.as_bytes(), FdKind::Rights), 1);
    assert_eq!(received.find::<ScmRights>().unwrap().unwrap().fds(), [7]);

    // A cut inside an fd number: the partial number is no descriptor and is skipped.
    for cut in 13..16 {
        let received = ControlMessages::from_bytes(&buffer.0[..cut]);
        assert_eq!(
            count(received.as_bytes(), FdKind::Rights),
            0,
            "cut at {cut}"
        );
    }
}

#[test]
fn scm_creds_is_apples_cmsgcred() {
    // pid, uid, euid, gid, a short group count, 2 bytes of padding, 16 groups: 84 bytes.
    let mut payload = ints(&[4242, 501, 501, 20]);
    payload.extend_from_slice(&2i16.to_ne_bytes());
    payload.extend_from_slice(&[0, 0]);
    payload.extend(ints(&[20, 12]));
    payload.resize(84, 0);
    let bytes = xnu_message(libc::SOL_SOCKET, libc::SCM_CREDS, &payload);
    assert_eq!(bytes.len(), 96);
    let creds =
        ScmCreds::try_from(ControlMessages::from_bytes(&bytes).iter().next().unwrap()).unwrap();
    assert_eq!(
        (creds.pid(), creds.uid(), creds.euid(), creds.gid()),
        (4242, 501, 501, 20)
    );
    assert_eq!(creds.groups(), [20, 12]);
}
