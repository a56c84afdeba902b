//! Copying one file, the same way for every backend (rclone's `operations.Copy`): write to a
//! partial name beside the target, verify the size, rename into place, keep the time.
//!
//! An interrupted copy leaves its partial file (`.NAME.wharf-part`); the next attempt
//! resumes from its size when the backend can, after checking that the partial file is a
//! plain file no larger than the source. Nothing here retries: the caller decides, using
//! [`crate::protocol::FsError::retryable`]. A full disk says how much room is left and
//! where, and keeps the partial file for when there is room again.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::api::{Direction, LinkFacts, Progress};
use crate::engine::diagnosis::{Cost, Stopwatch};
use crate::engine::send_window::SendWindow;
use crate::model::Entry;
use crate::model::location::RemotePath;
use crate::protocol::{ErrorKind, FsError, RemoteFs, ResumeToken};

/// Bytes moved per read. libssh2 pipelines requests up to the buffer size, so it is large.
pub const CHUNK: usize = crate::protocol::sftp::TRANSFER_BUFFER;

/// What a running copy reports to and is stopped by.
pub struct CopyControl<'a> {
    pub cancel: &'a AtomicBool,
    pub progress: &'a Progress,
    /// Called with each chunk's size where the bytes are counted; it sleeps as long as the
    /// bandwidth limit asks.
    pub throttle: &'a dyn Fn(usize),
    /// Give the copy the source's modification time.
    pub preserve_mtime: bool,
    /// Under a bandwidth limit, the most bytes to move at once (see `limiter::chunk`).
    pub chunk_limit: Option<usize>,
    /// Where the file at the target is moved before the copy takes its place, instead of
    /// being overwritten (on the target's side: local for downloads, remote for uploads).
    pub keep_replaced: Option<&'a Path>,
    /// For an upload, the server's handle on it across attempts, where the queue keeps one.
    pub upload: Option<&'a UploadMemo<'a>>,
}

/// The server's handle on an upload across attempts ([`ResumeToken`], S3's multipart
/// upload id).
pub struct UploadMemo<'a> {
    /// The handle an earlier attempt was given: continued, or aborted when the upload
    /// starts over.
    pub earlier: Option<ResumeToken>,
    /// Told each new handle as soon as the server gives it, before the first byte goes.
    pub begun: &'a dyn Fn(ResumeToken),
}

/// Where an upload writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadTarget {
    /// To `.NAME.wharf-part` beside the target, renamed when complete. `resume` continues a
    /// partial file that an earlier attempt of this transfer left; otherwise one that is
    /// there is overwritten, without asking the server about it first.
    ViaTemp { resume: bool },
    /// Straight to the target, for servers that forbid renames. `resume` continues a target
    /// that an earlier attempt of this transfer left short; otherwise it is overwritten.
    Direct { resume: bool },
}

impl CopyControl<'_> {
    /// Counts `bytes` and charges the time the bandwidth limit held them back, if there is
    /// one (without one, the few instructions of counting are left to the next charge).
    fn count_timed(&self, bytes: usize, watch: &mut Stopwatch<'_>) {
        self.count(bytes);
        if self.chunk_limit.is_some() {
            watch.charge(Cost::Limit);
        }
    }

    fn count(&self, bytes: usize) {
        (self.throttle)(bytes);
        self.progress.add(bytes as u64);
    }

    fn check_cancel(&self) -> Result<(), FsError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(FsError::cancelled())
        } else {
            Ok(())
        }
    }
}

/// A buffer for `remaining` bytes: a chunk at most (less under a bandwidth limit, `limit`),
/// and not much more than the file, because libssh2 sends as many read requests ahead as the
/// buffer holds, and a small file would otherwise cost dozens of requests answered with "end
/// of file".
fn buffer_size(remaining: Option<u64>, limit: Option<usize>) -> usize {
    let chunk = limit.unwrap_or(CHUNK).clamp(8 * 1024, CHUNK);
    match remaining {
        Some(remaining) => usize::try_from(remaining.saturating_add(1))
            .unwrap_or(chunk)
            .clamp(8 * 1024, chunk),
        None => chunk,
    }
}

/// The partial name for `name`: hidden, beside the target, recognisable.
pub fn partial_name(name: &str) -> String {
    format!(".{name}.wharf-part")
}

fn local_partial(target: &Path) -> Result<PathBuf, FsError> {
    let name = target
        .file_name()
        .ok_or_else(|| FsError::new(ErrorKind::InvalidName, format!("{} names no file", target.display())))?;
    Ok(target.with_file_name(partial_name(&name.to_string_lossy())))
}

