//! The engine's side of the site manager: reads and writes the sites file, keeps secrets in the
//! keyring, resolves `site:NAME` for connections, and runs imports. Every call may block (the
//! keyring talks D-Bus, the file is fsynced), so the dispatcher runs them on the blocking
//! pool; one lock keeps two saves from interleaving.

use std::sync::{Arc, Mutex};

use super::api::{
    Event, ImportReport, ImportSource, KeyringStatus, OpSummary, RequestId, SavedSite, SecretKind, SitesCommand,
};
use crate::config::Paths;
use crate::import::{self, Imported};
use crate::model::Secret;
use crate::protocol::{ErrorKind, FsError};
use crate::secrets::{SecretError, SecretStore};
use crate::sites_file::{Sites, SitesError};

pub struct SiteBook {
    paths: Paths,
    secrets: Arc<dyn SecretStore>,
    lock: Mutex<()>,
}

fn sites_error(error: SitesError) -> FsError {
    let kind = match error {
        SitesError::NotFound(_) => ErrorKind::NotFound,
        SitesError::Exists(_) => ErrorKind::AlreadyExists,
        SitesError::Ambiguous(_) | SitesError::BadName(_) | SitesError::BadJumpHosts(_) => ErrorKind::InvalidName,
        SitesError::Read { .. } | SitesError::Write { .. } => ErrorKind::Local,
    };
    FsError::new(kind, error.to_string())
}

/// What to tell the user when a secret could not be kept.
fn not_kept(error: &SecretError) -> String {
    match error {
        SecretError::Unavailable(reason) => format!(
            "the password was not saved: no keyring is reachable ({reason}). Wharf will ask for it at each \
             connection; it never writes passwords to a file"
        ),
        SecretError::Failed(reason) => format!("the password was not saved: the keyring refused ({reason})"),
    }
}

impl SiteBook {
    pub fn new(paths: Paths, secrets: Arc<dyn SecretStore>) -> Self {
        SiteBook {
            paths,
            secrets,
            lock: Mutex::new(()),
        }
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn load(&self) -> Result<Sites, FsError> {
        Sites::load(&self.paths.sites()).map_err(sites_error)
    }

    /// The saved sites that connect as the site key `key` says.
    fn with_key(&self, key: &str) -> Vec<SavedSite> {
        self.load()
            .map(|sites| sites.sites)
            .unwrap_or_default()
            .into_iter()
            .filter(|site| site.to_site(None).key() == key)
            .collect()
    }
}

impl super::pool::SavedSites for SiteBook {
    fn connection_limit(&self, key: &str) -> Option<usize> {
        self.with_key(key).iter().find_map(|site| site.max_connections)
    }

    /// The keyring's password (or passphrase) of the saved site that has this site key, for
    /// queue items restored from an earlier run.
    fn secret(&self, key: &str, passphrase: bool) -> Option<Secret> {
        let kind = if passphrase {
            SecretKind::Passphrase
        } else {
            SecretKind::Password
        };
        self.with_key(key)
            .iter()
            .filter(|site| site.stored_secret() == Some(kind))
            .find_map(|site| self.secrets.get(&site.secret_key(kind)).ok().flatten())
    }
}

impl SiteBook {
    pub fn keyring_status(&self) -> KeyringStatus {
        match self.secrets.get("probe/reachable") {
            Ok(_) => KeyringStatus::Available,
            Err(error) => KeyringStatus::Unavailable {
                reason: error.to_string(),
            },
        }
    }

