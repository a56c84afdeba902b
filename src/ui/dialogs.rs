//! The window's dialogs, one at a time: the engine's questions (file exists, unknown host
//! key, certificate, password), the changed-host-key stop, errors, and the confirmations and
//! small forms of file actions (delete, rename, new folder, permissions, closing while
//! transfers run). Each is a modal; its buttons turn into engine commands through the app.

use std::path::PathBuf;

use egui::{Id, Modal, RichText, Ui};

use super::app::{App, Closing, Picked};
use super::format;
use super::pane::Side;
use crate::engine::api::{
    Command, ConflictPolicy, FolderEdit, Prompt, PromptId, PromptReply, RemotePath, SessionRequest, SitesCommand,
};
use crate::model::Secret;

pub enum Dialog {
    /// A question from the engine; a worker waits for the answer.
    Prompt {
        id: PromptId,
        question: Prompt,
        apply_to_all: bool,
        policy: ConflictPolicy,
        password: String,
    },
    HostKeyChanged {
        server: String,
        key_type: String,
        fingerprint: String,
        recorded: Vec<String>,
        known_hosts: PathBuf,
    },
    Error {
        title: String,
        text: String,
    },
    ConfirmDelete {
        side: Side,
        entries: Vec<(String, bool)>,
    },
    Rename {
        side: Side,
        from: String,
        to: String,
    },
    NewFolder {
        side: Side,
        name: String,
    },
    Permissions {
        side: Side,
        names: Vec<String>,
        mode: u32,
    },
    CloseWhileRunning,
    /// The version, licence and where Wharf keeps its files.
    About(crate::engine::api::Folders),
    ConfirmDeleteSite {
        path: String,
    },
    /// A folder of the site tree to create (`from` empty) or rename; `path` is its full path.
    SiteFolder {
        from: Option<String>,
        path: String,
    },
    ConfirmDeleteSiteFolder {
        path: String,
        sites: usize,
    },
    /// Which FileZilla file to import: typed, or chosen with the system's file dialog.
    ImportFileZilla {
        path: String,
    },
    /// What an import brought in; for FileZilla, the offer to remove the passwords from its file.
    ImportReport {
        file: Option<PathBuf>,
        report: crate::engine::api::ImportReport,
    },
    /// A saved site whose password is not in the keyring: ask for it, then connect.
    SitePassword {
        name: String,
        reason: String,
        saved: Box<crate::engine::api::SavedSite>,
        site: Box<crate::engine::api::Site>,
        path: RemotePath,
        password: String,
    },
}

impl Dialog {
    pub fn prompt(id: PromptId, question: Prompt) -> Dialog {
        Dialog::Prompt {
            id,
            question,
            apply_to_all: false,
            policy: ConflictPolicy::Overwrite,
            password: String::new(),
        }
    }
}

/// What a dialog's button asked for.
enum Outcome {
    /// Still open.
    Open,
    /// Closed; nothing to do.
    Dismissed,
    Answer(PromptId, PromptReply),
    Delete(Side, Vec<(String, bool)>),
    Rename(Side, String, String),
    NewFolder(Side, String),
    Chmod(Side, Vec<String>, u32),
    CloseLater,
    CloseWhenDone,
    ConnectWith(
        Box<crate::engine::api::SavedSite>,
        Box<crate::engine::api::Site>,
        RemotePath,
    ),
    DeleteSite(String),
    SiteFolder(FolderEdit),
    ImportFileZilla(PathBuf),
    /// Keep the dialog, and open the system's file dialog for it.
    BrowseFileZilla(Option<PathBuf>),
    RemoveImportedPasswords(PathBuf, Vec<String>),
}

