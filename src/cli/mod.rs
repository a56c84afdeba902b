//! `wharf ls|get|put|mkdir|rm|mv|queue`: the command line, a thin client of the engine API.
//!
//! `get` and `put` go through the transfer queue, like the window's transfers: a killed
//! `wharf get` leaves its items in the queue database, and `wharf queue run` finishes them,
//! resuming partial files.
//!
//! Exit status: 0 on success, 1 when the operation or some of its items failed, 2 for usage
//! errors. Errors are one sentence on stderr. Trust questions are answered by flags:
//! without `--accept-new-host-key` / `--accept-new-cert` an unknown key or certificate is
//! refused, with its fingerprint shown so that it can be checked.

mod output;
mod site_command;
mod sync_command;

use std::collections::HashMap;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::engine::api::{
    Command, ConflictPolicy, Direction, ErrorKind, Event, ItemId, LogDirection, OpError, OpSummary, Prompt,
    PromptReply, QueueCommand, QueueItem, QueueLimits, RequestId, SessionCommand, SessionId, SessionRequest,
    TransferOptions, TransferSpec, TransferState,
};
use crate::engine::handle::{EngineConfig, EngineHandle, WaitError};
use crate::model::jump::Hop;
use crate::model::link::{Link, LinkError};
use crate::model::location::{Location, RemotePath};
use crate::model::rate;
use crate::model::{DataMode, Secret, Site};

/// Wharf: a fast, safe file-transfer client for FTP, FTPS and SFTP.
#[derive(Debug, Parser)]
#[command(name = "wharf", version, propagate_version = true, about, long_about = LONG_ABOUT,
          after_help = output::EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Action>,
    /// Without a command: open the window, connected to this URL when one is given. The
    /// desktop hands links over as `wharf -- URL...`; only the first is opened.
    #[arg(value_name = "URL", value_parser = parse_window_link)]
    pub open: Vec<Link>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `wharf --help` and the man page's description.
const LONG_ABOUT: &str = "\
Wharf is a desktop file-transfer manager for FTP, FTPS and SFTP. Without a command it opens \
the window: this computer on the left, the server on the right, the transfer queue below. \
With a command it works from the terminal on the same engine and the same queue: transfers \
run in parallel, survive a crash or kill (wharf queue run finishes them, resuming partial \
files), and are verified before the partial file takes the target's name.

Passwords live only in the OS keyring or in memory, never in a file. An unknown host key or \
certificate is refused unless accepted with a flag; a changed one is always refused.";

