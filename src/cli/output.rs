//! What the command line prints: listings (text and JSON), progress bars on a terminal, and
//! protocol log lines. Server-sent text is escaped before it reaches the terminal.

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::engine::api::{Entry, EntryKind, ItemId, LogDirection, Progress, QueueItem, TransferState};
use crate::model::names::escape_control;

pub const EXAMPLES: &str = "\
Examples:
  wharf ls sftp://me@example.org/~/www
  wharf ls --json ftp://anonymous@ftp.example.org/pub
  wharf get -r sftp://me@example.org/~/photos ./backup
  wharf put report.pdf ftpes://me@example.org/incoming/
  wharf mv sftp://me@example.org/~/old.txt new.txt
  echo \"$PASSWORD\" | wharf ls --password-stdin ftps://me@example.org/

URLs: ftp://, ftps:// (implicit TLS), ftpes:// (explicit TLS, required), sftp://
  user[:password]@host[:port]/path; sftp://host/~/x is relative to the home folder.
The password may also come from WHARF_PASSWORD. WHARF_HOME=DIR keeps all of Wharf's files in DIR.";

/// `ls --json`: one object per entry.
#[derive(Serialize)]
struct JsonEntry<'a> {
    name: &'a str,
    kind: EntryKind,
    size: Option<u64>,
    modified: Option<String>,
    permissions: Option<&'a str>,
    target: Option<&'a str>,
}