/// Downloads `remote` (described by `source`, from a listing or stat) to the local path
/// `target`. Returns the bytes moved in this attempt.
pub fn download_file(
    fs: &mut dyn RemoteFs,
    remote: &RemotePath,
    source: &Entry,
    target: &Path,
    control: &CopyControl<'_>,
) -> Result<u64, FsError> {
    control.check_cancel()?;
    let part = local_partial(target)?;
    let local_error = |error: io::Error| local_write_error(&error, &part);
    let resumable = fs.capabilities().resume_download;
    let mut offset = match fs::symlink_metadata(&part) {
        Ok(meta)
            if meta.is_file() && meta.len() > 0 && resumable && source.size.is_some_and(|size| meta.len() <= size) =>
        {
            meta.len()
        }
        // Empty (an attempt failed before any data came), too long, or not resumable.
        Ok(meta) if meta.is_file() => {
            fs::remove_file(&part).map_err(local_error)?;
            0
        }
        Ok(_) => {
            return Err(FsError::new(
                ErrorKind::Local,
                format!("something that is not a plain file is in the way: {}", part.display()),
            ));
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => 0,
        Err(error) => return Err(local_error(error)),
    };
    let mut file = if offset > 0 {
        let mut file = OpenOptions::new().write(true).open(&part).map_err(local_error)?;
        file.seek(SeekFrom::Start(offset)).map_err(local_error)?;
        file
    } else {
        // Exclusive creation: a file or link planted under the partial name is not followed.
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&part)
            .map_err(local_error)?
    };
    if source.size == Some(offset) && offset > 0 {
        // Everything arrived last time; only the rename was missing.
        control.progress.set_resumed_from(offset);
        control.progress.set_done(offset);
    } else {
        let buffer = buffer_size(source.size.map(|size| size.saturating_sub(offset)), control.chunk_limit);
        tell_link(fs, Direction::Download, buffer, control.progress);
        let mut reader = match fs.open_read(remote, offset) {
            Ok(reader) => reader,
            Err(error) => {
                // A partial file that never got a byte is no use to a later attempt.
                if offset == 0 {
                    drop(file);
                    let _ = fs::remove_file(&part);
                }
                return Err(error);
            }
        };
        if offset > 0 && reader.restarted() {
            // The server could not continue it (a link whose server ignores ranges, or
            // whose file changed): what came before gives way to the whole file.
            file.set_len(0).map_err(local_error)?;
            file.seek(SeekFrom::Start(0)).map_err(local_error)?;
            offset = 0;
        }
        control.progress.set_resumed_from(offset);
        control.progress.set_done(offset);
        receive(&mut *reader, &mut file, &part, remote, source, control)?;
        reader.finish()?;
    }
    file.sync_data().map_err(local_error)?;
    drop(file);
    let written = fs::metadata(&part).map_err(local_error)?.len();
    if let Some(size) = source.size
        && written != size
    {
        // Short is retried (a dropped link can look like the end), unless this attempt,
        // resumed at the end of what came before, got nothing more: the server has no more.
        let got_more = written > offset;
        return Err(size_mismatch(remote, written, size, "").retryable(written < size && got_more));
    }
    if let Some(keep) = control.keep_replaced {
        keep_local(target, keep)?;
    }
    replace_local(&part, target)?;
    if control.preserve_mtime
        && let Some(modified) = source.modified
        && let Ok(file) = File::options().write(true).open(target)
    {
        let _ = file.set_modified(modified.into());
    }
    Ok(written.saturating_sub(offset))
}

/// A local write that failed: a full disk says how much room is left there.
fn local_write_error(error: &io::Error, part: &Path) -> FsError {
    let failed = FsError::from_local(error, part);
    if failed.kind != ErrorKind::NoSpace {
        return failed;
    }
    let folder = part.parent().unwrap_or(part);
    let free = fs4::available_space(folder).map_or_else(
        |_| "no room".to_owned(),
        |free| format!("{} free", crate::model::rate::human_size(free)),
    );
    FsError::new(
        ErrorKind::NoSpace,
        format!(
            "the disk is full: {free} on {}; the partial file was kept",
            folder.display()
        ),
    )
}

/// Disks that tests declare full: a write into one of these folders that would take its
/// file past the capacity fails as a full disk does.
#[cfg(test)]
pub mod full_disks {
    use std::io;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    static FULL: Mutex<Vec<(PathBuf, u64)>> = Mutex::new(Vec::new());

    pub fn declare(folder: &Path, capacity: u64) {
        FULL.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((folder.to_path_buf(), capacity));
    }