#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Read the password from the first line of standard input.
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// Private key file for SFTP (OpenSSH format; a passphrase is read like a password).
    #[arg(short = 'i', long = "identity", global = true, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// SFTP through jump hosts, as `ssh -J`: `host`, `user@host:port`, several separated
    /// by commas. Replaces the ProxyJump of ~/.ssh/config.
    #[arg(short = 'J', long = "jump", global = true, value_name = "HOSTS", value_parser = parse_jump_hosts)]
    pub jump: Option<JumpHosts>,
    /// Trust an unknown SSH host key and record it in Wharf's known_hosts.
    #[arg(long, global = true)]
    pub accept_new_host_key: bool,
    /// Trust an unknown TLS certificate and pin its fingerprint for this host.
    #[arg(long, global = true)]
    pub accept_new_cert: bool,
    /// FTP active mode (EPRT/PORT): the server connects back to this computer.
    #[arg(long, global = true)]
    pub active: bool,
    /// S3: the service's URL, for S3-compatible storage (`https://minio.example:9000`).
    /// Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's endpoint_url, else AWS.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint: Option<String>,
    /// S3: the region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile's, else us-east-1.
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// S3: the profile of ~/.aws/credentials and ~/.aws/config. Default: AWS_PROFILE, else
    /// default.
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// S3: name the bucket in the path (`endpoint/bucket/key`), not in the host name; the
    /// default at an endpoint given with --endpoint.
    #[arg(long, global = true)]
    pub path_style: bool,
    /// Print every command and reply (passwords masked) on stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Seconds a connection may move nothing before it is given up (a transfer is then
    /// retried and resumes).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = QueueLimits::DEFAULT_IDLE_TIMEOUT,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// List a remote folder.
    Ls {
        /// One JSON array of entries on stdout.
        #[arg(long)]
        json: bool,
        /// The folder to list: a URL or site:NAME/path.
        url: String,
    },
    /// Download a file, or a folder with -r (through the queue).
    Get {
        /// Download a folder and everything in it.
        #[arg(short, long)]
        recursive: bool,
        #[command(flatten)]
        transfer: TransferArgs,
        /// The file or folder to download: a URL or site:NAME/path.
        url: String,
        /// Where to put it (default: the current folder). An existing folder receives the
        /// download under its own name.
        local: Option<PathBuf>,
    },
    /// Upload a file, or a folder with -r (through the queue).
    Put {
        /// Upload a folder and everything in it.
        #[arg(short, long)]
        recursive: bool,
        #[command(flatten)]
        transfer: TransferArgs,
        /// The local file or folder to upload.
        local: PathBuf,
        /// Where to put it: a URL or site:NAME/path. An existing remote folder receives the
        /// upload under its own name.
        url: String,
    },
    /// Show, run or clear the transfer queue.
    #[command(subcommand)]
    Queue(QueueAction),
    /// Saved sites: list, add, remove, import (passwords live in the OS keyring). Anywhere a
    /// URL is taken, `site:NAME/path` names a saved site and a path on it.
    #[command(subcommand)]
    Site(site_command::SiteAction),
    /// Create a remote folder.
    Mkdir {
        /// The folder to create: a URL or site:NAME/path.
        url: String,
    },
    /// Delete a remote file, or a folder and its contents with -r.
    Rm {
        /// Delete a folder and everything in it.
        #[arg(short, long)]
        recursive: bool,
        /// What to delete.
        url: String,
    },
    /// Make a folder the same as another, one on this computer and one on a server.
    ///
    /// `wharf sync ./public sftp://web/var/www` uploads what is new or changed, through the
    /// queue (`wharf queue run` finishes a sync that was killed). `--dry-run` shows the plan
    /// first. With `--delete`, what is only on the target moves into its `.wharf-trash`
    /// folder, and `--undo` puts it back.
    Sync(Box<sync_command::SyncArgs>),
    /// Rename or move a remote file or folder on the same server.
    Mv {
        /// What to rename: a URL or site:NAME/path.
        url: String,
        /// Absolute (`/x`, `~/x`) or relative to the source's folder.
        new_path: String,
    },
}

/// How many transfers run at once: `auto` (the default) or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parallel {
    Auto,
    Fixed(usize),
}

/// `auto` or 1 to `QueueLimits::MAX_PARALLEL`.
fn parse_parallel(text: &str) -> Result<Parallel, String> {
    if text.eq_ignore_ascii_case("auto") {
        return Ok(Parallel::Auto);
    }
    match text.parse::<usize>() {
        Ok(count) if (1..=QueueLimits::MAX_PARALLEL).contains(&count) => Ok(Parallel::Fixed(count)),
        _ => Err(format!(
            "expected auto or a number from 1 to {}",
            QueueLimits::MAX_PARALLEL
        )),
    }
}

#[derive(Debug, Args)]
pub struct TransferArgs {
    #[command(flatten)]
    pub speed: SpeedArgs,
    /// When the target exists: overwrite, newer (overwrite if the source is newer), differ
    /// (overwrite if the size differs), resume (continue a shorter target), rename (keep both),
    /// skip.
    #[arg(long, value_name = "POLICY", default_value = "overwrite", value_parser = parse_policy)]
    pub on_conflict: ConflictPolicy,
}

