//! io_uring operations that are prepared but never submitted: `complete` with a negative
//! result gives every part back, and dropping leaks the state instead of freeing memory a
//! kernel could still use. No system call is made, so these run under Miri too, which
//! checks that `complete` frees exactly what `prepare` allocated.
#![cfg(io_uring_target)]

use ancillary::io_uring::{RecvMsg, SendMsg};
use ancillary::{AncillaryData, ControlMessage, RecvOptions};

#[test]
fn a_receive_never_submitted_gives_everything_back() {
    let recv = RecvMsg::vectored(vec![vec![1, 2], vec![3]], AncillaryData::with_capacity(64))
        .with_address()
        .options(RecvOptions::new())
        .prepare()
        .unwrap();
    assert_ne!(recv.user_data(), 0);
    // SAFETY: never submitted, with a negative result.
    let done = unsafe { recv.complete(-libc::ECANCELED) };
    assert_eq!(done.bufs, [vec![1, 2], vec![3]]);
    assert!(done.address.is_none());
    assert_eq!(
        done.result.unwrap_err().raw_os_error(),
        Some(libc::ECANCELED)
    );
    assert!(done.ancillary.capacity() >= 64);
}

#[test]
fn a_send_never_submitted_gives_everything_back() {
    let mut ancillary = AncillaryData::new();
    ancillary.add_control_message(ControlMessage::new(1, 2, &[3, 4, 5]));
    let to = std::net::SocketAddr::from(([127, 0, 0, 1], 9));
    let send = SendMsg::new(vec![9; 3])
        .ancillary_data(ancillary)
        .to(&to)
        .unwrap()
        .prepare()
        .unwrap();
    // SAFETY: never submitted, with a negative result.
    let done = unsafe { send.complete(-libc::EINVAL) };
    assert_eq!(done.bufs, [vec![9; 3]]);
    assert_eq!(done.ancillary.control_messages().iter().count(), 1);
    assert!(done.fds.is_empty());
    assert_eq!(done.result.unwrap_err().raw_os_error(), Some(libc::EINVAL));
}

#[test]
#[cfg_attr(miri, ignore = "the state of a dropped operation is leaked by design")]
fn dropping_an_operation_never_submitted_leaks_it() {
    let send = SendMsg::new(vec![1]).prepare().unwrap();
    drop(send); // leaked, not freed: sound whatever the kernel does
}
