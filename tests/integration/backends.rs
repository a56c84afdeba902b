//! The conformance suite against each backend, hermetically.

use wharf::model::Protocol;
use wharf::model::location::RemotePath;
use wharf::protocol::ftp::FtpFs;
use wharf::protocol::local::LocalFs;
use wharf::protocol::memory::MemoryFs;
use wharf::protocol::sftp::SftpFs;

use crate::conformance::exercise;
use crate::support::ftp_server::{FtpServer, PASSWORD, TlsFiles, TlsVersions, USER};
use crate::support::sftp_server::SftpServer;
use crate::support::{context, site};

#[test]
fn memory() {
    let mut fs = MemoryFs::new();
    exercise(&mut fs, &RemotePath::new("/"));
}

#[test]
fn local() {
    let root = tempfile::tempdir().unwrap();
    let mut fs = LocalFs::new(root.path());
    exercise(&mut fs, &RemotePath::new("/"));
}

#[test]
fn ftp() {
    let root = tempfile::tempdir().unwrap();
    let server = FtpServer::start(root.path(), None);
    let mut fs = FtpFs::connect(&site(Protocol::Ftp, server.port, USER, PASSWORD), &context()).unwrap();
    exercise(&mut fs, &RemotePath::new("/"));
}

#[test]
fn ftpes() {
    let root = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let tls = TlsFiles::generate(keys.path());
    let server = FtpServer::start(root.path(), Some(&tls));
    let mut fs = FtpFs::connect(&site(Protocol::Ftpes, server.port, USER, PASSWORD), &context()).unwrap();
    assert_eq!(wharf::protocol::RemoteFs::security(&fs).detail, "TLS 1.2 (explicit)");
    exercise(&mut fs, &RemotePath::new("/"));
}

/// TLS 1.2 is offered first (FTPS data connections resume the control connection's session,
/// which TLS 1.2 allows any number of times) even to a server that speaks TLS 1.3 too; a
/// server that speaks only TLS 1.3 gets it.
#[test]
fn ftpes_prefers_tls12_and_falls_back_to_tls13() {
    for (versions, expected) in [
        (TlsVersions::Both, "TLS 1.2 (explicit)"),
        (TlsVersions::Only13, "TLS 1.3 (explicit)"),
    ] {
        let root = tempfile::tempdir().unwrap();
        let keys = tempfile::tempdir().unwrap();
        let mut tls = TlsFiles::generate(keys.path());
        tls.versions = versions;
        let server = FtpServer::start(root.path(), Some(&tls));
        let mut fs = FtpFs::connect(&site(Protocol::Ftpes, server.port, USER, PASSWORD), &context())
            .unwrap_or_else(|error| panic!("server speaking {versions:?}: {error:?}"));
        assert_eq!(
            wharf::protocol::RemoteFs::security(&fs).detail,
            expected,
            "server speaking {versions:?}"
        );
        exercise(&mut fs, &RemotePath::new("/"));
    }
}

#[test]
fn sftp() {
    let root = tempfile::tempdir().unwrap();
    let server = SftpServer::start(root.path(), "pw", None);
    let mut fs = SftpFs::connect(&site(Protocol::Sftp, server.port, "user", "pw"), &context()).unwrap();
    exercise(&mut fs, &RemotePath::new("/"));
}
