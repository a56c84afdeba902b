//! One attempt at one queue item, on a worker thread of the engine's blocking pool: take a
//! connection from the pool, then copy a file (checking that the source did not change under
//! a partial file, and what to do when the target exists), expand a folder into new items
//! (creating the folder, so empty ones arrive too), or find out what an `Auto` item is. The
//! queue decides what an outcome means (retry, give up); a worker only reports.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::api::{
    ConflictPolicy, Direction, Event, ItemId, ItemKind, Phase, Progress, Prompt, PromptReply, TransferOptions,
};
use super::copy::{self, CopyControl, UploadMemo, UploadTarget};
use super::limiter::RateLimits;
use super::pool::Pool;
use super::trust_policy::Prompts;
use crate::model::location::RemotePath;
use crate::model::names::check_remote_name;
use crate::model::queue::Verification;
use crate::model::{Entry, EntryKind};
use crate::protocol::{
    ConnectContext, ErrorKind, FsError, ListingLimits, ProtocolLog, RemoteFs, ResumeToken, Timeouts, TrustPolicy,
};

/// Deepest folder nesting a transfer follows (OpenSSH's limit is 64 below the start; this
/// counts from the root of the server or disk).
const MAX_COMPONENTS: usize = 128;

/// What the queue hands a worker.
#[derive(Debug, Clone)]
pub struct Work {
    pub id: ItemId,
    pub direction: Direction,
    pub kind: ItemKind,
    pub site: String,
    pub local: PathBuf,
    pub remote: RemotePath,
    /// The source's size and time when the item was queued (unix seconds).
    pub size: Option<u64>,
    pub mtime: Option<i64>,
    /// Where the file at the target goes before this one takes its place (see
    /// `TransferSpec::keep_replaced`).
    pub keep_replaced: Option<PathBuf>,
    /// The server's handle on the upload an earlier attempt began (S3's multipart upload).
    pub upload_token: Option<ResumeToken>,
    pub recursive: bool,
    pub options: TransferOptions,
    /// An earlier attempt ran: what it left at the target is this transfer's own.
    pub resumed: bool,
    /// What the folder's expansion saw at the target; only a first attempt trusts it.
    pub seen_at_target: KnownTarget,
    pub attempts: u32,
    pub cancel: Arc<AtomicBool>,
    /// Set with `cancel` when the user cancelled the item (not paused it): what an upload
    /// left on the server will not be resumed, and the server may drop it
    /// ([`RemoteFs::discard_upload`]).
    pub discard: Arc<AtomicBool>,
    pub progress: Progress,
}

/// An item found in a folder.
#[derive(Debug, Clone)]
pub struct Child {
    pub kind: ItemKind,
    pub local: PathBuf,
    pub remote: RemotePath,
    pub size: Option<u64>,
    pub mtime: Option<i64>,
    pub seen_at_target: KnownTarget,
}

/// What an upload's target was when its folder was expanded: the folder had just been
/// created (so it is empty), or it was listed once for all its files, as lftp's mirror does.
/// It saves one question to the server per file, which matters: every round trip costs a
/// full RTT on a real link, and some servers slow down each failed probe (pure-ftpd).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownTarget {
    /// Nothing known: the server is asked when the answer matters.
    Unknown,
    Absent,
    File {
        size: Option<u64>,
        modified: Option<DateTime<Utc>>,
    },
    /// A folder (or a link) is in the way.
    NotAFile,
}

#[derive(Debug)]
pub enum Report {
    /// An `Auto` item is this file or folder (sent before the work goes on), or a file's
    /// source changed since it was queued.
    Resolved {
        kind: ItemKind,
        local: PathBuf,
        remote: RemotePath,
        size: Option<u64>,
        mtime: Option<i64>,
    },
    Done {
        bytes: u64,
        verified: Verification,
    },
    /// A folder was created and this is what it holds. `refused` are names from the server
    /// that were unsafe; `skipped` are links and special files, which are not followed.
    Expanded {
        children: Vec<Child>,
        refused: Vec<String>,
        skipped: Vec<String>,
    },
    /// The server began an upload that a later attempt can continue (S3's multipart
    /// upload): the queue keeps its handle with the item at once, before the first part.
    UploadBegun(ResumeToken),
    /// The attempt's upload was discarded on the server (the user cancelled): its handle
    /// is gone with it.
    UploadDiscarded,
    Skipped {
        reason: String,
    },
    Failed(FsError),
}

