//! The only place that does I/O for the user. It runs on its own tokio runtime: a dispatcher
//! task routes [`api::Command`]s to sessions, each session runs its blocking protocol calls
//! on a worker thread of the runtime's blocking pool, and everything the user must know comes
//! back as [`api::Event`]s through the [`handle::EngineHandle`].

pub mod api;
pub mod copy;
pub mod handle;
pub mod progress;
pub mod scheduler;
mod session;
mod trust_policy;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use self::api::{Command, Event, RequestId, SessionId};
use self::session::{CancelFlags, Session, SessionRequest};
use self::trust_policy::{EngineTrust, Prompts};
use crate::config::Paths;
use crate::protocol::{self, ConnectContext, ErrorKind, FsError, ProtocolLog, Timeouts};

/// How the engine is set up.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub paths: Paths,
    pub timeouts: Timeouts,
    /// The first retry waits this long; each further one twice as long (capped at 32 s).
    pub retry_backoff: Duration,
}

impl EngineConfig {
    /// Platform folders (or `WHARF_HOME`) and default timeouts.
    pub fn discover() -> Self {
        EngineConfig {
            paths: Paths::discover(),
            timeouts: Timeouts::default(),
            retry_backoff: Duration::from_secs(1),
        }
    }
}

type Emit = Arc<dyn Fn(Event) + Send + Sync>;

/// The dispatcher: owns the session table and routes commands.
pub(crate) async fn run(config: EngineConfig, mut commands: mpsc::UnboundedReceiver<Command>, emit: Emit) {
    let prompts = Arc::new(Prompts::default());
    let trust = Arc::new(EngineTrust::new(config.paths.clone(), prompts.clone(), emit.clone()));
    let cancels: CancelFlags = Arc::new(Mutex::new(HashMap::new()));
    let next_transfer = Arc::new(AtomicU64::new(1));
    let mut sessions: HashMap<SessionId, mpsc::UnboundedSender<SessionRequest>> = HashMap::new();

    while let Some(command) = commands.recv().await {
        let (session_id, request) = match command {
            Command::Shutdown => break,
            Command::Answer { prompt, reply } => {
                prompts.answer(prompt, reply);
                continue;
            }
            Command::Cancel { id } => {
                let mut flags = cancels.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                flags
                    .entry(id)
                    .or_insert_with(|| Arc::new(AtomicBool::new(false)))
                    .store(true, Ordering::Relaxed);
                continue;
            }
            Command::Disconnect { session } => {
                // Dropping the sender ends the session's loop once its current request is
                // done; the session then says `Disconnected`.
                sessions.remove(&session);
                continue;
            }
            Command::Connect { id, site } => {
                let (sender, receiver) = mpsc::unbounded_channel();
                sessions.insert(id, sender);
                let log_emit = emit.clone();
                let context = ConnectContext {
                    trust: trust.clone(),
                    log: ProtocolLog::new(move |direction, text| {
                        log_emit(Event::Log {
                            session: Some(id),
                            direction,
                            text: text.to_owned(),
                        })
                    }),
                    timeouts: config.timeouts,
                };
                let emit = emit.clone();
                let cancels = cancels.clone();
                let next_transfer = next_transfer.clone();
                let backoff = config.retry_backoff;
                tokio::task::spawn_blocking(move || {
                    run_session(id, site, context, receiver, emit, cancels, next_transfer, backoff)
                });
                continue;
            }
            Command::List { id, session, path } => (session, SessionRequest::List { id, path }),
            Command::Stat { id, session, path } => (session, SessionRequest::Stat { id, path }),
            Command::Mkdir { id, session, path } => (session, SessionRequest::Mkdir { id, path }),
            Command::Delete {
                id,
                session,
                path,
                recursive,
            } => (session, SessionRequest::Delete { id, path, recursive }),
            Command::Rename { id, session, from, to } => (session, SessionRequest::Rename { id, from, to }),
            Command::Chmod {
                id,
                session,
                path,
                mode,
            } => (session, SessionRequest::Chmod { id, path, mode }),
            Command::Transfer { id, session, spec } => (session, SessionRequest::Transfer { id, spec }),
        };
        let id = request_id(&request);
        let delivered = sessions
            .get(&session_id)
            .is_some_and(|sender| sender.send(request).is_ok());
        if !delivered {
            sessions.remove(&session_id);
            emit(Event::OpFinished {
                id,
                result: Err(FsError::new(
                    ErrorKind::ConnectionLost,
                    "not connected: the session was closed",
                )),
            });
        }
    }
}

fn request_id(request: &SessionRequest) -> RequestId {
    match request {
        SessionRequest::List { id, .. }
        | SessionRequest::Stat { id, .. }
        | SessionRequest::Mkdir { id, .. }
        | SessionRequest::Delete { id, .. }
        | SessionRequest::Rename { id, .. }
        | SessionRequest::Chmod { id, .. }
        | SessionRequest::Transfer { id, .. } => *id,
    }
}

#[allow(clippy::too_many_arguments)]
fn run_session(
    id: SessionId,
    site: crate::model::Site,
    context: ConnectContext,
    mut requests: mpsc::UnboundedReceiver<SessionRequest>,
    emit: Emit,
    cancels: CancelFlags,
    next_transfer: Arc<AtomicU64>,
    backoff: Duration,
) {
    let fs = match protocol::connect(&site, &context) {
        Ok(fs) => fs,
        Err(error) => {
            context.log.write(protocol::LogDirection::Error, &error.message);
            emit(Event::OpFinished { id, result: Err(error) });
            return;
        }
    };
    let home = fs.home().to_owned();
    emit(Event::Connected {
        id,
        session: id,
        security: fs.security(),
        home,
    });
    let mut session = Session {
        id,
        site,
        context,
        fs,
        events: emit.clone(),
        cancels,
        next_transfer,
        backoff,
    };
    while let Some(request) = requests.blocking_recv() {
        session.handle(request);
    }
    emit(Event::Disconnected { session: session.id });
}
