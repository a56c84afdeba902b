//! Compare, synchronised browsing and Synchronize: the app's side. Compare sends the two
//! panes' listings to the engine's planner whenever either pane shows another folder, and
//! hands each pane its marks. Synchronised browsing follows a step into or out of a folder
//! on one side with the same step on the other. Synchronize lists both folders whole
//! (`ListTree`), has them planned, and runs the ticked entries as `wharf sync` does: new
//! folders first, deletions moved into the target's `.wharf-trash/<time>/`, then the
//! copies and updates as one queue job, each update keeping the version it replaces there.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::App;
use crate::engine::api::{
    ChecksumAlgorithm, Command, Compare, ConflictPolicy, Direction, EntryKind, PlanEntry, QueueCommand, RemotePath,
    RequestId, SessionId, SessionRequest, Site, SyncAction, SyncOptions, SyncPlan, TimeSource, TransferOptions,
    TransferSpec, Tree,
};
use crate::model::rate;
use crate::model::sync::{TRASH, algorithm_of, parse_age, trash_folders};
use crate::ui::compare::{self, Marks};
use crate::ui::intent::SyncIntent;
use crate::ui::pane::{PaneStatus, Side};
use crate::ui::requests::{Job, Waiting};
use crate::ui::sync_view::{Stage, SyncBar, SyncPage, is_choosable};

#[derive(Debug, Default)]
pub struct SyncState {
    pub compare: bool,
    pub differences_only: bool,
    pub browse_together: bool,
    /// The marks last made, kept for "only differences" to be switched without asking again.
    marks: Marks,
    pub page: SyncPage,
    /// The trees of a preview as they arrive: this computer's, the server's.
    trees: (Option<Tree>, Option<Tree>),
    /// What the plan shown was made of.
    planned: Option<Planned>,
    /// The transfers of a run, sent once its folders and deletions are done.
    pending: Option<Vec<TransferSpec>>,
    /// Where the last run's trash is: the side it is on, the folder synchronised, the trash.
    last_run: Option<(Side, RemotePath, RemotePath)>,
}

/// Which folders a plan was made of, in which direction, on which sessions and server: a
/// run checks that they are still the ones open.
#[derive(Debug, Clone)]
struct Planned {
    to_server: bool,
    local: RemotePath,
    remote: RemotePath,
    trash: String,
    sessions: (SessionId, SessionId),
    site: Site,
}

impl App {
    pub(super) fn sync_bar(&self) -> SyncBar {
        SyncBar {
            compare: self.sync.compare,
            differences_only: self.sync.differences_only,
            browse_together: self.sync.browse_together,
            connected: self.remote.session.is_some(),
        }
    }

    pub(super) fn carry_out_for_sync(&mut self, intent: SyncIntent) {
        match intent {
            SyncIntent::Compare(on) => {
                self.sync.compare = on;
                self.refresh_marks();
            }
            SyncIntent::DifferencesOnly(on) => {
                self.sync.differences_only = on;
                self.show_marks();
            }
            SyncIntent::BrowseTogether(on) => {
                self.sync.browse_together = on;
                if on {
                    self.messages
                        .status("Synchronised browsing: a step into or out of a folder is made on both sides.");
                }
            }
            SyncIntent::Open => self.sync.page.open = true,
            SyncIntent::Preview => self.preview_sync(),
            SyncIntent::Choose { entry, chosen } => self.sync.page.choose(entry, chosen),
            SyncIntent::Run => self.run_sync(),
            SyncIntent::Undo => self.undo_sync(),
        }
    }

    /// How exact the server's listed times are: an FTP `LIST` or `ls -l` may give only
    /// minutes (the engine says which when it connects; SCP's fallback depends on the
    /// server's `ls`).
    fn server_times(&self) -> TimeSource {
        self.connection.times
    }

