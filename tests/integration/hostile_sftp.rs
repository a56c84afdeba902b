//! A hostile SFTP server (the in-process russh server in a hostile mode): a listing that never
//! ends, sizes that are not true, replies out of order or with request ids nobody sent. Names
//! the server should never send are in `sftp.rs`.

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use wharf::model::Protocol;
use wharf::model::location::RemotePath;
use wharf::protocol::sftp::SftpFs;
use wharf::protocol::{ConnectContext, ErrorKind, ListingLimits, RemoteFs, Timeouts};

use crate::support::sftp_server::{HostileSftp, Options, SftpServer, USER};
use crate::support::{data, stderr, tree, wharf};

const PASSWORD: &str = "hostile-pw";

fn start(root: &Path, hostile: HostileSftp) -> SftpServer {
    let mut options = Options::new(PASSWORD);
    options.hostile = Some(hostile);
    SftpServer::start_with(root, options)
}

fn connect(server: &SftpServer, context: &ConnectContext) -> SftpFs {
    let site = crate::support::site(Protocol::Sftp, server.port, USER, PASSWORD);
    SftpFs::connect(&site, context).expect("the hostile server still logs in")
}

/// A home for the command line that knows `server`'s host key.
fn home_for(server: &SftpServer) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("known_hosts"), server.known_hosts_line()).unwrap();
    home
}

#[test]
fn a_listing_that_never_ends_is_refused_at_the_limit() {
    let root = tempfile::tempdir().unwrap();
    let server = start(root.path(), HostileSftp::EndlessListing);
    let context = ConnectContext {
        limits: ListingLimits {
            entries: 1000,
            bytes: 1 << 20,
        },
        ..crate::support::context()
    };
    let mut fs = connect(&server, &context);
    let error = fs.read_dir(&RemotePath::new("/")).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Protocol);
    assert!(
        error.message.contains("stopped after 1000 entries") && error.message.contains("never ends"),
        "{}",
        error.message
    );
}

#[test]
fn a_misstated_size_never_ends_as_a_finished_file() {
    let content = data(200 * 1024, 3);
    for misstated_by in [-1000, 1000] {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("file.bin"), &content).unwrap();
        let server = start(root.path(), HostileSftp::MisstatedSize(misstated_by));
        let home = home_for(&server);
        let target = tempfile::tempdir().unwrap();
        let output = wharf(
            home.path(),
            &[
                "get",
                &format!("sftp://{USER}:{PASSWORD}@127.0.0.1:{}/file.bin", server.port),
                target.path().to_str().unwrap(),
            ],
        );
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let message = stderr(&output);
        assert!(message.contains("where the server listed"), "{message}");
        let files: Vec<String> = tree(target.path()).into_iter().map(|(name, _)| name).collect();
        assert_eq!(
            files,
            [".file.bin.wharf-part"],
            "only the partial file, never one under the final name ({misstated_by})"
        );
    }
}

#[test]
fn replies_out_of_order_still_give_the_identical_file() {
    let content = data(3 * 1024 * 1024 + 17, 9);
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("file.bin"), &content).unwrap();
    let server = start(root.path(), HostileSftp::ReorderedReplies);
    let mut fs = connect(&server, &crate::support::context());
    let mut stream = fs.open_read(&RemotePath::new("/file.bin"), 0).unwrap();
    let mut received = Vec::new();
    stream.read_to_end(&mut received).unwrap();
    stream.finish().unwrap();
    assert!(received == content, "libssh2 matches replies to requests by id");
    assert!(
        server.spoiled_replies() > 10,
        "{} replies came out of order",
        server.spoiled_replies()
    );
}

#[test]
fn replies_with_request_ids_nobody_sent_end_in_a_timeout_not_a_hang() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("file.bin"), data(64 * 1024, 1)).unwrap();
    let server = start(root.path(), HostileSftp::WrongRequestIds);
    let context = ConnectContext {
        timeouts: Timeouts { connect: 5, idle: 2 },
        ..crate::support::context()
    };
    let mut fs = connect(&server, &context);
    let started = Instant::now();
    let mut stream = fs.open_read(&RemotePath::new("/file.bin"), 0).unwrap();
    let mut received = Vec::new();
    let error = stream.read_to_end(&mut received).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "given up after the idle timeout: {:?}",
        started.elapsed()
    );
    assert!(
        received.is_empty(),
        "no byte of a reply to another request is taken as data"
    );
    assert!(server.spoiled_replies() > 0);
    let error = wharf::protocol::FsError::from_network(&error, "downloading /file.bin");
    assert_eq!(error.kind, ErrorKind::Timeout, "{}", error.message);
}
