//! The window's state and logic: it turns engine events into what the views show, and the
//! user's actions into engine commands. Nothing here draws (that is [`super::view`]) and
//! nothing waits: every request is sent and its answer arrives later as an event, matched by
//! its request id; answers nobody waits for any more are dropped.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use super::connect_form::{ConnectForm, MAX_RECENT, Recent};
use super::dialogs::Dialog;
use super::messages::Messages;
use super::pane::{Activation, Pane, PaneStatus, Side};
use super::settings::Settings;
use super::transfers::Transfers;
use crate::engine::api::{
    Command, ConflictPolicy, Direction, EntryKind, Event, ImportSource, JobId, LogDirection, OpError, OpSummary,
    QueueCommand, QueueLimits, RemotePath, RequestId, SavedSite, Security, Selection, SessionCommand, SessionId,
    SessionRequest, Site, TransferOptions, TransferSpec,
};
use crate::engine::handle::EngineHandle;
use crate::model::link::Link;

/// What a pending request was for, so its answer can be acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// A change to a pane's folder (mkdir, rename, delete, chmod): refresh it when done.
    Change { side: Side, what: String },
    /// A listing for the folder tree only.
    Tree { side: Side },
}

/// Closing the window while transfers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Closing {
    #[default]
    No,
    /// The user chose to wait: the window closes when the queue is idle.
    WhenIdle,
    /// Close now (the queue resumes on the next start).
    Now,
}

/// A file chosen in a native dialog, delivered from its thread.
pub enum Picked {
    LocalFolder(PathBuf),
    KeyFile(PathBuf),
    FileZillaSites(PathBuf),
}

pub struct App {
    pub engine: EngineHandle,
    pub settings: Settings,
    pub form: ConnectForm,
    pub local: Pane,
    pub remote: Pane,
    /// The pane the keyboard works on.
    pub focus: Side,
    /// The connected (or connecting) server, with its password, in memory only.
    pub site: Option<Site>,
    pub connecting: Option<RequestId>,
    /// The encryption in use, as the engine described it.
    pub security: Option<Security>,
    local_request: RequestId,
    pub messages: Messages,
    pub transfers: Transfers,
    /// Questions and confirmations, shown one at a time, oldest first.
    pub dialogs: VecDeque<Dialog>,
    pending: HashMap<RequestId, Pending>,
    /// Jobs whose downloaded file opens when they finish ("open" on a remote file).
    open_when_done: HashMap<JobId, PathBuf>,
    jobs: HashSet<JobId>,
    pub closing: Closing,
    pub picked: (mpsc::Sender<Picked>, mpsc::Receiver<Picked>),
    /// Seconds since the window started (egui's clock), updated each frame.
    pub now: f64,
    /// Where the last frame drew what files can be dropped on.
    pub geometry: super::view::Geometry,
    pub sites: super::site_manager::SiteManager,
    pub trust: super::trust_view::TrustPage,
    /// The saved site the connection was opened from: its local folder, upload mode and
    /// bookmarks apply.
    pub saved: Option<SavedSite>,
}

impl App {
    /// A window over `engine`: opens the local pane and applies the remembered limits. With
    /// a checked `link`, connects to the place it names at once (and does nothing more).
    pub fn new(engine: EngineHandle, settings: Settings, link: Option<Link>) -> App {
        let local_request = engine.next_id();
        engine.send(SessionCommand::OpenLocal { id: local_request });
        let mut app = App {
            local: Pane::new(Side::Local, settings.local_sort),
            remote: Pane::new(Side::Remote, settings.remote_sort),
            engine,
            settings,
            form: ConnectForm::default(),
            focus: Side::Local,
            site: None,
            connecting: None,
            security: None,
            local_request,
            messages: Messages::default(),
            transfers: Transfers::default(),
            dialogs: VecDeque::new(),
            pending: HashMap::new(),
            open_when_done: HashMap::new(),
            jobs: HashSet::new(),
            closing: Closing::No,
            picked: mpsc::channel(),
            now: 0.0,
            geometry: super::view::Geometry::default(),
            sites: super::site_manager::SiteManager::default(),
            trust: super::trust_view::TrustPage::default(),
            saved: None,
        };
        app.apply_limits();
        match link {
            Some(Link::Site(reference)) => super::site_manager::connect(&mut app, &reference),
            Some(Link::Server(location)) => {
                app.form.fill_from_location(location);
                app.connect();
            }
            None => {}
        }
        app
    }

