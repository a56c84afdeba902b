//! Jump hosts as OpenSSH writes them (`ProxyJump` and `ssh -J`): `user@host:port`, several
//! separated by commas, each an SSH server that the connection passes through, in order.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One SSH server a connection passes through. Only the host is required: the user, the
/// port and the key come from `~/.ssh/config` when it names the host, as in OpenSSH.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hop {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl Hop {
    /// Reads `a,b` or `user@a:2222,ssh://user@b:22`. An empty text is no jump host.
    pub fn parse_list(text: &str) -> Result<Vec<Hop>, String> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(Hop::parse)
            .collect()
    }

    fn parse(text: &str) -> Result<Hop, String> {
        let bare = text.strip_prefix("ssh://").unwrap_or(text).trim_end_matches('/');
        let (user, rest) = match bare.rsplit_once('@') {
            Some((user, rest)) if !user.is_empty() => (Some(user.to_owned()), rest),
            Some(_) => return Err(format!("{text:?} is not a jump host: the name before @ is empty")),
            None => (None, bare),
        };
        let (host, port) = split_port(rest)
            .ok_or_else(|| format!("{text:?} is not a jump host; write it as host, user@host or user@host:port"))?;
        if host.is_empty() || host.contains(['/', ' ', '@']) || host.chars().any(char::is_control) {
            return Err(format!(
                "{text:?} is not a jump host; write it as host, user@host or user@host:port"
            ));
        }
        Ok(Hop {
            user,
            host: host.to_owned(),
            port,
        })
    }

    /// The list as `parse_list` reads it.
    pub fn list_text(hops: &[Hop]) -> String {
        hops.iter().map(Hop::to_string).collect::<Vec<_>>().join(",")
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`; `None` when the port is not a number.
fn split_port(text: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(port) => Some((host, Some(port.parse().ok().filter(|port| *port > 0)?))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match text.split_once(':') {
        Some((host, port)) => Some((host, Some(port.parse().ok().filter(|port| *port > 0)?))),
        None => Some((text, None)),
    }
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(port) => write!(f, "{host}:{port}"),
            None => f.write_str(&host),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_lists_read_as_openssh_writes_them_and_back() {
        let hops = Hop::parse_list("bastion, ops@gate:2222,ssh://me@[::1]:22").unwrap();
        assert_eq!(
            hops,
            vec![
                Hop {
                    user: None,
                    host: "bastion".into(),
                    port: None
                },
                Hop {
                    user: Some("ops".into()),
                    host: "gate".into(),
                    port: Some(2222)
                },
                Hop {
                    user: Some("me".into()),
                    host: "::1".into(),
                    port: Some(22)
                },
            ]
        );
        assert_eq!(Hop::list_text(&hops), "bastion,ops@gate:2222,me@[::1]:22");
        assert_eq!(Hop::parse_list("").unwrap(), vec![]);
        for bad in ["gate:port", "@gate", "gate:0", "a b", "[::1"] {
            assert!(Hop::parse_list(bad).is_err(), "{bad}");
        }
    }
}
