//! The queue at the bottom of the window: tabs for queued, failed and done items; a toolbar
//! (pause, resume, cancel, retry, move, clear) with parallelism and bandwidth limits; a table
//! with per-file progress, speed and ETA that lays out only visible rows; and a total line with
//! the overall speed, ETA and a small speed graph.

use egui::{Align, Color32, Key, Label, Modifiers, ProgressBar, RichText, Sense, Stroke, TextEdit, Ui, pos2, vec2};
use egui_extras::{Column, TableBuilder};

use super::format;
use super::icons;
use super::intent::{Intents, LimitsTyped, MAX_TIMEOUT, MIN_TIMEOUT, PaneIntent, QueueIntent, QueueItems, QueueVerb};
use super::pane::Side;
use super::transfers::{Tab, Transfer, Transfers};
use super::why_slow;
use crate::engine::api::{Direction, ItemId, Move, QueueLimits, TransferState};

const ROW_HEIGHT: f32 = 20.0;

/// What the queued tab's buttons and menus do to items, with their icons.
const VERBS: [(&str, &str, QueueVerb); 3] = [
    (icons::PAUSE, "Pause", QueueVerb::Pause),
    (icons::RESUME, "Resume", QueueVerb::Resume),
    (icons::CANCEL, "Cancel", QueueVerb::Cancel),
];

/// Draws the queue (its own state: the items, the tab, the selection) and the limits as
/// typed.
pub fn show(transfers: &mut Transfers, limits: &mut LimitsTyped, ui: &mut Ui, out: &mut Intents) {
    ui.horizontal(|ui| {
        for tab in Tab::ALL {
            let count = transfers.tab_ids(tab).len();
            if ui
                .selectable_label(transfers.tab == tab, format!("{} ({count})", tab.title()))
                .clicked()
            {
                transfers.tab = tab;
            }
        }
        ui.separator();
        toolbar(transfers, ui, out);
        ui.separator();
        limits_fields(limits, ui, out);
    });
    totals(transfers, ui);
    link_row(transfers, ui, out);
    if transfers.why_open {
        egui::Frame::group(ui.style()).show(ui, |ui| why_slow::show(transfers, limits, ui));
    }
    ui.separator();
    table(transfers, ui, out);
    pasted_link(ui.min_rect(), ui, out);
}

/// A field for a link to download (`https://…/file.iso`, or any URL Wharf reads) into this
/// computer's folder (a link pasted anywhere over the queue is downloaded too).
fn link_row(transfers: &mut Transfers, ui: &mut Ui, out: &mut Intents) {
    ui.horizontal(|ui| {
        let label = ui.label(format!("{} Link:", icons::LINK)).id;
        let field = ui
            .add(
                TextEdit::singleline(&mut transfers.link)
                    .hint_text("paste a link (https://…) to download it into this computer's folder")
                    .desired_width(420.0),
            )
            .labelled_by(label);
        let entered = field.lost_focus() && ui.input(|input| input.key_pressed(Key::Enter));
        let clicked = ui
            .add_enabled(
                !transfers.link.trim().is_empty(),
                egui::Button::new(format!("{} Download", icons::DOWNLOAD)),
            )
            .clicked();
        if (entered || clicked) && !transfers.link.trim().is_empty() {
            out.push(QueueIntent::DownloadLink(std::mem::take(&mut transfers.link)));
        }
    });
}

