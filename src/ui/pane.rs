//! What one side of the window knows: the folder it shows, its entries, how they are sorted
//! and filtered, which rows are selected, where the keyboard cursor is. No drawing here: the
//! pane's view reads this model and turns clicks and keys into calls on it, so the rules
//! (folders first, Shift ranges, type-ahead) are tested without a window.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::compare::Mark;
use super::tree::FolderTree;
use crate::engine::api::{Entry, EntryKind, RemotePath, SessionId};

/// Which side a pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    /// This computer.
    Local,
    /// The server.
    Remote,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Local => Side::Remote,
            Side::Remote => Side::Local,
        }
    }
}

/// The file list's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Column {
    Name,
    Size,
    Type,
    Modified,
    Permissions,
    Owner,
}

impl Column {
    pub fn title(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::Size => "Size",
            Column::Type => "Type",
            Column::Modified => "Modified",
            Column::Permissions => "Permissions",
            Column::Owner => "Owner/Group",
        }
    }
}

/// How the list is sorted; folders always come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortOrder {
    pub column: Column,
    pub ascending: bool,
}

impl Default for SortOrder {
    fn default() -> Self {
        SortOrder {
            column: Column::Name,
            ascending: true,
        }
    }
}

/// Whether there is something to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaneStatus {
    /// The remote pane before a connection.
    NotConnected,
    Connecting,
    Loading,
    Ready,
    /// The folder could not be read; the sentence says why.
    Failed(String),
}

/// One row of the list: the "up" row, or an entry (by its index in the listing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Up,
    Entry(usize),
}

/// How a selection click was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClickMods {
    /// Ctrl (Cmd on macOS): toggle one row.
    pub toggle: bool,
    /// Shift: select the range from the anchor.
    pub range: bool,
}

/// What opening a row means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activation {
    /// Enter this folder.
    Open(RemotePath),
    /// Transfer these entries (their names) to the other pane's folder.
    Transfer(Vec<String>),
}

/// Type-ahead keys typed within this many seconds of each other form one prefix.
const TYPE_AHEAD_PAUSE: f64 = 1.0;

pub struct Pane {
    pub side: Side,
    /// The browsing session behind this pane (the local one for `Side::Local`).
    pub session: Option<SessionId>,
    /// The folder shown; `None` before the first listing.
    pub path: Option<RemotePath>,
    /// The path bar's text while the user edits it.
    pub path_text: String,
    pub status: PaneStatus,
    entries: Vec<Entry>,
    /// Entry indices in display order (filtered and sorted).
    view: Vec<usize>,
    /// Lower-cased names, computed once per listing for sorting, filtering and type-ahead.
    folded: Vec<String>,
    selected: Vec<bool>,
    selected_count: usize,
    sort: SortOrder,
    filter: String,
    /// The keyboard cursor, as a row index.
    cursor: Option<usize>,
    anchor: Option<usize>,
    type_ahead: String,
    type_ahead_at: f64,
    /// Set when the cursor moved by keyboard, so the view scrolls to it once.
    pub scroll_to_cursor: bool,
    /// The Menu key or Shift+F10 asked for the cursor row's context menu.
    pub menu_from_keyboard: bool,
    pub tree: FolderTree,
    /// Compare's marks for this folder's entries, by name (empty when Compare is off).
    marks: HashMap<String, Mark>,
    /// Compare's "show only differences": rows without a mark are hidden.
    differences_only: bool,
}

impl Pane {
    pub fn new(side: Side, sort: SortOrder) -> Self {
        Pane {
            side,
            session: None,
            path: None,
            path_text: String::new(),
            status: match side {
                Side::Local => PaneStatus::Loading,
                Side::Remote => PaneStatus::NotConnected,
            },
            entries: Vec::new(),
            view: Vec::new(),
            folded: Vec::new(),
            selected: Vec::new(),
            selected_count: 0,
            sort,
            filter: String::new(),
            cursor: None,
            anchor: None,
            type_ahead: String::new(),
            type_ahead_at: f64::NEG_INFINITY,
            menu_from_keyboard: false,
            scroll_to_cursor: false,
            tree: FolderTree::default(),
            marks: HashMap::new(),
            differences_only: false,
        }
    }

