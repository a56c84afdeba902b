//! Proves that libssh2 (Wharf's SFTP backend) and the in-process russh test server agree:
//! algorithms, the three login methods, listings, transfers at an offset, and the file
//! operations Wharf uses. Every test runs under a watchdog and every server listens on
//! 127.0.0.1 only.

// The helpers below are test code too: a failure should stop the test with a message.
#![allow(clippy::expect_used)]

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::sftp_server::{Options, SftpServer, USER};
use chrono::{DateTime, Utc};
use russh::keys::PrivateKey;
use russh::keys::ssh_key::LineEnding;
use russh::keys::ssh_key::private::Ed25519Keypair;
use wharf::model::location::RemotePath;
use wharf::model::{Credentials, DataMode, EntryKind, Protocol, Secret, Site};
use wharf::protocol::sftp::SftpFs;
use wharf::protocol::{
    CertificateInfo, ConnectContext, ErrorKind, FsError, HostKeyInfo, ProtocolLog, RemoteFs, Timeouts, TrustPolicy,
};

const PASSWORD: &str = "password";

/// Runs `body` on a named thread and fails the test when it takes longer than `seconds`.
fn within<T: Send + 'static>(seconds: u64, body: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("sftp-probe-body".to_owned())
        .spawn(move || {
            let _ = sender.send(body());
        })
        .expect("the test thread starts");
    match receiver.recv_timeout(Duration::from_secs(seconds)) {
        Ok(value) => value,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("the test took longer than {seconds} s"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("the test body panicked"),
    }
}

/// Accepts every host key and certificate, and remembers the host keys it saw.
#[derive(Default)]
struct AcceptAll {
    seen: Mutex<Vec<HostKeyInfo>>,
}

impl TrustPolicy for AcceptAll {
    fn check_host_key(&self, key: &HostKeyInfo) -> Result<(), FsError> {
        self.seen.lock().expect("the seen keys lock").push(key.clone());
        Ok(())
    }

    fn check_certificate(&self, _certificate: &CertificateInfo) -> Result<(), FsError> {
        Ok(())
    }
}

fn site(server: &SftpServer, credentials: Credentials) -> Site {
    Site {
        protocol: Protocol::Sftp,
        host: "127.0.0.1".to_owned(),
        port: server.port,
        user: USER.to_owned(),
        credentials,
        data_mode: DataMode::default(),
        tls_if_available: false,
        jump_hosts: Vec::new(),
        s3: Default::default(),
    }
}

fn password(text: &str) -> Credentials {
    Credentials {
        password: Some(Secret::new(text)),
        ..Credentials::default()
    }
}

fn context(trust: Arc<AcceptAll>) -> ConnectContext {
    ConnectContext {
        trust,
        log: ProtocolLog::tracing(),
        timeouts: Timeouts { connect: 5, idle: 10 },
        limits: wharf::protocol::ListingLimits::default(),
    }
}

fn connect(server: &SftpServer, credentials: Credentials) -> Result<SftpFs, FsError> {
    SftpFs::connect(&site(server, credentials), &context(Arc::new(AcceptAll::default())))
}

/// A repeatable but not trivially compressible pattern.
fn pattern(length: usize) -> Vec<u8> {
    let mut state: u32 = 0x1234_5678;
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect()
}

fn upload(fs: &mut SftpFs, path: &RemotePath, offset: u64, data: &[u8]) {
    let mut stream = fs.open_write(path, offset).expect("open for writing");
    stream.write_all(data).expect("write");
    stream.finish().expect("finish the upload");
}

fn download(fs: &mut SftpFs, path: &RemotePath, offset: u64) -> Vec<u8> {
    let mut stream = fs.open_read(path, offset).expect("open for reading");
    let mut data = Vec::new();
    stream.read_to_end(&mut data).expect("read");
    stream.finish().expect("finish the download");
    data
}

