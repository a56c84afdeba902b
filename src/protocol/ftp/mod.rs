//! FTP, FTPS (implicit TLS) and FTPES (explicit TLS, required) over suppaftp.
//!
//! What Wharf adds on top of suppaftp: every command goes through `FtpFs::command`, which
//! refuses CR/LF/NUL, logs the command (password masked) and the reply, and turns replies
//! into [`FsError`]s; data connections go to the control connection's peer whatever address
//! a PASV reply names (curl >= 7.74); EPSV is tried first and PASV is the fallback; listings
//! are read as raw bytes and parsed by `listing`; explicit TLS aborts before USER/PASS
//! when the server refuses AUTH TLS.

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod harness;
pub(crate) mod listing;

use std::cell::Cell;

use crate::protocol::tls;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use suppaftp::types::Features;
use suppaftp::{FtpError, ImplFtpStream, Mode, RustlsConnector, RustlsFtpStream, Status, TlsStream, TransferStream};

use self::listing::{ListingContext, ParsedEntry, ParsedKind, ServerType};
use super::{
    Capabilities, Checksum, ChecksumAlgorithm, ConnectContext, ErrorKind, FsError, ListingLimits, ProtocolLog,
    ReadStream, RemoteFs, WriteStream, connect_tcp,
};
use crate::model::location::RemotePath;
use crate::model::names::check_command_text;
use crate::model::security::{Encryption, Security};
use crate::model::{DataMode, Entry, EntryKind, Protocol, Site, decode_name};

/// Names the TLS stream type that suppaftp keeps private, through the stream it parameterises.
trait StreamKind {
    type Tls: TlsStream;
}
impl<T: TlsStream> StreamKind for ImplFtpStream<T> {
    type Tls = T;
}
/// A data connection (plain or TLS) whose `finish` reads the transfer's final reply.
type Data = TransferStream<<RustlsFtpStream as StreamKind>::Tls>;

/// What FEAT told us.
#[derive(Debug, Clone, Copy, Default)]
struct ServerFeatures {
    /// MLSD listings (FEAT names MLST or MLSD).
    mlsd: bool,
    /// MLST for one path; cleared when the server refuses the command.
    mlst: bool,
    mfmt: bool,
    utf8: bool,
    xsha256: bool,
    xsha1: bool,
    /// `HASH` (draft-bryan-ftpext-hash) with SHA-256 or SHA-1 among its algorithms.
    hash_sha256: bool,
    hash_sha1: bool,
}

/// What MLST said about one path.
enum Mlst {
    Found(Entry),
    /// A negative answer about the path itself: not found, not allowed, or the connection
    /// failed.
    Refused(FsError),
    /// No answer to use: the command is unknown or the reply unreadable.
    Unanswered,
}

/// A logged-in FTP connection.
pub struct FtpFs {
    conn: RustlsFtpStream,
    host: String,
    home: String,
    features: ServerFeatures,
    server_type: ServerType,
    log: ProtocolLog,
    /// Cleared after the server refused EPSV once; then PASV is used.
    epsv: bool,
    /// Set when a transfer could not be closed cleanly; every later call fails fast so that
    /// the connection is dropped rather than reused.
    broken: bool,
    /// The server refused to continue an upload (REST+STOR and APPE): not asked again.
    refuses_continuing: bool,
    security: Security,
    /// How much of one listing is read before it is refused.
    limits: ListingLimits,
    /// How long `PWD` took at login.
    round_trip: Option<Duration>,
}

fn set_timeouts(stream: &TcpStream, idle: Duration) -> io::Result<()> {
    stream.set_read_timeout(Some(idle))?;
    stream.set_write_timeout(Some(idle))?;
    stream.set_nodelay(true)
}

/// TCP keepalive on the control connection: during a long transfer it carries no traffic, and
/// NAT routers and firewalls drop idle mappings. An FTP NOOP cannot be sent then, because
/// most servers answer it only after the transfer, out of turn with the transfer's reply.
fn keep_control_alive(stream: &TcpStream) {
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(Duration::from_secs(30))
        .with_interval(Duration::from_secs(15));
    if let Err(error) = socket2::SockRef::from(stream).set_tcp_keepalive(&keepalive) {
        tracing::debug!("TCP keepalive could not be enabled: {error}");
    }
}

/// The text of a reply, for logs and messages.
fn reply_text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).trim_end().to_owned()
}

/// The reply code, read from the text so that codes suppaftp has no name for survive.
fn reply_code(body: &[u8]) -> u32 {
    body.get(..3)
        .and_then(|digits| std::str::from_utf8(digits).ok())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0)
}

/// Whether a refused REST+STOR or APPE says the server will not continue uploads at all: a
/// permanent refusal, or ProFTPD's "451 ...: Append/Restart not permitted, try again" (a
/// 4xx code for what is its configuration). A full disk or a lost connection is not that.
fn refuses_continuing(error: &FsError) -> bool {
    match error.kind {
        ErrorKind::NoSpace | ErrorKind::ConnectionLost | ErrorKind::TooManyConnections | ErrorKind::Timeout => false,
        _ => !error.retryable || error.message.to_ascii_lowercase().contains("not permitted"),
    }
}

/// Classifies a negative reply. 4yz replies are transient, 5yz permanent (RFC 959), but a
/// full disk or quota (452, 552) is permanent either way: retrying it blindly only fills the
/// log, and the upload's partial file stays on the server for a retry once there is room.
fn reply_error(what: &str, body: &[u8], host: &str) -> FsError {
    let code = reply_code(body);
    let text = reply_text(body);
    let lower = text.to_ascii_lowercase();
    let kind = match code {
        421 if lower.contains("too many") || lower.contains("connections") => ErrorKind::TooManyConnections,
        421 | 426 => ErrorKind::ConnectionLost,
        // vsftpd's session process died ("500 OOPS: priv_sock_get_int" when its helper
        // could not open a passive port in time) and it closes the connection: a retry on a
        // new one works.
        500 if lower.starts_with("500 oops") => ErrorKind::ConnectionLost,
        530 if lower.contains("too many") || lower.contains("connections") => ErrorKind::TooManyConnections,
        530 | 430 | 332 | 532 => ErrorKind::Auth,
        452 | 552 => ErrorKind::NoSpace,
        550 | 450 if lower.contains("denied") || lower.contains("permission") => ErrorKind::PermissionDenied,
        550 if lower.contains("exist") && !lower.contains("not exist") && !lower.contains("doesn't") => {
            ErrorKind::AlreadyExists
        }
        550 | 450 => ErrorKind::NotFound,
        553 => ErrorKind::PermissionDenied,
        500 | 502 | 504 => ErrorKind::Unsupported,
        _ => ErrorKind::Other,
    };
    let retryable = ((400..500).contains(&code) && kind != ErrorKind::NoSpace) || kind.is_retryable();
    FsError::new(
        kind,
        format!(
            "{what} failed: the server said \"{}\" ({host})",
            text.replace("\r\n", " ")
        ),
    )
    .retryable(retryable)
}

/// Reads to the end, or `None` once more than `limit` bytes came.
fn read_capped(reader: &mut impl Read, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// Takes the path out of a 257 reply: `257 "/a ""quoted"" dir" is current`.
pub fn parse_257(text: &str) -> Option<String> {
    let start = text.find('"')?;
    let mut path = String::new();
    let mut chars = text[start + 1..].chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if chars.peek() == Some(&'"') {
                chars.next();
                path.push('"');
            } else {
                return (!path.is_empty() && !path.chars().any(char::is_control)).then_some(path);
            }
        } else {
            path.push(c);
        }
    }
    None
}

/// What every step of one connection attempt needs: the site, the log and the timeouts.
struct Attempt<'a> {
    site: &'a Site,
    log: &'a ProtocolLog,
    connect_timeout: Duration,
    idle: Duration,
    /// Set when a TLS handshake ended before the server showed its certificate.
    unagreed: &'a Cell<bool>,
}

