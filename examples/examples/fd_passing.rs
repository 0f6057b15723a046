//! Passing a file descriptor between two threads over a Unix socket pair.
//!
//! The sender makes a pipe, writes a line into it and passes the pipe's read end as an
//! `SCM_RIGHTS` control message. The receiver gets a *new* descriptor for the same open
//! pipe, reads the line through it and shows the descriptor's flags. Between processes
//! (a socket from `UnixListener`, or one inherited across `fork`) the code is the same.
//!
//! Run it with `cargo run -p examples --example fd_passing`.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::thread;

use ancillary::{AncillaryData, AncillaryStorage, MessageReceiver, MessageSender};

fn main() -> io::Result<()> {
    let (sender_end, receiver_end) = UnixStream::pair()?;

    // The sender: the pipe's read end travels as ancillary data next to a 1-byte payload
    // (a stream socket cannot carry control data without at least one byte of data).
    let sender = thread::spawn(move || -> io::Result<RawFd> {
        let (reader, mut writer) = io::pipe()?;
        writer.write_all(b"hello through a passed file descriptor\n")?;
        drop(writer); // the receiver then sees end-of-file after the line

        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&[reader.as_fd()]);
        MessageSender::new(&sender_end, b"!")
            .ancillary_data(&mut ancillary)
            .send()?;

        // Keep our descriptor open until the receiver says it has its own, so that the
        // two numbers are both in use at once and must differ. Closing ours afterwards
        // (when `reader` is dropped) does not close theirs.
        (&sender_end).read_exact(&mut [0])?;
        Ok(reader.as_raw_fd())
    });

    // The receiver: control data goes into an aligned stack buffer with room for one
    // descriptor. (`with_storage` also takes any `&mut [MaybeUninit<u8>]` and aligns inside
    // it, at the cost of up to 7 bytes.)
    let mut storage = AncillaryStorage::<{ AncillaryData::space_for_fds(1) }>::new();
    let mut ancillary = AncillaryData::with_storage(&mut storage);
    let mut byte = [0u8; 1];
    let (len, result) = MessageReceiver::new(&receiver_end, &mut byte)
        .ancillary_data(&mut ancillary)
        .recv()?;
    assert_eq!((len, result.control_data_truncated()), (1, false));

    // Exactly one descriptor must have come: anything else is an error that says how
    // many did. From here on the descriptor is an `OwnedFd`, closed when dropped.
    let [fd] = ancillary.take_exact_fds()?;
    (&receiver_end).write_all(b"k")?;
    let sent_number = sender.join().expect("sender thread panicked")?;

    // Read through the received descriptor, then look at it.
    let mut pipe = std::fs::File::from(fd);
    let mut text = String::new();
    pipe.read_to_string(&mut text)?;
    print!("read through it:  {text}");
    print_flags(pipe.as_fd(), sent_number)
}

/// Prints the descriptor's number and flags, read back with `fcntl`.
fn print_flags(fd: BorrowedFd<'_>, sent_number: RawFd) -> io::Result<()> {
    // SAFETY: `fd` is an open descriptor for the whole call; F_GETFD and F_GETFL read
    // flags and take no further argument.
    let (fd_flags, status_flags) = unsafe {
        (
            libc::fcntl(fd.as_raw_fd(), libc::F_GETFD),
            libc::fcntl(fd.as_raw_fd(), libc::F_GETFL),
        )
    };
    if fd_flags < 0 || status_flags < 0 {
        return Err(io::Error::last_os_error());
    }
    let access = match status_flags & libc::O_ACCMODE {
        libc::O_RDONLY => "O_RDONLY",
        libc::O_WRONLY => "O_WRONLY",
        _ => "O_RDWR",
    };
    let number = fd.as_raw_fd();
    assert_ne!(number, sent_number);
    println!(
        "received fd:      {number} (the sender's was {sent_number}: same pipe, new descriptor)"
    );
    // Received descriptors are always close-on-exec: a child process started later does
    // not inherit them by accident.
    println!("FD_CLOEXEC:       {}", fd_flags & libc::FD_CLOEXEC != 0);
    // File status flags belong to the open pipe, shared by both descriptors.
    println!(
        "status flags:     {access}, O_NONBLOCK {}",
        status_flags & libc::O_NONBLOCK != 0
    );
    Ok(())
}
