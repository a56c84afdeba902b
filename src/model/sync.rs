//! What folder synchronisation works on and produces, as plain data: a folder's tree as one
//! side lists it ([`Tree`]), what the user asked for ([`SyncOptions`]), and the plan the
//! engine's planner makes of two trees ([`SyncPlan`]): one [`PlanEntry`] per path, each with
//! its [`SyncAction`] and the [`Reason`] for it. Nothing here does I/O or decides anything.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::EntryKind;

/// The folder in a sync's target that holds what syncs replaced or deleted, one folder per
/// run; never synchronised, deleted or compared.
pub const TRASH: &str = ".wharf-trash";

/// The folders, relative to a sync's target, that moving `path` into the run's trash
/// `trash` (`.wharf-trash/<time>`) needs, from the top: `.wharf-trash`, the run's, then the
/// path's own parents.
pub fn trash_folders(trash: &str, path: &str) -> Vec<String> {
    let mut folders = vec![TRASH.to_owned(), trash.to_owned()];
    if let Some((parent, _)) = path.rsplit_once('/') {
        let mut below = trash.to_owned();
        for name in parent.split('/') {
            below = format!("{below}/{name}");
            folders.push(below.clone());
        }
    }
    folders
}

/// How exact a side's modification times are. Local disks and SFTP give seconds (or
/// better); an FTP `LIST` line gives the minute, or only the day for older files, and may
/// be in the server's local time instead of UTC.
/// Not knowing, a listing's times are taken as a listing's (the tolerant reading).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeSource {
    Exact,
    #[default]
    Listing,
}

/// One file or folder below a tree's root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeEntry {
    /// Relative to the root, folders separated by `/`, never empty, never `..`.
    pub path: String,
    pub kind: EntryKind,
    pub size: Option<u64>,
    pub modified: Option<DateTime<Utc>>,
    /// The file's digest as `ALGORITHM:hex` (`SHA-256:9f86…`), when `--checksum` asked for
    /// it and the side could give it.
    pub checksum: Option<String>,
}

/// A folder and everything below it, as one side listed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tree {
    /// Parents come before their children.
    pub entries: Vec<TreeEntry>,
    /// Names the listing refused (see `model::names`), as sentences.
    pub refused: Vec<String>,
    /// Whether the root itself exists (a sync to a new folder creates it).
    pub exists: bool,
    pub times: Option<TimeSource>,
    /// Whether a file copied here can be given its source's time. A server that cannot
    /// (FTP without MFMT) stamps the copy with the time of the upload.
    pub keeps_times: bool,
}

impl Tree {
    /// The files this tree and `other` both have, with the same size: the ones whose
    /// checksums `--checksum` compares.
    pub fn same_size_files(&self, other: &Tree) -> Vec<String> {
        let sizes: std::collections::HashMap<&str, Option<u64>> = other
            .entries
            .iter()
            .filter(|entry| entry.kind == EntryKind::File)
            .map(|entry| (entry.path.as_str(), entry.size))
            .collect();
        self.entries
            .iter()
            .filter(|entry| entry.kind == EntryKind::File && sizes.get(entry.path.as_str()) == Some(&entry.size))
            .map(|entry| entry.path.clone())
            .collect()
    }

    /// Gives the entries at `paths` their checksums (`sums` in the same order).
    pub fn attach_checksums(&mut self, paths: &[String], sums: Vec<Option<String>>) {
        let sums: std::collections::HashMap<&str, Option<String>> =
            paths.iter().map(String::as_str).zip(sums).collect();
        for entry in &mut self.entries {
            if let Some(sum) = sums.get(entry.path.as_str()) {
                entry.checksum = sum.clone();
            }
        }
    }
}

/// The algorithm of checksums written `ALGORITHM:hex`, from the first that says.
pub fn algorithm_of(sums: &[Option<String>]) -> Option<super::queue::ChecksumAlgorithm> {
    use super::queue::ChecksumAlgorithm;
    let name = sums.iter().flatten().find_map(|sum| sum.split_once(':'))?.0;
    [ChecksumAlgorithm::Sha256, ChecksumAlgorithm::Sha1]
        .into_iter()
        .find(|algorithm| algorithm.name() == name)
}

/// `90s`, `30m`, `12h`, `7d` (or plain seconds) -> seconds, for `--max-age`.
pub fn parse_age(text: &str) -> Result<u64, String> {
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{text:?} is not an age like 90s, 30m, 12h or 7d")),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|count| count.checked_mul(scale))
        .ok_or_else(|| format!("{text:?} is not an age like 90s, 30m, 12h or 7d"))
}

