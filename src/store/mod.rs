//! The transfer queue on disk: SQLite (rusqlite, bundled) in WAL mode, versioned with
//! `PRAGMA user_version` migrations. Every state change is committed when it happens, so a
//! crash loses at most the last byte-offset checkpoint. No secret is ever stored: a site is
//! recorded by its key (`scheme://user@host:port`).
//!
//! Several processes may open the same queue; an item is run by whoever holds its lease.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use thiserror::Error;

/// Each entry upgrades the schema by one version.
const MIGRATIONS: &[&str] = &[
    // 1: the queue.
    "CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        position INTEGER NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('download', 'upload')),
        site TEXT NOT NULL,
        local_path BLOB NOT NULL,
        remote_path TEXT NOT NULL,
        size INTEGER,
        source_mtime INTEGER,
        state TEXT NOT NULL,
        bytes_done INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        lease_owner TEXT,
        lease_until INTEGER
    );
    CREATE INDEX items_by_state ON items (state, position);",
];

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the queue database {path} could not be opened: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("the queue database was written by a newer Wharf (schema {found}, this one knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error("the queue database failed: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// What a queue item is, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItem {
    pub id: i64,
    /// What was queued.
    pub item: NewItem,
    pub state: String,
    pub bytes_done: u64,
    pub attempts: u32,
    pub error: Option<String>,
}

/// A new item to append to the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub direction: String,
    pub site: String,
    pub local_path: PathBuf,
    pub remote_path: String,
    pub size: Option<u64>,
    pub source_mtime: Option<i64>,
}

pub struct QueueStore {
    connection: Connection,
}

fn path_bytes(path: &Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned().into_bytes()
    }
}

fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        PathBuf::from(std::ffi::OsString::from_vec(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Sizes and offsets are `u64` in Wharf and `i64` in SQLite; real files fit either.
fn to_sql(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn from_sql(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl QueueStore {
    /// Opens (creating it if needed) the queue at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<QueueStore, StoreError> {
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let connection = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::prepare(connection)
    }

    pub fn open_in_memory() -> Result<QueueStore, StoreError> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(connection: Connection) -> Result<QueueStore, StoreError> {
        // WAL lets a reader (the window) and a writer (`wharf queue run`) work at once; the
        // busy timeout makes one wait briefly for the other instead of failing.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.busy_timeout(Duration::from_secs(5))?;
        let mut store = QueueStore { connection };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .connection
            .pragma_query_value(None, "user_version", |row| row.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew { found: version, known });
        }
        for (index, migration) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version).unwrap_or(0))
        {
            let transaction = self.connection.transaction()?;
            transaction.execute_batch(migration)?;
            transaction.pragma_update(None, "user_version", index as i64 + 1)?;
            transaction.commit()?;
        }
        Ok(())
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .connection
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// Appends items in one transaction; returns their ids in order.
    pub fn add(&mut self, items: &[NewItem]) -> Result<Vec<i64>, StoreError> {
        let transaction = self.connection.transaction()?;
        let mut ids = Vec::with_capacity(items.len());
        {
            let next: i64 =
                transaction.query_row("SELECT COALESCE(MAX(position), 0) + 1 FROM items", [], |row| row.get(0))?;
            let mut insert = transaction.prepare(
                "INSERT INTO items (position, direction, site, local_path, remote_path, size, source_mtime, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued')",
            )?;
            for (offset, item) in items.iter().enumerate() {
                insert.execute(params![
                    next + offset as i64,
                    item.direction,
                    item.site,
                    path_bytes(&item.local_path),
                    item.remote_path,
                    item.size.map(to_sql),
                    item.source_mtime,
                ])?;
                ids.push(transaction.last_insert_rowid());
            }
        }
        transaction.commit()?;
        Ok(ids)
    }

    /// Records a state change (and its error, for failures), committed at once.
    pub fn set_state(&self, id: i64, state: &str, error: Option<&str>) -> Result<(), StoreError> {
        self.connection.execute(
            "UPDATE items SET state = ?2, error = ?3, attempts = attempts + (?2 = 'running') WHERE id = ?1",
            params![id, state, error],
        )?;
        Ok(())
    }

    /// Records how far a transfer got.
    pub fn checkpoint(&self, id: i64, bytes_done: u64) -> Result<(), StoreError> {
        self.connection.execute(
            "UPDATE items SET bytes_done = ?2 WHERE id = ?1",
            params![id, to_sql(bytes_done)],
        )?;
        Ok(())
    }

    /// Every item in queue order.
    pub fn all(&self) -> Result<Vec<StoredItem>, StoreError> {
        self.select("SELECT id, direction, site, local_path, remote_path, size, source_mtime, state, bytes_done, attempts, error FROM items ORDER BY position")
    }

    /// Items not finished, in queue order. Items that were running when the process stopped
    /// (a crash, a kill) come back queued: nothing runs until somebody picks it up again.
    pub fn recover(&self) -> Result<Vec<StoredItem>, StoreError> {
        self.connection.execute(
            "UPDATE items SET state = 'queued', lease_owner = NULL, lease_until = NULL
             WHERE state = 'running' AND (lease_until IS NULL OR lease_until < strftime('%s', 'now'))",
            [],
        )?;
        self.select(
            "SELECT id, direction, site, local_path, remote_path, size, source_mtime, state, bytes_done, attempts, error
             FROM items WHERE state NOT IN ('done', 'failed', 'cancelled') ORDER BY position",
        )
    }

    fn select(&self, sql: &str) -> Result<Vec<StoredItem>, StoreError> {
        let mut statement = self.connection.prepare(sql)?;
        let rows = statement.query_map([], |row| {
            Ok(StoredItem {
                id: row.get(0)?,
                item: NewItem {
                    direction: row.get(1)?,
                    site: row.get(2)?,
                    local_path: path_from_bytes(row.get(3)?),
                    remote_path: row.get(4)?,
                    size: row.get::<_, Option<i64>>(5)?.map(from_sql),
                    source_mtime: row.get(6)?,
                },
                state: row.get(7)?,
                bytes_done: from_sql(row.get(8)?),
                attempts: u32::try_from(row.get::<_, i64>(9)?).unwrap_or(u32::MAX),
                error: row.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Takes the right to run an item until `until` (unix seconds). Only one process gets
    /// it; a lease that expired (its holder died) can be taken over.
    pub fn acquire_lease(&self, id: i64, owner: &str, until: i64) -> Result<bool, StoreError> {
        let changed = self.connection.execute(
            "UPDATE items SET lease_owner = ?2, lease_until = ?3
             WHERE id = ?1 AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_until < strftime('%s', 'now'))",
            params![id, owner, until],
        )?;
        Ok(changed == 1)
    }

    pub fn release_lease(&self, id: i64, owner: &str) -> Result<(), StoreError> {
        self.connection.execute(
            "UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE id = ?1 AND lease_owner = ?2",
            params![id, owner],
        )?;
        Ok(())
    }

    /// Who holds an item's lease, if anyone.
    pub fn lease_owner(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .query_row("SELECT lease_owner FROM items WHERE id = ?1", params![id], |row| {
                row.get(0)
            })
            .optional()?
            .flatten())
    }

    /// Removes finished items: done, failed, or both (cancelled go with failed).
    pub fn clear(&self, done: bool, failed: bool) -> Result<usize, StoreError> {
        let mut states = Vec::new();
        if done {
            states.push("'done'");
        }
        if failed {
            states.extend(["'failed'", "'cancelled'"]);
        }
        if states.is_empty() {
            return Ok(0);
        }
        Ok(self
            .connection
            .execute(&format!("DELETE FROM items WHERE state IN ({})", states.join(", ")), [])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str) -> NewItem {
        NewItem {
            direction: "download".into(),
            site: "sftp://me@example.org:22".into(),
            local_path: PathBuf::from(format!("/tmp/{name}")),
            remote_path: format!("/srv/{name}"),
            size: Some(1000),
            source_mtime: Some(1_700_000_000),
        }
    }

    #[test]
    fn migrations_reach_the_latest_version_once() {
        let store = QueueStore::open_in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite");
        drop(QueueStore::open(&path).unwrap());
        let again = QueueStore::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), 1, "reopening does not migrate twice");
    }

    #[test]
    fn a_newer_schema_is_refused_not_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite");
        {
            let connection = Connection::open(&path).unwrap();
            connection.pragma_update(None, "user_version", 99).unwrap();
        }
        assert!(matches!(
            QueueStore::open(&path),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }

    #[test]
    fn items_survive_a_reopen_and_running_ones_come_back_queued() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite");
        let ids = {
            let mut store = QueueStore::open(&path).unwrap();
            let ids = store.add(&[item("a"), item("b"), item("c")]).unwrap();
            store.set_state(ids[0], "done", None).unwrap();
            store.set_state(ids[1], "running", None).unwrap();
            store.checkpoint(ids[1], 512).unwrap();
            ids
            // Dropped without any clean shutdown, as in a crash.
        };
        let store = QueueStore::open(&path).unwrap();
        let unfinished = store.recover().unwrap();
        assert_eq!(
            unfinished.iter().map(|item| item.id).collect::<Vec<_>>(),
            vec![ids[1], ids[2]]
        );
        assert_eq!(unfinished[0].state, "queued");
        assert_eq!(unfinished[0].bytes_done, 512, "the offset reached is kept for resuming");
        assert_eq!(unfinished[0].attempts, 1);
        assert_eq!(unfinished[0].item, item("b"));
    }

    #[test]
    fn only_one_process_holds_a_lease() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite");
        let mut first = QueueStore::open(&path).unwrap();
        let second = QueueStore::open(&path).unwrap();
        let id = first.add(&[item("a")]).unwrap()[0];
        let later = i64::MAX / 2;
        assert!(first.acquire_lease(id, "window", later).unwrap());
        assert!(
            !second.acquire_lease(id, "cli", later).unwrap(),
            "the other process must wait"
        );
        assert_eq!(second.lease_owner(id).unwrap().as_deref(), Some("window"));
        first.release_lease(id, "window").unwrap();
        assert!(second.acquire_lease(id, "cli", later).unwrap());
        // An expired lease (its holder died) can be taken over.
        assert!(second.acquire_lease(id, "cli", 1).unwrap());
        assert!(first.acquire_lease(id, "window", later).unwrap());
    }

    #[test]
    fn clearing_finished_items() {
        let mut store = QueueStore::open_in_memory().unwrap();
        let ids = store.add(&[item("a"), item("b"), item("c")]).unwrap();
        store.set_state(ids[0], "done", None).unwrap();
        store.set_state(ids[1], "failed", Some("550 No such file")).unwrap();
        assert_eq!(store.all().unwrap()[1].error.as_deref(), Some("550 No such file"));
        assert_eq!(store.clear(true, false).unwrap(), 1);
        assert_eq!(store.clear(false, true).unwrap(), 1);
        assert_eq!(store.all().unwrap().len(), 1);
    }

    #[test]
    fn no_password_reaches_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite");
        let site = crate::model::location::Location::parse("sftp://me:hunter2-secret@example.org/x")
            .unwrap()
            .site;
        let mut store = QueueStore::open(&path).unwrap();
        store
            .add(&[NewItem {
                site: site.key(),
                ..item("a")
            }])
            .unwrap();
        drop(store);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("hunter2"),
                "a password reached the queue files"
            );
        }
    }
}
