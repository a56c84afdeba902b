//! The window's dialogs, one at a time, oldest first: the engine's questions (file exists,
//! unknown host key, certificate, password), the changed-host-key stop, errors, and the
//! confirmations and small forms of file actions and of the site manager. Each is a modal
//! that owns what is typed into it; its buttons become intents.
//!
//! - [`questions`]: the engine's questions and the changed-host-key stop;
//! - [`files`]: delete, rename, new folder, permissions;
//! - [`saved_sites`]: the site manager's confirmations, imports and a saved site's password;
//! - [`edits`]: an edited file was saved (upload it?), its server copy changed meanwhile,
//!   closing an edit with changes that were not uploaded;
//! - [`text_form`]: the one-field form the naming dialogs share.

mod edits;
mod files;
mod questions;
mod saved_sites;
mod text_form;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use egui::{Id, Modal, RichText, Ui};

use super::background::Pick;
use super::edits::{EditId, Stamp};
use super::intent::{Chosen, EditIntent, Intents, WindowIntent};
use super::pane::Side;
use crate::engine::api::{ConflictPolicy, Folders, ImportReport, Prompt, PromptId, RemotePath};
use crate::engine::api::{SavedSite, Site};

#[derive(Debug)]
pub enum Dialog {
    /// A question from the engine; a worker waits for the answer.
    Prompt {
        id: PromptId,
        question: Prompt,
        apply_to_all: bool,
        policy: ConflictPolicy,
        /// What is typed: the queue's password, or one answer per server question.
        answers: Vec<String>,
    },
    /// A server's SSH host key is not the one recorded: Wharf did not connect.
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
        entries: Vec<Chosen>,
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
    /// The window is closing while transfers run: now, or when they are done?
    CloseWhileRunning,
    /// The version, licence and where Wharf keeps its files.
    About(Folders),
    ConfirmDeleteSite {
        path: String,
    },
    /// The site manager's form has changes and Connect was pressed: save them first?
    SaveBeforeConnect {
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
        report: ImportReport,
    },
    /// A saved site whose password is not in the keyring: ask for it, then connect.
    SitePassword {
        name: String,
        reason: String,
        saved: Box<SavedSite>,
        site: Box<Site>,
        path: RemotePath,
        password: String,
    },
    /// The system's file dialog was closed or did not open (no desktop portal): type the
    /// path instead.
    TypePath {
        what: Pick,
        path: String,
    },
    /// An edited file was saved in the editor: upload it to `server`?
    UploadEdited {
        edit: EditId,
        name: String,
        server: String,
    },
    /// The server's copy of an edited file changed since it was fetched (`server_now` is
    /// `None` when it is gone): overwrite it with the save, or keep it?
    EditConflict {
        edit: EditId,
        name: String,
        server: String,
        fetched: Option<Stamp>,
        server_now: Option<Stamp>,
        copy: Option<Stamp>,
    },
    /// Stop editing a file whose copy has changes that were not uploaded?
    DiscardEdit {
        edit: EditId,
        name: String,
    },
}

impl Dialog {
    pub fn prompt(id: PromptId, question: Prompt) -> Dialog {
        let fields = match &question {
            Prompt::Questions(questions) => questions.prompts.len(),
            _ => 1,
        };
        Dialog::Prompt {
            id,
            question,
            apply_to_all: false,
            policy: ConflictPolicy::Overwrite,
            answers: vec![String::new(); fields],
        }
    }
}

/// The dialogs waiting to be seen, oldest first; only the front one shows.
#[derive(Debug, Default)]
pub struct Dialogs(VecDeque<Dialog>);

impl Dialogs {
    pub fn push(&mut self, dialog: Dialog) {
        self.0.push_back(dialog);
    }

