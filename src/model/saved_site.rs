//! Bookmarked servers as plain data: what the site manager edits, the sites file stores and
//! the engine turns into a [`Site`] to connect. A saved site never holds a secret: its
//! password or key passphrase lives in the OS keyring under [`SavedSite::secret_key`].

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Credentials, DataMode, Protocol, Secret, Site};
use crate::model::location::RemotePath;

/// How Wharf proves who the user is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Auth {
    /// A password, kept in the OS keyring.
    #[default]
    Password,
    /// A private key file; its passphrase, if any, in the OS keyring.
    KeyFile { path: PathBuf },
    /// The running ssh-agent.
    Agent,
    /// Ask for the password at every connection; nothing is stored.
    AskEveryTime,
    /// Anonymous FTP, or WebDAV without a login: no password.
    Anonymous,
}

/// How an FTP connection is protected. (For SFTP it is always SSH.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FtpTls {
    /// AUTH TLS, and refuse to log in without it.
    #[default]
    ExplicitRequired,
    /// AUTH TLS, but log in without encryption when the server refuses it (with a warning at
    /// each connection). Anyone between the user and the server can make it refuse.
    ExplicitIfAvailable,
    /// Implicit TLS from the first byte (usually port 990).
    Implicit,
    /// No encryption: the password crosses the network in clear text.
    None,
}

/// How files are sent over FTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferType {
    #[default]
    Binary,
    Ascii,
}

/// A bookmarked server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedSite {
    /// Stable identity: the keyring entries are named after it, so a rename keeps them.
    pub id: String,
    pub name: String,
    /// The folder in the site manager's tree, `/`-separated (`Clients/Acme`); empty at the top.
    pub folder: String,
    /// `sftp` (SSH), or FTP with the TLS mode in `ftp_tls`.
    pub sftp: bool,
    /// With `sftp`: SCP only (`scp://`), for servers without the SFTP subsystem.
    pub scp: bool,
    pub ftp_tls: FtpTls,
    /// WebDAV or an HTTP link: the protocol itself, which `sftp` and `ftp_tls` then do not
    /// change. (Those two keep their FileZilla-shaped meaning for older sites files.)
    pub web: Option<Protocol>,
    pub host: String,
    /// `None` for the protocol's default port.
    pub port: Option<u16>,
    pub user: String,
    pub auth: Auth,
    /// SFTP only: jump hosts as OpenSSH writes them (`bastion,ops@gate:2222`); empty for
    /// none, or for what `~/.ssh/config` says.
    pub jump_hosts: String,
    /// S3 only: the endpoint, region, addressing style and profile.
    pub s3: Box<super::s3::S3Endpoint>,
    pub data_mode: DataMode,
    pub remote_folder: Option<String>,
    pub local_folder: Option<PathBuf>,
    /// Transfers at once to this server; `None` for the queue's limit.
    pub max_connections: Option<usize>,
    pub upload_via_temp: bool,
    pub transfer_type: TransferType,
    /// The server's file name encoding, when it is not UTF-8 (`latin1`).
    pub encoding: Option<String>,
    pub notes: String,
    /// Remote folders the user bookmarked on this site.
    pub bookmarks: Vec<String>,
}

impl Default for SavedSite {
    fn default() -> Self {
        SavedSite {
            id: String::new(),
            name: String::new(),
            folder: String::new(),
            sftp: true,
            scp: false,
            ftp_tls: FtpTls::ExplicitRequired,
            web: None,
            host: String::new(),
            port: None,
            user: String::new(),
            auth: Auth::Password,
            jump_hosts: String::new(),
            s3: Box::default(),
            data_mode: DataMode::Passive,
            remote_folder: None,
            local_folder: None,
            max_connections: None,
            upload_via_temp: true,
            transfer_type: TransferType::Binary,
            encoding: None,
            notes: String::new(),
            bookmarks: Vec::new(),
        }
    }
}

/// Which secret of a site the keyring holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Password,
    Passphrase,
}

impl SavedSite {
    pub fn protocol(&self) -> Protocol {
        if let Some(web) = self.web.filter(|protocol| protocol.is_http()) {
            return web;
        }
        match (self.sftp, self.ftp_tls) {
            (true, _) if self.scp => Protocol::Scp,
            (true, _) => Protocol::Sftp,
            (false, FtpTls::ExplicitRequired | FtpTls::ExplicitIfAvailable) => Protocol::Ftpes,
            (false, FtpTls::Implicit) => Protocol::Ftps,
            (false, FtpTls::None) => Protocol::Ftp,
        }
    }

    /// Changes the protocol; the TLS mode is kept while the protocol stays the same, so that
    /// "TLS if available" survives a form that sets the protocol it shows.
    pub fn set_protocol(&mut self, protocol: Protocol) {
        if protocol == self.protocol() {
            return;
        }
        self.sftp = protocol.is_ssh();
        self.scp = protocol == Protocol::Scp;
        self.web = protocol.is_http().then_some(protocol);
        self.ftp_tls = match protocol {
            Protocol::Ftps => FtpTls::Implicit,
            Protocol::Ftp => FtpTls::None,
            _ => FtpTls::ExplicitRequired,
        };
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(self.protocol().default_port())
    }

