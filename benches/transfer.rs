//! Large-file transfers side by side with the reference clients, each run as a user would
//! run it (a fresh process that logs in, moves the file and exits):
//!
//! - over loopback, a 1 GiB file each way: `wharf get|put` against OpenSSH `sftp` (with
//!   Wharf's cipher, aes128-gcm) and rclone over SFTP to sshd, and against curl, lftp and
//!   rclone over FTP, and curl and lftp over FTPS (explicit TLS, vsftpd's self-signed
//!   certificate accepted by each client), to vsftpd;
//! - through `netproxy.py --delay-ms 20` (a 40 ms round trip), 256 MiB each way over SFTP
//!   against OpenSSH `sftp`;
//! - WebDAV to Apache's mod_dav and S3 to moto's server, a 1 GiB file each way, against
//!   curl (`--aws-sigv4` for S3) and rclone (`:webdav:`, `:s3:`); `WHARF_BENCH_ONLY=web`
//!   runs these alone.
//!
//! The contenders take turns (the order rotates every round, and the disk is synced before
//! each run), this computer's files are in /dev/shm, each output is compared with
//! the source byte for byte, and the table gives the median time, the peak memory (RSS) and
//! the ratio of the best peer's median to Wharf's (above 1: Wharf is faster). A run whose
//! file differs is reported, never timed.
//!
//! Run: `cargo bench --features interop --bench transfer` as root after `.ci/run` (it
//! installs the servers and the test account; `apt-get install lftp rclone time` for those
//! two and the memory figures).
//! `WHARF_BENCH_MIB`, `WHARF_BENCH_LONG_MIB` and `WHARF_BENCH_ROUNDS` change the sizes and
//! the number of rounds (1024, 256, 3). This measures and prints; it asserts nothing.

// Test code: a failed step should stop the benchmark with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/interop/servers/mod.rs"]
#[allow(dead_code)]
mod servers;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use servers::{FtpTls, PASSWORD, USER};

/// One client's way of doing a case: a program with its arguments, and the file it leaves.
struct Contender {
    name: String,
    program: String,
    args: Vec<String>,
    /// What the program needs from the environment (Wharf's home and password).
    env: Vec<(&'static str, String)>,
    output: PathBuf,
    /// For an upload whose result is no file here (an S3 object): the command that fetches
    /// it to `output`, untimed, for the comparison.
    fetch: Option<Vec<String>>,
}

impl Contender {
    fn new(name: &str, program: &str, args: &[&str], output: &Path) -> Contender {
        Contender {
            name: name.to_owned(),
            program: program.to_owned(),
            args: args.iter().map(|arg| (*arg).to_owned()).collect(),
            env: Vec::new(),
            output: output.to_owned(),
            fetch: None,
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .envs(self.env.iter().map(|(name, value)| (name, value)))
            .env_remove("SSH_AUTH_SOCK")
            // rclone 1.60's AWS SDK refuses any custom CA bundle with its own transport, and
            // every endpoint here is plain HTTP.
            .env_remove("AWS_CA_BUNDLE");
        command
    }
}

/// What one run of a contender measured.
struct Run {
    took: Duration,
    peak_kib: u64,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Runs `command` to its end under GNU time, for its peak resident memory; its time is
/// measured here.
fn measure(command: Command) -> Result<Run, String> {
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(command.get_program())
        .args(command.get_args());
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => timed.env(name, value),
            None => timed.env_remove(name),
        };
    }
    let start = Instant::now();
    let output = timed
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("{command:?}: {error} (is GNU time installed?)"))?;
    let took = start.elapsed();
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let peak_kib = std::fs::read_to_string(report.path())
        .ok()
        .and_then(|text| text.lines().last()?.trim().parse().ok())
        .unwrap_or(0);
    Ok(Run { took, peak_kib })
}

/// Whether two files hold the same bytes.
fn same_bytes(a: &Path, b: &Path) -> bool {
    let (Ok(mut a), Ok(mut b)) = (std::fs::File::open(a), std::fs::File::open(b)) else {
        return false;
    };
    let (mut left, mut right) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let count = a.read(&mut left).unwrap();
        if b.read_exact(&mut right[..count]).is_err() || left[..count] != right[..count] {
            return false;
        }
        if count == 0 {
            return b.read(&mut right).unwrap() == 0;
        }
    }
}