    /// Compare's marks for the folder shown, by entry name.
    pub fn set_marks(&mut self, marks: HashMap<String, Mark>, differences_only: bool) {
        self.marks = marks;
        self.differences_only = differences_only;
        self.keep_cursor_entry(Pane::rebuild_view);
    }

    /// How an entry differs from the other pane's, when Compare is on.
    pub fn mark(&self, name: &str) -> Option<Mark> {
        self.marks.get(name).copied()
    }

    /// Shows a folder's listing. When it is the parent of the folder shown before, the
    /// cursor lands on that folder, as in every file manager.
    pub fn show_listing(&mut self, path: RemotePath, entries: Vec<Entry>) {
        let came_from = self
            .path
            .as_ref()
            .filter(|previous| previous.parent() == path && **previous != path)
            .and_then(|previous| previous.file_name().map(str::to_owned));
        self.tree.learn(&path, &entries);
        self.tree.reveal(&path);
        self.path_text = path.to_string();
        self.path = Some(path);
        self.folded = entries.iter().map(|entry| entry.name.to_lowercase()).collect();
        // Another folder: marks (and the filter by them) come again once both panes are
        // listed; until then every row shows.
        self.marks.clear();
        self.differences_only = false;
        self.selected = vec![false; entries.len()];
        self.selected_count = 0;
        self.entries = entries;
        self.status = PaneStatus::Ready;
        self.anchor = None;
        self.type_ahead.clear();
        self.rebuild_view();
        self.cursor = came_from
            .and_then(|name| self.row_of_name(&name))
            .or(if self.row_count() > 0 { Some(0) } else { None });
        self.scroll_to_cursor = true;
    }

