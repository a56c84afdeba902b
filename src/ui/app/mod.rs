//! The window's one owner of state. Components draw from what it lends them and push
//! [`Intent`](super::intent::Intent)s; the app is the only place that turns intents into engine commands
//! ([`intents`]) and applies the engine's events ([`events`]). [`frame`] lays out one frame.
//! Nothing here waits: every request is sent, recorded in one table ([`Requests`]) with what
//! its answer is for, and its answer arrives later as an event.

mod editing;
mod events;
mod frame;
mod intents;
mod syncing;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::PathBuf;

pub use self::frame::Geometry;
use super::background::Background;
use super::connect_form::ConnectForm;
use super::dialogs::Dialogs;
use super::edit_watch::EditWatch;
use super::edits::Edits;
use super::intent::{ConnectionIntent, Focus, LimitsTyped};
use super::messages::Messages;
use super::pane::{Pane, Side};
use super::requests::{Requests, Waiting};
use super::settings::Settings;
use super::site_manager::SiteManager;
use super::transfers::Transfers;
use super::trust_view::TrustPage;
use crate::engine::api::{SavedSite, Security, SessionCommand, Site};
use crate::engine::handle::EngineHandle;
use crate::model::Secret;
use crate::model::link::Link;

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

/// The server this window is connected (or connecting) to.
#[derive(Default)]
struct Connection {
    /// The site, with its password, in memory only.
    site: Option<Site>,
    /// The encryption in use, as the engine described it.
    security: Option<Security>,
    /// How exact the server's listed times are, as the engine said when it connected.
    times: crate::engine::api::TimeSource,
    /// The saved site the connection was opened from: its local folder, upload mode and
    /// bookmarks apply.
    saved: Option<SavedSite>,
    /// Secrets typed at connection time, by saved site id, for this run only.
    remembered: HashMap<String, Secret>,
}

/// What the frame hands to egui once the intents are carried out.
#[derive(Default)]
struct Outbox {
    copy: Option<String>,
    close: bool,
}

pub struct App {
    engine: EngineHandle,
    pub(super) settings: Settings,
    pub(super) form: ConnectForm,
    pub(super) local: Pane,
    pub(super) remote: Pane,
    /// Where the keyboard works: a pane or the queue.
    pub(super) focus: Focus,
    connection: Connection,
    pub(super) messages: Messages,
    transfers: Transfers,
    /// The queue toolbar's limits, as typed.
    limits: LimitsTyped,
    pub(super) dialogs: Dialogs,
    requests: Requests,
    closing: Closing,
    /// Seconds since the window started (egui's clock), updated each frame.
    now: f64,
    /// Where the last frame drew what files can be dropped on.
    geometry: Geometry,
    pub(super) sites: SiteManager,
    trust: TrustPage,
    background: Background,
    outbox: Outbox,
    /// The icon font is added to egui's fonts with the first frame.
    icons_installed: bool,
    /// Server files being edited, and the thread that watches their copies (started with
    /// the first edit).
    pub(super) edits: Edits,
    edit_watch: Option<EditWatch>,
    /// Whether the window has the keyboard (has the desktop's focus), as of the last frame.
    window_focused: bool,
    /// Where the copies of edited files are made: the system's temporary folder (tests
    /// use their own).
    pub(super) edit_base: PathBuf,
    /// Compare, synchronised browsing and the Synchronize window.
    pub(super) sync: syncing::SyncState,
}

impl App {
    /// A window over `engine`: opens the local pane and applies the remembered limits. With
    /// a checked `link`, connects to the place it names at once (and does nothing more).
    pub fn new(engine: EngineHandle, settings: Settings, link: Option<Link>) -> App {
        let local_request = engine.next_id();
        engine.send(SessionCommand::OpenLocal { id: local_request });
        let mut requests = Requests::default();
        requests.insert(local_request, Waiting::LocalSession);
        let mut app = App {
            local: Pane::new(Side::Local, settings.local_sort),
            remote: Pane::new(Side::Remote, settings.remote_sort),
            limits: LimitsTyped {
                parallel: settings.parallel,
                auto_parallel: settings.auto_parallel,
                download: settings.download_limit.clone(),
                upload: settings.upload_limit.clone(),
                timeout: settings.idle_timeout,
            },
            engine,
            settings,
            form: ConnectForm::default(),
            focus: Focus::Pane(Side::Local),
            connection: Connection::default(),
            messages: Messages::default(),
            transfers: Transfers::default(),
            dialogs: Dialogs::default(),
            requests,
            closing: Closing::No,
            now: 0.0,
            geometry: Geometry::default(),
            sites: SiteManager::default(),
            trust: TrustPage::default(),
            background: Background::default(),
            outbox: Outbox::default(),
            icons_installed: false,
            edits: Edits::default(),
            edit_watch: None,
            edit_base: std::env::temp_dir(),
            sync: syncing::SyncState::default(),
            window_focused: true,
        };
        app.apply_limits();
        match link {
            Some(Link::Site(reference)) => app.carry_out(ConnectionIntent::ConnectSite(reference)),
            Some(Link::Server(location)) => {
                app.form.fill_from_location(location);
                app.carry_out(ConnectionIntent::Connect);
            }
            None => {}
        }
        app
    }

    /// The settings to remember when the window closes: the limits as typed too, even when
    /// their field still has the keyboard (they apply at the next start).
    pub fn settings(&mut self) -> &Settings {
        self.settings.parallel = self.limits.parallel;
        self.settings.download_limit.clone_from(&self.limits.download);
        self.settings.upload_limit.clone_from(&self.limits.upload);
        self.settings.idle_timeout = self.limits.timeout;
        &self.settings
    }

    /// Makes the copies of edited files in `base` instead of the system's temporary folder.
    pub fn with_edit_folder(mut self, base: PathBuf) -> App {
        self.edit_base = base;
        self
    }

    /// Removes what earlier runs' edits left in the temporary folder, but copies with
    /// changes that were not uploaded, which the log names.
    pub fn clean_earlier_edits(&self) {
        self.background.clean_earlier_edits(self.edit_base.clone());
    }

    /// Says in the log which links were not opened (shown without their passwords).
    pub fn note_links_not_opened(&mut self, links: &[Link]) {
        if links.is_empty() {
            return;
        }
        let shown: Vec<String> = links.iter().map(Link::to_string).collect();
        self.messages.error(format!(
            "Wharf opens one server per window; not opened: {}.",
            shown.join(", ")
        ));
    }

    fn pane(&self, side: Side) -> &Pane {
        match side {
            Side::Local => &self.local,
            Side::Remote => &self.remote,
        }
    }

    fn pane_mut(&mut self, side: Side) -> &mut Pane {
        match side {
            Side::Local => &mut self.local,
            Side::Remote => &mut self.remote,
        }
    }

    /// Whether a connection to the server is on its way.
    fn connecting(&self) -> bool {
        self.requests.any(|waiting| *waiting == Waiting::Connect)
    }
}
