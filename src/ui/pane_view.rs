//! Draws one pane: its path bar with breadcrumbs, the filter, the folder tree and the file
//! list. The list is a table that lays out only the rows in view, so a folder of 100,000
//! entries costs the frame what 40 rows cost. Clicks, drags and menu choices become
//! [`Action`]s, applied after drawing so the pane's model is never changed mid-frame.

use std::sync::Arc;

use egui::{Align, Color32, Id, Label, RichText, Sense, Stroke, TextEdit, Ui};
use egui_extras::{Column as TableColumn, TableBuilder};

use super::app::App;
use super::format;
use super::pane::{ClickMods, Column, Pane, PaneStatus, Row, Side, type_of};
use super::view;
use crate::engine::api::{Entry, EntryKind, RemotePath};

/// Rows dragged out of a pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraggedRows {
    pub from: Side,
    pub folder: RemotePath,
    pub names: Vec<String>,
}

const ROW_HEIGHT: f32 = 20.0;

/// What the user did in the pane this frame.
enum Action {
    Focus,
    Click(usize, ClickMods),
    Activate(usize),
    Navigate(RemotePath),
    Sort(Column),
    Filter(String),
    TreeToggle(RemotePath),
    /// Transfer these names of the `from` pane to the other side (into a folder of it when
    /// given).
    Transfer {
        from: Side,
        names: Vec<String>,
        into: Option<RemotePath>,
        paused: bool,
    },
    /// Rows of this pane dropped on one of its own folders: move them there.
    MoveInto(Vec<String>, RemotePath),
    Open(String),
    Rename,
    Delete,
    NewFolder,
    Refresh,
    CopyUrl(String),
    Permissions,
    Browse,
    /// Adds the current folder to the saved site's bookmarks.
    Bookmark,
}

pub fn show(app: &mut App, side: Side, ui: &mut Ui) {
    let mut actions = Vec::new();
    let focused = app.focus == side;
    header(app, side, focused, ui, &mut actions);
    let tree_width = (ui.available_width() * 0.22).clamp(100.0, 200.0);
    egui::Panel::left(("tree", side))
        .resizable(true)
        .default_size(tree_width)
        .min_size(80.0)
        .show(ui, |ui| tree(app.pane_mut(side), ui, &mut actions));
    let connected = app.site.is_some();
    let mut folders = Vec::new();
    egui::CentralPanel::default().show(ui, |ui| {
        list(app.pane(side), connected, ui, &mut actions, &mut folders);
    });
    if side == Side::Remote {
        app.geometry.remote_folders = folders;
    }
    app.pane_mut(side).scroll_to_cursor = false;
    for action in actions {
        apply(app, side, action, ui);
    }
}

fn header(app: &mut App, side: Side, focused: bool, ui: &mut Ui, actions: &mut Vec<Action>) {
    // A saved site's bookmarks, on the server side.
    let bookmarks = match side {
        Side::Remote => app.saved.as_ref().map(|saved| saved.bookmarks.clone()),
        Side::Local => None,
    };
    let pane = app.pane_mut(side);
    ui.horizontal(|ui| {
        let title = match side {
            Side::Local => "💻 This computer".to_owned(),
            Side::Remote => "🖧 Server".to_owned(),
        };
        let title = if focused {
            RichText::new(title).strong()
        } else {
            RichText::new(title)
        };
        if ui.add(Label::new(title).sense(Sense::click())).clicked() {
            actions.push(Action::Focus);
        }
    });
    let at = pane.path.clone();
    ui.horizontal(|ui| {
        let up = ui.add_enabled(at.as_ref().is_some_and(|path| !path.is_root()), egui::Button::new("⬆"));
        if up.on_hover_text("Up to the parent folder (Backspace)").clicked()
            && let Some(path) = &at
        {
            actions.push(Action::Navigate(path.parent()));
        }
        if ui
            .add_enabled(pane.session.is_some(), egui::Button::new("🔄"))
            .on_hover_text("Refresh (F5)")
            .clicked()
        {
            actions.push(Action::Refresh);
        }
        if side == Side::Local && ui.button("📂").on_hover_text("Choose a folder").clicked() {
            actions.push(Action::Browse);
        }
        if let Some(bookmarks) = &bookmarks {
            ui.menu_button("☆", |ui| {
                for bookmark in bookmarks {
                    if ui.button(bookmark.as_str()).clicked() {
                        actions.push(Action::Navigate(RemotePath::new(bookmark)));
                    }
                }
                if !bookmarks.is_empty() {
                    ui.separator();
                }
                if ui
                    .add_enabled(at.is_some(), egui::Button::new("Bookmark this folder"))
                    .clicked()
                {
                    actions.push(Action::Bookmark);
                }
            })
            .response
            .on_hover_text("Bookmarked folders of this site");
        }
        let path_label = match side {
            Side::Local => "Local folder",
            Side::Remote => "Remote folder",
        };
        let edit = ui.add(
            TextEdit::singleline(&mut pane.path_text)
                .hint_text(path_label)
                .desired_width(f32::INFINITY),
        );
        if edit.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter)) {
            let typed = pane.path_text.trim();
            if !typed.is_empty() {
                actions.push(Action::Navigate(RemotePath::new(typed)));
            }
        }
    });
    if let Some(path) = &at {
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 2.0;
            for (label, target) in breadcrumbs(path) {
                if ui.small_button(label).clicked() {
                    actions.push(Action::Navigate(target));
                }
                ui.label("›");
            }
        });
    }
    ui.horizontal(|ui| {
        let mut filter = pane.filter().to_owned();
        let edit = ui.add(
            TextEdit::singleline(&mut filter)
                .hint_text("Filter names")
                .desired_width(180.0),
        );
        if edit.changed() {
            actions.push(Action::Filter(filter));
        }
        let count = pane.row_count();
        let selected = pane.selected_count();
        let summary = match (selected, pane.entries().len()) {
            (0, 1) => "1 item".to_owned(),
            (0, total) => format!("{total} items"),
            (selected, total) => format!("{selected} of {total} selected"),
        };
        if count > 0 || selected > 0 {
            ui.weak(summary);
        }
    });
}

