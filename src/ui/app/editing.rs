//! The edit loop: F4 on a server file looks at the server's copy, fetches it into a private
//! folder, and opens it in the editor; each save is offered for upload (or uploaded at once
//! when the user chose "always"), after checking that nobody changed the server's copy since
//! it was fetched. A change there is asked about with the three versions' details. The copies are
//! watched and removed by `edit_watch`; the list is drawn by `edits_view`.

use std::path::PathBuf;

use super::App;
use super::intents::local_path;
use crate::engine::api::{
    Command, ConflictPolicy, Direction, Entry, ErrorKind, OpError, OpSummary, QueueCommand, SessionRequest,
    TransferOptions, TransferSpec,
};
use crate::ui::dialogs::Dialog;
use crate::ui::edit_watch::{EditReport, EditWatch};
use crate::ui::edits::{EditId, Stamp, Step};
use crate::ui::intent::EditIntent;
use crate::ui::pane::Side;
use crate::ui::requests::{EditLook, Job, Waiting};

impl App {
    pub(super) fn carry_out_for_edits(&mut self, intent: EditIntent) {
        match intent {
            EditIntent::Start { side, name } => self.start_edit(side, &name),
            // An answer counts only for the step it was asked in: a dialog answered late
            // must not start a second upload beside one already running.
            EditIntent::Upload(id) if self.edit_is(id, &Step::Changed) => {
                self.look_at_server_copy(id, EditLook::BeforeUpload)
            }
            EditIntent::AlwaysUpload(id) => {
                self.set_always_upload(id, true);
                if self.edit_is(id, &Step::Changed) {
                    self.look_at_server_copy(id, EditLook::BeforeUpload);
                }
            }
            EditIntent::SetAlwaysUpload(id, always) => self.set_always_upload(id, always),
            EditIntent::Overwrite(id) if self.edit_is(id, &Step::Conflict) => self.upload_edit(id),
            EditIntent::NotNow(id) | EditIntent::KeepServerCopy(id)
                if self.edit_is(id, &Step::Changed) || self.edit_is(id, &Step::Conflict) =>
            {
                self.set_step(id, Step::Changed)
            }
            EditIntent::Upload(_)
            | EditIntent::Overwrite(_)
            | EditIntent::NotNow(_)
            | EditIntent::KeepServerCopy(_) => {}
            EditIntent::Reopen(id) => {
                if let Some(path) = self.edits.get(id).and_then(|edit| edit.local.clone()) {
                    self.open_in_editor(&path);
                }
            }
            EditIntent::Close(id) => match self.edits.get(id) {
                Some(edit) if edit.has_unsent_changes() => self.dialogs.push(Dialog::DiscardEdit {
                    edit: id,
                    name: edit.name().to_owned(),
                }),
                Some(_) => self.discard_edit(id, false),
                None => {}
            },
            EditIntent::Discard(id) => self.discard_edit(id, true),
        }
    }

    /// F4: a server file starts (or reopens) its edit loop; a file here opens in the editor.
    fn start_edit(&mut self, side: Side, name: &str) {
        let Some(folder) = self.pane(side).path.clone() else {
            return;
        };
        match side {
            Side::Local => {
                let path = local_path(&folder).join(name);
                let editor = self.settings.editor.clone();
                if let Some(watch) = self.edit_watch() {
                    watch.launch(&path, &editor);
                }
            }
            Side::Remote => {
                let Some(site) = self.connection.site.clone() else {
                    return;
                };
                let remote = folder.join(name);
                let via_temp = self.connection.saved.as_ref().is_none_or(|saved| saved.upload_via_temp);
                match self.edits.start(site.clone(), remote.clone(), via_temp) {
                    Ok(id) => self.look_at_server_copy(id, EditLook::BeforeFetch),
                    // One that failed starts over.
                    Err(id) if matches!(self.edits.get(id).map(|edit| &edit.step), Some(Step::Failed(_))) => {
                        self.discard_edit(id, true);
                        if let Ok(id) = self.edits.start(site, remote, via_temp) {
                            self.look_at_server_copy(id, EditLook::BeforeFetch);
                        }
                    }
                    Err(id) => self.carry_out(EditIntent::Reopen(id)),
                }
            }
        }
    }

