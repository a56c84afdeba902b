//! `wharf sync` against vsftpd (LIST times to the minute, no MFMT: uploads cannot keep
//! their times) and OpenSSH (exact times): a tree of a few hundred small files goes up,
//! a second run moves nothing, changes and deletions follow, deletions land in the trash
//! and `--undo` puts them back; a sync killed mid-file is finished by `queue run`; and
//! `--checksum` sees a change that kept the size and the time.

use std::path::Path;

use crate::servers::{self, FtpTls, PASSWORD, USER};
use crate::support::{self, stderr, stdout, tree};

/// 300 files of a few bytes in 12 folders, a `cache/` folder to exclude, and a hidden file.
fn make_source(root: &Path) {
    for n in 0..300 {
        let folder = root.join(format!("section-{:02}", n % 12));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("page-{n:03}.html")), format!("page {n}\n")).unwrap();
    }
    std::fs::create_dir_all(root.join("cache")).unwrap();
    std::fs::write(root.join("cache/blob.tmp"), b"scratch").unwrap();
    std::fs::write(root.join(".htaccess"), b"Options -Indexes\n").unwrap();
}

/// Runs `wharf sync ARGS` with the account's password.
fn sync(home: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["sync", "--accept-new-host-key"];
    all.extend_from_slice(args);
    support::wharf_with(home, &all, &[("WHARF_PASSWORD", PASSWORD)])
}

/// The source's files, less what `--exclude cache/` leaves out.
fn expected(source: &Path) -> Vec<(String, Vec<u8>)> {
    tree(source)
        .into_iter()
        .filter(|(path, _)| !path.starts_with("cache/"))
        .collect()
}

/// The target's files, less the trash.
fn synced(target: &Path) -> Vec<(String, Vec<u8>)> {
    tree(target)
        .into_iter()
        .filter(|(path, _)| !path.starts_with(".wharf-trash/"))
        .collect()
}

fn a_tree_goes_up_stays_in_sync_and_deletions_can_be_undone(url: &str, target: &Path) {
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let source = local.path().join("site");
    make_source(&source);
    let source_arg = source.to_str().unwrap();

    let first = sync(home.path(), &["--exclude", "cache/", source_arg, url]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("copying 301 new files and 0 changed"),
        "{}",
        stderr(&first)
    );
    assert_eq!(synced(target), expected(&source));

    // A second run finds nothing to do, even where the server could not keep the times.
    let second = sync(home.path(), &["--exclude", "cache/", source_arg, url]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stderr(&second).contains("already in sync"), "{}", stderr(&second));

    // Two changed (one of the same size, a minute later), two new, two deleted, and a
    // whole folder gone.
    std::fs::write(source.join("section-00/page-000.html"), b"changed and longer\n").unwrap();
    let same_size = source.join("section-01/page-001.html");
    std::fs::write(&same_size, b"page X\n").unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(120);
    std::fs::File::options()
        .write(true)
        .open(&same_size)
        .unwrap()
        .set_modified(later)
        .unwrap();
    std::fs::write(source.join("section-02/new-a.html"), b"new a\n").unwrap();
    std::fs::write(source.join("section-03/new-b.html"), b"new b\n").unwrap();
    std::fs::remove_file(source.join("section-04/page-004.html")).unwrap();
    std::fs::remove_file(source.join("section-05/page-005.html")).unwrap();
    std::fs::remove_dir_all(source.join("section-11")).unwrap();

    let preview = sync(home.path(), &["-n", "--delete", "--exclude", "cache/", source_arg, url]);
    let plan = stdout(&preview);
    assert!(preview.status.success(), "{}", stderr(&preview));
    for line in [
        "update   section-00/page-000.html",
        "update   section-01/page-001.html",
        "copy     section-02/new-a.html",
        "delete   section-04/page-004.html",
        "delete   section-11/",
    ] {
        assert!(plan.contains(line), "{line:?} not in\n{plan}");
    }
    assert!(
        !plan.contains("section-11/page"),
        "a deleted folder is one line:\n{plan}"
    );
    assert!(!plan.contains("cache"), "{plan}");

    let run = sync(home.path(), &["--delete", "--exclude", "cache/", source_arg, url]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(synced(target), expected(&source));
    // The trash holds the two replaced versions and the 27 deleted files.
    let trash = tree(&target.join(".wharf-trash"));
    let names: Vec<&str> = trash.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(trash.len(), 2 + 2 + 25, "{names:?}");
    assert!(
        trash
            .iter()
            .any(|(path, bytes)| path.ends_with("/section-00/page-000.html") && bytes == b"page 0\n"),
        "{names:?}"
    );

    // Undo puts all 29 back, and keeps the versions it replaces in a trash of its own.
    let undo = sync(home.path(), &["--undo", source_arg, url]);
    assert!(undo.status.success(), "{}", stderr(&undo));
    assert!(stderr(&undo).contains("put back 29 files"), "{}", stderr(&undo));
    let read = |path: &str| std::fs::read(target.join(path)).unwrap();
    assert_eq!(read("section-04/page-004.html"), b"page 4\n");
    assert_eq!(read("section-00/page-000.html"), b"page 0\n");
    assert_eq!(read("section-01/page-001.html"), b"page 1\n");
    assert!(target.join("section-11/page-011.html").is_file());
    let aside = tree(&target.join(".wharf-trash"));
    let aside: Vec<(&str, &[u8])> = aside
        .iter()
        .map(|(path, bytes)| (path.split_once('/').unwrap().1, bytes.as_slice()))
        .collect();
    assert_eq!(
        aside,
        [
            ("section-00/page-000.html", &b"changed and longer\n"[..]),
            ("section-01/page-001.html", &b"page X\n"[..])
        ]
    );
}

#[test]
fn sync_to_vsftpd() {
    let (server, _) = servers::vsftpd(FtpTls::None);
    let folder = servers::user_folder("sync-ftp");
    let url = format!("ftp://{USER}@127.0.0.1:{}{}/site", server.port, folder.display());
    a_tree_goes_up_stays_in_sync_and_deletions_can_be_undone(&url, &folder.join("site"));
}

#[test]
fn sync_to_sshd() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("sync-sftp");
    let url = format!("sftp://{USER}@127.0.0.1:{}{}/site", server.port, folder.display());
    a_tree_goes_up_stays_in_sync_and_deletions_can_be_undone(&url, &folder.join("site"));
}

