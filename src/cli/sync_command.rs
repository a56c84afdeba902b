//! `wharf sync SRC DST`: makes a folder on one side the same as a folder on the other.
//!
//! Both folders are listed at once (a session each), the engine plans ([`SyncPlan`]), and
//! `--dry-run` prints the plan. Otherwise missing folders are created, files to copy and
//! update go through the transfer queue as one job (so a sync killed halfway finishes with
//! `wharf queue run`), and what is only on the target is moved, when `--delete` asks for
//! it, into `.wharf-trash/<time>/` in the target folder, from where `--undo` puts the last
//! sync's deletions back.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Client, ConnectionArgs, EXIT_FAILED, EXIT_OK, EXIT_USAGE, SpeedArgs, limits, locate, output};
use crate::engine::api::{
    ChecksumAlgorithm, Command, Compare, ConflictPolicy, Direction, EntryKind, Event, OpError, QueueCommand, RequestId,
    SessionCommand, SessionId, SessionRequest, SyncAction, SyncOptions, SyncPlan, TransferOptions, TransferSpec, Tree,
};
use crate::model::location::{Location, RemotePath};
use crate::model::sync::{TRASH, algorithm_of, trash_folders};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Print what would be done, and do nothing.
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// With --dry-run: the plan as one JSON object on stdout.
    #[arg(long, requires = "dry_run")]
    pub json: bool,
    /// Remove files and folders that are only on the target, into the target's
    /// .wharf-trash folder (undone with --undo).
    #[arg(long)]
    pub delete: bool,
    /// With --delete: delete for good instead of moving to the trash.
    #[arg(long, requires = "delete")]
    pub delete_permanently: bool,
    /// Compare sizes only, not modification times.
    #[arg(long, conflicts_with = "checksum")]
    pub size_only: bool,
    /// Compare files of the same size by their checksums (the server's own, or each file
    /// read through) instead of their times.
    #[arg(long)]
    pub checksum: bool,
    /// Never replace a target file that is newer than its source (it is reported as a
    /// conflict).
    #[arg(long)]
    pub newer_only: bool,
    /// Leave out what matches this .gitignore-style pattern, on both sides (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Only files that match this .gitignore-style pattern (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Leave out files and folders whose names start with a dot.
    #[arg(long)]
    pub exclude_hidden: bool,
    /// Leave out files bigger than this: 500K, 10M, 1.5G.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_size: Option<u64>,
    /// Leave out files last changed longer ago than this: 90s, 30m, 12h, 7d.
    #[arg(long, value_name = "AGE", value_parser = crate::model::sync::parse_age)]
    pub max_age: Option<u64>,
    /// Put back what the last sync into the target deleted, and stop.
    #[arg(long, conflicts_with_all = ["dry_run", "delete"])]
    pub undo: bool,
    #[command(flatten)]
    pub speed: SpeedArgs,
    /// The folder to copy from: a local path, a URL or site:NAME/path.
    pub source: String,
    /// The folder to make the same: a local path, a URL or site:NAME/path.
    pub target: String,
}

/// `10M` -> 10485760, as bandwidth limits are written.
fn parse_size(text: &str) -> Result<u64, String> {
    crate::model::rate::parse_limit(text).map_err(|_| format!("{text:?} is not a size like 500K, 10M or 1.5G"))
}

/// Which side is this computer, and where each folder is.
struct Sides {
    direction: Direction,
    local: PathBuf,
    remote: Location,
}

impl Sides {
    fn source_is_local(&self) -> bool {
        self.direction == Direction::Upload
    }
}

/// The local folder in one form for everything that names it (listing, transfers, the
/// trash): without `.`, `..` or links in the way when it exists, and below its nearest
/// existing parent's real path when it does not yet.
fn local_folder(given: &Path) -> Result<PathBuf, String> {
    let absolute = std::path::absolute(given).map_err(|error| format!("{}: {error}", given.display()))?;
    let mut missing = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return Ok(missing.iter().rev().fold(real, |path, name| path.join(name)));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_owned());
                existing = parent;
            }
            _ => return Ok(absolute),
        }
    }
}

/// A side of the command line is remote when it is a URL or a saved site.
fn is_remote(text: &str) -> bool {
    text.starts_with("site:") || text.contains("://")
}

