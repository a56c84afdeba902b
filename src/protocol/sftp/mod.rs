//! SSH connections over ssh2 (libssh2): SFTP, and SCP ([`scp`]) when the site asks for it or
//! the server has no SFTP subsystem.
//!
//! A connection first applies `~/.ssh/config` (`route`), passes through its jump hosts
//! (`jump`), and on each server checks the host key with the
//! [`TrustPolicy`](crate::protocol::TrustPolicy) right after the key exchange and before any
//! credential is sent, then logs in (`login`: agent, keys, keyboard-interactive, password).
//! Directory entries are read one by one from the handle so that a hostile name such as
//! `../../x` reaches the listing screen intact instead of being joined into a path first.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ssh2::{ErrorCode, FileStat, FileType, HostKeyType, OpenFlags, OpenType, Session, Sftp};

#[cfg(unix)]
mod jump;
mod login;
mod route;
pub mod scp;

use super::{
    Capabilities, ConnectContext, ErrorKind, FsError, HostKeyInfo, ProtocolLog, ReadStream, RemoteFs, WriteStream,
    connect_tcp,
};
use crate::model::location::RemotePath;
use crate::model::security::{Encryption, Security};
use crate::model::{Entry, EntryKind, Site, decode_name};

/// libssh2 pipelines reads and writes up to the size of the buffer it is given; large
/// buffers are what make it fast. Reads keep up to four buffers in flight (libssh2 caps it
/// at 8 MiB): over a 40 ms round trip, 1 MiB buffers moved 64 MiB/s and 2 MiB 120 MiB/s.
pub const TRANSFER_BUFFER: usize = 2 * 1024 * 1024;

/// Ciphers in order of preference. Never 3des-cbc, arcfour or other CBC modes.
const CIPHERS: &str =
    "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr";
/// Key exchanges: no diffie-hellman-group1-sha1 or group14-sha1. The last two names are
/// not algorithms but what libssh2 offers with them: extension negotiation, and the strict
/// key exchange against Terrapin (CVE-2023-48795), used when the server offers it too.
const KEX: &str = "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,\
                   ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,\
                   diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,ext-info-c,\
                   kex-strict-c-v00@openssh.com";
/// Host key signatures: no ssh-dss, and RSA keys only with SHA-2 (not ssh-rsa's SHA-1).
const HOST_KEYS: &str = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,\
                         rsa-sha2-256";
/// MACs (unused with the AEAD ciphers above): no hmac-md5.
const MACS: &str = "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1";

/// A logged-in SFTP session.
pub struct SftpFs {
    /// Taken out on drop so that the channel closes before the session disconnects.
    sftp: Option<Sftp>,
    session: Session,
    host: String,
    home: String,
    log: ProtocolLog,
    security: Security,
    /// How many entries of one listing are read before it is refused.
    limits: super::ListingLimits,
    /// How long `realpath` took at login.
    round_trip: Duration,
    /// `ServerAliveInterval` was set: keepalives are sent as SSH's own too.
    keepalive: bool,
}

/// libssh2 reads ahead four buffers, at most four times its default channel window.
const MOST_READ_AHEAD: usize = 4 * 2 * 1024 * 1024;

fn key_type_name(kind: HostKeyType) -> &'static str {
    match kind {
        HostKeyType::Rsa => "ssh-rsa",
        HostKeyType::Dss => "ssh-dss",
        HostKeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
        HostKeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
        HostKeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
        HostKeyType::Ed25519 => "ssh-ed25519",
        HostKeyType::Unknown => "unknown",
    }
}

/// libssh2 error codes (`LIBSSH2_ERROR_*`) that mean the connection is gone.
fn session_error_kind(code: i32) -> ErrorKind {
    match code {
        -9 => ErrorKind::Timeout,
        -18 | -19 => ErrorKind::Auth,
        -5 | -8 | -10 => ErrorKind::Protocol,
        _ => ErrorKind::ConnectionLost,
    }
}

