//! Compare and Synchronize: the bar above the panes (Compare with its legend and "only
//! differences", synchronised browsing, Synchronize…) and the Synchronize window, which
//! shows the engine's plan of the two panes' folders as a list the user can untick from,
//! with totals, before anything happens.

use egui::{RichText, Ui};

use super::compare::Mark;
use super::format;
use super::intent::{Intents, SyncIntent};
use crate::engine::api::{Compare, EntryKind, PlanTotals, SyncAction, SyncPlan};

/// The bar's switches, lent by the app.
pub struct SyncBar {
    pub compare: bool,
    pub differences_only: bool,
    pub browse_together: bool,
    pub connected: bool,
}

/// Where the Synchronize window is.
#[derive(Debug, Default)]
pub enum Stage {
    #[default]
    Idle,
    /// Both folders are being listed, then planned.
    Planning,
    /// The plan, with a tick per entry (entries that need nothing are never ticked).
    Planned { plan: SyncPlan, chosen: Vec<bool> },
    /// The ticked entries are being carried out.
    Running,
    /// What the last run did, or why planning failed, as a sentence.
    Said(String),
}

/// The Synchronize window's settings and state.
#[derive(Debug)]
pub struct SyncPage {
    pub open: bool,
    /// From this computer to the server; otherwise the other way.
    pub to_server: bool,
    pub delete: bool,
    pub compare: Compare,
    pub newer_only: bool,
    /// gitignore-style patterns separated by commas.
    pub exclude: String,
    /// gitignore-style patterns separated by commas: only files that match, when any.
    pub include: String,
    pub exclude_hidden: bool,
    /// The biggest file taken, as typed (`10M`); empty for any size.
    pub max_size: String,
    /// The oldest change taken, as typed (`7d`); empty for any age.
    pub max_age: String,
    pub stage: Stage,
    /// A run of this window left a trash that Undo puts back.
    pub can_undo: bool,
}

impl Default for SyncPage {
    fn default() -> Self {
        SyncPage {
            open: false,
            to_server: true,
            delete: false,
            compare: Compare::SizeAndTime,
            newer_only: false,
            exclude: String::new(),
            include: String::new(),
            exclude_hidden: false,
            max_size: String::new(),
            max_age: String::new(),
            stage: Stage::Idle,
            can_undo: false,
        }
    }
}

impl SyncPage {
    pub fn choose(&mut self, entry: usize, chosen: bool) {
        if let Stage::Planned { chosen: ticks, plan } = &mut self.stage
            && let (Some(tick), Some(planned)) = (ticks.get_mut(entry), plan.entries.get(entry))
            && is_choosable(planned.action)
        {
            *tick = chosen;
        }
    }
}

/// Entries a run can carry out (conflicts and skips are shown, never done).
pub fn is_choosable(action: SyncAction) -> bool {
    matches!(action, SyncAction::Copy | SyncAction::Update | SyncAction::Delete)
}

/// The bar over the panes.
pub fn show_bar(bar: &SyncBar, ui: &mut Ui, out: &mut Intents) {
    ui.horizontal(|ui| {
        let mut compare = bar.compare;
        if ui
            .toggle_value(&mut compare, "Compare")
            .on_hover_text("Mark what differs between the two folders shown")
            .changed()
        {
            out.push(SyncIntent::Compare(compare));
        }
        if bar.compare {
            let mut only = bar.differences_only;
            if ui.checkbox(&mut only, "Only differences").changed() {
                out.push(SyncIntent::DifferencesOnly(only));
            }
            for mark in Mark::ALL {
                ui.label(RichText::new(mark.words()).color(mark.colour()).small());
            }
        }
        ui.separator();
        let mut together = bar.browse_together;
        if ui
            .toggle_value(&mut together, "Synchronised browsing")
            .on_hover_text("Entering or leaving a folder on one side does the same on the other")
            .changed()
        {
            out.push(SyncIntent::BrowseTogether(together));
        }
        ui.separator();
        if ui
            .add_enabled(bar.connected, egui::Button::new("Synchronize…"))
            .on_hover_text("Make one side's folder the same as the other's, after a preview")
            .clicked()
        {
            out.push(SyncIntent::Open);
        }
    });
}

/// The Synchronize window, when it is open.
pub fn show(page: &mut SyncPage, ctx: &egui::Context, out: &mut Intents) {
    if !page.open {
        return;
    }
    let mut open = true;
    egui::Window::new("Synchronize")
        .open(&mut open)
        .default_size([760.0, 480.0])
        .collapsible(false)
        .show(ctx, |ui| {
            settings(page, ui, out);
            ui.separator();
            stage(page, ui, out);
        });
    if !open {
        page.open = false;
    }
}