/// Shows the oldest dialog, if any, and carries out what its buttons said.
pub fn show(app: &mut App, ui: &mut Ui) {
    let Some(dialog) = app.dialogs.front_mut() else {
        return;
    };
    let mut outcome = Outcome::Open;
    let modal = Modal::new(Id::unique("wharf-dialog")).show(ui.ctx(), |ui| {
        ui.set_max_width(560.0);
        outcome = draw(dialog, ui);
    });
    if matches!(outcome, Outcome::Open) && modal.should_close() {
        outcome = match dialog {
            // Escape or a click beside the dialog is "no" for a question.
            Dialog::Prompt { id, question, .. } => Outcome::Answer(*id, refusal(question)),
            _ => Outcome::Dismissed,
        };
    }
    if let Outcome::BrowseFileZilla(start) = outcome {
        pick(app, ui.ctx(), Pick::FileZillaSites, start);
        return;
    }
    if matches!(outcome, Outcome::Open) {
        return;
    }
    app.dialogs.pop_front();
    match outcome {
        Outcome::Open | Outcome::Dismissed => {}
        Outcome::Answer(prompt, reply) => app.engine.send(Command::Answer { prompt, reply }),
        Outcome::Delete(side, entries) => {
            let Some(folder) = app.pane(side).path.clone() else {
                return;
            };
            for (name, is_folder) in entries {
                let path = folder.join(&name);
                app.change(side, format!("delete {name}"), |id| SessionRequest::Delete {
                    id,
                    path,
                    recursive: is_folder,
                });
            }
        }
        Outcome::Rename(side, from, to) => {
            let Some(folder) = app.pane(side).path.clone() else {
                return;
            };
            let (from_path, to_path) = (folder.join(&from), folder.join(&to));
            app.change(side, format!("rename {from}"), |id| SessionRequest::Rename {
                id,
                from: from_path,
                to: to_path,
            });
        }
        Outcome::NewFolder(side, name) => {
            let Some(folder) = app.pane(side).path.clone() else {
                return;
            };
            let path = folder.join(&name);
            app.change(side, format!("create the folder {name}"), |id| SessionRequest::Mkdir {
                id,
                path,
            });
        }
        Outcome::Chmod(side, names, mode) => {
            let Some(folder) = app.pane(side).path.clone() else {
                return;
            };
            for name in names {
                let path = folder.join(&name);
                app.change(side, format!("change the permissions of {name}"), |id| {
                    SessionRequest::Chmod { id, path, mode }
                });
            }
        }
        Outcome::CloseLater => {
            app.closing = Closing::Now;
            ui.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        Outcome::ConnectWith(saved, site, path) => {
            let secret = site
                .credentials
                .key_passphrase
                .clone()
                .or_else(|| site.credentials.password.clone());
            if let Some(secret) = secret {
                app.sites.remembered.insert(saved.id.clone(), secret);
            }
            app.connect_site(Some(*saved), *site, Some(path));
        }
        Outcome::DeleteSite(path) => super::site_manager::delete(app, &path),
        Outcome::SiteFolder(edit) => super::site_manager::edit_folder(app, edit),
        Outcome::ImportFileZilla(file) => {
            super::site_manager::import(app, crate::engine::api::ImportSource::FileZilla { file, scrub: false })
        }
        Outcome::BrowseFileZilla(_) => {}
        Outcome::RemoveImportedPasswords(file, sites) => {
            let id = app.engine.next_id();
            app.engine
                .send(SitesCommand::RemoveImportedPasswords { id, file, sites });
            app.sites.pending.push(id);
        }
        Outcome::CloseWhenDone => {
            app.closing = Closing::WhenIdle;
            app.messages
                .status("The window closes when the running transfers are done.");
        }
    }
}

fn refusal(question: &Prompt) -> PromptReply {
    match question {
        Prompt::FileExists { .. } => PromptReply::Conflict {
            policy: ConflictPolicy::Skip,
            apply_to_all: false,
        },
        _ => PromptReply::Refuse,
    }
}

/// About Wharf: what it is, its version and licence, and where its files are, with paths
/// that can be selected and copied.
fn draw_about(folders: &crate::engine::api::Folders, ui: &mut Ui) -> Outcome {
    ui.heading(format!("Wharf {}", env!("CARGO_PKG_VERSION")));
    ui.label(env!("CARGO_PKG_DESCRIPTION"));
    ui.label(format!("Licence: {}", env!("CARGO_PKG_LICENSE")));
    ui.add_space(6.0);
    egui::Grid::new("about-folders").num_columns(2).show(ui, |ui| {
        let path = |ui: &mut Ui, label: &str, path: &std::path::Path| {
            ui.label(label);
            ui.add(egui::Label::new(RichText::new(path.display().to_string()).monospace()).selectable(true));
            ui.end_row();
        };
        path(ui, "Settings and sites:", &folders.config);
        path(ui, "Transfer queue:", &folders.queue);
        ui.label("Passwords:");
        ui.label("in the system keyring (service \"wharf\"), never in a file");
        ui.end_row();
        ui.label("Logs:");
        ui.label("the message log in this window, passwords masked; not written to disk");
        ui.end_row();
    });
    ui.add_space(6.0);
    if ui.button("Close").clicked() {
        return Outcome::Dismissed;
    }
    Outcome::Open
}

fn draw(dialog: &mut Dialog, ui: &mut Ui) -> Outcome {
    match dialog {
        Dialog::Prompt {
            id,
            question,
            apply_to_all,
            policy,
            password,
        } => draw_prompt(*id, question, apply_to_all, policy, password, ui),
        Dialog::HostKeyChanged {
            server,
            key_type,
            fingerprint,
            recorded,
            known_hosts,
        } => {
            ui.heading(RichText::new("⚠ The server's host key has CHANGED").color(ui.visuals().error_fg_color));
            ui.label(format!(
                "{server} now identifies itself with a different key than the one recorded. Someone may be \
                 intercepting the connection, so Wharf did not connect."
            ));
            ui.add_space(6.0);
            egui::Grid::new("changed-key").num_columns(2).show(ui, |ui| {
                ui.label("Now shown:");
                ui.monospace(format!("{key_type} {fingerprint}"));
                ui.end_row();
                ui.label("Recorded:");
                ui.monospace(recorded.join("\n"));
                ui.end_row();
            });
            ui.add_space(6.0);
            ui.label(format!(
                "Ask the server's administrator whether the key really changed. If it did, remove the old line \
                 from {} or ~/.ssh/known_hosts and connect again.",
                known_hosts.display()
            ));
            ui.add_space(6.0);
            if ui.button("Close").clicked() {
                return Outcome::Dismissed;
            }
            Outcome::Open
        }
        Dialog::About(folders) => draw_about(folders, ui),
        Dialog::Error { title, text } => {
            ui.heading(title.as_str());
            ui.label(text.as_str());
            ui.add_space(6.0);
            if ui.button("OK").clicked() || ui.input(|input| input.key_pressed(egui::Key::Enter)) {
                return Outcome::Dismissed;
            }
            Outcome::Open
        }
        Dialog::ConfirmDelete { side, entries } => {
            let what = match entries.as_slice() {
                [(name, true)] => format!("the folder {name:?} and everything in it"),
                [(name, false)] => format!("{name:?}"),
                _ => {
                    let folders = entries.iter().filter(|(_, folder)| *folder).count();
                    format!(
                        "{} items{}",
                        entries.len(),
                        if folders > 0 {
                            format!(" ({folders} folders with everything in them)")
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
            let mut outcome = Outcome::Open;
            ui.horizontal(|ui| {
                if ui.button("Delete").clicked() {
                    outcome = Outcome::Delete(*side, std::mem::take(entries));
                }
                if ui.button("Cancel").clicked() {
                    outcome = Outcome::Dismissed;
                }
            });
            outcome
        }
        Dialog::Rename { side, from, to } => {
            ui.heading(format!("Rename {from}"));
            let response = ui.add(egui::TextEdit::singleline(to).hint_text("New name"));
            if !response.has_focus() && !response.lost_focus() {
                response.request_focus();
            }
            let valid = valid_name(to);
            let mut outcome = Outcome::Open;
            ui.horizontal(|ui| {
                let enter = response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
                if (ui.add_enabled(valid.is_ok(), egui::Button::new("Rename")).clicked() || enter) && valid.is_ok() {
                    outcome = Outcome::Rename(*side, from.clone(), to.trim().to_owned());
                }
                if ui.button("Cancel").clicked() {
                    outcome = Outcome::Dismissed;
                }
            });
            if let Err(problem) = valid {
                ui.colored_label(ui.visuals().warn_fg_color, problem);
            }
            outcome
        }
        Dialog::NewFolder { side, name } => {
            ui.heading("New folder");
            let response = ui.add(egui::TextEdit::singleline(name).hint_text("Folder name"));
            if !response.has_focus() && !response.lost_focus() {
                response.request_focus();
            }
            let valid = valid_name(name);
            let mut outcome = Outcome::Open;
            ui.horizontal(|ui| {
                let enter = response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
                if (ui.add_enabled(valid.is_ok(), egui::Button::new("Create")).clicked() || enter) && valid.is_ok() {
                    outcome = Outcome::NewFolder(*side, name.trim().to_owned());
                }
                if ui.button("Cancel").clicked() {
                    outcome = Outcome::Dismissed;
                }
            });
            if let Err(problem) = valid {
                ui.colored_label(ui.visuals().warn_fg_color, problem);
            }
            outcome
        }
        Dialog::Permissions { side, names, mode } => draw_permissions(*side, names, mode, ui),
        Dialog::ConfirmDeleteSite { path } => {
            ui.heading("Delete the site?");
            ui.label(format!(
                "Forget the site {path} and its saved password? The server is not touched."
            ));
            let mut outcome = Outcome::Open;
            ui.horizontal(|ui| {
                if ui.button("Delete the site").clicked() {
                    outcome = Outcome::DeleteSite(path.clone());
                }
                if ui.button("Keep it").clicked() {
                    outcome = Outcome::Dismissed;
                }
            });
            outcome
        }
        Dialog::SiteFolder { from, path } => {
            ui.heading(match from {
                Some(from) => format!("Rename the folder {from}"),
                None => "New folder of sites".to_owned(),
            });
            ui.label("Its path in the site tree; / separates folders (Clients/Acme).");
            let label = ui.label("Folder path:").id;
            let response = ui.add(egui::TextEdit::singleline(path)).labelled_by(label);
            if !response.has_focus() && !response.lost_focus() {
                response.request_focus();
            }
            let cleaned = path.trim().trim_matches('/').to_owned();
            let into_itself = from
                .as_ref()
                .is_some_and(|from| cleaned == *from || cleaned.starts_with(&format!("{from}/")));
            let valid = if !crate::model::sites::valid_folder_path(&cleaned) {
                Err("Use names without : or \\, separated by /.")
            } else if into_itself {
                Err("Type the folder's new path: a folder cannot move into itself.")
            } else {
                Ok(())
            };
            let mut outcome = Outcome::Open;
            ui.horizontal(|ui| {
                let enter = response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
                let button = if from.is_some() { "Rename" } else { "Create" };
                if (ui.add_enabled(valid.is_ok(), egui::Button::new(button)).clicked() || enter) && valid.is_ok() {
                    outcome = Outcome::SiteFolder(match from {
                        Some(from) => FolderEdit::Rename {
                            from: from.clone(),
                            to: cleaned.clone(),
                        },
                        None => FolderEdit::Create { path: cleaned.clone() },
                    });
                }
                if ui.button("Cancel").clicked() {
                    outcome = Outcome::Dismissed;
                }
            });
            if let Err(problem) = valid {
                ui.colored_label(ui.visuals().warn_fg_color, problem);
            }
            outcome
        }
        Dialog::ConfirmDeleteSiteFolder { path, sites } => {
            ui.heading("Delete the folder?");
            ui.label(match sites {
                0 => format!("Delete the empty folder {path}?"),
                1 => format!("Delete the folder {path} and the site in it, with its saved password? The server is not touched."),
                n => format!("Delete the folder {path} and the {n} sites in it, with their saved passwords? The servers are not touched."),
            });
            let mut outcome = Outcome::Open;
            ui.horizontal(|ui| {
                if ui.button("Delete the folder").clicked() {
                    outcome = Outcome::SiteFolder(FolderEdit::Delete { path: path.clone() });
                }
                if ui.button("Keep it").clicked() {
                    outcome = Outcome::Dismissed;
                }
            });
            outcome
        }
        Dialog::ImportReport { file, report } => draw_import_report(file.as_deref(), report, ui),
        Dialog::ImportFileZilla { path } => {
            ui.heading("Import FileZilla's sites");
            ui.label(
                "FileZilla keeps them in sitemanager.xml (in ~/.config/filezilla on Linux, %APPDATA%\\FileZilla on \
                 Windows); an export from its site manager works too. Passwords go to the keyring.",
            );
            let label = ui.label("FileZilla file:").id;
            let response = ui
                .add(egui::TextEdit::singleline(path).desired_width(480.0))
                .labelled_by(label);
            if !response.has_focus() && !response.lost_focus() && path.is_empty() {
                response.request_focus();
            }
            let typed = PathBuf::from(path.trim());
            let mut outcome = Outcome::Open;
            ui.horizontal(|ui| {
                let enter = response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
                let ready = !path.trim().is_empty();
                if (ui.add_enabled(ready, egui::Button::new("Import")).clicked() || enter) && ready {
                    outcome = Outcome::ImportFileZilla(typed.clone());
                }
                if ui.button("Browse…").clicked() {
                    outcome = Outcome::BrowseFileZilla(typed.parent().map(PathBuf::from));
                }
                if ui.button("Cancel").clicked() {
                    outcome = Outcome::Dismissed;
                }
            });
            outcome
        }
        Dialog::SitePassword {
            name,
            reason,
            saved,
            site,
            path,
            password,
        } => {
            let passphrase = site.credentials.key_file.is_some();
            let what = if passphrase { "key passphrase" } else { "password" };
            ui.heading(format!("The {what} for {name}"));
            ui.label(format!(
                "Wharf has none to use: {reason}. It is kept in memory until Wharf quits."
            ));
            let label = if passphrase {
                "Key passphrase for this site:"
            } else {
                "Password for this site:"
            };
            let response = secret_field(ui, label, password);
            let mut outcome = Outcome::Open;
            ui.horizontal(|ui| {
                let enter = response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
                if ui.button("Log in").clicked() || enter {
                    let secret = Secret::new(std::mem::take(password));
                    let mut site = site.clone();
                    if passphrase {
                        site.credentials.key_passphrase = Some(secret);
                    } else {
                        site.credentials.password = Some(secret);
                    }
                    outcome = Outcome::ConnectWith(saved.clone(), site, path.clone());
                }
                if ui.button("Cancel").clicked() {
                    outcome = Outcome::Dismissed;
                }
            });
            outcome
        }
        Dialog::CloseWhileRunning => {
            ui.heading("Transfers are running");
            ui.label(
                "Wharf can stop them now and finish them the next time it starts (partial files resume \
                 where they stopped), or keep the window open until they are done.",
            );
            ui.add_space(6.0);
            let mut outcome = Outcome::Open;
            ui.horizontal(|ui| {
                if ui.button("Finish later").clicked() {
                    outcome = Outcome::CloseLater;
                }
                if ui.button("Wait, then close").clicked() {
                    outcome = Outcome::CloseWhenDone;
                }
                if ui.button("Cancel").clicked() {
                    outcome = Outcome::Dismissed;
                }
            });
            outcome
        }
    }
}

fn draw_prompt(
    id: PromptId,
    question: &Prompt,
    apply_to_all: &mut bool,
    policy: &mut ConflictPolicy,
    password: &mut String,
    ui: &mut Ui,
) -> Outcome {
    let mut outcome = Outcome::Open;
    match question {
        Prompt::UnknownHostKey {
            host,
            port,
            key_type,
            fingerprint,
        } => {
            ui.heading("Unknown server");
            ui.label(format!(
                "This is the first connection to {host}:{port}, so Wharf cannot tell whether it is the server \
                 you mean. Compare its key's fingerprint with the one the administrator gave you:"
            ));
            ui.add_space(4.0);
            ui.monospace(format!("{key_type}  {fingerprint}"));
            ui.add_space(6.0);
            outcome = trust_buttons(id, ui);
        }
        Prompt::Certificate {
            host,
            port,
            fingerprint,
            problem,
        } => {
            ui.heading("Certificate not trusted");
            ui.label(format!(
                "The TLS certificate of {host}:{port} is not vouched for by this computer: {problem}."
            ));
            ui.add_space(4.0);
            ui.label("SHA-256 fingerprint:");
            ui.monospace(fingerprint.as_str());
            ui.add_space(6.0);
            outcome = trust_buttons(id, ui);
        }
        Prompt::FileExists {
            target,
            source_size,
            source_modified,
            target_size,
            target_modified,
            ..
        } => {
            ui.heading("The target file exists");
            ui.label(target.as_str());
            ui.add_space(4.0);
            egui::Grid::new("file-exists").num_columns(3).show(ui, |ui| {
                ui.label("");
                ui.strong("Size");
                ui.strong("Modified");
                ui.end_row();
                ui.label("New (source):");
                ui.label(source_size.map(format::size).unwrap_or_default());
                ui.label(format::maybe_date(*source_modified));
                ui.end_row();
                ui.label("Existing (target):");
                ui.label(target_size.map(format::size).unwrap_or_default());
                ui.label(format::maybe_date(*target_modified));
                ui.end_row();
            });
            ui.add_space(6.0);
            for (choice, label) in [
                (ConflictPolicy::Overwrite, "Overwrite"),
                (ConflictPolicy::Newer, "Overwrite if the source is newer"),
                (ConflictPolicy::Differ, "Overwrite if the size differs"),
                (ConflictPolicy::Resume, "Resume (the existing file is its beginning)"),
                (ConflictPolicy::Rename, "Keep both (rename the new one)"),
                (ConflictPolicy::Skip, "Skip"),
            ] {
                ui.radio_value(policy, choice, label);
            }
            ui.checkbox(apply_to_all, "Do this for all remaining conflicts");
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui.button("OK").clicked() {
                    outcome = Outcome::Answer(
                        id,
                        PromptReply::Conflict {
                            policy: *policy,
                            apply_to_all: *apply_to_all,
                        },
                    );
                }
                if ui.button("Cancel").clicked() {
                    outcome = Outcome::Answer(id, refusal(question));
                }
            });
        }
        Prompt::Password { site, passphrase } => {
            let what = if *passphrase { "key passphrase" } else { "password" };
            ui.heading(format!("The {what} for {site}"));
            ui.label(format!(
                "Transfers left from an earlier run need the {what}. It is kept in memory until Wharf quits."
            ));
            let label = if *passphrase {
                "Key passphrase for the queue:"
            } else {
                "Password for the queue:"
            };
            let response = secret_field(ui, label, password);
            ui.horizontal(|ui| {
                let enter = response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
                if ui.button("OK").clicked() || enter {
                    outcome = Outcome::Answer(id, PromptReply::Password(Secret::new(std::mem::take(password))));
                }
                if ui.button("Cancel").clicked() {
                    outcome = Outcome::Answer(id, PromptReply::Refuse);
                }
            });
        }
    }
    outcome
}

fn draw_import_report(
    file: Option<&std::path::Path>,
    report: &crate::engine::api::ImportReport,
    ui: &mut Ui,
) -> Outcome {
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
    egui::ScrollArea::vertical().max_height(280.0).show(ui, |ui| {
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
                ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {warning}"));
            }
        }
    });
    ui.add_space(6.0);
    let mut outcome = Outcome::Open;
    if let Some(file) = file.filter(|_| !report.passwords_moved.is_empty()) {
        ui.label(format!(
            "FileZilla's file {} still holds these passwords, readable by anything that reads the file. \
             Wharf can remove them from it (FileZilla then asks for them); a backup with the passwords is kept \
             beside it as .bak, to delete once the imported sites work.",
            file.display()
        ));
        ui.horizontal(|ui| {
            if ui.button("Remove the passwords from FileZilla's file").clicked() {
                outcome = Outcome::RemoveImportedPasswords(file.to_owned(), report.passwords_moved.clone());
            }
            if ui.button("Leave the file as it is").clicked() {
                outcome = Outcome::Dismissed;
            }
        });
    } else if ui.button("OK").clicked() {
        outcome = Outcome::Dismissed;
    }
    outcome
}

/// A labelled password field that takes the keyboard as soon as its dialog opens.
fn secret_field(ui: &mut Ui, label: &str, password: &mut String) -> egui::Response {
    let label = ui.label(label).id;
    let response = ui
        .add(egui::TextEdit::singleline(password).password(true))
        .labelled_by(label);
    if !response.has_focus() && !response.lost_focus() {
        response.request_focus();
    }
    response
}

/// Trust always / once / cancel, for an unknown host key or certificate.
fn trust_buttons(id: PromptId, ui: &mut Ui) -> Outcome {
    let mut outcome = Outcome::Open;
    ui.horizontal(|ui| {
        if ui.button("Trust always").clicked() {
            outcome = Outcome::Answer(id, PromptReply::AcceptAlways);
        }
        if ui.button("Trust once").clicked() {
            outcome = Outcome::Answer(id, PromptReply::AcceptOnce);
        }
        if ui.button("Cancel").clicked() {
            outcome = Outcome::Answer(id, PromptReply::Refuse);
        }
    });
    outcome
}

fn draw_permissions(side: Side, names: &mut Vec<String>, mode: &mut u32, ui: &mut Ui) -> Outcome {
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
    let mut outcome = Outcome::Open;
    ui.horizontal(|ui| {
        if ui.button("Apply").clicked() {
            outcome = Outcome::Chmod(side, std::mem::take(names), *mode);
        }
        if ui.button("Cancel").clicked() {
            outcome = Outcome::Dismissed;
        }
    });
    outcome
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

/// What a native file dialog is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    LocalFolder,
    KeyFile,
    /// FileZilla's `sitemanager.xml`, to import.
    FileZillaSites,
}

/// Asks the system for a folder or a file on a thread of its own, so the window keeps drawing
/// while the native dialog is open.
pub fn pick(app: &App, ctx: &egui::Context, what: Pick, start: Option<PathBuf>) {
    let sender = app.picked.0.clone();
    let ctx = ctx.clone();
    let spawned = std::thread::Builder::new()
        .name("wharf-file-dialog".to_owned())
        .spawn(move || {
            let mut dialog = rfd::FileDialog::new();
            if let Some(start) = start {
                dialog = dialog.set_directory(start);
            }
            let picked = match what {
                Pick::KeyFile => dialog
                    .set_title("Choose a private key")
                    .pick_file()
                    .map(Picked::KeyFile),
                Pick::LocalFolder => dialog
                    .set_title("Choose a folder")
                    .pick_folder()
                    .map(Picked::LocalFolder),
                Pick::FileZillaSites => dialog
                    .set_title("Choose FileZilla's sitemanager.xml (or an export)")
                    .add_filter("FileZilla sites", &["xml"])
                    .pick_file()
                    .map(Picked::FileZillaSites),
            };
            if let Some(picked) = picked {
                let _ = sender.send(picked);
                ctx.request_repaint();
            }
        });
    if let Err(error) = spawned {
        tracing::warn!("could not open a file dialog: {error}");
    }
}

/// The starting folder of a pane as a path, for the file dialog.
pub fn start_folder(path: Option<&RemotePath>) -> Option<PathBuf> {
    path.map(|path| PathBuf::from(path.as_str()))
}