/// What every worker shares.
pub struct Shared {
    pub pool: Pool,
    pub limits: RateLimits,
    pub prompts: Arc<Prompts>,
    pub events: Arc<dyn Fn(Event) + Send + Sync>,
    pub trust: Arc<dyn TrustPolicy>,
    /// The connect timeout; the idle timeout is `idle_timeout`, which the user may change.
    pub timeouts: Timeouts,
    pub idle_timeout: std::sync::atomic::AtomicU64,
    /// "Apply to all" answers to `FileExists`, for the rest of the queue.
    pub conflict_for_all: Mutex<Option<ConflictPolicy>>,
    /// Answers per item, so that a retry does not ask again.
    pub conflict_answers: Mutex<std::collections::HashMap<ItemId, ConflictPolicy>>,
}

impl Shared {
    fn context(&self) -> ConnectContext {
        let events = self.events.clone();
        ConnectContext {
            trust: self.trust.clone(),
            log: ProtocolLog::new(move |direction, text| {
                events(Event::Log {
                    session: None,
                    direction,
                    text: text.to_owned(),
                })
            }),
            timeouts: Timeouts {
                idle: self.idle_timeout.load(Ordering::Relaxed),
                ..self.timeouts
            },
            limits: ListingLimits::default(),
        }
    }

    /// Moves the item to `phase`: the queue reads it whenever it describes the item, and the
    /// window and command line hear of it at once.
    fn enter(&self, work: &Work, phase: Phase) {
        work.progress.set_phase(phase);
        if work.cancel.load(Ordering::Relaxed) {
            // Paused or cancelled meanwhile: the queue has the last word on the state.
            return;
        }
        (self.events)(Event::ItemChanged {
            item: work.id,
            state: phase.state(),
            attempts: work.attempts,
            progress: work.progress.clone(),
        });
    }

    fn log(&self, direction: crate::protocol::LogDirection, text: String) {
        (self.events)(Event::Log {
            session: None,
            direction,
            text,
        });
    }
}

/// Lets the server drop what it keeps of an upload that an earlier attempt of a cancelled
/// item left (S3's multipart parts, which cost storage until aborted). The item has no
/// attempt running, so this takes a connection of its own.
pub fn discard_left_upload(shared: &Shared, site: &str, remote: &RemotePath, token: &ResumeToken) {
    let context = shared.context();
    let discarded = shared.pool.take(site, &context, &|_| {}).and_then(|mut fs| {
        let discarded = fs.discard_upload(remote, Some(token));
        if discarded.as_ref().err().is_none_or(healthy_after) {
            shared.pool.give_back(site, fs);
        }
        discarded
    });
    if let Err(error) = discarded {
        shared.log(
            crate::protocol::LogDirection::Warning,
            format!(
                "The unfinished upload of {remote} could not be removed from the server: {}",
                error.message
            ),
        );
    }
}

/// Whether a connection is still good after an error of this kind.
fn healthy_after(error: &FsError) -> bool {
    matches!(
        error.kind,
        ErrorKind::NotFound
            | ErrorKind::PermissionDenied
            | ErrorKind::AlreadyExists
            | ErrorKind::InvalidName
            | ErrorKind::Unsupported
            | ErrorKind::Local
    ) && !error.retryable
}

/// Runs one attempt; `report` receives intermediate reports, the return value is the last.
pub fn run(shared: &Shared, work: Work, report: &dyn Fn(Report)) -> Report {
    shared.enter(&work, Phase::Connecting);
    let context = shared.context();
    let asking = |asking: bool| {
        let phase = if asking {
            Phase::WaitingForPassword
        } else {
            Phase::Connecting
        };
        shared.enter(&work, phase);
    };
    let mut fs = match shared.pool.take(&work.site, &context, &asking) {
        Ok(fs) => fs,
        Err(error) => return Report::Failed(error),
    };
    let site = work.site.clone();
    let result = run_on(shared, fs.as_mut(), work, report);
    match &result {
        // A broken connection is dropped, not handed to the next item.
        Report::Failed(error) if !healthy_after(error) => drop(fs),
        _ => shared.pool.give_back(&site, fs),
    }
    result
}

