//! The queue end to end against the in-memory backend with injected faults: parallel folder
//! transfers, retries that resume, a source that changed, restarts from the database,
//! conflict policies, a server that allows fewer connections, permanent errors, and two
//! engines on one database (another process's items seen, and never run, by a watching one).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::Paths;
use crate::engine::api::{
    Command, ConflictPolicy, Direction, Event, JobId, OpSummary, Progress, PromptReply, QueueCommand, QueueLimits,
    Selection, SessionCommand, SessionRequest, TransferOptions, TransferSpec, TransferState,
};
use crate::engine::handle::{EngineConfig, EngineHandle};
use crate::model::Site;
use crate::model::location::{Location, RemotePath};
use crate::protocol::memory::{Faults, MemoryFs};
use crate::protocol::{ErrorKind, FsError, LogDirection, RemoteFs};

const WAIT: Duration = Duration::from_secs(30);

fn data(size: usize, seed: u8) -> Vec<u8> {
    (0..size)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn site() -> Site {
    Location::parse("sftp://me:secret-pw@memory.test/").unwrap().site
}

fn config(home: &Path, server: &MemoryFs, limits: QueueLimits, resume: bool) -> EngineConfig {
    let mut config = EngineConfig::under(Paths::under(home.to_path_buf()));
    config.retry_backoff = Duration::from_millis(20);
    config.resume_queue = resume;
    config.limits = limits;
    config.serve_from_memory(server);
    config
}

fn engine(home: &Path, server: &MemoryFs) -> EngineHandle {
    EngineHandle::start(config(home, server, QueueLimits::default(), false), None).unwrap()
}

/// Reads events until `pick` returns something; fails the test after `WAIT`.
fn wait_for<T>(engine: &EngineHandle, mut pick: impl FnMut(&EngineHandle, Event) -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no expected event within {WAIT:?}");
        if let Ok(event) = engine.wait_event(left.min(Duration::from_millis(50)))
            && let Some(found) = pick(engine, event)
        {
            return found;
        }
    }
}

fn enqueue(engine: &EngineHandle, specs: Vec<TransferSpec>, on_conflict: ConflictPolicy) -> JobId {
    let job = engine.next_job();
    engine.send(QueueCommand::Enqueue {
        job,
        site: site(),
        specs,
        options: TransferOptions {
            on_conflict,
            ..TransferOptions::default()
        },
        paused: false,
    });
    job
}

fn download(remote: &str, local: &Path, recursive: bool) -> TransferSpec {
    TransferSpec {
        direction: Direction::Download,
        local: local.to_path_buf(),
        remote: RemotePath::new(remote),
        recursive,
        keep_replaced: None,
    }
}

/// Polls `done` until it holds; fails the test with `what` after `WAIT`.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "{what} within {WAIT:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits for an item to be transferring and to have moved `bytes`; returns the item.
fn transferring_past(engine: &EngineHandle, bytes: u64) -> crate::engine::api::ItemId {
    let (item, progress) = wait_for(engine, |_, event| match event {
        Event::ItemChanged {
            item,
            state: TransferState::Transferring,
            progress,
            ..
        } => Some((item, progress)),
        _ => None,
    });
    wait_until(&format!("{bytes} bytes moved"), || progress.done() >= bytes);
    item
}

/// An engine on `home` uploading `file` to `/big.bin` at 64 KiB/s (slow enough to be caught
/// running), once the server has opened the upload; with the item.
fn slow_upload_begun(home: &Path, server: &MemoryFs, file: &Path) -> (EngineHandle, crate::engine::api::ItemId) {
    let slow = QueueLimits {
        upload_rate: Some(64 * 1024),
        ..QueueLimits::default()
    };
    let engine = EngineHandle::start(config(home, server, slow, false), None).unwrap();
    enqueue(&engine, vec![upload(file, "/big.bin")], ConflictPolicy::Overwrite);
    let item = transferring_past(&engine, 0);
    wait_until("the upload opened", || !server.upload_opens().is_empty());
    (engine, item)
}

/// The handle the memory server gives the `n`-th upload it opens (from 1).
fn upload_handle(n: usize) -> Option<crate::protocol::ResumeToken> {
    Some(crate::protocol::ResumeToken(format!("upload-{n}")))
}

fn job_summary(engine: &EngineHandle, job: JobId) -> OpSummary {
    wait_for(engine, |_, event| match event {
        Event::JobFinished { job: done, summary } if done == job => Some(summary),
        _ => None,
    })
}

#[test]
fn a_folder_downloads_in_parallel_with_its_empty_folders() {
    let server = MemoryFs::new();
    let big = data(300_000, 1);
    server.put("/data/a.bin", &big);
    server.put("/data/sub/b.txt", b"bee");
    for n in 0..20 {
        server.put(&format!("/data/many/{n}.txt"), format!("file {n}").as_bytes());
    }
    server.clone().mkdir(&RemotePath::new("/data/empty")).unwrap();
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let engine = engine(home.path(), &server);

    let job = enqueue(&engine, vec![download("/data", out.path(), true)], ConflictPolicy::Ask);
    let summary = job_summary(&engine, job);

    assert_eq!(summary.failed, Vec::<String>::new());
    assert_eq!((summary.files, summary.folders), (22, 4), "{summary:?}");
    let root = out.path().join("data");
    assert_eq!(std::fs::read(root.join("a.bin")).unwrap(), big);
    assert_eq!(std::fs::read(root.join("sub/b.txt")).unwrap(), b"bee");
    assert_eq!(std::fs::read(root.join("many/7.txt")).unwrap(), b"file 7");
    assert!(root.join("empty").is_dir(), "empty folders are created too");
}

#[test]
fn a_running_transfer_tells_where_its_time_goes_and_how_many_connections_it_may_have() {
    let server = MemoryFs::new();
    let content = data(3 * 1024 * 1024, 9);
    server.put("/big.bin", &content);
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let engine = engine(home.path(), &server);
    let job = enqueue(
        &engine,
        vec![download("/big.bin", out.path(), false)],
        ConflictPolicy::Ask,
    );

    // The counters a running item's events carry are the ones its copy keeps updating.
    let mut running = None;
    let summary = wait_for(&engine, |_, event| match event {
        Event::ItemChanged {
            state: TransferState::Connecting | TransferState::Transferring,
            progress,
            ..
        } => {
            running.get_or_insert(progress);
            None
        }
        Event::JobFinished { job: done, summary } if done == job => Some(summary),
        _ => None,
    });

    assert_eq!(summary.failed, Vec::<String>::new());
    let progress = running.expect("the item was seen running");
    let spent = progress.time_spent();
    assert!(
        !spent.network.is_zero(),
        "reading from the server is charged: {spent:?}"
    );
    assert!(!spent.disk.is_zero(), "writing the file is charged: {spent:?}");
    assert!(spent.limit.is_zero(), "no limit, no time held back: {spent:?}");
    let connections = progress.connections();
    assert_eq!(connections.allowed, QueueLimits::DEFAULT_PARALLEL);
    assert_eq!(connections.server_accepts, None, "the server refused nothing");
    assert_eq!(progress.link().in_flight, None, "the memory backend does not pipeline");
}

