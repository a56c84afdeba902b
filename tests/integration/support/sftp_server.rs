//! An in-process SFTP server for the hermetic tests: russh speaks SSH, russh-sftp speaks the
//! SFTP subsystem, and the handler here serves one local folder.
//!
//! This module owns the server's tokio runtime (on a background thread named
//! `sftp-test-server`), its freshly generated ed25519 host key, the mapping that keeps every
//! path a client sends under the served folder, and the fake hostile entries that listings
//! can be made to include. It behaves like OpenSSH's `sftp-server` where Wharf can tell the
//! difference: listings start with `.` and `..`, renaming onto an existing file fails, and
//! errors carry the SFTP version 3 status codes.
//!
//! Dropping the [`SftpServer`] stops it.

// Each test binary that includes this module uses only part of it, and a server that cannot
// be set up should stop the test at once with a message rather than return errors.
#![allow(dead_code, clippy::expect_used)]

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::fs::{self, Metadata};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{PrivateKey, PublicKey};
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, Response, Server as _, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, MethodKind, MethodSet};
use russh_sftp::protocol::{self as sftp, FileAttributes, OpenFlags, StatusCode};
use russh_sftp::server::StatusReply;

/// The only user name the server accepts.
pub const USER: &str = "user";

/// How many entries one READDIR reply carries at most, as OpenSSH does.
const ENTRIES_PER_READDIR: usize = 100;

/// The most bytes one READ reply carries, as OpenSSH's `sftp-server` caps it.
const MAX_READ: u32 = 256 * 1024 - 1024;

/// How the server is set up; [`SftpServer::start`] covers the usual case.
#[derive(Debug, Clone)]
pub struct Options {
    /// The password of [`USER`], for both the `password` and `keyboard-interactive` methods.
    pub password: String,
    /// A public key that may log in as [`USER`], in OpenSSH's one-line format.
    pub authorized_key: Option<String>,
    /// Whether `keyboard-interactive` is offered (one prompt, answered with the password).
    pub keyboard_interactive: bool,
    /// One way to misbehave, if any.
    pub hostile: Option<HostileSftp>,
    /// What an `scp -f ...` command sends back, byte for byte (a hostile SCP sender);
    /// `None`: no commands are run. Any other command answers `/` and exits 0, which is
    /// what Wharf's `pwd` probe needs.
    pub scp_sends: Option<Vec<u8>>,
}

/// What a hostile server does instead of the usual.
#[derive(Debug, Clone, Copy)]
pub enum HostileSftp {
    /// Every file's size is reported off by this many bytes (stat, fstat and listings).
    MisstatedSize(i64),
    /// READDIR never reports the end: made-up names come forever.
    EndlessListing,
    /// Each DATA reply is held back and sent after the reply that follows it.
    ReorderedReplies,
    /// DATA replies carry a request id that no request had.
    WrongRequestIds,
}

impl Options {
    /// The password for [`USER`], no key, and `keyboard-interactive` offered.
    pub fn new(password: &str) -> Options {
        Options {
            password: password.to_owned(),
            authorized_key: None,
            keyboard_interactive: true,
            hostile: None,
            scp_sends: None,
        }
    }
}

/// Extra entries that every matching listing also returns.
#[derive(Debug, Clone, Default)]
struct FakeEntries {
    /// The folder (a client path such as `/` or `/sub`) whose listings get them; every
    /// folder when `None`.
    folder: Option<String>,
    names: Vec<String>,
}

/// What every connection of one server shares.
struct Shared {
    root: PathBuf,
    password: String,
    authorized_key: Option<PublicKey>,
    fake_entries: Mutex<FakeEntries>,
    /// The method of every accepted login, in order.
    logins: Mutex<Vec<&'static str>>,
    hostile: Option<HostileSftp>,
    scp_sends: Option<Vec<u8>>,
    /// DATA replies sent out of order or with a wrong request id so far.
    spoiled: std::sync::atomic::AtomicUsize,
}

