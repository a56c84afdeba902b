//! Compare, synchronised browsing and the Synchronize window, driven as a user would.

use super::*;
use crate::engine::api::{PlanEntry, Reason, SyncAction, SyncPlan, TimeSource, Tree};
use crate::ui::intent::PaneIntent;
use crate::ui::pane::Side;
use crate::ui::sync_view::Stage;

fn planned(path: &str, kind: EntryKind, action: SyncAction, reason: Reason) -> PlanEntry {
    PlanEntry {
        path: path.into(),
        kind,
        action,
        reason,
        size: Some(5),
    }
}

impl Window {
    /// Answers the window's request for a plan with `plan`; returns the trees it sent.
    fn answer_plan(&mut self, plan: SyncPlan) -> (Tree, Tree) {
        let (id, source, target) = self.take(|command| match command {
            Command::PlanSync { id, source, target, .. } => Some((*id, (**source).clone(), (**target).clone())),
            _ => None,
        });
        self.engine.emit(Event::SyncPlanned {
            id,
            result: Ok(Box::new(plan)),
        });
        self.settle();
        (source, target)
    }

    /// Answers the window's `ListTree` request for `path` with `tree`.
    fn answer_tree(&mut self, path: &str, tree: Tree) {
        let id = self.take(|command| match command {
            Command::Session(SessionCommand::Request {
                request: SessionRequest::ListTree { id, path: asked },
                ..
            }) if asked.as_str() == path => Some(*id),
            _ => None,
        });
        self.engine.emit(Event::Tree {
            id,
            path: RemotePath::new(path),
            tree: Box::new(tree),
        });
    }

    /// The log's text.
    fn log(&self) -> String {
        self.harness.state().messages.to_text()
    }

    fn has_label(&self, text: &str) -> bool {
        self.harness.query_all_by_label_contains(text).next().is_some()
    }
}

#[test]
fn compare_marks_both_panes_and_can_show_only_the_differences() {
    let mut window = Window::open();
    window.connect();
    window.harness.get_by_label("Compare").click();
    window.settle();
    let plan = SyncPlan {
        entries: vec![
            planned("index.html", EntryKind::File, SyncAction::Skip, Reason::OnlyOnTarget),
            planned("notes.txt", EntryKind::File, SyncAction::Copy, Reason::Missing),
            planned("report.pdf", EntryKind::File, SyncAction::Skip, Reason::Same),
        ],
        time_offset_minutes: None,
    };
    let (source, target) = window.answer_plan(plan);
    let names = |tree: &Tree| -> Vec<String> { tree.entries.iter().map(|entry| entry.path.clone()).collect() };
    assert_eq!(names(&source), ["photos", "notes.txt", "report.pdf"]);
    assert_eq!(names(&target), ["uploads", "index.html"]);
    assert!(window.has_label("notes.txt  only here"));
    assert!(window.has_label("index.html  only here"));
    assert!(window.has_label("report.pdf"));
    assert!(!window.has_label("report.pdf  "), "a file that is the same has no mark");

    window.harness.get_by_label("Only differences").click();
    window.settle();
    assert!(window.has_label("notes.txt  only here"));
    assert!(!window.has_label("report.pdf"), "the same file is hidden");

    // Switched off, the marks go and every row is back.
    window.harness.get_by_label("Compare").click();
    window.settle();
    assert!(window.has_label("report.pdf"));
    assert!(!window.has_label("notes.txt  only here"));
}

