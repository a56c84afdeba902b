//! THE boundary between the engine and its users (the window, the command line): closed sets
//! of plain-data [`Command`]s in and [`Event`]s out, like FileZilla's commands and
//! notifications. Every request carries an id; a reply names the id it answers, so a user
//! can drop replies it no longer cares about.
//!
//! Progress is not an event stream: a transfer hands out a [`Progress`] whose counters the
//! worker updates and the reader polls.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

use crate::model::Secret;

pub(crate) use super::diagnosis::Cost;
pub use super::diagnosis::{Bottleneck, Connections, LinkFacts, TimeSpent};
pub use super::progress::SpeedMeter;
pub use crate::model::location::RemotePath;
pub use crate::model::queue::{ChecksumAlgorithm, ConflictPolicy, Direction, ItemKind, ItemStatus, Verification};
pub use crate::model::saved_site::{Auth, FtpTls, ImportReport, KeyringStatus, SavedSite, SecretKind, TransferType};
pub use crate::model::security::{Encryption, Security};
pub use crate::model::sync::{
    Compare, PlanEntry, PlanTotals, Reason, SyncAction, SyncOptions, SyncPlan, TimeSource, Tree, TreeEntry,
};
pub use crate::model::trust::{PinnedCertificate, TrustEntry, TrustedHostKey};
pub use crate::model::{Entry, EntryKind, Site};
pub use crate::protocol::{ErrorKind, FsError as OpError, LogDirection, ServerPrompt, ServerQuestions};

/// Declares an id: a number that only compares with ids of its own kind.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(u64);

        impl $name {
            /// The id with this number (the engine hands them out; tests make their own).
            pub const fn new(number: u64) -> Self {
                $name(number)
            }

            /// The id's number.
            pub const fn get(self) -> u64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A request; its reply names it.
    RequestId
);
id_type!(
    /// An open browsing session: the id of the request that opened it.
    SessionId
);
id_type!(
    /// A question the engine asked (`Event::Prompt`), for its answer.
    PromptId
);
id_type!(
    /// A queue item; the same id in the queue database.
    ItemId
);
id_type!(
    /// A set of items queued by one `Enqueue`.
    JobId
);

impl SessionId {
    /// The session opened by request `id` (`Connect`, `OpenLocal`).
    pub const fn opened_by(id: RequestId) -> SessionId {
        SessionId(id.0)
    }
}

impl ItemId {
    /// The item with this row id of the queue database (which never hands out negative ones).
    pub fn from_sql(row: i64) -> ItemId {
        ItemId(u64::try_from(row).unwrap_or(0))
    }

    /// The item's row id in the queue database.
    pub fn to_sql(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }
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
    /// Where the file this transfer replaces at its target is moved to, instead of being
    /// overwritten (a local path for downloads, a remote one for uploads). Sync keeps the
    /// old version of an updated file in its trash so that `--undo` can bring it back.
    /// Only for a file transfer: a folder's contents replace without keeping.
    pub keep_replaced: Option<PathBuf>,
}

/// Requests to the engine, grouped by the part of the engine that handles them.
#[derive(Debug, Clone)]
pub enum Command {
    /// Opens, uses or closes a browsing session.
    Session(SessionCommand),
    /// Changes or runs the transfer queue.
    Queue(QueueCommand),
    /// Reads or changes the saved sites.
    Sites(SitesCommand),
    /// Reads or changes what Wharf trusts (host keys, pinned certificates).
    Trust(TrustCommand),
    /// Stops the request with this id as soon as possible.
    Cancel { id: RequestId },
    /// Answers a question the engine asked with `Event::Prompt`.
    Answer { prompt: PromptId, reply: PromptReply },
    /// Plans a sync of one folder tree onto another (both from `SessionRequest::ListTree`),
    /// off the caller's thread; the reply is `SyncPlanned`.
    PlanSync {
        id: RequestId,
        source: Box<Tree>,
        target: Box<Tree>,
        options: SyncOptions,
    },
    /// Stops the engine: running transfers stay resumable.
    Shutdown,
}

