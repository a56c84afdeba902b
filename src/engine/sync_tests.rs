use chrono::{DateTime, TimeZone, Utc};

use super::*;

/// 2026-06-01 12:34:56 UTC, a time with seconds.
fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 34, 56)
        .single()
        .unwrap_or_default()
}

fn file(path: &str, size: u64, modified: DateTime<Utc>) -> TreeEntry {
    TreeEntry {
        path: path.into(),
        kind: EntryKind::File,
        size: Some(size),
        modified: Some(modified),
        checksum: None,
    }
}

fn folder(path: &str) -> TreeEntry {
    TreeEntry {
        path: path.into(),
        kind: EntryKind::Dir,
        size: None,
        modified: None,
        checksum: None,
    }
}

fn tree(times: TimeSource, entries: Vec<TreeEntry>) -> Tree {
    Tree {
        entries,
        refused: Vec::new(),
        exists: true,
        times: Some(times),
        keeps_times: true,
    }
}

fn exact(entries: Vec<TreeEntry>) -> Tree {
    tree(TimeSource::Exact, entries)
}

fn seconds(count: i64) -> chrono::TimeDelta {
    chrono::TimeDelta::seconds(count)
}

/// The plan as (path, action) pairs, skips of unchanged files left out.
fn actions(source: &Tree, target: &Tree, options: &SyncOptions) -> Vec<(String, SyncAction)> {
    let plan = plan(source, target, options, noon()).unwrap_or_default();
    plan.entries
        .into_iter()
        .filter(|entry| entry.action != SyncAction::Skip || entry.reason != Reason::Same)
        .map(|entry| (entry.path, entry.action))
        .collect()
}

fn one(source: &Tree, target: &Tree, options: &SyncOptions) -> PlanEntry {
    let plan = plan(source, target, options, noon()).unwrap_or_default();
    assert_eq!(plan.entries.len(), 1, "{plan:?}");
    plan.entries[0].clone()
}

fn pairs(list: &[(&str, SyncAction)]) -> Vec<(String, SyncAction)> {
    list.iter()
        .map(|(path, action)| ((*path).to_owned(), *action))
        .collect()
}

#[test]
fn new_files_and_folders_are_copied_parents_first() {
    let source = exact(vec![
        folder("site"),
        file("site/index.html", 10, noon()),
        folder("site/img"),
        file("site/img/a.png", 20, noon()),
        file("top.txt", 1, noon()),
    ]);
    let plan = plan(&source, &exact(vec![]), &SyncOptions::default(), noon()).unwrap_or_default();
    let paths: Vec<&str> = plan.entries.iter().map(|entry| entry.path.as_str()).collect();
    assert_eq!(
        paths,
        ["site", "site/img", "site/img/a.png", "site/index.html", "top.txt"]
    );
    assert!(plan.entries.iter().all(|entry| entry.action == SyncAction::Copy));
    assert_eq!(plan.totals().bytes, 31);
}

#[test]
fn the_same_size_and_time_is_skipped_and_a_second_run_is_in_sync() {
    let both = vec![folder("a"), file("a/b", 5, noon())];
    let plan = plan(&exact(both.clone()), &exact(both), &SyncOptions::default(), noon()).unwrap_or_default();
    assert!(plan.is_in_sync(), "{plan:?}");
    // Folders on both sides are not listed; the file is, as skipped.
    assert_eq!(plan.entries.len(), 1);
    assert_eq!(plan.entries[0].reason, Reason::Same);
}

#[test]
fn a_different_size_or_a_newer_source_is_an_update_with_its_reason() {
    let target = exact(vec![file("f", 5, noon())]);
    let bigger = one(&exact(vec![file("f", 6, noon())]), &target, &SyncOptions::default());
    assert_eq!(
        (bigger.action, bigger.reason),
        (SyncAction::Update, Reason::SizeDiffers { source: 6, target: 5 })
    );
    let newer = one(
        &exact(vec![file("f", 5, noon() + seconds(90))]),
        &target,
        &SyncOptions::default(),
    );
    assert_eq!(
        (newer.action, newer.reason),
        (SyncAction::Update, Reason::SourceNewer { seconds: 90 })
    );
}

