//! The queue's own costs, with no server and no network:
//!
//! 1. A queue of 100,000 items: how long the engine takes to load it from the database and
//!    how much memory it holds.
//! 2. Throughput: a folder of 20,000 tiny files downloaded and uploaded through the whole
//!    engine (expansion, scheduler, store, workers, the local file system) with an in-memory
//!    server, so that what is measured is the queue. Local files live in `/dev/shm` when it
//!    exists, so that the disk's flushes are not what is measured.
//!
//! Run: `cargo bench --bench queue_costs`. `WHARF_BENCH_ITEMS=5000` makes part 2 smaller,
//! `WHARF_BENCH_PARALLEL=8` runs more at once, `WHARF_BENCH_PART=restore|throughput` one part.
//! This measures and prints; it asserts nothing.

// Test code: a failed step should stop the benchmark with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::resident_kib;
use wharf::engine::api::{
    ConflictPolicy, Direction, Event, ItemKind, JobId, OpSummary, QueueCommand, QueueLimits, TransferOptions,
    TransferSpec,
};
use wharf::engine::handle::{EngineConfig, EngineHandle};
use wharf::model::location::{Location, RemotePath};
use wharf::protocol::RemoteFs;
use wharf::protocol::memory::MemoryFs;
use wharf::store::{NewItem, QueueStore};

const WAIT: Duration = Duration::from_secs(600);

/// A scratch folder on a RAM file system when there is one.
fn scratch() -> tempfile::TempDir {
    match Path::new("/dev/shm").is_dir() {
        true => tempfile::tempdir_in("/dev/shm").unwrap(),
        false => tempfile::tempdir().unwrap(),
    }
}

fn big_queue() {
    const ITEMS: usize = 100_000;
    let home = tempfile::tempdir().unwrap();
    let paths = wharf::config::Paths::under(home.path().to_path_buf());
    let items: Vec<NewItem> = (0..ITEMS)
        .map(|n| NewItem {
            direction: Direction::Download,
            kind: ItemKind::File,
            site: "sftp://someone@example.org:22".into(),
            local_path: PathBuf::from(format!("/home/someone/photos/2024/album {}/IMG_{n:06}.jpg", n / 500)),
            remote_path: format!("/srv/photos/2024/album {}/IMG_{n:06}.jpg", n / 500),
            size: Some(3_000_000 + n as u64),
            source_mtime: Some(1_700_000_000),
            recursive: true,
            on_conflict: ConflictPolicy::Ask,
            options: 3,
            keep_replaced: None,
        })
        .collect();
    let started = Instant::now();
    QueueStore::open(&paths.state.join("queue.sqlite"))
        .unwrap()
        .add(&items)
        .unwrap();
    let written = started.elapsed();
    drop(items);
    let database = std::fs::metadata(paths.state.join("queue.sqlite")).map_or(0, |meta| meta.len());

    let before = resident_kib();
    let started = Instant::now();
    let mut config = EngineConfig::under(paths);
    config.resume_queue = false;
    let engine = EngineHandle::start(config, None).unwrap();
    let mut shown = 0;
    loop {
        match engine.wait_event(Duration::from_secs(60)).unwrap() {
            // A window keeps these rows; the benchmark counts them and lets them go.
            Event::ItemsAdded { items } => shown += items.len(),
            Event::QueueLoaded { .. } => break,
            _ => {}
        }
    }
    let loaded = started.elapsed();
    let after = resident_kib();
    println!(
        "Queue of {ITEMS} items: written in {:.2} s, database {:.1} MiB; loaded in {:.2} s ({shown} rows shown), \
         engine memory +{:.1} MiB ({} bytes per item)",
        written.as_secs_f64(),
        database as f64 / 1048576.0,
        loaded.as_secs_f64(),
        after.saturating_sub(before) as f64 / 1024.0,
        after.saturating_sub(before) * 1024 / ITEMS as u64
    );
    drop(engine);
}

fn engine(home: &Path, server: &MemoryFs) -> EngineHandle {
    let mut config = EngineConfig::under(wharf::config::Paths::under(home.to_path_buf()));
    config.serve_from_memory(server);
    config.limits.parallel = parallel();
    config.limits.per_site = parallel();
    EngineHandle::start(config, None).unwrap()
}

/// Queues one recursive transfer and waits for its job to finish.
fn transfer(engine: &EngineHandle, direction: Direction, local: &Path, remote: &str) -> (OpSummary, Duration) {
    let started = Instant::now();
    let job: JobId = engine.next_job();
    engine.send(QueueCommand::Enqueue {
        job,
        site: Location::parse("sftp://me:pw@memory.test/").unwrap().site,
        specs: vec![TransferSpec {
            direction,
            local: local.to_path_buf(),
            remote: RemotePath::new(remote),
            recursive: true,
            keep_replaced: None,
        }],
        options: TransferOptions::default(),
        paused: false,
    });
    loop {
        match engine.wait_event(WAIT).unwrap() {
            Event::JobFinished { job: done, summary } if done == job => return (summary, started.elapsed()),
            _ => {}
        }
    }
}

/// A number from the environment, or `default`.
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Transfers at once: the default unless `WHARF_BENCH_PARALLEL` says otherwise.
fn parallel() -> usize {
    setting("WHARF_BENCH_PARALLEL", QueueLimits::DEFAULT_PARALLEL)
}

fn throughput() {
    let files = setting("WHARF_BENCH_ITEMS", 20_000);
    let server = MemoryFs::new();
    for n in 0..files {
        server.put(&format!("/tree/{:03}/{n:06}.txt", n / 1000), b"sixteen bytes..\n");
    }
    let (home, local) = (tempfile::tempdir().unwrap(), scratch());
    let engine = engine(home.path(), &server);

    let (summary, took) = transfer(&engine, Direction::Download, local.path(), "/tree");
    assert_eq!(
        (summary.files as usize, summary.failed.len()),
        (files, 0),
        "{summary:?}"
    );
    report("download", files, took);

    server.clone().mkdir(&RemotePath::new("/copy")).unwrap();
    let (summary, took) = transfer(&engine, Direction::Upload, &local.path().join("tree"), "/copy");
    assert_eq!(
        (summary.files as usize, summary.failed.len()),
        (files, 0),
        "{summary:?}"
    );
    assert_eq!(
        server.get("/copy/tree/007/007123.txt").as_deref(),
        Some(&b"sixteen bytes..\n"[..])
    );
    report("upload", files, took);
}

fn report(what: &str, files: usize, took: Duration) {
    println!(
        "Queue throughput, {what} of {files} files of 16 bytes from an in-memory server, -j {}: \
         {:.2} s, {:.0} items/s",
        parallel(),
        took.as_secs_f64(),
        files as f64 / took.as_secs_f64()
    );
}

fn main() {
    // `WHARF_BENCH_PART=restore` or `throughput` runs one part (for a profiler).
    let part = std::env::var("WHARF_BENCH_PART").unwrap_or_default();
    if part != "throughput" {
        big_queue();
    }
    if part != "restore" {
        throughput();
    }
}
