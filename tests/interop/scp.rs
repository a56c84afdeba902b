//! SCP against OpenSSH's sshd: a server without the SFTP subsystem, which an `sftp://`
//! connection falls back to SCP for, and `scp://` on a server that has both.

use std::path::Path;

use crate::servers::{self, PASSWORD, Sshd, USER};
use crate::support::{self, stderr, stdout, tree};

/// A tree whose names need quoting in a shell, and a file bigger than one buffer.
fn make_tree(root: &Path) {
    std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
    std::fs::write(root.join("a.txt"), b"first file\n").unwrap();
    std::fs::write(root.join("it's $HOME; (x).txt"), b"quoted name\n").unwrap();
    std::fs::write(root.join("sub/big.bin"), support::data(3 * 1024 * 1024 + 17, 4)).unwrap();
    std::fs::write(root.join("sub/deeper/empty"), b"").unwrap();
}

fn run(home: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["-v", "--accept-new-host-key"];
    all.extend_from_slice(args);
    support::wharf_with(home, &all, &[("WHARF_PASSWORD", PASSWORD)])
}

#[test]
fn a_server_without_sftp_is_used_over_scp_for_listing_downloads_and_uploads() {
    let (server, _) = servers::sshd_custom(&Sshd {
        sftp: false,
        ..Sshd::default()
    });
    let folder = servers::user_folder("scp-fallback");
    make_tree(&folder.join("tree"));
    let home = tempfile::tempdir().unwrap();
    let base = format!("sftp://{USER}@127.0.0.1:{}{}", server.port, folder.display());

    let listed = run(home.path(), &["ls", &format!("{base}/tree")]);
    let log = stderr(&listed);
    assert!(listed.status.success(), "{log}");
    assert!(log.contains("has no SFTP"), "{log}");
    assert!(log.contains("Wharf uses SCP instead: SCP: no resume"), "{log}");
    for name in ["a.txt", "it's $HOME; (x).txt", "sub"] {
        assert!(stdout(&listed).contains(name), "{name} in {}", stdout(&listed));
    }

    let down = tempfile::tempdir().unwrap();
    let got = run(
        home.path(),
        &["get", "-r", &format!("{base}/tree"), down.path().to_str().unwrap()],
    );
    assert!(got.status.success(), "{}", stderr(&got));
    assert_eq!(
        tree(&down.path().join("tree")),
        tree(&folder.join("tree")),
        "byte-identical"
    );

    let put = run(
        home.path(),
        &[
            "put",
            "-r",
            down.path().join("tree").to_str().unwrap(),
            &format!("{base}/up"),
        ],
    );
    assert!(put.status.success(), "{}", stderr(&put));
    assert_eq!(tree(&folder.join("up")), tree(&folder.join("tree")), "byte-identical");
    assert!(
        std::fs::read_dir(folder.join("up/sub")).unwrap().all(|entry| !entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".wharf-part")),
        "every upload took its name"
    );
}

#[test]
fn scp_urls_use_scp_on_a_server_that_has_sftp_too() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("scp-url");
    std::fs::write(folder.join("one.bin"), support::data(200_000, 9)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let target = home.path().join("one.bin");
    let url = format!("scp://{USER}@127.0.0.1:{}{}/one.bin", server.port, folder.display());
    let got = run(home.path(), &["get", &url, target.to_str().unwrap()]);
    let log = stderr(&got);
    assert!(got.status.success(), "{log}");
    assert!(log.contains("scp -f -- "), "{log}");
    assert!(!log.contains("has no SFTP"), "{log}");
    assert_eq!(std::fs::read(&target).unwrap(), support::data(200_000, 9));
}

/// The engine's conformance suite (folders, uploads through a partial name, listing,
/// stat, rename, times, deletes) on SCP over a server without SFTP.
#[test]
fn scp_passes_the_conformance_suite() {
    let (server, _) = servers::sshd_custom(&Sshd {
        sftp: false,
        ..Sshd::default()
    });
    let folder = servers::user_folder("scp-conformance");
    let site = support::site(wharf::model::Protocol::Scp, server.port, USER, PASSWORD);
    let mut fs = wharf::protocol::connect(&site, &support::context()).unwrap();
    assert!(
        fs.security().detail.contains("SCP: no resume"),
        "{}",
        fs.security().detail
    );
    crate::conformance::exercise(
        &mut *fs,
        &wharf::model::location::RemotePath::new(folder.to_str().unwrap()),
    );
}