    /// Runs a command that belongs here and says what came of it.
    pub fn handle(&self, command: SitesCommand) -> Event {
        match command {
            SitesCommand::List { id } => match self.load() {
                Ok(sites) => Event::Sites {
                    id,
                    sites: sites.sites,
                    folders: sites.folders,
                    keyring: self.keyring_status(),
                },
                Err(error) => failed(id, error),
            },
            SitesCommand::Save { id, site, secret } => match self.save(site, secret) {
                Ok((site, warning)) => Event::SiteSaved { id, site, warning },
                Err(error) => failed(id, error),
            },
            SitesCommand::Delete { id, name } => Event::OpFinished {
                id,
                result: self.delete(&name).map(|()| OpSummary::default()),
            },
            SitesCommand::Resolve { id, reference } => match self.resolve(&reference) {
                Ok(event) => event(id),
                Err(error) => failed(id, error),
            },
            SitesCommand::Duplicate { id, name } => match self.duplicate(&name) {
                Ok((site, warning)) => Event::SiteSaved { id, site, warning },
                Err(error) => failed(id, error),
            },
            SitesCommand::EditFolder { id, edit } => match self.edit_folder(edit) {
                Ok(()) => self.handle(SitesCommand::List { id }),
                Err(error) => failed(id, error),
            },
            SitesCommand::Import { id, source } => match self.import(source) {
                Ok(report) => Event::Imported { id, report },
                Err(error) => failed(id, error),
            },
            SitesCommand::RemoveImportedPasswords { id, file, sites } => {
                let text = match std::fs::read_to_string(&file) {
                    Ok(text) => text,
                    Err(error) => return failed(id, FsError::from_local(&error, &file)),
                };
                match scrub(&file, &text, &sites) {
                    Ok(backup) => Event::Imported {
                        id,
                        report: ImportReport {
                            warnings: vec![scrubbed(&file, &backup)],
                            ..ImportReport::default()
                        },
                    },
                    Err(reason) => failed(
                        id,
                        FsError::new(
                            ErrorKind::Local,
                            format!("the passwords could not be removed from {}: {reason}", file.display()),
                        ),
                    ),
                }
            }
        }
    }

    fn save(&self, mut site: SavedSite, secret: Option<Secret>) -> Result<(SavedSite, Option<String>), FsError> {
        let _guard = self.guard();
        let mut sites = self.load()?;
        site.name = site.name.trim().to_owned();
        if site.id.is_empty() {
            site = sites.add(site).map_err(sites_error)?.clone();
        } else {
            sites.replace(site.clone()).map_err(sites_error)?;
        }
        sites.save(&self.paths.sites()).map_err(sites_error)?;
        let mut warning = None;
        if let (Some(secret), Some(kind)) = (secret.filter(|secret| !secret.is_empty()), site.stored_secret())
            && let Err(error) = self.secrets.set(&site.secret_key(kind), &secret)
        {
            warning = Some(not_kept(&error));
        }
        Ok((site, warning))
    }

    /// Copies a site under the first free name `NAME (copy)`, `NAME (copy 2)` ..., with its
    /// keyring secret.
    fn duplicate(&self, name: &str) -> Result<(SavedSite, Option<String>), FsError> {
        let _guard = self.guard();
        let mut sites = self.load()?;
        let original = sites.find(name).map_err(sites_error)?.clone();
        let mut copy = original.clone();
        copy.id.clear();
        copy.name = (1..)
            .map(|n| match n {
                1 => format!("{} (copy)", original.name),
                n => format!("{} (copy {n})", original.name),
            })
            .find(|candidate| {
                !sites
                    .sites
                    .iter()
                    .any(|site| site.folder == copy.folder && &site.name == candidate)
            })
            .unwrap_or_default();
        let copy = sites.add(copy).map_err(sites_error)?.clone();
        sites.save(&self.paths.sites()).map_err(sites_error)?;
        let mut warning = None;
        if let Some(kind) = original.stored_secret() {
            let copied = self
                .secrets
                .get(&original.secret_key(kind))
                .and_then(|secret| match secret {
                    Some(secret) => self.secrets.set(&copy.secret_key(kind), &secret),
                    None => Ok(()),
                });
            if let Err(error) = copied {
                warning = Some(not_kept(&error));
            }
        }
        Ok((copy, warning))
    }

    fn edit_folder(&self, edit: super::api::FolderEdit) -> Result<(), FsError> {
        use super::api::FolderEdit;
        let _guard = self.guard();
        let mut sites = self.load()?;
        let removed = match &edit {
            FolderEdit::Create { path } => sites.add_folder(path.trim()).map(|()| Vec::new()),
            FolderEdit::Rename { from, to } => sites.rename_folder(from, to.trim()).map(|()| Vec::new()),
            FolderEdit::Delete { path } => sites.remove_folder(path),
        }
        .map_err(sites_error)?;
        sites.save(&self.paths.sites()).map_err(sites_error)?;
        for site in removed {
            self.forget_secrets(&site);
        }
        Ok(())
    }

