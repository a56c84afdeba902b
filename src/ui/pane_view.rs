//! Draws one pane: its path bar with breadcrumbs, the filter, the folder tree and the file
//! list. The list is a table that lays out only the rows in view, so a folder of 100,000
//! entries costs the frame what 40 rows cost. Clicks, drags and menu choices become
//! [`Action`]s, applied after drawing so the pane's model is never changed mid-frame: the
//! pane's own (selection, sort, filter, tree) at once, the rest handed on as intents. The
//! file-manager keys work the same way ([`keyboard`]).

use std::sync::Arc;

use egui::{Align, Color32, Id, Label, RichText, Sense, Stroke, TextEdit, Ui};
use egui_extras::{Column as TableColumn, TableBuilder};

use egui::{Key, Modifiers};

use super::background::Pick;
use super::compare::Mark;
use super::format;
use super::icons;
use super::intent::{EditIntent, Intents, PaneIntent, QueueIntent, WindowIntent};
use super::pane::{ClickMods, Column, Pane, PaneStatus, Row, Side, type_of};
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
    Edit(String),
    Rename,
    Delete,
    NewFolder,
    Refresh,
    CopyUrl(String),
    Permissions,
    Browse,
    /// Adds the current folder to the saved site's bookmarks.
    Bookmark,
    /// The context menu asked for with the keyboard is open.
    KeyboardMenuShown,
}

/// A folder row as drawn this frame: where files from the desktop dropped on it go.
#[derive(Debug, Clone)]
pub struct DropFolder {
    pub rect: egui::Rect,
    pub path: RemotePath,
}

/// What a pane is shown of the rest of the window.
pub struct PaneLent {
    /// The keyboard works on this pane.
    pub focused: bool,
    /// A server is connected (transfers are possible).
    pub connected: bool,
    /// The connected saved site's bookmarked folders (server side only).
    pub bookmarks: Option<Vec<String>>,
}

/// Draws a pane; returns where its folder rows are, with their paths, as drop targets for
/// files from the desktop.
pub fn show(pane: &mut Pane, lent: &PaneLent, ui: &mut Ui, out: &mut Intents) -> Vec<DropFolder> {
    let mut actions = Vec::new();
    let side = pane.side;
    header(pane, lent, ui, &mut actions);
    let tree_width = (ui.available_width() * 0.22).clamp(100.0, 200.0);
    egui::Panel::left(("tree", side))
        .resizable(true)
        .default_size(tree_width)
        .min_size(80.0)
        .show(ui, |ui| tree(pane, ui, &mut actions));
    let mut folders = Vec::new();
    egui::CentralPanel::default().show(ui, |ui| {
        list(pane, lent.connected, ui, &mut actions, &mut folders);
    });
    pane.scroll_to_cursor = false;
    for action in actions {
        apply(pane, action, out);
    }
    folders
}

fn header(pane: &mut Pane, lent: &PaneLent, ui: &mut Ui, actions: &mut Vec<Action>) {
    let (side, focused, bookmarks) = (pane.side, lent.focused, &lent.bookmarks);
    ui.horizontal(|ui| {
        let title = match side {
            Side::Local => format!("{} This computer", icons::COMPUTER),
            Side::Remote => format!("{} Server", icons::SERVER),
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
        let up = ui.add_enabled(
            at.as_ref().is_some_and(|path| !path.is_root()),
            egui::Button::new(icons::UP),
        );
        if up.on_hover_text("Up to the parent folder (Backspace)").clicked()
            && let Some(path) = &at
        {
            actions.push(Action::Navigate(path.parent()));
        }
        if ui
            .add_enabled(pane.session.is_some(), egui::Button::new(icons::REFRESH))
            .on_hover_text("Refresh (F5)")
            .clicked()
        {
            actions.push(Action::Refresh);
        }
        if side == Side::Local && ui.button(icons::FOLDER_OPEN).on_hover_text("Choose a folder").clicked() {
            actions.push(Action::Browse);
        }
        if let Some(bookmarks) = bookmarks {
            ui.menu_button(icons::BOOKMARKS, |ui| {
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
                        (true, _) => icons::EXPANDED,
                        (false, _) => icons::COLLAPSED,
                    };
                    if ui
                        .add(Label::new(arrow).sense(Sense::click()).selectable(false))
                        .clicked()
                    {
                        actions.push(Action::TreeToggle(row.path.clone()));
                    }
                    let here = current.as_ref() == Some(&row.path);
                    let label = icons::with_words(icons::FOLDER, Some(icons::FOLDER_COLOUR), &row.name, ui);
                    if ui.selectable_label(here, label).clicked() {
                        actions.push(Action::Navigate(row.path.clone()));
                    }
                });
            }
        });
}