#[test]
fn synchronised_browsing_takes_the_same_step_on_the_other_side_and_says_when_it_cannot() {
    let mut window = Window::open();
    window.connect();
    window.harness.get_by_label("Synchronised browsing").click();
    window.settle();

    // Into a folder on the server: this computer follows.
    window.harness.state_mut().carry_out(PaneIntent::Navigate {
        side: Side::Remote,
        path: RemotePath::new("/srv/uploads"),
    });
    window.settle();
    window.answer_listing("/srv/uploads", vec![file("a.txt", 1)]);
    window.answer_listing("/home/me/uploads", vec![file("a.txt", 1)]);
    assert_eq!(
        window.harness.state().local.path.as_ref().map(RemotePath::as_str),
        Some("/home/me/uploads")
    );

    // Up on this computer: the server goes up too.
    window.harness.state_mut().carry_out(PaneIntent::Navigate {
        side: Side::Local,
        path: RemotePath::new("/home/me"),
    });
    window.settle();
    window.answer_listing("/home/me", vec![folder("photos")]);
    window.answer_listing("/srv", vec![folder("uploads")]);

    // Into a folder the server does not have: it stays, and the log says why.
    window.harness.state_mut().carry_out(PaneIntent::Navigate {
        side: Side::Local,
        path: RemotePath::new("/home/me/photos"),
    });
    window.settle();
    window.answer_listing("/home/me/photos", vec![]);
    let id = window.take(|command| match command {
        Command::Session(SessionCommand::Request {
            request: SessionRequest::List { id, path },
            ..
        }) if path.as_str() == "/srv/photos" => Some(*id),
        _ => None,
    });
    window.engine.emit(Event::OpFinished {
        id,
        result: Err(crate::engine::api::OpError::new(
            crate::engine::api::ErrorKind::NotFound,
            "no such folder",
        )),
    });
    window.settle();
    assert_eq!(
        window.harness.state().remote.path.as_ref().map(RemotePath::as_str),
        Some("/srv")
    );
    assert!(
        window
            .log()
            .contains("Synchronised browsing: /srv/photos is not on the server"),
        "{}",
        window.log()
    );
    assert!(!window.harness.state().sync.browse_together, "out of step, it is off");
}

#[test]
fn a_preview_asks_with_the_windows_settings_and_checksums_from_both_sides() {
    let mut window = Window::open();
    window.connect();
    window.harness.get_by_label("Synchronize…").click();
    window.settle();
    {
        let page = &mut window.harness.state_mut().sync.page;
        page.exclude = "cache/, *.log ,".into();
        page.include = "*.txt".into();
    }
    window
        .harness
        .get_by_label("Download: the server to this computer")
        .click();
    window.harness.get_by_label("same checksum (reads the files)").click();
    window.harness.get_by_label("Leave out hidden files").click();
    window.settle();
    // A limit that cannot be read is said, and nothing is listed.
    window.harness.state_mut().sync.page.max_size = "10Q".into();
    window.harness.get_by_label("Preview").click();
    window.settle();
    assert!(window.has_label("\"10Q\" is not a size"));
    assert!(!window.sent.iter().any(|command| matches!(
        command,
        Command::Session(SessionCommand::Request {
            request: SessionRequest::ListTree { .. },
            ..
        })
    )));
    {
        let page = &mut window.harness.state_mut().sync.page;
        page.max_size = " 10M ".into();
        page.max_age = "7d".into();
    }
    window.harness.get_by_label("Preview").click();
    window.settle();
    let both = |size| crate::engine::api::TreeEntry {
        path: "same.txt".into(),
        kind: EntryKind::File,
        size: Some(size),
        modified: None,
        checksum: None,
    };
    for (path, times) in [("/home/me", TimeSource::Exact), ("/srv", TimeSource::Listing)] {
        window.answer_tree(
            path,
            Tree {
                entries: vec![both(5)],
                exists: true,
                times: Some(times),
                ..Tree::default()
            },
        );
    }
    window.settle();
    // The server's checksums first, in whatever algorithm it has; then this computer's in
    // the same one.
    for (root, algorithm, sum) in [
        ("/srv", None, "SHA-1:aaaa"),
        (
            "/home/me",
            Some(crate::engine::api::ChecksumAlgorithm::Sha1),
            "SHA-1:bbbb",
        ),
    ] {
        let id = window.take(|command| match command {
            Command::Session(SessionCommand::Request {
                request:
                    SessionRequest::Checksums {
                        id,
                        root: asked,
                        paths,
                        algorithm: wanted,
                    },
                ..
            }) if asked.as_str() == root && *wanted == algorithm && paths == &["same.txt"] => Some(*id),
            _ => None,
        });
        window.engine.emit(Event::Checksums {
            id,
            sums: vec![Some(sum.into())],
        });
        window.settle();
    }
    let (options, source, target) = window.take(|command| match command {
        Command::PlanSync {
            options,
            source,
            target,
            ..
        } => Some((options.clone(), (**source).clone(), (**target).clone())),
        _ => None,
    });
    assert_eq!(options.exclude, ["cache/", "*.log", "/.wharf-trash/"]);
    assert_eq!(options.include, ["*.txt"]);
    assert!(options.exclude_hidden);
    assert_eq!(
        (options.max_size, options.max_age),
        (Some(10 * 1024 * 1024), Some(7 * 86_400))
    );
    assert_eq!(options.compare, crate::engine::api::Compare::Checksum);
    assert_eq!(
        source.times,
        Some(TimeSource::Listing),
        "downloading, the server's tree is the source"
    );
    assert_eq!(source.entries[0].checksum.as_deref(), Some("SHA-1:aaaa"));
    assert_eq!(target.entries[0].checksum.as_deref(), Some("SHA-1:bbbb"));
}

