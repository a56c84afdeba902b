//! How the window and the command line hold the engine: send a [`Command`], read
//! [`Event`]s. Sending never blocks; reading can poll (the window, each frame) or wait with a
//! timeout (the command line).

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc;

pub use super::EngineConfig;
use super::api::{Command, Event, Folders, JobId, RequestId};

/// Why no event came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitError {
    Timeout,
    /// The engine has stopped; no event will come any more.
    Stopped,
}

pub struct EngineHandle {
    commands: mpsc::UnboundedSender<Command>,
    events: std_mpsc::Receiver<Event>,
    next_id: AtomicU64,
    thread: Option<JoinHandle<()>>,
    folders: Folders,
}

impl EngineHandle {
    /// Starts the engine on its own thread. `wake` is called after every event, so that a
    /// window can request a repaint instead of polling continuously.
    pub fn start(config: EngineConfig, wake: Option<Arc<dyn Fn() + Send + Sync>>) -> io::Result<EngineHandle> {
        let folders = config.folders();
        let (command_sender, command_receiver) = mpsc::unbounded_channel();
        let (event_sender, event_receiver) = std_mpsc::channel();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("wharf-engine")
            .enable_all()
            .build()?;
        let emit: Arc<dyn Fn(Event) + Send + Sync> = Arc::new(move |event| {
            // The receiver is gone only when the user of the engine has quit.
            let _ = event_sender.send(event);
            if let Some(wake) = &wake {
                wake();
            }
        });
        if let Err(error) = config.paths.make_private() {
            emit(Event::Log {
                session: None,
                direction: crate::engine::api::LogDirection::Warning,
                text: format!("Wharf's folders could not be made private to you: {error}"),
            });
        }
        let prompts = Arc::new(super::Prompts::default());
        let trust = Arc::new(super::EngineTrust::new(
            config.paths.clone(),
            prompts.clone(),
            emit.clone(),
        ));
        let queue = super::start_queue(
            &config,
            runtime.handle().clone(),
            emit.clone(),
            prompts.clone(),
            trust.clone(),
        )?;
        let thread = std::thread::Builder::new()
            .name("wharf-engine-main".to_owned())
            .spawn(move || {
                runtime.block_on(super::run(config, command_receiver, emit, queue, prompts, trust));
                // Workers blocked in a network call must not keep the process alive.
                runtime.shutdown_timeout(Duration::from_millis(200));
            })?;
        Ok(EngineHandle {
            commands: command_sender,
            events: event_receiver,
            next_id: AtomicU64::new(1),
            thread: Some(thread),
            folders,
        })
    }

    /// Where the engine keeps its files (empty paths for a detached handle).
    pub fn folders(&self) -> &Folders {
        &self.folders
    }

    /// A fresh request id.
    pub fn next_id(&self) -> RequestId {
        RequestId::new(self.next_number())
    }

    /// A fresh job id, for an `Enqueue` (numbered with the requests).
    pub fn next_job(&self) -> JobId {
        JobId::new(self.next_number())
    }

    fn next_number(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends a command, or one of its groups (`SitesCommand` ...), which it wraps.
    pub fn send(&self, command: impl Into<Command>) {
        // After shutdown there is nobody to tell; the command is moot.
        let _ = self.commands.send(command.into());
    }

    /// The next event if one is waiting.
    pub fn try_event(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Waits up to `timeout` for the next event.
    pub fn wait_event(&self, timeout: Duration) -> Result<Event, WaitError> {
        self.events.recv_timeout(timeout).map_err(|error| match error {
            std_mpsc::RecvTimeoutError::Timeout => WaitError::Timeout,
            std_mpsc::RecvTimeoutError::Disconnected => WaitError::Stopped,
        })
    }
}

/// The engine's side of a [`EngineHandle::detached`] handle: it receives what the handle
/// sends and emits events as the engine would. Tests and benchmarks of the window use it, so
/// they run without a network, threads or a database.
pub struct EngineDouble {
    commands: mpsc::UnboundedReceiver<Command>,
    events: std_mpsc::Sender<Event>,
}

impl EngineHandle {
    /// A handle with no engine behind it, and the double that stands in for the engine.
    pub fn detached() -> (EngineHandle, EngineDouble) {
        let (command_sender, command_receiver) = mpsc::unbounded_channel();
        let (event_sender, event_receiver) = std_mpsc::channel();
        let handle = EngineHandle {
            commands: command_sender,
            events: event_receiver,
            next_id: AtomicU64::new(1),
            thread: None,
            folders: Folders::default(),
        };
        let double = EngineDouble {
            commands: command_receiver,
            events: event_sender,
        };
        (handle, double)
    }
}

impl EngineDouble {
    /// The commands sent since the last call, oldest first.
    pub fn sent(&mut self) -> Vec<Command> {
        std::iter::from_fn(|| self.commands.try_recv().ok()).collect()
    }

    /// Delivers an event as if the engine had emitted it.
    pub fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
