//! Server files being edited on this computer (the edit loop FileZilla and WinSCP have): each
//! one's server, its copy here, what the server's copy looked like when it was fetched or
//! last uploaded, and where it is in the loop. Plain data; the app moves it along
//! (`ui::app`'s `editing`), `edit_watch` watches the copies, `edits_view` draws the list.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Utc};

use crate::engine::api::{Entry, RemotePath, Site};

/// One edited file, for as long as the window runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EditId(u64);

#[cfg(test)]
impl EditId {
    pub fn first() -> EditId {
        EditId(1)
    }

    pub fn next(self) -> EditId {
        EditId(self.0 + 1)
    }
}

impl std::fmt::Display for EditId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a file looked like: enough to notice that it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub size: Option<u64>,
    pub modified: Option<DateTime<Utc>>,
}

impl Stamp {
    pub fn of(entry: &Entry) -> Stamp {
        Stamp {
            size: entry.size,
            modified: entry.modified,
        }
    }

    /// A copy on this computer, as the watcher saw it.
    pub fn local(size: u64, modified: SystemTime) -> Stamp {
        Stamp {
            size: Some(size),
            modified: Some(DateTime::<Utc>::from(modified)),
        }
    }

    /// Whether `now` differs from this in anything both of them know. A server that gives
    /// no size or time for its files cannot show a change; that is the most it can say.
    pub fn changed_to(&self, now: &Stamp) -> bool {
        differs(self.size, now.size) || differs(self.modified, now.modified)
    }
}

/// Whether two values that are both known differ.
fn differs<T: PartialEq>(a: Option<T>, b: Option<T>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a != b)
}

/// Where one file is in the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Looking at the server's copy before fetching it.
    Looking,
    /// Its private folder is being made.
    Preparing,
    /// Being downloaded.
    Fetching,
    /// Open in the editor; a save here is noticed.
    Open,
    /// Saved here, and not uploaded (the user said "not now", or the upload failed).
    Changed,
    /// Looking at the server's copy again before uploading, to catch someone else's change.
    Checking,
    /// The server's copy changed since it was fetched; the user is asked.
    Conflict,
    /// The save is on its way to the server.
    Uploading,
    /// Could not be fetched or opened: `reason` says why.
    Failed(String),
}

impl Step {
    pub fn label(&self) -> String {
        match self {
            Step::Looking | Step::Preparing | Step::Fetching => "downloading".to_owned(),
            Step::Open => "open in the editor".to_owned(),
            Step::Changed => "changed, not uploaded".to_owned(),
            Step::Checking => "checking the server's copy".to_owned(),
            Step::Conflict => "changed on the server too: asked".to_owned(),
            Step::Uploading => "uploading".to_owned(),
            Step::Failed(reason) => format!("failed: {reason}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Edit {
    pub id: EditId,
    /// The server, with its password in memory, for the uploads.
    pub site: Site,
    pub remote: RemotePath,
    /// The copy here, once its folder is made.
    pub local: Option<PathBuf>,
    /// The server's copy as fetched or last uploaded: a different one at upload time means
    /// someone else changed it.
    pub server: Option<Stamp>,
    /// The copy here as last seen saved.
    pub saved: Option<Stamp>,
    pub step: Step,
    /// Uploads each save without asking (still checking the server's copy first).
    pub always_upload: bool,
    /// Saved again while an upload ran: upload once more when it ends.
    pub saved_again: bool,
    /// Uploads go to a temporary name and are renamed, as the saved site says.
    pub upload_via_temp: bool,
}

impl Edit {
    pub fn name(&self) -> &str {
        self.remote.file_name().unwrap_or("")
    }

    /// Whether the copy here holds changes the server does not have.
    pub fn has_unsent_changes(&self) -> bool {
        matches!(
            self.step,
            Step::Changed | Step::Checking | Step::Conflict | Step::Uploading
        ) || self.saved_again
    }
}

/// The files being edited, in the order they were opened.
#[derive(Debug, Default)]
pub struct Edits {
    list: Vec<Edit>,
    next: u64,
}

impl Edits {
    /// Starts editing `remote` on `site`; when it is edited already, that edit's id is the
    /// error (the caller opens it again instead).
    /// `upload_via_temp` says whether its uploads go through a temporary name.
    pub fn start(&mut self, site: Site, remote: RemotePath, upload_via_temp: bool) -> Result<EditId, EditId> {
        if let Some(edit) = self.find(&site, &remote) {
            return Err(edit.id);
        }
        self.next += 1;
        let id = EditId(self.next);
        self.list.push(Edit {
            id,
            site,
            remote,
            local: None,
            server: None,
            saved: None,
            step: Step::Looking,
            always_upload: false,
            saved_again: false,
            upload_via_temp,
        });
        Ok(id)
    }

    fn find(&self, site: &Site, remote: &RemotePath) -> Option<&Edit> {
        self.list
            .iter()
            .find(|edit| edit.site.key() == site.key() && edit.remote == *remote)
    }

    pub fn get(&self, id: EditId) -> Option<&Edit> {
        self.list.iter().find(|edit| edit.id == id)
    }

    pub fn get_mut(&mut self, id: EditId) -> Option<&mut Edit> {
        self.list.iter_mut().find(|edit| edit.id == id)
    }

    /// The edit whose copy here is `path`.
    pub fn by_local(&self, path: &Path) -> Option<EditId> {
        self.list
            .iter()
            .find(|edit| edit.local.as_deref() == Some(path))
            .map(|edit| edit.id)
    }

    pub fn remove(&mut self, id: EditId) -> Option<Edit> {
        let index = self.list.iter().position(|edit| edit.id == id)?;
        Some(self.list.remove(index))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Edit> {
        self.list.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::location::Location;

    fn stamp(size: u64, second: i64) -> Stamp {
        Stamp {
            size: Some(size),
            modified: DateTime::from_timestamp(second, 0),
        }
    }

    #[test]
    fn a_change_is_a_different_size_or_time_that_both_sides_know() {
        let fetched = stamp(10, 1_000);
        assert!(!fetched.changed_to(&stamp(10, 1_000)));
        assert!(fetched.changed_to(&stamp(11, 1_000)));
        assert!(fetched.changed_to(&stamp(10, 1_060)));
        let no_time = Stamp {
            size: Some(10),
            modified: None,
        };
        assert!(
            !fetched.changed_to(&no_time),
            "a server without times shows only size changes"
        );
        assert!(fetched.changed_to(&Stamp {
            size: Some(9),
            ..no_time
        }));
    }

    #[test]
    fn one_file_is_edited_once_per_server() {
        let site = Location::parse("sftp://me@example.test/").unwrap().site;
        let other = Location::parse("sftp://me@other.test/").unwrap().site;
        let mut edits = Edits::default();
        let first = edits.start(site.clone(), RemotePath::new("/a.txt"), true).unwrap();
        assert_eq!(edits.start(site.clone(), RemotePath::new("/a.txt"), true), Err(first));
        let elsewhere = edits.start(other, RemotePath::new("/a.txt"), true).unwrap();
        assert_ne!(first, elsewhere);
        if let Some(edit) = edits.get_mut(first) {
            edit.local = Some(PathBuf::from("/tmp/x/1/a.txt"));
        }
        assert_eq!(edits.by_local(Path::new("/tmp/x/1/a.txt")), Some(first));
        assert_eq!(edits.remove(first).map(|edit| edit.id), Some(first));
        assert_eq!(edits.get(first).map(|edit| edit.id), None);
    }
}