/// `/`, `srv`, `www` ... each with the path it leads to.
fn breadcrumbs(path: &RemotePath) -> Vec<(String, RemotePath)> {
    let mut crumbs = Vec::new();
    let mut folder = path.clone();
    loop {
        let name = folder
            .file_name()
            .map(str::to_owned)
            .unwrap_or_else(|| folder.to_string());
        crumbs.push((name, folder.clone()));
        let parent = folder.parent();
        if parent == folder {
            break;
        }
        folder = parent;
    }
    crumbs.reverse();
    crumbs
}

fn tree(pane: &mut Pane, ui: &mut Ui, actions: &mut Vec<Action>) {
    let current = pane.path.clone();
    let rows = pane.tree.rows().to_vec();
    egui::ScrollArea::both()
        .id_salt(("tree-scroll", pane.side))
        .auto_shrink([false, false])
        .show_rows(ui, ROW_HEIGHT, rows.len(), |ui, range| {
            for row in &rows[range] {
                ui.horizontal(|ui| {
                    ui.add_space(row.depth as f32 * 12.0);
                    let arrow = match (row.expanded, row.has_children) {
                        (_, Some(false)) => " ",
                        (true, _) => "⏷",
                        (false, _) => "⏵",
                    };
                    if ui
                        .add(Label::new(arrow).sense(Sense::click()).selectable(false))
                        .clicked()
                    {
                        actions.push(Action::TreeToggle(row.path.clone()));
                    }
                    let here = current.as_ref() == Some(&row.path);
                    if ui.selectable_label(here, format!("📁 {}", row.name)).clicked() {
                        actions.push(Action::Navigate(row.path.clone()));
                    }
                });
            }
        });
}

