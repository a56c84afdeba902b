//! Who is alive among the processes sharing the queue database. Each process that runs
//! items holds an exclusive lock on its own file in `state/locks/`; the operating system
//! drops the lock when the process ends, however it ends (a crash, `kill -9`). A lease in the
//! database whose holder's lock can be taken belongs to a dead process and is taken over at
//! once, with no timeout to wait out.

use std::collections::HashMap;
use std::fs::{self, File};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

pub struct LeaseOwner {
    name: String,
    folder: PathBuf,
    /// Holding the file holds the lock.
    _lock: Option<File>,
    /// Holders already found dead; they do not come back.
    dead: Mutex<HashMap<String, bool>>,
}

impl LeaseOwner {
    /// Takes this process's lock in `folder`. If the lock cannot be taken (a read-only
    /// disk), leases still work within this process; other processes see it as gone.
    pub fn new(folder: PathBuf) -> LeaseOwner {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        let name = format!("{}-{nanos}", std::process::id());
        let _ = fs::create_dir_all(&folder);
        let lock = File::create(folder.join(format!("{name}.lock")))
            .ok()
            .filter(|file| file.try_lock().is_ok());
        LeaseOwner {
            name,
            folder,
            _lock: lock,
            dead: Mutex::new(HashMap::new()),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the process named `owner` still runs.
    pub fn is_alive(&self, owner: &str) -> bool {
        if owner == self.name {
            return true;
        }
        let mut dead = self.dead.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if dead.contains_key(owner) {
            return false;
        }
        // Names come from the database; one that could name another path is nobody's.
        if owner.is_empty() || !owner.chars().all(|c| c.is_ascii_digit() || c == '-') {
            dead.insert(owner.to_owned(), true);
            return false;
        }
        let path = self.folder.join(format!("{owner}.lock"));
        let alive = match File::options().write(true).open(&path) {
            Ok(file) => match file.try_lock() {
                Ok(()) => {
                    drop(file);
                    let _ = fs::remove_file(&path);
                    false
                }
                Err(_) => true,
            },
            Err(_) => false,
        };
        if !alive {
            dead.insert(owner.to_owned(), true);
        }
        alive
    }
}

impl Drop for LeaseOwner {
    fn drop(&mut self) {
        let _ = fs::remove_file(self.folder.join(format!("{}.lock", self.name)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_holder_is_alive_and_a_gone_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let first = LeaseOwner::new(dir.path().to_path_buf());
        let second = LeaseOwner::new(dir.path().to_path_buf());
        assert_ne!(first.name(), second.name());
        assert!(second.is_alive(first.name()));
        assert!(first.is_alive(first.name()));
        let name = first.name().to_owned();
        drop(first);
        assert!(!second.is_alive(&name));
        assert!(!second.is_alive("../../etc/passwd"));
    }
}
