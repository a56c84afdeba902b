//! Intents out: what the user asked for, turned into engine commands, each request recorded
//! with what its answer is for. This is the only place the window sends commands.

use std::path::{Path, PathBuf};

use super::App;
use crate::engine::api::EntryKind;
use crate::engine::api::{
    Command, ConflictPolicy, Direction, FolderEdit, ImportSource, QueueCommand, QueueLimits, RemotePath, RequestId,
    SavedSite, Selection, SessionCommand, SessionRequest, Site, SitesCommand, TransferOptions, TransferSpec,
    TrustCommand,
};
use crate::model::Secret;
use crate::ui::dialogs::Dialog;
use crate::ui::intent::{
    Chosen, ConnectionIntent, Focus, Intent, PaneIntent, QueueIntent, QueueItems, QueueVerb, SitesIntent, WindowIntent,
};
use crate::ui::intent::{MAX_TIMEOUT, MIN_TIMEOUT};
use crate::ui::pane::{Activation, PaneStatus, Side};
use crate::ui::requests::{Job, SitesRequest, Waiting};
use crate::ui::site_manager::Editing;

impl App {
    /// Carries out what the user asked for.
    pub fn carry_out(&mut self, intent: impl Into<Intent>) {
        match intent.into() {
            Intent::Pane(intent) => self.carry_out_in_pane(intent),
            Intent::Connection(intent) => self.carry_out_for_connection(intent),
            Intent::Queue(intent) => self.carry_out_in_queue(intent),
            Intent::Sites(intent) => self.carry_out_for_sites(intent),
            Intent::Window(intent) => self.carry_out_in_window(intent),
            Intent::Edit(intent) => self.carry_out_for_edits(intent),
            Intent::Sync(intent) => self.carry_out_for_sync(intent),
        }
    }

    fn carry_out_in_pane(&mut self, intent: PaneIntent) {
        match intent {
            PaneIntent::Focus(side) => self.focus = Focus::Pane(side),
            PaneIntent::Navigate { side, path } => self.navigate(side, path),
            PaneIntent::Refresh(side) => self.refresh(side),
            PaneIntent::ListForTree { side, path } => self.list_for_tree(side, path),
            PaneIntent::Activate { side, row } => self.activate(side, row),
            PaneIntent::Transfer {
                from,
                names,
                into,
                paused,
            } => self.transfer(from, &names, into, paused),
            PaneIntent::UploadDropped { paths, folder } => self.upload_dropped(paths, folder),
            PaneIntent::MoveInto { side, names, target } => self.move_into(side, names, &target),
            PaneIntent::Open { side, name } => self.open(side, &name),
            PaneIntent::CopyAddress { side, name } => self.outbox.copy = self.address_of(side, &name),
            PaneIntent::AskRename(side) => self.ask_rename(side),
            PaneIntent::AskDelete(side) => self.ask_delete(side),
            PaneIntent::AskNewFolder(side) => self.ask_new_folder(side),
            PaneIntent::AskPermissions(side) => self.ask_permissions(side),
            PaneIntent::Sorted { side, sort } => match side {
                Side::Local => self.settings.local_sort = sort,
                Side::Remote => self.settings.remote_sort = sort,
            },
            PaneIntent::BookmarkFolder => self.bookmark_current_folder(),
            PaneIntent::Delete { side, entries } => self.delete(side, entries),
            PaneIntent::Rename { side, from, to } => self.rename(side, &from, &to),
            PaneIntent::NewFolder { side, name } => self.new_folder(side, &name),
            PaneIntent::Chmod { side, names, mode } => self.chmod(side, names, mode),
        }
    }

    fn carry_out_for_connection(&mut self, intent: ConnectionIntent) {
        match intent {
            ConnectionIntent::Connect => self.connect(),
            ConnectionIntent::Disconnect => {
                self.disconnect();
                self.messages.status("Disconnected.");
            }
            ConnectionIntent::ConnectSite(path) => self.ask_sites(SitesRequest::Resolve, |id| SitesCommand::Resolve {
                id,
                reference: path,
            }),
            ConnectionIntent::ConnectWith {
                saved,
                site,
                path,
                secret,
            } => {
                if let Some(secret) = secret {
                    self.connection.remembered.insert(saved.id.clone(), secret);
                }
                self.connect_site(Some(*saved), *site, Some(path));
            }
        }
    }

