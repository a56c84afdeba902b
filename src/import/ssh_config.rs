//! OpenSSH's `~/.ssh/config`: each `Host` with a plain alias becomes an SFTP site with its
//! `HostName`, `User`, `Port` and `IdentityFile`. Patterns (`*`, `?`, `!`), `Match` blocks and
//! `Include`s are reported as skipped: they describe many servers, not one.

use std::path::{Path, PathBuf};

use super::Imported;
use crate::model::saved_site::{Auth, SavedSite};

/// Reads the config's text; `home` expands `~` in IdentityFile.
pub fn parse(text: &str, home: &Path) -> Imported {
    let mut imported = Imported::default();
    // The sites of the `Host` line being read (one line may name several aliases).
    let mut current: Vec<SavedSite> = Vec::new();
    let mut in_match = false;
    let finish = |current: &mut Vec<SavedSite>, imported: &mut Imported| {
        for site in current.drain(..) {
            imported.sites.push((site, None));
        }
    };
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (keyword, value) = split(line);
        let value = unquote(value);
        match keyword.to_ascii_lowercase().as_str() {
            "host" => {
                finish(&mut current, &mut imported);
                in_match = false;
                for alias in value.split_whitespace() {
                    if alias.contains(['*', '?', '!']) {
                        imported
                            .skipped
                            .push(format!("Host {alias}: a pattern matches many servers, not one"));
                    } else {
                        current.push(SavedSite {
                            name: alias.replace(['/', ':', '\\'], "-"),
                            folder: "SSH config".into(),
                            host: alias.to_owned(),
                            auth: Auth::Agent,
                            ..SavedSite::default()
                        });
                    }
                }
            }
            "match" => {
                finish(&mut current, &mut imported);
                in_match = true;
                imported
                    .skipped
                    .push(format!("Match {value}: conditional blocks are not imported"));
            }
            "include" => imported.skipped.push(format!(
                "Include {value}: included files are not read; import them one by one"
            )),
            _ if in_match => {}
            "hostname" => current.iter_mut().for_each(|site| site.host = value.to_owned()),
            "user" => current.iter_mut().for_each(|site| site.user = value.to_owned()),
            "port" => match value.parse::<u16>() {
                Ok(port) => current.iter_mut().for_each(|site| site.port = Some(port)),
                Err(_) => imported
                    .warnings
                    .push(format!("Port {value}: not a port number; 22 is used")),
            },
            "identityfile" => {
                let path = expand(value, home);
                for site in &mut current {
                    // The first IdentityFile wins, as in OpenSSH.
                    if !matches!(site.auth, Auth::KeyFile { .. }) {
                        site.auth = Auth::KeyFile { path: path.clone() };
                    }
                }
            }
            _ => {}
        }
    }
    finish(&mut current, &mut imported);
    if !imported.sites.is_empty() {
        imported.folders.push("SSH config".into());
    }
    imported
}

/// `Keyword value`, `Keyword=value` or `Keyword = value`.
fn split(line: &str) -> (&str, &str) {
    let end = line.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(line.len());
    let (keyword, rest) = line.split_at(end);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    (keyword, rest)
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(value)
}

fn expand(path: &str, home: &Path) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => home.join(rest),
        None => PathBuf::from(path.replace("%d", &home.to_string_lossy())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_become_sftp_sites_and_patterns_are_skipped() {
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

Host *.example.org !bad
    User everyone

Match host build
    User ci

Include ~/.ssh/config.d/*
";
        let imported = parse(config, Path::new("/home/me"));
        let sites: Vec<_> = imported.sites.iter().map(|(site, _)| site).collect();
        assert_eq!(sites.len(), 3);
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
            (sites[2].host.as_str(), sites[2].auth.clone()),
            ("db.internal", Auth::Agent)
        );
        assert_eq!(imported.skipped.len(), 4, "{:?}", imported.skipped);
        assert!(imported.skipped[0].contains("*.example.org"));
        assert!(imported.skipped.iter().any(|reason| reason.starts_with("Match")));
        assert!(imported.skipped.iter().any(|reason| reason.starts_with("Include")));
        assert!(
            sites.iter().all(|site| site.user != "ci"),
            "Match blocks do not leak into sites"
        );
    }
}
