//! The site tree: the top-level sites and each folder with its sites, their context menus,
//! and drag and drop of sites and folders onto folders. Choosing a site or starting a new one
//! changes the manager's form; everything else is asked for as an intent.

use egui::{RichText, Ui};

use super::{Editing, SiteManager};
use crate::engine::api::{FolderEdit, ImportSource, SavedSite};
use crate::ui::icons;
use crate::ui::intent::{ConnectionIntent, Intents, SitesIntent};

/// What is dragged in the tree: a site (by id) or a folder (by path).
#[derive(Debug, Clone)]
enum Dragged {
    Site(String),
    Folder(String),
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

pub(super) fn show(manager: &mut SiteManager, ui: &mut Ui, out: &mut Intents) {
    let mut actions: Vec<TreeAction> = Vec::new();
    toolbar(manager, ui, &mut actions, out);
    ui.separator();
    let folders = all_folders(manager);
    let selected = manager.editing.as_ref().map(|editing| editing.site.id.clone());
    egui::ScrollArea::vertical().id_salt("site-tree-scroll").show(ui, |ui| {
        for folder in std::iter::once(String::new()).chain(folders) {
            folder_block(manager, &folder, selected.as_deref(), ui, &mut actions);
        }
    });
    for action in actions {
        apply(manager, action, out);
    }
}

fn toolbar(manager: &mut SiteManager, ui: &mut Ui, actions: &mut Vec<TreeAction>, out: &mut Intents) {
    ui.horizontal_wrapped(|ui| {
        if ui.button("New site").clicked() {
            actions.push(TreeAction::NewSiteIn(String::new()));
        }
        if ui.button("New folder").clicked() {
            actions.push(TreeAction::NewFolderIn(String::new()));
        }
        ui.menu_button("Import", |ui| {
            if ui.button("From FileZilla (sitemanager.xml)…").clicked() {
                out.push(SitesIntent::AskFileZillaImport);
            }
            if ui.button("From OpenSSH (~/.ssh/config)").clicked() {
                match super::ssh_config() {
                    Some(file) => out.push(SitesIntent::Import(ImportSource::SshConfig { file })),
                    None => manager.tell(true, "This system has no home folder to read ~/.ssh/config from."),
                }
            }
        });
        if ui.button("Trusted servers").clicked() {
            out.push(SitesIntent::OpenTrust);
        }
    });
}

/// A folder (or the top level, `""`) with its sites. The block is a drop target, outlined
/// while something is dragged over it (egui's drop zone frames every folder, which reads as
/// clutter).
fn folder_block(
    manager: &SiteManager,
    folder: &str,
    selected: Option<&str>,
    ui: &mut Ui,
    actions: &mut Vec<TreeAction>,
) {
    let depth = if folder.is_empty() {
        0
    } else {
        folder.split('/').count()
    };
    let block = ui.scope(|ui| {
        folder_row(folder, depth, ui, actions);
        for site in manager.sites.iter().filter(|site| site.folder == folder) {
            site_row(site, depth, selected == Some(site.id.as_str()), ui, actions);
        }
    });
    let block = block.response;
    if block.dnd_hover_payload::<Dragged>().is_some() {
        ui.painter()
            .rect_stroke(block.rect, 2.0, ui.visuals().selection.stroke, egui::StrokeKind::Inside);
    }
    if let Some(dragged) = block.dnd_release_payload::<Dragged>() {
        actions.push(TreeAction::Move((*dragged).clone(), folder.to_owned()));
    }
}

fn folder_row(folder: &str, depth: usize, ui: &mut Ui, actions: &mut Vec<TreeAction>) {
    ui.horizontal(|ui| {
        ui.add_space(14.0 * depth.saturating_sub(1) as f32);
        let title = match folder.rsplit_once('/') {
            _ if folder.is_empty() => RichText::new("Sites").strong().into(),
            Some((_, last)) => icons::with_words(icons::FOLDER, Some(icons::FOLDER_COLOUR), last, ui),
            None => icons::with_words(icons::FOLDER, Some(icons::FOLDER_COLOUR), folder, ui),
        };
        let response = ui.add(egui::Label::new(title).sense(egui::Sense::click_and_drag()));
        if !folder.is_empty() && response.drag_started() {
            response.dnd_set_drag_payload(Dragged::Folder(folder.to_owned()));
        }
        response.context_menu(|ui| {
            if ui.button("New site here").clicked() {
                actions.push(TreeAction::NewSiteIn(folder.to_owned()));
            }
            if ui.button("New folder inside…").clicked() {
                actions.push(TreeAction::NewFolderIn(folder.to_owned()));
            }
            if !folder.is_empty() {
                if ui.button("Rename or move…").clicked() {
                    actions.push(TreeAction::RenameFolder(folder.to_owned()));
                }
                if ui.button("Delete…").clicked() {
                    actions.push(TreeAction::DeleteFolder(folder.to_owned()));
                }
            }
        });
    });
}

fn site_row(site: &SavedSite, depth: usize, selected: bool, ui: &mut Ui, actions: &mut Vec<TreeAction>) {
    let response = ui
        .horizontal(|ui| {
            ui.add_space(14.0 * depth as f32 + 6.0);
            ui.selectable_label(selected, icons::with_words(icons::SERVER, None, &site.name, ui))
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

fn apply(manager: &mut SiteManager, action: TreeAction, out: &mut Intents) {
    match action {
        TreeAction::Choose(id) => {
            if let Some(site) = manager.site(&id) {
                manager.editing = Some(Editing::of(site.clone()));
            }
        }
        TreeAction::NewSiteIn(folder) => {
            manager.editing = Some(Editing::of(SavedSite {
                folder,
                ..SavedSite::default()
            }));
        }
        TreeAction::Connect(path) => out.push(ConnectionIntent::ConnectSite(path)),
        TreeAction::Duplicate(path) => out.push(SitesIntent::Duplicate(path)),
        TreeAction::DeleteSite(path) => out.push(SitesIntent::AskDelete(path)),
        TreeAction::NewFolderIn(parent) => out.push(SitesIntent::AskNewFolder { parent }),
        TreeAction::RenameFolder(path) => out.push(SitesIntent::AskRenameFolder(path)),
        TreeAction::DeleteFolder(path) => {
            let inside = format!("{path}/");
            let sites = manager
                .sites
                .iter()
                .filter(|site| site.folder == path || site.folder.starts_with(&inside))
                .count();
            out.push(SitesIntent::AskDeleteFolder { path, sites });
        }
        TreeAction::Move(Dragged::Site(id), folder) => move_site(manager, &id, folder, out),
        TreeAction::Move(Dragged::Folder(from), into) => move_folder(from, &into, out),
    }
}

/// Saves a site into another folder (a drop on a folder of the tree).
fn move_site(manager: &SiteManager, id: &str, folder: String, out: &mut Intents) {
    let Some(site) = manager.site(id) else {
        return;
    };
    if site.folder == folder {
        return;
    }
    let site = Box::new(SavedSite { folder, ..site.clone() });
    out.push(SitesIntent::Save { site, secret: None });
}

/// Moves a folder into another one (or to the top level), unless that is into itself.
fn move_folder(from: String, into: &str, out: &mut Intents) {
    let name = from.rsplit('/').next().unwrap_or(&from).to_owned();
    let to = if into.is_empty() {
        name
    } else {
        format!("{into}/{name}")
    };
    if to != from && !into.starts_with(&format!("{from}/")) && into != from {
        out.push(SitesIntent::EditFolder(FolderEdit::Rename { from, to }));
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