/// What a libssh2 error code (`LIBSSH2_ERROR_*`) means, in words a user can act on; `None`
/// where libssh2's own message says it as well.
fn session_error_words(code: i32) -> Option<&'static str> {
    Some(match code {
        -2 => "the server did not greet Wharf as an SSH server does (is this the SSH port?)",
        -4 | -12 => "data arrived damaged (a checksum or decryption failed); the link may be unreliable",
        -5 | -8 => {
            "the server and Wharf have no key exchange, host key or cipher in common; Wharf does not use \
             the weak ones (ssh-dss, ssh-rsa with SHA-1, diffie-hellman-group1-sha1 and group14-sha1, \
             3des-cbc, arcfour and hmac-md5), which may be all this server offers"
        }
        -10 | -11 => "the server's host key could not be read or checked",
        -15 => "the password has expired; change it on the server (with ssh), then connect again",
        -18 => "the user name or password (or key) was not accepted",
        -19 => "the server did not accept the key's signature",
        -7 | -13 | -43 => "the server closed the connection",
        _ => return None,
    })
}

/// SFTP status codes (draft-ietf-secsh-filexfer) as error kinds.
fn sftp_error_kind(code: i32) -> ErrorKind {
    match code {
        2 | 10 => ErrorKind::NotFound,
        3 => ErrorKind::PermissionDenied,
        6 | 7 => ErrorKind::ConnectionLost,
        8 => ErrorKind::Unsupported,
        11 => ErrorKind::AlreadyExists,
        14 | 15 => ErrorKind::NoSpace,
        _ => ErrorKind::Other,
    }
}

/// A server's refusal in words, by kind, for SFTP's status codes and SCP's commands alike;
/// `None` where the server's own words say more.
pub(super) fn refusal_words(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::NotFound => "it does not exist",
        ErrorKind::PermissionDenied => "permission denied",
        ErrorKind::AlreadyExists => "it already exists",
        ErrorKind::NoSpace => "the server has no space left (or the quota is reached)",
        ErrorKind::Unsupported => "the server does not support this",
        _ => return None,
    })
}

pub(super) fn map_ssh_error(what: &str, error: &ssh2::Error, host: &str) -> FsError {
    let (kind, why) = match error.code() {
        ErrorCode::SFTP(code) => {
            let kind = sftp_error_kind(code);
            let why = match refusal_words(kind) {
                Some(words) => words.to_owned(),
                None => format!("the server said \"{}\"", error.message()),
            };
            (kind, why)
        }
        ErrorCode::Session(code) => {
            let kind = session_error_kind(code);
            let why = match (kind, session_error_words(code)) {
                (ErrorKind::Timeout, _) => "the server stopped answering".to_owned(),
                (_, Some(words)) => words.to_owned(),
                (ErrorKind::ConnectionLost, None) => format!("the connection was lost ({})", error.message()),
                (_, None) => error.message().to_owned(),
            };
            (kind, why)
        }
    };
    FsError::new(kind, format!("{what} failed: {why} ({host})"))
}

/// A failed handshake in words. libssh2 says "no algorithm in common" also when the
/// connection was cut during the key exchange, so the server's offer is read again to tell
/// which: a cut is worth another attempt, a mismatch is not.
fn handshake_failure(site: &Site, context: &ConnectContext, error: &ssh2::Error) -> FsError {
    let what = format!("the SSH handshake with {}", site.authority());
    if !matches!(error.code(), ErrorCode::Session(-5 | -8)) {
        return map_ssh_error(&what, error, &site.host);
    }
    let wanted = super::ssh_offer::Wanted {
        key_exchanges: KEX,
        host_keys: HOST_KEYS,
        ciphers: CIPHERS,
        macs: MACS,
    };
    let cut = |why: &str| {
        FsError::new(
            ErrorKind::ConnectionLost,
            format!(
                "{what} failed: the connection was cut during the key exchange{why} ({})",
                site.host
            ),
        )
    };
    match super::ssh_offer::Offer::read(site, Duration::from_secs(context.timeouts.connect)) {
        Ok(offer) => {
            let unmatched = offer.unmatched(&wanted);
            if unmatched.is_empty() {
                return cut("");
            }
            let offers: Vec<String> = unmatched
                .iter()
                .map(|(kind, names)| format!("{kind} {}", names.join(", ")))
                .collect();
            FsError::new(
                ErrorKind::Protocol,
                format!(
                    "{what} failed: the server offers only {}, which Wharf does not use because they are weak or \
                     unknown to it; the server's administrator can enable current ones ({})",
                    offers.join("; "),
                    site.host
                ),
            )
        }
        Err(_) => cut(", and the server could not be asked again what it offers"),
    }
}

fn io_error(what: &str, error: &io::Error, host: &str) -> FsError {
    FsError::from_network(error, &format!("{what} ({host})"))
}