    fn forget_secrets(&self, site: &SavedSite) {
        for kind in [SecretKind::Password, SecretKind::Passphrase] {
            // A keyring that cannot be reached holds nothing of ours to remove.
            let _ = self.secrets.delete(&site.secret_key(kind));
        }
    }

    fn delete(&self, name: &str) -> Result<(), FsError> {
        let _guard = self.guard();
        let mut sites = self.load()?;
        let site = sites.remove(name).map_err(sites_error)?;
        sites.save(&self.paths.sites()).map_err(sites_error)?;
        self.forget_secrets(&site);
        Ok(())
    }

    /// `NAME/path` (see [`Sites::resolve`]): the site, its folder, and its secret.
    fn resolve(&self, reference: &str) -> Result<impl FnOnce(RequestId) -> Event, FsError> {
        let sites = self.load()?;
        let (saved, rest) = sites.resolve(reference).map_err(sites_error)?;
        let saved = saved.clone();
        let path = if rest.is_empty() || rest == "/" {
            saved
                .start_folder()
                .unwrap_or_else(crate::model::location::RemotePath::home)
        } else {
            crate::model::location::RemotePath::from_url_path(rest)
        };
        let (secret, missing) = match saved.stored_secret() {
            None if saved.auth == super::api::Auth::AskEveryTime => (
                None,
                Some("the site asks for its password at every connection".to_owned()),
            ),
            None => (None, None),
            Some(kind) => match self.secrets.get(&saved.secret_key(kind)) {
                Ok(Some(secret)) => (Some(secret), None),
                // A key file may have no passphrase at all.
                Ok(None) if kind == SecretKind::Passphrase => (None, None),
                Ok(None) => (None, Some("no password is saved for this site".to_owned())),
                Err(error) => (None, Some(error.to_string())),
            },
        };
        let site = saved.to_site(secret);
        Ok(move |id| Event::SiteResolved {
            id,
            saved,
            site,
            path,
            secret_missing: missing,
        })
    }

    fn import(&self, source: ImportSource) -> Result<ImportReport, FsError> {
        let read =
            |file: &std::path::Path| std::fs::read_to_string(file).map_err(|error| FsError::from_local(&error, file));
        let (imported, filezilla) = match &source {
            ImportSource::FileZilla { file, scrub } => {
                let text = read(file)?;
                let imported = import::filezilla::parse(&text).map_err(|reason| {
                    FsError::new(
                        ErrorKind::Unsupported,
                        format!("{} cannot be imported: {reason}", file.display()),
                    )
                })?;
                (imported, Some((file.clone(), text, *scrub)))
            }
            ImportSource::SshConfig { file } => {
                // Said here, since the parser takes a missing file for an empty one.
                std::fs::metadata(file).map_err(|error| FsError::from_local(&error, file))?;
                let local = crate::ssh_config::LocalUser::current_or_homeless();
                (import::ssh_config::import(file, &local), None)
            }
        };
        let (mut report, stored) = self.add_imported(imported)?;
        if let Some((file, text, true)) = filezilla
            && !stored.is_empty()
        {
            match scrub(&file, &text, &stored) {
                Ok(backup) => report.warnings.push(scrubbed(&file, &backup)),
                Err(reason) => report.warnings.push(format!(
                    "the passwords could not be removed from {}: {reason}",
                    file.display()
                )),
            }
        }
        Ok(report)
    }

