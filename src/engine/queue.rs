//! The transfer queue: one thread (`wharf-queue`) owns the [`Scheduler`], the queue database
//! and what is known of each item; workers on the engine's blocking pool run the attempts
//! it hands out and report back through its inbox. Every state change is committed to the
//! database when the thread has handled what was waiting in its inbox (one transaction for
//! all of it), running items' byte offsets at least every second; on start the
//! queue reads the database back (running items of a process that died come back queued)
//! and, when asked to, carries on.
//!
//! Other Wharf processes may share the database; an item runs where its lease is held. A
//! watching queue (the window's) looks every second at what the others did: it shows the
//! items they add without running them, and the progress and end of what they run.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::api::{
    Connections, Direction, Event, ItemId, ItemKind, ItemStatus, JobId, OpSummary, Progress, QueueCommand, QueueCounts,
    QueueItem, QueueLimits, Selection, TransferOptions, TransferState, Verification,
};
use super::auto_parallel::{AutoParallel, Sample, Step};
use super::lease::LeaseOwner;
use super::limiter::RateLimits;
use super::pool::{Connector, Pool, SiteDescriptor};
use super::scheduler::{ItemState, Limits, Outcome, Scheduler, SiteKey};
use super::trust_policy::Prompts;
use super::watchdog::{Change, Watch};
use super::worker::{self, KnownTarget, Report, Shared, Work};
use crate::config::Paths;
use crate::model::location::RemotePath;
use crate::protocol::{ErrorKind, FsError, LogDirection, Timeouts, TrustPolicy};
use crate::store::{ItemDetails, Lease, NewItem, Placement, QueueStore, StoredItem};

/// Attempts per item before a retryable error counts as a failure.
const MAX_ATTEMPTS: u32 = 5;
/// How often running items' offsets are written down.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// How long an item that another process runs waits before it is looked at again.
const HELD_ELSEWHERE: Duration = Duration::from_secs(5);
/// How often a watching queue looks at what other processes did to the database.
const LOOK_AROUND_EVERY: Duration = Duration::from_secs(1);
/// Items per `ItemsAdded` event when a large queue is loaded.
const EVENT_BATCH: usize = 5000;
/// Items read from the database at once when the queue is restored: one event's worth.
const LOAD_PAGE: usize = EVENT_BATCH;
/// How long closing the queue waits for running workers to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

const OPTION_PRESERVE_MTIME: u32 = 1;
const OPTION_UPLOAD_VIA_TEMP: u32 = 2;

pub enum QueueMessage {
    Command(Box<QueueCommand>),
    Report {
        id: ItemId,
        report: Report,
        last: bool,
    },
    /// A browsing session's connection to `site` (its key), handed over for transfers.
    Adopt {
        site: String,
        fs: Box<dyn crate::protocol::RemoteFs>,
    },
    Shutdown,
}

/// What the queue needs from the engine.
pub struct QueueSetup {
    pub paths: Paths,
    pub resume: bool,
    pub connector: Connector,
    pub trust: Arc<dyn TrustPolicy>,
    pub prompts: Arc<Prompts>,
    pub events: Arc<dyn Fn(Event) + Send + Sync>,
    pub timeouts: Timeouts,
    pub runtime: tokio::runtime::Handle,
    /// Retry delays are this times 1, 2, 4 ... (tests shorten it).
    pub backoff_unit: Duration,
    /// A running item that moves nothing for this long shows as stalled (tests shorten it).
    pub stall_after: Duration,
    pub limits: QueueLimits,
    /// Secrets of saved sites, tried before asking the user for a restored site's password.
    pub saved_secrets: super::pool::SavedSecrets,
    /// Show, within a second or two, the items other processes add and the progress of
    /// what they run (the window); a one-shot command has no use for it.
    pub watch_others: bool,
}

/// What is known of one item.
struct Record {
    job: Option<JobId>,
    direction: Direction,
    kind: ItemKind,
    site: Arc<str>,
    // The paths are not here: the database has them, and a queue of 100,000 items would
    // hold them twice (see `Queue::paths`).
    size: Option<u64>,
    recursive: bool,
    options: TransferOptions,
    bytes_done: u64,
    /// The last error, shown while the item waits to be retried.
    last_error: Option<Box<str>>,
    /// How it was verified, once done.
    verified: Verification,
    /// Counted as finished in its job.
    settled: bool,
}

impl Record {
    /// An item as the database holds it, from an earlier run or from another process.
    fn restored(stored: StoredItem, site: Arc<str>, settled: bool) -> Record {
        let item = stored.item;
        Record {
            job: None,
            direction: item.direction,
            kind: item.kind,
            site,
            size: item.size,
            recursive: item.recursive,
            options: TransferOptions {
                on_conflict: item.on_conflict,
                preserve_mtime: item.options & OPTION_PRESERVE_MTIME != 0,
                upload_via_temp: item.options & OPTION_UPLOAD_VIA_TEMP != 0,
            },
            bytes_done: stored.bytes_done,
            // A done item's error is cleared when it is done.
            last_error: stored.error.map(String::into_boxed_str),
            verified: stored.verified,
            settled,
        }
    }
}

/// The scheduler's state for an item as the database holds it. A running item is another
/// live process's (a dead one's lease is recovered before loading): it waits, and its lease
/// is tried again later.
fn restored_state(stored: &StoredItem, now: Duration) -> ItemState {
    let reason = || stored.error.clone().unwrap_or_default();
    match stored.state {
        ItemStatus::Paused => ItemState::Paused,
        ItemStatus::Done => ItemState::Done,
        ItemStatus::Failed => ItemState::Failed { reason: reason() },
        ItemStatus::Skipped => ItemState::Skipped { reason: reason() },
        ItemStatus::Cancelled => ItemState::Cancelled,
        ItemStatus::Running => ItemState::Waiting {
            until: now + HELD_ELSEWHERE,
        },
        ItemStatus::Queued => ItemState::Queued,
    }
}

struct Running {
    cancel: Arc<AtomicBool>,
    /// Set with `cancel` when the item was cancelled, not paused: see `Work::discard`.
    discard: Arc<AtomicBool>,
    progress: Progress,
    watch: Watch,
    /// Bytes done when the attempt started: a failed attempt that got past them made
    /// progress, and does not use up the retry budget.
    started_at: u64,
}

#[derive(Default)]
struct Job {
    open: usize,
    summary: OpSummary,
}

/// Starts the queue thread; it stops on `QueueMessage::Shutdown`.
pub fn start(setup: QueueSetup) -> std::io::Result<(std_mpsc::Sender<QueueMessage>, JoinHandle<()>)> {
    let (sender, inbox) = std_mpsc::channel();
    // The database is opened here, so that a queue that cannot start says so at once.
    let queue = Queue::new(setup, sender.clone())?;
    let thread = std::thread::Builder::new()
        .name("wharf-queue".to_owned())
        .spawn(move || queue.run(&inbox))?;
    Ok((sender, thread))
}

