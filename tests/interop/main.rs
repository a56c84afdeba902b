//! Interop tests against real servers: Debian's vsftpd (plain, explicit TLS with
//! `require_ssl_reuse=YES`, implicit TLS) and OpenSSH's sshd (password and key) here, and
//! pure-ftpd and ProFTPD in [`matrix`]. Built only with `--features interop`; `.ci/run`
//! installs or unpacks the servers and creates the test account first.

#![cfg(feature = "interop")]
// Test code: a failed step should stop the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../integration/conformance.rs"]
mod conformance;
mod dav;
mod http;
mod matrix;
mod otp;
mod s3;
mod scp;
mod servers;
mod ssh_routes;
#[path = "../integration/support/mod.rs"]
#[allow(dead_code)]
mod support;
mod sync;
mod tls;

use wharf::model::location::RemotePath;
use wharf::model::{Credentials, Protocol, Secret};
use wharf::protocol::RemoteFs;
use wharf::protocol::ftp::FtpFs;
use wharf::protocol::sftp::SftpFs;

use servers::{FtpTls, KEY_PASSPHRASE, PASSWORD, USER};
use support::{context, site, stderr, tree, wharf};

/// The remote path of a folder made by [`servers::user_folder`].
fn remote(folder: &std::path::Path) -> RemotePath {
    RemotePath::new(folder.to_str().unwrap())
}

/// A vsftpd of the given kind, a fresh folder in the account's home, and a logged-in backend.
fn vsftpd_session(tls: FtpTls, protocol: Protocol, name: &str) -> (servers::Running, servers::UserFolder, FtpFs) {
    let (server, _) = servers::vsftpd(tls);
    let folder = servers::user_folder(name);
    let fs = FtpFs::connect(&site(protocol, server.port, USER, PASSWORD), &context()).unwrap();
    (server, folder, fs)
}

#[test]
fn vsftpd_plain_ftp() {
    let (_server, folder, mut fs) = vsftpd_session(FtpTls::None, Protocol::Ftp, "ftp-plain");
    conformance::exercise(&mut fs, &remote(&folder));
}

#[test]
fn vsftpd_explicit_tls_with_session_reuse_required() {
    let (_server, folder, mut fs) = vsftpd_session(FtpTls::Explicit, Protocol::Ftpes, "ftpes");
    assert!(fs.security().detail.contains("TLS"));
    conformance::exercise(&mut fs, &remote(&folder));
}

/// "TLS if available" on a server without TLS: refused unless the site allows it, and then
/// the connection says plainly that it is not encrypted.
#[test]
fn vsftpd_without_tls_is_refused_unless_the_site_allows_plain() {
    let (server, _) = servers::vsftpd(FtpTls::None);
    let mut site = site(Protocol::Ftpes, server.port, USER, PASSWORD);
    let refused = FtpFs::connect(&site, &context()).err().expect("no TLS, no login");
    assert!(refused.message.contains("refused TLS"), "{}", refused.message);
    site.tls_if_available = true;
    let mut fs = FtpFs::connect(&site, &context()).unwrap();
    assert_eq!(fs.security().detail, "not encrypted: the server refused TLS");
    fs.list(&RemotePath::home()).unwrap();
}

/// Regression: rustls uses each TLS 1.3 ticket once and uploads never read the new ones, so
/// without collecting them at the end of each upload the third upload in a row was refused
/// with "522 SSL connection failed: session reuse required".
#[test]
fn vsftpd_many_uploads_in_a_row_keep_resuming_the_tls_session() {
    let (_server, folder, mut fs) = vsftpd_session(FtpTls::Explicit, Protocol::Ftpes, "ftpes-uploads");
    for index in 0..8 {
        let path = remote(&folder).join(&format!("f{index}.txt"));
        let mut writer = fs.open_write(&path, 0).unwrap();
        std::io::Write::write_all(&mut writer, b"small").unwrap();
        writer.finish().unwrap();
    }
    assert_eq!(fs.list(&remote(&folder)).unwrap().entries.len(), 8);
}

