//! One frame of the window: read what the engine said, handle the keyboard and files dropped
//! from the desktop, then lay out the quickconnect bar, the message log, the two panes, the
//! queue and the status bar, and show the front dialog. The frame never waits: it polls.

use std::path::PathBuf;
use std::time::Duration;

use egui::{Key, Modifiers, Rect, Ui};

use super::app::{App, Closing};
use super::dialogs::{self, Dialog};
use super::pane::Side;
use super::{connect_bar, log_view, pane_view, queue_view};
use crate::engine::api::{Encryption, RemotePath};

/// How often a frame is drawn while transfers run, to move their progress bars.
const PROGRESS_REFRESH: Duration = Duration::from_millis(250);

/// Where the last frame drew the drop targets for files from the desktop.
#[derive(Debug, Clone)]
pub struct Geometry {
    pub local: Rect,
    pub remote: Rect,
    /// Folder rows of the remote list that were visible, with their paths.
    pub remote_folders: Vec<(Rect, RemotePath)>,
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

/// Draws one frame.
pub fn frame(app: &mut App, ui: &mut Ui) {
    app.now = ui.input(|input| input.time);
    app.drain_events();
    let clock = Duration::from_secs_f64(app.now.max(0.0));
    app.transfers.sample(clock);
    app.transfers.refresh_tabs();

    if ui.input(|input| input.viewport().close_requested()) && !app.close_requested() {
        ui.send_viewport_cmd(egui::ViewportCommand::CancelClose);
    }
    if app.closing == Closing::Now && app.dialogs.is_empty() && app.transfers.running_count() == 0 {
        ui.send_viewport_cmd(egui::ViewportCommand::Close);
    }

    drop_files_from_desktop(app, ui);
    if app.dialogs.is_empty() && !ui.ctx().text_edit_focused() {
        keyboard(app, ui);
    }

    egui::Panel::top("quickconnect").show(ui, |ui| connect_bar::show(app, ui));
    if app.settings.show_log {
        egui::Panel::top("message-log")
            .resizable(true)
            .default_size(130.0)
            .min_size(60.0)
            .show(ui, |ui| log_view::show(app, ui));
    }
    egui::Panel::bottom("status-bar").show(ui, |ui| status_bar(app, ui));
    egui::Panel::bottom("queue")
        .resizable(true)
        .default_size(230.0)
        .min_size(110.0)
        .show(ui, |ui| queue_view::show(app, ui));
    let half = (ui.available_width() / 2.0 - 4.0).max(240.0);
    let local = egui::Panel::left("local-pane")
        .resizable(true)
        .default_size(half)
        .min_size(240.0)
        .max_size((ui.available_width() - 240.0).max(240.0))
        .show(ui, |ui| pane_view::show(app, Side::Local, ui));
    app.geometry.local = local.response.rect;
    let remote = egui::CentralPanel::default().show(ui, |ui| pane_view::show(app, Side::Remote, ui));
    app.geometry.remote = remote.response.rect;

    super::site_manager::show(app, ui.ctx());
    super::trust_view::show(app, ui.ctx());
    dialogs::show(app, ui);

    if app.transfers.running_count() > 0 {
        ui.ctx().request_repaint_after(PROGRESS_REFRESH);
    }
}

/// Files and folders dropped from the desktop's file manager upload into the server's
/// current folder, or into the folder row they were dropped on.
fn drop_files_from_desktop(app: &mut App, ui: &mut Ui) {
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
    if position.is_some_and(|position| app.geometry.local.contains(position)) {
        app.messages.status(
            "Files dropped on this computer's side stay where they are; drop them on the server's side to upload them.",
        );
        return;
    }
    let Some(current) = app.remote.path.clone() else {
        app.messages
            .error("Connect to a server first, then drop files on the server's side to upload them.");
        return;
    };
    let folder = position
        .and_then(|position| {
            app.geometry
                .remote_folders
                .iter()
                .find(|(rect, _)| rect.contains(position))
                .map(|(_, path)| path.clone())
        })
        .unwrap_or(current);
    app.upload_dropped(dropped, folder);
}

/// The file-manager keys, for the pane that has the keyboard.
fn keyboard(app: &mut App, ui: &mut Ui) {
    let side = app.focus;
    let pressed = |ui: &mut Ui, mods: Modifiers, key: Key| ui.input_mut(|input| input.consume_key(mods, key));
    if pressed(ui, Modifiers::NONE, Key::Tab) {
        app.focus = side.other();
        return;
    }
    for (key, rows) in [
        (Key::ArrowDown, 1isize),
        (Key::ArrowUp, -1),
        (Key::PageDown, 20),
        (Key::PageUp, -20),
        (Key::End, isize::MAX / 2),
        (Key::Home, -(isize::MAX / 2)),
    ] {
        if pressed(ui, Modifiers::SHIFT, key) {
            app.pane_mut(side).move_cursor(rows, true);
        } else if pressed(ui, Modifiers::NONE, key) {
            app.pane_mut(side).move_cursor(rows, false);
        }
    }
    if pressed(ui, Modifiers::COMMAND, Key::A) {
        app.pane_mut(side).select_all();
    }
    // Most specific first: consume_key ignores extra Shift.
    if pressed(ui, Modifiers::COMMAND | Modifiers::SHIFT, Key::Enter) {
        transfer_chosen(app, side, true);
    }
    if pressed(ui, Modifiers::COMMAND, Key::Enter) {
        transfer_chosen(app, side, false);
    }
    if pressed(ui, Modifiers::COMMAND, Key::O)
        && let [(name, false)] = app.chosen(side).as_slice()
    {
        let name = name.clone();
        app.open(side, &name);
    }
    if pressed(ui, Modifiers::COMMAND | Modifiers::SHIFT, Key::C)
        && let [(name, _)] = app.chosen(side).as_slice()
        && let Some(url) = app.url_of(side, name)
    {
        ui.ctx().copy_text(url);
    }
    if pressed(ui, Modifiers::COMMAND, Key::P) {
        start_permissions(app, side);
    }
    if pressed(ui, Modifiers::NONE, Key::Enter)
        && let Some(row) = app.pane(side).cursor()
    {
        app.activate(side, row);
    }
    if pressed(ui, Modifiers::NONE, Key::Backspace)
        && let Some(path) = app.pane(side).path.clone()
    {
        app.navigate(side, path.parent());
    }
    if pressed(ui, Modifiers::NONE, Key::F5) {
        app.refresh(side);
    }
    if pressed(ui, Modifiers::NONE, Key::F2) {
        start_rename(app, side);
    }
    if pressed(ui, Modifiers::NONE, Key::Delete) {
        start_delete(app, side);
    }
    if pressed(ui, Modifiers::NONE, Key::F7) {
        start_new_folder(app, side);
    }
    let typed: String = ui.input(|input| {
        if input.modifiers.command || input.modifiers.ctrl || input.modifiers.alt {
            return String::new();
        }
        input
            .events
            .iter()
            .filter_map(|event| match event {
                egui::Event::Text(text) => Some(text.as_str()),
                _ => None,
            })
            .collect()
    });
    if !typed.is_empty() {
        let now = app.now;
        app.pane_mut(side).type_ahead(&typed, now);
    }
}

/// Ctrl+Enter: the chosen entries, folders included, to the other side's folder.
fn transfer_chosen(app: &mut App, side: Side, paused: bool) {
    let names: Vec<String> = app.chosen(side).into_iter().map(|(name, _)| name).collect();
    if !names.is_empty() {
        app.transfer(side, &names, None, paused);
    }
}

pub fn start_rename(app: &mut App, side: Side) {
    if let [(name, _)] = app.chosen(side).as_slice() {
        app.dialogs.push_back(Dialog::Rename {
            side,
            from: name.clone(),
            to: name.clone(),
        });
    }
}

pub fn start_delete(app: &mut App, side: Side) {
    let entries = app.chosen(side);
    if !entries.is_empty() {
        app.dialogs.push_back(Dialog::ConfirmDelete { side, entries });
    }
}

pub fn start_new_folder(app: &mut App, side: Side) {
    if app.pane(side).session.is_some() {
        app.dialogs.push_back(Dialog::NewFolder {
            side,
            name: String::new(),
        });
    }
}

pub fn start_permissions(app: &mut App, side: Side) {
    let chosen = app.pane(side).chosen();
    let Some(first) = chosen.first() else {
        return;
    };
    let mode = first.permissions.as_deref().and_then(parse_mode).unwrap_or(0o644);
    let names = chosen.iter().map(|entry| entry.name.clone()).collect();
    app.dialogs.push_back(Dialog::Permissions { side, names, mode });
}

/// `rwxr-xr-x` (with or without the type letter) or octal digits as a mode.
fn parse_mode(text: &str) -> Option<u32> {
    if text.chars().all(|c| c.is_ascii_digit()) {
        return u32::from_str_radix(text, 8).ok().map(|mode| mode & 0o777);
    }
    let bits: Vec<char> = text.chars().rev().take(9).collect();
    if bits.len() != 9 {
        return None;
    }
    Some(
        bits.iter()
            .enumerate()
            .filter(|(_, c)| **c != '-')
            .map(|(bit, _)| 1u32 << bit)
            .sum(),
    )
}

fn status_bar(app: &mut App, ui: &mut Ui) {
    ui.horizontal(|ui| {
        let connection = match (&app.site, app.remote.session, app.connecting) {
            (Some(site), Some(_), _) => format!("Connected to {}", site.authority()),
            (Some(site), None, Some(_)) => format!("Connecting to {} ...", site.authority()),
            _ => "Not connected".to_owned(),
        };
        ui.label(connection);
        if let Some(security) = &app.security {
            ui.separator();
            let icon = match security.encryption {
                Encryption::None | Encryption::RefusedTls => "🔓",
                Encryption::Local | Encryption::Tls | Encryption::Ssh => "🔒",
            };
            ui.label(format!("{icon} {security}"));
        }
        ui.separator();
        let running = app.transfers.running_count();
        let queued = app.transfers.tab_ids(super::transfers::Tab::Queued).len();
        let transfers = if running == 1 { "transfer" } else { "transfers" };
        ui.label(format!("{running} {transfers} running, {queued} in the queue"));
        if app.closing == Closing::WhenIdle {
            ui.separator();
            ui.label("Closing when the transfers are done");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::parse_mode;

    #[test]
    fn modes_parse_from_listings() {
        assert_eq!(parse_mode("rwxr-xr-x"), Some(0o755));
        assert_eq!(parse_mode("-rw-r-----"), Some(0o640));
        assert_eq!(parse_mode("0644"), Some(0o644));
        assert_eq!(parse_mode("rw"), None);
    }
}
