//! The files being edited, in a strip above the queue while there are any: each one's name,
//! server and step, whether its saves upload without asking, and buttons to upload, open it
//! again or stop; and the editor command, which applies to every file.

use egui::{RichText, TextEdit, Ui};

use super::edits::{Edits, Step};
use super::icons;
use super::intent::{EditIntent, Intents};
use crate::engine::api::{Entry, EntryKind};

/// Draws the list; `editor` is the setting, edited in place.
pub fn show(edits: &Edits, editor: &mut String, ui: &mut Ui, out: &mut Intents) {
    ui.horizontal(|ui| {
        ui.strong(format!("{} Editing", icons::EDIT));
        ui.separator();
        ui.label("Editor:");
        ui.add(
            TextEdit::singleline(editor)
                .hint_text("the system's program for each kind of file")
                .desired_width(280.0),
        )
        .on_hover_text("A command; the file's path is added at the end (for example: gedit, or code --wait)");
    });
    egui::Grid::new("edited-files")
        .num_columns(5)
        .striped(true)
        .show(ui, |ui| {
            for edit in edits.iter() {
                let id = edit.id;
                ui.label(format!(
                    "{} {}",
                    icons::for_entry(&Entry::new(edit.name(), EntryKind::File)).0,
                    edit.name()
                ))
                .on_hover_text(format!("{} on {}", edit.remote, edit.site.authority()));
                let step = RichText::new(edit.step.label());
                ui.label(match edit.step {
                    Step::Changed | Step::Conflict => step.strong(),
                    Step::Failed(_) => step.color(ui.visuals().error_fg_color),
                    _ => step,
                });
                let mut always = edit.always_upload;
                if ui.checkbox(&mut always, "Upload saves without asking").changed() {
                    out.push(EditIntent::SetAlwaysUpload(id, always));
                }
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(
                            edit.step == Step::Changed,
                            egui::Button::new(format!("{} Upload", icons::UPLOAD)),
                        )
                        .clicked()
                    {
                        out.push(EditIntent::Upload(id));
                    }
                    if ui
                        .add_enabled(
                            edit.local.is_some(),
                            egui::Button::new(format!("{} Open again", icons::OPEN_OUTSIDE)),
                        )
                        .clicked()
                    {
                        out.push(EditIntent::Reopen(id));
                    }
                    if ui
                        .button(format!("{} Stop editing", icons::CANCEL))
                        .on_hover_text("Removes the copy on this computer")
                        .clicked()
                    {
                        out.push(EditIntent::Close(id));
                    }
                });
                ui.end_row();
            }
        });
}
