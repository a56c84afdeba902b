//! Where an SSH connection goes: the site with the user's `~/.ssh/config` applied, as
//! `ssh` applies it, and the jump hosts before it, each with its own settings.
//!
//! What the site says wins over the configuration, as a command line does in OpenSSH: its
//! user, its key file, its jump hosts, and its port unless it is 22 (a site always has a
//! port, so 22 counts as "not given" and the configuration's `Port` applies).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use super::super::{ErrorKind, FsError, ProtocolLog};
use crate::model::jump::Hop;
use crate::model::{Credentials, Site};
use crate::ssh_config::{HostKeyChecking, LocalUser, Resolved, SshConfig};

/// One SSH server on the way: a jump host or the target.
#[derive(Debug, Clone)]
pub struct Leg {
    /// Host name (after `HostName`), port, user and the credentials to offer.
    pub site: Site,
    /// The name as the user wrote it, when the configuration renamed it.
    pub alias: String,
    /// Keys from `IdentityFile`, tried after the site's own.
    pub identity_files: Vec<PathBuf>,
    /// `IdentitiesOnly`: of the agent's keys, only those of `identity_files`.
    pub identities_only: bool,
    /// `UserKnownHostsFile`: read instead of `~/.ssh/known_hosts` (Wharf's own file is
    /// always read).
    pub known_hosts: Vec<PathBuf>,
    /// `StrictHostKeyChecking yes`: an unknown host key is refused without asking.
    pub strict: bool,
    pub connect_timeout: Option<Duration>,
    pub keepalive: Option<Duration>,
}

impl Leg {
    /// `alias (host:port)`, or `host:port` when there is no alias.
    pub fn name(&self) -> String {
        if self.alias == self.site.host {
            self.site.authority()
        } else {
            format!("{} ({})", self.alias, self.site.authority())
        }
    }
}

/// The jump hosts in order, then the target.
#[derive(Debug, Clone)]
pub struct Route {
    pub hops: Vec<Leg>,
    pub target: Leg,
}

/// Reads `~/.ssh/config` and applies it to `site` and to its jump hosts.
pub fn plan(site: &Site, log: &ProtocolLog) -> Result<Route, FsError> {
    // Without a home folder there is no ~/.ssh/config: one is never looked for elsewhere
    // (a file in the current folder could name any server and any known_hosts).
    let local = LocalUser::current_or_homeless();
    let config = SshConfig::load_users(&local);
    for problem in &config.problems {
        say_once(log, &format!("~/.ssh/config: {problem}"));
    }
    plan_with(&config, &local, site, log)
}

fn plan_with(config: &SshConfig, local: &LocalUser, site: &Site, log: &ProtocolLog) -> Result<Route, FsError> {
    let given_user = Some(site.user.as_str()).filter(|user| !user.is_empty());
    let given_port = Some(site.port).filter(|port| *port != 22);
    let resolved = config.resolve(&site.host, given_user, given_port, local);
    let jumps = if site.jump_hosts.is_empty() {
        match &resolved.proxy_jump {
            Some(text) => Hop::parse_list(text).map_err(|why| {
                FsError::new(
                    ErrorKind::Connect,
                    format!("~/.ssh/config's ProxyJump for {}: {why}", site.host),
                )
            })?,
            None => Vec::new(),
        }
    } else {
        site.jump_hosts.clone()
    };
    let target = leg(site, &site.host, given_user, given_port, resolved, local, log);
    let hops = jumps
        .iter()
        .map(|hop| {
            let resolved = config.resolve(&hop.host, hop.user.as_deref(), hop.port, local);
            let hop_site = Site {
                user: hop.user.clone().unwrap_or_default(),
                port: hop.port.unwrap_or(22),
                host: hop.host.clone(),
                credentials: Credentials {
                    use_agent: true,
                    ..Credentials::default()
                },
                jump_hosts: Vec::new(),
                s3: Default::default(),
                ..site.clone()
            };
            leg(
                &hop_site,
                &hop.host,
                hop.user.as_deref(),
                hop.port,
                resolved,
                local,
                log,
            )
        })
        .collect();
    Ok(Route { hops, target })
}