/// What counts as "the same file".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compare {
    /// The same size and the same modification time, within both sides' precision.
    #[default]
    SizeAndTime,
    /// The same size; times are not looked at (for servers that cannot set them).
    SizeOnly,
    /// The same size and the same checksum (read from both sides); a file whose checksum
    /// could not be had is compared by size and time.
    Checksum,
}

/// What the user asked a sync to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOptions {
    pub compare: Compare,
    /// Remove what is only on the target (into the trash, unless said otherwise).
    pub delete: bool,
    /// Never overwrite a target that is newer than its source: such a file is a conflict.
    pub newer_only: bool,
    /// gitignore-style patterns: what matches is left alone on both sides.
    pub exclude: Vec<String>,
    /// gitignore-style patterns: when any are given, only files that match are synchronised.
    pub include: Vec<String>,
    /// Leave out names that start with a dot.
    pub exclude_hidden: bool,
    /// Leave out files bigger than this many bytes.
    pub max_size: Option<u64>,
    /// Leave out files last changed longer ago than this many seconds.
    pub max_age: Option<u64>,
}

/// What happens to one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncAction {
    /// Only on the source: copied.
    Copy,
    /// On both sides and different: the target is replaced.
    Update,
    /// Only on the target, and deletes were asked for.
    Delete,
    /// Nothing to do.
    Skip,
    /// Left alone, because doing what the mode says could lose something.
    Conflict,
}

impl SyncAction {
    /// The word a plan's line starts with.
    pub fn word(self) -> &'static str {
        match self {
            SyncAction::Copy => "copy",
            SyncAction::Update => "update",
            SyncAction::Delete => "delete",
            SyncAction::Skip => "skip",
            SyncAction::Conflict => "conflict",
        }
    }
}

/// Why a path gets its action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Reason {
    /// Not on the target.
    Missing,
    /// Sizes differ.
    SizeDiffers { source: u64, target: u64 },
    /// The source is newer by this many seconds.
    SourceNewer { seconds: i64 },
    /// The target is newer by this many seconds.
    TargetNewer { seconds: i64 },
    /// Same size, and times within what both sides can tell apart.
    Same,
    /// Same size; times were not compared.
    SameSize,
    /// Same size and checksum.
    SameChecksum,
    /// Same size, another checksum.
    ChecksumDiffers,
    /// A size or a time that one side did not give.
    Unknown,
    /// Only on the target.
    OnlyOnTarget,
    /// A file on one side and a folder on the other.
    KindDiffers,
    /// Same size, and the target changed after the source: the target cannot keep times,
    /// so this is what an earlier copy looks like.
    CopiedSince,
    /// A link or a special file: links are not followed or copied.
    NotAFile,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Missing => f.write_str("not on the target"),
            Reason::SizeDiffers { source, target } => write!(f, "size differs ({source} vs {target} bytes)"),
            Reason::SourceNewer { seconds } => write!(f, "source is newer by {}", span(*seconds)),
            Reason::TargetNewer { seconds } => write!(f, "target is newer by {}", span(*seconds)),
            Reason::Same => f.write_str("same size and time"),
            Reason::SameSize => f.write_str("same size"),
            Reason::SameChecksum => f.write_str("same checksum"),
            Reason::ChecksumDiffers => f.write_str("same size, another checksum"),
            Reason::Unknown => f.write_str("a side did not say its size or time"),
            Reason::OnlyOnTarget => f.write_str("only on the target"),
            Reason::KindDiffers => f.write_str("a file on one side, a folder on the other"),
            Reason::CopiedSince => f.write_str("same size, copied after the source last changed"),
            Reason::NotAFile => f.write_str("a link or special file, not synchronised"),
        }
    }
}

/// `90` -> "1 min 30 s", for reasons people read.
fn span(seconds: i64) -> String {
    let seconds = seconds.unsigned_abs();
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {} s", seconds / 60, seconds % 60),
        3600..86400 => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
        _ => format!("{} days", seconds / 86400),
    }
}

/// One path of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanEntry {
    /// Relative to both roots, folders separated by `/`.
    pub path: String,
    /// The source's kind (the target's for deletes).
    pub kind: EntryKind,
    pub action: SyncAction,
    #[serde(flatten)]
    pub reason: Reason,
    /// Bytes to copy (the source's size), or to delete.
    pub size: Option<u64>,
}