struct Queue {
    store: QueueStore,
    scheduler: Scheduler,
    records: HashMap<ItemId, Record>,
    /// Items restored but not to run until `QueueCommand::Run`.
    held: Vec<ItemId>,
    /// Items another live Wharf process is running (its lease on them is held), with their
    /// progress as the database shows it (a watching queue keeps it up to date).
    elsewhere: HashMap<ItemId, Progress>,
    running: HashMap<ItemId, Running>,
    jobs: HashMap<JobId, Job>,
    /// What a folder's expansion saw at each new item's target, for its first attempt only:
    /// kept in memory (an item restored after a restart asks again) and taken when the item
    /// starts (a retry asks again too). Only items with something known are here.
    seen_at_target: HashMap<ItemId, KnownTarget>,
    /// Every site key the queue has seen, shared by its items (see [`Queue::intern`]).
    sites: HashSet<Arc<str>>,
    shared: Arc<Shared>,
    events: Arc<dyn Fn(Event) + Send + Sync>,
    lease: LeaseOwner,
    inbox_sender: std_mpsc::Sender<QueueMessage>,
    runtime: tokio::runtime::Handle,
    resume: bool,
    started: Instant,
    stall_after: Duration,
    last_checkpoint: Instant,
    idle_reported: bool,
    /// Whether to look at what other processes do (`QueueSetup::watch_others`).
    watch_others: bool,
    last_look: Instant,
    /// The database's `data_version` at the last look; it changes when another process commits.
    data_version: Option<i64>,
    /// The highest item id looked at in the database: anything above it is new.
    seen_up_to: i64,
    /// `-j auto`'s per-site limits, when the user left the number to Wharf.
    auto: Option<AutoParallel>,
    /// What each site moved in attempts that ended, for `auto`'s measurements.
    moved: HashMap<SiteKey, Moved>,
}

/// Bytes and items a site moved in attempts that ended.
#[derive(Debug, Clone, Copy, Default)]
struct Moved {
    bytes: u64,
    items: u64,
}

fn options_bits(options: TransferOptions) -> u32 {
    let mut bits = 0;
    if options.preserve_mtime {
        bits |= OPTION_PRESERVE_MTIME;
    }
    if options.upload_via_temp {
        bits |= OPTION_UPLOAD_VIA_TEMP;
    }
    bits
}

impl Queue {
    fn new(setup: QueueSetup, inbox_sender: std_mpsc::Sender<QueueMessage>) -> std::io::Result<Queue> {
        let events = setup.events.clone();
        let store = match QueueStore::open(&setup.paths.queue_database()) {
            Ok(store) => store,
            Err(error) => {
                events(Event::Log {
                    session: None,
                    direction: LogDirection::Error,
                    text: format!("{error}; the queue is kept in memory only and will not survive a restart"),
                });
                QueueStore::open_in_memory().map_err(std::io::Error::other)?
            }
        };
        let limits = RateLimits::default();
        limits.set(setup.limits.download_rate, setup.limits.upload_rate);
        let shared = Arc::new(Shared {
            pool: Pool::new(
                setup.connector,
                setup.prompts.clone(),
                events.clone(),
                setup.saved_secrets.clone(),
            ),
            limits,
            prompts: setup.prompts,
            events: events.clone(),
            trust: setup.trust,
            timeouts: setup.timeouts,
            idle_timeout: std::sync::atomic::AtomicU64::new(setup.limits.idle_timeout),
            conflict_for_all: Mutex::new(None),
            conflict_answers: Mutex::new(HashMap::new()),
        });
        let mut scheduler = Scheduler::new(
            Limits {
                global: setup.limits.parallel,
                per_site: setup.limits.per_site,
            },
            MAX_ATTEMPTS,
        );
        scheduler.set_backoff_unit(setup.backoff_unit);
        Ok(Queue {
            store,
            scheduler,
            records: HashMap::new(),
            held: Vec::new(),
            elsewhere: HashMap::new(),
            running: HashMap::new(),
            jobs: HashMap::new(),
            sites: HashSet::new(),
            seen_at_target: HashMap::new(),
            shared,
            events,
            lease: LeaseOwner::new(setup.paths.state.join("locks")),
            inbox_sender,
            runtime: setup.runtime,
            resume: setup.resume,
            started: Instant::now(),
            stall_after: setup.stall_after,
            last_checkpoint: Instant::now(),
            idle_reported: false,
            watch_others: setup.watch_others,
            last_look: Instant::now(),
            data_version: None,
            seen_up_to: 0,
            auto: tuning_for(&setup.limits),
            moved: HashMap::new(),
        })
    }

    fn now(&self) -> Duration {
        self.started.elapsed()
    }

    fn emit(&self, event: Event) {
        (self.events)(event);
    }

    fn warn(&self, text: String) {
        self.emit(Event::Log {
            session: None,
            direction: LogDirection::Warning,
            text,
        });
    }

