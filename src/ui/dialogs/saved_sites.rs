//! The site manager's dialogs: confirm deleting a site or a folder, name a folder, choose
//! FileZilla's file, report an import, and ask for a saved site's password.

use std::path::{Path, PathBuf};

use egui::Ui;

use super::Choice;
use super::text_form::{self, Answer, TextForm};
use crate::engine::api::{FolderEdit, ImportReport, ImportSource, RemotePath, SavedSite, Site};
use crate::model::Secret;
use crate::ui::background::Pick;
use crate::ui::format;
use crate::ui::icons;
use crate::ui::intent::{ConnectionIntent, SitesIntent, WindowIntent};

/// "Delete" or "Keep it", the first closing the dialog with `intent`.
fn delete_or_keep(delete: &str, intent: SitesIntent, ui: &mut Ui) -> Choice {
    let mut choice = Choice::Open;
    ui.horizontal(|ui| {
        if ui.button(delete).clicked() {
            choice = Choice::Done(intent.into());
        }
        if ui.button("Keep it").clicked() {
            choice = Choice::Dismissed;
        }
    });
    choice
}

pub(super) fn draw_confirm_delete_site(path: &str, ui: &mut Ui) -> Choice {
    ui.heading("Delete the site?");
    ui.label(format!(
        "Forget the site {path} and its saved password? The server is not touched."
    ));
    delete_or_keep("Delete the site", SitesIntent::Delete(path.to_owned()), ui)
}

pub(super) fn draw_save_before_connect(path: &str, ui: &mut Ui) -> Choice {
    ui.heading("Save the changes first?");
    ui.label(format!(
        "The form holds changes to {path} that are not saved. Connecting uses the site as saved."
    ));
    let mut choice = Choice::Open;
    ui.horizontal(|ui| {
        if ui.button("Save and connect").clicked() {
            choice = Choice::done(SitesIntent::SaveAndConnect);
        }
        if ui.button("Connect without saving").clicked() {
            choice = Choice::done(ConnectionIntent::ConnectSite(path.to_owned()));
        }
        if ui.button("Cancel").clicked() {
            choice = Choice::Dismissed;
        }
    });
    choice
}

pub(super) fn draw_confirm_delete_folder(path: &str, sites: usize, ui: &mut Ui) -> Choice {
    ui.heading("Delete the folder?");
    ui.label(match sites {
        0 => format!("Delete the empty folder {path}?"),
        1 => {
            format!("Delete the folder {path} and the site in it, with its saved password? The server is not touched.")
        }
        n => format!(
            "Delete the folder {path} and the {n} sites in it, with their saved passwords? The servers are not touched."
        ),
    });
    let delete = SitesIntent::EditFolder(FolderEdit::Delete { path: path.to_owned() });
    delete_or_keep("Delete the folder", delete, ui)
}

/// A folder of the site tree to create (`from` empty) or rename (move).
pub(super) fn draw_site_folder(from: Option<&str>, path: &mut String, ui: &mut Ui) -> Choice {
    ui.heading(match from {
        Some(from) => format!("Rename the folder {from}"),
        None => "New folder of sites".to_owned(),
    });
    ui.label("Its path in the site tree; / separates folders (Clients/Acme).");
    let form = TextForm {
        label: Some("Folder path:"),
        submit: if from.is_some() { "Rename" } else { "Create" },
        ..TextForm::default()
    };
    let cleaned = |path: &str| path.trim().trim_matches('/').to_owned();
    let valid = |path: &str| {
        let cleaned = cleaned(path);
        let into_itself = from.is_some_and(|from| cleaned == from || cleaned.starts_with(&format!("{from}/")));
        if !crate::model::saved_site::valid_folder_path(&cleaned) {
            Err("Use names without : or \\, separated by /.")
        } else if into_itself {
            Err("Type the folder's new path: a folder cannot move into itself.")
        } else {
            Ok(())
        }
    };
    match text_form::show(&form, path, valid, ui) {
        Answer::Submit => Choice::done(SitesIntent::EditFolder(match from {
            Some(from) => FolderEdit::Rename {
                from: from.to_owned(),
                to: cleaned(path),
            },
            None => FolderEdit::Create { path: cleaned(path) },
        })),
        Answer::Cancel => Choice::Dismissed,
        Answer::Open | Answer::Extra => Choice::Open,
    }
}