fn median(mut values: Vec<Duration>) -> Option<Duration> {
    values.sort();
    values.get(values.len() / 2).copied()
}

/// Runs every contender `rounds` times in turn, checks each output against `source`, and
/// prints one row per contender. The first contender is Wharf.
fn case(label: &str, bytes: u64, source: &Path, contenders: &[Contender], rounds: usize) {
    let mut runs: Vec<Vec<Run>> = contenders.iter().map(|_| Vec::new()).collect();
    let mut failures: Vec<Vec<String>> = contenders.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        for turn in 0..contenders.len() {
            let index = (turn + round) % contenders.len();
            let contender = &contenders[index];
            let _ = std::fs::remove_file(&contender.output);
            // The last run's file is written to disk first, so that no run pays for another's.
            let _ = Command::new("sync").status();
            let measured = measure(contender.command());
            if let Some(fetch) = &contender.fetch {
                let _ = Command::new(&fetch[0]).args(&fetch[1..]).status();
            }
            match measured {
                Ok(run) if same_bytes(&contender.output, source) => runs[index].push(run),
                Ok(_) => failures[index].push("its file differs from the source".to_owned()),
                Err(error) => failures[index].push(error),
            }
            let _ = std::fs::remove_file(&contender.output);
        }
    }
    let medians: Vec<Option<Duration>> = runs
        .iter()
        .map(|runs| median(runs.iter().map(|run| run.took).collect()))
        .collect();
    let best_peer = medians[1..].iter().flatten().min().copied();
    println!("\n{label}");
    for (index, contender) in contenders.iter().enumerate() {
        let peak = runs[index].iter().map(|run| run.peak_kib).max().unwrap_or(0);
        let Some(took) = medians[index] else {
            println!("  {:<34} no good run: {}", contender.name, failures[index].join("; "));
            continue;
        };
        let ratio = match (index, best_peer) {
            (0, Some(peer)) => format!("   ratio {:.2}", peer.as_secs_f64() / took.as_secs_f64()),
            _ => String::new(),
        };
        let failed = if failures[index].is_empty() {
            String::new()
        } else {
            format!("   ({} bad runs: {})", failures[index].len(), failures[index][0])
        };
        println!(
            "  {:<34} {:>7.2} s {:>8.1} MiB/s {:>7.1} MiB peak{ratio}{failed}",
            contender.name,
            took.as_secs_f64(),
            bytes as f64 / 1048576.0 / took.as_secs_f64(),
            peak as f64 / 1024.0,
        );
    }
}