impl Attempt<'_> {
    /// Opens a TCP connection for the control channel, with the timeouts and the keepalive
    /// it needs. The clear-text reconnect after a refused AUTH TLS opens its second
    /// connection here too.
    fn tcp(&self) -> Result<TcpStream, FsError> {
        let tcp = connect_tcp(self.site, self.connect_timeout)?;
        set_timeouts(&tcp, self.idle).map_err(|error| FsError::from_network(&error, "setting up the connection"))?;
        keep_control_alive(&tcp);
        Ok(tcp)
    }

    /// Starts FTP in clear text on `tcp` and logs the server's greeting.
    fn greeted(&self, tcp: TcpStream) -> Result<RustlsFtpStream, FsError> {
        let conn = RustlsFtpStream::connect_with_stream(tcp).map_err(|error| self.lost(error))?;
        self.log_welcome(&conn);
        Ok(conn)
    }

    fn log_welcome(&self, conn: &RustlsFtpStream) {
        if let Some(welcome) = conn.get_welcome_msg() {
            self.log.reply(welcome.trim_end());
        }
    }

    fn lost(&self, error: FtpError) -> FsError {
        map_ftp_error(&format!("talking to {}", self.site.authority()), error, &self.site.host)
    }

    /// Opens the control connection on `tcp` and secures it as the protocol asks. Returns it
    /// with the sentence that says what protects it.
    fn secured(&self, tcp: TcpStream, tls: Option<&tls::Client>) -> Result<(RustlsFtpStream, Security), FsError> {
        let (conn, refused_tls) = match (tls, self.site.protocol) {
            (Some(tls), Protocol::Ftps) => (self.implicit_tls(tcp, tls)?, false),
            (Some(tls), Protocol::Ftpes) => self.explicit_tls(self.greeted(tcp)?, tls)?,
            _ => (self.greeted(tcp)?, false),
        };
        let version = tls.and_then(tls::Client::version).unwrap_or("TLS");
        let security = match self.site.protocol {
            Protocol::Ftp => Security::new(Encryption::None, "not encrypted"),
            Protocol::Ftpes if refused_tls => {
                Security::new(Encryption::RefusedTls, "not encrypted: the server refused TLS")
            }
            Protocol::Ftps => Security::new(Encryption::Tls, format!("{version} (implicit)")),
            _ => Security::new(Encryption::Tls, format!("{version} (explicit)")),
        };
        Ok((conn, security))
    }

    /// FTPS: TLS from the first byte. suppaftp opens its own connection to the address that
    /// `tcp` reached, so `tcp` only chose that address. That connection has no timeouts
    /// until it is greeted, so it is made on a thread of its own and given up on after the
    /// connect and idle timeouts: a server that accepts and then says nothing must not hang
    /// the attempt. (The abandoned thread ends when the server closes; nothing else can
    /// reach its socket.)
    fn implicit_tls(&self, tcp: TcpStream, tls: &tls::Client) -> Result<RustlsFtpStream, FsError> {
        let address = tcp
            .peer_addr()
            .map_err(|error| FsError::from_network(&error, "connecting"))?;
        drop(tcp);
        self.log.status("Starting TLS (implicit)");
        let (connector, host) = (RustlsConnector::from(tls.config.clone()), self.site.host.clone());
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("wharf-ftps-connect".to_owned())
            .spawn(move || {
                let _ = sender.send(RustlsFtpStream::connect_secure_implicit(address, connector, &host));
            })
            .map_err(|error| FsError::new(ErrorKind::Other, format!("cannot start a connection: {error}")))?;
        let waited = self.connect_timeout + self.idle;
        let conn = match receiver.recv_timeout(waited) {
            Ok(result) => result.map_err(|error| self.tls_failure(error, tls))?,
            Err(_) => {
                return Err(FsError::new(
                    ErrorKind::Timeout,
                    format!(
                        "the server accepted the connection but did not start TLS within {} s; is this the \
                         right port for implicit FTPS (ftps://)? ({})",
                        waited.as_secs(),
                        self.site.host
                    ),
                ));
            }
        };
        let _ = set_timeouts(&conn.get_ref(), self.idle);
        keep_control_alive(&conn.get_ref());
        self.log_welcome(&conn);
        Ok(conn)
    }

    /// FTPES: AUTH TLS on the greeted connection. Returns the connection and whether the
    /// server refused TLS and the site allowed going on in clear text.
    fn explicit_tls(&self, conn: RustlsFtpStream, tls: &tls::Client) -> Result<(RustlsFtpStream, bool), FsError> {
        self.log.command("AUTH TLS");
        match conn.into_secure(RustlsConnector::from(tls.config.clone()), &self.site.host) {
            Ok(secured) => {
                self.log.status("TLS established; PBSZ 0 and PROT P accepted");
                Ok((secured, false))
            }
            // Only a refusal of AUTH TLS itself falls back: a failed handshake may be an
            // attack, and a refused PBSZ/PROT comes after TLS was agreed; both stop.
            Err(FtpError::UnexpectedResponse(response)) if self.site.tls_if_available && !tls.handshake_started() => {
                self.log.reply(&reply_text(&response.body));
                self.log.status(&format!(
                    "WARNING: the server refused TLS. This site allows that, so Wharf logs in WITHOUT \
                     encryption: the password and files cross the network in clear text ({})",
                    self.site.authority()
                ));
                // `into_secure` took the refused connection and closed it: start again in clear.
                Ok((self.greeted(self.tcp()?)?, true))
            }
            Err(error) => Err(self.tls_failure(error, tls)),
        }
    }

    /// The error for a failed TLS start: the trust policy's own sentence when it refused the
    /// certificate, else what went wrong.
    fn tls_failure(&self, error: FtpError, tls: &tls::Client) -> FsError {
        if let Some(refused) = tls.take_refusal() {
            return refused;
        }
        // Ended before the server showed a certificate: no version or cipher in common.
        if !matches!(error, FtpError::UnexpectedResponse(_)) && !tls.handshake_started() {
            self.unagreed.set(true);
        }
        let host = &self.site.host;
        match error {
            FtpError::UnexpectedResponse(response) => FsError::new(
                ErrorKind::Tls,
                format!(
                    "the server refused TLS (\"{}\"), so Wharf did not send the password; use ftp:// only if a clear-text connection is acceptable ({host})",
                    reply_text(&response.body)
                ),
            ),
            FtpError::SecureError(text) => FsError::new(
                ErrorKind::Tls,
                format!("the TLS handshake failed: {} ({host})", tls::failure_in_words(&text)),
            ),
            other => map_ftp_error("setting up TLS", other, host),
        }
    }

    /// Data connections with the same timeouts as the control connection.
    fn with_data_connections(&self, conn: RustlsFtpStream) -> RustlsFtpStream {
        let (data_timeout, idle) = (self.connect_timeout, self.idle);
        data_connections(conn, self.site.data_mode, idle, move |address| {
            let stream = TcpStream::connect_timeout(&address, data_timeout).map_err(FtpError::ConnectionError)?;
            set_timeouts(&stream, idle).map_err(FtpError::ConnectionError)?;
            Ok(stream)
        })
    }
}

/// Data connections: to the control connection's peer whatever a PASV reply names, opened by
/// `connect`; EPSV first in passive mode.
fn data_connections(
    mut conn: RustlsFtpStream,
    mode: DataMode,
    idle: Duration,
    connect: impl Fn(SocketAddr) -> Result<TcpStream, FtpError> + Send + Sync + 'static,
) -> RustlsFtpStream {
    conn.set_passive_nat_workaround(true);
    conn = conn.passive_stream_builder(move |address: SocketAddr| {
        refuse_privileged_port(address)?;
        connect(address)
    });
    if mode == DataMode::Active {
        conn = conn.active_mode(idle);
    } else {
        conn.set_mode(Mode::ExtendedPassive);
    }
    conn
}