#[test]
fn a_dropped_connection_is_retried_and_the_file_resumed() {
    let server = MemoryFs::new();
    let content = data(3 * 1024 * 1024 + 7, 2);
    server.put("/big.bin", &content);
    let cut = 1024 * 1024 + 5;
    server.set_faults(Faults {
        drop_read_after: Some(cut),
        ..Faults::default()
    });
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let engine = engine(home.path(), &server);
    enqueue(
        &engine,
        vec![download("/big.bin", out.path(), false)],
        ConflictPolicy::Ask,
    );

    let mut waited = false;
    let progress: Progress = wait_for(&engine, |_, event| match event {
        Event::ItemChanged {
            state: TransferState::Waiting { .. },
            ..
        } => {
            waited = true;
            None
        }
        Event::ItemChanged {
            state: TransferState::Done { .. },
            progress,
            ..
        } => Some(progress),
        Event::ItemChanged {
            state: TransferState::Failed { reason },
            ..
        } => panic!("{reason}"),
        _ => None,
    });
    assert!(waited, "the failure waited for a retry");
    assert_eq!(progress.resumed_from(), cut, "the retry continued the partial file");
    assert_eq!(std::fs::read(out.path().join("big.bin")).unwrap(), content);
}

#[test]
fn a_source_that_changed_between_attempts_is_started_over() {
    let server = MemoryFs::new();
    server.put("/f.bin", &data(300_000, 3));
    server.set_faults(Faults {
        drop_read_after: Some(100_000),
        ..Faults::default()
    });
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let engine = engine(home.path(), &server);
    enqueue(
        &engine,
        vec![download("/f.bin", out.path(), false)],
        ConflictPolicy::Ask,
    );

    // Hold the item while it waits for its retry, and change the file meanwhile.
    let item = wait_for(&engine, |engine, event| match event {
        Event::ItemChanged {
            item,
            state: TransferState::Waiting { .. },
            ..
        } => {
            engine.send(QueueCommand::Pause {
                items: Selection::Items(vec![item]),
            });
            Some(item)
        }
        _ => None,
    });
    wait_for(&engine, |_, event| match event {
        Event::ItemChanged {
            state: TransferState::Paused,
            ..
        } => Some(()),
        _ => None,
    });
    let fresh = data(250_000, 4);
    server.put("/f.bin", &fresh);
    engine.send(QueueCommand::Resume {
        items: Selection::Items(vec![item]),
    });
    let progress = wait_for(&engine, |_, event| match event {
        Event::ItemChanged {
            state: TransferState::Done { .. },
            progress,
            ..
        } => Some(progress),
        _ => None,
    });
    assert_eq!(progress.resumed_from(), 0, "the old partial file was not continued");
    assert_eq!(std::fs::read(out.path().join("f.bin")).unwrap(), fresh);
}

#[test]
fn a_restart_from_the_database_resumes_the_partial_file() {
    let server = MemoryFs::new();
    let content = data(2 * 1024 * 1024, 5);
    server.put("/slow.bin", &content);
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let slow = QueueLimits {
        download_rate: Some(512 * 1024),
        ..QueueLimits::default()
    };
    let first = EngineHandle::start(config(home.path(), &server, slow, false), None).unwrap();
    enqueue(
        &first,
        vec![download("/slow.bin", out.path(), false)],
        ConflictPolicy::Ask,
    );
    let progress = wait_for(&first, |_, event| match event {
        Event::ItemChanged {
            state: TransferState::Transferring,
            progress,
            ..
        } => Some(progress),
        _ => None,
    });
    // Quit once part of the file has arrived: under the limit a copy moves a tenth of a
    // second's worth at a time, and the first second's worth passes at once.
    let deadline = Instant::now() + WAIT;
    while progress.done() < 512 * 1024 {
        assert!(Instant::now() < deadline, "no progress within {WAIT:?}");
        let _ = first.wait_event(Duration::from_millis(20));
    }
    drop(first);

    let second = EngineHandle::start(config(home.path(), &server, QueueLimits::default(), true), None).unwrap();
    let restored = wait_for(&second, |_, event| match event {
        Event::ItemsAdded { items } => Some(items),
        _ => None,
    });
    assert_eq!(restored.len(), 1);
    assert!(restored[0].bytes_done >= 512 * 1024, "{:?}", restored[0]);
    // The database has no password: the restored queue asks for it, once, and the item says
    // it waits for the password (not "connecting") while the question is open.
    let mut asked = 0;
    let mut said_waiting = false;
    let progress = wait_for(&second, |engine, event| match event {
        Event::ItemChanged {
            state: TransferState::WaitingForPassword,
            ..
        } => {
            said_waiting = true;
            None
        }
        Event::Prompt {
            prompt,
            question: crate::engine::api::Prompt::Password { site, passphrase },
        } => {
            assert_eq!((site.as_str(), passphrase), ("sftp://me@memory.test:22", false));
            assert!(
                said_waiting,
                "the item says it waits for the password before the question"
            );
            asked += 1;
            engine.send(Command::Answer {
                prompt,
                reply: PromptReply::Password(crate::model::Secret::new("secret-pw")),
            });
            None
        }
        Event::ItemChanged {
            state: TransferState::Done { .. },
            progress,
            ..
        } => Some(progress),
        _ => None,
    });
    assert_eq!(asked, 1);
    assert!(
        progress.resumed_from() >= 512 * 1024,
        "resumed from {}",
        progress.resumed_from()
    );
    assert_eq!(std::fs::read(out.path().join("slow.bin")).unwrap(), content);
}

/// Downloads `/f.txt` over an existing local `f.txt` with `policy`; returns the summary.
fn conflict(
    policy: ConflictPolicy,
    existing: &[u8],
    existing_is_newer: bool,
) -> (OpSummary, PathBuf, tempfile::TempDir) {
    let server = MemoryFs::new();
    server.put("/f.txt", b"new content");
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let target = out.path().join("f.txt");
    std::fs::write(&target, existing).unwrap();
    let when = if existing_is_newer {
        std::time::SystemTime::now() + Duration::from_secs(3600)
    } else {
        std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000)
    };
    std::fs::File::options()
        .write(true)
        .open(&target)
        .unwrap()
        .set_modified(when)
        .unwrap();
    let engine = engine(home.path(), &server);
    let job = enqueue(&engine, vec![download("/f.txt", out.path(), false)], policy);
    let summary = job_summary(&engine, job);
    drop(engine);
    (summary, target, out)
}

#[test]
fn conflict_policies_decide_what_happens_to_an_existing_target() {
    let (summary, target, _dir) = conflict(ConflictPolicy::Skip, b"old", false);
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
    assert_eq!(summary.skipped.len(), 1, "{summary:?}");

    let (_, target, _dir) = conflict(ConflictPolicy::Overwrite, b"old", true);
    assert_eq!(std::fs::read(&target).unwrap(), b"new content");

    let (summary, target, _dir) = conflict(ConflictPolicy::Newer, b"old", true);
    assert_eq!(std::fs::read(&target).unwrap(), b"old", "a newer target stays");
    assert_eq!(summary.skipped.len(), 1);
    let (_, target, _dir) = conflict(ConflictPolicy::Newer, b"old", false);
    assert_eq!(
        std::fs::read(&target).unwrap(),
        b"new content",
        "an older target is replaced"
    );

    let (summary, target, _dir) = conflict(ConflictPolicy::Differ, b"same length", false);
    assert_eq!(std::fs::read(&target).unwrap(), b"same length", "same size: skipped");
    assert_eq!(summary.skipped.len(), 1);
    let (_, target, _dir) = conflict(ConflictPolicy::Differ, b"short", false);
    assert_eq!(std::fs::read(&target).unwrap(), b"new content");

    let (summary, target, _dir) = conflict(ConflictPolicy::Resume, b"new ", false);
    assert_eq!(std::fs::read(&target).unwrap(), b"new content");
    assert_eq!(summary.bytes, 7, "only the missing tail moved");

    let (_, target, dir) = conflict(ConflictPolicy::Rename, b"old", false);
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
    assert_eq!(std::fs::read(dir.path().join("f (1).txt")).unwrap(), b"new content");
}

