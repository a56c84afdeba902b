//! The copies of server files being edited, on a thread of their own ("wharf-edit-watch"):
//! it makes each copy's private folder, opens the copy in the editor, watches the folder
//! (the notify crate: inotify, FSEvents, ReadDirectoryChanges), and reports a save once the
//! file has been quiet for a moment, with its size and time. It also removes the copies:
//! one when its edit is closed, the rest when the window closes, and those of earlier runs
//! at the next start.
//!
//! Nothing is lost on the way: a copy whose changes were not uploaded carries a marker file,
//! and is kept (and named in the log) instead of removed.
//!
//! The folders live in the system's temporary folder as `wharf-edit-XXXXXX/` (private to
//! the user, 0700), one numbered folder per edit inside. A window holds a lock on its
//! folder's `.lock` while it runs, so that the next start removes only folders whose window
//! is gone.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, SystemTime};

use notify::{RecursiveMode, Watcher};

use super::background::{Done, Reporter};
use super::edits::{EditId, Stamp};

/// How long a copy must be quiet after a change before it counts as saved: editors write a
/// file in several steps (a temporary file, a rename, the time).
const SETTLE: Duration = Duration::from_millis(300);
/// Names the folders of edits in the temporary folder.
const PREFIX: &str = "wharf-edit-";
/// Names such a folder while it is being made (a window that died then leaves it).
const MAKING: &str = "wharf-making-";
/// A copy with changes that were not uploaded has this file beside it.
const UNSENT: &str = ".wharf-unsent";
const LOCK: &str = ".lock";

/// What the watcher tells the window.
#[derive(Debug)]
pub enum EditReport {
    /// The folder for an edit's copy is made: the copy goes to `folder`.
    Ready {
        id: EditId,
        folder: Result<PathBuf, String>,
    },
    /// The copy at `path` was saved.
    Saved { path: PathBuf, stamp: Stamp },
    /// The editor could not be started, or ended with an error.
    EditorFailed { path: PathBuf, reason: String },
    /// Copies left by an earlier run with changes that were not uploaded; kept.
    Kept(Vec<PathBuf>),
}

enum Input {
    Prepare {
        id: EditId,
        name: String,
    },
    Open {
        path: PathBuf,
        editor: String,
    },
    /// Opens a file of this computer's in the editor; it is not watched.
    Launch {
        path: PathBuf,
        editor: String,
    },
    /// The copy was uploaded as it was when it was `stamp`.
    Sent {
        path: PathBuf,
        stamp: Stamp,
    },
    Forget {
        path: PathBuf,
        discard: bool,
    },
    Changed(Vec<PathBuf>),
    /// The window is closing.
    Close,
}

/// The window's handle on the watcher thread. Dropping it ends the thread, which removes
/// the copies without unsent changes first (the drop waits for that, so that the process
/// does not end halfway through).
pub struct EditWatch {
    inbox: mpsc::Sender<Input>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for EditWatch {
    fn drop(&mut self) {
        if self.inbox.send(Input::Close).is_ok()
            && let Some(thread) = self.thread.take()
        {
            let _ = thread.join();
        }
    }
}

impl EditWatch {
    /// Starts the thread; the copies' folders are made in `base` (the temporary folder).
    pub fn start(report: Reporter, base: PathBuf) -> Result<EditWatch, String> {
        let (inbox, receiver) = mpsc::channel();
        let events = inbox.clone();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event {
                let _ = events.send(Input::Changed(event.paths));
            }
        })
        .map_err(|error| format!("cannot watch files for changes: {error}"))?;
        let thread = std::thread::Builder::new()
            .name("wharf-edit-watch".to_owned())
            .spawn(move || Watch::new(watcher, report, base).run(&receiver))
            .map_err(|error| error.to_string())?;
        Ok(EditWatch {
            inbox,
            thread: Some(thread),
        })
    }

    /// Makes the private folder for `name`, the copy of edit `id`.
    pub fn prepare(&self, id: EditId, name: &str) {
        self.send(Input::Prepare {
            id,
            name: name.to_owned(),
        });
    }

    /// Starts watching the downloaded copy at `path` and opens it with `editor` (empty: the
    /// system's program); opens it again when it is watched already.
    pub fn open(&self, path: &Path, editor: &str) {
        self.send(Input::Open {
            path: path.to_path_buf(),
            editor: editor.to_owned(),
        });
    }

    /// Opens a file of this computer's in the editor, without watching it.
    pub fn launch(&self, path: &Path, editor: &str) {
        self.send(Input::Launch {
            path: path.to_path_buf(),
            editor: editor.to_owned(),
        });
    }

    /// The copy at `path` was uploaded as it was when it was `stamp`: unless it was saved
    /// again since, it holds nothing unsent.
    pub fn sent(&self, path: &Path, stamp: Stamp) {
        self.send(Input::Sent {
            path: path.to_path_buf(),
            stamp,
        });
    }

    /// Stops watching the copy at `path` and removes it; unless `discard`, a copy saved
    /// since the window last heard is kept.
    pub fn forget(&self, path: &Path, discard: bool) {
        self.send(Input::Forget {
            path: path.to_path_buf(),
            discard,
        });
    }

    fn send(&self, input: Input) {
        if self.inbox.send(input).is_err() {
            tracing::warn!("the edit watcher has stopped");
        }
    }
}

