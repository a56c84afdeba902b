//! The site manager: a tree of folders and saved sites (create, rename, move by drag and drop,
//! duplicate, delete), an edit form, Connect, and imports. Sites and their passwords belong to
//! the engine (the sites file and the OS keyring); this window only sends site commands and
//! shows the answers. A password typed here goes to the keyring with `SaveSite` and is not
//! kept in the window; one typed at connection time (no keyring, or "ask every time") is kept
//! in memory until Wharf quits.

use std::collections::HashMap;
use std::path::PathBuf;

use egui::{ComboBox, RichText, TextEdit, Ui};

use super::app::App;
use super::connect_form::{PROTOCOLS, protocol_label};
use super::dialogs::Dialog;
use crate::engine::api::{
    Auth, FolderEdit, FtpTls, ImportSource, KeyringStatus, RequestId, SavedSite, SitesCommand, TransferType,
};
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
}

#[derive(Default)]
pub struct SiteManager {
    pub open: bool,
    pub sites: Vec<SavedSite>,
    pub folders: Vec<String>,
    pub keyring: Option<KeyringStatus>,
    /// The site shown in the form (by id; empty for a new one).
    pub editing: Option<Editing>,
    /// Requests whose answers this window waits for.
    pub pending: Vec<RequestId>,
    /// The last thing to tell the user (saved, could not save ...).
    pub message: Option<(bool, String)>,
    /// A `DuplicateSite` request: its answer becomes the site in the form.
    pub duplicating: Option<RequestId>,
    /// FileZilla imports under way, with the file (to offer removing its passwords).
    pub importing: HashMap<RequestId, PathBuf>,
    /// Secrets typed at connection time, by site id, for this run only.
    pub remembered: HashMap<String, Secret>,
}

/// What is dragged in the tree: a site (by id) or a folder (by path).
#[derive(Debug, Clone)]
enum Dragged {
    Site(String),
    Folder(String),
}

impl SiteManager {
    /// Opens the window and asks for the current list.
    pub fn show_window(app: &mut App) {
        app.sites.open = true;
        let id = app.engine.next_id();
        app.engine.send(SitesCommand::List { id });
        app.sites.pending.push(id);
    }

    /// Opens it with a new site filled from quickconnect (its password included).
    pub fn save_quickconnect(app: &mut App) {
        let mut site = SavedSite {
            name: app.form.host.trim().to_owned(),
            host: app.form.host.trim().to_owned(),
            user: app.form.user.trim().to_owned(),
            port: app.form.port.trim().parse().ok(),
            data_mode: if app.form.active_mode {
                DataMode::Active
            } else {
                DataMode::Passive
            },
            ..SavedSite::default()
        };
        site.set_protocol(app.form.protocol);
        if let Some(key) = &app.form.key_file {
            site.auth = Auth::KeyFile { path: key.clone() };
        }
        let mut editing = Editing::of(site);
        editing.password = app.form.password.clone();
        Self::show_window(app);
        app.sites.editing = Some(editing);
    }

    pub fn waits_for(&self, id: RequestId) -> bool {
        self.pending.contains(&id)
    }
}

/// Sends the form's site (and password) to be saved.
fn save(app: &mut App) {
    let Some(editing) = &mut app.sites.editing else {
        return;
    };
    editing.site.port = editing.port.trim().parse().ok();
    editing.site.max_connections = editing.max_connections.trim().parse().ok().filter(|&limit| limit > 0);
    editing.site.bookmarks = editing
        .bookmarks
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    let secret = (!editing.password.is_empty()).then(|| Secret::new(std::mem::take(&mut editing.password)));
    if secret.is_some() {
        // The new password replaces one typed earlier in this run.
        app.sites.remembered.remove(&editing.site.id);
    }
    let site = editing.site.clone();
    let id = app.engine.next_id();
    app.engine.send(SitesCommand::Save { id, site, secret });
    app.sites.pending.push(id);
}

/// Connects to a saved site: the engine looks up its password in the keyring first.
pub fn connect(app: &mut App, path: &str) {
    let id = app.engine.next_id();
    app.engine.send(SitesCommand::Resolve {
        id,
        reference: path.to_owned(),
    });
    app.sites.pending.push(id);
}

pub fn delete(app: &mut App, path: &str) {
    let id = app.engine.next_id();
    app.engine.send(SitesCommand::Delete {
        id,
        name: path.to_owned(),
    });
    app.sites.pending.push(id);
    app.sites.editing = None;
}

pub fn duplicate(app: &mut App, path: &str) {
    let id = app.engine.next_id();
    app.engine.send(SitesCommand::Duplicate {
        id,
        name: path.to_owned(),
    });
    app.sites.pending.push(id);
    app.sites.duplicating = Some(id);
}

