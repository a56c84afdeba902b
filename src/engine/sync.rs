//! The sync planner: pure, no I/O. It takes the trees of a source and a target folder and
//! what the user asked for, and says for every path what a sync does and why
//! ([`SyncPlan`]). The rules, each with its tests below:
//!
//! - **Filters** apply to both sides alike: what is excluded is neither copied nor deleted.
//!   `--exclude` and `--include` follow `.gitignore`'s rules (a pattern without `/` matches a
//!   name at any depth, a trailing `/` only folders, `!` re-includes); includes choose files,
//!   and folders are walked to find them.
//! - **Same file**: the same size and the same time within what both sides can tell apart:
//!   a second for exact clocks, a minute for an FTP `LIST` time with no seconds, a day for one
//!   with only a date.
//!   A target that cannot keep times (FTP without MFMT) is newer than its source after
//!   every copy, so there a newer target of the same size counts as the same.
//! - **A server listing in its local time**: when the files of the same size on both sides
//!   are (nearly) all off by the same number of quarter hours, that offset is taken out before
//!   comparing, and the plan says so.
//! - **Conflicts**: a file on one side where the other has a folder is never replaced; with
//!   `newer_only`, neither is a target newer than its source.
//! - **Deletes**: what is only on the target is deleted when asked (a folder once, with what
//!   is in it), and otherwise listed as only there.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::model::EntryKind;
use crate::model::sync::{Compare, PlanEntry, Reason, SyncAction, SyncOptions, SyncPlan, TimeSource, Tree, TreeEntry};

/// The offsets a server's local time can have from UTC, in hours.
const MAX_OFFSET_HOURS: i64 = 14;
/// Time zones differ from UTC by whole quarter hours (seconds).
const OFFSET_STEP: i64 = 15 * 60;

/// Plans a sync of `source` onto `target`. `now` is the clock for `max_age`. An error is a
/// filter pattern that does not parse, as a sentence.
pub fn plan(source: &Tree, target: &Tree, options: &SyncOptions, now: DateTime<Utc>) -> Result<SyncPlan, String> {
    let filter = Filter::new(options, now)?;
    // Sizes and ages are the source's: a target copy that has grown or that a server stamped
    // with the upload's time is not "only on the target" because of them.
    let sources: Vec<&TreeEntry> = source
        .entries
        .iter()
        .filter(|entry| filter.admits_path(entry) && filter.admits_file(entry))
        .collect();
    let on_source: HashSet<&str> = source.entries.iter().map(|entry| entry.path.as_str()).collect();
    let targets: HashMap<&str, &TreeEntry> = target
        .entries
        .iter()
        .filter(|entry| filter.admits_path(entry))
        .map(|entry| (entry.path.as_str(), entry))
        .collect();
    let clocks = Clocks {
        source: source.times.unwrap_or(TimeSource::Exact),
        target: target.times.unwrap_or(TimeSource::Exact),
        target_keeps_times: target.keeps_times,
        offset: 0,
    };
    let offset = detect_offset(&sources, &targets, &clocks);
    let clocks = Clocks {
        offset: offset.unwrap_or(0) * 60,
        ..clocks
    };

    let mut entries = Vec::new();
    // A file against a folder, or a link: what is below that path, on either side, is left
    // alone (a link on the source over a folder on the target must not empty the folder).
    let mut blocked: HashSet<&str> = HashSet::new();
    for entry in &sources {
        if is_within(&entry.path, &blocked) {
            continue;
        }
        let planned = compare(entry, targets.get(entry.path.as_str()).copied(), options, &clocks);
        if matches!(planned.reason, Reason::KindDiffers | Reason::NotAFile) {
            blocked.insert(&entry.path);
        }
        if !(planned.action == SyncAction::Skip && entry.kind == EntryKind::Dir) {
            entries.push(planned);
        }
    }
    let only_there = OnlyThere {
        on_source: &on_source,
        targets: &targets,
        blocked: &blocked,
        holding_left_out: holding_left_out(target, &targets),
    };
    entries.extend(only_there.plan(target, options));
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(SyncPlan {
        entries,
        time_offset_minutes: offset.and_then(|minutes| i32::try_from(minutes).ok()),
    })
}

