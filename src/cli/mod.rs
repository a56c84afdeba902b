//! `wharf ls|get|put|mkdir|rm|mv`: the command line, a thin client of the engine API.
//!
//! Exit status: 0 on success, 1 when the operation or some of its items failed, 2 for usage
//! errors. Errors are one sentence on stderr. Trust questions are answered by flags:
//! without `--accept-new-host-key` / `--accept-new-cert` an unknown key or certificate is
//! refused, with its fingerprint shown so that it can be checked.

mod output;

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::engine::api::{
    Command, Direction, Event, LogDirection, OpError, OpSummary, Prompt, PromptReply, RequestId, SessionId,
    TransferSpec,
};
use crate::engine::handle::{EngineConfig, EngineHandle, WaitError};
use crate::model::location::{Location, RemotePath};
use crate::model::{DataMode, Secret};

/// Wharf: a fast, safe file-transfer client for FTP, FTPS and SFTP.
#[derive(Debug, Parser)]
#[command(name = "wharf", version, about, after_help = output::EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Action>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Read the password from the first line of standard input.
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// Private key file for SFTP (OpenSSH format; a passphrase is read like a password).
    #[arg(short = 'i', long = "identity", global = true, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Trust an unknown SSH host key and record it in Wharf's known_hosts.
    #[arg(long, global = true)]
    pub accept_new_host_key: bool,
    /// Trust an unknown TLS certificate and pin its fingerprint for this host.
    #[arg(long, global = true)]
    pub accept_new_cert: bool,
    /// FTP active mode (EPRT/PORT): the server connects back to this computer.
    #[arg(long, global = true)]
    pub active: bool,
    /// Print every command and reply (passwords masked) on stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// List a remote folder.
    Ls {
        /// One JSON array of entries on stdout.
        #[arg(long)]
        json: bool,
        url: String,
    },
    /// Download a file, or a folder with -r.
    Get {
        #[arg(short, long)]
        recursive: bool,
        url: String,
        /// Where to put it (default: the current folder). An existing folder receives the
        /// download under its own name.
        local: Option<PathBuf>,
    },
    /// Upload a file, or a folder with -r.
    Put {
        #[arg(short, long)]
        recursive: bool,
        local: PathBuf,
        /// An existing remote folder receives the upload under its own name.
        url: String,
    },
    /// Create a remote folder.
    Mkdir { url: String },
    /// Delete a remote file, or a folder and its contents with -r.
    Rm {
        #[arg(short, long)]
        recursive: bool,
        url: String,
    },
    /// Rename or move a remote file or folder on the same server.
    Mv {
        url: String,
        /// Absolute (`/x`, `~/x`) or relative to the source's folder.
        new_path: String,
    },
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
        Action::Ls { url, .. }
        | Action::Get { url, .. }
        | Action::Put { url, .. }
        | Action::Mkdir { url }
        | Action::Rm { url, .. }
        | Action::Mv { url, .. } => url.clone(),
    };
    let mut location = match Location::parse(&url) {
        Ok(location) => location,
        Err(error) => {
            eprintln!("wharf: {error}");
            return Ok(EXIT_USAGE);
        }
    };
    fill_credentials(&mut location, args)?;
    let client = Client::connect(&location, args)?;
    let path = location.path.clone();
    match action {
        Action::Ls { json, .. } => client.ls(&path, json),
        Action::Get { recursive, local, .. } => {
            let local = local.unwrap_or_else(|| PathBuf::from("."));
            client.transfer(TransferSpec {
                direction: Direction::Download,
                local,
                remote: path,
                recursive,
            })
        }
        Action::Put { recursive, local, .. } => client.transfer(TransferSpec {
            direction: Direction::Upload,
            local,
            remote: path,
            recursive,
        }),
        Action::Mkdir { .. } => {
            let id = client.engine.next_id();
            client.engine.send(Command::Mkdir {
                id,
                session: client.session,
                path,
            });
            client.finish(id)
        }
        Action::Rm { recursive, .. } => {
            let id = client.engine.next_id();
            client.engine.send(Command::Delete {
                id,
                session: client.session,
                path,
                recursive,
            });
            client.finish(id)
        }
        Action::Mv { new_path, .. } => {
            let to = if new_path.starts_with('/') || new_path.starts_with('~') {
                RemotePath::new(&new_path)
            } else {
                RemotePath::new(&format!("{}/{new_path}", path.parent()))
            };
            let id = client.engine.next_id();
            client.engine.send(Command::Rename {
                id,
                session: client.session,
                from: path,
                to,
            });
            client.finish(id)
        }
    }
}

/// Password: from the URL, else `--password-stdin`, else `WHARF_PASSWORD`.
fn fill_credentials(location: &mut Location, args: &ConnectionArgs) -> Result<(), String> {
    let credentials = &mut location.site.credentials;
    if credentials.password.is_none() {
        if args.password_stdin {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|error| format!("reading the password from standard input failed: {error}"))?;
            let line = text.lines().next().unwrap_or("");
            credentials.password = Some(Secret::new(line));
        } else if let Ok(password) = std::env::var("WHARF_PASSWORD") {
            credentials.password = Some(Secret::new(password));
        }
    }
    if let Some(identity) = &args.identity {
        credentials.key_file = Some(identity.clone());
        credentials.key_passphrase = credentials.password.clone();
    }
    credentials.use_agent = true;
    if args.active {
        location.site.data_mode = DataMode::Active;
    }
    Ok(())
}

