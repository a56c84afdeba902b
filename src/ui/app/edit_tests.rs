//! The edit loop through the window (issue 13): F4 on a server file, a real watcher on the
//! copy, a fake editor command that saves, and the engine's side played by the test.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::*;
use crate::engine::api::{JobId, OpSummary};

/// How long the watcher may take to notice a save (it waits for the file to be quiet).
const NOTICE: Duration = Duration::from_secs(20);

fn stamped(name: &str, size: u64, second: i64) -> Entry {
    Entry {
        modified: DateTime::<Utc>::from_timestamp(second, 0),
        ..file(name, size)
    }
}

fn done(files: u64) -> OpSummary {
    OpSummary {
        files,
        ..OpSummary::default()
    }
}

impl Window {
    /// The window with a server connected, the editor command set, and a folder of its own
    /// for the copies.
    fn editing(editor: &str, base: &Path) -> Window {
        let mut window = Window::open();
        let app = window.harness.state_mut();
        app.settings.editor = editor.to_owned();
        app.edit_base = base.to_path_buf();
        window.connect();
        window
    }

    /// Runs frames until `ready` holds; fails the test after `NOTICE`.
    fn settle_until(&mut self, what: &str, ready: impl Fn(&mut Window) -> bool) {
        let deadline = Instant::now() + NOTICE;
        while !ready(self) {
            assert!(Instant::now() < deadline, "{what} did not happen within {NOTICE:?}");
            // The watcher and the editor run on threads of their own: give them the core.
            std::thread::sleep(Duration::from_millis(10));
            self.settle();
        }
    }

    /// Answers the window's look at a server file with `entry`.
    fn answer_stat(&mut self, path: &str, entry: Entry) {
        let id = self.take(|command| match command {
            Command::Session(SessionCommand::Request {
                request: SessionRequest::Stat { id, path: asked },
                ..
            }) if asked.as_str() == path => Some(*id),
            _ => None,
        });
        self.engine.emit(Event::Stat { id, entry });
        self.settle();
    }

    fn enqueued_job(&mut self) -> (JobId, TransferSpec) {
        self.take(|command| match command {
            Command::Queue(QueueCommand::Enqueue { job, specs, .. }) => Some((*job, specs[0].clone())),
            _ => None,
        })
    }

    fn finish_job(&mut self, job: JobId) {
        self.engine.emit(Event::JobFinished { job, summary: done(1) });
        self.settle();
    }

    fn shows(&self, text: &str) -> bool {
        self.harness.query_by_label_contains(text).is_some()
    }

    fn step_of_first_edit(&self) -> crate::ui::edits::Step {
        self.harness
            .state()
            .edits
            .iter()
            .next()
            .map(|edit| edit.step.clone())
            .unwrap()
    }
}