#[test]
fn the_file_exists_question_is_asked_once_with_apply_to_all() {
    let server = MemoryFs::new();
    for name in ["a", "b", "c"] {
        server.put(&format!("/d/{name}"), b"server");
    }
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::create_dir(out.path().join("d")).unwrap();
    for name in ["a", "b", "c"] {
        std::fs::write(out.path().join("d").join(name), b"local").unwrap();
    }
    let mut config = config(home.path(), &server, QueueLimits::default(), false);
    config.limits.parallel = 1;
    let engine = EngineHandle::start(config, None).unwrap();
    let job = enqueue(&engine, vec![download("/d", out.path(), true)], ConflictPolicy::Ask);
    let mut asked = 0;
    let summary = wait_for(&engine, |engine, event| match event {
        Event::Prompt { prompt, question } => {
            assert!(matches!(question, crate::engine::api::Prompt::FileExists { .. }));
            asked += 1;
            engine.send(Command::Answer {
                prompt,
                reply: PromptReply::Conflict {
                    policy: ConflictPolicy::Overwrite,
                    apply_to_all: true,
                },
            });
            None
        }
        Event::JobFinished { job: done, summary } if done == job => Some(summary),
        _ => None,
    });
    assert_eq!(asked, 1, "apply to all answered the rest");
    assert_eq!(summary.files, 3);
    for name in ["a", "b", "c"] {
        assert_eq!(std::fs::read(out.path().join("d").join(name)).unwrap(), b"server");
    }
}

#[test]
fn a_server_that_refuses_more_connections_lowers_the_site_limit() {
    let server = MemoryFs::new();
    for n in 0..8 {
        server.put(&format!("/d/{n}"), &data(10_000, n));
    }
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut config = config(home.path(), &server, QueueLimits::default(), false);
    // The server takes two connections; any further one is refused like FTP's 421. The two
    // it accepts are held until four have been tried, so that the four workers really do
    // ask at the same time (an early finisher would otherwise lend its connection out).
    let tried = Arc::new((std::sync::Mutex::new(0usize), std::sync::Condvar::new()));
    let memory = server.clone();
    config.connector = Arc::new(move |_, _| {
        let (count, all_tried) = &*tried;
        let mut count = count.lock().unwrap();
        *count += 1;
        all_tried.notify_all();
        if *count > 2 {
            return Err(FsError::new(
                ErrorKind::TooManyConnections,
                "421 Too many connections from your address",
            ));
        }
        let _ = all_tried.wait_timeout_while(count, WAIT, |count| *count < 4).unwrap();
        Ok(Box::new(memory.clone()) as Box<dyn RemoteFs>)
    });
    let engine = EngineHandle::start(config, None).unwrap();
    // Files rather than a folder, so that no connection exists before the four start.
    let specs = (0..8)
        .map(|n| download(&format!("/d/{n}"), out.path(), false))
        .collect();
    let job = enqueue(&engine, specs, ConflictPolicy::Ask);
    let mut lowered = false;
    let summary = wait_for(&engine, |_, event| match event {
        Event::Log {
            direction: LogDirection::Warning,
            text,
            ..
        } if text.contains("refused another connection") => {
            lowered = true;
            None
        }
        Event::JobFinished { job: done, summary } if done == job => Some(summary),
        _ => None,
    });
    assert!(lowered, "the user is told the limit went down");
    assert_eq!(summary.failed, Vec::<String>::new(), "no item failed for it");
    assert_eq!(summary.files, 8);
    for n in 0..8 {
        assert_eq!(std::fs::read(out.path().join(n.to_string())).unwrap(), data(10_000, n));
    }
}

#[test]
fn permanent_errors_fail_at_once_and_retry_puts_them_back() {
    let server = MemoryFs::new();
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let engine = engine(home.path(), &server);
    enqueue(
        &engine,
        vec![download("/later.txt", out.path(), false)],
        ConflictPolicy::Ask,
    );
    let (item, attempts) = wait_for(&engine, |_, event| match event {
        Event::ItemChanged {
            item,
            state: TransferState::Failed { reason },
            attempts,
            ..
        } => {
            assert!(reason.contains("/later.txt"), "{reason}");
            Some((item, attempts))
        }
        Event::ItemChanged {
            state: TransferState::Waiting { .. },
            ..
        } => panic!("a missing file is not retried"),
        _ => None,
    });
    assert_eq!(attempts, 1);
    server.put("/later.txt", b"here now");
    engine.send(QueueCommand::Retry {
        items: Selection::Items(vec![item]),
    });
    wait_for(&engine, |_, event| match event {
        Event::ItemChanged {
            item: done,
            state: TransferState::Done { .. },
            ..
        } if done == item => Some(()),
        _ => None,
    });
    assert_eq!(std::fs::read(out.path().join("later.txt")).unwrap(), b"here now");
}

#[test]
fn uploads_without_a_temporary_name_resume_the_target_itself() {
    let server = MemoryFs::new();
    server.clone().mkdir(&RemotePath::new("/up")).unwrap();
    server.set_faults(Faults {
        drop_write_after: Some(70_000),
        ..Faults::default()
    });
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let content = data(200_000, 6);
    std::fs::write(local.path().join("u.bin"), &content).unwrap();
    let engine = engine(home.path(), &server);
    let job = engine.next_job();
    engine.send(QueueCommand::Enqueue {
        job,
        site: site(),
        specs: vec![TransferSpec {
            direction: Direction::Upload,
            local: local.path().join("u.bin"),
            remote: RemotePath::new("/up"),
            recursive: false,
            keep_replaced: None,
        }],
        options: TransferOptions {
            upload_via_temp: false,
            ..TransferOptions::default()
        },
        paused: false,
    });
    let summary = job_summary(&engine, job);
    assert_eq!(summary.failed, Vec::<String>::new());
    assert_eq!(server.get("/up/u.bin"), Some(content.clone()));
    assert_eq!(server.get("/up/.u.bin.wharf-part"), None, "no temporary name was used");
    assert_eq!(
        summary.bytes,
        content.len() as u64 - 70_000,
        "the second attempt resumed"
    );
}

#[test]
fn no_secret_reaches_the_queue_database() {
    let server = MemoryFs::new();
    server.put("/f", b"x");
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let engine = engine(home.path(), &server);
    let job = enqueue(&engine, vec![download("/f", out.path(), false)], ConflictPolicy::Ask);
    job_summary(&engine, job);
    drop(engine);
    let mut files = vec![home.path().to_path_buf()];
    let mut checked = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()));
        } else {
            checked += 1;
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("secret-pw"),
                "{} holds the password",
                path.display()
            );
        }
    }
    assert!(checked >= 1, "the queue database exists");
}

