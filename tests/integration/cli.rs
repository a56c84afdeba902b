//! The `wharf` command line, run as a user would, against in-process servers.

use std::path::Path;

use crate::support::ftp_server::{FtpServer, PASSWORD, TlsFiles, USER};
use crate::support::sftp_server::SftpServer;
use crate::support::{data, stderr, stdout, tree, wharf, wharf_with};

fn ftp_url(port: u16, path: &str) -> String {
    format!("ftp://{USER}:{PASSWORD}@127.0.0.1:{port}{path}")
}

/// No file under `dir` contains `secret`.
fn assert_secret_absent(dir: &Path, secret: &str) {
    for (name, content) in tree(dir) {
        assert!(
            !String::from_utf8_lossy(&content).contains(secret),
            "{name} contains the password"
        );
    }
}

#[test]
fn folders_go_up_and_come_back_identical() {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let server = FtpServer::start(root.path(), None);
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("site");
    std::fs::create_dir_all(source.join("img/empty")).unwrap();
    std::fs::write(source.join("index.html"), b"<h1>hi</h1>").unwrap();
    std::fs::write(source.join("img/big.bin"), data(2 * 1024 * 1024 + 5, 3)).unwrap();
    std::fs::write(source.join("img/with space.txt"), b"x").unwrap();

    let put = wharf(
        home.path(),
        &["put", "-r", source.to_str().unwrap(), &ftp_url(server.port, "/")],
    );
    assert!(put.status.success(), "{}", stderr(&put));
    assert!(
        root.path().join("site/img/empty").is_dir(),
        "empty folders are created too"
    );
    assert_eq!(tree(&root.path().join("site")), tree(&source));

    let listed = wharf(home.path(), &["ls", "--json", &ftp_url(server.port, "/site/img")]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let entries: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    let mut names: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, vec!["big.bin", "empty", "with space.txt"]);
    let big = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "big.bin")
        .unwrap();
    assert_eq!(big["kind"], "file");
    assert_eq!(big["size"], 2 * 1024 * 1024 + 5);
    assert!(big["modified"].is_string());

    let target = tempfile::tempdir().unwrap();
    let get = wharf(
        home.path(),
        &[
            "get",
            "-r",
            "-j",
            "AUTO",
            &ftp_url(server.port, "/site"),
            target.path().to_str().unwrap(),
        ],
    );
    assert!(get.status.success(), "{}", stderr(&get));
    assert_eq!(
        tree(&target.path().join("site")),
        tree(&source),
        "get into an existing folder puts it inside"
    );
    assert_secret_absent(home.path(), PASSWORD);
}

#[test]
fn verbose_logs_mask_the_password() {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let server = FtpServer::start(root.path(), None);
    let url = format!("ftp://{USER}@127.0.0.1:{}/", server.port);
    let output = wharf_with(home.path(), &["-v", "ls", &url], &[("WHARF_PASSWORD", PASSWORD)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let log = stderr(&output);
    assert!(log.contains("> PASS ****"), "{log}");
    assert!(log.contains("> USER alice"), "{log}");
    assert!(!log.contains(PASSWORD), "{log}");
}

#[test]
fn a_wrong_password_is_one_clear_sentence() {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let server = FtpServer::start(root.path(), None);
    let output = wharf(
        home.path(),
        &["ls", &format!("ftp://{USER}:wrong-guess@127.0.0.1:{}/", server.port)],
    );
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.starts_with("wharf: logging in as alice failed"), "{message}");
    assert!(
        message.trim_end().ends_with("(127.0.0.1)"),
        "the host comes last: {message}"
    );
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert!(!message.contains("wrong-guess"));
}

#[test]
fn an_unreachable_host_says_so() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let home = tempfile::tempdir().unwrap();
    let output = wharf(home.path(), &["ls", &format!("sftp://u@127.0.0.1:{port}/")]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output).trim_end(),
        format!("wharf: connecting to 127.0.0.1:{port} failed: connection refused")
    );
}