/// The lowest port a passive-mode reply may name. Port 0 is no port at all, and the ports
/// below 1024 belong to the server's other services (SSH, mail): no FTP server puts a data
/// connection there, and a client that went would hand an upload to whatever listens.
const LOWEST_DATA_PORT: u16 = 1024;

fn refuse_privileged_port(address: SocketAddr) -> Result<(), FtpError> {
    if address.port() >= LOWEST_DATA_PORT {
        return Ok(());
    }
    Err(FtpError::ConnectionError(io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "the server named port {} for the data connection; Wharf opens data connections only to ports from {LOWEST_DATA_PORT} up",
            address.port()
        ),
    )))
}

impl FtpFs {
    /// Connects, secures (for FTPS/FTPES), logs in and learns the server's features. TLS 1.2
    /// is offered first, TLS 1.3 to a server that takes nothing older (`tls::Offer`).
    pub fn connect(site: &Site, context: &ConnectContext) -> Result<FtpFs, FsError> {
        let unagreed = Cell::new(false);
        match FtpFs::connect_offering(site, context, tls::Offer::Tls12, &unagreed) {
            Err(error) if unagreed.get() => {
                context.log.status(&format!(
                    "TLS 1.2 did not work ({}); connecting again with TLS 1.3",
                    error.message
                ));
                FtpFs::connect_offering(site, context, tls::Offer::Tls13, &Cell::new(false))
            }
            connected => connected,
        }
    }

    /// One connection attempt with one TLS offer. `unagreed` is set when a TLS handshake ended
    /// before the server showed its certificate (the server wants another version, or has no
    /// cipher in common).
    fn connect_offering(
        site: &Site,
        context: &ConnectContext,
        offer: tls::Offer,
        unagreed: &Cell<bool>,
    ) -> Result<FtpFs, FsError> {
        let attempt = Attempt {
            site,
            log: &context.log,
            connect_timeout: Duration::from_secs(context.timeouts.connect),
            idle: Duration::from_secs(context.timeouts.idle),
            unagreed,
        };
        let tcp = attempt.tcp()?;
        context.log.status(&format!("Connected to {}", site.authority()));
        let tls = if site.protocol == Protocol::Ftp {
            None
        } else {
            Some(tls::client_config(&site.host, site.port, context.trust.clone(), offer)?)
        };
        let (conn, security) = attempt.secured(tcp, tls.as_ref())?;
        let mut fs = FtpFs::new(attempt.with_data_connections(conn), site, security, context.log.clone());
        fs.limits = context.limits;
        fs.start_session(site)?;
        Ok(fs)
    }

    /// A connection that is secured and whose data connections are set up, before login.
    fn new(conn: RustlsFtpStream, site: &Site, security: Security, log: ProtocolLog) -> FtpFs {
        FtpFs {
            conn,
            host: site.host.clone(),
            home: "/".to_owned(),
            features: ServerFeatures::default(),
            server_type: ServerType::Unknown,
            log,
            epsv: site.data_mode == DataMode::Passive,
            broken: false,
            refuses_continuing: false,
            security,
            limits: ListingLimits::default(),
            round_trip: None,
        }
    }

    /// Logs in, asks for protected data connections under implicit TLS, learns the server's
    /// features and reads the home folder.
    fn start_session(&mut self, site: &Site) -> Result<(), FsError> {
        self.login(site)?;
        if site.protocol == Protocol::Ftps {
            // Implicit TLS protects the control connection only until the data connections
            // are asked to be protected too (explicit TLS does this right after AUTH).
            self.command("PBSZ 0", &[Status::CommandOk])?;
            self.command("PROT P", &[Status::CommandOk])?;
        }
        self.learn_features();
        self.command("TYPE I", &[Status::CommandOk])?;
        let asked = std::time::Instant::now();
        let pwd = self.command("PWD", &[Status::PathCreated])?;
        self.round_trip = Some(asked.elapsed());
        if let Some(home) = parse_257(&reply_text(&pwd)) {
            self.home = home;
        }
        Ok(())
    }

    fn login(&mut self, site: &Site) -> Result<(), FsError> {
        let auth_failed = |fs: &FtpFs, body: &[u8]| {
            FsError::new(
                ErrorKind::Auth,
                format!(
                    "logging in as {} failed: the server said \"{}\" ({})",
                    site.user,
                    reply_text(body),
                    fs.host
                ),
            )
        };
        let user = format!("USER {}", site.user);
        let reply = self.command(&user, &[Status::LoggedIn, Status::NeedPassword])?;
        if reply_code(&reply) == 230 {
            return Ok(());
        }
        let password = site
            .credentials
            .password
            .as_ref()
            .map(|secret| secret.expose())
            .unwrap_or("");
        check_command_text(password)
            .map_err(|_| FsError::new(ErrorKind::Auth, "the password contains a line break"))?;
        self.log.command("PASS ****");
        match self
            .conn
            .custom_command(format!("PASS {password}"), &[Status::LoggedIn])
        {
            Ok(response) => {
                self.log.reply(&reply_text(&response.body));
                Ok(())
            }
            Err(FtpError::UnexpectedResponse(response)) => {
                self.log.reply(&reply_text(&response.body));
                let code = reply_code(&response.body);
                if (400..500).contains(&code) || code == 421 {
                    Err(reply_error(
                        &format!("logging in as {}", site.user),
                        &response.body,
                        &self.host,
                    ))
                } else {
                    Err(auth_failed(self, &response.body))
                }
            }
            Err(other) => Err(map_ftp_error("logging in", other, &self.host)),
        }
    }

    /// FEAT, SYST and OPTS UTF8; none of them is required, so failures only log.
    fn learn_features(&mut self) {
        self.log.command("FEAT");
        match self.conn.feat() {
            Ok(features) => {
                self.features = features_of(&features);
                let mut names: Vec<&String> = features.keys().collect();
                names.sort();
                self.log.reply(&format!(
                    "211 features: {}",
                    names.iter().map(|name| name.as_str()).collect::<Vec<_>>().join(" ")
                ));
            }
            Err(error) => self.log.reply(&format!("no FEAT: {error}")),
        }
        if let Ok(reply) = self.command("SYST", &[Status::Name]) {
            let text = reply_text(&reply);
            self.server_type = ServerType::from_syst(text.get(4..).unwrap_or(""));
        }
        if self.features.utf8 {
            // pure-ftpd lists UTF8 yet answers 504: it speaks UTF-8 anyway (RFC 2640).
            let _ = self.command(
                "OPTS UTF8 ON",
                &[
                    Status::CommandOk,
                    Status::CommandNotImplemented,
                    Status::NotImplementedParameter,
                ],
            );
        }
    }

    /// Sends one command, logs it and its reply, and classifies a negative reply.
    fn command(&mut self, command: &str, expect: &[Status]) -> Result<Vec<u8>, FsError> {
        self.ensure_usable()?;
        check_command_text(command).map_err(|message| FsError::new(ErrorKind::InvalidName, message))?;
        self.log.command(command);
        let verb = command.split(' ').next().unwrap_or(command).to_owned();
        match self.conn.custom_command(command, expect) {
            Ok(response) => {
                self.log.reply(&reply_text(&response.body));
                Ok(response.body)
            }
            Err(error) => Err(self.failed(&describe_verb(&verb, command), error)),
        }
    }

    /// The error for a command or transfer that failed: a negative reply is logged and
    /// classified; anything else leaves the connection in an unknown state, so it is marked
    /// broken and not used again.
    fn failed(&mut self, what: &str, error: FtpError) -> FsError {
        match error {
            FtpError::UnexpectedResponse(response) => {
                self.log.reply(&reply_text(&response.body));
                reply_error(what, &response.body, &self.host)
            }
            error => {
                self.broken = true;
                map_ftp_error(what, error, &self.host)
            }
        }
    }