#[test]
fn a_server_file_is_fetched_opened_and_each_save_uploaded_after_checking_the_servers_copy() {
    let base = tempfile::tempdir().unwrap();
    // The editor: appends to the file it is given, which is a save.
    let mut window = Window::editing(r#"sh -c 'printf " and more" >> "$0"'"#, base.path());
    window.harness.key_press(Key::Tab);
    window.settle();
    for _ in 0..2 {
        window.harness.key_press(Key::ArrowDown);
        window.settle();
    }
    window.harness.key_press(Key::F4);
    window.settle();

    // The server's copy is looked at, then fetched into a private folder.
    window.answer_stat("/srv/index.html", stamped("index.html", 8, 1_000));
    window.settle_until("the private folder", |window| {
        window.sent.extend(window.engine.sent());
        window
            .sent
            .iter()
            .any(|command| matches!(command, Command::Queue(QueueCommand::Enqueue { .. })))
    });
    let (fetch, spec) = window.enqueued_job();
    assert_eq!(
        (spec.direction, spec.remote.as_str()),
        (Direction::Download, "/srv/index.html")
    );
    let copy = spec.local.join("index.html");
    std::fs::write(&copy, "original").unwrap();
    window.finish_job(fetch);

    // The editor saved: the window asks, then checks the server's copy before uploading.
    window.settle_until("the question after a save", |window| {
        window.shows("was saved in the editor")
    });
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), "original and more");
    window.harness.get_by_label("Upload").click();
    window.settle();
    window.answer_stat("/srv/index.html", stamped("index.html", 8, 1_000));
    let (upload, spec) = window.enqueued_job();
    assert_eq!(
        (spec.direction, spec.local.clone(), spec.remote.as_str()),
        (Direction::Upload, copy.clone(), "/srv")
    );
    // A dialog answered late, while this upload runs, starts nothing beside it.
    let id = window.harness.state().edits.iter().next().map(|edit| edit.id).unwrap();
    window
        .harness
        .state_mut()
        .carry_out(crate::ui::intent::EditIntent::Upload(id));
    window.settle();
    window.sent.extend(window.engine.sent());
    assert!(
        !window.sent.iter().any(|command| matches!(
            command,
            Command::Session(SessionCommand::Request {
                request: SessionRequest::Stat { .. },
                ..
            })
        )),
        "a late answer starts nothing while the upload runs"
    );
    window.finish_job(upload);
    window.answer_stat("/srv/index.html", stamped("index.html", 17, 2_000));
    assert!(window.shows("Uploaded index.html"));

    // Someone changes the server's copy; the next save is asked about with both versions.
    std::fs::write(&copy, "mine, again").unwrap();
    window.settle_until("the question after the second save", |window| {
        window.shows("was saved in the editor")
    });
    window.harness.get_by_label("Upload").click();
    window.settle();
    window.answer_stat("/srv/index.html", stamped("index.html", 30, 3_000));
    assert!(window.shows("index.html changed on the server"));
    assert!(window.shows("On the server now"));
    window.harness.get_by_label("Keep the server's copy").click();
    window.settle();
    assert_eq!(window.step_of_first_edit(), crate::ui::edits::Step::Changed);
    window.sent.extend(window.engine.sent());
    assert!(
        !window
            .sent
            .iter()
            .any(|command| matches!(command, Command::Queue(QueueCommand::Enqueue { .. }))),
        "kept: nothing is uploaded"
    );

    // From the list: upload after all, over their copy.
    window
        .harness
        .get_by_label(&format!("{} Upload", crate::ui::icons::UPLOAD))
        .click();
    window.settle();
    window.answer_stat("/srv/index.html", stamped("index.html", 30, 3_000));
    window.harness.get_by_label("Upload mine over it").click();
    window.settle();
    let (upload, spec) = window.enqueued_job();
    assert_eq!(spec.local, copy);
    window.finish_job(upload);
    window.answer_stat("/srv/index.html", stamped("index.html", 11, 4_000));

    // Done: the copy and its folder go.
    window.harness.get_by_label_contains("Stop editing").click();
    window.settle();
    let folder = copy.parent().unwrap().to_path_buf();
    window.settle_until("the copy's removal", |_| !folder.exists());
    assert!(window.harness.state().edits.is_empty());
}

#[test]
fn stopping_an_edit_with_a_save_not_uploaded_asks_first() {
    let base = tempfile::tempdir().unwrap();
    let mut window = Window::editing(r#"sh -c 'printf " edited" >> "$0"'"#, base.path());
    window.harness.key_press(Key::Tab);
    window.settle();
    for _ in 0..2 {
        window.harness.key_press(Key::ArrowDown);
        window.settle();
    }
    window.harness.key_press(Key::F4);
    window.settle();
    window.answer_stat("/srv/index.html", stamped("index.html", 8, 1_000));
    window.settle_until("the private folder", |window| {
        window.sent.extend(window.engine.sent());
        window
            .sent
            .iter()
            .any(|command| matches!(command, Command::Queue(QueueCommand::Enqueue { .. })))
    });
    let (fetch, spec) = window.enqueued_job();
    let copy = spec.local.join("index.html");
    std::fs::write(&copy, "original").unwrap();
    window.finish_job(fetch);
    window.settle_until("the question after a save", |window| {
        window.shows("was saved in the editor")
    });
    window.harness.get_by_label("Not now").click();
    window.settle();

    window.harness.get_by_label_contains("Stop editing").click();
    window.settle();
    assert!(window.shows("has changes that were not uploaded"));
    window.harness.get_by_label("Cancel").click();
    window.settle();
    assert!(copy.exists(), "cancelled: the copy stays");
    assert!(!window.harness.state().edits.is_empty());

    // The window closes: the save that was never uploaded is kept, and named at the next start.
    drop(window);
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), "original edited");
    assert_eq!(crate::ui::edit_watch::clean_earlier_runs(base.path()), vec![copy]);
}