#[test]
fn exact_clocks_allow_a_second_each() {
    let target = exact(vec![file("f", 5, noon())]);
    let close = one(
        &exact(vec![file("f", 5, noon() + seconds(2))]),
        &target,
        &SyncOptions::default(),
    );
    assert_eq!(close.action, SyncAction::Skip);
    let apart = one(
        &exact(vec![file("f", 5, noon() + seconds(3))]),
        &target,
        &SyncOptions::default(),
    );
    assert_eq!(apart.action, SyncAction::Update);
}

#[test]
fn an_ftp_listing_without_seconds_is_compared_to_the_minute() {
    // The server shows 12:34 for a file uploaded at 12:34:56.
    let listed = tree(TimeSource::Listing, vec![file("f", 5, noon() - seconds(56))]);
    let same = one(&exact(vec![file("f", 5, noon())]), &listed, &SyncOptions::default());
    assert_eq!((same.action, same.reason), (SyncAction::Skip, Reason::Same));
    // Two minutes apart is a change, even at that precision.
    let changed = one(
        &exact(vec![file("f", 5, noon() + seconds(120))]),
        &listed,
        &SyncOptions::default(),
    );
    assert_eq!(changed.action, SyncAction::Update);
    // The same times from an exact clock are a minute apart, which is a change.
    let exact_target = exact(vec![file("f", 5, noon() - seconds(56))]);
    assert_eq!(
        one(
            &exact(vec![file("f", 5, noon())]),
            &exact_target,
            &SyncOptions::default()
        )
        .action,
        SyncAction::Update
    );
}

#[test]
fn an_ftp_listing_with_only_a_date_is_compared_to_the_day() {
    let midnight = Utc.with_ymd_and_hms(2024, 3, 9, 0, 0, 0).single().unwrap_or_default();
    let listed = tree(TimeSource::Listing, vec![file("old", 5, midnight)]);
    let afternoon = midnight + seconds(15 * 3600 + 7);
    assert_eq!(
        one(
            &exact(vec![file("old", 5, afternoon)]),
            &listed,
            &SyncOptions::default()
        )
        .action,
        SyncAction::Skip
    );
    let days_later = midnight + seconds(3 * 86_400);
    assert_eq!(
        one(
            &exact(vec![file("old", 5, days_later)]),
            &listed,
            &SyncOptions::default()
        )
        .action,
        SyncAction::Update
    );
}

#[test]
fn a_server_listing_in_local_time_is_detected_and_allowed_for() {
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    let source = exact(names.iter().map(|name| file(name, 5, noon())).collect());
    // The server's clock reads two hours ahead (UTC+2), to the minute; one file changed.
    let mut listed: Vec<TreeEntry> = names
        .iter()
        .map(|name| file(name, 5, noon() + seconds(7200 - 56)))
        .collect();
    listed[9] = file("j", 9, noon() - seconds(86_400));
    let target = tree(TimeSource::Listing, listed);
    let plan = plan(&source, &target, &SyncOptions::default(), noon()).unwrap_or_default();
    assert_eq!(plan.time_offset_minutes, Some(120));
    let updates: Vec<&str> = plan
        .entries
        .iter()
        .filter(|entry| entry.action == SyncAction::Update)
        .map(|entry| entry.path.as_str())
        .collect();
    assert_eq!(updates, ["j"]);
}

#[test]
fn an_offset_is_not_assumed_from_files_that_differ_each_in_their_own_way() {
    // Two files an hour apart, but the rest match as they are: no offset.
    let source = exact((0..10).map(|n| file(&format!("f{n}"), 5, noon())).collect());
    let mut listed: Vec<TreeEntry> = (0..10)
        .map(|n| file(&format!("f{n}"), 5, noon() - seconds(56)))
        .collect();
    listed[0].modified = listed[0].modified.map(|time| time + seconds(3600));
    listed[1].modified = listed[1].modified.map(|time| time + seconds(3600));
    let target = tree(TimeSource::Listing, listed);
    let plan = plan(&source, &target, &SyncOptions::default(), noon()).unwrap_or_default();
    assert_eq!(plan.time_offset_minutes, None);
    assert_eq!(plan.totals().update, 2);
    // Exact clocks on both sides are never shifted, however they differ.
    let source = exact(vec![file("a", 5, noon()), file("b", 5, noon())]);
    let target = exact(vec![
        file("a", 5, noon() + seconds(3600)),
        file("b", 5, noon() + seconds(3600)),
    ]);
    let plan = plan_of(&source, &target, &SyncOptions::default());
    assert_eq!((plan.time_offset_minutes, plan.totals().update), (None, 2));
}

