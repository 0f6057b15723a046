//! A tiny file-descriptor broker: a server that holds pre-opened files and hands a
//! descriptor for one of them to each client that asks over a Unix socket, after checking
//! who the client is with `SO_PASSCRED`/`SCM_CREDENTIALS` (Linux).
//!
//! The server owns the files; clients never open them (they could not, if the files were
//! in a directory only the server may read). It binds a `SOCK_DGRAM` Unix socket in a
//! fresh temporary directory and turns on `SO_PASSCRED`, so the kernel attaches the
//! sender's pid, uid and gid to *every* datagram, checked by the kernel: a client cannot
//! claim another user's ids without privileges. Datagrams rather than a stream because
//! `SO_PASSCRED` is then in force before the first request is sent: on a stream socket
//! it would have to be set on the accepted socket, racing the client's first message.
//!
//! Requests are the name of a file; replies are `ok` with the descriptor as an
//! `SCM_RIGHTS` control message, or a reason for refusing. Server and clients run as
//! threads of one process here; as separate processes the code is the same.
//!
//! Run it with `cargo run -p examples --example fd_broker`.

#[cfg(target_os = "linux")]
fn main() -> std::io::Result<()> {
    broker::main()
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("fd_broker uses SCM_CREDENTIALS, which this example implements for Linux only");
}

#[cfg(target_os = "linux")]
mod broker {
    use std::collections::HashMap;
    use std::fs::File;
    use std::io::{self, Read};
    use std::os::fd::AsFd;
    use std::os::unix::net::{SocketAddr, UnixDatagram};
    use std::path::{Path, PathBuf};
    use std::thread;

    use ancillary::os::linux::ScmCredentials;
    use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};

    /// Only clients running as this user get descriptors.
    fn allowed(credentials: &ScmCredentials, server_uid: libc::uid_t) -> bool {
        credentials.uid() == server_uid
    }

    pub fn main() -> io::Result<()> {
        let dir = TempDir::new()?;
        let socket_path = dir.0.join("broker.sock");

        // The files the broker hands out, opened once, up front.
        let mut files = HashMap::new();
        for (name, contents) in [
            ("motd", "Welcome! This file was opened by the broker.\n"),
            ("config", "log_level = \"debug\"\n"),
        ] {
            let path = dir.0.join(name);
            std::fs::write(&path, contents)?;
            files.insert(name.to_owned(), File::open(&path)?);
        }

        let server_socket = UnixDatagram::bind(&socket_path)?;
        set_passcred(&server_socket)?;
        let server = thread::spawn(move || serve(&server_socket, &files));

        // An allowed client, asking for two files and one that does not exist.
        for name in ["motd", "config", "passwords"] {
            match request(&dir.0, &socket_path, name, None) {
                Ok(contents) => print!("client got {name:?}: {contents}"),
                Err(err) => println!("client was refused {name:?}: {err}"),
            }
        }

        // A client claiming to be another user. The kernel checks explicit credentials:
        // without CAP_SETUID it refuses to send them (EPERM); with it (as root) they
        // arrive, and the broker refuses the request because of the uid.
        // SAFETY: `getpid` has no preconditions and cannot fail.
        let pid = unsafe { libc::getpid() };
        let forged = ScmCredentials::new(pid, 4242, 4242);
        match request(&dir.0, &socket_path, "motd", Some(forged)) {
            Ok(_) => println!("a forged uid got a descriptor: the broker is broken"),
            Err(err) => println!("client claiming uid 4242 was refused: {err}"),
        }

        request(&dir.0, &socket_path, "quit", None).ok();
        server.join().expect("the server thread panicked")?;
        Ok(())
    }

    /// The server loop: one request, one reply, until `quit` from an allowed user.
    fn serve(socket: &UnixDatagram, files: &HashMap<String, File>) -> io::Result<()> {
        // SAFETY: `getuid` has no preconditions and cannot fail.
        let server_uid = unsafe { libc::getuid() };
        // Room for the credentials, and for a few descriptors that a client might send
        // unasked: those are owned by `ancillary` and closed by the next receive.
        let mut ancillary =
            AncillaryData::with_capacity(ScmCredentials::SPACE + AncillaryData::space_for_fds(4));
        let mut buf = [0u8; 64];
        loop {
            let (n, _, client) = MessageReceiver::new(socket, &mut buf)
                .ancillary_data(&mut ancillary)
                .recv_from()?;
            let name = String::from_utf8_lossy(&buf[..n]).into_owned();

            // With SO_PASSCRED set, every datagram carries the sender's credentials.
            let credentials = match ancillary.control_messages().find::<ScmCredentials>() {
                Some(Ok(credentials)) => credentials,
                _ => {
                    reply(socket, &client, b"no credentials", None)?;
                    continue;
                }
            };
            println!(
                "server: {name:?} from pid {} uid {} gid {}",
                credentials.pid(),
                credentials.uid(),
                credentials.gid()
            );
            if !allowed(&credentials, server_uid) {
                reply(socket, &client, b"permission denied (uid)", None)?;
                continue;
            }
            if name == "quit" {
                reply(socket, &client, b"bye", None)?;
                return Ok(());
            }
            match files.get(&name) {
                Some(file) => reply(socket, &client, b"ok", Some(file))?,
                None => reply(socket, &client, b"no such file", None)?,
            }
        }
    }

    fn reply(
        socket: &UnixDatagram,
        client: &SocketAddr,
        message: &[u8],
        file: Option<&File>,
    ) -> io::Result<()> {
        let mut ancillary = AncillaryData::new();
        if let Some(file) = file {
            // The descriptor stays the server's: the client gets its own copy, and the
            // borrow keeps `file` open until the send is done.
            ancillary.add_file_descriptors(&[file.as_fd()]);
        }
        MessageSender::new(socket, message)
            .ancillary_data(&mut ancillary)
            .send_to(client)?;
        Ok(())
    }

    /// A client: binds its own socket (the server replies to its address), sends the name
    /// of a file, and reads the file through the descriptor it gets back.
    fn request(
        dir: &Path,
        server: &Path,
        name: &str,
        claim: Option<ScmCredentials>,
    ) -> io::Result<String> {
        let client_path = dir.join(format!("client-{name}.sock"));
        let _ = std::fs::remove_file(&client_path);
        let socket = UnixDatagram::bind(&client_path)?;
        socket.connect(server)?;

        let mut ancillary = AncillaryData::new();
        if let Some(credentials) = &claim {
            ancillary.add_control_message(credentials);
        }
        MessageSender::new(&socket, name.as_bytes())
            .ancillary_data(&mut ancillary)
            .send()?;

        let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
        let mut buf = [0u8; 64];
        let (n, _) = MessageReceiver::new(&socket, &mut buf)
            .ancillary_data(&mut received)
            .recv()?;
        let answer = &buf[..n];
        if answer != b"ok" {
            return Err(io::Error::other(
                String::from_utf8_lossy(answer).into_owned(),
            ));
        }
        // Exactly one descriptor, or an error: nothing is leaked either way.
        let [fd] = received.take_exact_fds()?;
        let mut file = File::from(fd);
        let mut contents = String::new();
        file.read_to_string(&mut contents)?;
        Ok(contents)
    }

    fn set_passcred(socket: &UnixDatagram) -> io::Result<()> {
        use ancillary::os::linux::SocketOptionsExt;
        socket.set_passcred(true)
    }

    /// A fresh directory under the system's temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> io::Result<TempDir> {
            let path = std::env::temp_dir().join(format!("fd-broker-{}", std::process::id()));
            std::fs::create_dir_all(&path)?;
            Ok(TempDir(path))
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