fn run_on(shared: &Shared, fs: &mut dyn RemoteFs, mut work: Work, report: &dyn Fn(Report)) -> Report {
    let outcome = (|| {
        if work.kind == ItemKind::Auto {
            resolve(fs, &mut work)?;
            report(Report::Resolved {
                kind: work.kind,
                local: work.local.clone(),
                remote: work.remote.clone(),
                size: work.size,
                mtime: work.mtime,
            });
        }
        match (work.kind, work.direction) {
            (ItemKind::Folder, Direction::Download) => expand_remote(shared, fs, &work),
            (ItemKind::Folder, Direction::Upload) => expand_local(shared, fs, &work),
            (_, Direction::Download) => download(shared, fs, &work, report),
            (_, Direction::Upload) => upload(shared, fs, &work, report),
        }
    })();
    outcome.unwrap_or_else(Report::Failed)
}

fn folder_refused(what: &str) -> FsError {
    FsError::new(
        ErrorKind::Other,
        format!("{what} is a folder; use recursive mode to transfer it"),
    )
}

fn link_refused(what: &str) -> FsError {
    FsError::new(
        ErrorKind::Unsupported,
        format!("{what} is a link or special file; Wharf does not follow links"),
    )
}

fn unix_seconds(time: Option<DateTime<Utc>>) -> Option<i64> {
    time.map(|time| time.timestamp())
}

/// Finds out what an `Auto` item is and where it goes. Like `cp`: into an existing folder
/// under the source's name, otherwise to the path given.
fn resolve(fs: &mut dyn RemoteFs, work: &mut Work) -> Result<(), FsError> {
    match work.direction {
        Direction::Download => {
            let source = fs.stat(&work.remote)?;
            let name = fs
                .download_name(&work.remote)
                .or_else(|| work.remote.file_name().map(str::to_owned))
                .unwrap_or_else(|| "download".to_owned());
            check_remote_name(&name).map_err(|refused| FsError::new(ErrorKind::InvalidName, refused.to_string()))?;
            if work.local.is_dir() {
                work.local = work.local.join(&name);
            }
            work.kind = match source.kind {
                EntryKind::Dir if work.recursive => ItemKind::Folder,
                EntryKind::Dir => return Err(folder_refused(&work.remote.to_string())),
                EntryKind::File => ItemKind::File,
                EntryKind::Link | EntryKind::Other => return Err(link_refused(&work.remote.to_string())),
            };
            work.size = source.size;
            work.mtime = unix_seconds(source.modified);
        }
        Direction::Upload => {
            let meta = fs::symlink_metadata(&work.local).map_err(|error| FsError::from_local(&error, &work.local))?;
            let name = work
                .local
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .ok_or_else(|| {
                    FsError::new(
                        ErrorKind::InvalidName,
                        format!("{} names no file", work.local.display()),
                    )
                })?;
            if let Ok(existing) = fs.stat(&work.remote)
                && existing.kind == EntryKind::Dir
            {
                work.remote = work.remote.join(&name);
            }
            work.kind = if meta.is_dir() {
                if !work.recursive {
                    return Err(folder_refused(&work.local.display().to_string()));
                }
                ItemKind::Folder
            } else if meta.is_file() {
                ItemKind::File
            } else {
                return Err(link_refused(&work.local.display().to_string()));
            };
            work.size = meta.is_file().then_some(meta.len());
            work.mtime = meta.modified().ok().map(|time| DateTime::<Utc>::from(time).timestamp());
        }
    }
    Ok(())
}

fn too_deep(work: &Work) -> Option<FsError> {
    let depth = work
        .remote
        .to_string()
        .split('/')
        .filter(|part| !part.is_empty())
        .count();
    (depth > MAX_COMPONENTS || work.local.components().count() > MAX_COMPONENTS).then(|| {
        FsError::new(
            ErrorKind::Other,
            format!(
                "{} is nested more than {MAX_COMPONENTS} folders deep; skipped",
                work.remote
            ),
        )
    })
}

