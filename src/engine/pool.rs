//! Connections for the queue, per site: workers take one, use it for an item, and give it
//! back when it is healthy, so a folder of small files does not reconnect for each file.
//! Also the sites the queue knows, with their secrets in memory only: a site restored from
//! the database has none, and the user is asked once (a `Password` prompt) when it is needed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::api::{Event, Prompt, PromptReply};
use super::trust_policy::Prompts;
use crate::model::{Credentials, DataMode, Protocol, Secret, Site};
use crate::protocol::{ConnectContext, ErrorKind, FsError, RemoteFs};

/// An idle connection older than this is checked with a keepalive before it is reused.
const CHECK_AFTER: Duration = Duration::from_secs(20);

/// Opens a connection; the real one is [`crate::protocol::connect`], tests pass others.
pub type Connector = Arc<dyn Fn(&Site, &ConnectContext) -> Result<Box<dyn RemoteFs>, FsError> + Send + Sync>;

/// How to reach a site, as the queue database keeps it: everything but the secrets, and
/// whether there were any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteDescriptor {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub key_file: Option<std::path::PathBuf>,
    pub use_agent: bool,
    pub data_mode: DataMode,
    pub needs_password: bool,
    pub needs_passphrase: bool,
    #[serde(default)]
    pub tls_if_available: bool,
    #[serde(default)]
    pub jump_hosts: Vec<crate::model::jump::Hop>,
    #[serde(default)]
    pub s3: crate::model::s3::S3Endpoint,
}

impl SiteDescriptor {
    pub fn of(site: &Site) -> SiteDescriptor {
        SiteDescriptor {
            protocol: site.protocol,
            host: site.host.clone(),
            port: site.port,
            user: site.user.clone(),
            key_file: site.credentials.key_file.clone(),
            use_agent: site.credentials.use_agent,
            data_mode: site.data_mode,
            needs_password: site
                .credentials
                .password
                .as_ref()
                .is_some_and(|secret| !secret.is_empty()),
            needs_passphrase: site
                .credentials
                .key_passphrase
                .as_ref()
                .is_some_and(|secret| !secret.is_empty()),
            tls_if_available: site.tls_if_available,
            jump_hosts: site.jump_hosts.clone(),
            s3: (*site.s3).clone(),
        }
    }

    fn site(&self) -> Site {
        Site {
            protocol: self.protocol,
            host: self.host.clone(),
            port: self.port,
            user: self.user.clone(),
            credentials: Credentials {
                password: None,
                key_file: self.key_file.clone(),
                key_passphrase: None,
                use_agent: self.use_agent,
            },
            data_mode: self.data_mode,
            tls_if_available: self.tls_if_available,
            jump_hosts: self.jump_hosts.clone(),
            s3: Box::new(self.s3.clone()),
        }
    }
}

struct SiteSlot {
    site: Site,
    descriptor: SiteDescriptor,
}

struct Idle {
    fs: Box<dyn RemoteFs>,
    since: Instant,
}

/// Finds the keyring's secret for a site key (`sftp://user@host:22`) when a saved site has
/// that key: `(key, passphrase)`.
/// What the queue learns from the saved site with a given site key (see `engine::bookmarks`).
pub trait SavedSites: Send + Sync {
    /// The keyring's password (`passphrase`: key passphrase) for the site.
    fn secret(&self, key: &str, passphrase: bool) -> Option<Secret>;
    /// The site's own limit of transfers at once.
    fn connection_limit(&self, key: &str) -> Option<usize>;
}

pub type SavedSecrets = Arc<dyn SavedSites>;

pub struct Pool {
    connector: Connector,
    saved_secrets: SavedSecrets,
    prompts: Arc<Prompts>,
    events: Arc<dyn Fn(Event) + Send + Sync>,
    /// One lock per site, so that a password question for one site does not hold up others.
    sites: Mutex<HashMap<String, Arc<Mutex<SiteSlot>>>>,
    idle: Mutex<HashMap<String, Vec<Idle>>>,
    /// Connections being opened now, per site.
    opening: Mutex<HashMap<String, usize>>,
}

/// Counts a connection being opened for as long as it lives.
struct Opening<'a> {
    counts: &'a Mutex<HashMap<String, usize>>,
    key: &'a str,
}

impl<'a> Opening<'a> {
    fn new(counts: &'a Mutex<HashMap<String, usize>>, key: &'a str) -> Self {
        *counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(key.to_owned())
            .or_default() += 1;
        Opening { counts, key }
    }
}