    fn ensure_usable(&self) -> Result<(), FsError> {
        if self.broken {
            Err(FsError::new(
                ErrorKind::ConnectionLost,
                format!("the connection to {} was closed after an error", self.host),
            ))
        } else {
            Ok(())
        }
    }

    fn wire_path(&self, path: &RemotePath) -> Result<String, FsError> {
        let resolved = path.resolve(&self.home);
        check_command_text(&resolved).map_err(|message| FsError::new(ErrorKind::InvalidName, message))?;
        Ok(resolved)
    }

    /// Opens a data connection for `command`: EPSV first, PASV when the server refuses EPSV
    /// or its EPSV port cannot be reached.
    fn data_command(&mut self, command: &str) -> Result<Data, FsError> {
        self.ensure_usable()?;
        check_command_text(command).map_err(|message| FsError::new(ErrorKind::InvalidName, message))?;
        let verb = command.split(' ').next().unwrap_or(command).to_owned();
        let what = describe_verb(&verb, command);
        loop {
            self.log.command(command);
            match self
                .conn
                .custom_data_command(command, &[Status::AboutToSend, Status::AlreadyOpen])
            {
                Ok((response, data)) => {
                    self.log.reply(&reply_text(&response.body));
                    return Ok(data);
                }
                // A server without EPSV refuses it before the command itself is sent.
                Err(FtpError::UnexpectedResponse(response))
                    if self.epsv && matches!(reply_code(&response.body), 500 | 501 | 502 | 522) =>
                {
                    self.log.reply(&reply_text(&response.body));
                    self.fall_back_to_pasv();
                    continue;
                }
                Err(FtpError::ConnectionError(error)) if self.epsv && error.kind() != io::ErrorKind::TimedOut => {
                    // The EPSV port did not answer (some NAT routers break EPSV); nothing was
                    // sent yet besides EPSV itself, so PASV can be tried at once.
                    self.fall_back_to_pasv();
                    continue;
                }
                Err(error) => return Err(self.failed(&what, error)),
            }
        }
    }

    fn fall_back_to_pasv(&mut self) {
        self.log.status("EPSV did not work; using PASV");
        self.epsv = false;
        self.conn.set_mode(Mode::Passive);
    }

    /// Reads a whole listing (MLSD when offered) of `path` as raw bytes. The listing is of
    /// the current folder after CWD rather than `MLSD path`: some servers (libunftp) answer
    /// `MLSD missing` with 150 and then break the data connection, where CWD says 550.
    fn read_listing(&mut self, path: &str) -> Result<(Vec<u8>, bool), FsError> {
        self.command(
            &format!("CWD {path}"),
            &[Status::RequestedFileActionOk, Status::CommandOk],
        )?;
        let mlsd = self.features.mlsd;
        let mut data = if mlsd {
            self.data_command("MLSD")?
        } else {
            // `-a` shows hidden files (.htaccess) on Unix servers; a server that takes it for
            // a file name refuses it, and plain LIST is the fallback.
            match self.data_command("LIST -a") {
                Ok(data) => data,
                Err(error) if !self.broken && !error.retryable => self.data_command("LIST")?,
                Err(error) => return Err(error),
            }
        };
        let bytes = match read_capped(&mut data, self.limits.bytes) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                // The rest of the listing is still coming: this connection is done for.
                self.broken = true;
                return Err(crate::protocol::listing_too_long(
                    &format!("listing {path}"),
                    &self.host,
                    self.limits,
                ));
            }
            Err(error) => {
                self.broken = true;
                return Err(FsError::from_network(
                    &error,
                    &format!("listing {path} on {}", self.host),
                ));
            }
        };
        self.finish_data(data, &format!("listing {path}"))?;
        Ok((bytes, mlsd))
    }

    /// Closes a data connection and reads the transfer's final reply (226).
    fn finish_data(&mut self, data: Data, what: &str) -> Result<(), FsError> {
        match data.finish() {
            Ok(()) => {
                self.log.reply("226 transfer complete");
                Ok(())
            }
            Err(error) => Err(self.failed(what, error)),
        }
    }

    /// Sends `VERB path` for a command whose reply says nothing but yes or no.
    fn path_command(&mut self, verb: &str, path: &RemotePath, expect: &[Status]) -> Result<(), FsError> {
        let wire = self.wire_path(path)?;
        self.command(&format!("{verb} {wire}"), expect).map(drop)
    }

    fn listing_context(&self) -> ListingContext {
        ListingContext {
            now: Utc::now().naive_utc(),
            server_type: self.server_type,
        }
    }

    /// Continues an upload at `offset` (the caller checked the remote size): REST and STOR,
    /// else APPE. A server that allows neither (ProFTPD without `AllowStoreRestart` answers
    /// "451 Append/Restart not permitted") gets an `Unsupported` error, so that the upload
    /// starts over instead of retrying what cannot work; the connection remembers it. A
    /// failure that may pass (a full disk, a lost connection, a busy data port) is returned
    /// as it is, so that the next attempt continues.
    fn continued_upload(&mut self, wire: &str, offset: u64) -> Result<Data, FsError> {
        if self.refuses_continuing {
            return Err(self.cannot_continue("it refused before"));
        }
        self.log.command(&format!("REST {offset}"));
        let resumed = self
            .conn
            .resume_transfer(usize::try_from(offset).unwrap_or(usize::MAX))
            .map_err(|error| map_ftp_error("resuming", error, &self.host))
            .and_then(|()| self.data_command(&format!("STOR {wire}")));
        let refused = match resumed {
            Ok(data) => return Ok(data),
            Err(error) if self.broken || !refuses_continuing(&error) => return Err(error),
            Err(error) => error,
        };
        match self.data_command(&format!("APPE {wire}")) {
            Ok(data) => Ok(data),
            Err(error) if self.broken || !refuses_continuing(&error) => Err(error),
            Err(_) => {
                self.refuses_continuing = true;
                Err(self.cannot_continue(&refused.message))
            }
        }
    }

    fn cannot_continue(&self, why: &str) -> FsError {
        FsError::new(
            ErrorKind::Unsupported,
            format!("{} does not let an upload continue ({why}); it starts again", self.host),
        )
    }

    /// Asks MLST about one path. A negative reply is the answer (not found, or not allowed);
    /// only a server that does not know the command, or a reply that cannot be read, leaves
    /// the question open for the older commands.
    fn mlst(&mut self, wire: &str) -> Mlst {
        match self.command(&format!("MLST {wire}"), &[Status::RequestedFileActionOk]) {
            Ok(reply) => match mlst_entry(&reply) {
                Some(entry) => Mlst::Found(entry),
                None => Mlst::Unanswered,
            },
            Err(error) if error.kind == ErrorKind::Unsupported => {
                // MLSD may still work for listings; MLST is not asked again.
                self.features.mlst = false;
                Mlst::Unanswered
            }
            // 550 "Can't check for file existence" (pure-ftpd, which the generic reading
            // takes for "already exists"), "cannot be listed" (ProFTPD): not there.
            Err(error) if !error.retryable && matches!(error.kind, ErrorKind::NotFound | ErrorKind::AlreadyExists) => {
                Mlst::Refused(FsError::new(
                    ErrorKind::NotFound,
                    format!("{wire} does not exist ({})", self.host),
                ))
            }
            // Not allowed, a lost login or connection, a passing failure: as the server said.
            Err(error) => Mlst::Refused(error),
        }
    }

    fn size_of(&mut self, path: &str) -> Result<u64, FsError> {
        let reply = self.command(&format!("SIZE {path}"), &[Status::File])?;
        size_in(&reply).ok_or_else(|| {
            FsError::new(
                ErrorKind::Protocol,
                format!("the server's SIZE reply for {path} is not a number ({})", self.host),
            )
        })
    }

    fn mtime_of(&mut self, path: &str) -> Option<DateTime<Utc>> {
        let reply = self.command(&format!("MDTM {path}"), &[Status::File]).ok()?;
        mtime_in(&reply)
    }
}

