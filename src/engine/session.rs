//! One connection to one server, run on its own worker thread: it executes the session's
//! requests in order, reconnects and resumes when a transfer fails with a retryable error,
//! and walks folders for recursive transfers and deletes (links are never followed; a
//! visited set and a depth limit stop loops).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::api::{Direction, Event, OpSummary, Progress, RequestId, SessionId, TransferSpec};
use super::copy::{self, CopyControl};
use crate::model::location::RemotePath;
use crate::model::names::check_remote_name;
use crate::model::{Entry, EntryKind, Site};
use crate::protocol::{self, ConnectContext, ErrorKind, FsError, RemoteFs};

/// Deepest folder nesting a recursive operation follows (OpenSSH uses 64 too).
const MAX_DEPTH: usize = 64;
/// Attempts per file before a retryable error counts as a failure.
const MAX_ATTEMPTS: u32 = 4;

/// A request routed to a session.
pub enum SessionRequest {
    List {
        id: RequestId,
        path: RemotePath,
    },
    Stat {
        id: RequestId,
        path: RemotePath,
    },
    Mkdir {
        id: RequestId,
        path: RemotePath,
    },
    Delete {
        id: RequestId,
        path: RemotePath,
        recursive: bool,
    },
    Rename {
        id: RequestId,
        from: RemotePath,
        to: RemotePath,
    },
    Chmod {
        id: RequestId,
        path: RemotePath,
        mode: u32,
    },
    Transfer {
        id: RequestId,
        spec: TransferSpec,
    },
}

/// Cancel flags of running requests, set by the engine's dispatcher.
pub type CancelFlags = Arc<Mutex<HashMap<RequestId, Arc<AtomicBool>>>>;

