//! The one table of what the window waits for: each request sent to the engine, by its id,
//! with what its answer is for, and each transfer job with what happens when it ends. An
//! answer whose request is not here any more (superseded, or given up on) is dropped.

use std::collections::HashMap;
use std::path::PathBuf;

use super::edits::{EditId, Stamp};
use super::pane::Side;
use crate::engine::api::{JobId, RemotePath, RequestId};

/// What an answer is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiting {
    /// The session on this computer's disk, for the local pane.
    LocalSession,
    /// The connection to the server (at most one at a time).
    Connect,
    /// A folder a pane moves to when it is listed; when listing it fails and `fallback` is
    /// given, the pane lists that instead.
    Listing {
        side: Side,
        path: RemotePath,
        fallback: Option<RemotePath>,
    },
    /// A listing for the folder tree only.
    TreeListing { side: Side },
    /// A change to a pane's folder (mkdir, rename, delete, chmod): refresh it when done;
    /// `what` completes "Could not ..." when it fails.
    Change { side: Side, what: String },
    /// A site manager request.
    Sites(SitesRequest),
    /// A trust page request (the lists, or forgetting one).
    Trust,
    /// A look at the server's copy of an edited file.
    EditLook { edit: EditId, why: EditLook },
    /// Compare's plan of the two folders shown.
    CompareMarks { local: RemotePath, remote: RemotePath },
    /// Synchronised browsing's listing of the other side: it moves that pane, and does not
    /// make the first pane move in turn.
    MirrorListing { side: Side, path: RemotePath },
    /// One side's whole tree, for the Synchronize window's preview.
    SyncTree { side: Side },
    /// One side's checksums of the files both sides have with the same size (the server's
    /// first, then this computer's), for a preview that compares checksums.
    SyncSums { side: Side, paths: Vec<String> },
    /// The Synchronize window's plan.
    SyncPlan,
    /// A step of a sync run (a folder made, a file moved to the trash): a failure is said.
    SyncStep { what: String },
    /// A step that may fail without anything being wrong (a trash folder that is there
    /// already, a file that is not there to be moved aside).
    SyncQuiet,
    /// The last of a sync run's steps: the transfers go to the queue when it is answered.
    SyncReady { trash: Option<String> },
    /// The tree of the last run's trash, to put back.
    UndoTree,
    /// The last step of an undo: the panes are listed again when it is answered.
    UndoDone { files: usize, aside: String },
}

/// Why the server's copy of an edited file is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditLook {
    /// Before fetching it: what it looked like when the edit began.
    BeforeFetch,
    /// Before uploading a save: did someone else change it meanwhile?
    BeforeUpload,
    /// After uploading: what it looks like now, for the next check.
    AfterUpload,
}

/// What a site manager request was, so its answer lands in the right place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SitesRequest {
    /// The list of sites and folders, or a change answered with it.
    List,
    /// Saving the form's site.
    Save,
    /// Saving the form's site, then connecting to it.
    SaveThenConnect,
    /// Saving the connected site's bookmarks (from the server pane).
    Bookmark,
    /// Looking up a saved site to connect to.
    Resolve,
    Delete,
    /// The copy becomes the site in the form.
    Duplicate,
    /// An import; a FileZilla file is remembered to offer removing its passwords.
    Import {
        file: Option<PathBuf>,
    },
    RemovePasswords,
}

/// A transfer job the window started, and what to do when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Nothing beyond refreshing the panes.
    Plain,
    /// A downloaded file to open with the system's program ("open" on a remote file).
    Open(PathBuf),
    /// An edited file's copy is here: open it in the editor.
    EditFetched(EditId),
    /// An edited file's save, as it was when `Stamp`, is on the server.
    EditUploaded(EditId, Stamp),
    /// A sync run's transfers; `trash` holds what it replaced or deleted, if anything.
    Sync { trash: Option<String> },
}

#[derive(Debug, Default)]
pub struct Requests {
    waiting: HashMap<RequestId, Waiting>,
    /// Each job with when it started (the window's clock, in seconds).
    jobs: HashMap<JobId, (Job, f64)>,
}

impl Requests {
    pub fn insert(&mut self, id: RequestId, waiting: Waiting) {
        self.waiting.insert(id, waiting);
    }

    /// Takes what `id` was for, if anything still waits for it.
    pub fn take(&mut self, id: RequestId) -> Option<Waiting> {
        self.waiting.remove(&id)
    }

    /// Takes what `id` was for when `pick` accepts it; an answer of another shape leaves the
    /// request waiting.
    pub fn take_if(&mut self, id: RequestId, pick: impl Fn(&Waiting) -> bool) -> Option<Waiting> {
        if self.waiting.get(&id).is_some_and(pick) {
            self.waiting.remove(&id)
        } else {
            None
        }
    }

    /// Forgets the requests `drop` picks (the answers are dropped when they come); returns
    /// their ids.
    pub fn forget(&mut self, drop: impl Fn(&Waiting) -> bool) -> Vec<RequestId> {
        let ids: Vec<RequestId> = self
            .waiting
            .iter()
            .filter(|(_, waiting)| drop(waiting))
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            self.waiting.remove(id);
        }
        ids
    }

    /// Whether anything `pick` accepts is waited for.
    pub fn any(&self, pick: impl Fn(&Waiting) -> bool) -> bool {
        self.waiting.values().any(pick)
    }

    pub fn start_job(&mut self, job: JobId, then: Job, now: f64) {
        self.jobs.insert(job, (then, now));
    }

    /// Takes a finished job, if this window started it, with when it started.
    pub fn finish_job(&mut self, job: JobId) -> Option<(Job, f64)> {
        self.jobs.remove(&job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_taken_once_and_forgotten_requests_are_dropped() {
        let mut requests = Requests::default();
        requests.insert(RequestId::new(1), Waiting::Connect);
        requests.insert(
            RequestId::new(2),
            Waiting::Listing {
                side: Side::Remote,
                path: RemotePath::new("/srv"),
                fallback: None,
            },
        );
        assert!(requests.any(|waiting| matches!(waiting, Waiting::Listing { side: Side::Remote, .. })));
        assert_eq!(
            requests.forget(|waiting| matches!(waiting, Waiting::Listing { .. })),
            vec![RequestId::new(2)]
        );
        assert_eq!(requests.take(RequestId::new(2)), None);
        assert_eq!(
            requests.take_if(RequestId::new(1), |waiting| matches!(waiting, Waiting::Trust)),
            None,
            "an answer of another shape leaves the request waiting"
        );
        assert_eq!(requests.take(RequestId::new(1)), Some(Waiting::Connect));
        assert_eq!(requests.take(RequestId::new(1)), None);
    }
}