pub fn run(sync: &SyncArgs, args: &ConnectionArgs) -> Result<i32, String> {
    let (direction, local, remote) = match (is_remote(&sync.source), is_remote(&sync.target)) {
        (false, true) => (Direction::Upload, &sync.source, &sync.target),
        (true, false) => (Direction::Download, &sync.target, &sync.source),
        _ => {
            eprintln!("wharf: sync needs one folder on this computer and one on a server");
            return Ok(EXIT_USAGE);
        }
    };
    let remote = match locate(remote, args)? {
        Ok(location) => location,
        Err(code) => return Ok(code),
    };
    let local = local_folder(Path::new(local))?;
    let sides = Sides {
        direction,
        local,
        remote,
    };
    let mut client = Client::connect(&sides.remote, args, limits(&sync.speed))?;
    let local_session = client.open_local()?;
    let mut sync_run = SyncRun {
        client,
        sides,
        local_session,
    };
    if sync.undo {
        return sync_run.undo();
    }
    sync_run.sync(sync)
}

/// One run of `wharf sync`: the client with its two sessions.
struct SyncRun<'a> {
    client: Client<'a>,
    sides: Sides,
    local_session: SessionId,
}

impl SyncRun<'_> {
    fn sync(&mut self, sync: &SyncArgs) -> Result<i32, String> {
        let (mut source, mut target) = self.list_both()?;
        for refused in source.refused.iter().chain(&target.refused) {
            self.client.progress.println(&format!("wharf: warning: {refused}"));
        }
        if sync.checksum {
            self.add_checksums(&mut source, &mut target)?;
        }
        let plan = self.plan(source, target.clone(), options(sync))?;
        let totals = plan.totals();
        if totals.delete > 0 && self.target_root().1.is_root() {
            eprintln!("wharf: refusing to delete what is only in /: sync into a folder below it");
            return Ok(EXIT_USAGE);
        }
        if sync.dry_run {
            print_plan(&plan, sync.json)?;
        }
        eprintln!("wharf: {}", summary(&plan, sync.dry_run, !sync.delete_permanently));
        if sync.dry_run {
            return Ok(EXIT_OK);
        }
        if !target.exists {
            self.make_folder(&self.target_root())?;
        }
        self.make_folders(&plan)?;
        // One trash folder per run, for the old versions of updated files and, unless they
        // are to go for good, for deletions.
        let trash_name = new_trash_name("");
        let trash = self.target_root().1.join_relative(&trash_name);
        let transferred = self.transfer(&plan, &trash)?;
        let deleted = self.delete(&plan, (!sync.delete_permanently).then_some(&trash_name))?;
        if totals.update > 0 || (totals.delete > 0 && !sync.delete_permanently) {
            eprintln!("wharf: what was replaced or deleted is in {trash}; wharf sync --undo puts it back");
        }
        Ok(match transferred && deleted && totals.conflict == 0 {
            true => EXIT_OK,
            false => EXIT_FAILED,
        })
    }

    /// The target's root folder, as its session names it.
    fn target_root(&self) -> (SessionId, RemotePath) {
        match self.sides.source_is_local() {
            true => (self.remote_session(), self.sides.remote.path.clone()),
            false => (self.local_session, local_path(&self.sides.local)),
        }
    }

    fn remote_session(&self) -> SessionId {
        self.client.session.unwrap_or(self.local_session)
    }

    /// Lists both folders at once, each on its own session; (source, target).
    fn list_both(&mut self) -> Result<(Tree, Tree), String> {
        let local = self.ask(self.local_session, |id| SessionRequest::ListTree {
            id,
            path: local_path(&self.sides.local),
        });
        let remote = self.ask(self.remote_session(), |id| SessionRequest::ListTree {
            id,
            path: self.sides.remote.path.clone(),
        });
        let (mut local_tree, mut remote_tree) = (None, None);
        while local_tree.is_none() || remote_tree.is_none() {
            match self.client.next_event()? {
                Event::Tree { id, tree, .. } if id == local => local_tree = Some(*tree),
                Event::Tree { id, tree, .. } if id == remote => remote_tree = Some(*tree),
                Event::OpFinished { id, result: Err(error) } if id == local || id == remote => {
                    return Err(error.message);
                }
                _ => {}
            }
        }
        let (local_tree, remote_tree) = (local_tree.unwrap_or_default(), remote_tree.unwrap_or_default());
        Ok(match self.sides.source_is_local() {
            true => (local_tree, remote_tree),
            false => (remote_tree, local_tree),
        })
    }

    /// `--checksum`: the digests of the files that are on both sides with the same size,
    /// the server's first (its own command, where it has one, decides the algorithm), then
    /// this computer's in the same algorithm.
    fn add_checksums(&mut self, source: &mut Tree, target: &mut Tree) -> Result<(), String> {
        let paths = source.same_size_files(target);
        if paths.is_empty() {
            return Ok(());
        }
        let remote_root = self.sides.remote.path.clone();
        let remote_sums = self.checksums(self.remote_session(), remote_root, &paths, None)?;
        let algorithm = algorithm_of(&remote_sums).unwrap_or(ChecksumAlgorithm::Sha256);
        let local_root = local_path(&self.sides.local);
        let local_sums = self.checksums(self.local_session, local_root, &paths, Some(algorithm))?;
        let (local_tree, remote_tree) = match self.sides.source_is_local() {
            true => (source, target),
            false => (target, source),
        };
        local_tree.attach_checksums(&paths, local_sums);
        remote_tree.attach_checksums(&paths, remote_sums);
        Ok(())
    }

    fn checksums(
        &mut self,
        session: SessionId,
        root: RemotePath,
        paths: &[String],
        algorithm: Option<ChecksumAlgorithm>,
    ) -> Result<Vec<Option<String>>, String> {
        let paths = paths.to_vec();
        let id = self.ask(session, |id| SessionRequest::Checksums {
            id,
            root,
            paths,
            algorithm,
        });
        loop {
            match self.client.next_event()? {
                Event::Checksums { id: answered, sums } if answered == id => return Ok(sums),
                Event::OpFinished {
                    id: answered,
                    result: Err(error),
                } if answered == id => return Err(error.message),
                _ => {}
            }
        }
    }

    fn plan(&mut self, source: Tree, target: Tree, options: SyncOptions) -> Result<SyncPlan, String> {
        if !source.exists {
            return Err(format!("{} does not exist", self.source_name()));
        }
        let id = self.client.engine.next_id();
        self.client.engine.send(Command::PlanSync {
            id,
            source: Box::new(source),
            target: Box::new(target),
            options,
        });
        loop {
            if let Event::SyncPlanned { id: answered, result } = self.client.next_event()?
                && answered == id
            {
                return result.map(|plan| *plan);
            }
        }
    }

    fn source_name(&self) -> String {
        match self.sides.source_is_local() {
            true => self.sides.local.display().to_string(),
            false => self.sides.remote.path.to_string(),
        }
    }

    /// Creates the folders the plan copies, parents first, on the target.
    fn make_folders(&mut self, plan: &SyncPlan) -> Result<(), String> {
        let (session, root) = self.target_root();
        for entry in &plan.entries {
            if entry.action == SyncAction::Copy && entry.kind == EntryKind::Dir {
                self.make_folder(&(session, root.join_relative(&entry.path)))?;
            }
        }
        Ok(())
    }

    fn make_folder(&mut self, (session, path): &(SessionId, RemotePath)) -> Result<(), String> {
        let path = path.clone();
        let id = self.ask(*session, |id| SessionRequest::Mkdir { id, path });
        self.wait(id)?.map(drop).map_err(|error| error.message)
    }

    /// Copies and updates, as one job of the queue; whether every file arrived. An update
    /// moves the file it replaces into `trash` first; so does a download of a new file that
    /// finds one in its place after all (one made since the listing, or a name this
    /// computer's file system takes for the same, as `README.md` and `readme.md` on macOS).
    fn transfer(&mut self, plan: &SyncPlan, trash: &RemotePath) -> Result<bool, String> {
        let download = !self.sides.source_is_local();
        let specs: Vec<TransferSpec> = plan
            .entries
            .iter()
            .filter(|entry| {
                entry.kind == EntryKind::File && matches!(entry.action, SyncAction::Copy | SyncAction::Update)
            })
            .map(|entry| TransferSpec {
                direction: self.sides.direction,
                local: local_join(&self.sides.local, &entry.path),
                remote: self.sides.remote.path.join_relative(&entry.path),
                recursive: false,
                keep_replaced: (entry.action == SyncAction::Update || download)
                    .then(|| PathBuf::from(trash.join_relative(&entry.path).as_str())),
            })
            .collect();
        if specs.is_empty() {
            return Ok(true);
        }
        let job = self.client.engine.next_job();
        self.client.engine.send(QueueCommand::Enqueue {
            job,
            site: self.sides.remote.site.clone(),
            specs,
            options: TransferOptions {
                on_conflict: ConflictPolicy::Overwrite,
                ..TransferOptions::default()
            },
            paused: false,
        });
        loop {
            if let Event::JobFinished { job: finished, summary } = self.client.next_event()?
                && finished == job
            {
                let failures = self.client.failures;
                return super::report_summary(summary, failures).map(|code| code == EXIT_OK);
            }
        }
    }

    /// Moves what the plan deletes into the trash, or deletes it for good without one;
    /// whether all went.
    fn delete(&mut self, plan: &SyncPlan, trash: Option<&str>) -> Result<bool, String> {
        let doomed: Vec<&str> = plan
            .entries
            .iter()
            .filter(|entry| entry.action == SyncAction::Delete)
            .map(|entry| entry.path.as_str())
            .collect();
        if doomed.is_empty() {
            return Ok(true);
        }
        let (session, root) = self.target_root();
        let mut made: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut all_gone = true;
        for path in doomed {
            let result = match trash {
                None => {
                    let target = root.join_relative(path);
                    let id = self.ask(session, |id| SessionRequest::Delete {
                        id,
                        path: target,
                        recursive: true,
                    });
                    self.wait(id)?.map(drop)
                }
                Some(trash) => self.move_to_trash(session, &root, trash, path, &mut made)?,
            };
            if let Err(error) = result {
                self.client
                    .progress
                    .println(&format!("wharf: {path}: {}", error.message));
                all_gone = false;
            }
        }
        Ok(all_gone)
    }

    /// Renames `path` to the same place under the trash folder `trash` (relative to
    /// `root`), creating the folders it needs (`made` remembers those already made).
    fn move_to_trash(
        &mut self,
        session: SessionId,
        root: &RemotePath,
        trash: &str,
        path: &str,
        made: &mut std::collections::HashSet<String>,
    ) -> Result<Result<(), OpError>, String> {
        for folder in trash_folders(trash, path) {
            if made.insert(folder.clone()) {
                // One that is already there is fine; other failures show in the rename.
                self.make_folder_quietly(session, root.join_relative(&folder))?;
            }
        }
        let (from, to) = (root.join_relative(path), root.join_relative(trash).join_relative(path));
        let id = self.ask(session, |id| SessionRequest::Rename { id, from, to });
        Ok(self.wait(id)?.map(drop))
    }

    fn make_folder_quietly(&mut self, session: SessionId, path: RemotePath) -> Result<bool, String> {
        let id = self.ask(session, |id| SessionRequest::Mkdir { id, path });
        Ok(self.wait(id)?.is_ok())
    }

    /// Puts the newest trash folder's contents back where they were.
    fn undo(&mut self) -> Result<i32, String> {
        let (session, root) = self.target_root();
        let trash_root = root.join_relative(TRASH);
        let id = self.ask(session, |id| SessionRequest::List {
            id,
            path: trash_root.clone(),
        });
        let runs = loop {
            match self.client.next_event()? {
                Event::Listing {
                    id: answered, entries, ..
                } if answered == id => break entries,
                Event::OpFinished {
                    id: answered,
                    result: Err(_),
                } if answered == id => {
                    eprintln!("wharf: there is nothing to undo: {trash_root} does not exist");
                    return Ok(EXIT_FAILED);
                }
                _ => {}
            }
        };
        let Some(last) = runs
            .iter()
            .filter(|entry| entry.kind == EntryKind::Dir)
            .map(|entry| entry.name.clone())
            .max()
        else {
            eprintln!("wharf: there is nothing to undo: {trash_root} is empty");
            return Ok(EXIT_FAILED);
        };
        let trash = trash_root.join_relative(&last);
        let id = self.ask(session, |id| SessionRequest::ListTree {
            id,
            path: trash.clone(),
        });
        let tree = loop {
            match self.client.next_event()? {
                Event::Tree { id: answered, tree, .. } if answered == id => break *tree,
                Event::OpFinished {
                    id: answered,
                    result: Err(error),
                } if answered == id => return Err(error.message),
                _ => {}
            }
        };
        self.restore(session, &root, &trash, &tree, &last)
    }

    /// Renames each file of a trash folder back to its place, making the folders it sits
    /// in. A file that is there now (the new version of an updated file, or one made since)
    /// first moves into a trash folder of its own, so that an undo loses nothing either;
    /// a file that cannot be put back stays in the trash and is named.
    fn restore(
        &mut self,
        session: SessionId,
        root: &RemotePath,
        trash: &RemotePath,
        tree: &Tree,
        name: &str,
    ) -> Result<i32, String> {
        let (mut restored, mut left) = (0u64, 0);
        let aside_name = new_trash_name("-undo");
        let aside = root.join_relative(&aside_name);
        let mut made = std::collections::HashSet::new();
        for entry in &tree.entries {
            let to = root.join_relative(&entry.path);
            if entry.kind == EntryKind::Dir {
                self.make_folder_quietly(session, to)?;
                continue;
            }
            let put_back = match self.exists(session, &to)? {
                true => self.move_to_trash(session, root, &aside_name, &entry.path, &mut made)?,
                false => Ok(()),
            };
            let from = trash.join_relative(&entry.path);
            let put_back = match put_back {
                Ok(()) => {
                    let id = self.ask(session, |id| SessionRequest::Rename { id, from, to });
                    self.wait(id)?.map(drop)
                }
                Err(error) => Err(error),
            };
            match put_back {
                Ok(()) => restored += 1,
                Err(error) => {
                    self.client
                        .progress
                        .println(&format!("wharf: {} stays in the trash: {}", entry.path, error.message));
                    left += 1;
                }
            }
        }
        eprintln!("wharf: put back {} from the sync of {name}", count(restored, "file"));
        if !made.is_empty() {
            eprintln!("wharf: the files they replaced are in {aside}");
        }
        if left > 0 {
            return Ok(EXIT_FAILED);
        }
        if !tree.refused.is_empty() {
            // Names Wharf cannot address were not put back: the trash keeps them.
            for refused in &tree.refused {
                eprintln!("wharf: warning: left in {trash}: {refused}");
            }
            return Ok(EXIT_FAILED);
        }
        let id = self.ask(session, |id| SessionRequest::Delete {
            id,
            path: trash.clone(),
            recursive: true,
        });
        let _ = self.wait(id)?;
        Ok(EXIT_OK)
    }

    /// Whether something is at `path`.
    fn exists(&mut self, session: SessionId, path: &RemotePath) -> Result<bool, String> {
        let path = path.clone();
        let id = self.ask(session, |id| SessionRequest::Stat { id, path });
        loop {
            match self.client.next_event()? {
                Event::Stat { id: answered, .. } if answered == id => return Ok(true),
                Event::OpFinished { id: answered, .. } if answered == id => return Ok(false),
                _ => {}
            }
        }
    }

    /// Sends a request to a session; its id.
    fn ask(&self, session: SessionId, make: impl FnOnce(RequestId) -> SessionRequest) -> RequestId {
        let id = self.client.engine.next_id();
        self.client.engine.send(Command::request(session, make(id)));
        id
    }

    /// Waits for the end of a request.
    fn wait(&mut self, id: RequestId) -> Result<Result<crate::engine::api::OpSummary, OpError>, String> {
        loop {
            if let Event::OpFinished { id: answered, result } = self.client.next_event()?
                && answered == id
            {
                return Ok(result);
            }
        }
    }
}

