//! The site manager: a tree of folders and saved sites (create, rename, move by drag and drop,
//! duplicate, delete), an edit form, Connect, and imports. Sites and their passwords belong to
//! the engine (the sites file and the OS keyring); the manager draws what the app hands it
//! and asks for changes as intents. A password typed here goes to the keyring with `SitesCommand::Save`
//! and is not kept in the window.
//!
//! - this file: the manager's state, and how answers change it;
//! - [`tree`]: the folders and sites, their menus and drag and drop;
//! - [`form`]: the form of the site being edited.

mod form;
mod tree;

use std::path::PathBuf;

use super::connect_form::ConnectForm;
use super::intent::Intents;
use crate::engine::api::{Auth, KeyringStatus, SavedSite};
use crate::model::{DataMode, Secret};

/// A site being edited, with the password typed for it (empty: keep the saved one).
pub struct Editing {
    pub site: SavedSite,
    pub password: String,
    pub port: String,
    pub max_connections: String,
    /// Bookmarked remote folders, one a line.
    pub bookmarks: String,
}

impl Editing {
    pub fn of(site: SavedSite) -> Editing {
        Editing {
            bookmarks: site.bookmarks.join("\n"),
            port: site.port.map(|port| port.to_string()).unwrap_or_default(),
            max_connections: site.max_connections.map(|limit| limit.to_string()).unwrap_or_default(),
            site,
            password: String::new(),
        }
    }

    /// The site as the form shows it now (the port, limit and bookmarks as typed).
    fn edited(&self) -> SavedSite {
        let mut site = self.site.clone();
        site.port = self.port.trim().parse().ok();
        site.max_connections = self.max_connections.trim().parse().ok().filter(|&limit| limit > 0);
        site.bookmarks = self
            .bookmarks
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect();
        site
    }

    /// Whether the form holds changes not saved: fields that differ from `saved`, or a password.
    pub fn differs_from(&self, saved: &SavedSite) -> bool {
        self.edited() != *saved || !self.password.is_empty()
    }

    /// The site and password to save; the typed password leaves the form.
    pub fn take_for_saving(&mut self) -> (SavedSite, Option<Secret>) {
        self.site = self.edited();
        let secret = (!self.password.is_empty()).then(|| Secret::new(std::mem::take(&mut self.password)));
        (self.site.clone(), secret)
    }

    /// A new site filled from the quickconnect fields, their password included.
    pub fn from_quickconnect(form: &ConnectForm) -> Editing {
        let mut site = SavedSite {
            name: form.host.trim().to_owned(),
            host: form.host.trim().to_owned(),
            user: form.user.trim().to_owned(),
            port: form.port.trim().parse().ok(),
            data_mode: if form.active_mode {
                DataMode::Active
            } else {
                DataMode::Passive
            },
            ..SavedSite::default()
        };
        site.set_protocol(form.protocol);
        if let Some(key) = &form.key_file {
            site.auth = Auth::KeyFile { path: key.clone() };
        }
        let mut editing = Editing::of(site);
        editing.password = form.password.clone();
        editing
    }
}

/// Something to tell the user at the top of the manager.
pub struct Notice {
    pub error: bool,
    pub text: String,
}

#[derive(Default)]
pub struct SiteManager {
    pub open: bool,
    pub sites: Vec<SavedSite>,
    pub folders: Vec<String>,
    pub keyring: Option<KeyringStatus>,
    /// The site shown in the form (by id; empty for a new one).
    pub editing: Option<Editing>,
    /// The last thing to tell the user (saved, could not save ...).
    pub notice: Option<Notice>,
}

impl SiteManager {
    /// Shows a sentence at the top of the manager.
    pub fn tell(&mut self, error: bool, text: impl Into<String>) {
        self.notice = Some(Notice {
            error,
            text: text.into(),
        });
    }

    /// Takes the fresh list. A folder renamed or deleted moves or removes the sites in it: the
    /// form follows, so that a later save does not undo the move.
    pub fn listed(&mut self, sites: Vec<SavedSite>, folders: Vec<String>, keyring: KeyringStatus) {
        if let Some(editing) = &mut self.editing
            && !editing.site.id.is_empty()
        {
            match sites.iter().find(|site| site.id == editing.site.id) {
                Some(site) => editing.site.folder = site.folder.clone(),
                None => self.editing = None,
            }
        }
        self.sites = sites;
        self.folders = folders;
        self.keyring = Some(keyring);
    }

    /// Takes a saved site: a copy just made becomes the site in the form; otherwise the
    /// form's site (or the new one it was) takes what was saved.
    pub fn saved(&mut self, site: SavedSite, copy: bool) {
        if copy {
            self.editing = Some(Editing::of(site));
        } else if let Some(editing) = &mut self.editing
            && (editing.site.id.is_empty() || editing.site.id == site.id)
        {
            editing.site = site;
        }
    }

    /// The form's site and password to save, when a site is being edited.
    pub fn take_save(&mut self) -> Option<(SavedSite, Option<Secret>)> {
        self.editing.as_mut().map(Editing::take_for_saving)
    }

    /// The site saved under `id`.
    fn site(&self, id: &str) -> Option<&SavedSite> {
        self.sites.iter().find(|site| site.id == id)
    }
}

/// Draws the manager when it is open.
pub fn show(manager: &mut SiteManager, ctx: &egui::Context, out: &mut Intents) {
    if !manager.open {
        return;
    }
    let mut open = true;
    egui::Window::new("Site manager")
        .open(&mut open)
        .default_size([820.0, 520.0])
        .collapsible(false)
        .show(ctx, |ui| {
            if let Some(KeyringStatus::Unavailable { reason }) = &manager.keyring {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{reason}: passwords cannot be saved, so Wharf asks for them at each connection."),
                );
            }
            if let Some(notice) = &manager.notice {
                let colour = if notice.error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().text_color()
                };
                ui.colored_label(colour, notice.text.as_str());
            }
            egui::Panel::left("site-tree")
                .resizable(true)
                .default_size(260.0)
                .show(ui, |ui| tree::show(manager, ui, out));
            egui::CentralPanel::default().show(ui, |ui| form::show(manager, ui, out));
        });
    if !open {
        manager.open = false;
        manager.editing = None;
    }
}

/// OpenSSH's client configuration, for the import.
fn ssh_config() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|base| base.home_dir().join(".ssh").join("config"))
}
