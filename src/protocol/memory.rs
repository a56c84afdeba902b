//! An in-memory file system for tests, with faults that can be injected: the connection
//! drops after N bytes, a rename is refused, the disk fills up, a file changes mid-read, the
//! link hangs until the test lets it go on.
//! Clones share the same files, like several connections to one server.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Capabilities, ErrorKind, FsError, ReadStream, RemoteFs, ResumeToken, WriteStream};
use crate::model::location::RemotePath;
use crate::model::security::Security;
use crate::model::{Entry, EntryKind};

/// Faults to inject. Each fires once and then clears itself, like a transient failure.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// The connection breaks after this many bytes have been read from one file.
    pub drop_read_after: Option<u64>,
    /// Every read of a file breaks after this many bytes (a link that keeps dropping, as an
    /// FTP data connection on a flaky line does); unlike `drop_read_after`, it stays.
    pub drop_reads_every: Option<u64>,
    /// The connection breaks after this many bytes have been written to one file.
    pub drop_write_after: Option<u64>,
    /// The next rename is refused.
    pub refuse_rename: bool,
    /// Writes fail with "no space" once the total stored bytes reach this.
    pub capacity: Option<u64>,
    /// Reads of the next file opened wait (a hung link) at each of these offsets until its
    /// gate opens.
    pub hold_reads_at: Vec<(u64, Gate)>,
    /// Writes at an offset are refused, always (a server configured not to continue uploads,
    /// like ProFTPD without AllowStoreRestart).
    pub refuse_continuing: bool,
    /// Listing a folder panics, as a bug in a backend or a library it uses would.
    pub panic_in_listing: bool,
    /// The write that reaches this offset of the next file opened for writing waits until
    /// the gate opens and then fails, as a write waiting for a server that never answered.
    pub break_write_at: Option<(u64, Gate)>,
}

/// A door that a test opens: what waits at it goes on then. Nothing waits longer than
/// [`Gate::LONGEST`], after which the wait fails like a timed-out read.
#[derive(Debug, Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub const LONGEST: Duration = Duration::from_secs(30);

    pub fn open(&self) {
        let (open, opened) = &*self.0;
        *open.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = true;
        opened.notify_all();
    }

    /// Whether the gate opened in time.
    fn wait(&self) -> bool {
        let (open, opened) = &*self.0;
        let guard = open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (guard, _) = opened
            .wait_timeout_while(guard, Self::LONGEST, |open| !*open)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard
    }
}

#[derive(Debug, Clone)]
enum Node {
    File { data: Vec<u8>, modified: DateTime<Utc> },
    Dir,
}

#[derive(Debug, Default)]
struct State {
    nodes: BTreeMap<String, Node>,
    faults: Faults,
    /// Paths whose unfinished uploads were discarded (`RemoteFs::discard_upload`), with the
    /// handle each was discarded by.
    discarded: Vec<(String, Option<ResumeToken>)>,
    /// The earlier upload each `open_upload` was asked to continue, in order; the stream of
    /// the n-th (from 1) has the handle `upload-n`, as S3 gives each upload an id.
    uploads: Vec<Option<ResumeToken>>,
    /// Files open for reading now, and the most that ever were at once.
    open_reads: usize,
    most_open_reads: usize,
}

#[derive(Clone, Default)]
pub struct MemoryFs {
    state: Arc<Mutex<State>>,
}

fn key(path: &RemotePath) -> String {
    let text = path.as_str().trim_start_matches('~');
    if text.is_empty() {
        "/".to_owned()
    } else {
        text.to_owned()
    }
}

fn parent_key(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(index) => path[..index].to_owned(),
    }
}

fn not_found(path: &str) -> FsError {
    FsError::new(ErrorKind::NotFound, format!("{path} does not exist (memory)"))
}