/// Opens, uses or closes a browsing session (one connection of its own).
#[derive(Debug, Clone)]
pub enum SessionCommand {
    /// Opens a session; the reply is `Connected` or `OpFinished` with the error. The new
    /// session's id is the request id.
    Connect { id: RequestId, site: Site },
    /// Opens a session on this computer's disk, for the window's local pane: the same
    /// requests (list, mkdir, rename, delete, chmod) with absolute local paths, run off the
    /// window's thread. The reply is `Connected` with the user's home folder.
    OpenLocal { id: RequestId },
    /// Closes a session once its current request is done; the reply is `Disconnected`.
    Disconnect { session: SessionId },
    /// Closes a session once its current request is done and gives its connection to the
    /// queue, which uses it for its next transfer to the same site instead of logging in
    /// again (the command line's `get` and `put`, whose session has nothing left to do). The
    /// reply is `Disconnected`; a transfer queued after it finds the connection waiting.
    HandOver { session: SessionId },
    /// Runs a request on an open session, after the ones sent to it before. When the session
    /// is closed, the reply is `OpFinished` with an error.
    Request {
        session: SessionId,
        request: SessionRequest,
    },
}

/// A request to an open browsing session.
#[derive(Debug, Clone)]
pub enum SessionRequest {
    /// Lists a folder; the reply is `Listing`, or `OpFinished` with the error.
    List { id: RequestId, path: RemotePath },
    /// Looks at one file or folder; the reply is `Stat`, or `OpFinished` with the error.
    Stat { id: RequestId, path: RemotePath },
    /// Creates a folder; the reply is `OpFinished`.
    Mkdir { id: RequestId, path: RemotePath },
    /// Deletes a file, or a folder with everything in it when `recursive`. Links are
    /// removed, never followed. The reply is `OpFinished`.
    Delete {
        id: RequestId,
        path: RemotePath,
        recursive: bool,
    },
    /// Renames (moves) a file or folder; the reply is `OpFinished`.
    Rename {
        id: RequestId,
        from: RemotePath,
        to: RemotePath,
    },
    /// Changes a file's or folder's permission bits; the reply is `OpFinished`.
    Chmod { id: RequestId, path: RemotePath, mode: u32 },
    /// Lists a folder and everything below it, without following links; the reply is
    /// `Tree` (with `exists: false` when the folder is not there), or `OpFinished` with the
    /// error. Cancellable.
    ListTree { id: RequestId, path: RemotePath },
    /// The digests of files below `root` (paths relative to it, `/` between folders), for
    /// `--checksum`: the server's own when it has one of `algorithm` (any, when `None`),
    /// else the file read through. The reply is `Checksums`; cancellable.
    Checksums {
        id: RequestId,
        root: RemotePath,
        paths: Vec<String>,
        algorithm: Option<ChecksumAlgorithm>,
    },
}

impl SessionRequest {
    /// The id the reply to this request will carry.
    pub fn id(&self) -> RequestId {
        match self {
            SessionRequest::List { id, .. }
            | SessionRequest::Stat { id, .. }
            | SessionRequest::Mkdir { id, .. }
            | SessionRequest::Delete { id, .. }
            | SessionRequest::Rename { id, .. }
            | SessionRequest::Chmod { id, .. }
            | SessionRequest::ListTree { id, .. }
            | SessionRequest::Checksums { id, .. } => *id,
        }
    }
}

impl Command {
    /// Runs `request` on the open session `session`.
    pub fn request(session: SessionId, request: SessionRequest) -> Command {
        Command::Session(SessionCommand::Request { session, request })
    }
}

impl From<SessionCommand> for Command {
    fn from(command: SessionCommand) -> Command {
        Command::Session(command)
    }
}

impl From<QueueCommand> for Command {
    fn from(command: QueueCommand) -> Command {
        Command::Queue(command)
    }
}

impl From<SitesCommand> for Command {
    fn from(command: SitesCommand) -> Command {
        Command::Sites(command)
    }
}

impl From<TrustCommand> for Command {
    fn from(command: TrustCommand) -> Command {
        Command::Trust(command)
    }
}