/// A running test server on `127.0.0.1:port`.
pub struct SftpServer {
    pub port: u16,
    /// The served folder, canonicalized; the client's `/`.
    pub root: PathBuf,
    /// The server's public host key.
    pub host_key: PublicKey,
    shared: Arc<Shared>,
    /// Dropping this sender stops the server.
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl SftpServer {
    /// Starts a server on 127.0.0.1:0 serving the folder `root`, accepting [`USER`] with
    /// `password` (by `password` or `keyboard-interactive`) and, when given, the public key
    /// `authorized_key` (OpenSSH one-line format).
    pub fn start(root: &Path, password: &str, authorized_key: Option<&str>) -> SftpServer {
        let mut options = Options::new(password);
        options.authorized_key = authorized_key.map(str::to_owned);
        SftpServer::start_with(root, options)
    }

    /// Starts a server as `options` say; see [`SftpServer::start`].
    pub fn start_with(root: &Path, options: Options) -> SftpServer {
        let root = root.canonicalize().expect("the served folder exists");
        let host_key = PrivateKey::from(Ed25519Keypair::from_seed(&random_seed()));
        let public_host_key = host_key.public_key().clone();
        let authorized_key = options.authorized_key.as_deref().map(|line| {
            PublicKey::from_openssh(line.trim()).expect("the authorized key is an OpenSSH public key line")
        });
        let shared = Arc::new(Shared {
            root: root.clone(),
            password: options.password,
            authorized_key,
            fake_entries: Mutex::new(FakeEntries::default()),
            logins: Mutex::new(Vec::new()),
            hostile: options.hostile,
            scp_sends: options.scp_sends,
            spoiled: std::sync::atomic::AtomicUsize::new(0),
        });

        let mut methods = vec![MethodKind::Password, MethodKind::PublicKey];
        if options.keyboard_interactive {
            methods.push(MethodKind::KeyboardInteractive);
        }
        let config = Arc::new(russh::server::Config {
            methods: MethodSet::from(&methods[..]),
            auth_rejection_time: Duration::from_millis(10),
            auth_rejection_time_initial: Some(Duration::ZERO),
            keys: vec![host_key],
            inactivity_timeout: Some(Duration::from_secs(120)),
            nodelay: true,
            ..Default::default()
        });

        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let acceptor_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("sftp-test-server".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("sftp-test-server-worker")
                    .enable_all()
                    .build()
                    .expect("the server's runtime starts");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
                        .await
                        .expect("the server binds 127.0.0.1:0");
                    let port = listener.local_addr().expect("the listener has an address").port();
                    let mut acceptor = Acceptor {
                        shared: acceptor_shared,
                    };
                    let running = acceptor.run_on_socket(config, &listener);
                    let _ = ready_tx.send(port);
                    // The sender side is dropped with the SftpServer, which ends this wait.
                    tokio::select! {
                        _ = running => {}
                        _ = shutdown_rx => {}
                    }
                });
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .expect("the server thread starts");
        let port = ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the SFTP test server is listening within 10 s");
        SftpServer {
            port,
            root,
            host_key: public_host_key,
            shared,
            _shutdown: shutdown_tx,
        }
    }

    /// Makes every listing also return `names` as regular files of 3 bytes that do not exist
    /// on disk; raw names such as `../../evil`, `a/b` or `x\x1bz` are sent as they are.
    pub fn with_fake_entries(self, names: Vec<String>) -> SftpServer {
        *self.shared.fake_entries.lock().expect("the fake entries lock") = FakeEntries { folder: None, names };
        self
    }

    /// Like [`SftpServer::with_fake_entries`], for the listings of one folder only (a client
    /// path such as `/` or `/sub`).
    pub fn with_fake_entries_in(self, folder: &str, names: Vec<String>) -> SftpServer {
        *self.shared.fake_entries.lock().expect("the fake entries lock") = FakeEntries {
            folder: Some(normalize(folder)),
            names,
        };
        self
    }

