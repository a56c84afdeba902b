//! Fault soak: each fault a link or a disk can inject, many times over, through the command
//! line against real servers (OpenSSH's sshd, vsftpd) and `tests/interop/tools/netproxy.py`.
//! Every run must end in one of three ways: the file finished and identical; a sentence and a
//! partial file kept for later; or a sentence and nothing. It prints one table row per fault
//! with those counts, the faults injected and the attempts taken, and counts two things that
//! must stay 0: files lost (a finished file that differs, or a failure that kept nothing
//! after bytes had arrived) and escapes (anything written outside the target folder).
//!
//! Run: `cargo bench --features interop --bench faults` (as root, after `.ci/run` has installed
//! the servers and created the test account). `WHARF_SOAK_ROUNDS=N` (default 10) sets the
//! rounds of the quick faults; the slow ones (stalls, full disks, kills) run a third as often.
//! Hostile servers (names, replies, listings, sizes) are hermetic tests, not soaked here.

// Test code: a failed step should stop the run with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/interop/servers/mod.rs"]
#[allow(dead_code)]
mod servers;
#[path = "../tests/integration/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::path::Path;
use std::process::Output;

use servers::{FtpTls, PASSWORD, USER};

/// How one run ended.
#[derive(Default)]
struct Tally {
    runs: usize,
    identical: usize,
    partial_kept: usize,
    failed_clean: usize,
    lost: usize,
    escapes: usize,
    injected: usize,
    attempts: Vec<usize>,
}

impl Tally {
    /// Judges one run that was to put `content` at `out/name`; `outer` holds `out` and must
    /// hold nothing else.
    fn judge(&mut self, run: &Output, outer: &Path, out: &Path, name: &str, content: &[u8]) {
        self.runs += 1;
        let log = support::stderr(run);
        self.attempts
            .push(1 + log.lines().filter(|line| line.contains("retrying in")).count());
        self.escapes += std::fs::read_dir(outer)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|entry| entry.path() != out)
            .count();
        let target = out.join(name);
        let partial = out.join(format!(".{name}.wharf-part"));
        let partial_size = std::fs::metadata(&partial).map_or(0, |meta| meta.len());
        match std::fs::read(&target) {
            Ok(bytes) if bytes == content && run.status.success() => self.identical += 1,
            Ok(_) => self.lost += 1,
            Err(_) if run.status.success() => self.lost += 1,
            Err(_) if log.trim().is_empty() => self.lost += 1,
            Err(_) if partial_size > 0 => self.partial_kept += 1,
            Err(_) => self.failed_clean += 1,
        }
    }

    fn row(&self, fault: &str, how_often: &str, did: &str) {
        let mut attempts = self.attempts.clone();
        attempts.sort_unstable();
        let median = attempts.get(attempts.len() / 2).copied().unwrap_or(0);
        let most = attempts.last().copied().unwrap_or(0);
        println!(
            "| {fault} | {how_often} | {} | {} | {} identical, {} partial kept, {} failed clean | {median} / {most} | {} | {} | {did} |",
            self.runs, self.injected, self.identical, self.partial_kept, self.failed_clean, self.lost, self.escapes
        );
    }
}

fn rounds() -> usize {
    std::env::var("WHARF_SOAK_ROUNDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(10)
}

/// `wharf get URL out` with the test account's password and extra `flags`.
fn get(home: &Path, url: &str, out: &Path, flags: &[&str]) -> Output {
    let mut args = vec!["-v", "get", "--accept-new-host-key"];
    args.extend_from_slice(flags);
    args.extend([url, out.to_str().unwrap()]);
    support::wharf_with(home, &args, &[("WHARF_PASSWORD", PASSWORD)])
}

/// A file on a real server, to be fetched through the proxy.
struct Source<'a> {
    scheme: &'a str,
    port: u16,
    /// The test account's folder that holds it.
    folder: &'a Path,
    name: &'a str,
    content: &'a [u8],
}

/// One download of `source` through netproxy with `proxy_args`, judged into `tally`.
fn through_proxy(tally: &mut Tally, source: &Source<'_>, proxy_args: &[&str], flags: &[&str]) {
    let proxy = servers::netproxy(source.port, proxy_args);
    let (home, outer) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let out = outer.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let url = format!(
        "{}://{USER}@127.0.0.1:{}{}/{}",
        source.scheme,
        proxy.port(),
        source.folder.display(),
        source.name
    );
    let run = get(home.path(), &url, &out, flags);
    tally.judge(&run, outer.path(), &out, source.name, source.content);
    let log = std::fs::read_to_string(&proxy.log).unwrap_or_default();
    tally.injected += log
        .lines()
        .filter(|line| line.ends_with("cut 1") || line.ends_with("stalled 1"))
        .count();
}