/// How many transfers run at once, and how fast.
#[derive(Debug, Args)]
pub struct SpeedArgs {
    /// Transfers at once: 1 to 16, or auto, which starts at 4 per server and doubles while
    /// the transfers get faster for it.
    #[arg(short = 'j', long = "parallel", value_name = "N", default_value = "auto",
          value_parser = parse_parallel)]
    pub parallel: Parallel,
    /// Bandwidth limit per direction, in bytes per second: 500K, 10M, 1.5G.
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub limit_rate: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum QueueAction {
    /// List the queue's items with their state.
    List {
        /// One JSON array of items on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Run everything pending, including what an interrupted run left behind.
    Run {
        #[command(flatten)]
        transfer: TransferArgs,
    },
    /// Remove finished items (done and skipped by default).
    Clear {
        /// Done and skipped items.
        #[arg(long)]
        done: bool,
        /// Failed and cancelled items.
        #[arg(long)]
        failed: bool,
        /// Every finished item.
        #[arg(long)]
        all: bool,
    },
}

/// The window's URL must be one: a mistyped command is not taken for a server's name. It
/// may come from a browser, so it is checked as a link ([`Link::parse`]): nothing in it can
/// pass for an option or smuggle a command, and what goes on is the checked value.
fn parse_window_link(text: &str) -> Result<Link, String> {
    Link::parse(text).map_err(|error| match error {
        LinkError::Location(_) if !text.contains(':') => {
            format!("{text:?} is neither a command nor a URL like sftp://user@host/path")
        }
        error => format!("{error}."),
    })
}

/// `10M` -> 10485760 ([`rate::parse_limit`]).
fn parse_rate(text: &str) -> Result<u64, String> {
    rate::parse_limit(text).map_err(|error| error.to_string())
}

fn parse_policy(text: &str) -> Result<ConflictPolicy, String> {
    ConflictPolicy::parse(text)
        .filter(|policy| *policy != ConflictPolicy::Ask)
        .ok_or_else(|| format!("{text:?} is not one of overwrite, newer, differ, resume, rename, skip"))
}

/// Exit codes.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// Runs one command-line action; returns the exit code.
pub fn run(action: Action, args: &ConnectionArgs) -> i32 {
    match run_action(action, args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("wharf: {message}");
            EXIT_FAILED
        }
    }
}

fn run_action(action: Action, args: &ConnectionArgs) -> Result<i32, String> {
    let url = match &action {
        Action::Queue(queue) => return run_queue(queue, args),
        Action::Site(site) => return site_command::run(site, args),
        Action::Sync(sync) => return sync_command::run(sync, args),
        Action::Ls { url, .. }
        | Action::Get { url, .. }
        | Action::Put { url, .. }
        | Action::Mkdir { url }
        | Action::Rm { url, .. }
        | Action::Mv { url, .. } => url.clone(),
    };
    let location = match locate(&url, args)? {
        Ok(location) => location,
        Err(code) => return Ok(code),
    };
    let queue_limits = match &action {
        Action::Get { transfer, .. } | Action::Put { transfer, .. } => limits(&transfer.speed),
        _ => QueueLimits::default(),
    };
    let client = Client::connect(&location, args, queue_limits)?;
    let path = location.path.clone();
    match action {
        Action::Ls { json, .. } => client.ls(&path, json),
        Action::Get {
            recursive,
            local,
            transfer,
            ..
        } => {
            let local = local.unwrap_or_else(|| PathBuf::from("."));
            let spec = TransferSpec {
                direction: Direction::Download,
                local,
                remote: path,
                recursive,
                keep_replaced: None,
            };
            client.transfer(&location.site, spec, &transfer)
        }
        Action::Put {
            recursive,
            local,
            transfer,
            ..
        } => {
            let spec = TransferSpec {
                direction: Direction::Upload,
                local,
                remote: path,
                recursive,
                keep_replaced: None,
            };
            client.transfer(&location.site, spec, &transfer)
        }
        Action::Queue(_) | Action::Site(_) | Action::Sync(_) => Ok(EXIT_USAGE),
        Action::Mkdir { .. } => {
            let id = client.request(|id| SessionRequest::Mkdir { id, path })?;
            client.finish(id)
        }
        Action::Rm { recursive, .. } => {
            let id = client.request(|id| SessionRequest::Delete { id, path, recursive })?;
            client.finish(id)
        }
        Action::Mv { new_path, .. } => {
            let to = if new_path.starts_with('/') || new_path.starts_with('~') {
                RemotePath::new(&new_path)
            } else {
                RemotePath::new(&format!("{}/{new_path}", path.parent()))
            };
            let id = client.request(|id| SessionRequest::Rename { id, from: path, to })?;
            client.finish(id)
        }
    }
}