pub(super) fn draw_import_filezilla(path: &mut String, ui: &mut Ui) -> Choice {
    ui.heading("Import FileZilla's sites");
    ui.label(
        "FileZilla keeps them in sitemanager.xml (in ~/.config/filezilla on Linux, %APPDATA%\\FileZilla on \
         Windows); an export from its site manager works too. Passwords go to the keyring.",
    );
    let form = TextForm {
        label: Some("FileZilla file:"),
        width: Some(480.0),
        focus_when_empty_only: true,
        submit: "Import",
        extra: Some("Browse…"),
        ..TextForm::default()
    };
    let ready = |path: &str| if path.trim().is_empty() { Err("") } else { Ok(()) };
    let typed = |path: &str| PathBuf::from(path.trim());
    match text_form::show(&form, path, ready, ui) {
        Answer::Submit => Choice::done(SitesIntent::Import(ImportSource::FileZilla {
            file: typed(path),
            scrub: false,
        })),
        // The dialog stays; the file chosen fills its field.
        Answer::Extra => Choice::Ask(WindowIntent::Pick {
            what: Pick::FileZillaSites,
            start: typed(path).parent().map(PathBuf::from),
        }),
        Answer::Cancel => Choice::Dismissed,
        Answer::Open => Choice::Open,
    }
}

pub(super) fn draw_import_report(file: Option<&Path>, report: &ImportReport, ui: &mut Ui) -> Choice {
    ui.heading(if report.added.is_empty() && report.skipped.is_empty() {
        "Done"
    } else {
        "Import finished"
    });
    if !report.added.is_empty() || !report.skipped.is_empty() {
        ui.label(format!(
            "{} added, {} with a password now in the keyring, {} skipped.",
            format::count(report.added.len(), "site", "sites"),
            report.passwords_moved.len(),
            report.skipped.len()
        ));
    }
    egui::ScrollArea::vertical()
        .max_height(280.0)
        .show(ui, |ui| report_lines(report, ui));
    ui.add_space(6.0);
    let mut choice = Choice::Open;
    if let Some(file) = file.filter(|_| !report.passwords_moved.is_empty()) {
        ui.label(format!(
            "FileZilla's file {} still holds these passwords, readable by anything that reads the file. \
             Wharf can remove them from it (FileZilla then asks for them); a backup with the passwords is kept \
             beside it as .bak, to delete once the imported sites work.",
            file.display()
        ));
        ui.horizontal(|ui| {
            if ui.button("Remove the passwords from FileZilla's file").clicked() {
                choice = Choice::done(SitesIntent::RemoveImportedPasswords {
                    file: file.to_owned(),
                    sites: report.passwords_moved.clone(),
                });
            }
            if ui.button("Leave the file as it is").clicked() {
                choice = Choice::Dismissed;
            }
        });
    } else if ui.button("OK").clicked() {
        choice = Choice::Dismissed;
    }
    choice
}

/// Each site added or skipped, and the warnings.
fn report_lines(report: &ImportReport, ui: &mut Ui) {
    for added in &report.added {
        ui.label(format!("+ {added}"));
    }
    for skipped in &report.skipped {
        ui.colored_label(ui.visuals().warn_fg_color, format!("– skipped {skipped}"));
    }
    let only_news = report.added.is_empty() && report.skipped.is_empty();
    for warning in &report.warnings {
        if only_news {
            // A follow-up (the passwords were removed): news, not a warning.
            let mut sentence = warning.clone();
            if let Some(first) = sentence.get(..1) {
                sentence.replace_range(..1, &first.to_uppercase());
            }
            ui.label(format!("{sentence}."));
        } else {
            ui.colored_label(ui.visuals().warn_fg_color, format!("{} {warning}", icons::WARNING));
        }
    }
}

/// A saved site with no password to use: ask for it, then connect.
pub(super) fn draw_site_password(
    name: &str,
    reason: &str,
    saved: &SavedSite,
    site: &Site,
    path: &RemotePath,
    password: &mut String,
    ui: &mut Ui,
) -> Choice {
    let passphrase = site.credentials.key_file.is_some();
    let what = if passphrase { "key passphrase" } else { "password" };
    ui.heading(format!("The {what} for {name}"));
    ui.label(format!(
        "Wharf has none to use: {reason}. It is kept in memory until Wharf quits."
    ));
    let form = TextForm {
        label: Some(if passphrase {
            "Key passphrase for this site:"
        } else {
            "Password for this site:"
        }),
        secret: true,
        submit: "Log in",
        ..TextForm::default()
    };
    match text_form::show(&form, password, |_| Ok(()), ui) {
        Answer::Submit => {
            let secret = Secret::new(std::mem::take(password));
            let mut site = site.clone();
            if passphrase {
                site.credentials.key_passphrase = Some(secret.clone());
            } else {
                site.credentials.password = Some(secret.clone());
            }
            Choice::done(ConnectionIntent::ConnectWith {
                saved: Box::new(saved.clone()),
                site: Box::new(site),
                path: path.clone(),
                secret: Some(secret),
            })
        }
        Answer::Cancel => Choice::Dismissed,
        Answer::Open | Answer::Extra => Choice::Open,
    }
}
