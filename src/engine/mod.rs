//! The only place that does I/O for the user. It runs on its own tokio runtime: a dispatcher
//! task routes [`api::Command`]s to browsing sessions (one connection each, blocking protocol
//! calls on a worker thread of the runtime's blocking pool) and to the transfer queue (its
//! own thread, workers on the blocking pool, connections from a per-site pool). Everything
//! the user must know comes back as [`api::Event`]s through the [`handle::EngineHandle`].

pub mod api;
mod auto_parallel;
pub mod copy;
mod diagnosis;
pub mod handle;
mod lease;
mod limiter;
mod pool;
mod progress;
mod queue;
mod scheduler;
mod send_window;
mod session;
mod site_book;
pub mod sync;
mod trust_policy;
mod watchdog;
mod worker;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use self::api::{Command, Event, QueueCommand, RequestId, Security, SessionCommand, SessionId, SessionRequest};
use self::queue::{QueueMessage, QueueSetup};
use self::session::{CancelFlags, Session};
pub(crate) use self::trust_policy::{EngineTrust, Prompts};
use crate::config::Paths;
use crate::protocol::{self, ConnectContext, ErrorKind, FsError, ListingLimits, ProtocolLog, Timeouts};

/// How the engine is set up.
#[derive(Clone)]
pub struct EngineConfig {
    pub paths: Paths,
    /// The connect timeout; the idle timeout is `limits.idle_timeout` (it can change while
    /// the engine runs).
    pub timeouts: Timeouts,
    /// Retry delays are 1, 2, 4 ... 32 times this (one second; tests shorten it).
    pub retry_backoff: Duration,
    /// A running transfer that moves nothing for this long shows as stalled.
    pub stall_after: Duration,
    /// Run what the queue database holds from earlier runs as soon as the engine starts.
    /// Without it, earlier items are loaded (and shown) but wait for `QueueCommand::Run`.
    pub resume_queue: bool,
    /// Transfers at once, bandwidth limits and the idle timeout, until
    /// `QueueCommand::SetLimits` changes them.
    pub limits: api::QueueLimits,
    /// Show, within a second or two, the items other Wharf processes add to the queue and
    /// the progress of what they run (the window does; a one-shot command need not).
    pub watch_others: bool,
    /// How the queue and browsing sessions connect; tests substitute in-memory servers.
    pub(crate) connector: pool::Connector,
    /// Where passwords of saved sites are kept: the OS keyring; tests use memory.
    pub secrets: Arc<dyn crate::secrets::SecretStore>,
}

impl std::fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineConfig")
            .field("paths", &self.paths)
            .field("timeouts", &self.timeouts)
            .field("retry_backoff", &self.retry_backoff)
            .field("resume_queue", &self.resume_queue)
            .field("watch_others", &self.watch_others)
            .finish_non_exhaustive()
    }
}

impl EngineConfig {
    /// Platform folders (or `WHARF_HOME`) and default timeouts.
    pub fn discover() -> Self {
        EngineConfig::under(Paths::discover())
    }

    /// Wharf's files under `paths`, default timeouts.
    pub fn under(paths: Paths) -> Self {
        EngineConfig {
            paths,
            timeouts: Timeouts::default(),
            retry_backoff: Duration::from_secs(1),
            stall_after: watchdog::STALL_AFTER,
            resume_queue: true,
            limits: api::QueueLimits::default(),
            watch_others: false,
            connector: Arc::new(protocol::connect),
            secrets: Arc::new(crate::secrets::OsKeyring::default()),
        }
    }

    /// Every connection the queue and sessions open, whatever the site, goes to `server`: for tests and
    /// benchmarks that measure the engine itself, with a backend that costs next to nothing.
    pub fn serve_from_memory(&mut self, server: &protocol::memory::MemoryFs) {
        let server = server.clone();
        self.connector = Arc::new(move |_, _| Ok(Box::new(server.clone()) as Box<dyn protocol::RemoteFs>));
    }

    /// Where this engine keeps its files.
    pub fn folders(&self) -> api::Folders {
        api::Folders {
            config: self.paths.config.clone(),
            queue: self.paths.queue_database(),
        }
    }
}

type Emit = Arc<dyn Fn(Event) + Send + Sync>;

/// The dispatcher: owns the session table and routes commands.
pub(crate) async fn run(
    config: EngineConfig,
    mut commands: mpsc::UnboundedReceiver<Command>,
    emit: Emit,
    queue: (std::sync::mpsc::Sender<QueueMessage>, std::thread::JoinHandle<()>),
    prompts: Arc<Prompts>,
    trust: Arc<EngineTrust>,
) {
    let (queue, queue_thread) = queue;
    let mut config = config;
    config.timeouts.idle = config.limits.idle_timeout;
    let cancels: CancelFlags = Arc::new(Mutex::new(HashMap::new()));
    let (paths, secrets) = (config.paths.clone(), config.secrets.clone());

    let mut state = Dispatcher {
        config,
        emit,
        queue,
        prompts,
        trust,
        cancels,
        sessions: HashMap::new(),
        site_book: Arc::new(site_book::SiteBook::new(paths, secrets)),
    };
    while let Some(command) = commands.recv().await {
        if !state.dispatch(command) {
            break;
        }
    }
    let queue = state.queue;
    // The queue leaves running items resumable (it waits briefly for their workers).
    let _ = queue.send(QueueMessage::Shutdown);
    let _ = tokio::task::spawn_blocking(move || queue_thread.join()).await;
}

