//! How a connection is protected: the kind of encryption, which decides the padlock, and a
//! line for people ("TLS 1.3 (explicit)", "SSH, aes128-gcm@openssh.com").

use std::fmt;

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

impl Security {
    pub fn new(encryption: Encryption, detail: impl Into<String>) -> Security {
        Security {
            encryption,
            detail: detail.into(),
        }
    }

    /// This computer's disk, described by `detail`.
    pub fn local(detail: impl Into<String>) -> Security {
        Security::new(Encryption::Local, detail)
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
    fn only_plain_ftp_and_a_refused_tls_are_clear_text() {
        assert!(
            Security::new(Encryption::None, "not encrypted")
                .encryption
                .is_clear_text()
        );
        assert!(
            Security::new(Encryption::RefusedTls, "not encrypted: the server refused TLS")
                .encryption
                .is_clear_text()
        );
        for encryption in [Encryption::Local, Encryption::Tls, Encryption::Ssh] {
            assert!(!encryption.is_clear_text(), "{encryption:?}");
        }
        assert_eq!(
            Security::new(Encryption::Tls, "TLS 1.3 (explicit)").to_string(),
            "TLS 1.3 (explicit)"
        );
    }
}