/// The entry in an MLST reply: its second line holds the facts.
fn mlst_entry(reply: &[u8]) -> Option<Entry> {
    String::from_utf8_lossy(reply)
        .lines()
        .nth(1)
        .and_then(|line| listing::parse_mlsd_line(line.trim_start().as_bytes()))
        .map(entry_from)
}

/// The size in a SIZE reply (`213 1234`).
fn size_in(reply: &[u8]) -> Option<u64> {
    reply_text(reply).get(4..).and_then(|digits| digits.trim().parse().ok())
}

/// The time in an MDTM reply (`213 20240615120000`, maybe with fractions).
fn mtime_in(reply: &[u8]) -> Option<DateTime<Utc>> {
    let text = reply_text(reply);
    let stamp = text.get(4..)?.trim();
    let digits = stamp.get(..14)?;
    NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S")
        .ok()
        .map(|time| time.and_utc())
}

/// Ends the TLS session of an upload's data connection and lets rustls read everything the
/// server sent on it, TLS 1.3 session tickets included.
///
/// rustls uses each ticket once. vsftpd (`require_ssl_reuse=YES`) refuses a data connection
/// that does not resume the control connection's session, and issues a new ticket on each
/// resumed one. Downloads read those tickets with the data; an upload never reads, so the
/// tickets would run out after a few uploads. The server's tickets come before its
/// close_notify, so reading up to that point (or one second) collects them.
fn close_upload_tls(data: &mut Data) {
    let suppaftp::DataStream::Ssl(tls) = data.get_mut() else {
        return;
    };
    let stream = tls.mut_ref();
    stream.conn.send_close_notify();
    while stream.conn.wants_write() {
        if stream.conn.write_tls(&mut stream.sock).is_err() {
            return;
        }
    }
    let previous = stream.sock.read_timeout().ok().flatten();
    if stream.sock.set_read_timeout(Some(Duration::from_secs(1))).is_err() {
        return;
    }
    while let Ok(count) = stream.conn.read_tls(&mut stream.sock) {
        if count == 0 || stream.conn.process_new_packets().is_err() {
            break;
        }
        if stream.conn.is_handshaking() {
            break;
        }
    }
    let _ = stream.sock.set_read_timeout(previous);
}

/// `RETR /x` -> "downloading /x"; used as the start of error sentences.
fn describe_verb(verb: &str, command: &str) -> String {
    let argument = command.split_once(' ').map(|(_, rest)| rest).unwrap_or("");
    let action = match verb {
        "RETR" => "downloading",
        "STOR" | "APPE" => "uploading",
        "DELE" => "deleting",
        "RMD" => "removing the folder",
        "MKD" => "creating the folder",
        "CWD" => "opening the folder",
        "RNFR" => "renaming",
        "RNTO" => "renaming to",
        "SIZE" => "reading the size of",
        "MFMT" => "setting the time of",
        // The folder was entered with CWD; the argument is an option, not a path.
        "LIST" | "MLSD" => return "listing the folder".to_owned(),
        "USER" => return format!("logging in as {argument}"),
        _ => return format!("the command {verb}"),
    };
    if argument.is_empty() {
        action.to_owned()
    } else {
        format!("{action} {argument}")
    }
}

fn features_of(features: &Features) -> ServerFeatures {
    let has = |name: &str| features.keys().any(|key| key.eq_ignore_ascii_case(name));
    // `HASH SHA-256*;SHA-1;MD5`: the algorithms, the current one starred.
    let hash_algorithms = features
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("HASH"))
        .and_then(|(_, value)| value.clone())
        .unwrap_or_default()
        .to_ascii_uppercase();
    let offers = |name: &str| {
        hash_algorithms
            .split(';')
            .any(|item| item.trim_end_matches('*') == name)
    };
    ServerFeatures {
        mlsd: has("MLST") || has("MLSD"),
        mlst: has("MLST"),
        mfmt: has("MFMT"),
        utf8: has("UTF8"),
        xsha256: has("XSHA256"),
        xsha1: has("XSHA1"),
        hash_sha256: offers("SHA-256"),
        hash_sha1: offers("SHA-1"),
    }
}

fn map_ftp_error(what: &str, error: FtpError, host: &str) -> FsError {
    match error {
        // Implicit TLS fails inside the stream: rustls's error comes wrapped in an I/O error.
        FtpError::ConnectionError(io) if io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => FsError::new(
            ErrorKind::Tls,
            format!("{what} failed: {} ({host})", tls::failure_in_words(&io.to_string())),
        ),
        // A reply past suppaftp's cap, or a data port Wharf refuses: the server misbehaves,
        // and asking again would only get the same answer.
        FtpError::ConnectionError(io) if io.kind() == io::ErrorKind::InvalidData => {
            FsError::new(ErrorKind::Protocol, format!("{what} failed: {io} ({host})"))
        }
        FtpError::ConnectionError(io) => FsError::from_network(&io, &format!("{what} ({host})")),
        FtpError::SecureError(text) => FsError::new(
            ErrorKind::Tls,
            format!("{what} failed: {} ({host})", tls::failure_in_words(&text)),
        ),
        FtpError::UnexpectedResponse(response) => reply_error(what, &response.body, host),
        FtpError::BadResponse => FsError::new(
            ErrorKind::Protocol,
            format!("{what} failed: the server's reply could not be understood ({host})"),
        ),
        FtpError::InvalidAddress(_) => FsError::new(
            ErrorKind::Protocol,
            format!("{what} failed: the server sent an invalid address ({host})"),
        ),
        other => FsError::new(ErrorKind::Protocol, format!("{what} failed: {other} ({host})")),
    }
}

/// The entries of a LIST or MLSD transfer, before the listing screen judges their names, and
/// how many lines could not be read.
fn listing_entries(bytes: &[u8], mlsd: bool, context: &ListingContext) -> (Vec<Entry>, usize) {
    let (parsed, unread) = listing::parse_listing(bytes, mlsd, context);
    (parsed.into_iter().map(entry_from).collect(), unread)
}

pub(crate) fn entry_from(parsed: ParsedEntry) -> Entry {
    Entry {
        name: decode_name(&parsed.name),
        kind: match parsed.kind {
            ParsedKind::File => EntryKind::File,
            ParsedKind::Dir => EntryKind::Dir,
            ParsedKind::Link => EntryKind::Link,
            ParsedKind::Other => EntryKind::Other,
        },
        size: parsed.size,
        modified: parsed.modified.map(|time| time.and_utc()),
        permissions: parsed.permissions,
        owner: parsed.owner,
        group: parsed.group,
        target: parsed.target.as_deref().map(decode_name),
    }
}