    /// Adds what a parser found; returns the report and the paths whose secrets were stored.
    fn add_imported(&self, imported: Imported) -> Result<(ImportReport, Vec<String>), FsError> {
        let _guard = self.guard();
        let mut sites = self.load()?;
        let mut report = ImportReport {
            skipped: imported.skipped,
            warnings: imported.warnings,
            ..ImportReport::default()
        };
        let mut stored = Vec::new();
        let mut keyring_down: Option<String> = None;
        for folder in imported.folders {
            if !sites.folders.contains(&folder) {
                sites.folders.push(folder);
            }
        }
        sites.folders.sort();
        for (mut site, secret) in imported.sites {
            let original_path = site.path();
            site.id.clear();
            let added = match sites.add(site) {
                Ok(added) => added.clone(),
                Err(error) => {
                    report.skipped.push(format!("{original_path}: {error}"));
                    continue;
                }
            };
            report.added.push(added.path());
            let (Some(secret), Some(kind)) = (secret, added.stored_secret()) else {
                continue;
            };
            if keyring_down.is_some() {
                continue;
            }
            match self.secrets.set(&added.secret_key(kind), &secret) {
                Ok(()) => {
                    stored.push(original_path);
                }
                Err(error) => keyring_down = Some(not_kept(&error)),
            }
        }
        if let Some(sentence) = keyring_down {
            report.warnings.push(format!("{sentence} (for every imported site)"));
            // Sites whose password could not be kept ask for it.
            for site in &mut sites.sites {
                if report.added.contains(&site.path())
                    && site.auth == super::api::Auth::Password
                    && !stored.contains(&site.path())
                {
                    site.auth = super::api::Auth::AskEveryTime;
                }
            }
        }
        sites.save(&self.paths.sites()).map_err(sites_error)?;
        report.passwords_moved = stored.clone();
        Ok((report, stored))
    }
}

/// Tells the user where the passwords went and what is left to do with the backup.
fn scrubbed(file: &std::path::Path, backup: &std::path::Path) -> String {
    format!(
        "the passwords now in the keyring were removed from {}; the original, passwords included, is kept as {}: \
         delete it once the imported sites work",
        file.display(),
        backup.display()
    )
}

fn failed(id: RequestId, error: FsError) -> Event {
    Event::OpFinished { id, result: Err(error) }
}

/// Removes the stored passwords from FileZilla's file, after copying it to `FILE.bak` (or
/// `FILE.bak.2` ... when an earlier backup exists: it is never overwritten). The backup holds
/// passwords, so only the user may read it; the file keeps its own permissions.
fn scrub(file: &std::path::Path, text: &str, stored: &[String]) -> Result<std::path::PathBuf, String> {
    use std::io::Write as _;
    let scrubbed = import::filezilla::scrub_passwords(text, stored)?;
    let named = |n: u32| {
        let mut name = file.as_os_str().to_owned();
        name.push(if n == 1 { ".bak".to_owned() } else { format!(".bak.{n}") });
        std::path::PathBuf::from(name)
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut n = 1;
    let (backup, mut out) = loop {
        match options.open(named(n)) {
            Ok(out) => break (named(n), out),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(error) => return Err(error.to_string()),
        }
    };
    out.write_all(text.as_bytes())
        .and_then(|()| out.sync_all())
        .map_err(|error| error.to_string())?;
    let permissions = std::fs::metadata(file)
        .map_err(|error| error.to_string())?
        .permissions();
    crate::config::replace_file(file, scrubbed.as_bytes(), Some(permissions)).map_err(|error| error.to_string())?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::*;
    use crate::engine::api::{Auth, Command};
    use crate::engine::handle::{EngineConfig, EngineHandle};
    use crate::secrets::{MemorySecrets, NoKeyring};

    fn engine(home: &Path, secrets: Arc<dyn SecretStore>) -> EngineHandle {
        let mut config = EngineConfig::under(Paths::under(home.to_path_buf()));
        config.resume_queue = false;
        config.secrets = secrets;
        EngineHandle::start(config, None).unwrap()
    }

    fn ask(engine: &EngineHandle, make: impl FnOnce(RequestId) -> SitesCommand) -> Event {
        let id = engine.next_id();
        engine.send(Command::Sites(make(id)));
        loop {
            let event = engine
                .wait_event(Duration::from_secs(30))
                .expect("an answer within 30 s");
            match &event {
                Event::Sites { id: answered, .. }
                | Event::SiteSaved { id: answered, .. }
                | Event::SiteResolved { id: answered, .. }
                | Event::Imported { id: answered, .. }
                | Event::OpFinished { id: answered, .. }
                    if *answered == id =>
                {
                    return event;
                }
                _ => {}
            }
        }
    }

    fn every_file_under(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(every_file_under(&path));
            } else {
                files.push(path);
            }
        }
        files
    }

