//! The quickconnect bar's fields and how they become a [`Site`]. A URL pasted into the host
//! field fills the others (and the folder to open). Recent servers are remembered without
//! their passwords.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::engine::api::{RemotePath, Site};
use crate::model::location::Location;
use crate::model::{Credentials, DataMode, Protocol, Secret};

/// The protocols offered, in the order of the drop-down.
/// HTTP links are not among them: a link names one file to download, not a place to
/// browse (they go to the queue: `wharf get URL`, or pasted into the window's queue).
pub const PROTOCOLS: [Protocol; 8] = [
    Protocol::Sftp,
    Protocol::Scp,
    Protocol::Ftpes,
    Protocol::Ftps,
    Protocol::Ftp,
    Protocol::Davs,
    Protocol::Dav,
    Protocol::S3,
];

pub fn protocol_label(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Sftp => "SFTP (SSH)",
        Protocol::Scp => "SCP (SSH, no SFTP)",
        Protocol::Ftpes => "FTPS explicit (AUTH TLS)",
        Protocol::Ftps => "FTPS implicit",
        Protocol::Ftp => "FTP (unencrypted)",
        Protocol::Davs => "WebDAV (HTTPS)",
        Protocol::Dav => "WebDAV (unencrypted)",
        Protocol::Https => "HTTPS link",
        Protocol::Http => "HTTP link (unencrypted)",
        Protocol::S3 => "S3",
    }
}

/// A server connected to before, without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recent {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub user: String,
}

impl Recent {
    pub fn label(&self) -> String {
        format!("{}://{}@{}:{}", self.protocol, self.user, self.host, self.port)
    }
}

/// Recent servers kept.
pub const MAX_RECENT: usize = 10;

pub struct ConnectForm {
    pub protocol: Protocol,
    pub host: String,
    pub user: String,
    pub password: String,
    pub port: String,
    pub key_file: Option<PathBuf>,
    pub active_mode: bool,
    /// The folder a pasted URL named, opened after connecting.
    pub start_path: Option<RemotePath>,
}

impl Default for ConnectForm {
    fn default() -> Self {
        ConnectForm {
            protocol: Protocol::Sftp,
            host: String::new(),
            user: String::new(),
            password: String::new(),
            port: String::new(),
            key_file: None,
            active_mode: false,
            start_path: None,
        }
    }
}

impl ConnectForm {
    /// When the host field holds a URL, spreads it over the fields. Says whether it did.
    pub fn absorb_url(&mut self) -> Result<bool, String> {
        if !self.host.contains("://") {
            return Ok(false);
        }
        let location = Location::parse(self.host.trim()).map_err(|error| error.to_string())?;
        self.fill_from_location(location);
        Ok(true)
    }

    /// Spreads a server's location over the fields, and keeps its folder to open.
    pub fn fill_from_location(&mut self, location: Location) {
        let site = location.site;
        self.protocol = site.protocol;
        self.host = site.host;
        self.user = site.user;
        self.port = site.port.to_string();
        if let Some(password) = site.credentials.password {
            self.password = password.expose().to_owned();
        }
        // `sftp://host/` names the server, not its root folder: open the login folder.
        let path = location.path.as_str();
        self.start_path = (!matches!(path, "" | "~" | "/")).then_some(location.path);
    }

    /// After the protocol was changed from `before`: a port that was the old protocol's
    /// default follows the new one (the field's hint shows it), and S3, which shows no port
    /// field, keeps none.
    pub fn protocol_changed(&mut self, before: Protocol) {
        let was_default = self.port.trim() == before.default_port().to_string();
        if was_default || self.protocol == Protocol::S3 {
            self.port.clear();
        }
    }

    pub fn fill_from(&mut self, recent: &Recent) {
        self.protocol = recent.protocol;
        self.host = recent.host.clone();
        self.port = recent.port.to_string();
        self.user = recent.user.clone();
        self.password.clear();
        self.start_path = None;
    }

    /// The site these fields describe, or a sentence saying what is missing.
    pub fn site(&mut self) -> Result<Site, String> {
        self.absorb_url()?;
        let host = self.host.trim();
        if host.is_empty() {
            return Err("Type the server's name or address in Host.".to_owned());
        }
        if host.contains(['/', ' ', '@']) {
            return Err(format!(
                "{host:?} is not a host name; type only the server's name or address, or a whole URL."
            ));
        }
        let port = match self.port.trim() {
            "" => self.protocol.default_port(),
            text => match text.parse::<u16>() {
                Ok(port) if port > 0 => port,
                _ => return Err(format!("{text:?} is not a port; ports are numbers from 1 to 65535.")),
            },
        };
        let user = match self.user.trim() {
            "" if self.protocol.is_ftp() => "anonymous".to_owned(),
            // SSH: the user ~/.ssh/config names for the host, else the local user's name.
            "" => String::new(),
            user => user.to_owned(),
        };
        let password = (!self.password.is_empty()).then(|| Secret::new(self.password.clone()));
        Ok(Site {
            protocol: self.protocol,
            host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
            port,
            user,
            credentials: Credentials {
                key_passphrase: self.key_file.as_ref().and(password.clone()),
                password,
                key_file: self.key_file.clone(),
                use_agent: self.protocol.is_ssh(),
            },
            data_mode: if self.active_mode {
                DataMode::Active
            } else {
                DataMode::Passive
            },
            tls_if_available: false,
            jump_hosts: Vec::new(),
            s3: Default::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_url_fills_the_fields() {
        let mut form = ConnectForm {
            host: "ftpes://bob:p%40ss@files.example.org:2121/pub/docs".into(),
            ..ConnectForm::default()
        };
        let site = form.site().unwrap();
        assert_eq!(
            (form.host.as_str(), form.user.as_str(), form.port.as_str()),
            ("files.example.org", "bob", "2121")
        );
        assert_eq!(form.password, "p@ss");
        assert_eq!(site.protocol, Protocol::Ftpes);
        assert_eq!(site.credentials.password.unwrap().expose(), "p@ss");
        assert_eq!(form.start_path, Some(RemotePath::new("/pub/docs")));
    }

    #[test]
    fn missing_or_wrong_fields_are_explained() {
        let mut form = ConnectForm::default();
        assert!(form.site().unwrap_err().contains("Host"));
        form.host = "example.org".into();
        // SFTP without a user: ~/.ssh/config's for the host, else the local user, when
        // connecting.
        assert_eq!(form.site().unwrap().user, "");
        form.protocol = Protocol::Ftp;
        assert_eq!(form.site().unwrap().user, "anonymous");
        form.port = "99999".into();
        assert!(form.site().unwrap_err().contains("not a port"));
    }

    #[test]
    fn a_default_port_follows_the_protocol_and_a_chosen_one_stays() {
        let mut form = ConnectForm::default();
        form.fill_from_location(Location::parse("s3://backups/").unwrap());
        form.protocol = Protocol::Sftp;
        form.protocol_changed(Protocol::S3);
        assert_eq!(form.port, "", "S3's 443 is not SFTP's port");
        form.host = "example.org".into();
        assert_eq!(form.site().unwrap().port, 22);
        form.port = "2222".into();
        form.protocol = Protocol::Ftp;
        form.protocol_changed(Protocol::Sftp);
        assert_eq!(form.port, "2222", "a port the user chose stays");
        form.protocol = Protocol::S3;
        form.protocol_changed(Protocol::Ftp);
        assert_eq!(form.port, "", "S3 shows no port field, so it keeps no port");
    }
}
