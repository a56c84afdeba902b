//! One small blocking trait, [`RemoteFs`], that every protocol implements, and the policy
//! written once on top of it (listing screening, error kinds).
//!
//! Backends: [`ftp`] (FTP, FTPS, FTPES over suppaftp), [`sftp`] (ssh2), [`dav`] (WebDAV),
//! [`s3`] (S3 and compatibles),
//! [`http`] (links to one file over reqwest, and the HTTP transport WebDAV uses), [`local`] (this
//! computer, through the same trait) and [`memory`] (a test double with fault injection).
//! Backends block; the engine runs each connection on its own worker thread so that no
//! network wait ever reaches the window.

pub mod dav;
mod error;
pub mod ftp;
pub mod http;
pub mod local;
pub mod memory;
pub mod s3;
pub mod sftp;
pub mod ssh_offer;
pub(crate) mod tls;
pub mod trust;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use error::{ErrorKind, FsError};
pub use trust::{CertificateInfo, HostKeyInfo, ServerPrompt, ServerQuestions, TrustPolicy};

use crate::model::location::RemotePath;
use crate::model::names::{UnsafeName, check_remote_name};
use crate::model::security::Security;
use crate::model::{Entry, Protocol, Site};

/// What a backend can do beyond the basics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// Reading can start at an offset (REST before RETR, SFTP read at offset).
    pub resume_download: bool,
    /// Writing can continue at an offset (REST before STOR, APPE, SFTP write at offset).
    pub resume_upload: bool,
    pub set_mtime: bool,
    /// Listings give modification times to the second, in UTC (not an FTP `LIST`'s minute or
    /// day in the server's own time zone).
    pub exact_times: bool,
    /// A file appears only when its upload is complete (S3), so uploads need no temporary
    /// name to be atomic.
    pub atomic_uploads: bool,
}

/// The most entries Wharf reads from one listing: a folder bigger than this, or a server
/// whose listing never ends, is refused with a sentence, so memory stays bounded (a million
/// entries take a few hundred MB).
pub const MAX_LISTING_ENTRIES: usize = 1_000_000;
/// The most bytes of an FTP listing (LIST lines are rarely longer than 100 bytes).
pub const MAX_LISTING_BYTES: u64 = 256 * 1024 * 1024;

/// How much of one listing a backend reads: [`MAX_LISTING_ENTRIES`] and
/// [`MAX_LISTING_BYTES`], unless a test asks for less to show the limit without sending
/// hundreds of megabytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListingLimits {
    pub entries: usize,
    pub bytes: u64,
}

impl Default for ListingLimits {
    fn default() -> Self {
        ListingLimits {
            entries: MAX_LISTING_ENTRIES,
            bytes: MAX_LISTING_BYTES,
        }
    }
}

/// The error for a listing longer than `limits`.
pub fn listing_too_long(what: &str, host: &str, limits: ListingLimits) -> FsError {
    FsError::new(
        ErrorKind::Protocol,
        format!(
            "{what} stopped after {} entries ({} MiB): a folder that big, or a listing that never ends, \
             is more than Wharf reads ({host})",
            limits.entries,
            limits.bytes / 1024 / 1024
        ),
    )
}

/// A folder's entries after screening: `.` and `..` are dropped, and names that could escape
/// a local folder are refused and listed separately so that the user can be told.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub entries: Vec<Entry>,
    pub refused: Vec<UnsafeName>,
}

impl Listing {
    /// Screens raw entries from a server. A name that comes twice keeps its first entry:
    /// two entries for one local file would race each other to it. The entries are screened
    /// where they are, so that a large folder is not held twice.
    pub fn screen(mut raw: Vec<Entry>) -> Listing {
        let mut refused = Vec::new();
        let mut seen = std::collections::HashSet::with_capacity(raw.len());
        raw.retain(|entry| {
            if entry.name == "." || entry.name == ".." {
                return false;
            }
            match check_remote_name(&entry.name) {
                Ok(()) if !seen.insert(entry.name.clone()) => {
                    refused.push(UnsafeName {
                        shown: crate::model::names::escape_control(&entry.name).into_owned(),
                        problem: crate::model::names::NameProblem::Duplicate,
                    });
                    false
                }
                Ok(()) => true,
                Err(problem) => {
                    refused.push(problem);
                    false
                }
            }
        });
        Listing { entries: raw, refused }
    }
}