    /// Asks for Compare's marks of the folders shown, or clears them when Compare is off.
    pub(super) fn refresh_marks(&mut self) {
        self.requests
            .forget(|waiting| matches!(waiting, Waiting::CompareMarks { .. }));
        let ready = |status: &PaneStatus| matches!(status, PaneStatus::Ready);
        let (Some(local), Some(remote)) = (self.local.path.clone(), self.remote.path.clone()) else {
            self.clear_marks();
            return;
        };
        if !self.sync.compare || !ready(&self.local.status) || !ready(&self.remote.status) {
            self.clear_marks();
            return;
        }
        let id = self.engine.next_id();
        self.engine.send(Command::PlanSync {
            id,
            source: Box::new(compare::tree_of(self.local.entries(), TimeSource::Exact)),
            target: Box::new(compare::tree_of(self.remote.entries(), self.server_times())),
            // A sync's trash is its own business, not a difference.
            options: SyncOptions {
                exclude: vec![format!("/{TRASH}/")],
                ..SyncOptions::default()
            },
        });
        self.requests.insert(id, Waiting::CompareMarks { local, remote });
    }

    /// Takes the marks off both panes; nothing to do (and no view rebuilt, which costs
    /// time with 100,000 entries) when there are none.
    fn clear_marks(&mut self) {
        if self.sync.marks == Marks::default() {
            return;
        }
        self.sync.marks = Marks::default();
        self.show_marks();
    }

    fn show_marks(&mut self) {
        let only = self.sync.compare && self.sync.differences_only;
        self.local.set_marks(self.sync.marks.local.clone(), only);
        self.remote.set_marks(self.sync.marks.remote.clone(), only);
    }

    /// The answers only Compare and Synchronize ask for: trees, checksums and plans.
    pub(super) fn on_sync_event(&mut self, event: crate::engine::api::Event) {
        use crate::engine::api::Event;
        match event {
            Event::Tree { id, tree, .. } => {
                let pick = |waiting: &Waiting| matches!(waiting, Waiting::SyncTree { .. } | Waiting::UndoTree);
                match self.requests.take_if(id, pick) {
                    Some(Waiting::SyncTree { side }) => self.on_sync_tree(side, *tree),
                    Some(Waiting::UndoTree) => self.on_undo_tree(&tree),
                    _ => {}
                }
            }
            Event::Checksums { id, sums } => {
                if let Some(Waiting::SyncSums { side, paths }) = self
                    .requests
                    .take_if(id, |waiting| matches!(waiting, Waiting::SyncSums { .. }))
                {
                    self.on_sync_sums(side, paths, sums);
                }
            }
            Event::SyncPlanned { id, result } => self.on_sync_planned(id, result),
            _ => {}
        }
    }

    /// A plan came: Compare's marks, or the Synchronize window's preview.
    pub(super) fn on_sync_planned(&mut self, id: RequestId, result: Result<Box<SyncPlan>, String>) {
        let pick = |waiting: &Waiting| matches!(waiting, Waiting::CompareMarks { .. } | Waiting::SyncPlan);
        match self.requests.take_if(id, pick) {
            Some(Waiting::CompareMarks { local, remote }) => {
                let still_shown =
                    self.local.path.as_ref() == Some(&local) && self.remote.path.as_ref() == Some(&remote);
                if let (Ok(plan), true) = (result, still_shown) {
                    self.sync.marks = compare::marks_of(&plan);
                    self.show_marks();
                }
            }
            Some(Waiting::SyncPlan) => {
                self.sync.page.stage = match result {
                    Ok(plan) => {
                        let chosen = plan.entries.iter().map(|entry| is_choosable(entry.action)).collect();
                        Stage::Planned { plan: *plan, chosen }
                    }
                    Err(sentence) => Stage::Said(sentence),
                };
            }
            _ => {}
        }
    }