/// A connected engine session, driven synchronously.
struct Client<'a> {
    engine: EngineHandle,
    session: SessionId,
    args: &'a ConnectionArgs,
    progress: output::Bars,
}

/// How often the progress display refreshes while waiting.
const TICK: Duration = Duration::from_millis(100);

impl<'a> Client<'a> {
    fn connect(location: &Location, args: &'a ConnectionArgs) -> Result<Client<'a>, String> {
        let engine = EngineHandle::start(EngineConfig::discover(), None)
            .map_err(|error| format!("the engine could not start: {error}"))?;
        let mut client = Client {
            session: 0,
            args,
            progress: output::Bars::new(std::io::stderr().is_terminal()),
            engine,
        };
        let id = client.engine.next_id();
        client.engine.send(Command::Connect {
            id,
            site: location.site.clone(),
        });
        loop {
            match client.next_event()? {
                Event::Connected {
                    id: answered, session, ..
                } if answered == id => {
                    client.session = session;
                    return Ok(client);
                }
                Event::OpFinished {
                    id: answered,
                    result: Err(error),
                } if answered == id => return Err(sentence(&error)),
                _ => {}
            }
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
                Event::Log { direction, text, .. } => {
                    // Errors reach the user once, as the operation's result; the log repeats
                    // them only for those who asked for the whole conversation.
                    if direction == LogDirection::Warning {
                        self.progress.println(&format!("wharf: warning: {text}"));
                    } else if self.args.verbose {
                        self.progress.println(&output::log_line(direction, &text));
                    }
                }
                Event::Prompt { prompt, question } => {
                    let reply = self.answer(&question);
                    self.engine.send(Command::Answer { prompt, reply });
                }
                Event::TransferStarted {
                    transfer,
                    name,
                    progress,
                    ..
                } => self.progress.start(transfer, &name, progress),
                Event::TransferFinished { transfer, result, .. } => {
                    self.progress.finish(transfer);
                    if let Err(error) = result
                        && error.kind != crate::engine::api::ErrorKind::Cancelled
                    {
                        self.progress.println(&format!("wharf: {}", sentence(&error)));
                    }
                }
                other => return Ok(other),
            }
        }
    }

    fn answer(&self, question: &Prompt) -> PromptReply {
        match question {
            Prompt::UnknownHostKey {
                host,
                port,
                key_type,
                fingerprint,
            } => {
                if self.args.accept_new_host_key {
                    eprintln!("wharf: recording the new host key of {host}:{port}: {key_type} {fingerprint}");
                    PromptReply::AcceptAlways
                } else {
                    eprintln!(
                        "wharf: the host key of {host}:{port} is not known: {key_type} {fingerprint}\n\
                         wharf: check it with the server's administrator, then run again with --accept-new-host-key"
                    );
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
                    eprintln!(
                        "wharf: the certificate of {host}:{port} is not trusted because {problem}: {fingerprint}\n\
                         wharf: check it with the server's administrator, then run again with --accept-new-cert"
                    );
                    PromptReply::Refuse
                }
            }
        }
    }

    fn ls(mut self, path: &RemotePath, json: bool) -> Result<i32, String> {
        let id = self.engine.next_id();
        self.engine.send(Command::List {
            id,
            session: self.session,
            path: path.clone(),
        });
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
                    println!("{}", output::listing(&entries, json));
                    return Ok(EXIT_OK);
                }
                Event::OpFinished {
                    id: answered,
                    result: Err(error),
                } if answered == id => {
                    // `ls` of a file shows that file, like ls(1).
                    let stat_id = self.engine.next_id();
                    self.engine.send(Command::Stat {
                        id: stat_id,
                        session: self.session,
                        path: path.clone(),
                    });
                    return match self.wait_stat(stat_id)? {
                        Some(entry) if entry.kind != crate::model::EntryKind::Dir => {
                            println!("{}", output::listing(&[entry], json));
                            Ok(EXIT_OK)
                        }
                        _ => Err(sentence(&error)),
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

    fn transfer(self, spec: TransferSpec) -> Result<i32, String> {
        let id = self.engine.next_id();
        self.engine.send(Command::Transfer {
            id,
            session: self.session,
            spec,
        });
        self.finish(id)
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

fn report(result: Result<OpSummary, OpError>) -> Result<i32, String> {
    let summary = result.map_err(|error| sentence(&error))?;
    for reason in &summary.refused {
        eprintln!("wharf: warning: {reason}");
    }
    for failure in &summary.failed {
        eprintln!("wharf: {failure}");
    }
    if summary.failed.is_empty() && summary.refused.is_empty() {
        Ok(EXIT_OK)
    } else {
        Ok(EXIT_FAILED)
    }
}

/// An engine error as the one sentence the user sees.
fn sentence(error: &OpError) -> String {
    error.message.clone()
}
