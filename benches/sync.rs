//! Folder synchronisation: what planning costs, and whole syncs side by side with lftp and
//! rclone.
//!
//! 1. The planner alone (no server): two trees of 25,000, 50,000 and 100,000 files a side
//!    (1% changed, 1% new, 1% only on the target, in folders of 100), planned three times
//!    each; the median time and the memory the trees and the plan take.
//! 2. With the interop account (after `.ci/run`; `apt-get install lftp rclone`): a folder
//!    of 2,000 files of 1 KiB in 20 folders synchronised to vsftpd and to OpenSSH's sshd by
//!    `wharf sync --delete`, `lftp mirror -R --delete --parallel=4` and `rclone sync
//!    --transfers 4`: the first sync, a second with nothing changed, and a third after 20
//!    files changed, 20 were added and 20 deleted. Each client has a target of its own, and
//!    each result is checked against the source.
//!
//! Run: `cargo bench --features interop --bench sync` (as root, for the account's folders).
//! `WHARF_BENCH_FILES=500` makes part 2 smaller, `WHARF_BENCH_ONLY_PLAN=1` leaves it out. This measures and prints; it asserts nothing.

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
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use servers::{FtpTls, PASSWORD, USER};
use support::{resident_kib, run};
use wharf::engine::api::{EntryKind, SyncOptions, TimeSource, Tree, TreeEntry};

/// A tree of `files` files in folders of 100, as a listing would give it.
fn tree(files: usize, times: TimeSource, change: impl Fn(usize) -> Option<(u64, i64)>) -> Tree {
    let base: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap();
    let mut entries = Vec::with_capacity(files + files / 100);
    for n in 0..files {
        if n % 100 == 0 {
            entries.push(TreeEntry {
                path: format!("photos/album {:04}", n / 100),
                kind: EntryKind::Dir,
                size: None,
                modified: None,
                checksum: None,
            });
        }
        let Some((size, seconds)) = change(n) else {
            continue;
        };
        entries.push(TreeEntry {
            path: format!("photos/album {:04}/IMG_{n:06}.jpg", n / 100),
            kind: EntryKind::File,
            size: Some(size),
            modified: Some(base + chrono::TimeDelta::seconds(seconds)),
            checksum: None,
        });
    }
    Tree {
        entries,
        refused: Vec::new(),
        exists: true,
        times: Some(times),
        keeps_times: true,
    }
}

/// Each size in a process of its own, so that memory freed by one size is not counted as
/// taken by the next.
fn planning() {
    println!("Planning a sync (one core; median of 3; each size in a fresh process):");
    for files in [25_000, 50_000, 100_000] {
        let output = Command::new(std::env::current_exe().unwrap())
            .env("WHARF_BENCH_PLAN_FILES", files.to_string())
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&output.stdout));
    }
}

/// One size of [`planning`], in this process.
fn plan_once(files: usize) {
    let before = resident_kib();
    // The source: every file but each hundredth (only on the target).
    let source = tree(files, TimeSource::Exact, |n| {
        (n % 100 != 7).then_some((2_000_000 + n as u64, n as i64 * 60))
    });
    // The target, listed by FTP to the minute: 1% changed, 1% missing.
    let target = tree(files, TimeSource::Listing, |n| match n % 100 {
        3 => None,
        5 => Some((1, n as i64 * 60)),
        _ => Some((2_000_000 + n as u64, n as i64 * 60)),
    });
    let trees = resident_kib().saturating_sub(before);
    let options = SyncOptions {
        delete: true,
        exclude: vec!["*.tmp".into(), "cache/".into()],
        ..SyncOptions::default()
    };
    let mut times = Vec::new();
    let mut plan = None;
    for _ in 0..3 {
        let started = Instant::now();
        plan = Some(wharf::engine::sync::plan(&source, &target, &options, Utc::now()).unwrap());
        times.push(started.elapsed());
    }
    times.sort();
    let plan = plan.unwrap_or_default();
    let totals = plan.totals();
    let with_plan = resident_kib().saturating_sub(before);
    println!(
        "  {files:>7} files a side: {:>6.0} ms; {} to copy, {} to update, {} to delete; the two trees {:.1} MiB \
         ({} bytes a file a side), trees and plan {:.1} MiB",
        times[1].as_secs_f64() * 1000.0,
        totals.copy,
        totals.update,
        totals.delete,
        trees as f64 / 1024.0,
        trees * 1024 / (2 * files as u64),
        with_plan as f64 / 1024.0
    );
}

