//! Transfer throughput against real servers, side by side with the reference clients:
//! Wharf's SFTP against OpenSSH `sftp`, Wharf's FTP against `curl`, both directions.
//!
//! Run: `cargo bench --features interop --bench transfer` (as root, after `.ci/run` has
//! installed vsftpd, openssh-server and curl and created the test account). The size is 1 GiB;
//! `WHARF_BENCH_MIB=256` makes it smaller. This measures and prints; it asserts nothing.

// Test code: a failed step should stop the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/interop/servers/mod.rs"]
#[allow(dead_code)]
mod servers;
#[path = "../tests/integration/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use servers::{FtpTls, PASSWORD, USER};
use support::context;
use wharf::engine::api::Progress;
use wharf::engine::copy::{CopyControl, UploadTarget, download_file, upload_file};
use wharf::model::location::RemotePath;
use wharf::model::{Protocol, Site};
use wharf::protocol::RemoteFs;

/// A site for the interop account.
fn site(protocol: Protocol, port: u16) -> Site {
    support::site(protocol, port, USER, PASSWORD)
}

fn time(run: impl FnOnce()) -> Duration {
    let start = Instant::now();
    run();
    start.elapsed()
}

/// Runs the two contenders alternately `ROUNDS` times and keeps each one's best time, so that
/// page-cache and write-back effects do not favour whoever runs second.
fn best_of(mut wharf: impl FnMut(), mut reference: impl FnMut()) -> (Duration, Duration) {
    const ROUNDS: usize = 2;
    let (mut best_wharf, mut best_reference) = (Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        best_wharf = best_wharf.min(time(&mut wharf));
        best_reference = best_reference.min(time(&mut reference));
    }
    (best_wharf, best_reference)
}

fn rate(bytes: u64, took: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / took.as_secs_f64()
}

fn report(what: &str, bytes: u64, wharf: Duration, reference_name: &str, reference: Duration) {
    println!(
        "{what:<18} wharf {:>8.1} MiB/s   {reference_name:<13} {:>8.1} MiB/s   ratio {:.2}",
        rate(bytes, wharf),
        rate(bytes, reference),
        reference.as_secs_f64() / wharf.as_secs_f64()
    );
}

fn wharf_download(fs: &mut dyn RemoteFs, remote: &RemotePath, target: &Path) {
    let (cancel, progress) = (AtomicBool::new(false), Progress::default());
    let source = fs.stat(remote).unwrap();
    let _ = std::fs::remove_file(target);
    download_file(
        fs,
        remote,
        &source,
        target,
        &CopyControl {
            cancel: &cancel,
            progress: &progress,
            throttle: &|_| {},
            preserve_mtime: true,
        },
    )
    .unwrap();
}

fn wharf_upload(fs: &mut dyn RemoteFs, source: &Path, remote: &RemotePath) {
    // Every round writes a fresh file, as the reference clients do.
    let _ = std::fs::remove_file(remote.as_str());
    let (cancel, progress) = (AtomicBool::new(false), Progress::default());
    upload_file(
        fs,
        source,
        remote,
        UploadTarget::ViaTemp { resume: false },
        &CopyControl {
            cancel: &cancel,
            progress: &progress,
            throttle: &|_| {},
            preserve_mtime: true,
        },
    )
    .unwrap();
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn main() {
    let mib: u64 = std::env::var("WHARF_BENCH_MIB")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1024);
    let bytes = mib * 1024 * 1024;
    let folder = servers::user_folder("bench");
    let source = folder.join("source.bin");
    {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&source).unwrap());
        let block: Vec<u8> = (0..1024 * 1024).map(|i| (i * 7 % 251) as u8).collect();
        for _ in 0..mib {
            file.write_all(&block).unwrap();
        }
    }
    let (uid, gid) = {
        let meta = std::fs::metadata(&folder).unwrap();
        (
            std::os::unix::fs::MetadataExt::uid(&meta),
            std::os::unix::fs::MetadataExt::gid(&meta),
        )
    };
    std::os::unix::fs::chown(&source, Some(uid), Some(gid)).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("target.bin");
    let remote_source = RemotePath::new(source.to_str().unwrap());
    let remote_upload = RemotePath::new(folder.join("upload.bin").to_str().unwrap());
    println!(
        "Transfers of {mib} MiB over loopback ({} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // SFTP against OpenSSH's sftp.
    let (sshd, _) = servers::sshd();
    let key = servers::plain_client_key(&sshd);
    let mut sftp = wharf::protocol::sftp::SftpFs::connect(&site(Protocol::Sftp, sshd.port), &context()).unwrap();
    println!("SFTP cipher: {}", sftp.security());
    let batch = local.path().join("batch");
    std::fs::write(
        &batch,
        format!(
            "get {} {}\n",
            source.display(),
            local.path().join("openssh.bin").display()
        ),
    )
    .unwrap();
    let openssh = |batch: &Path| {
        let mut command = Command::new("sftp");
        command
            .args(["-q", "-b"])
            .arg(batch)
            .args(["-i"])
            .arg(&key)
            .args([
                "-P",
                &sshd.port.to_string(),
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
            ])
            .arg(format!("{USER}@127.0.0.1"));
        command
    };
    let (wharf_get, openssh_get) = best_of(
        || wharf_download(&mut sftp, &remote_source, &target),
        || run(&mut openssh(&batch)),
    );
    report("SFTP download", bytes, wharf_get, "OpenSSH sftp", openssh_get);
    let put_batch = local.path().join("put-batch");
    let put = format!("put {} {}\n", target.display(), folder.join("openssh-up.bin").display());
    std::fs::write(&put_batch, put).unwrap();
    let (wharf_put, openssh_put) = best_of(
        || wharf_upload(&mut sftp, &target, &remote_upload),
        || {
            let _ = std::fs::remove_file(folder.join("openssh-up.bin"));
            run(&mut openssh(&put_batch))
        },
    );
    report("SFTP upload", bytes, wharf_put, "OpenSSH sftp", openssh_put);
    drop(sftp);

    // FTP against curl.
    let (vsftpd, _) = servers::vsftpd(FtpTls::None);
    let mut ftp = wharf::protocol::ftp::FtpFs::connect(&site(Protocol::Ftp, vsftpd.port), &context()).unwrap();
    let url = format!("ftp://{USER}:{PASSWORD}@127.0.0.1:{}", vsftpd.port);
    let (wharf_get, curl_get) = best_of(
        || wharf_download(&mut ftp, &remote_source, &target),
        || {
            run(Command::new("curl")
                .args(["-sS", "-o"])
                .arg(local.path().join("curl.bin"))
                .arg(format!(
                    "{url}/%2F{}",
                    source.display().to_string().trim_start_matches('/')
                )))
        },
    );
    report("FTP download", bytes, wharf_get, "curl", curl_get);
    let (wharf_put, curl_put) = best_of(
        || wharf_upload(&mut ftp, &target, &remote_upload),
        || {
            let _ = std::fs::remove_file(folder.join("curl-up.bin"));
            run(Command::new("curl").args(["-sS", "-T"]).arg(&target).arg(format!(
                "{url}/%2F{}/curl-up.bin",
                folder.display().to_string().trim_start_matches('/')
            )))
        },
    );
    report("FTP upload", bytes, wharf_put, "curl", curl_put);
}