/// A download in progress. `finish` confirms that the server sent everything (FTP's 226);
/// dropping the stream instead aborts the transfer.
pub trait ReadStream: Read + Send {
    fn finish(self: Box<Self>) -> Result<(), FsError>;

    /// The stream holds the whole file although a later offset was asked for: an HTTP
    /// server that ignores ranges, or whose file changed since (`If-Range`).
    fn restarted(&self) -> bool {
        false
    }
}

/// An upload in progress. `finish` flushes and waits for the server to confirm; dropping
/// the stream instead aborts, leaving a partial file that can be resumed.
pub trait WriteStream: Write + Send {
    fn finish(self: Box<Self>) -> Result<(), FsError>;

    /// The server's handle on this upload, where it keeps one that a later attempt can
    /// continue (S3's multipart upload id); known once the stream is open.
    fn resume_token(&self) -> Option<ResumeToken> {
        None
    }
}

/// A server's handle on an upload that outlives its connection: S3's multipart upload id.
/// The queue keeps it with the item, so that a later attempt (after a dropped connection or
/// a `kill -9`) continues this transfer's own upload, never another client's of the same
/// name. It is no secret: using it takes the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeToken(pub String);

/// A connected file system. Paths are [`RemotePath`]s: absolute, or starting with `~` for
/// the login folder, which each backend resolves.
pub trait RemoteFs: Send {
    fn capabilities(&self) -> Capabilities;

    /// The login folder, which `~` stands for.
    fn home(&self) -> &str;

    /// One line for the status bar: "TLS 1.3, TLS_AES_256_GCM_SHA384" or "SSH, aes256-gcm".
    fn security(&self) -> Security;

    /// The raw entries of a folder, `.` and `..` included if the server sends them.
    fn read_dir(&mut self, path: &RemotePath) -> Result<Vec<Entry>, FsError>;

    /// A folder's entries, screened: see [`Listing::screen`].
    fn list(&mut self, path: &RemotePath) -> Result<Listing, FsError> {
        self.read_dir(path).map(Listing::screen)
    }

    /// One entry. `NotFound` when nothing is there.
    fn stat(&mut self, path: &RemotePath) -> Result<Entry, FsError>;
    fn mkdir(&mut self, path: &RemotePath) -> Result<(), FsError>;
    fn rmdir(&mut self, path: &RemotePath) -> Result<(), FsError>;
    fn remove(&mut self, path: &RemotePath) -> Result<(), FsError>;
    fn rename(&mut self, from: &RemotePath, to: &RemotePath) -> Result<(), FsError>;
    fn chmod(&mut self, path: &RemotePath, mode: u32) -> Result<(), FsError>;
    fn set_mtime(&mut self, path: &RemotePath, time: DateTime<Utc>) -> Result<(), FsError>;

    /// Creates a symbolic link at `link` pointing to `target` (text, not resolved).
    fn symlink(&mut self, target: &str, link: &RemotePath) -> Result<(), FsError> {
        let _ = (target, link);
        Err(FsError::new(
            ErrorKind::Unsupported,
            "this server cannot create symbolic links",
        ))
    }

    /// Where a symbolic link points, as text.
    fn readlink(&mut self, link: &RemotePath) -> Result<String, FsError> {
        let _ = link;
        Err(FsError::new(
            ErrorKind::Unsupported,
            "this server cannot read symbolic links",
        ))
    }