    fn run(mut self, inbox: &std_mpsc::Receiver<QueueMessage>) {
        self.load();
        self.tick();
        loop {
            let timeout = self.next_timeout();
            let first = match inbox.recv_timeout(timeout) {
                Ok(message) => Some(message),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            // What is waiting is handled, and the items it lets start are started, in one
            // transaction: workers that finish together cost one commit, not three each.
            if let Err(error) = self.store.begin_batch() {
                self.warn(error.to_string());
            }
            let serving = first.is_none_or(|message| self.handle(message))
                && std::iter::from_fn(|| inbox.try_recv().ok()).all(|message| self.handle(message));
            if serving {
                self.tick();
            }
            if let Err(error) = self.store.end_batch() {
                self.warn(error.to_string());
            }
            if !serving {
                break;
            }
        }
        self.shutdown(inbox);
    }

    fn next_timeout(&self) -> Duration {
        let mut timeout = Duration::from_secs(3600);
        if !self.running.is_empty() {
            timeout = CHECKPOINT_EVERY;
        }
        if let Some(wakeup) = self.scheduler.next_wakeup() {
            timeout = timeout.min(wakeup.saturating_sub(self.now()));
        }
        if self.watch_others {
            timeout = timeout.min(LOOK_AROUND_EVERY.saturating_sub(self.last_look.elapsed()));
        }
        timeout.max(Duration::from_millis(5))
    }

    /// The one shared copy of a site's key: a queue of 100,000 items to one server holds
    /// its name once.
    fn intern(&mut self, site: &str) -> Arc<str> {
        match self.sites.get(site) {
            Some(known) => known.clone(),
            None => {
                let key: Arc<str> = Arc::from(site);
                self.sites.insert(key.clone());
                key
            }
        }
    }

    /// Loads the queue from the database.
    fn load(&mut self) {
        let lease = &self.lease;
        if let Err(error) = self.store.recover(&|owner| lease.is_alive(owner)) {
            self.warn(error.to_string());
        }
        let mut after = None;
        loop {
            match self.store.page(after, LOAD_PAGE) {
                Ok((stored, end)) => {
                    self.admit_all(stored, self.resume);
                    match end {
                        Some(end) => after = Some(end),
                        None => break,
                    }
                }
                Err(error) => {
                    self.warn(error.to_string());
                    break;
                }
            }
        }
        self.emit(Event::QueueLoaded { counts: self.counts() });
    }

    /// Takes in items read from the database (see [`Queue::admit`]) and tells the window and
    /// the command line, in batches. A watching queue then hands out the progress of those
    /// another process runs, which its looks keep up to date.
    fn admit_all(&mut self, stored: Vec<StoredItem>, run_here: bool) {
        let mut views = Vec::with_capacity(stored.len().min(EVENT_BATCH));
        let mut elsewhere = Vec::new();
        for stored in stored {
            let view = self.admit(stored, run_here);
            if view.state == TransferState::RunningElsewhere {
                elsewhere.push(view.id);
            }
            views.push(view);
            if views.len() == EVENT_BATCH {
                self.emit(Event::ItemsAdded {
                    items: std::mem::take(&mut views),
                });
            }
        }
        if !views.is_empty() {
            self.emit(Event::ItemsAdded { items: views });
        }
        if self.watch_others {
            for id in elsewhere {
                self.announce(id);
            }
        }
    }

    /// Takes in one item read from the database: its record, its site, and its place. It
    /// goes to the scheduler when it is finished or `run_here`, else it is held (until
    /// `QueueCommand::Run`, or for good when another process added it).
    fn admit(&mut self, mut stored: StoredItem, run_here: bool) -> QueueItem {
        let id = ItemId::from_sql(stored.id);
        let local = std::mem::take(&mut stored.item.local_path);
        let remote = std::mem::take(&mut stored.item.remote_path);
        self.seen_up_to = self.seen_up_to.max(stored.id);
        if !self.sites.contains(stored.item.site.as_str()) {
            self.learn_site(&stored.item.site);
        }
        let state = restored_state(&stored, self.now());
        let (running, attempts) = (stored.state == ItemStatus::Running, stored.attempts);
        let site = self.intern(&stored.item.site);
        let record = Record::restored(stored, site.clone(), state.is_finished());
        self.records.insert(id, record);
        if running {
            self.mark_elsewhere(id);
        }
        if state.is_finished() || run_here {
            self.scheduler.restore(id, site, state, attempts);
        } else {
            self.held.push(id);
        }
        self.view(id, local, remote)
    }

    /// Learns how to reach the site of an item read from the database (without secrets:
    /// those come from the keyring or the user when it runs) and the site's own limit.
    fn learn_site(&mut self, key: &str) {
        if !self.shared.pool.knows(key)
            && let Ok(Some(descriptor)) = self.store.site(key)
            && let Ok(descriptor) = serde_json::from_str::<SiteDescriptor>(&descriptor)
        {
            self.shared.pool.add_descriptor(key, descriptor);
            let limit = self.shared.pool.saved_limit(key);
            self.scheduler.configure_site_limit(key, limit);
        }
    }

    /// Notes that another process runs an item, with a progress of its own for the window;
    /// `true` when that is news.
    fn mark_elsewhere(&mut self, id: ItemId) -> bool {
        if self.elsewhere.contains_key(&id) {
            return false;
        }
        let progress = self.progress_of(id);
        self.elsewhere.insert(id, progress);
        true
    }

    fn counts(&self) -> QueueCounts {
        let counts = self.scheduler.counts();
        QueueCounts {
            queued: counts.queued + self.held.len(),
            ..counts
        }
    }

    /// How an item looks to the window and the command line.
    fn state_of(&self, id: ItemId) -> TransferState {
        let record = self.records.get(&id);
        let last_error = || {
            record
                .and_then(|record| record.last_error.as_deref())
                .unwrap_or_default()
                .to_owned()
        };
        // Only while this process holds it back or has yet to start it: paused or cancelled
        // here, it is that.
        let held_back = matches!(
            self.scheduler.state(id),
            None | Some(ItemState::Queued | ItemState::Waiting { .. })
        );
        if held_back && self.elsewhere.contains_key(&id) {
            return TransferState::RunningElsewhere;
        }
        match self.scheduler.state(id) {
            None => TransferState::Queued,
            Some(ItemState::Queued) => TransferState::Queued,
            Some(ItemState::Running) => match self.running.get(&id) {
                Some(running) if running.watch.is_stalled() => TransferState::Stalled {
                    quiet_secs: running.watch.quiet(self.now()).as_secs(),
                },
                Some(running) => running.progress.phase().state(),
                None => TransferState::Connecting,
            },
            Some(ItemState::Waiting { until }) => TransferState::Waiting {
                reason: last_error(),
                retry_in_secs: until.saturating_sub(self.now()).as_secs(),
            },
            Some(ItemState::Paused) => TransferState::Paused,
            Some(ItemState::Done) => TransferState::Done {
                verified: record.map(|record| record.verified).unwrap_or_default(),
            },
            Some(ItemState::Failed { reason }) => TransferState::Failed { reason: reason.clone() },
            Some(ItemState::Skipped { reason }) => TransferState::Skipped { reason: reason.clone() },
            Some(ItemState::Cancelled) => TransferState::Cancelled,
        }
    }

    /// An item's paths, from the database.
    fn paths(&self, id: ItemId) -> Option<(PathBuf, RemotePath)> {
        self.details(id)
            .map(|details| (details.local_path, RemotePath::new(&details.remote_path)))
    }

    /// An item's paths and source time, from the database.
    fn details(&self, id: ItemId) -> Option<ItemDetails> {
        match self.store.details(id.to_sql()) {
            Ok(details) => details,
            Err(error) => {
                self.warn(error.to_string());
                None
            }
        }
    }

    /// What an item is called in messages: the source's path.
    fn name_of(&self, id: ItemId) -> String {
        let direction = self.records.get(&id).map(|record| record.direction);
        match (direction, self.paths(id)) {
            (Some(Direction::Upload), Some((local, _))) => local.display().to_string(),
            (_, Some((_, remote))) => remote.to_string(),
            (_, None) => format!("item {}", id.to_sql()),
        }
    }

    /// How the window and the command line see an item; its paths are what the caller has
    /// at hand (the queue keeps none).
    fn view(&self, id: ItemId, local: PathBuf, remote: String) -> QueueItem {
        let state = self.state_of(id);
        let attempts = self.scheduler.attempts(id);
        match self.records.get(&id) {
            Some(record) => QueueItem {
                id,
                job: record.job,
                direction: record.direction,
                kind: record.kind,
                local,
                remote,
                site: record.site.to_string(),
                size: record.size,
                state,
                attempts,
                bytes_done: record.bytes_done,
            },
            None => QueueItem {
                id,
                job: None,
                direction: Direction::Download,
                kind: ItemKind::File,
                local,
                remote,
                site: String::new(),
                size: None,
                state,
                attempts,
                bytes_done: 0,
            },
        }
    }

    fn progress_of(&self, id: ItemId) -> Progress {
        if let Some(progress) = self.elsewhere.get(&id) {
            return progress.clone();
        }
        match self.running.get(&id) {
            Some(running) => running.progress.clone(),
            None => {
                let record = self.records.get(&id);
                let progress = Progress::new(record.and_then(|record| record.size));
                progress.set_done(record.map_or(0, |record| record.bytes_done));
                progress
            }
        }
    }

    fn announce(&self, id: ItemId) {
        self.emit(Event::ItemChanged {
            item: id,
            state: self.state_of(id),
            attempts: self.scheduler.attempts(id),
            progress: self.progress_of(id),
        });
    }

    /// Writes an item's state down, tells everyone, and settles it in its job if it ended.
    fn persist(&mut self, id: ItemId) {
        let Some(state) = self.scheduler.state(id).cloned() else {
            return;
        };
        let id_sql = id.to_sql();
        let result = match &state {
            ItemState::Done => {
                let (bytes, verified) = self
                    .records
                    .get(&id)
                    .map(|record| (record.bytes_done, record.verified))
                    .unwrap_or_default();
                self.store.set_done(id_sql, bytes, verified)
            }
            ItemState::Failed { reason } | ItemState::Skipped { reason } => {
                self.store.set_state(id_sql, state.status(), Some(reason))
            }
            ItemState::Waiting { .. } => {
                let last_error = self.records.get(&id).and_then(|record| record.last_error.as_deref());
                self.store.set_state(id_sql, ItemStatus::Queued, last_error)
            }
            other => self.store.set_state(id_sql, other.status(), None),
        };
        if let Err(error) = result {
            self.warn(error.to_string());
        }
        self.announce(id);
        self.settle(id, &state);
    }

    fn settle(&mut self, id: ItemId, state: &ItemState) {
        let finished = state.is_finished();
        let Some(record) = self.records.get_mut(&id) else {
            return;
        };
        if !finished || record.settled {
            return;
        }
        record.settled = true;
        let Some(job_id) = record.job else {
            return;
        };
        let kind = record.kind;
        let cancelled = matches!(state, ItemState::Cancelled).then(|| self.name_of(id));
        let Some(job) = self.jobs.get_mut(&job_id) else {
            return;
        };
        match state {
            ItemState::Done if kind == ItemKind::Folder => job.summary.folders += 1,
            ItemState::Done => job.summary.files += 1,
            ItemState::Failed { reason } => job.summary.failed.push(reason.clone()),
            ItemState::Skipped { reason } => job.summary.skipped.push(reason.clone()),
            ItemState::Cancelled => {
                let what = cancelled.unwrap_or_default();
                job.summary.failed.push(format!("{what} was cancelled"));
            }
            _ => {}
        }
        job.open = job.open.saturating_sub(1);
        if job.open == 0
            && let Some(job) = self.jobs.remove(&job_id)
        {
            self.emit(Event::JobFinished {
                job: job_id,
                summary: job.summary,
            });
        }
    }

    /// Handles one message; `false` ends the queue.
    fn handle(&mut self, message: QueueMessage) -> bool {
        match message {
            QueueMessage::Shutdown => return false,
            QueueMessage::Report { id, report, last } => self.on_report(id, report, last),
            QueueMessage::Command(command) => self.on_command(*command),
            QueueMessage::Adopt { site, fs } => self.shared.pool.give_back(&site, fs),
        }
        true
    }

    fn selected(&self, selection: &Selection) -> Vec<ItemId> {
        match selection {
            Selection::All => {
                let mut ids = self.scheduler.ids();
                ids.sort_unstable();
                ids
            }
            Selection::Items(ids) => ids.clone(),
        }
    }

    fn on_command(&mut self, command: QueueCommand) {
        self.idle_reported = false;
        match command {
            QueueCommand::Enqueue {
                job,
                site,
                specs,
                options,
                paused,
            } => self.enqueue(job, &site, specs, options, paused),
            QueueCommand::Pause { items } => self.stop(&items, Scheduler::pause, false),
            QueueCommand::Resume { items } => {
                for id in self.selected(&items) {
                    if self.scheduler.state(id) == Some(&ItemState::Paused) {
                        self.scheduler.resume(id);
                        self.reopen_in_job(id);
                        self.persist(id);
                    }
                }
            }
            QueueCommand::CancelItems { items } => self.stop(&items, Scheduler::cancel, true),
            QueueCommand::Retry { items } => {
                let ids = match items {
                    Selection::All => self.scheduler.retry_failed(),
                    Selection::Items(ids) => ids.into_iter().filter(|&id| self.scheduler.retry(id)).collect(),
                };
                for id in ids {
                    if let Err(error) = self.store.requeue(id.to_sql()) {
                        self.warn(error.to_string());
                    }
                    if let Some(record) = self.records.get_mut(&id) {
                        record.last_error = None;
                        record.verified = Verification::NotRecorded;
                    }
                    self.reopen_in_job(id);
                    self.announce(id);
                }
            }
            QueueCommand::Reprioritize { item, to } => {
                self.scheduler.move_item(item, to);
                let placement = match to {
                    super::api::Move::Up => Placement::Up,
                    super::api::Move::Down => Placement::Down,
                    super::api::Move::Top => Placement::Top,
                    super::api::Move::Bottom => Placement::Bottom,
                };
                if let Err(error) = self.store.move_item(item.to_sql(), placement) {
                    self.warn(error.to_string());
                }
                self.emit(Event::QueueOrder {
                    pending: self.scheduler.pending_order(),
                });
            }
            QueueCommand::SetLimits { limits } => {
                let parallel = Limits {
                    global: limits.parallel.clamp(1, QueueLimits::MAX_PARALLEL),
                    per_site: limits.per_site.clamp(1, QueueLimits::MAX_PARALLEL),
                };
                // A new rate or timeout leaves what `-j auto` found alone.
                if parallel != self.scheduler.limits() || self.auto.is_some() != limits.auto_parallel {
                    self.scheduler.set_limits(parallel);
                    self.auto = tuning_for(&limits);
                }
                self.shared.limits.set(limits.download_rate, limits.upload_rate);
                self.shared.idle_timeout.store(limits.idle_timeout, Ordering::Relaxed);
            }
            QueueCommand::Clear { done, failed } => {
                // Clearing a failed upload gives up what it left on the server.
                let given_up: Vec<ItemId> = if failed {
                    let ids = self.scheduler.ids().into_iter();
                    ids.filter(|&id| matches!(self.scheduler.state(id), Some(ItemState::Failed { .. })))
                        .collect()
                } else {
                    Vec::new()
                };
                for id in given_up {
                    self.discard_left_upload(id);
                }
                let mut removed = match self.store.clear(done, failed) {
                    Ok(ids) => ids
                        .into_iter()
                        .filter_map(|id| u64::try_from(id).ok().map(ItemId::new))
                        .collect(),
                    Err(error) => {
                        self.warn(error.to_string());
                        Vec::new()
                    }
                };
                removed.extend(self.scheduler.clear(done, failed, failed));
                removed.sort_unstable();
                removed.dedup();
                for id in &removed {
                    self.records.remove(id);
                    self.seen_at_target.remove(id);
                }
                self.emit(Event::ItemsRemoved { items: removed });
            }
            QueueCommand::Run => {
                for id in std::mem::take(&mut self.held) {
                    let Some(record) = self.records.get(&id) else {
                        continue;
                    };
                    let site = record.site.clone();
                    let attempts = 0;
                    self.scheduler.restore(id, site, ItemState::Queued, attempts);
                }
            }
        }
    }

    /// Pauses or cancels items (`how` is the scheduler's verb, `true` for a running item,
    /// whose worker is then told to stop; its partial file stays). `discard`: the user
    /// cancelled, so what a server keeps of an unfinished upload may go (S3's parts).
    fn stop(&mut self, items: &Selection, how: fn(&mut Scheduler, ItemId) -> bool, discard: bool) {
        for id in self.selected(items) {
            let before = self.scheduler.state(id).cloned();
            let was_running = how(&mut self.scheduler, id);
            let changed = self.scheduler.state(id) != before.as_ref();
            // A paused item whose worker is still stopping may be cancelled: its upload
            // then goes too.
            if (was_running || (discard && changed))
                && let Some(running) = self.running.get(&id)
            {
                running.discard.store(discard, Ordering::Relaxed);
                running.cancel.store(true, Ordering::Relaxed);
                self.scheduler.set_stopping(id, true);
            } else if discard && changed {
                self.discard_left_upload(id);
            }
            if changed {
                self.persist(id);
            }
        }
    }

    fn enqueue(
        &mut self,
        job: JobId,
        site: &crate::model::Site,
        specs: Vec<crate::engine::api::TransferSpec>,
        options: TransferOptions,
        paused: bool,
    ) {
        self.shared.pool.add_site(site);
        let key = site.key();
        let limit = self.shared.pool.saved_limit(&key);
        self.scheduler.configure_site_limit(&key, limit);
        match serde_json::to_string(&SiteDescriptor::of(site)) {
            Ok(descriptor) => {
                if let Err(error) = self.store.save_site(&key, &descriptor) {
                    self.warn(error.to_string());
                }
            }
            Err(error) => self.warn(format!("the site could not be described for the queue: {error}")),
        }
        let new_items: Vec<NewItem> = specs
            .iter()
            .map(|spec| NewItem {
                direction: spec.direction,
                kind: ItemKind::Auto,
                site: key.clone(),
                local_path: spec.local.clone(),
                remote_path: spec.remote.to_string(),
                size: None,
                source_mtime: None,
                recursive: spec.recursive,
                on_conflict: options.on_conflict,
                options: options_bits(options),
                keep_replaced: spec.keep_replaced.clone(),
            })
            .collect();
        let ids = match self.store.add(&new_items) {
            Ok(ids) => ids,
            Err(error) => {
                self.emit(Event::JobFinished {
                    job,
                    summary: OpSummary {
                        failed: vec![error.to_string()],
                        ..OpSummary::default()
                    },
                });
                return;
            }
        };
        let site_key = self.intern(&key);
        let mut views = Vec::with_capacity(ids.len());
        for (id, spec) in ids.into_iter().zip(specs) {
            let id = ItemId::from_sql(id);
            self.records.insert(
                id,
                Record {
                    job: Some(job),
                    direction: spec.direction,
                    kind: ItemKind::Auto,
                    site: site_key.clone(),
                    size: None,
                    recursive: spec.recursive,
                    options,
                    bytes_done: 0,
                    last_error: None,
                    verified: Verification::NotRecorded,
                    settled: false,
                },
            );
            self.scheduler.push(id, site_key.clone());
            if paused {
                self.scheduler.pause(id);
                self.persist(id);
            }
            self.jobs.entry(job).or_default().open += 1;
            views.push(self.view(id, spec.local, spec.remote.to_string()));
        }
        if views.is_empty() {
            self.emit(Event::JobFinished {
                job,
                summary: OpSummary::default(),
            });
        } else {
            self.emit(Event::ItemsAdded { items: views });
        }
    }

    fn on_report(&mut self, id: ItemId, report: Report, last: bool) {
        let done = matches!(report, Report::Done { .. });
        match report {
            Report::Resolved {
                kind,
                local,
                remote,
                size,
                mtime,
            } => {
                let remote = remote.to_string();
                if let Some(record) = self.records.get_mut(&id) {
                    record.kind = kind;
                    record.size = size;
                    let stored = NewItem {
                        direction: record.direction,
                        kind,
                        site: String::new(),
                        local_path: local.clone(),
                        remote_path: remote.clone(),
                        size,
                        source_mtime: mtime,
                        recursive: record.recursive,
                        on_conflict: record.options.on_conflict,
                        options: 0,
                        // Not part of what resolving records.
                        keep_replaced: None,
                    };
                    if let Err(error) = self.store.resolve(id.to_sql(), &stored) {
                        self.warn(error.to_string());
                    }
                }
                if let Some(running) = self.running.get(&id) {
                    running.progress.set_total(size);
                }
                self.emit(Event::ItemsAdded {
                    items: vec![self.view(id, local, remote)],
                });
            }
            Report::Done { bytes, verified } => {
                if let Some(record) = self.records.get_mut(&id) {
                    record.verified = verified;
                    record.bytes_done = record.size.unwrap_or(record.bytes_done);
                }
                if let Some(job) = self.records.get(&id).and_then(|record| record.job)
                    && let Some(job) = self.jobs.get_mut(&job)
                {
                    job.summary.bytes += bytes;
                }
                self.finish(id, Outcome::Done);
            }
            Report::Expanded {
                children,
                refused,
                skipped,
            } => self.expand(id, children, refused, skipped),
            Report::UploadBegun(token) => self.keep_upload_token(id, &token),
            Report::UploadDiscarded => self.forget_upload_token(id),
            Report::Skipped { reason } => self.finish(id, Outcome::Skipped { reason }),
            Report::Failed(error) => {
                if self
                    .running
                    .get(&id)
                    .is_some_and(|running| running.progress.done() > running.started_at)
                {
                    self.scheduler.progressed(id);
                }
                let outcome = self.outcome_of(id, &error);
                if let Some(record) = self.records.get_mut(&id) {
                    record.last_error = Some(error.message.as_str().into());
                }
                self.finish(id, outcome);
                if error.kind == ErrorKind::NoSpace
                    && self
                        .records
                        .get(&id)
                        .is_some_and(|record| record.direction == Direction::Download)
                {
                    self.pause_downloads_to_the_same_disk(id, &error.message);
                }
            }
        }
        if last {
            self.scheduler.set_stopping(id, false);
            // A cancelled attempt that did not discard its upload itself (it ended before
            // it could, or the cancel came after it looked) leaves it to the queue.
            let cancelled = self
                .running
                .get(&id)
                .is_some_and(|running| running.discard.load(Ordering::Relaxed));
            if cancelled && !done {
                self.discard_left_upload(id);
            }
            if let Some(running) = self.running.remove(&id)
                && let Some(record) = self.records.get_mut(&id)
            {
                let moved = self.moved.entry(record.site.clone()).or_default();
                moved.bytes += running.progress.done().saturating_sub(running.started_at);
                moved.items += 1;
                if !matches!(self.scheduler.state(id), Some(ItemState::Done)) {
                    record.bytes_done = running.progress.done();
                }
            }
            if let Err(error) = self.store.release_lease(id.to_sql(), self.lease.name()) {
                self.warn(error.to_string());
            }
        }
    }

    /// This computer's disk is full: the other downloads to it would fail the same way, so
    /// they wait, paused, until the user makes room and resumes them (their partial files
    /// are kept). Uploads and other disks go on.
    fn pause_downloads_to_the_same_disk(&mut self, full: ItemId, reason: &str) {
        let local_disk = |id: ItemId| self.paths(id).and_then(|(local, _)| disk_of(&local));
        let Some(disk) = local_disk(full) else {
            return;
        };
        // The paths are in the database; a full disk is rare enough to read them there.
        let same_disk: Vec<ItemId> = self
            .records
            .iter()
            .filter(|&(&id, record)| {
                id != full
                    && record.direction == Direction::Download
                    && matches!(
                        self.scheduler.state(id),
                        Some(ItemState::Queued | ItemState::Waiting { .. } | ItemState::Running)
                    )
            })
            .map(|(&id, _)| id)
            .filter(|&id| local_disk(id) == Some(disk))
            .collect();
        if same_disk.is_empty() {
            return;
        }
        for id in &same_disk {
            if let Some(record) = self.records.get_mut(id) {
                record.last_error = Some(format!("paused: {reason}").into_boxed_str());
            }
        }
        let count = same_disk.len();
        self.stop(&Selection::Items(same_disk.clone()), Scheduler::pause, false);
        self.warn(format!(
            "{reason}. {count} other download{} to the same disk {} paused; resume {} once there is room",
            if count == 1 { "" } else { "s" },
            if count == 1 { "was" } else { "were" },
            if count == 1 { "it" } else { "them" },
        ));
        // A job does not wait for what only the user can resume: `wharf get` ends and says
        // so; resuming counts the item in its job again.
        for id in same_disk {
            self.settle_paused(id, reason);
        }
    }

    /// Counts a paused item as ended in its job, with `reason` among the job's failures.
    fn settle_paused(&mut self, id: ItemId, reason: &str) {
        let Some(record) = self.records.get_mut(&id) else {
            return;
        };
        if record.settled {
            return;
        }
        record.settled = true;
        let Some(job_id) = record.job else {
            return;
        };
        let what = self.name_of(id);
        let Some(job) = self.jobs.get_mut(&job_id) else {
            return;
        };
        job.summary.failed.push(format!("{what} was paused: {reason}"));
        job.open = job.open.saturating_sub(1);
        if job.open == 0
            && let Some(job) = self.jobs.remove(&job_id)
        {
            self.emit(Event::JobFinished {
                job: job_id,
                summary: job.summary,
            });
        }
    }

    /// A settled item runs again (retried, or resumed after it was settled paused): its
    /// job waits for it again.
    fn reopen_in_job(&mut self, id: ItemId) {
        if let Some(record) = self.records.get_mut(&id)
            && std::mem::replace(&mut record.settled, false)
            && let Some(job) = record.job
        {
            self.jobs.entry(job).or_default().open += 1;
        }
    }

    fn outcome_of(&self, id: ItemId, error: &FsError) -> Outcome {
        let site = self.scheduler.site(id).unwrap_or_default();
        // Several connections open and the server cuts or refuses one more: that is the
        // server's limit (FTP 421/530 "too many", or an SSH server resetting at MaxStartups),
        // not the item's fault. With only this one open, it is an ordinary failure.
        let others_open = self.scheduler.running_for(site) > 1;
        match error.kind {
            ErrorKind::Cancelled => Outcome::Cancelled,
            ErrorKind::TooManyConnections if others_open => Outcome::TooManyConnections,
            _ => Outcome::Failed {
                retryable: error.retryable,
                reason: error.message.clone(),
            },
        }
    }

    fn finish(&mut self, id: ItemId, outcome: Outcome) {
        self.elsewhere.remove(&id);
        let too_many = outcome == Outcome::TooManyConnections;
        let now = self.now();
        let Some(state) = self.scheduler.finish(id, outcome, now) else {
            return;
        };
        if matches!(state, ItemState::Waiting { .. } | ItemState::Failed { .. }) {
            self.back_off_parallel(id);
        }
        if too_many {
            let site = self.scheduler.site(id).unwrap_or_default().to_owned();
            if let Some(auto) = self.auto.as_mut() {
                auto.refused(&site);
            }
            self.warn(format!(
                "{site} refused another connection; Wharf now uses at most {} at once with it",
                self.scheduler.site_limit(&site)
            ));
        }
        if let ItemState::Waiting { until } = state {
            let note = self
                .records
                .get(&id)
                .and_then(|record| record.last_error.clone())
                .unwrap_or_default();
            let fruitless = self.scheduler.fruitless(id);
            let budget = if fruitless <= 1 {
                "from where it stopped".to_owned()
            } else {
                format!("{fruitless} attempts in a row moved nothing; Wharf gives up after {MAX_ATTEMPTS}")
            };
            self.warn(format!(
                "{note}; retrying in {:.1} s, {budget} (attempt {})",
                until.saturating_sub(now).as_secs_f64(),
                self.scheduler.attempts(id) + 1
            ));
        }
        self.persist(id);
    }

    fn expand(&mut self, id: ItemId, children: Vec<worker::Child>, refused: Vec<String>, skipped: Vec<String>) {
        if self.scheduler.state(id) != Some(&ItemState::Running) {
            // Paused or cancelled while it was being read: it is read again when resumed.
            return;
        }
        let Some(parent) = self.records.get(&id) else {
            return;
        };
        let (job, direction, site, recursive, options) = (
            parent.job,
            parent.direction,
            parent.site.clone(),
            parent.recursive,
            parent.options,
        );
        let new_items: Vec<NewItem> = children
            .iter()
            .map(|child| NewItem {
                direction,
                kind: child.kind,
                site: site.to_string(),
                local_path: child.local.clone(),
                remote_path: child.remote.to_string(),
                size: child.size,
                source_mtime: child.mtime,
                recursive,
                on_conflict: options.on_conflict,
                options: options_bits(options),
                // What a folder's files replace is not kept (see `TransferSpec`).
                keep_replaced: None,
            })
            .collect();
        let ids = match self.store.expand(id.to_sql(), &new_items) {
            Ok(ids) => ids,
            Err(error) => {
                self.finish(
                    id,
                    Outcome::Failed {
                        retryable: false,
                        reason: error.to_string(),
                    },
                );
                return;
            }
        };
        match job.and_then(|job| self.jobs.get_mut(&job)) {
            Some(job) => {
                job.open += ids.len();
                job.summary.refused.extend(refused);
                job.summary.skipped.extend(skipped);
            }
            // Restored items have no job to report to; the log says it.
            None => {
                for reason in refused {
                    self.warn(reason);
                }
            }
        }
        let mut views = Vec::with_capacity(ids.len());
        for (child_id, child) in ids.into_iter().zip(children) {
            let child_id = ItemId::from_sql(child_id);
            if !matches!(child.seen_at_target, KnownTarget::Unknown) {
                self.seen_at_target.insert(child_id, child.seen_at_target);
            }
            self.records.insert(
                child_id,
                Record {
                    job,
                    direction,
                    kind: child.kind,
                    site: site.clone(),
                    size: child.size,
                    recursive,
                    options,
                    bytes_done: 0,
                    last_error: None,
                    verified: Verification::NotRecorded,
                    settled: false,
                },
            );
            self.scheduler.push(child_id, site.clone());
            views.push(self.view(child_id, child.local, child.remote.to_string()));
        }
        if !views.is_empty() {
            self.emit(Event::ItemsAdded { items: views });
        }
        if let Some(record) = self.records.get_mut(&id) {
            record.kind = ItemKind::Folder;
            record.verified = Verification::FolderCreated;
        }
        self.finish(id, Outcome::Done);
    }

    /// Regular work between messages: checkpoints, starting what can start, idleness.
    fn tick(&mut self) {
        if self.last_checkpoint.elapsed() >= CHECKPOINT_EVERY && !self.running.is_empty() {
            self.checkpoint();
        }
        self.watch_running();
        if self.watch_others && self.last_look.elapsed() >= LOOK_AROUND_EVERY {
            self.look_around();
        }
        self.start_ready();
        if self.tune_parallel() {
            self.start_ready();
        }
        // Counting walks every item, so only when the queue may have become idle.
        if !self.running.is_empty() || self.idle_reported {
            return;
        }
        let counts = self.counts();
        if counts.queued == self.held.len() && counts.waiting == 0 {
            self.idle_reported = true;
            self.shared.pool.close_idle();
            self.emit(Event::QueueIdle { counts });
        }
    }

    /// Shows a running item as stalled while nothing moves, and as itself again when it does.
    /// While a question waits for the user, nothing counts as stalled: the wait is the user's.
    fn watch_running(&mut self) {
        let now = self.now();
        let asking = self.shared.prompts.pending();
        // "Stalled" shows before the attempt is given up, also with a short idle timeout.
        let idle = self.shared.idle_timeout.load(Ordering::Relaxed);
        let stall_after = self.stall_after.min(Duration::from_secs((idle / 2).max(1)));
        let mut changed = Vec::new();
        for (&id, running) in &mut self.running {
            let (done, phase) = (running.progress.done(), running.progress.phase());
            let change = if asking {
                running.watch.hold(done, phase, now)
            } else {
                running.watch.observe(done, phase, now, stall_after)
            };
            if let Some(change) = change {
                changed.push((id, change));
            }
        }
        for (id, change) in changed {
            if let Change::Stalled { quiet } = change {
                self.log_stall(id, quiet);
            }
            self.announce(id);
        }
    }

    fn log_stall(&self, id: ItemId, quiet: Duration) {
        let Some(site) = self.records.get(&id).map(|record| record.site.clone()) else {
            return;
        };
        let what = self.name_of(id);
        self.emit(Event::Log {
            session: None,
            direction: LogDirection::Warning,
            text: format!(
                "{what}: nothing has moved for {} s; waiting for {} (the attempt ends after {} s without data)",
                quiet.as_secs(),
                site,
                self.shared.idle_timeout.load(Ordering::Relaxed)
            ),
        });
    }

    /// Looks at what other processes did to the database since the last look: items they
    /// added, and the progress and end of what they run. It reads rows only when another
    /// process committed, or while items run elsewhere (a holder that was killed commits
    /// nothing, and its items must stop showing as running).
    fn look_around(&mut self) {
        self.last_look = Instant::now();
        // A failed look is tried again in a second; the log would fill with the same line.
        let version = match self.store.data_version() {
            Ok(version) => version,
            Err(error) => {
                tracing::warn!("{error}");
                return;
            }
        };
        let changed = self.data_version.replace(version) != Some(version);
        if !changed && self.elsewhere.is_empty() {
            return;
        }
        let watched: Vec<i64> = self.elsewhere.keys().chain(&self.held).map(|id| id.to_sql()).collect();
        let rows = match self
            .store
            .changed_elsewhere(self.seen_up_to, &watched, self.lease.name())
        {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!("{error}");
                return;
            }
        };
        let (mut new, known): (Vec<StoredItem>, Vec<StoredItem>) = rows
            .into_iter()
            .partition(|row| !self.records.contains_key(&ItemId::from_sql(row.id)));
        self.seen_up_to = known.iter().map(|row| row.id).fold(self.seen_up_to, i64::max);
        for row in known {
            let running_there = self.runs_elsewhere(&row);
            self.take_in(row, running_there);
        }
        for row in &mut new {
            if row.state == ItemStatus::Running && !self.runs_elsewhere(row) {
                // Its process was killed: it is queued, as the next to open the queue finds it.
                row.state = ItemStatus::Queued;
            }
        }
        // What another process added is its to run, with its own limits: held here.
        self.admit_all(new, false);
    }