impl MemoryFs {
    pub fn new() -> Self {
        let fs = MemoryFs::default();
        fs.lock().nodes.insert("/".to_owned(), Node::Dir);
        fs
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves the state usable for the rest.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    /// Creates or replaces a file, creating its folders.
    pub fn put(&self, path: &str, data: &[u8]) {
        let mut state = self.lock();
        let mut folder = parent_key(path);
        while folder != "/" {
            state.nodes.entry(folder.clone()).or_insert(Node::Dir);
            folder = parent_key(&folder);
        }
        state.nodes.insert(
            path.to_owned(),
            Node::File {
                data: data.to_vec(),
                modified: Utc::now(),
            },
        );
    }

    /// The paths whose unfinished uploads the queue discarded, in order, with the handles
    /// it gave.
    pub fn discarded(&self) -> Vec<(String, Option<ResumeToken>)> {
        self.lock().discarded.clone()
    }

    /// The most files that were open for reading at once.
    pub fn most_reads_at_once(&self) -> usize {
        self.lock().most_open_reads
    }

    /// The handle of the earlier upload each upload was opened to continue, in order.
    pub fn upload_opens(&self) -> Vec<Option<ResumeToken>> {
        self.lock().uploads.clone()
    }

    /// A file's contents, if it exists.
    pub fn get(&self, path: &str) -> Option<Vec<u8>> {
        match self.lock().nodes.get(path) {
            Some(Node::File { data, .. }) => Some(data.clone()),
            _ => None,
        }
    }

    fn stored_bytes(state: &State) -> u64 {
        state
            .nodes
            .values()
            .map(|node| match node {
                Node::File { data, .. } => data.len() as u64,
                Node::Dir => 0,
            })
            .sum()
    }
}

impl RemoteFs for MemoryFs {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            resume_download: true,
            resume_upload: true,
            set_mtime: true,
            exact_times: true,
            atomic_uploads: false,
        }
    }

    fn home(&self) -> &str {
        "/"
    }

    fn security(&self) -> Security {
        // In-process, like this computer's disk: nothing travels.
        Security::local("memory")
    }

    fn read_dir(&mut self, path: &RemotePath) -> Result<Vec<Entry>, FsError> {
        let dir = key(path);
        let state = self.lock();
        if state.faults.panic_in_listing {
            drop(state);
            panic!("a bug in a backend (memory, panic_in_listing)");
        }
        match state.nodes.get(&dir) {
            Some(Node::Dir) => {}
            Some(Node::File { .. }) => {
                return Err(FsError::new(
                    ErrorKind::Other,
                    format!("{dir} is a file, not a folder (memory)"),
                ));
            }
            None => return Err(not_found(&dir)),
        }
        let prefix = if dir == "/" { "/".to_owned() } else { format!("{dir}/") };
        Ok(state
            .nodes
            .iter()
            .filter_map(|(path, node)| {
                let name = path.strip_prefix(&prefix)?;
                (!name.is_empty() && !name.contains('/')).then(|| entry(name, node))
            })
            .collect())
    }

    fn stat(&mut self, path: &RemotePath) -> Result<Entry, FsError> {
        let path_key = key(path);
        let state = self.lock();
        let node = state.nodes.get(&path_key).ok_or_else(|| not_found(&path_key))?;
        Ok(entry(path.file_name().unwrap_or("/"), node))
    }

    fn mkdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let path_key = key(path);
        let mut state = self.lock();
        if state.nodes.contains_key(&path_key) {
            return Err(FsError::new(
                ErrorKind::AlreadyExists,
                format!("{path_key} already exists (memory)"),
            ));
        }
        if !matches!(state.nodes.get(&parent_key(&path_key)), Some(Node::Dir)) {
            return Err(not_found(&parent_key(&path_key)));
        }
        state.nodes.insert(path_key, Node::Dir);
        Ok(())
    }

    fn rmdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let path_key = key(path);
        let mut state = self.lock();
        let prefix = format!("{path_key}/");
        if state.nodes.keys().any(|other| other.starts_with(&prefix)) {
            return Err(FsError::new(
                ErrorKind::Other,
                format!("{path_key} is not empty (memory)"),
            ));
        }
        match state.nodes.get(&path_key) {
            Some(Node::Dir) => {
                state.nodes.remove(&path_key);
                Ok(())
            }
            _ => Err(not_found(&path_key)),
        }
    }

    fn discard_upload(&mut self, path: &RemotePath, token: Option<&ResumeToken>) -> Result<(), FsError> {
        self.lock().discarded.push((key(path), token.cloned()));
        Ok(())
    }

    fn remove(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let path_key = key(path);
        match self.lock().nodes.remove(&path_key) {
            Some(Node::File { .. }) => Ok(()),
            _ => Err(not_found(&path_key)),
        }
    }

    fn rename(&mut self, from: &RemotePath, to: &RemotePath) -> Result<(), FsError> {
        let (from, to) = (key(from), key(to));
        let mut state = self.lock();
        if std::mem::take(&mut state.faults.refuse_rename) {
            return Err(FsError::new(
                ErrorKind::PermissionDenied,
                format!("renaming {from} failed: permission denied (memory)"),
            ));
        }
        // Like rename(2) and every server: a file never replaces a folder.
        if matches!(state.nodes.get(&to), Some(Node::Dir)) && !matches!(state.nodes.get(&from), Some(Node::Dir)) {
            return Err(FsError::new(
                ErrorKind::AlreadyExists,
                format!("renaming {from} failed: {to} is a folder (memory)"),
            ));
        }
        let node = state.nodes.remove(&from).ok_or_else(|| not_found(&from))?;
        state.nodes.insert(to, node);
        Ok(())
    }

    fn chmod(&mut self, _path: &RemotePath, _mode: u32) -> Result<(), FsError> {
        Err(FsError::new(
            ErrorKind::Unsupported,
            "the memory file system has no permissions",
        ))
    }

    fn set_mtime(&mut self, path: &RemotePath, time: DateTime<Utc>) -> Result<(), FsError> {
        let path_key = key(path);
        match self.lock().nodes.get_mut(&path_key) {
            Some(Node::File { modified, .. }) => {
                *modified = time;
                Ok(())
            }
            _ => Err(not_found(&path_key)),
        }
    }

    fn open_read(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn ReadStream + '_>, FsError> {
        let path_key = key(path);
        let mut state = self.lock();
        let data = match state.nodes.get(&path_key) {
            Some(Node::File { data, .. }) => data.clone(),
            _ => return Err(not_found(&path_key)),
        };
        let drop_after = state.faults.drop_read_after.take().or(state.faults.drop_reads_every);
        let holds = std::mem::take(&mut state.faults.hold_reads_at);
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(data.len());
        state.open_reads += 1;
        state.most_open_reads = state.most_open_reads.max(state.open_reads);
        drop(state);
        Ok(Box::new(MemoryReader {
            fs: self.clone(),
            data,
            position: start,
            served: 0,
            drop_after,
            holds,
        }))
    }

    fn open_write(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn WriteStream + '_>, FsError> {
        Ok(self.writer(path, offset)?)
    }

    fn open_upload(
        &mut self,
        path: &RemotePath,
        offset: u64,
        _length: u64,
        earlier: Option<&ResumeToken>,
    ) -> Result<Box<dyn WriteStream + '_>, FsError> {
        let mut writer = self.writer(path, offset)?;
        let mut state = self.lock();
        state.uploads.push(earlier.cloned());
        writer.token = Some(ResumeToken(format!("upload-{}", state.uploads.len())));
        Ok(writer)
    }
}

