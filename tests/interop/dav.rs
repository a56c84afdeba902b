//! WebDAV against two independent servers: Apache's mod_dav (Digest and Basic) and WsgiDAV.
//! The conformance suite runs on both; through the command line, a tree goes up and comes
//! back byte-identical, is renamed and deleted, a download killed with SIGKILL is resumed by
//! `wharf queue run` with a range, and a wrong password is said in words.

use wharf::model::Protocol;
use wharf::model::location::RemotePath;
use wharf::protocol::RemoteFs;
use wharf::protocol::dav::DavFs;

use crate::conformance;
use crate::servers::{PASSWORD, USER, apache, wsgidav};
use crate::support::{context, data, kill_get_mid_file, site, stderr, stdout, tree, wharf_with};

fn url(port: u16, path: &str) -> String {
    format!("dav://{USER}@127.0.0.1:{port}{path}")
}

fn wharf(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    wharf_with(home, args, &[("WHARF_PASSWORD", PASSWORD)])
}

#[test]
fn apache_with_digest_passes_the_conformance_suite() {
    let server = apache::start(apache::DavAuth::Digest);
    let mut fs = DavFs::connect(&site(Protocol::Dav, server.port, USER, PASSWORD), &context()).unwrap();
    assert_eq!(fs.security().detail, "not encrypted");
    let base = RemotePath::new("/suite");
    fs.mkdir(&base).unwrap();
    conformance::exercise(&mut fs, &base);
}

#[test]
fn wsgidav_passes_the_conformance_suite() {
    let server = wsgidav::start();
    let mut fs = DavFs::connect(&site(Protocol::Dav, server.port, USER, PASSWORD), &context()).unwrap();
    let base = RemotePath::new("/suite");
    fs.mkdir(&base).unwrap();
    conformance::exercise(&mut fs, &base);
}

/// Up, back, renamed, deleted, on both servers, with names that need encoding.
#[test]
fn a_tree_goes_up_comes_back_identical_is_renamed_and_deleted() {
    let apache = apache::start(apache::DavAuth::Basic);
    let wsgi = wsgidav::start();
    for (port, root) in [
        (apache.port, apache::dav_root(&apache)),
        (wsgi.port, wsgidav::share_root(&wsgi)),
    ] {
        let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let source = local.path().join("site");
        std::fs::create_dir_all(source.join("a b/ünï #1")).unwrap();
        std::fs::write(source.join("a b/ünï #1/big.bin"), data(2 * 1024 * 1024 + 3, 4)).unwrap();
        std::fs::write(source.join("a b/100%.txt"), b"percent").unwrap();
        std::fs::write(source.join("index.html"), b"<h1>hi</h1>").unwrap();

        let put = wharf(home.path(), &["put", "-r", source.to_str().unwrap(), &url(port, "/")]);
        assert!(put.status.success(), "{}", stderr(&put));
        assert_eq!(tree(&root.join("site")), tree(&source), "the server has what was sent");

        let listed = wharf(home.path(), &["ls", &url(port, "/site/a%20b")]);
        assert!(stdout(&listed).contains("100%.txt"), "{}", stdout(&listed));

        let back = local.path().join("back");
        let get = wharf(home.path(), &["get", "-r", &url(port, "/site"), back.to_str().unwrap()]);
        assert!(get.status.success(), "{}", stderr(&get));
        assert_eq!(tree(&back), tree(&source), "came back identical");

        let moved = wharf(home.path(), &["mv", &url(port, "/site/index.html"), "home.html"]);
        assert!(moved.status.success(), "{}", stderr(&moved));
        assert!(root.join("site/home.html").is_file() && !root.join("site/index.html").exists());

        let removed = wharf(home.path(), &["rm", "-r", &url(port, "/site")]);
        assert!(removed.status.success(), "{}", stderr(&removed));
        assert!(!root.join("site").exists());
    }
}

#[test]
fn a_killed_download_is_resumed_with_a_range() {
    let server = apache::start(apache::DavAuth::Digest);
    let bytes = data(3 * 1024 * 1024 + 11, 5);
    std::fs::write(apache::dav_root(&server).join("big file.bin"), &bytes).unwrap();
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    kill_get_mid_file(
        home.path(),
        &[&url(server.port, "/big%20file.bin"), out.path().to_str().unwrap()],
        PASSWORD,
        &out.path().join(".big file.bin.wharf-part"),
    );
    let run = wharf(home.path(), &["-v", "queue", "run"]);
    let log = stderr(&run);
    assert!(run.status.success(), "{log}");
    assert_eq!(std::fs::read(out.path().join("big file.bin")).unwrap(), bytes);
    assert!(log.contains("[range: bytes="), "{log}");
    assert!(log.contains("206 Partial Content"), "resumed, not restarted:\n{log}");
}

#[test]
fn a_wrong_password_is_said_in_words() {
    let apache = apache::start(apache::DavAuth::Digest);
    let wsgi = wsgidav::start();
    for port in [apache.port, wsgi.port] {
        let home = tempfile::tempdir().unwrap();
        let listed = wharf_with(home.path(), &["ls", &url(port, "/")], &[("WHARF_PASSWORD", "wrong-pw")]);
        assert!(!listed.status.success());
        let said = stderr(&listed);
        assert!(said.contains("refused the user name or password"), "{said}");
        assert!(!said.contains("wrong-pw"), "{said}");
    }
}