impl<'a> JsonEntry<'a> {
    fn of(entry: &'a Entry) -> JsonEntry<'a> {
        JsonEntry {
            name: &entry.name,
            kind: entry.kind,
            size: entry.size,
            modified: entry
                .modified
                .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            permissions: entry.permissions.as_deref(),
            target: entry.target.as_deref(),
        }
    }
}

/// Writes a listing to `out`: JSON, one object per entry written as it goes (a folder of
/// 100,000 entries is not held in memory twice more, as rows and as text), or lines for
/// people.
pub fn print_listing(entries: &[Entry], json: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if json {
        use serde::Serializer;
        let mut serializer = serde_json::Serializer::pretty(&mut *out);
        serializer.collect_seq(entries.iter().map(JsonEntry::of))?;
        return writeln!(out);
    }
    writeln!(out, "{}", text_listing(entries))
}

/// A listing for people: folders first, then by name.
fn text_listing(entries: &[Entry]) -> String {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| {
        (b.kind == EntryKind::Dir)
            .cmp(&(a.kind == EntryKind::Dir))
            .then_with(|| a.name.cmp(&b.name))
    });
    sorted
        .iter()
        .map(|entry| {
            let kind = match entry.kind {
                EntryKind::Dir => 'd',
                EntryKind::Link => 'l',
                EntryKind::File => '-',
                EntryKind::Other => '?',
            };
            // A folder's size is the server's bookkeeping, not its contents: not shown.
            let size = match entry.kind {
                EntryKind::Dir => String::new(),
                _ => entry.size.map(human_size).unwrap_or_default(),
            };
            let modified = entry
                .modified
                .map(|time| time.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            // `ls -l` style permissions already start with the kind; SFTP modes do not.
            let permissions = match entry.permissions.as_deref() {
                Some(text) if text.len() == 10 => text.to_owned(),
                Some(text) => format!("{kind}{text}"),
                None => kind.to_string(),
            };
            let mut line = format!(
                "{permissions:<10} {size:>9} {modified:<16} {}",
                escape_control(&entry.name)
            );
            if let Some(target) = &entry.target {
                line.push_str(" -> ");
                line.push_str(&escape_control(target));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `queue list`: one line per item, or a JSON array.
pub fn queue(items: &[QueueItem], json: bool) -> String {
    if json {
        return serde_json::to_string_pretty(items).unwrap_or_else(|_| "[]".to_owned());
    }
    items
        .iter()
        .map(|item| {
            let (arrow, from, to) = match item.direction {
                crate::engine::api::Direction::Download => {
                    ("get", item.remote.clone(), item.local.display().to_string())
                }
                crate::engine::api::Direction::Upload => ("put", item.local.display().to_string(), item.remote.clone()),
            };
            let size = match item.size.filter(|_| item.kind != crate::engine::api::ItemKind::Folder) {
                Some(size) if item.bytes_done > 0 && item.bytes_done < size => {
                    format!("{}/{}", human_size(item.bytes_done), human_size(size))
                }
                Some(size) => human_size(size),
                None => String::new(),
            };
            let mut line = format!(
                "{:>6} {:<12} {arrow} {size:>10} {} -> {}",
                item.id,
                item.state.label(),
                escape_control(&from),
                escape_control(&to)
            );
            match &item.state {
                TransferState::Failed { reason }
                | TransferState::Skipped { reason }
                | TransferState::Waiting { reason, .. } => {
                    line.push_str(&format!(" ({}, {} attempts)", escape_control(reason), item.attempts));
                }
                _ => {}
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// 1536 -> "1.5 KiB".
pub fn human_size(bytes: u64) -> String {
    crate::model::rate::human_size(bytes)
}

pub fn log_line(direction: LogDirection, text: &str) -> String {
    let arrow = match direction {
        LogDirection::Command => "> ",
        LogDirection::Reply => "< ",
        LogDirection::Status => "* ",
        LogDirection::Warning => "! ",
        LogDirection::Error => "! ",
    };
    format!("{arrow}{text}")
}

/// Progress bars, one per running transfer, read from the engine's counters.
pub struct Bars {
    multi: MultiProgress,
    bars: HashMap<ItemId, (ProgressBar, Progress)>,
}

impl Bars {
    pub fn new(visible: bool) -> Self {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Bars {
            multi: MultiProgress::with_draw_target(target),
            bars: HashMap::new(),
        }
    }

    pub fn start(&mut self, transfer: ItemId, name: &str, progress: Progress) {
        let bar = self.multi.add(ProgressBar::new(progress.total().unwrap_or(0)));
        let style = ProgressStyle::with_template(
            "{msg:30!} {bar:25} {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(escape_control(name).into_owned());
        bar.set_position(progress.done());
        bar.reset_eta();
        self.bars.insert(transfer, (bar, progress));
    }

    pub fn tick(&self) {
        for (bar, progress) in self.bars.values() {
            bar.set_position(progress.done());
        }
    }

    pub fn finish(&mut self, transfer: ItemId) {
        if let Some((bar, progress)) = self.bars.remove(&transfer) {
            bar.set_position(progress.done());
            bar.finish_and_clear();
        }
    }

    /// Prints above the bars without tearing them.
    pub fn println(&self, line: &str) {
        if self.multi.is_hidden() {
            eprintln!("{line}");
        } else {
            let _ = self.multi.println(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }

    fn listing(entries: &[Entry], json: bool) -> String {
        let mut out = Vec::new();
        print_listing(entries, json, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_listing_has_every_field() {
        let mut entry = Entry::new("a b", EntryKind::File);
        entry.size = Some(3);
        let text = listing(&[entry], true);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value[0]["name"], "a b");
        assert_eq!(value[0]["kind"], "file");
        assert_eq!(value[0]["size"], 3);
        assert!(value[0]["modified"].is_null() && value[0]["target"].is_null() && value[0]["permissions"].is_null());
    }

    #[test]
    fn text_listing_shows_the_kind_once() {
        let mut folder = Entry::new("photos", EntryKind::Dir);
        folder.permissions = Some("drwxr-xr-x".to_owned());
        folder.size = Some(4096);
        let mut file = Entry::new("a.txt", EntryKind::File);
        file.permissions = Some("rw-r--r--".to_owned());
        file.size = Some(6);
        let text = listing(&[file, folder], false);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("drwxr-xr-x ") && !lines[0].contains("KiB"),
            "{text}"
        );
        assert!(
            lines[1].starts_with("-rw-r--r-- ") && lines[1].contains("6 B"),
            "{text}"
        );
    }

    #[test]
    fn terminal_output_escapes_names() {
        let entry = Entry::new("evil\x1b[2Jname", EntryKind::File);
        assert!(!listing(&[entry], false).contains('\x1b'));
    }
}
