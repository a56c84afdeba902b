//! OpenSSH's `~/.ssh/config` as saved sites: each alias a `Host` line names becomes an SFTP
//! site whose host is the alias, so that every connection reads the configuration afresh,
//! as `ssh alias` does: its `HostName`, `User`, `Port`, keys, jump hosts and host-key rules
//! all apply, and an edit of the file is followed. The notes say what the configuration
//! said at import (`Match` blocks and `Include`s applied as `ssh` applies them; the parser
//! is [`crate::ssh_config`], the one connections use). Patterns (`*`, `?`, `!`) are reported
//! as skipped: they describe many servers, not one.

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
        let said = [
            resolved.host_name.as_deref().map(|name| format!("HostName {name}")),
            resolved.user.as_deref().map(|user| format!("User {user}")),
            resolved.port.map(|port| format!("Port {port}")),
            resolved
                .identity_files
                .first()
                .map(|key| format!("IdentityFile {}", key.display())),
            resolved.proxy_jump.as_deref().map(|hops| format!("ProxyJump {hops}")),
        ];
        let said: Vec<String> = said.into_iter().flatten().collect();
        imported.sites.push((
            SavedSite {
                name: alias.replace(['/', ':', '\\'], "-"),
                folder: "SSH config".into(),
                host: alias.clone(),
                auth: Auth::Agent,
                notes: format!(
                    "Follows Host {alias} in ~/.ssh/config; at import it said: {}.",
                    if said.is_empty() {
                        "nothing more".to_owned()
                    } else {
                        said.join(", ")
                    }
                ),
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
        let names: Vec<&str> = sites.iter().map(|site| site.name.as_str()).collect();
        assert_eq!(names, vec!["web", "web-alias", "db", "build"]);
        // The alias is the host: each connection reads the configuration afresh.
        assert!(
            sites
                .iter()
                .all(|site| site.host == site.name && site.sftp && site.user.is_empty())
        );
        assert!(sites.iter().all(|site| site.auth == Auth::Agent && site.port.is_none()));
        assert_eq!(
            sites[0].notes,
            "Follows Host web in ~/.ssh/config; at import it said: HostName web.example.org, User deploy, \
             Port 2222, IdentityFile /home/me/.ssh/web_ed25519."
        );
        assert!(
            sites[2]
                .notes
                .contains("HostName db.internal, ProxyJump ops@bastion:2200"),
            "{}",
            sites[2].notes
        );
        assert!(sites[3].notes.contains("User ci"), "{}", sites[3].notes);
        assert_eq!(imported.skipped.len(), 2, "{:?}", imported.skipped);
        assert!(imported.skipped[0].contains("*.example.org"));
        assert_eq!(
            imported.warnings,
            vec!["db: ProxyCommand nc %h %p (not supported by Wharf)"]
        );
    }
}
