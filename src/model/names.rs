//! The gate every server-sent name passes before it touches the local disk, and the escaping
//! that makes untrusted text safe to show in a terminal, a log or the window.
//!
//! A hostile server can send `../../.ssh/authorized_keys`, `/etc/passwd`, `C:\x`, `.` (scp
//! CVE-2018-20685) or names with control characters. A name is accepted only when it is a
//! single plain segment; everything else is refused and reported, never "fixed" into a path.

use std::borrow::Cow;
use std::fmt;

/// Why a name from a server was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    /// `.` or `..`.
    DotName,
    /// Contains `/` or `\`, so it would reach another folder.
    Separator,
    /// Contains NUL or another control character.
    ControlCharacter,
    /// Starts like a Windows drive (`C:`).
    DriveLetter,
    /// Longer than 255 bytes: no common file system can hold it, and a longer one is a
    /// server's mistake or an attack on buffers.
    TooLong,
    /// The same name came twice in one listing; the first is kept.
    Duplicate,
}

/// The longest name, in bytes, that ext4, APFS and NTFS (in UTF-16 units) all hold.
pub const MAX_NAME_BYTES: usize = 255;

/// A refused name, with the name escaped for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeName {
    pub shown: String,
    pub problem: NameProblem,
}

impl fmt::Display for UnsafeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.problem {
            NameProblem::Empty => "it is empty",
            NameProblem::DotName => "it names the folder itself or its parent",
            NameProblem::Separator => "it contains a path separator",
            NameProblem::ControlCharacter => "it contains control characters",
            NameProblem::DriveLetter => "it starts with a drive letter",
            NameProblem::TooLong => "it is longer than 255 bytes",
            NameProblem::Duplicate => "the listing names it twice (the first is kept)",
        };
        write!(f, "the server sent the name \"{}\", refused because {why}", self.shown)
    }
}

impl std::error::Error for UnsafeName {}

/// Accepts `name` only when it is one plain path segment, safe to join under a local folder on
/// any platform and safe to send back in a command.
pub fn check_remote_name(name: &str) -> Result<(), UnsafeName> {
    let refuse = |problem| {
        Err(UnsafeName {
            shown: escape_control(name).into_owned(),
            problem,
        })
    };
    if name.is_empty() {
        return refuse(NameProblem::Empty);
    }
    if name == "." || name == ".." {
        return refuse(NameProblem::DotName);
    }
    if name.contains(['/', '\\']) {
        return refuse(NameProblem::Separator);
    }
    if name.chars().any(char::is_control) {
        return refuse(NameProblem::ControlCharacter);
    }
    if name.len() > MAX_NAME_BYTES {
        return refuse(NameProblem::TooLong);
    }
    let mut chars = name.chars();
    if let (Some(letter), Some(':')) = (chars.next(), chars.next())
        && letter.is_ascii_alphabetic()
    {
        return refuse(NameProblem::DriveLetter);
    }
    Ok(())
}

/// Control characters, and the invisible format characters that can hide or reorder what
/// text shows: zero-width characters, bidirectional overrides and isolates (the "Trojan
/// Source" trick), word joiners, the byte-order mark and Unicode's line and paragraph
/// separators.
pub fn is_deceptive(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Replaces control characters (C0, DEL, C1) with visible escapes such as `\x1b`, so that a
/// name cannot move the cursor, clear the screen or forge a log line.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Refuses text that would break out of an FTP command line: CR, LF or NUL let a hostile
/// path smuggle a second command (`x\r\nDELE y`).
pub fn check_command_text(text: &str) -> Result<(), String> {
    if text.contains(['\r', '\n', '\0']) {
        Err(format!(
            "the path \"{}\" contains a line break or NUL, which cannot be sent to an FTP server",
            escape_control(text)
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn refused(name: &str, problem: NameProblem) {
        assert_eq!(check_remote_name(name).map_err(|e| e.problem), Err(problem), "{name:?}");
    }

    #[test]
    fn plain_names_pass() {
        for name in [
            "a",
            "report 2024.pdf",
            " lead",
            "trail ",
            "..hidden",
            "a..b",
            "ünï",
            "note: 1",
            "...",
            "-rf",
        ] {
            assert_eq!(check_remote_name(name), Ok(()), "{name:?}");
        }
    }

    #[test]
    fn hostile_names_are_refused() {
        refused("", NameProblem::Empty);
        refused(".", NameProblem::DotName);
        refused("..", NameProblem::DotName);
        refused("../../.ssh/authorized_keys", NameProblem::Separator);
        refused("/etc/passwd", NameProblem::Separator);
        refused("a/b", NameProblem::Separator);
        refused("..\\..\\win.ini", NameProblem::Separator);
        refused("\\\\host\\share", NameProblem::Separator);
        refused("C:x", NameProblem::DriveLetter);
        refused("nul\0byte", NameProblem::ControlCharacter);
        refused("line\nbreak", NameProblem::ControlCharacter);
        refused("esc\x1b[2J", NameProblem::ControlCharacter);
        refused("del\x7f", NameProblem::ControlCharacter);
        refused("c1\u{85}", NameProblem::ControlCharacter);
        refused(&"n".repeat(MAX_NAME_BYTES + 1), NameProblem::TooLong);
        assert_eq!(check_remote_name(&"n".repeat(MAX_NAME_BYTES)), Ok(()));
        // Bytes, not characters: 128 two-byte letters are 256 bytes.
        refused(&"ü".repeat(128), NameProblem::TooLong);
    }

    #[test]
    fn refusals_show_escaped_names() {
        let message = check_remote_name("a\x1b[31m/b").unwrap_err().to_string();
        assert!(message.contains("a\\x1b[31m/b"), "{message}");
        assert!(!message.contains('\x1b'));
    }

    #[test]
    fn commands_refuse_line_breaks() {
        assert!(check_command_text("/a b/c").is_ok());
        assert!(check_command_text("x\r\nDELE y").is_err());
        assert!(check_command_text("x\0").is_err());
    }
}
