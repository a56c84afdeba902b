//! Jump hosts: the next SSH session runs inside a `direct-tcpip` channel of the one before.
//! libssh2 reads and writes a socket, not a channel, so each channel is bridged to one end
//! of a local socket pair by a thread of its own (`wharf-ssh-jump`), and the next session
//! gets the other end. The thread owns the jump host's session; it ends, and closes the
//! channel, when the next session lets go of its end or the jump host's connection ends.
//!
//! The thread drives libssh2 without blocking and waits with `mio` on both sockets, so one
//! direction never waits for the other: an upload and its acknowledgements flow at once.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use ssh2::{BlockDirections, Channel, Session};

/// A session's socket: TCP to the first server, or this side of a bridge after a jump host.
pub enum Stream {
    Tcp(TcpStream),
    Tunnel(UnixStream),
}

impl Stream {
    /// A second handle on the same socket, for the bridge to wait on.
    pub fn try_clone_fd(&self) -> io::Result<OwnedFd> {
        Ok(match self {
            Stream::Tcp(stream) => stream.try_clone()?.into(),
            Stream::Tunnel(stream) => stream.try_clone()?.into(),
        })
    }
}

impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Stream::Tcp(stream) => stream.as_raw_fd(),
            Stream::Tunnel(stream) => stream.as_raw_fd(),
        }
    }
}

const SERVER: Token = Token(0);
const LOCAL: Token = Token(1);
/// Bytes read at once from either side.
const CHUNK: usize = 64 * 1024;
/// How long the bridge waits without news before it looks again; libssh2 can hold data it
/// read from the socket already, which no readiness event announces.
const LOOK_AGAIN: Duration = Duration::from_millis(200);

/// Starts the bridge for `channel` of `session`, whose socket `server` is another handle on,
/// and returns the stream the next session talks through.
pub fn bridge(session: Session, channel: Channel, server: OwnedFd, name: &str) -> io::Result<Stream> {
    let (ours, theirs) = UnixStream::pair()?;
    ours.set_nonblocking(true)?;
    let name = name.to_owned();
    std::thread::Builder::new()
        .name("wharf-ssh-jump".into())
        .spawn(move || {
            let mut bridge = Bridge {
                session,
                channel,
                local: ours,
                to_server: Vec::new(),
                to_local: Vec::new(),
                local_done: false,
            };
            if let Err(error) = bridge.run(&server) {
                tracing::debug!(target: "wharf::protocol", "the bridge through {name} ended: {error}");
            }
            bridge.close();
        })?;
    Ok(Stream::Tunnel(theirs))
}

struct Bridge {
    session: Session,
    channel: Channel,
    local: UnixStream,
    /// Read from the next session, not yet written into the channel.
    to_server: Vec<u8>,
    /// Read from the channel, not yet written to the next session.
    to_local: Vec<u8>,
    /// The next session closed its end: nothing more goes into the channel.
    local_done: bool,
}

impl Bridge {
    fn run(&mut self, server: &OwnedFd) -> io::Result<()> {
        self.session.set_blocking(false);
        let mut poll = Poll::new()?;
        let server_fd = server.as_raw_fd();
        let local_fd = self.local.as_raw_fd();
        poll.registry()
            .register(&mut SourceFd(&server_fd), SERVER, Interest::READABLE)?;
        poll.registry()
            .register(&mut SourceFd(&local_fd), LOCAL, Interest::READABLE)?;
        let mut events = Events::with_capacity(4);
        loop {
            while self.step()? {}
            if self.local_done && self.to_server.is_empty() && self.to_local.is_empty() {
                return Ok(());
            }
            // Re-registering asks again, so a socket still ready is reported at once:
            // level-triggered waiting on top of mio's edges.
            let server_interest = match self.session.block_directions() {
                BlockDirections::Outbound | BlockDirections::Both => Interest::READABLE | Interest::WRITABLE,
                _ => Interest::READABLE,
            };
            let local_interest = if self.to_local.is_empty() {
                Interest::READABLE
            } else {
                Interest::READABLE | Interest::WRITABLE
            };
            poll.registry()
                .reregister(&mut SourceFd(&server_fd), SERVER, server_interest)?;
            poll.registry()
                .reregister(&mut SourceFd(&local_fd), LOCAL, local_interest)?;
            match poll.poll(&mut events, Some(LOOK_AGAIN)) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                result => result?,
            }
        }
    }

    /// Moves what can move without waiting; whether anything did. An error or the end of
    /// the channel ends the bridge.
    fn step(&mut self) -> io::Result<bool> {
        let mut moved = false;
        if !self.to_server.is_empty() {
            match self.channel.write(&self.to_server) {
                Ok(count) => {
                    self.to_server.drain(..count);
                    moved |= count > 0;
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                Err(error) => return Err(error),
            }
        }
        if !self.to_local.is_empty() {
            match (&self.local).write(&self.to_local) {
                Ok(count) => {
                    self.to_local.drain(..count);
                    moved |= count > 0;
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                Err(error) => return Err(error),
            }
        }
        let mut buffer = [0u8; CHUNK];
        if self.to_server.is_empty() && !self.local_done {
            match (&self.local).read(&mut buffer) {
                Ok(0) => {
                    self.local_done = true;
                    moved = true;
                }
                Ok(count) => {
                    self.to_server.extend_from_slice(&buffer[..count]);
                    moved = true;
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                Err(error) => return Err(error),
            }
        }
        if self.to_local.is_empty() {
            match self.channel.read(&mut buffer) {
                // Without blocking, nothing to read is WouldBlock: 0 is the end (an EOF, or a
                // channel closed without one).
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the server closed the channel",
                    ));
                }
                Ok(count) => {
                    self.to_local.extend_from_slice(&buffer[..count]);
                    moved = true;
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                Err(error) => return Err(error),
            }
        }
        Ok(moved)
    }

    /// Closes the channel and the jump host's session, politely but without waiting long.
    fn close(&mut self) {
        let _ = self.local.shutdown(std::net::Shutdown::Both);
        self.session.set_blocking(true);
        self.session.set_timeout(2_000);
        let _ = self.channel.send_eof();
        let _ = self.channel.close();
        let _ = self.session.disconnect(None, "done", None);
    }
}