/// Where a URL or `site:NAME/path` points, with its credentials; `Err(code)` when it
/// cannot be read (said on stderr).
fn locate(url: &str, args: &ConnectionArgs) -> Result<Result<Location, i32>, String> {
    match url.strip_prefix("site:") {
        Some(reference) => {
            let mut location = site_command::resolve(reference, args)?;
            if args.active {
                location.site.data_mode = DataMode::Active;
            }
            Ok(Ok(location))
        }
        None => {
            let mut location = match Location::parse(url) {
                Ok(location) => location,
                Err(error) => {
                    eprintln!("wharf: {error}");
                    return Ok(Err(EXIT_USAGE));
                }
            };
            fill_credentials(&mut location, args)?;
            Ok(Ok(location))
        }
    }
}

/// An SSH server's login questions, asked on the terminal: shown as the server wrote
/// them, hidden answers not echoed. `None` without a terminal to ask on.
fn ask_on_the_terminal(questions: &crate::engine::api::ServerQuestions) -> Option<Vec<Secret>> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return None;
    }
    for line in [&questions.name, &questions.instructions] {
        if !line.trim().is_empty() {
            eprintln!("{}", crate::model::names::escape_control(line.trim_end()));
        }
    }
    let mut answers = Vec::with_capacity(questions.prompts.len());
    for prompt in &questions.prompts {
        let text = crate::model::names::escape_control(&prompt.text).into_owned();
        let answer = if prompt.echo {
            eprint!("{text}");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).ok()?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        } else {
            rpassword::prompt_password(text).ok()?
        };
        answers.push(Secret::new(answer));
    }
    Some(answers)
}

impl ConnectionArgs {
    /// The options that change where a site is: `-J` replaces an SSH site's jump hosts (and
    /// the config's); `--endpoint`, `--region`, `--profile` and `--path-style` an S3 site's.
    fn apply_to_site(&self, site: &mut Site) {
        if let Some(JumpHosts(hops)) = &self.jump
            && site.protocol.is_ssh()
        {
            site.jump_hosts = hops.clone();
        }
        if site.protocol == crate::model::Protocol::S3 {
            let s3 = &mut site.s3;
            s3.url = self.endpoint.clone().or(s3.url.take());
            s3.region = self.region.clone().or(s3.region.take());
            s3.profile = self.profile.clone().or(s3.profile.take());
            if self.path_style {
                s3.path_style = Some(true);
            }
        }
    }
}

/// `-J`'s hosts, read when the arguments are.
#[derive(Debug, Clone)]
pub struct JumpHosts(pub Vec<Hop>);

fn parse_jump_hosts(text: &str) -> Result<JumpHosts, String> {
    Hop::parse_list(text).map(JumpHosts)
}

/// The password given outside a URL: `--password-stdin`, else `WHARF_PASSWORD`.
fn given_password(args: &ConnectionArgs) -> Result<Option<Secret>, String> {
    if args.password_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|error| format!("reading the password from standard input failed: {error}"))?;
        let line = text.lines().next().unwrap_or("");
        return Ok(Some(Secret::new(line)));
    }
    Ok(std::env::var("WHARF_PASSWORD").ok().map(Secret::new))
}

