//! The sites file: bookmarked servers and their folders in `sites.json` in Wharf's
//! configuration folder. It never holds a secret (those live in the OS keyring, see
//! [`crate::secrets`]). It is written whole to a temporary file that only the user can read
//! (0600) and renamed over the old one, so a crash never leaves half a file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::saved_site::SavedSite;

#[derive(Debug, Error)]
pub enum SitesError {
    #[error("the sites file {path} could not be read: {message}")]
    Read { path: PathBuf, message: String },
    #[error("the sites file {path} could not be written: {message}")]
    Write { path: PathBuf, message: String },
    #[error("there is no saved site named {0:?}")]
    NotFound(String),
    #[error("{0:?} names more than one saved site; write it with its folder, like Folder/{0}")]
    Ambiguous(String),
    #[error("a site named {0:?} exists already")]
    Exists(String),
    #[error("{0:?} is not a usable site name: use letters, digits, spaces and .-_ (no / or :)")]
    BadName(String),
    #[error("jump hosts: {0}")]
    BadJumpHosts(String),
}

/// What the file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sites {
    pub version: u32,
    /// Folders, including empty ones, `/`-separated.
    pub folders: Vec<String>,
    pub sites: Vec<SavedSite>,
}

const VERSION: u32 = 1;

impl Sites {
    /// Reads the file; a missing file is an empty list.
    pub fn load(path: &Path) -> Result<Sites, SitesError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Sites::default()),
            Err(error) => {
                return Err(SitesError::Read {
                    path: path.to_owned(),
                    message: error.to_string(),
                });
            }
        };
        serde_json::from_str(&text).map_err(|error| SitesError::Read {
            path: path.to_owned(),
            message: error.to_string(),
        })
    }

    /// Writes the file atomically, readable by the user only.
    pub fn save(&self, path: &Path) -> Result<(), SitesError> {
        let failed = |message: String| SitesError::Write {
            path: path.to_owned(),
            message,
        };
        let folder = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(|error| failed(error.to_string()))?;
        let mut document = self.clone();
        document.version = VERSION;
        let text = serde_json::to_string_pretty(&document).map_err(|error| failed(error.to_string()))?;
        crate::config::replace_file(path, text.as_bytes(), None).map_err(|error| failed(error.to_string()))
    }

    /// The site `name` names: its path (`Folder/Name`), or its bare name when only one site
    /// has it.
    pub fn find(&self, name: &str) -> Result<&SavedSite, SitesError> {
        let index = self.position(name)?;
        Ok(&self.sites[index])
    }

    /// `NAME/path`: the longest leading part that names a site is the site (names may carry
    /// folders, `Clients/Acme/www/var/log`); the rest is the path, as in a URL.
    pub fn resolve<'a>(&self, reference: &'a str) -> Result<(&SavedSite, &'a str), SitesError> {
        let mut cuts: Vec<usize> = reference.match_indices('/').map(|(index, _)| index).collect();
        cuts.push(reference.len());
        let mut first_error = None;
        for &cut in cuts.iter().rev() {
            match self.find(&reference[..cut]) {
                Ok(site) => return Ok((site, &reference[cut..])),
                Err(error @ SitesError::Ambiguous(_)) => {
                    first_error.get_or_insert(error);
                }
                Err(error) => {
                    if cut == cuts[0] {
                        first_error.get_or_insert(error);
                    }
                }
            }
        }
        Err(first_error.unwrap_or_else(|| SitesError::NotFound(reference.to_owned())))
    }

    pub fn position(&self, name: &str) -> Result<usize, SitesError> {
        if let Some(index) = self.sites.iter().position(|site| site.path() == name) {
            return Ok(index);
        }
        let mut named = self.sites.iter().enumerate().filter(|(_, site)| site.name == name);
        match (named.next(), named.next()) {
            (Some((index, _)), None) => Ok(index),
            (Some(_), Some(_)) => Err(SitesError::Ambiguous(name.to_owned())),
            (None, _) => Err(SitesError::NotFound(name.to_owned())),
        }
    }

    /// Adds a site (giving it an id when it has none). Names are unique within a folder.
    pub fn add(&mut self, mut site: SavedSite) -> Result<&SavedSite, SitesError> {
        check_site(&site)?;
        if self.sites.iter().any(|known| known.path() == site.path()) {
            return Err(SitesError::Exists(site.path()));
        }
        if site.id.is_empty() || self.sites.iter().any(|known| known.id == site.id) {
            site.id = self.fresh_id();
        }
        if !site.folder.is_empty() {
            self.add_folder(&site.folder)?;
        }
        self.sites.push(site);
        Ok(&self.sites[self.sites.len() - 1])
    }

    /// Replaces the site with the same id (a rename or move keeps its keyring entries).
    pub fn replace(&mut self, site: SavedSite) -> Result<(), SitesError> {
        check_site(&site)?;
        let Some(index) = self.sites.iter().position(|known| known.id == site.id) else {
            return Err(SitesError::NotFound(site.path()));
        };
        if self
            .sites
            .iter()
            .any(|known| known.id != site.id && known.path() == site.path())
        {
            return Err(SitesError::Exists(site.path()));
        }
        // A site saved in a folder from before the folder rules stays savable where it is.
        if !site.folder.is_empty() && self.sites[index].folder != site.folder {
            self.add_folder(&site.folder)?;
        }
        self.sites[index] = site;
        Ok(())
    }

    pub fn remove(&mut self, name: &str) -> Result<SavedSite, SitesError> {
        let index = self.position(name)?;
        Ok(self.sites.remove(index))
    }

    /// Adds an empty folder (and the folders above it).
    pub fn add_folder(&mut self, path: &str) -> Result<(), SitesError> {
        check_folder(path)?;
        let mut above = String::new();
        for part in path.split('/') {
            if !above.is_empty() {
                above.push('/');
            }
            above.push_str(part);
            if !self.folders.contains(&above) {
                self.folders.push(above.clone());
            }
        }
        self.folders.sort();
        Ok(())
    }

    /// Renames or moves a folder with everything in it: its sites and the folders below it.
    pub fn rename_folder(&mut self, from: &str, to: &str) -> Result<(), SitesError> {
        check_folder(to)?;
        if from == to {
            return Ok(());
        }
        if to.starts_with(&format!("{from}/")) {
            return Err(SitesError::BadName(to.to_owned()));
        }
        let moved = |folder: &str| -> Option<String> {
            if folder == from {
                Some(to.to_owned())
            } else {
                folder
                    .strip_prefix(from)?
                    .strip_prefix('/')
                    .map(|rest| format!("{to}/{rest}"))
            }
        };
        if !self.folders.iter().any(|folder| folder == from)
            && !self.sites.iter().any(|site| moved(&site.folder).is_some())
        {
            return Err(SitesError::NotFound(from.to_owned()));
        }
        if self.folders.iter().any(|folder| folder == to) || self.sites.iter().any(|site| site.folder == to) {
            return Err(SitesError::Exists(to.to_owned()));
        }
        // A site whose new path another site has would be unreachable by name.
        for site in &self.sites {
            if let Some(folder) = moved(&site.folder) {
                let path = format!("{folder}/{}", site.name);
                if self.sites.iter().any(|other| other.path() == path) {
                    return Err(SitesError::Exists(path));
                }
            }
        }
        for folder in &mut self.folders {
            if let Some(renamed) = moved(folder) {
                *folder = renamed;
            }
        }
        for site in &mut self.sites {
            if let Some(folder) = moved(&site.folder) {
                site.folder = folder;
            }
        }
        let (folders, to) = (std::mem::take(&mut self.folders), to.to_owned());
        self.add_folder(&to)?;
        for folder in folders {
            if !self.folders.contains(&folder) {
                self.folders.push(folder);
            }
        }
        self.folders.sort();
        Ok(())
    }

    /// Removes a folder, the folders below it and their sites; returns the sites removed (whose
    /// keyring entries the caller deletes).
    pub fn remove_folder(&mut self, path: &str) -> Result<Vec<SavedSite>, SitesError> {
        let inside = |folder: &str| folder == path || folder.starts_with(&format!("{path}/"));
        if path.is_empty()
            || (!self.folders.iter().any(|folder| folder == path)
                && !self.sites.iter().any(|site| inside(&site.folder)))
        {
            return Err(SitesError::NotFound(path.to_owned()));
        }
        self.folders.retain(|folder| !inside(folder));
        let (removed, kept) = std::mem::take(&mut self.sites)
            .into_iter()
            .partition(|site| inside(&site.folder));
        self.sites = kept;
        Ok(removed)
    }

    fn fresh_id(&self) -> String {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        loop {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|elapsed| elapsed.as_nanos() as u64)
                .unwrap_or(0);
            let mixed = nanos ^ (u64::from(std::process::id()) << 40) ^ COUNTER.fetch_add(1, Ordering::Relaxed);
            let id = format!("{mixed:016x}");
            if !self.sites.iter().any(|site| site.id == id) {
                return id;
            }
        }
    }
}

