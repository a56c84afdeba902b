//! Real servers for interop tests, started as plain processes on loopback high ports with
//! generated configurations and keys: Debian's vsftpd (plain, explicit TLS with its default
//! `require_ssl_reuse=YES`, implicit TLS) and OpenSSH's sshd, installed by `.ci/run`; and
//! pure-ftpd and ProFTPD ([`pure_ftpd`], [`proftpd`]), which conflict with vsftpd as
//! packages and so run from the .debs that `tests/interop/fetch-servers.sh` unpacks into
//! `WHARF_INTEROP_SERVERS`. For the web backends, `tests/interop/setup-web.sh` installs
//! Debian's Apache and nginx and, from PyPI, WsgiDAV: Apache with mod_dav ([`apache`], Basic
//! or Digest) and WsgiDAV ([`wsgidav`]) are the two WebDAV servers, and nginx ([`nginx`])
//! serves plain HTTP downloads, with byte ranges honoured or ignored; moto ([`moto`], PyPI)
//! is the S3 server. `.ci/run` also creates the test account (`wharf-interop`).

pub mod apache;
pub mod moto;
pub mod nginx;
pub mod proftpd;
pub mod pure_ftpd;
pub mod wsgidav;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "wharf-interop";
pub const PASSWORD: &str = "interop-pw-1";
pub const KEY_PASSPHRASE: &str = "key-passphrase-1";

/// A server process, killed when dropped, with the sessions it forked when it leads a
/// process group of its own (pure-ftpd's sessions outlive their master).
pub struct Running {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
    group: bool,
}

impl Running {
    fn new(child: Child, port: u16, dir: tempfile::TempDir) -> Running {
        Running {
            child,
            port,
            dir,
            group: false,
        }
    }

