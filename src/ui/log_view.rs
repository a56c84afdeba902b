//! The message log: every command and reply, coloured by kind, drawn row by row for only the
//! visible lines. Text can be selected across lines and copied; the log can be cleared,
//! copied whole, or hidden.

use egui::{Color32, RichText, ScrollArea, Ui};

use super::intent::{Intents, WindowIntent};
use super::messages::{Messages, prefix};
use crate::engine::api::LogDirection;

/// Draws the log (its own state: the lines, and whether it follows new ones).
pub fn show(messages: &mut Messages, ui: &mut Ui, out: &mut Intents) {
    ui.horizontal(|ui| {
        ui.strong("Message log");
        if ui.small_button("Clear").clicked() {
            messages.clear();
        }
        if ui.small_button("Copy all").clicked() {
            ui.ctx().copy_text(messages.to_text());
        }
        if ui.small_button("Hide").clicked() {
            out.push(WindowIntent::ShowLog(false));
        }
    });
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace);
    // New lines scroll the log to its end, unless the user scrolled up to read.
    let mut area = ScrollArea::both();
    if std::mem::take(&mut messages.scroll_to_end) && messages.follow {
        // The end of the content; a larger offset is clamped, but must not overflow.
        let content = messages.len() as f32 * (row_height + ui.spacing().item_spacing.y);
        area = area.vertical_scroll_offset(content);
    }
    let output =
        area.id_salt("log-scroll")
            .auto_shrink([false, false])
            .show_rows(ui, row_height, messages.len(), |ui, rows| {
                for index in rows {
                    if let Some(line) = messages.get(index) {
                        let text = RichText::new(format!("{}{}", prefix(line.kind), line.text))
                            .monospace()
                            .color(colour(line.kind, ui.visuals().dark_mode));
                        ui.add(egui::Label::new(text).wrap_mode(egui::TextWrapMode::Extend));
                    }
                }
            });
    let bottom = output.content_size.y - output.inner_rect.height();
    messages.follow = output.state.clamped_offset().y >= bottom - row_height;
}

fn colour(kind: LogDirection, dark: bool) -> Color32 {
    match (kind, dark) {
        (LogDirection::Command, true) => Color32::from_rgb(120, 170, 255),
        (LogDirection::Command, false) => Color32::from_rgb(20, 70, 180),
        (LogDirection::Reply, true) => Color32::from_rgb(130, 200, 130),
        (LogDirection::Reply, false) => Color32::from_rgb(20, 110, 30),
        (LogDirection::Warning, true) => Color32::from_rgb(230, 190, 90),
        (LogDirection::Warning, false) => Color32::from_rgb(150, 100, 0),
        (LogDirection::Error, true) => Color32::from_rgb(255, 110, 110),
        (LogDirection::Error, false) => Color32::from_rgb(190, 20, 20),
        (LogDirection::Status, true) => Color32::from_gray(200),
        (LogDirection::Status, false) => Color32::from_gray(60),
    }
}
