//! Folders of small files side by side with the reference clients (the queue's own costs,
//! without a server, are `benches/queue_costs.rs`).
//!
//! A folder of 2,000 files of 16 KiB, uploaded and downloaded by `wharf put|get -r` with `-j 1`,
//! `-j 4` and the default `-j auto`, against OpenSSH `sftp -R 64`, `rclone copy --transfers 4` (SFTP and FTP) and
//! `lftp mirror --parallel=4` (FTP), over loopback to sshd, vsftpd, and (with
//! `WHARF_INTEROP_SERVERS` set as for the interop tests) pure-ftpd and ProFTPD.
//!
//! Run: `cargo bench --features interop --bench queue` as root after `.ci/run` (it installs
//! the servers and the test account); it also wants `apt-get install lftp rclone`.
//! Then the tree's first folder, 200 files, over SFTP through a 40 ms round trip
//! (`netproxy.py`), Wharf against `lftp mirror --parallel=4`.
//! `WHARF_BENCH_FILES=500` makes the folder smaller, `WHARF_BENCH_ONLY_FTP=1` skips SFTP.
//! This measures and prints; it asserts nothing.

// Test code: a failed step should stop the benchmark with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/interop/servers/mod.rs"]
#[allow(dead_code)]
mod servers;

#[path = "support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use servers::{FtpTls, PASSWORD, USER};
use support::run;

fn chown_tree(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            chown_tree(&entry.unwrap().path(), uid, gid);
        }
    }
}

/// A fresh, empty folder the account owns, under `base`.
fn fresh(base: &Path, name: &str) -> PathBuf {
    let dir = base.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let meta = std::fs::metadata(base).unwrap();
    chown_tree(
        &dir,
        std::os::unix::fs::MetadataExt::uid(&meta),
        std::os::unix::fs::MetadataExt::gid(&meta),
    );
    dir
}

fn wharf(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wharf"));
    command
        .args(args)
        .env("WHARF_HOME", home)
        .env("WHARF_PASSWORD", PASSWORD)
        .env_remove("SSH_AUTH_SOCK");
    command
}

fn line(what: &str, files: usize, took: Duration, baseline: Duration) {
    println!(
        "  {what:<36} {:>7.2} s  {:>7.0} files/s  {:>5.2}",
        took.as_secs_f64(),
        files as f64 / took.as_secs_f64(),
        baseline.as_secs_f64() / took.as_secs_f64()
    );
}

/// What every comparison of one server shares: the tree on the server, a local scratch
/// folder, Wharf's home.
struct Tree<'a> {
    files: usize,
    base: &'a Path,
    source: &'a Path,
    local: &'a Path,
    home: &'a Path,
}

impl Tree<'_> {
    /// An empty local folder for one client's download.
    fn target(&self, name: &str) -> PathBuf {
        let dir = self.local.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// `wharf get -r` and `put -r` with `-j 1`, `-j 4` and the default, `-j auto`; returns
    /// the default's times, which the other clients are compared with.
    fn wharf(&self, scheme: &str, port: u16, label: &str) -> (Duration, Duration) {
        const SETTINGS: [&str; 3] = ["1", "4", "auto"];
        let url = |path: &Path| format!("{scheme}://{USER}@127.0.0.1:{port}{}", path.display());
        let get = |parallel: &str| {
            let dir = self.target("wharf");
            run(wharf(self.home, &["--accept-new-host-key"])
                .args(["get", "-r", "-j", parallel, &url(self.source)])
                .arg(&dir))
        };
        let gets: Vec<Duration> = SETTINGS.iter().map(|parallel| get(parallel)).collect();
        println!(" {label} download:");
        for (parallel, took) in SETTINGS.iter().zip(&gets) {
            line(&format!("wharf get -r -j {parallel}"), self.files, *took, gets[2]);
        }
        let from = self.local.join("wharf");
        let put = |parallel: &str| {
            let dir = fresh(self.base, &format!("up-wharf-{parallel}"));
            run(wharf(self.home, &["--accept-new-host-key"])
                .args(["put", "-r", "-j", parallel])
                .arg(&from)
                .arg(url(&dir)))
        };
        let puts: Vec<Duration> = SETTINGS.iter().map(|parallel| put(parallel)).collect();
        println!(" {label} upload:");
        for (parallel, took) in SETTINGS.iter().zip(&puts) {
            line(&format!("wharf put -r -j {parallel}"), self.files, *took, puts[2]);
        }
        (gets[2], puts[2])
    }
}