/// The window's edit loop against vsftpd (issue 13): fetched, saved, uploaded; then a
/// change on the server is asked about and overwritten.
#[test]
fn the_window_edits_a_file_on_vsftpd() {
    let (server, _) = servers::vsftpd(FtpTls::None);
    let folder = servers::user_folder("edit");
    let home = tempfile::tempdir().unwrap();
    let link = format!("ftp://{USER}:{PASSWORD}@127.0.0.1:{}{}", server.port, folder.display());
    support::window::edit_loop(home.path(), &link, "page.html", &folder.join("page.html"));
}

#[test]
fn vsftpd_implicit_tls() {
    let (_server, folder, mut fs) = vsftpd_session(FtpTls::Implicit, Protocol::Ftps, "ftps");
    conformance::exercise(&mut fs, &remote(&folder));
}

#[test]
fn vsftpd_active_mode() {
    let (server, _) = servers::vsftpd(FtpTls::None);
    let folder = servers::user_folder("ftp-active");
    std::fs::write(folder.join("a.txt"), b"active").unwrap();
    let mut active = site(Protocol::Ftp, server.port, USER, PASSWORD);
    active.data_mode = wharf::model::DataMode::Active;
    let mut fs = FtpFs::connect(&active, &context()).unwrap();
    let names: Vec<String> = fs
        .list(&remote(&folder))
        .unwrap()
        .entries
        .into_iter()
        .map(|entry| entry.name)
        .collect();
    assert_eq!(names, vec!["a.txt".to_owned()]);
}

/// vsftpd lists with LIST (minute-precision times) and answers MDTM to the second: a
/// download killed mid-file must still be resumed by `queue run`, not started over.
#[test]
fn cli_queue_run_resumes_a_killed_download_from_vsftpd() {
    let (server, _) = servers::vsftpd(FtpTls::None);
    let folder = servers::user_folder("kill");
    let content = support::data(4 * 1024 * 1024 + 1, 5);
    std::fs::create_dir(folder.join("files")).unwrap();
    // A time in the middle of a minute, which a LIST line cannot show.
    let file = folder.join("files/big.bin");
    std::fs::write(&file, &content).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_763_000_037))
        .unwrap();
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // A folder, so that the file's size and time come from vsftpd's LIST.
    let url = format!("ftp://{USER}@127.0.0.1:{}{}/files", server.port, folder.display());
    support::kill_get_mid_file(
        home.path(),
        &["-r", &url, out.path().to_str().unwrap()],
        PASSWORD,
        &out.path().join("files/.big.bin.wharf-part"),
    );

    let run = support::wharf_with(home.path(), &["-v", "queue", "run"], &[("WHARF_PASSWORD", PASSWORD)]);
    let log = stderr(&run);
    assert!(run.status.success(), "{log}");
    assert!(!log.contains("starting it over"), "{log}");
    assert!(log.lines().any(|line| line.starts_with("> REST ")), "{log}");
    assert_eq!(std::fs::read(out.path().join("files/big.bin")).unwrap(), content);
}

#[test]
fn cli_against_vsftpd_with_tls_pins_the_certificate() {
    let (server, der) = servers::vsftpd(FtpTls::Explicit);
    let folder = servers::user_folder("ftpes-cli");
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("upload");
    std::fs::create_dir_all(source.join("sub")).unwrap();
    std::fs::write(source.join("sub/one.bin"), support::data(1024 * 1024 + 3, 9)).unwrap();
    std::fs::write(source.join("two.txt"), b"two").unwrap();
    let url = format!(
        "ftpes://{USER}:{PASSWORD}@127.0.0.1:{}{}",
        server.port,
        folder.display()
    );

    let refused = wharf(home.path(), &["put", "-r", source.to_str().unwrap(), &url]);
    assert_eq!(refused.status.code(), Some(1));
    let fingerprint = wharf::protocol::trust::sha256_fingerprint(&der.unwrap());
    assert!(stderr(&refused).contains(&fingerprint), "{}", stderr(&refused));

    let put = wharf(
        home.path(),
        &["put", "-r", "--accept-new-cert", source.to_str().unwrap(), &url],
    );
    assert!(put.status.success(), "{}", stderr(&put));
    assert_eq!(tree(&folder.join("upload")), tree(&source));
    let target = tempfile::tempdir().unwrap();
    let get = wharf(
        home.path(),
        &["get", "-r", &format!("{url}/upload"), target.path().to_str().unwrap()],
    );
    assert!(get.status.success(), "{}", stderr(&get));
    assert_eq!(tree(&target.path().join("upload")), tree(&source));
}

