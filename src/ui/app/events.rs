//! Events in: what the engine and the window's own threads said, applied to the state the
//! components draw. An answer is matched to its request through the one table of what is
//! waited for; answers nobody waits for any more are dropped.

use std::path::PathBuf;
use std::time::Duration;

use super::{App, Closing};
use crate::engine::api::{
    Entry, ErrorKind, Event, ImportReport, JobId, LogDirection, OpError, OpSummary, PinnedCertificate, QueueCounts,
    RemotePath, RequestId, SavedSite, Security, SessionId, Site, TransferState, TrustedHostKey,
};
use crate::ui::background::{Done, Pick};
use crate::ui::connect_form::{MAX_RECENT, Recent};
use crate::ui::dialogs::Dialog;
use crate::ui::format;
use crate::ui::intent::SitesIntent;
use crate::ui::notice::Notice;
use crate::ui::pane::{PaneStatus, Side};
use crate::ui::requests::{Job, SitesRequest, Waiting};

impl App {
    /// Reads every event waiting, and what the window's threads finished; returns how many
    /// engine events there were.
    pub fn drain_events(&mut self) -> usize {
        let mut count = 0;
        while let Some(event) = self.engine.try_event() {
            self.apply(event);
            count += 1;
        }
        while let Some(done) = self.background.try_recv() {
            self.finished_in_background(done);
        }
        count
    }

    pub(super) fn clock(&self) -> Duration {
        Duration::from_secs_f64(self.now.max(0.0))
    }