/// Changes or runs the transfer queue. Replies come as item and job events.
#[derive(Debug, Clone)]
pub enum QueueCommand {
    /// Adds transfers to the queue. They run on the queue's own connections to `site`
    /// (which carries the password for this run; the queue database never sees it).
    /// `JobFinished` with this id says when all of them, folders' contents included, ended.
    Enqueue {
        job: JobId,
        site: Site,
        specs: Vec<TransferSpec>,
        options: TransferOptions,
        /// Add the items paused: they wait for `Resume` ("add to queue without starting").
        paused: bool,
    },
    /// Holds pending or running items; a running one stops and keeps its partial file.
    Pause { items: Selection },
    /// Lets paused items run again.
    Resume { items: Selection },
    /// Removes items from the running queue for good (their partial files stay on disk).
    CancelItems { items: Selection },
    /// Puts failed or cancelled items back in the queue with fresh attempts.
    Retry { items: Selection },
    /// Moves a pending item in the queue; the reply is `QueueOrder`.
    Reprioritize { item: ItemId, to: Move },
    /// Changes how many transfers run at once and how fast.
    SetLimits { limits: QueueLimits },
    /// Forgets finished items: done and skipped ones, failed and cancelled ones, or both.
    Clear { done: bool, failed: bool },
    /// Runs everything pending in the queue, including what an earlier run left behind.
    Run,
}

/// Reads or changes the saved sites.
#[derive(Debug, Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "sent once per user action; boxing the site would only burden every sender"
)]
pub enum SitesCommand {
    /// Reads the saved sites; the reply is `Sites`.
    List { id: RequestId },
    /// Saves a site (a new one when its id is empty, else the one with that id), and its
    /// password or passphrase into the OS keyring when given. The reply is `SiteSaved`, or
    /// `OpFinished` with the error.
    Save {
        id: RequestId,
        site: SavedSite,
        secret: Option<Secret>,
    },
    /// Forgets a site (by path or unique name) and its keyring entries.
    Delete { id: RequestId, name: String },
    /// Looks up `NAME/path` (what follows `site:`): the saved site by path or unique name,
    /// its secret from the keyring, and the folder. The reply is `SiteResolved` (ready for
    /// `Connect` and `Enqueue`), or `OpFinished` with the error.
    Resolve { id: RequestId, reference: String },
    /// Copies a site (by path or unique name) under a free name, keyring secret included.
    /// The reply is `SiteSaved` with the copy.
    Duplicate { id: RequestId, name: String },
    /// Creates, renames (moves) or deletes a folder of the site tree. Deleting a folder
    /// forgets its sites and their keyring entries. The reply is `Sites`.
    EditFolder { id: RequestId, edit: FolderEdit },
    /// Imports sites from another program's file; the reply is `Imported`.
    Import { id: RequestId, source: ImportSource },
    /// After a FileZilla import: removes the passwords of `sites` (their paths in FileZilla's
    /// file, as `ImportReport::passwords_moved` lists them) from `file`, keeping a backup as
    /// `FILE.bak`. The reply is `Imported` with a warning saying what was done.
    RemoveImportedPasswords {
        id: RequestId,
        file: PathBuf,
        sites: Vec<String>,
    },
}

/// Reads or changes what Wharf trusts.
#[derive(Debug, Clone)]
pub enum TrustCommand {
    /// Lists the recorded host keys and pinned certificates; the reply is `Trust`.
    List { id: RequestId },
    /// Forgets a host key (from Wharf's own known_hosts) or a pinned certificate; the next
    /// connection asks again. The reply is `Trust`.
    Forget { id: RequestId, entry: TrustEntry },
}

/// A change to the folders of the site tree (`/`-separated paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderEdit {
    /// Creates a folder (and the folders above it).
    Create { path: String },
    /// Renames or moves a folder with everything in it.
    Rename { from: String, to: String },
    /// Deletes a folder, its sites and their keyring entries.
    Delete { path: String },
}

/// Where sites are imported from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportSource {
    /// FileZilla's `sitemanager.xml`. With `scrub`, the passwords moved into the keyring are
    /// then removed from the file (after a backup next to it, `.bak`).
    FileZilla { file: PathBuf, scrub: bool },
    /// OpenSSH's client configuration (`~/.ssh/config`).
    SshConfig { file: PathBuf },
}