#[test]
fn sshd_password() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("sftp-password");
    let mut fs = SftpFs::connect(&site(Protocol::Sftp, server.port, USER, PASSWORD), &context()).unwrap();
    conformance::exercise(&mut fs, &remote(&folder));
}

#[test]
fn sshd_symlinks_point_where_asked() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("sftp-links");
    std::fs::write(folder.join("real.txt"), b"real").unwrap();
    let mut fs = SftpFs::connect(&site(Protocol::Sftp, server.port, USER, PASSWORD), &context()).unwrap();
    let link = remote(&folder).join("link.txt");
    fs.symlink("real.txt", &link).unwrap();
    assert_eq!(
        std::fs::read_link(folder.join("link.txt")).unwrap(),
        std::path::Path::new("real.txt")
    );
    assert_eq!(fs.readlink(&link).unwrap(), "real.txt");
    let listed = fs.list(&remote(&folder)).unwrap().entries;
    let entry = listed.iter().find(|entry| entry.name == "link.txt").unwrap();
    assert_eq!(
        (entry.kind, entry.target.as_deref()),
        (wharf::model::EntryKind::Link, Some("real.txt"))
    );
}

#[test]
fn sshd_key_with_passphrase() {
    let (server, key) = servers::sshd();
    let folder = servers::user_folder("sftp-key");
    std::fs::write(folder.join("k.txt"), b"key").unwrap();
    let mut keyed = site(Protocol::Sftp, server.port, USER, "");
    keyed.credentials = Credentials {
        key_file: Some(key.clone()),
        key_passphrase: Some(Secret::new(KEY_PASSPHRASE)),
        ..Credentials::default()
    };
    let mut fs = SftpFs::connect(&keyed, &context()).unwrap();
    let names: Vec<String> = fs
        .list(&remote(&folder))
        .unwrap()
        .entries
        .into_iter()
        .map(|entry| entry.name)
        .collect();
    assert_eq!(names, vec!["k.txt".to_owned()]);

    keyed.credentials = Credentials {
        key_file: Some(servers::plain_client_key(&server)),
        ..Credentials::default()
    };
    assert!(
        SftpFs::connect(&keyed, &context()).is_ok(),
        "a key without passphrase logs in too"
    );

    keyed.credentials = Credentials {
        key_file: Some(key),
        ..Credentials::default()
    };
    keyed.credentials.key_passphrase = Some(Secret::new("wrong"));
    let error = SftpFs::connect(&keyed, &context())
        .err()
        .expect("a wrong passphrase fails");
    assert_eq!(error.kind, wharf::protocol::ErrorKind::Auth, "{}", error.message);
}

#[test]
fn cli_against_sshd_records_the_host_key() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("sftp-cli");
    std::fs::write(folder.join("hello.txt"), b"hello").unwrap();
    let home = tempfile::tempdir().unwrap();
    let url = format!(
        "sftp://{USER}:{PASSWORD}@127.0.0.1:{}{}/hello.txt",
        server.port,
        folder.display()
    );
    let target = tempfile::tempdir().unwrap();
    let get = wharf(
        home.path(),
        &["get", "--accept-new-host-key", &url, target.path().to_str().unwrap()],
    );
    assert!(get.status.success(), "{}", stderr(&get));
    assert_eq!(std::fs::read(target.path().join("hello.txt")).unwrap(), b"hello");
    let known = std::fs::read_to_string(home.path().join("config/known_hosts")).unwrap();
    let key = servers::host_public_key(&server);
    let blob = key.split_whitespace().nth(1).unwrap();
    assert!(known.contains(blob), "{known}");
}