#[test]
fn libssh2_negotiates_with_the_russh_server() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    fs::write(folder.path().join("hello.txt"), b"hello").expect("a file");
    let server = SftpServer::start(folder.path(), PASSWORD, None);
    let expected_blob = server.host_key_blob();
    let port = server.port;
    let names = within(30, move || {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let tcp = TcpStream::connect_timeout(&address, Duration::from_secs(5)).expect("connect");
        let mut session = ssh2::Session::new().expect("a session");
        session.set_timeout(10_000);
        session.set_tcp_stream(tcp);
        session.handshake().expect("the handshake");
        let (blob, kind) = session.host_key().expect("a host key");
        assert!(matches!(kind, ssh2::HostKeyType::Ed25519));
        assert_eq!(blob, expected_blob.as_slice());
        for (name, method) in [
            ("kex", ssh2::MethodType::Kex),
            ("host key", ssh2::MethodType::HostKey),
            ("cipher", ssh2::MethodType::CryptCs),
            ("mac", ssh2::MethodType::MacCs),
            ("compression", ssh2::MethodType::CompCs),
        ] {
            println!("{name}: {}", session.methods(method).unwrap_or("?"));
        }
        let methods = session.auth_methods(USER).expect("the offered methods").to_owned();
        println!("auth methods: {methods}");
        assert!(session.userauth_password(USER, "wrong").is_err());
        session.userauth_password(USER, PASSWORD).expect("password login");
        assert_eq!(server.logins(), ["password"]);
        assert!(session.authenticated());
        let sftp = session.sftp().expect("the SFTP channel");
        assert_eq!(sftp.realpath(Path::new(".")).expect("realpath"), Path::new("/"));
        // Paths that climb above the root stay inside it, as in a chroot.
        assert_eq!(sftp.realpath(Path::new("/../..")).expect("realpath"), Path::new("/"));
        assert!(sftp.stat(Path::new("../../hello.txt")).expect("stat").is_file());
        let error = sftp.stat(Path::new("/../../etc/passwd")).expect_err("nothing outside");
        assert!(matches!(error.code(), ssh2::ErrorCode::SFTP(2)), "{error:?}");
        let mut dir = sftp.opendir(Path::new("/../..")).expect("opendir");
        let mut names = Vec::new();
        while let Ok((name, stat)) = dir.readdir() {
            if name == Path::new("hello.txt") {
                assert_eq!(stat.size, Some(5));
                assert!(stat.is_file());
            }
            names.push(name.to_string_lossy().into_owned());
        }
        names
    });
    assert_eq!(names, [".", "..", "hello.txt"]);
}

