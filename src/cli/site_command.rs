//! `wharf site list|add|rm|import` and `site:NAME/path` wherever a URL is taken. Sites and
//! their passwords are the engine's business (the sites file, the OS keyring); the command
//! line asks it through the same commands as the window.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Subcommand;

use super::{ConnectionArgs, EXIT_FAILED, EXIT_OK, EXIT_USAGE, given_password};
use crate::engine::api::{
    Auth, Command, Event, ImportReport, ImportSource, KeyringStatus, RequestId, SavedSite, SitesCommand,
};
use crate::engine::handle::{EngineConfig, EngineHandle, WaitError};
use crate::model::DataMode;
use crate::model::location::Location;

#[derive(Debug, Subcommand)]
pub enum SiteAction {
    /// List the saved sites.
    List {
        /// One JSON object: the sites, their folders, and whether a keyring is reachable.
        #[arg(long)]
        json: bool,
    },
    /// Save a site: `wharf site add web sftp://deploy@web.example.org/var/www
    /// --password-stdin`. The password goes to the OS keyring, never to a file.
    Add {
        /// The site's name (`web`).
        name: String,
        /// The server: `sftp://user@host:port/start/folder` (a password in it goes to the keyring).
        url: String,
        /// The folder in the site manager (`Clients/Acme`).
        #[arg(long, default_value = "")]
        folder: String,
    },
    /// Forget a site and its password.
    Rm {
        /// The site's name, or its folder and name (`Clients/Acme/web`).
        name: String,
    },
    /// Import sites from another program.
    #[command(subcommand)]
    Import(ImportAction),
}

#[derive(Debug, Subcommand)]
pub enum ImportAction {
    /// FileZilla's site manager (`~/.config/filezilla/sitemanager.xml`); passwords go to the
    /// keyring.
    Filezilla {
        /// FileZilla's sitemanager.xml.
        file: PathBuf,
        /// Then remove those passwords from the file (a copy is kept as FILE.bak).
        #[arg(long)]
        remove_passwords: bool,
    },
    /// OpenSSH's client configuration (default `~/.ssh/config`).
    SshConfig { file: Option<PathBuf> },
}

/// How long the engine may take over a site request (the keyring may be slow to wake).
const WAIT: Duration = Duration::from_secs(60);

/// Sends one site request to a fresh engine and waits for its answer.
fn request(make: impl FnOnce(RequestId) -> Command) -> Result<Event, String> {
    let mut config = EngineConfig::discover();
    // Only the site is wanted: what earlier runs left in the queue stays there.
    config.resume_queue = false;
    let engine = EngineHandle::start(config, None).map_err(|error| format!("the engine could not start: {error}"))?;
    let id = engine.next_id();
    engine.send(make(id));
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match engine.wait_event(left) {
            Ok(
                event @ (Event::Sites { id: answered, .. }
                | Event::SiteSaved { id: answered, .. }
                | Event::SiteResolved { id: answered, .. }
                | Event::Imported { id: answered, .. }
                | Event::OpFinished { id: answered, .. }),
            ) if answered == id => {
                if let Event::OpFinished { result: Err(error), .. } = &event {
                    return Err(error.message.clone());
                }
                return Ok(event);
            }
            Ok(_) => {}
            Err(WaitError::Timeout) => return Err("the site manager did not answer within a minute".to_owned()),
            Err(WaitError::Stopped) => return Err("the engine stopped".to_owned()),
        }
    }
}

