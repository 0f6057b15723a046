//! A file-descriptor broker, across processes: a server process holds pre-opened files
//! and hands a descriptor for one of them to each client process that asks over a Unix
//! socket, after checking who the client is with `SO_PASSCRED`/`SCM_CREDENTIALS` (Linux).
//!
//! The server owns the files; clients never open them (they could not, if the files were
//! in a directory only the server may read). It binds a `SOCK_DGRAM` Unix socket at a
//! pathname in a fresh private temporary directory and turns on `SO_PASSCRED`, so the
//! kernel attaches the sender's pid, uid and gid to *every* datagram, checked by the
//! kernel: a client cannot claim another user's ids without privileges. Datagrams rather
//! than a stream because `SO_PASSCRED` is then in force before the first request is sent:
//! on a stream socket it would have to be set on the accepted socket, racing the client's
//! first message.
//!
//! Requests are the name of a file; replies are `ok` with the descriptor as an
//! `SCM_RIGHTS` control message, or a reason for refusing. One command starts it all: the
//! server runs this program again as each client (`fd_broker client SOCKET NAME`), so the
//! descriptors really cross from one process to another.
//!
//! Run it with `cargo run -p examples --example fd_broker`.

#[cfg(target_os = "linux")]
fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [role, socket, name, rest @ ..] if role == "client" => {
            broker::client(socket.as_ref(), name, rest.first().map(String::as_str))
        }
        [] => broker::server(),
        _ => Err(std::io::Error::other(
            "usage: fd_broker [client SOCKET NAME [forge]]",
        )),
    }
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
    use std::path::Path;
    use std::process::{Command, Stdio};

    use ancillary::os::linux::{ScmCredentials, SocketOptionsExt};
    use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};

    /// Only clients running as this user get descriptors.
    fn allowed(credentials: &ScmCredentials, server_uid: libc::uid_t) -> bool {
        credentials.uid() == server_uid
    }

    /// The server: opens the files, binds the socket, starts the clients and answers
    /// them until every one has exited.
    pub fn server() -> io::Result<()> {
        // A fresh directory only this user can enter, with a name nobody can predict.
        let dir = tempfile::Builder::new().prefix("fd-broker-").tempdir()?;
        let socket_path = dir.path().join("broker.sock");

        // The files the broker hands out, opened once, up front.
        let mut files = HashMap::new();
        for (name, contents) in [
            (
                "motd",
                "Welcome! This file was opened by the broker process.\n",
            ),
            ("config", "log_level = \"debug\"\n"),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, contents)?;
            files.insert(name.to_owned(), File::open(&path)?);
        }

        let socket = UnixDatagram::bind(&socket_path)?;
        socket.set_passcred(true)?;
        println!(
            "server: pid {} serving {}",
            std::process::id(),
            socket_path.display()
        );

        // Client processes: two files, one that does not exist, and one that claims to be
        // another user. The kernel checks explicit credentials: without CAP_SETUID it
        // refuses to send them (EPERM); with it (as root) they arrive, and the broker
        // refuses the request because of the uid.
        let me = std::env::current_exe()?;
        let mut clients = Vec::new();
        for (name, forge) in [
            ("motd", false),
            ("config", false),
            ("passwords", false),
            ("motd", true),
        ] {
            let mut command = Command::new(&me);
            command.arg("client").arg(&socket_path).arg(name);
            if forge {
                command.arg("forge");
            }
            clients.push(Some(command.stdin(Stdio::null()).spawn()?));
        }

        // Serve until every client has exited; a short timeout lets the loop notice.
        socket.set_read_timeout(Some(std::time::Duration::from_millis(100)))?;
        let mut failed = 0;
        while clients.iter().any(Option::is_some) {
            match serve_one(&socket, &files) {
                Ok(()) => {}
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
                Err(err) => return Err(err),
            }
            for slot in &mut clients {
                if let Some(child) = slot {
                    if let Some(status) = child.try_wait()? {
                        failed += usize::from(!status.success());
                        *slot = None;
                    }
                }
            }
        }
        if failed > 0 {
            return Err(io::Error::other(format!(
                "{failed} client process(es) failed"
            )));
        }
        println!("server: every client has exited");
        Ok(())
    }

    /// Answers one request.
    fn serve_one(socket: &UnixDatagram, files: &HashMap<String, File>) -> io::Result<()> {
        // SAFETY: `getuid` has no preconditions and cannot fail.
        let server_uid = unsafe { libc::getuid() };
        // Room for the credentials, and for a few descriptors that a client might send
        // unasked: those are owned by `ancillary` and closed when it is dropped.
        let mut storage = ancillary::AncillaryStorage::<
            { ScmCredentials::SPACE + AncillaryData::space_for_fds(4) },
        >::new();
        let mut ancillary = AncillaryData::with_storage(&mut storage);
        let mut buf = [0u8; 64];
        let (n, _, client) = MessageReceiver::new(socket, &mut buf)
            .ancillary_data(&mut ancillary)
            .recv_from()?;
        let name = String::from_utf8_lossy(&buf[..n]).into_owned();

        // With SO_PASSCRED set, every datagram carries the sender's credentials.
        let Some(Ok(credentials)) = ancillary.control_messages().find::<ScmCredentials>() else {
            return reply(socket, &client, b"no credentials", None);
        };
        println!(
            "server: {name:?} from pid {} uid {} gid {}",
            credentials.pid(),
            credentials.uid(),
            credentials.gid()
        );
        if !allowed(&credentials, server_uid) {
            return reply(socket, &client, b"permission denied (uid)", None);
        }
        match files.get(&name) {
            Some(file) => reply(socket, &client, b"ok", Some(file)),
            None => reply(socket, &client, b"no such file", None),
        }
    }

    fn reply(
        socket: &UnixDatagram,
        client: &SocketAddr,
        message: &[u8],
        file: Option<&File>,
    ) -> io::Result<()> {
        let mut storage = ancillary::AncillaryStorage::<{ AncillaryData::space_for_fds(1) }>::new();
        let mut ancillary = AncillaryData::with_storage(&mut storage);
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

    /// A client process: binds its own socket next to the server's (the server replies
    /// to its address), sends the name of a file, and reads the file through the
    /// descriptor it gets back. `forge` claims another user's ids.
    pub fn client(server: &Path, name: &str, forge: Option<&str>) -> io::Result<()> {
        let pid = std::process::id();
        let dir = server.parent().expect("the socket is in a directory");
        let socket = UnixDatagram::bind(dir.join(format!("client-{pid}.sock")))?;
        socket.connect(server)?;

        let mut ancillary = AncillaryData::new();
        if forge.is_some() {
            let forged = ScmCredentials::new(pid as libc::pid_t, 4242, 4242);
            ancillary.add_control_message(&forged);
        }
        let sent = MessageSender::new(&socket, name.as_bytes())
            .ancillary_data(&mut ancillary)
            .send();
        if let Err(err) = sent {
            // Expected for the forged credentials without privileges.
            println!("client {pid}: could not send its request for {name:?}: {err}");
            return if forge.is_some() { Ok(()) } else { Err(err) };
        }

        let mut storage = ancillary::AncillaryStorage::<{ AncillaryData::space_for_fds(1) }>::new();
        let mut received = AncillaryData::with_storage(&mut storage);
        let mut buf = [0u8; 64];
        let (n, _) = MessageReceiver::new(&socket, &mut buf)
            .ancillary_data(&mut received)
            .recv()?;
        let answer = &buf[..n];
        if answer != b"ok" {
            println!(
                "client {pid}: refused {name:?}: {}",
                String::from_utf8_lossy(answer)
            );
            // A forged uid must be refused; so must a file the broker does not have.
            return Ok(());
        }
        if forge.is_some() {
            return Err(io::Error::other(
                "a forged uid got a descriptor: the broker is broken",
            ));
        }
        // Exactly one descriptor, or an error: nothing is leaked either way.
        let [fd] = received.take_exact_fds()?;
        let mut contents = String::new();
        File::from(fd).read_to_string(&mut contents)?;
        print!("client {pid}: got {name:?}: {contents}");
        Ok(())
    }
}
