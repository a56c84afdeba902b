//! What Wharf trusts: SSH host keys (OpenSSH `known_hosts` format, hashed entries
//! understood) and pinned TLS certificate fingerprints.
//!
//! Keys are read from `~/.ssh/known_hosts` and from Wharf's own file, and written only to
//! Wharf's own. A key of the same type that differs from the recorded one is a changed key
//! and is always refused; a key type the file does not mention for the host is unknown.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};

pub use crate::model::trust::{PinnedCertificate, TrustedHostKey};

/// What the known_hosts files say about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyStatus {
    Known,
    /// No key of this type is recorded for the host.
    Unknown,
    /// A different key of the same type is recorded (or this key is `@revoked`).
    Changed {
        recorded_fingerprints: Vec<String>,
    },
}

#[derive(Debug, Clone)]
enum Hosts {
    Patterns(Vec<String>),
    Hashed { salt: Vec<u8>, hash: Vec<u8> },
}

#[derive(Debug, Clone)]
struct KnownHost {
    hosts: Hosts,
    key_type: String,
    blob: Vec<u8>,
    revoked: bool,
}

/// The host keys from every known_hosts file Wharf reads.
#[derive(Debug, Clone, Default)]
pub struct KnownHosts {
    entries: Vec<KnownHost>,
}

/// The name known_hosts uses: `host` for port 22, `[host]:port` otherwise.
pub fn host_key_name(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_owned()
    } else {
        format!("[{host}]:{port}")
    }
}

impl Hosts {
    fn matches(&self, name: &str) -> bool {
        match self {
            Hosts::Patterns(patterns) => crate::ssh_config::matches_pattern_list(patterns, name),
            Hosts::Hashed { salt, hash } => {
                let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(salt) else {
                    return false;
                };
                mac.update(name.as_bytes());
                mac.verify_slice(hash).is_ok()
            }
        }
    }
}

fn parse_line(line: &str) -> Option<KnownHost> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut fields = line.split_whitespace();
    let mut first = fields.next()?;
    let mut revoked = false;
    if let Some(marker) = first.strip_prefix('@') {
        match marker {
            "revoked" => revoked = true,
            // Certificate authorities sign host certificates, which Wharf does not use.
            _ => return None,
        }
        first = fields.next()?;
    }
    let key_type = fields.next()?.to_owned();
    let blob = STANDARD.decode(fields.next()?).ok()?;
    let hosts = match first.strip_prefix("|1|") {
        Some(hashed) => {
            let (salt, hash) = hashed.split_once('|')?;
            Hosts::Hashed {
                salt: STANDARD.decode(salt).ok()?,
                hash: STANDARD.decode(hash).ok()?,
            }
        }
        None => Hosts::Patterns(first.split(',').map(str::to_owned).collect()),
    };
    Some(KnownHost {
        hosts,
        key_type,
        blob,
        revoked,
    })
}

impl KnownHosts {
    /// Reads the files that exist; unreadable lines are skipped, as OpenSSH does.
    pub fn load(files: &[PathBuf]) -> KnownHosts {
        let mut entries = Vec::new();
        for file in files {
            if let Ok(text) = fs::read_to_string(file) {
                entries.extend(text.lines().filter_map(parse_line));
            }
        }
        KnownHosts { entries }
    }

    #[cfg(any(test, feature = "fuzzing"))]
    pub fn parse(text: &str) -> KnownHosts {
        KnownHosts {
            entries: text.lines().filter_map(parse_line).collect(),
        }
    }

    pub fn check(&self, host: &str, port: u16, key_type: &str, blob: &[u8]) -> HostKeyStatus {
        let name = host_key_name(host, port);
        let mut recorded = Vec::new();
        let mut known = false;
        for entry in self.entries.iter().filter(|entry| entry.hosts.matches(&name)) {
            if entry.revoked {
                if entry.blob == blob {
                    return HostKeyStatus::Changed {
                        recorded_fingerprints: vec!["(this key is revoked)".to_owned()],
                    };
                }
                continue;
            }
            if entry.key_type != key_type {
                continue;
            }
            if entry.blob == blob {
                known = true;
            } else {
                recorded.push(crate::protocol::trust::sha256_fingerprint(&entry.blob));
            }
        }
        if known {
            HostKeyStatus::Known
        } else if recorded.is_empty() {
            HostKeyStatus::Unknown
        } else {
            HostKeyStatus::Changed {
                recorded_fingerprints: recorded,
            }
        }
    }
}

/// Opens a file for appending, creating it (and its folder) readable by the user only.
fn open_private_append(path: &Path) -> io::Result<fs::File> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Records a host key in Wharf's known_hosts file.
pub fn remember_host_key(file: &Path, host: &str, port: u16, key_type: &str, blob: &[u8]) -> io::Result<()> {
    let mut out = open_private_append(file)?;
    writeln!(
        out,
        "{} {key_type} {}",
        host_key_name(host, port),
        STANDARD.encode(blob)
    )
}