    /// Opens a file for reading from `offset`.
    fn open_read(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn ReadStream + '_>, FsError>;

    /// Opens a file for writing: truncated when `offset` is 0, otherwise continued at
    /// `offset` (which must equal the current size).
    fn open_write(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn WriteStream + '_>, FsError>;

    /// Opens a file for writing `length` more bytes from `offset`: what an upload calls, for
    /// protocols that announce the size first (SCP) or keep an upload of their own across
    /// attempts (S3, which continues `earlier`, the [`ResumeToken`] an earlier attempt's
    /// stream gave). Others open as [`RemoteFs::open_write`].
    fn open_upload(
        &mut self,
        path: &RemotePath,
        offset: u64,
        length: u64,
        earlier: Option<&ResumeToken>,
    ) -> Result<Box<dyn WriteStream + '_>, FsError> {
        let _ = (length, earlier);
        self.open_write(path, offset)
    }

    /// How much of an interrupted upload of `size` bytes to `path` the server already has,
    /// to continue from there: the partial file's size here; for S3, what the pending upload
    /// `earlier` holds (nothing without one).
    fn uploaded_so_far(&mut self, path: &RemotePath, size: u64, earlier: Option<&ResumeToken>) -> Result<u64, FsError> {
        let _ = earlier;
        match self.stat(path) {
            Ok(entry) if entry.kind == crate::model::EntryKind::File => {
                Ok(entry.size.filter(|&done| done <= size).unwrap_or(0))
            }
            Ok(_) => Ok(0),
            Err(error) if error.kind == ErrorKind::NotFound => Ok(0),
            Err(error) => Err(error),
        }
    }

    /// The user cancelled the upload to `path` that `token` names, which will not be
    /// resumed: what the server keeps of it out of sight may go (S3 aborts its multipart
    /// upload). A partial file that can be seen stays, as it always has: the user can see
    /// and delete it.
    fn discard_upload(&mut self, path: &RemotePath, token: Option<&ResumeToken>) -> Result<(), FsError> {
        let _ = (path, token);
        Ok(())
    }

    /// The name a download of `path` gets when the server suggests one (HTTP's
    /// `Content-Disposition`, or a link's last segment decoded); `None` for the path's own.
    /// The queue checks it as any server's name.
    fn download_name(&mut self, path: &RemotePath) -> Option<String> {
        let _ = path;
        None
    }

    /// The time of one request and its reply, measured at login (FTP `PWD`, SFTP
    /// `realpath`): the round trip a transfer's diagnosis names.
    fn round_trip(&self) -> Option<std::time::Duration> {
        None
    }

    /// The most bytes a transfer with a buffer of `buffer` bytes keeps in flight, where the
    /// protocol pipelines requests itself (SFTP); `None` where TCP's own window decides.
    fn in_flight(&self, _direction: crate::model::queue::Direction, _buffer: usize) -> Option<u64> {
        None
    }

    /// Keeps an idle connection alive (FTP NOOP); also tells whether it still is.
    fn keepalive(&mut self) -> Result<(), FsError> {
        Ok(())
    }

    /// A checksum of a whole file computed by the server, when it offers one (FTP `XSHA256`,
    /// `XSHA1`, `HASH`); `None` when it cannot. Failing to compute one is not an error.
    fn checksum(&mut self, _path: &RemotePath) -> Result<Option<Checksum>, FsError> {
        Ok(None)
    }
}

/// Hash functions servers offer that Wharf can check: the ones a finished item's
/// verification names, so the fact is written once (in `model::queue`).
pub use crate::model::queue::ChecksumAlgorithm;

impl ChecksumAlgorithm {
    /// Hex digits in a digest.
    pub fn hex_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Sha256 => 64,
            ChecksumAlgorithm::Sha1 => 40,
        }
    }

    /// The digest of a local file, in lowercase hex.
    pub fn hex_of_file(self, path: &std::path::Path) -> std::io::Result<String> {
        self.hex_of_reader(&mut std::fs::File::open(path)?)
    }

    /// The digest of everything `reader` gives, in lowercase hex.
    pub fn hex_of_reader(self, reader: &mut dyn std::io::Read) -> std::io::Result<String> {
        use sha2::Digest;
        fn feed<D: Digest>(mut digest: D, reader: &mut dyn std::io::Read) -> std::io::Result<Vec<u8>> {
            let mut buffer = vec![0u8; 1024 * 1024];
            loop {
                match reader.read(&mut buffer)? {
                    0 => break,
                    count => digest.update(&buffer[..count]),
                }
            }
            Ok(digest.finalize().to_vec())
        }
        let bytes = match self {
            ChecksumAlgorithm::Sha256 => feed(sha2::Sha256::new(), reader)?,
            ChecksumAlgorithm::Sha1 => feed(sha1::Sha1::new(), reader)?,
        };
        Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
    }
}

/// A server's checksum of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    pub algorithm: ChecksumAlgorithm,
    /// Lowercase hex.
    pub hex: String,
}

