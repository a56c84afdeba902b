//! Facts about queue items that every layer shares: which way an item goes, what it is,
//! where it is in its life, what to do when its target exists, and how a finished file was
//! verified. Each has one text form, the one the queue database and the command line use.

use std::fmt;

use serde::Serialize;

/// Text that names none of a type's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a known {what}")]
pub struct UnknownText {
    pub what: &'static str,
    pub text: String,
}

/// Declares `as_str` and `parse` for an enum from its text forms.
macro_rules! text_forms {
    ($name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &[$name] = &[$($name::$variant),+];

            /// Its text form.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value with this text form.
            pub fn parse(text: &str) -> Result<$name, UnknownText> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownText { what: $what, text: text.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Which way a transfer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From the server to this computer.
    Download,
    /// From this computer to the server.
    Upload,
}

text_forms!(Direction, "direction", { Download => "download", Upload => "upload" });

/// What a queue item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// A file.
    File,
    /// Creating the folder and queueing what it holds.
    Folder,
    /// Not looked at yet: a file, or a folder when the transfer is recursive.
    Auto,
}

text_forms!(ItemKind, "item kind", { File => "file", Folder => "folder", Auto => "auto" });

/// Where a queue item is in its life, without details: what the queue database records.
/// An item waiting to be retried is `Queued` here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemStatus {
    /// Waiting to run.
    Queued,
    /// A worker (of this or another Wharf process) is on it.
    Running,
    /// Held until resumed.
    Paused,
    /// Transferred and verified.
    Done,
    /// Given up on.
    Failed,
    /// Not transferred on purpose.
    Skipped,
    /// Removed from the running queue by the user.
    Cancelled,
}

text_forms!(ItemStatus, "queue state", {
    Queued => "queued",
    Running => "running",
    Paused => "paused",
    Done => "done",
    Failed => "failed",
    Skipped => "skipped",
    Cancelled => "cancelled",
});

impl ItemStatus {
    /// Finished for good: it will not run again unless retried. The one definition.
    pub const fn is_finished(self) -> bool {
        matches!(
            self,
            ItemStatus::Done | ItemStatus::Failed | ItemStatus::Skipped | ItemStatus::Cancelled
        )
    }
}

/// What to do when a transfer's target already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConflictPolicy {
    /// Ask the user (a `FileExists` prompt that blocks only that transfer).
    #[default]
    Ask,
    /// Replace the target.
    Overwrite,
    /// Overwrite when the source is newer, else skip.
    Newer,
    /// Overwrite when the sizes differ, else skip.
    Differ,
    /// Continue a smaller target as if it were a partial file; skip an equal one.
    Resume,
    /// Keep both: the new file gets a free name like `name (1).ext`.
    Rename,
    /// Leave the target and skip the transfer.
    Skip,
}

impl ConflictPolicy {
    /// Every policy, in the order menus show them.
    pub const ALL: [ConflictPolicy; 7] = [
        ConflictPolicy::Ask,
        ConflictPolicy::Overwrite,
        ConflictPolicy::Newer,
        ConflictPolicy::Differ,
        ConflictPolicy::Resume,
        ConflictPolicy::Rename,
        ConflictPolicy::Skip,
    ];

    /// Its text form (the command line's `--on-conflict` value, the queue database's).
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictPolicy::Ask => "ask",
            ConflictPolicy::Overwrite => "overwrite",
            ConflictPolicy::Newer => "newer",
            ConflictPolicy::Differ => "differ",
            ConflictPolicy::Resume => "resume",
            ConflictPolicy::Rename => "rename",
            ConflictPolicy::Skip => "skip",
        }
    }

    /// The policy with this text form.
    pub fn parse(text: &str) -> Option<ConflictPolicy> {
        ConflictPolicy::ALL.into_iter().find(|policy| policy.as_str() == text)
    }
}

/// A checksum a server can compute for a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChecksumAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-1.
    Sha1,
}

impl ChecksumAlgorithm {
    /// Its name as people write it: `SHA-256`.
    pub const fn name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Sha256 => "SHA-256",
            ChecksumAlgorithm::Sha1 => "SHA-1",
        }
    }
}