    /// How many DATA replies a hostile server has sent out of order or with a wrong id.
    pub fn spoiled_replies(&self) -> usize {
        self.shared.spoiled.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The method of every accepted login so far, in order: `password`, `publickey` or
    /// `keyboard-interactive`.
    pub fn logins(&self) -> Vec<String> {
        let logins = self.shared.logins.lock().expect("the logins lock");
        logins.iter().map(|method| (*method).to_owned()).collect()
    }

    /// The host key as OpenSSH writes it: `ssh-ed25519 AAAA...`.
    pub fn host_key_openssh(&self) -> String {
        let mut key = self.host_key.clone();
        key.set_comment("");
        key.to_openssh().expect("the host key encodes").trim_end().to_owned()
    }

    /// The host key blob in SSH wire format, as libssh2 reports it.
    pub fn host_key_blob(&self) -> Vec<u8> {
        self.host_key.to_bytes().expect("the host key encodes")
    }

    /// The host key as an OpenSSH known_hosts line: `[127.0.0.1]:PORT ssh-ed25519 AAAA...`.
    pub fn known_hosts_line(&self) -> String {
        format!("[127.0.0.1]:{} {}", self.port, self.host_key_openssh())
    }
}

/// 32 unpredictable bytes without a random-number crate: std's `RandomState` is seeded from
/// the operating system. Good enough for a throwaway test host key, for nothing else.
fn random_seed() -> [u8; 32] {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or(0);
    let mut seed = [0u8; 32];
    for (index, chunk) in seed.chunks_mut(8).enumerate() {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_usize(index);
        hasher.write_u128(nanos);
        chunk.copy_from_slice(&hasher.finish().to_le_bytes());
    }
    seed
}

/// Normalizes a client path lexically: relative paths start at `/` (the login folder), `.`
/// segments and repeated slashes go, and `..` never climbs above `/`, as in a chroot.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Creates one [`SshHandler`] per connection.
struct Acceptor {
    shared: Arc<Shared>,
}

impl russh::server::Server for Acceptor {
    type Handler = SshHandler;

    fn new_client(&mut self, _peer: Option<std::net::SocketAddr>) -> SshHandler {
        SshHandler {
            shared: Arc::clone(&self.shared),
            channels: HashMap::new(),
        }
    }
}

/// One SSH connection: authentication, session channels and the `sftp` subsystem.
struct SshHandler {
    shared: Arc<Shared>,
    /// Session channels opened and not yet handed to a subsystem.
    channels: HashMap<ChannelId, Channel<Msg>>,
}

impl SshHandler {
    fn key_is_authorized(&self, user: &str, key: &PublicKey) -> bool {
        user == USER
            && self
                .shared
                .authorized_key
                .as_ref()
                .is_some_and(|authorized| authorized.key_data() == key.key_data())
    }

    /// Accepts when `condition` holds, and records the login under `method`.
    fn accept_if(&self, condition: bool, method: &'static str) -> Auth {
        if condition {
            self.shared.logins.lock().expect("the logins lock").push(method);
            Auth::Accept
        } else {
            Auth::reject()
        }
    }
}

impl russh::server::Handler for SshHandler {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        Ok(self.accept_if(user == USER && password == self.shared.password, "password"))
    }

    async fn auth_publickey_offered(&mut self, user: &str, offer: PublicKeyOffer<'_>) -> Result<Auth, Self::Error> {
        // Only a key that would be accepted is worth a signature; this records nothing.
        let authorized = self.key_is_authorized(user, offer.public_key);
        Ok(if authorized { Auth::Accept } else { Auth::reject() })
    }

    async fn auth_publickey(&mut self, user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        let authorized = self.key_is_authorized(user, key.public_key);
        Ok(self.accept_if(authorized, "publickey"))
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        response: Option<Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        match response {
            None => Ok(Auth::Partial {
                name: Cow::Borrowed(""),
                instructions: Cow::Borrowed(""),
                prompts: Cow::Owned(vec![(Cow::Borrowed("Password: "), false)]),
            }),
            Some(mut answers) => {
                let answer = answers.next();
                let right = answer.as_deref() == Some(self.shared.password.as_bytes());
                Ok(self.accept_if(user == USER && right, "keyboard-interactive"))
            }
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channels.insert(channel.id(), channel);
        reply.accept().await;
        Ok(())
    }

    async fn channel_eof(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        // The client sends nothing more on this channel, so it can be closed.
        session.close(channel)
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(scp_sends) = self.shared.scp_sends.clone() else {
            return session.channel_failure(channel);
        };
        session.channel_success(channel)?;
        let answer = if data.starts_with(b"scp -f") {
            scp_sends
        } else {
            b"/\n".to_vec()
        };
        session.data(channel, answer)?;
        session.exit_status_request(channel, 0)?;
        session.eof(channel)?;
        session.close(channel)
    }

    async fn subsystem_request(
        &mut self,
        channel_id: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.channels.remove(&channel_id) {
            Some(channel) if name == "sftp" => {
                session.channel_success(channel_id)?;
                let handler = SftpHandler {
                    shared: Arc::clone(&self.shared),
                    handles: HashMap::new(),
                    next_handle: 0,
                    made_up: 0,
                };
                let stream = channel.into_stream();
                match self.shared.hostile {
                    Some(mischief @ (HostileSftp::ReorderedReplies | HostileSftp::WrongRequestIds)) => {
                        let (server_side, meddler_side) = tokio::io::duplex(1 << 20);
                        tokio::spawn(meddle(stream, meddler_side, mischief, Arc::clone(&self.shared)));
                        russh_sftp::server::run(server_side, handler).await;
                    }
                    _ => russh_sftp::server::run(stream, handler).await,
                }
                Ok(())
            }
            _ => session.channel_failure(channel_id),
        }
    }
}

/// SFTP's DATA reply (to READ).
const SSH_FXP_DATA: u8 = 103;

/// Reads one SFTP packet (length, type, request id, body) from the SFTP server's side.
async fn read_packet(from: &mut (impl tokio::io::AsyncRead + Unpin)) -> Option<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let length = from.read_u32().await.ok()?;
    let mut packet = length.to_be_bytes().to_vec();
    packet.resize(4 + usize::try_from(length).ok()?, 0);
    from.read_exact(&mut packet[4..]).await.ok()?;
    Some(packet)
}