/// Counts of a plan, for its summary line and the window's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanTotals {
    /// New files (new folders are counted in `folders`).
    pub copy: u64,
    /// New folders.
    pub folders: u64,
    pub update: u64,
    pub delete: u64,
    pub skip: u64,
    pub conflict: u64,
    /// Bytes that copies and updates move.
    pub bytes: u64,
}

/// What a sync will do, path by path, parents before children.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncPlan {
    pub entries: Vec<PlanEntry>,
    /// Minutes (a multiple of 15) that the target's listed times are off from the source's
    /// for every file (an FTP server listing in its local time), already allowed for.
    pub time_offset_minutes: Option<i32>,
}

/// `+5:30`, `-2:00`: an offset in minutes as a time zone is written.
pub fn offset_words(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("{sign}{}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
}

impl PlanTotals {
    /// The counts of `entries` (a whole plan, or the entries a user ticked).
    pub fn of<'a>(entries: impl IntoIterator<Item = &'a PlanEntry>) -> PlanTotals {
        let mut totals = PlanTotals::default();
        for entry in entries {
            let counter = match entry.action {
                SyncAction::Copy if entry.kind == EntryKind::Dir => &mut totals.folders,
                SyncAction::Copy => &mut totals.copy,
                SyncAction::Update => &mut totals.update,
                SyncAction::Delete => &mut totals.delete,
                SyncAction::Skip => &mut totals.skip,
                SyncAction::Conflict => &mut totals.conflict,
            };
            *counter += 1;
            if matches!(entry.action, SyncAction::Copy | SyncAction::Update) && entry.kind == EntryKind::File {
                totals.bytes += entry.size.unwrap_or(0);
            }
        }
        totals
    }
}

impl SyncPlan {
    pub fn totals(&self) -> PlanTotals {
        PlanTotals::of(&self.entries)
    }

    /// Whether running the plan would change nothing (conflicts are left alone).
    pub fn is_in_sync(&self) -> bool {
        self.entries
            .iter()
            .all(|entry| matches!(entry.action, SyncAction::Skip | SyncAction::Conflict))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_with_their_unit() {
        assert_eq!(parse_age("90"), Ok(90));
        assert_eq!(parse_age("30m"), Ok(1800));
        assert_eq!(parse_age("7d"), Ok(604_800));
        assert!(parse_age("7w").is_err());
        assert!(parse_age("d").is_err());
        assert!(parse_age("99999999999999999999d").is_err());
    }

    #[test]
    fn a_deletion_makes_the_trash_folders_it_needs() {
        assert_eq!(
            trash_folders(".wharf-trash/1", "x/y/z.txt"),
            [
                ".wharf-trash",
                ".wharf-trash/1",
                ".wharf-trash/1/x",
                ".wharf-trash/1/x/y"
            ]
        );
    }

    #[test]
    fn reasons_read_as_sentences() {
        assert_eq!(
            Reason::SourceNewer { seconds: 90 }.to_string(),
            "source is newer by 1 min 30 s"
        );
        assert_eq!(
            Reason::TargetNewer { seconds: -7300 }.to_string(),
            "target is newer by 2 h 1 min"
        );
        assert_eq!(
            Reason::SizeDiffers { source: 3, target: 4 }.to_string(),
            "size differs (3 vs 4 bytes)"
        );
    }

    #[test]
    fn totals_count_actions_and_the_bytes_moved() {
        let entry = |path: &str, kind, action, size| PlanEntry {
            path: path.into(),
            kind,
            action,
            reason: Reason::Missing,
            size,
        };
        let plan = SyncPlan {
            entries: vec![
                entry("a", EntryKind::Dir, SyncAction::Copy, None),
                entry("a/b", EntryKind::File, SyncAction::Copy, Some(10)),
                entry("c", EntryKind::File, SyncAction::Update, Some(5)),
                entry("d", EntryKind::File, SyncAction::Delete, Some(100)),
                entry("e", EntryKind::File, SyncAction::Skip, Some(7)),
            ],
            time_offset_minutes: None,
        };
        let totals = plan.totals();
        assert_eq!((totals.copy, totals.folders, totals.update), (1, 1, 1));
        assert_eq!((totals.delete, totals.skip), (1, 1));
        assert_eq!(totals.bytes, 15);
        assert!(!plan.is_in_sync());
    }
}
