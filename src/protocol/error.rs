//! The one error every backend returns: a kind the engine can act on, whether retrying can
//! help, and a sentence a user understands (what failed, why, the host or path last).

use std::fmt;
use std::io;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// Could not reach the server at all (refused, unreachable, DNS).
    Connect,
    /// The connection broke or went silent after it was established.
    ConnectionLost,
    Timeout,
    /// Wrong user name, password or key.
    Auth,
    /// TLS could not be set up or was refused, or a certificate was not trusted.
    Tls,
    /// The SSH host key is unknown and was not accepted, or it changed.
    HostKey,
    NotFound,
    PermissionDenied,
    AlreadyExists,
    /// The server or the local disk has no room, or a quota was reached.
    NoSpace,
    /// The server refuses more connections from us right now.
    TooManyConnections,
    /// The server said something that breaks the protocol.
    Protocol,
    /// The server or backend cannot do this.
    Unsupported,
    /// A name from the server was refused, or a path cannot be sent.
    InvalidName,
    /// The user cancelled.
    Cancelled,
    /// A local file system error.
    Local,
    Other,
}

impl ErrorKind {
    /// Whether trying again later (after a reconnect) can succeed.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::ConnectionLost | ErrorKind::Timeout | ErrorKind::TooManyConnections | ErrorKind::Connect
        )
    }
}

/// A failure, said as a sentence. `retryable` follows the kind unless a backend knows better
/// (an FTP 4xx reply is transient whatever it is about).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FsError {
    pub kind: ErrorKind,
    pub retryable: bool,
    pub message: String,
}

impl FsError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        FsError {
            kind,
            retryable: kind.is_retryable(),
            message: message.into(),
        }
    }

    pub fn retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    pub fn cancelled() -> Self {
        FsError::new(ErrorKind::Cancelled, "cancelled")
    }

    /// The message as a sentence for a dialog: capitalised, with a full stop. (The command
    /// line prints `message` as it is, after `wharf: `.)
    pub fn sentence(&self) -> String {
        let mut text = self.message.trim().to_owned();
        if let Some(first) = text.chars().next() {
            text.replace_range(..first.len_utf8(), &first.to_uppercase().to_string());
        }
        if !text.ends_with(['.', '!', '?']) {
            text.push('.');
        }
        text
    }

    /// Classifies an I/O error from a socket: what it means for the connection.
    pub fn from_network(error: &io::Error, what: &str) -> Self {
        let kind = match error.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ErrorKind::Timeout,
            io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::AddrNotAvailable => ErrorKind::Connect,
            _ => ErrorKind::ConnectionLost,
        };
        let why = match kind {
            ErrorKind::Timeout => "the server stopped answering".to_owned(),
            ErrorKind::Connect => describe_io(error),
            _ => format!("the connection was lost ({})", describe_io(error)),
        };
        FsError::new(kind, format!("{what} failed: {why}"))
    }

    /// Classifies an I/O error from the local disk.
    pub fn from_local(error: &io::Error, path: &std::path::Path) -> Self {
        let kind = match error.kind() {
            io::ErrorKind::NotFound => ErrorKind::NotFound,
            io::ErrorKind::PermissionDenied => ErrorKind::PermissionDenied,
            io::ErrorKind::AlreadyExists => ErrorKind::AlreadyExists,
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => ErrorKind::NoSpace,
            _ => ErrorKind::Local,
        };
        // Which side said no matters: the same words come from servers.
        let why = match kind {
            ErrorKind::NoSpace => "the disk is full".to_owned(),
            ErrorKind::PermissionDenied => "this computer denies access (permission denied)".to_owned(),
            _ => describe_io(error),
        };
        FsError::new(kind, format!("{why}: {}", path.display()))
    }
}

/// An I/O error as a lower-case phrase without the "(os error 2)" suffix.
pub fn describe_io(error: &io::Error) -> String {
    let text = error.to_string();
    let text = match text.find(" (os error") {
        Some(index) => &text[..index],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "an unknown error".to_owned(),
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_errors_are_classified() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        let error = FsError::from_network(&refused, "connecting to h:21");
        assert_eq!(error.kind, ErrorKind::Connect);
        assert!(error.retryable);
        assert_eq!(error.message, "connecting to h:21 failed: connection refused");
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(FsError::from_network(&reset, "x").kind, ErrorKind::ConnectionLost);
    }

    #[test]
    fn full_disks_say_so() {
        let full = io::Error::from(io::ErrorKind::StorageFull);
        let error = FsError::from_local(&full, std::path::Path::new("/tmp/x"));
        assert_eq!(error.kind, ErrorKind::NoSpace);
        assert!(!error.retryable);
        assert_eq!(error.message, "the disk is full: /tmp/x");
    }

    /// Issue 14: a refusal says which side refused, and what.
    #[test]
    fn a_local_refusal_names_this_computer_and_the_path() {
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        let error = FsError::from_local(&denied, std::path::Path::new("/srv/out/a.bin"));
        assert_eq!(error.kind, ErrorKind::PermissionDenied);
        assert_eq!(
            error.message,
            "this computer denies access (permission denied): /srv/out/a.bin"
        );
    }
}