/// The host field of a line as the trust page shows it.
fn hosts_text(hosts: &Hosts) -> String {
    match hosts {
        Hosts::Patterns(patterns) => patterns.join(","),
        Hosts::Hashed { .. } => "(hashed)".to_owned(),
    }
}

/// Every host key line of `file`, for the trust page.
pub fn list_host_keys(file: &Path, removable: bool) -> Vec<TrustedHostKey> {
    let Ok(text) = fs::read_to_string(file) else {
        return Vec::new();
    };
    host_keys_in(&text, file, removable)
}

/// Every host key line of `text`, the contents of `file`.
pub fn host_keys_in(text: &str, file: &Path, removable: bool) -> Vec<TrustedHostKey> {
    text.lines()
        .filter_map(parse_line)
        .map(|entry| TrustedHostKey {
            hosts: hosts_text(&entry.hosts),
            key_type: entry.key_type,
            fingerprint: crate::protocol::trust::sha256_fingerprint(&entry.blob),
            revoked: entry.revoked,
            file: file.to_owned(),
            removable,
        })
        .collect()
}

/// Every pinned certificate of `file`.
pub fn list_certificates(file: &Path) -> Vec<PinnedCertificate> {
    let Ok(text) = fs::read_to_string(file) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            Some(PinnedCertificate {
                server: fields.next()?.to_owned(),
                fingerprint: fields.next()?.to_owned(),
            })
        })
        .collect()
}

/// Rewrites `file` without the lines `drop` picks, atomically and readable by the user only;
/// returns how many lines went.
fn remove_lines(file: &Path, drop: impl Fn(&str) -> bool) -> io::Result<usize> {
    let text = fs::read_to_string(file)?;
    let mut kept = String::with_capacity(text.len());
    let mut removed = 0;
    for line in text.lines() {
        if drop(line) {
            removed += 1;
        } else {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    if removed > 0 {
        crate::config::replace_file(file, kept.as_bytes(), None)?;
    }
    Ok(removed)
}

/// Removes a host key line from Wharf's known_hosts file (the next connection asks again).
pub fn forget_host_key(file: &Path, key: &TrustedHostKey) -> io::Result<usize> {
    remove_lines(file, |line| {
        parse_line(line).is_some_and(|entry| {
            hosts_text(&entry.hosts) == key.hosts
                && entry.revoked == key.revoked
                && entry.key_type == key.key_type
                && crate::protocol::trust::sha256_fingerprint(&entry.blob) == key.fingerprint
        })
    })
}

/// Unpins a certificate (the next connection asks again).
pub fn forget_certificate(file: &Path, certificate: &PinnedCertificate) -> io::Result<usize> {
    remove_lines(file, |line| {
        let mut fields = line.split_whitespace();
        fields.next() == Some(certificate.server.as_str()) && fields.next() == Some(certificate.fingerprint.as_str())
    })
}

/// Pinned certificate fingerprints: one `host:port SHA256:...` line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateStatus {
    Pinned,
    Unknown,
    /// Another certificate is pinned for this host.
    Changed {
        pinned: String,
    },
}

pub fn check_certificate(file: &Path, host: &str, port: u16, fingerprint: &str) -> CertificateStatus {
    let name = format!("{host}:{port}");
    let Ok(text) = fs::read_to_string(file) else {
        return CertificateStatus::Unknown;
    };
    let mut other = None;
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        if let (Some(entry_host), Some(entry_print)) = (fields.next(), fields.next())
            && entry_host == name
        {
            if entry_print == fingerprint {
                return CertificateStatus::Pinned;
            }
            other = Some(entry_print.to_owned());
        }
    }
    match other {
        Some(pinned) => CertificateStatus::Changed { pinned },
        None => CertificateStatus::Unknown,
    }
}