/// The benchmark's files and Wharf's own home, shared by every case.
struct Setup {
    rounds: usize,
    remote: servers::UserFolder,
    local: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Setup {
    /// `wharf ARGS` with this benchmark's home and the test account's password.
    fn wharf(&self, name: &str, args: &[&str], output: &Path) -> Contender {
        let mut all = vec!["--accept-new-host-key"];
        all.extend_from_slice(args);
        let mut contender = Contender::new(name, env!("CARGO_BIN_EXE_wharf"), &all, output);
        contender.env = vec![
            ("WHARF_HOME", self.home.path().display().to_string()),
            ("WHARF_PASSWORD", PASSWORD.to_owned()),
        ];
        contender
    }

    /// A file of `mib` MiB on the server's side, owned by the test account.
    fn source(&self, name: &str, mib: u64) -> PathBuf {
        let path = self.remote.join(name);
        write_pattern(&path, mib);
        let (uid, gid) = servers::account_ids();
        std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
        path
    }
}

/// OpenSSH's `sftp` with Wharf's cipher, then `rest`.
fn openssh_sftp(key: &str, port: u16, rest: &[&str], output: &Path) -> Contender {
    let port = port.to_string();
    let mut args = vec!["-q", "-o", "Ciphers=aes128-gcm@openssh.com", "-i", key, "-P", &port];
    args.extend_from_slice(&["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]);
    args.extend_from_slice(rest);
    Contender::new("OpenSSH sftp (aes128-gcm)", "sftp", &args, output)
}

fn text(path: &Path) -> String {
    path.display().to_string()
}

/// SFTP get and put of `source` through `port` (sshd itself, or a proxy in front of it).
fn sftp_cases(setup: &Setup, where_: &str, port: u16, key: &Path, source: &Path, mib: u64, rclone: bool) {
    let url = |path: &Path| format!("sftp://{USER}@127.0.0.1:{port}{}", path.display());
    let key = text(key);
    let rclone_remote = format!(":sftp,host=127.0.0.1,port={port},user={USER},key_file={key}:");
    let bytes = mib * 1048576;

    let download = setup.local.path().join("download.bin");
    let mut contenders = vec![
        setup.wharf(
            "wharf get",
            &["get", "-i", &key, &url(source), &text(&download)],
            &download,
        ),
        openssh_sftp(
            &key,
            port,
            &[&format!("{USER}@127.0.0.1:{}", source.display()), &text(&download)],
            &download,
        ),
    ];
    if rclone {
        let from = format!("{rclone_remote}{}", source.display());
        contenders.push(Contender::new(
            "rclone copyto (sftp)",
            "rclone",
            &["copyto", &from, &text(&download)],
            &download,
        ));
    }
    let label = format!("SFTP get, {mib} MiB, {where_}");
    case(&label, bytes, source, &contenders, setup.rounds);

    let upload = setup.remote.join("upload.bin");
    let local_source = setup.local.path().join("source.bin");
    std::fs::copy(source, &local_source).unwrap();
    let batch = setup.local.path().join("put.batch");
    std::fs::write(&batch, format!("put {} {}\n", local_source.display(), upload.display())).unwrap();
    let mut contenders = vec![
        setup.wharf(
            "wharf put",
            &["put", "-i", &key, &text(&local_source), &url(&upload)],
            &upload,
        ),
        openssh_sftp(
            &key,
            port,
            &["-b", &text(&batch), &format!("{USER}@127.0.0.1")],
            &upload,
        ),
    ];
    if rclone {
        let to = format!("{rclone_remote}{}", upload.display());
        contenders.push(Contender::new(
            "rclone copyto (sftp)",
            "rclone",
            &["copyto", &text(&local_source), &to],
            &upload,
        ));
    }
    let label = format!("SFTP put, {mib} MiB, {where_}");
    case(&label, bytes, &local_source, &contenders, setup.rounds);
    let _ = std::fs::remove_file(local_source);
}

/// SFTP get of `source` from `target` through the jump host `gate`, against OpenSSH's
/// `sftp` with the same `~/.ssh/config` (`ProxyJump gate`): both hops encrypt every byte,
/// and Wharf also carries it through its bridge thread.
fn jump_cases(setup: &Setup, gate: &servers::Running, target: &servers::Running, source: &Path, mib: u64) {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".ssh/config");
    std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
    let block = |alias: &str, server: &servers::Running, extra: &str| {
        format!(
            "Host {alias}\n  HostName 127.0.0.1\n  Port {}\n  User {USER}\n  IdentityFile {}\n  \
             StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  Ciphers aes128-gcm@openssh.com\n{extra}",
            server.port,
            servers::plain_client_key(server).display()
        )
    };
    std::fs::write(
        &config,
        format!(
            "{}{}",
            block("gate", gate, ""),
            block("inner", target, "  ProxyJump gate\n")
        ),
    )
    .unwrap();
    let download = setup.local.path().join("through.bin");
    let mut wharf = setup.wharf(
        "wharf get",
        &["get", &format!("sftp://inner{}", source.display()), &text(&download)],
        &download,
    );
    wharf.env.push(("HOME", home.path().display().to_string()));
    let openssh = Contender::new(
        "OpenSSH sftp -F (ProxyJump)",
        "sftp",
        &[
            "-q",
            "-F",
            &text(&config),
            &format!("inner:{}", source.display()),
            &text(&download),
        ],
        &download,
    );
    let label = format!("SFTP get, {mib} MiB, through a jump host (two OpenSSH sshd)");
    case(&label, mib * 1048576, source, &[wharf, openssh], setup.rounds);
}

/// FTP get and put of `source` to vsftpd against curl, lftp and rclone, in the clear or
/// with explicit TLS (each client told to accept the server's self-signed certificate).
/// rclone 1.60 cannot take part over TLS: vsftpd demands that data connections resume the
/// control connection's TLS session, and rclone's attempt ends in "tls: illegal parameter".
fn ftp_cases(setup: &Setup, port: u16, tls: bool, source: &Path, mib: u64) {
    let (scheme, protocol) = if tls { ("ftpes", "FTPS") } else { ("ftp", "FTP") };
    let url = |path: &Path| format!("{scheme}://{USER}@127.0.0.1:{port}{}", path.display());
    let wharf_tls: &[&str] = if tls { &["--accept-new-cert"] } else { &[] };
    let curl_tls: &[&str] = if tls { &["--ssl-reqd", "-k"] } else { &[] };
    let lftp_tls = if tls {
        "set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:verify-certificate no; "
    } else {
        ""
    };
    // curl's URL paths are relative to the login folder; %2F makes them absolute.
    let curl_url = |path: &Path| {
        format!(
            "ftp://{USER}:{PASSWORD}@127.0.0.1:{port}/%2F{}",
            path.display().to_string().trim_start_matches('/')
        )
    };
    let obscured = Command::new("rclone")
        .args(["obscure", PASSWORD])
        .output()
        .unwrap()
        .stdout;
    let rclone_remote = format!(
        ":ftp,host=127.0.0.1,port={port},user={USER},pass={}:",
        String::from_utf8_lossy(&obscured).trim()
    );
    // `from_server`: the source is the server's (a download), else the target is.
    let rclone = |from: &str, to: &str, from_server: bool, output: &Path| {
        let (from, to) = match from_server {
            true => (format!("{rclone_remote}{from}"), to.to_owned()),
            false => (from.to_owned(), format!("{rclone_remote}{to}")),
        };
        Contender::new("rclone copyto (ftp)", "rclone", &["copyto", &from, &to], output)
    };
    let login = format!("{USER},{PASSWORD}");
    let port_text = port.to_string();
    let lftp = |name: &str, script: &str, output: &Path| {
        let script = format!("{lftp_tls}{script}");
        let args = ["-u", &login, "-p", &port_text, "-e", &script, "ftp://127.0.0.1"];
        Contender::new(name, "lftp", &args, output)
    };

    let bytes = mib * 1048576;

    let download = setup.local.path().join("download.bin");
    let (source_url, download_text) = (url(source), text(&download));
    let (curl_source, download_args) = (curl_url(source), ["-sS", "-o", &download_text]);
    let mut contenders = vec![
        setup.wharf(
            "wharf get",
            &[wharf_tls, &["get", &source_url, &download_text]].concat(),
            &download,
        ),
        Contender::new(
            "curl",
            "curl",
            &[curl_tls, &download_args, &[&curl_source]].concat(),
            &download,
        ),
        lftp(
            "lftp get",
            &format!("get {} -o {}; quit", source.display(), download.display()),
            &download,
        ),
    ];
    if !tls {
        contenders.push(rclone(&text(source), &download_text, true, &download));
    }
    let label = format!("{protocol} get, {mib} MiB, loopback (vsftpd)");
    case(&label, bytes, source, &contenders, setup.rounds);

    let local_source = setup.local.path().join("source.bin");
    std::fs::copy(source, &local_source).unwrap();
    let upload = setup.remote.join("upload.bin");
    let (local_text, upload_url, curl_upload) = (text(&local_source), url(&upload), curl_url(&upload));
    let mut contenders = vec![
        setup.wharf(
            "wharf put",
            &[wharf_tls, &["put", &local_text, &upload_url]].concat(),
            &upload,
        ),
        Contender::new(
            "curl -T",
            "curl",
            &[curl_tls, &["-sS", "-T", &local_text, &curl_upload]].concat(),
            &upload,
        ),
        lftp(
            "lftp put",
            &format!("put {} -o {}; quit", local_source.display(), upload.display()),
            &upload,
        ),
    ];
    if !tls {
        contenders.push(rclone(&local_text, &text(&upload), false, &upload));
    }
    let label = format!("{protocol} put, {mib} MiB, loopback (vsftpd)");
    case(&label, bytes, &local_source, &contenders, setup.rounds);
    let _ = std::fs::remove_file(local_source);
}

/// WebDAV (Apache mod_dav, Basic) and S3 (moto), each way, against curl and rclone.
fn web_cases(setup: &Setup, mib: u64) {
    let bytes = mib * 1048576;
    let local_source = setup.local.path().join("web-source.bin");
    write_pattern(&local_source, mib);
    let download = setup.local.path().join("web-download.bin");
    let obscure = |secret: &str| {
        let out = Command::new("rclone")
            .args(["obscure", secret])
            .output()
            .unwrap()
            .stdout;
        String::from_utf8_lossy(&out).trim().to_owned()
    };

    let apache = servers::apache::start(servers::apache::DavAuth::Basic);
    let root = servers::apache::dav_root(&apache);
    std::fs::copy(&local_source, root.join("big.bin")).unwrap();
    let (uid, gid) = servers::account_ids();
    std::os::unix::fs::chown(root.join("big.bin"), Some(uid), Some(gid)).unwrap();
    let http = format!("http://127.0.0.1:{}", apache.port);
    let dav = format!("dav://{USER}@127.0.0.1:{}", apache.port);
    let login = format!("{USER}:{PASSWORD}");
    // Values with `:` are quoted in rclone's connection strings.
    let remote = format!(":webdav,url='{http}',user={USER},pass={}:", obscure(PASSWORD));
    let (download_text, source_text) = (text(&download), text(&local_source));
    let contenders = [
        setup.wharf(
            "wharf get",
            &["get", &format!("{dav}/big.bin"), &download_text],
            &download,
        ),
        Contender::new(
            "curl",
            "curl",
            &["-sS", "-u", &login, "-o", &download_text, &format!("{http}/big.bin")],
            &download,
        ),
        Contender::new(
            "rclone copyto (webdav)",
            "rclone",
            &["copyto", &format!("{remote}big.bin"), &download_text],
            &download,
        ),
    ];
    case(
        &format!("WebDAV get, {mib} MiB, loopback (Apache mod_dav)"),
        bytes,
        &local_source,
        &contenders,
        setup.rounds,
    );
    let upload = root.join("upload.bin");
    let contenders = [
        setup.wharf(
            "wharf put",
            &["put", &source_text, &format!("{dav}/upload.bin")],
            &upload,
        ),
        Contender::new(
            "curl -T",
            "curl",
            &["-sS", "-u", &login, "-T", &source_text, &format!("{http}/upload.bin")],
            &upload,
        ),
        Contender::new(
            "rclone copyto (webdav)",
            "rclone",
            &["copyto", &source_text, &format!("{remote}upload.bin")],
            &upload,
        ),
    ];
    case(
        &format!("WebDAV put, {mib} MiB, loopback (Apache mod_dav)"),
        bytes,
        &local_source,
        &contenders,
        setup.rounds,
    );
    drop(apache);

    let moto = servers::moto::start();
    let endpoint = servers::moto::endpoint(&moto);
    let (key, secret) = servers::moto::ANY_KEY;
    let bucket = servers::moto::BUCKET;
    let object = |name: &str| format!("{endpoint}/{bucket}/{name}");
    let curl_s3 = |rest: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "curl",
            "-sS",
            "--aws-sigv4",
            "aws:amz:us-east-1:s3",
            "-u",
            &format!("{key}:{secret}"),
        ]
        .iter()
        .map(|arg| (*arg).to_owned())
        .collect();
        args.extend(rest.iter().map(|arg| (*arg).to_owned()));
        args
    };
    let seed = curl_s3(&["-T", &source_text, &object("big.bin")]);
    assert!(Command::new(&seed[0]).args(&seed[1..]).status().unwrap().success());
    let rclone_s3 = format!(
        ":s3,provider=Other,endpoint='{endpoint}',access_key_id={key},secret_access_key={secret},force_path_style=true:{bucket}/"
    );
    let s3_wharf = |name: &str, args: &[&str], output: &Path| {
        let mut contender = setup.wharf(name, args, output);
        contender.env.extend([
            ("AWS_ENDPOINT_URL", endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", key.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", secret.to_owned()),
        ]);
        contender
    };
    let curl_get = curl_s3(&["-o", &download_text, &object("big.bin")]);
    let contenders = [
        s3_wharf(
            "wharf get",
            &["get", &format!("s3://{bucket}/big.bin"), &download_text],
            &download,
        ),
        Contender::new(
            "curl --aws-sigv4",
            "curl",
            &curl_get[1..].iter().map(String::as_str).collect::<Vec<_>>(),
            &download,
        ),
        Contender::new(
            "rclone copyto (s3)",
            "rclone",
            &["copyto", &format!("{rclone_s3}big.bin"), &download_text],
            &download,
        ),
    ];
    case(
        &format!("S3 get, {mib} MiB, loopback (moto)"),
        bytes,
        &local_source,
        &contenders,
        setup.rounds,
    );
    let fetched = setup.local.path().join("s3-fetched.bin");
    let fetch = curl_s3(&["-o", &text(&fetched), &object("upload.bin")]);
    let curl_put = curl_s3(&["-T", &source_text, &object("upload.bin")]);
    let mut contenders = [
        s3_wharf(
            "wharf put",
            &["put", &source_text, &format!("s3://{bucket}/upload.bin")],
            &fetched,
        ),
        Contender::new(
            "curl -T --aws-sigv4",
            "curl",
            &curl_put[1..].iter().map(String::as_str).collect::<Vec<_>>(),
            &fetched,
        ),
        Contender::new(
            "rclone copyto (s3)",
            "rclone",
            &["copyto", &source_text, &format!("{rclone_s3}upload.bin")],
            &fetched,
        ),
    ];
    for contender in &mut contenders {
        contender.fetch = Some(fetch.clone());
    }
    case(
        &format!("S3 put, {mib} MiB, loopback (moto)"),
        bytes,
        &local_source,
        &contenders,
        setup.rounds,
    );
    let _ = std::fs::remove_file(&local_source);
    let _ = std::fs::remove_file(&fetched);
}