/// Stands between the client and the SFTP server and spoils the DATA replies as `mischief`
/// says; requests pass untouched.
async fn meddle(
    channel: russh::ChannelStream<Msg>,
    sftp_side: tokio::io::DuplexStream,
    mischief: HostileSftp,
    shared: Arc<Shared>,
) {
    use tokio::io::AsyncWriteExt;
    let (mut from_client, mut to_client) = tokio::io::split(channel);
    let (mut from_server, mut to_server) = tokio::io::split(sftp_side);
    let requests = async move {
        let _ = tokio::io::copy(&mut from_client, &mut to_server).await;
        let _ = to_server.shutdown().await;
    };
    // Packets are read on their own task, so that waiting for the next one can time out
    // without losing half a packet.
    let (packets, mut replies) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move {
        while let Some(packet) = read_packet(&mut from_server).await {
            if packets.send(packet).await.is_err() {
                return;
            }
        }
    });
    let spoiled = async move {
        while let Some(mut packet) = replies.recv().await {
            if packet.get(4) == Some(&SSH_FXP_DATA) {
                let spoil = || shared.spoiled.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                match mischief {
                    HostileSftp::WrongRequestIds => {
                        packet[5] ^= 0x40;
                        spoil();
                    }
                    _ => {
                        // The next reply goes first, if it comes soon; a client that waits
                        // for this one before asking again gets it alone.
                        let next = tokio::time::timeout(Duration::from_millis(200), replies.recv()).await;
                        if let Ok(Some(next)) = next {
                            spoil();
                            if to_client.write_all(&next).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            }
            if to_client.write_all(&packet).await.is_err() {
                return;
            }
        }
        let _ = to_client.shutdown().await;
    };
    tokio::join!(requests, spoiled);
}

/// What an SFTP handle stands for.
enum OpenHandle {
    File {
        file: fs::File,
        path: PathBuf,
    },
    Dir {
        entries: VecDeque<sftp::File>,
        path: PathBuf,
    },
}

/// One SFTP session over the served folder.
struct SftpHandler {
    shared: Arc<Shared>,
    handles: HashMap<String, OpenHandle>,
    next_handle: u64,
    /// Made-up names handed out so far by an endless listing.
    made_up: u64,
}

/// The SFTP v3 status for a file-system error, as OpenSSH's `errno_to_portable` maps it.
fn status(error: &io::Error) -> StatusReply {
    let code = match error.kind() {
        io::ErrorKind::NotFound => StatusCode::NoSuchFile,
        io::ErrorKind::PermissionDenied => StatusCode::PermissionDenied,
        _ => StatusCode::Failure,
    };
    code.with_message(error.to_string())
}

fn failure(message: &str) -> StatusReply {
    StatusCode::Failure.with_message(message)
}

fn ok(id: u32) -> sftp::Status {
    sftp::Status {
        id,
        status_code: StatusCode::Ok,
        error_message: "Success".to_owned(),
        language_tag: "en-US".to_owned(),
    }
}

fn unix_seconds(time: io::Result<SystemTime>) -> Option<u32> {
    let elapsed = time.ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(u32::try_from(elapsed.as_secs()).unwrap_or(u32::MAX))
}

/// Attributes as OpenSSH sends them: size, owner, mode with the file type bits, times.
fn attributes(metadata: &Metadata) -> FileAttributes {
    #[cfg(unix)]
    let (permissions, uid, gid) = {
        use std::os::unix::fs::MetadataExt;
        (metadata.mode(), Some(metadata.uid()), Some(metadata.gid()))
    };
    #[cfg(not(unix))]
    let (permissions, uid, gid) = {
        let kind = if metadata.is_dir() { 0o040_755 } else { 0o100_644 };
        let read_only = if metadata.permissions().readonly() { 0o222 } else { 0 };
        (kind & !read_only, Some(0), Some(0))
    };
    FileAttributes {
        size: Some(metadata.len()),
        uid,
        user: None,
        gid,
        group: None,
        permissions: Some(permissions),
        atime: unix_seconds(metadata.accessed()),
        mtime: unix_seconds(metadata.modified()),
    }
}

/// The attributes of a fake entry: a regular file of 3 bytes, modified now.
fn fake_attributes() -> FileAttributes {
    FileAttributes {
        size: Some(3),
        uid: Some(0),
        user: None,
        gid: Some(0),
        group: None,
        permissions: Some(0o100_644),
        atime: unix_seconds(Ok(SystemTime::now())),
        mtime: unix_seconds(Ok(SystemTime::now())),
    }
}

fn set_times(path: &Path, atime: Option<u32>, mtime: Option<u32>) -> io::Result<()> {
    let mut times = fs::FileTimes::new();
    if let Some(atime) = atime {
        times = times.set_accessed(UNIX_EPOCH + Duration::from_secs(u64::from(atime)));
    }
    if let Some(mtime) = mtime {
        times = times.set_modified(UNIX_EPOCH + Duration::from_secs(u64::from(mtime)));
    }
    // Opening for reading is enough to change the times, and works for folders on Unix.
    fs::File::open(path)?.set_times(times)
}

/// Applies SETSTAT/FSETSTAT attributes: size, permissions, times. Owners are ignored.
fn apply_attributes(path: &Path, attrs: &FileAttributes) -> io::Result<()> {
    fs::symlink_metadata(path)?;
    if let Some(size) = attrs.size {
        fs::OpenOptions::new().write(true).open(path)?.set_len(size)?;
    }
    #[cfg(unix)]
    if let Some(mode) = attrs.permissions {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o7777))?;
    }
    if attrs.atime.is_some() || attrs.mtime.is_some() {
        set_times(path, attrs.atime, attrs.mtime)?;
    }
    Ok(())
}

