//! What the window hands to threads of its own, because it would wait on the disk or on the
//! desktop: native file dialogs, opening a file with the system's program, looking for
//! FileZilla's sites file, making the folder a remote file is opened from, and cleaning up
//! what earlier runs' edits left. Results come back on a channel the app reads each frame
//! ([`Background::try_recv`]), and wake it; the edit watcher (`edit_watch`) reports on the
//! same channel through a [`Reporter`].

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::edit_watch::{self, EditReport};
use super::notice::Notice;
use crate::engine::api::RemotePath;

/// A chooser that returns nothing sooner than this did not open; one that took longer was
/// closed by the user.
const CHOOSER_OPENED: std::time::Duration = std::time::Duration::from_millis(1500);

/// What a native file dialog is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    LocalFolder,
    KeyFile,
    /// FileZilla's `sitemanager.xml`, to import.
    FileZillaSites,
}

/// A result from a thread.
#[derive(Debug)]
pub enum Done {
    /// A file or folder chosen in a native dialog; `None` when the dialog was closed or
    /// could not open (no desktop portal), and the window offers to type the path instead,
    /// starting at `start`.
    Picked {
        what: Pick,
        path: Option<PathBuf>,
        start: Option<PathBuf>,
    },
    /// FileZilla's sites file on this system (`None` when it has none), for the import dialog.
    FileZillaFile(Option<PathBuf>),
    /// The folder the remote file `remote` is downloaded to, to open it, is ready (or could
    /// not be made).
    ScratchFolder {
        remote: RemotePath,
        folder: Result<PathBuf, String>,
    },
    /// From the files being edited.
    Edit(EditReport),
}

/// A thread's way to hand a result to the window and wake it.
#[derive(Clone)]
pub struct Reporter {
    sender: mpsc::Sender<Done>,
    wake: Option<egui::Context>,
}

impl Reporter {
    pub fn send(&self, done: Done) {
        // The window may have closed meanwhile; then nobody needs the answer.
        if self.sender.send(done).is_ok()
            && let Some(ctx) = &self.wake
        {
            ctx.request_repaint();
        }
    }
}

/// The threads' way back to the window.
pub struct Background {
    sender: mpsc::Sender<Done>,
    receiver: mpsc::Receiver<Done>,
    /// Wakes the window when a result arrives (none in tests, which step frames themselves).
    wake: Option<egui::Context>,
    #[cfg(test)]
    notices: std::sync::Mutex<Vec<Notice>>,
}

impl Default for Background {
    fn default() -> Self {
        let (sender, receiver) = mpsc::channel();
        Background {
            sender,
            receiver,
            wake: None,
            #[cfg(test)]
            notices: std::sync::Mutex::default(),
        }
    }
}

impl Background {
    /// Results waiting, if any.
    pub fn try_recv(&self) -> Option<Done> {
        self.receiver.try_recv().ok()
    }

    /// Remembers how to wake the window (its context is known from the first frame on).
    pub fn wake_with(&mut self, ctx: &egui::Context) {
        if self.wake.is_none() {
            self.wake = Some(ctx.clone());
        }
    }

    /// Hands the window a result as if a thread had finished it (tests play the desktop).
    #[cfg(test)]
    pub fn pretend(&self, done: Done) {
        self.reporter().send(done);
    }

    /// How a thread of the window's hands its results back.
    pub fn reporter(&self) -> Reporter {
        Reporter {
            sender: self.sender.clone(),
            wake: self.wake.clone(),
        }
    }

    /// Runs `work` on a named thread and sends what it returns, if anything. Says why when
    /// no thread could be made.
    fn spawn(&self, name: &str, work: impl FnOnce() -> Option<Done> + Send + 'static) -> Result<(), String> {
        let report = self.reporter();
        let spawned = std::thread::Builder::new().name(name.to_owned()).spawn(move || {
            if let Some(done) = work() {
                report.send(done);
            }
        });
        spawned.map(drop).map_err(|error| {
            tracing::warn!("could not start the {name} thread: {error}");
            error.to_string()
        })
    }

