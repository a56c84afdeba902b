//! The desktop window (egui/eframe, the glow renderer): a quickconnect bar, the message log,
//! this computer on the left and the server on the right, the queue below and a status bar.
//!
//! Like the command line, it sees only [`crate::engine::api`], [`crate::engine::handle`] and
//! [`crate::model`]: every action becomes a [`crate::engine::api::Command`], every answer
//! arrives as an event, and the frame never waits on the network. Progress is read from the
//! engine's counters each frame while transfers run; when idle the window repaints only when
//! an event wakes it.
//!
//! - `app`: the one owner of state: events in (`app`'s `events`), intents out (`intents`),
//!   and the frame (`frame`), which lends each component what it draws.
//! - `intent`: what the user asked for, as plain values, grouped by concern; `requests`:
//!   the one table of what each request's answer is for; `background`: the threads the
//!   window hands disk and desktop work to (file dialogs, "open with", finding FileZilla's
//!   file, the folder a remote file opens from).
//! - The edit loop: `edits` (the files being edited and where each is in the loop),
//!   `edit_watch` (a thread that makes the private copies, opens the editor, notices saves
//!   with the notify crate and removes the copies), `edits_view` (the list above the
//!   queue), and `app`'s `editing` (fetch, ask, check the server's copy, upload).
//! - Components, each owning its view state and pushing intents: `pane_view` (a pane and
//!   its keys, over the model in `pane` and `tree`), `queue_view` (over `transfers`, with
//!   `why_slow`: what limits each running transfer, from its counters),
//!   `log_view` (over `messages`), `connect_bar` (over `connect_form`),
//!   `status_bar`, `edits_view`, `dialogs` (one modal at a time), `site_manager` (saved sites: a tree
//!   of folders and sites, an edit form), `trust_view` (host keys and pinned certificates).
//! - `notice`: the desktop notification when a job ends while the window is in the
//!   background.
//! - `settings`, `format`: what is remembered, and how numbers read.

mod app;
mod background;
mod compare;
mod connect_bar;
mod connect_form;
mod dialogs;
mod edit_watch;
mod edits;
mod edits_view;
mod format;
mod icons;
mod intent;
mod log_view;
mod messages;
mod notice;
mod pane;
mod pane_view;
mod queue_view;
mod requests;
mod settings;
mod site_manager;
mod status_bar;
mod sync_view;
mod transfers;
mod tree;
mod trust_view;
mod why_slow;

pub use self::app::App;
pub use self::settings::Settings;

use std::sync::Arc;

use crate::engine::handle::{EngineConfig, EngineHandle};
use crate::model::link::Link;

/// The one application id, used everywhere a desktop names Wharf: the window's app id (Wayland)
/// and WM_CLASS (X11), the desktop file, the AppStream metainfo, the icon and the Flatpak.
/// Docks and task bars group and label the window by it.
pub const APP_ID: &str = "dev.wharf.Wharf";

/// The window's icon, a render of `assets/icons/dev.wharf.Wharf.svg`.
const ICON_PNG: &[u8] = include_bytes!("../../assets/icons/hicolor/256x256/apps/dev.wharf.Wharf.png");

/// The icon for the title bar and task bar; without it (it cannot fail to decode, but if it
/// did) the window opens with the platform's default icon rather than not at all.
fn window_icon() -> Option<Arc<egui::IconData>> {
    match eframe::icon_data::from_png_bytes(ICON_PNG) {
        Ok(icon) => Some(Arc::new(icon)),
        Err(error) => {
            tracing::warn!("the window icon could not be decoded: {error}");
            None
        }
    }
}

/// The window as eframe runs it.
struct Window {
    app: App,
}

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.frame(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, settings::KEY, self.app.settings());
    }
}

/// Opens the window (at the first of `links` when there is one) and returns the process's
/// exit code when it closes. A window shows one server, so further links are named in the
/// log, not opened.
pub fn run(links: Vec<Link>) -> i32 {
    let mut links = links.into_iter();
    let first = links.next();
    let not_opened: Vec<Link> = links.collect();
    let mut config = EngineConfig::discover();
    // What `wharf get` and `put` add, and their progress, show in the window as they happen.
    config.watch_others = true;
    let started = eframe::run_native(
        "Wharf",
        native_options(&config),
        Box::new(move |creation| {
            let settings: Settings = creation
                .storage
                .and_then(|storage| eframe::get_value(storage, settings::KEY))
                .unwrap_or_default();
            let ctx = creation.egui_ctx.clone();
            let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || ctx.request_repaint());
            let engine = EngineHandle::start(config, Some(wake))?;
            let mut app = App::new(engine, settings, first);
            app.note_links_not_opened(&not_opened);
            app.clean_earlier_edits();
            Ok(Box::new(Window { app }))
        }),
    );
    match started {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("wharf: the window could not open: {error}");
            eprintln!("wharf: the command line works without a display; see `wharf --help`.");
            1
        }
    }
}

/// The window as the desktop sees it: title, app id, icon, size, the glow renderer, and
/// where its layout is remembered.
fn native_options(config: &EngineConfig) -> eframe::NativeOptions {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Wharf")
        .with_app_id(APP_ID)
        .with_inner_size([1280.0, 820.0])
        .with_min_inner_size([760.0, 480.0]);
    if let Some(icon) = window_icon() {
        viewport = viewport.with_icon(icon);
    }
    eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        persist_window: true,
        // Window size, panel and column widths, sort orders: next to Wharf's other settings
        // (so `WHARF_HOME` moves them too), never a secret.
        persistence_path: Some(config.paths.window_settings()),
        event_loop_builder: Some(Box::new(prefer_x11)),
        ..eframe::NativeOptions::default()
    }
}

/// On Linux desktops that offer both, use X11 (XWayland): winit delivers files dropped from
/// the file manager only there, and dropping files onto the server is how many people upload.
fn prefer_x11(builder: &mut eframe::EventLoopBuilder<eframe::UserEvent>) {
    #[cfg(all(unix, not(target_os = "macos")))]
    if std::env::var_os("DISPLAY").is_some() {
        use winit::platform::x11::EventLoopBuilderExtX11;
        builder.with_x11();
    }
    let _ = builder;
}