/// Issue 14: a link that keeps dropping still finishes. netproxy.py resets the SSH
/// connection every ~400 KB; each attempt logs in again, resumes where the last stopped and
/// moves bytes, so the retry budget (five attempts in a row that move nothing) is never used
/// up, and the file ends identical.
#[test]
fn sftp_through_a_link_that_resets_every_few_hundred_kb_finishes_identical() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("flaky");
    let content = support::data(4 * 1024 * 1024 + 3, 7);
    std::fs::write(folder.join("flaky.bin"), &content).unwrap();
    let proxy = servers::netproxy(server.port, &["--cut-every", "400000", "--seed", "3"]);
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let url = format!("sftp://{USER}@127.0.0.1:{}{}/flaky.bin", proxy.port(), folder.display());
    let run = support::wharf_with(
        home.path(),
        &["-v", "get", "--accept-new-host-key", &url, out.path().to_str().unwrap()],
        &[("WHARF_PASSWORD", PASSWORD)],
    );
    let log = stderr(&run);
    assert!(run.status.success(), "{log}");
    assert_eq!(std::fs::read(out.path().join("flaky.bin")).unwrap(), content);
    let retries = log.lines().filter(|line| line.contains("retrying in")).count();
    assert!(proxy.cuts() > 5, "the proxy cut {} times: {log}", proxy.cuts());
    assert!(
        retries <= proxy.cuts(),
        "{retries} retries for {} cuts: {log}",
        proxy.cuts()
    );
    assert!(log.contains("from where it stopped"), "{log}");
}

/// Issue 14: a hung link is noticed. netproxy.py stops forwarding after ~700 KB on every
/// connection without closing it (a dead NAT, a hung server). Each attempt shows as stalled,
/// is given up after the idle timeout (`--timeout 4`), and the next one resumes: the file
/// ends identical.
#[test]
fn sftp_through_a_link_that_hangs_is_given_up_after_the_timeout_and_resumed() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("hung");
    let content = support::data(2 * 1024 * 1024 + 5, 8);
    std::fs::write(folder.join("hung.bin"), &content).unwrap();
    let proxy = servers::netproxy(server.port, &["--stall-after", "700000"]);
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let url = format!("sftp://{USER}@127.0.0.1:{}{}/hung.bin", proxy.port(), folder.display());
    let started = std::time::Instant::now();
    let run = support::wharf_with(
        home.path(),
        &[
            "-v",
            "get",
            "--timeout",
            "4",
            "--accept-new-host-key",
            &url,
            out.path().to_str().unwrap(),
        ],
        &[("WHARF_PASSWORD", PASSWORD)],
    );
    let log = stderr(&run);
    assert!(run.status.success(), "{log}");
    assert_eq!(std::fs::read(out.path().join("hung.bin")).unwrap(), content);
    assert!(log.contains("nothing has moved for"), "stalled is shown first: {log}");
    assert!(log.contains("retrying in"), "{log}");
    // Three stalls, each given up after 4 s and retried after 1 s, plus logins: a hung
    // connection that also waited out its goodbyes took 52 s here.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(40),
        "{:?}",
        started.elapsed()
    );
}

/// Issue 14: this computer's disk fills up during a download (a real 8 MiB tmpfs, 2 MiB of
/// it free). The download fails at once with the room left and where, keeps its partial
/// file, and the other download to that disk is paused; once there is room, the same `get`
/// resumes the partial file and finishes both, identical.
#[test]
fn a_full_local_disk_says_so_keeps_the_partial_file_and_a_second_get_resumes() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("full-disk");
    std::fs::create_dir(folder.join("files")).unwrap();
    let (a, b) = (support::data(3 * 1024 * 1024, 1), support::data(3 * 1024 * 1024, 2));
    std::fs::write(folder.join("files/a.bin"), &a).unwrap();
    std::fs::write(folder.join("files/b.bin"), &b).unwrap();
    let disk = servers::SmallDisk::mount(8 * 1024 * 1024);
    std::fs::write(disk.path().join("blocker"), vec![0u8; 6 * 1024 * 1024]).unwrap();
    let home = tempfile::tempdir().unwrap();
    let url = format!("sftp://{USER}@127.0.0.1:{}{}/files", server.port, folder.display());
    // An existing folder receives the download under the folder's own name, both times.
    let target = disk.path().join("out");
    std::fs::create_dir(&target).unwrap();
    let args = [
        "-v",
        "get",
        "-r",
        "-j",
        "1",
        "--accept-new-host-key",
        url.as_str(),
        target.to_str().unwrap(),
    ];
    let full = support::wharf_with(home.path(), &args, &[("WHARF_PASSWORD", PASSWORD)]);
    let log = stderr(&full);
    assert!(!full.status.success(), "{log}");
    assert!(log.contains("the disk is full: "), "{log}");
    let files = target.join("files");
    assert!(log.contains(&format!("free on {}", files.display())), "{log}");
    assert!(log.contains("1 other download to the same disk was paused"), "{log}");
    assert!(
        !log.contains("retrying in"),
        "a full disk is not retried blindly: {log}"
    );
    let partials = std::fs::read_dir(&files)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".wharf-part"))
        .count();
    assert_eq!(partials, 1, "the partial file is kept: {log}");

    std::fs::remove_file(disk.path().join("blocker")).unwrap();
    let again = support::wharf_with(home.path(), &args, &[("WHARF_PASSWORD", PASSWORD)]);
    let log = stderr(&again);
    assert!(again.status.success(), "{log}");
    assert!(
        log.lines()
            .any(|line| line.contains("(read from ") && !line.contains("(read from 0)")),
        "one file resumed: {log}"
    );
    assert_eq!(std::fs::read(files.join("a.bin")).unwrap(), a);
    assert_eq!(std::fs::read(files.join("b.bin")).unwrap(), b);
}

