//! Byte images of what the FreeBSD kernel writes into a receive buffer, built by hand from
//! its headers (not with this crate's sizing functions or types), parsed with the crate.
//! They make no system call, so CI runs them under Miri for `x86_64-unknown-freebsd`.
//!
//! The kernel's layout (`sys/sys/socket.h`, `sys/x86/include/_align.h`):
//! `struct cmsghdr { socklen_t cmsg_len; int cmsg_level; int cmsg_type; }` (12 bytes);
//! `_ALIGN` rounds to `_ALIGNBYTES + 1`, which is 8 on 64-bit targets (`sizeof(long)` on
//! amd64 and powerpc64, `sizeof(long long)` on arm64 and riscv64) and 4 on 32-bit ones;
//! `CMSG_DATA` is at `_ALIGN(sizeof(struct cmsghdr))`, `CMSG_LEN(l)` is that plus `l`,
//! `CMSG_SPACE(l)` that plus `_ALIGN(l)`. `kern_recvit` copies whole messages only: one
//! that does not fit is not copied at all (and its descriptors are closed).
//!
//! The credentials: `struct cmsgcred` (84 bytes: pid, uid, euid, gid, a `short` group
//! count, 2 bytes of padding, 16 groups); `struct sockcred` (uid, euid, gid, egid, an `int`
//! group count, then the groups: `SOCKCREDSIZE(n)` = 20 + 4n bytes); `struct sockcred2`
//! (version, pid, then as `sockcred`: 28 + 4n bytes). `unp_addsockcred` writes at most
//! `CMGROUP_MAX` (16) groups, and, for `LOCAL_CREDS` (`SCM_CREDS`), unlinks every
//! `SCM_CREDS` message the sender attached, so one receive holds a `sockcred` or a
//! `cmsgcred` under `SCM_CREDS`, never both; for `LOCAL_CREDS_PERSISTENT` (`SCM_CREDS2`)
//! it leaves the sender's `cmsgcred` in place, after the `sockcred2` it prepends.

use super::{ScmCreds, SockCred, SockCred2};
use crate::{cmsg_len, cmsg_space, ControlMessage, ControlMessagePayload, ControlMessages};
use crate::{PayloadError, ScmRights, HEADER_LEN};

/// `_ALIGNBYTES + 1` of the kernel: 8 on 64-bit FreeBSD, 4 on 32-bit.
const KERNEL_ALIGN: usize = if cfg!(target_pointer_width = "64") {
    8
} else {
    4
};

const fn kernel_align(len: usize) -> usize {
    (len + KERNEL_ALIGN - 1) & !(KERNEL_ALIGN - 1)
}

/// `sizeof(struct cmsghdr)`: three 4-byte fields.
const KERNEL_HEADER: usize = 12;
/// `CMSG_DATA`'s offset: `_ALIGN(sizeof(struct cmsghdr))`.
const KERNEL_DATA: usize = kernel_align(KERNEL_HEADER);

/// A receive buffer aligned as the kernel's (a `cmsghdr` and any payload in it aligned).
#[repr(C, align(8))]
struct Aligned([u8; 512]);

impl Aligned {
    fn holding(bytes: &[u8]) -> Box<Aligned> {
        let mut aligned = Box::new(Aligned([0; 512]));
        aligned.0[..bytes.len()].copy_from_slice(bytes);
        aligned
    }
}

/// One message as the kernel lays it out: header, zero padding up to `CMSG_DATA`, payload,
/// zero padding up to `CMSG_SPACE`.
fn kernel_message(level: libc::c_int, ty: libc::c_int, payload: &[u8]) -> Vec<u8> {
    let cmsg_len = u32::try_from(KERNEL_DATA + payload.len()).unwrap();
    let mut out = Vec::new();
    out.extend_from_slice(&cmsg_len.to_ne_bytes());
    out.extend_from_slice(&level.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.resize(KERNEL_DATA, 0);
    out.extend_from_slice(payload);
    out.resize(KERNEL_DATA + kernel_align(payload.len()), 0);
    out
}

fn words(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|word| word.to_ne_bytes()).collect()
}