    /// Applies one engine event.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Connected {
                id,
                session,
                security,
                home,
                times,
            } => {
                self.connection.times = times;
                self.on_connected(id, session, security, home)
            }
            Event::Disconnected { session } => self.on_disconnected(session),
            Event::Listing {
                id,
                path,
                entries,
                refused,
            } => {
                for sentence in refused {
                    self.messages.push(LogDirection::Warning, sentence);
                }
                self.on_listing(id, path, entries);
            }
            Event::Stat { id, entry } => self.on_stat(id, Ok(entry)),
            sync @ (Event::Tree { .. } | Event::SyncPlanned { .. } | Event::Checksums { .. }) => {
                self.on_sync_event(sync);
            }
            Event::OpFinished { id, result } => self.on_finished(id, result),
            Event::ItemsAdded { items } => self.transfers.added(items),
            Event::ItemChanged {
                item,
                state,
                attempts,
                progress,
            } => self.on_item_changed(item, state, attempts, progress),
            Event::ItemsRemoved { items } => self.transfers.removed(&items),
            Event::QueueOrder { pending } => self.transfers.reordered(&pending),
            Event::JobFinished { job, summary } => self.on_job_finished(job, summary),
            Event::QueueLoaded { counts } => self.on_queue_loaded(counts),
            Event::QueueIdle { .. } => {
                if self.closing == Closing::WhenIdle {
                    self.closing = Closing::Now;
                }
            }
            Event::Prompt { prompt, question } => self.dialogs.push(Dialog::prompt(prompt, question)),
            Event::HostKeyChanged {
                host,
                port,
                key_type,
                fingerprint,
                recorded,
                known_hosts,
            } => self.dialogs.push(Dialog::HostKeyChanged {
                server: format!("{host}:{port}"),
                key_type,
                fingerprint,
                recorded,
                known_hosts,
            }),
            Event::Log { direction, text, .. } => self.messages.push(direction, text),
            Event::Sites {
                id,
                sites,
                folders,
                keyring,
            } => {
                if self.take_sites_request(id).is_some() {
                    self.on_sites(sites, folders, keyring);
                }
            }
            Event::SiteSaved { id, site, warning } => self.on_site_saved(id, site, warning),
            Event::SiteResolved {
                id,
                saved,
                site,
                path,
                secret_missing,
            } => {
                if self.take_sites_request(id).is_some() {
                    self.on_site_resolved(saved, site, path, secret_missing);
                }
            }
            Event::Imported { id, report } => self.on_imported(id, report),
            Event::Trust {
                id,
                host_keys,
                certificates,
            } => self.on_trust(id, host_keys, certificates),
        }
    }

    fn on_connected(&mut self, id: RequestId, session: SessionId, security: Security, home: String) {
        match self.requests.take(id) {
            Some(Waiting::LocalSession) => self.on_local_session(session, home),
            Some(Waiting::Connect) => self.on_server_session(session, security, home),
            // A connection the user gave up on: close it again.
            _ => self
                .engine
                .send(crate::engine::api::SessionCommand::Disconnect { session }),
        }
    }

    /// The local pane opens at the folder it showed last time, or at home when that folder
    /// is gone (listing it fails).
    fn on_local_session(&mut self, session: SessionId, home: String) {
        self.local.session = Some(session);
        let home = RemotePath::new(&home);
        match self.settings.local_folder.clone() {
            Some(last) if RemotePath::new(&last) != home => {
                self.navigate_or(Side::Local, RemotePath::new(&last), Some(home))
            }
            _ => self.navigate(Side::Local, home),
        }
    }

    fn on_server_session(&mut self, session: SessionId, security: Security, home: String) {
        self.remote.session = Some(session);
        self.messages.status(format!("Connected ({security})."));
        self.connection.security = Some(security);
        if let Some(site) = &self.connection.site {
            let recent = Recent {
                protocol: site.protocol,
                host: site.host.clone(),
                port: site.port,
                user: site.user.clone(),
            };
            self.settings.recent.retain(|known| *known != recent);
            self.settings.recent.insert(0, recent);
            self.settings.recent.truncate(MAX_RECENT);
        }
        // `~` (a saved site's default) is the login folder the server just named, so that the
        // path bar, breadcrumbs and tree show where that is.
        let start = match self.form.start_path.take() {
            Some(path) if path.as_str() == "~" => RemotePath::new(&home),
            Some(path) => match path.as_str().strip_prefix("~/") {
                Some(rest) => RemotePath::new(&home).join(rest),
                None => path,
            },
            None => RemotePath::new(&home),
        };
        self.navigate(Side::Remote, start);
    }

    fn on_disconnected(&mut self, session: SessionId) {
        if self.remote.session == Some(session) {
            self.remote.session = None;
            self.connection.security = None;
            self.forget_listings(Side::Remote);
            self.remote.clear(PaneStatus::NotConnected);
            self.forget_sync_plan();
            self.messages.status("Disconnected from the server.");
        }
        if self.local.session == Some(session) {
            self.local.session = None;
            self.forget_listings(Side::Local);
            self.local
                .clear(PaneStatus::Failed("This computer's files cannot be read.".into()));
        }
    }

    fn on_listing(&mut self, id: RequestId, path: RemotePath, entries: Vec<crate::engine::api::Entry>) {
        let listing = |waiting: &Waiting| {
            matches!(
                waiting,
                Waiting::TreeListing { .. } | Waiting::Listing { .. } | Waiting::MirrorListing { .. }
            )
        };
        match self.requests.take_if(id, listing) {
            Some(Waiting::TreeListing { side }) => self.pane_mut(side).tree.learn(&path, &entries),
            Some(Waiting::Listing { side, .. }) => {
                let from = self.pane(side).path.clone();
                self.show_listing(side, path.clone(), entries);
                self.browse_together(side, from, &path);
            }
            Some(Waiting::MirrorListing { side, .. }) => self.show_listing(side, path, entries),
            _ => {}
        }
    }

    /// Moves a pane to a folder it listed; Compare's marks follow.
    fn show_listing(&mut self, side: Side, path: RemotePath, entries: Vec<crate::engine::api::Entry>) {
        if side == Side::Local {
            self.settings.local_folder = Some(path.to_string());
        }
        self.pane_mut(side).show_listing(path, entries);
        self.refresh_marks();
    }

    fn on_item_changed(
        &mut self,
        item: crate::engine::api::ItemId,
        state: TransferState,
        attempts: u32,
        progress: crate::engine::api::Progress,
    ) {
        if let TransferState::Failed { reason } = &state
            && let Some(transfer) = self.transfers.get(item)
        {
            let name = transfer.item.remote.clone();
            self.messages.error(format!("{name}: {reason}"));
        }
        let now = self.clock();
        self.transfers.changed(item, state, attempts, progress, now);
    }

    fn on_queue_loaded(&mut self, counts: QueueCounts) {
        let unfinished = counts.queued + counts.paused + counts.waiting;
        if unfinished > 0 {
            let transfers = format::count(unfinished, "transfer", "transfers");
            let are = if unfinished == 1 { "is" } else { "are" };
            self.messages
                .status(format!("{transfers} left from the last run {are} back in the queue."));
        }
    }

    /// A look at one file (the reply to `Stat`), or its error.
    fn on_stat(&mut self, id: RequestId, result: Result<Entry, OpError>) {
        let pick = |waiting: &Waiting| {
            matches!(
                waiting,
                Waiting::EditLook { .. } | Waiting::SyncReady { .. } | Waiting::UndoDone { .. }
            )
        };
        match self.requests.take_if(id, pick) {
            Some(Waiting::EditLook { edit, why }) => self.on_edit_look(edit, why, result),
            Some(Waiting::SyncReady { trash }) => self.on_sync_ready(trash),
            Some(Waiting::UndoDone { files, aside }) => self.on_undo_done(files, &aside),
            _ => {}
        }
    }

    fn on_finished(&mut self, id: RequestId, result: Result<OpSummary, OpError>) {
        let Some(waiting) = self.requests.take(id) else {
            return;
        };
        match waiting {
            Waiting::Trust => {
                if let Err(error) = result {
                    self.trust.problem = Some(error.sentence());
                }
                self.open_trust();
            }
            Waiting::Sites(_) => match result {
                Ok(_) => {
                    self.sites.tell(false, "Deleted.");
                    self.open_site_manager();
                }
                Err(error) => self.sites.tell(true, error.sentence()),
            },
            Waiting::Connect => self.on_connect_finished(result),
            Waiting::Listing { side, path, fallback } => {
                if let Err(error) = result {
                    self.on_listing_failed(side, path, fallback, &error);
                }
            }
            Waiting::Change { side, what } => {
                if let Err(error) = result {
                    self.dialogs.push(Dialog::Error {
                        title: format!("Could not {what}"),
                        text: error.sentence(),
                    });
                }
                self.refresh(side);
            }
            Waiting::LocalSession => {
                if let Err(error) = result {
                    self.local.clear(PaneStatus::Failed(error.sentence()));
                }
            }
            Waiting::TreeListing { .. } => {}
            sync @ (Waiting::CompareMarks { .. }
            | Waiting::SyncPlan
            | Waiting::SyncQuiet
            | Waiting::MirrorListing { .. }
            | Waiting::SyncTree { .. }
            | Waiting::SyncSums { .. }
            | Waiting::SyncStep { .. }
            | Waiting::SyncReady { .. }
            | Waiting::UndoTree
            | Waiting::UndoDone { .. }) => self.on_sync_request_finished(sync, result),
            Waiting::EditLook { edit, why } => {
                if let Err(error) = result {
                    self.on_edit_look(edit, why, Err(error));
                }
            }
        }
    }

    /// A connection that ended before it was made: say why, once.
    fn on_connect_finished(&mut self, result: Result<OpSummary, OpError>) {
        self.connection.site = None;
        let Err(error) = result else {
            return;
        };
        if error.kind == ErrorKind::Auth
            && let Some(saved) = &self.connection.saved
        {
            // A password typed for this run was wrong: ask again next time.
            self.connection.remembered.remove(&saved.id);
        }
        let sentence = error.sentence();
        self.remote.clear(PaneStatus::Failed(sentence.clone()));
        // A changed host key has its own dialog already; one is enough.
        if !self
            .dialogs
            .any(|dialog| matches!(dialog, Dialog::HostKeyChanged { .. }))
        {
            self.dialogs.push(Dialog::Error {
                title: "Could not connect".into(),
                text: sentence,
            });
        }
    }

    fn on_listing_failed(&mut self, side: Side, path: RemotePath, fallback: Option<RemotePath>, error: &OpError) {
        if let Some(fallback) = fallback {
            self.navigate(side, fallback);
            return;
        }
        let sentence = error.sentence();
        let pane = self.pane_mut(side);
        if pane.path.is_none() {
            pane.status = PaneStatus::Failed(sentence.clone());
        } else {
            // Keep showing the folder we were in; say why we did not move.
            pane.status = PaneStatus::Ready;
            pane.path_text = pane.path.as_ref().map(ToString::to_string).unwrap_or_default();
        }
        self.messages.error(format!("Could not open {path}: {sentence}"));
    }

    fn on_job_finished(&mut self, job: JobId, summary: OpSummary) {
        let Some((job, started)) = self.requests.finish_job(job) else {
            return;
        };
        for failure in &summary.failed {
            self.messages.error(failure.clone());
        }
        for refused in &summary.refused {
            self.messages.push(LogDirection::Warning, refused.clone());
        }
        let files = if summary.files == 1 { "file" } else { "files" };
        self.messages.status(format!(
            "Transfer finished: {} {files}, {}{}.",
            summary.files,
            format::size(summary.bytes),
            if summary.failed.is_empty() {
                String::new()
            } else {
                format!(", {} failed (see the Failed tab)", summary.failed.len())
            }
        ));
        // A job of the user's that ends while they look elsewhere is worth telling; the edit
        // loop's own transfers are not (the user is in the editor, saving).
        if !self.window_focused && matches!(job, Job::Plain | Job::Open(_) | Job::Sync { .. }) {
            let took = Duration::from_secs_f64((self.now - started).max(0.0));
            self.background.notify(Notice::for_job(&summary, took));
        }
        match job {
            Job::Plain => {}
            Job::Open(file) => {
                if summary.failed.is_empty() {
                    self.open_with_system(&file);
                }
            }
            Job::EditFetched(id) => self.on_edit_fetched(id, &summary),
            Job::EditUploaded(id, stamp) => self.on_edit_uploaded(id, stamp, &summary),
            Job::Sync { trash } => self.on_sync_finished(trash, summary.failed.len()),
        }
        self.refresh(Side::Local);
        self.refresh(Side::Remote);
    }

    /// Takes `id` from the table when a site manager request waits for it.
    fn take_sites_request(&mut self, id: RequestId) -> Option<SitesRequest> {
        match self
            .requests
            .take_if(id, |waiting| matches!(waiting, Waiting::Sites(_)))?
        {
            Waiting::Sites(request) => Some(request),
            _ => None,
        }
    }

    /// The fresh list of sites. A folder renamed or deleted moves or removes the sites in it:
    /// the connected site follows, so that a later save does not undo the move.
    fn on_sites(&mut self, sites: Vec<SavedSite>, folders: Vec<String>, keyring: crate::engine::api::KeyringStatus) {
        if let Some(saved) = &mut self.connection.saved {
            match sites.iter().find(|site| site.id == saved.id) {
                Some(site) => *saved = site.clone(),
                None => self.connection.saved = None,
            }
        }
        self.sites.listed(sites, folders, keyring);
    }

    fn on_site_saved(&mut self, id: RequestId, site: SavedSite, warning: Option<String>) {
        let Some(request) = self.take_sites_request(id) else {
            return;
        };
        let (error, message) = match warning {
            Some(warning) => (true, format!("Saved {}, but {warning}.", site.path())),
            None => (false, format!("Saved {}.", site.path())),
        };
        if let Some(saved) = &mut self.connection.saved
            && saved.id == site.id
        {
            *saved = site.clone();
        }
        if !self.sites.open {
            // Saved from elsewhere (a bookmark from the server pane): the log says so.
            match error {
                true => self.messages.error(message),
                false => self.messages.status(message),
            }
            return;
        }
        let path = site.path();
        self.sites.tell(error, message);
        self.sites.saved(site, request == SitesRequest::Duplicate);
        self.open_site_manager();
        if request == SitesRequest::SaveThenConnect {
            self.carry_out(crate::ui::intent::ConnectionIntent::ConnectSite(path));
        }
    }

    fn on_site_resolved(&mut self, saved: SavedSite, site: Site, path: RemotePath, secret_missing: Option<String>) {
        let remembered = self.connection.remembered.get(&saved.id).cloned();
        match (secret_missing, remembered) {
            (None, _) => self.connect_site(Some(saved), site, Some(path)),
            (Some(_), Some(secret)) => {
                // Asked for earlier in this run (no keyring, or "ask every time").
                let mut site = site;
                match site.credentials.key_file {
                    Some(_) => site.credentials.key_passphrase = Some(secret),
                    None => site.credentials.password = Some(secret),
                }
                self.connect_site(Some(saved), site, Some(path));
            }
            (Some(reason), None) => self.dialogs.push(Dialog::SitePassword {
                name: saved.path(),
                reason,
                saved: Box::new(saved),
                site: Box::new(site),
                path,
                password: String::new(),
            }),
        }
    }

    fn on_imported(&mut self, id: RequestId, report: ImportReport) {
        let file = match self.take_sites_request(id) {
            Some(SitesRequest::Import { file }) => file,
            Some(_) => None,
            None => return,
        };
        self.dialogs.push(Dialog::ImportReport { file, report });
        self.open_site_manager();
    }

    fn on_trust(&mut self, id: RequestId, host_keys: Vec<TrustedHostKey>, certificates: Vec<PinnedCertificate>) {
        if self
            .requests
            .take_if(id, |waiting| *waiting == Waiting::Trust)
            .is_some()
        {
            self.trust.update(host_keys, certificates);
        }
    }

    /// A file or folder chosen in the system's dialog, or typed when it did not open.
    pub(super) fn picked(&mut self, what: Pick, path: PathBuf) {
        match what {
            Pick::LocalFolder => match path.to_str() {
                Some(text) => self.navigate(Side::Local, RemotePath::new(text)),
                None => self
                    .messages
                    .error(format!("{} is not a path Wharf can show.", path.display())),
            },
            Pick::KeyFile => self.form.key_file = Some(path),
            Pick::FileZillaSites => {
                if !self.dialogs.fill_filezilla_path(&path) {
                    self.carry_out(SitesIntent::Import(crate::engine::api::ImportSource::FileZilla {
                        file: path,
                        scrub: false,
                    }));
                }
            }
        }
    }

    /// What a thread of the window's own finished.
    fn finished_in_background(&mut self, done: Done) {
        match done {
            Done::Picked {
                what, path: Some(path), ..
            } => self.picked(what, path),
            // The FileZilla import's dialog has its own field for the path.
            Done::Picked {
                what: Pick::FileZillaSites,
                path: None,
                ..
            } => {}
            Done::Picked {
                what,
                path: None,
                start,
            } => self.dialogs.push(Dialog::TypePath {
                what,
                path: start.map(|start| start.display().to_string()).unwrap_or_default(),
            }),
            Done::FileZillaFile(file) => self.dialogs.push(Dialog::ImportFileZilla {
                path: file.map(|file| file.display().to_string()).unwrap_or_default(),
            }),
            Done::ScratchFolder { remote, folder } => match folder {
                Ok(folder) => self.download_to_open(remote, folder),
                Err(error) => {
                    let name = remote.file_name().unwrap_or(remote.as_str()).to_owned();
                    self.messages
                        .error(format!("Could not make a folder for {name}: {error}"));
                }
            },
            Done::Edit(report) => self.on_edit_report(report),
        }
    }
}