    /// Whether a live process other than this one runs the item of `row`.
    fn runs_elsewhere(&self, row: &StoredItem) -> bool {
        row.state == ItemStatus::Running
            && row
                .lease_owner
                .as_deref()
                .is_some_and(|owner| owner != self.lease.name() && self.lease.is_alive(owner))
    }

    /// Takes in what another process did to an item this queue knows.
    fn take_in(&mut self, row: StoredItem, running_there: bool) {
        let id = ItemId::from_sql(row.id);
        if self.running.contains_key(&id) {
            // This process runs it and holds its lease: its own account is the true one.
            return;
        }
        if self.refresh(id, &row) {
            let (local, remote) = (row.item.local_path.clone(), row.item.remote_path.clone());
            self.emit(Event::ItemsAdded {
                items: vec![self.view(id, local, remote)],
            });
        }
        if running_there {
            self.running_elsewhere(id, &row);
        } else if row.state.is_finished() {
            self.finished_elsewhere(id, &row);
        } else if let Some(progress) = self.elsewhere.remove(&id) {
            // Stopped there: its process paused it, quit, or was killed. A held item stays
            // held; one of this queue's is taken over when its wait ends.
            progress.set_done(row.bytes_done);
            self.announce(id);
        }
    }

    /// Brings a record up to date with its row: another process may have resolved the item
    /// (its kind, paths and size) and moved it on. `true` when the window must be told.
    fn refresh(&mut self, id: ItemId, row: &StoredItem) -> bool {
        let Some(record) = self.records.get_mut(&id) else {
            return false;
        };
        let item = &row.item;
        // Resolving sets the kind (and with it the paths) or, for a source that changed, the
        // size and time; the paths themselves are the database's.
        let resolved = record.kind != item.kind || record.size != item.size;
        record.kind = item.kind;
        record.size = item.size;
        record.bytes_done = row.bytes_done;
        resolved
    }