impl SftpHandler {
    /// The local path for a client path: always inside the served folder.
    fn local(&self, path: &str) -> PathBuf {
        let normalized = normalize(path);
        let mut local = self.shared.root.clone();
        local.extend(normalized.split('/').filter(|part| !part.is_empty()));
        local
    }

    fn add_handle(&mut self, handle: OpenHandle) -> String {
        self.next_handle += 1;
        let name = format!("h{}", self.next_handle);
        self.handles.insert(name.clone(), handle);
        name
    }

    fn file(&mut self, handle: &str) -> Result<&mut fs::File, StatusReply> {
        match self.handles.get_mut(handle) {
            Some(OpenHandle::File { file, .. }) => Ok(file),
            Some(OpenHandle::Dir { .. }) => Err(failure("the handle is a folder")),
            None => Err(failure("no such handle")),
        }
    }

    fn handle_path(&self, handle: &str) -> Result<PathBuf, StatusReply> {
        match self.handles.get(handle) {
            Some(OpenHandle::File { path, .. } | OpenHandle::Dir { path, .. }) => Ok(path.clone()),
            None => Err(failure("no such handle")),
        }
    }

    /// What `metadata` is reported as, with the size misstated when the server is set to.
    fn attributes(&self, metadata: &Metadata) -> FileAttributes {
        let mut attributes = attributes(metadata);
        if let Some(HostileSftp::MisstatedSize(by)) = self.shared.hostile
            && metadata.is_file()
        {
            attributes.size = attributes.size.map(|size| size.saturating_add_signed(by));
        }
        attributes
    }