/// Which queue items a command is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every item of the queue.
    All,
    /// These items.
    Items(Vec<ItemId>),
}

/// Where a pending item moves in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// One place towards the front.
    Up,
    /// One place towards the back.
    Down,
    /// To the front of the queue.
    Top,
    /// To the back of the queue.
    Bottom,
}

/// How much the queue does at once. Rates are bytes per second; `None` is unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueLimits {
    /// Transfers at once over all sites (1 to 16).
    pub parallel: usize,
    /// Transfers at once per site (lowered by itself when a server refuses connections).
    pub per_site: usize,
    /// `-j auto`: each site starts at `per_site`, and the queue doubles that while the site's
    /// throughput grows with it, up to `parallel` (see `engine::auto_parallel`).
    pub auto_parallel: bool,
    pub download_rate: Option<u64>,
    pub upload_rate: Option<u64>,
    /// Seconds a connection may move nothing (no data, no reply) before it is given up; a
    /// transfer is then retried and resumed. Applies to connections opened after a change.
    pub idle_timeout: u64,
}

impl QueueLimits {
    /// Transfers at once per site: fixed when the user chooses a number, and where `-j auto`
    /// starts.
    pub const DEFAULT_PARALLEL: usize = 4;
    /// 30 s: long enough for a busy server's slow reply (a big folder's listing, the final
    /// reply after an upload while the server writes it out), short enough that a hung link
    /// is given up and resumed within a minute with the retry's delay. FileZilla waits 20 s,
    /// WinSCP 15 s; the queue shows "stalled" after 10 s either way.
    pub const DEFAULT_IDLE_TIMEOUT: u64 = 30;
    /// The most transfers at once, overall or per site.
    pub const MAX_PARALLEL: usize = 16;

    /// `parallel` transfers at once, overall and per site (`-j N`).
    pub fn fixed(parallel: usize) -> Self {
        QueueLimits {
            parallel,
            per_site: parallel,
            auto_parallel: false,
            ..QueueLimits::default()
        }
    }
}

/// `-j auto`, no rate limits.
impl Default for QueueLimits {
    fn default() -> Self {
        QueueLimits {
            parallel: QueueLimits::MAX_PARALLEL,
            per_site: QueueLimits::DEFAULT_PARALLEL,
            auto_parallel: true,
            download_rate: None,
            upload_rate: None,
            idle_timeout: QueueLimits::DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// Per-transfer choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferOptions {
    pub on_conflict: ConflictPolicy,
    /// Give the copy the source's modification time.
    pub preserve_mtime: bool,
    /// Upload to a temporary name and rename when complete (some servers forbid renames).
    pub upload_via_temp: bool,
}

impl Default for TransferOptions {
    fn default() -> Self {
        TransferOptions {
            on_conflict: ConflictPolicy::Ask,
            preserve_mtime: true,
            upload_via_temp: true,
        }
    }
}

/// Where a queue item is in its life, with the reason for failures and skips.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum TransferState {
    /// Waiting for its turn.
    Queued,
    /// Getting a connection (and logging in).
    Connecting,
    /// Waiting for the user to give the site's password (or key passphrase).
    #[serde(rename = "waiting_for_password")]
    WaitingForPassword,
    /// Moving bytes.
    Transferring,
    /// Checking the copy (size, and the server's checksum when it offers one).
    Verifying,
    /// Running, but nothing has moved for `quiet_secs` seconds: the server is slow or the
    /// link hung. The attempt gives up when the connection's idle timeout passes.
    Stalled { quiet_secs: u64 },
    /// Another Wharf process (a window, or `wharf get`) is running it now.
    #[serde(rename = "running_elsewhere")]
    RunningElsewhere,
    /// Failed with an error that may pass; runs again after the delay.
    Waiting { reason: String, retry_in_secs: u64 },
    /// Held until resumed.
    Paused,
    /// `verified` says how: `size`, or `size, SHA-256` ...
    Done { verified: Verification },
    /// Not transferred on purpose: `reason` says why (the target existed ...).
    Skipped { reason: String },
    /// Given up on: `reason` is the last error.
    Failed { reason: String },
    /// Removed from the running queue by the user.
    Cancelled,
}

impl TransferState {
    /// Finished for good: it will not run again unless retried.
    pub fn is_finished(&self) -> bool {
        self.status().is_finished()
    }