/// Offers only the algorithms above, strongest first. libssh2 drops names it does not know.
fn prefer_strong_methods(session: &Session) -> Result<(), ssh2::Error> {
    use ssh2::MethodType;
    let preferences = [
        (MethodType::Kex, KEX),
        (MethodType::HostKey, HOST_KEYS),
        (MethodType::CryptCs, CIPHERS),
        (MethodType::CryptSc, CIPHERS),
        (MethodType::MacCs, MACS),
        (MethodType::MacSc, MACS),
    ];
    for (method, names) in preferences {
        session.method_pref(method, names)?;
    }
    Ok(())
}

/// A logged-in SSH session, before SFTP or SCP starts on it.
struct Opened {
    session: Session,
    /// The target's host name (after `~/.ssh/config`), for messages.
    host: String,
    /// The target as the user wrote it, with its address: `router (127.0.0.1:2223)`.
    name: String,
    /// The status bar's line: cipher, key exchange, how it logged in, jump hosts.
    detail: String,
    /// `ServerAliveInterval` was set: keepalives are sent as SSH's own too.
    keepalive: bool,
}

/// Connects to `site` with SFTP, or with SCP when the site says so or when the server has
/// no SFTP subsystem (the log and the status bar then say what SCP cannot do).
pub fn connect(site: &Site, context: &ConnectContext) -> Result<Box<dyn RemoteFs>, FsError> {
    let opened = open(site, context)?;
    let scp = |opened: Opened| {
        Box::new(scp::ScpFs::over(
            opened.session,
            opened.host,
            context.log.clone(),
            &opened.detail,
            context.limits,
        )) as Box<dyn RemoteFs>
    };
    if site.protocol == crate::model::Protocol::Scp {
        return Ok(scp(opened));
    }
    match opened.session.sftp() {
        Ok(sftp) => Ok(Box::new(SftpFs::ready(opened, sftp, context))),
        Err(error) if link_failed(&error) => Err(map_ssh_error("opening the SFTP channel", &error, &opened.host)),
        Err(error) => {
            context.log.warning(&format!(
                "{} has no SFTP ({}); Wharf uses SCP instead: {}",
                opened.name,
                error.message(),
                scp::LIMITS
            ));
            Ok(scp(opened))
        }
    }
}

/// The SSH session with the site: its route, each hop's login, the target's login.
fn open(site: &Site, context: &ConnectContext) -> Result<Opened, FsError> {
    let log = &context.log;
    let route = route::plan(site, log)?;
    let first = route.hops.first().unwrap_or(&route.target);
    let timeout = first
        .connect_timeout
        .unwrap_or(Duration::from_secs(context.timeouts.connect));
    let tcp = connect_tcp(&first.site, timeout)?;
    if !route.hops.is_empty() {
        // The next session's small requests cross this connection inside the channel; held
        // back by Nagle's algorithm until the jump host acknowledges the one before, each
        // waited milliseconds.
        let _ = tcp.set_nodelay(true);
    }
    let mut stream = Stream::Tcp(tcp);
    log.status(&format!("Connected to {}", first.name()));
    let mut tunneled = false;
    for (index, hop) in route.hops.iter().enumerate() {
        stream = through(
            hop,
            stream,
            route.hops.get(index + 1).unwrap_or(&route.target),
            context,
            tunneled,
        )?;
        tunneled = true;
    }
    let (session, method) = open_session(&route.target, stream, context, tunneled, &route.target.name())?;
    if let Some(interval) = route.target.keepalive {
        session.set_keepalive(false, u32::try_from(interval.as_secs()).unwrap_or(u32::MAX));
    }
    let method_of = |kind| session.methods(kind).unwrap_or("unknown").to_owned();
    let mut detail = format!(
        "SSH, {}, {}, {method}",
        method_of(ssh2::MethodType::CryptCs),
        method_of(ssh2::MethodType::Kex)
    );
    if !route.hops.is_empty() {
        let names: Vec<String> = route.hops.iter().map(|hop| hop.alias.clone()).collect();
        detail.push_str(&format!(", through {}", names.join(", ")));
    }
    Ok(Opened {
        session,
        host: route.target.site.host.clone(),
        name: route.target.name(),
        detail,
        keepalive: route.target.keepalive.is_some(),
    })
}

/// The socket a session talks through.
#[cfg(unix)]
type Stream = jump::Stream;
#[cfg(not(unix))]
type Stream = std::net::TcpStream;