fn expand_remote(shared: &Shared, fs: &mut dyn RemoteFs, work: &Work) -> Result<Report, FsError> {
    if let Some(error) = too_deep(work) {
        return Err(error);
    }
    match fs::create_dir(&work.local) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && work.local.is_dir() => {}
        Err(error) => return Err(FsError::from_local(&error, &work.local)),
    }
    let listing = fs.list(&work.remote)?;
    let refused: Vec<String> = listing.refused.iter().map(ToString::to_string).collect();
    let mut skipped = Vec::new();
    let mut children = Vec::with_capacity(listing.entries.len());
    for entry in listing.entries {
        let remote = work.remote.join(&entry.name);
        let local = work.local.join(&entry.name);
        let (kind, size) = match entry.kind {
            // A folder's size in a listing is the server's bookkeeping, not its contents.
            EntryKind::Dir => (ItemKind::Folder, None),
            EntryKind::File => (ItemKind::File, entry.size),
            EntryKind::Link | EntryKind::Other => {
                let reason = format!("skipped {remote}: links are not followed");
                shared.log(crate::protocol::LogDirection::Warning, reason.clone());
                skipped.push(reason);
                continue;
            }
        };
        children.push(Child {
            kind,
            local,
            remote,
            size,
            mtime: unix_seconds(entry.modified),
            // The target is on this computer, where looking costs nothing.
            seen_at_target: KnownTarget::Unknown,
        });
    }
    Ok(Report::Expanded {
        children,
        refused,
        skipped,
    })
}

fn expand_local(shared: &Shared, fs: &mut dyn RemoteFs, work: &Work) -> Result<Report, FsError> {
    if let Some(error) = too_deep(work) {
        return Err(error);
    }
    // Just created, it is empty. Already there (or not a folder, which the listing then
    // refuses), one listing answers for every file it shows; a name it does not show may
    // still be there (hidden, or spelt in another case on a server that ignores case), so
    // that one is asked about when it matters.
    let (created, present): (bool, HashMap<String, Entry>) = match fs.mkdir(&work.remote) {
        Ok(()) => (true, HashMap::new()),
        Err(error) => match fs.list(&work.remote) {
            Ok(listing) => (
                false,
                listing
                    .entries
                    .into_iter()
                    .map(|entry| (entry.name.clone(), entry))
                    .collect(),
            ),
            Err(_) => return Err(error),
        },
    };
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(&work.local)
        .map_err(|error| FsError::from_local(&error, &work.local))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    let mut children = Vec::with_capacity(entries.len());
    let mut skipped = Vec::new();
    for entry in entries {
        let local = entry.path();
        let Ok(meta) = fs::symlink_metadata(&local) else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let remote = work.remote.join(&name);
        let (kind, size) = if meta.is_dir() {
            (ItemKind::Folder, None)
        } else if meta.is_file() {
            (ItemKind::File, Some(meta.len()))
        } else {
            let reason = format!("skipped {}: links and special files are not followed", local.display());
            shared.log(crate::protocol::LogDirection::Warning, reason.clone());
            skipped.push(reason);
            continue;
        };
        let seen_at_target = match present.get(&name) {
            None if created => KnownTarget::Absent,
            None => KnownTarget::Unknown,
            Some(entry) if entry.kind == EntryKind::Dir => KnownTarget::NotAFile,
            // A file, or a link the upload replaces like one.
            Some(entry) => KnownTarget::File {
                size: entry.size,
                modified: entry.modified,
            },
        };
        children.push(Child {
            kind,
            local,
            remote,
            size,
            mtime: meta.modified().ok().map(|time| DateTime::<Utc>::from(time).timestamp()),
            seen_at_target,
        });
    }
    Ok(Report::Expanded {
        children,
        refused: Vec::new(),
        skipped,
    })
}

/// What is known of a file on either side.
#[derive(Debug, Clone, Copy)]
struct Facts {
    size: Option<u64>,
    modified: Option<DateTime<Utc>>,
}

enum Decision {
    Overwrite,
    /// Continue the existing target as if it were a partial file.
    Resume,
    /// Write to this free name instead.
    Rename,
    Skip(String),
}