    /// The watcher, started with the first edit (by then the window can be woken by it).
    fn edit_watch(&mut self) -> Option<&EditWatch> {
        if self.edit_watch.is_none() {
            match EditWatch::start(self.background.reporter(), self.edit_base.clone()) {
                Ok(watch) => self.edit_watch = Some(watch),
                Err(reason) => {
                    self.messages.error(format!("Files cannot be edited: {reason}."));
                    let stuck: Vec<EditId> = self.edits.iter().map(|edit| edit.id).collect();
                    for id in stuck {
                        if matches!(
                            self.edits.get(id).map(|edit| &edit.step),
                            Some(Step::Looking | Step::Preparing)
                        ) {
                            self.set_step(id, Step::Failed(reason.clone()));
                        }
                    }
                }
            }
        }
        self.edit_watch.as_ref()
    }

    fn open_in_editor(&mut self, path: &std::path::Path) {
        let editor = self.settings.editor.clone();
        if let Some(watch) = self.edit_watch() {
            watch.open(path, &editor);
        }
    }

    fn edit_is(&self, id: EditId, step: &Step) -> bool {
        self.edits.get(id).is_some_and(|edit| edit.step == *step)
    }

    fn set_step(&mut self, id: EditId, step: Step) {
        if let Some(edit) = self.edits.get_mut(id) {
            edit.step = step;
        }
    }

    fn set_always_upload(&mut self, id: EditId, always: bool) {
        if let Some(edit) = self.edits.get_mut(id) {
            edit.always_upload = always;
        }
    }

    /// Asks the server what its copy looks like now. Without a connection to the edit's
    /// server, says what to do instead.
    fn look_at_server_copy(&mut self, id: EditId, why: EditLook) {
        let Some(edit) = self.edits.get(id) else {
            return;
        };
        let connected = self
            .connection
            .site
            .as_ref()
            .is_some_and(|site| site.key() == edit.site.key());
        let session = self.remote.session.filter(|_| connected);
        let Some(session) = session else {
            let step = match why {
                EditLook::BeforeFetch => Step::Failed("not connected".to_owned()),
                EditLook::BeforeUpload => Step::Changed,
                // Uploaded; a save made meanwhile waits for the user.
                EditLook::AfterUpload if edit.saved_again => Step::Changed,
                EditLook::AfterUpload => Step::Open,
            };
            if why != EditLook::AfterUpload {
                let text = format!(
                    "{}: connect to {} again to upload it; the copy here is kept.",
                    edit.name(),
                    edit.site.authority()
                );
                self.messages.error(text);
            }
            if let Some(edit) = self.edits.get_mut(id) {
                edit.saved_again = false;
            }
            self.set_step(id, step);
            return;
        };
        let request = self.engine.next_id();
        self.engine.send(Command::request(
            session,
            SessionRequest::Stat {
                id: request,
                path: edit.remote.clone(),
            },
        ));
        self.requests.insert(request, Waiting::EditLook { edit: id, why });
        match why {
            EditLook::BeforeFetch => self.set_step(id, Step::Looking),
            EditLook::BeforeUpload => self.set_step(id, Step::Checking),
            EditLook::AfterUpload => {}
        }
    }

