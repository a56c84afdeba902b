//! The FTP servers people run (issue 19): pure-ftpd and ProFTPD, plain and with TLS,
//! ProFTPD with mod_digest and with mod_sftp. Each gets the conformance suite (folders,
//! upload and download through the copy routine, offsets for resume, rename, unicode names,
//! times, deletes), and the command line moves a tree of a few hundred small files up and
//! back with the fewest commands per file.

use wharf::model::Protocol;
use wharf::model::location::RemotePath;
use wharf::protocol::RemoteFs;
use wharf::protocol::ftp::FtpFs;
use wharf::protocol::sftp::SftpFs;

use crate::conformance;
use crate::servers::proftpd::{self, Module};
use crate::servers::{PASSWORD, USER, UserFolder, pure_ftpd, user_folder};
use crate::support::{context, data, site, stderr, stdout, tree, wharf, wharf_with};

fn remote(folder: &UserFolder) -> RemotePath {
    RemotePath::new(folder.to_str().unwrap())
}

fn ftp(protocol: Protocol, port: u16) -> FtpFs {
    FtpFs::connect(&site(protocol, port, USER, PASSWORD), &context()).unwrap()
}

#[test]
fn pure_ftpd_plain() {
    let (server, _) = pure_ftpd::start(false);
    let folder = user_folder("pure-plain");
    conformance::exercise(&mut ftp(Protocol::Ftp, server.port), &remote(&folder));
}

#[test]
fn pure_ftpd_explicit_tls() {
    let (server, _) = pure_ftpd::start(true);
    let folder = user_folder("pure-tls");
    let mut fs = ftp(Protocol::Ftpes, server.port);
    assert!(fs.security().detail.contains("TLS"), "{}", fs.security());
    conformance::exercise(&mut fs, &remote(&folder));
}

#[test]
fn proftpd_plain() {
    let (server, _) = proftpd::start(Module::Plain);
    let folder = user_folder("proftpd-plain");
    conformance::exercise(&mut ftp(Protocol::Ftp, server.port), &remote(&folder));
}

#[test]
fn proftpd_explicit_tls_with_session_reuse_required() {
    let (server, _) = proftpd::start(Module::Tls);
    let folder = user_folder("proftpd-tls");
    let mut fs = ftp(Protocol::Ftpes, server.port);
    assert!(fs.security().detail.contains("TLS"), "{}", fs.security());
    conformance::exercise(&mut fs, &remote(&folder));
}

#[test]
fn proftpd_with_mod_digest_computes_the_sha256_wharf_computes() {
    let (server, _) = proftpd::start(Module::Digest);
    let folder = user_folder("proftpd-digest");
    let mut fs = ftp(Protocol::Ftp, server.port);
    conformance::exercise(&mut fs, &remote(&folder));
    let content = data(200_000, 7);
    std::fs::write(folder.join("hashed.bin"), &content).unwrap();
    let checksum = fs
        .checksum(&remote(&folder).join("hashed.bin"))
        .unwrap()
        .expect("mod_digest offers a checksum");
    use sha2::Digest;
    let expected: String = sha2::Sha256::digest(&content)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(checksum.hex, expected);
}

#[test]
fn proftpd_mod_sftp() {
    let (server, _) = proftpd::start(Module::Sftp);
    let folder = user_folder("proftpd-sftp");
    let mut fs = SftpFs::connect(&site(Protocol::Sftp, server.port, USER, PASSWORD), &context()).unwrap();
    conformance::exercise(&mut fs, &remote(&folder));
}

/// 300 files of 4 KiB in 10 folders.
fn small_tree(root: &std::path::Path) {
    for folder in 0..10 {
        let dir = root.join(format!("d{folder}"));
        std::fs::create_dir_all(&dir).unwrap();
        for file in 0..30 {
            std::fs::write(
                dir.join(format!("f{file:02}.txt")),
                data(4096, (folder * 30 + file) as u8),
            )
            .unwrap();
        }
    }
}

/// The verbs `wharf -v` shows sent for one file of the tree, `d3/f07.txt` (its partial name
/// included).
fn verbs_for_one_file(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|line| line.strip_prefix("> "))
        .filter(|command| command.ends_with("/d3/f07.txt") || command.ends_with("/d3/.f07.txt.wharf-part"))
        .map(|command| command.split(' ').next().unwrap_or("").to_owned())
        .collect()
}

/// What a tree round trip expects to see sent for one file each way (`None`: not pinned,
/// for SFTP, whose log names operations rather than commands).
struct Expected<'a> {
    up: Option<&'a [&'a str]>,
    down: Option<&'a [&'a str]>,
    /// How downloads are verified (`queue list --json`'s "verified").
    verified: &'a str,
}

/// `put -r` then `get -r` of the tree through the command line, byte-identical, with the
/// commands per file pinned and no CWD that fails. pure-ftpd delays each failed CWD 100 ms
/// longer than the last: with a probe per file, this tree took minutes and then stalled.
fn tree_round_trip(url: &str, folder: &UserFolder, flags: &[&str], expected: &Expected<'_>) {
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let source = local.path().join("tree");
    small_tree(&source);
    let put = wharf(
        home.path(),
        &[&["-v", "put", "-r"], flags, &[source.to_str().unwrap(), url]].concat(),
    );
    let log = stderr(&put);
    assert!(put.status.success(), "{log}");
    assert_eq!(tree(&folder.join("tree")), tree(&source));
    if let Some(up) = expected.up {
        assert_eq!(verbs_for_one_file(&log), up, "{log}");
    }
    assert!(!failed_cwd(&log), "no CWD fails: {log}");

    let back = tempfile::tempdir().unwrap();
    let from = format!("{url}/tree");
    let get = wharf(
        home.path(),
        &[&["-v", "get", "-r"], flags, &[&from, back.path().to_str().unwrap()]].concat(),
    );
    let log = stderr(&get);
    assert!(get.status.success(), "{log}");
    assert_eq!(tree(&back.path().join("tree")), tree(&source));
    if let Some(down) = expected.down {
        assert_eq!(verbs_for_one_file(&log), down, "{log}");
    }
    assert!(!failed_cwd(&log), "no CWD fails: {log}");
    let list = wharf_with(home.path(), &["queue", "list", "--json"], &[]);
    let verified = format!("\"verified\": \"{}\"", expected.verified);
    assert!(stdout(&list).contains(&verified), "{}", stdout(&list));
}