/// Applies the conflict policy (asking the user when it says so).
fn decide(shared: &Shared, work: &Work, target: &str, source: Facts, existing: Facts) -> Decision {
    let mut policy = standing_policy(shared, work);
    if policy == ConflictPolicy::Ask {
        let question = Prompt::FileExists {
            item: work.id,
            target: target.to_owned(),
            source_size: source.size,
            source_modified: source.modified,
            target_size: existing.size,
            target_modified: existing.modified,
        };
        policy = match shared.prompts.ask(shared.events.as_ref(), question) {
            PromptReply::Conflict { policy, apply_to_all } if policy != ConflictPolicy::Ask => {
                if apply_to_all {
                    *shared
                        .conflict_for_all
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(policy);
                }
                policy
            }
            _ => ConflictPolicy::Skip,
        };
        shared
            .conflict_answers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(work.id, policy);
    }
    match policy {
        ConflictPolicy::Ask | ConflictPolicy::Overwrite => Decision::Overwrite,
        ConflictPolicy::Skip => Decision::Skip(format!("{target} exists")),
        ConflictPolicy::Rename => Decision::Rename,
        ConflictPolicy::Newer => match (source.modified, existing.modified) {
            (Some(new), Some(old)) if new <= old => Decision::Skip(format!("{target} exists and is not older")),
            _ => Decision::Overwrite,
        },
        ConflictPolicy::Differ => match (source.size, existing.size) {
            (Some(new), Some(old)) if new == old => Decision::Skip(format!("{target} exists with the same size")),
            _ => Decision::Overwrite,
        },
        ConflictPolicy::Resume => match (source.size, existing.size) {
            (Some(new), Some(old)) if old == new => Decision::Skip(format!("{target} is already complete")),
            (Some(new), Some(old)) if old < new => Decision::Resume,
            _ => Decision::Overwrite,
        },
    }
}

/// `name (1).ext`, `name (2).ext` ...: the first that `exists` says is free.
pub fn free_name(name: &str, exists: &mut dyn FnMut(&str) -> bool) -> String {
    let (stem, extension) = match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name, ""),
    };
    (1..)
        .map(|n| format!("{stem} ({n}){extension}"))
        .find(|candidate| !exists(candidate))
        .unwrap_or_else(|| name.to_owned())
}

fn control<'a>(
    work: &'a Work,
    throttle: &'a dyn Fn(usize),
    chunk_limit: Option<usize>,
    upload: Option<&'a UploadMemo<'a>>,
) -> CopyControl<'a> {
    CopyControl {
        cancel: &work.cancel,
        progress: &work.progress,
        throttle,
        preserve_mtime: work.options.preserve_mtime,
        chunk_limit,
        keep_replaced: work.keep_replaced.as_deref(),
        upload,
    }
}

/// The source changed since the item was queued: a partial file from the old version must
/// not be continued.
fn changed(work: &Work, size: Option<u64>, mtime: Option<i64>) -> bool {
    let size_changed = matches!((work.size, size), (Some(then), Some(now)) if then != now);
    let time_changed = matches!((work.mtime, mtime), (Some(then), Some(now)) if !same_time(then, now));
    size_changed || time_changed
}

/// Whether a time recorded from a listing and one read now name the same moment. An FTP
/// `LIST` line gives minutes (recent files) or only the day (older ones), where MDTM and SFTP
/// give seconds: a recorded time on a whole minute or day matches anything within it.
fn same_time(recorded: i64, seen: i64) -> bool {
    let precision = if recorded % 86_400 == 0 {
        86_400
    } else if recorded % 60 == 0 {
        60
    } else {
        1
    };
    (0..precision).contains(&(seen - recorded))
}

fn download(shared: &Shared, fs: &mut dyn RemoteFs, work: &Work, report: &dyn Fn(Report)) -> Result<Report, FsError> {
    // A first attempt trusts the listing it came from (one round trip less per file, as
    // FileZilla does); a retry or a restored item asks the server again, to notice changes.
    let listed = (!work.resumed && work.size.is_some()).then(|| {
        let mut entry = crate::model::Entry::new(work.remote.file_name().unwrap_or_default(), EntryKind::File);
        entry.size = work.size;
        entry.modified = work
            .mtime
            .and_then(|seconds| DateTime::<Utc>::from_timestamp(seconds, 0));
        entry
    });
    let source = match listed {
        Some(entry) => entry,
        None => fs.stat(&work.remote)?,
    };
    if source.kind != EntryKind::File {
        return Err(link_refused(&work.remote.to_string()));
    }
    let mut target = work.local.clone();
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| FsError::new(ErrorKind::InvalidName, format!("{} names no file", target.display())))?;
    let facts = Facts {
        size: source.size,
        modified: source.modified,
    };
    if changed(work, source.size, unix_seconds(source.modified)) {
        let part = target.with_file_name(copy::partial_name(&name));
        if part.exists() {
            shared.log(
                crate::protocol::LogDirection::Warning,
                format!(
                    "{} changed on the server since it was queued; starting it over",
                    work.remote
                ),
            );
            fs::remove_file(&part).map_err(|error| FsError::from_local(&error, &part))?;
        }
        report_new_source(report, work, target.clone(), facts);
    }
    if let Ok(meta) = fs::symlink_metadata(&target) {
        if meta.is_dir() {
            return Err(copy::folder_in_the_way(&target.display()));
        }
        let existing = Facts {
            size: Some(meta.len()),
            modified: meta.modified().ok().map(DateTime::<Utc>::from),
        };
        match decide(shared, work, &target.display().to_string(), facts, existing) {
            Decision::Overwrite => {}
            Decision::Skip(reason) => return Ok(Report::Skipped { reason }),
            Decision::Resume => {
                let part = target.with_file_name(copy::partial_name(&name));
                if !part.exists() {
                    fs::rename(&target, &part).map_err(|error| FsError::from_local(&error, &target))?;
                }
            }
            Decision::Rename => {
                let parent = target.parent().map(Path::to_path_buf).unwrap_or_default();
                let free = free_name(&name, &mut |candidate| parent.join(candidate).exists());
                target = parent.join(free);
            }
        }
    }
    let ends = Ends {
        direction: Direction::Download,
        local: &target,
        remote: &work.remote,
    };
    copy_and_verify(shared, fs, work, ends, source.size, None, |fs, control| {
        copy::download_file(fs, &work.remote, &source, &target, control)
    })
}

