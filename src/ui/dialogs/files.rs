//! The file actions' dialogs: confirm a delete, name a rename or a new folder, set
//! permissions.

use egui::Ui;

use super::Choice;
use super::text_form::{self, Answer, TextForm};
use crate::ui::intent::{Chosen, PaneIntent};
use crate::ui::pane::Side;

pub(super) fn draw_confirm_delete(side: Side, entries: &mut Vec<Chosen>, ui: &mut Ui) -> Choice {
    let what = match entries.as_slice() {
        [Chosen { name, is_folder: true }] => format!("the folder {name:?} and everything in it"),
        [Chosen { name, is_folder: false }] => format!("{name:?}"),
        _ => {
            let folders = entries.iter().filter(|entry| entry.is_folder).count();
            format!(
                "{} items{}",
                entries.len(),
                if folders > 0 {
                    let them = if folders == 1 { "it" } else { "them" };
                    format!(
                        " ({} with everything in {them})",
                        crate::ui::format::count(folders, "folder", "folders")
                    )
                } else {
                    String::new()
                }
            )
        }
    };
    let place = match side {
        Side::Local => "from this computer",
        Side::Remote => "from the server",
    };
    ui.heading("Delete?");
    ui.label(format!("Delete {what} {place}? This cannot be undone."));
    ui.add_space(6.0);
    let mut choice = Choice::Open;
    ui.horizontal(|ui| {
        if ui.button("Delete").clicked() {
            choice = Choice::done(PaneIntent::Delete {
                side,
                entries: std::mem::take(entries),
            });
        }
        if ui.button("Cancel").clicked() {
            choice = Choice::Dismissed;
        }
    });
    choice
}

pub(super) fn draw_rename(side: Side, from: &str, to: &mut String, ui: &mut Ui) -> Choice {
    ui.heading(format!("Rename {from}"));
    let form = TextForm {
        label: Some("New name:"),
        hint: "New name",
        submit: "Rename",
        ..TextForm::default()
    };
    match text_form::show(&form, to, valid_name, ui) {
        Answer::Submit => Choice::done(PaneIntent::Rename {
            side,
            from: from.to_owned(),
            to: to.trim().to_owned(),
        }),
        Answer::Cancel => Choice::Dismissed,
        Answer::Open | Answer::Extra => Choice::Open,
    }
}

pub(super) fn draw_new_folder(side: Side, name: &mut String, ui: &mut Ui) -> Choice {
    ui.heading("New folder");
    let form = TextForm {
        label: Some("Folder name:"),
        hint: "Folder name",
        submit: "Create",
        ..TextForm::default()
    };
    match text_form::show(&form, name, valid_name, ui) {
        Answer::Submit => Choice::done(PaneIntent::NewFolder {
            side,
            name: name.trim().to_owned(),
        }),
        Answer::Cancel => Choice::Dismissed,
        Answer::Open | Answer::Extra => Choice::Open,
    }
}

pub(super) fn draw_permissions(side: Side, names: &mut Vec<String>, mode: &mut u32, ui: &mut Ui) -> Choice {
    let title = match names.as_slice() {
        [name] => format!("Permissions of {name}"),
        _ => format!("Permissions of {} items", names.len()),
    };
    ui.heading(title);
    egui::Grid::new("permissions").num_columns(4).show(ui, |ui| {
        ui.label("");
        ui.strong("Read");
        ui.strong("Write");
        ui.strong("Execute");
        ui.end_row();
        for (row, who) in ["Owner", "Group", "Others"].into_iter().enumerate() {
            ui.label(who);
            for (column, what) in ["read", "write", "execute"].into_iter().enumerate() {
                let bit = 1 << (8 - (row * 3 + column));
                let mut on = *mode & bit != 0;
                if ui
                    .checkbox(&mut on, "")
                    .on_hover_text(format!("{who}: {what}"))
                    .changed()
                {
                    *mode ^= bit;
                }
            }
            ui.end_row();
        }
    });
    ui.label(format!("Numeric: {:03o}", *mode));
    let mut choice = Choice::Open;
    ui.horizontal(|ui| {
        if ui.button("Apply").clicked() {
            choice = Choice::done(PaneIntent::Chmod {
                side,
                names: std::mem::take(names),
                mode: *mode,
            });
        }
        if ui.button("Cancel").clicked() {
            choice = Choice::Dismissed;
        }
    });
    choice
}

/// A new name must be one name: not empty, no slashes, not `.` or `..`.
fn valid_name(name: &str) -> Result<(), &'static str> {
    let name = name.trim();
    if name.is_empty() {
        Err("Type a name.")
    } else if name.contains(['/', '\\', '\0']) {
        Err("A name cannot contain / or \\.")
    } else if name == "." || name == ".." {
        Err("That name is taken by the folder itself.")
    } else {
        Ok(())
    }
}
