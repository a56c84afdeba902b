//! The status bar: the connection, its encryption, and how many transfers run and wait.

use egui::Ui;

use super::icons;
use crate::engine::api::Security;

/// What the status bar shows.
pub struct Status {
    pub connection: String,
    /// The encryption in use.
    pub security: Option<Security>,
    pub running: usize,
    pub queued: usize,
    /// The window closes once the running transfers are done.
    pub closing_when_idle: bool,
}

pub fn show(status: &Status, ui: &mut Ui) {
    ui.horizontal(|ui| {
        ui.label(status.connection.as_str());
        if let Some(security) = &status.security {
            ui.separator();
            let icon = if security.encryption.is_clear_text() {
                icons::UNLOCKED
            } else {
                icons::LOCKED
            };
            ui.label(format!("{icon} {security}"));
        }
        ui.separator();
        let transfers = if status.running == 1 { "transfer" } else { "transfers" };
        ui.label(format!(
            "{} {transfers} running, {} in the queue",
            status.running, status.queued
        ));
        if status.closing_when_idle {
            ui.separator();
            ui.label("Closing when the transfers are done");
        }
    });
}
