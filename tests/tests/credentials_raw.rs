//! `SO_PASSCRED`: an `SCM_CREDENTIALS` message arrives with every message, next to
//! `SCM_RIGHTS`, read here through the raw level/type view and parsed by hand.

use std::os::fd::AsFd;
use std::os::unix::net::{UnixDatagram, UnixStream};

use ancillary::{
    cmsg_space, AncillaryData, ControlMessage, MessageSender, RecvMessage, RecvOptions, SendMessage,
};
use tests::{borrow_all, distinct_fds, file_ids, recv_into, set_passcred};

const UCRED_LEN: usize = 12;

/// `(pid, uid, gid)` of this process.
fn own_credentials() -> (libc::pid_t, libc::uid_t, libc::gid_t) {
    // SAFETY: getpid, getuid and getgid have no preconditions and cannot fail.
    unsafe { (libc::getpid(), libc::getuid(), libc::getgid()) }
}

/// Parses a `struct ucred` payload by hand: `pid_t`, `uid_t`, `gid_t`, native-endian.
fn parse_ucred(data: &[u8]) -> (libc::pid_t, libc::uid_t, libc::gid_t) {
    assert_eq!(data.len(), UCRED_LEN);
    assert_eq!(size_of::<libc::ucred>(), UCRED_LEN);
    let field = |at: usize| -> [u8; 4] { data[at..at + 4].try_into().unwrap() };
    (
        libc::pid_t::from_ne_bytes(field(0)),
        libc::uid_t::from_ne_bytes(field(4)),
        libc::gid_t::from_ne_bytes(field(8)),
    )
}

fn check<S: SendMessage + RecvMessage + AsFd>(a: &S, b: &S) {
    set_passcred(b);
    let sent = distinct_fds(2);
    tests::send_fds(a, b"hello", &borrow_all(&sent)).unwrap();

    let room = cmsg_space(UCRED_LEN) + AncillaryData::space_for_fds(2);
    let mut ancillary = AncillaryData::with_capacity(room);
    let mut buf = [0u8; 8];
    let (n, result) = recv_into(b, &mut buf, &mut ancillary, RecvOptions::new()).unwrap();
    assert_eq!(&buf[..n], b"hello");
    assert!(!result.control_data_truncated());

    let kinds: Vec<(i32, i32)> = ancillary
        .control_messages()
        .iter()
        .map(|m| (m.cmsg_level(), m.cmsg_type()))
        .collect();
    assert_eq!(
        kinds,
        [
            (libc::SOL_SOCKET, libc::SCM_CREDENTIALS),
            (libc::SOL_SOCKET, libc::SCM_RIGHTS)
        ],
        "credentials come first, then the rights"
    );
    let creds = ancillary.control_messages().iter().next().unwrap();
    assert!(!creds.truncated());
    assert_eq!(parse_ucred(creds.data()), own_credentials());

    // The credentials are not mistaken for descriptors.
    let fds = ancillary.take_owned_fds().unwrap();
    assert_eq!(file_ids(&fds), file_ids(&sent));
}

#[test]
fn credentials_arrive_with_rights_on_a_stream() {
    let (a, b) = UnixStream::pair().unwrap();
    check(&a, &b);
}

#[test]
fn credentials_arrive_with_rights_on_a_datagram() {
    let (a, b) = UnixDatagram::pair().unwrap();
    check(&a, &b);
}

#[test]
fn credentials_arrive_without_rights() {
    let (a, b) = UnixDatagram::pair().unwrap();
    set_passcred(&b);
    a.send(b"plain").unwrap();
    let mut ancillary = AncillaryData::with_capacity(cmsg_space(UCRED_LEN));
    recv_into(&b, &mut [0; 8], &mut ancillary, RecvOptions::new()).unwrap();
    let messages: Vec<_> = ancillary.control_messages().iter().collect();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].cmsg_type(), libc::SCM_CREDENTIALS);
    assert_eq!(parse_ucred(messages[0].data()), own_credentials());
    assert_eq!(ancillary.take_owned_fds().map(|v| v.len()), Some(0));
}

#[test]
fn explicit_credentials_are_sent_and_checked_by_the_kernel() {
    let (a, b) = UnixDatagram::pair().unwrap();
    set_passcred(&b);
    let (pid, uid, gid) = own_credentials();
    let mut payload = [0u8; UCRED_LEN];
    payload[0..4].copy_from_slice(&pid.to_ne_bytes());
    payload[4..8].copy_from_slice(&uid.to_ne_bytes());
    payload[8..12].copy_from_slice(&gid.to_ne_bytes());
    let sent = distinct_fds(1);

    let mut ancillary = AncillaryData::new();
    ancillary.add_control_message(ControlMessage::new(
        libc::SOL_SOCKET,
        libc::SCM_CREDENTIALS,
        &payload,
    ));
    ancillary.add_file_descriptors(&borrow_all(&sent));
    MessageSender::new(&a, b"x")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap();

    let mut received =
        AncillaryData::with_capacity(cmsg_space(UCRED_LEN) + AncillaryData::space_for_fds(1));
    recv_into(&b, &mut [0; 1], &mut received, RecvOptions::new()).unwrap();
    let creds = received
        .control_messages()
        .iter()
        .find(|m| m.cmsg_type() == libc::SCM_CREDENTIALS)
        .unwrap();
    assert_eq!(parse_ucred(creds.data()), (pid, uid, gid));
    let [fd] = received.take_exact_fds().unwrap();
    assert_eq!(file_ids(&[fd]), file_ids(&sent));
}