    pub fn clear(folder: &Path) {
        FULL.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|(full, _)| full != folder);
    }

    /// Before writing `count` bytes to `file`, which holds `size`: on a declared disk, writes
    /// (with `write`) what still fits and fails as a full disk does; otherwise says to write
    /// all of them.
    pub(super) fn fill(
        file: &Path,
        size: u64,
        count: usize,
        write: impl FnOnce(usize) -> Result<(), crate::protocol::FsError>,
    ) -> Result<usize, crate::protocol::FsError> {
        let capacity = FULL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .find(|(folder, _)| file.starts_with(folder))
            .map(|(_, capacity)| *capacity);
        let Some(capacity) = capacity else {
            return Ok(count);
        };
        let room = usize::try_from(capacity.saturating_sub(size)).unwrap_or(usize::MAX);
        if count <= room {
            return Ok(count);
        }
        write(room)?;
        Err(super::local_write_error(
            &io::Error::from(io::ErrorKind::StorageFull),
            file,
        ))
    }
}

/// Moves the file at `target`, if there is one, to `keep` (making its folders), so that
/// what replaces it does not destroy it.
fn keep_local(target: &Path, keep: &Path) -> Result<(), FsError> {
    // Kept already: an earlier attempt of this item moved the old file there, and what is
    // at the target now is this transfer's own.
    if fs::symlink_metadata(keep).is_ok() {
        return Ok(());
    }
    match fs::symlink_metadata(target) {
        Ok(meta) if meta.is_file() => {
            if let Some(folder) = keep.parent() {
                fs::create_dir_all(folder).map_err(|error| FsError::from_local(&error, folder))?;
            }
            fs::rename(target, keep).map_err(|error| FsError::from_local(&error, keep))
        }
        // Nothing there; a folder in the way is named by `replace_local`.
        _ => Ok(()),
    }
}

/// Moves the file at `target` on the server, if there is one, to `keep` (making its
/// folders), unless an earlier attempt kept it already. A failure stops the upload before
/// anything is overwritten.
fn keep_remote(fs: &mut dyn RemoteFs, target: &RemotePath, keep: &RemotePath) -> Result<(), FsError> {
    if fs.stat(keep).is_ok() {
        return Ok(());
    }
    match fs.stat(target) {
        Ok(entry) if entry.kind == crate::model::EntryKind::File => {}
        Ok(_) => return Ok(()),
        Err(error) if error.kind == ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    }
    make_remote_folders(fs, &keep.parent())?;
    fs.rename(target, keep)
}

/// Makes `folder` and the folders above it that are missing. Other transfers may be making
/// the same ones at the same time, so a folder that could not be made but is there is fine.
fn make_remote_folders(fs: &mut dyn RemoteFs, folder: &RemotePath) -> Result<(), FsError> {
    let mut missing = Vec::new();
    let mut current = folder.clone();
    loop {
        match fs.stat(&current) {
            Ok(_) => break,
            Err(error) if error.kind == ErrorKind::NotFound => {
                let parent = current.parent();
                let at_the_top = parent == current;
                missing.push(current);
                if at_the_top {
                    break;
                }
                current = parent;
            }
            Err(error) => return Err(error),
        }
    }
    for folder in missing.into_iter().rev() {
        if let Err(error) = fs.mkdir(&folder)
            && fs.stat(&folder).is_err()
        {
            return Err(error);
        }
    }
    Ok(())
}

/// Moves the finished partial file over the target.
fn replace_local(part: &Path, target: &Path) -> Result<(), FsError> {
    if let Ok(meta) = fs::symlink_metadata(target)
        && meta.is_dir()
    {
        return Err(folder_in_the_way(&target.display()));
    }
    fs::rename(part, target).map_err(|error| FsError::from_local(&error, target))
}

/// The local file an upload reads.
struct Source<'a> {
    file: &'a mut File,
    path: &'a Path,
    size: u64,
}

