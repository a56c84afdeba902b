//! The message log's lines: every command and reply the engine reports (passwords are masked
//! by the engine before they get here), plus the window's own status and error sentences.
//! Capped, so a long session does not grow without bound.

use std::collections::VecDeque;

use crate::engine::api::LogDirection;

/// Lines kept; the oldest go first.
pub const MAX_LINES: usize = 20_000;

pub struct Line {
    pub kind: LogDirection,
    pub text: String,
}

pub struct Messages {
    lines: VecDeque<Line>,
    /// Set when a line arrived, so the view scrolls to the bottom once.
    pub scroll_to_end: bool,
    /// Whether the view was at the end: new lines scroll it only then.
    pub follow: bool,
}

impl Default for Messages {
    fn default() -> Self {
        Messages {
            lines: VecDeque::new(),
            scroll_to_end: false,
            follow: true,
        }
    }
}

impl Messages {
    pub fn push(&mut self, kind: LogDirection, text: impl Into<String>) {
        let text = text.into();
        // A multi-line reply is shown as one line per row.
        for part in text.lines() {
            self.lines.push_back(Line {
                kind,
                text: part.to_owned(),
            });
        }
        while self.lines.len() > MAX_LINES {
            self.lines.pop_front();
        }
        self.scroll_to_end = true;
    }

    pub fn status(&mut self, text: impl Into<String>) {
        self.push(LogDirection::Status, text);
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.push(LogDirection::Error, text);
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn get(&self, index: usize) -> Option<&Line> {
        self.lines.get(index)
    }

    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// The whole log as text, each line with its kind, for the clipboard.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for line in &self.lines {
            text.push_str(prefix(line.kind));
            text.push_str(&line.text);
            text.push('\n');
        }
        text
    }
}

/// How a line's kind reads in front of it, like FileZilla's "Command:" and "Response:".
pub fn prefix(kind: LogDirection) -> &'static str {
    match kind {
        LogDirection::Command => "> ",
        LogDirection::Reply => "< ",
        LogDirection::Status => "  ",
        LogDirection::Warning => "! ",
        LogDirection::Error => "!! ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_the_newest_lines_and_copies_as_text() {
        let mut messages = Messages::default();
        messages.push(LogDirection::Command, "USER alice");
        messages.push(LogDirection::Reply, "331 Password required\n230 Logged in");
        assert_eq!(messages.len(), 3);
        assert_eq!(
            messages.to_text(),
            "> USER alice\n< 331 Password required\n< 230 Logged in\n"
        );
        for n in 0..MAX_LINES {
            messages.status(format!("line {n}"));
        }
        assert_eq!(messages.len(), MAX_LINES);
        assert_eq!(messages.get(0).unwrap().text, "line 0");
    }
}