    /// Synchronised browsing: the pane on `side` went from `from` to `to`; the other pane
    /// takes the same step when it is one (into a folder, or up), and says when it cannot.
    pub(super) fn browse_together(&mut self, side: Side, from: Option<RemotePath>, to: &RemotePath) {
        let Some(from) = from.filter(|from| self.sync.browse_together && from != to) else {
            return;
        };
        let other = match side {
            Side::Local => Side::Remote,
            Side::Remote => Side::Local,
        };
        let Some(there) = self.pane(other).path.clone() else {
            return;
        };
        let step = if to.parent() == from {
            to.file_name().map(|name| there.join(name))
        } else if from.parent() == *to {
            Some(there.parent())
        } else {
            None
        };
        let Some(path) = step else {
            self.sync.browse_together = false;
            self.messages.status(format!(
                "Synchronised browsing is off: {to} is not one step from {from}."
            ));
            return;
        };
        let Some(session) = self.pane(other).session else {
            return;
        };
        self.forget_listings(other);
        let id = self.engine.next_id();
        self.engine.send(Command::request(
            session,
            SessionRequest::List { id, path: path.clone() },
        ));
        self.requests.insert(id, Waiting::MirrorListing { side: other, path });
    }

    /// A request of Compare, synchronised browsing or Synchronize ended (`OpFinished`):
    /// most matter only when they failed.
    pub(super) fn on_sync_request_finished(
        &mut self,
        waiting: Waiting,
        result: Result<crate::engine::api::OpSummary, crate::engine::api::OpError>,
    ) {
        let failure = result.err().map(|error| error.sentence());
        match (waiting, failure) {
            (Waiting::SyncReady { trash }, _) => self.on_sync_ready(trash),
            (Waiting::UndoDone { files, aside }, _) => self.on_undo_done(files, &aside),
            (_, None) => {}
            (Waiting::MirrorListing { side, path }, Some(sentence)) => self.on_mirror_failed(side, &path, &sentence),
            (Waiting::SyncTree { .. } | Waiting::SyncSums { .. }, Some(sentence)) => {
                self.on_sync_tree_failed(sentence);
            }
            (Waiting::SyncStep { what }, Some(sentence)) => {
                self.messages.error(format!("Synchronize could not {what}: {sentence}"));
            }
            (Waiting::UndoTree, Some(sentence)) => {
                self.sync.page.stage = Stage::Said(format!("There is nothing to undo: {sentence}"));
                self.sync.page.can_undo = false;
            }
            // Plans answer with `SyncPlanned`; quiet steps may fail.
            (_, Some(_)) => {}
        }
    }

    /// The other side has no such folder: it stays where it is, and synchronised browsing
    /// goes off (the two sides are no longer in step), saying so.
    pub(super) fn on_mirror_failed(&mut self, side: Side, path: &RemotePath, sentence: &str) {
        let place = match side {
            Side::Local => "this computer",
            Side::Remote => "the server",
        };
        self.sync.browse_together = false;
        self.messages.error(format!(
            "Synchronised browsing: {path} is not on {place} ({sentence}); it is off now."
        ));
    }

    /// The connection ended: a plan of its folders is not to be run on another.
    pub(super) fn forget_sync_plan(&mut self) {
        self.sync.planned = None;
        self.sync.pending = None;
        if !matches!(self.sync.page.stage, Stage::Said(_)) {
            self.sync.page.stage = Stage::Idle;
        }
    }

    /// Lists both folders whole, for a plan.
    fn preview_sync(&mut self) {
        if let Err(sentence) = limits(&self.sync.page) {
            self.sync.page.stage = Stage::Said(sentence);
            return;
        }
        let (Some(local_session), Some(remote_session), Some(site)) =
            (self.local.session, self.remote.session, self.connection.site.clone())
        else {
            self.sync.page.stage = Stage::Said("Connect to a server first.".into());
            return;
        };
        let (Some(local), Some(remote)) = (self.local.path.clone(), self.remote.path.clone()) else {
            return;
        };
        // An earlier preview still listing: stop it, so that it does not hold the sessions.
        for id in self
            .requests
            .forget(|waiting| matches!(waiting, Waiting::SyncTree { .. } | Waiting::SyncPlan))
        {
            self.engine.send(Command::Cancel { id });
        }
        self.sync.trees = (None, None);
        for (side, session, path) in [
            (Side::Local, local_session, &local),
            (Side::Remote, remote_session, &remote),
        ] {
            let id = self.engine.next_id();
            self.engine.send(Command::request(
                session,
                SessionRequest::ListTree { id, path: path.clone() },
            ));
            self.requests.insert(id, Waiting::SyncTree { side });
        }
        let page = &self.sync.page;
        self.sync.planned = Some(Planned {
            to_server: page.to_server,
            local,
            remote,
            trash: format!("{TRASH}/{}", chrono::Utc::now().format("%Y%m%d-%H%M%S")),
            sessions: (local_session, remote_session),
            site,
        });
        self.sync.page.stage = Stage::Planning;
    }