/// Wharf, lftp and rclone against one FTP server.
fn compare_ftp(tree: &Tree<'_>, label: &str, port: u16) {
    let (get, put) = tree.wharf("ftp", port, label);
    let lftp = |script: String| {
        run(Command::new("lftp")
            .args(["-u", &format!("{USER},{PASSWORD}"), "-p", &port.to_string()])
            .arg("-e")
            .arg(script)
            .arg("ftp://127.0.0.1"))
    };
    let obscured = String::from_utf8(
        Command::new("rclone")
            .args(["obscure", PASSWORD])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let remote = format!(":ftp,host=127.0.0.1,port={port},user={USER},pass={}:", obscured.trim());
    println!(" {label}, the others:");
    let dir = tree.target("lftp");
    let took = lftp(format!(
        "mirror --parallel=4 {} {}; quit",
        tree.source.display(),
        dir.display()
    ));
    line("lftp mirror --parallel=4 (get)", tree.files, took, get);
    let dir = tree.target("rclone");
    let took = run(Command::new("rclone")
        .args([
            "copy",
            "--transfers",
            "4",
            &format!("{remote}{}", tree.source.display()),
        ])
        .arg(&dir));
    line("rclone copy --transfers 4 (get)", tree.files, took, get);
    let from = tree.local.join("wharf");
    let dir = fresh(tree.base, "up-lftp");
    let took = lftp(format!(
        "mirror -R --parallel=4 {} {}; quit",
        from.display(),
        dir.display()
    ));
    line("lftp mirror -R --parallel=4 (put)", tree.files, took, put);
    let dir = fresh(tree.base, "up-rclone");
    let took = run(Command::new("rclone")
        .args(["copy", "--transfers", "4"])
        .arg(&from)
        .arg(format!("{remote}{}", dir.display())));
    line("rclone copy --transfers 4 (put)", tree.files, took, put);
}

/// Wharf, OpenSSH's sftp and rclone against sshd.
fn compare_sftp(tree: &Tree<'_>) {
    let (sshd, _) = servers::sshd();
    let key = servers::plain_client_key(&sshd);
    let (get, put) = tree.wharf("sftp", sshd.port, "SFTP (OpenSSH)");
    let openssh = |batch: String| {
        let file = tree.local.join("batch");
        std::fs::write(&file, batch).unwrap();
        run(Command::new("sftp")
            .args(["-q", "-R", "64", "-b"])
            .arg(&file)
            .arg("-i")
            .arg(&key)
            .args(["-P", &sshd.port.to_string()])
            .args(["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"])
            .arg(format!("{USER}@127.0.0.1")))
    };
    let remote = format!(
        ":sftp,host=127.0.0.1,port={},user={USER},key_file={}:",
        sshd.port,
        key.display()
    );
    println!(" SFTP (OpenSSH), the others:");
    let dir = tree.target("openssh");
    let took = openssh(format!("get -r {} {}\n", tree.source.display(), dir.display()));
    line("OpenSSH sftp -R 64 get -r", tree.files, took, get);
    let dir = tree.target("rclone");
    let took = run(Command::new("rclone")
        .args([
            "copy",
            "--transfers",
            "4",
            &format!("{remote}{}", tree.source.display()),
        ])
        .arg(&dir));
    line("rclone copy --transfers 4 (get)", tree.files, took, get);
    let from = tree.local.join("wharf");
    let dir = fresh(tree.base, "up-openssh");
    let took = openssh(format!("put -r {} {}\n", from.display(), dir.display()));
    line("OpenSSH sftp -R 64 put -r", tree.files, took, put);
    let dir = fresh(tree.base, "up-rclone");
    let took = run(Command::new("rclone")
        .args(["copy", "--transfers", "4"])
        .arg(&from)
        .arg(format!("{remote}{}", dir.display())));
    line("rclone copy --transfers 4 (put)", tree.files, took, put);
}

/// The first folder of the tree (200 files) over SFTP through a 40 ms round trip
/// (`netproxy.py --delay-ms 20`): Wharf with `-j 4` and with its default, against lftp's
/// `mirror --parallel=4`, each twice, taking turns.
fn long_link(tree: &Tree<'_>) {
    let (sshd, _) = servers::sshd();
    let proxy = servers::netproxy(sshd.port, &["--delay-ms", "20"]);
    let folder = tree.source.join("d0");
    let files = std::fs::read_dir(&folder).unwrap().count();
    let url = format!("sftp://{USER}@127.0.0.1:{}{}", proxy.port(), folder.display());
    let wharf_get = |parallel: &str| {
        let dir = tree.target("long-wharf");
        run(wharf(tree.home, &["--accept-new-host-key"])
            .args(["get", "-r", "-j", parallel, &url])
            .arg(&dir))
    };
    let lftp = || {
        let dir = tree.target("long-lftp");
        run(Command::new("lftp")
            .args(["-u", &format!("{USER},{PASSWORD}"), "-e"])
            .arg(format!(
                "set sftp:auto-confirm yes; set sftp:connect-program \"ssh -a -x -o UserKnownHostsFile=/dev/null\"; \
                 mirror --parallel=4 {} {}; quit",
                folder.display(),
                dir.display()
            ))
            .arg(format!("sftp://127.0.0.1:{}", proxy.port())))
    };
    let mut times: [Vec<Duration>; 3] = Default::default();
    for _ in 0..2 {
        times[0].push(wharf_get("4"));
        times[1].push(wharf_get("auto"));
        times[2].push(lftp());
    }
    let best = |runs: &Vec<Duration>| runs.iter().min().copied().unwrap_or_default();
    println!("\n{files} files of 16 KiB over SFTP through a 40 ms round trip (the faster of two runs):");
    let auto = best(&times[1]);
    line("wharf get -r -j 4", files, best(&times[0]), auto);
    line("wharf get -r -j auto", files, auto, auto);
    line("lftp mirror --parallel=4 (get)", files, best(&times[2]), auto);
}

fn small_files() {
    let files: usize = std::env::var("WHARF_BENCH_FILES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(2000);
    let base = servers::user_folder("bench-queue");
    let source = fresh(&base, "source");
    for n in 0..files {
        let folder = source.join(format!("d{}", n / 200));
        std::fs::create_dir_all(&folder).unwrap();
        let content: Vec<u8> = (0..16 * 1024).map(|i| ((i + n) % 251) as u8).collect();
        std::fs::write(folder.join(format!("f{n:05}.bin")), content).unwrap();
    }
    let meta = std::fs::metadata(&*base).unwrap();
    chown_tree(
        &source,
        std::os::unix::fs::MetadataExt::uid(&meta),
        std::os::unix::fs::MetadataExt::gid(&meta),
    );
    let (local, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let tree = Tree {
        files,
        base: &base,
        source: &source,
        local: local.path(),
        home: home.path(),
    };
    println!(
        "\n{files} files of 16 KiB in {} folders over loopback ({} cores); the last column is the time of \
         wharf's default (-j auto) divided by this one (above 1: this client is faster than Wharf):",
        files.div_ceil(200),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if std::env::var_os("WHARF_BENCH_ONLY_FTP").is_none() {
        compare_sftp(&tree);
        long_link(&tree);
    }
    let (vsftpd, _) = servers::vsftpd(FtpTls::None);
    compare_ftp(&tree, "FTP (vsftpd 3.0.3)", vsftpd.port);
    if std::env::var_os("WHARF_INTEROP_SERVERS").is_some() {
        let (pure, _) = servers::pure_ftpd::start(false);
        compare_ftp(&tree, "FTP (pure-ftpd 1.0.50)", pure.port);
        let (proftpd, _) = servers::proftpd::start(servers::proftpd::Module::Plain);
        compare_ftp(&tree, "FTP (ProFTPD 1.3.8)", proftpd.port);
    } else {
        println!("(WHARF_INTEROP_SERVERS unset: no pure-ftpd and ProFTPD rows; see tests/interop/fetch-servers.sh)");
    }
}

fn main() {
    if Path::new(&format!("/home/{USER}")).is_dir() {
        small_files();
    } else {
        println!("(no interop account: run .ci/run first for the folder benchmark)");
    }
}
