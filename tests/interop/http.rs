//! Links to one file (`http://`) against Debian's nginx, which honours byte ranges or, set up
//! to ignore them, sends the whole file: `wharf get` arrives byte-identical, a download killed
//! with SIGKILL is resumed by `wharf queue run` with `Range` (or restarted, saying so), and a
//! link behind Apache's authentication with a wrong password says so in words.

use crate::servers::{self, PASSWORD, USER, apache, nginx};
use crate::support::{data, kill_get_mid_file, stderr, stdout, wharf, wharf_with};

/// A file in nginx's web root, and where `wharf get` should put it.
fn published(server: &servers::Running, size: usize) -> (Vec<u8>, String) {
    let bytes = data(size, 7);
    std::fs::create_dir_all(nginx::web_root(server).join("pub")).unwrap();
    std::fs::write(nginx::web_root(server).join("pub/big file.bin"), &bytes).unwrap();
    (bytes, format!("http://127.0.0.1:{}/pub/big%20file.bin", server.port))
}

/// Kills a slow `wharf get` of `url` mid-file, runs the queue, and returns its log.
fn killed_then_finished(url: &str, out: &std::path::Path, home: &std::path::Path) -> String {
    kill_get_mid_file(
        home,
        &[url, out.to_str().unwrap()],
        "",
        &out.join(".big file.bin.wharf-part"),
    );
    assert!(!out.join("big file.bin").exists(), "the kill came mid-file");
    let run = wharf(home, &["-v", "queue", "run"]);
    let log = stderr(&run);
    assert!(run.status.success(), "{log}");
    log
}

#[test]
fn a_link_downloads_and_a_killed_download_resumes_with_a_range() {
    let server = nginx::start(nginx::Ranges::Honoured);
    let (bytes, url) = published(&server, 3 * 1024 * 1024 + 11);
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    let whole = wharf(
        home.path(),
        &["get", &url, out.path().join("copy.bin").to_str().unwrap()],
    );
    assert!(whole.status.success(), "{}", stderr(&whole));
    assert_eq!(std::fs::read(out.path().join("copy.bin")).unwrap(), bytes);

    let log = killed_then_finished(&url, out.path(), home.path());
    let arrived = std::fs::read(out.path().join("big file.bin"));
    assert!(
        arrived.as_ref().is_ok_and(|got| *got == bytes),
        "arrived identical:\n{log}"
    );
    let resumed_at = log
        .lines()
        .find_map(|line| line.split("[range: bytes=").nth(1))
        .and_then(|rest| rest.split('-').next())
        .and_then(|offset| offset.parse::<u64>().ok())
        .unwrap_or(0);
    assert!(resumed_at >= 256 * 1024, "resumed, not restarted:\n{log}");
    assert!(
        log.contains("[if-range: "),
        "the resume names the file it continues:\n{log}"
    );
    assert!(log.contains("206 Partial Content"), "{log}");

    // A link names one file: `ls` shows that file, as a listing of one.
    let listed = wharf(home.path(), &["ls", &url]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(stdout(&listed).contains("big file.bin"), "{}", stdout(&listed));
    let made = wharf(home.path(), &["mkdir", &url]);
    assert!(
        stderr(&made).contains("a link can only be downloaded"),
        "{}",
        stderr(&made)
    );
}

#[test]
fn a_server_that_ignores_ranges_sends_it_again_whole_and_the_log_says_so() {
    let server = nginx::start(nginx::Ranges::Ignored);
    let (bytes, url) = published(&server, 3 * 1024 * 1024 + 11);
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let log = killed_then_finished(&url, out.path(), home.path());
    let arrived = std::fs::read(out.path().join("big file.bin"));
    assert!(
        arrived.as_ref().is_ok_and(|got| *got == bytes),
        "arrived identical:\n{log}"
    );
    assert!(log.contains("[range: bytes="), "a resume was asked for:\n{log}");
    assert!(log.contains("downloading it again from the start"), "{log}");
}

/// Basic and Digest alike: the refusal is said in words, the password never printed.
#[test]
fn a_wrong_password_on_a_link_is_said_in_words() {
    for auth in [apache::DavAuth::Basic, apache::DavAuth::Digest] {
        let server = apache::start(auth);
        std::fs::write(apache::dav_root(&server).join("secret.txt"), b"for the account only").unwrap();
        let out = tempfile::tempdir().unwrap();
        let url = |password: &str| format!("http://{USER}:{password}@127.0.0.1:{}/secret.txt", server.port);
        let target = out.path().join("secret.txt");

        let refused = wharf(out.path(), &["get", &url("wrong-pw"), target.to_str().unwrap()]);
        assert!(!refused.status.success(), "{auth:?}");
        let said = stderr(&refused);
        assert!(said.contains("refused the user name or password"), "{auth:?}: {said}");
        assert!(!said.contains("wrong-pw"), "the password is never printed");
        assert!(!target.exists());

        let fetched = wharf_with(out.path(), &["get", &url(PASSWORD), target.to_str().unwrap()], &[]);
        assert!(fetched.status.success(), "{auth:?}: {}", stderr(&fetched));
        assert_eq!(std::fs::read(&target).unwrap(), b"for the account only");
    }
}