    /// One side's tree of a preview; with both, the plan is asked for.
    pub(super) fn on_sync_tree(&mut self, side: Side, tree: Tree) {
        match side {
            Side::Local => self.sync.trees.0 = Some(tree),
            Side::Remote => self.sync.trees.1 = Some(tree),
        }
        let (Some(local), Some(remote)) = (&self.sync.trees.0, &self.sync.trees.1) else {
            return;
        };
        let paths = match self.sync.page.compare {
            Compare::Checksum => local.same_size_files(remote),
            _ => Vec::new(),
        };
        if paths.is_empty() {
            self.plan_preview();
        } else {
            self.ask_checksums(Side::Remote, paths, None);
        }
    }

    /// Asks one side for checksums of `paths` (see `SessionRequest::Checksums`).
    fn ask_checksums(&mut self, side: Side, paths: Vec<String>, algorithm: Option<ChecksumAlgorithm>) {
        let (Some(planned), Some(session)) = (&self.sync.planned, self.pane(side).session) else {
            return;
        };
        let root = match side {
            Side::Local => planned.local.clone(),
            Side::Remote => planned.remote.clone(),
        };
        let id = self.engine.next_id();
        let request = SessionRequest::Checksums {
            id,
            root,
            paths: paths.clone(),
            algorithm,
        };
        self.engine.send(Command::request(session, request));
        self.requests.insert(id, Waiting::SyncSums { side, paths });
    }

    /// One side's checksums: the server's come first, and this computer's follow in the
    /// same algorithm; with both, the plan is asked for.
    pub(super) fn on_sync_sums(&mut self, side: Side, paths: Vec<String>, sums: Vec<Option<String>>) {
        let algorithm = algorithm_of(&sums);
        let tree = match side {
            Side::Local => self.sync.trees.0.as_mut(),
            Side::Remote => self.sync.trees.1.as_mut(),
        };
        if let Some(tree) = tree {
            tree.attach_checksums(&paths, sums);
        }
        match side {
            Side::Remote => {
                self.ask_checksums(Side::Local, paths, Some(algorithm.unwrap_or(ChecksumAlgorithm::Sha256)))
            }
            Side::Local => self.plan_preview(),
        }
    }

    /// Both trees are here: asks for the plan with the window's settings.
    fn plan_preview(&mut self) {
        let Some(to_server) = self.sync.planned.as_ref().map(|planned| planned.to_server) else {
            return;
        };
        let (Some(local), Some(remote)) = (self.sync.trees.0.take(), self.sync.trees.1.take()) else {
            return;
        };
        let (source, target) = if to_server { (local, remote) } else { (remote, local) };
        let page = &self.sync.page;
        let mut exclude = patterns(&page.exclude);
        exclude.push(format!("/{TRASH}/"));
        let options = SyncOptions {
            compare: page.compare,
            delete: page.delete,
            newer_only: page.newer_only,
            exclude,
            include: patterns(&page.include),
            exclude_hidden: page.exclude_hidden,
            // Checked when the preview began.
            ..limits(page).unwrap_or_default()
        };
        let id = self.engine.next_id();
        self.engine.send(Command::PlanSync {
            id,
            source: Box::new(source),
            target: Box::new(target),
            options,
        });
        self.requests.insert(id, Waiting::SyncPlan);
    }

    /// A preview's listing failed.
    pub(super) fn on_sync_tree_failed(&mut self, sentence: String) {
        self.requests
            .forget(|waiting| matches!(waiting, Waiting::SyncTree { .. }));
        self.sync.page.stage = Stage::Said(format!("The folders could not be listed: {sentence}"));
    }

