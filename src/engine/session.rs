//! One browsing connection to one server, run on its own worker thread: it executes the
//! session's requests (list, stat, mkdir, delete, rename, chmod) in order. Recursive deletes
//! walk folders without following links; a visited set and a depth limit stop loops.
//! Transfers do not run here but in the queue, on connections of their own.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use super::api::{
    ChecksumAlgorithm, Event, OpSummary, RequestId, SessionId, SessionRequest, TimeSource, Tree, TreeEntry,
};
use crate::model::EntryKind;
use crate::model::location::RemotePath;
use crate::protocol::{ErrorKind, FsError, RemoteFs};

/// Deepest folder nesting a recursive operation follows (OpenSSH uses 64 too).
const MAX_DEPTH: usize = 64;
/// The most files and folders one tree listing holds (a few hundred MB at most).
const MAX_TREE_ENTRIES: usize = crate::protocol::MAX_LISTING_ENTRIES;

/// Cancel flags of running requests, set by the engine's dispatcher.
pub type CancelFlags = Arc<Mutex<HashMap<RequestId, Arc<AtomicBool>>>>;

pub struct Session {
    pub id: SessionId,
    pub fs: Box<dyn RemoteFs>,
    pub events: Arc<dyn Fn(Event) + Send + Sync>,
    pub cancels: CancelFlags,
}

impl Session {
    pub fn handle(&mut self, request: SessionRequest) {
        let emit = self.events.clone();
        match request {
            SessionRequest::List { id, path } => match self.fs.list(&path) {
                Ok(listing) => emit(Event::Listing {
                    id,
                    path,
                    entries: listing.entries,
                    refused: listing.refused.iter().map(ToString::to_string).collect(),
                }),
                Err(error) => emit(Event::OpFinished { id, result: Err(error) }),
            },
            SessionRequest::Stat { id, path } => match self.fs.stat(&path) {
                Ok(entry) => emit(Event::Stat { id, entry }),
                Err(error) => emit(Event::OpFinished { id, result: Err(error) }),
            },
            SessionRequest::Mkdir { id, path } => {
                let result = self.fs.mkdir(&path).map(|()| OpSummary {
                    folders: 1,
                    ..OpSummary::default()
                });
                emit(Event::OpFinished { id, result });
            }
            SessionRequest::Delete { id, path, recursive } => {
                let cancel = self.cancel_flag(id);
                let result = self.delete(&path, recursive, &cancel);
                self.forget(id);
                emit(Event::OpFinished { id, result });
            }
            SessionRequest::Rename { id, from, to } => {
                let result = self.fs.rename(&from, &to).map(|()| OpSummary::default());
                emit(Event::OpFinished { id, result });
            }
            SessionRequest::Chmod { id, path, mode } => {
                let result = self.fs.chmod(&path, mode).map(|()| OpSummary::default());
                emit(Event::OpFinished { id, result });
            }
            SessionRequest::Checksums {
                id,
                root,
                paths,
                algorithm,
            } => {
                let cancel = self.cancel_flag(id);
                let sums = self.checksums(&root, &paths, algorithm, &cancel);
                self.forget(id);
                match sums {
                    Ok(sums) => emit(Event::Checksums { id, sums }),
                    Err(error) => emit(Event::OpFinished { id, result: Err(error) }),
                }
            }
            SessionRequest::ListTree { id, path } => {
                let cancel = self.cancel_flag(id);
                let result = self.list_tree(&path, &cancel);
                self.forget(id);
                match result {
                    Ok(tree) => emit(Event::Tree {
                        id,
                        path,
                        tree: Box::new(tree),
                    }),
                    Err(error) => emit(Event::OpFinished { id, result: Err(error) }),
                }
            }
        }
    }

    fn cancel_flag(&self, id: RequestId) -> Arc<AtomicBool> {
        let mut flags = self.cancels.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        flags.entry(id).or_default().clone()
    }