/// A site's name must survive being written in `site:NAME/path` and as a folder path.
pub fn check_name(name: &str) -> Result<(), SitesError> {
    if !crate::model::saved_site::valid_site_name(name) {
        return Err(SitesError::BadName(name.to_owned()));
    }
    Ok(())
}

/// What a saved site must be to be saved: a usable name, jump hosts that read.
fn check_site(site: &SavedSite) -> Result<(), SitesError> {
    check_name(&site.name)?;
    crate::model::jump::Hop::parse_list(&site.jump_hosts).map_err(SitesError::BadJumpHosts)?;
    Ok(())
}

/// A folder path: names that pass [`check_name`], joined by `/`.
pub fn check_folder(path: &str) -> Result<(), SitesError> {
    if !crate::model::saved_site::valid_folder_path(path) {
        return Err(SitesError::BadName(path.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(name: &str, folder: &str) -> SavedSite {
        SavedSite {
            name: name.into(),
            folder: folder.into(),
            host: "example.org".into(),
            user: "me".into(),
            ..SavedSite::default()
        }
    }

    #[test]
    fn sites_are_found_by_path_or_unique_name_and_saved_privately() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config/sites.json");
        let mut sites = Sites::default();
        sites.add(site("www", "Acme")).unwrap();
        sites.add(site("www", "Globex")).unwrap();
        sites.add(site("backup", "")).unwrap();
        assert!(matches!(sites.add(site("www", "Acme")), Err(SitesError::Exists(_))));
        assert!(matches!(sites.add(site("a/b", "")), Err(SitesError::BadName(_))));
        assert!(matches!(sites.find("www"), Err(SitesError::Ambiguous(_))));
        assert_eq!(sites.find("Globex/www").unwrap().folder, "Globex");
        assert_eq!(sites.find("backup").unwrap().name, "backup");
        assert!(matches!(sites.find("nope"), Err(SitesError::NotFound(_))));

        sites.save(&path).unwrap();
        let loaded = Sites::load(&path).unwrap();
        assert_eq!(loaded.sites, sites.sites);
        assert_eq!(loaded.folders, ["Acme", "Globex"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "only the user can read the sites file");
        }
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_rename_keeps_the_id_and_a_missing_file_is_empty() {
        let mut sites = Sites::default();
        let id = sites.add(site("old", "")).unwrap().id.clone();
        let mut renamed = sites.find("old").unwrap().clone();
        renamed.name = "new".into();
        sites.replace(renamed).unwrap();
        assert_eq!(sites.find("new").unwrap().id, id);
        assert_eq!(
            Sites::load(Path::new("/nonexistent/sites.json")).unwrap(),
            Sites::default()
        );
    }

    #[test]
    fn folders_are_made_renamed_with_their_contents_and_removed() {
        let mut sites = Sites::default();
        sites.add_folder("Clients/Acme/Old").unwrap();
        assert_eq!(sites.folders, ["Clients", "Clients/Acme", "Clients/Acme/Old"]);
        sites.add(site("www", "Clients/Acme")).unwrap();
        sites.add(site("db", "Clients/Acme/Old")).unwrap();
        sites.add(site("www", "Elsewhere")).unwrap();
        assert!(matches!(sites.add_folder("a//b"), Err(SitesError::BadName(_))));

        sites.rename_folder("Clients/Acme", "Acme").unwrap();
        assert_eq!(sites.folders, ["Acme", "Acme/Old", "Clients", "Elsewhere"]);
        assert_eq!(sites.find("Acme/www").unwrap().name, "www");
        assert_eq!(sites.find("Acme/Old/db").unwrap().name, "db");
        assert!(matches!(
            sites.rename_folder("Acme", "Acme/Old/x"),
            Err(SitesError::BadName(_))
        ));
        assert!(matches!(
            sites.rename_folder("Acme", "Elsewhere"),
            Err(SitesError::Exists(_))
        ));
        assert!(matches!(
            sites.rename_folder("Nope", "Other"),
            Err(SitesError::NotFound(_))
        ));

        let removed = sites.remove_folder("Acme").unwrap();
        let mut names: Vec<_> = removed.iter().map(SavedSite::path).collect();
        names.sort();
        assert_eq!(names, ["Acme/Old/db", "Acme/www"]);
        assert_eq!(sites.folders, ["Clients", "Elsewhere"]);
        assert_eq!(sites.sites.len(), 1);
    }

    #[test]
    fn jump_hosts_that_do_not_read_are_refused_on_save() {
        let mut sites = Sites::default();
        let mut bad = site("inner", "");
        bad.jump_hosts = "gate:port".into();
        assert!(matches!(sites.add(bad), Err(SitesError::BadJumpHosts(_))));
        let mut good = site("inner", "");
        good.jump_hosts = "ops@gate:2222".into();
        assert!(sites.add(good).is_ok());
    }
}