pub fn pin_certificate(file: &Path, host: &str, port: u16, fingerprint: &str) -> io::Result<()> {
    let mut out = open_private_append(file)?;
    writeln!(out, "{host}:{port} {fingerprint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    const KEY_B: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIBBBqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    fn blob(key: &str) -> Vec<u8> {
        STANDARD.decode(key).unwrap()
    }

    #[test]
    fn plain_entries_with_ports_and_patterns() {
        let hosts = KnownHosts::parse(&format!(
            "# comment\nexample.org,192.0.2.1 ssh-ed25519 {KEY_A}\n[example.org]:2222 ssh-ed25519 {KEY_B}\n*.corp,!bad.corp ssh-ed25519 {KEY_A}\n"
        ));
        assert_eq!(
            hosts.check("example.org", 22, "ssh-ed25519", &blob(KEY_A)),
            HostKeyStatus::Known
        );
        assert_eq!(
            hosts.check("192.0.2.1", 22, "ssh-ed25519", &blob(KEY_A)),
            HostKeyStatus::Known
        );
        assert_eq!(
            hosts.check("example.org", 2222, "ssh-ed25519", &blob(KEY_B)),
            HostKeyStatus::Known
        );
        assert_eq!(
            hosts.check("a.corp", 22, "ssh-ed25519", &blob(KEY_A)),
            HostKeyStatus::Known
        );
        assert_eq!(
            hosts.check("bad.corp", 22, "ssh-ed25519", &blob(KEY_A)),
            HostKeyStatus::Unknown
        );
        assert_eq!(
            hosts.check("other.org", 22, "ssh-ed25519", &blob(KEY_A)),
            HostKeyStatus::Unknown
        );
        assert_eq!(
            hosts.check("example.org", 22, "ssh-rsa", &blob(KEY_B)),
            HostKeyStatus::Unknown
        );
        assert!(matches!(
            hosts.check("example.org", 22, "ssh-ed25519", &blob(KEY_B)),
            HostKeyStatus::Changed { .. }
        ));
    }

    #[test]
    fn hashed_entries() {
        // `ssh-keygen -H` form: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).
        let salt = b"0123456789abcdefghij";
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(salt).unwrap();
        mac.update(b"[h.example]:2200");
        let hash = mac.finalize().into_bytes();
        let line = format!(
            "|1|{}|{} ssh-ed25519 {KEY_A}",
            STANDARD.encode(salt),
            STANDARD.encode(hash)
        );
        let hosts = KnownHosts::parse(&line);
        assert_eq!(
            hosts.check("h.example", 2200, "ssh-ed25519", &blob(KEY_A)),
            HostKeyStatus::Known
        );
        assert_eq!(
            hosts.check("h.example", 22, "ssh-ed25519", &blob(KEY_A)),
            HostKeyStatus::Unknown
        );
        assert!(matches!(
            hosts.check("h.example", 2200, "ssh-ed25519", &blob(KEY_B)),
            HostKeyStatus::Changed { .. }
        ));
    }

    #[test]
    fn revoked_keys_are_refused() {
        let hosts = KnownHosts::parse(&format!("@revoked * ssh-ed25519 {KEY_A}\n"));
        assert!(matches!(
            hosts.check("any", 22, "ssh-ed25519", &blob(KEY_A)),
            HostKeyStatus::Changed { .. }
        ));
    }

    #[test]
    fn remembered_keys_are_known_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub").join("known_hosts");
        remember_host_key(&file, "127.0.0.1", 2022, "ssh-ed25519", &blob(KEY_A)).unwrap();
        let hosts = KnownHosts::load(std::slice::from_ref(&file));
        assert_eq!(
            hosts.check("127.0.0.1", 2022, "ssh-ed25519", &blob(KEY_A)),
            HostKeyStatus::Known
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn pinned_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pins");
        assert_eq!(
            check_certificate(&file, "h", 21, "SHA256:a"),
            CertificateStatus::Unknown
        );
        pin_certificate(&file, "h", 21, "SHA256:a").unwrap();
        assert_eq!(check_certificate(&file, "h", 21, "SHA256:a"), CertificateStatus::Pinned);
        assert_eq!(
            check_certificate(&file, "h", 990, "SHA256:a"),
            CertificateStatus::Unknown
        );
        assert_eq!(
            check_certificate(&file, "h", 21, "SHA256:b"),
            CertificateStatus::Changed {
                pinned: "SHA256:a".to_owned()
            }
        );
    }

    #[test]
    fn the_trust_page_lists_and_forgets_keys_and_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("known_hosts");
        remember_host_key(&file, "a.example", 22, "ssh-ed25519", &blob(KEY_A)).unwrap();
        remember_host_key(&file, "b.example", 2222, "ssh-ed25519", &blob(KEY_B)).unwrap();
        let keys = list_host_keys(&file, true);
        assert_eq!(
            keys.iter().map(|key| key.hosts.as_str()).collect::<Vec<_>>(),
            ["a.example", "[b.example]:2222"]
        );
        assert!(keys[0].fingerprint.starts_with("SHA256:"));
        assert_eq!(forget_host_key(&file, &keys[0]).unwrap(), 1);
        let hosts = KnownHosts::load(std::slice::from_ref(&file));
        assert_eq!(
            hosts.check("a.example", 22, "ssh-ed25519", &blob(KEY_A)),
            HostKeyStatus::Unknown,
            "a forgotten key is asked about again"
        );
        assert_eq!(
            hosts.check("b.example", 2222, "ssh-ed25519", &blob(KEY_B)),
            HostKeyStatus::Known
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }

        let pins = dir.path().join("pins");
        pin_certificate(&pins, "h", 21, "SHA256:a").unwrap();
        pin_certificate(&pins, "h", 990, "SHA256:b").unwrap();
        let pinned = list_certificates(&pins);
        assert_eq!(pinned.len(), 2);
        assert_eq!(forget_certificate(&pins, &pinned[1]).unwrap(), 1);
        assert_eq!(
            check_certificate(&pins, "h", 990, "SHA256:b"),
            CertificateStatus::Unknown
        );
        assert_eq!(check_certificate(&pins, "h", 21, "SHA256:a"), CertificateStatus::Pinned);
    }
}