pub struct Session {
    pub id: SessionId,
    pub site: Site,
    pub context: ConnectContext,
    pub fs: Box<dyn RemoteFs>,
    pub events: Arc<dyn Fn(Event) + Send + Sync>,
    pub cancels: CancelFlags,
    pub next_transfer: Arc<std::sync::atomic::AtomicU64>,
    /// Delay before retry number n is `backoff * 2^(n-1)`; tests shorten it.
    pub backoff: Duration,
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
            SessionRequest::Transfer { id, spec } => {
                let cancel = self.cancel_flag(id);
                let result = match spec.direction {
                    Direction::Download => self.download(id, &spec, &cancel),
                    Direction::Upload => self.upload(id, &spec, &cancel),
                };
                self.forget(id);
                emit(Event::OpFinished { id, result });
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

    /// Replaces a broken connection.
    fn reconnect(&mut self) -> Result<(), FsError> {
        self.context.log.status("Reconnecting");
        self.fs = protocol::connect(&self.site, &self.context)?;
        Ok(())
    }

    /// Runs one file copy, retrying retryable failures with exponential backoff after a
    /// reconnect; each retry resumes from the partial file.
    fn with_retries(
        &mut self,
        id: RequestId,
        name: &str,
        size: Option<u64>,
        cancel: &AtomicBool,
        mut attempt_copy: impl FnMut(&mut dyn RemoteFs, &CopyControl<'_>) -> Result<u64, FsError>,
    ) -> Result<u64, FsError> {
        let transfer = self.next_transfer.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let progress = Progress::new(size);
        (self.events)(Event::TransferStarted {
            id,
            transfer,
            name: name.to_owned(),
            progress: progress.clone(),
        });
        let control = CopyControl {
            cancel,
            progress: &progress,
        };
        let mut attempt = 1;
        let result = loop {
            match attempt_copy(self.fs.as_mut(), &control) {
                Err(error) if error.retryable && attempt < MAX_ATTEMPTS => {
                    let delay = self.backoff * 2u32.saturating_pow(attempt - 1);
                    self.context.log.warning(&format!(
                        "{error}; retrying in {} s (attempt {} of {MAX_ATTEMPTS})",
                        delay.as_secs_f32(),
                        attempt + 1
                    ));
                    std::thread::sleep(delay.min(Duration::from_secs(32)));
                    attempt += 1;
                    if let Err(reconnect_error) = self.reconnect()
                        && !reconnect_error.retryable
                    {
                        break Err(reconnect_error);
                    }
                }
                other => break other,
            }
        };
        (self.events)(Event::TransferFinished {
            id,
            transfer,
            result: result.as_ref().map(drop).map_err(Clone::clone),
        });
        result
    }

    fn download(&mut self, id: RequestId, spec: &TransferSpec, cancel: &AtomicBool) -> Result<OpSummary, FsError> {
        let source = self.fs.stat(&spec.remote)?;
        let name = spec.remote.file_name().unwrap_or("download").to_owned();
        check_remote_name(&name).map_err(|refused| FsError::new(ErrorKind::InvalidName, refused.to_string()))?;
        // Like cp: into an existing folder under the source's name, otherwise to the path.
        let target = if spec.local.is_dir() {
            spec.local.join(&name)
        } else {
            spec.local.clone()
        };
        let mut summary = OpSummary::default();
        match source.kind {
            EntryKind::Dir if !spec.recursive => {
                return Err(FsError::new(
                    ErrorKind::Other,
                    format!("{} is a folder; use recursive mode to download it", spec.remote),
                ));
            }
            EntryKind::Dir => {
                let mut visited = HashSet::new();
                self.download_tree(id, &spec.remote, &target, 0, &mut visited, cancel, &mut summary)?;
            }
            EntryKind::File => {
                summary.bytes += self.download_one(id, &spec.remote, &source, &target, cancel)?;
                summary.files += 1;
            }
            EntryKind::Link | EntryKind::Other => {
                return Err(FsError::new(
                    ErrorKind::Unsupported,
                    format!("{} is a link or special file; Wharf does not follow links", spec.remote),
                ));
            }
        }
        Ok(summary)
    }

    fn download_one(
        &mut self,
        id: RequestId,
        remote: &RemotePath,
        source: &Entry,
        target: &Path,
        cancel: &AtomicBool,
    ) -> Result<u64, FsError> {
        let name = remote.to_string();
        self.with_retries(id, &name, source.size, cancel, |fs, control| {
            copy::download_file(fs, remote, source, target, control)
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn download_tree(
        &mut self,
        id: RequestId,
        remote: &RemotePath,
        local: &Path,
        depth: usize,
        visited: &mut HashSet<String>,
        cancel: &AtomicBool,
        summary: &mut OpSummary,
    ) -> Result<(), FsError> {
        if depth > MAX_DEPTH {
            summary.failed.push(format!(
                "{remote} is nested more than {MAX_DEPTH} folders deep; skipped"
            ));
            return Ok(());
        }
        if !visited.insert(remote.to_string()) {
            return Ok(());
        }
        match fs::create_dir(local) {
            Ok(()) => summary.folders += 1,
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && local.is_dir() => {}
            Err(error) => return Err(FsError::from_local(&error, local)),
        }
        let listing = self.list_with_retries(remote)?;
        summary.refused.extend(listing.refused.iter().map(ToString::to_string));
        for entry in listing.entries {
            if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(FsError::cancelled());
            }
            let child_remote = remote.join(&entry.name);
            let child_local = local.join(&entry.name);
            match entry.kind {
                EntryKind::Dir => {
                    self.download_tree(id, &child_remote, &child_local, depth + 1, visited, cancel, summary)?
                }
                EntryKind::File => match self.download_one(id, &child_remote, &entry, &child_local, cancel) {
                    Ok(bytes) => {
                        summary.files += 1;
                        summary.bytes += bytes;
                    }
                    Err(error) if error.kind == ErrorKind::Cancelled => return Err(error),
                    Err(error) => summary.failed.push(error.message),
                },
                EntryKind::Link | EntryKind::Other => {
                    self.context
                        .log
                        .warning(&format!("skipped {child_remote}: links are not followed"));
                }
            }
        }
        Ok(())
    }

    fn list_with_retries(&mut self, path: &RemotePath) -> Result<protocol::Listing, FsError> {
        match self.fs.list(path) {
            Err(error) if error.retryable => {
                self.reconnect()?;
                self.fs.list(path)
            }
            other => other,
        }
    }

    fn upload(&mut self, id: RequestId, spec: &TransferSpec, cancel: &AtomicBool) -> Result<OpSummary, FsError> {
        let meta = fs::symlink_metadata(&spec.local).map_err(|error| FsError::from_local(&error, &spec.local))?;
        let name = spec
            .local
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .ok_or_else(|| {
                FsError::new(
                    ErrorKind::InvalidName,
                    format!("{} names no file", spec.local.display()),
                )
            })?;
        let target = match self.fs.stat(&spec.remote) {
            Ok(existing) if existing.kind == EntryKind::Dir => spec.remote.join(&name),
            _ => spec.remote.clone(),
        };
        let mut summary = OpSummary::default();
        if meta.is_dir() {
            if !spec.recursive {
                return Err(FsError::new(
                    ErrorKind::Other,
                    format!("{} is a folder; use recursive mode to upload it", spec.local.display()),
                ));
            }
            self.upload_tree(id, &spec.local, &target, 0, cancel, &mut summary)?;
        } else if meta.is_file() {
            summary.bytes += self.upload_one(id, &spec.local, &target, meta.len(), cancel)?;
            summary.files += 1;
        } else {
            return Err(FsError::new(
                ErrorKind::Unsupported,
                format!(
                    "{} is a link or special file; Wharf does not follow links",
                    spec.local.display()
                ),
            ));
        }
        Ok(summary)
    }

    fn upload_one(
        &mut self,
        id: RequestId,
        local: &Path,
        target: &RemotePath,
        size: u64,
        cancel: &AtomicBool,
    ) -> Result<u64, FsError> {
        let name = target.to_string();
        self.with_retries(id, &name, Some(size), cancel, |fs, control| {
            copy::upload_file(fs, local, target, control)
        })
    }

    fn upload_tree(
        &mut self,
        id: RequestId,
        local: &Path,
        remote: &RemotePath,
        depth: usize,
        cancel: &AtomicBool,
        summary: &mut OpSummary,
    ) -> Result<(), FsError> {
        if depth > MAX_DEPTH {
            summary.failed.push(format!(
                "{} is nested more than {MAX_DEPTH} folders deep; skipped",
                local.display()
            ));
            return Ok(());
        }
        match self.fs.mkdir(remote) {
            Ok(()) => summary.folders += 1,
            Err(error) => match self.fs.stat(remote) {
                Ok(existing) if existing.kind == EntryKind::Dir => {}
                _ => return Err(error),
            },
        }
        let mut children: Vec<PathBuf> = fs::read_dir(local)
            .map_err(|error| FsError::from_local(&error, local))?
            .filter_map(|item| item.ok().map(|item| item.path()))
            .collect();
        children.sort();
        for child in children {
            if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(FsError::cancelled());
            }
            let Some(name) = child.file_name().map(|name| name.to_string_lossy().into_owned()) else {
                continue;
            };
            let Ok(meta) = fs::symlink_metadata(&child) else {
                continue;
            };
            let child_remote = remote.join(&name);
            if meta.is_dir() {
                self.upload_tree(id, &child, &child_remote, depth + 1, cancel, summary)?;
            } else if meta.is_file() {
                match self.upload_one(id, &child, &child_remote, meta.len(), cancel) {
                    Ok(bytes) => {
                        summary.files += 1;
                        summary.bytes += bytes;
                    }
                    Err(error) if error.kind == ErrorKind::Cancelled => return Err(error),
                    Err(error) => summary.failed.push(error.message),
                }
            } else {
                self.context
                    .log
                    .warning(&format!("skipped {}: links are not followed", child.display()));
            }
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
