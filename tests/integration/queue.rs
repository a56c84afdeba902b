//! The transfer queue through the command line: a `wharf get` killed with SIGKILL is finished
//! by `wharf queue run`, resuming its partial file; parallel transfers arrive identical;
//! `queue list` and `queue clear` show and tidy what is left.

use std::path::Path;

use crate::support::ftp_server::{FtpServer, PASSWORD, USER};
use crate::support::sftp_server::SftpServer;
use crate::support::{data, kill_get_mid_file, stderr, stdout, tree, wharf, wharf_with};

fn ftp_url(port: u16, path: &str) -> String {
    format!("ftp://{USER}@127.0.0.1:{port}{path}")
}

/// A folder with one large file, a few small ones and an empty folder.
fn bundle(root: &Path) -> std::path::PathBuf {
    let folder = root.join("bundle");
    std::fs::create_dir_all(folder.join("docs/empty")).unwrap();
    std::fs::write(folder.join("big.bin"), data(3 * 1024 * 1024 + 11, 9)).unwrap();
    for n in 0..5 {
        std::fs::write(folder.join(format!("docs/note {n}.txt")), format!("note {n}")).unwrap();
    }
    folder
}

#[test]
fn a_killed_download_is_finished_by_queue_run_and_resumed() {
    let (root, home, out) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let source = bundle(root.path());
    let server = FtpServer::start(root.path(), None);

    // A slow download (256 KiB/s), killed once part of the big file has arrived.
    kill_get_mid_file(
        home.path(),
        &["-r", &ftp_url(server.port, "/bundle"), out.path().to_str().unwrap()],
        PASSWORD,
        &out.path().join("bundle/.big.bin.wharf-part"),
    );
    assert!(!out.path().join("bundle/big.bin").exists(), "the kill came mid-file");

    let listed = wharf(home.path(), &["queue", "list"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(stdout(&listed).contains("big.bin"), "{}", stdout(&listed));

    // The queue knows the server but not the password: it comes from the environment.
    let run = wharf_with(home.path(), &["-v", "queue", "run"], &[("WHARF_PASSWORD", PASSWORD)]);
    let log = stderr(&run);
    assert!(run.status.success(), "{log}");
    assert_eq!(
        tree(&out.path().join("bundle")),
        tree(&source),
        "every file arrived identical"
    );
    assert!(out.path().join("bundle/docs/empty").is_dir());
    let resumed_at = log
        .lines()
        .find_map(|line| line.strip_prefix("> REST "))
        .and_then(|offset| offset.trim().parse::<u64>().ok())
        .unwrap_or(0);
    assert!(
        resumed_at >= 256 * 1024,
        "the big file was resumed, not restarted:\n{log}"
    );
    assert!(!log.contains(PASSWORD), "the password never reaches the log");

    // Nothing is left to run; finished items can be cleared.
    let again = wharf(home.path(), &["queue", "run"]);
    assert!(again.status.success(), "{}", stderr(&again));
    let cleared = wharf(home.path(), &["queue", "clear", "--all"]);
    assert!(cleared.status.success(), "{}", stderr(&cleared));
    let listed = wharf(home.path(), &["queue", "list", "--json"]);
    let items: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!(items.as_array().map(Vec::len), Some(0), "{items}");
}

#[test]
fn parallel_uploads_arrive_identical() {
    let (local, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let source = local.path().join("many");
    std::fs::create_dir_all(source.join("a/b")).unwrap();
    for n in 0..60u8 {
        let folder = if n % 3 == 0 { source.join("a/b") } else { source.clone() };
        std::fs::write(folder.join(format!("f{n}.dat")), data(4096 + usize::from(n), n)).unwrap();
    }
    for parallel in ["1", "4"] {
        let root = tempfile::tempdir().unwrap();
        let server = SftpServer::start(root.path(), "pw", None);
        let url = format!("sftp://user@127.0.0.1:{}/", server.port);
        let put = wharf_with(
            home.path(),
            &[
                "--accept-new-host-key",
                "put",
                "-r",
                "-j",
                parallel,
                source.to_str().unwrap(),
                &url,
            ],
            &[("WHARF_PASSWORD", "pw")],
        );
        assert!(put.status.success(), "-j {parallel}: {}", stderr(&put));
        assert_eq!(tree(&root.path().join("many")), tree(&source), "-j {parallel}");
    }
}

#[test]
fn an_existing_target_follows_on_conflict() {
    let (root, home, out) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    std::fs::write(root.path().join("f.txt"), b"from the server").unwrap();
    std::fs::write(out.path().join("f.txt"), b"mine").unwrap();
    let server = FtpServer::start(root.path(), None);
    let url = ftp_url(server.port, "/f.txt");
    let target = out.path().to_str().unwrap();
    let env = [("WHARF_PASSWORD", PASSWORD)];

    let skip = wharf_with(home.path(), &["get", "--on-conflict", "skip", &url, target], &env);
    assert!(skip.status.success(), "{}", stderr(&skip));
    assert!(stderr(&skip).contains("skipped"), "{}", stderr(&skip));
    assert_eq!(std::fs::read(out.path().join("f.txt")).unwrap(), b"mine");

    let rename = wharf_with(home.path(), &["get", "--on-conflict", "rename", &url, target], &env);
    assert!(rename.status.success(), "{}", stderr(&rename));
    assert_eq!(std::fs::read(out.path().join("f (1).txt")).unwrap(), b"from the server");

    let bad = wharf_with(home.path(), &["get", "--on-conflict", "maybe", &url, target], &env);
    assert_eq!(bad.status.code(), Some(2), "an unknown policy is a usage error");
}

#[test]
fn a_server_checksum_verifies_the_download_and_a_mismatch_transfers_it_again() {
    use crate::support::scripted_ftp::{Script, ScriptedFtp};
    let content = data(300_000, 7);
    let mut script = Script {
        pasv_host: [127, 0, 0, 1],
        epsv: true,
        xsha256: true,
        wrong_first_hash: true,
        ..Script::default()
    };
    script.listings.insert("/".to_owned(), Vec::new());
    script.files.insert("/f.bin".to_owned(), content.clone());
    let server = ScriptedFtp::start(script);
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let get = wharf(
        home.path(),
        &[
            "get",
            &format!("ftp://u:p@127.0.0.1:{}/f.bin", server.port),
            out.path().to_str().unwrap(),
        ],
    );
    let log = stderr(&get);
    assert!(get.status.success(), "{log}");
    assert!(log.contains("different SHA-256"), "the mismatch is reported: {log}");
    assert_eq!(std::fs::read(out.path().join("f.bin")).unwrap(), content);
    let hashes = server
        .commands()
        .iter()
        .filter(|command| command.starts_with("XSHA256 "))
        .count();
    assert_eq!(hashes, 2, "checked after each attempt");
    let retrievals = server.commands().iter().filter(|c| c.starts_with("RETR ")).count();
    assert_eq!(retrievals, 2, "the damaged copy was transferred again in full");

    let listed = wharf(home.path(), &["queue", "list", "--json"]);
    let items: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!(items[0]["state"]["verified"], "size, SHA-256", "{items}");
}
