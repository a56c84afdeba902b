//! The conformance suite against each backend, hermetically.

use wharf::model::Protocol;
use wharf::model::location::RemotePath;
use wharf::protocol::ftp::FtpFs;
use wharf::protocol::local::LocalFs;
use wharf::protocol::memory::MemoryFs;
use wharf::protocol::sftp::SftpFs;

use crate::conformance::exercise;
use crate::support::ftp_server::{FtpServer, PASSWORD, TlsFiles, USER};
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
    assert_eq!(wharf::protocol::RemoteFs::security(&fs), "TLS 1.2 (explicit)");
    exercise(&mut fs, &RemotePath::new("/"));
}

/// TLS 1.2 is offered first (FTPS data connections resume the control connection's session,
/// which TLS 1.2 allows any number of times); a server that speaks only TLS 1.3 gets it.
#[test]
fn ftpes_with_a_server_that_speaks_only_tls13() {
    let root = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let mut tls = TlsFiles::generate(keys.path());
    tls.only_tls13 = true;
    let server = FtpServer::start(root.path(), Some(&tls));
    let mut fs = FtpFs::connect(&site(Protocol::Ftpes, server.port, USER, PASSWORD), &context()).unwrap();
    assert_eq!(wharf::protocol::RemoteFs::security(&fs), "TLS 1.3 (explicit)");
    exercise(&mut fs, &RemotePath::new("/"));
}

#[test]
fn sftp() {
    let root = tempfile::tempdir().unwrap();
    let server = SftpServer::start(root.path(), "pw", None);
    let mut fs = SftpFs::connect(&site(Protocol::Sftp, server.port, "user", "pw"), &context()).unwrap();
    exercise(&mut fs, &RemotePath::new("/"));
}
