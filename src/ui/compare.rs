//! Compare: how the two panes' folders differ, row by row. The engine's sync planner does
//! the comparing (the same rules as `wharf sync`: sizes, and times within each side's
//! precision); this turns the panes' listings into its trees and its plan into a mark per
//! name and side, which the panes draw and can filter by.

use std::collections::HashMap;

use egui::Color32;

use crate::engine::api::{Entry, Reason, SyncAction, SyncPlan, TimeSource, Tree, TreeEntry};

/// How a row differs from its namesake in the other pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The other side has nothing of this name.
    OnlyHere,
    /// Changed more recently than the other side's.
    Newer,
    /// Changed longer ago than the other side's.
    Older,
    /// Another size (times aside), or a file against a folder.
    Differs,
}

impl Mark {
    pub const ALL: [Mark; 4] = [Mark::OnlyHere, Mark::Newer, Mark::Older, Mark::Differs];

    pub fn words(self) -> &'static str {
        match self {
            Mark::OnlyHere => "only here",
            Mark::Newer => "newer",
            Mark::Older => "older",
            Mark::Differs => "different size",
        }
    }

    pub fn colour(self) -> Color32 {
        match self {
            Mark::OnlyHere => Color32::from_rgb(0x3b, 0x82, 0xf6),
            Mark::Newer => Color32::from_rgb(0x16, 0xa3, 0x4a),
            Mark::Older => Color32::from_rgb(0xd9, 0x77, 0x06),
            Mark::Differs => Color32::from_rgb(0xdc, 0x26, 0x26),
        }
    }
}

/// The marks of both panes, by entry name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Marks {
    pub local: HashMap<String, Mark>,
    pub remote: HashMap<String, Mark>,
}

/// A pane's listing as a one-level tree for the planner.
pub fn tree_of(entries: &[Entry], times: TimeSource) -> Tree {
    Tree {
        entries: entries
            .iter()
            .map(|entry| TreeEntry {
                path: entry.name.clone(),
                kind: entry.kind,
                size: entry.size,
                modified: entry.modified,
                checksum: None,
            })
            .collect(),
        refused: Vec::new(),
        exists: true,
        times: Some(times),
        // Compare looks at what is there; how a copy would be stamped does not matter.
        keeps_times: true,
    }
}

/// The marks of a plan of the local folder (source) onto the server's (target).
pub fn marks_of(plan: &SyncPlan) -> Marks {
    let mut marks = Marks::default();
    for entry in &plan.entries {
        let (local, remote) = match (entry.action, entry.reason) {
            (SyncAction::Copy, _) => (Some(Mark::OnlyHere), None),
            (SyncAction::Skip, Reason::OnlyOnTarget) | (SyncAction::Delete, _) => (None, Some(Mark::OnlyHere)),
            (_, Reason::SourceNewer { .. }) => (Some(Mark::Newer), Some(Mark::Older)),
            (_, Reason::TargetNewer { .. }) => (Some(Mark::Older), Some(Mark::Newer)),
            (SyncAction::Update | SyncAction::Conflict, _) => (Some(Mark::Differs), Some(Mark::Differs)),
            (SyncAction::Skip, _) => (None, None),
        };
        // Only the folder's own rows: the plan of one level has no deeper paths.
        if let Some(mark) = local {
            marks.local.insert(entry.path.clone(), mark);
        }
        if let Some(mark) = remote {
            marks.remote.insert(entry.path.clone(), mark);
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::api::{EntryKind, PlanEntry};

    fn planned(path: &str, action: SyncAction, reason: Reason) -> PlanEntry {
        PlanEntry {
            path: path.into(),
            kind: EntryKind::File,
            action,
            reason,
            size: Some(1),
        }
    }

    #[test]
    fn each_kind_of_difference_marks_its_side() {
        let plan = SyncPlan {
            entries: vec![
                planned("new.txt", SyncAction::Copy, Reason::Missing),
                planned("old.txt", SyncAction::Skip, Reason::OnlyOnTarget),
                planned("edited.txt", SyncAction::Update, Reason::SourceNewer { seconds: 60 }),
                planned("theirs.txt", SyncAction::Update, Reason::TargetNewer { seconds: 60 }),
                planned(
                    "grown.txt",
                    SyncAction::Update,
                    Reason::SizeDiffers { source: 1, target: 2 },
                ),
                planned("same.txt", SyncAction::Skip, Reason::Same),
            ],
            time_offset_minutes: None,
        };
        let marks = marks_of(&plan);
        let local = |name: &str| marks.local.get(name).copied();
        let remote = |name: &str| marks.remote.get(name).copied();
        assert_eq!((local("new.txt"), remote("new.txt")), (Some(Mark::OnlyHere), None));
        assert_eq!((local("old.txt"), remote("old.txt")), (None, Some(Mark::OnlyHere)));
        assert_eq!(
            (local("edited.txt"), remote("edited.txt")),
            (Some(Mark::Newer), Some(Mark::Older))
        );
        assert_eq!(
            (local("theirs.txt"), remote("theirs.txt")),
            (Some(Mark::Older), Some(Mark::Newer))
        );
        assert_eq!(
            (local("grown.txt"), remote("grown.txt")),
            (Some(Mark::Differs), Some(Mark::Differs))
        );
        assert_eq!((local("same.txt"), remote("same.txt")), (None, None));
    }
}