/// Issue 14: Wharf offers no weak algorithm. An sshd that allows only a SHA-1 key exchange
/// and 3DES is refused, with a sentence that names what Wharf does not use; the usual sshd
/// is reached with a strong key exchange, which the status line names.
#[test]
fn sshd_offering_only_weak_algorithms_is_refused_with_words() {
    let (weak, _) = servers::sshd_with("KexAlgorithms diffie-hellman-group14-sha1\nCiphers 3des-cbc\n");
    let refused = SftpFs::connect(&site(Protocol::Sftp, weak.port, USER, PASSWORD), &context())
        .err()
        .expect("no algorithm in common");
    // The server's own offer is named, read again from its KEXINIT.
    assert!(
        refused
            .message
            .contains("the server offers only key exchanges diffie-hellman-group14-sha1; ciphers 3des-cbc"),
        "{}",
        refused.message
    );
    assert!(!refused.retryable, "{}", refused.message);

    let (strong, _) = servers::sshd();
    let fs = SftpFs::connect(&site(Protocol::Sftp, strong.port, USER, PASSWORD), &context()).unwrap();
    let detail = fs.security().detail;
    assert!(
        detail.contains("curve25519-sha256") || detail.contains("ecdh-sha2"),
        "{detail}"
    );
    assert!(!detail.contains("sha1"), "{detail}");
}

/// Issue 15: Wharf's libssh2 en- and decrypts the whole blocks of a packet in one call (the
/// change in `vendor/libssh2-sys`), where libssh2 made one call per 16 bytes. Every cipher
/// Wharf offers, with a plain and an encrypt-then-MAC MAC, must move a file whose size is no
/// multiple of anything both ways through real sshd, byte for byte.
#[test]
fn every_cipher_wharf_offers_moves_a_file_intact_both_ways() {
    use std::io::{Read, Write};
    let data: Vec<u8> = (0..300_007u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let folder = servers::user_folder("ciphers");
    let path = remote(&folder).join("odd.bin");
    for cipher in [
        "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com",
        "aes128-ctr",
        "aes192-ctr",
        "aes256-ctr",
    ] {
        for mac in ["hmac-sha2-256", "hmac-sha2-512-etm@openssh.com"] {
            let (server, _) = servers::sshd_with(&format!("Ciphers {cipher}\nMACs {mac}\n"));
            let mut fs = SftpFs::connect(&site(Protocol::Sftp, server.port, USER, PASSWORD), &context()).unwrap();
            let detail = fs.security().detail;
            assert!(detail.contains(cipher), "{cipher} was not used: {detail}");
            let mut writer = fs.open_write(&path, 0).unwrap();
            writer.write_all(&data).unwrap();
            writer.finish().unwrap();
            let stored = std::fs::read(folder.join("odd.bin")).unwrap();
            assert!(stored == data, "{cipher} with {mac}: the upload differs");
            let mut back = Vec::new();
            let mut reader = fs.open_read(&path, 0).unwrap();
            reader.read_to_end(&mut back).unwrap();
            reader.finish().unwrap();
            assert!(back == data, "{cipher} with {mac}: the download differs");
        }
    }
}

/// Issue 14: a connection cut while it is being set up is tried again, wherever the cut falls:
/// netproxy.py resets the first connection after 800 to 2,600 bytes from the server, which
/// lands in the key exchange, the login or the start of the SFTP channel. libssh2 gives a cut
/// key exchange the same code as "no algorithm in common"; reading the server's offer again
/// tells them apart. Each attempt must end identical, and none may blame the credentials.
#[test]
fn an_sftp_connection_cut_while_it_is_set_up_is_tried_again() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("cut-handshake");
    std::fs::write(folder.join("small.txt"), b"arrived").unwrap();
    for cut in ["800", "1400", "1700", "2000", "2300", "2600"] {
        let proxy = servers::netproxy(
            server.port,
            &["--cut-every", cut, "--cut-jitter", "0", "--faulty-conns", "1"],
        );
        let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let url = format!("sftp://{USER}@127.0.0.1:{}{}/small.txt", proxy.port(), folder.display());
        let run = support::wharf_with(
            home.path(),
            &["-v", "get", "--accept-new-host-key", &url, out.path().to_str().unwrap()],
            &[("WHARF_PASSWORD", PASSWORD)],
        );
        let log = stderr(&run);
        assert!(run.status.success(), "cut after {cut} bytes: {log}");
        assert_eq!(proxy.cuts(), 1, "{log}");
        assert!(
            !log.contains("offers only") && !log.contains("no matching credential"),
            "{log}"
        );
        if cut == "800" {
            assert!(log.contains("the connection was cut during the key exchange"), "{log}");
        }
        assert_eq!(std::fs::read(out.path().join("small.txt")).unwrap(), b"arrived");
    }
}