    /// Another process runs the item: shown as such, with its progress moving.
    fn running_elsewhere(&mut self, id: ItemId, row: &StoredItem) {
        if self.mark_elsewhere(id) {
            self.announce(id);
        }
        if let Some(progress) = self.elsewhere.get(&id) {
            progress.set_total(row.item.size);
            progress.set_done(row.bytes_done);
        }
    }

    /// Another process finished the item: it ends here as it ended there, without running.
    fn finished_elsewhere(&mut self, id: ItemId, row: &StoredItem) {
        let state = restored_state(row, self.now());
        if let Some(progress) = self.elsewhere.remove(&id) {
            progress.set_done(row.bytes_done);
        }
        let concluded = match self.held.iter().position(|&held| held == id) {
            Some(index) => {
                self.held.remove(index);
                let site = self.records.get(&id).map(|record| record.site.clone());
                self.scheduler
                    .restore(id, site.unwrap_or_else(|| Arc::from("")), state.clone(), row.attempts);
                true
            }
            None => self.scheduler.finished_elsewhere(id, state.clone()),
        };
        if !concluded {
            return;
        }
        if let Some(record) = self.records.get_mut(&id) {
            record.verified = row.verified;
            record.last_error = row.error.as_deref().map(Box::from);
        }
        self.announce(id);
        self.settle(id, &state);
    }