    fn carry_out_in_queue(&mut self, intent: QueueIntent) {
        match intent {
            QueueIntent::Focus => self.focus = Focus::Queue,
            QueueIntent::Apply { verb, items } => self.queue(verb, items),
            QueueIntent::Move { item, to } => self.engine.send(QueueCommand::Reprioritize { item, to }),
            QueueIntent::Clear { done, failed } => self.engine.send(QueueCommand::Clear { done, failed }),
            QueueIntent::DownloadLink(text) => self.download_link(&text),
            QueueIntent::SetLimits(typed) => {
                self.settings.parallel = typed.parallel;
                self.settings.auto_parallel = typed.auto_parallel;
                self.settings.download_limit = typed.download;
                self.settings.upload_limit = typed.upload;
                self.settings.idle_timeout = typed.timeout;
                self.apply_limits();
            }
        }
    }

    fn carry_out_for_sites(&mut self, intent: SitesIntent) {
        match intent {
            SitesIntent::OpenManager => self.open_site_manager(),
            SitesIntent::SaveQuickconnect => self.save_quickconnect(),
            SitesIntent::Save { site, secret } => self.save_site(*site, secret),
            SitesIntent::Duplicate(path) => {
                self.ask_sites(SitesRequest::Duplicate, |id| SitesCommand::Duplicate { id, name: path })
            }
            SitesIntent::AskDelete(path) => self.dialogs.push(Dialog::ConfirmDeleteSite { path }),
            SitesIntent::AskSaveBeforeConnect(path) => self.dialogs.push(Dialog::SaveBeforeConnect { path }),
            SitesIntent::SaveAndConnect => {
                if let Some((site, secret)) = self.sites.take_save() {
                    self.save_site_as(SitesRequest::SaveThenConnect, site, secret);
                }
            }
            SitesIntent::AskNewFolder { parent } => self.dialogs.push(Dialog::SiteFolder {
                from: None,
                path: if parent.is_empty() {
                    String::new()
                } else {
                    format!("{parent}/")
                },
            }),
            SitesIntent::AskRenameFolder(path) => self.dialogs.push(Dialog::SiteFolder {
                from: Some(path.clone()),
                path,
            }),
            SitesIntent::AskDeleteFolder { path, sites } => {
                self.dialogs.push(Dialog::ConfirmDeleteSiteFolder { path, sites })
            }
            SitesIntent::Delete(path) => {
                self.sites.editing = None;
                self.ask_sites(SitesRequest::Delete, |id| SitesCommand::Delete { id, name: path });
            }
            SitesIntent::EditFolder(edit) => self.edit_site_folder(edit),
            SitesIntent::Import(source) => self.import(source),
            SitesIntent::AskFileZillaImport => self.background.find_filezilla_file(),
            SitesIntent::RemoveImportedPasswords { file, sites } => self
                .ask_sites(SitesRequest::RemovePasswords, |id| {
                    SitesCommand::RemoveImportedPasswords { id, file, sites }
                }),
            SitesIntent::OpenTrust => self.open_trust(),
            SitesIntent::ForgetTrust(entry) => {
                self.trust.problem = None;
                let id = self.engine.next_id();
                self.engine.send(TrustCommand::Forget { id, entry });
                self.requests.insert(id, Waiting::Trust);
            }
        }
    }

    fn carry_out_in_window(&mut self, intent: WindowIntent) {
        match intent {
            WindowIntent::Answer { prompt, reply } => self.engine.send(Command::Answer { prompt, reply }),
            WindowIntent::ShowAbout => self.dialogs.push(Dialog::About(self.engine.folders().clone())),
            WindowIntent::Pick { what, start } => self.background.pick(what, start),
            WindowIntent::Picked { what, path } => self.picked(what, path),
            WindowIntent::ShowLog(shown) => self.settings.show_log = shown,
            WindowIntent::Theme(theme) => self.settings.theme = theme,
            WindowIntent::Complain(sentence) => self.messages.error(sentence),
            WindowIntent::CloseNow => {
                self.closing = super::Closing::Now;
                self.outbox.close = true;
            }
            WindowIntent::CloseWhenIdle => {
                self.closing = super::Closing::WhenIdle;
                self.messages
                    .status("The window closes when the running transfers are done.");
            }
        }
    }