/// A download sync killed in the middle of a file leaves its items in the queue;
/// `queue run` finishes them, and the next sync finds the folders the same.
#[test]
fn a_sync_killed_mid_file_is_finished_by_queue_run() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("sync-kill");
    std::fs::create_dir_all(folder.join("data/small")).unwrap();
    let big = support::data(4 * 1024 * 1024 + 1, 3);
    std::fs::write(folder.join("data/big.bin"), &big).unwrap();
    for n in 0..20 {
        std::fs::write(folder.join(format!("data/small/{n}.txt")), format!("{n}")).unwrap();
    }
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let url = format!("sftp://{USER}@127.0.0.1:{}{}/data", server.port, folder.display());
    let target = out.path().join("data");
    let target_arg = target.to_str().unwrap();
    // The host key is recorded first, so that the killed run only transfers.
    let preview = sync(home.path(), &["-n", &url, target_arg]);
    assert!(preview.status.success(), "{}", stderr(&preview));

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["sync", "-j", "1", "--limit-rate", "256K", &url, target_arg])
        .env("WHARF_HOME", home.path())
        .env("HOME", home.path())
        .env("WHARF_PASSWORD", PASSWORD)
        .env_remove("SSH_AUTH_SOCK")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let partial = target.join(".big.bin.wharf-part");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::fs::metadata(&partial).map_or(0, |meta| meta.len()) < 256 * 1024 {
        assert!(
            std::time::Instant::now() < deadline,
            "the download did not start within 30 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!target.join("big.bin").exists());

    let run = support::wharf_with(home.path(), &["queue", "run"], &[("WHARF_PASSWORD", PASSWORD)]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(std::fs::read(target.join("big.bin")).unwrap(), big);
    let again = sync(home.path(), &[&url, target_arg]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stderr(&again).contains("already in sync"), "{}", stderr(&again));
}

/// `--checksum` finds a change that kept the size and the time, which a plain sync cannot
/// see; the server's files are read through (neither server here has a hash command).
fn checksum_finds_what_sizes_and_times_miss(url: &str, target: &Path) {
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let source = local.path().join("docs");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::write(source.join("a.txt"), b"version 1\n").unwrap();
    std::fs::write(source.join("b.txt"), b"unchanged\n").unwrap();
    let source_arg = source.to_str().unwrap();
    let first = sync(home.path(), &[source_arg, url]);
    assert!(first.status.success(), "{}", stderr(&first));

    let file = source.join("a.txt");
    let time = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::fs::write(&file, b"version 2\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(time)
        .unwrap();
    let plain = sync(home.path(), &["-n", source_arg, url]);
    assert!(stderr(&plain).contains("already in sync"), "{}", stderr(&plain));
    let summed = sync(home.path(), &["-n", "--checksum", source_arg, url]);
    let plan = stdout(&summed);
    assert!(summed.status.success(), "{}", stderr(&summed));
    assert!(plan.contains("update   a.txt  (same size, another checksum)"), "{plan}");
    assert!(!plan.contains("b.txt"), "{plan}");
    let run = sync(home.path(), &["--checksum", source_arg, url]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"version 2\n");
}

#[test]
fn checksum_against_vsftpd() {
    let (server, _) = servers::vsftpd(FtpTls::None);
    let folder = servers::user_folder("sync-sum-ftp");
    let url = format!("ftp://{USER}@127.0.0.1:{}{}/docs", server.port, folder.display());
    checksum_finds_what_sizes_and_times_miss(&url, &folder.join("docs"));
}

#[test]
fn checksum_against_sshd() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("sync-sum-sftp");
    let url = format!("sftp://{USER}@127.0.0.1:{}{}/docs", server.port, folder.display());
    checksum_finds_what_sizes_and_times_miss(&url, &folder.join("docs"));
}