pub fn edit_folder(app: &mut App, edit: FolderEdit) {
    let id = app.engine.next_id();
    app.engine.send(SitesCommand::EditFolder { id, edit });
    app.sites.pending.push(id);
}

/// Imports sites; the answer shows as a report dialog.
pub fn import(app: &mut App, source: ImportSource) {
    let id = app.engine.next_id();
    if let ImportSource::FileZilla { file, .. } = &source {
        app.sites.importing.insert(id, file.clone());
    }
    app.engine.send(SitesCommand::Import { id, source });
    app.sites.pending.push(id);
}

/// Where FileZilla keeps its sites on this system, for the file dialog to start in.
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

/// Adds the server pane's folder to the connected saved site's bookmarks, and saves the site.
pub fn bookmark_current_folder(app: &mut App) {
    let (Some(saved), Some(path)) = (&mut app.saved, &app.remote.path) else {
        return;
    };
    let folder = path.as_str().to_owned();
    if saved.bookmarks.contains(&folder) {
        return;
    }
    saved.bookmarks.push(folder);
    let site = saved.clone();
    let id = app.engine.next_id();
    app.engine.send(SitesCommand::Save { id, site, secret: None });
    app.sites.pending.push(id);
}

/// Saves a site into another folder (a drop on a folder of the tree).
fn move_to(app: &mut App, id: &str, folder: &str) {
    let Some(mut site) = app.sites.sites.iter().find(|site| site.id == id).cloned() else {
        return;
    };
    if site.folder == folder {
        return;
    }
    site.folder = folder.to_owned();
    let request = app.engine.next_id();
    app.engine.send(SitesCommand::Save {
        id: request,
        site,
        secret: None,
    });
    app.sites.pending.push(request);
}

pub fn show(app: &mut App, ctx: &egui::Context) {
    if !app.sites.open {
        return;
    }
    let mut open = true;
    egui::Window::new("Site manager")
        .open(&mut open)
        .default_size([820.0, 520.0])
        .collapsible(false)
        .show(ctx, |ui| {
            if let Some(KeyringStatus::Unavailable { reason }) = &app.sites.keyring {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{reason}: passwords cannot be saved, so Wharf asks for them at each connection."),
                );
            }
            if let Some((error, message)) = &app.sites.message {
                let colour = if *error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().text_color()
                };
                ui.colored_label(colour, message.as_str());
            }
            egui::Panel::left("site-tree")
                .resizable(true)
                .default_size(260.0)
                .show(ui, |ui| tree(app, ui));
            egui::CentralPanel::default().show(ui, |ui| form(app, ui));
        });
    if !open {
        app.sites.open = false;
        app.sites.editing = None;
    }
}

/// Every folder of the tree, parents before their children.
fn all_folders(manager: &SiteManager) -> Vec<String> {
    let mut folders: Vec<String> = manager.folders.clone();
    for site in &manager.sites {
        if !site.folder.is_empty() && !folders.contains(&site.folder) {
            folders.push(site.folder.clone());
        }
    }
    // By components, so that `A/B` follows `A` and not `A B`.
    folders.sort_by(|a, b| a.split('/').cmp(b.split('/')));
    folders.dedup();
    folders
}

/// What a click, drag or menu in the tree asked for.
enum TreeAction {
    /// The site's id.
    Choose(String),
    NewSiteIn(String),
    Connect(String),
    Duplicate(String),
    DeleteSite(String),
    NewFolderIn(String),
    RenameFolder(String),
    DeleteFolder(String),
    Move(Dragged, String),
}