    /// Everything a listing of `path` returns: `.`, `..`, the real entries sorted by name,
    /// then any fake entries.
    fn listing(&self, path: &str, local: &Path) -> io::Result<VecDeque<sftp::File>> {
        let mut entries = VecDeque::new();
        entries.push_back(sftp::File::new(".", attributes(&fs::metadata(local)?)));
        let parent = if local == self.shared.root {
            local
        } else {
            local.parent().unwrap_or(local)
        };
        entries.push_back(sftp::File::new("..", attributes(&fs::metadata(parent)?)));
        let mut names = Vec::new();
        for entry in fs::read_dir(local)? {
            let entry = entry?;
            names.push((entry.file_name(), entry.path()));
        }
        names.sort();
        for (name, child) in names {
            // A name removed meanwhile is skipped, as a racing `readdir` would.
            if let Ok(metadata) = fs::symlink_metadata(&child) {
                entries.push_back(sftp::File::new(name.to_string_lossy(), self.attributes(&metadata)));
            }
        }
        let fakes = self.shared.fake_entries.lock().expect("the fake entries lock").clone();
        if fakes.folder.as_deref().is_none_or(|folder| folder == normalize(path)) {
            for name in fakes.names {
                entries.push_back(sftp::File::new(name, fake_attributes()));
            }
        }
        Ok(entries)
    }
}

impl russh_sftp::server::Handler for SftpHandler {
    type Error = StatusReply;

    fn unimplemented(&self) -> StatusReply {
        StatusCode::OpUnsupported.into()
    }