/// A new folder of the target's trash, relative to the target, named for this moment.
fn new_trash_name(suffix: &str) -> String {
    format!("{TRASH}/{}{suffix}", chrono::Utc::now().format("%Y%m%d-%H%M%S"))
}

/// What the command line asks of the planner.
fn options(sync: &SyncArgs) -> SyncOptions {
    let mut exclude = sync.exclude.clone();
    // The trash is the target's own business, never synchronised or deleted.
    exclude.push(format!("/{TRASH}/"));
    SyncOptions {
        compare: match (sync.size_only, sync.checksum) {
            (true, _) => Compare::SizeOnly,
            (false, true) => Compare::Checksum,
            (false, false) => Compare::SizeAndTime,
        },
        delete: sync.delete,
        newer_only: sync.newer_only,
        exclude,
        include: sync.include.clone(),
        exclude_hidden: sync.exclude_hidden,
        max_size: sync.max_size,
        max_age: sync.max_age,
    }
}

/// A local folder as the local session names it.
fn local_path(path: &Path) -> RemotePath {
    RemotePath::new(&path.to_string_lossy())
}

fn local_join(root: &Path, relative: &str) -> PathBuf {
    relative
        .split('/')
        .fold(root.to_path_buf(), |path, name| path.join(name))
}

/// One line for people: what the plan holds.
fn summary(plan: &SyncPlan, dry_run: bool, trash: bool) -> String {
    let totals = plan.totals();
    if plan.is_in_sync() && totals.conflict == 0 {
        return "already in sync: nothing to copy, update or delete".to_owned();
    }
    let mut parts = vec![format!(
        "{} {} and {} changed ({})",
        if dry_run { "would copy" } else { "copying" },
        count(totals.copy, "new file"),
        totals.update,
        output::human_size(totals.bytes)
    )];
    if totals.folders > 0 {
        parts.push(count(totals.folders, "new folder"));
    }
    if totals.delete > 0 {
        let how = if trash { "to the trash" } else { "for good" };
        parts.push(format!("{} {how}", count(totals.delete, "deletion")));
    }
    if totals.conflict > 0 {
        parts.push(format!("{} left alone", count(totals.conflict, "conflict")));
    }
    let mut line = parts.join(", ");
    if let Some(minutes) = plan.time_offset_minutes {
        line.push_str(&format!(
            "; the target lists times {} off (a server in local time), allowed for",
            crate::model::sync::offset_words(minutes)
        ));
    }
    line
}

