//! SSH authentication, in OpenSSH's order: the ssh-agent's keys (only those of the
//! configured `IdentityFile`s under `IdentitiesOnly`), the site's key file, the
//! configuration's key files, keyboard-interactive, the password. What logged in is said
//! in words, for the log and the status bar.
//!
//! Keyboard-interactive answers a password prompt with the site's password (once), and
//! asks the user everything else the server asks (a one-time code, a new password),
//! through [`TrustPolicy::answer`]: the window's dialog, the terminal.

use std::path::{Path, PathBuf};

use ssh2::{ErrorCode, Session};

use super::route::Leg;
use super::{link_failed, map_ssh_error};
use crate::model::Secret;
use crate::protocol::{ErrorKind, FsError, ProtocolLog, ServerPrompt, ServerQuestions, TrustPolicy};

/// One login attempt's state: the server's methods and what was tried.
struct Login<'a> {
    session: &'a Session,
    leg: &'a Leg,
    log: &'a ProtocolLog,
    trust: &'a dyn TrustPolicy,
    methods: String,
    tried: Vec<String>,
}

/// Logs in on `session` as the leg's user; how, in words ("the ssh-agent's key me@laptop").
pub fn authenticate(
    session: &Session,
    leg: &Leg,
    log: &ProtocolLog,
    trust: &dyn TrustPolicy,
) -> Result<String, FsError> {
    let user = leg.site.user.as_str();
    let methods = match session.auth_methods(user) {
        Ok(methods) => methods.to_owned(),
        // A server that takes the "none" method has logged the user in already.
        Err(_) if session.authenticated() => return Ok("no credentials (the server asked for none)".into()),
        Err(error) => return Err(map_ssh_error(&format!("logging in as {user}"), &error, &leg.site.host)),
    };
    log.status(&format!("The server accepts: {methods}"));
    let mut login = Login {
        session,
        leg,
        log,
        trust,
        methods,
        tried: Vec::new(),
    };
    if let Some(method) = login.keys()? {
        return Ok(method);
    }
    if let Some(method) = login.password()? {
        return Ok(method);
    }
    Err(login.refused())
}

impl Login<'_> {
    fn offers(&self, method: &str) -> bool {
        self.methods.split(',').any(|offered| offered == method)
    }

    /// Whether a method logged in. A refusal is worth trying the next method; a link that
    /// died is not a refusal.
    fn accepted(&self, result: Result<(), ssh2::Error>) -> Result<bool, FsError> {
        match result {
            Err(error) if link_failed(&error) => Err(map_ssh_error(
                &format!("logging in as {}", self.leg.site.user),
                &error,
                &self.leg.site.host,
            )),
            result => Ok(result.is_ok() && self.session.authenticated()),
        }
    }

    fn keys(&mut self) -> Result<Option<String>, FsError> {
        if !self.offers("publickey") {
            return Ok(None);
        }
        let credentials = &self.leg.site.credentials;
        if credentials.use_agent
            && std::env::var_os("SSH_AUTH_SOCK").is_some()
            && let Some(method) = self.agent()?
        {
            return Ok(Some(method));
        }
        if let Some(key_file) = &credentials.key_file {
            let passphrase = credentials.key_passphrase.as_ref().map(|secret| secret.expose());
            if let Some(method) = self.key_file(key_file, passphrase, true)? {
                return Ok(Some(method));
            }
        }
        for key_file in self.configured_keys() {
            if let Some(method) = self.key_file(&key_file, None, false)? {
                return Ok(Some(method));
            }
        }
        Ok(None)
    }

    /// The configuration's key files that exist, but not the site's own again.
    fn configured_keys(&self) -> Vec<PathBuf> {
        self.leg
            .identity_files
            .iter()
            .filter(|path| path.is_file() && Some(*path) != self.leg.site.credentials.key_file.as_ref())
            .cloned()
            .collect()
    }

    /// The agent's keys one by one, so that the one that logged in can be named.
    fn agent(&mut self) -> Result<Option<String>, FsError> {
        let user = self.leg.site.user.clone();
        let Ok(mut agent) = self.session.agent() else {
            return Ok(None);
        };
        if agent.connect().is_err() || agent.list_identities().is_err() {
            self.log.reply("the ssh-agent could not be asked for its keys");
            return Ok(None);
        }
        let wanted = self.only_blobs();
        let identities = agent.identities().unwrap_or_default();
        for identity in identities {
            if wanted
                .as_ref()
                .is_some_and(|blobs| !blobs.contains(&identity.blob().to_vec()))
            {
                continue;
            }
            self.log
                .command(&format!("publickey (ssh-agent: {})", identity.comment()));
            self.tried.push(format!("the ssh-agent's key {}", identity.comment()));
            if self.accepted(agent.userauth(&user, &identity))? {
                let _ = agent.disconnect();
                return Ok(Some(format!("the ssh-agent's key {}", identity.comment())));
            }
        }
        let _ = agent.disconnect();
        Ok(None)
    }

    /// Under `IdentitiesOnly`, the public keys (`.pub` beside each `IdentityFile`) the
    /// agent may offer; `None` when any key may be offered.
    fn only_blobs(&self) -> Option<Vec<Vec<u8>>> {
        if !self.leg.identities_only || self.leg.identity_files.is_empty() {
            return None;
        }
        Some(
            self.leg
                .identity_files
                .iter()
                .filter_map(|path| public_key_blob(&pub_beside(path)))
                .collect(),
        )
    }

    fn key_file(&mut self, path: &Path, passphrase: Option<&str>, own: bool) -> Result<Option<String>, FsError> {
        let user = self.leg.site.user.clone();
        let host = &self.leg.site.host;
        self.log.command(&format!("publickey ({})", path.display()));
        self.tried.push(format!("the key {}", path.display()));
        match self.session.userauth_pubkey_file(&user, None, path, passphrase) {
            Ok(()) if self.session.authenticated() => Ok(Some(format!("the key {}", path.display()))),
            Ok(()) => Ok(None),
            Err(error) if link_failed(&error) => Err(map_ssh_error(&format!("logging in as {user}"), &error, host)),
            // libssh2 reports an unreadable or wrongly decrypted key as a file error. For
            // the site's own key that is the answer; a configured key may simply be one
            // the agent holds, so the next method is tried.
            Err(error) if own && matches!(error.code(), ErrorCode::Session(-16)) => Err(FsError::new(
                ErrorKind::Auth,
                format!(
                    "the key file {} could not be read: wrong passphrase or unsupported format ({host})",
                    path.display()
                ),
            )),
            Err(error) => {
                self.log.reply(&format!("publickey refused: {}", error.message()));
                Ok(None)
            }
        }
    }

    fn password(&mut self) -> Result<Option<String>, FsError> {
        let password = self.leg.site.credentials.password.clone();
        let user = self.leg.site.user.clone();
        if self.offers("keyboard-interactive") {
            self.log.command("keyboard-interactive");
            self.tried.push("keyboard-interactive".into());
            let mut asker = Asker {
                password: password.as_ref(),
                password_given: false,
                trust: self.trust,
                account: format!("{}@{}", self.leg.site.user, self.leg.name()),
                log: self.log,
                asked: false,
                refused: false,
            };
            if self.accepted(self.session.userauth_keyboard_interactive(&user, &mut asker))? {
                let how = if asker.asked {
                    "keyboard-interactive (the server's questions)"
                } else {
                    "keyboard-interactive"
                };
                return Ok(Some(how.into()));
            }
        }
        let Some(password) = password else {
            return Ok(None);
        };
        if self.offers("password") {
            self.log.command("password (****)");
            self.tried.push("the password".into());
            if self.accepted(self.session.userauth_password(&user, password.expose()))? {
                return Ok(Some("the password".into()));
            }
        }
        Ok(None)
    }

    fn refused(&self) -> FsError {
        let (user, host, methods) = (&self.leg.site.user, &self.leg.site.host, &self.methods);
        let message = if self.tried.is_empty() {
            format!(
                "logging in as {user} failed: the server accepts only {methods}, and no matching credential was given ({host})"
            )
        } else {
            format!(
                "logging in as {user} failed: the server refused {} ({host})",
                self.tried.join(", then ")
            )
        };
        FsError::new(ErrorKind::Auth, message)
    }
}

