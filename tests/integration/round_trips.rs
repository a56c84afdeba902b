//! How many commands a file costs over FTP (issue 19). Every round trip costs a full RTT on a
//! real link, and some servers slow down each failed probe (pure-ftpd delays every failed
//! CWD longer than the last, then drops the session), so these counts are pinned: a folder
//! of small files goes up with STOR, RNFR and RNTO per file (plus MFMT where offered, which
//! the in-process server is not), and comes down with RETR alone. The commands are read from
//! `wharf -v`, as a user would see them.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::ftp_server::{FtpServer, PASSWORD, USER};
use crate::support::{stderr, tree, wharf};

const FILES: usize = 12;

/// Commands sent, in order: the verb, and the file name a path ends in (or `""`).
fn commands(log: &str) -> Vec<(String, String)> {
    log.lines()
        .filter_map(|line| line.strip_prefix("> "))
        .map(|command| {
            let (verb, argument) = command.split_once(' ').unwrap_or((command, ""));
            let name = argument.rsplit('/').next().unwrap_or("").to_owned();
            (verb.to_owned(), name)
        })
        .collect()
}

/// The verbs sent for each of the test's files, keyed by the file's name; a partial name
/// (`.f03.txt.wharf-part`) counts for its file.
fn per_file(commands: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (verb, name) in commands {
        let file = name.trim_start_matches('.').trim_end_matches(".wharf-part");
        if file.starts_with('f') && file.ends_with(".txt") {
            files.entry(file.to_owned()).or_default().push(verb.clone());
        }
    }
    files
}

fn make_folder(root: &Path) {
    std::fs::create_dir_all(root.join("sub")).unwrap();
    for index in 0..FILES {
        let folder = if index % 2 == 0 {
            root.to_path_buf()
        } else {
            root.join("sub")
        };
        std::fs::write(folder.join(format!("f{index:02}.txt")), format!("file {index}\n")).unwrap();
    }
}

fn url(port: u16, path: &str) -> String {
    format!("ftp://{USER}:{PASSWORD}@127.0.0.1:{port}{path}")
}

#[test]
fn an_upload_costs_stor_rnfr_rnto_per_file_and_no_failed_probe() {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    make_folder(&local.path().join("site"));
    let server = FtpServer::start(root.path(), None);

    let put = wharf(
        home.path(),
        &[
            "-v",
            "put",
            "-r",
            local.path().join("site").to_str().unwrap(),
            &url(server.port, "/"),
        ],
    );
    assert!(put.status.success(), "{}", stderr(&put));
    assert_eq!(tree(&root.path().join("site")), tree(&local.path().join("site")));

    let sent = commands(&stderr(&put));
    let files = per_file(&sent);
    assert_eq!(files.len(), FILES, "{files:#?}");
    for (file, verbs) in &files {
        assert_eq!(verbs, &["STOR", "RNFR", "RNTO"], "{file}");
    }
    let probes: Vec<_> = sent
        .iter()
        .filter(|(verb, _)| matches!(verb.as_str(), "CWD" | "SIZE"))
        .collect();
    assert!(probes.is_empty(), "no file is probed with CWD or SIZE: {probes:?}");
}

#[test]
fn uploading_into_existing_folders_lists_each_once_instead_of_asking_per_file() {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    make_folder(&local.path().join("site"));
    let server = FtpServer::start(root.path(), None);
    let first = wharf(
        home.path(),
        &[
            "put",
            "-r",
            local.path().join("site").to_str().unwrap(),
            &url(server.port, "/"),
        ],
    );
    assert!(first.status.success(), "{}", stderr(&first));

    // Again, keeping what is there: the two folders are listed, no file is asked about.
    let again = wharf(
        home.path(),
        &[
            "-v",
            "put",
            "-r",
            "--on-conflict",
            "skip",
            local.path().join("site").to_str().unwrap(),
            &url(server.port, "/"),
        ],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    let sent = commands(&stderr(&again));
    let files = per_file(&sent);
    assert!(
        files.is_empty(),
        "every file was known from its folder's listing: {files:#?}"
    );
    let listings = sent.iter().filter(|(verb, _)| verb == "MLSD").count();
    assert_eq!(listings, 2, "one listing per folder: {sent:?}");
}

#[test]
fn a_download_costs_retr_per_file() {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    make_folder(&root.path().join("site"));
    let server = FtpServer::start(root.path(), None);

    let get = wharf(
        home.path(),
        &[
            "-v",
            "get",
            "-r",
            &url(server.port, "/site"),
            local.path().to_str().unwrap(),
        ],
    );
    assert!(get.status.success(), "{}", stderr(&get));
    assert_eq!(tree(&local.path().join("site")), tree(&root.path().join("site")));

    let files = per_file(&commands(&stderr(&get)));
    assert_eq!(files.len(), FILES, "{files:#?}");
    for (file, verbs) in &files {
        assert_eq!(verbs, &["RETR"], "{file}");
    }
}

/// A 550 to MLST is the answer: the path is not there, and nothing else is asked. Before,
/// CWD and SIZE followed it, and pure-ftpd delays every failed CWD longer than the last. Its
/// wording ("Can't check for file existence") must not read as "already exists" either.
#[test]
fn a_refused_mlst_means_not_found_and_nothing_else_is_asked() {
    use wharf::model::Protocol;
    use wharf::model::location::RemotePath;
    use wharf::protocol::ftp::FtpFs;
    use wharf::protocol::{ErrorKind, RemoteFs};

    use crate::support::scripted_ftp::{Script, ScriptedFtp};
    use crate::support::{context, site};

    let mut files = std::collections::HashMap::new();
    files.insert("/there.txt".to_owned(), b"12345".to_vec());
    let server = ScriptedFtp::start(Script {
        files,
        mlst: true,
        epsv: true,
        pasv_host: [127, 0, 0, 1],
        ..Script::default()
    });
    let mut fs = FtpFs::connect(&site(Protocol::Ftp, server.port, "u", "p"), &context()).unwrap();
    let before = server.commands().len();

    let missing = fs.stat(&RemotePath::new("/missing.txt")).unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing:?}");
    assert_eq!(fs.stat(&RemotePath::new("/there.txt")).unwrap().size, Some(5));

    let asked: Vec<String> = server.commands()[before..].to_vec();
    assert_eq!(asked, ["MLST /missing.txt", "MLST /there.txt"]);
}

/// Issue 15: the command line's browsing session, done once the source is found, becomes the
/// queue's first connection, so a one-file `get` or `put` logs in once, not twice (over SSH a
/// login costs a quarter of a second on loopback).
#[test]
fn a_one_file_get_and_put_log_in_once() {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("f01.txt"), "one file\n").unwrap();
    let server = FtpServer::start(root.path(), None);
    let logins = |output: &std::process::Output| {
        commands(&stderr(output))
            .iter()
            .filter(|(verb, _)| verb == "USER")
            .count()
    };

    let target = local.path().join("f01.txt");
    let get = wharf(
        home.path(),
        &["-v", "get", &url(server.port, "/f01.txt"), target.to_str().unwrap()],
    );
    assert!(get.status.success(), "{}", stderr(&get));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "one file\n");
    assert_eq!(logins(&get), 1, "{}", stderr(&get));

    let put = wharf(
        home.path(),
        &["-v", "put", target.to_str().unwrap(), &url(server.port, "/f02.txt")],
    );
    assert!(put.status.success(), "{}", stderr(&put));
    assert_eq!(
        std::fs::read_to_string(root.path().join("f02.txt")).unwrap(),
        "one file\n"
    );
    assert_eq!(logins(&put), 1, "{}", stderr(&put));
}