fn plan_of(source: &Tree, target: &Tree, options: &SyncOptions) -> SyncPlan {
    plan(source, target, options, noon()).unwrap_or_default()
}

#[test]
fn newer_only_makes_a_newer_target_a_conflict_and_updates_the_rest() {
    let options = SyncOptions {
        newer_only: true,
        ..SyncOptions::default()
    };
    let source = exact(vec![
        file("kept", 5, noon()),
        file("old", 5, noon()),
        file("grown", 8, noon()),
    ]);
    let target = exact(vec![
        file("kept", 6, noon() + seconds(600)),
        file("old", 5, noon() - seconds(600)),
        file("grown", 5, noon() - seconds(600)),
    ]);
    let plan = plan_of(&source, &target, &options);
    let kept = plan.entries.iter().find(|entry| entry.path == "kept");
    assert_eq!(
        kept.map(|entry| (entry.action, entry.reason)),
        Some((SyncAction::Conflict, Reason::TargetNewer { seconds: 600 }))
    );
    assert_eq!(
        actions(&source, &target, &options),
        pairs(&[
            ("grown", SyncAction::Update),
            ("kept", SyncAction::Conflict),
            ("old", SyncAction::Update)
        ])
    );
    // Without it the newer target is replaced, and the reason says it was newer.
    let plain = plan_of(&source, &target, &SyncOptions::default());
    assert_eq!(
        plain.entries.iter().filter(|e| e.action == SyncAction::Update).count(),
        3
    );
}

#[test]
fn a_file_where_the_other_side_has_a_folder_is_a_conflict_and_nothing_below_moves() {
    let source = exact(vec![folder("x"), file("x/inner", 1, noon()), file("y", 1, noon())]);
    let target = exact(vec![file("x", 3, noon()), folder("y"), file("y/old", 1, noon())]);
    let options = SyncOptions {
        delete: true,
        ..SyncOptions::default()
    };
    assert_eq!(
        actions(&source, &target, &options),
        pairs(&[("x", SyncAction::Conflict), ("y", SyncAction::Conflict)])
    );
}

#[test]
fn size_only_ignores_times() {
    let options = SyncOptions {
        compare: Compare::SizeOnly,
        ..SyncOptions::default()
    };
    let source = exact(vec![file("f", 5, noon()), file("g", 5, noon())]);
    let target = exact(vec![file("f", 5, noon() - seconds(86_400)), file("g", 6, noon())]);
    let plan = plan_of(&source, &target, &options);
    let reasons: Vec<(SyncAction, Reason)> = plan.entries.iter().map(|entry| (entry.action, entry.reason)).collect();
    assert_eq!(
        reasons,
        [
            (SyncAction::Skip, Reason::SameSize),
            (SyncAction::Update, Reason::SizeDiffers { source: 5, target: 6 })
        ]
    );
}

#[test]
fn a_missing_time_with_the_same_size_is_skipped_and_a_missing_size_updates() {
    let mut timeless = file("f", 5, noon());
    timeless.modified = None;
    assert_eq!(
        one(
            &exact(vec![file("f", 5, noon())]),
            &exact(vec![timeless]),
            &SyncOptions::default()
        )
        .reason,
        Reason::SameSize
    );
    let mut sizeless = file("f", 5, noon());
    sizeless.size = None;
    assert_eq!(
        one(
            &exact(vec![file("f", 5, noon())]),
            &exact(vec![sizeless]),
            &SyncOptions::default()
        )
        .action,
        SyncAction::Update
    );
}

#[test]
fn only_on_the_target_is_deleted_when_asked_a_folder_once() {
    let source = exact(vec![file("keep", 1, noon())]);
    let target = exact(vec![
        file("keep", 1, noon()),
        folder("old"),
        file("old/a", 1, noon()),
        folder("old/deeper"),
        file("old/deeper/b", 1, noon()),
        file("stray", 4, noon()),
    ]);
    let delete = SyncOptions {
        delete: true,
        ..SyncOptions::default()
    };
    assert_eq!(
        actions(&source, &target, &delete),
        pairs(&[("old", SyncAction::Delete), ("stray", SyncAction::Delete)])
    );
    // Without --delete they are noted, not touched.
    let plan = plan_of(&source, &target, &SyncOptions::default());
    assert!(plan.is_in_sync());
    assert!(
        plan.entries
            .iter()
            .filter(|entry| entry.path != "keep")
            .all(|entry| (entry.action, entry.reason) == (SyncAction::Skip, Reason::OnlyOnTarget))
    );
}