/// `struct cmsgcred` as `unp_internalize` fills it.
fn cmsgcred(pid: u32, uid: u32, euid: u32, gid: u32, groups: &[u32]) -> Vec<u8> {
    assert!(groups.len() <= 16);
    let mut out = words(&[pid, uid, euid, gid]);
    out.extend_from_slice(&i16::try_from(groups.len()).unwrap().to_ne_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend(words(groups));
    out.resize(84, 0);
    out
}

/// `struct sockcred` with `groups.len()` groups, `SOCKCREDSIZE(groups.len())` bytes.
fn sockcred(uid: u32, euid: u32, gid: u32, egid: u32, groups: &[u32]) -> Vec<u8> {
    let mut out = words(&[uid, euid, gid, egid, u32::try_from(groups.len()).unwrap()]);
    out.extend(words(groups));
    out
}

/// `struct sockcred2` (version 0), `SOCKCRED2SIZE(groups.len())` bytes.
fn sockcred2(pid: u32, ids: [u32; 4], groups: &[u32]) -> Vec<u8> {
    let [uid, euid, gid, egid] = ids;
    let mut out = words(&[0, pid, uid, euid, gid, egid]);
    out.extend(words(&[u32::try_from(groups.len()).unwrap()]));
    out.extend(words(groups));
    out
}

fn messages(bytes: &[u8]) -> Vec<ControlMessage<'_>> {
    ControlMessages::from_bytes(bytes).iter().collect()
}

fn only_message(bytes: &[u8]) -> ControlMessage<'_> {
    let all = messages(bytes);
    assert_eq!(all.len(), 1, "{all:?}");
    all[0]
}

const SIXTEEN_GROUPS: [u32; 16] = [
    20, 0, 5, 920, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012,
];

#[test]
fn sizes_are_the_kernels() {
    assert_eq!(size_of::<libc::cmsghdr>(), KERNEL_HEADER);
    assert_eq!(HEADER_LEN, KERNEL_DATA);
    for payload in [0, 1, 4, 8, 12, 20, 32, 84, 88, 92] {
        assert_eq!(
            cmsg_len(payload),
            KERNEL_DATA + payload,
            "CMSG_LEN({payload})"
        );
        assert_eq!(
            cmsg_space(payload),
            KERNEL_DATA + kernel_align(payload),
            "CMSG_SPACE({payload})"
        );
    }
    if cfg!(target_pointer_width = "64") {
        // The figures of amd64's headers, written out.
        assert_eq!((HEADER_LEN, cmsg_len(4), cmsg_space(4)), (16, 20, 24));
        assert_eq!((cmsg_len(84), cmsg_space(84)), (100, 104));
    }
    // Room for each credential message with the most groups the kernel sends.
    assert_eq!(ScmCreds::SPACE, KERNEL_DATA + kernel_align(84));
    assert_eq!(SockCred::space_for(16), KERNEL_DATA + kernel_align(20 + 64));
    assert_eq!(
        SockCred2::space_for(16),
        KERNEL_DATA + kernel_align(28 + 64)
    );
    assert_eq!(SockCred::SPACE, KERNEL_DATA + kernel_align(20));
}

#[test]
fn walks_rights_then_creds_at_the_kernels_offsets() {
    let rights = kernel_message(libc::SOL_SOCKET, libc::SCM_RIGHTS, &words(&[7]));
    let creds = cmsgcred(4242, 1001, 1002, 2001, &[2001, 0, 5]);
    let mut bytes = rights.clone();
    bytes.extend(kernel_message(libc::SOL_SOCKET, libc::SCM_CREDS, &creds));
    let buffer = Aligned::holding(&bytes);
    let all = messages(&buffer.0[..bytes.len()]);
    assert_eq!(all.len(), 2);

    // The payloads sit where the kernel put them: the second header at CMSG_SPACE(4).
    let base = buffer.0.as_ptr() as usize;
    assert_eq!(all[0].data().as_ptr() as usize - base, KERNEL_DATA);
    assert_eq!(
        all[1].data().as_ptr() as usize - base,
        rights.len() + KERNEL_DATA
    );
    let fds = <&ScmRights>::try_from(all[0]).unwrap();
    assert_eq!(fds.fds(), [7]);
    let creds = ScmCreds::try_from(all[1]).unwrap();
    assert_eq!(
        (creds.pid(), creds.uid(), creds.euid(), creds.gid()),
        (4242, 1001, 1002, 2001)
    );
    assert_eq!(creds.groups(), [2001, 0, 5]);
}

#[test]
fn a_buffer_cut_between_header_and_payload_gives_an_empty_payload_inside_it() {
    // 64-bit FreeBSD: bytes 12..16 are the header's padding. A cut there leaves a
    // truncated message with no payload, whose (empty) data still points into the buffer.
    let bytes = kernel_message(libc::SOL_SOCKET, libc::SCM_RIGHTS, &words(&[7, 8]));
    let buffer = Aligned::holding(&bytes);
    for cut in KERNEL_HEADER..=KERNEL_DATA {
        let view = &buffer.0[..cut];
        let message = only_message(view);
        assert!(message.truncated(), "cut at {cut}");
        assert!(message.data().is_empty(), "cut at {cut}");
        let range = view.as_ptr_range();
        assert!(range.contains(&message.data().as_ptr()) || message.data().as_ptr() == range.end);
    }
}