/// Tells the queue the source's size and time now: it changed since the item was queued.
fn report_new_source(report: &dyn Fn(Report), work: &Work, local: PathBuf, source: Facts) {
    report(Report::Resolved {
        kind: ItemKind::File,
        local,
        remote: work.remote.clone(),
        size: source.size,
        mtime: unix_seconds(source.modified),
    });
}

/// The two ends of a transfer once the conflict policy had its say.
struct Ends<'a> {
    direction: Direction,
    local: &'a Path,
    remote: &'a RemotePath,
}

/// What both directions do once the target is settled: count the size, `copy` at the
/// direction's rate, and verify. A copy that does not match is not kept: the retry starts
/// afresh.
fn copy_and_verify(
    shared: &Shared,
    fs: &mut dyn RemoteFs,
    work: &Work,
    ends: Ends<'_>,
    total: Option<u64>,
    upload: Option<&UploadMemo<'_>>,
    copy: impl FnOnce(&mut dyn RemoteFs, &CopyControl<'_>) -> Result<u64, FsError>,
) -> Result<Report, FsError> {
    work.progress.set_total(total);
    shared.enter(work, Phase::Transferring);
    let throttle = |bytes: usize| shared.limits.throttle(ends.direction, bytes);
    let chunk_limit = shared.limits.chunk(ends.direction);
    let bytes = copy(fs, &control(work, &throttle, chunk_limit, upload))?;
    match verify(shared, fs, work, ends.local, ends.remote) {
        Ok(verified) => Ok(Report::Done { bytes, verified }),
        Err(error) => {
            if error.kind == ErrorKind::Protocol {
                // Best effort, as the attempt has failed already.
                let _ = match ends.direction {
                    Direction::Download => fs::remove_file(ends.local).map_err(|_| ()),
                    Direction::Upload => fs.remove(ends.remote).map_err(|_| ()),
                };
            }
            Err(error)
        }
    }
}

/// After the size (checked by the copy), the server's checksum when it offers one. Returns
/// how the file was verified.
fn verify(
    shared: &Shared,
    fs: &mut dyn RemoteFs,
    work: &Work,
    local: &Path,
    remote: &RemotePath,
) -> Result<Verification, FsError> {
    // The server may take a while to hash a big file: the row says so meanwhile.
    shared.enter(work, Phase::Verifying);
    let Some(checksum) = fs.checksum(remote)? else {
        return Ok(Verification::Size);
    };
    let name = checksum.algorithm.name();
    let local_hex = checksum
        .algorithm
        .hex_of_file(local)
        .map_err(|error| FsError::from_local(&error, local))?;
    if local_hex == checksum.hex {
        Ok(Verification::Checksum(checksum.algorithm))
    } else {
        Err(FsError::new(
            ErrorKind::Protocol,
            format!("{remote} arrived with a different {name} than the server computed; it is transferred again"),
        )
        .retryable(true))
    }
}

/// The policy that applies to `work` without asking: an earlier answer for it, one given
/// "for all", or its own option.
fn standing_policy(shared: &Shared, work: &Work) -> ConflictPolicy {
    let remembered = shared
        .conflict_answers
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&work.id)
        .copied();
    let for_all = *shared
        .conflict_for_all
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    remembered.or(for_all).unwrap_or(work.options.on_conflict)
}