/// What the dispatcher routes commands to.
struct Dispatcher {
    config: EngineConfig,
    emit: Emit,
    queue: std::sync::mpsc::Sender<QueueMessage>,
    prompts: Arc<Prompts>,
    trust: Arc<EngineTrust>,
    cancels: CancelFlags,
    sessions: HashMap<SessionId, mpsc::UnboundedSender<SessionInput>>,
    site_book: Arc<site_book::SiteBook>,
}

impl Dispatcher {
    /// Routes one command; false when it was `Shutdown`.
    fn dispatch(&mut self, command: Command) -> bool {
        match command {
            Command::Shutdown => return false,
            Command::Session(command) => self.session(command),
            Command::Queue(command) => {
                if let QueueCommand::SetLimits { limits } = &command {
                    // Browsing sessions opened from now on wait as long as transfers do.
                    self.config.timeouts.idle = limits.idle_timeout;
                }
                let _ = self.queue.send(QueueMessage::Command(Box::new(command)));
            }
            Command::Sites(command) => {
                let (site_book, emit) = (self.site_book.clone(), self.emit.clone());
                tokio::task::spawn_blocking(move || emit(site_book.handle(command)));
            }
            Command::Trust(command) => {
                let (trust, emit) = (self.trust.clone(), self.emit.clone());
                tokio::task::spawn_blocking(move || emit(trust.handle(command)));
            }
            Command::Answer { prompt, reply } => self.prompts.answer(prompt, reply),
            Command::PlanSync {
                id,
                source,
                target,
                options,
            } => {
                let emit = self.emit.clone();
                tokio::task::spawn_blocking(move || {
                    let result = sync::plan(&source, &target, &options, chrono::Utc::now()).map(Box::new);
                    emit(Event::SyncPlanned { id, result });
                });
            }
            Command::Cancel { id } => {
                let mut flags = self.cancels.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                flags
                    .entry(id)
                    .or_insert_with(|| Arc::new(AtomicBool::new(false)))
                    .store(true, Ordering::Relaxed);
            }
        }
        true
    }

    fn session(&mut self, command: SessionCommand) {
        match command {
            SessionCommand::Disconnect { session } => {
                // Dropping the sender ends the session's loop once its current request is
                // done; the session then says `Disconnected`.
                self.sessions.remove(&session);
            }
            SessionCommand::HandOver { session } => {
                let handed = self
                    .sessions
                    .remove(&session)
                    .is_some_and(|sender| sender.send(SessionInput::HandOver).is_ok());
                if !handed {
                    // Its thread is gone (or it never was): there is nothing to hand over, but
                    // the reply promised is still owed, or the command line would wait for it.
                    (self.emit)(Event::Disconnected { session });
                }
            }
            SessionCommand::Connect { id, site } => {
                let context = session_context(SessionId::opened_by(id), &self.config, &self.trust, &self.emit);
                let heir = Heir {
                    site: site.key(),
                    queue: self.queue.clone(),
                };
                let connect = self.config.connector.clone();
                let opened = move || match connect(&site, &context) {
                    Ok(fs) => {
                        let security = fs.security();
                        Ok((fs, security))
                    }
                    Err(error) => Err((error, context)),
                };
                let line = SessionLine::new(&self.emit, &self.cancels, Some(heir));
                start_session(id, opened, &mut self.sessions, line);
            }
            SessionCommand::OpenLocal { id } => {
                let opened = || {
                    let fs = protocol::local::LocalFs::this_computer();
                    let security = protocol::RemoteFs::security(&fs);
                    Ok((Box::new(fs) as Box<dyn protocol::RemoteFs>, security))
                };
                let line = SessionLine::new(&self.emit, &self.cancels, None);
                start_session(id, opened, &mut self.sessions, line);
            }
            SessionCommand::Request { session, request } => {
                let id = request.id();
                let delivered = self
                    .sessions
                    .get(&session)
                    .is_some_and(|sender| sender.send(SessionInput::Request(request)).is_ok());
                if !delivered {
                    self.sessions.remove(&session);
                    (self.emit)(Event::OpFinished {
                        id,
                        result: Err(FsError::new(
                            ErrorKind::ConnectionLost,
                            "not connected: the session was closed",
                        )),
                    });
                }
            }
        }
    }
}