#[test]
fn excluded_paths_are_neither_copied_nor_deleted() {
    let options = SyncOptions {
        delete: true,
        exclude: vec!["cache/".into(), "*.log".into(), "!keep.log".into()],
        ..SyncOptions::default()
    };
    let source = exact(vec![
        folder("cache"),
        file("cache/x", 1, noon()),
        folder("app"),
        file("app/debug.log", 1, noon()),
        file("app/keep.log", 1, noon()),
        file("app/main.rs", 1, noon()),
    ]);
    let target = exact(vec![
        folder("cache"),
        file("cache/y", 1, noon()),
        file("server.log", 1, noon()),
    ]);
    assert_eq!(
        actions(&source, &target, &options),
        pairs(&[
            ("app", SyncAction::Copy),
            ("app/keep.log", SyncAction::Copy),
            ("app/main.rs", SyncAction::Copy)
        ])
    );
}

#[test]
fn includes_choose_files_and_folders_are_walked_to_find_them() {
    let options = SyncOptions {
        delete: true,
        include: vec!["*.jpg".into()],
        ..SyncOptions::default()
    };
    let source = exact(vec![
        folder("2024"),
        file("2024/a.jpg", 1, noon()),
        file("2024/a.xmp", 1, noon()),
    ]);
    let target = exact(vec![file("notes.txt", 1, noon()), file("old.jpg", 1, noon())]);
    assert_eq!(
        actions(&source, &target, &options),
        pairs(&[
            ("2024", SyncAction::Copy),
            ("2024/a.jpg", SyncAction::Copy),
            ("old.jpg", SyncAction::Delete)
        ])
    );
}

#[test]
fn hidden_size_and_age_filters() {
    let options = SyncOptions {
        exclude_hidden: true,
        max_size: Some(100),
        max_age: Some(86_400),
        ..SyncOptions::default()
    };
    let source = exact(vec![
        file(".env", 1, noon()),
        folder(".git"),
        file(".git/HEAD", 1, noon()),
        file("big.iso", 101, noon()),
        file("ancient.txt", 1, noon() - seconds(2 * 86_400)),
        file("fresh.txt", 100, noon() - seconds(3600)),
    ]);
    assert_eq!(
        actions(&source, &exact(vec![]), &options),
        pairs(&[("fresh.txt", SyncAction::Copy)])
    );
}

#[test]
fn a_bad_pattern_is_a_sentence_naming_it() {
    let options = SyncOptions {
        exclude: vec!["[z-a".into()],
        ..SyncOptions::default()
    };
    let error = plan(&exact(vec![]), &exact(vec![]), &options, noon())
        .err()
        .unwrap_or_default();
    assert!(error.starts_with("--exclude \"[z-a\""), "{error}");
}

#[test]
fn links_are_listed_as_not_synchronised() {
    let link = TreeEntry {
        kind: EntryKind::Link,
        ..folder("latest")
    };
    let entry = one(&exact(vec![link]), &exact(vec![]), &SyncOptions::default());
    assert_eq!((entry.action, entry.reason), (SyncAction::Skip, Reason::NotAFile));
}

#[test]
fn a_target_that_cannot_keep_times_is_the_same_when_newer_and_of_the_same_size() {
    let mut target = exact(vec![
        file("uploaded", 5, noon() + seconds(600)),
        file("edited", 5, noon() - seconds(600)),
        file("grown", 4, noon() + seconds(600)),
    ]);
    target.keeps_times = false;
    let source = exact(vec![
        file("uploaded", 5, noon()),
        file("edited", 5, noon()),
        file("grown", 5, noon()),
    ]);
    let plan = plan_of(&source, &target, &SyncOptions::default());
    let reasons: Vec<(&str, SyncAction, Reason)> = plan
        .entries
        .iter()
        .map(|entry| (entry.path.as_str(), entry.action, entry.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            ("edited", SyncAction::Update, Reason::SourceNewer { seconds: 600 }),
            (
                "grown",
                SyncAction::Update,
                Reason::SizeDiffers { source: 5, target: 4 }
            ),
            ("uploaded", SyncAction::Skip, Reason::CopiedSince),
        ]
    );
}