    pub fn pane(&self, side: Side) -> &Pane {
        match side {
            Side::Local => &self.local,
            Side::Remote => &self.remote,
        }
    }

    pub fn pane_mut(&mut self, side: Side) -> &mut Pane {
        match side {
            Side::Local => &mut self.local,
            Side::Remote => &mut self.remote,
        }
    }

    /// Reads every event waiting; returns how many there were.
    pub fn drain_events(&mut self) -> usize {
        let mut count = 0;
        while let Some(event) = self.engine.try_event() {
            self.apply(event);
            count += 1;
        }
        while let Ok(picked) = self.picked.1.try_recv() {
            match picked {
                Picked::LocalFolder(folder) => match folder.to_str() {
                    Some(text) => self.navigate(Side::Local, RemotePath::new(text)),
                    None => self
                        .messages
                        .error(format!("{} is not a path Wharf can show.", folder.display())),
                },
                Picked::KeyFile(file) => self.form.key_file = Some(file),
                Picked::FileZillaSites(file) => match self.dialogs.front_mut() {
                    Some(Dialog::ImportFileZilla { path }) => *path = file.display().to_string(),
                    _ => super::site_manager::import(self, ImportSource::FileZilla { file, scrub: false }),
                },
            }
        }
        count
    }

    fn clock(&self) -> Duration {
        Duration::from_secs_f64(self.now.max(0.0))
    }

    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Connected {
                id,
                session,
                security,
                home,
            } => self.on_connected(id, session, security, home),
            Event::Disconnected { session } => {
                if self.remote.session == Some(session) {
                    self.remote.session = None;
                    self.security = None;
                    self.remote.clear(PaneStatus::NotConnected);
                    self.messages.status("Disconnected from the server.");
                }
                if self.local.session == Some(session) {
                    self.local.session = None;
                    self.local
                        .clear(PaneStatus::Failed("This computer's files cannot be read.".into()));
                }
            }
            Event::Listing {
                id,
                path,
                entries,
                refused,
            } => {
                for sentence in refused {
                    self.messages.push(LogDirection::Warning, sentence);
                }
                if let Some(Pending::Tree { side }) = self.pending.remove(&id) {
                    let pane = self.pane_mut(side);
                    pane.tree.learn(&path, &entries);
                    return;
                }
                for side in [Side::Local, Side::Remote] {
                    let pane = self.pane_mut(side);
                    if pane.pending.as_ref().is_some_and(|(pending, _)| *pending == id) {
                        pane.pending = None;
                        if side == Side::Local {
                            self.settings.local_folder = Some(path.to_string());
                        }
                        self.pane_mut(side).show_listing(path, entries);
                        return;
                    }
                }
            }
            Event::Stat { .. } => {}
            Event::OpFinished { id, result } => self.on_finished(id, result),
            Event::ItemsAdded { items } => self.transfers.added(items),
            Event::ItemChanged {
                item,
                state,
                attempts,
                progress,
            } => {
                if let crate::engine::api::TransferState::Failed { reason } = &state
                    && let Some(transfer) = self.transfers.get(item)
                {
                    let name = transfer.item.remote.clone();
                    self.messages.error(format!("{name}: {reason}"));
                }
                let now = self.clock();
                self.transfers.changed(item, state, attempts, progress, now);
            }
            Event::ItemsRemoved { items } => self.transfers.removed(&items),
            Event::QueueOrder { pending } => self.transfers.reordered(&pending),
            Event::JobFinished { job, summary } => self.on_job_finished(job, summary),
            Event::QueueLoaded { counts } => {
                let unfinished = counts.queued + counts.paused + counts.waiting;
                if unfinished > 0 {
                    self.messages.status(format!(
                        "{unfinished} transfers left from the last run are back in the queue."
                    ));
                }
            }
            Event::QueueIdle { .. } => {
                if self.closing == Closing::WhenIdle {
                    self.closing = Closing::Now;
                }
            }
            Event::Prompt { prompt, question } => self.dialogs.push_back(Dialog::prompt(prompt, question)),
            Event::HostKeyChanged {
                host,
                port,
                key_type,
                fingerprint,
                recorded,
                known_hosts,
            } => self.dialogs.push_back(Dialog::HostKeyChanged {
                server: format!("{host}:{port}"),
                key_type,
                fingerprint,
                recorded,
                known_hosts,
            }),
            Event::Log { direction, text, .. } => self.messages.push(direction, text),
            Event::Sites {
                id,
                sites,
                folders,
                keyring,
            } if self.sites.waits_for(id) => {
                self.sites.pending.retain(|pending| *pending != id);
                // A folder renamed or deleted moves or removes the sites in it: the form and
                // the connected site follow, so that a later save does not undo the move.
                if let Some(editing) = &mut self.sites.editing
                    && !editing.site.id.is_empty()
                {
                    match sites.iter().find(|site| site.id == editing.site.id) {
                        Some(site) => editing.site.folder = site.folder.clone(),
                        None => self.sites.editing = None,
                    }
                }
                if let Some(saved) = &mut self.saved {
                    match sites.iter().find(|site| site.id == saved.id) {
                        Some(site) => *saved = site.clone(),
                        None => self.saved = None,
                    }
                }
                self.sites.sites = sites;
                self.sites.folders = folders;
                self.sites.keyring = Some(keyring);
            }
            Event::SiteSaved { id, site, warning } if self.sites.waits_for(id) => {
                self.sites.pending.retain(|pending| *pending != id);
                let message = match warning {
                    Some(warning) => (true, format!("Saved {}, but {warning}.", site.path())),
                    None => (false, format!("Saved {}.", site.path())),
                };
                if let Some(saved) = &mut self.saved
                    && saved.id == site.id
                {
                    *saved = site.clone();
                }
                if !self.sites.open {
                    // Saved from elsewhere (a bookmark from the server pane): the log says so.
                    match message {
                        (true, text) => self.messages.error(text),
                        (false, text) => self.messages.status(text),
                    }
                    return;
                }
                self.sites.message = Some(message);
                if self.sites.duplicating == Some(id) {
                    self.sites.duplicating = None;
                    self.sites.editing = Some(super::site_manager::Editing::of(site));
                } else if let Some(editing) = &mut self.sites.editing
                    && (editing.site.id.is_empty() || editing.site.id == site.id)
                {
                    editing.site = site;
                }
                super::site_manager::SiteManager::show_window(self);
            }
            Event::SiteResolved {
                id,
                saved,
                site,
                path,
                secret_missing,
            } if self.sites.waits_for(id) => {
                self.sites.pending.retain(|pending| *pending != id);
                if let (Some(_), Some(secret)) = (&secret_missing, self.sites.remembered.get(&saved.id)) {
                    // Asked for earlier in this run (no keyring, or "ask every time").
                    let mut site = site;
                    match site.credentials.key_file {
                        Some(_) => site.credentials.key_passphrase = Some(secret.clone()),
                        None => site.credentials.password = Some(secret.clone()),
                    }
                    self.connect_site(Some(saved), site, Some(path));
                    return;
                }
                match secret_missing {
                    None => self.connect_site(Some(saved), site, Some(path)),
                    Some(reason) => self.dialogs.push_back(Dialog::SitePassword {
                        name: saved.path(),
                        reason,
                        saved: Box::new(saved),
                        site: Box::new(site),
                        path,
                        password: String::new(),
                    }),
                }
            }
            Event::Imported { id, report } if self.sites.waits_for(id) => {
                self.sites.pending.retain(|pending| *pending != id);
                let file = self.sites.importing.remove(&id);
                self.dialogs.push_back(Dialog::ImportReport { file, report });
                super::site_manager::SiteManager::show_window(self);
            }
            Event::Trust {
                id,
                host_keys,
                certificates,
            } if self.trust.waits_for(id) => self.trust.update(id, host_keys, certificates),
            Event::Sites { .. }
            | Event::SiteSaved { .. }
            | Event::SiteResolved { .. }
            | Event::Imported { .. }
            | Event::Trust { .. } => {}
        }
    }

    fn on_connected(&mut self, id: RequestId, session: SessionId, security: Security, home: String) {
        if id == self.local_request {
            self.local.session = Some(session);
            let start = self
                .settings
                .local_folder
                .clone()
                .filter(|folder| Path::new(folder).is_dir())
                .unwrap_or(home);
            self.navigate(Side::Local, RemotePath::new(&start));
            return;
        }
        if self.connecting != Some(id) {
            // A connection the user gave up on: close it again.
            self.engine.send(SessionCommand::Disconnect { session });
            return;
        }
        self.connecting = None;
        self.remote.session = Some(session);
        self.messages.status(format!("Connected ({security})."));
        self.security = Some(security);
        if let Some(site) = &self.site {
            let recent = Recent {
                protocol: site.protocol,
                host: site.host.clone(),
                port: site.port,
                user: site.user.clone(),
            };
            self.settings.recent.retain(|known| *known != recent);
            self.settings.recent.insert(0, recent);
            self.settings.recent.truncate(MAX_RECENT);
        }
        // `~` (a saved site's default) is the login folder the server just named, so that the
        // path bar, breadcrumbs and tree show where that is.
        let start = match self.form.start_path.take() {
            Some(path) if path.as_str() == "~" => RemotePath::new(&home),
            Some(path) => match path.as_str().strip_prefix("~/") {
                Some(rest) => RemotePath::new(&home).join(rest),
                None => path,
            },
            None => RemotePath::new(&home),
        };
        self.navigate(Side::Remote, start);
    }

    fn on_finished(&mut self, id: RequestId, result: Result<OpSummary, OpError>) {
        if self.trust.waits_for(id) {
            self.trust.pending.retain(|pending| *pending != id);
            if let Err(error) = result {
                self.trust.problem = Some(sentence(&error));
            }
            super::trust_view::open(self);
            return;
        }
        if self.sites.waits_for(id) {
            self.sites.importing.remove(&id);
            if self.sites.duplicating == Some(id) {
                self.sites.duplicating = None;
            }
            self.sites.pending.retain(|pending| *pending != id);
            match result {
                Ok(_) => {
                    self.sites.message = Some((false, "Deleted.".to_owned()));
                    super::site_manager::SiteManager::show_window(self);
                }
                Err(error) => self.sites.message = Some((true, sentence(&error))),
            }
            return;
        }
        if self.connecting == Some(id) {
            self.connecting = None;
            self.site = None;
            if let Err(error) = result {
                if error.kind == crate::engine::api::ErrorKind::Auth
                    && let Some(saved) = &self.saved
                {
                    // A password typed for this run was wrong: ask again next time.
                    self.sites.remembered.remove(&saved.id);
                }
                let sentence = sentence(&error);
                self.remote.clear(PaneStatus::Failed(sentence.clone()));
                // A changed host key has its own dialog already; one is enough.
                let explained = self
                    .dialogs
                    .iter()
                    .any(|dialog| matches!(dialog, Dialog::HostKeyChanged { .. }));
                if !explained {
                    self.dialogs.push_back(Dialog::Error {
                        title: "Could not connect".into(),
                        text: sentence,
                    });
                }
            }
            return;
        }
        for side in [Side::Local, Side::Remote] {
            let pane = self.pane_mut(side);
            if let Some((pending, path)) = pane.pending.clone()
                && pending == id
            {
                pane.pending = None;
                if let Err(error) = result {
                    let sentence = sentence(&error);
                    if pane.path.is_none() {
                        pane.status = PaneStatus::Failed(sentence.clone());
                    } else {
                        // Keep showing the folder we were in; say why we did not move.
                        pane.status = PaneStatus::Ready;
                        pane.path_text = pane.path.as_ref().map(ToString::to_string).unwrap_or_default();
                    }
                    self.messages.error(format!("Could not open {path}: {sentence}"));
                }
                return;
            }
        }
        match self.pending.remove(&id) {
            Some(Pending::Change { side, what }) => {
                if let Err(error) = result {
                    self.dialogs.push_back(Dialog::Error {
                        title: format!("Could not {what}"),
                        text: sentence(&error),
                    });
                }
                self.refresh(side);
            }
            Some(Pending::Tree { .. }) | None => {}
        }
    }

    fn on_job_finished(&mut self, job: JobId, summary: OpSummary) {
        if !self.jobs.remove(&job) {
            return;
        }
        for failure in &summary.failed {
            self.messages.error(failure.clone());
        }
        for refused in &summary.refused {
            self.messages.push(LogDirection::Warning, refused.clone());
        }
        let files = if summary.files == 1 { "file" } else { "files" };
        self.messages.status(format!(
            "Transfer finished: {} {files}, {}{}.",
            summary.files,
            super::format::size(summary.bytes),
            if summary.failed.is_empty() {
                String::new()
            } else {
                format!(", {} failed (see the Failed tab)", summary.failed.len())
            }
        ));
        if let Some(file) = self.open_when_done.remove(&job)
            && summary.failed.is_empty()
        {
            open_with_system(&file, &mut self.messages);
        }
        self.refresh(Side::Local);
        self.refresh(Side::Remote);
    }

    /// Connects to what the quickconnect fields describe.
    pub fn connect(&mut self) {
        let site = match self.form.site() {
            Ok(site) => site,
            Err(sentence) => {
                self.dialogs.push_back(Dialog::Error {
                    title: "Cannot connect yet".into(),
                    text: sentence,
                });
                return;
            }
        };
        self.saved = None;
        self.open_connection(site);
    }

    /// Connects to a site given whole (a saved one, resolved by the engine), opening `path`.
    pub fn connect_site(&mut self, saved: Option<SavedSite>, site: Site, path: Option<RemotePath>) {
        self.form.protocol = site.protocol;
        self.form.host = site.host.clone();
        self.form.user = site.user.clone();
        self.form.port = site.port.to_string();
        self.form.password.clear();
        self.form.start_path = path;
        self.sites.open = false;
        self.open_connection(site);
        if let Some(folder) = saved.as_ref().and_then(|saved| saved.local_folder.as_ref()) {
            match folder.to_str() {
                Some(text) if self.local.session.is_some() => self.navigate(Side::Local, RemotePath::new(text)),
                Some(text) => self.settings.local_folder = Some(text.to_owned()),
                None => {}
            }
        }
        self.saved = saved;
    }

    /// Closes any connection and opens one to `site`; `Connected` or an error follows.
    fn open_connection(&mut self, site: Site) {
        self.disconnect();
        let id = self.engine.next_id();
        self.messages.status(format!(
            "Connecting to {}://{}@{} ...",
            site.protocol,
            site.user,
            site.authority()
        ));
        self.engine.send(SessionCommand::Connect { id, site: site.clone() });
        self.connecting = Some(id);
        self.site = Some(site);
        self.remote.clear(PaneStatus::Connecting);
    }

    pub fn disconnect(&mut self) {
        if let Some(session) = self.remote.session.take() {
            self.engine.send(SessionCommand::Disconnect { session });
        }
        if let Some(id) = self.connecting.take() {
            self.engine.send(Command::Cancel { id });
        }
        self.security = None;
        self.remote.clear(PaneStatus::NotConnected);
    }

    /// Lists `path` in a pane; the pane switches when the listing arrives.
    pub fn navigate(&mut self, side: Side, path: RemotePath) {
        let Some(session) = self.pane(side).session else {
            return;
        };
        let id = self.engine.next_id();
        self.engine.send(Command::request(
            session,
            SessionRequest::List { id, path: path.clone() },
        ));
        let pane = self.pane_mut(side);
        pane.pending = Some((id, path));
        if pane.path.is_none() {
            pane.status = PaneStatus::Loading;
        }
    }

    pub fn refresh(&mut self, side: Side) {
        if let Some(path) = self.pane(side).path.clone() {
            self.navigate(side, path);
        }
    }

    /// Lists a folder for the tree only (its arrow was opened).
    pub fn list_for_tree(&mut self, side: Side, path: RemotePath) {
        let Some(session) = self.pane(side).session else {
            return;
        };
        let id = self.engine.next_id();
        self.engine
            .send(Command::request(session, SessionRequest::List { id, path }));
        self.pending.insert(id, Pending::Tree { side });
    }

    /// Enter or double click on a row.
    pub fn activate(&mut self, side: Side, row: usize) {
        match self.pane(side).activate(row) {
            Some(Activation::Open(path)) => self.navigate(side, path),
            Some(Activation::Transfer(names)) => self.transfer(side, &names, None, false),
            None => {}
        }
    }

    /// Copies entries of the `from` pane (by name) into the other pane's folder, or into
    /// `into` (a folder of the other side) when given.
    pub fn transfer(&mut self, from: Side, names: &[String], into: Option<RemotePath>, paused: bool) {
        let (Some(site), Some(remote_folder), Some(local_folder)) =
            (self.site.clone(), self.remote.path.clone(), self.local.path.clone())
        else {
            self.messages
                .error("Connect to a server first: transfers go between this computer and a server.");
            return;
        };
        if self.remote.session.is_none() {
            self.messages
                .error("Connect to a server first: transfers go between this computer and a server.");
            return;
        }
        let specs: Vec<TransferSpec> = names
            .iter()
            .map(|name| match from {
                Side::Local => TransferSpec {
                    direction: Direction::Upload,
                    local: local_path(&local_folder).join(name),
                    remote: into.clone().unwrap_or_else(|| remote_folder.clone()),
                    recursive: true,
                },
                Side::Remote => TransferSpec {
                    direction: Direction::Download,
                    local: local_path(&into.clone().unwrap_or_else(|| local_folder.clone())),
                    remote: remote_folder.join(name),
                    recursive: true,
                },
            })
            .collect();
        self.enqueue(site, specs, paused);
    }

    /// Uploads files and folders dropped from the desktop into `folder` on the server.
    pub fn upload_dropped(&mut self, paths: Vec<PathBuf>, folder: RemotePath) {
        let Some(site) = self.site.clone().filter(|_| self.remote.session.is_some()) else {
            self.messages
                .error("Connect to a server first, then drop files on the server's side to upload them.");
            return;
        };
        let specs = paths
            .into_iter()
            .map(|local| TransferSpec {
                direction: Direction::Upload,
                local,
                remote: folder.clone(),
                recursive: true,
            })
            .collect();
        self.enqueue(site, specs, false);
    }

    fn enqueue(&mut self, site: Site, specs: Vec<TransferSpec>, paused: bool) -> Option<JobId> {
        if specs.is_empty() {
            return None;
        }
        let job = self.engine.next_job();
        self.jobs.insert(job);
        self.engine.send(QueueCommand::Enqueue {
            job,
            site,
            specs,
            options: TransferOptions {
                on_conflict: ConflictPolicy::Ask,
                upload_via_temp: self.saved.as_ref().is_none_or(|saved| saved.upload_via_temp),
                ..TransferOptions::default()
            },
            paused,
        });
        Some(job)
    }

    /// Opens a file with the system's program: a local one at once, a remote one after
    /// downloading it to a temporary folder.
    pub fn open(&mut self, side: Side, name: &str) {
        let Some(folder) = self.pane(side).path.clone() else {
            return;
        };
        match side {
            Side::Local => open_with_system(&local_path(&folder).join(name), &mut self.messages),
            Side::Remote => {
                let Some(site) = self.site.clone() else {
                    return;
                };
                let scratch = std::env::temp_dir().join(format!("wharf-open-{}", std::process::id()));
                if let Err(error) = std::fs::create_dir_all(&scratch) {
                    self.messages
                        .error(format!("Could not make a folder for {name}: {error}"));
                    return;
                }
                let spec = TransferSpec {
                    direction: Direction::Download,
                    local: scratch.clone(),
                    remote: folder.join(name),
                    recursive: false,
                };
                let job = self.engine.next_job();
                self.jobs.insert(job);
                self.engine.send(QueueCommand::Enqueue {
                    job,
                    site,
                    specs: vec![spec],
                    options: TransferOptions {
                        on_conflict: ConflictPolicy::Overwrite,
                        ..TransferOptions::default()
                    },
                    paused: false,
                });
                self.open_when_done.insert(job, scratch.join(name));
            }
        }
    }

    /// Sends a change to a pane's folder; the pane refreshes when it is done.
    pub fn change(&mut self, side: Side, what: String, request: impl FnOnce(RequestId) -> SessionRequest) {
        let Some(session) = self.pane(side).session else {
            return;
        };
        let id = self.engine.next_id();
        self.engine.send(Command::request(session, request(id)));
        self.pending.insert(id, Pending::Change { side, what });
    }

    /// `scheme://user@host:port/path` of an entry of the remote pane (never the password), or
    /// the local path.
    pub fn url_of(&self, side: Side, name: &str) -> Option<String> {
        let folder = self.pane(side).path.as_ref()?;
        let path = folder.join(name);
        match side {
            Side::Local => Some(path.to_string()),
            Side::Remote => {
                let site = self.site.as_ref()?;
                Some(format!("{}{}", site.address(), path.url_form()))
            }
        }
    }

    /// Applies the limits of the settings (parallel transfers, rates).
    pub fn apply_limits(&mut self) {
        let download = super::format::parse_rate(&self.settings.download_limit);
        let upload = super::format::parse_rate(&self.settings.upload_limit);
        match (download, upload) {
            (Ok(download_rate), Ok(upload_rate)) => {
                let parallel = self.settings.parallel.clamp(1, QueueLimits::MAX_PARALLEL);
                self.engine.send(QueueCommand::SetLimits {
                    limits: QueueLimits {
                        parallel,
                        per_site: parallel,
                        download_rate,
                        upload_rate,
                    },
                });
            }
            (Err(sentence), _) | (_, Err(sentence)) => self.messages.error(sentence),
        }
    }

    pub fn queue_command(&mut self, make: fn(Selection) -> Command) {
        let selection = self.transfers.selection();
        if !selection.is_empty() {
            self.engine.send(make(Selection::Items(selection)));
        }
    }

    /// The window is asked to close. Returns whether it may close now.
    pub fn close_requested(&mut self) -> bool {
        match self.closing {
            Closing::Now => true,
            _ if self.transfers.running_count() == 0 => true,
            _ => {
                if !self
                    .dialogs
                    .iter()
                    .any(|dialog| matches!(dialog, Dialog::CloseWhileRunning))
                {
                    self.dialogs.push_front(Dialog::CloseWhileRunning);
                }
                false
            }
        }
    }

    /// Entries chosen in a pane, with whether each is a folder.
    pub fn chosen(&self, side: Side) -> Vec<(String, bool)> {
        self.pane(side)
            .chosen()
            .into_iter()
            .map(|entry| (entry.name.clone(), entry.kind == EntryKind::Dir))
            .collect()
    }
}

/// A pane path of the local side as a file system path.
pub fn local_path(path: &RemotePath) -> PathBuf {
    PathBuf::from(path.as_str())
}

/// An error as a sentence for a dialog: the engine's message, capitalised, with a full stop.
pub fn sentence(error: &OpError) -> String {
    let mut text = error.message.trim().to_owned();
    if let Some(first) = text.chars().next() {
        text.replace_range(..first.len_utf8(), &first.to_uppercase().to_string());
    }
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// Opens a file with the program the system associates with it, off the window's thread.
fn open_with_system(path: &Path, messages: &mut Messages) {
    let path = path.to_path_buf();
    messages.status(format!("Opening {} ...", path.display()));
    let spawned = std::thread::Builder::new()
        .name("wharf-open".to_owned())
        .spawn(move || {
            if let Err(error) = opener::open(&path) {
                tracing::warn!("could not open {}: {error}", path.display());
            }
        });
    if let Err(error) = spawned {
        messages.error(format!("Could not open the file: {error}"));
    }
}