    /// The state without its details, as the queue database records it.
    pub fn status(&self) -> ItemStatus {
        match self {
            TransferState::Queued | TransferState::Waiting { .. } => ItemStatus::Queued,
            TransferState::Connecting
            | TransferState::WaitingForPassword
            | TransferState::Transferring
            | TransferState::Verifying
            | TransferState::Stalled { .. }
            | TransferState::RunningElsewhere => ItemStatus::Running,
            TransferState::Paused => ItemStatus::Paused,
            TransferState::Done { .. } => ItemStatus::Done,
            TransferState::Skipped { .. } => ItemStatus::Skipped,
            TransferState::Failed { .. } => ItemStatus::Failed,
            TransferState::Cancelled => ItemStatus::Cancelled,
        }
    }

    /// Between starting and finishing an attempt, here or in another Wharf process: its
    /// progress moves (a watching queue reads another process's from the database), so
    /// speed and ETA are measured.
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            TransferState::Connecting
                | TransferState::WaitingForPassword
                | TransferState::Transferring
                | TransferState::Verifying
                | TransferState::Stalled { .. }
                | TransferState::RunningElsewhere
        )
    }

    pub fn label(&self) -> &'static str {
        match self {
            TransferState::Queued => "queued",
            TransferState::Connecting => "connecting",
            TransferState::WaitingForPassword => "waiting for the password",
            TransferState::Transferring => "transferring",
            TransferState::Verifying => "verifying",
            TransferState::Stalled { .. } => "stalled",
            TransferState::RunningElsewhere => "running in another Wharf",
            TransferState::Waiting { .. } => "waiting",
            TransferState::Paused => "paused",
            TransferState::Done { .. } => "done",
            TransferState::Skipped { .. } => "skipped",
            TransferState::Failed { .. } => "failed",
            TransferState::Cancelled => "cancelled",
        }
    }
}

/// One item of the queue as its users see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueItem {
    pub id: ItemId,
    /// The `Enqueue` it came from in this run; `None` for items restored from an earlier run.
    pub job: Option<JobId>,
    pub direction: Direction,
    pub kind: ItemKind,
    pub local: PathBuf,
    pub remote: String,
    /// The server, as `scheme://user@host:port` (no secrets).
    pub site: String,
    pub size: Option<u64>,
    pub state: TransferState,
    pub attempts: u32,
    /// The offset reached (checkpointed at least every second while running).
    pub bytes_done: u64,
}

/// Items per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    pub queued: usize,
    pub running: usize,
    pub waiting: usize,
    pub paused: usize,
    pub done: usize,
    pub skipped: usize,
    pub failed: usize,
    pub cancelled: usize,
}

/// Where Wharf keeps its files, as plain paths (the About dialog shows them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folders {
    /// Settings, saved sites, trusted host keys and certificates, the window's layout.
    pub config: PathBuf,
    /// The transfer queue's database.
    pub queue: PathBuf,
}