/// Logs in to the jump host `hop` over `stream` and opens a channel from it to `next`:
/// the stream the next session talks through.
#[cfg(unix)]
fn through(
    hop: &route::Leg,
    stream: Stream,
    next: &route::Leg,
    context: &ConnectContext,
    tunneled: bool,
) -> Result<Stream, FsError> {
    let socket = stream
        .try_clone_fd()
        .map_err(|error| io_error("preparing the jump host's connection", &error, &hop.site.host))?;
    let shown_as = format!("{}, the jump host to {}", hop.name(), next.name());
    let (session, _) = open_session(hop, stream, context, tunneled, &shown_as)?;
    context.log.command(&format!("direct-tcpip {}", next.site.authority()));
    let channel = session
        .channel_direct_tcpip(&next.site.host, next.site.port, None)
        .map_err(|error| {
            let mut failure = map_ssh_error(
                &format!(
                    "opening a way from the jump host {} to {}",
                    hop.name(),
                    next.site.authority()
                ),
                &error,
                &hop.site.host,
            );
            if matches!(error.code(), ErrorCode::Session(-21 | -22)) {
                failure.message = format!(
                    "the jump host {} could not reach {} (or does not allow forwarding: AllowTcpForwarding)",
                    hop.name(),
                    next.site.authority()
                );
            }
            failure
        })?;
    context
        .log
        .status(&format!("Through {} to {}", hop.name(), next.name()));
    jump::bridge(session, channel, socket, &hop.name())
        .map_err(|error| io_error("starting the bridge through the jump host", &error, &hop.site.host))
}

#[cfg(not(unix))]
fn through(
    hop: &route::Leg,
    _stream: Stream,
    _next: &route::Leg,
    _context: &ConnectContext,
    _tunneled: bool,
) -> Result<Stream, FsError> {
    Err(FsError::new(
        ErrorKind::Unsupported,
        format!("jump hosts ({}) are not supported on this system yet", hop.name()),
    ))
}

/// The SSH session with one server of the route over `stream`: handshake, host key,
/// login. Returns the session and how it logged in, in words.
fn open_session(
    leg: &route::Leg,
    stream: Stream,
    context: &ConnectContext,
    tunneled: bool,
    shown_as: &str,
) -> Result<(Session, String), FsError> {
    let log = &context.log;
    let site = &leg.site;
    let host = site.host.clone();
    let what = format!("connecting to {}", leg.name());
    let mut session = Session::new().map_err(|error| map_ssh_error(&what, &error, &host))?;
    session.set_timeout(u32::try_from(context.timeouts.idle.saturating_mul(1000)).unwrap_or(u32::MAX));
    session.set_tcp_stream(stream);
    // AES-GCM first: with AES instructions it is the fastest cipher libssh2 offers, as
    // OpenSSH's own client prefers it. Unknown names are ignored by libssh2.
    prefer_strong_methods(&session).map_err(|error| map_ssh_error(&what, &error, &host))?;
    session.handshake().map_err(|error| {
        if tunneled {
            map_ssh_error(&format!("the SSH handshake with {}", leg.name()), &error, &host)
        } else {
            handshake_failure(site, context, &error)
        }
    })?;
    if let Some(banner) = session.banner() {
        log.reply(banner);
    }
    let (blob, kind) = session
        .host_key()
        .ok_or_else(|| FsError::new(ErrorKind::HostKey, format!("the server sent no host key ({host})")))?;
    let key = HostKeyInfo {
        host: site.host.clone(),
        port: site.port,
        key_type: key_type_name(kind).to_owned(),
        blob: blob.to_vec(),
        known_hosts: leg.known_hosts.clone(),
        strict: leg.strict,
        shown_as: shown_as.to_owned(),
    };
    log.status(&format!(
        "Host key of {}: {} {}",
        leg.name(),
        key.key_type,
        key.fingerprint()
    ));
    context.trust.check_host_key(&key)?;
    let method = login::authenticate(&session, leg, log, &*context.trust)?;
    log.status(&format!("Logged in to {} as {} with {method}", leg.name(), site.user));
    Ok((session, method))
}

impl SftpFs {
    /// Connects (through the jump hosts, if any), verifies each host key, authenticates
    /// and opens the SFTP channel. `~/.ssh/config` is applied first (see `route`).
    pub fn connect(site: &Site, context: &ConnectContext) -> Result<SftpFs, FsError> {
        let opened = open(site, context)?;
        match opened.session.sftp() {
            Ok(sftp) => Ok(SftpFs::ready(opened, sftp, context)),
            Err(error) => Err(map_ssh_error("opening the SFTP channel", &error, &opened.host)),
        }
    }

