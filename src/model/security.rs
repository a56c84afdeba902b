//! How a connection is protected: the kind of encryption, which decides the padlock, and a
//! line for people ("TLS 1.3 (explicit)", "SSH, aes128-gcm@openssh.com").

use std::fmt;

use super::Protocol;

/// What protects a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    /// No network: this computer's own disk.
    Local,
    /// Nothing: plain FTP, the password included.
    None,
    /// Nothing, because the server refused TLS and the site allows going on without it.
    RefusedTls,
    /// TLS (FTPS, FTPES).
    Tls,
    /// SSH (SFTP).
    Ssh,
}

impl Encryption {
    /// Whether what travels can be read on the way (the open padlock).
    pub fn is_clear_text(self) -> bool {
        matches!(self, Encryption::None | Encryption::RefusedTls)
    }
}

/// How an open session is protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Security {
    pub encryption: Encryption,
    /// One line for the status bar, as the backend describes the connection.
    pub detail: String,
}

/// What a backend says of an unencrypted FTP connection; FTPES says it when TLS was refused.
const CLEAR_TEXT: &str = "not encrypted";

impl Security {
    /// This computer's disk, described by `detail`.
    pub fn local(detail: String) -> Security {
        Security {
            encryption: Encryption::Local,
            detail,
        }
    }

    /// A connection made with `protocol`, which its backend describes as `detail`. The
    /// backends give one line of text; only FTPES can end up in the clear, and says so. This
    /// is the one place that reads that line, until `RemoteFs::security` returns a
    /// `Security` itself.
    pub fn of(protocol: Protocol, detail: String) -> Security {
        let encryption = match protocol {
            Protocol::Ftp => Encryption::None,
            Protocol::Ftpes if detail.starts_with(CLEAR_TEXT) => Encryption::RefusedTls,
            Protocol::Ftps | Protocol::Ftpes => Encryption::Tls,
            Protocol::Sftp => Encryption::Ssh,
        };
        Security { encryption, detail }
    }
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_follows_the_protocol_and_a_refused_tls() {
        let of = |protocol, detail: &str| Security::of(protocol, detail.to_owned()).encryption;
        assert_eq!(of(Protocol::Ftp, "not encrypted"), Encryption::None);
        assert_eq!(of(Protocol::Ftpes, "TLS 1.3 (explicit)"), Encryption::Tls);
        assert_eq!(
            of(Protocol::Ftpes, "not encrypted: the server refused TLS"),
            Encryption::RefusedTls
        );
        assert_eq!(of(Protocol::Ftps, "TLS 1.2 (implicit)"), Encryption::Tls);
        assert_eq!(of(Protocol::Sftp, "SSH, aes128-gcm@openssh.com"), Encryption::Ssh);
        assert!(of(Protocol::Ftpes, "not encrypted: the server refused TLS").is_clear_text());
        assert!(!Security::local("local".into()).encryption.is_clear_text());
        assert_eq!(
            Security::of(Protocol::Ftp, "not encrypted".into()).to_string(),
            "not encrypted"
        );
    }
}