fn tree(app: &mut App, ui: &mut Ui) {
    let mut actions: Vec<TreeAction> = Vec::new();
    ui.horizontal_wrapped(|ui| {
        if ui.button("New site").clicked() {
            actions.push(TreeAction::NewSiteIn(String::new()));
        }
        if ui.button("New folder").clicked() {
            actions.push(TreeAction::NewFolderIn(String::new()));
        }
        ui.menu_button("Import", |ui| {
            if ui.button("From FileZilla (sitemanager.xml)…").clicked() {
                let path = filezilla_folder()
                    .map(|folder| folder.join("sitemanager.xml"))
                    .filter(|file| file.is_file())
                    .map(|file| file.display().to_string())
                    .unwrap_or_default();
                app.dialogs.push_back(Dialog::ImportFileZilla { path });
            }
            if ui.button("From OpenSSH (~/.ssh/config)").clicked() {
                match directories::BaseDirs::new() {
                    Some(base) => import(
                        app,
                        ImportSource::SshConfig {
                            file: base.home_dir().join(".ssh").join("config"),
                        },
                    ),
                    None => {
                        app.sites.message = Some((
                            true,
                            "This system has no home folder to read ~/.ssh/config from.".into(),
                        ))
                    }
                }
            }
        });
        if ui.button("Trusted servers").clicked() {
            super::trust_view::open(app);
        }
    });
    ui.separator();
    let folders = all_folders(&app.sites);
    let selected_id = app.sites.editing.as_ref().map(|editing| editing.site.id.clone());
    egui::ScrollArea::vertical().id_salt("site-tree-scroll").show(ui, |ui| {
        for folder in std::iter::once(String::new()).chain(folders) {
            let depth = if folder.is_empty() {
                0
            } else {
                folder.split('/').count()
            };
            // Each folder with its sites is a drop target, outlined while something is dragged
            // over it (egui's drop zone frames every folder, which reads as clutter).
            let block = ui.scope(|ui| {
                ui.horizontal(|ui| {
                    ui.add_space(14.0 * depth.saturating_sub(1) as f32);
                    let title = match folder.rsplit_once('/') {
                        _ if folder.is_empty() => "Sites".to_owned(),
                        Some((_, last)) => format!("📁 {last}"),
                        None => format!("📁 {folder}"),
                    };
                    let response =
                        ui.add(egui::Label::new(RichText::new(title).strong()).sense(egui::Sense::click_and_drag()));
                    if !folder.is_empty() && response.drag_started() {
                        response.dnd_set_drag_payload(Dragged::Folder(folder.clone()));
                    }
                    response.context_menu(|ui| {
                        if ui.button("New site here").clicked() {
                            actions.push(TreeAction::NewSiteIn(folder.clone()));
                        }
                        if ui.button("New folder inside…").clicked() {
                            actions.push(TreeAction::NewFolderIn(folder.clone()));
                        }
                        if !folder.is_empty() {
                            if ui.button("Rename or move…").clicked() {
                                actions.push(TreeAction::RenameFolder(folder.clone()));
                            }
                            if ui.button("Delete…").clicked() {
                                actions.push(TreeAction::DeleteFolder(folder.clone()));
                            }
                        }
                    });
                });
                for site in app.sites.sites.iter().filter(|site| site.folder == folder) {
                    let selected = selected_id.as_deref() == Some(site.id.as_str());
                    let response = ui
                        .horizontal(|ui| {
                            ui.add_space(14.0 * depth as f32 + 6.0);
                            ui.selectable_label(selected, format!("🖧 {}", site.name))
                                .interact(egui::Sense::click_and_drag())
                        })
                        .inner;
                    if response.drag_started() {
                        response.dnd_set_drag_payload(Dragged::Site(site.id.clone()));
                    }
                    if response.clicked() {
                        actions.push(TreeAction::Choose(site.id.clone()));
                    }
                    if response.double_clicked() {
                        actions.push(TreeAction::Connect(site.path()));
                    }
                    response.context_menu(|ui| {
                        if ui.button("Connect").clicked() {
                            actions.push(TreeAction::Connect(site.path()));
                        }
                        if ui.button("Duplicate").clicked() {
                            actions.push(TreeAction::Duplicate(site.path()));
                        }
                        if ui.button("Delete…").clicked() {
                            actions.push(TreeAction::DeleteSite(site.path()));
                        }
                    });
                }
            });
            let block = block.response;
            if block.dnd_hover_payload::<Dragged>().is_some() {
                ui.painter()
                    .rect_stroke(block.rect, 2.0, ui.visuals().selection.stroke, egui::StrokeKind::Inside);
            }
            if let Some(dragged) = block.dnd_release_payload::<Dragged>() {
                actions.push(TreeAction::Move((*dragged).clone(), folder.clone()));
            }
        }
    });
    for action in actions {
        match action {
            TreeAction::Choose(id) => {
                if let Some(site) = app.sites.sites.iter().find(|site| site.id == id) {
                    app.sites.editing = Some(Editing::of(site.clone()));
                }
            }
            TreeAction::NewSiteIn(folder) => {
                app.sites.editing = Some(Editing::of(SavedSite {
                    folder,
                    ..SavedSite::default()
                }));
            }
            TreeAction::Connect(path) => connect(app, &path),
            TreeAction::Duplicate(path) => duplicate(app, &path),
            TreeAction::DeleteSite(path) => app.dialogs.push_back(Dialog::ConfirmDeleteSite { path }),
            TreeAction::NewFolderIn(parent) => app.dialogs.push_back(Dialog::SiteFolder {
                from: None,
                path: if parent.is_empty() {
                    String::new()
                } else {
                    format!("{parent}/")
                },
            }),
            TreeAction::RenameFolder(path) => app.dialogs.push_back(Dialog::SiteFolder {
                from: Some(path.clone()),
                path,
            }),
            TreeAction::DeleteFolder(path) => {
                let inside = format!("{path}/");
                let sites = app
                    .sites
                    .sites
                    .iter()
                    .filter(|site| site.folder == path || site.folder.starts_with(&inside))
                    .count();
                app.dialogs.push_back(Dialog::ConfirmDeleteSiteFolder { path, sites });
            }
            TreeAction::Move(Dragged::Site(id), folder) => move_to(app, &id, &folder),
            TreeAction::Move(Dragged::Folder(from), into) => {
                let name = from.rsplit('/').next().unwrap_or(&from).to_owned();
                let to = if into.is_empty() {
                    name
                } else {
                    format!("{into}/{name}")
                };
                if to != from && !into.starts_with(&format!("{from}/")) && into != from {
                    edit_folder(app, FolderEdit::Rename { from, to });
                }
            }
        }
    }
}