/// Issue 14: links in a recursive download are not followed: a link to the folder's own
/// parent (a loop) and one that leaves the tree (to /etc) are skipped and named; only the
/// real files arrive, and the download ends.
#[test]
fn a_recursive_download_skips_link_loops_and_links_out_of_the_tree() {
    let (server, _) = servers::sshd();
    let folder = servers::user_folder("links");
    let tree = folder.join("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::write(tree.join("sub/real.txt"), b"real").unwrap();
    std::os::unix::fs::symlink("..", tree.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("/etc", tree.join("outside")).unwrap();
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let url = format!("sftp://{USER}@127.0.0.1:{}{}", server.port, tree.display());
    let run = support::wharf_with(
        home.path(),
        &["get", "-r", "--accept-new-host-key", &url, out.path().to_str().unwrap()],
        &[("WHARF_PASSWORD", PASSWORD)],
    );
    let log = stderr(&run);
    assert!(run.status.success(), "skipped links are not failures: {log}");
    let files: Vec<String> = tree_of(out.path());
    assert_eq!(files, ["tree/sub/real.txt"], "{log}");
    assert!(log.contains("sub/loop: links are not followed"), "{log}");
    assert!(log.contains("outside: links are not followed"), "{log}");
}

/// Files under `root`, relative, sorted.
fn tree_of(root: &std::path::Path) -> Vec<String> {
    tree(root).into_iter().map(|(name, _)| name).collect()
}

/// The OS keyring for real: GNOME Keyring's Secret Service, which `.ci/run` starts (unlocked)
/// in the D-Bus session it runs this suite in.
#[test]
fn the_os_keyring_stores_reads_and_deletes_a_password() {
    use wharf::secrets::{OsKeyring, SecretStore};
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run the interop suite inside dbus-run-session with gnome-keyring-daemon (see .ci/run)"
    );
    let store = OsKeyring::with_service("wharf-interop");
    let key = format!("site/interop-{}/password", std::process::id());
    store.set(&key, &Secret::new("keyring-interop-pw 1")).unwrap();
    assert_eq!(store.get(&key).unwrap().unwrap().expose(), "keyring-interop-pw 1");

    // What another program sees in the keyring: the item, named by service and key.
    let looked_up = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "wharf-interop", "username", &key])
        .output()
        .expect("secret-tool is installed (.ci/run installs libsecret-tools)");
    assert_eq!(String::from_utf8_lossy(&looked_up.stdout), "keyring-interop-pw 1");

    store.delete(&key).unwrap();
    assert_eq!(store.get(&key).unwrap(), None);
    store.delete(&key).expect("deleting what is gone is not an error");
}
