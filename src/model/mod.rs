//! Plain data shared by every layer: what a server is ([`Site`]), what a folder holds
//! ([`Entry`]), and how a remote location is written ([`location`]). Nothing here does I/O.

pub mod jump;
pub mod link;
pub mod location;
pub mod names;
pub mod queue;
pub mod rate;
pub mod s3;
pub mod saved_site;
pub mod security;
pub mod sync;
pub mod trust;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The protocols Wharf speaks. The TLS flavour of FTP is part of the protocol because it
/// changes how the connection starts, not only how it is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Plain FTP: everything, the password included, travels in clear text.
    Ftp,
    /// FTP over TLS from the first byte (implicit FTPS, usually port 990).
    Ftps,
    /// FTP upgraded with `AUTH TLS`; Wharf refuses to log in when the server will not.
    Ftpes,
    /// SFTP over SSH.
    Sftp,
    /// SCP over SSH, for servers without SFTP: no resume, listings by `ls`. An SFTP
    /// connection falls back to it on its own when the server has no SFTP subsystem.
    Scp,
    /// WebDAV over plain HTTP (`dav://`): the password crosses the network readable.
    Dav,
    /// WebDAV over HTTPS (`davs://`).
    Davs,
    /// A plain HTTP link to one file: downloads only, no listings.
    Http,
    /// An HTTPS link to one file: downloads only, no listings.
    Https,
    /// Amazon S3 and the services that speak its API (`s3://bucket/prefix`).
    S3,
}

impl Protocol {
    pub fn default_port(self) -> u16 {
        match self {
            Protocol::Ftp | Protocol::Ftpes => 21,
            Protocol::Ftps => 990,
            Protocol::Sftp | Protocol::Scp => 22,
            Protocol::Dav | Protocol::Http => 80,
            Protocol::Davs | Protocol::Https | Protocol::S3 => 443,
        }
    }

    pub fn scheme(self) -> &'static str {
        match self {
            Protocol::Ftp => "ftp",
            Protocol::Ftps => "ftps",
            Protocol::Ftpes => "ftpes",
            Protocol::Sftp => "sftp",
            Protocol::Scp => "scp",
            Protocol::Dav => "dav",
            Protocol::Davs => "davs",
            Protocol::Http => "http",
            Protocol::Https => "https",
            Protocol::S3 => "s3",
        }
    }

    /// FTP in any of its three TLS flavours.
    pub fn is_ftp(self) -> bool {
        matches!(self, Protocol::Ftp | Protocol::Ftps | Protocol::Ftpes)
    }

    /// WebDAV, S3 or a plain link: HTTP underneath, with HTTP's TLS.
    pub fn is_http(self) -> bool {
        matches!(
            self,
            Protocol::Dav | Protocol::Davs | Protocol::Http | Protocol::Https | Protocol::S3
        )
    }

    /// A link to one file (`http://`, `https://`): it can be downloaded, not listed.
    pub fn is_link(self) -> bool {
        matches!(self, Protocol::Http | Protocol::Https)
    }

    /// SFTP or SCP: an SSH connection, with its keys, agent, config and jump hosts.
    pub fn is_ssh(self) -> bool {
        matches!(self, Protocol::Sftp | Protocol::Scp)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.scheme())
    }
}

/// How FTP opens its data connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataMode {
    /// EPSV, then PASV; the client connects to the server.
    #[default]
    Passive,
    /// EPRT/PORT; the server connects back to the client.
    Active,
}

/// A password or passphrase. It never prints itself: `Debug` and `Display` show a mask, so a
/// secret cannot slip into a log line or an error message by accident.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it to a server.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

/// How to prove who we are to an SSH server. Several may apply; they are tried in order:
/// agent, key file, keyboard-interactive, password.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub password: Option<Secret>,
    pub key_file: Option<std::path::PathBuf>,
    pub key_passphrase: Option<Secret>,
    /// Try the ssh-agent first when one is running.
    pub use_agent: bool,
}