impl RemoteFs for FtpFs {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            resume_download: true,
            resume_upload: true,
            set_mtime: self.features.mfmt,
            exact_times: self.features.mlsd,
            atomic_uploads: false,
        }
    }

    fn home(&self) -> &str {
        &self.home
    }

    fn round_trip(&self) -> Option<Duration> {
        self.round_trip
    }

    fn security(&self) -> Security {
        self.security.clone()
    }

    fn read_dir(&mut self, path: &RemotePath) -> Result<Vec<Entry>, FsError> {
        let wire = self.wire_path(path)?;
        let (bytes, mlsd) = self.read_listing(&wire)?;
        let (entries, unread) = listing_entries(&bytes, mlsd, &self.listing_context());
        // MLSD has one entry a line and nothing else, so a line that could not be read is
        // worth a word; LIST has headers ("total 12") and footers that are not.
        if mlsd && unread > 0 {
            self.log.warning(&format!(
                "{unread} line{} of the listing of {wire} could not be read (malformed MLSD facts) and {} not shown",
                if unread == 1 { "" } else { "s" },
                if unread == 1 { "is" } else { "are" }
            ));
        }
        if entries.len() > self.limits.entries {
            return Err(crate::protocol::listing_too_long(
                &format!("listing {wire}"),
                &self.host,
                self.limits,
            ));
        }
        Ok(entries)
    }

    fn checksum(&mut self, path: &RemotePath) -> Result<Option<Checksum>, FsError> {
        let wire = self.wire_path(path)?;
        let answered = [Status::File, Status::RequestedFileActionOk];
        let (algorithm, reply) = if self.features.xsha256 || self.features.xsha1 {
            let (algorithm, verb) = if self.features.xsha256 {
                (ChecksumAlgorithm::Sha256, "XSHA256")
            } else {
                (ChecksumAlgorithm::Sha1, "XSHA1")
            };
            (algorithm, self.command(&format!("{verb} {wire}"), &answered))
        } else if self.features.hash_sha256 || self.features.hash_sha1 {
            let algorithm = if self.features.hash_sha256 {
                ChecksumAlgorithm::Sha256
            } else {
                ChecksumAlgorithm::Sha1
            };
            let chosen = self.command(&format!("OPTS HASH {}", algorithm.name()), &[Status::CommandOk]);
            (
                algorithm,
                chosen.and_then(|_| self.command(&format!("HASH {wire}"), &answered)),
            )
        } else {
            return Ok(None);
        };
        match reply {
            Ok(reply) => Ok(Checksum::from_reply(algorithm, &String::from_utf8_lossy(&reply))),
            // A server that offers a hash but will not compute this one (too big, busy) has
            // simply not verified the file; the connection must still be usable.
            Err(error) if error.retryable || error.kind == ErrorKind::ConnectionLost => Err(error),
            Err(_) => Ok(None),
        }
    }

    fn stat(&mut self, path: &RemotePath) -> Result<Entry, FsError> {
        let wire = self.wire_path(path)?;
        let name = path.file_name().unwrap_or("/").to_owned();
        if self.features.mlst {
            match self.mlst(&wire) {
                Mlst::Found(mut entry) => {
                    entry.name = name;
                    return Ok(entry);
                }
                // The server looked and did not find it: nothing else needs asking.
                Mlst::Refused(error) => return Err(error),
                Mlst::Unanswered => {}
            }
        }
        // Without MLST: a folder is what CWD accepts; a file is what SIZE measures.
        if self
            .command(
                &format!("CWD {wire}"),
                &[Status::RequestedFileActionOk, Status::CommandOk],
            )
            .is_ok()
        {
            return Ok(Entry::new(name, EntryKind::Dir));
        }
        self.ensure_usable()?;
        let size = self.size_of(&wire).map_err(|error| match error.kind {
            ErrorKind::NotFound | ErrorKind::Other | ErrorKind::PermissionDenied => {
                FsError::new(ErrorKind::NotFound, format!("{wire} does not exist ({})", self.host))
            }
            _ => error,
        })?;
        let mut entry = Entry::new(name, EntryKind::File);
        entry.size = Some(size);
        entry.modified = self.mtime_of(&wire);
        Ok(entry)
    }

    fn mkdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        self.path_command("MKD", path, &[Status::PathCreated, Status::RequestedFileActionOk])
    }

    fn rmdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        self.path_command("RMD", path, &[Status::RequestedFileActionOk, Status::CommandOk])
    }

    fn remove(&mut self, path: &RemotePath) -> Result<(), FsError> {
        self.path_command("DELE", path, &[Status::RequestedFileActionOk, Status::CommandOk])
    }

    fn rename(&mut self, from: &RemotePath, to: &RemotePath) -> Result<(), FsError> {
        let (from, to) = (self.wire_path(from)?, self.wire_path(to)?);
        self.command(&format!("RNFR {from}"), &[Status::RequestFilePending])?;
        self.command(
            &format!("RNTO {to}"),
            &[Status::RequestedFileActionOk, Status::CommandOk],
        )
        .map(drop)
    }

    fn chmod(&mut self, path: &RemotePath, mode: u32) -> Result<(), FsError> {
        let wire = self.wire_path(path)?;
        self.command(
            &format!("SITE CHMOD {:o} {wire}", mode & 0o7777),
            &[Status::CommandOk, Status::RequestedFileActionOk],
        )
        .map(drop)
    }

    fn set_mtime(&mut self, path: &RemotePath, time: DateTime<Utc>) -> Result<(), FsError> {
        if !self.features.mfmt {
            return Err(FsError::new(
                ErrorKind::Unsupported,
                format!("{} cannot set modification times (no MFMT)", self.host),
            ));
        }
        let wire = self.wire_path(path)?;
        let stamp = time.format("%Y%m%d%H%M%S");
        self.command(
            &format!("MFMT {stamp} {wire}"),
            &[Status::File, Status::RequestedFileActionOk],
        )
        .map(drop)
    }

    fn open_read(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn ReadStream + '_>, FsError> {
        let wire = self.wire_path(path)?;
        if offset > 0 {
            // suppaftp sends REST right before the data command.
            self.log.command(&format!("REST {offset}"));
            self.conn
                .resume_transfer(usize::try_from(offset).unwrap_or(usize::MAX))
                .map_err(|error| map_ftp_error("resuming", error, &self.host))?;
        }
        let data = self.data_command(&format!("RETR {wire}"))?;
        Ok(Box::new(FtpRead {
            fs: self,
            data: Some(data),
            path: wire,
        }))
    }

    fn open_write(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn WriteStream + '_>, FsError> {
        let wire = self.wire_path(path)?;
        let data = if offset == 0 {
            self.data_command(&format!("STOR {wire}"))?
        } else {
            self.continued_upload(&wire, offset)?
        };
        Ok(Box::new(FtpWrite {
            fs: self,
            data: Some(data),
            path: wire,
        }))
    }

    fn keepalive(&mut self) -> Result<(), FsError> {
        self.command("NOOP", &[Status::CommandOk]).map(drop)
    }
}

impl Drop for FtpFs {
    fn drop(&mut self) {
        if !self.broken {
            let _ = self.conn.quit();
        }
    }
}

/// A RETR in progress.
struct FtpRead<'a> {
    fs: &'a mut FtpFs,
    data: Option<Data>,
    path: String,
}

impl Read for FtpRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.data.as_mut() {
            Some(data) => data.read(buf),
            None => Ok(0),
        }
    }
}

impl ReadStream for FtpRead<'_> {
    fn finish(mut self: Box<Self>) -> Result<(), FsError> {
        match self.data.take() {
            Some(data) => {
                let what = format!("downloading {}", self.path);
                self.fs.finish_data(data, &what)
            }
            None => Ok(()),
        }
    }
}

impl Drop for FtpRead<'_> {
    /// Stopped early: ABOR, so that the server stops sending and the connection can be reused.
    fn drop(&mut self) {
        if let Some(data) = self.data.take() {
            self.fs.log.command("ABOR");
            if let Err(error) = self.fs.conn.abort(data) {
                self.fs
                    .log
                    .status(&format!("the transfer could not be aborted cleanly: {error}"));
                self.fs.broken = true;
            }
        }
    }
}

/// A STOR or APPE in progress.
struct FtpWrite<'a> {
    fs: &'a mut FtpFs,
    data: Option<Data>,
    path: String,
}

impl Write for FtpWrite<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.data.as_mut() {
            Some(data) => data.write(buf),
            None => Err(io::Error::new(io::ErrorKind::NotConnected, "the upload is closed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.data.as_mut() {
            Some(data) => data.flush(),
            None => Ok(()),
        }
    }
}