    fn ready(opened: Opened, sftp: Sftp, context: &ConnectContext) -> SftpFs {
        let Opened {
            session,
            host,
            detail,
            keepalive,
            ..
        } = opened;
        let asked = std::time::Instant::now();
        let home = sftp
            .realpath(Path::new("."))
            .map(|path| path.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "/".to_owned());
        let round_trip = asked.elapsed();
        context.log.status(&format!("SFTP session ready; home folder {home}"));
        SftpFs {
            sftp: Some(sftp),
            session,
            host,
            home,
            log: context.log.clone(),
            security: Security::new(Encryption::Ssh, detail),
            limits: context.limits,
            round_trip,
            keepalive,
        }
    }

    fn path(&self, path: &RemotePath) -> String {
        path.resolve(&self.home)
    }

    fn sftp(&self) -> Result<&Sftp, FsError> {
        self.sftp.as_ref().ok_or_else(|| {
            FsError::new(
                ErrorKind::ConnectionLost,
                format!("the SFTP channel to {} is closed", self.host),
            )
        })
    }

    fn entry(&self, name: String, stat: &FileStat, full: &str) -> Entry {
        let kind = match stat.file_type() {
            FileType::Directory => EntryKind::Dir,
            FileType::RegularFile => EntryKind::File,
            FileType::Symlink => EntryKind::Link,
            _ => EntryKind::Other,
        };
        // A hostile name is never sent back to the server, not even to read a link.
        let target = if kind == EntryKind::Link && crate::model::names::check_remote_name(&name).is_ok() {
            self.sftp
                .as_ref()
                .and_then(|sftp| sftp.readlink(Path::new(full)).ok())
                .map(|target| path_text(&target))
        } else {
            None
        };
        Entry {
            name,
            kind,
            size: if kind == EntryKind::Dir { None } else { stat.size },
            modified: stat
                .mtime
                .and_then(|seconds| DateTime::from_timestamp(i64::try_from(seconds).ok()?, 0)),
            permissions: stat.perm.map(|perm| crate::model::mode_string(perm & 0o777)),
            owner: stat.uid.map(|uid| uid.to_string()),
            group: stat.gid.map(|gid| gid.to_string()),
            target,
        }
    }
}

/// Text of a path from the server: UTF-8, or Latin-1 when it is not.
fn path_text(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        decode_name(path.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned()
    }
}

/// libssh2's codes for a connection that broke or went silent (`LIBSSH2_ERROR_SOCKET_SEND`,
/// `_TIMEOUT`, `_SOCKET_DISCONNECT`, `_SOCKET_RECV`), as opposed to a server's answer.
pub(super) fn link_failed(error: &ssh2::Error) -> bool {
    matches!(error.code(), ErrorCode::Session(-7 | -9 | -13 | -43))
}