    fn assert_no_secret_under(dir: &Path, secret: &str) {
        for file in every_file_under(dir) {
            let bytes = std::fs::read(&file).unwrap();
            assert!(
                !bytes.windows(secret.len()).any(|window| window == secret.as_bytes()),
                "{} holds the password",
                file.display()
            );
        }
    }

    fn web() -> SavedSite {
        SavedSite {
            name: "web".into(),
            folder: "Clients/Acme".into(),
            host: "web.example.org".into(),
            user: "deploy".into(),
            remote_folder: Some("/var/www".into()),
            ..SavedSite::default()
        }
    }

    #[test]
    fn a_saved_password_lives_in_the_keyring_only_and_resolves_for_connecting() {
        let home = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let engine = engine(home.path(), secrets.clone());
        let Event::SiteSaved { site, warning, .. } = ask(&engine, |id| SitesCommand::Save {
            id,
            site: web(),
            secret: Some(Secret::new("pa55-W0rd-in-keyring")),
        }) else {
            panic!("not saved");
        };
        assert_eq!(warning, None);
        assert!(!site.id.is_empty());
        assert_eq!(
            secrets
                .get(&site.secret_key(SecretKind::Password))
                .unwrap()
                .unwrap()
                .expose(),
            "pa55-W0rd-in-keyring"
        );
        assert_no_secret_under(home.path(), "pa55-W0rd-in-keyring");

        let Event::SiteResolved {
            site: resolved,
            path,
            secret_missing,
            ..
        } = ask(&engine, |id| SitesCommand::Resolve {
            id,
            reference: "web/~/logs".into(),
        })
        else {
            panic!("not resolved");
        };
        assert_eq!(resolved.credentials.password.unwrap().expose(), "pa55-W0rd-in-keyring");
        assert_eq!(
            (resolved.host.as_str(), path.as_str(), secret_missing),
            ("web.example.org", "~/logs", None)
        );
        let Event::SiteResolved { path, .. } = ask(&engine, |id| SitesCommand::Resolve {
            id,
            reference: "Clients/Acme/web".into(),
        }) else {
            panic!("not resolved by its folder path");
        };
        assert_eq!(path.as_str(), "/var/www", "without a path: the site's remote folder");

        let Event::OpFinished { result, .. } = ask(&engine, |id| SitesCommand::Delete { id, name: "web".into() })
        else {
            panic!("no answer");
        };
        result.unwrap();
        assert_eq!(
            secrets.get(&site.secret_key(SecretKind::Password)).unwrap(),
            None,
            "the password goes too"
        );
        let Event::OpFinished { result: Err(error), .. } = ask(&engine, |id| SitesCommand::Resolve {
            id,
            reference: "web".into(),
        }) else {
            panic!("a forgotten site resolved");
        };
        assert_eq!(error.message, "there is no saved site named \"web\"");
    }

    #[test]
    fn without_a_keyring_the_site_is_saved_and_asks_for_its_password() {
        let home = tempfile::tempdir().unwrap();
        let engine = engine(home.path(), Arc::new(NoKeyring("no D-Bus session".into())));
        let Event::SiteSaved { warning, .. } = ask(&engine, |id| SitesCommand::Save {
            id,
            site: web(),
            secret: Some(Secret::new("never-on-disk")),
        }) else {
            panic!("not saved");
        };
        let warning = warning.expect("the user is told");
        assert!(
            warning.contains("no keyring is reachable (no D-Bus session)"),
            "{warning}"
        );
        assert!(warning.contains("never writes passwords to a file"), "{warning}");
        assert_no_secret_under(home.path(), "never-on-disk");
        let Event::Sites { keyring, sites, .. } = ask(&engine, |id| SitesCommand::List { id }) else {
            panic!("no list");
        };
        assert!(matches!(keyring, KeyringStatus::Unavailable { .. }));
        assert_eq!(sites.len(), 1);
        let Event::SiteResolved { secret_missing, .. } = ask(&engine, |id| SitesCommand::Resolve {
            id,
            reference: "web".into(),
        }) else {
            panic!("not resolved");
        };
        assert!(secret_missing.unwrap().contains("no keyring is reachable"));
    }

