//! Passing file descriptors from async code with tokio (the `tokio` feature).
//!
//! A server task listens on a Unix socket in a temporary directory. Each client that
//! connects gets a message with a descriptor of a file the server wrote for it; several
//! clients run at once, each in its own task. The receives wait with a timeout, which is
//! safe: a receive cancelled before its message arrived has consumed nothing, so no
//! descriptor is ever lost (see `ancillary::tokio`).
//!
//! Run it with `cargo run -p examples --example async_fd_passing`.

use std::io;
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::time::Duration;

use ancillary::{AncillaryData, MessageReceiver, MessageSender};
use tokio::io::AsyncReadExt;
use tokio::net::{UnixListener, UnixStream};

const CLIENTS: usize = 4;

#[tokio::main(flavor = "current_thread")]
async fn main() -> io::Result<()> {
    // A fresh private directory with an unpredictable name, removed on drop.
    let dir = tempfile::Builder::new()
        .prefix("async-fd-passing-")
        .tempdir()?;
    let socket_path = dir.path().join("server.sock");
    let listener = UnixListener::bind(&socket_path)?;
    let server = tokio::spawn(serve(listener, dir.path().to_path_buf()));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| tokio::spawn(client(socket_path.clone())))
        .collect();
    for client in clients {
        let (id, contents) = client.await.expect("client task")?;
        print!("client {id} read: {contents}");
    }
    server.await.expect("server task")?;
    Ok(())
}

/// Accepts `CLIENTS` connections and serves each in its own task.
async fn serve(listener: UnixListener, dir: PathBuf) -> io::Result<()> {
    let mut tasks = Vec::new();
    for id in 0..CLIENTS {
        let (stream, _) = listener.accept().await?;
        let path = dir.join(format!("for-client-{id}.txt"));
        tasks.push(tokio::spawn(async move {
            tokio::fs::write(&path, format!("a file opened for client {id}\n")).await?;
            let file = std::fs::File::open(&path)?;

            // The descriptor is borrowed until the send completes; the client gets its
            // own. One byte of data carries the control message (a stream needs one).
            let mut ancillary = AncillaryData::new();
            ancillary.add_file_descriptors(&[file.as_fd()]);
            MessageSender::new(&stream, &[id as u8])
                .ancillary_data(&mut ancillary)
                .send_async()
                .await?;
            io::Result::Ok(())
        }));
    }
    for task in tasks {
        task.await.expect("server task")?;
    }
    Ok(())
}

/// Connects, receives one descriptor, and reads the file through it.
async fn client(path: PathBuf) -> io::Result<(u8, String)> {
    let stream = UnixStream::connect(&path).await?;
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    let mut id = [0u8; 1];

    // Wait at most a second per try. A timeout drops the pending receive: nothing was
    // received then, so trying again loses nothing.
    let mut receiver = MessageReceiver::new(&stream, &mut id);
    receiver.ancillary_data(&mut ancillary);
    let mut tries = 0;
    let (n, _) = loop {
        match tokio::time::timeout(Duration::from_secs(1), receiver.recv_async()).await {
            Ok(received) => break received?,
            Err(_elapsed) if tries < 5 => tries += 1,
            Err(elapsed) => return Err(io::Error::new(io::ErrorKind::TimedOut, elapsed)),
        }
    };
    if n == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }

    // Exactly one descriptor, or an error (and whatever did arrive is closed).
    let [fd] = ancillary.take_exact_fds()?;
    let mut file = tokio::fs::File::from_std(std::fs::File::from(fd));
    let mut contents = String::new();
    file.read_to_string(&mut contents).await?;
    Ok((id[0], contents))
}