fn list(
    pane: &Pane,
    connected: bool,
    ui: &mut Ui,
    actions: &mut Vec<Action>,
    folders: &mut Vec<(egui::Rect, RemotePath)>,
) {
    match &pane.status {
        PaneStatus::Ready => {}
        PaneStatus::NotConnected => {
            ui.centered_and_justified(|ui| {
                ui.label("Not connected.\nType a server's address in the bar above and press Connect.");
            });
            return;
        }
        PaneStatus::Connecting | PaneStatus::Loading => {
            ui.centered_and_justified(|ui| {
                ui.add(egui::Spinner::new());
            });
            return;
        }
        PaneStatus::Failed(sentence) => {
            ui.add_space(ui.available_height() / 3.0);
            ui.vertical_centered(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, sentence.as_str());
            });
            return;
        }
    }
    let Some(folder) = pane.path.clone() else {
        return;
    };
    let side = pane.side;
    // The background of the list: a drop target for rows of the other pane, and the place
    // for the folder's own context menu. Rows drawn later lie on top of it.
    let background = ui.interact(
        ui.available_rect_before_wrap(),
        Id::unique(("list-background", side)),
        Sense::click(),
    );
    let columns: &[Column] = match side {
        Side::Local => &[
            Column::Name,
            Column::Size,
            Column::Type,
            Column::Modified,
            Column::Permissions,
        ],
        Side::Remote => &[
            Column::Name,
            Column::Size,
            Column::Type,
            Column::Modified,
            Column::Permissions,
            Column::Owner,
        ],
    };
    let sort = pane.sort();
    let room = ui.available_width().max(300.0);
    let mut table = TableBuilder::new(ui)
        .id_salt(("files", side))
        .striped(true)
        .resizable(true)
        .sense(Sense::click_and_drag())
        .auto_shrink([false, false])
        .min_scrolled_height(0.0)
        .max_scroll_height(f32::INFINITY)
        .cell_layout(egui::Layout::left_to_right(Align::Center));
    // First widths in proportion to the room there is; after that the user's, remembered.
    for (index, column) in columns.iter().enumerate() {
        let share = match column {
            Column::Name => 0.36,
            Column::Size => 0.12,
            Column::Type => 0.12,
            Column::Modified => 0.2,
            Column::Permissions => 0.12,
            Column::Owner => 0.1,
        };
        table = if index + 1 == columns.len() {
            table.column(TableColumn::remainder().at_least(40.0).clip(true))
        } else {
            table.column(TableColumn::initial(room * share).at_least(36.0).clip(true))
        };
    }
    if pane.scroll_to_cursor
        && let Some(cursor) = pane.cursor()
    {
        table = table.scroll_to_row(cursor, None);
    }
    table
        .header(ROW_HEIGHT, |mut header| {
            for column in columns {
                let (_, response) = header.col(|ui| {
                    let arrow = match (sort.column == *column, sort.ascending) {
                        (true, true) => " ⏶",
                        (true, false) => " ⏷",
                        (false, _) => "",
                    };
                    ui.add(
                        egui::Button::new(RichText::new(format!("{}{arrow}", column.title())).strong()).frame(false),
                    )
                    .on_hover_text(format!("Sort by {}", column.title().to_lowercase()))
                    .clicked()
                    .then(|| actions.push(Action::Sort(*column)));
                });
                let _ = response;
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, pane.row_count(), |mut row| {
                let index = row.index();
                let Some(shown) = pane.row(index) else {
                    return;
                };
                let entry = match shown {
                    Row::Up => None,
                    Row::Entry(entry) => pane.entry(entry),
                };
                row.set_selected(matches!(shown, Row::Entry(entry) if pane.is_selected(entry)));
                for column in columns {
                    row.col(|ui| cell(ui, entry, *column));
                }
                let response = row.response();
                row_interaction(pane, &folder, index, entry, connected, &response, actions);
                if let Some(entry) = entry
                    && entry.kind == EntryKind::Dir
                {
                    folders.push((response.rect, folder.join(&entry.name)));
                }
                if shown == Row::Up {
                    folders.push((response.rect, folder.parent()));
                }
            });
        });
    // Rows of the other pane dropped on the list (not on a folder row): into this folder.
    if let Some(dragged) = background.dnd_release_payload::<DraggedRows>()
        && dragged.from != side
    {
        actions.push(Action::Transfer {
            from: dragged.from,
            names: dragged.names.clone(),
            into: None,
            paused: false,
        });
        actions.push(Action::Focus);
    }
    if background
        .dnd_hover_payload::<DraggedRows>()
        .is_some_and(|dragged| dragged.from != side)
    {
        ui.painter().rect_stroke(
            background.rect,
            2.0,
            Stroke::new(2.0, ui.visuals().selection.bg_fill),
            egui::StrokeKind::Inside,
        );
    }
    if background.clicked() {
        actions.push(Action::Focus);
    }
    background.context_menu(|ui| {
        menu_item(ui, "New folder (F7)", Action::NewFolder, actions);
        menu_item(ui, "Refresh (F5)", Action::Refresh, actions);
    });
}