/// How each side's times are read, and the offset found between them (seconds, target
/// minus source).
struct Clocks {
    source: TimeSource,
    target: TimeSource,
    target_keeps_times: bool,
    offset: i64,
}

/// The plan for one source entry against what the target has at its path.
fn compare(source: &TreeEntry, target: Option<&TreeEntry>, options: &SyncOptions, clocks: &Clocks) -> PlanEntry {
    let (action, reason) = match (source.kind, target) {
        (EntryKind::Link | EntryKind::Other, _) => (SyncAction::Skip, Reason::NotAFile),
        (_, None) => (SyncAction::Copy, Reason::Missing),
        (EntryKind::Dir, Some(target)) if target.kind == EntryKind::Dir => (SyncAction::Skip, Reason::Same),
        (kind, Some(target)) if (kind == EntryKind::Dir) != (target.kind == EntryKind::Dir) => {
            (SyncAction::Conflict, Reason::KindDiffers)
        }
        (_, Some(target)) => compare_files(source, target, options, clocks),
    };
    PlanEntry {
        path: source.path.clone(),
        kind: source.kind,
        action,
        reason,
        size: source.size,
    }
}

/// Two files at the same path.
fn compare_files(
    source: &TreeEntry,
    target: &TreeEntry,
    options: &SyncOptions,
    clocks: &Clocks,
) -> (SyncAction, Reason) {
    let sizes = match (source.size, target.size) {
        (Some(source), Some(target)) => Some((source, target)),
        _ => None,
    };
    if options.compare == Compare::Checksum
        && source.size == target.size
        && let (Some(source_sum), Some(target_sum)) = (&source.checksum, &target.checksum)
    {
        return match source_sum == target_sum {
            true => (SyncAction::Skip, Reason::SameChecksum),
            false => (SyncAction::Update, Reason::ChecksumDiffers),
        };
    }
    let age = match options.compare {
        Compare::SizeOnly => None,
        Compare::SizeAndTime | Compare::Checksum => time_difference(source, target, clocks),
    };
    let update_unless_target_newer = |reason| match age {
        Some(seconds) if seconds < 0 && options.newer_only => {
            (SyncAction::Conflict, Reason::TargetNewer { seconds: -seconds })
        }
        _ => (SyncAction::Update, reason),
    };
    match (sizes, age) {
        (Some((source, target)), _) if source != target => {
            update_unless_target_newer(Reason::SizeDiffers { source, target })
        }
        (None, _) => update_unless_target_newer(Reason::Unknown),
        (Some(_), Some(0)) => (SyncAction::Skip, Reason::Same),
        (Some(_), Some(seconds)) if seconds > 0 => (SyncAction::Update, Reason::SourceNewer { seconds }),
        // A target that cannot keep times is newer than its source after every copy.
        (Some(_), Some(_)) if !clocks.target_keeps_times => (SyncAction::Skip, Reason::CopiedSince),
        (Some(_), Some(seconds)) => update_unless_target_newer(Reason::TargetNewer { seconds: -seconds }),
        // Same size, and a time that cannot be compared: copying it again every run would
        // never end, so the size decides.
        (Some(_), None) => (SyncAction::Skip, Reason::SameSize),
    }
}

/// How much newer the source is than the target, in seconds: 0 within both sides'
/// precision, negative when the target is newer, `None` when a side has no time.
fn time_difference(source: &TreeEntry, target: &TreeEntry, clocks: &Clocks) -> Option<i64> {
    let (source_time, target_time) = (source.modified?, target.modified?);
    let difference = source_time.timestamp() - (target_time.timestamp() - clocks.offset);
    let tolerance = precision(source_time, clocks.source) + precision(target_time, clocks.target);
    Some(if difference.abs() <= tolerance { 0 } else { difference })
}

