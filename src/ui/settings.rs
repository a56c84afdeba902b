//! What the window remembers between runs (through eframe's storage, next to egui's own
//! memory of panel sizes and column widths): sort orders, the last local folder, whether the
//! log is shown, recent servers (never their passwords), the queue's limits, the theme and the editor command.

use serde::{Deserialize, Serialize};

use super::connect_form::Recent;
use super::pane::SortOrder;

/// The key under which the settings are stored.
pub const KEY: &str = "wharf-settings";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub local_sort: SortOrder,
    pub remote_sort: SortOrder,
    pub local_folder: Option<String>,
    pub show_log: bool,
    pub recent: Vec<Recent>,
    /// Transfers at once, when not `auto_parallel`.
    pub parallel: usize,
    /// The queue chooses how many transfers run at once per server (`-j auto`).
    pub auto_parallel: bool,
    /// Rate limits as typed (`500K`, `10M`); empty is unlimited.
    pub download_limit: String,
    pub upload_limit: String,
    /// Seconds a connection may move nothing before it is given up.
    pub idle_timeout: u64,
    /// Light, dark, or the system's choice (the default).
    pub theme: egui::ThemePreference,
    /// The command that edits server files (F4), the file's path added as its last
    /// argument; empty opens the file with the system's program for its kind.
    pub editor: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            local_sort: SortOrder::default(),
            remote_sort: SortOrder::default(),
            local_folder: None,
            show_log: true,
            recent: Vec::new(),
            parallel: crate::engine::api::QueueLimits::DEFAULT_PARALLEL,
            auto_parallel: true,
            download_limit: String::new(),
            upload_limit: String::new(),
            idle_timeout: crate::engine::api::QueueLimits::DEFAULT_IDLE_TIMEOUT,
            theme: egui::ThemePreference::System,
            editor: String::new(),
        }
    }
}
