//! One frame: read what the engine said, lay out the quickconnect bar, the message log, the
//! two panes, the queue and the status bar, show the site manager, the trust page and the
//! front dialog, each lent the state it draws; then carry out what they asked for. The frame
//! never waits: it polls.

use std::path::PathBuf;
use std::time::Duration;

use egui::{Rect, Ui};

use super::{App, Closing};
use crate::ui::intent::{Focus, Intents, PaneIntent, WindowIntent};
use crate::ui::pane::Side;
use crate::ui::pane_view::{self, DropFolder, PaneLent};
use crate::ui::status_bar::{self, Status};
use crate::ui::transfers::Tab;
use crate::ui::{connect_bar, dialogs, edits_view, log_view, queue_view, site_manager, sync_view, trust_view};

/// How often a frame is drawn while transfers run, to move their progress bars.
const PROGRESS_REFRESH: Duration = Duration::from_millis(250);

/// Where the last frame drew the drop targets for files from the desktop.
#[derive(Debug, Clone)]
pub struct Geometry {
    pub local: Rect,
    pub remote: Rect,
    /// Folder rows of the remote list that were visible, with their paths.
    pub remote_folders: Vec<DropFolder>,
}

impl Default for Geometry {
    fn default() -> Self {
        Geometry {
            local: Rect::NOTHING,
            remote: Rect::NOTHING,
            remote_folders: Vec::new(),
        }
    }
}

impl App {
    /// Draws one frame and carries out what the user asked for in it.
    pub fn frame(&mut self, ui: &mut Ui) {
        self.now = ui.input(|input| input.time);
        self.window_focused = ui.input(|input| input.viewport().focused.unwrap_or(true));
        self.background.wake_with(ui.ctx());
        if !std::mem::replace(&mut self.icons_installed, true) {
            crate::ui::icons::install(ui.ctx());
        }
        if ui.ctx().options(|options| options.theme_preference) != self.settings.theme {
            ui.ctx().set_theme(self.settings.theme);
        }
        self.drain_events();
        self.transfers.sample(self.clock());
        self.transfers.refresh_tabs();
        self.handle_closing(ui);

        let mut intents = Intents::default();
        self.drop_files_from_desktop(ui, &mut intents);
        if self.dialogs.is_empty() && !ui.ctx().text_edit_focused() {
            match self.focus {
                Focus::Pane(side) => {
                    let now = self.now;
                    pane_view::keyboard(self.pane_mut(side), now, ui, &mut intents);
                }
                Focus::Queue => queue_view::keyboard(&self.transfers, ui, &mut intents),
            }
        }
        self.lay_out(ui, &mut intents);
        site_manager::show(&mut self.sites, ui.ctx(), &mut intents);
        trust_view::show(&mut self.trust, ui.ctx(), &mut intents);
        sync_view::show(&mut self.sync.page, ui.ctx(), &mut intents);
        dialogs::show(&mut self.dialogs, ui, &mut intents);

        for intent in intents.take() {
            self.carry_out(intent);
        }
        self.deliver_outbox(ui);
        if self.transfers.any_moving() {
            ui.ctx().request_repaint_after(PROGRESS_REFRESH);
        }
    }

    /// The panels: quickconnect, log, status bar, queue, and the two panes.
    fn lay_out(&mut self, ui: &mut Ui, intents: &mut Intents) {
        let bar = connect_bar::ConnectBar {
            online: self.remote.session.is_some() || self.connecting(),
            recent: &self.settings.recent,
            show_log: self.settings.show_log,
            theme: self.settings.theme,
        };
        egui::Panel::top("quickconnect").show(ui, |ui| connect_bar::show(&mut self.form, &bar, ui, intents));
        if self.settings.show_log {
            egui::Panel::top("message-log")
                .resizable(true)
                .default_size(130.0)
                .min_size(60.0)
                .show(ui, |ui| log_view::show(&mut self.messages, ui, intents));
        }
        let status = self.status();
        egui::Panel::bottom("status-bar").show(ui, |ui| status_bar::show(&status, ui));
        egui::Panel::bottom("queue")
            .resizable(true)
            .default_size(230.0)
            .min_size(110.0)
            .show(ui, |ui| {
                queue_view::show(&mut self.transfers, &mut self.limits, ui, intents)
            });
        // Added after the queue, so it sits above it, next to the panes the files came from.
        if !self.edits.is_empty() {
            egui::Panel::bottom("edited-files").show(ui, |ui| {
                edits_view::show(&self.edits, &mut self.settings.editor, ui, intents)
            });
        }
        let bar = self.sync_bar();
        egui::Panel::top("sync-bar").show(ui, |ui| sync_view::show_bar(&bar, ui, intents));
        let half = (ui.available_width() / 2.0 - 4.0).max(240.0);
        let lent = self.pane_lent(Side::Local);
        let local = egui::Panel::left("local-pane")
            .resizable(true)
            .default_size(half)
            .min_size(240.0)
            .max_size((ui.available_width() - 240.0).max(240.0))
            .show(ui, |ui| pane_view::show(&mut self.local, &lent, ui, intents));
        self.geometry.local = local.response.rect;
        let lent = self.pane_lent(Side::Remote);
        let remote = egui::CentralPanel::default().show(ui, |ui| pane_view::show(&mut self.remote, &lent, ui, intents));
        self.geometry.remote = remote.response.rect;
        self.geometry.remote_folders = remote.inner;
    }

