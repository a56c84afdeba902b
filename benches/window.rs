//! Frame time of the window with a 100,000-entry listing on the server's side and a queue of
//! 10,000 items, 8 of them transferring: what one frame costs the UI thread (layout plus
//! tessellation, the part of a frame that is Wharf's), while the list scrolls.
//!
//! `cargo bench --bench window` prints the median, the 99th percentile and the worst frame.
//! The window runs through egui_kittest's harness against an engine double, so no display,
//! server or disk is involved; painting on the GPU is not included.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use wharf::engine::api::{
    Command, Direction, Encryption, Entry, EntryKind, Event, ItemId, ItemKind, JobId, Progress, QueueItem, RemotePath,
    Security, SessionCommand, SessionId, SessionRequest, TransferState,
};
use wharf::engine::handle::{EngineDouble, EngineHandle};
use wharf::model::link::Link;
use wharf::ui::{App, Settings};

const ENTRIES: usize = 100_000;
const QUEUE: u64 = 10_000;
const RUNNING: u64 = 8;
const FRAMES: usize = 300;

fn main() {
    let (handle, mut engine) = EngineHandle::detached();
    // Opened as `wharf -- sftp://bench@bench.example.org/srv` opens it: connecting at once.
    let link = Link::parse("sftp://bench@bench.example.org/srv").ok();
    let app = App::new(handle, Settings::default(), link);
    let mut harness = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_ui_state(|ui, app: &mut App| app.frame(ui), app);

    let sent = engine.sent();
    let local = sent.iter().find_map(|command| match command {
        Command::Session(SessionCommand::OpenLocal { id }) => Some(*id),
        _ => None,
    });
    let connect = sent.iter().find_map(|command| match command {
        Command::Session(SessionCommand::Connect { id, .. }) => Some(*id),
        _ => None,
    });
    let (Some(local), Some(connect)) = (local, connect) else {
        panic!("the window did not open its sessions");
    };
    engine.emit(Event::Connected {
        id: local,
        session: SessionId::opened_by(local),
        security: Security::local("local"),
        home: "/tmp".into(),
        times: wharf::engine::api::TimeSource::Exact,
    });
    engine.emit(Event::Connected {
        id: connect,
        session: SessionId::opened_by(connect),
        security: Security::new(Encryption::Ssh, "SSH, aes128-gcm@openssh.com"),
        home: "/srv".into(),
        times: wharf::engine::api::TimeSource::Exact,
    });
    settle(&mut harness, &mut engine);

    let entries: Vec<Entry> = (0..ENTRIES)
        .map(|n| Entry {
            size: Some(n as u64 * 37),
            modified: chrono::DateTime::from_timestamp(1_700_000_000 + n as i64, 0),
            permissions: Some("rw-r--r--".into()),
            owner: Some("www".into()),
            group: Some("www".into()),
            ..Entry::new(
                format!("file-{n:06}.dat"),
                if n % 50 == 0 { EntryKind::Dir } else { EntryKind::File },
            )
        })
        .collect();
    let started = Instant::now();
    answer_listings(&mut harness, &mut engine, "/srv", entries);
    println!(
        "listing of {ENTRIES} entries shown (sorted, first frame) in {:.1} ms",
        ms(started.elapsed())
    );

    let items: Vec<QueueItem> = (1..=QUEUE)
        .map(|id| QueueItem {
            id: ItemId::new(id),
            job: Some(JobId::new(1)),
            direction: Direction::Download,
            kind: ItemKind::File,
            local: PathBuf::from(format!("/tmp/file-{id:06}.dat")),
            remote: format!("/srv/file-{id:06}.dat"),
            site: "sftp://bench@bench.example.org:22".into(),
            size: Some(10_000_000),
            state: TransferState::Queued,
            attempts: 0,
            bytes_done: 0,
        })
        .collect();
    engine.emit(Event::ItemsAdded { items });
    let counters: Vec<Progress> = (1..=RUNNING)
        .map(|item| {
            let progress = Progress::new(Some(10_000_000));
            engine.emit(Event::ItemChanged {
                item: ItemId::new(item),
                state: TransferState::Transferring,
                attempts: 1,
                progress: progress.clone(),
            });
            progress
        })
        .collect();
    settle(&mut harness, &mut engine);

    // Scroll the server's list while the transfers' counters move; then again with every
    // entry selected (Ctrl+A), which must not make rows slower to draw.
    let over_list = egui::pos2(1100.0, 450.0);
    harness.hover_at(over_list);
    scroll(&mut harness, &counters, "nothing selected");
    // Tab gives the server's pane the keyboard; Ctrl+A selects all of it.
    harness.key_press(egui::Key::Tab);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(2);
    scroll(&mut harness, &counters, "all 100,000 selected");
}

/// Scrolls the list for `FRAMES` frames and prints the frame times.
fn scroll(harness: &mut Harness<'_, App>, counters: &[Progress], what: &str) {
    let mut times = Vec::with_capacity(FRAMES);
    for frame in 0..FRAMES {
        for (index, progress) in counters.iter().enumerate() {
            progress.set_done((frame as u64 * 30_000 + index as u64 * 1_000) % 10_000_000);
        }
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, if frame < FRAMES / 2 { -400.0 } else { 250.0 }),
            phase: egui::TouchPhase::Move,
            modifiers: egui::Modifiers::NONE,
            source: egui::MouseWheelSource::Wheel,
        });
        let started = Instant::now();
        harness.step();
        let output = harness.output();
        let shapes = output.shapes.clone();
        let primitives = harness.ctx.tessellate(shapes, output.pixels_per_point);
        times.push(started.elapsed());
        std::hint::black_box(primitives);
    }
    times.sort();
    let percentile = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!(
        "frame time over {FRAMES} frames ({ENTRIES} entries listed, {what}, {QUEUE} queued, {RUNNING} transferring, \
         scrolling): median {:.2} ms, p99 {:.2} ms, worst {:.2} ms",
        ms(percentile(0.5)),
        ms(percentile(0.99)),
        ms(*times.last().unwrap_or(&Duration::ZERO))
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn settle(harness: &mut Harness<'_, App>, _engine: &mut EngineDouble) {
    for _ in 0..4 {
        harness.step();
    }
}

fn answer_listings(harness: &mut Harness<'_, App>, engine: &mut EngineDouble, remote: &str, entries: Vec<Entry>) {
    for command in engine.sent() {
        if let Command::Session(SessionCommand::Request {
            request: SessionRequest::List { id, path },
            ..
        }) = command
        {
            let listing = if path.as_str() == remote {
                entries.clone()
            } else {
                Vec::new()
            };
            engine.emit(Event::Listing {
                id,
                path: RemotePath::new(path.as_str()),
                entries: listing,
                refused: Vec::new(),
            });
        }
    }
    harness.step();
}
