//! The edit loop's questions: a save to upload, a server copy that changed since it was
//! fetched (with both versions' details), and closing an edit whose changes were not
//! uploaded.

use egui::Ui;

use super::Choice;
use crate::ui::edits::{EditId, Stamp};
use crate::ui::format;
use crate::ui::intent::EditIntent;

pub(super) fn draw_upload_edited(edit: EditId, name: &str, server: &str, ui: &mut Ui) -> Choice {
    ui.heading(format!("Upload {name}?"));
    ui.label(format!("{name} was saved in the editor. Upload it to {server}?"));
    ui.add_space(6.0);
    let mut choice = Choice::Open;
    ui.horizontal(|ui| {
        if ui.button("Upload").clicked() {
            choice = Choice::done(EditIntent::Upload(edit));
        }
        if ui
            .button("Always upload this file")
            .on_hover_text("Upload each save of this file without asking, until you stop editing it")
            .clicked()
        {
            choice = Choice::done(EditIntent::AlwaysUpload(edit));
        }
        if ui.button("Not now").clicked() {
            choice = Choice::done(EditIntent::NotNow(edit));
        }
    });
    choice
}

/// The three versions of a file the conflict question shows.
pub(super) struct Versions {
    pub fetched: Option<Stamp>,
    pub server_now: Option<Stamp>,
    pub copy: Option<Stamp>,
}

pub(super) fn draw_conflict(edit: EditId, name: &str, server: &str, versions: Versions, ui: &mut Ui) -> Choice {
    ui.heading(format!("{name} changed on the server"));
    let what = match versions.server_now {
        Some(_) => format!("Someone changed {name} on {server} after you opened it."),
        None => format!("{name} is no longer on {server}: it was deleted or renamed after you opened it."),
    };
    ui.label(format!("{what} Uploading your save replaces their version."));
    ui.add_space(6.0);
    egui::Grid::new("edit-conflict")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.strong("");
            ui.strong("Size");
            ui.strong("Modified");
            ui.end_row();
            let row = |ui: &mut Ui, label: &str, stamp: Option<Stamp>| {
                ui.label(label);
                match stamp {
                    Some(stamp) => {
                        ui.label(stamp.size.map_or_else(|| "unknown".to_owned(), format::size));
                        ui.label(stamp.modified.map(format::date_to_the_second).unwrap_or_default());
                    }
                    None => {
                        ui.label("-");
                        ui.label("-");
                    }
                }
                ui.end_row();
            };
            row(ui, "When you opened it", versions.fetched);
            row(ui, "On the server now", versions.server_now);
            row(ui, "Your save", versions.copy);
        });
    ui.add_space(6.0);
    let mut choice = Choice::Open;
    ui.horizontal(|ui| {
        if ui.button("Upload mine over it").clicked() {
            choice = Choice::done(EditIntent::Overwrite(edit));
        }
        if ui
            .button("Keep the server's copy")
            .on_hover_text("Your save stays on this computer, not uploaded")
            .clicked()
        {
            choice = Choice::done(EditIntent::KeepServerCopy(edit));
        }
    });
    choice
}

pub(super) fn draw_discard(edit: EditId, name: &str, ui: &mut Ui) -> Choice {
    ui.heading("Discard the changes?");
    ui.label(format!(
        "{name} has changes that were not uploaded. Stop editing it and delete the copy on this computer?"
    ));
    ui.add_space(6.0);
    let mut choice = Choice::Open;
    ui.horizontal(|ui| {
        if ui.button("Discard").clicked() {
            choice = Choice::done(EditIntent::Discard(edit));
        }
        if ui.button("Cancel").clicked() {
            choice = Choice::Dismissed;
        }
    });
    choice
}
