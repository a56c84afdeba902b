//! ProFTPD 1.3.8 from its unpacked .debs, in the forms people run it: plain FTP, with
//! mod_digest (HASH, XSHA256, ...), with mod_tls (explicit TLS required; data connections
//! must reuse the control connection's TLS session, as with vsftpd), and mod_sftp, a second
//! SFTP server beside OpenSSH. Users come from a file of our own; nothing outside the
//! server's folder is written. Known behaviour: SIZE is refused in ASCII mode, MLST names
//! absolute paths, and a new connection right after a session ends can wait 200 ms for the
//! banner.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{
    PASSWORD_HASH, Running, USER, account_ids, free_port, keygen, passive_range, unpacked_servers, wait_for_port,
    write_certificate,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Module {
    /// Plain FTP.
    Plain,
    /// FTP with mod_digest's checksum commands.
    Digest,
    /// Explicit FTPS, required.
    Tls,
    /// Explicit FTPS, required, in TLS 1.0 and 1.1 only (OpenSSL's security level 0 lets
    /// them through): a server nobody updated.
    TlsBefore12,
    /// SFTP (mod_sftp).
    Sftp,
}

/// Starts ProFTPD with `module`; returns the server and, for TLS, the certificate's DER.
pub fn start(module: Module) -> (Running, Option<Vec<u8>>) {
    let root = unpacked_servers();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (uid, gid) = account_ids();
    let here = dir.path();
    write_private(
        &here.join("ftpd.passwd"),
        &format!("{USER}:{PASSWORD_HASH}:{uid}:{gid}::/home/{USER}:/bin/bash\n"),
    );
    write_private(&here.join("ftpd.group"), &format!("{USER}:x:{gid}:\n"));
    let mut config = base_config(here, &root.join("usr/lib/proftpd"), port);
    let mut der = None;
    match module {
        Module::Plain => {}
        Module::Digest => config.push_str(
            "LoadModule mod_digest.c\n<IfModule mod_digest.c>\n  DigestEngine on\n  DigestAlgorithms all\n</IfModule>\n",
        ),
        Module::Tls | Module::TlsBefore12 => {
            let (cert, key, certificate) = write_certificate(here);
            der = Some(certificate);
            let versions = if module == Module::Tls {
                "TLSProtocol TLSv1.2 TLSv1.3"
            } else {
                "TLSProtocol TLSv1 TLSv1.1\n  TLSCipherSuite DEFAULT:@SECLEVEL=0"
            };
            config.push_str(&format!(
                "LoadModule mod_tls.c\n<IfModule mod_tls.c>\n  TLSEngine on\n  TLSLog {}\n  {versions}\n  \
                 TLSECCertificateFile {}\n  TLSECCertificateKeyFile {}\n  TLSRequired on\n  TLSVerifyClient off\n  \
                 TLSRenegotiate none\n</IfModule>\n",
                here.join("tls.log").display(),
                cert.display(),
                key.display()
            ));
        }
        Module::Sftp => {
            let host_key = here.join("ssh_host_ed25519_key");
            keygen(&host_key, "");
            config.push_str(&format!(
                "LoadModule mod_sftp.c\n<IfModule mod_sftp.c>\n  SFTPEngine on\n  SFTPLog {}\n  SFTPHostKey {}\n  \
                 SFTPAuthMethods password\n  SFTPCompression off\n  SFTPKeyBlacklist none\n</IfModule>\n",
                here.join("sftp.log").display(),
                host_key.display()
            ));
        }
    }
    let config_path = here.join("proftpd.conf");
    std::fs::write(&config_path, config).unwrap();
    let log = std::fs::File::create(here.join("proftpd.stderr")).unwrap();
    let libraries = format!(
        "{}:{}",
        root.join("usr/lib/x86_64-linux-gnu").display(),
        root.join("lib/x86_64-linux-gnu").display()
    );
    let mut child = Command::new(root.join("usr/sbin/proftpd"))
        .arg("-n")
        .arg("-c")
        .arg(&config_path)
        .env("LD_LIBRARY_PATH", libraries)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    wait_for_port(port, &mut child, "proftpd");
    (Running::leading_a_group(child, port, dir), der)
}

/// The configuration every variant shares: loopback only, our own files for users, logs,
/// PID and scoreboard, nothing in /run or /var.
fn base_config(dir: &Path, modules: &Path, port: u16) -> String {
    let pasv = free_port();
    format!(
        "ServerName \"Wharf interop ProFTPD\"\nServerType standalone\nDefaultServer on\nUseIPv6 off\n\
         DefaultAddress 127.0.0.1\nSocketBindTight on\nPort {port}\nPassivePorts {}\nUser nobody\n\
         Group nogroup\nUmask 022\nMaxInstances 50\nPidFile {dir}/proftpd.pid\n\
         ScoreboardFile {dir}/proftpd.scoreboard\nSystemLog {dir}/proftpd.log\nTransferLog {dir}/xfer.log\n\
         WtmpLog off\nUseLastlog off\nUseReverseDNS off\nDelayEngine off\nControlsEngine off\n\
         AuthOrder mod_auth_file.c\nAuthUserFile {dir}/ftpd.passwd\nAuthGroupFile {dir}/ftpd.group\n\
         RequireValidShell off\nModulePath {}\n<Directory />\n  AllowOverwrite on\n</Directory>\n",
        passive_range(pasv).replace(':', " "),
        modules.display(),
        dir = dir.display(),
    )
}

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o600);
    std::fs::set_permissions(path, permissions).unwrap();
}