fn leg(
    site: &Site,
    alias: &str,
    given_user: Option<&str>,
    given_port: Option<u16>,
    resolved: Resolved,
    local: &LocalUser,
    log: &ProtocolLog,
) -> Leg {
    let user = given_user
        .map(str::to_owned)
        .or(resolved.user)
        .unwrap_or_else(|| local.name.clone());
    let host = resolved.host_name.unwrap_or_else(|| alias.to_owned());
    let port = given_port.or(resolved.port).unwrap_or(22);
    if resolved.named {
        log.status(&format!("~/.ssh/config: {alias} is {user}@{host}:{port}"));
    }
    for unsupported in &resolved.unsupported {
        say_once(log, &format!("~/.ssh/config for {alias}: {unsupported}"));
    }
    let mut leg_site = site.clone();
    leg_site.host = host;
    leg_site.port = port;
    leg_site.user = user;
    Leg {
        site: leg_site,
        alias: alias.to_owned(),
        identity_files: resolved.identity_files,
        identities_only: resolved.identities_only,
        known_hosts: resolved.known_hosts_files,
        strict: resolved.host_key_checking == HostKeyChecking::Strict,
        connect_timeout: resolved.connect_timeout,
        keepalive: resolved.server_alive_interval,
    }
}

/// Logs a warning once per run: the same line for each of a queue's connections would drown
/// the log.
fn say_once(log: &ProtocolLog, line: &str) {
    static SAID: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let first = SAID
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(line.to_owned());
    if first {
        log.warning(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::location::Location;

    fn plan_for(config: &str, url: &str) -> Route {
        let local = LocalUser {
            name: "me".into(),
            home: PathBuf::from("/home/me"),
        };
        let config = SshConfig::parse(config, &local);
        let site = Location::parse(url).unwrap().site;
        plan_with(&config, &local, &site, &ProtocolLog::tracing()).unwrap()
    }

    #[test]
    fn the_site_wins_over_the_config_and_jump_hosts_are_resolved_too() {
        let config = "\
Host web
    HostName 10.0.0.5
    User deploy
    Port 2222
    ProxyJump gate,ops@second:2200
    IdentityFile ~/.ssh/web
Host gate
    HostName gate.example.org
    User jumper
    StrictHostKeyChecking yes
";
        let route = plan_for(config, "sftp://web/");
        assert_eq!(route.target.site.address(), "sftp://deploy@10.0.0.5:2222");
        assert_eq!(route.target.identity_files, vec![PathBuf::from("/home/me/.ssh/web")]);
        let hops: Vec<String> = route.hops.iter().map(|hop| hop.site.address()).collect();
        assert_eq!(
            hops,
            vec!["sftp://jumper@gate.example.org:22", "sftp://ops@second:2200"]
        );
        assert!(route.hops[0].strict && !route.target.strict);
        assert!(route.hops[0].site.credentials.use_agent);

        let given = plan_for(config, "sftp://root@web:2022/");
        assert_eq!(given.target.site.address(), "sftp://root@10.0.0.5:2022");

        let mut site = Location::parse("sftp://web/").unwrap().site;
        site.jump_hosts = Hop::parse_list("other").unwrap();
        let local = LocalUser {
            name: "me".into(),
            home: PathBuf::from("/home/me"),
        };
        let route = plan_with(
            &SshConfig::parse(config, &local),
            &local,
            &site,
            &ProtocolLog::tracing(),
        )
        .unwrap();
        let hops: Vec<String> = route.hops.iter().map(|hop| hop.site.address()).collect();
        assert_eq!(
            hops,
            vec!["sftp://me@other:22"],
            "the site's jump hosts replace the config's"
        );
    }

    #[test]
    fn a_host_the_config_does_not_name_goes_straight_as_the_local_user() {
        let route = plan_for("Host other\n  User x\n", "sftp://server.example/");
        assert!(route.hops.is_empty());
        assert_eq!(route.target.site.address(), "sftp://me@server.example:22");
    }
}
