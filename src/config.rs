//! Where Wharf keeps its files. `WHARF_HOME=DIR` puts configuration, data and state under
//! DIR (tests and scripts use it); otherwise the platform's directories (XDG on Linux,
//! `~/Library/Application Support` on macOS, `%APPDATA%` on Windows).

use std::path::{Path, PathBuf};

/// The three folders Wharf writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Settings, sites, known hosts, pinned certificates.
    pub config: PathBuf,
    /// Long-lived data.
    pub data: PathBuf,
    /// The queue database and other state that may be rebuilt.
    pub state: PathBuf,
}

impl Paths {
    /// `WHARF_HOME` when set, else the platform's folders, else `./.wharf` as a last resort
    /// on systems with no home folder.
    pub fn discover() -> Paths {
        if let Some(home) = std::env::var_os("WHARF_HOME").filter(|value| !value.is_empty()) {
            return Paths::under(PathBuf::from(home));
        }
        match directories::ProjectDirs::from("", "", "wharf") {
            Some(dirs) => Paths {
                config: dirs.config_dir().to_path_buf(),
                data: dirs.data_dir().to_path_buf(),
                state: dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).to_path_buf(),
            },
            None => Paths::under(PathBuf::from(".wharf")),
        }
    }

    /// All three under one folder.
    pub fn under(root: PathBuf) -> Paths {
        Paths {
            config: root.join("config"),
            data: root.join("data"),
            state: root.join("state"),
        }
    }

    /// Wharf's own known_hosts file (OpenSSH format).
    pub fn known_hosts(&self) -> PathBuf {
        self.config.join("known_hosts")
    }

    /// Bookmarked servers (no secrets).
    pub fn sites(&self) -> PathBuf {
        self.config.join("sites.json")
    }

    /// The transfer queue (SQLite).
    pub fn queue_database(&self) -> PathBuf {
        self.state.join("queue.sqlite")
    }

    /// Pinned TLS certificate fingerprints.
    pub fn trusted_certificates(&self) -> PathBuf {
        self.config.join("trusted_certificates")
    }
}

/// Replaces `path` whole: the bytes go to a temporary file beside it (created readable by the
/// user only), are synced, and the file is renamed over the old one, so a crash never leaves
/// half a file. With `permissions`, the new file gets them instead (a file of another program
/// keeps its own).
pub fn replace_file(path: &Path, bytes: &[u8], permissions: Option<std::fs::Permissions>) -> std::io::Result<()> {
    use std::io::Write as _;
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
    temporary.write_all(bytes)?;
    if let Some(permissions) = permissions {
        temporary.as_file().set_permissions(permissions)?;
    }
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// The user's OpenSSH known_hosts, read but never written.
pub fn openssh_known_hosts() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|dirs| dirs.home_dir().join(".ssh").join("known_hosts"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_root_holds_everything() {
        let paths = Paths::under(PathBuf::from("/w"));
        assert_eq!(paths.known_hosts(), PathBuf::from("/w/config/known_hosts"));
        assert_eq!(paths.state, PathBuf::from("/w/state"));
    }
}