impl Drop for Opening<'_> {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = counts.get_mut(self.key) {
            *count = count.saturating_sub(1);
        }
    }
}

impl Pool {
    pub fn new(
        connector: Connector,
        prompts: Arc<Prompts>,
        events: Arc<dyn Fn(Event) + Send + Sync>,
        saved_secrets: SavedSecrets,
    ) -> Pool {
        Pool {
            connector,
            saved_secrets,
            prompts,
            events,
            sites: Mutex::new(HashMap::new()),
            idle: Mutex::new(HashMap::new()),
            opening: Mutex::new(HashMap::new()),
        }
    }

    /// A connection to the site is being opened (logging in, or waiting for a password).
    pub fn opening(&self, key: &str) -> bool {
        self.opening
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(key)
            .is_some_and(|&count| count > 0)
    }

    /// Registers a site with its secrets (from an `Enqueue`); they replace what was known.
    pub fn add_site(&self, site: &Site) {
        let slot = SiteSlot {
            site: site.clone(),
            descriptor: SiteDescriptor::of(site),
        };
        self.sites
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(site.key(), Arc::new(Mutex::new(slot)));
    }

    /// Registers a site restored from the database, unless it is already known.
    pub fn add_descriptor(&self, key: &str, descriptor: SiteDescriptor) {
        let mut sites = self.sites.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        sites.entry(key.to_owned()).or_insert_with(|| {
            Arc::new(Mutex::new(SiteSlot {
                site: descriptor.site(),
                descriptor,
            }))
        });
    }

    /// The saved site's own limit of transfers at once, if it has one.
    pub fn saved_limit(&self, key: &str) -> Option<usize> {
        self.saved_secrets.connection_limit(key)
    }

    pub fn knows(&self, key: &str) -> bool {
        self.sites
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains_key(key)
    }

    /// The site with its secrets, asking the user for those it needs and lacks; `asking` hears
    /// `true` before the user is asked and `false` once they answered.
    fn site(&self, key: &str, asking: &dyn Fn(bool)) -> Result<Site, FsError> {
        let slot = self
            .sites
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(key)
            .cloned()
            .ok_or_else(|| {
                FsError::new(
                    ErrorKind::Other,
                    format!("the queue does not know how to reach {key}; queue the transfer again"),
                )
            })?;
        let mut slot = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.descriptor.needs_password && slot.site.credentials.password.is_none() {
            slot.site.credentials.password = Some(self.ask(key, false, asking)?);
        }
        if slot.descriptor.needs_passphrase && slot.site.credentials.key_passphrase.is_none() {
            slot.site.credentials.key_passphrase = Some(self.ask(key, true, asking)?);
        }
        Ok(slot.site.clone())
    }

    fn ask(&self, key: &str, passphrase: bool, asking: &dyn Fn(bool)) -> Result<Secret, FsError> {
        // A saved site's keyring entry answers without bothering the user.
        if let Some(secret) = self.saved_secrets.secret(key, passphrase) {
            return Ok(secret);
        }
        let question = Prompt::Password {
            site: key.to_owned(),
            passphrase,
        };
        asking(true);
        let reply = self.prompts.ask(self.events.as_ref(), question);
        asking(false);
        match reply {
            PromptReply::Password(secret) => Ok(secret),
            _ => Err(FsError::new(
                ErrorKind::Auth,
                format!(
                    "no {} was given for {key}",
                    if passphrase { "key passphrase" } else { "password" }
                ),
            )),
        }
    }

    /// A connection to the site: an idle one that still answers, or a new one. `asking`
    /// hears when the user is asked for a password and when they answered.
    pub fn take(
        &self,
        key: &str,
        context: &ConnectContext,
        asking: &dyn Fn(bool),
    ) -> Result<Box<dyn RemoteFs>, FsError> {
        loop {
            let idle = self
                .idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .get_mut(key)
                .and_then(Vec::pop);
            let Some(mut idle) = idle else {
                break;
            };
            if idle.since.elapsed() < CHECK_AFTER || idle.fs.keepalive().is_ok() {
                return Ok(idle.fs);
            }
        }
        let _opening = Opening::new(&self.opening, key);
        let site = self.site(key, asking)?;
        (self.connector)(&site, context)
    }

    /// Gives a healthy connection back for the next item.
    pub fn give_back(&self, key: &str, fs: Box<dyn RemoteFs>) {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(key.to_owned())
            .or_default()
            .push(Idle {
                fs,
                since: Instant::now(),
            });
    }

    /// Closes every idle connection (the queue has nothing left to do).
    pub fn close_idle(&self) {
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        drop(idle);
    }
}