#[test]
fn a_sockcred_with_3_groups_parses_as_sock_cred() {
    let payload = sockcred(1001, 1002, 2001, 2002, &[2002, 0, 920]);
    assert_eq!(payload.len(), 32); // SOCKCREDSIZE(3)
    let bytes = kernel_message(libc::SOL_SOCKET, libc::SCM_CREDS, &payload);
    let buffer = Aligned::holding(&bytes);
    let message = only_message(&buffer.0[..bytes.len()]);

    let creds = <&SockCred>::try_from(message).unwrap();
    assert_eq!(
        (creds.uid(), creds.euid(), creds.gid(), creds.egid()),
        (1001, 1002, 2001, 2002)
    );
    assert_eq!(creds.groups(), [2002, 0, 920]);
    // 32 bytes is not a `cmsgcred`: `ScmCreds` refuses it, and says why.
    assert!(!ScmCreds::matches(&message));
    assert!(matches!(
        ScmCreds::try_from(message),
        Err(PayloadError::Length {
            expected: 84,
            found: 32,
            ..
        })
    ));
}

#[test]
fn a_sockcred_with_no_groups_parses_too() {
    // `SOCKCREDSIZE(0)` in the kernel's C is 20 bytes (the macro's `ngrps - 1` wraps).
    let payload = sockcred(1001, 1001, 2001, 2001, &[]);
    let bytes = kernel_message(libc::SOL_SOCKET, libc::SCM_CREDS, &payload);
    let buffer = Aligned::holding(&bytes);
    let creds = <&SockCred>::try_from(only_message(&buffer.0[..bytes.len()])).unwrap();
    assert_eq!(creds.uid(), 1001);
    assert!(creds.groups().is_empty());
}

/// The confusion the docs warn about: a `sockcred` of 16 groups is 84 bytes, so it matches
/// `ScmCreds` too, which then reads every id one field off.
#[test]
fn a_sockcred_with_16_groups_matches_scm_creds_which_misreads_it() {
    let payload = sockcred(1001, 1002, 2001, 2002, &SIXTEEN_GROUPS);
    assert_eq!(payload.len(), 84); // SOCKCREDSIZE(16) == sizeof(struct cmsgcred)
    let bytes = kernel_message(libc::SOL_SOCKET, libc::SCM_CREDS, &payload);
    let buffer = Aligned::holding(&bytes);
    let message = only_message(&buffer.0[..bytes.len()]);

    // Read as what it is (the receiver set LOCAL_CREDS): right.
    let creds = <&SockCred>::try_from(message).unwrap();
    assert_eq!(
        (creds.uid(), creds.euid(), creds.gid(), creds.egid()),
        (1001, 1002, 2001, 2002)
    );
    assert_eq!(creds.groups(), SIXTEEN_GROUPS);

    // Read as a `cmsgcred`: it matches and parses, with the real uid as the "pid", the
    // effective uid as the "uid", and so on.
    assert!(ScmCreds::matches(&message));
    let wrong = ScmCreds::try_from(message).unwrap();
    assert_eq!(
        (wrong.pid(), wrong.uid(), wrong.euid(), wrong.gid()),
        (1001, 1002, 2001, 2002)
    );
    // The `short` group count is one half of `sc_ngroups`: 16 on little-endian targets,
    // where the group list (at offset 20 in both layouts) then reads right; 0 on big-endian.
    if cfg!(target_endian = "little") {
        assert_eq!(wrong.groups(), SIXTEEN_GROUPS);
    } else {
        assert!(wrong.groups().is_empty());
    }
}

/// And the other way round: every `cmsgcred` (84 bytes) matches `SockCred` as 16 groups.
#[test]
fn a_cmsgcred_matches_sock_cred_which_misreads_it() {
    let payload = cmsgcred(4242, 1001, 1002, 2001, &[2001, 0, 5]);
    let bytes = kernel_message(libc::SOL_SOCKET, libc::SCM_CREDS, &payload);
    let buffer = Aligned::holding(&bytes);
    let message = only_message(&buffer.0[..bytes.len()]);

    let right = ScmCreds::try_from(message).unwrap();
    assert_eq!((right.pid(), right.uid()), (4242, 1001));
    assert!(SockCred::matches(&message));
    let wrong = <&SockCred>::try_from(message).unwrap();
    assert_eq!(
        (wrong.uid(), wrong.euid(), wrong.gid(), wrong.egid()),
        (4242, 1001, 1002, 2001)
    );
}