    #[test]
    fn a_filezilla_import_brings_folders_and_passwords_and_can_scrub_the_file() {
        let home = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let engine = engine(home.path(), secrets.clone());
        let export = home.path().join("sitemanager.xml");
        std::fs::write(
            &export,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<FileZilla3 version="3.66.5" platform="windows"><Servers>
  <Folder expanded="1">Work<Folder>Deep
    <Server><Host>a.example</Host><Protocol>1</Protocol><User>u</User>
      <Pass encoding="base64">ZmlsZXppbGxhLXB3</Pass><Logontype>1</Logontype><Name>alpha</Name></Server>
  </Folder></Folder>
  <Server><Host>b.example</Host><Protocol>4</Protocol><User>v</User><Logontype>2</Logontype><Name>beta</Name></Server>
</Servers></FileZilla3>"#,
        )
        .unwrap();
        let Event::Imported { report, .. } = ask(&engine, |id| SitesCommand::Import {
            id,
            source: ImportSource::FileZilla {
                file: export.clone(),
                scrub: true,
            },
        }) else {
            panic!("not imported");
        };
        assert_eq!(report.added, ["Work/Deep/alpha", "beta"]);
        assert_eq!(report.passwords_moved, ["Work/Deep/alpha"]);
        let Event::SiteResolved { site, saved, .. } = ask(&engine, |id| SitesCommand::Resolve {
            id,
            reference: "alpha".into(),
        }) else {
            panic!("not resolved");
        };
        assert_eq!(site.credentials.password.unwrap().expose(), "filezilla-pw");
        assert_eq!(saved.folder, "Work/Deep");
        let Event::Sites { sites, folders, .. } = ask(&engine, |id| SitesCommand::List { id }) else {
            panic!("no list");
        };
        assert_eq!(folders, ["Work", "Work/Deep"]);
        assert_eq!(
            sites.iter().find(|site| site.name == "beta").unwrap().auth,
            Auth::AskEveryTime
        );
        // The password left FileZilla's file; the backup keeps the original.
        assert!(!std::fs::read_to_string(&export).unwrap().contains("ZmlsZXppbGxhLXB3"));
        assert!(
            std::fs::read_to_string(home.path().join("sitemanager.xml.bak"))
                .unwrap()
                .contains("ZmlsZXppbGxhLXB3")
        );
        assert_no_secret_under(&home.path().join("config"), "filezilla-pw");
    }