/// The seconds within which a time is known. An FTP `LIST` line shows a clock without
/// seconds for recent files and only a date for older ones; such a time is truncated.
fn precision(time: DateTime<Utc>, source: TimeSource) -> i64 {
    use chrono::Timelike;
    match source {
        TimeSource::Exact => 1,
        TimeSource::Listing if time.num_seconds_from_midnight() == 0 => 86_400,
        TimeSource::Listing if time.second() == 0 => 60,
        TimeSource::Listing => 1,
    }
}

/// The minutes by which a side listing in local time is off, in steps of a quarter hour
/// (time zones such as +5:30 and +5:45 are not whole hours): found when at least two files
/// of the same size on both sides, and nine in ten of all such files whose times are known
/// to the minute, are off by the same nonzero step (files someone changed since make up the
/// rest; a time shown only as a date cannot tell a quarter hour).
fn detect_offset(sources: &[&TreeEntry], targets: &HashMap<&str, &TreeEntry>, clocks: &Clocks) -> Option<i64> {
    if clocks.source != TimeSource::Listing && clocks.target != TimeSource::Listing {
        return None;
    }
    let mut counts: HashMap<i64, usize> = HashMap::new();
    let mut pairs = 0;
    for source in sources.iter().filter(|entry| entry.kind == EntryKind::File) {
        let Some(target) = targets.get(source.path.as_str()) else {
            continue;
        };
        let (Some(source_time), Some(target_time)) = (source.modified, target.modified) else {
            continue;
        };
        let fine = precision(source_time, clocks.source) + precision(target_time, clocks.target) <= 2 * 61;
        if target.kind != EntryKind::File || source.size.is_none() || source.size != target.size || !fine {
            continue;
        }
        pairs += 1;
        let difference = target_time.timestamp() - source_time.timestamp();
        let steps = (difference as f64 / OFFSET_STEP as f64).round() as i64;
        let shifted = Clocks {
            offset: steps * OFFSET_STEP,
            ..*clocks
        };
        if steps != 0
            && (steps * OFFSET_STEP).abs() <= MAX_OFFSET_HOURS * 3600
            && time_difference(source, target, &shifted) == Some(0)
        {
            *counts.entry(steps).or_default() += 1;
        }
    }
    let (steps, count) = counts.into_iter().max_by_key(|&(_, count)| count)?;
    (count >= 2 && count * 10 >= pairs * 9).then_some(steps * OFFSET_STEP / 60)
}

/// What deciding about the target's own entries needs.
struct OnlyThere<'a> {
    /// Every source path, filtered out or not: a target path the source has is never
    /// "only on the target".
    on_source: &'a HashSet<&'a str>,
    /// The target's entries the filters let through.
    targets: &'a HashMap<&'a str, &'a TreeEntry>,
    /// Paths below which nothing is touched.
    blocked: &'a HashSet<&'a str>,
    /// Target folders with something the filters left out below them.
    holding_left_out: HashSet<&'a str>,
}

impl OnlyThere<'_> {
    /// Entries only on the target, in scope of the filters: deletes when asked, else noted.
    /// A folder is planned once, not with everything in it, unless it holds something the
    /// filters left out: then its entries are planned one by one and the folder stays.
    fn plan(&self, target: &Tree, options: &SyncOptions) -> Vec<PlanEntry> {
        let mut planned = Vec::new();
        let mut gone: HashSet<&str> = HashSet::new();
        for entry in &target.entries {
            let path = entry.path.as_str();
            if !self.targets.contains_key(path)
                || self.on_source.contains(path)
                || is_within(path, self.blocked)
                || is_within(path, &gone)
            {
                continue;
            }
            if entry.kind == EntryKind::Dir {
                if self.holding_left_out.contains(path) {
                    continue;
                }
                gone.insert(path);
            }
            planned.push(PlanEntry {
                path: entry.path.clone(),
                kind: entry.kind,
                action: if options.delete {
                    SyncAction::Delete
                } else {
                    SyncAction::Skip
                },
                reason: Reason::OnlyOnTarget,
                size: entry.size,
            });
        }
        planned
    }
}