fn cell(ui: &mut Ui, entry: Option<&Entry>, column: Column) {
    let Some(entry) = entry else {
        if column == Column::Name {
            ui.add(Label::new("⮪ ..").selectable(false));
        }
        return;
    };
    let text = match column {
        Column::Name => format!("{} {}", icon(entry), entry.name),
        Column::Size => match (entry.kind, entry.size) {
            (EntryKind::Dir, _) | (_, None) => String::new(),
            (_, Some(size)) => format::size(size),
        },
        Column::Type => type_of(entry),
        Column::Modified => format::maybe_date(entry.modified),
        Column::Permissions => entry.permissions.clone().unwrap_or_default(),
        Column::Owner => match (&entry.owner, &entry.group) {
            (Some(owner), Some(group)) => format!("{owner} {group}"),
            (Some(owner), None) => owner.clone(),
            (None, Some(group)) => group.clone(),
            (None, None) => String::new(),
        },
    };
    let label = Label::new(text).selectable(false).truncate();
    let response = ui.add(label);
    if column == Column::Name
        && let Some(target) = &entry.target
    {
        response.on_hover_text(format!("→ {target}"));
    }
}

fn icon(entry: &Entry) -> &'static str {
    match entry.kind {
        EntryKind::Dir => "📁",
        EntryKind::Link => "🔗",
        EntryKind::Other => "⚙",
        EntryKind::File => {
            let extension = entry
                .name
                .rsplit_once('.')
                .map(|(_, extension)| extension.to_ascii_lowercase())
                .unwrap_or_default();
            match extension.as_str() {
                "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp" | "bmp" | "ico" => "🖼",
                "mp3" | "flac" | "ogg" | "wav" | "m4a" => "🎵",
                "mp4" | "mkv" | "avi" | "mov" | "webm" => "🎞",
                "zip" | "gz" | "tgz" | "xz" | "bz2" | "zst" | "7z" | "rar" | "tar" | "deb" | "rpm" => "📦",
                "txt" | "md" | "log" | "csv" | "json" | "xml" | "yml" | "yaml" | "toml" | "ini" | "conf" => "📝",
                "html" | "htm" | "css" | "js" | "ts" | "php" | "py" | "rs" | "c" | "h" | "go" | "java" | "sh" => "📜",
                "pdf" => "📕",
                _ => "📄",
            }
        }
    }
}

fn row_interaction(
    pane: &Pane,
    folder: &RemotePath,
    index: usize,
    entry: Option<&Entry>,
    connected: bool,
    response: &egui::Response,
    actions: &mut Vec<Action>,
) {
    let side = pane.side;
    let modifiers = response.ctx.input(|input| input.modifiers);
    let mods = ClickMods {
        toggle: modifiers.command,
        range: modifiers.shift,
    };
    if response.double_clicked() {
        actions.push(Action::Focus);
        actions.push(Action::Click(index, ClickMods::default()));
        actions.push(Action::Activate(index));
    } else if response.clicked() {
        actions.push(Action::Focus);
        actions.push(Action::Click(index, mods));
    }
    let selected_here = matches!(pane.row(index), Some(Row::Entry(shown)) if pane.is_selected(shown));
    // The rows an action on this row applies to: the selection when the row is in it. Only
    // computed when needed (a drag starts, the menu is open), never for every row each frame.
    let names_here = |entry: &Entry| -> Vec<String> {
        if selected_here {
            pane.chosen().iter().map(|chosen| chosen.name.clone()).collect()
        } else {
            vec![entry.name.clone()]
        }
    };
    if let Some(entry) = entry {
        if response.secondary_clicked() && !selected_here {
            actions.push(Action::Focus);
            actions.push(Action::Click(index, ClickMods::default()));
        }
        if response.drag_started() {
            response.dnd_set_drag_payload(DraggedRows {
                from: side,
                folder: folder.clone(),
                names: names_here(entry),
            });
        }
    }
    // Drops on a folder row (or the up row) target that folder.
    let target = match entry {
        None => Some(folder.parent()),
        Some(entry) if entry.kind == EntryKind::Dir => Some(folder.join(&entry.name)),
        Some(_) => None,
    };
    if let Some(target) = target {
        if let Some(dragged) = response.dnd_hover_payload::<DraggedRows>()
            && !dragged.names.iter().any(|name| folder.join(name) == target)
        {
            let painter = response
                .ctx
                .layer_painter(egui::LayerId::new(egui::Order::Foreground, Id::unique("drop-target")));
            painter.rect_stroke(
                response.rect,
                2.0,
                Stroke::new(2.0, Color32::from_rgb(90, 160, 255)),
                egui::StrokeKind::Inside,
            );
        }
        if let Some(dragged) = response.dnd_release_payload::<DraggedRows>() {
            let dragged: Arc<DraggedRows> = dragged;
            if dragged.from == side {
                let names: Vec<String> = dragged
                    .names
                    .iter()
                    .filter(|name| folder.join(name) != target)
                    .cloned()
                    .collect();
                if !names.is_empty() {
                    actions.push(Action::MoveInto(names, target));
                }
            } else {
                actions.push(Action::Transfer {
                    from: dragged.from,
                    names: dragged.names.clone(),
                    into: Some(target),
                    paused: false,
                });
            }
        }
    }
    let Some(entry) = entry else {
        return;
    };
    response.context_menu(|ui| {
        let names = names_here(entry);
        let (transfer, queue) = match side {
            Side::Local => ("⬆ Upload (Ctrl+Enter)", "Add to queue, paused (Ctrl+Shift+Enter)"),
            Side::Remote => ("⬇ Download (Ctrl+Enter)", "Add to queue, paused (Ctrl+Shift+Enter)"),
        };
        if ui.add_enabled(connected, egui::Button::new(transfer)).clicked() {
            actions.push(Action::Transfer {
                from: side,
                names: names.clone(),
                into: None,
                paused: false,
            });
            ui.close();
        }
        if ui.add_enabled(connected, egui::Button::new(queue)).clicked() {
            actions.push(Action::Transfer {
                from: side,
                names: names.clone(),
                into: None,
                paused: true,
            });
            ui.close();
        }
        ui.separator();
        if entry.kind != EntryKind::Dir && ui.button("Open (Ctrl+O)").clicked() {
            actions.push(Action::Open(entry.name.clone()));
            ui.close();
        }
        if ui
            .add_enabled(names.len() == 1, egui::Button::new("Rename (F2)"))
            .clicked()
        {
            actions.push(Action::Rename);
            ui.close();
        }
        menu_item(ui, "Delete (Del)", Action::Delete, actions);
        menu_item(ui, "New folder (F7)", Action::NewFolder, actions);
        menu_item(ui, "Refresh (F5)", Action::Refresh, actions);
        ui.separator();
        let copy = match side {
            Side::Local => "Copy path (Ctrl+Shift+C)",
            Side::Remote => "Copy URL (Ctrl+Shift+C)",
        };
        if ui.button(copy).clicked() {
            actions.push(Action::CopyUrl(entry.name.clone()));
            ui.close();
        }
        menu_item(ui, "Permissions... (Ctrl+P)", Action::Permissions, actions);
    });
}