/// Password: from the URL, else `--password-stdin`, else `WHARF_PASSWORD`.
fn fill_credentials(location: &mut Location, args: &ConnectionArgs) -> Result<(), String> {
    let credentials = &mut location.site.credentials;
    if credentials.password.is_none() {
        credentials.password = given_password(args)?;
    }
    if let Some(identity) = &args.identity {
        credentials.key_file = Some(identity.clone());
        credentials.key_passphrase = credentials.password.clone();
    }
    credentials.use_agent = true;
    args.apply_to_site(&mut location.site);
    if args.active {
        location.site.data_mode = DataMode::Active;
    }
    Ok(())
}

/// An engine driven synchronously, with a browsing session when a URL was given.
struct Client<'a> {
    engine: EngineHandle,
    session: Option<SessionId>,
    args: &'a ConnectionArgs,
    progress: output::Bars,
    /// The answer to the queue's password questions (restored items of earlier runs).
    password: Option<Secret>,
    /// What each queue item is called on screen.
    names: HashMap<ItemId, String>,
    /// Queue items that failed or were skipped in this run, already reported.
    failures: usize,
    /// The session being opened: if it fails, its error is the command's result.
    opening: Option<SessionId>,
    /// What to do about a refused host key or certificate, said after the error it causes.
    hint: Option<String>,
}

/// How often the progress display refreshes while waiting.
const TICK: Duration = Duration::from_millis(100);

fn limits(speed: &SpeedArgs) -> QueueLimits {
    let parallel = match speed.parallel {
        Parallel::Auto => QueueLimits::default(),
        Parallel::Fixed(count) => QueueLimits::fixed(count),
    };
    QueueLimits {
        download_rate: speed.limit_rate,
        upload_rate: speed.limit_rate,
        ..parallel
    }
}