    #[test]
    fn folders_and_duplicates_keep_the_keyring_in_step() {
        use crate::engine::api::FolderEdit;
        use crate::engine::pool::SavedSites as _;
        let home = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let engine = engine(home.path(), secrets.clone());
        let limited = SavedSite {
            max_connections: Some(2),
            ..web()
        };
        let Event::SiteSaved { site: original, .. } = ask(&engine, |id| SitesCommand::Save {
            id,
            site: limited,
            secret: Some(Secret::new("copied-secret")),
        }) else {
            panic!("not saved");
        };

        let Event::SiteSaved {
            site: copy, warning, ..
        } = ask(&engine, |id| SitesCommand::Duplicate { id, name: "web".into() })
        else {
            panic!("not duplicated");
        };
        assert_eq!(
            (copy.name.as_str(), copy.folder.as_str(), warning),
            ("web (copy)", "Clients/Acme", None)
        );
        assert_ne!(copy.id, original.id);
        assert_eq!(
            secrets
                .get(&copy.secret_key(SecretKind::Password))
                .unwrap()
                .unwrap()
                .expose(),
            "copied-secret",
            "the copy connects without asking"
        );
        let Event::SiteSaved { site: second, .. } = ask(&engine, |id| SitesCommand::Duplicate {
            id,
            name: "Clients/Acme/web".into(),
        }) else {
            panic!("not duplicated");
        };
        assert_eq!(second.name, "web (copy 2)");

        let Event::Sites { folders, .. } = ask(&engine, |id| SitesCommand::EditFolder {
            id,
            edit: FolderEdit::Create {
                path: "Empty/Inside".into(),
            },
        }) else {
            panic!("no list");
        };
        assert_eq!(
            folders,
            ["Clients", "Clients/Acme", "Empty", "Empty/Inside"],
            "empty folders are kept"
        );

        let Event::Sites { sites, .. } = ask(&engine, |id| SitesCommand::EditFolder {
            id,
            edit: FolderEdit::Rename {
                from: "Clients".into(),
                to: "Customers".into(),
            },
        }) else {
            panic!("no list");
        };
        assert!(sites.iter().all(|site| site.folder == "Customers/Acme"));
        let Event::SiteResolved { site, .. } = ask(&engine, |id| SitesCommand::Resolve {
            id,
            reference: "Customers/Acme/web".into(),
        }) else {
            panic!("a moved site is found by its new path");
        };
        assert_eq!(site.credentials.password.clone().unwrap().expose(), "copied-secret");

        // The queue learns the site's own limit from its key.
        let bookmarks = SiteBook::new(Paths::under(home.path().to_path_buf()), secrets.clone());
        assert_eq!(bookmarks.connection_limit(&site.key()), Some(2));
        assert_eq!(bookmarks.connection_limit("sftp://nobody@elsewhere:22"), None);

        let Event::Sites { sites, folders, .. } = ask(&engine, |id| SitesCommand::EditFolder {
            id,
            edit: FolderEdit::Delete {
                path: "Customers".into(),
            },
        }) else {
            panic!("no list");
        };
        assert!(sites.is_empty());
        assert_eq!(folders, ["Empty", "Empty/Inside"]);
        for gone in [&original, &copy, &second] {
            assert_eq!(
                secrets.get(&gone.secret_key(SecretKind::Password)).unwrap(),
                None,
                "deleting a folder deletes its sites' passwords"
            );
        }
    }

    #[test]
    fn the_passwords_can_be_removed_from_filezillas_file_after_the_import() {
        let home = tempfile::tempdir().unwrap();
        let engine = engine(home.path(), Arc::new(MemorySecrets::default()));
        let export = home.path().join("sitemanager.xml");
        std::fs::write(
            &export,
            r#"<FileZilla3><Servers><Server><Host>a.example</Host><Protocol>1</Protocol><User>u</User>
<Pass encoding="base64">c2VjcmV0LWluLWZ6</Pass><Logontype>1</Logontype><Name>alpha</Name></Server></Servers></FileZilla3>"#,
        )
        .unwrap();
        let Event::Imported { report, .. } = ask(&engine, |id| SitesCommand::Import {
            id,
            source: ImportSource::FileZilla {
                file: export.clone(),
                scrub: false,
            },
        }) else {
            panic!("not imported");
        };
        assert_eq!(report.passwords_moved, ["alpha"]);
        assert!(
            std::fs::read_to_string(&export).unwrap().contains("c2VjcmV0LWluLWZ6"),
            "not yet"
        );
        let Event::Imported { report, .. } = ask(&engine, |id| SitesCommand::RemoveImportedPasswords {
            id,
            file: export.clone(),
            sites: report.passwords_moved.clone(),
        }) else {
            panic!("not removed");
        };
        assert!(
            report.warnings[0].contains("were removed from"),
            "{:?}",
            report.warnings
        );
        assert!(!std::fs::read_to_string(&export).unwrap().contains("c2VjcmV0LWluLWZ6"));
        let backup = home.path().join("sitemanager.xml.bak");
        assert!(std::fs::read_to_string(&backup).unwrap().contains("c2VjcmV0LWluLWZ6"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // Asked again, the backup with the passwords is not overwritten by the scrubbed file.
        let Event::Imported { .. } = ask(&engine, |id| SitesCommand::RemoveImportedPasswords {
            id,
            file: export.clone(),
            sites: vec!["alpha".into()],
        }) else {
            panic!("not answered");
        };
        assert!(std::fs::read_to_string(&backup).unwrap().contains("c2VjcmV0LWluLWZ6"));
        assert!(home.path().join("sitemanager.xml.bak.2").exists());
    }
}