/// What an upload finds at its target.
enum AtTarget {
    /// Nothing is there, or the policy overwrites whatever is.
    Nothing,
    Folder,
    File(Facts),
}

/// What is at an upload's target. The server is asked only when the folder's expansion did
/// not already say and the answer can change what happens; only "not found" means nothing
/// is there (any other failure is the attempt's error).
fn existing_target(
    shared: &Shared,
    fs: &mut dyn RemoteFs,
    work: &Work,
    target: &RemotePath,
) -> Result<AtTarget, FsError> {
    let policy = standing_policy(shared, work);
    let known = if work.resumed {
        KnownTarget::Unknown
    } else {
        work.seen_at_target
    };
    match known {
        KnownTarget::Absent => Ok(AtTarget::Nothing),
        // A listing's time may be cut to the minute or the day (LIST): "newer" asks the
        // server for the exact one.
        KnownTarget::File { size, modified } if policy != ConflictPolicy::Newer => {
            Ok(AtTarget::File(Facts { size, modified }))
        }
        KnownTarget::NotAFile => Ok(AtTarget::Folder),
        // Overwritten whatever it is; a folder in the way stops the rename, which says so.
        KnownTarget::Unknown if policy == ConflictPolicy::Overwrite => Ok(AtTarget::Nothing),
        KnownTarget::Unknown | KnownTarget::File { .. } => match fs.stat(target) {
            Ok(entry) if entry.kind == EntryKind::Dir => Ok(AtTarget::Folder),
            Ok(entry) => Ok(AtTarget::File(Facts {
                size: entry.size,
                modified: entry.modified,
            })),
            Err(error) if error.kind == ErrorKind::NotFound => Ok(AtTarget::Nothing),
            Err(error) => Err(error),
        },
    }
}

/// Where an upload writes, once the conflict policy had its say.
struct UploadPlan {
    target: RemotePath,
    /// Continue the partial file (or, without a temporary name, the target) that an earlier
    /// attempt of this item left, or that the policy said to resume.
    resume: bool,
}

enum Planned {
    Upload(UploadPlan),
    Skip(String),
}

fn upload(shared: &Shared, fs: &mut dyn RemoteFs, work: &Work, report: &dyn Fn(Report)) -> Result<Report, FsError> {
    let meta = fs::metadata(&work.local).map_err(|error| FsError::from_local(&error, &work.local))?;
    let source = Facts {
        size: Some(meta.len()),
        modified: meta.modified().ok().map(DateTime::<Utc>::from),
    };
    // What an earlier attempt left is this item's own, unless the source changed since.
    let mut earlier = work.resumed;
    if changed(work, source.size, unix_seconds(source.modified)) {
        start_over(shared, fs, work, source, report);
        earlier = false;
    }
    let plan = match plan_upload(shared, fs, work, source, earlier)? {
        Planned::Upload(plan) => plan,
        Planned::Skip(reason) => return Ok(Report::Skipped { reason }),
    };
    let mode = if via_temp(work, fs) {
        UploadTarget::ViaTemp { resume: plan.resume }
    } else {
        UploadTarget::Direct { resume: plan.resume }
    };
    let ends = Ends {
        direction: Direction::Upload,
        local: &work.local,
        remote: &plan.target,
    };
    // The server's handle on this item's upload: the earlier attempt's, until the server
    // gives a new one, which the queue keeps at once.
    let latest = std::cell::RefCell::new(work.upload_token.clone().filter(|_| earlier));
    let begun = |token: ResumeToken| {
        *latest.borrow_mut() = Some(token.clone());
        report(Report::UploadBegun(token));
    };
    let memo = UploadMemo {
        earlier: latest.borrow().clone(),
        begun: &begun,
    };
    let copied = copy_and_verify(shared, fs, work, ends, source.size, Some(&memo), |fs, control| {
        copy::upload_file(fs, &work.local, &plan.target, mode, control)
    });
    // Whatever ended the attempt once the user cancelled it (the stop itself, or a part's
    // answer that never came while the stream waited for it), what it left goes, here,
    // under the target this attempt planned. An attempt that ends before this point, or
    // whose cancel comes after it, leaves the discard to the queue, by the kept handle.
    if copied.is_err() && work.discard.load(Ordering::Relaxed) {
        match fs.discard_upload(&plan.target, latest.borrow().as_ref()) {
            Ok(()) => report(Report::UploadDiscarded),
            Err(failed) => shared.log(crate::protocol::LogDirection::Warning, failed.message),
        }
    }
    copied
}

