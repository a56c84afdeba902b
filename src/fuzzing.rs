//! The fuzz targets' way in (`fuzz/`, cargo-fuzz), behind the `fuzzing` feature: one function
//! per target, named as the target, taking the fuzzer's bytes. They only hand the bytes to the
//! parsers (private modules, so that the public API does not grow); where a parser needs more
//! than bytes, the module it lives in has a `harness` that sets the scene.
//!
//! `cargo test` replays every committed corpus (`fuzz/corpus/<target>/`) through the same
//! functions, so CI checks them on stable, without the fuzzer.

use std::path::Path;
use std::sync::OnceLock;

use crate::model::link::{Link, parse_link};
use crate::model::location::{Location, RemotePath};
use crate::model::saved_site::SavedSite;
use crate::sites_file::Sites;
use crate::trust::{self, KnownHosts};

/// A target: its name, and what it does with one input.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    ("ftp_list_line", ftp_list_line),
    ("ftp_listing", ftp_listing),
    ("ftp_reply", ftp_reply),
    ("ftp_session", ftp_session),
    ("url", url),
    ("filezilla_xml", filezilla_xml),
    ("ssh_config", ssh_config),
    ("known_hosts", known_hosts),
    ("queue_row", queue_row),
];

/// One LIST or MLSD line.
pub fn ftp_list_line(data: &[u8]) {
    crate::protocol::ftp::harness::list_line(data);
}

/// A whole listing; the first byte chooses the server type, MLSD and the clock.
pub fn ftp_listing(data: &[u8]) {
    crate::protocol::ftp::harness::listing(data);
}

/// One reply: 257 paths, SYST, SIZE, MDTM, MLST, checksums, error classes.
pub fn ftp_reply(data: &[u8]) {
    crate::protocol::ftp::harness::reply(data);
}

/// A whole session against a server that answers with `data`: multi-line replies, FEAT,
/// EPSV and PASV, listings and transfers.
pub fn ftp_session(data: &[u8]) {
    crate::protocol::ftp::harness::session(data);
}

/// A URL or `site:NAME/path`, as typed or as handed over by a browser.
pub fn url(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(location) = Location::parse(text) {
        let path = &location.path;
        let _ = (
            location.to_string(),
            path.parent(),
            path.file_name(),
            path.resolve("/home/u"),
        );
    }
    let _ = parse_link(text);
    if let Ok(Link::Site(reference)) = Link::parse(text)
        && let Ok((_, rest)) = saved_sites().resolve(&reference)
    {
        let _ = RemotePath::from_url_path(rest);
    }
}

/// The sites that `site:` names are looked up in: a bare name, the same name in a folder, and
/// a site in nested folders.
fn saved_sites() -> &'static Sites {
    static SITES: OnceLock<Sites> = OnceLock::new();
    SITES.get_or_init(|| {
        let site = |name: &str, folder: &str| SavedSite {
            id: format!("{folder}/{name}"),
            name: name.to_owned(),
            folder: folder.to_owned(),
            host: "example.org".to_owned(),
            ..SavedSite::default()
        };
        Sites {
            version: 1,
            folders: vec!["Clients".to_owned(), "Clients/Acme".to_owned()],
            sites: vec![site("web", ""), site("web", "Clients/Acme"), site("db", "Clients")],
        }
    })
}

/// FileZilla's `sitemanager.xml`, imported and then scrubbed of the passwords it held.
pub fn filezilla_xml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(imported) = crate::import::filezilla::parse(text) {
        let stored: Vec<String> = imported
            .sites
            .iter()
            .filter(|(_, password)| password.is_some())
            .map(|(site, _)| site.path())
            .collect();
        let _ = crate::import::filezilla::scrub_passwords(text, &stored);
    }
}

/// OpenSSH's `~/.ssh/config`.
pub fn ssh_config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::import::ssh_config::parse(text, Path::new("/home/me"));
    }
}

/// A known_hosts file, asked about a few hosts and listed for the trust page.
pub fn known_hosts(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let hosts = KnownHosts::parse(text);
    for (host, port) in [("example.org", 22), ("example.org", 2222), ("a.corp", 22), ("::1", 22)] {
        let _ = hosts.check(host, port, "ssh-ed25519", b"key");
    }
    let _ = trust::host_keys_in(text, Path::new("known_hosts"), true);
}

/// One row of the queue database (see `store::harness` for the layout).
pub fn queue_row(data: &[u8]) {
    crate::store::harness::row(data);
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::TARGETS;

    fn fuzz_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz")
    }

    /// Runs every file of the target's committed corpus through it; none may panic.
    fn replay(name: &str, target: fn(&[u8])) {
        let dir = fuzz_dir().join("corpus").join(name);
        let files = std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
        let mut replayed = 0;
        for file in files {
            let path = file.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{} makes the {name} target panic", path.display());
            replayed += 1;
        }
        assert!(replayed > 0, "the {name} corpus is empty");
    }

    macro_rules! corpora {
        ($($target:ident),+ $(,)?) => {
            $(
                #[test]
                fn $target() {
                    replay(stringify!($target), super::$target);
                }
            )+

            #[test]
            fn every_target_is_replayed() {
                let replayed = [$(stringify!($target)),+];
                let targets: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
                assert_eq!(targets, replayed);
            }
        };
    }

    corpora!(
        ftp_list_line,
        ftp_listing,
        ftp_reply,
        ftp_session,
        url,
        filezilla_xml,
        ssh_config,
        known_hosts,
        queue_row,
    );

    /// The fuzz crate has a target for each entry point, and no other.
    #[test]
    fn every_target_has_a_fuzz_target() {
        let mut found: Vec<String> = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
            .collect();
        found.sort();
        let mut targets: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
        targets.sort_unstable();
        assert_eq!(found, targets);
    }
}