impl MemoryFs {
    fn writer(&mut self, path: &RemotePath, offset: u64) -> Result<Box<MemoryWriter>, FsError> {
        let path_key = key(path);
        let mut state = self.lock();
        if offset > 0 && state.faults.refuse_continuing {
            return Err(FsError::new(
                ErrorKind::Unsupported,
                format!("continuing {path_key} is not allowed (memory)"),
            ));
        }
        if !matches!(state.nodes.get(&parent_key(&path_key)), Some(Node::Dir)) {
            return Err(not_found(&parent_key(&path_key)));
        }
        let mut data = match state.nodes.get(&path_key) {
            Some(Node::File { data, .. }) => data.clone(),
            Some(Node::Dir) => {
                return Err(FsError::new(
                    ErrorKind::Other,
                    format!("{path_key} is a folder (memory)"),
                ));
            }
            None => Vec::new(),
        };
        data.truncate(usize::try_from(offset).unwrap_or(usize::MAX));
        state.nodes.insert(
            path_key.clone(),
            Node::File {
                data,
                modified: Utc::now(),
            },
        );
        let drop_after = state.faults.drop_write_after.take();
        let break_at = state.faults.break_write_at.take();
        drop(state);
        Ok(Box::new(MemoryWriter {
            fs: self.clone(),
            path: path_key,
            written: 0,
            drop_after,
            break_at,
            token: None,
        }))
    }
}