    /// Carries out the ticked entries of the plan shown.
    fn run_sync(&mut self) {
        let Some(planned) = self.sync.planned.clone() else {
            return;
        };
        let Stage::Planned { plan, chosen } = &self.sync.page.stage else {
            return;
        };
        let run = Run::of(plan, chosen, &planned);
        if (self.local.session, self.remote.session) != (Some(planned.sessions.0), Some(planned.sessions.1)) {
            self.sync.page.stage = Stage::Said("The connection changed since the preview: preview again.".into());
            return;
        }
        let site = planned.site.clone();
        let session = if planned.to_server {
            planned.sessions.1
        } else {
            planned.sessions.0
        };
        let root = planned.target_root().clone();
        if root.is_root() && !run.deletions.is_empty() {
            self.sync.page.stage = Stage::Said(
                "Deleting what is only in / is refused: synchronise a folder below it, or untick the deletions.".into(),
            );
            return;
        }
        let trash = root.join_relative(&planned.trash);
        for folder in &run.folders {
            let path = root.join_relative(folder);
            self.sync_step(
                session,
                |id| SessionRequest::Mkdir { id, path },
                format!("create the folder {folder}"),
            );
        }
        let mut made = BTreeSet::new();
        for path in &run.deletions {
            for folder in trash_folders(&planned.trash, path) {
                if made.insert(folder.clone()) {
                    // Already there is fine: the rename that follows says what went wrong.
                    let path = root.join_relative(&folder);
                    self.quietly(session, |id| SessionRequest::Mkdir { id, path });
                }
            }
            let (from, to) = (root.join_relative(path), trash.join_relative(path));
            self.sync_step(
                session,
                |id| SessionRequest::Rename { id, from, to },
                format!("move {path} to the trash"),
            );
        }
        let job_trash = run.uses_trash.then(|| trash.to_string());
        let side = if planned.to_server { Side::Remote } else { Side::Local };
        self.sync.last_run = run.uses_trash.then(|| (side, root.clone(), trash.clone()));
        self.sync.page.stage = Stage::Running;
        if run.folders.is_empty() && run.deletions.is_empty() {
            self.send_sync_job(site, run.specs, job_trash);
            return;
        }
        // The folders and deletions run in order on the target's session; a look at its
        // root after them says they are done, and the transfers may start.
        self.sync.pending = Some(run.specs);
        let id = self.engine.next_id();
        self.engine
            .send(Command::request(session, SessionRequest::Stat { id, path: root }));
        self.requests.insert(id, Waiting::SyncReady { trash: job_trash });
    }

    /// Sends one request of a run, whose failure is said in the log.
    fn sync_step(
        &mut self,
        session: crate::engine::api::SessionId,
        make: impl FnOnce(RequestId) -> SessionRequest,
        what: String,
    ) {
        let id = self.engine.next_id();
        self.engine.send(Command::request(session, make(id)));
        self.requests.insert(id, Waiting::SyncStep { what });
    }

    /// The run's folders and deletions are done: its transfers go to the queue.
    pub(super) fn on_sync_ready(&mut self, trash: Option<String>) {
        let (Some(specs), Some(planned)) = (self.sync.pending.take(), self.sync.planned.clone()) else {
            return;
        };
        self.send_sync_job(planned.site, specs, trash);
    }

    fn send_sync_job(&mut self, site: crate::engine::api::Site, specs: Vec<TransferSpec>, trash: Option<String>) {
        if specs.is_empty() {
            // Only folders or deletions: done already.
            self.on_sync_finished(trash, 0);
            self.refresh(Side::Local);
            self.refresh(Side::Remote);
            return;
        }
        let job = self.engine.next_job();
        self.requests.start_job(job, Job::Sync { trash }, self.now);
        self.engine.send(QueueCommand::Enqueue {
            job,
            site,
            specs,
            options: TransferOptions {
                on_conflict: ConflictPolicy::Overwrite,
                ..TransferOptions::default()
            },
            paused: false,
        });
    }