/// Everything needed to open a connection to one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub credentials: Credentials,
    pub data_mode: DataMode,
    /// FTPES only: when the server refuses `AUTH TLS`, log in without encryption instead of
    /// stopping (FileZilla's "TLS if available"). The user chose it on a saved site and is
    /// warned at every connection; Wharf never does it on its own.
    pub tls_if_available: bool,
    /// SSH only: the servers the connection passes through, in order (`ProxyJump`, `-J`).
    /// Empty: `~/.ssh/config` decides, as it does for a host it names.
    pub jump_hosts: Vec<jump::Hop>,
    /// S3 only: where the bucket (the host) is served. The user is the access key id and
    /// the password its secret key. (Boxed: most sites are not S3, and sites travel in
    /// commands and events.)
    pub s3: Box<s3::S3Endpoint>,
}

impl Site {
    /// `scheme://user@host:port`: names the server and account, never the password.
    /// An SSH site without a user takes the one `~/.ssh/config` names, or the local user's.
    pub fn address(&self) -> String {
        if self.protocol == Protocol::S3 {
            // A bucket has no port: where it is served is in `s3`.
            let user = if self.user.is_empty() {
                String::new()
            } else {
                format!("{}@", self.user)
            };
            return format!("s3://{user}{}", self.host);
        }
        if self.user.is_empty() {
            format!("{}://{}", self.protocol, self.authority())
        } else {
            format!("{}://{}@{}", self.protocol, self.user, self.authority())
        }
    }

    /// The address, marked when the site accepts a connection without TLS, so that such a
    /// connection never serves a site that requires TLS, or when it goes through jump hosts.
    /// Used to group queue items and pooled connections by site, and to store them.
    pub fn key(&self) -> String {
        if self.tls_if_available && self.protocol == Protocol::Ftpes {
            format!("{} (TLS if available)", self.address())
        } else if let Some(endpoint) = self.s3.describe().filter(|_| self.protocol == Protocol::S3) {
            format!("{} ({endpoint})", self.address())
        } else if !self.jump_hosts.is_empty() {
            format!(
                "{} (through {})",
                self.address(),
                jump::Hop::list_text(&self.jump_hosts)
            )
        } else {
            self.address()
        }
    }

    /// `host:port`, with brackets around IPv6 literals, for messages and sockets.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// What kind of thing a folder entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    File,
    Dir,
    Link,
    Other,
}

/// One entry of a folder listing, local or remote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The name as text. A name that was not valid UTF-8 on the wire is shown decoded as
    /// Latin-1 (each byte one character), as FileZilla does, so it can still be displayed.
    pub name: String,
    pub kind: EntryKind,
    /// Bytes; `None` when the server did not say.
    pub size: Option<u64>,
    pub modified: Option<DateTime<Utc>>,
    /// Permissions as the server wrote them (`rwxr-xr-x`) or as octal digits for SFTP.
    pub permissions: Option<String>,
    pub owner: Option<String>,
    pub group: Option<String>,
    /// Where a symbolic link points, as text; never followed when copying.
    pub target: Option<String>,
}

impl Entry {
    pub fn new(name: impl Into<String>, kind: EntryKind) -> Self {
        Entry {
            name: name.into(),
            kind,
            size: None,
            modified: None,
            permissions: None,
            owner: None,
            group: None,
            target: None,
        }
    }

    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }
}

/// Decodes a name from the wire: UTF-8 when it is, otherwise Latin-1 so that no byte is lost
/// and nothing panics.
pub fn decode_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(text) => text.to_owned(),
        Err(_) => raw.iter().map(|&byte| char::from(byte)).collect(),
    }
}

/// Renders `permissions` bits as `rwxr-xr-x`.
pub fn mode_string(mode: u32) -> String {
    const LETTERS: [char; 3] = ['r', 'w', 'x'];
    (0..9)
        .map(|bit| {
            if mode & (1 << (8 - bit)) != 0 {
                LETTERS[bit % 3]
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(****)");
        let site = Credentials {
            password: Some(secret),
            ..Credentials::default()
        };
        assert!(!format!("{site:?}").contains("hunter2"));
    }

    #[test]
    fn names_decode_as_utf8_or_latin1() {
        assert_eq!(decode_name("grüße".as_bytes()), "grüße");
        assert_eq!(decode_name(b"caf\xe9"), "café");
    }

    #[test]
    fn modes_render_like_ls() {
        assert_eq!(mode_string(0o755), "rwxr-xr-x");
        assert_eq!(mode_string(0o640), "rw-r-----");
    }
}