fn list(pane: &Pane, connected: bool, ui: &mut Ui, actions: &mut Vec<Action>, folders: &mut Vec<DropFolder>) {
    if placeholder(&pane.status, ui) {
        return;
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
    let columns = columns(side);
    let sort = pane.sort();
    let mut table = table_builder(side, columns, ui);
    if pane.scroll_to_cursor
        && let Some(cursor) = pane.cursor()
    {
        table = table.scroll_to_row(cursor, None);
    }
    table
        .header(ROW_HEIGHT, |mut header| {
            for column in columns {
                header.col(|ui| column_title(*column, sort, ui, actions));
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
                let mark = entry.and_then(|entry| pane.mark(&entry.name));
                for column in columns {
                    row.col(|ui| cell(ui, entry, mark, *column));
                }
                let response = row.response();
                let here = RowHere {
                    pane,
                    folder: &folder,
                    index,
                    entry,
                };
                row_interaction(&here, connected, &response, actions);
                if let Some(entry) = entry
                    && entry.kind == EntryKind::Dir
                {
                    folders.push(DropFolder {
                        rect: response.rect,
                        path: folder.join(&entry.name),
                    });
                }
                if shown == Row::Up {
                    folders.push(DropFolder {
                        rect: response.rect,
                        path: folder.parent(),
                    });
                }
            });
        });
    list_background(side, &background, ui, actions);
}

/// What shows instead of the list while there is none; says whether it did.
fn placeholder(status: &PaneStatus, ui: &mut Ui) -> bool {
    match status {
        PaneStatus::Ready => return false,
        PaneStatus::NotConnected => {
            ui.centered_and_justified(|ui| {
                ui.label("Not connected.\nType a server's address in the bar above and press Connect.");
            });
        }
        PaneStatus::Connecting | PaneStatus::Loading => {
            ui.centered_and_justified(|ui| {
                ui.add(egui::Spinner::new());
            });
        }
        PaneStatus::Failed(sentence) => {
            ui.add_space(ui.available_height() / 3.0);
            ui.vertical_centered(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, sentence.as_str());
            });
        }
    }
    true
}

fn columns(side: Side) -> &'static [Column] {
    match side {
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
    }
}

/// The table. Each column but the name starts as wide as what it usually holds (a whole date
/// and time, a size, permissions), measured in the current font; the name gets the rest.
/// After that the widths are the user's, remembered.
fn table_builder<'a>(side: Side, columns: &[Column], ui: &'a mut Ui) -> TableBuilder<'a> {
    let widths: Vec<f32> = columns.iter().map(|column| starting_width(*column, ui)).collect();
    let mut table = TableBuilder::new(ui)
        .id_salt(("files", side))
        .striped(true)
        .resizable(true)
        .sense(Sense::click_and_drag())
        .auto_shrink([false, false])
        .min_scrolled_height(0.0)
        .max_scroll_height(f32::INFINITY)
        .cell_layout(egui::Layout::left_to_right(Align::Center));
    for (column, width) in columns.iter().zip(widths) {
        table = match column {
            Column::Name => table.column(TableColumn::remainder().at_least(80.0).clip(true)),
            _ => table.column(TableColumn::initial(width).at_least(36.0).clip(true)),
        };
    }
    table
}

/// How wide a column starts: its usual content in the body font, plus the cell's margins.
fn starting_width(column: Column, ui: &Ui) -> f32 {
    let sample = match column {
        Column::Name => return 0.0,
        Column::Size => "999.9 MiB",
        Column::Type => "GZ file",
        Column::Modified => "2026-12-31 23:59 ",
        Column::Permissions => "rwxr-xr-x",
        Column::Owner => "www-data",
    };
    let font = egui::TextStyle::Body.resolve(ui.style());
    let text = ui.fonts_mut(|fonts| fonts.layout_no_wrap(sample.to_owned(), font, Color32::WHITE).size().x);
    // The cell's margin on each side, and room for the resize handle.
    text + ui.spacing().item_spacing.x + 6.0
}

/// A column's title: a button that sorts by it, with an arrow on the sorted one.
fn column_title(column: Column, sort: super::pane::SortOrder, ui: &mut Ui, actions: &mut Vec<Action>) {
    let arrow = match (sort.column == column, sort.ascending) {
        (true, true) => " ⏶",
        (true, false) => " ⏷",
        (false, _) => "",
    };
    ui.add(egui::Button::new(RichText::new(format!("{}{arrow}", column.title())).strong()).frame(false))
        .on_hover_text(format!("Sort by {}", column.title().to_lowercase()))
        .clicked()
        .then(|| actions.push(Action::Sort(column)));
}

