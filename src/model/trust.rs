//! What the trust page shows: recorded SSH host keys and pinned TLS certificates, as plain
//! data. The files behind them belong to `crate::trust`.

use std::path::PathBuf;

use serde::Serialize;

/// One host key line of a known_hosts file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedHostKey {
    /// The line's host field as written (`example.org,192.0.2.1`, `[h]:2222`), or
    /// `(hashed)` for a hashed name, which cannot be read back.
    pub hosts: String,
    pub key_type: String,
    /// `SHA256:...`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// `@revoked`: this key is refused.
    pub revoked: bool,
    pub file: PathBuf,
    /// Only Wharf's own file is edited; `~/.ssh/known_hosts` belongs to OpenSSH.
    pub removable: bool,
}

/// A certificate the user chose to trust for one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinnedCertificate {
    /// `host:port`.
    pub server: String,
    pub fingerprint: String,
}

/// Something the trust page can forget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustEntry {
    HostKey(TrustedHostKey),
    Certificate(PinnedCertificate),
}
