//! A pane's folder tree: the folders seen so far, with the path to the current folder always
//! open. It is drawn as a flat list of rows (depth, name), rebuilt only when something changed,
//! so a folder with thousands of subfolders costs nothing per frame.

use std::collections::{BTreeMap, HashSet};

use crate::engine::api::{Entry, EntryKind, RemotePath};

/// One visible row of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    pub path: RemotePath,
    pub name: String,
    pub depth: usize,
    /// `None` while the folder was never listed (it may or may not have subfolders).
    pub has_children: Option<bool>,
    pub expanded: bool,
}

#[derive(Default)]
pub struct FolderTree {
    /// Subfolder names of every folder listed so far, sorted.
    children: BTreeMap<RemotePath, Vec<String>>,
    expanded: HashSet<RemotePath>,
    /// Folders known only as the way to the current folder: their other children are not
    /// known until they are listed.
    partial: HashSet<RemotePath>,
    rows: Vec<TreeRow>,
    dirty: bool,
}

impl FolderTree {
    /// Remembers the subfolders (and links, which may be folders) of a listed folder.
    pub fn learn(&mut self, path: &RemotePath, entries: &[Entry]) {
        let mut folders: Vec<String> = entries
            .iter()
            .filter(|entry| entry.kind == EntryKind::Dir)
            .map(|entry| entry.name.clone())
            .collect();
        folders.sort_by(|a, b| natord::compare_ignore_case(a, b));
        self.children.insert(path.clone(), folders);
        self.partial.remove(path);
        self.dirty = true;
    }

    /// Opens every folder from the root down to `path`.
    /// Folders above it that were never listed show only the way down.
    pub fn reveal(&mut self, path: &RemotePath) {
        let mut folder = path.clone();
        loop {
            self.expanded.insert(folder.clone());
            let parent = folder.parent();
            if folder.is_root() || parent == folder {
                break;
            }
            if let Some(name) = folder.file_name()
                && (self.partial.contains(&parent) || !self.children.contains_key(&parent))
            {
                let children = self.children.entry(parent.clone()).or_default();
                if !children.iter().any(|child| child == name) {
                    children.push(name.to_owned());
                    children.sort_by(|a, b| natord::compare_ignore_case(a, b));
                }
                self.partial.insert(parent.clone());
            }
            folder = parent;
        }
        self.dirty = true;
    }

    /// Opens or closes a folder; says whether it must be listed first to know its children.
    pub fn toggle(&mut self, path: &RemotePath) -> bool {
        self.dirty = true;
        if self.partial.contains(path) {
            // Open, but showing only the way down: list it to show the rest.
            self.expanded.insert(path.clone());
            return true;
        }
        if !self.expanded.remove(path) {
            self.expanded.insert(path.clone());
            return !self.children.contains_key(path);
        }
        false
    }

    pub fn rows(&mut self) -> &[TreeRow] {
        if self.dirty {
            self.dirty = false;
            let mut rows = Vec::new();
            let root = RemotePath::new("/");
            if self.children.contains_key(&root) || self.expanded.contains(&root) {
                self.push_rows(&root, "/".to_owned(), 0, &mut rows);
            } else if let Some(top) = self.children.keys().next().cloned() {
                // A server whose paths are relative to the login folder (`~`).
                self.push_rows(&top, top.to_string(), 0, &mut rows);
            }
            self.rows = rows;
        }
        &self.rows
    }

    fn push_rows(&self, path: &RemotePath, name: String, depth: usize, rows: &mut Vec<TreeRow>) {
        let children = self.children.get(path);
        let expanded = self.expanded.contains(path);
        rows.push(TreeRow {
            path: path.clone(),
            name,
            depth,
            has_children: children.map(|children| !children.is_empty()),
            expanded,
        });
        if expanded && let Some(children) = children {
            for child in children {
                self.push_rows(&path.join(child), child.clone(), depth + 1, rows);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(names: &[&str]) -> Vec<Entry> {
        names.iter().map(|name| Entry::new(*name, EntryKind::Dir)).collect()
    }

    #[test]
    fn the_path_to_the_current_folder_is_open_and_others_wait_to_be_listed() {
        let mut tree = FolderTree::default();
        tree.learn(&RemotePath::new("/"), &dirs(&["srv", "home"]));
        tree.learn(&RemotePath::new("/srv"), &dirs(&["www"]));
        tree.reveal(&RemotePath::new("/srv"));
        let shown: Vec<_> = tree.rows().iter().map(|row| (row.depth, row.name.clone())).collect();
        assert_eq!(
            shown,
            [
                (0, "/".into()),
                (1, "home".into()),
                (1, "srv".into()),
                (2, "www".into())
            ]
        );
        assert!(tree.toggle(&RemotePath::new("/home")), "never listed: list it first");
        assert!(!tree.toggle(&RemotePath::new("/srv")), "closing needs nothing");
        assert_eq!(tree.rows().len(), 3);
    }

    #[test]
    fn folders_above_a_listed_one_show_the_way_down_until_listed() {
        let mut tree = FolderTree::default();
        tree.learn(&RemotePath::new("/home/me"), &dirs(&["docs"]));
        tree.reveal(&RemotePath::new("/home/me"));
        let shown: Vec<_> = tree.rows().iter().map(|row| (row.depth, row.name.clone())).collect();
        assert_eq!(
            shown,
            [
                (0, "/".into()),
                (1, "home".into()),
                (2, "me".into()),
                (3, "docs".into())
            ]
        );
        assert!(
            tree.toggle(&RemotePath::new("/home")),
            "only the way down is known: list it"
        );
        tree.learn(&RemotePath::new("/home"), &dirs(&["me", "you"]));
        let names: Vec<_> = tree.rows().iter().map(|row| row.name.clone()).collect();
        assert_eq!(names, ["/", "home", "me", "docs", "you"]);
    }
}