/// The list's background: rows of the other pane dropped on it (not on a folder row) go into
/// this folder; a click focuses the pane; its menu makes a folder or refreshes.
fn list_background(side: Side, background: &egui::Response, ui: &mut Ui, actions: &mut Vec<Action>) {
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

fn cell(ui: &mut Ui, entry: Option<&Entry>, mark: Option<Mark>, column: Column) {
    let Some(entry) = entry else {
        if column == Column::Name {
            ui.add(Label::new(format!("{} ..", icons::PARENT)).selectable(false));
        }
        return;
    };
    let text: egui::WidgetText = match column {
        Column::Name => {
            let (icon, colour) = icons::for_entry(entry);
            let tag = mark.map(|mark| (mark.words(), mark.colour()));
            icons::with_words_and_tag(icon, colour, &entry.name, tag, ui)
        }
        Column::Size => match (entry.kind, entry.size) {
            (EntryKind::Dir, _) | (_, None) => String::new(),
            (_, Some(size)) => format::size(size),
        }
        .into(),
        Column::Type => type_of(entry).into(),
        Column::Modified => format::maybe_date(entry.modified).into(),
        Column::Permissions => entry.permissions.clone().unwrap_or_default().into(),
        Column::Owner => match (&entry.owner, &entry.group) {
            (Some(owner), Some(group)) => format!("{owner} {group}"),
            (Some(owner), None) => owner.clone(),
            (None, Some(group)) => group.clone(),
            (None, None) => String::new(),
        }
        .into(),
    };
    let label = Label::new(text).selectable(false).truncate();
    let response = ui.add(label);
    if column == Column::Name
        && let Some(target) = &entry.target
    {
        response.on_hover_text(format!("→ {target}"));
    }
}

/// The row being drawn, in its pane.
struct RowHere<'a> {
    pane: &'a Pane,
    folder: &'a RemotePath,
    index: usize,
    /// `None` for the `..` row.
    entry: Option<&'a Entry>,
}

impl RowHere<'_> {
    fn selected(&self) -> bool {
        matches!(self.pane.row(self.index), Some(Row::Entry(shown)) if self.pane.is_selected(shown))
    }

    /// The names an action on this row applies to: the selection when the row is in it. Only
    /// computed when needed (a drag starts, the menu is open), never for every row each frame.
    fn names(&self, entry: &Entry) -> Vec<String> {
        if self.selected() {
            self.pane.chosen().iter().map(|chosen| chosen.name.clone()).collect()
        } else {
            vec![entry.name.clone()]
        }
    }
}

fn row_interaction(here: &RowHere<'_>, connected: bool, response: &egui::Response, actions: &mut Vec<Action>) {
    row_clicks(here, response, actions);
    if let Some(entry) = here.entry
        && response.drag_started()
    {
        response.dnd_set_drag_payload(DraggedRows {
            from: here.pane.side,
            folder: here.folder.clone(),
            names: here.names(entry),
        });
    }
    // Drops on a folder row (or the up row) target that folder.
    let target = match here.entry {
        None => Some(here.folder.parent()),
        Some(entry) if entry.kind == EntryKind::Dir => Some(here.folder.join(&entry.name)),
        Some(_) => None,
    };
    if let Some(target) = target {
        row_drop_target(here, target, response, actions);
    }
    if let Some(entry) = here.entry {
        response.context_menu(|ui| row_menu(here, entry, connected, ui, actions));
        if here.pane.cursor() == Some(here.index) {
            keyboard_menu(here, entry, connected, response, actions);
        }
    }
}

/// The cursor row's context menu as the Menu key or Shift+F10 opens it: below the row's
/// name, since the pointer may be anywhere.
fn keyboard_menu(
    here: &RowHere<'_>,
    entry: &Entry,
    connected: bool,
    response: &egui::Response,
    actions: &mut Vec<Action>,
) {
    let open = here.pane.menu_from_keyboard.then_some(egui::SetOpenCommand::Bool(true));
    if open.is_some() {
        actions.push(Action::KeyboardMenuShown);
    }
    egui::Popup::menu(response)
        .id(response.id.with("keyboard-menu"))
        .at_position(response.rect.left_bottom() + egui::vec2(24.0, 0.0))
        .open_memory(open)
        .show(|ui| row_menu(here, entry, connected, ui, actions));
}