#[test]
fn sync_previews_as_json_then_runs_and_says_what_it_cannot_do() {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let server = FtpServer::start(root.path(), None);
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("site");
    std::fs::create_dir_all(source.join("sub")).unwrap();
    std::fs::write(source.join("a.txt"), b"a").unwrap();
    std::fs::write(source.join("sub/b.txt"), b"bb").unwrap();
    std::fs::write(source.join("debug.log"), b"noise").unwrap();
    let (source_arg, url) = (source.to_str().unwrap(), ftp_url(server.port, "/site"));

    let preview = wharf(
        home.path(),
        &["sync", "-n", "--json", "--exclude", "*.log", source_arg, &url],
    );
    assert!(preview.status.success(), "{}", stderr(&preview));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&preview)).unwrap();
    assert_eq!(
        (
            plan["totals"]["copy"].as_u64(),
            plan["totals"]["folders"].as_u64(),
            plan["totals"]["bytes"].as_u64()
        ),
        (Some(2), Some(1), Some(3))
    );
    let planned: Vec<(&str, &str, &str)> = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let field = |name: &str| entry[name].as_str().unwrap_or_default();
            (field("path"), field("action"), field("reason"))
        })
        .collect();
    assert_eq!(
        planned,
        [
            ("a.txt", "copy", "missing"),
            ("sub", "copy", "missing"),
            ("sub/b.txt", "copy", "missing")
        ]
    );
    assert!(!root.path().join("site").exists(), "a preview changes nothing");

    let run = wharf(home.path(), &["sync", "--exclude", "*.log", source_arg, &url]);
    assert!(run.status.success(), "{}", stderr(&run));
    let expected: Vec<_> = tree(&source)
        .into_iter()
        .filter(|(path, _)| path != "debug.log")
        .collect();
    assert_eq!(tree(&root.path().join("site")), expected);

    let bad = wharf(home.path(), &["sync", "--exclude", "[z-a", source_arg, &url]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("--exclude \"[z-a\""), "{}", stderr(&bad));
    // Deleting what is only in the server's root folder is refused, not done.
    std::fs::write(root.path().join("stray.txt"), b"keep me").unwrap();
    let at_root = wharf(
        home.path(),
        &["sync", "--delete", source_arg, &ftp_url(server.port, "/")],
    );
    assert_eq!(at_root.status.code(), Some(2), "{}", stderr(&at_root));
    assert!(
        stderr(&at_root).contains("refusing to delete what is only in /"),
        "{}",
        stderr(&at_root)
    );
    assert!(root.path().join("stray.txt").exists());
    let two_local = wharf(home.path(), &["sync", source_arg, local.path().to_str().unwrap()]);
    assert_eq!(two_local.status.code(), Some(2));
    assert!(
        stderr(&two_local).contains("one folder on this computer and one on a server"),
        "{}",
        stderr(&two_local)
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(wharf(home.path(), &["ls", "not a url"]).status.code(), Some(2));
    assert_eq!(
        wharf(home.path(), &["ls", "gopher://example.org/"]).status.code(),
        Some(2)
    );
    assert_eq!(wharf(home.path(), &["frobnicate"]).status.code(), Some(2));
    for parallel in ["0", "17", "many"] {
        let refused = wharf(home.path(), &["get", "-j", parallel, "ftp://127.0.0.1:1/x", "."]);
        assert_eq!(refused.status.code(), Some(2), "-j {parallel}");
        assert!(
            stderr(&refused).contains("expected auto or a number from 1 to 16"),
            "{}",
            stderr(&refused)
        );
    }
}

#[test]
fn missing_files_and_folders_without_r_fail_clearly() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("folder")).unwrap();
    let home = tempfile::tempdir().unwrap();
    let server = FtpServer::start(root.path(), None);
    let target = tempfile::tempdir().unwrap();
    let missing = wharf(
        home.path(),
        &[
            "get",
            &ftp_url(server.port, "/nope.txt"),
            target.path().to_str().unwrap(),
        ],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("/nope.txt does not exist"),
        "{}",
        stderr(&missing)
    );
    let folder = wharf(
        home.path(),
        &["get", &ftp_url(server.port, "/folder"), target.path().to_str().unwrap()],
    );
    assert_eq!(folder.status.code(), Some(1));
    assert!(stderr(&folder).contains("is a folder"), "{}", stderr(&folder));
}