/// The watcher thread's state.
struct Watch {
    watcher: notify::RecommendedWatcher,
    report: Reporter,
    base: PathBuf,
    /// This window's folder, made with the first edit, and the lock that says it is in use.
    root: Option<(PathBuf, File)>,
    /// Each watched copy as last seen.
    known: HashMap<PathBuf, Stamp>,
    /// Copies that changed and are waiting to settle.
    dirty: HashSet<PathBuf>,
}

impl Watch {
    fn new(watcher: notify::RecommendedWatcher, report: Reporter, base: PathBuf) -> Watch {
        Watch {
            watcher,
            report,
            base,
            root: None,
            known: HashMap::new(),
            dirty: HashSet::new(),
        }
    }

    fn run(mut self, inbox: &mpsc::Receiver<Input>) {
        loop {
            let input = if self.dirty.is_empty() {
                inbox.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                inbox.recv_timeout(SETTLE)
            };
            match input {
                Ok(Input::Close) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(input) => self.handle(input),
                Err(RecvTimeoutError::Timeout) => self.settle(),
            }
        }
        self.close();
    }

    fn handle(&mut self, input: Input) {
        match input {
            Input::Prepare { id, name } => {
                let folder = self.prepare(id, &name);
                self.report.send(Done::Edit(EditReport::Ready { id, folder }));
            }
            Input::Open { path, editor } => self.open(path, &editor),
            Input::Launch { path, editor } => {
                if let Err(reason) = launch(&editor, &path, self.report.clone()) {
                    self.report.send(Done::Edit(EditReport::EditorFailed { path, reason }));
                }
            }
            Input::Sent { path, stamp } => {
                if self.known.get(&path) == Some(&stamp)
                    && let Some(folder) = path.parent()
                {
                    let _ = fs::remove_file(folder.join(UNSENT));
                }
            }
            Input::Forget { path, discard } => self.forget(&path, discard),
            Input::Changed(paths) => {
                for path in paths {
                    if self.known.contains_key(&path) {
                        self.dirty.insert(path);
                    }
                }
            }
            Input::Close => {}
        }
    }

    /// Stops watching a copy and removes its folder: always when `discard`, else only when
    /// nothing changed since it was last seen (a save in the last moment, which the window
    /// did not hear of yet, is kept and named at the next start instead).
    fn forget(&mut self, path: &Path, discard: bool) {
        let known = self.known.remove(path);
        let dirty = self.dirty.remove(path);
        let Some(folder) = path.parent() else {
            return;
        };
        // Only ever one edit's own folder, directly inside this window's root.
        let own = self
            .root
            .as_ref()
            .is_some_and(|(root, _)| folder.parent() == Some(root.as_path()));
        if !own {
            return;
        }
        let _ = self.watcher.unwatch(folder);
        let changed = dirty || stamp_of(path) != known;
        if changed && !discard {
            let _ = File::create(folder.join(UNSENT));
            tracing::warn!("{} changed as its edit ended; the copy is kept", path.display());
            return;
        }
        let _ = fs::remove_dir_all(folder);
    }

    fn prepare(&mut self, id: EditId, name: &str) -> Result<PathBuf, String> {
        // The name comes from a listing, which refuses these already; the folder must hold
        // exactly one plain file all the same.
        crate::model::names::check_remote_name(name).map_err(|refused| refused.to_string())?;
        if self.root.is_none() {
            self.root = Some(make_root(&self.base).map_err(|error| format!("cannot make a private folder: {error}"))?);
        }
        let Some((root, _)) = &self.root else {
            return Err("cannot make a private folder".to_owned());
        };
        let folder = root.join(id.to_string());
        fs::create_dir(&folder).map_err(|error| format!("cannot make {}: {error}", folder.display()))?;
        Ok(folder.join(name))
    }

    fn open(&mut self, path: PathBuf, editor: &str) {
        if !self.known.contains_key(&path) {
            let Some(stamp) = stamp_of(&path) else {
                self.report.send(Done::Edit(EditReport::EditorFailed {
                    reason: "the downloaded copy is missing".to_owned(),
                    path,
                }));
                return;
            };
            if let Some(folder) = path.parent()
                && let Err(error) = self.watcher.watch(folder, RecursiveMode::NonRecursive)
            {
                self.report.send(Done::Edit(EditReport::EditorFailed {
                    reason: format!("saves cannot be noticed: {error}"),
                    path,
                }));
                return;
            }
            self.known.insert(path.clone(), stamp);
        }
        if let Err(reason) = launch(editor, &path, self.report.clone()) {
            self.report.send(Done::Edit(EditReport::EditorFailed { path, reason }));
        }
    }