#[test]
fn a_sockcred2_is_never_scm_creds() {
    for groups in [&[][..], &[2002, 0, 920][..], &SIXTEEN_GROUPS[..]] {
        let payload = sockcred2(4242, [1001, 1002, 2001, 2002], groups);
        assert_eq!(payload.len(), 28 + 4 * groups.len()); // SOCKCRED2SIZE
        let bytes = kernel_message(libc::SOL_SOCKET, libc::SCM_CREDS2, &payload);
        let buffer = Aligned::holding(&bytes);
        let message = only_message(&buffer.0[..bytes.len()]);

        assert!(!ScmCreds::matches(&message), "{} groups", groups.len());
        assert!(!SockCred::matches(&message), "{} groups", groups.len());
        assert!(matches!(
            ScmCreds::try_from(message),
            Err(PayloadError::LevelType { .. })
        ));
        let creds = <&SockCred2>::try_from(message).unwrap();
        assert_eq!((creds.version(), creds.pid()), (0, 4242));
        assert_eq!(
            (creds.uid(), creds.euid(), creds.gid(), creds.egid()),
            (1001, 1002, 2001, 2002)
        );
        assert_eq!(creds.groups(), groups);
    }
}

#[test]
fn with_local_creds_persistent_the_senders_cmsgcred_stays_next_to_the_sockcred2() {
    // `unp_addsockcred` prepends the `sockcred2` to the sender's own control messages.
    let mut bytes = kernel_message(
        libc::SOL_SOCKET,
        libc::SCM_CREDS2,
        &sockcred2(4242, [1001, 1001, 2001, 2001], &[2001]),
    );
    bytes.extend(kernel_message(
        libc::SOL_SOCKET,
        libc::SCM_CREDS,
        &cmsgcred(4242, 1001, 1001, 2001, &[2001]),
    ));
    let buffer = Aligned::holding(&bytes);
    let received = ControlMessages::from_bytes(&buffer.0[..bytes.len()]);
    let kernel = received.find::<SockCred2>().unwrap().unwrap();
    let sender = received.find::<ScmCreds>().unwrap().unwrap();
    assert_eq!((kernel.pid(), sender.pid()), (4242, 4242));
    assert_eq!(received.of_type::<SockCred2>().count(), 1);
    assert_eq!(received.of_type::<ScmCreds>().count(), 1);
}

#[test]
fn group_counts_out_of_range_are_clamped() {
    for (count, expected) in [(40u32, 3), (u32::MAX, 0), (0, 0), (2, 2)] {
        let mut payload = sockcred(1, 2, 3, 4, &[10, 11, 12]);
        payload[16..20].copy_from_slice(&count.to_ne_bytes());
        let bytes = kernel_message(libc::SOL_SOCKET, libc::SCM_CREDS, &payload);
        let buffer = Aligned::holding(&bytes);
        let creds = <&SockCred>::try_from(only_message(&buffer.0[..bytes.len()])).unwrap();
        assert_eq!(
            creds.groups(),
            &[10, 11, 12][..expected],
            "sc_ngroups {count}"
        );

        let mut payload = sockcred2(9, [1, 2, 3, 4], &[10, 11, 12]);
        payload[24..28].copy_from_slice(&count.to_ne_bytes());
        let bytes = kernel_message(libc::SOL_SOCKET, libc::SCM_CREDS2, &payload);
        let buffer = Aligned::holding(&bytes);
        let creds = <&SockCred2>::try_from(only_message(&buffer.0[..bytes.len()])).unwrap();
        assert_eq!(
            creds.groups(),
            &[10, 11, 12][..expected],
            "sc_ngroups {count}"
        );
    }
}

#[test]
fn lengths_that_fit_no_credential_are_errors() {
    // A payload between the fixed part and a whole group, or shorter than the fixed part.
    for len in [0, 4, 19, 21, 27, 29, 83, 85] {
        let bytes = kernel_message(libc::SOL_SOCKET, libc::SCM_CREDS2, &vec![0; len]);
        let buffer = Aligned::holding(&bytes);
        let message = only_message(&buffer.0[..bytes.len()]);
        let fits = len >= 28 && (len - 28) % 4 == 0;
        assert_eq!(<&SockCred2>::try_from(message).is_ok(), fits, "{len} bytes");
    }
}