/// Starts the queue thread with what it shares with the rest of the engine.
pub(crate) fn start_queue(
    config: &EngineConfig,
    runtime: tokio::runtime::Handle,
    emit: Emit,
    prompts: Arc<Prompts>,
    trust: Arc<EngineTrust>,
) -> std::io::Result<(std::sync::mpsc::Sender<QueueMessage>, std::thread::JoinHandle<()>)> {
    queue::start(QueueSetup {
        paths: config.paths.clone(),
        resume: config.resume_queue,
        connector: config.connector.clone(),
        trust,
        prompts,
        events: emit,
        timeouts: config.timeouts,
        runtime,
        backoff_unit: config.retry_backoff,
        stall_after: config.stall_after,
        limits: config.limits,
        saved_secrets: Arc::new(site_book::SiteBook::new(config.paths.clone(), config.secrets.clone())),
        watch_others: config.watch_others,
    })
}

/// The connection context of a browsing session: its log lines become `Log` events.
fn session_context(id: SessionId, config: &EngineConfig, trust: &Arc<EngineTrust>, emit: &Emit) -> ConnectContext {
    let log_emit = emit.clone();
    ConnectContext {
        trust: trust.clone(),
        log: ProtocolLog::new(move |direction, text| {
            log_emit(Event::Log {
                session: Some(id),
                direction,
                text: text.to_owned(),
            })
        }),
        timeouts: config.timeouts,
        limits: ListingLimits::default(),
    }
}

/// An open connection and how it is protected, or why it could not be opened.
type Opened = Result<(Box<dyn protocol::RemoteFs>, Security), (FsError, ConnectContext)>;

/// What a session's thread is sent: requests, and at the end perhaps the order to hand its
/// connection to the queue.
enum SessionInput {
    Request(SessionRequest),
    HandOver,
}

/// Where a session's connection goes when it is handed over: the queue, for `site`.
struct Heir {
    site: String,
    queue: std::sync::mpsc::Sender<QueueMessage>,
}

/// What a session's thread reports to and hands over to.
struct SessionLine {
    emit: Emit,
    cancels: CancelFlags,
    heir: Option<Heir>,
}

impl SessionLine {
    fn new(emit: &Emit, cancels: &CancelFlags, heir: Option<Heir>) -> SessionLine {
        SessionLine {
            emit: emit.clone(),
            cancels: cancels.clone(),
            heir,
        }
    }
}

/// The error a panic becomes: `what` was stopped, and the connection with it.
fn internal_error(what: &str) -> FsError {
    FsError::new(
        ErrorKind::Other,
        format!("an internal error stopped {what} and closed the connection; please report it"),
    )
}

/// Registers a session and opens it on the blocking pool (connecting may take seconds).
fn start_session(
    id: RequestId,
    open: impl FnOnce() -> Opened + Send + 'static,
    sessions: &mut HashMap<SessionId, mpsc::UnboundedSender<SessionInput>>,
    line: SessionLine,
) {
    let (sender, receiver) = mpsc::unbounded_channel();
    sessions.insert(SessionId::opened_by(id), sender);
    tokio::task::spawn_blocking(move || run_session(id, open, receiver, line));
}

fn run_session(
    id: RequestId,
    open: impl FnOnce() -> Opened,
    mut inputs: mpsc::UnboundedReceiver<SessionInput>,
    line: SessionLine,
) {
    let SessionLine { emit, cancels, heir } = line;
    // A panic (a bug, in Wharf or a library) must still answer: the command line and the
    // window wait for the reply.
    let Ok(opened) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(open)) else {
        emit(Event::OpFinished {
            id,
            result: Err(internal_error("connecting")),
        });
        return;
    };
    let (fs, security) = match opened {
        Ok(opened) => opened,
        Err((error, context)) => {
            context.log.write(protocol::LogDirection::Error, &error.message);
            emit(Event::OpFinished { id, result: Err(error) });
            return;
        }
    };
    let home = fs.home().to_owned();
    let times = if fs.capabilities().exact_times {
        crate::model::sync::TimeSource::Exact
    } else {
        crate::model::sync::TimeSource::Listing
    };
    emit(Event::Connected {
        id,
        session: SessionId::opened_by(id),
        security,
        home,
        times,
    });
    let mut session = Session {
        id: SessionId::opened_by(id),
        fs,
        events: emit.clone(),
        cancels,
    };
    while let Some(input) = inputs.blocking_recv() {
        match input {
            SessionInput::Request(request) => {
                let request_id = request.id();
                let handled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| session.handle(request)));
                if handled.is_err() {
                    // What the connection is in the middle of is unknown: it is closed.
                    emit(Event::OpFinished {
                        id: request_id,
                        result: Err(internal_error("this request")),
                    });
                    emit(Event::Disconnected { session: session.id });
                    return;
                }
            }
            SessionInput::HandOver => {
                if let Some(heir) = heir {
                    // Sent before `Disconnected`, so a transfer queued after that event
                    // reaches the queue after the connection does.
                    let _ = heir.queue.send(QueueMessage::Adopt {
                        site: heir.site,
                        fs: session.fs,
                    });
                }
                emit(Event::Disconnected {
                    session: SessionId::opened_by(id),
                });
                return;
            }
        }
    }
    emit(Event::Disconnected { session: session.id });
}