    /// The name with its folder, as the command line writes it: `Clients/Acme/www`.
    pub fn path(&self) -> String {
        if self.folder.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.folder, self.name)
        }
    }

    /// Which secret this site keeps in the keyring, if any.
    pub fn stored_secret(&self) -> Option<SecretKind> {
        match self.auth {
            Auth::Password => Some(SecretKind::Password),
            Auth::KeyFile { .. } => Some(SecretKind::Passphrase),
            Auth::Agent | Auth::AskEveryTime | Auth::Anonymous => None,
        }
    }

    /// The keyring entry's name for a secret of this site.
    pub fn secret_key(&self, kind: SecretKind) -> String {
        match kind {
            SecretKind::Password => format!("site/{}/password", self.id),
            SecretKind::Passphrase => format!("site/{}/passphrase", self.id),
        }
    }

    /// The site to connect to, with the secret found in the keyring (or asked for).
    pub fn to_site(&self, secret: Option<Secret>) -> Site {
        let mut credentials = Credentials {
            use_agent: self.sftp && matches!(self.auth, Auth::Agent | Auth::Password | Auth::AskEveryTime),
            ..Credentials::default()
        };
        match &self.auth {
            Auth::KeyFile { path } => {
                credentials.key_file = Some(path.clone());
                credentials.key_passphrase = secret;
            }
            // Anonymous FTP sends a conventional password; WebDAV sends no credentials.
            Auth::Anonymous if self.protocol().is_ftp() => credentials.password = Some(Secret::new("anonymous@")),
            Auth::Anonymous => {}
            _ => credentials.password = secret,
        }
        let user = match (&self.auth, self.user.is_empty()) {
            (Auth::Anonymous, _) | (_, true) if self.protocol().is_ftp() => "anonymous".to_owned(),
            (Auth::Anonymous, _) => String::new(),
            _ => self.user.clone(),
        };
        Site {
            protocol: self.protocol(),
            host: self.host.clone(),
            port: self.port(),
            user,
            credentials,
            data_mode: self.data_mode,
            tls_if_available: self.protocol() == Protocol::Ftpes && self.ftp_tls == FtpTls::ExplicitIfAvailable,
            // The site manager checks the text when it is saved. A list edited by hand that
            // does not read stays one unreachable hop, so the connection fails with its text
            // rather than going straight to the server.
            jump_hosts: if self.sftp {
                super::jump::Hop::parse_list(&self.jump_hosts).unwrap_or_else(|_| {
                    vec![super::jump::Hop {
                        user: None,
                        host: self.jump_hosts.clone(),
                        port: None,
                    }]
                })
            } else {
                Vec::new()
            },
            s3: if self.protocol() == Protocol::S3 {
                self.s3.clone()
            } else {
                Box::default()
            },
        }
    }

    /// Where a connection to this site starts.
    pub fn start_folder(&self) -> Option<RemotePath> {
        self.remote_folder
            .as_deref()
            .filter(|folder| !folder.trim().is_empty())
            .map(RemotePath::new)
    }
}

/// A site or folder name survives being written in `site:NAME/path`: not empty, no spaces
/// around it, no `/`, `:`, `\\` or control characters.
pub fn valid_site_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name.trim() == name
        && !name.contains(['/', ':', '\\'])
        && !name.chars().any(char::is_control)
}

/// A folder of the site tree: valid names joined by `/`.
pub fn valid_folder_path(path: &str) -> bool {
    path.split('/').all(valid_site_name)
}

/// Whether secrets can be kept, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum KeyringStatus {
    Available,
    /// No keyring could be reached; passwords are asked for at each connection.
    Unavailable {
        reason: String,
    },
}

/// What an import brought in and what it left, with the reasons.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Site paths added (`Folder/Name`).
    pub added: Vec<String>,
    /// The sites (their paths in the imported file) whose passwords are now in the keyring,
    /// so that they can be removed from the original file.
    pub passwords_moved: Vec<String>,
    /// Entries not imported, each with a sentence saying why.
    pub skipped: Vec<String>,
    /// Things the user should know (a password that could not be stored ...).
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_site_becomes_a_site_with_the_keyring_secret() {
        let mut saved = SavedSite {
            id: "a1".into(),
            name: "www".into(),
            folder: "Clients/Acme".into(),
            host: "acme.example".into(),
            user: "deploy".into(),
            ..SavedSite::default()
        };
        assert_eq!(saved.path(), "Clients/Acme/www");
        let site = saved.to_site(Some(Secret::new("pw")));
        assert_eq!((site.protocol, site.port), (Protocol::Sftp, 22));
        assert_eq!(site.credentials.password.unwrap().expose(), "pw");
        assert_eq!(saved.secret_key(SecretKind::Password), "site/a1/password");

        saved.set_protocol(Protocol::Ftps);
        saved.auth = Auth::Anonymous;
        let site = saved.to_site(None);
        assert_eq!(
            (site.protocol, site.port, site.user.as_str()),
            (Protocol::Ftps, 990, "anonymous")
        );
        assert_eq!(saved.stored_secret(), None);

        saved.set_protocol(Protocol::Davs);
        assert_eq!(
            saved.protocol(),
            Protocol::Davs,
            "kept in `web`, whatever sftp and ftp_tls say"
        );
        let site = saved.to_site(None);
        assert_eq!(
            (site.protocol, site.port, site.user.as_str()),
            (Protocol::Davs, 443, "")
        );
        assert_eq!(site.credentials.password, None, "WebDAV without a login sends nothing");
        saved.set_protocol(Protocol::Sftp);
        assert_eq!((saved.protocol(), saved.web), (Protocol::Sftp, None));
    }
}