/// Questions the engine cannot answer alone. A prompt blocks only the connection that asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// An SSH server whose host key is not recorded: trust it or not.
    UnknownHostKey {
        host: String,
        port: u16,
        /// How to name the server: its alias, and its role when it is a jump host.
        server: String,
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
    /// A transfer's target exists. Answer with `PromptReply::Conflict`.
    FileExists {
        item: ItemId,
        target: String,
        source_size: Option<u64>,
        source_modified: Option<chrono::DateTime<chrono::Utc>>,
        target_size: Option<u64>,
        target_modified: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The queue needs the password (or key passphrase) for a site it restored from an
    /// earlier run. Answer with `PromptReply::Password`; it is kept in memory only.
    Password { site: String, passphrase: bool },
    /// An SSH server's own login questions (keyboard-interactive): a one-time code, a
    /// password change. Answer with `PromptReply::Answers`, one per prompt.
    Questions(ServerQuestions),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptReply {
    /// Trust it for this run only.
    AcceptOnce,
    /// Trust it and remember it (known_hosts, pinned certificates).
    AcceptAlways,
    /// Do not trust it (or, for a password, give none): the connection fails.
    Refuse,
    /// For `FileExists`: what to do, and whether for the rest of the queue too.
    Conflict { policy: ConflictPolicy, apply_to_all: bool },
    /// For `Password`: the password or passphrase.
    Password(Secret),
    /// For `Questions`: the answers, in the order of the prompts.
    Answers(Vec<Secret>),
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
    /// Items not transferred on purpose (the target existed, links), as sentences.
    pub skipped: Vec<String>,
}

/// Notifications from the engine.
#[derive(Debug, Clone)]
pub enum Event {
    /// A session opened (the reply to `Connect` and `OpenLocal`), with how it is protected and its
    /// login folder.
    Connected {
        id: RequestId,
        session: SessionId,
        security: Security,
        home: String,
        /// How exact the listed times are: to the second, or as an FTP `LIST` or `ls -l`
        /// gives them (minutes, days). Compare reads times with it.
        times: TimeSource,
    },
    /// A session closed after `Disconnect` (once its last request was done).
    Disconnected { session: SessionId },
    /// A folder's entries (the reply to `List`); `refused` are names from the server that were
    /// unsafe, as sentences.
    Listing {
        id: RequestId,
        path: RemotePath,
        entries: Vec<Entry>,
        refused: Vec<String>,
    },
    /// One entry (the reply to `Stat`).
    Stat { id: RequestId, entry: Entry },
    /// The reply to `Checksums`: one per path, in order, as `ALGORITHM:hex`, or `None` for a
    /// file that could not be read.
    Checksums { id: RequestId, sums: Vec<Option<String>> },
    /// A folder's tree (the reply to `ListTree`).
    Tree {
        id: RequestId,
        path: RemotePath,
        tree: Box<Tree>,
    },
    /// The reply to `PlanSync`: the plan, or why there is none (a filter that does not
    /// parse), as a sentence.
    SyncPlanned {
        id: RequestId,
        result: Result<Box<SyncPlan>, String>,
    },
    /// A request ended: what it did, or its error.
    OpFinished {
        id: RequestId,
        result: Result<OpSummary, OpError>,
    },
    /// Items joined the queue (restored, enqueued, or found in a folder being expanded). An
    /// item named again replaces what was known of it (a resolved `Auto` item).
    ItemsAdded { items: Vec<QueueItem> },
    /// An item changed state. While it runs, `progress` carries its live byte counters.
    ItemChanged {
        item: ItemId,
        state: TransferState,
        attempts: u32,
        progress: Progress,
    },
    /// Items left the queue (`QueueCommand::Clear`).
    ItemsRemoved { items: Vec<ItemId> },
    /// The order of the pending items changed (after `Reprioritize`).
    QueueOrder { pending: Vec<ItemId> },
    /// Everything an `Enqueue` started (folders' contents included) has finished.
    JobFinished { job: JobId, summary: OpSummary },
    /// The queue was read from its database at start.
    QueueLoaded { counts: QueueCounts },
    /// Nothing is running or due to run any more (paused items may remain).
    QueueIdle { counts: QueueCounts },
    /// A question for the user; answer it with `Command::Answer`.
    Prompt { prompt: PromptId, question: Prompt },
    /// A server's SSH host key differs from the one recorded: the connection was refused
    /// (its request fails with an error of kind `HostKey`). Not a question: there is nothing
    /// to accept; the user must check with the server's administrator.
    HostKeyChanged {
        host: String,
        port: u16,
        key_type: String,
        fingerprint: String,
        recorded: Vec<String>,
        /// Wharf's own known_hosts file, where the old line is removed if the change is real.
        known_hosts: PathBuf,
    },
    /// A line of a connection's conversation, or of the queue's own notes (`session` is `None` for
    /// the queue).
    Log {
        session: Option<SessionId>,
        direction: LogDirection,
        text: String,
    },
    /// The saved sites (the reply to `SitesCommand::List`, and to folder edits).
    Sites {
        id: RequestId,
        sites: Vec<SavedSite>,
        /// Folders of the site tree, including empty ones.
        folders: Vec<String>,
        keyring: KeyringStatus,
    },
    /// A site was saved (with its id). `warning` says when its secret could not be kept.
    SiteSaved {
        id: RequestId,
        site: SavedSite,
        warning: Option<String>,
    },
    /// A saved site ready to connect: `site` carries the keyring's secret when there is one;
    /// `secret_missing` says the site needs a password or passphrase that must be asked for
    /// (and why).
    SiteResolved {
        id: RequestId,
        saved: SavedSite,
        site: Site,
        /// The path after the site's name, else the site's remote folder, else `~`.
        path: RemotePath,
        secret_missing: Option<String>,
    },
    /// What an import did (the reply to `Import` and `RemoveImportedPasswords`).
    Imported { id: RequestId, report: ImportReport },
    /// What Wharf trusts: host keys from Wharf's known_hosts and OpenSSH's, and pinned
    /// certificates.
    Trust {
        id: RequestId,
        host_keys: Vec<TrustedHostKey>,
        certificates: Vec<PinnedCertificate>,
    },
}

/// A counter's value, unless it holds `u64::MAX` for "not known".
fn known(counter: &AtomicU64) -> Option<u64> {
    Some(counter.load(Ordering::Relaxed)).filter(|value| *value != u64::MAX)
}

fn saturating_nanos(time: Duration) -> u64 {
    u64::try_from(time.as_nanos()).unwrap_or(u64::MAX - 1)
}

#[derive(Debug)]
struct Counters {
    done: AtomicU64,
    total: AtomicU64,
    resumed_from: AtomicU64,
    /// A [`Phase`] as its index.
    phase: AtomicU8,
    /// Where the time went, in nanoseconds (see [`TimeSpent`]).
    network_ns: AtomicU64,
    disk_ns: AtomicU64,
    limit_ns: AtomicU64,
    /// `u64::MAX` until the thread's CPU time is first counted, over `cpu_wall_ns`.
    cpu_ns: AtomicU64,
    cpu_wall_ns: AtomicU64,
    /// What the connection is like (see [`LinkFacts`]), `u64::MAX` while unknown.
    round_trip_us: AtomicU64,
    in_flight: AtomicU64,
    /// [`Connections`], the second `u64::MAX` while the server refused none.
    allowed_connections: AtomicU64,
    server_accepts: AtomicU64,
}

impl Default for Counters {
    /// Nothing done; what the diagnosis has not learnt yet is "not known", not zero.
    fn default() -> Self {
        let unknown = || AtomicU64::new(u64::MAX);
        Counters {
            done: AtomicU64::default(),
            total: AtomicU64::default(),
            resumed_from: AtomicU64::default(),
            phase: AtomicU8::default(),
            network_ns: AtomicU64::default(),
            disk_ns: AtomicU64::default(),
            limit_ns: AtomicU64::default(),
            cpu_ns: unknown(),
            cpu_wall_ns: AtomicU64::default(),
            round_trip_us: unknown(),
            in_flight: unknown(),
            allowed_connections: AtomicU64::default(),
            server_accepts: unknown(),
        }
    }
}

/// Where a running transfer is: set by its worker, read by the queue whenever it describes
/// the item, so that no older description can overwrite a newer one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    #[default]
    /// Getting a connection.
    Connecting,
    /// The connection needs a password (or passphrase) that only the user can give.
    WaitingForPassword,
    /// Moving bytes.
    Transferring,
    /// Checking the copy.
    Verifying,
}

impl Phase {
    const ALL: [Phase; 4] = [
        Phase::Connecting,
        Phase::WaitingForPassword,
        Phase::Transferring,
        Phase::Verifying,
    ];

    pub fn state(self) -> TransferState {
        match self {
            Phase::Connecting => TransferState::Connecting,
            Phase::WaitingForPassword => TransferState::WaitingForPassword,
            Phase::Transferring => TransferState::Transferring,
            Phase::Verifying => TransferState::Verifying,
        }
    }
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

    /// Where the transfer's time went so far (this attempt).
    pub fn time_spent(&self) -> TimeSpent {
        let nanos = |counter: &AtomicU64| Duration::from_nanos(counter.load(Ordering::Relaxed));
        TimeSpent {
            network: nanos(&self.0.network_ns),
            disk: nanos(&self.0.disk_ns),
            limit: nanos(&self.0.limit_ns),
            cpu: known(&self.0.cpu_ns).map(Duration::from_nanos),
            cpu_over: nanos(&self.0.cpu_wall_ns),
        }
    }

    /// What the transfer's connection is like, as far as it is known.
    pub fn link(&self) -> LinkFacts {
        LinkFacts {
            round_trip: known(&self.0.round_trip_us).map(Duration::from_micros),
            in_flight: known(&self.0.in_flight),
        }
    }

    /// How many connections the transfer's site may have at once, as of its start.
    pub fn connections(&self) -> Connections {
        let count = |value: u64| usize::try_from(value).unwrap_or(usize::MAX);
        Connections {
            allowed: count(self.0.allowed_connections.load(Ordering::Relaxed)),
            server_accepts: known(&self.0.server_accepts).map(count),
        }
    }

    pub(crate) fn set_connections(&self, connections: Connections) {
        let count = |value: usize| u64::try_from(value).unwrap_or(u64::MAX - 1);
        let counters = &self.0;
        counters
            .allowed_connections
            .store(count(connections.allowed), Ordering::Relaxed);
        let accepts = connections.server_accepts.map_or(u64::MAX, count);
        counters.server_accepts.store(accepts, Ordering::Relaxed);
    }

    /// What limits the transfer, now that it moves at `speed` bytes per second.
    pub fn bottleneck(&self, speed: f64) -> Bottleneck {
        super::diagnosis::bottleneck(&self.time_spent(), &self.link(), speed)
    }

    pub(crate) fn set_link(&self, link: LinkFacts) {
        let micros = link
            .round_trip
            .map(|time| u64::try_from(time.as_micros()).unwrap_or(u64::MAX - 1));
        self.0
            .round_trip_us
            .store(micros.unwrap_or(u64::MAX), Ordering::Relaxed);
        self.0
            .in_flight
            .store(link.in_flight.unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    pub(crate) fn charge(&self, cost: Cost, time: Duration) {
        let counter = match cost {
            Cost::Network => &self.0.network_ns,
            Cost::Disk => &self.0.disk_ns,
            Cost::Limit => &self.0.limit_ns,
        };
        counter.fetch_add(saturating_nanos(time), Ordering::Relaxed);
    }

    /// Counts `time` of CPU used by the copy's thread during `wall` of its time.
    pub(crate) fn charge_cpu(&self, time: Duration, wall: Duration) {
        let nanos = saturating_nanos(time);
        let _ = self.0.cpu_ns.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |cpu| {
            Some(if cpu == u64::MAX {
                nanos
            } else {
                cpu.saturating_add(nanos)
            })
        });
        self.0.cpu_wall_ns.fetch_add(saturating_nanos(wall), Ordering::Relaxed);
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

    pub(crate) fn set_total(&self, total: Option<u64>) {
        self.0.total.store(total.unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Written by the worker that owns the transfer (and by doubles of it in tests).
    pub fn set_done(&self, done: u64) {
        self.0.done.store(done, Ordering::Relaxed);
    }

    pub(crate) fn add(&self, bytes: u64) {
        self.0.done.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn set_resumed_from(&self, offset: u64) {
        self.0.resumed_from.store(offset, Ordering::Relaxed);
    }

    pub fn phase(&self) -> Phase {
        let index = usize::from(self.0.phase.load(Ordering::Relaxed));
        Phase::ALL.get(index).copied().unwrap_or_default()
    }

    pub(crate) fn set_phase(&self, phase: Phase) {
        let index = Phase::ALL.iter().position(|known| *known == phase).unwrap_or(0);
        self.0.phase.store(u8::try_from(index).unwrap_or(0), Ordering::Relaxed);
    }
}
