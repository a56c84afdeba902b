//! What the user asked for, as plain values. Components (panes, queue, quickconnect, log,
//! dialogs, site manager, trust page) draw from data they are lent and push intents; the
//! app turns them into engine commands once the frame is drawn
//! ([`super::app::App::carry_out`]), grouped by what they concern so that each group's
//! handler matches all of it. No component reaches into another or into the engine.

use std::path::PathBuf;

use super::background::Pick;
use super::edits::EditId;
use super::pane::{Side, SortOrder};
use crate::engine::api::{
    FolderEdit, ImportSource, ItemId, Move, PromptId, PromptReply, RemotePath, SavedSite, Site, TrustEntry,
};
use crate::model::Secret;

/// Where the keyboard works: one of the panes, or the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Pane(Side),
    Queue,
}

/// One entry chosen in a pane, as a confirmation shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub name: String,
    pub is_folder: bool,
}

/// What a queue button asks of a selection of items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueVerb {
    Pause,
    Resume,
    Cancel,
    Retry,
}

/// Which items a queue verb applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueItems {
    /// The rows selected in the queue's table.
    Selected,
    One(ItemId),
    All,
}

/// The idle timeout the toolbar offers, in seconds.
pub const MIN_TIMEOUT: u64 = 5;
pub const MAX_TIMEOUT: u64 = 600;

/// The queue's limits as the toolbar shows them (rates as typed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitsTyped {
    pub parallel: usize,
    /// The queue chooses the number per server (`-j auto`); `parallel` waits unused.
    pub auto_parallel: bool,
    pub download: String,
    pub upload: String,
    /// The idle timeout, in seconds.
    pub timeout: u64,
}

/// A request of the user's, for the app to carry out, by what it concerns.
#[derive(Debug)]
pub enum Intent {
    Pane(PaneIntent),
    Connection(ConnectionIntent),
    Queue(QueueIntent),
    Sites(SitesIntent),
    Window(WindowIntent),
    Edit(EditIntent),
    Sync(SyncIntent),
}

/// Comparing and synchronising the two panes' folders.
#[derive(Debug)]
pub enum SyncIntent {
    /// Compare's marks on or off.
    Compare(bool),
    /// Only rows that differ, while comparing.
    DifferencesOnly(bool),
    /// Entering or leaving a folder in one pane does the same in the other.
    BrowseTogether(bool),
    /// Opens the Synchronize window.
    Open,
    /// Lists both folders and plans with the window's settings.
    Preview,
    /// Ticks or unticks one entry of the plan (by its index).
    Choose { entry: usize, chosen: bool },
    /// Carries out the ticked entries.
    Run,
    /// Puts back what the last run replaced or deleted.
    Undo,
}