    /// What the server said about its copy.
    pub(super) fn on_edit_look(&mut self, id: EditId, why: EditLook, result: Result<Entry, OpError>) {
        let Some(edit) = self.edits.get_mut(id) else {
            return;
        };
        let name = edit.name().to_owned();
        match (why, result) {
            (EditLook::BeforeFetch, Ok(entry)) => {
                edit.server = Some(Stamp::of(&entry));
                edit.step = Step::Preparing;
                if let Some(watch) = self.edit_watch() {
                    watch.prepare(id, &name);
                }
            }
            (EditLook::BeforeFetch, Err(error)) => {
                edit.step = Step::Failed(error.sentence());
                self.messages
                    .error(format!("Could not edit {name}: {}", error.sentence()));
            }
            (EditLook::BeforeUpload, Ok(entry)) => {
                let now = Stamp::of(&entry);
                match edit.server {
                    Some(fetched) if fetched.changed_to(&now) => self.ask_about_conflict(id, Some(now)),
                    _ => self.upload_edit(id),
                }
            }
            (EditLook::BeforeUpload, Err(error)) if error.kind == ErrorKind::NotFound => {
                self.ask_about_conflict(id, None);
            }
            (EditLook::BeforeUpload, Err(error)) => {
                edit.step = Step::Changed;
                self.messages.error(format!(
                    "Could not check the server's copy of {name}, so it was not uploaded: {}",
                    error.sentence()
                ));
            }
            (EditLook::AfterUpload, result) => {
                // Without a new look, the next upload compares with the older one and asks.
                if let Ok(entry) = result {
                    edit.server = Some(Stamp::of(&entry));
                }
                edit.step = Step::Open;
                if std::mem::take(&mut edit.saved_again) {
                    self.on_saved(id);
                }
            }
        }
    }

    fn ask_about_conflict(&mut self, id: EditId, server_now: Option<Stamp>) {
        let Some(edit) = self.edits.get_mut(id) else {
            return;
        };
        edit.step = Step::Conflict;
        let dialog = Dialog::EditConflict {
            edit: id,
            name: edit.name().to_owned(),
            server: edit.site.authority(),
            fetched: edit.server,
            server_now,
            copy: edit.saved,
        };
        self.dialogs.push(dialog);
    }

    /// What the edit watcher reported.
    pub(super) fn on_edit_report(&mut self, report: EditReport) {
        match report {
            EditReport::Ready { id, folder } => match folder {
                Ok(path) => self.fetch_edit(id, path),
                Err(reason) => {
                    self.messages.error(format!("Could not edit the file: {reason}"));
                    self.set_step(id, Step::Failed(reason));
                }
            },
            EditReport::Saved { path, stamp } => {
                if let Some(id) = self.edits.by_local(&path) {
                    if let Some(edit) = self.edits.get_mut(id) {
                        edit.saved = Some(stamp);
                    }
                    self.on_saved(id);
                }
            }
            EditReport::EditorFailed { path, reason } => {
                self.messages
                    .error(format!("Could not open {} in the editor: {reason}", path.display()));
            }
            EditReport::Kept(paths) => {
                for path in paths {
                    self.messages.error(format!(
                        "A file edited in an earlier run has changes that were not uploaded; its copy is \
                         kept at {}.",
                        path.display()
                    ));
                }
            }
        }
    }

    /// The copy was saved in the editor: upload it, or ask.
    fn on_saved(&mut self, id: EditId) {
        let Some(edit) = self.edits.get_mut(id) else {
            return;
        };
        match edit.step {
            Step::Checking | Step::Uploading => edit.saved_again = true,
            // The question about this save is open; the newer save is what gets uploaded.
            Step::Conflict => {}
            Step::Open | Step::Changed if edit.always_upload => self.look_at_server_copy(id, EditLook::BeforeUpload),
            Step::Open | Step::Changed => {
                edit.step = Step::Changed;
                let name = edit.name().to_owned();
                let server = edit.site.authority();
                let asked = self
                    .dialogs
                    .any(|dialog| matches!(dialog, Dialog::UploadEdited { edit, .. } if *edit == id));
                if !asked {
                    self.dialogs.push(Dialog::UploadEdited { edit: id, name, server });
                }
            }
            Step::Looking | Step::Preparing | Step::Fetching | Step::Failed(_) => {}
        }
    }

