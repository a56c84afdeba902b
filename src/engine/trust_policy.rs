//! The engine's answer to a backend's trust questions: the trust store first, the user
//! (through a [`Prompt`]) when the store does not know. A changed SSH host key is refused
//! without asking; so is a pinned certificate that changed.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[cfg(test)]
use super::api::TrustedHostKey;
use super::api::{Event, Prompt, PromptId, PromptReply, TrustCommand, TrustEntry};
use crate::config::Paths;
use crate::protocol::{CertificateInfo, ErrorKind, FsError, HostKeyInfo, ServerQuestions, TrustPolicy};
use crate::trust::{self, CertificateStatus, HostKeyStatus, KnownHosts};

/// How long a question waits for an answer before it counts as "no".
const PROMPT_TIMEOUT: Duration = Duration::from_secs(600);

/// Open questions, by id, with the channel that carries the answer back to the asking worker.
#[derive(Default)]
pub struct Prompts {
    next: Mutex<u64>,
    waiting: Mutex<HashMap<PromptId, std_mpsc::Sender<PromptReply>>>,
}

impl Prompts {
    /// Sends the question and blocks this worker (never the UI) until it is answered.
    pub(crate) fn ask(&self, events: &dyn Fn(Event), question: Prompt) -> PromptReply {
        let (sender, receiver) = std_mpsc::channel();
        let id = {
            let mut next = self.next.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            *next += 1;
            PromptId::new(*next)
        };
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(id, sender);
        events(Event::Prompt { prompt: id, question });
        let reply = receiver.recv_timeout(PROMPT_TIMEOUT).unwrap_or(PromptReply::Refuse);
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&id);
        reply
    }

    /// Whether a question waits for the user's answer.
    pub(crate) fn pending(&self) -> bool {
        !self
            .waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_empty()
    }

    /// Delivers an answer; answers to questions nobody waits for any more are dropped.
    pub fn answer(&self, prompt: PromptId, reply: PromptReply) {
        if let Some(sender) = self
            .waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&prompt)
        {
            let _ = sender.send(reply);
        }
    }
}

/// A host key or certificate the user trusted for this run only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum AcceptedOnce {
    HostKey {
        host: String,
        port: u16,
        fingerprint: String,
    },
    /// `authority` is `host:port`, as the trust page names a pinned certificate's server.
    Certificate { authority: String, fingerprint: String },
}

pub struct EngineTrust {
    pub paths: Paths,
    pub prompts: Arc<Prompts>,
    pub events: Arc<dyn Fn(Event) + Send + Sync>,
    /// Keys and certificates accepted "once", for the rest of this run.
    accepted_once: Mutex<HashSet<AcceptedOnce>>,
}

impl EngineTrust {
    pub fn new(paths: Paths, prompts: Arc<Prompts>, events: Arc<dyn Fn(Event) + Send + Sync>) -> Self {
        EngineTrust {
            paths,
            prompts,
            events,
            accepted_once: Mutex::new(HashSet::new()),
        }
    }

    /// Wharf's known_hosts and OpenSSH's, or the ones `UserKnownHostsFile` names instead.
    fn known_hosts(&self, instead_of_openssh: &[std::path::PathBuf]) -> KnownHosts {
        let mut files = vec![self.paths.known_hosts()];
        if instead_of_openssh.is_empty() {
            files.extend(crate::config::openssh_known_hosts());
        } else {
            files.extend(instead_of_openssh.iter().cloned());
        }
        KnownHosts::load(&files)
    }

    /// Answers the trust page: `TrustCommand::List` and `TrustCommand::Forget`, each with the fresh list.
    pub fn handle(&self, command: TrustCommand) -> Event {
        let id = match command {
            TrustCommand::List { id } => id,
            TrustCommand::Forget { id, entry } => {
                if let Err(error) = self.forget(&entry) {
                    return Event::OpFinished { id, result: Err(error) };
                }
                id
            }
        };
        let own = self.paths.known_hosts();
        let mut host_keys = trust::list_host_keys(&own, true);
        if let Some(openssh) = crate::config::openssh_known_hosts().filter(|openssh| *openssh != own) {
            host_keys.extend(trust::list_host_keys(&openssh, false));
        }
        Event::Trust {
            id,
            host_keys,
            certificates: trust::list_certificates(&self.paths.trusted_certificates()),
        }
    }