    /// A run's job ended.
    pub(super) fn on_sync_finished(&mut self, trash: Option<String>, failed: usize) {
        let mut sentence = match failed {
            0 => "Synchronised.".to_owned(),
            n => format!("Synchronised, but {n} failed (see the Failed tab)."),
        };
        if let Some(trash) = trash {
            sentence.push_str(&format!(" What was replaced or deleted is in {trash}."));
        }
        self.messages.status(sentence.clone());
        self.sync.page.can_undo = self.sync.last_run.is_some();
        self.sync.page.stage = Stage::Said(sentence);
    }

    /// Lists the last run's trash, to put it back.
    fn undo_sync(&mut self) {
        let Some((side, _, trash)) = self.sync.last_run.clone() else {
            return;
        };
        let Some(session) = self.pane(side).session else {
            return;
        };
        let id = self.engine.next_id();
        self.engine
            .send(Command::request(session, SessionRequest::ListTree { id, path: trash }));
        self.requests.insert(id, Waiting::UndoTree);
        self.sync.page.stage = Stage::Running;
    }

    /// Puts each file of the last run's trash back. The file now in its place (the new
    /// version) first moves into a trash folder of its own, so an undo loses nothing
    /// either; where there is none, that rename fails, quietly.
    pub(super) fn on_undo_tree(&mut self, tree: &Tree) {
        let Some((side, root, trash)) = self.sync.last_run.take() else {
            return;
        };
        let Some(session) = self.pane(side).session else {
            return;
        };
        let aside_name = format!("{TRASH}/{}-undo", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
        let aside = root.join_relative(&aside_name);
        let mut made = BTreeSet::new();
        let mut files = 0;
        for entry in &tree.entries {
            let here = root.join_relative(&entry.path);
            if entry.kind == EntryKind::Dir {
                self.quietly(session, |id| SessionRequest::Mkdir { id, path: here });
                continue;
            }
            for folder in trash_folders(&aside_name, &entry.path) {
                if made.insert(folder.clone()) {
                    let path = root.join_relative(&folder);
                    self.quietly(session, |id| SessionRequest::Mkdir { id, path });
                }
            }
            let (now, aside_path) = (here.clone(), aside.join_relative(&entry.path));
            self.quietly(session, |id| SessionRequest::Rename {
                id,
                from: now,
                to: aside_path,
            });
            let from = trash.join_relative(&entry.path);
            let path = entry.path.clone();
            self.sync_step(
                session,
                |id| SessionRequest::Rename { id, from, to: here },
                format!("put back {path}"),
            );
            files += 1;
        }
        let id = self.engine.next_id();
        self.engine
            .send(Command::request(session, SessionRequest::Stat { id, path: root }));
        self.requests.insert(
            id,
            Waiting::UndoDone {
                files,
                aside: aside.to_string(),
            },
        );
    }

    /// A request whose failure is expected at times and says nothing.
    fn quietly(&mut self, session: crate::engine::api::SessionId, make: impl FnOnce(RequestId) -> SessionRequest) {
        let id = self.engine.next_id();
        self.engine.send(Command::request(session, make(id)));
        self.requests.insert(id, Waiting::SyncQuiet);
    }

    pub(super) fn on_undo_done(&mut self, files: usize, aside: &str) {
        let sentence = format!(
            "Undone: {files} {} put back; what had taken their place is in {aside}.",
            if files == 1 { "file" } else { "files" }
        );
        self.messages.status(sentence.clone());
        self.sync.page.can_undo = false;
        self.sync.page.stage = Stage::Said(sentence);
        self.refresh(Side::Local);
        self.refresh(Side::Remote);
    }
}

impl Planned {
    /// The folder a run changes.
    fn target_root(&self) -> &RemotePath {
        if self.to_server { &self.remote } else { &self.local }
    }
}

/// What a run of the ticked entries does, worked out before anything is sent.
struct Run {
    /// New folders, parents first.
    folders: Vec<String>,
    deletions: Vec<String>,
    specs: Vec<TransferSpec>,
    /// Whether anything goes to the trash (a deletion, or an update's old version).
    uses_trash: bool,
}

impl Run {
    fn of(plan: &SyncPlan, chosen: &[bool], planned: &Planned) -> Run {
        let ticked: Vec<&PlanEntry> = plan
            .entries
            .iter()
            .zip(chosen)
            .filter(|(entry, tick)| **tick && is_choosable(entry.action))
            .map(|(entry, _)| entry)
            .collect();
        let trash = planned.target_root().join_relative(&planned.trash);
        let specs = ticked
            .iter()
            .filter(|entry| entry.kind == EntryKind::File && entry.action != SyncAction::Delete)
            .map(|entry| TransferSpec {
                direction: if planned.to_server {
                    Direction::Upload
                } else {
                    Direction::Download
                },
                local: PathBuf::from(planned.local.join_relative(&entry.path).as_str()),
                remote: planned.remote.join_relative(&entry.path),
                recursive: false,
                // A download keeps what it finds in its place even when it expected nothing
                // there (see `wharf sync`).
                keep_replaced: (entry.action == SyncAction::Update || !planned.to_server)
                    .then(|| PathBuf::from(trash.join_relative(&entry.path).as_str())),
            })
            .collect();
        let deletions: Vec<String> = ticked
            .iter()
            .filter(|entry| entry.action == SyncAction::Delete)
            .map(|entry| entry.path.clone())
            .collect();
        Run {
            folders: folders_to_make(plan, &ticked),
            uses_trash: !deletions.is_empty() || ticked.iter().any(|entry| entry.action == SyncAction::Update),
            deletions,
            specs,
        }
    }
}

/// The size and age limits as typed, in a `SyncOptions` of their own; a sentence when one
/// cannot be read.
fn limits(page: &SyncPage) -> Result<SyncOptions, String> {
    fn typed(text: &str) -> Option<&str> {
        Some(text.trim()).filter(|text| !text.is_empty())
    }
    let max_size = typed(&page.max_size)
        .map(|text| rate::parse_limit(text).map_err(|_| format!("{text:?} is not a size like 500K, 10M or 1.5G")))
        .transpose()?;
    let max_age = typed(&page.max_age).map(parse_age).transpose()?;
    Ok(SyncOptions {
        max_size,
        max_age,
        ..SyncOptions::default()
    })
}

/// Patterns typed with commas between them.
fn patterns(typed: &str) -> Vec<String> {
    typed
        .split(',')
        .map(str::trim)
        .filter(|pattern| !pattern.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The new folders a run makes, parents first: those ticked, and those the ticked files
/// need (a file cannot be copied into a folder that is not there).
fn folders_to_make(plan: &SyncPlan, ticked: &[&PlanEntry]) -> Vec<String> {
    let new: BTreeSet<&str> = plan
        .entries
        .iter()
        .filter(|entry| entry.action == SyncAction::Copy && entry.kind == EntryKind::Dir)
        .map(|entry| entry.path.as_str())
        .collect();
    let mut needed = BTreeSet::new();
    for entry in ticked.iter().filter(|entry| entry.action == SyncAction::Copy) {
        let mut path = Path::new(entry.path.as_str());
        if entry.kind == EntryKind::Dir {
            needed.insert(entry.path.clone());
        }
        while let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
            let parent_text = parent.to_string_lossy();
            if new.contains(parent_text.as_ref()) {
                needed.insert(parent_text.into_owned());
            }
            path = parent;
        }
    }
    needed.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::api::Reason;

    #[test]
    fn a_ticked_file_brings_its_new_folders_along_parents_first() {
        let entry = |path: &str, kind, action| PlanEntry {
            path: path.into(),
            kind,
            action,
            reason: Reason::Missing,
            size: None,
        };
        let plan = SyncPlan {
            entries: vec![
                entry("a", EntryKind::Dir, SyncAction::Copy),
                entry("a/b", EntryKind::Dir, SyncAction::Copy),
                entry("a/b/f", EntryKind::File, SyncAction::Copy),
                entry("c", EntryKind::Dir, SyncAction::Copy),
            ],
            time_offset_minutes: None,
        };
        // "a" and "a/b" unticked, "c" unticked: only what the file needs is made.
        let ticked = vec![&plan.entries[2]];
        assert_eq!(folders_to_make(&plan, &ticked), ["a", "a/b"]);
    }
}