/// Whether an upload goes to a temporary name first: as the job says, unless the server
/// shows a file only once its upload is complete (S3), where the name would only cost a
/// copy.
fn via_temp(work: &Work, fs: &dyn RemoteFs) -> bool {
    work.options.upload_via_temp && !fs.capabilities().atomic_uploads
}

/// The source changed since the item was queued: what an earlier attempt sent is of the old
/// version, so it goes, and the queue hears of the new size and time.
fn start_over(shared: &Shared, fs: &mut dyn RemoteFs, work: &Work, source: Facts, report: &dyn Fn(Report)) {
    shared.log(
        crate::protocol::LogDirection::Warning,
        format!("{} changed since it was queued; starting it over", work.local.display()),
    );
    if fs.capabilities().atomic_uploads {
        // What an earlier attempt sent is out of sight (S3's parts); the file at the
        // target is the user's, and the conflict policy decides about it.
        let _ = fs.discard_upload(&work.remote, work.upload_token.as_ref());
    } else {
        let left = if via_temp(work, fs) {
            let name = work.remote.file_name().unwrap_or_default();
            work.remote.parent().join(&copy::partial_name(name))
        } else {
            work.remote.clone()
        };
        let _ = fs.remove(&left);
    }
    report_new_source(report, work, work.local.clone(), source);
}

/// Applies the conflict policy to what is at the target. An earlier attempt's own target
/// (without a temporary name) is simply continued.
fn plan_upload(
    shared: &Shared,
    fs: &mut dyn RemoteFs,
    work: &Work,
    source: Facts,
    earlier: bool,
) -> Result<Planned, FsError> {
    let via_temp = via_temp(work, fs);
    let mut plan = UploadPlan {
        target: work.remote.clone(),
        resume: earlier,
    };
    // Without a temporary name the target is an earlier attempt's own partial file, unless
    // the server keeps partial uploads out of sight (S3): then the target is still the
    // user's file, and the policy applies.
    if earlier && !via_temp && !fs.capabilities().atomic_uploads {
        return Ok(Planned::Upload(plan));
    }
    let existing = match existing_target(shared, fs, work, &plan.target)? {
        AtTarget::Nothing => return Ok(Planned::Upload(plan)),
        AtTarget::Folder => return Err(copy::folder_in_the_way(&plan.target)),
        AtTarget::File(existing) => existing,
    };
    let name = plan.target.file_name().unwrap_or_default().to_owned();
    match decide(shared, work, &plan.target.to_string(), source, existing) {
        Decision::Overwrite => {}
        Decision::Skip(reason) => return Ok(Planned::Skip(reason)),
        Decision::Resume if via_temp => {
            let part = plan.target.parent().join(&copy::partial_name(&name));
            if fs.stat(&part).is_err() {
                fs.rename(&plan.target, &part)?;
            }
            plan.resume = true;
        }
        Decision::Resume => plan.resume = true,
        Decision::Rename => {
            let parent = plan.target.parent();
            let free = free_name(&name, &mut |candidate| fs.stat(&parent.join(candidate)).is_ok());
            plan.target = parent.join(&free);
        }
    }
    Ok(Planned::Upload(plan))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_times_match_within_their_precision() {
        // 2024-05-06 07:08:00 from a LIST line; MDTM says 07:08:09.
        assert!(same_time(1_714_979_280, 1_714_979_289));
        assert!(!same_time(1_714_979_280, 1_714_979_340), "the next minute is a change");
        // A date-only LIST line matches any time that day.
        assert!(same_time(1_714_953_600, 1_714_979_289));
        // Precise times must be equal.
        assert!(!same_time(1_714_979_281, 1_714_979_282));
        assert!(same_time(1_714_979_281, 1_714_979_281));
    }

    #[test]
    fn free_names_keep_the_extension() {
        let taken = ["a (1).txt", "a (2).txt"];
        assert_eq!(free_name("a.txt", &mut |name| taken.contains(&name)), "a (3).txt");
        assert_eq!(free_name(".hidden", &mut |_| false), ".hidden (1)");
        assert_eq!(free_name("archive.tar.gz", &mut |_| false), "archive.tar (1).gz");
        assert_eq!(free_name("noext", &mut |_| false), "noext (1)");
    }
}