/// The target's folders that have an entry the filters left out somewhere below them.
fn holding_left_out<'a>(target: &'a Tree, admitted: &HashMap<&str, &TreeEntry>) -> HashSet<&'a str> {
    let mut holding = HashSet::new();
    for entry in target
        .entries
        .iter()
        .filter(|entry| !admitted.contains_key(entry.path.as_str()))
    {
        holding.extend(entry.path.match_indices('/').map(|(at, _)| &entry.path[..at]));
    }
    holding
}

/// Whether `path` is one of `folders` or below one (a look at each of its parents).
fn is_within(path: &str, folders: &HashSet<&str>) -> bool {
    !folders.is_empty()
        && path
            .match_indices('/')
            .map(|(at, _)| &path[..at])
            .chain(std::iter::once(path))
            .any(|prefix| folders.contains(prefix))
}

/// The user's filters over relative paths.
struct Filter {
    exclude: Gitignore,
    include: Option<Gitignore>,
    exclude_hidden: bool,
    max_size: Option<u64>,
    oldest: Option<DateTime<Utc>>,
}

impl Filter {
    fn new(options: &SyncOptions, now: DateTime<Utc>) -> Result<Filter, String> {
        let include = match options.include.is_empty() {
            true => None,
            false => Some(matcher(&options.include, "--include")?),
        };
        let oldest = options
            .max_age
            .and_then(|seconds| i64::try_from(seconds).ok())
            .and_then(|seconds| now.checked_sub_signed(chrono::TimeDelta::seconds(seconds)));
        Ok(Filter {
            exclude: matcher(&options.exclude, "--exclude")?,
            include,
            exclude_hidden: options.exclude_hidden,
            max_size: options.max_size,
            oldest,
        })
    }

    /// Whether an entry's path takes part (hidden names, excludes, includes); an excluded
    /// folder takes what is in it along.
    fn admits_path(&self, entry: &TreeEntry) -> bool {
        let is_dir = entry.kind == EntryKind::Dir;
        if self.exclude_hidden && entry.path.split('/').any(|name| name.starts_with('.')) {
            return false;
        }
        if self
            .exclude
            .matched_path_or_any_parents(&entry.path, is_dir)
            .is_ignore()
        {
            return false;
        }
        if is_dir {
            return true;
        }
        self.include
            .as_ref()
            .is_none_or(|include| include.matched_path_or_any_parents(&entry.path, false).is_ignore())
    }

    /// Whether a source file is small and recent enough (folders always are).
    fn admits_file(&self, entry: &TreeEntry) -> bool {
        if entry.kind == EntryKind::Dir {
            return true;
        }
        let small_enough = self
            .max_size
            .is_none_or(|limit| entry.size.is_none_or(|size| size <= limit));
        let recent_enough = self
            .oldest
            .is_none_or(|oldest| entry.modified.is_none_or(|time| time >= oldest));
        small_enough && recent_enough
    }
}

/// A gitignore-style matcher of `patterns`, rooted at the sync's folders.
fn matcher(patterns: &[String], flag: &str) -> Result<Gitignore, String> {
    let mut builder = GitignoreBuilder::new("");
    for pattern in patterns {
        builder
            .add_line(None, pattern)
            .map_err(|error| format!("{flag} {pattern:?}: {error}"))?;
    }
    builder.build().map_err(|error| format!("{flag}: {error}"))
}

#[cfg(test)]
#[path = "sync_tests.rs"]
mod tests;