impl RemoteFs for SftpFs {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            resume_download: true,
            resume_upload: true,
            set_mtime: true,
            exact_times: true,
            atomic_uploads: false,
        }
    }

    fn home(&self) -> &str {
        &self.home
    }

    fn round_trip(&self) -> Option<Duration> {
        Some(self.round_trip)
    }

    fn in_flight(&self, direction: crate::model::queue::Direction, buffer: usize) -> Option<u64> {
        let bytes = match direction {
            crate::model::queue::Direction::Download => buffer.saturating_mul(4).min(MOST_READ_AHEAD),
            // What the writer is handed stays in flight (see `engine::send_window`).
            crate::model::queue::Direction::Upload => buffer,
        };
        u64::try_from(bytes).ok()
    }

    fn security(&self) -> Security {
        self.security.clone()
    }

    fn read_dir(&mut self, path: &RemotePath) -> Result<Vec<Entry>, FsError> {
        let full = self.path(path);
        self.log.command(&format!("OPENDIR {full}"));
        let what = format!("listing {full}");
        let mut handle = self
            .sftp()?
            .opendir(Path::new(&full))
            .map_err(|error| map_ssh_error(&what, &error, &self.host))?;
        // Each entry is made as it arrives, so that a large folder is held once, not also as
        // libssh2's records.
        let base = full.trim_end_matches('/');
        let mut entries = Vec::new();
        loop {
            match handle.readdir() {
                Ok(_) if entries.len() >= self.limits.entries => {
                    return Err(super::listing_too_long(&what, &self.host, self.limits));
                }
                Ok((name, stat)) => {
                    let name = path_text(&name);
                    let child = format!("{base}/{name}");
                    entries.push(self.entry(name, &stat, &child));
                }
                // libssh2 reports the end of a directory as an SFTP EOF status.
                Err(error) if matches!(error.code(), ErrorCode::Session(-16) | ErrorCode::SFTP(1)) => break,
                Err(error) => return Err(map_ssh_error(&what, &error, &self.host)),
            }
        }
        drop(handle);
        self.log.reply(&format!("{} entries", entries.len()));
        Ok(entries)
    }

    fn stat(&mut self, path: &RemotePath) -> Result<Entry, FsError> {
        let full = self.path(path);
        let stat = self
            .sftp()?
            .lstat(Path::new(&full))
            .map_err(|error| map_ssh_error(&format!("reading {full}"), &error, &self.host))?;
        let name = path.file_name().unwrap_or("/").to_owned();
        Ok(self.entry(name, &stat, &full))
    }

    fn mkdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let full = self.path(path);
        self.log.command(&format!("MKDIR {full}"));
        self.sftp()?
            .mkdir(Path::new(&full), 0o755)
            .map_err(|error| map_ssh_error(&format!("creating the folder {full}"), &error, &self.host))
    }

    fn rmdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let full = self.path(path);
        self.log.command(&format!("RMDIR {full}"));
        self.sftp()?
            .rmdir(Path::new(&full))
            .map_err(|error| map_ssh_error(&format!("removing the folder {full}"), &error, &self.host))
    }

    fn remove(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let full = self.path(path);
        self.log.command(&format!("REMOVE {full}"));
        self.sftp()?
            .unlink(Path::new(&full))
            .map_err(|error| map_ssh_error(&format!("deleting {full}"), &error, &self.host))
    }

    fn rename(&mut self, from: &RemotePath, to: &RemotePath) -> Result<(), FsError> {
        let (from, to) = (self.path(from), self.path(to));
        self.log.command(&format!("RENAME {from} {to}"));
        self.sftp()?
            .rename(Path::new(&from), Path::new(&to), None)
            .map_err(|error| map_ssh_error(&format!("renaming {from} to {to}"), &error, &self.host))
    }

    fn chmod(&mut self, path: &RemotePath, mode: u32) -> Result<(), FsError> {
        let full = self.path(path);
        self.log.command(&format!("SETSTAT {full} mode {:o}", mode & 0o7777));
        let stat = FileStat {
            size: None,
            uid: None,
            gid: None,
            perm: Some(mode & 0o7777),
            atime: None,
            mtime: None,
        };
        self.sftp()?
            .setstat(Path::new(&full), stat)
            .map_err(|error| map_ssh_error(&format!("changing the permissions of {full}"), &error, &self.host))
    }

    fn set_mtime(&mut self, path: &RemotePath, time: DateTime<Utc>) -> Result<(), FsError> {
        let full = self.path(path);
        let seconds = u64::try_from(time.timestamp()).unwrap_or(0);
        self.log.command(&format!("SETSTAT {full} mtime {seconds}"));
        let stat = FileStat {
            size: None,
            uid: None,
            gid: None,
            perm: None,
            atime: Some(seconds),
            mtime: Some(seconds),
        };
        self.sftp()?
            .setstat(Path::new(&full), stat)
            .map_err(|error| map_ssh_error(&format!("setting the time of {full}"), &error, &self.host))
    }

    fn symlink(&mut self, target: &str, link: &RemotePath) -> Result<(), FsError> {
        let full = self.path(link);
        self.log.command(&format!("SYMLINK {full} -> {target}"));
        self.sftp()?
            .symlink(Path::new(target), Path::new(&full))
            .map_err(|error| map_ssh_error(&format!("creating the link {full}"), &error, &self.host))
    }

    fn readlink(&mut self, link: &RemotePath) -> Result<String, FsError> {
        let full = self.path(link);
        self.sftp()?
            .readlink(Path::new(&full))
            .map(|target| path_text(&target))
            .map_err(|error| map_ssh_error(&format!("reading the link {full}"), &error, &self.host))
    }

    fn open_read(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn ReadStream + '_>, FsError> {
        let full = self.path(path);
        self.log.command(&format!("OPEN {full} (read from {offset})"));
        let what = format!("downloading {full}");
        let mut file = self
            .sftp()?
            .open(Path::new(&full))
            .map_err(|error| map_ssh_error(&what, &error, &self.host))?;
        if offset > 0 {
            file.seek(SeekFrom::Start(offset))
                .map_err(|error| io_error(&what, &error, &self.host))?;
        }
        Ok(Box::new(SftpFile {
            file,
            what,
            host: self.host.clone(),
            session: self.session.clone(),
        }))
    }

    fn open_write(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn WriteStream + '_>, FsError> {
        let full = self.path(path);
        self.log.command(&format!("OPEN {full} (write from {offset})"));
        let what = format!("uploading {full}");
        let mut flags = OpenFlags::WRITE | OpenFlags::CREATE;
        if offset == 0 {
            flags |= OpenFlags::TRUNCATE;
        }
        let mut file = self
            .sftp()?
            .open_mode(Path::new(&full), flags, 0o644, OpenType::File)
            .map_err(|error| map_ssh_error(&what, &error, &self.host))?;
        if offset > 0 {
            file.seek(SeekFrom::Start(offset))
                .map_err(|error| io_error(&what, &error, &self.host))?;
        }
        Ok(Box::new(SftpFile {
            file,
            what,
            host: self.host.clone(),
            session: self.session.clone(),
        }))
    }

    /// A real round trip: libssh2's own keepalive only sends and never notices a dead peer.
    fn keepalive(&mut self) -> Result<(), FsError> {
        if self.keepalive {
            self.session
                .keepalive_send()
                .map_err(|error| map_ssh_error("keeping the connection alive", &error, &self.host))?;
        }
        let home = self.home.clone();
        self.sftp()?
            .stat(Path::new(&home))
            .map(drop)
            .map_err(|error| map_ssh_error("keeping the connection alive", &error, &self.host))
    }
}