fn entry(name: &str, node: &Node) -> Entry {
    match node {
        Node::Dir => Entry::new(name, EntryKind::Dir),
        Node::File { data, modified } => {
            let mut entry = Entry::new(name, EntryKind::File);
            entry.size = Some(data.len() as u64);
            entry.modified = Some(*modified);
            entry
        }
    }
}

struct MemoryReader {
    fs: MemoryFs,
    data: Vec<u8>,
    position: usize,
    served: u64,
    drop_after: Option<u64>,
    holds: Vec<(u64, Gate)>,
}

impl Read for MemoryReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut limit = buf.len();
        if let Some((at, gate)) = self.holds.first() {
            let left = at.saturating_sub(self.served);
            if left == 0 {
                if !gate.wait() {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "injected: the link hung"));
                }
                self.holds.remove(0);
                return self.read(buf);
            }
            limit = limit.min(usize::try_from(left).unwrap_or(usize::MAX));
        }
        if let Some(after) = self.drop_after {
            let left = after.saturating_sub(self.served);
            if left == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "injected: connection dropped",
                ));
            }
            limit = limit.min(usize::try_from(left).unwrap_or(usize::MAX));
        }
        let rest = self.data.get(self.position..).unwrap_or(&[]);
        let count = rest.len().min(limit);
        buf[..count].copy_from_slice(&rest[..count]);
        self.position += count;
        self.served += count as u64;
        Ok(count)
    }
}

impl Drop for MemoryReader {
    fn drop(&mut self) {
        let mut state = self.fs.lock();
        state.open_reads = state.open_reads.saturating_sub(1);
    }
}

impl ReadStream for MemoryReader {
    fn finish(self: Box<Self>) -> Result<(), FsError> {
        Ok(())
    }
}

struct MemoryWriter {
    fs: MemoryFs,
    path: String,
    written: u64,
    drop_after: Option<u64>,
    break_at: Option<(u64, Gate)>,
    token: Option<ResumeToken>,
}

impl Write for MemoryWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut count = buf.len();
        if let Some((at, gate)) = &self.break_at {
            let left = at.saturating_sub(self.written);
            if left == 0 {
                gate.wait();
                self.break_at = None;
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "injected: the server did not answer",
                ));
            }
            count = count.min(usize::try_from(left).unwrap_or(usize::MAX));
        }
        if let Some(after) = self.drop_after {
            let left = after.saturating_sub(self.written);
            if left == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "injected: connection dropped",
                ));
            }
            count = count.min(usize::try_from(left).unwrap_or(usize::MAX));
        }
        let mut state = self.fs.lock();
        if let Some(capacity) = state.faults.capacity {
            let left = capacity.saturating_sub(MemoryFs::stored_bytes(&state));
            if left == 0 {
                return Err(io::Error::from(io::ErrorKind::StorageFull));
            }
            count = count.min(usize::try_from(left).unwrap_or(usize::MAX));
        }
        match state.nodes.get_mut(&self.path) {
            Some(Node::File { data, .. }) => data.extend_from_slice(&buf[..count]),
            _ => return Err(io::Error::new(io::ErrorKind::NotFound, "the file was removed")),
        }
        self.written += count as u64;
        Ok(count)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl WriteStream for MemoryWriter {
    fn finish(self: Box<Self>) -> Result<(), FsError> {
        Ok(())
    }

    fn resume_token(&self) -> Option<ResumeToken> {
        self.token.clone()
    }
}