/// Writes the source from `offset` to `part` on the server (`offset` bytes are there
/// already); `target` names the upload in errors.
fn send(
    fs: &mut dyn RemoteFs,
    source: &mut Source<'_>,
    part: &RemotePath,
    offset: u64,
    control: &CopyControl<'_>,
    target: &RemotePath,
) -> Result<(), FsError> {
    let window = buffer_size(Some(source.size - offset), control.chunk_limit);
    tell_link(fs, Direction::Upload, window, control.progress);
    let earlier = control.upload.and_then(|memo| memo.earlier.as_ref());
    let mut writer = fs.open_upload(part, offset, source.size - offset, earlier)?;
    if let Some(memo) = control.upload
        && let Some(token) = writer.resume_token()
        && Some(&token) != earlier
    {
        (memo.begun)(token);
    }
    control.progress.set_resumed_from(offset);
    control.progress.set_done(offset);
    let path = source.path;
    let local_error = |error: io::Error| FsError::from_local(&error, path);
    let file = &mut *source.file;
    file.seek(SeekFrom::Start(offset)).map_err(local_error)?;
    let network_error = |error: io::Error| FsError::from_network(&error, &format!("uploading {target}"));
    let mut window = SendWindow::new(window);
    let mut sent = 0u64;
    let mut watch = Stopwatch::start(control.progress);
    loop {
        control.check_cancel()?;
        window.fill(file).map_err(local_error)?;
        watch.charge(Cost::Disk);
        if window.pending().is_empty() {
            break;
        }
        let count = match writer.write(window.pending()) {
            Ok(0) => return Err(network_error(io::ErrorKind::WriteZero.into())),
            Ok(count) => count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(network_error(error)),
        };
        watch.charge(Cost::Network);
        window.taken(count);
        control.count_timed(count, &mut watch);
        sent += count as u64;
    }
    // The server acknowledges what it got; what was meant to be sent is checked here.
    if offset + sent != source.size {
        return Err(FsError::new(
            ErrorKind::Local,
            format!(
                "{} changed while it was uploaded ({} bytes instead of {}); it is sent again",
                path.display(),
                offset + sent,
                source.size
            ),
        )
        .retryable(true));
    }
    writer.finish()
}

/// Tells the transfer's diagnosis what its connection is like.
fn tell_link(fs: &dyn RemoteFs, direction: Direction, buffer: usize, progress: &Progress) {
    progress.set_link(LinkFacts {
        round_trip: fs.round_trip(),
        in_flight: fs.in_flight(direction, buffer),
    });
}

/// The error for a folder where a file is to go.
pub fn folder_in_the_way(target: &impl std::fmt::Display) -> FsError {
    FsError::new(ErrorKind::AlreadyExists, format!("a folder is in the way: {target}"))
}

/// Writes what `reader` sends to `file` (the partial file `part`) until the end, counting it.
fn receive(
    reader: &mut dyn Read,
    file: &mut File,
    part: &Path,
    remote: &RemotePath,
    source: &Entry,
    control: &CopyControl<'_>,
) -> Result<(), FsError> {
    let local_error = |error: io::Error| local_write_error(&error, part);
    let remaining = source.size.map(|size| size.saturating_sub(control.progress.done()));
    let mut buffer = vec![0u8; buffer_size(remaining, control.chunk_limit)];
    let mut watch = Stopwatch::start(control.progress);
    loop {
        control.check_cancel()?;
        let count = match reader.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(count) => count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(FsError::from_network(&error, &format!("downloading {remote}"))),
        };
        watch.charge(Cost::Network);
        #[cfg(test)]
        let count = full_disks::fill(part, control.progress.done(), count, |bytes| {
            file.write_all(&buffer[..bytes]).map_err(local_error)?;
            control.count(bytes);
            Ok(())
        })?;
        file.write_all(&buffer[..count]).map_err(local_error)?;
        watch.charge(Cost::Disk);
        control.count_timed(count, &mut watch);
        if let Some(size) = source.size
            && control.progress.done() > size
        {
            // More than the server listed can never pass the size check, and a server that
            // sends without end would fill the disk: stop at once.
            return Err(size_mismatch(remote, control.progress.done(), size, "at least ").retryable(false));
        }
    }
}

/// A download whose byte count differs from the size the server listed.
fn size_mismatch(remote: &RemotePath, written: u64, size: u64, bound: &str) -> FsError {
    FsError::new(
        ErrorKind::Protocol,
        format!(
            "downloading {remote} gave {bound}{written} bytes where the server listed {size}; the partial file was kept"
        ),
    )
}

/// After a continued upload: the server must hold exactly `size` bytes at `part`.
fn check_uploaded_size(
    fs: &mut dyn RemoteFs,
    part: &RemotePath,
    target: &RemotePath,
    size: u64,
) -> Result<(), FsError> {
    let uploaded = fs.stat(part)?.size;
    if uploaded == Some(size) {
        return Ok(());
    }
    Err(FsError::new(
        ErrorKind::Protocol,
        format!(
            "uploading {target} left {} bytes on the server where {size} were sent; the partial file was kept",
            uploaded.map_or("an unknown number of".to_owned(), |n| n.to_string())
        ),
    )
    .retryable(true))
}

