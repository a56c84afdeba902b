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
    assert!(fs.security().contains("TLS"), "{}", fs.security());
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
    assert!(fs.security().contains("TLS"), "{}", fs.security());
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

/// `put -r` then `get -r` of the tree through the command line, byte-identical, with STOR,
/// RNFR, RNTO and MFMT per uploaded file, RETR (and the checksum, when offered) per download,
/// and no CWD that fails. pure-ftpd delays each failed CWD 100 ms longer than the last: with
/// a probe per file, this tree took minutes and then stalled.
fn tree_round_trip(url: &str, folder: &UserFolder, checksum: Option<&str>) {
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let source = local.path().join("tree");
    small_tree(&source);
    let put = wharf(home.path(), &["-v", "put", "-r", source.to_str().unwrap(), url]);
    let log = stderr(&put);
    assert!(put.status.success(), "{log}");
    assert_eq!(tree(&folder.join("tree")), tree(&source));
    let mut expected: Vec<String> = ["STOR", "RNFR", "RNTO", "MFMT"].map(str::to_owned).to_vec();
    expected.extend(checksum.map(str::to_owned));
    assert_eq!(verbs_for_one_file(&log), expected, "{log}");
    assert!(!log.contains("> CWD"), "no folder is probed with CWD: {log}");

    let back = tempfile::tempdir().unwrap();
    let get = wharf(
        home.path(),
        &["-v", "get", "-r", &format!("{url}/tree"), back.path().to_str().unwrap()],
    );
    let log = stderr(&get);
    assert!(get.status.success(), "{log}");
    assert_eq!(tree(&back.path().join("tree")), tree(&source));
    let mut expected = vec!["RETR".to_owned()];
    expected.extend(checksum.map(str::to_owned));
    assert_eq!(verbs_for_one_file(&log), expected, "{log}");
    let failed_cwd = log
        .lines()
        .zip(log.lines().skip(1))
        .any(|(command, reply)| command.starts_with("> CWD") && reply.starts_with("< 5"));
    assert!(!failed_cwd, "{log}");

    if checksum.is_some() {
        let list = wharf_with(home.path(), &["queue", "list", "--json"], &[]);
        assert!(
            stdout(&list).contains("\"verified\": \"size, SHA-256\""),
            "{}",
            stdout(&list)
        );
    }
}

fn ftp_url(port: u16, folder: &UserFolder) -> String {
    format!("ftp://{USER}:{PASSWORD}@127.0.0.1:{port}{}", folder.display())
}

#[test]
fn pure_ftpd_takes_and_gives_back_a_tree_of_small_files() {
    let (server, _) = pure_ftpd::start(false);
    let folder = user_folder("pure-tree");
    tree_round_trip(&ftp_url(server.port, &folder), &folder, None);
}

#[test]
fn proftpd_takes_and_gives_back_a_tree_of_small_files_verified_by_sha256() {
    let (server, _) = proftpd::start(Module::Digest);
    let folder = user_folder("proftpd-tree");
    tree_round_trip(&ftp_url(server.port, &folder), &folder, Some("XSHA256"));
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