/// How a finished item was checked, or why it counts as done. Its text (`size`,
/// `size, SHA-256`, `folder created` ...) is what the queue database keeps and the command
/// line's JSON shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Verification {
    /// Nothing was recorded: a folder, or an item finished by a Wharf that kept no such note.
    #[default]
    NotRecorded,
    /// Its size matched (the server offers no checksum).
    Size,
    /// Its size matched, and so did the server's checksum.
    Checksum(ChecksumAlgorithm),
    /// A folder: it was created and what it holds was queued.
    FolderCreated,
    /// Another Wharf process finished it.
    FinishedElsewhere,
}

impl Verification {
    /// Whether there is anything to say.
    pub fn is_recorded(self) -> bool {
        self != Verification::NotRecorded
    }

    /// The verification this text describes. An empty text is `NotRecorded`, and so is any
    /// other text: this is a note on a done item, never what decides its state, and an item
    /// must not become unreadable for a note a newer Wharf words differently.
    pub fn from_text(text: &str) -> Verification {
        match text {
            "size" => Verification::Size,
            FOLDER_CREATED => Verification::FolderCreated,
            FINISHED_ELSEWHERE => Verification::FinishedElsewhere,
            _ => [ChecksumAlgorithm::Sha256, ChecksumAlgorithm::Sha1]
                .into_iter()
                .find(|algorithm| text.strip_prefix("size, ") == Some(algorithm.name()))
                .map_or(Verification::NotRecorded, Verification::Checksum),
        }
    }
}

const FOLDER_CREATED: &str = "folder created";
const FINISHED_ELSEWHERE: &str = "finished by another Wharf";

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verification::NotRecorded => Ok(()),
            Verification::Size => f.write_str("size"),
            Verification::Checksum(algorithm) => write!(f, "size, {}", algorithm.name()),
            Verification::FolderCreated => f.write_str(FOLDER_CREATED),
            Verification::FinishedElsewhere => f.write_str(FINISHED_ELSEWHERE),
        }
    }
}

impl Serialize for Verification {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_go_both_ways_and_unknown_text_is_an_error() {
        for direction in Direction::ALL {
            assert_eq!(Direction::parse(direction.as_str()), Ok(*direction));
        }
        for kind in ItemKind::ALL {
            assert_eq!(ItemKind::parse(kind.as_str()), Ok(*kind));
        }
        for status in ItemStatus::ALL {
            assert_eq!(ItemStatus::parse(status.as_str()), Ok(*status));
        }
        assert_eq!(Direction::Upload.as_str(), "upload");
        assert_eq!(ItemStatus::Cancelled.as_str(), "cancelled");
        let error = ItemStatus::parse("exploded").unwrap_err();
        assert_eq!(error.to_string(), "\"exploded\" is not a known queue state");
        assert!(Direction::parse("sideways").is_err());
        assert!(ItemKind::parse("").is_err());
    }

    #[test]
    fn finished_means_done_failed_skipped_or_cancelled() {
        let finished: Vec<_> = ItemStatus::ALL.iter().filter(|status| status.is_finished()).collect();
        assert_eq!(
            finished,
            [
                &ItemStatus::Done,
                &ItemStatus::Failed,
                &ItemStatus::Skipped,
                &ItemStatus::Cancelled
            ]
        );
    }

    #[test]
    fn verifications_read_as_before() {
        assert_eq!(Verification::Size.to_string(), "size");
        let sha256 = Verification::Checksum(ChecksumAlgorithm::Sha256);
        assert_eq!(sha256.to_string(), "size, SHA-256");
        assert_eq!(serde_json::to_string(&sha256).unwrap(), "\"size, SHA-256\"");
        for verification in [
            Verification::NotRecorded,
            Verification::Size,
            sha256,
            Verification::Checksum(ChecksumAlgorithm::Sha1),
            Verification::FolderCreated,
            Verification::FinishedElsewhere,
        ] {
            assert_eq!(Verification::from_text(&verification.to_string()), verification);
        }
        assert_eq!(Verification::FolderCreated.to_string(), "folder created");
        assert_eq!(Verification::FinishedElsewhere.to_string(), "finished by another Wharf");
        assert_eq!(
            Verification::from_text("verified by magic"),
            Verification::NotRecorded,
            "a note this Wharf does not know"
        );
    }
}
