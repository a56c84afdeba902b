//! Where passwords and key passphrases are kept: the OS keyring (Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows), never a file. When no keyring can be
//! reached the store says so, and Wharf asks for the password at each connection instead
//! (kept in memory for the session). An in-memory store stands in for tests.

use std::collections::HashMap;
use std::sync::Mutex;

use thiserror::Error;

use crate::model::Secret;

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum SecretError {
    /// No keyring service answers (no D-Bus session, no Secret Service, locked out).
    #[error("no keyring is reachable ({0})")]
    Unavailable(String),
    #[error("the keyring refused: {0}")]
    Failed(String),
}

/// Secrets by name (`site/<id>/password`).
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<Secret>, SecretError>;
    fn set(&self, key: &str, secret: &Secret) -> Result<(), SecretError>;
    /// Removes a secret; removing one that is not there is not an error.
    fn delete(&self, key: &str) -> Result<(), SecretError>;
}

/// Secrets in this process's memory only: the hermetic tests' keyring, and what "ask every
/// time" keeps for the rest of a session.
#[derive(Debug, Default)]
pub struct MemorySecrets {
    secrets: Mutex<HashMap<String, Secret>>,
}

impl MemorySecrets {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.secrets.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SecretStore for MemorySecrets {
    fn get(&self, key: &str) -> Result<Option<Secret>, SecretError> {
        Ok(self.map().get(key).cloned())
    }

    fn set(&self, key: &str, secret: &Secret) -> Result<(), SecretError> {
        self.map().insert(key.to_owned(), secret.clone());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        self.map().remove(key);
        Ok(())
    }
}

/// A store that has no keyring behind it, for tests of the "no keyring" path.
#[derive(Debug)]
pub struct NoKeyring(pub String);

impl SecretStore for NoKeyring {
    fn get(&self, _key: &str) -> Result<Option<Secret>, SecretError> {
        Err(SecretError::Unavailable(self.0.clone()))
    }

    fn set(&self, _key: &str, _secret: &Secret) -> Result<(), SecretError> {
        Err(SecretError::Unavailable(self.0.clone()))
    }

    fn delete(&self, _key: &str) -> Result<(), SecretError> {
        Err(SecretError::Unavailable(self.0.clone()))
    }
}

/// The OS keyring through the keyring crate: Secret Service (over zbus, no C library) on
/// Linux, Keychain on macOS, Credential Manager on Windows. Entries are named service
/// `wharf`, user `site/<id>/password`.
#[derive(Debug)]
pub struct OsKeyring {
    service: String,
}

impl Default for OsKeyring {
    fn default() -> Self {
        OsKeyring {
            service: "wharf".to_owned(),
        }
    }
}

impl OsKeyring {
    /// A keyring under another service name (the interop test uses its own).
    pub fn with_service(service: &str) -> Self {
        OsKeyring {
            service: service.to_owned(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, key).map_err(|error| classify(&error))
    }
}

/// "Not reachable" (ask every time) apart from "refused" (say so).
fn classify(error: &keyring::Error) -> SecretError {
    match error {
        keyring::Error::NoDefaultStore | keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
            SecretError::Unavailable(error.to_string())
        }
        other => SecretError::Failed(other.to_string()),
    }
}

impl SecretStore for OsKeyring {
    fn get(&self, key: &str) -> Result<Option<Secret>, SecretError> {
        match self.entry(key)?.get_password() {
            Ok(password) => Ok(Some(Secret::new(password))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(classify(&error)),
        }
    }

    fn set(&self, key: &str, secret: &Secret) -> Result<(), SecretError> {
        self.entry(key)?
            .set_password(secret.expose())
            .map_err(|error| classify(&error))
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(classify(&error)),
        }
    }
}