#[test]
fn mkdir_mv_rm() {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let server = FtpServer::start(root.path(), None);
    assert!(
        wharf(home.path(), &["mkdir", &ftp_url(server.port, "/a")])
            .status
            .success()
    );
    std::fs::write(root.path().join("a/f.txt"), b"1").unwrap();
    let moved = wharf(home.path(), &["mv", &ftp_url(server.port, "/a/f.txt"), "g.txt"]);
    assert!(moved.status.success(), "{}", stderr(&moved));
    assert!(root.path().join("a/g.txt").exists());
    let refused = wharf(home.path(), &["rm", &ftp_url(server.port, "/a")]);
    assert_eq!(refused.status.code(), Some(1), "a folder needs -r");
    assert!(root.path().join("a").exists());
    let removed = wharf(home.path(), &["rm", "-r", &ftp_url(server.port, "/a")]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert!(!root.path().join("a").exists());
}

#[test]
fn an_unknown_certificate_is_refused_then_pinned_on_request() {
    let root = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let tls = TlsFiles::generate(keys.path());
    let server = FtpServer::start(root.path(), Some(&tls));
    let url = format!("ftpes://{USER}:{PASSWORD}@127.0.0.1:{}/", server.port);
    let fingerprint = wharf::protocol::trust::sha256_fingerprint(&tls.der);

    let refused = wharf(home.path(), &["ls", &url]);
    assert_eq!(refused.status.code(), Some(1));
    let message = stderr(&refused);
    assert!(message.contains(&fingerprint), "the fingerprint is shown: {message}");
    assert!(message.contains("--accept-new-cert"), "{message}");
    // Why, in words, said once, even with the whole conversation shown; then what to do.
    let verbose = wharf(home.path(), &["-v", "ls", &url]);
    let message = stderr(&verbose);
    assert_eq!(message.matches("is not trusted because").count(), 1, "{message}");
    assert!(message.contains("because it is self-signed"), "{message}");
    assert!(!message.contains("Other("), "no debug output: {message}");
    let last_two: Vec<&str> = message.lines().rev().take(2).collect();
    assert!(
        last_two[1].contains("is not trusted because") && last_two[0].contains("--accept-new-cert"),
        "the reason, then the advice: {message}"
    );

    let accepted = wharf(home.path(), &["ls", "--accept-new-cert", &url]);
    assert!(accepted.status.success(), "{}", stderr(&accepted));
    let again = wharf(home.path(), &["ls", &url]);
    assert!(
        again.status.success(),
        "a pinned certificate is trusted: {}",
        stderr(&again)
    );

    // Another certificate on the same host and port is a change, and refused.
    let elsewhere = tempfile::tempdir().unwrap();
    let other = TlsFiles::generate(elsewhere.path());
    let pins = home.path().join("config/trusted_certificates");
    let pinned = std::fs::read_to_string(&pins).unwrap();
    std::fs::write(
        &pins,
        pinned.replace(&fingerprint, &wharf::protocol::trust::sha256_fingerprint(&other.der)),
    )
    .unwrap();
    let changed = wharf(home.path(), &["ls", "--accept-new-cert", &url]);
    assert_eq!(changed.status.code(), Some(1));
    assert!(stderr(&changed).contains("has CHANGED"), "{}", stderr(&changed));
}

#[test]
fn ssh_host_keys_are_asked_about_recorded_and_checked() {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("hello.txt"), b"hello").unwrap();
    let server = SftpServer::start(root.path(), "pw", None);
    let url = format!("sftp://user:pw@127.0.0.1:{}/", server.port);

    let refused = wharf(home.path(), &["ls", &url]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("SHA256:"), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("--accept-new-host-key"),
        "{}",
        stderr(&refused)
    );

    let accepted = wharf(home.path(), &["ls", "--accept-new-host-key", &url]);
    assert!(accepted.status.success(), "{}", stderr(&accepted));
    assert!(stdout(&accepted).contains("hello.txt"));
    let known = std::fs::read_to_string(home.path().join("config/known_hosts")).unwrap();
    assert_eq!(known.trim(), server.known_hosts_line().trim());
    let again = wharf(home.path(), &["ls", &url]);
    assert!(again.status.success(), "{}", stderr(&again));

    // A different key recorded for this host and port: refused, even with the flag.
    let impostor = SftpServer::start(root.path(), "pw", None);
    let forged = impostor
        .known_hosts_line()
        .replace(&format!("]:{} ", impostor.port), &format!("]:{} ", server.port));
    std::fs::write(home.path().join("config/known_hosts"), forged).unwrap();
    let changed = wharf(home.path(), &["ls", "--accept-new-host-key", &url]);
    assert_eq!(changed.status.code(), Some(1));
    let message = stderr(&changed);
    assert!(message.contains("has CHANGED"), "{message}");
    assert_eq!(
        message.matches("SHA256:").count(),
        2,
        "both fingerprints are shown: {message}"
    );
}

#[test]
fn without_a_display_the_window_says_so_and_points_to_the_command_line() {
    let home = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
        .env("WHARF_HOME", home.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("wharf: the window could not open"), "{text}");
    assert!(text.contains("wharf --help"), "{text}");
}

#[test]
fn a_mistyped_command_is_not_taken_for_a_url() {
    let home = tempfile::tempdir().unwrap();
    let output = wharf(home.path(), &["lss", "sftp://host/"]);
    assert_eq!(output.status.code(), Some(2));
    let output = wharf(home.path(), &["frobnicate"]);
    assert!(
        stderr(&output).contains("neither a command nor a URL"),
        "{}",
        stderr(&output)
    );
}

/// Links as the desktop hands them over (`Exec=wharf -- %U`, from a browser) are untrusted:
/// one dressed as an option, or holding a newline or a query, is refused with a sentence and
/// exit status 2 before anything else happens; the window never opens.
#[test]
fn links_that_smuggle_options_or_commands_are_refused() {
    let home = tempfile::tempdir().unwrap();
    for (link, why) in [
        ("sftp://-oProxyCommand=touch%20pwned/", "starts with '-'"),
        ("ssh:-oProxyCommand=touch%20pwned", "starts with '-'"),
        ("sftp://%2DoProxyCommand@h/", "starts with '-'"),
        ("--help", "starts with '-'"),
        ("ftp://h/a%0ADELE%20x", "control or invisible character"),
        ("sftp://h/a\nrm -rf x", "control or invisible character"),
        ("sftp://h/x?delete=1", "query or fragment"),
        ("gopher://h/", "not supported"),
        ("http://h/", "names a file to download"),
        ("ls", "neither a command nor a URL"),
    ] {
        let output = wharf_with(home.path(), &["--", link], &[("DISPLAY", ""), ("WAYLAND_DISPLAY", "")]);
        assert_eq!(output.status.code(), Some(2), "{link:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(why), "{link:?}: {}", stderr(&output));
    }
    assert!(
        std::fs::read_dir(home.path()).unwrap().next().is_none(),
        "a refused link leaves nothing behind"
    );
}