/// Every file under `dir` with its bytes, sorted, leaving out Wharf's trash.
fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            if relative.starts_with(".wharf-trash") {
                continue;
            }
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Makes the command that syncs a source folder to a target folder on the server.
type SyncCommand = Box<dyn Fn(&Path, &Path) -> Command>;

/// One client's way of syncing the source to a folder on the server.
struct Client {
    name: &'static str,
    target: PathBuf,
    command: SyncCommand,
}

/// The three steps for each client, in turn; prints a table.
fn compare(label: &str, source: &Path, clients: &[Client]) {
    let mut times = vec![Vec::new(); clients.len()];
    for (client, times) in clients.iter().zip(&mut times) {
        times.push(run(&mut (client.command)(source, &client.target)));
        assert_eq!(files_of(&client.target), files_of(source), "{}", client.name);
        times.push(run(&mut (client.command)(source, &client.target)));
    }
    change(source);
    for (client, times) in clients.iter().zip(&mut times) {
        times.push(run(&mut (client.command)(source, &client.target)));
        assert_eq!(files_of(&client.target), files_of(source), "{}", client.name);
    }
    restore(source);
    println!("\n {label} (seconds: first sync, nothing changed, 60 changes):");
    for (client, times) in clients.iter().zip(&times) {
        println!(
            "  {:<44} {:>6.2} {:>6.2} {:>6.2}",
            client.name,
            times[0].as_secs_f64(),
            times[1].as_secs_f64(),
            times[2].as_secs_f64()
        );
    }
}

/// 20 files changed (longer), 20 new, 20 deleted.
fn change(source: &Path) {
    for n in 0..20 {
        let folder = source.join(format!("d{n:02}"));
        std::fs::write(
            folder.join("f0000.txt"),
            format!("changed {n}, and longer than before\n"),
        )
        .unwrap();
        std::fs::write(folder.join("new.txt"), format!("new {n}\n")).unwrap();
        std::fs::remove_file(folder.join("f0001.txt")).unwrap();
    }
}

/// Undoes [`change`] for the next server.
fn restore(source: &Path) {
    for n in 0..20 {
        let folder = source.join(format!("d{n:02}"));
        std::fs::remove_file(folder.join("new.txt")).unwrap();
        for file in ["f0000.txt", "f0001.txt"] {
            std::fs::write(folder.join(file), content(file)).unwrap();
        }
    }
}

fn content(name: &str) -> Vec<u8> {
    name.bytes().cycle().take(1024).collect()
}

fn make_source(root: &Path, files: usize) {
    for n in 0..files {
        let folder = root.join(format!("d{:02}", n % 20));
        std::fs::create_dir_all(&folder).unwrap();
        let name = format!("f{:04}.txt", n / 20);
        std::fs::write(folder.join(&name), content(&name)).unwrap();
    }
}

/// A fresh, empty folder the account owns, under `base`.
fn fresh(base: &Path, name: &str) -> PathBuf {
    let dir = base.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let meta = std::fs::metadata(base).unwrap();
    std::os::unix::fs::chown(
        &dir,
        Some(std::os::unix::fs::MetadataExt::uid(&meta)),
        Some(std::os::unix::fs::MetadataExt::gid(&meta)),
    )
    .unwrap();
    dir
}