/// `1 file`, `2 files`.
fn count(number: u64, noun: &str) -> String {
    match number {
        1 => format!("1 {noun}"),
        _ => format!("{number} {noun}s"),
    }
}

/// The plan on stdout: a line per path that is not skipped, or JSON with everything.
fn print_plan(plan: &SyncPlan, json: bool) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = if json {
        #[derive(serde::Serialize)]
        struct JsonPlan<'a> {
            #[serde(flatten)]
            plan: &'a SyncPlan,
            totals: crate::engine::api::PlanTotals,
        }
        serde_json::to_writer_pretty(
            &mut out,
            &JsonPlan {
                plan,
                totals: plan.totals(),
            },
        )
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
    } else {
        plan.entries
            .iter()
            .filter(|entry| entry.action != SyncAction::Skip)
            .try_for_each(|entry| {
                let action = entry.action.word();
                let slash = if entry.kind == EntryKind::Dir { "/" } else { "" };
                writeln!(out, "{action:<8} {}{slash}  ({})", entry.path, entry.reason)
            })
    };
    written
        .and_then(|()| out.flush())
        .map_err(|error| format!("the plan could not be written: {error}"))
}

/// The session the command line opens on this computer.
impl Client<'_> {
    fn open_local(&mut self) -> Result<SessionId, String> {
        let id = self.engine.next_id();
        self.engine.send(SessionCommand::OpenLocal { id });
        loop {
            match self.next_event()? {
                Event::Connected {
                    id: answered, session, ..
                } if answered == id => return Ok(session),
                Event::OpFinished {
                    id: answered,
                    result: Err(error),
                } if answered == id => return Err(error.message),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_are_remote_when_they_are_urls_or_sites() {
        assert!(is_remote("sftp://me@host/www"));
        assert!(is_remote("site:web/www"));
        assert!(!is_remote("./public"));
        assert!(!is_remote("C:\\site"));
    }
}