    /// Reports the copies that were quiet long enough and differ from when last seen.
    fn settle(&mut self) {
        for path in std::mem::take(&mut self.dirty) {
            // Between an editor's delete and its new file there is no file: a later event
            // brings it.
            let Some(stamp) = stamp_of(&path) else {
                continue;
            };
            if self.known.get(&path) == Some(&stamp) {
                continue;
            }
            self.known.insert(path.clone(), stamp);
            if let Some(folder) = path.parent() {
                let _ = File::create(folder.join(UNSENT));
            }
            self.report.send(Done::Edit(EditReport::Saved { path, stamp }));
        }
    }

    /// The window is closing: marks saves not yet reported, then removes the copies that
    /// hold nothing unsent.
    fn close(mut self) {
        self.settle();
        let Some((root, _lock)) = self.root else {
            return;
        };
        let kept = clean_root(&root);
        if !kept.is_empty() {
            tracing::warn!(
                "copies with changes that were not uploaded are kept: {}",
                kept.iter()
                    .map(|path| path.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
}

/// Makes this window's folder of copies, private to the user, and locks it. The folder gets
/// its searched-for name only once locked, so that another window's cleanup never sees it
/// unlocked.
fn make_root(temp: &Path) -> std::io::Result<(PathBuf, File)> {
    // The spelling file events use (on macOS /var is /private/var), so saves are recognised.
    let temp = temp.canonicalize()?;
    let temp = temp.as_path();
    let mut builder = tempfile::Builder::new();
    builder.prefix(MAKING);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let making = builder.tempdir_in(temp)?.keep();
    let lock = File::create(making.join(LOCK))?;
    lock.try_lock().map_err(std::io::Error::other)?;
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let root = temp.join(format!("{PREFIX}{}-{nanos}", std::process::id()));
    fs::rename(&making, &root)?;
    Ok((root, lock))
}

/// Removes an edit folder's copies that hold nothing unsent, and the folder when nothing is
/// left; returns the copies kept.
fn clean_root(root: &Path) -> Vec<PathBuf> {
    let mut kept = Vec::new();
    let Ok(entries) = fs::read_dir(root) else {
        return kept;
    };
    for entry in entries.flatten() {
        let folder = entry.path();
        if !folder.is_dir() {
            continue;
        }
        if folder.join(UNSENT).exists() {
            kept.extend(copies_in(&folder));
        } else {
            let _ = fs::remove_dir_all(&folder);
        }
    }
    if kept.is_empty() {
        let _ = fs::remove_dir_all(root);
    }
    kept
}

fn copies_in(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.file_name().is_some_and(|name| name != UNSENT) && path.is_file())
        .collect()
}

/// Removes what earlier runs left in `temp` (their windows are gone: their locks are free),
/// keeping copies with unsent changes; returns those.
pub fn clean_earlier_runs(temp: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(temp) else {
        return Vec::new();
    };
    let mut kept = Vec::new();
    let user = current_user();
    for entry in entries.flatten() {
        let root = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = (name.starts_with(PREFIX) || name.starts_with(MAKING)) && owned_folder(&root, user);
        if !ours {
            continue;
        }
        // A folder another user owns cannot be opened; one whose window runs is locked.
        let Ok(lock) = File::open(root.join(LOCK)) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            kept.extend(clean_root(&root));
        }
    }
    kept
}

/// A real folder (not a link to one) that this user owns: /tmp is shared.
fn owned_folder(path: &Path, user: Option<u32>) -> bool {
    let Ok(metadata) = fs::symlink_metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        metadata.is_dir() && user == Some(metadata.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = user;
        metadata.is_dir()
    }
}

/// This process's user, read from a file it makes (the standard library has no getuid).
fn current_user() -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        tempfile::tempfile()
            .and_then(|file| file.metadata())
            .ok()
            .map(|metadata| metadata.uid())
    }
    #[cfg(not(unix))]
    {
        None
    }
}

fn stamp_of(path: &Path) -> Option<Stamp> {
    let metadata = fs::metadata(path).ok()?;
    Some(Stamp::local(
        metadata.len(),
        metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
    ))
}