    /// Shows `dialog` before the others.
    pub fn push_front(&mut self, dialog: Dialog) {
        self.0.push_front(dialog);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn any(&self, pick: impl Fn(&Dialog) -> bool) -> bool {
        self.0.iter().any(pick)
    }

    /// Puts a file chosen in the system's dialog into the FileZilla import dialog, when that
    /// is the one showing; says whether it was.
    pub fn fill_filezilla_path(&mut self, file: &Path) -> bool {
        match self.0.front_mut() {
            Some(Dialog::ImportFileZilla { path }) => {
                *path = file.display().to_string();
                true
            }
            _ => false,
        }
    }
}

/// What the user chose in the front dialog this frame.
pub(super) enum Choice {
    /// Still open.
    Open,
    /// Still open, and this is asked for (a file dialog to fill a field).
    Ask(WindowIntent),
    /// Closed; nothing to do.
    Dismissed,
    /// Closed, asking for this.
    Done(super::intent::Intent),
}

impl Choice {
    /// Closes the dialog, asking for `intent`.
    pub(super) fn done(intent: impl Into<super::intent::Intent>) -> Choice {
        Choice::Done(intent.into())
    }
}

/// Shows the oldest dialog, if any, and hands on what its buttons asked for.
pub fn show(dialogs: &mut Dialogs, ui: &mut Ui, out: &mut Intents) {
    let Some(dialog) = dialogs.0.front_mut() else {
        return;
    };
    let mut choice = Choice::Open;
    let modal = Modal::new(Id::unique("wharf-dialog")).show(ui.ctx(), |ui| {
        ui.set_max_width(560.0);
        choice = draw(dialog, ui);
    });
    if matches!(choice, Choice::Open) && modal.should_close() {
        choice = match dialog {
            // Escape or a click beside the dialog is "no" for a question.
            Dialog::Prompt { id, question, .. } => Choice::done(WindowIntent::Answer {
                prompt: *id,
                reply: questions::refusal(question),
            }),
            Dialog::UploadEdited { edit, .. } => Choice::done(EditIntent::NotNow(*edit)),
            Dialog::EditConflict { edit, .. } => Choice::done(EditIntent::KeepServerCopy(*edit)),
            _ => Choice::Dismissed,
        };
    }
    match choice {
        Choice::Open => {}
        Choice::Ask(intent) => out.push(intent),
        Choice::Dismissed => {
            dialogs.0.pop_front();
        }
        Choice::Done(intent) => {
            dialogs.0.pop_front();
            out.push(intent);
        }
    }
}

fn draw(dialog: &mut Dialog, ui: &mut Ui) -> Choice {
    match dialog {
        Dialog::Prompt {
            id,
            question,
            apply_to_all,
            policy,
            answers,
        } => questions::draw_prompt(*id, question, apply_to_all, policy, answers, ui),
        Dialog::HostKeyChanged {
            server,
            key_type,
            fingerprint,
            recorded,
            known_hosts,
        } => questions::draw_host_key_changed(server, key_type, fingerprint, recorded, known_hosts, ui),
        Dialog::About(folders) => draw_about(folders, ui),
        Dialog::Error { title, text } => draw_error(title, text, ui),
        Dialog::ConfirmDelete { side, entries } => files::draw_confirm_delete(*side, entries, ui),
        Dialog::Rename { side, from, to } => files::draw_rename(*side, from, to, ui),
        Dialog::NewFolder { side, name } => files::draw_new_folder(*side, name, ui),
        Dialog::Permissions { side, names, mode } => files::draw_permissions(*side, names, mode, ui),
        Dialog::ConfirmDeleteSite { path } => saved_sites::draw_confirm_delete_site(path, ui),
        Dialog::SaveBeforeConnect { path } => saved_sites::draw_save_before_connect(path, ui),
        Dialog::SiteFolder { from, path } => saved_sites::draw_site_folder(from.as_deref(), path, ui),
        Dialog::ConfirmDeleteSiteFolder { path, sites } => saved_sites::draw_confirm_delete_folder(path, *sites, ui),
        Dialog::ImportFileZilla { path } => saved_sites::draw_import_filezilla(path, ui),
        Dialog::ImportReport { file, report } => saved_sites::draw_import_report(file.as_deref(), report, ui),
        Dialog::SitePassword {
            name,
            reason,
            saved,
            site,
            path,
            password,
        } => saved_sites::draw_site_password(name, reason, saved, site, path, password, ui),
        Dialog::CloseWhileRunning => draw_close_while_running(ui),
        Dialog::UploadEdited { edit, name, server } => edits::draw_upload_edited(*edit, name, server, ui),
        Dialog::EditConflict {
            edit,
            name,
            server,
            fetched,
            server_now,
            copy,
        } => edits::draw_conflict(
            *edit,
            name,
            server,
            edits::Versions {
                fetched: *fetched,
                server_now: *server_now,
                copy: *copy,
            },
            ui,
        ),
        Dialog::DiscardEdit { edit, name } => edits::draw_discard(*edit, name, ui),
        Dialog::TypePath { what, path } => draw_type_path(*what, path, ui),
    }
}

fn draw_error(title: &str, text: &str, ui: &mut Ui) -> Choice {
    ui.heading(title);
    ui.label(text);
    ui.add_space(6.0);
    if ui.button("OK").clicked() || ui.input(|input| input.key_pressed(egui::Key::Enter)) {
        return Choice::Dismissed;
    }
    Choice::Open
}

fn draw_type_path(what: Pick, path: &mut String, ui: &mut Ui) -> Choice {
    let (heading, label, submit) = match what {
        Pick::KeyFile => ("Choose a private key", "Key file:", "Use this key"),
        Pick::LocalFolder => ("Choose a folder", "Folder:", "Open"),
        Pick::FileZillaSites => ("Choose FileZilla's sites file", "FileZilla file:", "Import"),
    };
    ui.heading(heading);
    ui.label("The system's file chooser was closed or could not open. Type the path instead:");
    let form = text_form::TextForm {
        label: Some(label),
        width: Some(480.0),
        submit,
        ..text_form::TextForm::default()
    };
    let ready = |path: &str| if path.trim().is_empty() { Err("") } else { Ok(()) };
    match text_form::show(&form, path, ready, ui) {
        text_form::Answer::Submit => Choice::done(WindowIntent::Picked {
            what,
            path: PathBuf::from(path.trim()),
        }),
        text_form::Answer::Cancel => Choice::Dismissed,
        text_form::Answer::Open | text_form::Answer::Extra => Choice::Open,
    }
}

fn draw_close_while_running(ui: &mut Ui) -> Choice {
    ui.heading("Transfers are running");
    ui.label(
        "Wharf can stop them now and finish them the next time it starts (partial files resume \
         where they stopped), or keep the window open until they are done.",
    );
    ui.add_space(6.0);
    let mut choice = Choice::Open;
    ui.horizontal(|ui| {
        if ui.button("Finish later").clicked() {
            choice = Choice::done(WindowIntent::CloseNow);
        }
        if ui.button("Wait, then close").clicked() {
            choice = Choice::done(WindowIntent::CloseWhenIdle);
        }
        if ui.button("Cancel").clicked() {
            choice = Choice::Dismissed;
        }
    });
    choice
}

/// About Wharf: what it is, its version and licence, and where its files are, with paths
/// that can be selected and copied.
fn draw_about(folders: &Folders, ui: &mut Ui) -> Choice {
    ui.heading(format!("Wharf {}", env!("CARGO_PKG_VERSION")));
    ui.label(env!("CARGO_PKG_DESCRIPTION"));
    ui.label(format!("Licence: {}", env!("CARGO_PKG_LICENSE")));
    ui.add_space(6.0);
    egui::Grid::new("about-folders").num_columns(2).show(ui, |ui| {
        let path = |ui: &mut Ui, label: &str, path: &Path| {
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
        return Choice::Dismissed;
    }
    Choice::Open
}