fn main() {
    let rounds = rounds();
    let slow = rounds.div_ceil(3);
    println!(
        "| fault | how often | runs | faults injected | ended | attempts median / most | files lost | escapes | what Wharf did |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");

    let (sshd, _) = servers::sshd();
    let folder = servers::user_folder("soak-sftp");
    let content = support::data(4 * 1024 * 1024 + 3, 7);
    std::fs::write(folder.join("flaky.bin"), &content).unwrap();
    let sftp = Source {
        scheme: "sftp",
        port: sshd.port,
        folder: &folder,
        name: "flaky.bin",
        content: &content,
    };

    let mut tally = Tally::default();
    for seed in 0..rounds {
        let seed = seed.to_string();
        let args = ["--cut-every", "400000", "--cut-jitter", "0.5", "--seed", seed.as_str()];
        through_proxy(&mut tally, &sftp, &args, &[]);
    }
    tally.row(
        "SFTP link reset (4 MiB file)",
        "every 200-600 KB, every connection",
        "retried at once after progress, resumed from the partial file",
    );

    let mut tally = Tally::default();
    for seed in 0..rounds {
        let seed = seed.to_string();
        let args = ["--cut-every", "2000", "--faulty-conns", "3", "--seed", seed.as_str()];
        through_proxy(&mut tally, &sftp, &args, &[]);
    }
    tally.row(
        "SFTP link reset during the SSH handshake",
        "first 3 connections, ~2 KB in",
        "\"cut during the key exchange\", tried again; the fourth connects",
    );

    let mut tally = Tally::default();
    for _ in 0..slow {
        let args = ["--stall-after", "700000"];
        through_proxy(&mut tally, &sftp, &args, &["--timeout", "4"]);
    }
    tally.row(
        "SFTP link hangs mid-file (no close)",
        "after 700 KB, every connection; --timeout 4",
        "\"stalled\" after 2 s, given up after 4 s, resumed",
    );

    let (vsftpd, _) = servers::vsftpd(FtpTls::None);
    let ftp_folder = servers::user_folder("soak-ftp");
    std::fs::write(ftp_folder.join("flaky.bin"), &content).unwrap();
    let ftp = Source {
        scheme: "ftp",
        port: vsftpd.port,
        folder: &ftp_folder,
        name: "flaky.bin",
        content: &content,
    };
    let mut tally = Tally::default();
    for seed in 0..rounds {
        let seed = seed.to_string();
        let args = ["--cut-every", "100", "--faulty-conns", "3", "--seed", seed.as_str()];
        through_proxy(&mut tally, &ftp, &args, &[]);
    }
    tally.row(
        "FTP control connection reset",
        "first 3 connections, ~100 bytes in",
        "retried with backoff; the fourth connection finishes",
    );

    let mut tally = Tally::default();
    for _ in 0..slow {
        let args = ["--stall-after", "100", "--faulty-conns", "2"];
        through_proxy(&mut tally, &ftp, &args, &["--timeout", "4"]);
    }
    tally.row(
        "FTP control connection hangs during login",
        "first 2 connections; --timeout 4",
        "each given up after 4 s, the third finishes",
    );

    kills(&vsftpd, &ftp_folder, &content, slow);
    full_disks(&sshd, &folder, &content, slow);
}

/// `kill -9` of the command line in the middle of a download, then `wharf queue run`.
fn kills(vsftpd: &servers::Running, folder: &Path, content: &[u8], rounds: usize) {
    let mut tally = Tally::default();
    for _ in 0..rounds {
        let (home, outer) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let out = outer.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let url = format!("ftp://{USER}@127.0.0.1:{}{}/flaky.bin", vsftpd.port, folder.display());
        support::kill_get_mid_file(
            home.path(),
            &[url.as_str(), out.to_str().unwrap()],
            PASSWORD,
            &out.join(".flaky.bin.wharf-part"),
        );
        tally.injected += 1;
        let run = support::wharf_with(home.path(), &["-v", "queue", "run"], &[("WHARF_PASSWORD", PASSWORD)]);
        tally.judge(&run, outer.path(), &out, "flaky.bin", content);
    }
    tally.row(
        "`kill -9` of the command line mid-file",
        "once a run, after 256 KB",
        "`queue run` resumed the partial file (REST)",
    );
}

/// This computer's disk fills up: a 2 MiB tmpfs for a 4 MiB download.
fn full_disks(sshd: &servers::Running, folder: &Path, content: &[u8], rounds: usize) {
    let mut tally = Tally::default();
    for _ in 0..rounds {
        let disk = servers::SmallDisk::mount(2 * 1024 * 1024);
        let home = tempfile::tempdir().unwrap();
        let out = disk.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let url = format!("sftp://{USER}@127.0.0.1:{}{}/flaky.bin", sshd.port, folder.display());
        let run = get(home.path(), &url, &out, &[]);
        let said = support::stderr(&run).contains("the disk is full: ");
        tally.injected += usize::from(said);
        tally.judge(&run, disk.path(), &out, "flaky.bin", content);
    }
    tally.row(
        "this computer's disk fills up",
        "2 MiB free for a 4 MiB file",
        "\"the disk is full: N free on PATH\", not retried",
    );
}
