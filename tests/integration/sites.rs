//! `wharf site ...` and `site:NAME/path` as a user runs them. The hermetic suite has no
//! keyring (D-Bus is pointed at nothing), so this is the "no keyring" path: the site is
//! saved, the user is told why the password was not, and it is asked for (here given with
//! `WHARF_PASSWORD`). The keyring itself is tested in the interop suite.

use std::path::Path;

use crate::support::ftp_server::{FtpServer, PASSWORD, USER};
use crate::support::{stderr, stdout, wharf_with};

/// No session bus: the keyring cannot be reached, and a developer's real keyring is never
/// touched by the tests.
const NO_KEYRING: (&str, &str) = ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/wharf-test-bus");

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[cfg(target_os = "linux")]
#[test]
fn saved_sites_connect_by_name_and_no_password_reaches_a_file() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("hello.txt"), b"hello").unwrap();
    let home = tempfile::tempdir().unwrap();
    let server = FtpServer::start(root.path(), None);
    let url = format!("ftp://{USER}@127.0.0.1:{}/", server.port);

    let added = wharf_with(
        home.path(),
        &["site", "add", "mine", &url, "--folder", "Test/Local"],
        &[NO_KEYRING, ("WHARF_PASSWORD", PASSWORD)],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let said = stderr(&added);
    assert!(
        said.contains("saved Test/Local/mine, but the password was not saved: no keyring is reachable"),
        "{said}"
    );

    let listed = wharf_with(home.path(), &["site", "list", "--json"], &[NO_KEYRING]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!(json["sites"][0]["name"], "mine");
    assert_eq!(json["sites"][0]["folder"], "Test/Local");
    assert_eq!(json["keyring"]["state"], "unavailable");

    // Without the keyring the password must be given; with it, site:NAME works like a URL.
    let refused = wharf_with(home.path(), &["ls", "site:mine/"], &[NO_KEYRING]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("Test/Local/mine needs a password"),
        "{}",
        stderr(&refused)
    );
    let listing = wharf_with(
        home.path(),
        &["ls", "site:Test/Local/mine/"],
        &[NO_KEYRING, ("WHARF_PASSWORD", PASSWORD)],
    );
    assert!(listing.status.success(), "{}", stderr(&listing));
    assert!(stdout(&listing).contains("hello.txt"), "{}", stdout(&listing));

    for file in files_under(home.path()) {
        let text = std::fs::read(&file).unwrap();
        assert!(
            !text.windows(PASSWORD.len()).any(|window| window == PASSWORD.as_bytes()),
            "{} holds the password",
            file.display()
        );
    }

    let removed = wharf_with(home.path(), &["site", "rm", "mine"], &[NO_KEYRING]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    let missing = wharf_with(home.path(), &["ls", "site:mine/"], &[NO_KEYRING]);
    assert!(stderr(&missing).contains("no saved site named"), "{}", stderr(&missing));
}

#[test]
fn an_ssh_config_import_reports_what_it_brought_and_skipped() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("ssh_config");
    std::fs::write(
        &config,
        "Host web\n  HostName web.example.org\n  User deploy\n  Port 2200\n\nHost *\n  User nobody\n",
    )
    .unwrap();
    let output = wharf_with(
        home.path(),
        &["site", "import", "ssh-config", config.to_str().unwrap()],
        &[NO_KEYRING],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains("Imported 1 sites (0 passwords into the keyring); skipped 1."),
        "{report}"
    );
    assert!(report.contains("+ SSH config/web"), "{report}");
    assert!(
        report.contains("- skipped Host *: a pattern matches many servers"),
        "{report}"
    );
    // The site is the alias, so that connections read ~/.ssh/config afresh.
    let listed = stdout(&wharf_with(home.path(), &["site", "list"], &[NO_KEYRING]));
    assert!(listed.contains("SSH config/web\tsftp://web:22"), "{listed}");
}