    async fn open(
        &mut self,
        id: u32,
        filename: String,
        pflags: OpenFlags,
        attrs: FileAttributes,
    ) -> Result<sftp::Handle, StatusReply> {
        let path = self.local(&filename);
        let mut options = fs::OpenOptions::from(pflags);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(attrs.permissions.unwrap_or(0o666) & 0o7777);
        }
        #[cfg(not(unix))]
        let _ = attrs;
        let file = options.open(&path).map_err(|error| status(&error))?;
        let handle = self.add_handle(OpenHandle::File { file, path });
        Ok(sftp::Handle { id, handle })
    }

    async fn close(&mut self, id: u32, handle: String) -> Result<sftp::Status, StatusReply> {
        match self.handles.remove(&handle) {
            Some(_) => Ok(ok(id)),
            None => Err(failure("no such handle")),
        }
    }

    async fn read(&mut self, id: u32, handle: String, offset: u64, len: u32) -> Result<sftp::Data, StatusReply> {
        let file = self.file(&handle)?;
        file.seek(SeekFrom::Start(offset)).map_err(|error| status(&error))?;
        let mut data = Vec::new();
        Read::by_ref(file)
            .take(u64::from(len.min(MAX_READ)))
            .read_to_end(&mut data)
            .map_err(|error| status(&error))?;
        if data.is_empty() {
            return Err(StatusCode::Eof.into());
        }
        Ok(sftp::Data { id, data })
    }

    async fn write(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        data: Vec<u8>,
    ) -> Result<sftp::Status, StatusReply> {
        let file = self.file(&handle)?;
        file.seek(SeekFrom::Start(offset)).map_err(|error| status(&error))?;
        file.write_all(&data).map_err(|error| status(&error))?;
        Ok(ok(id))
    }

    async fn lstat(&mut self, id: u32, path: String) -> Result<sftp::Attrs, StatusReply> {
        let metadata = fs::symlink_metadata(self.local(&path)).map_err(|error| status(&error))?;
        Ok(sftp::Attrs {
            id,
            attrs: self.attributes(&metadata),
        })
    }

    async fn stat(&mut self, id: u32, path: String) -> Result<sftp::Attrs, StatusReply> {
        let metadata = fs::metadata(self.local(&path)).map_err(|error| status(&error))?;
        Ok(sftp::Attrs {
            id,
            attrs: self.attributes(&metadata),
        })
    }

    async fn fstat(&mut self, id: u32, handle: String) -> Result<sftp::Attrs, StatusReply> {
        let metadata = match self.handles.get(&handle) {
            Some(OpenHandle::File { file, .. }) => file.metadata(),
            Some(OpenHandle::Dir { path, .. }) => fs::metadata(path),
            None => return Err(failure("no such handle")),
        };
        let metadata = metadata.map_err(|error| status(&error))?;
        Ok(sftp::Attrs {
            id,
            attrs: self.attributes(&metadata),
        })
    }

    async fn setstat(&mut self, id: u32, path: String, attrs: FileAttributes) -> Result<sftp::Status, StatusReply> {
        apply_attributes(&self.local(&path), &attrs).map_err(|error| status(&error))?;
        Ok(ok(id))
    }

    async fn fsetstat(&mut self, id: u32, handle: String, attrs: FileAttributes) -> Result<sftp::Status, StatusReply> {
        let path = self.handle_path(&handle)?;
        apply_attributes(&path, &attrs).map_err(|error| status(&error))?;
        Ok(ok(id))
    }

    async fn opendir(&mut self, id: u32, path: String) -> Result<sftp::Handle, StatusReply> {
        let local = self.local(&path);
        let metadata = fs::metadata(&local).map_err(|error| status(&error))?;
        if !metadata.is_dir() {
            return Err(failure("not a folder"));
        }
        let entries = self.listing(&path, &local).map_err(|error| status(&error))?;
        let handle = self.add_handle(OpenHandle::Dir { entries, path: local });
        Ok(sftp::Handle { id, handle })
    }

    async fn readdir(&mut self, id: u32, handle: String) -> Result<sftp::Name, StatusReply> {
        if let Some(HostileSftp::EndlessListing) = self.shared.hostile {
            let first = self.made_up;
            self.made_up += ENTRIES_PER_READDIR as u64;
            let files = (first..self.made_up)
                .map(|index| sftp::File::new(format!("endless-{index}"), fake_attributes()))
                .collect();
            return Ok(sftp::Name { id, files });
        }
        let entries = match self.handles.get_mut(&handle) {
            Some(OpenHandle::Dir { entries, .. }) => entries,
            Some(OpenHandle::File { .. }) => return Err(failure("the handle is a file")),
            None => return Err(failure("no such handle")),
        };
        if entries.is_empty() {
            return Err(StatusCode::Eof.into());
        }
        let count = entries.len().min(ENTRIES_PER_READDIR);
        Ok(sftp::Name {
            id,
            files: entries.drain(..count).collect(),
        })
    }

    async fn remove(&mut self, id: u32, filename: String) -> Result<sftp::Status, StatusReply> {
        fs::remove_file(self.local(&filename)).map_err(|error| status(&error))?;
        Ok(ok(id))
    }

    async fn mkdir(&mut self, id: u32, path: String, attrs: FileAttributes) -> Result<sftp::Status, StatusReply> {
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(attrs.permissions.unwrap_or(0o777) & 0o7777);
        }
        #[cfg(not(unix))]
        let _ = attrs;
        builder.create(self.local(&path)).map_err(|error| status(&error))?;
        Ok(ok(id))
    }

    async fn rmdir(&mut self, id: u32, path: String) -> Result<sftp::Status, StatusReply> {
        fs::remove_dir(self.local(&path)).map_err(|error| status(&error))?;
        Ok(ok(id))
    }

    async fn realpath(&mut self, id: u32, path: String) -> Result<sftp::Name, StatusReply> {
        let normalized = normalize(&path);
        fs::symlink_metadata(self.local(&normalized)).map_err(|error| status(&error))?;
        Ok(sftp::Name {
            id,
            files: vec![sftp::File {
                filename: normalized.clone(),
                longname: normalized,
                attrs: FileAttributes::empty(),
            }],
        })
    }

    async fn rename(&mut self, id: u32, oldpath: String, newpath: String) -> Result<sftp::Status, StatusReply> {
        let (from, to) = (self.local(&oldpath), self.local(&newpath));
        fs::symlink_metadata(&from).map_err(|error| status(&error))?;
        // SFTP v3 (and OpenSSH without the posix-rename extension) never replaces a file.
        if fs::symlink_metadata(&to).is_ok() {
            return Err(failure("the target exists"));
        }
        fs::rename(&from, &to).map_err(|error| status(&error))?;
        Ok(ok(id))
    }

    async fn readlink(&mut self, id: u32, path: String) -> Result<sftp::Name, StatusReply> {
        let target = fs::read_link(self.local(&path)).map_err(|error| status(&error))?;
        let target = target.to_string_lossy().into_owned();
        Ok(sftp::Name {
            id,
            files: vec![sftp::File {
                filename: target.clone(),
                longname: target,
                attrs: FileAttributes::empty(),
            }],
        })
    }
}
