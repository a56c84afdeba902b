//! Sites from other programs: FileZilla's site manager and OpenSSH's config. Parsers only:
//! they turn text into [`SavedSite`]s (with the passwords found, for the keyring) and say what
//! they skipped and why; the engine stores the result.

pub mod filezilla;
pub mod ssh_config;

use crate::model::Secret;
use crate::model::saved_site::SavedSite;

/// What a parser found.
#[derive(Debug, Default)]
pub struct Imported {
    /// Each site with the password (or key passphrase) the file held, if any.
    pub sites: Vec<(SavedSite, Option<Secret>)>,
    /// Folders, including empty ones.
    pub folders: Vec<String>,
    /// Entries left out, each with the reason.
    pub skipped: Vec<String>,
    /// Entries brought in with a caveat.
    pub warnings: Vec<String>,
}