    /// For a server spawned with `process_group(0)`.
    fn leading_a_group(child: Child, port: u16, dir: tempfile::TempDir) -> Running {
        let mut running = Running::new(child, port, dir);
        running.group = true;
        running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.group {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where `fetch-servers.sh` unpacked pure-ftpd and ProFTPD.
pub fn unpacked_servers() -> PathBuf {
    let root = std::env::var_os("WHARF_INTEROP_SERVERS")
        .map(PathBuf::from)
        .expect("WHARF_INTEROP_SERVERS names the folder tests/interop/fetch-servers.sh unpacked into (see .ci/run)");
    assert!(
        root.join("usr/sbin/pure-ftpd").is_file(),
        "{} holds the servers",
        root.display()
    );
    root
}

/// The test account's password as a crypt(3) SHA-512 hash, for servers that keep their
/// own user files (`openssl passwd -6 -salt wharfinterop interop-pw-1`). Not Argon2, which
/// would cost seconds of CPU per login.
const PASSWORD_HASH: &str =
    "$6$wharfinterop$wIkbmv2uYUmsDGQr2WjfZJgI5cD.FXHoZUW1gb4crdbGUn39xVhWt62y02AiVwXpJfCBfW/bt4ZuR118rmi2i1";

/// Whether the tests run as root (as `.ci/run` does), which decides the user a server's
/// workers switch to.
fn running_as_root() -> bool {
    // /proc/self belongs to the process's effective user.
    std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A passive port range `FROM:TO` of a thousand ports from `first`: a few hundred small
/// transfers with four at once leave ports in TIME_WAIT, and a range of twenty ran out
/// ("425 Unable to identify the local data socket").
pub fn passive_range(first: u16) -> String {
    let first = first.min(65535 - 1000);
    format!("{first}:{}", first + 999)
}

/// Waits until something accepts connections on `port`, for at most 20 seconds.
pub fn wait_for_port(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited with {status} before listening");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on port {port} within 20 seconds");
}

/// A fresh folder in the test account's home, owned by the account, removed when dropped.
pub struct UserFolder(PathBuf);

impl std::ops::Deref for UserFolder {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for UserFolder {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for UserFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn user_folder(name: &str) -> UserFolder {
    let home = PathBuf::from(format!("/home/{USER}"));
    let dir = home.join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (uid, gid) = account_ids();
    std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
    UserFolder(dir)
}

pub fn account_ids() -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let line = passwd
        .lines()
        .find(|line| line.starts_with(&format!("{USER}:")))
        .expect("the interop account exists (.ci/run creates it)");
    let fields: Vec<&str> = line.split(':').collect();
    (fields[2].parse().unwrap(), fields[3].parse().unwrap())
}

/// A self-signed certificate and key in PEM, made with rcgen.
pub fn write_certificate(dir: &Path) -> (PathBuf, PathBuf, Vec<u8>) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    (cert, key, certified.cert.der().to_vec())
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FtpTls {
    None,
    Explicit,
    Implicit,
}

/// vsftpd with a configuration of our own; returns the server and its certificate's DER.
pub fn vsftpd(tls: FtpTls) -> (Running, Option<Vec<u8>>) {
    vsftpd_with(tls, None)
}

/// A certificate and its key, in PEM.
pub struct Pem {
    pub certificate: String,
    pub key: String,
}

/// vsftpd with TLS (`tls` is not [`FtpTls::None`]) and the certificate `pem`, or a fresh
/// self-signed one.
pub fn vsftpd_with(tls: FtpTls, pem: Option<&Pem>) -> (Running, Option<Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let pasv = free_port();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let mut config = format!(
        "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port={port}\nbackground=NO\n\
         anonymous_enable=NO\nlocal_enable=YES\nwrite_enable=YES\nlocal_umask=022\n\
         pasv_enable=YES\npasv_min_port={pasv}\npasv_max_port={}\npasv_address=127.0.0.1\n\
         port_enable=YES\nconnect_from_port_20=NO\nseccomp_sandbox=NO\nsecure_chroot_dir={}\n\
         pam_service_name=vsftpd\nuse_localtime=NO\nxferlog_enable=NO\nvsftpd_log_file={}\n",
        pasv + 20,
        empty.display(),
        dir.path().join("vsftpd.log").display()
    );
    let mut der = None;
    if tls != FtpTls::None {
        let (cert, key) = match pem {
            Some(pem) => {
                let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
                std::fs::write(&cert, &pem.certificate).unwrap();
                std::fs::write(&key, &pem.key).unwrap();
                (cert, key)
            }
            None => {
                let (cert, key, certificate) = write_certificate(dir.path());
                der = Some(certificate);
                (cert, key)
            }
        };
        config.push_str(&format!(
            "ssl_enable=YES\nrsa_cert_file={}\nrsa_private_key_file={}\nforce_local_logins_ssl=YES\n\
             force_local_data_ssl=YES\nrequire_ssl_reuse=YES\nssl_ciphers=HIGH\n",
            cert.display(),
            key.display()
        ));
        if tls == FtpTls::Implicit {
            config.push_str("implicit_ssl=YES\n");
        }
    }
    let config_path = dir.path().join("vsftpd.conf");
    std::fs::write(&config_path, config).unwrap();
    let mut child = Command::new("vsftpd")
        .arg(&config_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("vsftpd is installed (.ci/run installs it)");
    wait_for_port(port, &mut child, "vsftpd");
    (Running::new(child, port, dir), der)
}

/// OpenSSH's sshd with password, keyboard-interactive and key authentication; returns the
/// server and the path of a passphrase-protected ed25519 client key it accepts.
pub fn sshd() -> (Running, PathBuf) {
    sshd_with("")
}

/// An sshd as [`sshd`] starts it, with `extra` lines in its configuration.
pub fn sshd_with(extra: &str) -> (Running, PathBuf) {
    sshd_custom(&Sshd {
        extra,
        ..Sshd::default()
    })
}

/// How [`sshd_custom`] configures an sshd.
pub struct Sshd<'a> {
    /// Lines at the end of its configuration (`Match` blocks go here).
    pub extra: &'a str,
    /// `Subsystem sftp internal-sftp`; without it the server speaks only SCP and shells.
    pub sftp: bool,
    /// `VERBOSE` by default; `DEBUG1` shows forwarded connections. The log is
    /// [`sshd_log`].
    pub log_level: &'a str,
}

impl Default for Sshd<'_> {
    fn default() -> Self {
        Sshd {
            extra: "",
            sftp: true,
            log_level: "VERBOSE",
        }
    }
}

/// What an sshd started here has logged so far.
pub fn sshd_log(server: &Running) -> String {
    std::fs::read_to_string(server.dir.path().join("sshd.log")).unwrap_or_default()
}

/// An sshd on a free loopback port, with a host key and two client keys of its own.
pub fn sshd_custom(options: &Sshd) -> (Running, PathBuf) {
    let Sshd { extra, sftp, log_level } = options;
    let subsystem = if *sftp { "Subsystem sftp internal-sftp\n" } else { "" };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let host_key = dir.path().join("host_ed25519");
    let client_key = dir.path().join("client_ed25519");
    let plain_key = dir.path().join("client_plain_ed25519");
    keygen(&host_key, "");
    keygen(&client_key, KEY_PASSPHRASE);
    keygen(&plain_key, "");
    let authorized = dir.path().join("authorized_keys");
    let keys = [client_key.with_extension("pub"), plain_key.with_extension("pub")]
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect::<String>();
    std::fs::write(&authorized, keys).unwrap();
    std::fs::create_dir_all("/run/sshd").unwrap();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\n\
         PasswordAuthentication yes\nKbdInteractiveAuthentication yes\nUsePAM yes\nStrictModes no\n\
         {subsystem}LogLevel {log_level}\n{extra}",
        host_key.display(),
        dir.path().join("sshd.pid").display(),
        authorized.display()
    );
    let config_path = dir.path().join("sshd_config");
    std::fs::write(&config_path, config).unwrap();
    // Everything in the folder must be readable by the account for its key lookups.
    let mut permissions = std::fs::metadata(dir.path()).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(dir.path(), permissions).unwrap();
    let mut child = Command::new("/usr/sbin/sshd")
        .arg("-D")
        .arg("-E")
        .arg(dir.path().join("sshd.log"))
        .arg("-f")
        .arg(&config_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sshd is installed (.ci/run installs openssh-server)");
    wait_for_port(port, &mut child, "sshd");
    (Running::new(child, port, dir), client_key)
}

pub fn keygen(path: &Path, passphrase: &str) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", "wharf-interop", "-f"])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// A client key without passphrase that the server accepts (for OpenSSH's own client in
/// benchmarks, which cannot be given a passphrase non-interactively).
pub fn plain_client_key(server: &Running) -> PathBuf {
    server.dir.path().join("client_plain_ed25519")
}

/// The host's public key line (`ssh-ed25519 AAAA...`), to compare fingerprints.
pub fn host_public_key(server: &Running) -> String {
    std::fs::read_to_string(server.dir.path().join("host_ed25519.pub")).unwrap()
}

/// `tools/netproxy.py` in front of a server on loopback, making its link worse as `args`
/// say (`--cut-every N`, `--stall-after N`, `--delay-ms D` ...); its per-connection counts
/// go to `log`.
pub struct Proxy {
    running: Running,
    pub log: PathBuf,
}

impl Proxy {
    pub fn port(&self) -> u16 {
        self.running.port
    }

    /// How many connections the proxy cut, from its log (one line a connection).
    pub fn cuts(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|line| line.ends_with("cut 1"))
            .count()
    }
}

pub fn netproxy(target: u16, args: &[&str]) -> Proxy {
    // The readiness check below is the proxy's first connection: `--faulty-conns K` means the
    // first K connections a client makes, so the proxy is told K + 1.
    let mut args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    if let Some(index) = args.iter().position(|arg| arg == "--faulty-conns")
        && let Some(count) = args.get(index + 1).and_then(|count| count.parse::<u32>().ok())
    {
        args[index + 1] = (count + 1).to_string();
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = dir.path().join("proxy.log");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/tools/netproxy.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(port.to_string())
        .arg(target.to_string())
        .args(&args)
        .arg("--log")
        .arg(&log)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(port, &mut child, "netproxy");
    Proxy {
        running: Running::new(child, port, dir),
        log,
    }
}

/// A small tmpfs of `bytes`, mounted on a fresh folder and unmounted when dropped: a disk
/// that can really fill up. Needs root, as `.ci/run` is.
pub struct SmallDisk {
    folder: tempfile::TempDir,
}

impl SmallDisk {
    pub fn mount(bytes: u64) -> SmallDisk {
        let folder = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "wharf-small-disk"])
            .arg(folder.path())
            .status()
            .unwrap();
        assert!(status.success(), "mounting a tmpfs needs root: {status}");
        SmallDisk { folder }
    }

    pub fn path(&self) -> &Path {
        self.folder.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.folder.path()).status();
    }
}