/// A context-menu entry that closes the menu and records its action.
fn menu_item(ui: &mut Ui, label: &str, action: Action, actions: &mut Vec<Action>) {
    if ui.button(label).clicked() {
        actions.push(action);
        ui.close();
    }
}

fn apply(app: &mut App, side: Side, action: Action, ui: &mut Ui) {
    match action {
        Action::Focus => app.focus = side,
        Action::Click(row, mods) => app.pane_mut(side).click(row, mods),
        Action::Activate(row) => app.activate(side, row),
        Action::Navigate(path) => app.navigate(side, path),
        Action::Sort(column) => {
            let pane = app.pane_mut(side);
            pane.sort_by(column);
            let sort = pane.sort();
            match side {
                Side::Local => app.settings.local_sort = sort,
                Side::Remote => app.settings.remote_sort = sort,
            }
        }
        Action::Filter(filter) => app.pane_mut(side).set_filter(&filter),
        Action::TreeToggle(path) => {
            if app.pane_mut(side).tree.toggle(&path) {
                app.list_for_tree(side, path);
            }
        }
        Action::Transfer {
            from,
            names,
            into,
            paused,
        } => app.transfer(from, &names, into, paused),
        Action::MoveInto(names, target) => {
            let Some(folder) = app.pane(side).path.clone() else {
                return;
            };
            for name in names {
                let (from, to) = (folder.join(&name), target.join(&name));
                app.change(side, format!("move {name}"), |id| {
                    crate::engine::api::SessionRequest::Rename { id, from, to }
                });
            }
        }
        Action::Open(name) => app.open(side, &name),
        Action::Rename => view::start_rename(app, side),
        Action::Delete => view::start_delete(app, side),
        Action::NewFolder => view::start_new_folder(app, side),
        Action::Refresh => app.refresh(side),
        Action::CopyUrl(name) => {
            if let Some(url) = app.url_of(side, &name) {
                ui.ctx().copy_text(url);
            }
        }
        Action::Permissions => view::start_permissions(app, side),
        Action::Browse => {
            let start = super::dialogs::start_folder(app.local.path.as_ref());
            super::dialogs::pick(app, ui.ctx(), super::dialogs::Pick::LocalFolder, start);
        }
        Action::Bookmark => super::site_manager::bookmark_current_folder(app),
    }
}
