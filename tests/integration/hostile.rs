//! What a hostile or broken FTP server can try, and what Wharf does about it.

use std::collections::HashMap;

use crate::support::scripted_ftp::{Script, ScriptedFtp};
use crate::support::{stderr, stdout, tree, wharf};

fn line(name: &str) -> String {
    format!("-rw-r--r--   1 u  g        3 Jan  1  2024 {name}\r\n")
}

#[test]
fn names_that_would_escape_the_target_folder_are_refused() {
    let mut listing = String::new();
    for name in [
        "../../escape.txt",
        "good.txt",
        "a\\b.txt",
        "..",
        ".",
        "/etc/passwd",
        "esc\x1b[2Jape.txt",
    ] {
        listing.push_str(&line(name));
    }
    listing.push_str("drwxr-xr-x   2 u  g     4096 Jan  1  2024 sub\r\n");
    let mut script = Script {
        pasv_host: [127, 0, 0, 1],
        ..Script::default()
    };
    script.listings.insert("/".to_owned(), Vec::new());
    script.listings.insert("/evil".to_owned(), listing.into_bytes());
    script
        .listings
        .insert("/evil/sub".to_owned(), line("../../../deep.txt").into_bytes());
    for name in [
        "/evil/good.txt",
        "/evil/../../escape.txt",
        "/evil/a\\b.txt",
        "/evil/esc\x1b[2Jape.txt",
    ] {
        script.files.insert(name.to_owned(), b"abc".to_vec());
    }
    let server = ScriptedFtp::start(script);
    let home = tempfile::tempdir().unwrap();
    let outer = tempfile::tempdir().unwrap();
    let target = outer.path().join("inner");
    std::fs::create_dir(&target).unwrap();

    let output = wharf(
        home.path(),
        &[
            "get",
            "-r",
            &format!("ftp://u:p@127.0.0.1:{}/evil", server.port),
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "refused names make the run fail: {}",
        stderr(&output)
    );
    let files: Vec<String> = tree(outer.path()).into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        files,
        vec!["inner/evil/good.txt".to_owned()],
        "only the safe file arrived"
    );
    let message = stderr(&output);
    assert!(message.contains("../../escape.txt"), "{message}");
    assert!(
        message.contains("\\x1b[2J"),
        "control characters are shown escaped: {message}"
    );
    assert!(!message.contains('\x1b'), "no raw escape reaches the terminal");
    assert!(
        !server.commands().iter().any(|command| command.contains("escape")),
        "unsafe names are never requested"
    );
}

