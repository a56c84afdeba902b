//! An in-process FTP / FTPES server (libunftp over a folder) on 127.0.0.1:0, for tests.
//! Each accepted connection gets its own libunftp session on the server's runtime.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use libunftp::ServerBuilder;
use libunftp::options::{FtpsRequired, TlsFlags};
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, Principal};
use unftp_sbe_fs::Filesystem;

pub const USER: &str = "alice";
pub const PASSWORD: &str = "s3cret-pw";

#[derive(Debug)]
struct OneUser;

#[async_trait::async_trait]
impl Authenticator for OneUser {
    async fn authenticate(&self, username: &str, creds: &Credentials) -> Result<Principal, AuthenticationError> {
        if username != USER {
            return Err(AuthenticationError::BadUser);
        }
        if creds.password.as_deref() != Some(PASSWORD) {
            return Err(AuthenticationError::BadPassword);
        }
        Ok(Principal {
            username: username.to_owned(),
        })
    }
}

/// TLS material for FTPES: a self-signed certificate for 127.0.0.1 and localhost.
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub der: Vec<u8>,
    /// The TLS versions the server speaks.
    pub versions: TlsVersions,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsVersions {
    /// libunftp's default.
    Only12,
    Both,
    Only13,
}

impl TlsFiles {
    pub fn generate(dir: &Path) -> TlsFiles {
        let certified =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        let cert = dir.join("cert.pem");
        let key = dir.join("key.pem");
        std::fs::write(&cert, certified.cert.pem()).unwrap();
        std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
        TlsFiles {
            cert,
            key,
            der: certified.cert.der().to_vec(),
            versions: TlsVersions::Only12,
        }
    }
}

pub struct FtpServer {
    pub port: u16,
    _runtime_thread: std::thread::JoinHandle<()>,
}

impl FtpServer {
    /// Serves `root`; with `tls`, FTPES is required for the login and the data.
    pub fn start(root: &Path, tls: Option<&TlsFiles>) -> FtpServer {
        let root = root.to_path_buf();
        let tls_paths = tls.map(|files| (files.cert.clone(), files.key.clone(), files.versions));
        let (port_sender, port_receiver) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("ftp-test-server".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("ftp-test-server-rt")
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                    port_sender.send(listener.local_addr().unwrap().port()).unwrap();
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            return;
                        };
                        let root = root.clone();
                        let mut builder = ServerBuilder::with_authenticator(
                            Box::new(move || Filesystem::new(root.clone()).unwrap()),
                            Arc::new(OneUser),
                        )
                        .greeting("Wharf test server ready")
                        .passive_ports(40000..=60000)
                        .idle_session_timeout(60);
                        if let Some((cert, key, versions)) = &tls_paths {
                            builder = builder
                                .ftps(cert.clone(), key.clone())
                                .ftps_required(FtpsRequired::All, FtpsRequired::All);
                            let resumption = TlsFlags::RESUMPTION_SESS_ID | TlsFlags::RESUMPTION_TICKETS;
                            builder = match versions {
                                TlsVersions::Only12 => builder,
                                TlsVersions::Both => builder.ftps_tls_flags(TlsFlags::LATEST_VERSIONS | resumption),
                                TlsVersions::Only13 => builder.ftps_tls_flags(TlsFlags::V1_3 | resumption),
                            };
                        }
                        let server = builder.build().unwrap();
                        tokio::spawn(async move {
                            let _ = server.service(stream).await;
                        });
                    }
                });
            })
            .unwrap();
        let port = port_receiver.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        FtpServer {
            port,
            _runtime_thread: thread,
        }
    }
}