    /// Asks the system for a folder or a file, so the window keeps drawing while the native
    /// dialog is open.
    pub fn pick(&self, what: Pick, start: Option<PathBuf>) {
        let _ = self.spawn("wharf-file-dialog", move || {
            let asked = std::time::Instant::now();
            let mut dialog = rfd::FileDialog::new();
            if let Some(start) = &start {
                dialog = dialog.set_directory(start);
            }
            let path = match what {
                Pick::KeyFile => dialog.set_title("Choose a private key").pick_file(),
                Pick::LocalFolder => dialog.set_title("Choose a folder").pick_folder(),
                Pick::FileZillaSites => dialog
                    .set_title("Choose FileZilla's sitemanager.xml (or an export)")
                    .add_filter("FileZilla sites", &["xml"])
                    .pick_file(),
            };
            // Nothing back at once means the chooser could not open (no desktop portal); after
            // a while, that the user closed it, and then no second dialog is wanted.
            if path.is_none() && asked.elapsed() > CHOOSER_OPENED {
                return None;
            }
            Some(Done::Picked { what, path, start })
        });
    }

    /// Looks for FileZilla's `sitemanager.xml` where FileZilla keeps it.
    pub fn find_filezilla_file(&self) {
        let _ = self.spawn("wharf-find-filezilla", || {
            let file = filezilla_folder()
                .map(|folder| folder.join("sitemanager.xml"))
                .filter(|file| file.is_file());
            Some(Done::FileZillaFile(file))
        });
    }

    /// Makes the temporary folder a remote file is downloaded to before it opens: a new one
    /// with a name nobody can guess, readable by the user only (a folder of a predictable
    /// name in a shared /tmp could be made first by someone else).
    pub fn make_scratch_folder(&self, remote: RemotePath) {
        let _ = self.spawn("wharf-scratch-folder", move || {
            let mut builder = tempfile::Builder::new();
            builder.prefix("wharf-open-");
            #[cfg(unix)]
            builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
            let folder = builder
                .tempdir()
                .map(tempfile::TempDir::keep)
                .map_err(|error| error.to_string());
            Some(Done::ScratchFolder { remote, folder })
        });
    }

    /// Removes the copies that earlier runs' edits left, but those with changes that were
    /// not uploaded, which are named instead.
    pub fn clean_earlier_edits(&self, base: PathBuf) {
        let _ = self.spawn("wharf-edit-cleanup", move || {
            let kept = edit_watch::clean_earlier_runs(&base);
            (!kept.is_empty()).then_some(Done::Edit(EditReport::Kept(kept)))
        });
    }

    /// Shows a desktop notification from a thread of its own (D-Bus may be slow to answer).
    pub fn notify(&self, notice: Notice) {
        #[cfg(test)]
        {
            self.notices
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(notice);
        }
        #[cfg(not(test))]
        {
            let _ = self.spawn("wharf-notify", move || {
                if let Err(error) = super::notice::show(&notice) {
                    tracing::info!("no desktop notification: {error}");
                }
                None
            });
        }
    }

    /// The notifications shown so far (tests read them instead of a desktop).
    #[cfg(test)]
    pub fn notices(&self) -> Vec<Notice> {
        self.notices
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Opens a file with the program the system associates with it; says why when it cannot
    /// even try.
    pub fn open_with_system(&self, path: &Path) -> Result<(), String> {
        let path = path.to_path_buf();
        self.spawn("wharf-open", move || {
            if let Err(error) = opener::open(&path) {
                tracing::warn!("could not open {}: {error}", path.display());
            }
            None
        })
    }
}

/// Where FileZilla keeps its sites on this system.
fn filezilla_folder() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    [
        base.config_dir().join("filezilla"),
        // Inside a Flatpak the config folder is the sandbox's own; FileZilla's is here.
        base.home_dir().join(".config").join("filezilla"),
        base.home_dir().join(".filezilla"),
        base.config_dir().join("FileZilla"),
    ]
    .into_iter()
    .find(|folder| folder.is_dir())
}