    fn forget(&self, entry: &TrustEntry) -> Result<(), FsError> {
        let (file, removed) = match entry {
            TrustEntry::HostKey(key) => {
                if !key.removable || key.file != self.paths.known_hosts() {
                    return Err(FsError::new(
                        ErrorKind::Unsupported,
                        format!(
                            "{} belongs to OpenSSH, and Wharf does not edit it; remove the key with ssh-keygen -R {}",
                            key.file.display(),
                            key.hosts
                        ),
                    ));
                }
                let file = self.paths.known_hosts();
                let removed = trust::forget_host_key(&file, key);
                // Keys accepted once this run are forgotten with it.
                self.once().retain(|accepted| {
                    !matches!(accepted, AcceptedOnce::HostKey { fingerprint, .. } if *fingerprint == key.fingerprint)
                });
                (file, removed)
            }
            TrustEntry::Certificate(certificate) => {
                let file = self.paths.trusted_certificates();
                let removed = trust::forget_certificate(&file, certificate);
                self.once().remove(&AcceptedOnce::Certificate {
                    authority: certificate.server.clone(),
                    fingerprint: certificate.fingerprint.clone(),
                });
                (file, removed)
            }
        };
        match removed {
            Ok(0) => Err(FsError::new(
                ErrorKind::NotFound,
                format!("{} no longer holds that entry", file.display()),
            )),
            Ok(_) => Ok(()),
            Err(error) => Err(FsError::from_local(&error, &file)),
        }
    }