#[test]
fn the_wharf_backend_does_everything_it_needs() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let root = folder.path().to_owned();
    let server = SftpServer::start(&root, PASSWORD, None);
    let expected_blob = server.host_key_blob();
    let trust = Arc::new(AcceptAll::default());
    let site = site(&server, password(PASSWORD));
    let seen = Arc::clone(&trust);
    let server = within(60, move || {
        let mut fs = SftpFs::connect(&site, &context(trust)).expect("wharf connects");
        let keys = seen.seen.lock().expect("the seen keys lock").clone();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].key_type, "ssh-ed25519");
        assert_eq!(keys[0].blob, expected_blob);
        println!("security: {}", fs.security());
        assert_eq!(fs.home(), "/");

        // Folders.
        fs.mkdir(&RemotePath::new("~/sub")).expect("mkdir");
        assert!(root.join("sub").is_dir());
        let error = fs.mkdir(&RemotePath::new("/sub")).expect_err("mkdir twice");
        assert_eq!(error.kind, ErrorKind::Other, "{error:?}");

        // A 3 MiB upload in two parts, the second continued at an offset.
        let data = pattern(3 * 1024 * 1024);
        let file = RemotePath::new("/sub/big.bin");
        let split = 1024 * 1024 + 123;
        upload(&mut fs, &file, 0, &data[..split]);
        assert_eq!(fs.stat(&file).expect("stat").size, Some(split as u64));
        upload(&mut fs, &file, split as u64, &data[split..]);
        assert_eq!(fs::read(root.join("sub/big.bin")).expect("the uploaded file"), data);

        // Downloads, whole and from an offset.
        assert_eq!(download(&mut fs, &file, 0), data);
        let offset = 2 * 1024 * 1024 + 7;
        assert_eq!(download(&mut fs, &file, offset as u64), &data[offset..]);

        // An upload at offset 0 truncates.
        let small = RemotePath::new("/sub/small.txt");
        upload(&mut fs, &small, 0, b"0123456789");
        upload(&mut fs, &small, 0, b"abc");
        assert_eq!(fs::read(root.join("sub/small.txt")).expect("the small file"), b"abc");

        // Listings carry kinds, sizes, permissions and times.
        let raw = fs.read_dir(&RemotePath::new("/sub")).expect("read_dir");
        let names: Vec<&str> = raw.iter().map(|entry| entry.name.as_str()).collect();
        assert_eq!(names, [".", "..", "big.bin", "small.txt"]);
        let listing = fs.list(&RemotePath::new("/sub")).expect("list");
        assert_eq!(listing.entries.len(), 2);
        assert!(listing.refused.is_empty());
        let big = &listing.entries[0];
        assert_eq!(big.kind, EntryKind::File);
        assert_eq!(big.size, Some(data.len() as u64));
        assert!(big.modified.is_some());
        assert!(big.permissions.is_some());
        let top = fs.list(&RemotePath::new("/")).expect("list the root");
        assert_eq!(top.entries.len(), 1);
        assert_eq!(top.entries[0].kind, EntryKind::Dir);
        assert_eq!(top.entries[0].size, None);

        // Times and permissions.
        let time: DateTime<Utc> = DateTime::from_timestamp(1_600_000_000, 0).expect("a time");
        fs.set_mtime(&file, time).expect("set_mtime");
        assert_eq!(fs.stat(&file).expect("stat").modified, Some(time));
        let modified = fs::metadata(root.join("sub/big.bin"))
            .and_then(|metadata| metadata.modified())
            .expect("the local time");
        assert_eq!(DateTime::<Utc>::from(modified), time);
        fs.chmod(&small, 0o600).expect("chmod");
        assert_eq!(fs.stat(&small).expect("stat").permissions.as_deref(), Some("rw-------"));

        // Rename, including SFTP v3's refusal to replace a file.
        let renamed = RemotePath::new("/sub/renamed.bin");
        fs.rename(&file, &renamed).expect("rename");
        assert!(root.join("sub/renamed.bin").is_file());
        let error = fs.rename(&renamed, &small).expect_err("rename onto a file");
        assert_eq!(error.kind, ErrorKind::Other, "{error:?}");

        // Errors for what is not there, and paths that try to climb out of the root.
        let missing = RemotePath::new("/nothing/here");
        assert_eq!(fs.stat(&missing).expect_err("stat").kind, ErrorKind::NotFound);
        assert_eq!(fs.read_dir(&missing).expect_err("read_dir").kind, ErrorKind::NotFound);
        assert_eq!(fs.remove(&missing).expect_err("remove").kind, ErrorKind::NotFound);
        assert!(fs.open_read(&missing, 0).is_err());
        let outside = fs.read_dir(&RemotePath::new("/")).expect("list the root");
        assert!(outside.iter().any(|entry| entry.name == "sub"));

        // Removal.
        let error = fs.rmdir(&RemotePath::new("/sub")).expect_err("rmdir of a full folder");
        assert_eq!(error.kind, ErrorKind::Other, "{error:?}");
        fs.remove(&renamed).expect("remove");
        fs.remove(&small).expect("remove");
        fs.rmdir(&RemotePath::new("/sub")).expect("rmdir");
        assert!(!root.join("sub").exists());
        fs.keepalive().expect("keepalive");
        // Wharf tries keyboard-interactive first when the server offers it.
        assert_eq!(server.logins(), ["keyboard-interactive"]);
        server
    });
    drop(server);
}

#[test]
fn a_wrong_password_is_an_auth_error() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let server = SftpServer::start(folder.path(), PASSWORD, None);
    let (error, logins) = within(30, move || {
        let error = connect(&server, password("wrong")).err();
        (error, server.logins())
    });
    let error = error.expect("the login fails");
    assert_eq!(error.kind, ErrorKind::Auth, "{error:?}");
    assert!(logins.is_empty(), "{logins:?}");
}

#[test]
fn password_login_works_without_keyboard_interactive() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut options = Options::new(PASSWORD);
    options.keyboard_interactive = false;
    let server = SftpServer::start_with(folder.path(), options);
    within(30, move || {
        let fs = connect(&server, password(PASSWORD)).expect("password login");
        assert_eq!(fs.home(), "/");
        assert_eq!(server.logins(), ["password"]);
    });
}

#[test]
fn a_key_file_logs_in() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let keys = tempfile::tempdir().expect("a folder for the key");
    let key = PrivateKey::from(Ed25519Keypair::from_seed(&[7; 32]));
    let key_file = keys.path().join("id_ed25519");
    fs::write(
        &key_file,
        key.to_openssh(LineEnding::LF).expect("the key encodes").as_bytes(),
    )
    .expect("the key file");
    let public = key.public_key().to_openssh().expect("the public key encodes");
    let server = SftpServer::start(folder.path(), PASSWORD, Some(&public));
    within(30, move || {
        let credentials = Credentials {
            key_file: Some(key_file),
            ..Credentials::default()
        };
        let fs = connect(&server, credentials).expect("key login");
        assert_eq!(fs.home(), "/");
        assert_eq!(server.logins(), ["publickey"]);
        drop(keys);
    });
}

