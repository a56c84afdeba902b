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

    /// The window's remembered settings and sizes (eframe writes it).
    pub fn window_settings(&self) -> PathBuf {
        self.config.join("window.ron")
    }

    /// Makes the three folders, readable by the user only (0700 on Unix), and takes the
    /// others' access away from folders an older Wharf made: whatever is written inside (the
    /// queue, the sites, the window's settings, the known hosts) is then the user's alone,
    /// whatever mode the library that writes it picks. Also makes `window.ron` 0600, which
    /// eframe keeps when it rewrites the file.
    pub fn make_private(&self) -> std::io::Result<()> {
        for folder in [&self.config, &self.data, &self.state] {
            private_folder(folder)?;
        }
        private_file(&self.window_settings())
    }
}

#[cfg(unix)]
fn private_folder(folder: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(folder)?;
    let mode = std::fs::metadata(folder)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(mode & 0o700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn private_folder(folder: &Path) -> std::io::Result<()> {
    // The user's profile folders are the user's already.
    std::fs::create_dir_all(folder)
}

/// Makes an existing file readable and writable by the user only.
fn private_file(file: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(file) {
            Ok(metadata) if metadata.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            }
            Ok(_) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(error),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        Ok(())
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

    /// Issue 14: what Wharf writes is readable by the user only, also in folders an older
    /// Wharf made, and `window.ron`, which eframe writes 0644.
    #[cfg(unix)]
    #[test]
    fn wharfs_folders_and_window_settings_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let paths = Paths::under(root.path().to_path_buf());
        std::fs::create_dir_all(&paths.config).unwrap();
        std::fs::set_permissions(&paths.config, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(paths.window_settings(), "{}").unwrap();
        std::fs::set_permissions(paths.window_settings(), std::fs::Permissions::from_mode(0o644)).unwrap();

        paths.make_private().unwrap();

        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        for folder in [&paths.config, &paths.data, &paths.state] {
            assert_eq!(mode(folder), 0o700, "{}", folder.display());
        }
        assert_eq!(mode(&paths.window_settings()), 0o600);
    }

    #[test]
    fn one_root_holds_everything() {
        let paths = Paths::under(PathBuf::from("/w"));
        assert_eq!(paths.known_hosts(), PathBuf::from("/w/config/known_hosts"));
        assert_eq!(paths.state, PathBuf::from("/w/state"));
    }
}