impl Checksum {
    /// Finds the digest in a reply such as `213 SHA-256 0-49 2f5a... name` or `250 2f5a...`:
    /// the first word of the right length made only of hex digits.
    pub fn from_reply(algorithm: ChecksumAlgorithm, reply: &str) -> Option<Checksum> {
        reply
            .split_whitespace()
            .find(|word| word.len() == algorithm.hex_len() && word.chars().all(|c| c.is_ascii_hexdigit()))
            .map(|hex| Checksum {
                algorithm,
                hex: hex.to_ascii_lowercase(),
            })
    }
}

/// Where a backend reports every command it sends and every reply it gets, secrets masked.
#[derive(Clone)]
pub struct ProtocolLog(Arc<LogSink>);

type LogSink = dyn Fn(LogDirection, &str) + Send + Sync;

/// Which way a protocol log line went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogDirection {
    Command,
    Reply,
    Status,
    /// Something the user should know even when not reading the log: a retry, a skipped link.
    Warning,
    Error,
}

impl ProtocolLog {
    pub fn new(sink: impl Fn(LogDirection, &str) + Send + Sync + 'static) -> Self {
        ProtocolLog(Arc::new(sink))
    }

    /// A log that only forwards to `tracing`.
    pub fn tracing() -> Self {
        ProtocolLog::new(|_, _| {})
    }

    pub fn write(&self, direction: LogDirection, text: &str) {
        let text = crate::model::names::escape_control(text);
        tracing::debug!(target: "wharf::protocol", ?direction, "{text}");
        (self.0)(direction, &text);
    }

    pub fn command(&self, text: &str) {
        self.write(LogDirection::Command, text);
    }

    pub fn reply(&self, text: &str) {
        self.write(LogDirection::Reply, text);
    }

    pub fn status(&self, text: &str) {
        self.write(LogDirection::Status, text);
    }

    pub fn warning(&self, text: &str) {
        self.write(LogDirection::Warning, text);
    }
}

/// Connection timeouts, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: u64,
    /// How long to wait for a reply or for data before the connection is considered dead.
    pub idle: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        // The engine's default idle timeout (`QueueLimits::DEFAULT_IDLE_TIMEOUT`) says why 30.
        Timeouts { connect: 20, idle: 30 }
    }
}

/// Everything a backend needs besides the site: how to decide trust, where to log.
#[derive(Clone)]
pub struct ConnectContext {
    pub trust: Arc<dyn TrustPolicy>,
    pub log: ProtocolLog,
    pub timeouts: Timeouts,
    pub limits: ListingLimits,
}

/// Opens the TCP connection to the first address of `host:port` that answers in time.
pub(crate) fn connect_tcp(site: &Site, timeout: Duration) -> Result<TcpStream, FsError> {
    let what = format!("connecting to {}", site.authority());
    let addresses: Vec<SocketAddr> = (site.host.as_str(), site.port)
        .to_socket_addrs()
        .map_err(|error| {
            FsError::new(
                ErrorKind::Connect,
                format!(
                    "{what} failed: the host name could not be resolved ({})",
                    error::describe_io(&error)
                ),
            )
        })?
        .collect();
    let mut last = None;
    for address in addresses {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(stream) => return Ok(stream),
            Err(error) => last = Some(error),
        }
    }
    Err(match last {
        Some(error) => FsError::from_network(&error, &what),
        None => FsError::new(
            ErrorKind::Connect,
            format!("{what} failed: the host name has no address"),
        ),
    })
}

/// Opens a connection to `site` with the backend its protocol names.
pub fn connect(site: &Site, context: &ConnectContext) -> Result<Box<dyn RemoteFs>, FsError> {
    match site.protocol {
        Protocol::Ftp | Protocol::Ftps | Protocol::Ftpes => Ok(Box::new(ftp::FtpFs::connect(site, context)?)),
        Protocol::Sftp | Protocol::Scp => sftp::connect(site, context),
        Protocol::Http | Protocol::Https => Ok(Box::new(http::link::LinkFs::connect(site, context)?)),
        Protocol::Dav | Protocol::Davs => Ok(Box::new(dav::DavFs::connect(site, context)?)),
        Protocol::S3 => Ok(Box::new(s3::S3Fs::connect(site, context)?)),
    }
}