#[test]
fn a_folder_holding_something_left_out_is_not_deleted_whole() {
    let options = SyncOptions {
        delete: true,
        exclude: vec!["*.log".into()],
        ..SyncOptions::default()
    };
    let target = exact(vec![
        folder("logs"),
        file("logs/today.log", 1, noon()),
        file("logs/index.html", 1, noon()),
        folder("logs/old"),
        file("logs/old/x.html", 1, noon()),
    ]);
    // The excluded log stays, so its folder stays; the rest goes one by one.
    assert_eq!(
        actions(&exact(vec![]), &target, &options),
        pairs(&[
            ("logs/index.html", SyncAction::Delete),
            ("logs/old", SyncAction::Delete)
        ])
    );
}

#[test]
fn sizes_and_ages_are_the_sources_and_never_make_a_target_copy_extraneous() {
    let options = SyncOptions {
        delete: true,
        max_size: Some(10),
        max_age: Some(86_400),
        ..SyncOptions::default()
    };
    // Grown past the limit on the source; old on the source but stamped new on the target;
    // and a small, recent copy on the target of a file the source leaves out.
    let source = exact(vec![
        file("grown.bin", 11, noon()),
        file("old.txt", 1, noon() - seconds(3 * 86_400)),
    ]);
    let target = exact(vec![file("grown.bin", 5, noon()), file("old.txt", 1, noon())]);
    assert_eq!(actions(&source, &target, &options), pairs(&[]));
}

#[test]
fn a_link_on_the_source_over_a_folder_on_the_target_leaves_the_folder_alone() {
    let link = TreeEntry {
        kind: EntryKind::Link,
        ..folder("uploads")
    };
    let target = exact(vec![folder("uploads"), file("uploads/a.jpg", 1, noon())]);
    let options = SyncOptions {
        delete: true,
        ..SyncOptions::default()
    };
    assert_eq!(
        actions(&exact(vec![link]), &target, &options),
        pairs(&[("uploads", SyncAction::Skip)])
    );
}

#[test]
fn checksums_decide_between_files_of_the_same_size_and_the_rest_falls_back_to_times() {
    let options = SyncOptions {
        compare: Compare::Checksum,
        ..SyncOptions::default()
    };
    let summed = |path: &str, sum: Option<&str>, modified| TreeEntry {
        checksum: sum.map(str::to_owned),
        ..file(path, 5, modified)
    };
    let source = exact(vec![
        summed("edited", Some("SHA-256:aa"), noon()),
        summed("touched", Some("SHA-256:bb"), noon() + seconds(600)),
        summed("unsummed", None, noon() + seconds(600)),
    ]);
    let target = exact(vec![
        summed("edited", Some("SHA-256:cc"), noon()),
        summed("touched", Some("SHA-256:bb"), noon()),
        summed("unsummed", Some("SHA-256:dd"), noon()),
    ]);
    let plan = plan_of(&source, &target, &options);
    let reasons: Vec<(&str, SyncAction, Reason)> = plan
        .entries
        .iter()
        .map(|entry| (entry.path.as_str(), entry.action, entry.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            ("edited", SyncAction::Update, Reason::ChecksumDiffers),
            ("touched", SyncAction::Skip, Reason::SameChecksum),
            ("unsummed", SyncAction::Update, Reason::SourceNewer { seconds: 600 }),
        ]
    );
}

#[test]
fn a_server_in_a_half_hour_time_zone_is_detected_too() {
    // India, UTC+5:30, listing to the minute; dates-only lines take no part in the count.
    let names: Vec<String> = (0..6).map(|n| format!("f{n}")).collect();
    let source = exact(names.iter().map(|name| file(name, 5, noon())).collect());
    let mut listed: Vec<TreeEntry> = names
        .iter()
        .map(|name| file(name, 5, noon() + seconds(5 * 3600 + 30 * 60 - 56)))
        .collect();
    let midnight = Utc.with_ymd_and_hms(2024, 3, 9, 0, 0, 0).single().unwrap_or_default();
    listed.push(file("old", 5, midnight));
    let mut all_source = source.entries.clone();
    all_source.push(file("old", 5, midnight + seconds(12 * 3600)));
    let plan = plan_of(
        &exact(all_source),
        &tree(TimeSource::Listing, listed),
        &SyncOptions::default(),
    );
    assert_eq!(plan.time_offset_minutes, Some(330));
    assert_eq!(crate::model::sync::offset_words(330), "+5:30");
    assert_eq!(crate::model::sync::offset_words(-45), "-0:45");
    assert!(plan.is_in_sync(), "{plan:?}");
}