/// Whether `wharf -v`'s log shows a CWD that the server refused.
/// Whether a CWD failed. The connections' lines interleave in the log, so a CWD is not paired
/// with the line after it: each CWD must have its own success reply somewhere (a 250 that
/// speaks of the directory, as vsftpd's, ProFTPD's and pure-ftpd's do).
fn failed_cwd(log: &str) -> bool {
    let asked = log.lines().filter(|line| line.starts_with("> CWD")).count();
    let changed = log
        .lines()
        .filter(|line| line.starts_with("< 250"))
        .map(str::to_ascii_lowercase)
        .filter(|reply| reply.contains("directory") || reply.contains("cwd"))
        .count();
    changed < asked
}

fn url(scheme: &str, port: u16, folder: &UserFolder) -> String {
    format!("{scheme}://{USER}:{PASSWORD}@127.0.0.1:{port}{}", folder.display())
}

const FTP_WITH_MFMT: Expected<'static> = Expected {
    up: Some(&["STOR", "RNFR", "RNTO", "MFMT"]),
    down: Some(&["RETR"]),
    verified: "size",
};

#[test]
fn vsftpd_takes_and_gives_back_a_tree_of_small_files() {
    let (server, _) = crate::servers::vsftpd(crate::servers::FtpTls::None);
    let folder = user_folder("vsftpd-tree");
    // vsftpd has neither MLST nor MFMT.
    let expected = Expected {
        up: Some(&["STOR", "RNFR", "RNTO"]),
        ..FTP_WITH_MFMT
    };
    tree_round_trip(&url("ftp", server.port, &folder), &folder, &[], &expected);
}

#[test]
fn pure_ftpd_takes_and_gives_back_a_tree_of_small_files() {
    let (server, _) = pure_ftpd::start(false);
    let folder = user_folder("pure-tree");
    tree_round_trip(&url("ftp", server.port, &folder), &folder, &[], &FTP_WITH_MFMT);
}

#[test]
fn pure_ftpd_with_tls_takes_and_gives_back_a_tree_of_small_files() {
    let (server, _) = pure_ftpd::start(true);
    let folder = user_folder("pure-tls-tree");
    let url = url("ftpes", server.port, &folder);
    tree_round_trip(&url, &folder, &["--accept-new-cert"], &FTP_WITH_MFMT);
}

#[test]
fn proftpd_with_tls_takes_and_gives_back_a_tree_of_small_files() {
    let (server, _) = proftpd::start(Module::Tls);
    let folder = user_folder("proftpd-tls-tree");
    let url = url("ftpes", server.port, &folder);
    tree_round_trip(&url, &folder, &["--accept-new-cert"], &FTP_WITH_MFMT);
}

#[test]
fn proftpd_takes_and_gives_back_a_tree_of_small_files_verified_by_sha256() {
    let (server, _) = proftpd::start(Module::Digest);
    let folder = user_folder("proftpd-tree");
    let expected = Expected {
        up: Some(&["STOR", "RNFR", "RNTO", "MFMT", "XSHA256"]),
        down: Some(&["RETR", "XSHA256"]),
        verified: "size, SHA-256",
    };
    tree_round_trip(&url("ftp", server.port, &folder), &folder, &[], &expected);
}

#[test]
fn proftpd_mod_sftp_takes_and_gives_back_a_tree_of_small_files() {
    let (server, _) = proftpd::start(Module::Sftp);
    let folder = user_folder("proftpd-sftp-tree");
    let expected = Expected {
        up: None,
        down: None,
        verified: "size",
    };
    let url = url("sftp", server.port, &folder);
    tree_round_trip(&url, &folder, &["--accept-new-host-key"], &expected);
}

/// Regression: ProFTPD's mod_tls accepts a data connection only when it resumes the control
/// connection's own TLS session, and rustls spends each TLS 1.3 ticket once, so over TLS 1.3
/// the third transfer got "425 Unable to build data connection". Over TLS 1.2, which Wharf
/// offers first, the session resumes every time.
#[test]
fn proftpd_tls_resumes_the_control_session_for_every_transfer() {
    let (server, _) = proftpd::start(Module::Tls);
    let folder = user_folder("proftpd-tls-many");
    let mut fs = ftp(Protocol::Ftpes, server.port);
    for index in 0..10 {
        let path = remote(&folder).join(&format!("f{index}.txt"));
        let mut writer = fs
            .open_write(&path, 0)
            .unwrap_or_else(|e| panic!("upload {index}: {e:?}"));
        std::io::Write::write_all(&mut writer, b"small").unwrap();
        writer.finish().unwrap();
    }
    for index in 0..10 {
        fs.list(&remote(&folder))
            .unwrap_or_else(|e| panic!("list {index}: {e:?}"));
    }
}