    /// What a pane is shown of the rest of the window.
    fn pane_lent(&self, side: Side) -> PaneLent {
        PaneLent {
            focused: self.focus == Focus::Pane(side),
            connected: self.connection.site.is_some(),
            // A saved site's bookmarks, on the server side.
            bookmarks: match side {
                Side::Remote => self.connection.saved.as_ref().map(|saved| saved.bookmarks.clone()),
                Side::Local => None,
            },
        }
    }

    fn status(&self) -> Status {
        let connection = match (&self.connection.site, self.remote.session, self.connecting()) {
            (Some(site), Some(_), _) if site.protocol == crate::model::Protocol::S3 => {
                format!("Connected to {}", site.address())
            }
            (Some(site), Some(_), _) => format!("Connected to {}", site.authority()),
            (Some(site), None, true) => format!("Connecting to {} ...", site.authority()),
            _ => "Not connected".to_owned(),
        };
        Status {
            connection,
            security: self.connection.security.clone(),
            running: self.transfers.running_count(),
            queued: self.transfers.tab_ids(Tab::Queued).len(),
            closing_when_idle: self.closing == Closing::WhenIdle,
        }
    }

    /// Asks before closing while transfers run; closes once the queue is idle if asked to.
    fn handle_closing(&mut self, ui: &mut Ui) {
        if ui.input(|input| input.viewport().close_requested()) && !self.close_requested() {
            ui.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        }
        if self.closing == Closing::Now && self.dialogs.is_empty() && self.transfers.running_here() == 0 {
            ui.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    /// The window is asked to close. Returns whether it may close now.
    fn close_requested(&mut self) -> bool {
        match self.closing {
            Closing::Now => true,
            _ if self.transfers.running_here() == 0 => true,
            _ => {
                if !self
                    .dialogs
                    .any(|dialog| matches!(dialog, crate::ui::dialogs::Dialog::CloseWhileRunning))
                {
                    self.dialogs.push_front(crate::ui::dialogs::Dialog::CloseWhileRunning);
                }
                false
            }
        }
    }

    /// Hands egui what the intents asked of it: text to copy, the window to close.
    fn deliver_outbox(&mut self, ui: &mut Ui) {
        if let Some(text) = self.outbox.copy.take() {
            ui.ctx().copy_text(text);
        }
        if std::mem::take(&mut self.outbox.close) {
            ui.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    /// Files and folders dropped from the desktop's file manager upload into the server's
    /// current folder, or into the folder row they were dropped on.
    fn drop_files_from_desktop(&mut self, ui: &mut Ui, intents: &mut Intents) {
        let (dropped, position): (Vec<PathBuf>, _) = ui.input(|input| {
            (
                input
                    .raw
                    .dropped_files
                    .iter()
                    .map(|file| file.path().to_path_buf())
                    .collect(),
                input.pointer.latest_pos(),
            )
        });
        if dropped.is_empty() {
            return;
        }
        if position.is_some_and(|position| self.geometry.local.contains(position)) {
            self.messages.status(
                "Files dropped on this computer's side stay where they are; drop them on the server's side to upload them.",
            );
            return;
        }
        let Some(current) = self.remote.path.clone() else {
            intents.push(WindowIntent::Complain(
                "Connect to a server first, then drop files on the server's side to upload them.".into(),
            ));
            return;
        };
        let folder = position
            .and_then(|position| {
                self.geometry
                    .remote_folders
                    .iter()
                    .find(|folder| folder.rect.contains(position))
                    .map(|folder| folder.path.clone())
            })
            .unwrap_or(current);
        intents.push(PaneIntent::UploadDropped { paths: dropped, folder });
    }
}