/// A file of `mib` MiB whose every MiB differs, so that a block written at the wrong offset
/// is noticed.
fn write_pattern(path: &Path, mib: u64) {
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut block: Vec<u8> = (0..1024 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    for n in 0..mib {
        block[..8].copy_from_slice(&n.to_le_bytes());
        file.write_all(&block).unwrap();
    }
}

fn main() {
    let mib = env_number("WHARF_BENCH_MIB", 1024);
    let long_mib = env_number("WHARF_BENCH_LONG_MIB", 256);
    let rounds = usize::try_from(env_number("WHARF_BENCH_ROUNDS", 3)).unwrap_or(3);
    let setup = Setup {
        rounds,
        remote: servers::user_folder("bench"),
        // This computer's side in memory where there is a tmpfs: the benchmark compares
        // clients, not disks (Wharf also syncs a download to disk before it takes its name,
        // which the other clients do not; on this machine's disk that is a second per GiB).
        local: tempfile::tempdir_in("/dev/shm")
            .or_else(|_| tempfile::tempdir())
            .unwrap(),
        home: tempfile::tempdir().unwrap(),
    };
    println!(
        "Wharf {} against the reference clients, median of {rounds} runs in turn ({} cores, {})",
        env!("CARGO_PKG_VERSION"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        chrono::Utc::now().format("%Y-%m-%d")
    );
    if std::env::var("WHARF_BENCH_ONLY").as_deref() == Ok("web") {
        web_cases(&setup, mib);
        return;
    }
    let big = setup.source("big.bin", mib);
    let (sshd, _) = servers::sshd();
    let key = servers::plain_client_key(&sshd);
    sftp_cases(&setup, "loopback (OpenSSH sshd)", sshd.port, &key, &big, mib, true);
    let (vsftpd, _) = servers::vsftpd(FtpTls::None);
    ftp_cases(&setup, vsftpd.port, false, &big, mib);
    let (vsftpd_tls, _) = servers::vsftpd(FtpTls::Explicit);
    ftp_cases(&setup, vsftpd_tls.port, true, &big, mib);
    let _ = std::fs::remove_file(&big);

    let jump_mib = env_number("WHARF_BENCH_JUMP_MIB", 256);
    let through = setup.source("through.bin", jump_mib);
    let (gate, _) = servers::sshd();
    jump_cases(&setup, &gate, &sshd, &through, jump_mib);
    let _ = std::fs::remove_file(&through);

    let long = setup.source("long.bin", long_mib);
    let proxy = servers::netproxy(sshd.port, &["--delay-ms", "20"]);
    sftp_cases(&setup, "40 ms round trip", proxy.port(), &key, &long, long_mib, false);

    web_cases(&setup, mib);
}