/// Renames a finished upload's partial file to its target, keeping what it replaces at
/// `keep` when asked. SFTP v3 and some FTP servers refuse to rename over an existing file:
/// then the target is removed first (it was kept already when it had to be).
fn put_in_place(
    fs: &mut dyn RemoteFs,
    part: &RemotePath,
    target: &RemotePath,
    keep: Option<&Path>,
) -> Result<(), FsError> {
    if let Some(keep) = keep {
        keep_remote(fs, target, &RemotePath::new(&keep.to_string_lossy()))?;
    }
    let Err(first) = fs.rename(part, target) else {
        return Ok(());
    };
    match fs.stat(target) {
        Ok(existing) if existing.kind == crate::model::EntryKind::Dir => {
            let mut error = folder_in_the_way(target);
            error.message.push_str(&format!("; the upload was kept as {part}"));
            Err(error)
        }
        Ok(_) => {
            fs.remove(target)?;
            fs.rename(part, target)
        }
        Err(_) => Err(first),
    }
}

/// Uploads the local file `source` to `target`, through a partial name beside it.
pub fn upload_file(
    fs: &mut dyn RemoteFs,
    source: &Path,
    target: &RemotePath,
    mode: UploadTarget,
    control: &CopyControl<'_>,
) -> Result<u64, FsError> {
    control.check_cancel()?;
    let local_error = |error: io::Error| FsError::from_local(&error, source);
    let mut file = File::open(source).map_err(local_error)?;
    let meta = file.metadata().map_err(local_error)?;
    if !meta.is_file() {
        return Err(FsError::new(
            ErrorKind::Local,
            format!("not a plain file: {}", source.display()),
        ));
    }
    let size = meta.len();
    let name = target
        .file_name()
        .ok_or_else(|| FsError::new(ErrorKind::InvalidName, format!("{target} names no file")))?;
    let (part, resume) = match mode {
        UploadTarget::ViaTemp { resume } => (target.parent().join(&partial_name(name)), resume),
        UploadTarget::Direct { resume } => (target.clone(), resume),
    };
    let earlier = control.upload.and_then(|memo| memo.earlier.as_ref());
    let mut offset = if resume && fs.capabilities().resume_upload {
        fs.uploaded_so_far(&part, size, earlier)?
    } else {
        0
    };
    // Straight to the target: what it replaces is kept before the first byte is written.
    if part == *target
        && offset == 0
        && let Some(keep) = control.keep_replaced
    {
        keep_remote(fs, target, &RemotePath::new(&keep.to_string_lossy()))?;
    }
    if offset < size || offset == 0 {
        let mut from = Source {
            file: &mut file,
            path: source,
            size,
        };
        match send(fs, &mut from, &part, offset, control, target) {
            // The server cannot continue it: send the whole file again.
            Err(error) if offset > 0 && error.kind == ErrorKind::Unsupported => {
                offset = 0;
                send(fs, &mut from, &part, 0, control, target)?;
            }
            sent => sent?,
        }
    } else {
        control.progress.set_resumed_from(offset);
        control.progress.set_done(offset);
    }
    // A whole file written from its start and acknowledged (FTP's 226, SFTP's status
    // replies) is the server's; a continued one is measured, since servers differ in how
    // they append.
    if offset > 0 {
        check_uploaded_size(fs, &part, target, size)?;
    }
    if part != *target {
        put_in_place(fs, &part, target, control.keep_replaced)?;
    }
    if control.preserve_mtime
        && fs.capabilities().set_mtime
        && let Ok(modified) = meta.modified()
    {
        let _ = fs.set_mtime(target, modified.into());
    }
    Ok(size.saturating_sub(offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::memory::{Faults, MemoryFs};

    fn control<'a>(cancel: &'a AtomicBool, progress: &'a Progress) -> CopyControl<'a> {
        CopyControl {
            cancel,
            progress,
            throttle: &|_| {},
            preserve_mtime: true,
            chunk_limit: None,
            keep_replaced: None,
            upload: None,
        }
    }

    fn data(size: usize) -> Vec<u8> {
        (0..size).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn download_resumes_after_a_dropped_connection() {
        let server = MemoryFs::new();
        let content = data(3 * CHUNK + 123);
        server.put("/big.bin", &content);
        server.set_faults(Faults {
            drop_read_after: Some(CHUNK as u64 + 5),
            ..Faults::default()
        });
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("big.bin");
        let mut fs = server.clone();
        let path = RemotePath::new("/big.bin");
        let source = fs.stat(&path).unwrap();
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());

        let error = download_file(&mut fs, &path, &source, &target, &control(&cancel, &progress)).unwrap_err();
        assert_eq!(error.kind, ErrorKind::ConnectionLost);
        assert!(error.retryable);
        assert!(
            !target.exists(),
            "an incomplete download must not appear under the final name"
        );
        let part = dir.path().join(".big.bin.wharf-part");
        assert_eq!(fs::metadata(&part).unwrap().len(), CHUNK as u64 + 5);

        let moved = download_file(&mut fs, &path, &source, &target, &control(&cancel, &progress)).unwrap();
        assert_eq!(
            moved,
            content.len() as u64 - (CHUNK as u64 + 5),
            "the second attempt resumed"
        );
        assert_eq!(progress.resumed_from(), CHUNK as u64 + 5);
        assert_eq!(fs::read(&target).unwrap(), content);
        assert!(!part.exists());
    }

    /// A server whose listing misstates a file's size: a download is never finished
    /// against the listed size, and one that sends more stops as soon as it is more.
    #[test]
    fn a_misstated_size_is_never_marked_done() {
        let server = MemoryFs::new();
        let content = data(4 * CHUNK);
        server.put("/f", &content);
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f");
        let part = dir.path().join(".f.wharf-part");
        let mut fs = server.clone();
        let path = RemotePath::new("/f");
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());

        let mut listed_larger = fs.stat(&path).unwrap();
        listed_larger.size = Some(content.len() as u64 + 10);
        let error = download_file(&mut fs, &path, &listed_larger, &target, &control(&cancel, &progress)).unwrap_err();
        assert!(error.message.contains("where the server listed"), "{}", error.message);
        assert!(error.retryable, "fewer bytes than listed may be a dropped link");
        assert!(!target.exists());
        assert_eq!(fs::metadata(&part).unwrap().len(), content.len() as u64, "kept");
        let progress = Progress::default();
        let error = download_file(&mut fs, &path, &listed_larger, &target, &control(&cancel, &progress)).unwrap_err();
        assert!(
            !error.retryable,
            "resumed at the end, the server had nothing more: asking again cannot help"
        );
        fs::remove_file(&part).unwrap();

        let mut listed_smaller = fs.stat(&path).unwrap();
        listed_smaller.size = Some(10);
        let progress = Progress::default();
        let error = download_file(&mut fs, &path, &listed_smaller, &target, &control(&cancel, &progress)).unwrap_err();
        assert!(error.message.contains("gave at least"), "{}", error.message);
        assert!(
            !error.retryable,
            "the server's own words disagree; trying again cannot help"
        );
        assert!(!target.exists());
        assert!(
            fs::metadata(&part).unwrap().len() <= CHUNK as u64,
            "reading stopped at the first chunk past the listed size"
        );
    }

    #[test]
    fn a_partial_file_larger_than_the_source_starts_over() {
        let server = MemoryFs::new();
        server.put("/f", b"fresh");
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".f.wharf-part"), b"stale and much longer").unwrap();
        let mut fs = server.clone();
        let path = RemotePath::new("/f");
        let source = fs.stat(&path).unwrap();
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        download_file(
            &mut fs,
            &path,
            &source,
            &dir.path().join("f"),
            &control(&cancel, &progress),
        )
        .unwrap();
        assert_eq!(fs::read(dir.path().join("f")).unwrap(), b"fresh");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_under_the_partial_name_is_not_followed() {
        let server = MemoryFs::new();
        server.put("/f", b"x");
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"keep").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join(".f.wharf-part")).unwrap();
        let mut fs = server.clone();
        let path = RemotePath::new("/f");
        let source = fs.stat(&path).unwrap();
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        let result = download_file(
            &mut fs,
            &path,
            &source,
            &dir.path().join("f"),
            &control(&cancel, &progress),
        );
        assert!(result.is_err());
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
    }

    #[test]
    fn upload_resumes_and_renames_into_place() {
        let server = MemoryFs::new();
        server.put("/up/.keep", b"");
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("u.bin");
        let content = data(2 * CHUNK + 9);
        fs::write(&source, &content).unwrap();
        server.set_faults(Faults {
            drop_write_after: Some(1000),
            ..Faults::default()
        });
        let mut fs = server.clone();
        let target = RemotePath::new("/up/u.bin");
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        let error = upload_file(
            &mut fs,
            &source,
            &target,
            UploadTarget::ViaTemp { resume: false },
            &control(&cancel, &progress),
        )
        .unwrap_err();
        assert!(error.retryable);
        assert_eq!(server.get("/up/.u.bin.wharf-part").map(|d| d.len()), Some(1000));
        assert_eq!(server.get("/up/u.bin"), None);
        let moved = upload_file(
            &mut fs,
            &source,
            &target,
            // The next attempt of the same item continues what the first one left.
            UploadTarget::ViaTemp { resume: true },
            &control(&cancel, &progress),
        )
        .unwrap();
        assert_eq!(moved, content.len() as u64 - 1000);
        assert_eq!(server.get("/up/u.bin"), Some(content));
        assert_eq!(server.get("/up/.u.bin.wharf-part"), None);
    }

    /// Regression (issue 19): an attempt that failed before any data came (pure-ftpd's "425
    /// Unable to identify the local data socket") left an empty partial file, and every retry
    /// then failed with "file exists".
    #[test]
    fn an_empty_partial_file_from_a_failed_attempt_does_not_stop_the_next() {
        let server = MemoryFs::new();
        let content = data(5000);
        server.put("/f.bin", &content);
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f.bin");
        fs::write(dir.path().join(".f.bin.wharf-part"), b"").unwrap();
        let mut fs = server.clone();
        let source = fs.stat(&RemotePath::new("/f.bin")).unwrap();
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        download_file(
            &mut fs,
            &RemotePath::new("/f.bin"),
            &source,
            &target,
            &control(&cancel, &progress),
        )
        .unwrap();
        assert_eq!(fs::read(&target).unwrap(), content);
    }

    /// Sync's updates: the old version goes to the trash, its folders made on the way, and
    /// only then does the new one take its name.
    #[test]
    fn a_replaced_file_is_kept_where_asked_on_both_sides() {
        let server = MemoryFs::new();
        server.put("/site/page.html", b"old page");
        server.put("/site/new.html", b"remote new");
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("page.html");
        fs::write(&source, b"new page").unwrap();
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        let keep = PathBuf::from("/site/.wharf-trash/20260101-000000/page.html");
        let control = CopyControl {
            keep_replaced: Some(&keep),
            upload: None,
            ..control(&cancel, &progress)
        };
        let mut fs = server.clone();
        let target = RemotePath::new("/site/page.html");
        upload_file(
            &mut fs,
            &source,
            &target,
            UploadTarget::ViaTemp { resume: false },
            &control,
        )
        .unwrap();
        assert_eq!(server.get("/site/page.html").as_deref(), Some(&b"new page"[..]));
        assert_eq!(
            server.get("/site/.wharf-trash/20260101-000000/page.html").as_deref(),
            Some(&b"old page"[..])
        );
        // A second attempt of the same item (after a kill, say) finds the old version kept
        // and leaves it: the file at the target is its own.
        upload_file(
            &mut fs,
            &source,
            &target,
            UploadTarget::ViaTemp { resume: false },
            &control,
        )
        .unwrap();
        assert_eq!(
            server.get("/site/.wharf-trash/20260101-000000/page.html").as_deref(),
            Some(&b"old page"[..])
        );

        // A download keeps the local file it replaces the same way; a new one keeps nothing.
        let local_keep = dir.path().join(".wharf-trash/1/page.html");
        let control = CopyControl {
            keep_replaced: Some(&local_keep),
            upload: None,
            ..control
        };
        let remote = RemotePath::new("/site/new.html");
        let entry = fs.stat(&remote).unwrap();
        download_file(&mut fs, &remote, &entry, &source, &control).unwrap();
        assert_eq!(fs::read(&source).unwrap(), b"remote new");
        assert_eq!(fs::read(&local_keep).unwrap(), b"new page");
        let fresh = dir.path().join("fresh.html");
        let elsewhere = dir.path().join(".wharf-trash/2/fresh.html");
        let control = CopyControl {
            keep_replaced: Some(&elsewhere),
            upload: None,
            ..control
        };
        download_file(&mut fs, &remote, &entry, &fresh, &control).unwrap();
        assert!(!elsewhere.exists());
    }

    #[test]
    fn a_fresh_upload_overwrites_a_stranger_partial_file_without_asking_about_it() {
        let server = MemoryFs::new();
        server.put("/d/.a.wharf-part", b"left by something else");
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("a");
        fs::write(&source, b"abc").unwrap();
        let mut fs = server.clone();
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        let sent = upload_file(
            &mut fs,
            &source,
            &RemotePath::new("/d/a"),
            UploadTarget::ViaTemp { resume: false },
            &control(&cancel, &progress),
        )
        .unwrap();
        assert_eq!(sent, 3, "written from its start");
        assert_eq!(server.get("/d/a"), Some(b"abc".to_vec()));
        assert_eq!(server.get("/d/.a.wharf-part"), None);
    }

    #[test]
    fn a_folder_in_the_way_is_named_and_the_upload_kept() {
        let server = MemoryFs::new();
        server.put("/d/a/inside", b"x");
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("a");
        fs::write(&source, b"abc").unwrap();
        let mut fs = server.clone();
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        let error = upload_file(
            &mut fs,
            &source,
            &RemotePath::new("/d/a"),
            UploadTarget::ViaTemp { resume: false },
            &control(&cancel, &progress),
        )
        .unwrap_err();
        assert_eq!(error.kind, ErrorKind::AlreadyExists);
        assert!(
            error.message.contains("a folder is in the way: /d/a"),
            "{}",
            error.message
        );
        assert_eq!(server.get("/d/.a.wharf-part"), Some(b"abc".to_vec()));
    }

    #[test]
    fn an_upload_the_server_will_not_continue_is_sent_again_whole() {
        let server = MemoryFs::new();
        let content = data(10_000);
        server.put("/d/.a.wharf-part", &content[..4000]);
        server.set_faults(Faults {
            refuse_continuing: true,
            ..Faults::default()
        });
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("a");
        fs::write(&source, &content).unwrap();
        let mut fs = server.clone();
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        let sent = upload_file(
            &mut fs,
            &source,
            &RemotePath::new("/d/a"),
            UploadTarget::ViaTemp { resume: true },
            &control(&cancel, &progress),
        )
        .unwrap();
        assert_eq!(sent, 10_000, "all of it, from the start");
        assert_eq!(progress.resumed_from(), 0);
        assert_eq!(server.get("/d/a"), Some(content));
    }

    #[test]
    fn a_source_that_changes_while_it_is_uploaded_is_not_taken_for_complete() {
        let server = MemoryFs::new();
        server.put("/d/.keep", b"");
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("a");
        fs::write(&source, data(3 * CHUNK)).unwrap();
        let mut fs = server.clone();
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        // The file shrinks as soon as the first chunk is read.
        let shrink = |bytes: usize| {
            if bytes > 0 {
                let _ = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&source)
                    .and_then(|file| file.set_len(10));
            }
        };
        let control = CopyControl {
            cancel: &cancel,
            progress: &progress,
            throttle: &shrink,
            preserve_mtime: true,
            chunk_limit: None,
            keep_replaced: None,
            upload: None,
        };
        let error = upload_file(
            &mut fs,
            &source,
            &RemotePath::new("/d/a"),
            UploadTarget::ViaTemp { resume: false },
            &control,
        )
        .unwrap_err();
        assert!(
            error.message.contains("changed while it was uploaded"),
            "{}",
            error.message
        );
        assert_eq!(server.get("/d/a"), None, "nothing takes the target's name");
    }

    #[test]
    fn a_refused_rename_keeps_the_upload_for_later() {
        let server = MemoryFs::new();
        server.put("/d/.keep", b"");
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("a");
        fs::write(&source, b"abc").unwrap();
        server.set_faults(Faults {
            refuse_rename: true,
            ..Faults::default()
        });
        let mut fs = server.clone();
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        let result = upload_file(
            &mut fs,
            &source,
            &RemotePath::new("/d/a"),
            UploadTarget::ViaTemp { resume: false },
            &control(&cancel, &progress),
        );
        assert_eq!(result.unwrap_err().kind, ErrorKind::PermissionDenied);
        assert_eq!(server.get("/d/.a.wharf-part"), Some(b"abc".to_vec()));
    }

    #[test]
    fn a_full_server_disk_is_reported_as_such() {
        let server = MemoryFs::new();
        server.put("/d/.keep", b"");
        server.set_faults(Faults {
            capacity: Some(10),
            ..Faults::default()
        });
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("a");
        fs::write(&source, data(100)).unwrap();
        let mut fs = server.clone();
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        let error = upload_file(
            &mut fs,
            &source,
            &RemotePath::new("/d/a"),
            UploadTarget::ViaTemp { resume: false },
            &control(&cancel, &progress),
        )
        .unwrap_err();
        assert!(error.message.contains("uploading /d/a"), "{}", error.message);
    }

    #[test]
    fn cancel_stops_and_keeps_the_partial_file() {
        let server = MemoryFs::new();
        server.put("/f", &data(10));
        let dir = tempfile::tempdir().unwrap();
        let mut fs = server.clone();
        let path = RemotePath::new("/f");
        let source = fs.stat(&path).unwrap();
        let (cancel, progress) = (AtomicBool::new(true), Progress::default());
        let error = download_file(
            &mut fs,
            &path,
            &source,
            &dir.path().join("f"),
            &control(&cancel, &progress),
        )
        .unwrap_err();
        assert_eq!(error.kind, ErrorKind::Cancelled);
        assert!(!dir.path().join("f").exists());
    }
}