fn form(app: &mut App, ui: &mut Ui) {
    let keyring_ok = !matches!(app.sites.keyring, Some(KeyringStatus::Unavailable { .. }));
    let Some(editing) = &mut app.sites.editing else {
        ui.label("Choose a site, or make a new one.");
        return;
    };
    let new = editing.site.id.is_empty();
    let mut action: Option<&str> = None;
    ui.horizontal(|ui| {
        if ui.button("Save").clicked() {
            action = Some("save");
        }
        if ui
            .add_enabled(!new, egui::Button::new("Connect to this site"))
            .clicked()
        {
            action = Some("connect");
        }
        if ui.add_enabled(!new, egui::Button::new("Duplicate")).clicked() {
            action = Some("duplicate");
        }
        if ui.add_enabled(!new, egui::Button::new("Delete")).clicked() {
            action = Some("delete");
        }
    });
    ui.separator();
    egui::ScrollArea::vertical().id_salt("site-form-scroll").show(ui, |ui| {
        egui::Grid::new("site-form")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let field = |ui: &mut Ui, label: &str, text: &mut String, hint: &str| {
                    let label = ui.label(label).id;
                    ui.add(TextEdit::singleline(text).hint_text(hint).desired_width(320.0))
                        .labelled_by(label);
                    ui.end_row();
                };
                field(ui, "Name:", &mut editing.site.name, "My server");
                field(
                    ui,
                    "Folder:",
                    &mut editing.site.folder,
                    "Clients/Acme (empty: top level)",
                );
                let label = ui.label("Protocol:").id;
                let mut protocol = editing.site.protocol();
                ComboBox::from_id_salt("site-protocol")
                    .selected_text(protocol_label(protocol))
                    .show_ui(ui, |ui| {
                        for choice in PROTOCOLS {
                            ui.selectable_value(&mut protocol, choice, protocol_label(choice));
                        }
                    })
                    .response
                    .labelled_by(label);
                editing.site.set_protocol(protocol);
                ui.end_row();
                if protocol == crate::model::Protocol::Ftpes {
                    ui.label("");
                    let mut fallback = editing.site.ftp_tls == FtpTls::ExplicitIfAvailable;
                    ui.vertical(|ui| {
                        ui.checkbox(&mut fallback, "If the server refuses TLS, log in without encryption");
                        if fallback {
                            ui.colored_label(
                                ui.visuals().warn_fg_color,
                                "Not recommended: anyone between you and the server can make it \"refuse\", \
                                 then read the password. Wharf warns in the log at each such connection.",
                            );
                        }
                    });
                    editing.site.ftp_tls = if fallback {
                        FtpTls::ExplicitIfAvailable
                    } else {
                        FtpTls::ExplicitRequired
                    };
                    ui.end_row();
                }
                field(ui, "Host name:", &mut editing.site.host, "example.org");
                let default_port = protocol.default_port().to_string();
                field(ui, "Port number:", &mut editing.port, &default_port);
                field(ui, "User name:", &mut editing.site.user, "");
                let label = ui.label("Log in with:").id;
                let auth_label = match &editing.site.auth {
                    Auth::Password => "Password (kept in the keyring)",
                    Auth::KeyFile { .. } => "Key file",
                    Auth::Agent => "ssh-agent",
                    Auth::AskEveryTime => "Ask for the password every time",
                    Auth::Anonymous => "Anonymous",
                };
                ComboBox::from_id_salt("site-auth")
                    .selected_text(auth_label)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut editing.site.auth, Auth::Password, "Password (kept in the keyring)");
                        if editing.site.sftp {
                            let key = match &editing.site.auth {
                                Auth::KeyFile { path } => path.clone(),
                                _ => std::path::PathBuf::new(),
                            };
                            ui.selectable_value(&mut editing.site.auth, Auth::KeyFile { path: key }, "Key file");
                            ui.selectable_value(&mut editing.site.auth, Auth::Agent, "ssh-agent");
                        } else {
                            ui.selectable_value(&mut editing.site.auth, Auth::Anonymous, "Anonymous");
                        }
                        ui.selectable_value(
                            &mut editing.site.auth,
                            Auth::AskEveryTime,
                            "Ask for the password every time",
                        );
                    })
                    .response
                    .labelled_by(label);
                ui.end_row();
                if let Auth::KeyFile { path } = &mut editing.site.auth {
                    let mut text = path.display().to_string();
                    field(ui, "Key file:", &mut text, "~/.ssh/id_ed25519");
                    *path = text.into();
                }
                if editing.site.stored_secret().is_some() {
                    let what = if matches!(editing.site.auth, Auth::KeyFile { .. }) {
                        "Key passphrase:"
                    } else {
                        "Site password:"
                    };
                    let label = ui.label(what).id;
                    let hint = if !keyring_ok {
                        "no keyring: asked at each connection"
                    } else if new {
                        ""
                    } else {
                        "empty: keep the saved one"
                    };
                    ui.add_enabled(
                        keyring_ok,
                        TextEdit::singleline(&mut editing.password)
                            .password(true)
                            .hint_text(hint)
                            .desired_width(320.0),
                    )
                    .labelled_by(label);
                    ui.end_row();
                }
                if !editing.site.sftp {
                    ui.label("Data connection:");
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut editing.site.data_mode, DataMode::Passive, "Passive");
                        ui.radio_value(&mut editing.site.data_mode, DataMode::Active, "Active");
                    });
                    ui.end_row();
                }
                let mut remote = editing.site.remote_folder.clone().unwrap_or_default();
                field(ui, "Remote folder:", &mut remote, "~ (the login folder)");
                editing.site.remote_folder = (!remote.trim().is_empty()).then_some(remote);
                let mut local = editing
                    .site
                    .local_folder
                    .as_ref()
                    .map(|path| path.display().to_string())
                    .unwrap_or_default();
                field(ui, "Local folder:", &mut local, "");
                editing.site.local_folder = (!local.trim().is_empty()).then(|| local.into());
                field(ui, "Connections:", &mut editing.max_connections, "the queue's limit");
                // Imported from FileZilla, kept, but not applied yet: say so rather than offer
                // controls that would do nothing.
                let mut unused = Vec::new();
                if editing.site.transfer_type == TransferType::Ascii {
                    unused.push("ASCII mode (Wharf transfers files byte for byte)".to_owned());
                }
                if let Some(encoding) = &editing.site.encoding {
                    unused.push(format!(
                        "the name encoding {encoding} (Wharf reads names as UTF-8, and as Latin-1 when they are not)"
                    ));
                }
                if !unused.is_empty() {
                    ui.label("");
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!("Imported but not used: {}.", unused.join("; ")),
                    );
                    ui.end_row();
                }
                ui.label("");
                ui.checkbox(
                    &mut editing.site.upload_via_temp,
                    "Upload to a temporary name, then rename",
                );
                ui.end_row();
                let label = ui.label("Bookmarks:").id;
                ui.add(
                    TextEdit::multiline(&mut editing.bookmarks)
                        .hint_text("remote folders, one a line")
                        .desired_rows(2)
                        .desired_width(320.0),
                )
                .labelled_by(label);
                ui.end_row();
                let label = ui.label("Notes:").id;
                ui.add(
                    TextEdit::multiline(&mut editing.site.notes)
                        .desired_rows(3)
                        .desired_width(320.0),
                )
                .labelled_by(label);
                ui.end_row();
            });
    });
    // Connect, Duplicate and Delete act on the site as saved, found by its id: the form's
    // unsaved name may name another site.
    let id = editing.site.id.clone();
    let saved = app.sites.sites.iter().find(|site| site.id == id).map(SavedSite::path);
    match (action, saved) {
        (Some("save"), _) => save(app),
        (Some("connect"), Some(path)) => connect(app, &path),
        (Some("duplicate"), Some(path)) => duplicate(app, &path),
        (Some("delete"), Some(path)) => app.dialogs.push_back(Dialog::ConfirmDeleteSite { path }),
        _ => {}
    }
}