/// Opens `path` with `editor` (a command line, the path added as its last argument), or
/// with the system's program when `editor` is empty. A command that ends with an error is
/// reported from a thread that waits for it.
fn launch(editor: &str, path: &Path, report: Reporter) -> Result<(), String> {
    let words = if editor.trim().is_empty() {
        match default_editor() {
            Some(words) => words,
            None => return opener::open(path).map_err(|error| format!("the system could not open it: {error}")),
        }
    } else {
        shell_words::split(editor).map_err(|error| format!("the editor command cannot be read: {error}"))?
    };
    let Some((program, arguments)) = words.split_first() else {
        return Err("the editor command is empty".to_owned());
    };
    let child = Command::new(program)
        .args(arguments)
        .arg(path)
        .spawn()
        .map_err(|error| format!("{program} could not be started: {error}"))?;
    let (program, path) = (program.clone(), path.to_path_buf());
    std::thread::Builder::new()
        .name("wharf-editor".to_owned())
        .spawn(move || wait_for_editor(child, &program, path, &report))
        .map(drop)
        .map_err(|error| error.to_string())
}

/// Where "the system's program" could run the file instead of showing it (Windows runs an
/// .exe or .js it opens; macOS opens an app bundle), edit with the system's text editor.
/// Linux desktops open a file by its kind, never by running it.
fn default_editor() -> Option<Vec<String>> {
    if cfg!(windows) {
        Some(vec!["notepad".to_owned()])
    } else if cfg!(target_os = "macos") {
        Some(vec!["open".to_owned(), "-t".to_owned()])
    } else {
        None
    }
}

fn wait_for_editor(mut child: Child, program: &str, path: PathBuf, report: &Reporter) {
    match child.wait() {
        Ok(status) if status.success() => {}
        Ok(status) => report.send(Done::Edit(EditReport::EditorFailed {
            path,
            reason: format!("{program} ended with {status}"),
        })),
        Err(error) => tracing::warn!("waiting for {program}: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The copies may be private: only their owner can enter the folder.
    #[cfg(unix)]
    #[test]
    fn the_folder_of_copies_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let temp = tempfile::tempdir().unwrap();
        let (root, _lock) = make_root(temp.path()).unwrap();
        let mode = fs::metadata(&root).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        assert!(root.file_name().unwrap().to_string_lossy().starts_with(PREFIX));
    }

    /// Review of issue 13: ending an edit removes its copy only when nothing changed since
    /// the window last heard; a save in the last moment is kept (and named at the next
    /// start). Discarding removes it whatever it holds, and only its own folder.
    #[test]
    fn ending_an_edit_keeps_a_copy_saved_in_the_last_moment() {
        let temp = tempfile::tempdir().unwrap();
        let watcher = notify::recommended_watcher(|_: notify::Result<notify::Event>| {}).unwrap();
        let mut watch = Watch::new(
            watcher,
            super::super::background::Background::default().reporter(),
            temp.path().to_path_buf(),
        );
        let quiet = watch.prepare(EditId::first(), "quiet.txt").unwrap();
        let saved = watch.prepare(EditId::first().next(), "saved.txt").unwrap();
        for path in [&quiet, &saved] {
            fs::write(path, "fetched").unwrap();
            watch.open(path.clone(), "true");
        }
        fs::write(&saved, "saved just now, not yet reported").unwrap();

        watch.forget(&quiet, false);
        watch.forget(&saved, false);
        assert!(!quiet.exists(), "nothing changed: the copy goes");
        assert!(saved.exists(), "a late save is kept");
        assert!(saved.parent().unwrap().join(UNSENT).exists());

        watch.forget(&saved, true);
        assert!(!saved.exists(), "discarded");
        assert!(
            watch.prepare(EditId::first(), "").is_err(),
            "an empty name has no folder"
        );
    }

    #[test]
    fn earlier_runs_are_cleaned_except_unsent_changes_and_live_windows() {
        let temp = tempfile::tempdir().unwrap();
        let make = |name: &str, unsent: bool| {
            let root = temp.path().join(name);
            let folder = root.join("1");
            fs::create_dir_all(&folder).unwrap();
            fs::write(folder.join("a.txt"), "x").unwrap();
            fs::write(root.join(LOCK), "").unwrap();
            if unsent {
                fs::write(folder.join(UNSENT), "").unwrap();
            }
            root
        };
        let gone = make("wharf-edit-gone", false);
        let unsent = make("wharf-edit-unsent", true);
        let live = make("wharf-edit-live", false);
        let lock = File::open(live.join(LOCK)).unwrap();
        lock.try_lock().unwrap();
        let other = temp.path().join("not-ours");
        fs::create_dir(&other).unwrap();

        let kept = clean_earlier_runs(temp.path());

        assert_eq!(kept, vec![unsent.join("1").join("a.txt")]);
        assert!(!gone.exists());
        assert!(unsent.join("1").join("a.txt").exists());
        assert!(live.join("1").join("a.txt").exists(), "a running window's copies stay");
        assert!(other.exists());
    }
}
