//! OpenSSH's `~/.ssh/config` as saved sites: each alias a `Host` line names becomes an SFTP
//! site with what the configuration says for it (`HostName`, `User`, `Port`, the first
//! `IdentityFile`, `ProxyJump`), `Match` blocks and `Include`s applied as `ssh` applies
//! them (the parser is [`crate::ssh_config`], the one connections use). Patterns (`*`, `?`,
//! `!`) are reported as skipped: they describe many servers, not one.

use std::path::Path;

use super::Imported;
use crate::model::saved_site::{Auth, SavedSite};
use crate::ssh_config::{LocalUser, SshConfig};

/// Reads the configuration at `path` and what it includes.
pub fn import(path: &Path, local: &LocalUser) -> Imported {
    sites(&SshConfig::load(path, local), local)
}

#[cfg(any(test, feature = "fuzzing"))]
/// Reads a configuration's text; `home` expands `~` and finds relative `Include`s.
pub fn parse(text: &str, home: &Path) -> Imported {
    let local = LocalUser {
        name: String::new(),
        home: home.to_path_buf(),
    };
    sites(&SshConfig::parse(text, &local), &local)
}

fn sites(config: &SshConfig, local: &LocalUser) -> Imported {
    let mut imported = Imported {
        skipped: config.patterns(),
        warnings: config.problems.clone(),
        ..Imported::default()
    };
    for alias in config.aliases() {
        let resolved = config.resolve(&alias, None, None, local);
        if let Some(Err(why)) = resolved.proxy_jump.as_deref().map(crate::model::jump::Hop::parse_list) {
            imported.skipped.push(format!("Host {alias}: ProxyJump {why}"));
            continue;
        }
        for unsupported in &resolved.unsupported {
            imported.warnings.push(format!("{alias}: {unsupported}"));
        }
        imported.sites.push((
            SavedSite {
                name: alias.replace(['/', ':', '\\'], "-"),
                folder: "SSH config".into(),
                host: resolved.host_name.unwrap_or_else(|| alias.clone()),
                user: resolved.user.unwrap_or_default(),
                port: resolved.port,
                auth: match resolved.identity_files.into_iter().next() {
                    Some(path) => Auth::KeyFile { path },
                    None => Auth::Agent,
                },
                jump_hosts: resolved.proxy_jump.unwrap_or_default(),
                ..SavedSite::default()
            },
            None,
        ));
    }
    if !imported.sites.is_empty() {
        imported.folders.push("SSH config".into());
    }
    imported
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_become_sftp_sites_with_match_blocks_applied_and_patterns_skipped() {
        let config = "\
# work
Host web web-alias
    HostName web.example.org
    User deploy
    Port 2222
    IdentityFile ~/.ssh/web_ed25519
    IdentityFile ~/.ssh/second

Host=db
  HostName = \"db.internal\"
  ProxyJump ops@bastion:2200
  ProxyCommand nc %h %p

Host *.example.org !bad
    User everyone

Match originalhost build
    User ci
Host build
";
        let imported = parse(config, Path::new("/home/me"));
        let sites: Vec<_> = imported.sites.iter().map(|(site, _)| site).collect();
        assert_eq!(sites.len(), 4);
        assert_eq!(
            (
                sites[0].name.as_str(),
                sites[0].host.as_str(),
                sites[0].user.as_str(),
                sites[0].port()
            ),
            ("web", "web.example.org", "deploy", 2222)
        );
        assert_eq!(
            sites[0].auth,
            Auth::KeyFile {
                path: "/home/me/.ssh/web_ed25519".into()
            }
        );
        assert_eq!(sites[1].name, "web-alias");
        assert_eq!(
            (
                sites[2].host.as_str(),
                sites[2].auth.clone(),
                sites[2].jump_hosts.as_str()
            ),
            ("db.internal", Auth::Agent, "ops@bastion:2200")
        );
        assert_eq!((sites[3].name.as_str(), sites[3].user.as_str()), ("build", "ci"));
        assert_eq!(imported.skipped.len(), 2, "{:?}", imported.skipped);
        assert!(imported.skipped[0].contains("*.example.org"));
        assert_eq!(
            imported.warnings,
            vec!["db: ProxyCommand nc %h %p (not supported by Wharf)"]
        );
    }
}