    fn once(&self) -> std::sync::MutexGuard<'_, HashSet<AcceptedOnce>> {
        self.accepted_once
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl TrustPolicy for EngineTrust {
    fn answer(&self, questions: &ServerQuestions) -> Option<Vec<crate::model::Secret>> {
        match self.prompts.ask(&*self.events, Prompt::Questions(questions.clone())) {
            PromptReply::Answers(answers) if answers.len() == questions.prompts.len() => Some(answers),
            _ => None,
        }
    }

    fn check_host_key(&self, key: &HostKeyInfo) -> Result<(), FsError> {
        let fingerprint = key.fingerprint();
        match self
            .known_hosts(&key.known_hosts)
            .check(&key.host, key.port, &key.key_type, &key.blob)
        {
            HostKeyStatus::Known => return Ok(()),
            HostKeyStatus::Changed { recorded_fingerprints } => {
                (self.events)(Event::HostKeyChanged {
                    host: key.host.clone(),
                    port: key.port,
                    key_type: key.key_type.clone(),
                    fingerprint: fingerprint.clone(),
                    recorded: recorded_fingerprints.clone(),
                    known_hosts: self.paths.known_hosts(),
                });
                return Err(FsError::new(
                    ErrorKind::HostKey,
                    format!(
                        "the host key of {} has CHANGED: the server now shows {} {fingerprint}, but {} was recorded. \
                         Someone may be intercepting the connection; Wharf refuses to connect. If the server's key really \
                         changed, remove the old line from {} or ~/.ssh/known_hosts",
                        trust::host_key_name(&key.host, key.port),
                        key.key_type,
                        recorded_fingerprints.join(", "),
                        self.paths.known_hosts().display()
                    ),
                ));
            }
            HostKeyStatus::Unknown => {}
        }
        let once_key = AcceptedOnce::HostKey {
            host: key.host.clone(),
            port: key.port,
            fingerprint: fingerprint.clone(),
        };
        if self.once().contains(&once_key) {
            return Ok(());
        }
        if key.strict {
            return Err(FsError::new(
                ErrorKind::HostKey,
                format!(
                    "the host key of {} is not known ({} {fingerprint}), and ~/.ssh/config says \
                     StrictHostKeyChecking yes for it, so Wharf does not ask; record the key with ssh first",
                    trust::host_key_name(&key.host, key.port),
                    key.key_type
                ),
            ));
        }
        let question = Prompt::UnknownHostKey {
            host: key.host.clone(),
            port: key.port,
            server: if key.shown_as.is_empty() {
                format!("{}:{}", key.host, key.port)
            } else {
                key.shown_as.clone()
            },
            key_type: key.key_type.clone(),
            fingerprint: fingerprint.clone(),
        };
        match self.prompts.ask(&*self.events, question) {
            PromptReply::AcceptAlways => {
                trust::remember_host_key(&self.paths.known_hosts(), &key.host, key.port, &key.key_type, &key.blob)
                    .map_err(|error| FsError::from_local(&error, &self.paths.known_hosts()))?;
                Ok(())
            }
            PromptReply::AcceptOnce => {
                self.once().insert(once_key);
                Ok(())
            }
            _ => Err(FsError::new(
                ErrorKind::HostKey,
                format!(
                    "the host key of {} is not known ({} {fingerprint}) and was not accepted",
                    trust::host_key_name(&key.host, key.port),
                    key.key_type
                ),
            )),
        }
    }

    fn check_certificate(&self, certificate: &CertificateInfo) -> Result<(), FsError> {
        let fingerprint = certificate.fingerprint();
        let file = self.paths.trusted_certificates();
        let authority = format!("{}:{}", certificate.host, certificate.port);
        match trust::check_certificate(&file, &certificate.host, certificate.port, &fingerprint) {
            CertificateStatus::Pinned => return Ok(()),
            CertificateStatus::Changed { pinned } => {
                return Err(FsError::new(
                    ErrorKind::Tls,
                    format!(
                        "the certificate of {authority} has CHANGED: it is now {fingerprint}, but {pinned} was trusted; \
                         Wharf refuses to connect. If the change is expected, remove the old line from {}",
                        file.display()
                    ),
                ));
            }
            CertificateStatus::Unknown => {}
        }
        let once_key = AcceptedOnce::Certificate {
            authority: authority.clone(),
            fingerprint: fingerprint.clone(),
        };
        if self.once().contains(&once_key) {
            return Ok(());
        }
        let question = Prompt::Certificate {
            host: certificate.host.clone(),
            port: certificate.port,
            fingerprint: fingerprint.clone(),
            problem: certificate.problem.clone(),
        };
        match self.prompts.ask(&*self.events, question) {
            PromptReply::AcceptAlways => {
                trust::pin_certificate(&file, &certificate.host, certificate.port, &fingerprint)
                    .map_err(|error| FsError::from_local(&error, &file))?;
                self.once().insert(once_key);
                Ok(())
            }
            PromptReply::AcceptOnce => {
                self.once().insert(once_key);
                Ok(())
            }
            _ => Err(FsError::new(
                ErrorKind::Tls,
                format!(
                    "the certificate of {authority} is not trusted because {} (fingerprint {fingerprint}), and it was not accepted",
                    certificate.problem
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::api::RequestId;

    #[test]
    fn the_trust_page_lists_and_forgets_what_was_accepted() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path().to_path_buf());
        let blob = [
            0u8, 0, 0, 11, b's', b's', b'h', b'-', b'e', b'd', b'2', b'5', b'5', b'1', b'9', 1, 2, 3,
        ];
        trust::remember_host_key(&paths.known_hosts(), "h.example", 2222, "ssh-ed25519", &blob).unwrap();
        trust::pin_certificate(&paths.trusted_certificates(), "f.example", 21, "SHA256:pin").unwrap();
        let policy = EngineTrust::new(paths.clone(), Arc::new(Prompts::default()), Arc::new(|_| {}));
        // What was accepted once this run is forgotten with the entry.
        policy.once().insert(AcceptedOnce::Certificate {
            authority: "f.example:21".into(),
            fingerprint: "SHA256:pin".into(),
        });

        let Event::Trust {
            host_keys,
            certificates,
            ..
        } = policy.handle(TrustCommand::List { id: RequestId::new(1) })
        else {
            panic!("no list");
        };
        let ours: Vec<_> = host_keys.iter().filter(|key| key.removable).cloned().collect();
        assert_eq!(ours.len(), 1);
        assert_eq!(ours[0].hosts, "[h.example]:2222");
        assert_eq!(certificates.len(), 1);

        let Event::Trust { host_keys, .. } = policy.handle(TrustCommand::Forget {
            id: RequestId::new(2),
            entry: TrustEntry::HostKey(ours[0].clone()),
        }) else {
            panic!("not forgotten");
        };
        assert!(host_keys.iter().all(|key| !key.removable));
        let Event::Trust { certificates, .. } = policy.handle(TrustCommand::Forget {
            id: RequestId::new(3),
            entry: TrustEntry::Certificate(certificates[0].clone()),
        }) else {
            panic!("not forgotten");
        };
        assert!(certificates.is_empty());
        assert!(policy.once().is_empty());

        let Event::OpFinished { result: Err(error), .. } = policy.handle(TrustCommand::Forget {
            id: RequestId::new(4),
            entry: TrustEntry::HostKey(TrustedHostKey {
                removable: false,
                file: "/home/someone/.ssh/known_hosts".into(),
                ..ours[0].clone()
            }),
        }) else {
            panic!("OpenSSH's file was edited");
        };
        assert!(error.message.contains("ssh-keygen -R"), "{}", error.message);
    }
}