    /// Connects to what the quickconnect fields describe.
    fn connect(&mut self) {
        let site = match self.form.site() {
            Ok(site) => site,
            Err(sentence) => {
                self.dialogs.push(Dialog::Error {
                    title: "Cannot connect yet".into(),
                    text: sentence,
                });
                return;
            }
        };
        self.connection.saved = None;
        self.open_connection(site);
    }

    /// Connects to a site given whole (a saved one, resolved by the engine), opening `path`.
    pub(super) fn connect_site(&mut self, saved: Option<SavedSite>, site: Site, path: Option<RemotePath>) {
        self.form.protocol = site.protocol;
        self.form.host = site.host.clone();
        self.form.user = site.user.clone();
        self.form.port = site.port.to_string();
        self.form.password.clear();
        self.form.start_path = path;
        self.sites.open = false;
        self.open_connection(site);
        if let Some(folder) = saved.as_ref().and_then(|saved| saved.local_folder.as_ref()) {
            match folder.to_str() {
                Some(text) if self.local.session.is_some() => self.navigate(Side::Local, RemotePath::new(text)),
                Some(text) => self.settings.local_folder = Some(text.to_owned()),
                None => {}
            }
        }
        self.connection.saved = saved;
    }

    /// Closes any connection and opens one to `site`; `Connected` or an error follows.
    fn open_connection(&mut self, site: Site) {
        self.disconnect();
        let id = self.engine.next_id();
        self.messages.status(format!(
            "Connecting to {}://{}@{} ...",
            site.protocol,
            site.user,
            site.authority()
        ));
        self.engine.send(SessionCommand::Connect { id, site: site.clone() });
        self.requests.insert(id, Waiting::Connect);
        self.connection.site = Some(site);
        self.remote.clear(PaneStatus::Connecting);
    }

    fn disconnect(&mut self) {
        if let Some(session) = self.remote.session.take() {
            self.engine.send(SessionCommand::Disconnect { session });
        }
        for id in self.requests.forget(|waiting| *waiting == Waiting::Connect) {
            self.engine.send(Command::Cancel { id });
        }
        self.connection.security = None;
        self.forget_listings(Side::Remote);
        self.remote.clear(PaneStatus::NotConnected);
    }

    /// Lists `path` in a pane; the pane switches when the listing arrives.
    pub(super) fn navigate(&mut self, side: Side, path: RemotePath) {
        self.navigate_or(side, path, None);
    }

    /// Lists `path` in a pane, or `fallback` when `path` cannot be listed. A listing asked
    /// for earlier is dropped: only the newest one moves the pane.
    pub(super) fn navigate_or(&mut self, side: Side, path: RemotePath, fallback: Option<RemotePath>) {
        let Some(session) = self.pane(side).session else {
            return;
        };
        self.forget_listings(side);
        let id = self.engine.next_id();
        self.engine.send(Command::request(
            session,
            SessionRequest::List { id, path: path.clone() },
        ));
        self.requests.insert(id, Waiting::Listing { side, path, fallback });
        let pane = self.pane_mut(side);
        if pane.path.is_none() {
            pane.status = PaneStatus::Loading;
        }
    }

    /// Forgets the listings a pane waits for (it moves elsewhere, or its session ended).
    pub(super) fn forget_listings(&mut self, side: Side) {
        self.requests
            .forget(|waiting| matches!(waiting, Waiting::Listing { side: of, .. } if *of == side));
    }

    pub(super) fn refresh(&mut self, side: Side) {
        if let Some(path) = self.pane(side).path.clone() {
            self.navigate(side, path);
        }
    }

    fn list_for_tree(&mut self, side: Side, path: RemotePath) {
        let Some(session) = self.pane(side).session else {
            return;
        };
        let id = self.engine.next_id();
        self.engine
            .send(Command::request(session, SessionRequest::List { id, path }));
        self.requests.insert(id, Waiting::TreeListing { side });
    }

    fn activate(&mut self, side: Side, row: usize) {
        match self.pane(side).activate(row) {
            Some(Activation::Open(path)) => self.navigate(side, path),
            Some(Activation::Transfer(names)) => self.transfer(side, &names, None, false),
            None => {}
        }
    }