/// `id_ed25519.pub` beside `id_ed25519`; also `work.key.pub` beside `work.key`.
fn pub_beside(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// The key blob of an OpenSSH public key file (`ssh-ed25519 AAAA... comment`).
fn public_key_blob(path: &Path) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let text = std::fs::read_to_string(path).ok()?;
    let encoded = text.split_whitespace().nth(1)?;
    base64::engine::general_purpose::STANDARD.decode(encoded).ok()
}

/// Answers keyboard-interactive questions: a password prompt with the site's password
/// (once: asked again, it was wrong), everything else by asking the user.
struct Asker<'a> {
    password: Option<&'a Secret>,
    password_given: bool,
    trust: &'a dyn TrustPolicy,
    account: String,
    log: &'a ProtocolLog,
    /// Whether the user was asked anything.
    asked: bool,
    /// The user cancelled, or nobody can answer: later rounds are not asked again.
    refused: bool,
}

/// A prompt the password answers: hidden, and not one that asks for a code or a new
/// password. ("Password:" in any language passes, as servers translate it.)
fn asks_for_the_password(prompt: &ssh2::Prompt<'_>) -> bool {
    let text = prompt.text.to_lowercase();
    !prompt.echo
        && ![
            "one-time",
            "one time",
            "otp",
            "code",
            "token",
            "new password",
            "verification",
            "again",
        ]
        .iter()
        .any(|word| text.contains(word))
}

impl ssh2::KeyboardInteractivePrompt for Asker<'_> {
    fn prompt<'b>(&mut self, name: &str, instructions: &str, prompts: &[ssh2::Prompt<'b>]) -> Vec<String> {
        for line in [name, instructions].iter().filter(|line| !line.trim().is_empty()) {
            self.log.reply(line);
        }
        let mut answers: Vec<Option<String>> = Vec::with_capacity(prompts.len());
        for prompt in prompts {
            self.log.reply(&prompt.text);
            match self.password {
                Some(password) if !self.password_given && asks_for_the_password(prompt) => {
                    self.password_given = true;
                    answers.push(Some(password.expose().to_owned()));
                }
                _ => answers.push(None),
            }
        }
        let open: Vec<ServerPrompt> = prompts
            .iter()
            .zip(&answers)
            .filter(|(_, answer)| answer.is_none())
            .map(|(prompt, _)| ServerPrompt {
                text: prompt.text.to_string(),
                echo: prompt.echo,
            })
            .collect();
        let mut given = Vec::new().into_iter();
        if !open.is_empty() && !self.refused {
            self.asked = true;
            let questions = ServerQuestions {
                account: self.account.clone(),
                name: name.to_owned(),
                instructions: instructions.to_owned(),
                prompts: open,
            };
            // Unanswered (no one to ask, or cancelled): empty answers, which the server refuses.
            match self.trust.answer(&questions) {
                Some(answers) => given = answers.into_iter(),
                None => self.refused = true,
            }
        }
        answers
            .into_iter()
            .map(|answer| {
                answer
                    .or_else(|| given.next().map(|secret| secret.expose().to_owned()))
                    .unwrap_or_default()
            })
            .collect()
    }
}