    fn fetch_edit(&mut self, id: EditId, path: PathBuf) {
        let Some(edit) = self.edits.get_mut(id) else {
            return;
        };
        let Some(folder) = path.parent().map(PathBuf::from) else {
            return;
        };
        edit.local = Some(path);
        edit.step = Step::Fetching;
        let (site, remote) = (edit.site.clone(), edit.remote.clone());
        let job = self.engine.next_job();
        self.requests.start_job(job, Job::EditFetched(id), self.now);
        self.engine.send(QueueCommand::Enqueue {
            job,
            site,
            specs: vec![TransferSpec {
                direction: Direction::Download,
                local: folder,
                remote,
                recursive: false,
                keep_replaced: None,
            }],
            options: TransferOptions {
                on_conflict: ConflictPolicy::Overwrite,
                ..TransferOptions::default()
            },
            paused: false,
        });
    }

    fn upload_edit(&mut self, id: EditId) {
        let Some(edit) = self.edits.get_mut(id) else {
            return;
        };
        let (Some(local), Some(stamp)) = (edit.local.clone(), edit.saved) else {
            return;
        };
        edit.step = Step::Uploading;
        // This upload sends the newest save there is.
        edit.saved_again = false;
        let upload_via_temp = edit.upload_via_temp;
        let (site, folder) = (edit.site.clone(), edit.remote.parent());
        let job = self.engine.next_job();
        self.requests.start_job(job, Job::EditUploaded(id, stamp), self.now);
        self.engine.send(QueueCommand::Enqueue {
            job,
            site,
            specs: vec![TransferSpec {
                direction: Direction::Upload,
                local,
                remote: folder,
                recursive: false,
                keep_replaced: None,
            }],
            options: TransferOptions {
                on_conflict: ConflictPolicy::Overwrite,
                upload_via_temp,
                ..TransferOptions::default()
            },
            paused: false,
        });
    }

    /// The copy is here: open it in the editor.
    pub(super) fn on_edit_fetched(&mut self, id: EditId, summary: &OpSummary) {
        let Some(edit) = self.edits.get_mut(id) else {
            return;
        };
        let Some(path) = edit.local.clone() else {
            return;
        };
        if let Some(reason) = summary.failed.first().or(summary.skipped.first()) {
            edit.step = Step::Failed(reason.clone());
            return;
        }
        if summary.files != 1 {
            edit.step = Step::Failed("it is not a plain file".to_owned());
            return;
        }
        edit.step = Step::Open;
        let name = edit.name().to_owned();
        self.open_in_editor(&path);
        self.messages.status(format!(
            "Editing {name}: each save in the editor is offered for upload."
        ));
    }

    /// A save is on the server.
    pub(super) fn on_edit_uploaded(&mut self, id: EditId, stamp: Stamp, summary: &OpSummary) {
        let Some(edit) = self.edits.get_mut(id) else {
            return;
        };
        if !summary.failed.is_empty() || summary.files != 1 {
            // The failure itself is in the log; the save waits here.
            edit.step = Step::Changed;
            edit.saved_again = false;
            if let Some(skipped) = summary.skipped.first() {
                let skipped = skipped.clone();
                self.messages.error(format!("Not uploaded: {skipped}"));
            }
            return;
        }
        let (name, server) = (edit.name().to_owned(), edit.site.authority());
        if let (Some(path), Some(watch)) = (edit.local.clone(), self.edit_watch.as_ref()) {
            watch.sent(&path, stamp);
        }
        self.messages.status(format!("Uploaded {name} to {server}."));
        self.look_at_server_copy(id, EditLook::AfterUpload);
    }

    /// Ends an edit; its copy goes (at once when `discard`, else unless it changed).
    fn discard_edit(&mut self, id: EditId, discard: bool) {
        if let Some(edit) = self.edits.remove(id)
            && let (Some(path), Some(watch)) = (edit.local, self.edit_watch.as_ref())
        {
            watch.forget(&path, discard);
        }
    }
}