#[test]
fn items_added_paused_wait_for_resume() {
    let server = MemoryFs::new();
    server.put("/held.txt", b"held until resumed");
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let engine = engine(home.path(), &server);
    let job = engine.next_job();
    engine.send(QueueCommand::Enqueue {
        job,
        site: site(),
        specs: vec![download("/held.txt", out.path(), false)],
        options: TransferOptions::default(),
        paused: true,
    });
    let item = wait_for(&engine, |_, event| match event {
        Event::ItemsAdded { items } => Some(items[0].clone()),
        _ => None,
    });
    assert_eq!(item.state, TransferState::Paused);
    // A paused queue goes idle without touching the file.
    wait_for(&engine, |_, event| {
        matches!(event, Event::QueueIdle { .. }).then_some(())
    });
    assert!(!out.path().join("held.txt").exists());

    engine.send(QueueCommand::Resume {
        items: Selection::Items(vec![item.id]),
    });
    let summary = job_summary(&engine, job);
    assert_eq!(summary.files, 1, "{summary:?}");
    assert_eq!(
        std::fs::read(out.path().join("held.txt")).unwrap(),
        b"held until resumed"
    );
}

#[test]
fn the_local_session_lists_and_changes_this_computers_folders() {
    let (home, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(work.path().join("a.txt"), b"abc").unwrap();
    let engine = engine(home.path(), &MemoryFs::new());
    let local = engine.next_id();
    engine.send(SessionCommand::OpenLocal { id: local });
    let session = wait_for(&engine, |_, event| match event {
        Event::Connected { id, session, .. } if id == local => Some(session),
        _ => None,
    });
    let folder = RemotePath::new(work.path().to_str().unwrap());
    let mkdir = engine.next_id();
    engine.send(Command::request(
        session,
        SessionRequest::Mkdir {
            id: mkdir,
            path: folder.join("new folder"),
        },
    ));
    wait_for(&engine, |_, event| match event {
        Event::OpFinished { id, result } if id == mkdir => Some(result.unwrap()),
        _ => None,
    });
    let list = engine.next_id();
    engine.send(Command::request(
        session,
        SessionRequest::List { id: list, path: folder },
    ));
    let mut names = wait_for(&engine, |_, event| match event {
        Event::Listing { id, entries, .. } if id == list => Some(
            entries
                .into_iter()
                .map(|entry| (entry.name, entry.kind))
                .collect::<Vec<_>>(),
        ),
        _ => None,
    });
    names.sort_by(|a, b| a.0.cmp(&b.0));
    use crate::model::EntryKind;
    assert_eq!(
        names,
        vec![
            ("a.txt".to_owned(), EntryKind::File),
            ("new folder".to_owned(), EntryKind::Dir)
        ]
    );
}

#[test]
fn restored_items_of_a_saved_site_take_its_password_from_the_keyring() {
    use crate::engine::api::{Prompt, SavedSite};
    use crate::secrets::{MemorySecrets, SecretStore};
    let server = MemoryFs::new();
    server.put("/kept.txt", b"from the keyring");
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let secrets: Arc<MemorySecrets> = Arc::new(MemorySecrets::default());
    // The site is saved (its password in the keyring) and an item for it waits in the queue.
    let mut sites = crate::sites_file::Sites::default();
    let saved = sites
        .add(SavedSite {
            name: "memory".into(),
            host: "memory.test".into(),
            user: "me".into(),
            ..SavedSite::default()
        })
        .unwrap()
        .clone();
    sites.save(&Paths::under(home.path().to_path_buf()).sites()).unwrap();
    secrets
        .set(
            &saved.secret_key(crate::engine::api::SecretKind::Password),
            &crate::model::Secret::new("secret-pw"),
        )
        .unwrap();
    let first = engine(home.path(), &server);
    first.send(QueueCommand::Enqueue {
        job: first.next_job(),
        site: site(),
        specs: vec![download("/kept.txt", out.path(), false)],
        options: TransferOptions::default(),
        paused: true,
    });
    wait_for(&first, |_, event| {
        matches!(event, Event::ItemsAdded { .. }).then_some(())
    });
    drop(first);

    let mut restarted = config(home.path(), &server, QueueLimits::default(), true);
    restarted.secrets = secrets;
    let second = EngineHandle::start(restarted, None).unwrap();
    second.send(QueueCommand::Resume { items: Selection::All });
    wait_for(&second, |_, event| match event {
        Event::Prompt {
            question: Prompt::Password { .. },
            ..
        } => panic!("the keyring had the password; the user was asked anyway"),
        Event::ItemChanged {
            state: TransferState::Done { .. },
            ..
        } => Some(()),
        _ => None,
    });
    assert_eq!(std::fs::read(out.path().join("kept.txt")).unwrap(), b"from the keyring");
}

/// A link that hangs mid-file (issue 19: a queue must never sit silent): the row turns
/// "stalled" and the log says why; when data moves again the row says "transferring" again,
/// however the queue came to describe it, and the file completes.
#[test]
fn a_hung_transfer_shows_as_stalled_and_then_as_itself_again() {
    use crate::protocol::memory::Gate;
    let server = MemoryFs::new();
    let content = data(200_000, 3);
    server.put("/slow.bin", &content);
    let (first, second) = (Gate::default(), Gate::default());
    server.set_faults(Faults {
        hold_reads_at: vec![(50_000, first.clone()), (100_000, second.clone())],
        ..Faults::default()
    });
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut config = config(home.path(), &server, QueueLimits::default(), false);
    config.stall_after = Duration::from_millis(200);
    let engine = EngineHandle::start(config, None).unwrap();
    let job = enqueue(
        &engine,
        vec![download("/slow.bin", out.path(), false)],
        ConflictPolicy::Overwrite,
    );

    let mut warned = false;
    let item = wait_for(&engine, |_, event| match event {
        Event::Log {
            direction: LogDirection::Warning,
            text,
            ..
        } if text.contains("nothing has moved") => {
            warned = true;
            None
        }
        Event::ItemChanged {
            item,
            state: TransferState::Stalled { .. },
            ..
        } => Some(item),
        _ => None,
    });
    assert!(warned, "the log says why the row stalled");
    // The bytes move on to the second hold, where the queue sees they moved.
    first.open();
    wait_for(&engine, |_, event| match event {
        Event::ItemChanged {
            item: changed, state, ..
        } if changed == item => {
            assert_ne!(
                state,
                TransferState::Connecting,
                "a moving transfer is not described as connecting"
            );
            (state == TransferState::Transferring).then_some(())
        }
        _ => None,
    });
    second.open();
    let summary = job_summary(&engine, job);
    assert_eq!(summary.failed, Vec::<String>::new());
    assert_eq!(std::fs::read(out.path().join("slow.bin")).unwrap(), content);
}

/// `wharf queue list` while another Wharf runs the queue (issue 19): what that process is
/// transferring shows as running there, not as "queued" with nothing happening.
#[test]
fn another_process_running_an_item_is_shown_as_such() {
    use crate::protocol::memory::Gate;
    let server = MemoryFs::new();
    server.put("/held.bin", &data(100_000, 4));
    let gate = Gate::default();
    server.set_faults(Faults {
        hold_reads_at: vec![(10_000, gate.clone())],
        ..Faults::default()
    });
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let running = engine(home.path(), &server);
    let job = enqueue(
        &running,
        vec![download("/held.bin", out.path(), false)],
        ConflictPolicy::Overwrite,
    );
    wait_for(&running, |_, event| match event {
        Event::ItemChanged {
            state: TransferState::Transferring,
            ..
        } => Some(()),
        _ => None,
    });

    let looking = engine(home.path(), &server);
    let state = wait_for(&looking, |_, event| match event {
        Event::ItemsAdded { items } => items.first().map(|item| item.state.clone()),
        _ => None,
    });
    assert_eq!(state, TransferState::RunningElsewhere);
    assert_eq!(state.label(), "running in another Wharf");

    gate.open();
    assert_eq!(job_summary(&running, job).failed, Vec::<String>::new());
}

fn upload(local: &Path, remote: &str) -> TransferSpec {
    TransferSpec {
        direction: Direction::Upload,
        local: local.to_path_buf(),
        remote: RemotePath::new(remote),
        recursive: true,
        keep_replaced: None,
    }
}

/// Cancelling a running upload lets the server drop what it keeps of it out of sight (S3
/// aborts its multipart upload); pausing one keeps it for the resume.
#[test]
fn a_cancelled_upload_is_discarded_on_the_server_and_a_paused_one_is_not() {
    let server = MemoryFs::new();
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = local.path().join("big.bin");
    std::fs::write(&file, data(4_000_000, 4)).unwrap();
    // Slow enough to be caught running.
    let limits = QueueLimits {
        upload_rate: Some(64 * 1024),
        ..QueueLimits::default()
    };
    let engine = EngineHandle::start(config(home.path(), &server, limits, false), None).unwrap();
    let job = enqueue(&engine, vec![upload(&file, "/big.bin")], ConflictPolicy::Overwrite);
    let transferring = |engine: &EngineHandle| {
        wait_for(engine, |_, event| match event {
            Event::ItemChanged {
                item,
                state: TransferState::Transferring,
                ..
            } => Some(item),
            _ => None,
        })
    };
    let item = transferring(&engine);
    engine.send(QueueCommand::Pause {
        items: Selection::Items(vec![item]),
    });
    wait_for(&engine, |_, event| match event {
        Event::ItemChanged {
            item: changed,
            state: TransferState::Paused,
            ..
        } if changed == item => Some(()),
        _ => None,
    });
    engine.send(QueueCommand::Resume {
        items: Selection::Items(vec![item]),
    });
    assert_eq!(transferring(&engine), item);
    assert!(server.discarded().is_empty(), "a pause keeps the upload for its resume");
    // The row says "transferring" a moment before the resumed attempt opens its upload.
    let deadline = Instant::now() + WAIT;
    while server.upload_opens().len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    engine.send(QueueCommand::CancelItems {
        items: Selection::Items(vec![item]),
    });
    let summary = job_summary(&engine, job);
    assert_eq!(summary.failed.len(), 1, "{summary:?}");
    // The job ends at the cancel; its worker stops, and discards, a moment later.
    let deadline = Instant::now() + WAIT;
    while server.discarded().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let token = |n: &str| Some(crate::protocol::ResumeToken(format!("upload-{n}")));
    assert_eq!(
        server.discarded(),
        [("/big.bin".to_owned(), token("2"))],
        "the cancelled upload's target, with the handle of its last attempt's upload"
    );
    assert_eq!(
        server.upload_opens(),
        [None, token("1")],
        "the resumed attempt continued the upload the paused one began"
    );
}

/// Cancelled while its write waited for a server that then failed it (an S3 part whose
/// answer never came): the attempt ends with that error, not "cancelled", and what it left
/// on the server still goes, as the user asked.
#[test]
fn an_upload_cancelled_while_its_write_hangs_is_discarded_when_the_write_fails() {
    use crate::protocol::memory::Gate;
    let server = MemoryFs::new();
    let gate = Gate::default();
    server.set_faults(Faults {
        break_write_at: Some((100_000, gate.clone())),
        ..Faults::default()
    });
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = local.path().join("big.bin");
    std::fs::write(&file, data(400_000, 13)).unwrap();
    let engine = engine(home.path(), &server);
    let job = enqueue(&engine, vec![upload(&file, "/big.bin")], ConflictPolicy::Overwrite);
    let item = transferring_past(&engine, 100_000);
    engine.send(QueueCommand::CancelItems {
        items: Selection::Items(vec![item]),
    });
    assert_eq!(job_summary(&engine, job).failed.len(), 1);
    gate.open();
    wait_until("the cancelled upload discarded", || !server.discarded().is_empty());
    assert_eq!(server.discarded(), [("/big.bin".to_owned(), upload_handle(1))]);
}

/// An upload paused yesterday and cancelled today: no attempt runs, so the queue itself
/// discards what the paused attempt left on the server, by the handle kept in its row.
#[test]
fn cancelling_a_paused_upload_discards_what_its_last_attempt_left() {
    use crate::engine::api::Prompt;
    let server = MemoryFs::new();
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = local.path().join("big.bin");
    std::fs::write(&file, data(4_000_000, 12)).unwrap();
    let (first, item) = slow_upload_begun(home.path(), &server, &file);
    first.send(QueueCommand::Pause {
        items: Selection::Items(vec![item]),
    });
    // Quitting waits for the paused attempt to end.
    drop(first);
    assert!(server.discarded().is_empty(), "a pause keeps the upload");

    let second = EngineHandle::start(config(home.path(), &server, QueueLimits::default(), true), None).unwrap();
    let restored = wait_for(&second, |_, event| match event {
        Event::ItemsAdded { items } => Some(items),
        _ => None,
    });
    assert_eq!(
        restored[0].state,
        TransferState::Paused,
        "paused while its worker was stopping"
    );
    second.send(QueueCommand::CancelItems {
        items: Selection::Items(vec![restored[0].id]),
    });
    // The database has no password: removing the upload asks for it, as an attempt would.
    let deadline = Instant::now() + WAIT;
    while server.discarded().is_empty() {
        assert!(Instant::now() < deadline, "the upload was not discarded");
        if let Ok(Event::Prompt {
            prompt,
            question: Prompt::Password { .. },
        }) = second.wait_event(Duration::from_millis(20))
        {
            second.send(Command::Answer {
                prompt,
                reply: PromptReply::Password(crate::model::Secret::new("secret-pw")),
            });
        }
    }
    assert_eq!(server.discarded(), [("/big.bin".to_owned(), upload_handle(1))]);
}

/// Cancelled while its attempt waited for the password after a restart, an upload's attempt
/// ends before it reaches its own discard: the queue discards what the earlier attempt left,
/// by the handle in its row.
#[test]
fn an_upload_cancelled_before_its_attempt_connects_is_discarded_by_the_queue() {
    use crate::engine::api::Prompt;
    let server = MemoryFs::new();
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = local.path().join("big.bin");
    std::fs::write(&file, data(4_000_000, 15)).unwrap();
    let (first, _) = slow_upload_begun(home.path(), &server, &file);
    // Quit mid-file: the item comes back queued, with its upload's handle.
    drop(first);

    let second = EngineHandle::start(config(home.path(), &server, QueueLimits::default(), true), None).unwrap();
    // The restored attempt asks for the password (the database has none); the user cancels
    // the item and refuses the question, so the attempt ends without connecting. Removing
    // the upload then asks again, and gets it.
    let mut asked = 0;
    let deadline = Instant::now() + WAIT;
    while server.discarded().is_empty() {
        assert!(Instant::now() < deadline, "the upload was not discarded");
        match second.wait_event(Duration::from_millis(20)) {
            Ok(Event::Prompt {
                prompt,
                question: Prompt::Password { .. },
            }) => {
                asked += 1;
                let reply = if asked == 1 {
                    second.send(QueueCommand::CancelItems { items: Selection::All });
                    PromptReply::Refuse
                } else {
                    PromptReply::Password(crate::model::Secret::new("secret-pw"))
                };
                second.send(Command::Answer { prompt, reply });
            }
            _ => continue,
        }
    }
    assert_eq!(asked, 2, "once for the attempt, once to remove its upload");
    assert_eq!(server.discarded(), [("/big.bin".to_owned(), upload_handle(1))]);
}

/// A failed upload, once cleared from the list, is given up: what it left on the server
/// goes. Until then it stays, for a retry to continue.
#[test]
fn clearing_a_failed_upload_discards_what_it_left() {
    let server = MemoryFs::new();
    server.set_faults(Faults {
        capacity: Some(50_000),
        ..Faults::default()
    });
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = local.path().join("big.bin");
    std::fs::write(&file, data(200_000, 14)).unwrap();
    let engine = engine(home.path(), &server);
    let job = enqueue(&engine, vec![upload(&file, "/big.bin")], ConflictPolicy::Overwrite);
    let summary = job_summary(&engine, job);
    assert_eq!(summary.failed.len(), 1, "{summary:?}");
    assert!(server.discarded().is_empty(), "a failed upload is kept for a retry");
    engine.send(QueueCommand::Clear {
        done: false,
        failed: true,
    });
    wait_until("the cleared upload discarded", || !server.discarded().is_empty());
    let attempts = server.upload_opens().len();
    assert_eq!(
        server.discarded(),
        [("/big.bin".to_owned(), upload_handle(attempts))],
        "the upload of its last attempt"
    );
}

/// A paused item resumed while its worker is still stopping (here held in a hung read) runs
/// again only once that worker has ended: two attempts of one item at once would write the
/// same file, and the old attempt's end would be taken for the new one's.
#[test]
fn a_resumed_item_waits_for_its_stopping_worker_before_it_runs_again() {
    use crate::protocol::memory::Gate;
    let server = MemoryFs::new();
    let content = data(100_000, 11);
    server.put("/held.bin", &content);
    let gate = Gate::default();
    server.set_faults(Faults {
        hold_reads_at: vec![(10_000, gate.clone())],
        ..Faults::default()
    });
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let engine = engine(home.path(), &server);
    let job = enqueue(
        &engine,
        vec![download("/held.bin", local.path(), false)],
        ConflictPolicy::Overwrite,
    );
    let item = transferring_past(&engine, 10_000);
    engine.send(QueueCommand::Pause {
        items: Selection::Items(vec![item]),
    });
    engine.send(QueueCommand::Resume {
        items: Selection::Items(vec![item]),
    });
    // Another job's end shows the queue took in the resume and had its turns to start what
    // it could; the held worker has not ended.
    let marker = local.path().join("marker.txt");
    std::fs::write(&marker, b"marker").unwrap();
    let other = enqueue(&engine, vec![upload(&marker, "/marker.txt")], ConflictPolicy::Overwrite);
    assert_eq!(job_summary(&engine, other).failed, Vec::<String>::new());
    assert_eq!(
        server.most_reads_at_once(),
        1,
        "the resumed attempt waits for the held one"
    );

    gate.open();
    let summary = job_summary(&engine, job);
    assert_eq!(
        summary.failed,
        Vec::<String>::new(),
        "the resumed attempt finishes the item"
    );
    assert_eq!(std::fs::read(local.path().join("held.bin")).unwrap(), content);
    assert_eq!(server.most_reads_at_once(), 1, "one attempt at a time");
}

/// Uploading into a folder that is already there (issue 19): one listing of it tells every
/// file what is at its target, and the policy applies to what the listing showed.
#[test]
fn uploads_into_an_existing_folder_follow_the_policy_for_what_its_listing_showed() {
    use chrono::TimeZone;
    let server = MemoryFs::new();
    server.put("/up/site/same.txt", b"already there");
    server.put("/up/site/stale.txt", b"old version");
    let mut remote = server.clone();
    let long_ago = chrono::Utc.with_ymd_and_hms(2001, 1, 1, 0, 0, 0).unwrap();
    remote
        .set_mtime(&RemotePath::new("/up/site/stale.txt"), long_ago)
        .unwrap();
    let (home, local) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let site_dir = local.path().join("site");
    std::fs::create_dir(&site_dir).unwrap();
    for (name, content) in [
        ("same.txt", "local same"),
        ("stale.txt", "new version"),
        ("new.txt", "brand new"),
    ] {
        std::fs::write(site_dir.join(name), content).unwrap();
    }
    // same.txt is older here than on the server, stale.txt newer.
    let earlier = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(site_dir.join("same.txt"))
        .unwrap()
        .set_modified(earlier)
        .unwrap();
    let engine = engine(home.path(), &server);

    let job = enqueue(&engine, vec![upload(&site_dir, "/up")], ConflictPolicy::Newer);
    let summary = job_summary(&engine, job);

    assert_eq!(summary.failed, Vec::<String>::new());
    assert_eq!(
        server.get("/up/site/same.txt").unwrap(),
        b"already there",
        "the server's is newer"
    );
    assert_eq!(server.get("/up/site/stale.txt").unwrap(), b"new version");
    assert_eq!(server.get("/up/site/new.txt").unwrap(), b"brand new");
    assert_eq!(summary.skipped.len(), 1, "{summary:?}");

    std::fs::write(site_dir.join("same.txt"), "changed again").unwrap();
    let job = enqueue(&engine, vec![upload(&site_dir, "/up")], ConflictPolicy::Skip);
    let summary = job_summary(&engine, job);
    assert_eq!(summary.skipped.len(), 3, "all three are there now: {summary:?}");
    assert_eq!(server.get("/up/site/same.txt").unwrap(), b"already there");
}

/// The window's engine on the same database as `engine`'s, watching what other processes
/// do. It must run nothing: its connector counts every connection it is asked for.
fn watching(home: &Path) -> (EngineHandle, Arc<std::sync::atomic::AtomicUsize>) {
    let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut config = EngineConfig::under(Paths::under(home.to_path_buf()));
    config.watch_others = true;
    let counted = connections.clone();
    config.connector = Arc::new(move |_, _| {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Err(FsError::new(ErrorKind::Other, "the watching engine must not connect"))
    });
    let engine = EngineHandle::start(config, None).unwrap();
    wait_for(&engine, |_, event| {
        matches!(event, Event::QueueLoaded { .. }).then_some(())
    });
    (engine, connections)
}

/// Fails the test when the watching engine starts an item itself.
fn not_run_here(state: &TransferState) {
    assert!(
        !state.is_active() || *state == TransferState::RunningElsewhere,
        "the watching engine ran another process's item: {state:?}"
    );
}

/// Waits until the watching engine says `item` is done; returns how it was verified and
/// the bytes its progress shows.
fn done_in(window: &EngineHandle, item: crate::engine::api::ItemId) -> (crate::engine::api::Verification, u64) {
    wait_for(window, |_, event| match event {
        Event::ItemChanged {
            item: changed,
            state: TransferState::Done { verified },
            progress,
            ..
        } if changed == item => Some((verified, progress.done())),
        Event::ItemChanged { state, .. } => {
            not_run_here(&state);
            None
        }
        _ => None,
    })
}

/// Issue 13: a window open first sees what `wharf get` adds to the shared queue, its
/// progress as that process moves it, and its end, without running it itself.
#[test]
fn a_watching_queue_shows_what_another_process_adds_and_runs() {
    use crate::protocol::memory::Gate;
    let server = MemoryFs::new();
    let content = data(100_000, 8);
    server.put("/shared.bin", &content);
    let gate = Gate::default();
    server.set_faults(Faults {
        hold_reads_at: vec![(50_000, gate.clone())],
        ..Faults::default()
    });
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (window, connections) = watching(home.path());

    let command_line = engine(home.path(), &server);
    let job = enqueue(
        &command_line,
        vec![download("/shared.bin", out.path(), false)],
        ConflictPolicy::Overwrite,
    );
    let item = wait_for(&window, |_, event| match event {
        Event::ItemsAdded { items } => items.first().map(|item| item.id),
        _ => None,
    });
    let progress = wait_for(&window, |_, event| match event {
        Event::ItemChanged {
            item: changed,
            state: TransferState::RunningElsewhere,
            progress,
            ..
        } if changed == item => Some(progress),
        Event::ItemChanged { state, .. } => {
            not_run_here(&state);
            None
        }
        _ => None,
    });
    // The other process holds at the gate; its checkpoint reaches the window's counters.
    let deadline = Instant::now() + WAIT;
    while progress.done() < 50_000 {
        assert!(Instant::now() < deadline, "no progress seen within {WAIT:?}");
        if let Ok(Event::ItemChanged { state, .. }) = window.wait_event(Duration::from_millis(20)) {
            not_run_here(&state);
        }
    }
    assert_eq!(progress.total(), Some(100_000), "the size that process found");

    gate.open();
    let (verified, bytes) = done_in(&window, item);
    let verified_there = wait_for(&command_line, |_, event| match event {
        Event::ItemChanged {
            state: TransferState::Done { verified },
            ..
        } => Some(verified),
        _ => None,
    });
    assert_eq!(job_summary(&command_line, job).failed, Vec::<String>::new());
    assert_eq!((verified, bytes), (verified_there, 100_000), "as it ended there");
    assert_eq!(std::fs::read(out.path().join("shared.bin")).unwrap(), content);
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// Issue 13: what another process queued is its to run, with its own limits; a watching
/// queue shows it queued, then running there, then done, and never starts it.
#[test]
fn a_watching_queue_leaves_another_process_its_queued_items() {
    use crate::protocol::memory::Gate;
    let server = MemoryFs::new();
    server.put("/one.bin", &data(100_000, 9));
    server.put("/two.bin", &data(1_000, 10));
    let gate = Gate::default();
    server.set_faults(Faults {
        hold_reads_at: vec![(10_000, gate.clone())],
        ..Faults::default()
    });
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (window, connections) = watching(home.path());

    // One at a time there: the second waits in that process's queue behind the first.
    let one_at_a_time = QueueLimits::fixed(1);
    let command_line = EngineHandle::start(config(home.path(), &server, one_at_a_time, false), None).unwrap();
    let job = enqueue(
        &command_line,
        vec![
            download("/one.bin", out.path(), false),
            download("/two.bin", out.path(), false),
        ],
        ConflictPolicy::Overwrite,
    );
    let mut seen = Vec::new();
    let second = wait_for(&window, |_, event| match event {
        Event::ItemsAdded { items } => {
            seen.extend(items);
            (seen.len() >= 2).then(|| seen[1].clone())
        }
        Event::ItemChanged { state, .. } => {
            not_run_here(&state);
            None
        }
        _ => None,
    });
    assert_eq!(second.remote, "/two.bin");
    assert_eq!(second.state, TransferState::Queued, "queued there, and so here");
    // The first shows as running there while the second waits its turn there.
    let first = seen[0].id;
    wait_for(&window, |_, event| match event {
        Event::ItemChanged {
            item,
            state: TransferState::RunningElsewhere,
            ..
        } if item == first => Some(()),
        Event::ItemChanged { state, .. } => {
            not_run_here(&state);
            None
        }
        _ => None,
    });

    gate.open();
    let (_, bytes) = done_in(&window, second.id);
    assert_eq!(bytes, 1_000);
    assert_eq!(job_summary(&command_line, job).failed, Vec::<String>::new());
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// Issue 13: another process is killed while it runs an item. Its lock goes, nothing is
/// committed, and the item stays in the database; a watching queue stops showing it as
/// running there, and leaves it for whoever runs the queue next.
#[test]
fn a_watching_queue_sees_another_process_die() {
    use crate::engine::lease::LeaseOwner;
    use crate::model::queue::{ItemKind, ItemStatus};
    use crate::store::{NewItem, QueueStore};
    let home = tempfile::tempdir().unwrap();
    let (window, connections) = watching(home.path());

    let paths = Paths::under(home.path().to_path_buf());
    let other = LeaseOwner::new(paths.state.join("locks"));
    let mut store = QueueStore::open(&paths.queue_database()).unwrap();
    let id = store
        .add(&[NewItem {
            direction: Direction::Download,
            kind: ItemKind::File,
            site: site().key(),
            local_path: home.path().join("f.bin"),
            remote_path: "/f.bin".into(),
            size: Some(1_000),
            source_mtime: None,
            recursive: false,
            on_conflict: ConflictPolicy::Overwrite,
            options: 0,
            keep_replaced: None,
        }])
        .unwrap()[0];
    store.acquire_lease(id, other.name(), &|_| false).unwrap();
    store.set_state(id, ItemStatus::Running, None).unwrap();
    store.checkpoint(id, 400).unwrap();
    let item = crate::engine::api::ItemId::from_sql(id);

    let progress = wait_for(&window, |_, event| match event {
        Event::ItemChanged {
            item: changed,
            state: TransferState::RunningElsewhere,
            progress,
            ..
        } if changed == item => Some(progress),
        _ => None,
    });
    assert_eq!((progress.done(), progress.total()), (400, Some(1_000)));

    drop(other);
    let state = wait_for(&window, |_, event| match event {
        Event::ItemChanged {
            item: changed, state, ..
        } if changed == item => Some(state),
        _ => None,
    });
    assert_eq!(state, TransferState::Queued, "no longer running anywhere");
    let left = store.all().unwrap();
    assert_eq!((left.len(), left[0].bytes_done), (1, 400), "nothing is lost");
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// Issue 14: a link that keeps dropping still finishes. Every read breaks after 256 KiB, so
/// a 3 MiB file takes a dozen attempts; each resumes where the last stopped and moves bytes,
/// so none of them uses up the retry budget (five attempts in a row that move nothing).
#[test]
fn a_link_that_keeps_dropping_finishes_because_each_attempt_makes_progress() {
    let server = MemoryFs::new();
    let content = data(3 * 1024 * 1024 + 7, 9);
    server.put("/flaky.bin", &content);
    server.set_faults(Faults {
        drop_reads_every: Some(256 * 1024),
        ..Faults::default()
    });
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let engine = engine(home.path(), &server);
    let job = enqueue(
        &engine,
        vec![download("/flaky.bin", out.path(), false)],
        ConflictPolicy::Ask,
    );
    let mut attempts = 0;
    let summary = wait_for(&engine, |_, event| match event {
        Event::ItemChanged {
            state: TransferState::Transferring,
            attempts: now,
            ..
        } => {
            attempts = attempts.max(now);
            None
        }
        Event::JobFinished { job: done, summary } if done == job => Some(summary),
        _ => None,
    });
    assert_eq!(summary.failed, Vec::<String>::new());
    assert_eq!(std::fs::read(out.path().join("flaky.bin")).unwrap(), content);
    assert!(
        attempts > 5,
        "it took {attempts} attempts, more than the budget of five"
    );
    assert!(attempts <= 14, "each attempt resumed: {attempts} attempts");
}

/// The other side of the budget: attempts that move nothing still give up, after five.
#[test]
fn attempts_that_move_nothing_give_up_after_five() {
    let server = MemoryFs::new();
    server.put("/dead.bin", &data(100_000, 3));
    server.set_faults(Faults {
        drop_reads_every: Some(0),
        ..Faults::default()
    });
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let engine = engine(home.path(), &server);
    let job = enqueue(
        &engine,
        vec![download("/dead.bin", out.path(), false)],
        ConflictPolicy::Ask,
    );
    let summary = job_summary(&engine, job);
    assert_eq!(summary.failed.len(), 1, "{summary:?}");
    assert!(
        summary.failed[0].contains("gave up after 5 attempts"),
        "{}",
        summary.failed[0]
    );
}

/// Issue 14: this computer's disk fills up during a download. The item fails at once (it is
/// not retried blindly) with how much room is left and where; its partial file is kept and
/// no finished-looking file appears; the next download to the same disk is paused with the
/// same reason. With room again, Retry resumes the partial file and Resume runs the other.
#[test]
fn a_full_disk_fails_the_download_keeps_its_partial_file_and_pauses_the_others() {
    use crate::engine::copy::full_disks;
    let server = MemoryFs::new();
    let (first, second) = (data(300_000, 1), data(200_000, 2));
    server.put("/first.bin", &first);
    server.put("/second.bin", &second);
    let (home, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    full_disks::declare(out.path(), 100_000);
    let one_at_a_time = QueueLimits::fixed(1);
    let engine = EngineHandle::start(config(home.path(), &server, one_at_a_time, false), None).unwrap();
    enqueue(
        &engine,
        vec![
            download("/first.bin", out.path(), false),
            download("/second.bin", out.path(), false),
        ],
        ConflictPolicy::Overwrite,
    );
    let mut failed = None;
    let mut paused = None;
    wait_for(&engine, |_, event| {
        match event {
            Event::ItemChanged {
                item,
                state: TransferState::Failed { reason },
                ..
            } => failed = Some((item, reason)),
            Event::ItemChanged {
                item,
                state: TransferState::Paused,
                ..
            } => paused = Some(item),
            _ => {}
        }
        (failed.is_some() && paused.is_some()).then_some(())
    });
    let (failed, reason) = failed.unwrap();
    let paused = paused.unwrap();
    assert!(reason.starts_with("the disk is full: "), "{reason}");
    assert!(
        reason.contains(&format!("free on {}", out.path().display())),
        "{reason}"
    );
    assert!(!reason.contains("gave up after"), "not retried: {reason}");
    assert!(!out.path().join("first.bin").exists(), "no finished-looking file");
    let partial = std::fs::metadata(out.path().join(".first.bin.wharf-part"))
        .unwrap()
        .len();
    assert!(partial > 0 && partial <= 100_000, "{partial}");

    full_disks::clear(out.path());
    engine.send(QueueCommand::Retry {
        items: Selection::Items(vec![failed]),
    });
    engine.send(QueueCommand::Resume {
        items: Selection::Items(vec![paused]),
    });
    let mut finished = 0;
    let mut resumed_from = None;
    wait_for(&engine, |_, event| {
        if let Event::ItemChanged {
            item,
            state: TransferState::Done { .. },
            progress,
            ..
        } = event
        {
            finished += 1;
            if item == failed {
                resumed_from = Some(progress.resumed_from());
            }
        }
        (finished == 2).then_some(())
    });
    assert_eq!(std::fs::read(out.path().join("first.bin")).unwrap(), first);
    assert_eq!(std::fs::read(out.path().join("second.bin")).unwrap(), second);
    assert_eq!(resumed_from, Some(partial), "the retry resumed the partial file");
}

/// `HandOver` always answers `Disconnected`, also for a session whose thread is gone or that
/// never was: the command line waits for that reply before it queues the transfer.
#[test]
fn handing_over_a_session_that_is_not_there_still_answers() {
    let home = tempfile::tempdir().unwrap();
    let engine = engine(home.path(), &MemoryFs::new());
    let gone = crate::engine::api::SessionId::opened_by(engine.next_id());
    engine.send(SessionCommand::HandOver { session: gone });
    wait_for(&engine, |_, event| match event {
        Event::Disconnected { session } if session == gone => Some(()),
        _ => None,
    });
}

/// A bug that panics while connecting or in a request still gets its answer (the command
/// line and the window wait for one), and the connection it left in an unknown state is
/// closed.
#[test]
fn a_panic_in_a_session_is_answered_with_an_error_and_closes_the_connection() {
    let server = MemoryFs::new();
    server.set_faults(Faults {
        panic_in_listing: true,
        ..Faults::default()
    });
    let home = tempfile::tempdir().unwrap();
    let engine = engine(home.path(), &server);
    let connect = engine.next_id();
    engine.send(SessionCommand::Connect {
        id: connect,
        site: site(),
    });
    let session = wait_for(&engine, |_, event| match event {
        Event::Connected { id, session, .. } if id == connect => Some(session),
        _ => None,
    });
    let list = engine.next_id();
    engine.send(Command::request(
        session,
        SessionRequest::List {
            id: list,
            path: RemotePath::new("/"),
        },
    ));
    let error = wait_for(&engine, |_, event| match event {
        Event::OpFinished { id, result } if id == list => Some(result.unwrap_err()),
        _ => None,
    });
    assert!(error.message.contains("internal error"), "{}", error.message);
    wait_for(&engine, |_, event| match event {
        Event::Disconnected { session: closed } if closed == session => Some(()),
        _ => None,
    });

    let mut config = config(home.path(), &server, QueueLimits::default(), false);
    config.connector = Arc::new(|_, _| panic!("a bug while connecting"));
    let engine = EngineHandle::start(config, None).unwrap();
    let connect = engine.next_id();
    engine.send(SessionCommand::Connect {
        id: connect,
        site: site(),
    });
    let error = wait_for(&engine, |_, event| match event {
        Event::OpFinished { id, result } if id == connect => Some(result.unwrap_err()),
        _ => None,
    });
    assert!(error.message.contains("internal error"), "{}", error.message);
}
