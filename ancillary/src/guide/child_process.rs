//! Handing a socket to a child process: a socket pair, one end the child's standard
//! input, and each side checking who sent what it receives (`SO_PASSCRED`, Linux).
//!
//! The usual privilege-separation set-up: a socket pair, one end given to a child
//! process. `std::process::Command` passes descriptors as the child's standard streams,
//! so the child's end can be its standard input, with no `unsafe` and no descriptor
//! numbers on the command line. Both ends are close-on-exec, so the child gets no other.
//!
//! Who is at the other end? Two Linux mechanisms answer, and they answer different
//! questions:
//!
//! * **`SO_PEERCRED`** (a socket option, read with `getsockopt`) gives the credentials the
//!   peer had when the connection was made: for a pathname or abstract socket, the process
//!   that called `connect` (or `listen`). For a socket pair the kernel records the
//!   process that called `socketpair`, on both ends: after the hand-over both the parent
//!   and the child read the *parent's* pid. Use it for a server's connected clients, where
//!   one check at accept time is enough.
//! * **`SO_PASSCRED`** on the receiving socket makes every message arrive with an
//!   `SCM_CREDENTIALS` message (`os::linux::ScmCredentials`): the pid, uid and gid of the
//!   process that sent that message, filled in (or, if the sender sent its own, checked)
//!   by the kernel at each send. Use it to identify the child at the end of a socket pair,
//!   or whenever the descriptor may have changed hands since the connection was made. It
//!   costs a control message per receive; set it before the peer sends.
//!
//! Here the parent checks that what it receives comes from its child, and the child that
//! what it receives comes from its parent, before it uses the file it was handed:
//!
//! ```
//! use std::io;
//! use std::os::fd::{AsFd, OwnedFd};
//! use std::os::unix::net::UnixStream;
//! use std::process::{Command, Stdio};
//! use ancillary::os::linux::{ScmCredentials, SocketOptionsExt};
//! use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};
//!
//! /// Receives one message into `buf` and `ancillary`; returns the sender's pid, which
//! /// `SO_PASSCRED` on `socket` makes the kernel attach.
//! fn recv_from_pid(
//!     socket: &UnixStream,
//!     buf: &mut [u8],
//!     ancillary: &mut AncillaryData<'_>,
//! ) -> io::Result<libc::pid_t> {
//!     MessageReceiver::new(socket, buf).ancillary_data(ancillary).recv()?;
//!     let credentials = ancillary.control_messages().find::<ScmCredentials>();
//!     Ok(credentials.ok_or(io::ErrorKind::PermissionDenied)??.pid())
//! }
//!
//! fn main() -> io::Result<()> {
//!     if std::env::args().nth(1).as_deref() == Some("--child") {
//!         return child();
//!     }
//!     let (parent_end, child_end) = UnixStream::pair()?;
//!     parent_end.set_passcred(true)?; // before the child can send
//!     // The program runs itself as the child, with its end of the pair as stdin (the
//!     // `Command`, and with it the parent's copy of that end, is dropped at the `;`).
//!     let mut child = Command::new(std::env::current_exe()?)
//!         .arg("--child")
//!         .stdin(Stdio::from(OwnedFd::from(child_end)))
//!         .spawn()?;
//!
//!     let mut ancillary = AncillaryData::with_capacity(ScmCredentials::SPACE);
//!     let from = recv_from_pid(&parent_end, &mut [0; 5], &mut ancillary)?;
//!     assert_eq!(from, child.id() as libc::pid_t, "sent by the child");
//!
//!     // Hand the child a file it may not be able to open itself.
//!     let file = std::fs::File::open("Cargo.toml")?;
//!     let mut to_send = AncillaryData::new();
//!     to_send.add_file_descriptors(&[file.as_fd()]);
//!     MessageSender::new(&parent_end, b"file").ancillary_data(&mut to_send).send()?;
//!     assert!(child.wait()?.success());
//!     Ok(())
//! }
//!
//! fn child() -> io::Result<()> {
//!     let socket = UnixStream::from(io::stdin().as_fd().try_clone_to_owned()?);
//!     socket.set_passcred(true)?; // before saying it is ready
//!     MessageSender::new(&socket, b"ready").send()?;
//!
//!     const ROOM: usize = ScmCredentials::SPACE + AncillaryData::space_for_fds(1);
//!     let mut ancillary = AncillaryData::with_capacity(ROOM);
//!     let from = recv_from_pid(&socket, &mut [0; 4], &mut ancillary)?;
//!     assert_eq!(from, std::os::unix::process::parent_id() as libc::pid_t);
//!     let file = std::fs::File::from(ancillary.take_first_fd().expect("a file"));
//!     assert!(file.metadata()?.len() > 0);
//!     Ok(())
//! }
//! ```
//!
//! `SO_PEERCRED` has no wrapper here: tokio's `UnixStream::peer_cred`, nix's
//! `sockopt::PeerCredentials` and rustix's `socket_peercred` read it. Other systems have
//! their own forms (`LOCAL_PEERCRED` and `getpeereid` on FreeBSD and macOS, FreeBSD's
//! `SCM_CREDS`: see `os::freebsd` and `os::macos`).