    /// Copies entries of the `from` pane (by name) into the other pane's folder, or into
    /// `into` (a folder of the other side) when given.
    fn transfer(&mut self, from: Side, names: &[String], into: Option<RemotePath>, paused: bool) {
        let (Some(site), Some(remote_folder), Some(local_folder)) = (
            self.connection.site.clone(),
            self.remote.path.clone(),
            self.local.path.clone(),
        ) else {
            self.messages
                .error("Connect to a server first: transfers go between this computer and a server.");
            return;
        };
        if self.remote.session.is_none() {
            self.messages
                .error("Connect to a server first: transfers go between this computer and a server.");
            return;
        }
        let specs: Vec<TransferSpec> = names
            .iter()
            .map(|name| match from {
                Side::Local => TransferSpec {
                    direction: Direction::Upload,
                    local: local_path(&local_folder).join(name),
                    remote: into.clone().unwrap_or_else(|| remote_folder.clone()),
                    recursive: true,
                    keep_replaced: None,
                },
                Side::Remote => TransferSpec {
                    direction: Direction::Download,
                    local: local_path(&into.clone().unwrap_or_else(|| local_folder.clone())),
                    remote: remote_folder.join(name),
                    recursive: true,
                    keep_replaced: None,
                },
            })
            .collect();
        self.enqueue(site, specs, paused);
    }

    /// Queues the download of what an `http(s)://` link names into this computer's folder,
    /// from the link's own server. The text is checked as a link from outside is
    /// ([`crate::model::link::parse_download_link`]); a refused one is not repeated in the
    /// message, since it may hold a password.
    fn download_link(&mut self, text: &str) {
        let location = match crate::model::link::parse_download_link(text.trim()) {
            Ok(location) => location,
            Err(error) => {
                self.messages.error(format!("That link cannot be downloaded: {error}."));
                return;
            }
        };
        let Some(local_folder) = self.local.path.clone() else {
            self.messages
                .error("Open a folder on this computer first: the link is downloaded into it.");
            return;
        };
        let spec = TransferSpec {
            direction: Direction::Download,
            local: local_path(&local_folder),
            remote: location.path,
            recursive: false,
            keep_replaced: None,
        };
        self.enqueue(location.site, vec![spec], false);
    }

    /// Uploads files and folders dropped from the desktop into `folder` on the server.
    fn upload_dropped(&mut self, paths: Vec<PathBuf>, folder: RemotePath) {
        let Some(site) = self.connection.site.clone().filter(|_| self.remote.session.is_some()) else {
            self.messages
                .error("Connect to a server first, then drop files on the server's side to upload them.");
            return;
        };
        let specs = paths
            .into_iter()
            .map(|local| TransferSpec {
                direction: Direction::Upload,
                local,
                remote: folder.clone(),
                recursive: true,
                keep_replaced: None,
            })
            .collect();
        self.enqueue(site, specs, false);
    }

    fn enqueue(&mut self, site: Site, specs: Vec<TransferSpec>, paused: bool) {
        if specs.is_empty() {
            return;
        }
        let job = self.engine.next_job();
        self.requests.start_job(job, Job::Plain, self.now);
        let upload_via_temp = self.connection.saved.as_ref().is_none_or(|saved| saved.upload_via_temp);
        self.engine.send(QueueCommand::Enqueue {
            job,
            site,
            specs,
            options: TransferOptions {
                on_conflict: ConflictPolicy::Ask,
                upload_via_temp,
                ..TransferOptions::default()
            },
            paused,
        });
    }

    /// Opens a file with the system's program: a local one at once, a remote one after
    /// downloading it to a temporary folder (made off the window's thread).
    fn open(&mut self, side: Side, name: &str) {
        let Some(folder) = self.pane(side).path.clone() else {
            return;
        };
        match side {
            Side::Local => self.open_with_system(&local_path(&folder).join(name)),
            Side::Remote if self.connection.site.is_some() => {
                self.background.make_scratch_folder(folder.join(name));
            }
            Side::Remote => {}
        }
    }