impl<'a> Client<'a> {
    /// Starts the engine. `resume_queue` runs what earlier runs left in the queue.
    fn start(
        args: &'a ConnectionArgs,
        resume_queue: bool,
        limits: QueueLimits,
        password: Option<Secret>,
    ) -> Result<Client<'a>, String> {
        let mut config = EngineConfig::discover();
        config.resume_queue = resume_queue;
        config.limits = QueueLimits {
            idle_timeout: args.timeout,
            ..limits
        };
        let engine =
            EngineHandle::start(config, None).map_err(|error| format!("the engine could not start: {error}"))?;
        Ok(Client {
            session: None,
            args,
            progress: output::Bars::new(std::io::stderr().is_terminal()),
            engine,
            password,
            names: HashMap::new(),
            failures: 0,
            opening: None,
            hint: None,
        })
    }

    /// Opens the session the command works in. A connection lost or silent on the way (a
    /// flaky link cut during the handshake) is tried again, as the queue would; a refusal,
    /// a wrong password or an unknown host ends the command at once.
    fn connect(location: &Location, args: &'a ConnectionArgs, limits: QueueLimits) -> Result<Client<'a>, String> {
        const ATTEMPTS: u32 = 4;
        let mut client = Client::start(args, false, limits, location.site.credentials.password.clone())?;
        let mut attempt = 1;
        loop {
            match client.open_session(&location.site)? {
                Ok(session) => {
                    client.session = Some(session);
                    return Ok(client);
                }
                Err(error)
                    if attempt < ATTEMPTS && matches!(error.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout) =>
                {
                    let delay = Duration::from_secs(1 << (attempt - 1));
                    client.progress.println(&format!(
                        "wharf: {}; retrying in {} s (attempt {} of {ATTEMPTS})",
                        error.message,
                        delay.as_secs(),
                        attempt + 1
                    ));
                    std::thread::sleep(delay);
                    attempt += 1;
                }
                Err(error) => return Err(client.with_hint(error.message)),
            }
        }
    }

    /// One attempt at opening a session on `site`: the session, or why not.
    fn open_session(&mut self, site: &Site) -> Result<Result<SessionId, OpError>, String> {
        let id = self.engine.next_id();
        self.opening = Some(SessionId::opened_by(id));
        self.engine.send(SessionCommand::Connect { id, site: site.clone() });
        loop {
            match self.next_event()? {
                Event::Connected {
                    id: answered, session, ..
                } if answered == id => return Ok(Ok(session)),
                Event::OpFinished {
                    id: answered,
                    result: Err(error),
                } if answered == id => return Ok(Err(error)),
                _ => {}
            }
        }
    }

    /// An error, followed by what to do about it when there is a hint.
    fn with_hint(&mut self, error: String) -> String {
        match self.hint.take() {
            Some(hint) => format!("{error}\nwharf: {hint}"),
            None => error,
        }
    }

    /// The next event that is not handled here (logs, prompts and progress are).
    fn next_event(&mut self) -> Result<Event, String> {
        loop {
            let event = match self.engine.wait_event(TICK) {
                Ok(event) => event,
                Err(WaitError::Timeout) => {
                    self.progress.tick();
                    continue;
                }
                Err(WaitError::Stopped) => return Err("the engine stopped unexpectedly".to_owned()),
            };
            match event {
                Event::Log {
                    session,
                    direction,
                    text,
                } => {
                    // Errors reach the user once, as the operation's result: a session that
                    // could not be opened says why as the command's error, so the conversation
                    // leaves that line out. Other errors (a queue item's, to be retried) show
                    // for those who asked for the whole conversation.
                    let is_result = direction == LogDirection::Error && session.is_some() && session == self.opening;
                    if direction == LogDirection::Warning {
                        self.progress.println(&format!("wharf: warning: {text}"));
                    } else if self.args.verbose && !is_result {
                        self.progress.println(&output::log_line(direction, &text));
                    }
                }
                Event::Prompt { prompt, question } => {
                    let reply = self.answer(&question);
                    self.engine.send(Command::Answer { prompt, reply });
                }
                Event::ItemsAdded { items } => {
                    for item in &items {
                        self.names.insert(item.id, display_name(item));
                    }
                    return Ok(Event::ItemsAdded { items });
                }
                Event::ItemChanged {
                    item, state, progress, ..
                } => match &state {
                    TransferState::Transferring => {
                        let name = self.names.get(&item).cloned().unwrap_or_default();
                        self.progress.start(item, &name, progress);
                    }
                    TransferState::Failed { reason } => {
                        self.progress.finish(item);
                        self.failures += 1;
                        let said = self.with_hint(reason.clone());
                        self.progress.println(&format!("wharf: {said}"));
                    }
                    TransferState::Skipped { reason } => {
                        self.progress.finish(item);
                        self.progress.println(&format!("wharf: skipped: {reason}"));
                    }
                    state if !state.is_active() => self.progress.finish(item),
                    _ => {}
                },
                other => return Ok(other),
            }
        }
    }

    fn answer(&mut self, question: &Prompt) -> PromptReply {
        match question {
            Prompt::UnknownHostKey {
                server,
                key_type,
                fingerprint,
                ..
            } => {
                if self.args.accept_new_host_key {
                    eprintln!("wharf: recording the new host key of {server}: {key_type} {fingerprint}");
                    PromptReply::AcceptAlways
                } else {
                    // Why it stops is the command's error; this says what to do about it, after it.
                    self.hint = Some(format!(
                        "if {key_type} {fingerprint} is the key the administrator of {server} gave you, \
                         run again with --accept-new-host-key"
                    ));
                    PromptReply::Refuse
                }
            }
            Prompt::Certificate {
                host,
                port,
                fingerprint,
                problem,
            } => {
                if self.args.accept_new_cert {
                    eprintln!("wharf: pinning the certificate of {host}:{port} ({problem}): {fingerprint}");
                    PromptReply::AcceptAlways
                } else {
                    // Why it stops is the command's error; this says what to do about it, after it.
                    self.hint = Some(format!(
                        "if {fingerprint} is the certificate the administrator of {host}:{port} gave you, \
                         run again with --accept-new-cert"
                    ));
                    PromptReply::Refuse
                }
            }
            Prompt::Password { site, passphrase } => match &self.password {
                Some(password) => PromptReply::Password(password.clone()),
                None => {
                    let what = if *passphrase { "key passphrase" } else { "password" };
                    eprintln!(
                        "wharf: the queue needs the {what} for {site}: give it with --password-stdin or WHARF_PASSWORD"
                    );
                    PromptReply::Refuse
                }
            },
            Prompt::Questions(questions) => match ask_on_the_terminal(questions) {
                Some(answers) => PromptReply::Answers(answers),
                None => {
                    self.hint = Some(format!(
                        "{} asks questions at login ({}); run wharf in a terminal to answer them",
                        questions.account,
                        crate::model::names::escape_control(
                            &questions
                                .prompts
                                .iter()
                                .map(|prompt| prompt.text.trim())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    ));
                    PromptReply::Refuse
                }
            },
            // The command line always names a policy; this is a safe answer nonetheless.
            Prompt::FileExists { .. } => PromptReply::Conflict {
                policy: ConflictPolicy::Skip,
                apply_to_all: false,
            },
        }
    }

    /// Sends a request to the browsing session; its id, or an error without a session.
    fn request(&self, make: impl FnOnce(RequestId) -> SessionRequest) -> Result<RequestId, String> {
        let session = self.session.ok_or("not connected: the session was closed")?;
        let id = self.engine.next_id();
        self.engine.send(Command::request(session, make(id)));
        Ok(id)
    }

    fn ls(mut self, path: &RemotePath, json: bool) -> Result<i32, String> {
        let id = self.request(|id| SessionRequest::List { id, path: path.clone() })?;
        loop {
            match self.next_event()? {
                Event::Listing {
                    id: answered,
                    entries,
                    refused,
                    ..
                } if answered == id => {
                    for reason in &refused {
                        eprintln!("wharf: warning: {reason}");
                    }
                    print_listing(&entries, json)?;
                    return Ok(EXIT_OK);
                }
                Event::OpFinished {
                    id: answered,
                    result: Err(error),
                } if answered == id => {
                    // `ls` of a file shows that file, like ls(1).
                    let stat_id = self.request(|id| SessionRequest::Stat { id, path: path.clone() })?;
                    return match self.wait_stat(stat_id)? {
                        Some(entry) if entry.kind != crate::model::EntryKind::Dir => {
                            print_listing(&[entry], json)?;
                            Ok(EXIT_OK)
                        }
                        _ => Err(error.message),
                    };
                }
                _ => {}
            }
        }
    }

    fn wait_stat(&mut self, id: RequestId) -> Result<Option<crate::model::Entry>, String> {
        loop {
            match self.next_event()? {
                Event::Stat { id: answered, entry } if answered == id => return Ok(Some(entry)),
                Event::OpFinished { id: answered, .. } if answered == id => return Ok(None),
                _ => {}
            }
        }
    }

    /// Queues a transfer and waits for it. The browsing session has already proven the
    /// login and settled any trust question, so the queue's connections need not ask.
    fn transfer(
        mut self,
        site: &crate::model::Site,
        spec: TransferSpec,
        transfer: &TransferArgs,
    ) -> Result<i32, String> {
        if let Some(session) = self.session.take() {
            // The session's connection becomes the queue's first, which saves a login (a
            // quarter of a second over SSH). Once `Disconnected` is here, the queue has it.
            self.engine.send(SessionCommand::HandOver { session });
            loop {
                if let Event::Disconnected { session: closed } = self.next_event()?
                    && closed == session
                {
                    break;
                }
            }
            // Its log lines now belong to transfers, whose errors are shown with `-v`.
            self.opening = None;
        }
        let job = self.engine.next_job();
        self.engine.send(QueueCommand::Enqueue {
            job,
            site: site.clone(),
            specs: vec![spec],
            options: TransferOptions {
                on_conflict: transfer.on_conflict,
                ..TransferOptions::default()
            },
            paused: false,
        });
        loop {
            if let Event::JobFinished { job: finished, summary } = self.next_event()?
                && finished == job
            {
                let failures = self.failures;
                return report_summary(summary, failures);
            }
        }
    }

    /// Waits for `OpFinished` and reports it.
    fn finish(mut self, id: RequestId) -> Result<i32, String> {
        loop {
            if let Event::OpFinished { id: answered, result } = self.next_event()?
                && answered == id
            {
                return report(result);
            }
        }
    }
}

/// Prints a listing on standard output, buffered.
fn print_listing(entries: &[crate::model::Entry], json: bool) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    output::print_listing(entries, json, &mut out)
        .and_then(|()| out.flush())
        .map_err(|error| format!("the listing could not be written: {error}"))
}