#[test]
fn synchronize_previews_lets_entries_be_unticked_and_runs_the_rest() {
    let mut window = Window::open();
    window.connect();
    window.harness.get_by_label("Synchronize…").click();
    window.settle();
    window.harness.get_by_label("Preview").click();
    window.settle();
    for path in ["/home/me", "/srv"] {
        window.answer_tree(
            path,
            Tree {
                exists: true,
                ..Tree::default()
            },
        );
    }
    window.settle();
    let plan = SyncPlan {
        entries: vec![
            planned(
                "b.txt",
                EntryKind::File,
                SyncAction::Update,
                Reason::SourceNewer { seconds: 90 },
            ),
            planned(
                "keep.txt",
                EntryKind::File,
                SyncAction::Update,
                Reason::SizeDiffers { source: 5, target: 4 },
            ),
            planned("new", EntryKind::Dir, SyncAction::Copy, Reason::Missing),
            planned("new/a.txt", EntryKind::File, SyncAction::Copy, Reason::Missing),
            planned("old.txt", EntryKind::File, SyncAction::Delete, Reason::OnlyOnTarget),
        ],
        time_offset_minutes: None,
    };
    window.answer_plan(plan.clone());
    assert!(window.has_label("Ticked: 1 new file, 1 new folder, 2 to update, 1 to delete"));

    // A setting changed after the preview drops the plan: it is not the one to run.
    window.harness.get_by_label("Never replace a newer file").click();
    window.settle();
    assert!(!window.has_label("Ticked:"), "a plan of other settings is not shown");
    window.harness.get_by_label("Never replace a newer file").click();
    window.settle();
    window.harness.state_mut().sync.page.stage = Stage::Planned {
        plan: plan.clone(),
        chosen: vec![true; plan.entries.len()],
    };
    window.settle();
    window.harness.get_by_label_contains("update b.txt").click();
    window.settle();
    assert!(window.has_label("Ticked: 1 new file, 1 new folder, 1 to update, 1 to delete"));
    window
        .harness
        .get_by_role_and_label(Role::Button, "Synchronize")
        .click();
    window.settle();

    // On the server: the new folder, the trash folders, the deletion, then a look at the
    // folder that says they are done; nothing is queued before that.
    window.take(|command| match command {
        Command::Session(SessionCommand::Request {
            request: SessionRequest::Mkdir { path, .. },
            ..
        }) if path.as_str() == "/srv/new" => Some(()),
        _ => None,
    });
    let (from, to) = window.take(|command| match command {
        Command::Session(SessionCommand::Request {
            request: SessionRequest::Rename { from, to, .. },
            ..
        }) => Some((from.to_string(), to.to_string())),
        _ => None,
    });
    assert_eq!(from, "/srv/old.txt");
    assert!(to.starts_with("/srv/.wharf-trash/") && to.ends_with("/old.txt"), "{to}");
    assert!(
        !window
            .sent
            .iter()
            .any(|command| matches!(command, Command::Queue(QueueCommand::Enqueue { .. }))),
        "the transfers wait for the folders"
    );
    let id = window.take(|command| match command {
        Command::Session(SessionCommand::Request {
            request: SessionRequest::Stat { id, path },
            ..
        }) if path.as_str() == "/srv" => Some(*id),
        _ => None,
    });
    window.engine.emit(Event::Stat {
        id,
        entry: folder("srv"),
    });
    window.settle();
    let (job, specs, paused) = window.take(|command| match command {
        Command::Queue(QueueCommand::Enqueue { job, specs, paused, .. }) => Some((*job, specs.clone(), *paused)),
        _ => None,
    });
    assert!(!paused);
    let planned: Vec<(&str, &str, bool)> = specs
        .iter()
        .map(|spec| {
            (
                spec.local.to_str().unwrap_or_default(),
                spec.remote.as_str(),
                spec.keep_replaced.is_some(),
            )
        })
        .collect();
    assert_eq!(
        planned,
        [
            ("/home/me/keep.txt", "/srv/keep.txt", true),
            ("/home/me/new/a.txt", "/srv/new/a.txt", false)
        ]
    );
    let kept = specs[0]
        .keep_replaced
        .as_ref()
        .map(|path| path.display().to_string())
        .unwrap_or_default();
    assert!(
        kept.starts_with("/srv/.wharf-trash/") && kept.ends_with("/keep.txt"),
        "{kept}"
    );

    // The job ends; Undo puts back what the run moved to the trash.
    window.engine.emit(Event::JobFinished {
        job,
        summary: crate::engine::api::OpSummary {
            files: 2,
            ..Default::default()
        },
    });
    window.settle();
    assert!(
        window
            .log()
            .contains("What was replaced or deleted is in /srv/.wharf-trash/")
    );
    window.harness.get_by_label("Undo this sync").click();
    window.settle();
    let (id, trash) = window.take(|command| match command {
        Command::Session(SessionCommand::Request {
            request: SessionRequest::ListTree { id, path },
            ..
        }) => Some((*id, path.to_string())),
        _ => None,
    });
    assert!(kept.starts_with(&trash), "{kept} in {trash}");
    window.engine.emit(Event::Tree {
        id,
        path: RemotePath::new(&trash),
        tree: Box::new(Tree {
            entries: vec![crate::engine::api::TreeEntry {
                path: "old.txt".into(),
                kind: EntryKind::File,
                size: Some(5),
                modified: None,
                checksum: None,
            }],
            exists: true,
            ..Tree::default()
        }),
    });
    window.settle();
    let renames: Vec<(String, String)> = window
        .sent
        .iter()
        .filter_map(|command| match command {
            Command::Session(SessionCommand::Request {
                request: SessionRequest::Rename { from, to, .. },
                ..
            }) => Some((from.to_string(), to.to_string())),
            _ => None,
        })
        .collect();
    assert_eq!(renames.len(), 2, "{renames:?}");
    assert_eq!(renames[0].0, "/srv/old.txt", "what took its place goes aside first");
    assert!(renames[0].1.contains("-undo/old.txt"), "{renames:?}");
    assert_eq!(renames[1], (format!("{trash}/old.txt"), "/srv/old.txt".to_owned()));
    let id = window.take(|command| match command {
        Command::Session(SessionCommand::Request {
            request: SessionRequest::Stat { id, path },
            ..
        }) if path.as_str() == "/srv" => Some(*id),
        _ => None,
    });
    window.engine.emit(Event::Stat {
        id,
        entry: folder("srv"),
    });
    window.settle();
    assert!(window.log().contains("Undone: 1 file put back"), "{}", window.log());
}

#[test]
fn deleting_what_is_only_in_the_servers_root_is_refused() {
    let mut window = Window::open();
    window.connect();
    window.harness.state_mut().carry_out(PaneIntent::Navigate {
        side: Side::Remote,
        path: RemotePath::new("/"),
    });
    window.settle();
    window.answer_listing("/", vec![folder("srv")]);
    window.harness.get_by_label("Synchronize…").click();
    window.settle();
    window.harness.get_by_label("Preview").click();
    window.settle();
    for path in ["/home/me", "/"] {
        window.answer_tree(
            path,
            Tree {
                exists: true,
                ..Tree::default()
            },
        );
    }
    window.settle();
    window.answer_plan(SyncPlan {
        entries: vec![planned("srv", EntryKind::Dir, SyncAction::Delete, Reason::OnlyOnTarget)],
        time_offset_minutes: None,
    });
    window
        .harness
        .get_by_role_and_label(Role::Button, "Synchronize")
        .click();
    window.settle();
    assert!(window.has_label("Deleting what is only in / is refused"));
    assert!(!window.sent.iter().any(|command| matches!(
        command,
        Command::Session(SessionCommand::Request {
            request: SessionRequest::Rename { .. } | SessionRequest::Delete { .. },
            ..
        })
    )));
}