    /// Downloads `remote` into `folder`, then opens it.
    pub(super) fn download_to_open(&mut self, remote: RemotePath, folder: PathBuf) {
        let Some(site) = self.connection.site.clone() else {
            return;
        };
        let Some(name) = remote.file_name().map(str::to_owned) else {
            return;
        };
        let job = self.engine.next_job();
        self.requests.start_job(job, Job::Open(folder.join(&name)), self.now);
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

    pub(super) fn open_with_system(&mut self, path: &Path) {
        self.messages.status(format!("Opening {} ...", path.display()));
        if let Err(error) = self.background.open_with_system(path) {
            self.messages.error(format!("Could not open the file: {error}"));
        }
    }

    /// Sends a change to a pane's folder; the pane refreshes when it is done.
    fn change(&mut self, side: Side, what: String, request: impl FnOnce(RequestId) -> SessionRequest) {
        let Some(session) = self.pane(side).session else {
            return;
        };
        let id = self.engine.next_id();
        self.engine.send(Command::request(session, request(id)));
        self.requests.insert(id, Waiting::Change { side, what });
    }

    /// A pane's folder, for a change in it.
    fn folder(&self, side: Side) -> Option<RemotePath> {
        self.pane(side).path.clone()
    }

    fn move_into(&mut self, side: Side, names: Vec<String>, target: &RemotePath) {
        let Some(folder) = self.folder(side) else {
            return;
        };
        for name in names {
            let (from, to) = (folder.join(&name), target.join(&name));
            self.change(side, format!("move {name}"), |id| SessionRequest::Rename {
                id,
                from,
                to,
            });
        }
    }

    fn delete(&mut self, side: Side, entries: Vec<Chosen>) {
        let Some(folder) = self.folder(side) else {
            return;
        };
        for Chosen { name, is_folder } in entries {
            let path = folder.join(&name);
            self.change(side, format!("delete {name}"), |id| SessionRequest::Delete {
                id,
                path,
                recursive: is_folder,
            });
        }
    }

    fn rename(&mut self, side: Side, from: &str, to: &str) {
        let Some(folder) = self.folder(side) else {
            return;
        };
        let (from_path, to_path) = (folder.join(from), folder.join(to));
        self.change(side, format!("rename {from}"), |id| SessionRequest::Rename {
            id,
            from: from_path,
            to: to_path,
        });
    }

    fn new_folder(&mut self, side: Side, name: &str) {
        let Some(folder) = self.folder(side) else {
            return;
        };
        let path = folder.join(name);
        self.change(side, format!("create the folder {name}"), |id| SessionRequest::Mkdir {
            id,
            path,
        });
    }

    fn chmod(&mut self, side: Side, names: Vec<String>, mode: u32) {
        let Some(folder) = self.folder(side) else {
            return;
        };
        for name in names {
            let path = folder.join(&name);
            self.change(side, format!("change the permissions of {name}"), |id| {
                SessionRequest::Chmod { id, path, mode }
            });
        }
    }

    /// The entries chosen in a pane.
    fn chosen(&self, side: Side) -> Vec<Chosen> {
        self.pane(side)
            .chosen()
            .into_iter()
            .map(|entry| Chosen {
                name: entry.name.clone(),
                is_folder: entry.kind == EntryKind::Dir,
            })
            .collect()
    }

    fn ask_rename(&mut self, side: Side) {
        if let [one] = self.chosen(side).as_slice() {
            self.dialogs.push(Dialog::Rename {
                side,
                from: one.name.clone(),
                to: one.name.clone(),
            });
        }
    }

    fn ask_delete(&mut self, side: Side) {
        let entries = self.chosen(side);
        if !entries.is_empty() {
            self.dialogs.push(Dialog::ConfirmDelete { side, entries });
        }
    }

    fn ask_new_folder(&mut self, side: Side) {
        if self.pane(side).session.is_some() {
            self.dialogs.push(Dialog::NewFolder {
                side,
                name: String::new(),
            });
        }
    }

    fn ask_permissions(&mut self, side: Side) {
        let chosen = self.pane(side).chosen();
        let Some(first) = chosen.first() else {
            return;
        };
        let mode = first.permissions.as_deref().and_then(parse_mode).unwrap_or(0o644);
        let names = chosen.iter().map(|entry| entry.name.clone()).collect();
        self.dialogs.push(Dialog::Permissions { side, names, mode });
    }

    /// `scheme://user@host:port/path` of an entry of the remote pane (never the password), or
    /// the local path.
    fn address_of(&self, side: Side, name: &str) -> Option<String> {
        let path = self.pane(side).path.as_ref()?.join(name);
        match side {
            Side::Local => Some(path.to_string()),
            Side::Remote => {
                let site = self.connection.site.as_ref()?;
                Some(format!("{}{}", site.address(), path.url_form()))
            }
        }
    }

    /// Applies the limits of the settings (parallel transfers, rates).
    pub(super) fn apply_limits(&mut self) {
        let download = crate::ui::format::parse_rate(&self.settings.download_limit);
        let upload = crate::ui::format::parse_rate(&self.settings.upload_limit);
        match (download, upload) {
            (Ok(download_rate), Ok(upload_rate)) => {
                let parallel = if self.settings.auto_parallel {
                    QueueLimits::default()
                } else {
                    QueueLimits::fixed(self.settings.parallel.clamp(1, QueueLimits::MAX_PARALLEL))
                };
                self.engine.send(QueueCommand::SetLimits {
                    limits: QueueLimits {
                        download_rate,
                        upload_rate,
                        idle_timeout: self.settings.idle_timeout.clamp(MIN_TIMEOUT, MAX_TIMEOUT),
                        ..parallel
                    },
                });
            }
            (Err(sentence), _) | (_, Err(sentence)) => self.messages.error(sentence),
        }
    }

    fn queue(&mut self, verb: QueueVerb, items: QueueItems) {
        let items = match items {
            QueueItems::Selected => {
                let selected = self.transfers.selection();
                if selected.is_empty() {
                    return;
                }
                Selection::Items(selected)
            }
            QueueItems::One(item) => Selection::Items(vec![item]),
            QueueItems::All => Selection::All,
        };
        self.engine.send(match verb {
            QueueVerb::Pause => QueueCommand::Pause { items },
            QueueVerb::Resume => QueueCommand::Resume { items },
            QueueVerb::Cancel => QueueCommand::CancelItems { items },
            QueueVerb::Retry => QueueCommand::Retry { items },
        });
    }

    /// Sends a site manager request and records what it was.
    fn ask_sites(&mut self, request: SitesRequest, command: impl FnOnce(RequestId) -> SitesCommand) {
        let id = self.engine.next_id();
        self.engine.send(command(id));
        self.requests.insert(id, Waiting::Sites(request));
    }

    /// Opens the site manager and asks for the current list.
    pub(super) fn open_site_manager(&mut self) {
        self.sites.open = true;
        self.ask_sites(SitesRequest::List, |id| SitesCommand::List { id });
    }

    /// Opens the manager with a new site filled from quickconnect (its password included).
    fn save_quickconnect(&mut self) {
        let editing = Editing::from_quickconnect(&self.form);
        self.open_site_manager();
        self.sites.editing = Some(editing);
    }

    fn save_site(&mut self, site: SavedSite, secret: Option<Secret>) {
        self.save_site_as(SitesRequest::Save, site, secret);
    }

    fn save_site_as(&mut self, request: SitesRequest, site: SavedSite, secret: Option<Secret>) {
        if secret.is_some() {
            // The new password replaces one typed earlier in this run.
            self.connection.remembered.remove(&site.id);
        }
        self.ask_sites(request, |id| SitesCommand::Save { id, site, secret });
    }

    fn edit_site_folder(&mut self, edit: FolderEdit) {
        self.ask_sites(SitesRequest::List, |id| SitesCommand::EditFolder { id, edit });
    }

    /// Imports sites; the answer shows as a report dialog.
    fn import(&mut self, source: ImportSource) {
        let file = match &source {
            ImportSource::FileZilla { file, .. } => Some(file.clone()),
            ImportSource::SshConfig { .. } => None,
        };
        self.ask_sites(SitesRequest::Import { file }, |id| SitesCommand::Import { id, source });
    }

    /// Adds the server pane's folder to the connected saved site's bookmarks, and saves it.
    fn bookmark_current_folder(&mut self) {
        let (Some(saved), Some(path)) = (&mut self.connection.saved, &self.remote.path) else {
            return;
        };
        let folder = path.as_str().to_owned();
        if saved.bookmarks.contains(&folder) {
            return;
        }
        saved.bookmarks.push(folder);
        let site = saved.clone();
        self.ask_sites(SitesRequest::Bookmark, |id| SitesCommand::Save {
            id,
            site,
            secret: None,
        });
    }

    /// Opens the trust page and asks for the lists.
    pub(super) fn open_trust(&mut self) {
        self.trust.open = true;
        let id = self.engine.next_id();
        self.engine.send(TrustCommand::List { id });
        self.requests.insert(id, Waiting::Trust);
    }
}

/// A pane path of the local side as a file system path.
pub(super) fn local_path(path: &RemotePath) -> PathBuf {
    PathBuf::from(path.as_str())
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