/// Ends a queued transfer: failures were printed as they happened.
fn report_summary(summary: OpSummary, printed_failures: usize) -> Result<i32, String> {
    for reason in &summary.refused {
        eprintln!("wharf: warning: {reason}");
    }
    if printed_failures == 0 {
        for failure in &summary.failed {
            eprintln!("wharf: {failure}");
        }
    }
    if summary.failed.is_empty() && summary.refused.is_empty() {
        Ok(EXIT_OK)
    } else {
        Ok(EXIT_FAILED)
    }
}

fn display_name(item: &QueueItem) -> String {
    match item.direction {
        Direction::Download => item.remote.clone(),
        Direction::Upload => item.local.display().to_string(),
    }
}

/// `wharf queue list|run|clear`.
fn run_queue(action: &QueueAction, args: &ConnectionArgs) -> Result<i32, String> {
    match action {
        QueueAction::List { json } => {
            let mut client = Client::start(args, false, QueueLimits::default(), None)?;
            let mut items = Vec::new();
            loop {
                match client.next_event()? {
                    Event::ItemsAdded { items: added } => items.extend(added),
                    Event::QueueLoaded { .. } => break,
                    _ => {}
                }
            }
            println!("{}", output::queue(&items, *json));
            Ok(EXIT_OK)
        }
        QueueAction::Run { transfer } => {
            let password = given_password(args)?;
            let mut client = Client::start(args, true, limits(&transfer.speed), password)?;
            loop {
                if let Event::QueueIdle { counts } = client.next_event()? {
                    eprintln!(
                        "wharf: queue finished: {} done, {} skipped, {} failed, {} paused",
                        counts.done, counts.skipped, counts.failed, counts.paused
                    );
                    return Ok(if client.failures == 0 { EXIT_OK } else { EXIT_FAILED });
                }
            }
        }
        QueueAction::Clear { done, failed, all } => {
            let (done, failed) = match (*all, *done, *failed) {
                (true, _, _) => (true, true),
                (false, false, false) => (true, false),
                (false, done, failed) => (done, failed),
            };
            let mut client = Client::start(args, false, QueueLimits::default(), None)?;
            client.engine.send(QueueCommand::Clear { done, failed });
            loop {
                if let Event::ItemsRemoved { items } = client.next_event()? {
                    eprintln!("wharf: removed {} items from the queue", items.len());
                    return Ok(EXIT_OK);
                }
            }
        }
    }
}

fn report(result: Result<OpSummary, OpError>) -> Result<i32, String> {
    report_summary(result.map_err(|error| error.message)?, 0)
}