impl Drop for SftpFs {
    fn drop(&mut self) {
        drop(self.sftp.take());
        let _ = self.session.disconnect(None, "bye", None);
    }
}

/// An open remote file, read or written.
struct SftpFile {
    file: ssh2::File,
    what: String,
    host: String,
    /// The session, to stop waiting on it once the link is found dead.
    session: Session,
}

impl SftpFile {
    /// After a timeout or a broken link the connection is finished with: closing the handle
    /// and saying goodbye would each wait for the idle timeout again on a hung link, so the
    /// session stops waiting (libssh2's shortest timeout) and the next attempt starts sooner.
    fn give_up_on_dead_link<T>(&self, result: io::Result<T>) -> io::Result<T> {
        if let Err(error) = &result
            && matches!(
                error.kind(),
                io::ErrorKind::TimedOut
                    | io::ErrorKind::WouldBlock
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof
            )
        {
            self.session.set_timeout(1);
        }
        result
    }
}

impl Read for SftpFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = self.file.read(buf);
        self.give_up_on_dead_link(result)
    }
}

impl Write for SftpFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.file.write(buf);
        self.give_up_on_dead_link(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl ReadStream for SftpFile {
    fn finish(self: Box<Self>) -> Result<(), FsError> {
        Ok(())
    }
}

impl WriteStream for SftpFile {
    fn finish(mut self: Box<Self>) -> Result<(), FsError> {
        // fsync is an OpenSSH extension; closing the handle is what confirms the write.
        self.file
            .flush()
            .map_err(|error| io_error(&self.what, &error, &self.host))?;
        self.file
            .close()
            .map_err(|error| map_ssh_error(&self.what, &error, &self.host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libssh2_errors_read_as_words() {
        let said = |code: i32, message: &'static str| {
            map_ssh_error(
                "connecting to h:22",
                &ssh2::Error::new(ErrorCode::Session(code), message),
                "h",
            )
            .message
        };
        let no_common = said(-5, "Unable to exchange encryption keys");
        assert!(
            no_common.contains("no key exchange, host key or cipher in common"),
            "{no_common}"
        );
        assert!(said(-18, "Authentication failed (username/password)").contains("was not accepted"));
        assert!(said(-2, "Failed getting banner").contains("is this the SSH port?"));
        assert!(said(-15, "Password Expired, and no callback specified").contains("has expired"));
        // A code without words of its own keeps libssh2's message.
        assert!(said(-14, "Invalid data").contains("Invalid data"));
    }
}