fn wharf_client(home: &Path, base: &Path, scheme: &'static str, port: u16) -> Client {
    let home = home.to_path_buf();
    Client {
        name: "wharf sync --delete",
        target: fresh(base, &format!("wharf-{scheme}")),
        command: Box::new(move |source, target| {
            let mut command = Command::new(env!("CARGO_BIN_EXE_wharf"));
            command
                .args(["sync", "--delete", "--accept-new-host-key"])
                .arg(source)
                .arg(format!("{scheme}://{USER}@127.0.0.1:{port}{}", target.display()))
                .env("WHARF_HOME", &home)
                .env("WHARF_PASSWORD", PASSWORD)
                .env_remove("SSH_AUTH_SOCK");
            command
        }),
    }
}

fn lftp_client(base: &Path, scheme: &'static str, port: u16) -> Client {
    Client {
        name: "lftp mirror -R --delete --parallel=4",
        target: fresh(base, &format!("lftp-{scheme}")),
        command: Box::new(move |source, target| {
            let mut command = Command::new("lftp");
            command
                .args(["-u", &format!("{USER},{PASSWORD}"), "-p", &port.to_string(), "-e"])
                .arg(format!(
                    "set sftp:auto-confirm yes; set sftp:connect-program \"ssh -a -x -o UserKnownHostsFile=/dev/null\"; \
                     mirror -R --delete --parallel=4 {} {}; quit",
                    source.display(),
                    target.display()
                ))
                .arg(format!("{scheme}://127.0.0.1"));
            command
        }),
    }
}

fn rclone_client(base: &Path, scheme: &'static str, remote: String) -> Client {
    Client {
        name: "rclone sync --transfers 4",
        target: fresh(base, &format!("rclone-{scheme}")),
        command: Box::new(move |source, target| {
            let mut command = Command::new("rclone");
            command
                .args(["sync", "--transfers", "4"])
                .arg(source)
                .arg(format!("{remote}{}", target.display()));
            command
        }),
    }
}

fn side_by_side() {
    let files: usize = std::env::var("WHARF_BENCH_FILES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(2000);
    let base = servers::user_folder("bench-sync");
    let (local, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let source = local.path().join("site");
    make_source(&source, files);
    println!(
        "\nSyncing {files} files of 1 KiB in 20 folders to a server on loopback ({} cores):",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let (vsftpd, _) = servers::vsftpd(FtpTls::None);
    let obscured = String::from_utf8(
        Command::new("rclone")
            .args(["obscure", PASSWORD])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let ftp_remote = format!(
        ":ftp,host=127.0.0.1,port={},user={USER},pass={}:",
        vsftpd.port,
        obscured.trim()
    );
    compare(
        "FTP (vsftpd 3.0.3)",
        &source,
        &[
            wharf_client(home.path(), &base, "ftp", vsftpd.port),
            lftp_client(&base, "ftp", vsftpd.port),
            rclone_client(&base, "ftp", ftp_remote),
        ],
    );

    let (sshd, _) = servers::sshd();
    let key = servers::plain_client_key(&sshd);
    let sftp_remote = format!(
        ":sftp,host=127.0.0.1,port={},user={USER},key_file={}:",
        sshd.port,
        key.display()
    );
    compare(
        "SFTP (OpenSSH)",
        &source,
        &[
            wharf_client(home.path(), &base, "sftp", sshd.port),
            lftp_client(&base, "sftp", sshd.port),
            rclone_client(&base, "sftp", sftp_remote),
        ],
    );
}

fn main() {
    if let Some(files) = std::env::var("WHARF_BENCH_PLAN_FILES")
        .ok()
        .and_then(|files| files.parse().ok())
    {
        plan_once(files);
        return;
    }
    planning();
    if std::env::var_os("WHARF_BENCH_ONLY_PLAN").is_some() {
        return;
    }
    if Path::new(&format!("/home/{USER}")).is_dir() {
        side_by_side();
    } else {
        println!("(no interop account: run .ci/run first for the side-by-side syncs)");
    }
}