#[test]
fn a_pasv_reply_naming_another_host_is_not_followed() {
    // The data listener is on 127.0.0.1; a client that believed the reply would fail.
    let mut script = Script {
        pasv_host: [127, 0, 0, 2],
        epsv: false,
        ..Script::default()
    };
    script.listings.insert("/".to_owned(), line("file.txt").into_bytes());
    let server = ScriptedFtp::start(script);
    let home = tempfile::tempdir().unwrap();
    let output = wharf(home.path(), &["ls", &format!("ftp://u:p@127.0.0.1:{}/", server.port)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("file.txt"));
    let commands = server.commands();
    assert!(
        commands.iter().any(|command| command == "EPSV"),
        "EPSV is tried first: {commands:?}"
    );
    assert!(
        commands.iter().any(|command| command == "PASV"),
        "then PASV: {commands:?}"
    );
}

/// A server without TLS: it answers AUTH TLS with a refusal, and lists an empty `/`.
fn server_refusing_auth_tls() -> ScriptedFtp {
    let mut script = Script {
        refuse_auth: true,
        pasv_host: [127, 0, 0, 1],
        ..Script::default()
    };
    script.listings = HashMap::from([("/".to_owned(), Vec::new())]);
    ScriptedFtp::start(script)
}

#[test]
fn refused_tls_stops_before_the_password_is_sent() {
    let server = server_refusing_auth_tls();
    let home = tempfile::tempdir().unwrap();
    let output = wharf(
        home.path(),
        &["ls", &format!("ftpes://u:secret@127.0.0.1:{}/", server.port)],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("refused TLS"), "{}", stderr(&output));
    let commands = server.commands();
    assert_eq!(commands.first().map(String::as_str), Some("AUTH TLS"));
    assert!(
        !commands
            .iter()
            .any(|command| command.starts_with("USER") || command.starts_with("PASS")),
        "{commands:?}"
    );
}

/// A site that allows "TLS if available" logs in without TLS only when the server refuses
/// AUTH TLS, and says so.
#[test]
fn tls_if_available_goes_plain_only_when_the_server_refuses_auth_tls() {
    let server = server_refusing_auth_tls();
    let mut site = crate::support::site(wharf::model::Protocol::Ftpes, server.port, "u", "p");
    site.tls_if_available = true;
    let fs = wharf::protocol::ftp::FtpFs::connect(&site, &crate::support::context()).unwrap();
    let security = wharf::protocol::RemoteFs::security(&fs);
    assert_eq!(security.detail, "not encrypted: the server refused TLS");
    assert!(security.encryption.is_clear_text(), "the window shows the open padlock");
    let commands = server.commands();
    assert_eq!(commands.first().map(String::as_str), Some("AUTH TLS"));
    assert!(commands.iter().any(|command| command == "USER u"), "{commands:?}");
    assert_ne!(
        site.key(),
        crate::support::site(wharf::model::Protocol::Ftpes, server.port, "u", "p").key(),
        "a plain connection is never pooled for a site that requires TLS"
    );
}

/// A certificate the user refuses is a failed handshake, not a server without TLS: even a
/// "TLS if available" site stops there.
#[test]
fn tls_if_available_never_falls_back_after_a_refused_certificate() {
    struct RefuseCertificates;
    impl wharf::protocol::TrustPolicy for RefuseCertificates {
        fn check_host_key(&self, _key: &wharf::protocol::HostKeyInfo) -> Result<(), wharf::protocol::FsError> {
            Ok(())
        }
        fn check_certificate(
            &self,
            _certificate: &wharf::protocol::CertificateInfo,
        ) -> Result<(), wharf::protocol::FsError> {
            Err(wharf::protocol::FsError::new(
                wharf::protocol::ErrorKind::Tls,
                "the certificate was not accepted",
            ))
        }
    }
    let root = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let tls = crate::support::ftp_server::TlsFiles::generate(keys.path());
    let server = crate::support::ftp_server::FtpServer::start(root.path(), Some(&tls));
    let mut site = crate::support::site(
        wharf::model::Protocol::Ftpes,
        server.port,
        crate::support::ftp_server::USER,
        crate::support::ftp_server::PASSWORD,
    );
    site.tls_if_available = true;
    let context = wharf::protocol::ConnectContext {
        trust: std::sync::Arc::new(RefuseCertificates),
        ..crate::support::context()
    };
    let error = wharf::protocol::ftp::FtpFs::connect(&site, &context)
        .err()
        .expect("a refused certificate stops the connection");
    // It stops at the TLS step: the refusal itself, or (seen under load, libunftp's side) a
    // handshake cut short. A fallback would have failed later, at the login in clear text.
    assert!(
        error.kind == wharf::protocol::ErrorKind::Tls || error.message.starts_with("setting up TLS"),
        "{}",
        error.message
    );
    assert!(!error.message.contains("logging in"), "{}", error.message);
}

#[test]
fn line_breaks_in_paths_never_reach_the_server() {
    let mut script = Script {
        pasv_host: [127, 0, 0, 1],
        ..Script::default()
    };
    script.listings.insert("/".to_owned(), Vec::new());
    let server = ScriptedFtp::start(script);
    let home = tempfile::tempdir().unwrap();
    let output = wharf(
        home.path(),
        &[
            "rm",
            &format!("ftp://u:p@127.0.0.1:{}/a%0D%0ADELE%20victim", server.port),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("line break"), "{}", stderr(&output));
    assert!(
        !server.commands().iter().any(|command| command.contains("victim")),
        "{:?}",
        server.commands()
    );
}

#[test]
fn a_dropped_download_is_retried_and_resumed_not_restarted() {
    let content = crate::support::data(3 * 1024 * 1024, 5);
    let mut script = Script {
        pasv_host: [127, 0, 0, 1],
        epsv: true,
        drop_first_retr_after: Some(1_234_567),
        ..Script::default()
    };
    script.listings.insert("/".to_owned(), Vec::new());
    script.files.insert("/big.bin".to_owned(), content.clone());
    let server = ScriptedFtp::start(script);
    let home = tempfile::tempdir().unwrap();
    let target = tempfile::tempdir().unwrap();
    let output = wharf(
        home.path(),
        &[
            "get",
            &format!("ftp://u:p@127.0.0.1:{}/big.bin", server.port),
            target.path().to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        std::fs::read(target.path().join("big.bin")).unwrap() == content,
        "the file is byte-identical"
    );
    assert!(
        stderr(&output).contains("retrying in"),
        "the user is told: {}",
        stderr(&output)
    );
    let commands = server.commands();
    assert!(
        commands.contains(&"REST 1234567".to_owned()),
        "the second attempt resumed: {commands:?}"
    );
    assert!(!target.path().join(".big.bin.wharf-part").exists());
}