    /// `-j auto`: shows each busy site's throughput to the controller, and applies what it
    /// decides. `true` when a site may now run more.
    fn tune_parallel(&mut self) -> bool {
        let Some(auto) = self.auto.as_mut() else {
            return false;
        };
        let now = self.started.elapsed();
        let mut changes = Vec::new();
        for site in &self.sites {
            let running = self.scheduler.running_for(site);
            let due = self.scheduler.due_for(site);
            if (running == 0 && due == 0) || self.scheduler.has_own_limit(site) {
                auto.forget(site);
                self.scheduler.tune_site_limit(site, None);
                continue;
            }
            let moved = self.moved.get(site).copied().unwrap_or_default();
            let live: u64 = self
                .running
                .iter()
                .filter(|(id, _)| self.records.get(id).is_some_and(|record| record.site == *site))
                .map(|(_, running)| running.progress.done().saturating_sub(running.started_at))
                .sum();
            let sample = Sample {
                now,
                bytes: moved.bytes + live,
                items: moved.items,
                saturated: due > 0 && running >= self.scheduler.site_limit(site),
                connecting: self.shared.pool.opening(site),
            };
            if let Some(change) = auto.observe(site, sample) {
                changes.push((site.clone(), change));
            }
        }
        let mut raised = false;
        for (site, change) in changes {
            let (limit, text) = match change {
                Step::Raised(limit) => (limit, format!("{site}: trying {limit} transfers at once (-j auto)")),
                Step::Settled(limit) => (
                    limit,
                    format!("{site}: {limit} transfers at once move the most here (-j auto)"),
                ),
            };
            raised |= matches!(change, Step::Raised(_));
            self.scheduler.tune_site_limit(&site, Some(limit));
            self.emit(Event::Log {
                session: None,
                direction: LogDirection::Status,
                text,
            });
        }
        raised
    }