/// A link pasted (Ctrl+V) while the pointer is over the queue and no field has the keyboard.
fn pasted_link(area: egui::Rect, ui: &Ui, out: &mut Intents) {
    if !ui.rect_contains_pointer(area) || ui.ctx().text_edit_focused() {
        return;
    }
    let pasted = ui.input(|input| {
        input.events.iter().find_map(|event| match event {
            egui::Event::Paste(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
            _ => None,
        })
    });
    if let Some(text) = pasted {
        out.push(QueueIntent::DownloadLink(text));
    }
}

/// A verb for the rows selected in the table.
fn on_selected(verb: QueueVerb) -> QueueIntent {
    QueueIntent::Apply {
        verb,
        items: QueueItems::Selected,
    }
}

fn toolbar(transfers: &Transfers, ui: &mut Ui, out: &mut Intents) {
    let any = !transfers.selection().is_empty();
    match transfers.tab {
        Tab::Queued => {
            for (icon, label, verb) in VERBS {
                if ui
                    .add_enabled(any, egui::Button::new(format!("{icon} {label}")))
                    .clicked()
                {
                    out.push(on_selected(verb));
                }
            }
            let single = transfers.selection();
            let single = (single.len() == 1).then(|| single[0]);
            for (label, hover, to) in [
                (icons::MOVE_UP, "Move up", Move::Up),
                (icons::MOVE_DOWN, "Move down", Move::Down),
                (icons::MOVE_TOP, "Move to the top", Move::Top),
                (icons::MOVE_BOTTOM, "Move to the bottom", Move::Bottom),
            ] {
                if ui
                    .add_enabled(single.is_some(), egui::Button::new(label))
                    .on_hover_text(hover)
                    .clicked()
                    && let Some(item) = single
                {
                    out.push(QueueIntent::Move { item, to });
                }
            }
        }
        Tab::Failed => {
            if ui
                .add_enabled(any, egui::Button::new(format!("{} Retry", icons::RETRY)))
                .clicked()
            {
                out.push(on_selected(QueueVerb::Retry));
            }
            if ui.button(format!("{} Retry all", icons::RETRY)).clicked() {
                out.push(QueueIntent::Apply {
                    verb: QueueVerb::Retry,
                    items: QueueItems::All,
                });
            }
            if ui.button("Clear failed").clicked() {
                out.push(QueueIntent::Clear {
                    done: false,
                    failed: true,
                });
            }
        }
        Tab::Done => {
            if ui.button("Clear done").clicked() {
                out.push(QueueIntent::Clear {
                    done: true,
                    failed: false,
                });
            }
        }
    }
}

/// Parallel transfers and the rate limits; a change applies when a field is left.
fn limits_fields(limits: &mut LimitsTyped, ui: &mut Ui, out: &mut Intents) {
    let parallel_label = ui.label("Parallel:").id;
    let auto = ui
        .checkbox(&mut limits.auto_parallel, "auto")
        .on_hover_text("Start at 4 per server and double while the transfers get faster for it");
    let parallel = ui
        .add_enabled(
            !limits.auto_parallel,
            egui::DragValue::new(&mut limits.parallel).range(1..=QueueLimits::MAX_PARALLEL),
        )
        .labelled_by(parallel_label);
    let down_label = ui.label(format!("{} limit:", icons::DOWNLOAD)).id;
    let down = ui
        .add(
            TextEdit::singleline(&mut limits.download)
                .hint_text("none")
                .desired_width(56.0),
        )
        .labelled_by(down_label)
        .on_hover_text("Download limit, like 500K or 10M; empty for none");
    let up_label = ui.label(format!("{} limit:", icons::UPLOAD)).id;
    let up = ui
        .add(
            TextEdit::singleline(&mut limits.upload)
                .hint_text("none")
                .desired_width(56.0),
        )
        .labelled_by(up_label)
        .on_hover_text("Upload limit, like 500K or 10M; empty for none");
    let timeout_label = ui.label("Timeout:").id;
    let timeout = ui
        .add(
            egui::DragValue::new(&mut limits.timeout)
                .range(MIN_TIMEOUT..=MAX_TIMEOUT)
                .suffix(" s"),
        )
        .labelled_by(timeout_label)
        .on_hover_text("A connection that moves nothing for this long is given up; its transfer resumes");
    if auto.changed() || parallel.changed() || timeout.changed() || down.lost_focus() || up.lost_focus() {
        out.push(QueueIntent::SetLimits(limits.clone()));
    }
}

fn totals(transfers: &mut Transfers, ui: &mut Ui) {
    ui.horizontal(|ui| {
        let running = transfers.running_count();
        let speed = transfers.total_speed();
        let mut text = format!("{running} running");
        if running > 0 {
            text.push_str(&format!(" · {}", format::speed(speed)));
            if let Some(eta) = transfers.eta() {
                text.push_str(&format!(" · {} left", format::eta(eta)));
            }
            text.push_str(&format!(" · {} to go", format::size(transfers.remaining_bytes())));
        }
        // First, so that it stays put while the text beside it grows and shrinks.
        ui.toggle_value(&mut transfers.why_open, "Why this speed?")
            .on_hover_text("What limits the running transfers: the network, the server, this computer's disk or CPU, or a limit you set");
        ui.label(text);
        graph(transfers, ui);
    });
}

/// The last minute of total speed as a line.
fn graph(transfers: &Transfers, ui: &mut Ui) {
    let (rect, response) = ui.allocate_exact_size(vec2(160.0, 18.0), Sense::hover());
    let history = &transfers.history;
    let painter = ui.painter_at(rect);
    painter.rect_stroke(
        rect,
        2.0,
        Stroke::new(1.0, ui.visuals().weak_text_color()),
        egui::StrokeKind::Inside,
    );
    let peak = history.iter().copied().fold(0.0f64, f64::max);
    if history.len() >= 2 && peak > 0.0 {
        let step = rect.width() / (super::transfers::GRAPH_SECONDS - 1) as f32;
        let start = rect.right() - step * (history.len() - 1) as f32;
        let points: Vec<_> = history
            .iter()
            .enumerate()
            .map(|(index, speed)| {
                pos2(
                    start + step * index as f32,
                    rect.bottom() - 1.0 - (speed / peak) as f32 * (rect.height() - 2.0),
                )
            })
            .collect();
        painter.line(points, Stroke::new(1.5, Color32::from_rgb(90, 160, 255)));
    }
    response.on_hover_text(format!(
        "Total speed over the last minute (peak {})",
        format::speed(peak)
    ));
}

fn table(transfers: &mut Transfers, ui: &mut Ui, out: &mut Intents) {
    let tab = transfers.tab;
    let ids: Vec<ItemId> = transfers.tab_ids(tab).to_vec();
    let mut clicked: Option<(ItemId, egui::Modifiers)> = None;
    TableBuilder::new(ui)
        .id_salt("queue-table")
        .striped(true)
        .resizable(true)
        .sense(Sense::click())
        .auto_shrink([false, false])
        .min_scrolled_height(0.0)
        .max_scroll_height(f32::INFINITY)
        .cell_layout(egui::Layout::left_to_right(Align::Center))
        .column(Column::exact(22.0))
        .column(Column::initial(240.0).at_least(60.0).clip(true))
        .column(Column::initial(240.0).at_least(60.0).clip(true))
        .column(Column::initial(70.0).at_least(40.0))
        .column(Column::initial(140.0).at_least(60.0))
        .column(Column::initial(80.0).at_least(40.0))
        .column(Column::initial(55.0).at_least(30.0))
        .column(Column::remainder().at_least(60.0).clip(true))
        .header(ROW_HEIGHT, |mut header| {
            for title in ["", "Local", "Remote", "Size", "Progress", "Speed", "ETA", "State"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, ids.len(), |mut row| {
                let id = ids[row.index()];
                let Some(transfer) = transfers.get(id) else {
                    return;
                };
                row.set_selected(transfers.selected.contains(&id));
                cells(transfer, &mut row);
                let response = row.response();
                if response.clicked() || response.secondary_clicked() {
                    clicked = Some((id, response.ctx.input(|input| input.modifiers)));
                }
                response.context_menu(|ui| row_menu(tab, transfer, ui, out));
            });
        });
    if let Some((id, modifiers)) = clicked {
        out.push(QueueIntent::Focus);
        let selected = &mut transfers.selected;
        if modifiers.command {
            if !selected.remove(&id) {
                selected.insert(id);
            }
        } else {
            selected.clear();
            selected.insert(id);
        }
    }
}

/// The queue's keys, when it has the keyboard: Del cancels the selected items, Space pauses
/// them (or resumes them when all are paused), Ctrl+Up and Ctrl+Down move the one selected.
pub fn keyboard(transfers: &Transfers, ui: &mut Ui, out: &mut Intents) {
    let pressed = |ui: &mut Ui, mods: Modifiers, key: Key| ui.input_mut(|input| input.consume_key(mods, key));
    if pressed(ui, Modifiers::NONE, Key::Tab) {
        out.push(PaneIntent::Focus(Side::Local));
        return;
    }
    let selected = transfers.selection();
    if selected.is_empty() {
        return;
    }
    if pressed(ui, Modifiers::NONE, Key::Delete) {
        out.push(on_selected(QueueVerb::Cancel));
    }
    if pressed(ui, Modifiers::NONE, Key::Space) {
        let all_paused = selected.iter().all(|id| {
            transfers
                .get(*id)
                .is_some_and(|transfer| transfer.item.state == TransferState::Paused)
        });
        out.push(on_selected(if all_paused {
            QueueVerb::Resume
        } else {
            QueueVerb::Pause
        }));
    }
    if let [item] = selected.as_slice() {
        for (key, to) in [(Key::ArrowUp, Move::Up), (Key::ArrowDown, Move::Down)] {
            if pressed(ui, Modifiers::COMMAND, key) {
                out.push(QueueIntent::Move { item: *item, to });
            }
        }
    }
}

/// A row's context menu: what its tab allows for this one item.
fn row_menu(tab: Tab, transfer: &Transfer, ui: &mut Ui, out: &mut Intents) {
    let id = transfer.item.id;
    let verbs: &[(&str, &str, QueueVerb)] = match tab {
        Tab::Queued => &VERBS,
        Tab::Failed => &[(icons::RETRY, "Retry", QueueVerb::Retry)],
        Tab::Done => &[],
    };
    for (icon, label, verb) in verbs {
        if ui.button(format!("{icon} {label}")).clicked() {
            out.push(QueueIntent::Apply {
                verb: *verb,
                items: QueueItems::One(id),
            });
            ui.close();
        }
    }
    if tab == Tab::Queued {
        for (label, to) in [("Move to the top", Move::Top), ("Move to the bottom", Move::Bottom)] {
            if ui.button(label).clicked() {
                out.push(QueueIntent::Move { item: id, to });
                ui.close();
            }
        }
    }
    if ui.button("Copy reason").clicked() {
        ui.ctx().copy_text(state_text(transfer));
        ui.close();
    }
}

fn cells(transfer: &Transfer, row: &mut egui_extras::TableRow<'_, '_>) {
    let item = &transfer.item;
    row.col(|ui| {
        let arrow = match item.direction {
            Direction::Download => icons::DOWNLOAD,
            Direction::Upload => icons::UPLOAD,
        };
        ui.add(Label::new(arrow).selectable(false))
            .on_hover_text(format!("{:?}", item.direction).to_lowercase());
    });
    row.col(|ui| {
        ui.add(
            Label::new(item.local.display().to_string())
                .selectable(false)
                .truncate(),
        );
    });
    row.col(|ui| {
        ui.add(Label::new(item.remote.as_str()).selectable(false).truncate());
    });
    row.col(|ui| {
        ui.add(Label::new(transfer.total().map(format::size).unwrap_or_default()).selectable(false));
    });
    row.col(|ui| match transfer.fraction() {
        Some(fraction) if !matches!(item.state, TransferState::Queued) || fraction > 0.0 => {
            ui.add(
                ProgressBar::new(fraction)
                    .desired_height(14.0)
                    .text(RichText::new(format!("{:.0}%", fraction * 100.0)).small()),
            );
        }
        _ => {}
    });
    row.col(|ui| {
        ui.add(Label::new(transfer.speed().map(format::speed).unwrap_or_default()).selectable(false));
    });
    row.col(|ui| {
        ui.add(Label::new(transfer.eta().map(format::eta).unwrap_or_default()).selectable(false));
    });
    row.col(|ui| {
        let text = state_text(transfer);
        let colour = match item.state {
            TransferState::Failed { .. } => Some(ui.visuals().error_fg_color),
            TransferState::Waiting { .. } | TransferState::WaitingForPassword => Some(ui.visuals().warn_fg_color),
            _ => None,
        };
        let mut rich = RichText::new(text.clone());
        if let Some(colour) = colour {
            rich = rich.color(colour);
        }
        ui.add(Label::new(rich).selectable(false).truncate())
            .on_hover_text(text);
    });
}

/// The state with its reason, as a sentence fragment.
fn state_text(transfer: &Transfer) -> String {
    match &transfer.item.state {
        TransferState::Waiting { reason, retry_in_secs } => {
            format!("waiting: {reason} (retry in {retry_in_secs} s)")
        }
        TransferState::Failed { reason } => format!("failed: {reason}"),
        TransferState::Skipped { reason } => format!("skipped: {reason}"),
        TransferState::Done { verified } if verified.is_recorded() => format!("done (verified: {verified})"),
        state if transfer.item.attempts > 1 && state.is_active() => {
            format!("{} (attempt {})", state.label(), transfer.item.attempts)
        }
        state => state.label().to_owned(),
    }
}
