//! An in-process FTP / FTPES server (libunftp over a folder) on 127.0.0.1:0, for tests.
//! Each accepted connection gets its own libunftp session on the server's runtime, behind a
//! relay ([`relay`]) that makes its start of TLS after AUTH TLS free of races.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use libunftp::ServerBuilder;
use libunftp::options::{FtpsRequired, TlsFlags};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::Notify;
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
                    // libunftp's end of each relayed control connection.
                    let sessions = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                    let sessions_address = sessions.local_addr().unwrap();
                    port_sender.send(listener.local_addr().unwrap().port()).unwrap();
                    loop {
                        let Ok((client, _)) = listener.accept().await else {
                            return;
                        };
                        let Ok((relay_end, session_end)) = connected_pair(&sessions, sessions_address).await else {
                            continue;
                        };
                        let root = root.clone();
                        let upgrading = Arc::new(UpgradeSignal::default());
                        let mut builder = ServerBuilder::with_authenticator(
                            Box::new(move || Filesystem::new(root.clone()).unwrap()),
                            Arc::new(OneUser),
                        )
                        .greeting("Wharf test server ready")
                        .passive_ports(40000..=60000)
                        .idle_session_timeout(60)
                        .logger(slog::Logger::root(upgrading.clone(), slog::o!()));
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
                            let _ = server.service(session_end).await;
                        });
                        tokio::spawn(relay(client, relay_end, upgrading));
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

/// How long the relay holds libunftp's 234 reply back for its control loop to start TLS.
const UPGRADE_WAIT: Duration = Duration::from_secs(10);

/// What libunftp logs when its control loop starts TLS on the control connection (0.24).
const UPGRADE_MESSAGE: &str = "Upgrading control channel to TLS";

/// A libunftp session's logger that only listens for [`UPGRADE_MESSAGE`]. (Without a logger of
/// our own its records go to the `log` crate, which nothing reads in these tests.)
#[derive(Default)]
struct UpgradeSignal(Notify);

impl slog::Drain for UpgradeSignal {
    type Ok = ();
    type Err = slog::Never;

    fn log(&self, record: &slog::Record<'_>, _: &slog::OwnedKVList) -> Result<(), slog::Never> {
        if record.msg().to_string() == UPGRADE_MESSAGE {
            // Stored as a permit when the relay is not waiting yet.
            self.0.notify_one();
        }
        Ok(())
    }
}

/// How long a loopback connection to libunftp may take to open.
const PAIR_WAIT: Duration = Duration::from_secs(10);

/// Two ends of one loopback TCP connection: one connected to `sessions`, one accepted there.
async fn connected_pair(
    sessions: &tokio::net::TcpListener,
    address: std::net::SocketAddr,
) -> std::io::Result<(TcpStream, TcpStream)> {
    let (connected, accepted) = tokio::time::timeout(PAIR_WAIT, async {
        tokio::join!(TcpStream::connect(address), sessions.accept())
    })
    .await
    .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "the session listener did not answer"))?;
    let (connected, (accepted, peer)) = (connected?, accepted?);
    // Connections are paired one at a time, so the accepted one is this one.
    if peer != connected.local_addr()? {
        return Err(std::io::Error::other("another connection reached the session listener"));
    }
    Ok((connected, accepted))
}

/// Carries one control connection between the client and libunftp, holding libunftp's 234
/// reply to AUTH TLS back until its control loop has started TLS.
///
/// libunftp (0.24) answers AUTH TLS with 234 and starts TLS only when a message from a task
/// that the AUTH handler spawns reaches its control loop; until then, that loop still reads
/// commands. A client that sends its TLS ClientHello as soon as it reads the 234 (as RFC
/// 4217 has it; Wharf does) can have the hello read as a command line, which libunftp answers
/// with "500 Invalid UTF8 in command" in clear text where the client expects a TLS record
/// (rustls: "received corrupt message of type InvalidContentType"): one connection in ten to
/// one in four, in a loop of connections. A real server starts TLS right after its 234. Holding the 234
/// until libunftp logs [`UPGRADE_MESSAGE`] means the client's first TLS bytes arrive only
/// once libunftp reads them as TLS.
async fn relay(client: TcpStream, session: TcpStream, upgrading: Arc<UpgradeSignal>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (session_read, mut session_write) = session.into_split();
    let to_session = async {
        let _ = tokio::io::copy(&mut client_read, &mut session_write).await;
        let _ = session_write.shutdown().await;
    };
    let to_client = async {
        let mut session_read = BufReader::new(session_read);
        match pass_clear_text(&mut session_read, &mut client_write, &upgrading.0).await {
            Ok(()) => {
                let _ = tokio::io::copy_buf(&mut session_read, &mut client_write).await;
            }
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => eprintln!("FTP test server: {error}"),
            Err(_) => {}
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(to_session, to_client);
}

/// Passes libunftp's clear-text replies to the client line by line until its 234 reply to
/// AUTH TLS, which passes once libunftp has started TLS. Returns at the 234, after which
/// everything is TLS; a session without TLS stays here to its end.
async fn pass_clear_text(
    session: &mut BufReader<OwnedReadHalf>,
    client: &mut OwnedWriteHalf,
    upgrading: &Notify,
) -> std::io::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        if session.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line.starts_with(b"234 ") {
            tokio::time::timeout(UPGRADE_WAIT, upgrading.notified())
                .await
                .map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("libunftp did not log \"{UPGRADE_MESSAGE}\" within {UPGRADE_WAIT:?} of its 234 reply"),
                    )
                })?;
            client.write_all(&line).await?;
            return Ok(());
        }
        client.write_all(&line).await?;
    }
}