/// Browsing and file actions in one of the panes.
#[derive(Debug)]
pub enum PaneIntent {
    /// The keyboard works on this pane now.
    Focus(Side),
    /// Lists a folder; the pane switches when the listing arrives.
    Navigate {
        side: Side,
        path: RemotePath,
    },
    Refresh(Side),
    /// Lists a folder for the tree only (its arrow was opened).
    ListForTree {
        side: Side,
        path: RemotePath,
    },
    /// Enter or a double click on a row.
    Activate {
        side: Side,
        row: usize,
    },
    /// Entries of the `from` pane (by name) to the other side's folder, or into `into`.
    Transfer {
        from: Side,
        names: Vec<String>,
        into: Option<RemotePath>,
        paused: bool,
    },
    /// Files and folders dropped from the desktop, to upload into `folder` on the server.
    UploadDropped {
        paths: Vec<PathBuf>,
        folder: RemotePath,
    },
    /// Rows of a pane dropped on one of its own folders.
    MoveInto {
        side: Side,
        names: Vec<String>,
        target: RemotePath,
    },
    /// Opens a file with the system's program (a remote one after downloading it).
    Open {
        side: Side,
        name: String,
    },
    /// Copies an entry's URL (remote) or path (local) to the clipboard.
    CopyAddress {
        side: Side,
        name: String,
    },
    /// Asks for a new name for the one chosen entry.
    AskRename(Side),
    /// Asks before deleting the chosen entries.
    AskDelete(Side),
    AskNewFolder(Side),
    AskPermissions(Side),
    /// The pane's sort order changed; it is remembered.
    Sorted {
        side: Side,
        sort: SortOrder,
    },
    /// Adds the server pane's folder to the connected saved site's bookmarks.
    BookmarkFolder,
    /// Deletes entries (confirmed in a dialog).
    Delete {
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
    Chmod {
        side: Side,
        names: Vec<String>,
        mode: u32,
    },
}

/// The connection to the server.
#[derive(Debug)]
pub enum ConnectionIntent {
    /// Connects to what the quickconnect fields describe.
    Connect,
    Disconnect,
    /// Connects to a saved site (by path or unique name); the engine finds its password.
    ConnectSite(String),
    /// Connects to a saved site with a secret typed for it (kept for this run).
    ConnectWith {
        saved: Box<SavedSite>,
        site: Box<Site>,
        path: RemotePath,
        secret: Option<Secret>,
    },
}

/// The transfer queue.
#[derive(Debug)]
pub enum QueueIntent {
    /// The keyboard works on the queue now.
    Focus,
    Apply {
        verb: QueueVerb,
        items: QueueItems,
    },
    Move {
        item: ItemId,
        to: Move,
    },
    Clear {
        done: bool,
        failed: bool,
    },
    SetLimits(LimitsTyped),
    /// Downloads what a link names into this computer's folder (typed or pasted).
    DownloadLink(String),
}

/// Saved sites and trusted servers.
#[derive(Debug)]
pub enum SitesIntent {
    OpenManager,
    /// Opens the site manager with a new site filled from quickconnect.
    SaveQuickconnect,
    Save {
        site: Box<SavedSite>,
        secret: Option<Secret>,
    },
    Duplicate(String),
    /// Asks whether to save the form's changes before connecting to the site (by path).
    AskSaveBeforeConnect(String),
    /// Saves the form's site, then connects to it.
    SaveAndConnect,
    /// Asks before deleting a site (by path).
    AskDelete(String),
    Delete(String),
    /// Asks for the name of a new folder inside `parent` ("" for the top level).
    AskNewFolder {
        parent: String,
    },
    /// Asks for a folder's new path.
    AskRenameFolder(String),
    /// Asks before deleting a folder with the `sites` in it.
    AskDeleteFolder {
        path: String,
        sites: usize,
    },
    EditFolder(FolderEdit),
    Import(ImportSource),
    /// Opens the FileZilla import dialog at FileZilla's own file, when there is one.
    AskFileZillaImport,
    RemoveImportedPasswords {
        file: PathBuf,
        sites: Vec<String>,
    },
    OpenTrust,
    ForgetTrust(TrustEntry),
}

/// The window itself: dialogs, the log, closing.
#[derive(Debug)]
pub enum WindowIntent {
    /// Answers a question of the engine's.
    Answer {
        prompt: PromptId,
        reply: PromptReply,
    },
    ShowAbout,
    /// Opens the system's file dialog on a thread of its own.
    Pick {
        what: Pick,
        start: Option<PathBuf>,
    },
    ShowLog(bool),
    /// Light, dark, or the system's theme.
    Theme(egui::ThemePreference),
    /// A path typed where the system's file dialog did not open.
    Picked {
        what: Pick,
        path: PathBuf,
    },
    /// Says something went wrong, in the message log.
    Complain(String),
    /// Closes now; unfinished transfers resume at the next start.
    CloseNow,
    /// Closes once the running transfers are done.
    CloseWhenIdle,
}

/// Editing server files: starting, uploading saves, answering about changes on the server.
#[derive(Debug)]
pub enum EditIntent {
    /// F4 or "Edit" on a file of a pane: a server file is fetched and watched, a file here
    /// opens in the editor.
    Start {
        side: Side,
        name: String,
    },
    /// Uploads the saved copy (after checking the server's copy).
    Upload(EditId),
    /// Uploads this save and every later one without asking.
    AlwaysUpload(EditId),
    SetAlwaysUpload(EditId, bool),
    /// Uploads over a server copy that changed since it was fetched.
    Overwrite(EditId),
    /// Leaves the save here, not uploaded, as asked.
    NotNow(EditId),
    /// The server's copy changed: leave it, and keep the save here.
    KeepServerCopy(EditId),
    /// Opens the copy in the editor again.
    Reopen(EditId),
    /// Stops editing (asks first when the copy has changes that were not uploaded).
    Close(EditId),
    /// Stops editing and removes the copy.
    Discard(EditId),
}

macro_rules! intent_from {
    ($($group:ident => $variant:ident),*) => {$(
        impl From<$group> for Intent {
            fn from(intent: $group) -> Intent {
                Intent::$variant(intent)
            }
        }
    )*};
}

intent_from!(
    PaneIntent => Pane,
    ConnectionIntent => Connection,
    QueueIntent => Queue,
    SitesIntent => Sites,
    WindowIntent => Window,
    SyncIntent => Sync,
    EditIntent => Edit
);

/// What the components asked for in one frame, in order.
#[derive(Debug, Default)]
pub struct Intents(Vec<Intent>);

impl Intents {
    pub fn push(&mut self, intent: impl Into<Intent>) {
        self.0.push(intent.into());
    }

    pub fn take(&mut self) -> Vec<Intent> {
        std::mem::take(&mut self.0)
    }
}
