//! # Wharf
//!
//! A desktop file-transfer manager: two panes (this computer, the server), a transfer queue,
//! a log of what the server said. This crate is the library behind the `wharf` binary; the
//! same engine drives the window and the command line.
//!
//! ## Bird's-eye view
//!
//! A user action becomes a plain-data [`engine::api::Command`] sent through an
//! [`engine::handle::EngineHandle`]. The engine (tokio) routes browsing commands to a session,
//! which owns one connection ([`protocol::RemoteFs`]) and runs its blocking protocol calls on
//! a worker thread, and transfers to the queue: one thread that owns the queue's state and its
//! SQLite database, and hands items to workers on the blocking pool, which take connections
//! from a per-site pool. Results come back as [`engine::api::Event`]s; transfer progress is
//! read from shared counters ([`engine::api::Progress`]), not pushed.
//!
//! ## Code map
//!
//! Modules are private unless something outside the crate (the binary, the integration
//! tests, the benchmarks) needs them, so that the compiler reports dead code; links below
//! in `code` marks name private modules.
//!
//! - [`model`]: plain data. `Site`, `Entry`, `RemotePath` and URL parsing
//!   ([`model::location`]), the name gate for server-sent names ([`model::names`]), the
//!   gate for links handed over by a browser or the desktop ([`model::link`]), a queue
//!   item's direction, kind, status, conflict policy and verification with their one text
//!   form ([`model::queue`]), how a connection is protected ([`model::security`]: an
//!   encryption kind and a line for people), bandwidth limits as people type them
//!   ([`model::rate`]), jump hosts as `ssh -J` writes them ([`model::jump`]), where an S3
//!   bucket is served ([`model::s3`]), saved sites
//!   ([`model::saved_site`]) and what the trust page lists
//!   ([`model::trust`]).
//! - [`protocol`]: the `RemoteFs` trait, `FsError` (kind + retryable + message, and the
//!   message as a sentence for dialogs), and the backends: [`protocol::ftp`] (suppaftp; FTP,
//!   implicit FTPS, explicit FTPES; the listing parser in `protocol::ftp::listing`; one
//!   connection sequence whose steps a reconnect repeats), [`protocol::sftp`] (ssh2, over
//!   the libssh2 in `vendor/libssh2-sys`, which en- and decrypts a packet in one call; its
//!   `route` applies `~/.ssh/config` to the site and its jump hosts, `jump` bridges each jump
//!   host's `direct-tcpip` channel to a socket pair on a thread, `login` tries agent, keys,
//!   keyboard-interactive (asking the server's questions through `TrustPolicy::answer`) and
//!   password, and [`protocol::sftp::scp`] is the SCP backend for servers without SFTP;
//!   [`protocol::ssh_offer`] reads a server's KEXINIT again after a failed handshake, to
//!   name what it offers or to call the failure a cut), [`protocol::local`],
//!   [`protocol::memory`] (test double with fault injection, hung links included). How much
//!   of a listing is read comes with the connection (`ListingLimits`). FTPS offers TLS 1.2 first, so that data connections can resume the
//!   control connection's session as often as servers demand (`protocol::ftp::tls::Offer`).
//! - [`engine`]: [`engine::api`] (THE boundary: `Command` grouped by handler, `Session`,
//!   `Queue`, `Sites` and `Trust`, each matched whole by its handler; `Event`; newtype ids),
//!   [`engine::handle`], `session` (browsing: list, stat, mkdir, rename, chmod, recursive
//!   delete; `HandOver` gives the command line's session to the queue as its first
//!   connection; a panic in connecting or a request is answered as an error and closes the
//!   session), and the transfer queue: `queue` (the thread that owns the state, persists
//!   every change, one transaction per pass over its inbox, checkpoints offsets, restores
//!   after a restart a page at a time; it keeps in memory what scheduling needs, about 300
//!   bytes an item, and reads an item's paths from the database when it starts; the window's
//!   queue also
//!   looks each second at what other processes sharing the database add, run and finish,
//!   and shows it without running it), `scheduler` (pure:
//!   limits, backoff, pause/cancel/move; only attempts that move nothing use up the retry
//!   budget; an item whose stopped worker has not ended yet does not start again, so one
//!   item never has two attempts at once; fake clock in tests), `worker` (one attempt at one
//!   item: resolve, expand a folder into items, conflict policy, changed-source check; the
//!   server's handle on an upload across attempts, `protocol::ResumeToken` (S3's multipart
//!   upload id), reported at once and kept with the item; a cancelled attempt discards
//!   its upload and says so, and the queue discards what a cancelled or cleared item left
//!   when no attempt did (never an upload another process runs); a
//!   folder's expansion tells each upload what is at its target, so a file costs STOR, RNFR,
//!   RNTO and MFMT over FTP and no probe), `watchdog` (a running item that moves nothing is
//!   shown as stalled), `auto_parallel` (pure: `-j auto`, doubling a site's limit while its
//!   throughput grows, and stepping back when it does not), `pool` (connections per site, secrets in memory, `Password` prompts
//!   for restored sites), [`engine::copy`] (one file: partial name, resume, verify,
//!   rename; `send_window` keeps an upload's window full while the server acknowledges;
//!   `diagnosis` charges a copy's time to the network, the disk or the bandwidth limit and
//!   reads its thread's CPU time, for "Why this speed?"),
//!   [`engine::sync`] (pure: the sync planner, two folder trees in, a plan with a reason
//!   per path out; asked through `Command::PlanSync`, the trees through
//!   `SessionRequest::ListTree`; its plain data is [`model::sync`]),
//!   `limiter` (bandwidth, governor), `lease` (which process is alive, by lock
//!   file), `progress` (speed over a moving window, ETA), `site_book` (the sites file, the
//!   keyring and imports, behind `SitesCommand`) and `trust_policy` (asks the user through
//!   prompts; answers `TrustCommand`).
//! - [`store`]: the queue in SQLite (WAL, `user_version` migrations, leases between
//!   processes, folder expansion in one transaction, an upload's resume token; the queue's enums read and written with
//!   `ToSql`/`FromSql`; ids are never used twice, since other processes know items by
//!   id). No secrets: sites are stored by [`model::Site::key`] with a
//!   descriptor that says whether a password is needed.
//! - `ssh_config`: OpenSSH's `~/.ssh/config` (Include, Host, Match, first value wins, `%`
//!   tokens), one parser for the import and for connections.
//! - `trust`: known_hosts (OpenSSH format, hashed entries) and pinned TLS certificates,
//!   listed and forgotten for the trust page.
//! - [`config`]: where files live (`WHARF_HOME` or the platform's folders).
//! - [`cli`]: `wharf ls|get|put|mkdir|rm|mv|sync|queue|site`, over the engine API only
//!   (`sync` lists both folders on two sessions, asks the engine for the plan, queues the
//!   copies and moves deletions into the target's `.wharf-trash`).
//! - [`ui`]: the window (egui/eframe, glow). Compare, synchronised browsing and the
//!   Synchronize window (`ui::sync_view`, `ui::compare`, `ui::app`'s `syncing`) ask the
//!   engine's planner through `Command::PlanSync`, as `wharf sync` does. One owner of state, `ui::app`: events in,
//!   intents out, and the frame, which lends each component (panes, queue, log,
//!   quickconnect, dialogs, site manager, trust page) what it draws; components keep their
//!   own view state and push intents (`ui::intent`), and one table says what each request's
//!   answer is for (`ui::requests`). Disk and desktop work (file dialogs, "open with",
//!   desktop notifications) runs on the window's own threads (`ui::background`). The edit
//!   loop (F4) keeps private copies of server files, watched by a thread of their own with
//!   the notify crate (`ui::edit_watch`), and uploads each save after checking that the
//!   server's copy did not change meanwhile (`ui::app`'s `editing`). Tested with egui_kittest against a
//!   detached engine handle ([`engine::handle::EngineHandle::detached`]).
//! - `sites_file`: the sites file (`sites.json`, atomic, 0600, no secrets); [`secrets`]: the
//!   OS keyring (keyring crate; Secret Service over zbus) behind a `SecretStore` trait, with
//!   an in-memory store for tests; `import`: parsers for FileZilla's `sitemanager.xml` and
//!   OpenSSH's config. The queue asks the saved site with the same key for its keyring
//!   password before it asks the user, and for its own limit of transfers at once
//!   (`pool::SavedSites`).
//!
//! - `fuzzing` (only with the `fuzzing` feature, and in tests): the fuzz targets' way in, one
//!   thin function per target over the parsers of listings, replies, URLs and `site:` names,
//!   imports, known_hosts and queue rows (with a `harness` beside the FTP client and the store
//!   where a parser needs a scene: a scripted server on loopback, a row in SQLite). Outside the
//!   dependency rule: it reaches into every layer and nothing names it. `cargo test` replays
//!   the committed corpora through it.
//!
//! Outside `src/`: `assets/` holds what the desktop sees (the icon's SVG and its renders,
//! the desktop entry, the AppStream metainfo with screenshots) and what is generated from
//! the command line's definitions (man pages, completions; `tests/integration/generated.rs`
//! keeps them in step). `fuzz/` is the cargo-fuzz crate (nightly; its own workspace) with a
//! target per `fuzzing` function and their corpora. `packaging/` builds the .deb, the .rpm and the AppImage's folder
//! (`build.sh`), validates them (`check.sh`), installs the .deb into a bare Debian
//! (`install-test.sh`), and holds the Flatpak, Windows and macOS recipes. One application
//! id, [`ui::APP_ID`], names Wharf everywhere a desktop does.
//!
//! ## Dependency rule
//!
//! `model <- protocol <- engine -> {store, sites, secrets, import, trust, config}`; `cli` and `ui` see only
//! `engine::{api, handle}` and `model`. `fuzzing` stands outside the rule: it may name any
//! module, and no module names it. `tests/architecture.rs` fails when an import crosses
//! this line.
//!
//! ## Invariants
//!
//! - A name a server sends never leaves the target folder: `/`, `\`, `.`, `..`, empty names,
//!   control characters and drive letters are refused by [`model::names::check_remote_name`]
//!   in [`protocol::Listing::screen`], before any name reaches the local disk.
//! - A link from outside (`wharf -- URL`, as the desktop entry runs it) only opens the place
//!   it names: [`model::link::parse_link`] refuses one that starts with `-` after its
//!   scheme, holds a control character (raw or percent-encoded) or a query, and the window
//!   connects and lists, and nothing else.
//! - CR, LF and NUL never reach an FTP control connection
//!   ([`model::names::check_command_text`]).
//! - FTP data connections go to the control connection's peer address, whatever a PASV reply
//!   names. Explicit TLS that the server refuses stops the login before USER/PASS.
//! - Downloads are written to `.NAME.wharf-part` and renamed when complete and verified; an
//!   interrupted one keeps its partial file and the next attempt resumes it, unless the
//!   source's size or time changed since the item was queued. Uploads likewise.
//! - The queue database holds every item's state (committed on each change) and offset
//!   (checkpointed at least every second), never a secret. Only the process holding an
//!   item's lease runs it; a lease whose holder died (its lock file is free) is taken over.
//!   Items another process adds are that process's to run: a watching queue only shows them.
//! - An unknown SSH host key or untrusted certificate is asked about; a changed host key or
//!   pinned certificate is refused. Nothing is trusted silently.
//! - Secrets ([`model::Secret`]) never print: `Debug` masks them, logs show `PASS ****`.
//!   They are kept in the OS keyring or in memory, never in a file: not in the sites file,
//!   the queue database, `window.ron` or a log. Without a keyring, Wharf says so and asks.
//! - Backends return errors, never panic, on anything a server, the disk or the user sends.
//! - The window's thread never waits on the network or the disk: even this computer's folders
//!   are listed by the engine (`SessionCommand::OpenLocal`); native file dialogs and "open
//!   with" run on threads of their own. Progress is read from counters each frame while transfers
//!   run; otherwise the window sleeps until an event wakes it.

pub mod cli;
pub mod config;
pub mod engine;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod import;
pub mod model;
pub mod protocol;
pub mod secrets;
mod sites_file;
mod ssh_config;
pub mod store;
mod trust;
pub mod ui;