    /// `-j auto`: a failed attempt above a site's first limit halves it (see
    /// [`AutoParallel::failed`]).
    fn back_off_parallel(&mut self, id: ItemId) {
        let (Some(auto), Some(site)) = (
            self.auto.as_mut(),
            self.records.get(&id).map(|record| record.site.clone()),
        ) else {
            return;
        };
        if let Some(Step::Settled(limit)) = auto.failed(&site) {
            self.scheduler.tune_site_limit(&site, Some(limit));
            self.warn(format!(
                "{site}: a transfer failed with more at once; back to {limit} transfers at once (-j auto)"
            ));
        }
    }

    /// A cancelled item with no attempt running, or a failed one cleared from the list, may
    /// have left an upload on the server (an earlier attempt's): it is discarded by the
    /// handle in its row, on the blocking pool, and the handle forgotten.
    fn discard_left_upload(&mut self, id: ItemId) {
        // Another live process runs it: its upload is that process's to keep.
        if self.elsewhere.contains_key(&id) {
            return;
        }
        let Some(record) = self.records.get(&id) else {
            return;
        };
        // Only an attempt begins an upload; cancelling a long queue that never ran reads
        // nothing.
        let attempted = record.bytes_done > 0 || self.scheduler.attempts(id) > 0;
        if record.direction != Direction::Upload || !attempted {
            return;
        }
        let site = record.site.to_string();
        let details = match self.store.details(id.to_sql()) {
            Ok(Some(details)) => details,
            Ok(None) => return,
            Err(error) => return self.warn(error.to_string()),
        };
        let Some(token) = details.upload_token.map(crate::protocol::ResumeToken) else {
            return;
        };
        self.forget_upload_token(id);
        let shared = self.shared.clone();
        let remote = RemotePath::new(&details.remote_path);
        self.runtime.spawn_blocking(move || {
            worker::discard_left_upload(&shared, &site, &remote, &token);
        });
    }

    /// The item's upload was discarded: no later attempt continues it.
    fn forget_upload_token(&mut self, id: ItemId) {
        if let Err(error) = self.store.set_upload_token(id.to_sql(), None) {
            self.warn(error.to_string());
        }
    }

    /// The server's handle on the item's upload, kept for the next attempt (see
    /// [`crate::protocol::ResumeToken`]).
    fn keep_upload_token(&mut self, id: ItemId, token: &crate::protocol::ResumeToken) {
        if let Err(error) = self.store.set_upload_token(id.to_sql(), Some(&token.0)) {
            self.warn(error.to_string());
        }
    }

