//! THE boundary between the engine and its users (the window, the command line): closed sets
//! of plain-data [`Command`]s in and [`Event`]s out, like FileZilla's commands and
//! notifications. Every request carries an id; a reply names the id it answers, so a user
//! can drop replies it no longer cares about.
//!
//! Progress is not an event stream: a transfer hands out a [`Progress`] whose counters the
//! worker updates and the reader polls.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

pub use crate::model::location::RemotePath;
pub use crate::model::{Entry, EntryKind, Site};
pub use crate::protocol::{ErrorKind, FsError as OpError, LogDirection};

pub type RequestId = u64;
pub type SessionId = u64;
pub type PromptId = u64;
pub type TransferId = u64;

/// Which way a transfer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Download,
    Upload,
}

/// Copy `local` from or to `remote`. Like `cp`: when the destination is an existing folder,
/// the source goes inside it under its own name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferSpec {
    pub direction: Direction,
    pub local: PathBuf,
    pub remote: RemotePath,
    /// Copy folders with everything in them; without it, a folder is an error.
    pub recursive: bool,
}

/// Requests to the engine.
#[derive(Debug, Clone)]
pub enum Command {
    /// Opens a session; the reply is `Connected` or `OpFinished` with the error. The new
    /// session's id is the request id.
    Connect {
        id: RequestId,
        site: Site,
    },
    Disconnect {
        session: SessionId,
    },
    List {
        id: RequestId,
        session: SessionId,
        path: RemotePath,
    },
    Stat {
        id: RequestId,
        session: SessionId,
        path: RemotePath,
    },
    Mkdir {
        id: RequestId,
        session: SessionId,
        path: RemotePath,
    },
    /// Deletes a file, or a folder with everything in it when `recursive`. Links are
    /// removed, never followed.
    Delete {
        id: RequestId,
        session: SessionId,
        path: RemotePath,
        recursive: bool,
    },
    Rename {
        id: RequestId,
        session: SessionId,
        from: RemotePath,
        to: RemotePath,
    },
    Chmod {
        id: RequestId,
        session: SessionId,
        path: RemotePath,
        mode: u32,
    },
    Transfer {
        id: RequestId,
        session: SessionId,
        spec: TransferSpec,
    },
    /// Stops the request with this id as soon as possible; partial files stay for resuming.
    Cancel {
        id: RequestId,
    },
    Answer {
        prompt: PromptId,
        reply: PromptReply,
    },
    Shutdown,
}

/// Questions the engine cannot answer alone. A prompt blocks only the connection that asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    UnknownHostKey {
        host: String,
        port: u16,
        key_type: String,
        fingerprint: String,
    },
    /// A certificate the system does not vouch for and that is not pinned.
    Certificate {
        host: String,
        port: u16,
        fingerprint: String,
        problem: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptReply {
    /// Trust it for this run only.
    AcceptOnce,
    /// Trust it and remember it (known_hosts, pinned certificates).
    AcceptAlways,
    Refuse,
}

/// What a finished operation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OpSummary {
    pub files: u64,
    pub folders: u64,
    pub bytes: u64,
    /// Items that failed, each as a sentence; the operation went on without them.
    pub failed: Vec<String>,
    /// Names from the server that were refused as unsafe, as sentences.
    pub refused: Vec<String>,
}

/// Notifications from the engine.
#[derive(Debug, Clone)]
pub enum Event {
    Connected {
        id: RequestId,
        session: SessionId,
        security: String,
        home: String,
    },
    Disconnected {
        session: SessionId,
    },
    Listing {
        id: RequestId,
        path: RemotePath,
        entries: Vec<Entry>,
        refused: Vec<String>,
    },
    Stat {
        id: RequestId,
        entry: Entry,
    },
    OpFinished {
        id: RequestId,
        result: Result<OpSummary, OpError>,
    },
    TransferStarted {
        id: RequestId,
        transfer: TransferId,
        name: String,
        progress: Progress,
    },
    TransferFinished {
        id: RequestId,
        transfer: TransferId,
        result: Result<(), OpError>,
    },
    Prompt {
        prompt: PromptId,
        question: Prompt,
    },
    Log {
        session: Option<SessionId>,
        direction: LogDirection,
        text: String,
    },
}

#[derive(Debug, Default)]
struct Counters {
    done: AtomicU64,
    total: AtomicU64,
    resumed_from: AtomicU64,
}

/// Byte counters of one transfer, shared between the worker that writes them and any number
/// of readers. `total` is `u64::MAX` while unknown.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<Counters>);

impl Progress {
    pub fn new(total: Option<u64>) -> Self {
        let progress = Progress::default();
        progress.0.total.store(total.unwrap_or(u64::MAX), Ordering::Relaxed);
        progress
    }

    pub fn done(&self) -> u64 {
        self.0.done.load(Ordering::Relaxed)
    }

    pub fn total(&self) -> Option<u64> {
        match self.0.total.load(Ordering::Relaxed) {
            u64::MAX => None,
            total => Some(total),
        }
    }

    /// Where the transfer started when it resumed a partial file.
    pub fn resumed_from(&self) -> u64 {
        self.0.resumed_from.load(Ordering::Relaxed)
    }

    pub(crate) fn set_done(&self, done: u64) {
        self.0.done.store(done, Ordering::Relaxed);
    }

    pub(crate) fn add(&self, bytes: u64) {
        self.0.done.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn set_resumed_from(&self, offset: u64) {
        self.0.resumed_from.store(offset, Ordering::Relaxed);
    }
}
