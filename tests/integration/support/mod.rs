//! Shared test helpers: in-process servers, trust policies, and a runner for the `wharf`
//! binary with a timeout and its own `WHARF_HOME`.

pub mod ftp_server;
pub mod scripted_ftp;
pub mod sftp_server;
pub mod window;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use wharf::model::{Credentials, DataMode, Protocol, Secret, Site};
use wharf::protocol::{CertificateInfo, ConnectContext, FsError, HostKeyInfo, ProtocolLog, Timeouts, TrustPolicy};

/// Trusts everything: for protocol-level tests where trust is not the subject.
pub struct AcceptAll;

impl TrustPolicy for AcceptAll {
    fn check_host_key(&self, _key: &HostKeyInfo) -> Result<(), FsError> {
        Ok(())
    }

    fn check_certificate(&self, _certificate: &CertificateInfo) -> Result<(), FsError> {
        Ok(())
    }
}

pub fn context() -> ConnectContext {
    ConnectContext {
        trust: Arc::new(AcceptAll),
        log: ProtocolLog::tracing(),
        timeouts: Timeouts { connect: 10, idle: 20 },
        limits: wharf::protocol::ListingLimits::default(),
    }
}

pub fn site(protocol: Protocol, port: u16, user: &str, password: &str) -> Site {
    Site {
        protocol,
        host: "127.0.0.1".to_owned(),
        port,
        user: user.to_owned(),
        credentials: Credentials {
            password: Some(Secret::new(password)),
            ..Credentials::default()
        },
        data_mode: DataMode::Passive,
        tls_if_available: false,
        jump_hosts: Vec::new(),
        s3: Default::default(),
    }
}

/// Deterministic test data.
pub fn data(size: usize, seed: u8) -> Vec<u8> {
    (0..size)
        .map(|i| ((i * 31 + usize::from(seed) * 7) % 251) as u8)
        .collect()
}

/// Runs `wharf ARGS` with `WHARF_HOME=home`, no password in the environment, and a
/// one-minute limit.
pub fn wharf(home: &Path, args: &[&str]) -> Output {
    wharf_with(home, args, &[])
}

pub fn wharf_with(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wharf"));
    command
        .args(args)
        .env("WHARF_HOME", home)
        .env_remove("WHARF_PASSWORD")
        .env_remove("SSH_AUTH_SOCK")
        .env("HOME", home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command.spawn().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("wharf-cli-wait".to_owned())
        .spawn(move || {
            let _ = sender.send(child.wait_with_output());
        })
        .unwrap();
    receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("wharf did not finish within a minute")
        .unwrap()
}

/// Runs `wharf get --limit-rate 256K ARGS` (password from the environment) and kills it with
/// SIGKILL once `partial` holds at least 256 KiB: a crash in the middle of a file.
pub fn kill_get_mid_file(home: &Path, args: &[&str], password: &str, partial: &Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["get", "--limit-rate", "256K"])
        .args(args)
        .env("WHARF_HOME", home)
        .env("HOME", home)
        .env("WHARF_PASSWORD", password)
        .env_remove("SSH_AUTH_SOCK")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::fs::metadata(partial).map_or(0, |meta| meta.len()) < 256 * 1024 {
        assert!(
            std::time::Instant::now() < deadline,
            "the download did not start within 30 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every file under `dir`, as (relative path, bytes), sorted.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let relative = path.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}