#[test]
fn hostile_fake_names_reach_the_listing_screen_and_are_refused() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    fs::write(folder.path().join("real.txt"), b"real").expect("a file");
    let hostile = ["../../evil", "a/b", "x\x1bz"];
    let server = SftpServer::start(folder.path(), PASSWORD, None)
        .with_fake_entries_in("/", hostile.iter().map(|name| (*name).to_owned()).collect());
    fs::create_dir(folder.path().join("sub")).expect("a folder");
    within(30, move || {
        let mut fs = connect(&server, password(PASSWORD)).expect("wharf connects");
        let raw = fs.read_dir(&RemotePath::new("/")).expect("read_dir");
        let names: Vec<&str> = raw.iter().map(|entry| entry.name.as_str()).collect();
        assert_eq!(names, [".", "..", "real.txt", "sub", "../../evil", "a/b", "x\x1bz"]);
        let listing = fs.list(&RemotePath::new("/")).expect("list");
        let kept: Vec<&str> = listing.entries.iter().map(|entry| entry.name.as_str()).collect();
        assert_eq!(kept, ["real.txt", "sub"]);
        assert_eq!(listing.refused.len(), 3);
        // Other folders are left alone.
        assert_eq!(fs.list(&RemotePath::new("/sub")).expect("list").refused.len(), 0);
    });
}

/// Issue 14: more of what a hostile SFTP server can send: a name with NUL or a backslash,
/// one longer than 255 bytes, and the same name twice. Only what is safe, once, is kept.
#[test]
fn long_duplicate_and_nul_names_from_an_sftp_server_are_refused() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    fs::write(folder.path().join("real.txt"), b"real").expect("a file");
    let hostile = [
        "real.txt",
        &"n".repeat(256),
        "nul\0.txt",
        "back\\slash",
        "fine.txt",
        "fine.txt",
    ];
    let server = SftpServer::start(folder.path(), PASSWORD, None)
        .with_fake_entries_in("/", hostile.iter().map(|name| (*name).to_owned()).collect());
    within(30, move || {
        let mut fs = connect(&server, password(PASSWORD)).expect("wharf connects");
        let listing = fs.list(&RemotePath::new("/")).expect("list");
        let kept: Vec<&str> = listing.entries.iter().map(|entry| entry.name.as_str()).collect();
        assert_eq!(kept, ["real.txt", "fine.txt"]);
        let why: Vec<String> = listing.refused.iter().map(ToString::to_string).collect();
        assert_eq!(why.len(), 5, "{why:#?}");
        assert!(
            why.iter().any(|said| said.contains("longer than 255 bytes")),
            "{why:#?}"
        );
        assert!(why.iter().any(|said| said.contains("control characters")), "{why:#?}");
        assert!(why.iter().any(|said| said.contains("path separator")), "{why:#?}");
        assert_eq!(
            why.iter().filter(|said| said.contains("names it twice")).count(),
            2,
            "real.txt (a fake second one) and fine.txt: {why:#?}"
        );
    });
}

#[test]
fn the_known_hosts_line_names_the_port_and_key() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let server = SftpServer::start(folder.path(), PASSWORD, None);
    let line = server.known_hosts_line();
    let prefix = format!("[127.0.0.1]:{} ssh-ed25519 AAAA", server.port);
    assert!(line.starts_with(&prefix), "{line}");
    assert_eq!(line.split(' ').count(), 3, "{line}");
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_listed_with_their_targets() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    fs::write(folder.path().join("real.txt"), b"real").expect("a file");
    std::os::unix::fs::symlink("real.txt", folder.path().join("link")).expect("a link");
    let server = SftpServer::start(folder.path(), PASSWORD, None);
    within(30, move || {
        let mut fs = connect(&server, password(PASSWORD)).expect("wharf connects");
        let listing = fs.list(&RemotePath::new("/")).expect("list");
        let link = listing
            .entries
            .iter()
            .find(|entry| entry.name == "link")
            .expect("the link");
        assert_eq!(link.kind, EntryKind::Link);
        assert_eq!(link.target.as_deref(), Some("real.txt"));
        assert_eq!(fs.stat(&RemotePath::new("/link")).expect("stat").kind, EntryKind::Link);
    });
}