    fn checkpoint(&mut self) {
        self.last_checkpoint = Instant::now();
        let offsets: Vec<(i64, u64)> = self
            .running
            .iter()
            .map(|(&id, running)| (id.to_sql(), running.progress.done()))
            .collect();
        for &(id, done) in &offsets {
            if let Some(record) = self.records.get_mut(&ItemId::from_sql(id)) {
                record.bytes_done = done;
            }
        }
        if let Err(error) = self.store.checkpoint_many(&offsets) {
            self.warn(error.to_string());
        }
    }

    fn start_ready(&mut self) {
        let now = self.now();
        while let Some(id) = self.scheduler.next_ready(now) {
            self.idle_reported = false;
            if !self.take_lease(id, now) {
                continue;
            }
            if let Some(work) = self.prepare(id, now) {
                self.persist(id);
                self.spawn_worker(id, work);
            }
        }
    }

    /// Takes the item's lease in the database; `false` when it is not to run here now
    /// (another process runs it, or it finished there).
    fn take_lease(&mut self, id: ItemId, now: Duration) -> bool {
        let lease = &self.lease;
        match self
            .store
            .acquire_lease(id.to_sql(), lease.name(), &|owner| lease.is_alive(owner))
        {
            Ok(Lease::Acquired) => {
                self.elsewhere.remove(&id);
                true
            }
            Ok(Lease::HeldBy(_)) => {
                self.scheduler.defer(id, now + HELD_ELSEWHERE);
                if self.mark_elsewhere(id) {
                    self.announce(id);
                }
                false
            }
            Ok(Lease::Finished) => {
                self.elsewhere.remove(&id);
                if let Some(record) = self.records.get_mut(&id) {
                    record.verified = Verification::FinishedElsewhere;
                }
                self.finish(id, Outcome::Done);
                false
            }
            // The item runs anyway: a database hiccup must not stop transfers.
            Err(error) => {
                self.warn(error.to_string());
                true
            }
        }
    }

    /// The work for an item the scheduler started, with its paths from the database, and
    /// its place among the running. `None` when it cannot run: the scheduler counts it as
    /// running, so it is finished here, or its slot would stay taken for good. A database
    /// that could not be read is tried again later; an item that is gone from it is not.
    fn prepare(&mut self, id: ItemId, now: Duration) -> Option<Work> {
        let lost = || Outcome::Failed {
            retryable: false,
            reason: "the queue lost track of this item".to_owned(),
        };
        let details = match self.store.details(id.to_sql()) {
            Ok(Some(details)) => details,
            Ok(None) => {
                self.finish(id, lost());
                return None;
            }
            Err(error) => {
                let reason = error.to_string();
                self.finish(
                    id,
                    Outcome::Failed {
                        retryable: true,
                        reason,
                    },
                );
                return None;
            }
        };
        let Some(record) = self.records.get(&id) else {
            self.finish(id, lost());
            return None;
        };
        let cancel = Arc::new(AtomicBool::new(false));
        let discard = Arc::new(AtomicBool::new(false));
        let progress = Progress::new(record.size);
        progress.set_done(record.bytes_done);
        progress.set_connections(Connections {
            allowed: self.scheduler.site_limit(&record.site),
            server_accepts: self.scheduler.server_accepts(&record.site),
        });
        let work = Work {
            id,
            direction: record.direction,
            kind: record.kind,
            site: record.site.to_string(),
            local: details.local_path,
            remote: RemotePath::new(&details.remote_path),
            size: record.size,
            mtime: details.source_mtime,
            keep_replaced: details.keep_replaced,
            upload_token: details.upload_token.map(crate::protocol::ResumeToken),
            recursive: record.recursive,
            options: record.options,
            resumed: record.bytes_done > 0 || self.scheduler.attempts(id) > 1,
            seen_at_target: self.seen_at_target.remove(&id).unwrap_or(KnownTarget::Unknown),
            attempts: self.scheduler.attempts(id),
            cancel: cancel.clone(),
            discard: discard.clone(),
            progress: progress.clone(),
        };
        let watch = Watch::new(progress.done(), progress.phase(), now);
        self.running.insert(
            id,
            Running {
                cancel,
                discard,
                started_at: progress.done(),
                progress,
                watch,
            },
        );
        Some(work)
    }

    /// Runs one attempt on the blocking pool; its reports come back through the inbox, the
    /// last one marked as such (a panic becomes a failure that keeps the partial file).
    fn spawn_worker(&self, id: ItemId, work: Work) {
        let shared = self.shared.clone();
        let sender = self.inbox_sender.clone();
        self.runtime.spawn_blocking(move || {
            let intermediate = sender.clone();
            let report = move |report| {
                let _ = intermediate.send(QueueMessage::Report {
                    id,
                    report,
                    last: false,
                });
            };
            let last = std::panic::catch_unwind(AssertUnwindSafe(|| worker::run(&shared, work, &report)))
                .unwrap_or_else(|_| {
                    Report::Failed(FsError::new(
                        ErrorKind::Other,
                        "an internal error stopped this transfer; its partial file was kept",
                    ))
                });
            let _ = sender.send(QueueMessage::Report {
                id,
                report: last,
                last: true,
            });
        });
    }

    /// What the database keeps of an item whose worker ran at shutdown: queued, so it runs
    /// next time, unless the user paused or cancelled it while its worker was stopping.
    fn status_to_keep(&self, id: ItemId) -> ItemStatus {
        match self.scheduler.state(id) {
            Some(ItemState::Running) | None => ItemStatus::Queued,
            Some(state) => state.status(),
        }
    }

    /// Stops running workers and leaves everything resumable for the next start.
    fn shutdown(&mut self, inbox: &std_mpsc::Receiver<QueueMessage>) {
        for running in self.running.values() {
            running.cancel.store(true, Ordering::Relaxed);
        }
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        while !self.running.is_empty() {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            match inbox.recv_timeout(left) {
                Ok(QueueMessage::Report { id, report, last: true }) => {
                    if let Some(running) = self.running.remove(&id) {
                        let id_sql = id.to_sql();
                        // Closing: there is nobody left to tell about a database error.
                        let _ = match report {
                            Report::Done { .. } => self.store.set_done(
                                id_sql,
                                self.records.get(&id).and_then(|record| record.size).unwrap_or(0),
                                Verification::Size,
                            ),
                            _ => self
                                .store
                                .checkpoint(id_sql, running.progress.done())
                                .and_then(|()| self.store.set_state(id_sql, self.status_to_keep(id), None)),
                        };
                        let _ = self.store.release_lease(id_sql, self.lease.name());
                    }
                }
                Ok(QueueMessage::Report {
                    id,
                    report: Report::UploadBegun(token),
                    last: false,
                }) => self.keep_upload_token(id, &token),
                Ok(QueueMessage::Report {
                    id,
                    report: Report::UploadDiscarded,
                    last: false,
                }) => self.forget_upload_token(id),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        // Workers that did not stop in time: their items come back queued next time.
        for (id, running) in std::mem::take(&mut self.running) {
            let id_sql = id.to_sql();
            let _ = self.store.checkpoint(id_sql, running.progress.done());
            let _ = self.store.set_state(id_sql, self.status_to_keep(id), None);
            let _ = self.store.release_lease(id_sql, self.lease.name());
        }
        self.shared.pool.close_idle();
    }
}

/// The controller for `-j auto`, when the limits ask for it.
fn tuning_for(limits: &QueueLimits) -> Option<AutoParallel> {
    limits
        .auto_parallel
        .then(|| AutoParallel::new(limits.per_site, limits.parallel))
}

/// Which disk a local path is on: the device of its nearest folder that exists (a download's
/// folder may not exist yet). Elsewhere than Unix, unknown, and nothing is paused together.
fn disk_of(path: &std::path::Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        path.ancestors()
            .find_map(|folder| std::fs::metadata(folder).ok())
            .map(|metadata| metadata.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
#[path = "queue_tests.rs"]
mod tests;