impl WriteStream for FtpWrite<'_> {
    fn finish(mut self: Box<Self>) -> Result<(), FsError> {
        match self.data.take() {
            Some(mut data) => {
                let what = format!("uploading {}", self.path);
                if let Err(error) = Write::flush(&mut data) {
                    self.fs.broken = true;
                    return Err(FsError::from_network(&error, &what));
                }
                close_upload_tls(&mut data);
                self.fs.finish_data(data, &what)
            }
            None => Ok(()),
        }
    }
}

impl Drop for FtpWrite<'_> {
    /// Stopped early: closing the data connection ends the upload; the server keeps what it
    /// received, which a later attempt resumes.
    fn drop(&mut self) {
        if let Some(data) = self.data.take() {
            let what = format!("stopping the upload of {}", self.path);
            if self.fs.finish_data(data, &what).is_err() {
                self.fs.broken = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Implicit TLS against a server that answers in plain text, as the FTP library reports it.
    #[test]
    fn a_plain_answer_to_implicit_tls_says_to_check_the_port() {
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
        );
        let error = map_ftp_error("setting up TLS", suppaftp::FtpError::ConnectionError(io), "h");
        assert_eq!(error.kind, crate::protocol::ErrorKind::Tls);
        assert!(error.message.contains("right port"), "{}", error.message);
    }

    #[test]
    fn checksums_are_found_in_hash_and_xsha_replies() {
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let hash = format!("213 SHA-256 0-49 {} some file.txt", hex.to_uppercase());
        assert_eq!(
            Checksum::from_reply(ChecksumAlgorithm::Sha256, &hash).map(|checksum| checksum.hex),
            Some(hex.to_owned())
        );
        assert_eq!(
            Checksum::from_reply(ChecksumAlgorithm::Sha1, "250 a94a8fe5ccb19ba61c4c0873d391e987982fbbd3")
                .map(|checksum| checksum.hex.len()),
            Some(40)
        );
        assert_eq!(
            Checksum::from_reply(ChecksumAlgorithm::Sha256, "550 cannot hash that"),
            None
        );
    }

    #[test]
    fn pwd_replies() {
        assert_eq!(
            parse_257("257 \"/home/u\" is the current directory").as_deref(),
            Some("/home/u")
        );
        assert_eq!(parse_257("257 \"/a \"\"b\"\" c\"").as_deref(), Some("/a \"b\" c"));
        assert_eq!(parse_257("257 current: \"/x\" ok").as_deref(), Some("/x"));
        assert_eq!(parse_257("257 \"/unterminated"), None);
        assert_eq!(parse_257("257 no quotes"), None);
        assert_eq!(parse_257("257 \"/a\x03b\""), None);
    }

    #[track_caller]
    /// Issue 14: a listing that never ends stops at the limit instead of filling memory.
    #[test]
    fn an_endless_listing_is_cut_at_the_limit() {
        let mut endless = std::io::repeat(b'x');
        assert_eq!(read_capped(&mut endless, 1000).expect("read"), None);
        let mut short: &[u8] = b"-rw-r--r-- 1 u g 3 Jan 1 2024 a\r\n";
        assert_eq!(
            read_capped(&mut short, 1000).expect("read").map(|bytes| bytes.len()),
            Some(33)
        );
        let mut exact: &[u8] = &[b'y'; 1000];
        assert!(
            read_capped(&mut exact, 1000).expect("read").is_some(),
            "the limit itself is allowed"
        );
    }

    fn classify(reply: &str, kind: ErrorKind, retryable: bool) {
        let error = reply_error("x", reply.as_bytes(), "h");
        assert_eq!((error.kind, error.retryable), (kind, retryable), "{reply}");
    }

    #[test]
    fn replies_are_classified() {
        classify("550 No such file or directory.", ErrorKind::NotFound, false);
        classify("550 Permission denied.", ErrorKind::PermissionDenied, false);
        classify("530 Login incorrect.", ErrorKind::Auth, false);
        classify(
            "421 Too many connections from your IP.",
            ErrorKind::TooManyConnections,
            true,
        );
        classify(
            "530 Sorry, the maximum number of connections has been reached",
            ErrorKind::TooManyConnections,
            true,
        );
        classify("452 Disk full", ErrorKind::NoSpace, false);
        classify("552 Quota exceeded", ErrorKind::NoSpace, false);
        classify("451 Local error", ErrorKind::Other, true);
        classify("999 weird", ErrorKind::Other, false);
        classify("500 OOPS: priv_sock_get_int", ErrorKind::ConnectionLost, true);
        classify("500 Unknown command.", ErrorKind::Unsupported, false);
    }

    #[test]
    fn error_sentences_name_the_host_last() {
        let error = reply_error("deleting /x", b"550 No such file.\r\n", "ftp.example.com");
        assert_eq!(
            error.message,
            "deleting /x failed: the server said \"550 No such file.\" (ftp.example.com)"
        );
    }

    /// A scripted server on loopback, so that the connection sequence (what is sent, in which
    /// order, and what the protocol log says) is pinned without a real FTP server.
    mod session {
        use std::io::{BufRead, BufReader, Read, Write};
        use std::net::TcpListener;
        use std::sync::{Arc, Mutex};

        use super::*;
        use crate::model::{Credentials, Secret};
        use crate::protocol::trust::{CertificateInfo, HostKeyInfo, TrustPolicy};
        use crate::protocol::{ListingLimits, LogDirection, Timeouts};

        /// How the scripted server answers AUTH TLS.
        #[derive(Clone, Copy)]
        enum AuthTls {
            /// "504": a server without TLS.
            Refuse,
            /// "234", then bytes that are not TLS: the handshake ends before any certificate.
            Garbage,
        }

        struct RefuseCertificates;

        impl TrustPolicy for RefuseCertificates {
            fn check_host_key(&self, _key: &HostKeyInfo) -> Result<(), FsError> {
                Ok(())
            }
            fn check_certificate(&self, _certificate: &CertificateInfo) -> Result<(), FsError> {
                Err(FsError::new(ErrorKind::Tls, "refused"))
            }
        }

        /// Serves `connections` connections one after another and returns the port and the
        /// commands it received, each prefixed with the connection's number.
        fn serve(connections: usize, auth: AuthTls) -> (u16, Arc<Mutex<Vec<String>>>) {
            let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
            let port = listener.local_addr().expect("its address").port();
            let received = Arc::new(Mutex::new(Vec::new()));
            let seen = received.clone();
            std::thread::spawn(move || {
                for number in 0..connections {
                    let Ok((stream, _)) = listener.accept() else { return };
                    let mut writer = stream.try_clone().expect("a second handle");
                    let mut reader = BufReader::new(stream);
                    let _ = writer.write_all(b"220 scripted\r\n");
                    let mut line = String::new();
                    while matches!(reader.read_line(&mut line), Ok(read) if read > 0) {
                        let command = line.trim_end().to_owned();
                        line.clear();
                        seen.lock().expect("not poisoned").push(format!("{number}: {command}"));
                        let reply: &[u8] = match command.split(' ').next().unwrap_or("") {
                            "AUTH" => match auth {
                                AuthTls::Refuse => b"504 AUTH TLS not supported\r\n",
                                AuthTls::Garbage => {
                                    let _ = writer.write_all(b"234 go ahead\r\n");
                                    let _ = reader.get_mut().read(&mut [0; 4096]);
                                    let _ = writer.write_all(b"this is not TLS\r\n");
                                    break;
                                }
                            },
                            "USER" => b"331 password please\r\n",
                            "PASS" => b"230 welcome\r\n",
                            "FEAT" => b"211-Features:\r\n MLST type*;size*;\r\n UTF8\r\n211 End\r\n",
                            "SYST" => b"215 UNIX Type: L8\r\n",
                            "OPTS" | "TYPE" => b"200 ok\r\n",
                            "PWD" => b"257 \"/home/u\" is current\r\n",
                            "QUIT" => {
                                let _ = writer.write_all(b"221 bye\r\n");
                                break;
                            }
                            _ => b"502 not scripted\r\n",
                        };
                        let _ = writer.write_all(reply);
                    }
                }
            });
            (port, received)
        }

        fn site(protocol: Protocol, port: u16, tls_if_available: bool) -> Site {
            Site {
                protocol,
                host: "127.0.0.1".to_owned(),
                port,
                user: "u".to_owned(),
                credentials: Credentials {
                    password: Some(Secret::new("p")),
                    ..Credentials::default()
                },
                data_mode: DataMode::Passive,
                tls_if_available,
                jump_hosts: Vec::new(),
                s3: Default::default(),
            }
        }

        /// Connects and returns the result with everything the protocol log said.
        fn connect(site: &Site) -> (Result<FtpFs, FsError>, Vec<String>) {
            let lines = Arc::new(Mutex::new(Vec::new()));
            let sink = lines.clone();
            let context = ConnectContext {
                trust: Arc::new(RefuseCertificates),
                log: ProtocolLog::new(move |direction: LogDirection, text: &str| {
                    sink.lock().expect("not poisoned").push(format!("{direction:?} {text}"));
                }),
                timeouts: Timeouts { connect: 5, idle: 5 },
                limits: ListingLimits::default(),
            };
            let result = FtpFs::connect(site, &context);
            let logged = lines.lock().expect("not poisoned").clone();
            (result, logged)
        }

        fn taken(received: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
            received.lock().expect("not poisoned").clone()
        }

        /// What the log says from USER to PWD on the scripted server.
        const LOGIN: [&str; 14] = [
            "Command USER u",
            "Reply 331 password please",
            "Command PASS ****",
            "Reply 230 welcome",
            "Command FEAT",
            "Reply 211 features: MLST UTF8",
            "Command SYST",
            "Reply 215 UNIX Type: L8",
            "Command OPTS UTF8 ON",
            "Reply 200 ok",
            "Command TYPE I",
            "Reply 200 ok",
            "Command PWD",
            "Reply 257 \"/home/u\" is current",
        ];

        fn login_lines() -> Vec<String> {
            LOGIN.map(str::to_owned).to_vec()
        }

        /// What the scripted server receives on connection `number` from USER to QUIT.
        fn session_commands(number: usize) -> Vec<String> {
            [
                "USER u",
                "PASS p",
                "FEAT",
                "SYST",
                "OPTS UTF8 ON",
                "TYPE I",
                "PWD",
                "QUIT",
            ]
            .map(|command| format!("{number}: {command}"))
            .to_vec()
        }

        #[test]
        fn plain_ftp_logs_in_learns_features_and_finds_home() {
            let (port, received) = serve(1, AuthTls::Refuse);
            let (result, logged) = connect(&site(Protocol::Ftp, port, false));
            let fs = result.expect("connected");
            assert_eq!((fs.home(), fs.security().detail.as_str()), ("/home/u", "not encrypted"));
            let mut expected = vec![
                format!("Status Connected to 127.0.0.1:{port}"),
                "Reply 220 scripted".to_owned(),
            ];
            expected.extend(login_lines());
            assert_eq!(logged, expected);
            drop(fs);
            assert_eq!(taken(&received), session_commands(0));
        }

        /// Issue 14: implicit FTPS to a server that accepts and then says nothing gives up
        /// after the connect and idle timeouts instead of waiting forever.
        #[test]
        fn implicit_tls_to_a_silent_server_times_out() {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
            let port = listener.local_addr().expect("bound").port();
            let (keep, hold) = std::sync::mpsc::channel::<()>();
            std::thread::spawn(move || {
                // Accept both connections (the address probe and suppaftp's own), keep them
                // open and silent until the test ends.
                let mut open = Vec::new();
                while open.len() < 2 {
                    if let Ok((stream, _)) = listener.accept() {
                        open.push(stream);
                    }
                }
                let _ = hold.recv();
            });
            let site = site(Protocol::Ftps, port, false);
            let lines = Arc::new(Mutex::new(Vec::new()));
            let context = ConnectContext {
                trust: Arc::new(RefuseCertificates),
                log: ProtocolLog::new(move |direction: LogDirection, text: &str| {
                    lines
                        .lock()
                        .expect("not poisoned")
                        .push(format!("{direction:?} {text}"));
                }),
                timeouts: Timeouts { connect: 1, idle: 1 },
                limits: ListingLimits::default(),
            };
            let started = std::time::Instant::now();
            let error = FtpFs::connect(&site, &context)
                .err()
                .expect("no TLS from a silent server");
            assert_eq!(error.kind, ErrorKind::Timeout, "{}", error.message);
            assert!(
                error.message.contains("did not start TLS within 2 s"),
                "{}",
                error.message
            );
            assert!(started.elapsed() < std::time::Duration::from_secs(30));
            drop(keep);
        }

        #[test]
        fn refused_auth_tls_stops_before_the_user_name() {
            let (port, received) = serve(1, AuthTls::Refuse);
            let (result, logged) = connect(&site(Protocol::Ftpes, port, false));
            let error = result.err().expect("refused");
            assert_eq!(error.kind, ErrorKind::Tls);
            assert_eq!(
                error.message,
                "the server refused TLS (\"504 AUTH TLS not supported\"), so Wharf did not send the password; \
                 use ftp:// only if a clear-text connection is acceptable (127.0.0.1)"
            );
            assert_eq!(
                logged,
                [
                    format!("Status Connected to 127.0.0.1:{port}"),
                    "Reply 220 scripted".to_owned(),
                    "Command AUTH TLS".to_owned(),
                ]
            );
            assert_eq!(taken(&received), ["0: AUTH TLS"]);
        }

        #[test]
        fn tls_if_available_connects_again_in_clear_text_after_a_refused_auth_tls() {
            let (port, received) = serve(2, AuthTls::Refuse);
            let (result, logged) = connect(&site(Protocol::Ftpes, port, true));
            let fs = result.expect("connected");
            assert_eq!(fs.security().detail, "not encrypted: the server refused TLS");
            assert_eq!(fs.security().encryption, Encryption::RefusedTls);
            let mut expected = vec![
                format!("Status Connected to 127.0.0.1:{port}"),
                "Reply 220 scripted".to_owned(),
                "Command AUTH TLS".to_owned(),
                "Reply 504 AUTH TLS not supported".to_owned(),
                format!(
                    "Status WARNING: the server refused TLS. This site allows that, so Wharf logs in WITHOUT \
                     encryption: the password and files cross the network in clear text (127.0.0.1:{port})"
                ),
                "Reply 220 scripted".to_owned(),
            ];
            expected.extend(login_lines());
            assert_eq!(logged, expected);
            drop(fs);
            let mut commands = vec!["0: AUTH TLS".to_owned()];
            commands.extend(session_commands(1));
            assert_eq!(taken(&received), commands);
        }

        #[test]
        fn a_handshake_without_a_certificate_is_tried_again_with_tls_13() {
            let (port, received) = serve(2, AuthTls::Garbage);
            let (result, logged) = connect(&site(Protocol::Ftpes, port, true));
            let error = result.err().expect("no TLS");
            let failure = "setting up TLS failed: the server did not answer in TLS: is this the right port \
                           and kind of FTPS? (implicit FTPS, ftps://, is usually port 990; explicit, \
                           ftpes://, port 21) (127.0.0.1)";
            assert_eq!((error.kind, error.message.as_str()), (ErrorKind::Tls, failure));
            let attempt = [
                format!("Status Connected to 127.0.0.1:{port}"),
                "Reply 220 scripted".to_owned(),
                "Command AUTH TLS".to_owned(),
            ];
            let mut expected = attempt.to_vec();
            expected.push(format!(
                "Status TLS 1.2 did not work ({failure}); connecting again with TLS 1.3"
            ));
            expected.extend(attempt);
            assert_eq!(logged, expected);
            assert_eq!(taken(&received), ["0: AUTH TLS", "1: AUTH TLS"]);
        }
    }
}