    fn forget(&self, id: RequestId) {
        self.cancels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&id);
    }

    /// The digest of each of `paths` below `root` (see `SessionRequest::Checksums`).
    fn checksums(
        &mut self,
        root: &RemotePath,
        paths: &[String],
        algorithm: Option<ChecksumAlgorithm>,
        cancel: &AtomicBool,
    ) -> Result<Vec<Option<String>>, FsError> {
        let mut sums = Vec::with_capacity(paths.len());
        for relative in paths {
            if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(FsError::cancelled());
            }
            let path = root.join_relative(relative);
            sums.push(self.checksum_of(&path, algorithm));
        }
        Ok(sums)
    }

    /// The server's digest of a file when it offers one of `algorithm`, else the file read
    /// through and hashed; `None` when it cannot be read (it is then compared by size and
    /// time).
    fn checksum_of(&mut self, path: &RemotePath, algorithm: Option<ChecksumAlgorithm>) -> Option<String> {
        if let Ok(Some(sum)) = self.fs.checksum(path)
            && algorithm.is_none_or(|wanted| wanted == sum.algorithm)
        {
            return Some(format!("{}:{}", sum.algorithm.name(), sum.hex));
        }
        let algorithm = algorithm.unwrap_or(ChecksumAlgorithm::Sha256);
        let mut reader = self.fs.open_read(path, 0).ok()?;
        let hex = algorithm.hex_of_reader(&mut reader).ok();
        reader.finish().ok()?;
        Some(format!("{}:{}", algorithm.name(), hex?))
    }

    /// `path` and everything below it, parents first. A folder that is not there is an
    /// empty tree that says so.
    fn list_tree(&mut self, path: &RemotePath, cancel: &AtomicBool) -> Result<Tree, FsError> {
        let capabilities = self.fs.capabilities();
        let mut tree = Tree {
            exists: true,
            times: Some(match capabilities.exact_times {
                true => TimeSource::Exact,
                false => TimeSource::Listing,
            }),
            keeps_times: capabilities.set_mtime,
            ..Tree::default()
        };
        match self.fs.list(path) {
            Ok(listing) => {
                let mut visited = HashSet::from([path.to_string()]);
                self.add_to_tree(&mut tree, path, "", listing, &mut visited, cancel)?;
            }
            Err(error) if error.kind == ErrorKind::NotFound => tree.exists = false,
            Err(error) => return Err(error),
        }
        Ok(tree)
    }

    /// Adds a listed folder's entries to `tree` under `prefix`, and walks its folders.
    fn add_to_tree(
        &mut self,
        tree: &mut Tree,
        folder: &RemotePath,
        prefix: &str,
        listing: crate::protocol::Listing,
        visited: &mut HashSet<String>,
        cancel: &AtomicBool,
    ) -> Result<(), FsError> {
        tree.refused.extend(listing.refused.iter().map(ToString::to_string));
        for entry in listing.entries {
            if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(FsError::cancelled());
            }
            // Refused names count too: a server cannot grow the tree without end with them.
            if tree.entries.len() + tree.refused.len() >= MAX_TREE_ENTRIES {
                return Err(FsError::new(
                    ErrorKind::Other,
                    format!("{folder} holds more than {MAX_TREE_ENTRIES} files and folders; list a part of it"),
                ));
            }
            let relative = format!("{prefix}{}", entry.name);
            let is_dir = entry.kind == EntryKind::Dir;
            tree.entries.push(TreeEntry {
                path: relative.clone(),
                kind: entry.kind,
                size: entry.size,
                modified: entry.modified,
                checksum: None,
            });
            if !is_dir {
                continue;
            }
            let child = folder.join(&entry.name);
            if relative.matches('/').count() >= MAX_DEPTH || !visited.insert(child.to_string()) {
                return Err(FsError::new(
                    ErrorKind::Other,
                    format!("{child} is nested too deep or loops"),
                ));
            }
            let listing = self.fs.list(&child)?;
            self.add_to_tree(tree, &child, &format!("{relative}/"), listing, visited, cancel)?;
        }
        Ok(())
    }

    fn delete(&mut self, path: &RemotePath, recursive: bool, cancel: &AtomicBool) -> Result<OpSummary, FsError> {
        let entry = self.fs.stat(path)?;
        let mut summary = OpSummary::default();
        if entry.kind == EntryKind::Dir {
            if !recursive {
                return Err(FsError::new(
                    ErrorKind::Other,
                    format!("{path} is a folder; use recursive mode to delete it"),
                ));
            }
            let mut visited = HashSet::new();
            self.delete_tree(path, 0, &mut visited, cancel, &mut summary)?;
        } else {
            self.fs.remove(path)?;
            summary.files += 1;
        }
        Ok(summary)
    }

    fn delete_tree(
        &mut self,
        path: &RemotePath,
        depth: usize,
        visited: &mut HashSet<String>,
        cancel: &AtomicBool,
        summary: &mut OpSummary,
    ) -> Result<(), FsError> {
        if depth > MAX_DEPTH || !visited.insert(path.to_string()) {
            return Err(FsError::new(
                ErrorKind::Other,
                format!("{path} is nested too deep or loops; nothing more was deleted"),
            ));
        }
        let listing = self.fs.list(path)?;
        if !listing.refused.is_empty() {
            // A name Wharf cannot address safely would make the folder impossible to empty.
            return Err(FsError::new(
                ErrorKind::InvalidName,
                format!("{path} was not deleted: {}", listing.refused[0]),
            ));
        }
        for entry in listing.entries {
            if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(FsError::cancelled());
            }
            let child = path.join(&entry.name);
            if entry.kind == EntryKind::Dir {
                self.delete_tree(&child, depth + 1, visited, cancel, summary)?;
            } else {
                // Links are removed themselves, never what they point to.
                self.fs.remove(&child)?;
                summary.files += 1;
            }
        }
        self.fs.rmdir(path)?;
        summary.folders += 1;
        Ok(())
    }
}
