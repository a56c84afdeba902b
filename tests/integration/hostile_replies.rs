//! A hostile FTP server's replies and listings: a reply line or a multi-line reply that never
//! ends, a flood of 1xx replies, passive mode naming port 0 or 1, malformed MLSD facts, and a
//! listing that never ends. Each ends in a sentence and in bounded memory and time.

use std::time::{Duration, Instant};

use wharf::model::Protocol;
use wharf::model::location::RemotePath;
use wharf::protocol::ftp::FtpFs;
use wharf::protocol::{ConnectContext, ErrorKind, ListingLimits, RemoteFs};

use crate::support::scripted_ftp::{Hostile, Script, ScriptedFtp};
use crate::support::{stderr, stdout, wharf};

/// A scripted server with an empty `/` that misbehaves in one way.
fn server(hostile: Hostile) -> ScriptedFtp {
    let mut script = Script {
        pasv_host: [127, 0, 0, 1],
        epsv: true,
        hostile: Some(hostile),
        ..Script::default()
    };
    script.listings.insert("/".to_owned(), Vec::new());
    ScriptedFtp::start(script)
}

/// `wharf ls` against `server`: it must fail, and its words are returned.
fn failed_listing(server: &ScriptedFtp) -> String {
    let home = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = wharf(home.path(), &["ls", &format!("ftp://u:p@127.0.0.1:{}/", server.port)]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "a misbehaving server is given up on at once, not after the idle timeout"
    );
    stderr(&output)
}

#[test]
fn a_reply_line_that_never_ends_is_cut_off() {
    let message = failed_listing(&server(Hostile::EndlessReplyLine));
    assert!(message.contains("reply larger than 262144 bytes"), "{message}");
}

#[test]
fn a_multi_line_reply_that_never_ends_is_cut_off() {
    let message = failed_listing(&server(Hostile::EndlessMultiline));
    assert!(message.contains("reply larger than 262144 bytes"), "{message}");
}

#[test]
fn a_flood_of_preliminary_replies_ends_the_listing() {
    let message = failed_listing(&server(Hostile::PreliminaryFlood));
    assert!(message.contains("150 still going"), "the server's words: {message}");
}

#[test]
fn passive_mode_to_port_0_or_1_is_refused() {
    for (port, epsv) in [(0, true), (1, true), (0, false), (1, false)] {
        let mut script = Script {
            pasv_host: [127, 0, 0, 1],
            epsv,
            hostile: Some(Hostile::PassivePort(port)),
            ..Script::default()
        };
        script.listings.insert("/".to_owned(), Vec::new());
        let message = failed_listing(&ScriptedFtp::start(script));
        assert!(
            message.contains(&format!("the server named port {port} for the data connection")),
            "{message}"
        );
    }
}

#[test]
fn malformed_mlsd_facts_lose_only_their_own_lines() {
    let listing = [
        "type=file;size=3;modify=20240101120000; good.txt",
        "type=file;size=abc; bad-size.txt",
        "type=file;size=3;modify=99999999999999; bad-time.txt",
        "type=file;size=3;modify=2024; short-time.txt",
        "type=file;size=18446744073709551616; too-big.txt",
        "no facts at all",
        "type=file;size=3",
        ";;;; semicolons.txt",
        "=;=;=; equals.txt",
        "type=dir;x.custom=; folder",
        "type=\u{0}file;size=3; nul-in-fact.txt",
        "type=file;size=3; ",
    ]
    .join("\r\n");
    let mut script = Script {
        pasv_host: [127, 0, 0, 1],
        epsv: true,
        mlst: true,
        ..Script::default()
    };
    script.listings.insert("/".to_owned(), listing.into_bytes());
    let server = ScriptedFtp::start(script);
    let home = tempfile::tempdir().unwrap();
    let output = wharf(home.path(), &["ls", &format!("ftp://u:p@127.0.0.1:{}/", server.port)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        server.commands().iter().any(|command| command == "MLSD"),
        "{:?}",
        server.commands()
    );
    assert!(
        stderr(&output).contains("7 lines of the listing of / could not be read (malformed MLSD facts)"),
        "the user is told: {}",
        stderr(&output)
    );
    let shown = stdout(&output);
    let names: Vec<&str> = shown
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        .collect();
    // A size that is no number drops its line (a made-up size would fail the download's
    // size check later); an unreadable time only loses the time; an unknown fact is ignored.
    assert_eq!(
        names,
        [
            "folder",
            "bad-time.txt",
            "good.txt",
            "nul-in-fact.txt",
            "short-time.txt"
        ],
        "{shown}"
    );
}

/// A context whose listings stop at `entries` entries or 64 KiB, so the limits show without
/// moving hundreds of megabytes.
fn small_limits(entries: usize) -> ConnectContext {
    ConnectContext {
        limits: ListingLimits {
            entries,
            bytes: 64 * 1024,
        },
        ..crate::support::context()
    }
}

#[test]
fn a_listing_that_never_ends_stops_at_the_byte_limit() {
    let server = server(Hostile::EndlessListing);
    let site = crate::support::site(Protocol::Ftp, server.port, "u", "p");
    let mut fs = FtpFs::connect(&site, &small_limits(1_000_000)).unwrap();
    let error = fs.read_dir(&RemotePath::new("/")).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Protocol);
    assert!(error.message.contains("a listing that never ends"), "{}", error.message);
    assert!(
        fs.read_dir(&RemotePath::new("/")).is_err(),
        "the connection, with the rest of the listing still coming, is not used again"
    );
}

#[test]
fn a_listing_with_more_entries_than_the_limit_is_refused() {
    let line = |index: usize| format!("-rw-r--r--   1 u  g        3 Jan  1  2024 f{index}\r\n");
    let mut script = Script {
        pasv_host: [127, 0, 0, 1],
        epsv: true,
        ..Script::default()
    };
    script
        .listings
        .insert("/".to_owned(), (0..100).map(line).collect::<String>().into_bytes());
    script
        .listings
        .insert("/big".to_owned(), (0..101).map(line).collect::<String>().into_bytes());
    let server = ScriptedFtp::start(script);
    let site = crate::support::site(Protocol::Ftp, server.port, "u", "p");
    let mut fs = FtpFs::connect(&site, &small_limits(100)).unwrap();
    assert_eq!(
        fs.read_dir(&RemotePath::new("/")).unwrap().len(),
        100,
        "up to the limit is fine"
    );
    let error = fs.read_dir(&RemotePath::new("/big")).unwrap_err();
    assert!(error.message.contains("stopped after 100 entries"), "{}", error.message);
}