    /// Forgets everything shown (a disconnect).
    pub fn clear(&mut self, status: PaneStatus) {
        self.entries.clear();
        self.view.clear();
        self.folded.clear();
        self.selected.clear();
        self.selected_count = 0;
        self.cursor = None;
        self.anchor = None;
        self.path = None;
        self.status = status;
        self.tree = FolderTree::default();
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn entry(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }

    pub fn sort(&self) -> SortOrder {
        self.sort
    }

    /// Sorts by `column`; choosing the same column again reverses the order.
    pub fn sort_by(&mut self, column: Column) {
        if self.sort.column == column {
            self.sort.ascending = !self.sort.ascending;
        } else {
            self.sort = SortOrder {
                column,
                ascending: true,
            };
        }
        self.keep_cursor_entry(Self::rebuild_view);
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn set_filter(&mut self, filter: &str) {
        if filter != self.filter {
            filter.clone_into(&mut self.filter);
            self.keep_cursor_entry(Self::rebuild_view);
        }
    }

    /// Whether the "up" row is shown (not at the root).
    fn has_up(&self) -> bool {
        self.path.as_ref().is_some_and(|path| !path.is_root())
    }

    pub fn row_count(&self) -> usize {
        self.view.len() + usize::from(self.has_up())
    }

    pub fn row(&self, row: usize) -> Option<Row> {
        if self.has_up() {
            match row {
                0 => Some(Row::Up),
                _ => self.view.get(row - 1).map(|&index| Row::Entry(index)),
            }
        } else {
            self.view.get(row).map(|&index| Row::Entry(index))
        }
    }

    fn row_of_entry(&self, index: usize) -> Option<usize> {
        let position = self.view.iter().position(|&shown| shown == index)?;
        Some(position + usize::from(self.has_up()))
    }

    fn row_of_name(&self, name: &str) -> Option<usize> {
        let index = self.entries.iter().position(|entry| entry.name == name)?;
        self.row_of_entry(index)
    }

    pub fn cursor(&self) -> Option<usize> {
        self.cursor
    }

    pub fn is_selected(&self, index: usize) -> bool {
        self.selected.get(index).copied().unwrap_or(false)
    }

    pub fn selected_count(&self) -> usize {
        self.selected_count
    }

    /// What an action applies to: the selected entries, or the one under the cursor.
    pub fn chosen(&self) -> Vec<&Entry> {
        if self.selected_count > 0 {
            self.view
                .iter()
                .filter(|&&index| self.selected[index])
                .map(|&index| &self.entries[index])
                .collect()
        } else {
            match self.cursor.and_then(|row| self.row(row)) {
                Some(Row::Entry(index)) => vec![&self.entries[index]],
                _ => Vec::new(),
            }
        }
    }

    fn set_selected(&mut self, index: usize, on: bool) {
        if let Some(slot) = self.selected.get_mut(index)
            && *slot != on
        {
            *slot = on;
            if on {
                self.selected_count += 1;
            } else {
                self.selected_count -= 1;
            }
        }
    }

    fn clear_selection(&mut self) {
        if self.selected_count > 0 {
            self.selected.iter_mut().for_each(|slot| *slot = false);
            self.selected_count = 0;
        }
    }

    /// A click on a row: plain selects it alone, Ctrl toggles it, Shift selects the range
    /// from the last plain or Ctrl click.
    pub fn click(&mut self, row: usize, mods: ClickMods) {
        if mods.range {
            let anchor = self.anchor.unwrap_or(row);
            if !mods.toggle {
                self.clear_selection();
            }
            let (low, high) = (anchor.min(row), anchor.max(row));
            for between in low..=high {
                if let Some(Row::Entry(index)) = self.row(between) {
                    self.set_selected(index, true);
                }
            }
        } else if mods.toggle {
            if let Some(Row::Entry(index)) = self.row(row) {
                let on = !self.is_selected(index);
                self.set_selected(index, on);
            }
            self.anchor = Some(row);
        } else {
            self.clear_selection();
            if let Some(Row::Entry(index)) = self.row(row) {
                self.set_selected(index, true);
            }
            self.anchor = Some(row);
        }
        self.cursor = Some(row);
    }

    /// Arrow keys: moves the cursor by `delta` rows (a page with PageUp/PageDown, to the
    /// ends with Home/End), selecting what it lands on; with Shift the range grows.
    pub fn move_cursor(&mut self, delta: isize, extend: bool) {
        let count = self.row_count();
        if count == 0 {
            return;
        }
        let from = self.cursor.unwrap_or(0);
        let to = if self.cursor.is_none() {
            0
        } else {
            from.saturating_add_signed(delta).min(count - 1)
        };
        if extend {
            if self.anchor.is_none() {
                self.anchor = Some(from);
            }
            self.click(
                to,
                ClickMods {
                    toggle: false,
                    range: true,
                },
            );
        } else {
            self.click(to, ClickMods::default());
        }
        self.scroll_to_cursor = true;
    }

    pub fn select_all(&mut self) {
        for position in 0..self.view.len() {
            let index = self.view[position];
            self.set_selected(index, true);
        }
    }

    /// Type-ahead: letters typed in quick succession jump to the first name (from the top)
    /// that starts with them, ignoring case.
    pub fn type_ahead(&mut self, text: &str, now: f64) {
        if now - self.type_ahead_at > TYPE_AHEAD_PAUSE {
            self.type_ahead.clear();
        }
        self.type_ahead_at = now;
        self.type_ahead.push_str(&text.to_lowercase());
        let prefix = self.type_ahead.as_str();
        let found = self
            .view
            .iter()
            .position(|&index| self.folded[index].starts_with(prefix));
        if let Some(position) = found {
            let row = position + usize::from(self.has_up());
            self.click(row, ClickMods::default());
            self.scroll_to_cursor = true;
        }
    }

    /// What Enter or a double click on `row` does.
    pub fn activate(&self, row: usize) -> Option<Activation> {
        let path = self.path.as_ref()?;
        match self.row(row)? {
            Row::Up => Some(Activation::Open(path.parent())),
            Row::Entry(index) => {
                let entry = &self.entries[index];
                match entry.kind {
                    EntryKind::Dir => Some(Activation::Open(path.join(&entry.name))),
                    // A link may point to a folder: try to enter it; the server says if not.
                    EntryKind::Link if entry.size.is_none() => Some(Activation::Open(path.join(&entry.name))),
                    _ => {
                        let chosen = self.chosen();
                        let names = if chosen.iter().any(|chosen| chosen.name == entry.name) {
                            chosen.iter().map(|entry| entry.name.clone()).collect()
                        } else {
                            vec![entry.name.clone()]
                        };
                        Some(Activation::Transfer(names))
                    }
                }
            }
        }
    }

    /// Runs `change` and keeps the cursor on the same entry.
    fn keep_cursor_entry(&mut self, change: fn(&mut Pane)) {
        let under_cursor = match self.cursor.and_then(|row| self.row(row)) {
            Some(Row::Entry(index)) => Some(index),
            _ => None,
        };
        change(self);
        self.cursor = under_cursor
            .and_then(|index| self.row_of_entry(index))
            .or(if self.row_count() > 0 { Some(0) } else { None });
    }

    fn rebuild_view(&mut self) {
        let filter = self.filter.to_lowercase();
        let mut view: Vec<usize> = (0..self.entries.len())
            .filter(|&index| filter.is_empty() || self.folded[index].contains(&filter))
            .filter(|&index| !self.differences_only || self.marks.contains_key(&self.entries[index].name))
            .collect();
        let (entries, folded, sort) = (&self.entries, &self.folded, self.sort);
        view.sort_by(|&a, &b| compare(&entries[a], &entries[b], &folded[a], &folded[b], sort));
        self.view = view;
        // Hidden rows stay selected only while visible: an action never hits what the
        // user cannot see.
        if self.selected_count > 0 {
            let mut visible = vec![false; self.entries.len()];
            for &index in &self.view {
                visible[index] = true;
            }
            for (index, visible) in visible.into_iter().enumerate() {
                if !visible {
                    self.set_selected(index, false);
                }
            }
        }
    }
}

/// The "type" column: folder, link, or the extension.
pub fn type_of(entry: &Entry) -> String {
    match entry.kind {
        EntryKind::Dir => "Folder".to_owned(),
        EntryKind::Link => "Link".to_owned(),
        EntryKind::Other => "Special".to_owned(),
        EntryKind::File => match entry.name.rsplit_once('.') {
            Some((stem, extension)) if !stem.is_empty() && !extension.is_empty() => {
                format!("{} file", extension.to_uppercase())
            }
            _ => "File".to_owned(),
        },
    }
}

fn owner_of(entry: &Entry) -> String {
    match (&entry.owner, &entry.group) {
        (Some(owner), Some(group)) => format!("{owner} {group}"),
        (Some(owner), None) => owner.clone(),
        (None, Some(group)) => group.clone(),
        (None, None) => String::new(),
    }
}

/// Folders first (whatever the direction), then the column, then the name as a tie-break.
fn compare(a: &Entry, b: &Entry, a_folded: &str, b_folded: &str, sort: SortOrder) -> Ordering {
    let folders_first = b.is_dir().cmp(&a.is_dir());
    if folders_first != Ordering::Equal {
        return folders_first;
    }
    let by_name = natord::compare(a_folded, b_folded).then_with(|| a.name.cmp(&b.name));
    let by_column = match sort.column {
        Column::Name => Ordering::Equal,
        Column::Size => a.size.cmp(&b.size),
        Column::Type => type_of(a).cmp(&type_of(b)),
        Column::Modified => a.modified.cmp(&b.modified),
        Column::Permissions => a.permissions.cmp(&b.permissions),
        Column::Owner => owner_of(a).cmp(&owner_of(b)),
    };
    let ordered = by_column.then(by_name);
    if sort.ascending { ordered } else { ordered.reverse() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: u64) -> Entry {
        Entry {
            size: Some(size),
            ..Entry::new(name, EntryKind::File)
        }
    }

    fn pane_with(names: &[Entry]) -> Pane {
        let mut pane = Pane::new(Side::Remote, SortOrder::default());
        pane.show_listing(RemotePath::new("/srv"), names.to_vec());
        pane
    }

    fn shown(pane: &Pane) -> Vec<String> {
        (0..pane.row_count())
            .map(|row| match pane.row(row) {
                Some(Row::Up) => "..".to_owned(),
                Some(Row::Entry(index)) => pane.entries()[index].name.clone(),
                None => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn folders_come_first_and_names_sort_naturally() {
        let mut pane = pane_with(&[
            file("file10.txt", 1),
            Entry::new("zeta", EntryKind::Dir),
            file("File2.txt", 30),
            Entry::new("alpha", EntryKind::Dir),
        ]);
        assert_eq!(shown(&pane), ["..", "alpha", "zeta", "File2.txt", "file10.txt"]);
        pane.sort_by(Column::Size);
        assert_eq!(shown(&pane), ["..", "alpha", "zeta", "file10.txt", "File2.txt"]);
        pane.sort_by(Column::Size);
        assert_eq!(
            shown(&pane),
            ["..", "zeta", "alpha", "File2.txt", "file10.txt"],
            "descending, folders still first"
        );
    }

    #[test]
    fn the_filter_hides_rows_and_their_selection() {
        let mut pane = pane_with(&[file("a.txt", 1), file("b.log", 1), file("c.txt", 1)]);
        pane.select_all();
        pane.set_filter("TXT");
        assert_eq!(shown(&pane), ["..", "a.txt", "c.txt"]);
        let chosen: Vec<_> = pane.chosen().iter().map(|entry| entry.name.clone()).collect();
        assert_eq!(chosen, ["a.txt", "c.txt"]);
    }

    #[test]
    fn shift_and_ctrl_clicks_select_like_a_file_manager() {
        let mut pane = pane_with(&[file("a", 1), file("b", 1), file("c", 1), file("d", 1)]);
        pane.click(1, ClickMods::default());
        pane.click(
            3,
            ClickMods {
                range: true,
                ..ClickMods::default()
            },
        );
        let names = |pane: &Pane| pane.chosen().iter().map(|entry| entry.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&pane), ["a", "b", "c"]);
        pane.click(
            2,
            ClickMods {
                toggle: true,
                ..ClickMods::default()
            },
        );
        assert_eq!(names(&pane), ["a", "c"]);
        pane.click(0, ClickMods::default());
        assert_eq!(names(&pane), Vec::<String>::new(), "the up row is never selected");
        pane.move_cursor(2, false);
        pane.move_cursor(2, true);
        assert_eq!(names(&pane), ["b", "c", "d"]);
    }

    #[test]
    fn type_ahead_jumps_to_the_prefix_and_starts_over_after_a_pause() {
        let mut pane = pane_with(&[file("apple", 1), file("banana", 1), file("blueberry", 1)]);
        pane.type_ahead("b", 10.0);
        pane.type_ahead("l", 10.3);
        assert_eq!(pane.chosen()[0].name, "blueberry");
        pane.type_ahead("a", 12.0);
        assert_eq!(pane.chosen()[0].name, "apple");
    }

    #[test]
    fn going_up_puts_the_cursor_on_the_folder_we_left() {
        let mut pane = pane_with(&[Entry::new("a", EntryKind::Dir), Entry::new("b", EntryKind::Dir)]);
        assert_eq!(pane.activate(2), Some(Activation::Open(RemotePath::new("/srv/b"))));
        pane.show_listing(RemotePath::new("/srv/b"), vec![file("inner", 1)]);
        assert_eq!(pane.activate(0), Some(Activation::Open(RemotePath::new("/srv"))));
        pane.show_listing(
            RemotePath::new("/srv"),
            vec![Entry::new("a", EntryKind::Dir), Entry::new("b", EntryKind::Dir)],
        );
        assert_eq!(pane.cursor(), Some(2));
    }

    #[test]
    fn activating_a_file_transfers_the_selection_it_belongs_to() {
        let mut pane = pane_with(&[file("a", 1), file("b", 1), file("c", 1)]);
        pane.click(1, ClickMods::default());
        pane.click(
            2,
            ClickMods {
                toggle: true,
                ..ClickMods::default()
            },
        );
        assert_eq!(
            pane.activate(2),
            Some(Activation::Transfer(vec!["a".into(), "b".into()]))
        );
        assert_eq!(pane.activate(3), Some(Activation::Transfer(vec!["c".into()])));
    }
}