fn settings(page: &mut SyncPage, ui: &mut Ui, out: &mut Intents) {
    let mut changed = false;
    ui.horizontal(|ui| {
        changed |= ui
            .radio_value(&mut page.to_server, true, "Upload: this computer to the server")
            .changed();
        changed |= ui
            .radio_value(&mut page.to_server, false, "Download: the server to this computer")
            .changed();
    });
    changed |= ui
        .checkbox(
            &mut page.delete,
            "Delete what is only on the target (moved to its .wharf-trash folder)",
        )
        .changed();
    ui.horizontal(|ui| {
        ui.label("Same file:");
        for (compare, words) in [
            (Compare::SizeAndTime, "same size and time"),
            (Compare::SizeOnly, "same size"),
            (Compare::Checksum, "same checksum (reads the files)"),
        ] {
            changed |= ui.radio_value(&mut page.compare, compare, words).changed();
        }
    });
    ui.horizontal(|ui| {
        changed |= ui
            .checkbox(&mut page.newer_only, "Never replace a newer file")
            .changed();
        changed |= ui
            .checkbox(&mut page.exclude_hidden, "Leave out hidden files")
            .changed();
    });
    ui.horizontal(|ui| {
        ui.label("Only:");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut page.include)
                    .hint_text("*.jpg, *.png")
                    .desired_width(320.0),
            )
            .on_hover_text("Only files matching these patterns (as in .gitignore), separated by commas")
            .changed();
    });
    ui.horizontal(|ui| {
        ui.label("Files up to:");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut page.max_size)
                    .hint_text("any size (10M)")
                    .desired_width(110.0),
            )
            .changed();
        ui.label("changed within:");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut page.max_age)
                    .hint_text("any time (7d)")
                    .desired_width(110.0),
            )
            .changed();
    });
    ui.horizontal(|ui| {
        ui.label("Exclude:");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut page.exclude)
                    .hint_text("cache/, *.log")
                    .desired_width(320.0),
            )
            .on_hover_text("Patterns as in .gitignore, separated by commas")
            .changed();
        let busy = matches!(page.stage, Stage::Planning | Stage::Running);
        if ui.add_enabled(!busy, egui::Button::new("Preview")).clicked() {
            out.push(SyncIntent::Preview);
        }
    });
    // A plan made with other settings is not the one to run.
    if changed && matches!(page.stage, Stage::Planned { .. }) {
        page.stage = Stage::Idle;
    }
}

fn stage(page: &SyncPage, ui: &mut Ui, out: &mut Intents) {
    match &page.stage {
        Stage::Idle => {
            ui.label("Preview lists both folders shown in the panes and says what a sync would do.");
        }
        Stage::Planning => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Listing both folders…");
            });
        }
        Stage::Running => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Synchronising: see the queue.");
            });
        }
        Stage::Said(sentence) => {
            ui.label(sentence.as_str());
            if page.can_undo
                && ui
                    .button("Undo this sync")
                    .on_hover_text("Put back what it replaced or deleted")
                    .clicked()
            {
                out.push(SyncIntent::Undo);
            }
        }
        Stage::Planned { plan, chosen } => planned(plan, chosen, ui, out),
    }
}

fn planned(plan: &SyncPlan, chosen: &[bool], ui: &mut Ui, out: &mut Intents) {
    let shown: Vec<usize> = (0..plan.entries.len())
        .filter(|&index| plan.entries[index].action != SyncAction::Skip)
        .collect();
    if shown.is_empty() {
        ui.label("Already in sync: nothing to copy, update or delete.");
        return;
    }
    ui.label(totals(plan, chosen));
    if let Some(minutes) = plan.time_offset_minutes {
        ui.label(format!(
            "The server lists times {} off (it uses its own time zone); allowed for.",
            crate::model::sync::offset_words(minutes)
        ));
    }
    let run = egui::Button::new("Synchronize");
    if ui.add_enabled(chosen.iter().any(|&tick| tick), run).clicked() {
        out.push(SyncIntent::Run);
    }
    egui::ScrollArea::vertical().auto_shrink([false, true]).show(ui, |ui| {
        for index in shown {
            let entry = &plan.entries[index];
            let folder = if entry.kind == EntryKind::Dir { "/" } else { "" };
            let text = format!("{} {}{folder} ({})", entry.action.word(), entry.path, entry.reason);
            let mut tick = chosen.get(index).copied().unwrap_or(false);
            let choosable = is_choosable(entry.action);
            if ui
                .add_enabled(choosable, egui::Checkbox::new(&mut tick, text))
                .changed()
            {
                out.push(SyncIntent::Choose {
                    entry: index,
                    chosen: tick,
                });
            }
        }
    });
}

/// "Ticked: 3 new files, 1 new folder, 1 to update, 2 to delete (12 KB)".
fn totals(plan: &SyncPlan, chosen: &[bool]) -> String {
    let ticked = PlanTotals::of(
        plan.entries
            .iter()
            .zip(chosen)
            .filter(|(entry, tick)| **tick && is_choosable(entry.action))
            .map(|(entry, _)| entry),
    );
    let mut text = format!(
        "Ticked: {}, {}, {} to update, {} to delete ({})",
        format::count(ticked.copy as usize, "new file", "new files"),
        format::count(ticked.folders as usize, "new folder", "new folders"),
        ticked.update,
        ticked.delete,
        format::size(ticked.bytes)
    );
    let conflicts = plan.totals().conflict;
    if conflicts > 0 {
        text.push_str(&format!("; {conflicts} left alone as conflicts"));
    }
    text
}