/// A click chooses the row (Ctrl toggles, Shift extends), a double click opens it, and a
/// right click on a row outside the selection chooses it alone.
fn row_clicks(here: &RowHere<'_>, response: &egui::Response, actions: &mut Vec<Action>) {
    let index = here.index;
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
    if here.entry.is_some() && response.secondary_clicked() && !here.selected() {
        actions.push(Action::Focus);
        actions.push(Action::Click(index, ClickMods::default()));
    }
}

/// A folder row as a drop target: rows of this pane move into it, rows of the other pane are
/// transferred into it.
fn row_drop_target(here: &RowHere<'_>, target: RemotePath, response: &egui::Response, actions: &mut Vec<Action>) {
    let folder = here.folder;
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
    let Some(dragged) = response.dnd_release_payload::<DraggedRows>() else {
        return;
    };
    let dragged: Arc<DraggedRows> = dragged;
    if dragged.from == here.pane.side {
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

fn row_menu(here: &RowHere<'_>, entry: &Entry, connected: bool, ui: &mut Ui, actions: &mut Vec<Action>) {
    let side = here.pane.side;
    let names = here.names(entry);
    let (transfer, queue) = match side {
        Side::Local => (
            format!("{} Upload (Ctrl+Enter)", icons::UPLOAD),
            "Add to queue, paused (Ctrl+Shift+Enter)",
        ),
        Side::Remote => (
            format!("{} Download (Ctrl+Enter)", icons::DOWNLOAD),
            "Add to queue, paused (Ctrl+Shift+Enter)",
        ),
    };
    for (label, paused) in [(transfer, false), (queue.to_owned(), true)] {
        if ui.add_enabled(connected, egui::Button::new(label)).clicked() {
            actions.push(Action::Transfer {
                from: side,
                names: names.clone(),
                into: None,
                paused,
            });
            ui.close();
        }
    }
    ui.separator();
    if entry.kind != EntryKind::Dir && ui.button("Open (Ctrl+O)").clicked() {
        actions.push(Action::Open(entry.name.clone()));
        ui.close();
    }
    if entry.kind == EntryKind::File && ui.button(format!("{} Edit (F4)", icons::EDIT)).clicked() {
        actions.push(Action::Edit(entry.name.clone()));
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
}

/// A context-menu entry that closes the menu and records its action.
fn menu_item(ui: &mut Ui, label: &str, action: Action, actions: &mut Vec<Action>) {
    if ui.button(label).clicked() {
        actions.push(action);
        ui.close();
    }
}

/// Applies what the user did: the pane's own changes at once, the rest as intents.
fn apply(pane: &mut Pane, action: Action, out: &mut Intents) {
    let side = pane.side;
    match action {
        Action::Focus => out.push(PaneIntent::Focus(side)),
        Action::Click(row, mods) => pane.click(row, mods),
        Action::Activate(row) => out.push(PaneIntent::Activate { side, row }),
        Action::Navigate(path) => out.push(PaneIntent::Navigate { side, path }),
        Action::Sort(column) => {
            pane.sort_by(column);
            out.push(PaneIntent::Sorted {
                side,
                sort: pane.sort(),
            });
        }
        Action::Filter(filter) => pane.set_filter(&filter),
        Action::TreeToggle(path) => {
            if pane.tree.toggle(&path) {
                out.push(PaneIntent::ListForTree { side, path });
            }
        }
        Action::Transfer {
            from,
            names,
            into,
            paused,
        } => out.push(PaneIntent::Transfer {
            from,
            names,
            into,
            paused,
        }),
        Action::MoveInto(names, target) => out.push(PaneIntent::MoveInto { side, names, target }),
        Action::Open(name) => out.push(PaneIntent::Open { side, name }),
        Action::Edit(name) => out.push(EditIntent::Start { side, name }),
        Action::Rename => out.push(PaneIntent::AskRename(side)),
        Action::Delete => out.push(PaneIntent::AskDelete(side)),
        Action::NewFolder => out.push(PaneIntent::AskNewFolder(side)),
        Action::Refresh => out.push(PaneIntent::Refresh(side)),
        Action::CopyUrl(name) => out.push(PaneIntent::CopyAddress { side, name }),
        Action::Permissions => out.push(PaneIntent::AskPermissions(side)),
        Action::Browse => out.push(WindowIntent::Pick {
            what: Pick::LocalFolder,
            start: pane.path.as_ref().map(|path| std::path::PathBuf::from(path.as_str())),
        }),
        Action::Bookmark => out.push(PaneIntent::BookmarkFolder),
        Action::KeyboardMenuShown => pane.menu_from_keyboard = false,
    }
}

/// The file-manager keys, for the pane that has the keyboard: moving the cursor and typing
/// ahead change the pane; the rest are intents.
pub fn keyboard(pane: &mut Pane, now: f64, ui: &mut Ui, out: &mut Intents) {
    let side = pane.side;
    let pressed = |ui: &mut Ui, mods: Modifiers, key: Key| ui.input_mut(|input| input.consume_key(mods, key));
    // Tab goes round: this computer, the server, the queue.
    if pressed(ui, Modifiers::NONE, Key::Tab) {
        match side {
            Side::Local => out.push(PaneIntent::Focus(Side::Remote)),
            Side::Remote => out.push(QueueIntent::Focus),
        }
        return;
    }
    move_cursor_by_keys(pane, ui);
    if pressed(ui, Modifiers::COMMAND, Key::A) {
        pane.select_all();
    }
    // Most specific first: consume_key ignores extra Shift.
    for (mods, paused) in [
        (Modifiers::COMMAND | Modifiers::SHIFT, true),
        (Modifiers::COMMAND, false),
    ] {
        if pressed(ui, mods, Key::Enter) {
            let names: Vec<String> = pane.chosen().iter().map(|entry| entry.name.clone()).collect();
            if !names.is_empty() {
                out.push(PaneIntent::Transfer {
                    from: side,
                    names,
                    into: None,
                    paused,
                });
            }
        }
    }
    // The one chosen entry, looked up only when a key asks for it: with 100,000 entries
    // selected, collecting the choice every frame would cost the frame.
    let single = |pane: &Pane| match pane.chosen().as_slice() {
        [entry] => Some((entry.name.clone(), entry.kind == EntryKind::Dir)),
        _ => None,
    };
    if pressed(ui, Modifiers::COMMAND, Key::O)
        && let Some((name, false)) = single(pane)
    {
        out.push(PaneIntent::Open { side, name });
    }
    if (pressed(ui, Modifiers::NONE, Key::Menu) || pressed(ui, Modifiers::SHIFT, Key::F10)) && pane.cursor().is_some() {
        pane.menu_from_keyboard = true;
        pane.scroll_to_cursor = true;
    }
    if pressed(ui, Modifiers::NONE, Key::F4)
        && let Some((name, false)) = single(pane)
    {
        out.push(EditIntent::Start { side, name });
    }
    if pressed(ui, Modifiers::COMMAND | Modifiers::SHIFT, Key::C)
        && let Some((name, _)) = single(pane)
    {
        out.push(PaneIntent::CopyAddress { side, name });
    }
    if pressed(ui, Modifiers::COMMAND, Key::P) {
        out.push(PaneIntent::AskPermissions(side));
    }
    if pressed(ui, Modifiers::NONE, Key::Enter)
        && let Some(row) = pane.cursor()
    {
        out.push(PaneIntent::Activate { side, row });
    }
    if pressed(ui, Modifiers::NONE, Key::Backspace)
        && let Some(path) = &pane.path
    {
        out.push(PaneIntent::Navigate {
            side,
            path: path.parent(),
        });
    }
    for (key, intent) in [
        (Key::F5, PaneIntent::Refresh(side)),
        (Key::F2, PaneIntent::AskRename(side)),
        (Key::Delete, PaneIntent::AskDelete(side)),
        (Key::F7, PaneIntent::AskNewFolder(side)),
    ] {
        if pressed(ui, Modifiers::NONE, key) {
            out.push(intent);
        }
    }
    let typed = typed_text(ui);
    if !typed.is_empty() {
        pane.type_ahead(&typed, now);
    }
}

/// Arrows, Page Up/Down, Home and End move the cursor; with Shift they extend the selection.
fn move_cursor_by_keys(pane: &mut Pane, ui: &mut Ui) {
    for (key, rows) in [
        (Key::ArrowDown, 1isize),
        (Key::ArrowUp, -1),
        (Key::PageDown, 20),
        (Key::PageUp, -20),
        (Key::End, isize::MAX / 2),
        (Key::Home, -(isize::MAX / 2)),
    ] {
        if ui.input_mut(|input| input.consume_key(Modifiers::SHIFT, key)) {
            pane.move_cursor(rows, true);
        } else if ui.input_mut(|input| input.consume_key(Modifiers::NONE, key)) {
            pane.move_cursor(rows, false);
        }
    }
}

/// Text typed this frame without a command key: type-ahead.
fn typed_text(ui: &Ui) -> String {
    ui.input(|input| {
        if input.modifiers.command || input.modifiers.ctrl || input.modifiers.alt {
            return String::new();
        }
        input
            .events
            .iter()
            .filter_map(|event| match event {
                egui::Event::Text(text) => Some(text.as_str()),
                _ => None,
            })
            .collect()
    })
}
