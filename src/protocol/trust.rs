//! The questions a backend asks before it trusts a server: is this SSH host key known, is
//! this certificate acceptable. The engine answers them from the trust store and, when the
//! store does not know, from the user; a backend never decides trust on its own.

use super::FsError;

/// An SSH host key as the server presented it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKeyInfo {
    pub host: String,
    pub port: u16,
    /// OpenSSH name of the key type, such as `ssh-ed25519`.
    pub key_type: String,
    /// The public key blob in SSH wire format.
    pub blob: Vec<u8>,
    /// OpenSSH known_hosts files to read instead of `~/.ssh/known_hosts`
    /// (`UserKnownHostsFile` in `~/.ssh/config`); empty for the usual one. Wharf's own file
    /// is always read and is the one written.
    pub known_hosts: Vec<std::path::PathBuf>,
    /// `StrictHostKeyChecking yes`: refuse an unknown key instead of asking.
    pub strict: bool,
    /// The server as the user knows it, for the question: `gate (127.0.0.1:2224), the jump
    /// host to router`; empty for `host:port`.
    pub shown_as: String,
}

impl HostKeyInfo {
    /// `SHA256:...` as OpenSSH prints it.
    pub fn fingerprint(&self) -> String {
        sha256_fingerprint(&self.blob)
    }
}

/// A server certificate that the system's roots did not vouch for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    pub host: String,
    pub port: u16,
    /// The end-entity certificate, DER.
    pub der: Vec<u8>,
    /// Why the normal verification refused it.
    pub problem: String,
}

impl CertificateInfo {
    pub fn fingerprint(&self) -> String {
        sha256_fingerprint(&self.der)
    }
}

/// `SHA256:` and the unpadded base64 of the digest, OpenSSH's format.
pub fn sha256_fingerprint(bytes: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(bytes);
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    )
}

/// A server's own questions during an SSH login (keyboard-interactive): a one-time code,
/// a password change notice. Shown as the server wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerQuestions {
    /// `user@host:port`.
    pub account: String,
    /// The server's title for the questions, often empty.
    pub name: String,
    /// What the server says before the questions, often empty.
    pub instructions: String,
    pub prompts: Vec<ServerPrompt>,
}

/// One question; `echo` says whether the answer may be shown as it is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerPrompt {
    pub text: String,
    pub echo: bool,
}

/// Answers trust questions. Implementations must never accept a changed SSH host key.
pub trait TrustPolicy: Send + Sync {
    /// Asks the user a server's login questions; one answer per prompt, or `None` when
    /// nobody can answer (no window, no terminal) or the user cancelled.
    fn answer(&self, questions: &ServerQuestions) -> Option<Vec<crate::model::Secret>> {
        let _ = questions;
        None
    }

    /// `Ok` when the key is known for this host, or unknown and accepted (by the user, or by
    /// an explicit option); an error of kind `HostKey` otherwise.
    fn check_host_key(&self, key: &HostKeyInfo) -> Result<(), FsError>;

    /// Called only for certificates that failed normal verification: `Ok` when the user has
    /// pinned this certificate for the host, or accepts it now.
    fn check_certificate(&self, certificate: &CertificateInfo) -> Result<(), FsError>;
}