pub fn run(action: &SiteAction, args: &ConnectionArgs) -> Result<i32, String> {
    match action {
        SiteAction::List { json } => {
            let Event::Sites {
                sites,
                folders,
                keyring,
                ..
            } = request(|id| Command::Sites(SitesCommand::List { id }))?
            else {
                return Ok(EXIT_FAILED);
            };
            if *json {
                let document = serde_json::json!({ "sites": sites, "folders": folders, "keyring": keyring });
                println!("{document}");
            } else {
                for site in &sites {
                    println!("{}\t{}", site.path(), describe(site));
                }
                if sites.is_empty() && std::io::stdout().is_terminal() {
                    eprintln!("No saved sites yet; add one with `wharf site add NAME URL`.");
                }
                if let KeyringStatus::Unavailable { reason } = keyring {
                    eprintln!("wharf: {reason}: saved sites ask for their passwords");
                }
            }
            Ok(EXIT_OK)
        }
        SiteAction::Add { name, url, folder } => {
            let mut location = match Location::parse(url) {
                Ok(location) => location,
                Err(error) => {
                    eprintln!("wharf: {error}");
                    return Ok(EXIT_USAGE);
                }
            };
            if location.site.protocol.is_link() {
                eprintln!("wharf: a link names one file, not a server to save; download it with `wharf get URL`");
                return Ok(EXIT_USAGE);
            }
            args.apply_to_site(&mut location.site);
            let secret = match location.site.credentials.password.clone() {
                Some(password) => Some(password),
                None => given_password(args)?,
            };
            let mut saved = SavedSite {
                name: name.clone(),
                folder: folder.trim_matches('/').to_owned(),
                host: location.site.host.clone(),
                user: location.site.user.clone(),
                data_mode: if args.active {
                    DataMode::Active
                } else {
                    DataMode::Passive
                },
                remote_folder: (location.path.as_str() != "~").then(|| location.path.to_string()),
                jump_hosts: crate::model::jump::Hop::list_text(&location.site.jump_hosts),
                s3: location.site.s3.clone(),
                ..SavedSite::default()
            };
            saved.set_protocol(location.site.protocol);
            saved.port = (location.site.port != location.site.protocol.default_port()).then_some(location.site.port);
            saved.auth = match (&args.identity, location.site.protocol, location.site.user.as_str()) {
                (Some(path), _, _) => Auth::KeyFile { path: path.clone() },
                (None, protocol, "anonymous") if protocol.is_ftp() => Auth::Anonymous,
                (None, protocol, "") if protocol.is_http() && secret.is_none() => Auth::Anonymous,
                (None, protocol, _) if protocol.is_ssh() && secret.is_none() => Auth::Agent,
                _ => Auth::Password,
            };
            let Event::SiteSaved { site, warning, .. } = request(|id| {
                Command::Sites(SitesCommand::Save {
                    id,
                    site: saved,
                    secret,
                })
            })?
            else {
                return Ok(EXIT_FAILED);
            };
            match warning {
                Some(warning) => eprintln!("wharf: saved {}, but {warning}", site.path()),
                None => eprintln!("wharf: saved {} ({})", site.path(), describe(&site)),
            }
            Ok(EXIT_OK)
        }
        SiteAction::Rm { name } => {
            request(|id| Command::Sites(SitesCommand::Delete { id, name: name.clone() }))?;
            eprintln!("wharf: forgot {name} and its password");
            Ok(EXIT_OK)
        }
        SiteAction::Import(import) => {
            let source = match import {
                ImportAction::Filezilla { file, remove_passwords } => ImportSource::FileZilla {
                    file: file.clone(),
                    scrub: *remove_passwords,
                },
                ImportAction::SshConfig { file } => {
                    let file = match file {
                        Some(file) => file.clone(),
                        None => directories::BaseDirs::new()
                            .map(|dirs| dirs.home_dir().join(".ssh").join("config"))
                            .ok_or("there is no home folder to find ~/.ssh/config in")?,
                    };
                    ImportSource::SshConfig { file }
                }
            };
            let Event::Imported { report, .. } = request(|id| Command::Sites(SitesCommand::Import { id, source }))?
            else {
                return Ok(EXIT_FAILED);
            };
            print_report(&report);
            Ok(EXIT_OK)
        }
    }
}

fn print_report(report: &ImportReport) {
    println!(
        "Imported {} sites ({} passwords into the keyring); skipped {}.",
        report.added.len(),
        report.passwords_moved.len(),
        report.skipped.len()
    );
    for added in &report.added {
        println!("  + {added}");
    }
    for skipped in &report.skipped {
        println!("  - skipped {skipped}");
    }
    for warning in &report.warnings {
        println!("  ! {warning}");
    }
}

/// `sftp://deploy@web.example.org:22 (password)`: never the password itself.
fn describe(site: &SavedSite) -> String {
    let auth = match &site.auth {
        Auth::Password => "password in the keyring".to_owned(),
        Auth::KeyFile { path } => format!("key {}", path.display()),
        Auth::Agent => "ssh-agent".to_owned(),
        Auth::AskEveryTime => "asks for the password".to_owned(),
        Auth::Anonymous => "anonymous".to_owned(),
    };
    let fallback = if !site.sftp && site.ftp_tls == crate::engine::api::FtpTls::ExplicitIfAvailable {
        ", plain FTP if the server refuses TLS".to_owned()
    } else if !site.jump_hosts.is_empty() {
        format!(", through {}", site.jump_hosts)
    } else {
        String::new()
    };
    // Without a user, ~/.ssh/config's (or the local user's) is used when connecting.
    let user = if site.user.is_empty() {
        String::new()
    } else {
        format!("{}@", site.user)
    };
    format!(
        "{}://{user}{}:{} ({auth}{fallback})",
        site.protocol(),
        site.host,
        site.port()
    )
}

/// `site:NAME/path` as a location: the saved site with its keyring password (or the one
/// given with `--password-stdin` / `WHARF_PASSWORD` when the keyring has none).
pub fn resolve(reference: &str, args: &ConnectionArgs) -> Result<Location, String> {
    let Event::SiteResolved {
        site,
        path,
        secret_missing,
        saved,
        ..
    } = request(|id| {
        Command::Sites(SitesCommand::Resolve {
            id,
            reference: reference.to_owned(),
        })
    })?
    else {
        return Err(format!("{reference:?} could not be looked up"));
    };
    let mut location = Location { site, path };
    args.apply_to_site(&mut location.site);
    if let Some(reason) = secret_missing {
        match given_password(args)? {
            Some(password) => {
                let credentials = &mut location.site.credentials;
                if credentials.key_file.is_some() {
                    credentials.key_passphrase = Some(password);
                } else {
                    credentials.password = Some(password);
                }
            }
            None => {
                return Err(format!(
                    "{} needs a password: {reason}; give it with --password-stdin or WHARF_PASSWORD",
                    saved.path()
                ));
            }
        }
    }
    Ok(location)
}
