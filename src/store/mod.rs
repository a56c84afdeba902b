//! The transfer queue on disk: SQLite (rusqlite, bundled) in WAL mode, versioned with
//! `PRAGMA user_version` migrations. Every state change is committed when it happens, or, in
//! a batch (`begin_batch`/`end_batch`), as soon as the queue's thread has handled what was
//! waiting for it, so a crash loses at most the last byte-offset checkpoint and what one
//! pass of that thread changed. No secret is ever stored: a site is recorded by its key
//! (`scheme://user@host:port`).
//!
//! Several processes may open the same queue; an item is run by whoever holds its lease, and
//! `PRAGMA data_version` tells one process cheaply when another has committed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, params};
use thiserror::Error;

use crate::model::queue::{ConflictPolicy, Direction, ItemKind, ItemStatus, UnknownText, Verification};

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod harness;

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
    // 2: folders and not-yet-resolved items in the queue, per-item transfer options, how an
    // item was verified, and the sites items belong to (described without secrets).
    "ALTER TABLE items ADD COLUMN kind TEXT NOT NULL DEFAULT 'file' CHECK (kind IN ('file', 'folder', 'auto'));
    ALTER TABLE items ADD COLUMN recursive INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE items ADD COLUMN on_conflict TEXT NOT NULL DEFAULT 'ask';
    ALTER TABLE items ADD COLUMN options INTEGER NOT NULL DEFAULT 3;
    ALTER TABLE items ADD COLUMN verified TEXT;
    CREATE TABLE sites (key TEXT PRIMARY KEY, descriptor TEXT NOT NULL);",
    // 3: ids are never used twice. Another process watching the queue knows items by id;
    // without AUTOINCREMENT, clearing the newest items let the next one take a cleared id.
    "CREATE TABLE items_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
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
        lease_until INTEGER,
        kind TEXT NOT NULL DEFAULT 'file' CHECK (kind IN ('file', 'folder', 'auto')),
        recursive INTEGER NOT NULL DEFAULT 0,
        on_conflict TEXT NOT NULL DEFAULT 'ask',
        options INTEGER NOT NULL DEFAULT 3,
        verified TEXT
    );
    INSERT INTO items_v3 (id, position, direction, site, local_path, remote_path, size, source_mtime, state,
        bytes_done, attempts, error, lease_owner, lease_until, kind, recursive, on_conflict, options, verified)
    SELECT id, position, direction, site, local_path, remote_path, size, source_mtime, state,
        bytes_done, attempts, error, lease_owner, lease_until, kind, recursive, on_conflict, options, verified
    FROM items;
    DROP TABLE items;
    ALTER TABLE items_v3 RENAME TO items;
    CREATE INDEX items_by_state ON items (state, position);",
    // 4: the queue in its order without sorting it: a restart reads it a page at a time, and
    // adding items finds the last position at once instead of reading every row.
    "CREATE INDEX items_by_position ON items (position);",
    // 5: where the file an item replaces at its target is kept (sync's trash), if anywhere.
    "ALTER TABLE items ADD COLUMN keep_replaced BLOB;",
    // 6: the server's handle on an item's upload across attempts (S3's multipart upload id).
    "ALTER TABLE items ADD COLUMN upload_token TEXT;",
];

/// Where a page of the queue ends: the next page starts after this item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageEnd {
    position: i64,
    id: i64,
}

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
    pub state: ItemStatus,
    pub bytes_done: u64,
    pub attempts: u32,
    /// Why it failed or was skipped, or the last error before a retry.
    pub error: Option<String>,
    /// How a done item was verified.
    pub verified: Verification,
    /// The process that holds its lease (runs it, or last ran it), if any.
    pub lease_owner: Option<String>,
}

/// What the queue reads of an item only when it needs it (see [`QueueStore::details`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDetails {
    pub local_path: PathBuf,
    pub remote_path: String,
    pub source_mtime: Option<i64>,
    /// See [`NewItem::keep_replaced`].
    pub keep_replaced: Option<PathBuf>,
    /// The server's handle on the upload an earlier attempt began, to continue it (see
    /// [`QueueStore::set_upload_token`]).
    pub upload_token: Option<String>,
}

/// A new item to append to the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub direction: Direction,
    /// A file, a folder (its contents are queued when it runs) or not looked at yet.
    pub kind: ItemKind,
    pub site: String,
    pub local_path: PathBuf,
    pub remote_path: String,
    pub size: Option<u64>,
    pub source_mtime: Option<i64>,
    pub recursive: bool,
    pub on_conflict: ConflictPolicy,
    /// Bit flags the engine defines (preserve times, upload through a temporary name).
    pub options: u32,
    /// Where the file this item replaces at its target goes (a path on the target's side),
    /// instead of being overwritten.
    pub keep_replaced: Option<PathBuf>,
}

/// The result of trying to take an item's lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lease {
    Acquired,
    /// Another process holds it.
    HeldBy(String),
    /// The item finished (in another process) or is gone.
    Finished,
}

/// Where a moved item goes among the unfinished ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Up,
    Down,
    Top,
    Bottom,
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

const COLUMNS: &str = "id, direction, kind, site, local_path, remote_path, size, source_mtime, recursive, on_conflict, \
                       options, state, bytes_done, attempts, error, verified, lease_owner, keep_replaced";

/// `state IN ('done', ...)` for these states (their text forms are fixed words, no quotes).
fn state_in(states: impl Iterator<Item = ItemStatus>) -> String {
    let states: Vec<String> = states.map(|state| format!("'{state}'")).collect();
    format!("state IN ({})", states.join(", "))
}

fn unfinished_clause() -> String {
    let finished = ItemStatus::ALL.iter().copied().filter(|state| state.is_finished());
    format!("NOT {}", state_in(finished))
}

/// The text forms of the queue's enums are their column values; unknown text (a newer
/// Wharf's, or damage) is an error, never taken for some default.
fn from_text<T>(value: ValueRef<'_>, parse: fn(&str) -> Result<T, UnknownText>) -> FromSqlResult<T> {
    parse(value.as_str()?).map_err(|error| FromSqlError::Other(Box::new(error)))
}

impl ToSql for Direction {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for Direction {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        from_text(value, Direction::parse)
    }
}

impl ToSql for ItemKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for ItemKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        from_text(value, ItemKind::parse)
    }
}

impl ToSql for ItemStatus {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for ItemStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        from_text(value, ItemStatus::parse)
    }
}

impl ToSql for ConflictPolicy {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for ConflictPolicy {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        from_text(value, |text| {
            ConflictPolicy::parse(text).ok_or_else(|| UnknownText {
                what: "conflict policy",
                text: text.to_owned(),
            })
        })
    }
}

impl ToSql for Verification {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.to_string().into())
    }
}

impl FromSql for Verification {
    /// See [`Verification::from_text`]; NULL (never finished) is `NotRecorded` too.
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Null => Ok(Verification::NotRecorded),
            value => Ok(Verification::from_text(value.as_str()?)),
        }
    }
}

/// How long one process waits for another that holds the database.
const BUSY_WAIT: Duration = Duration::from_secs(5);

/// Runs `step` again while SQLite says the database is busy, for up to [`BUSY_WAIT`]. The busy
/// timeout covers most waits, but not all: while one connection switches a new database to
/// WAL or recovers it, another can be told "database is locked" at once, which happened to
/// two Wharf processes starting together (a test, on a loaded machine).
fn while_busy<T>(mut step: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    let deadline = std::time::Instant::now() + BUSY_WAIT;
    loop {
        match step() {
            Err(StoreError::Sql(rusqlite::Error::SqliteFailure(error, _)))
                if error.code == rusqlite::ErrorCode::DatabaseBusy && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
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
        // busy timeout makes one wait briefly for the other instead of failing (set first:
        // switching to WAL takes a lock too, when two start at once).
        connection.busy_timeout(BUSY_WAIT)?;
        while_busy(|| Ok(connection.pragma_update(None, "journal_mode", "WAL")?))?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        let mut store = QueueStore { connection };
        while_busy(|| store.migrate())?;
        Ok(store)
    }

    /// Brings the schema up to date. Each step runs in an immediate transaction that reads
    /// the version again inside it: two processes starting at once must not both run the
    /// same step (the second waits, then finds it done).
    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = MIGRATIONS.len() as i64;
        loop {
            let transaction = self
                .connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let version: i64 = transaction.pragma_query_value(None, "user_version", |row| row.get(0))?;
            if version > known {
                return Err(StoreError::TooNew { found: version, known });
            }
            let Some(migration) = usize::try_from(version).ok().and_then(|index| MIGRATIONS.get(index)) else {
                return Ok(());
            };
            transaction.execute_batch(migration)?;
            transaction.pragma_update(None, "user_version", version + 1)?;
            transaction.commit()?;
        }
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .connection
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// Appends items in one transaction; returns their ids in order.
    pub fn add(&mut self, items: &[NewItem]) -> Result<Vec<i64>, StoreError> {
        self.atomically(|connection| insert(connection, items))
    }

    /// Queues what a folder holds and marks the folder done, in one transaction: after a
    /// crash either both happened or neither, so a folder is never expanded twice.
    pub fn expand(&mut self, folder: i64, children: &[NewItem]) -> Result<Vec<i64>, StoreError> {
        self.atomically(|connection| {
            let ids = insert(connection, children)?;
            connection.execute(
                "UPDATE items SET state = 'done', kind = 'folder', error = NULL WHERE id = ?1",
                params![folder],
            )?;
            Ok(ids)
        })
    }

    /// Records what an `auto` item turned out to be, with its final paths and the source's
    /// size and time as seen now.
    pub fn resolve(&self, id: i64, item: &NewItem) -> Result<(), StoreError> {
        self.run(
            "UPDATE items SET kind = ?2, local_path = ?3, remote_path = ?4, size = ?5, source_mtime = ?6 WHERE id = ?1",
            params![
                id,
                item.kind,
                path_bytes(&item.local_path),
                item.remote_path,
                item.size.map(to_sql),
                item.source_mtime
            ],
        )?;
        Ok(())
    }

    /// Records a state change (and its error, for failures), committed at once.
    pub fn set_state(&self, id: i64, state: ItemStatus, error: Option<&str>) -> Result<(), StoreError> {
        self.run(
            "UPDATE items SET state = ?2, error = ?3, attempts = attempts + (?2 = 'running') WHERE id = ?1",
            params![id, state, error],
        )?;
        Ok(())
    }

    /// Records a finished item with how it was verified.
    pub fn set_done(&self, id: i64, bytes_done: u64, verified: Verification) -> Result<(), StoreError> {
        self.run(
            "UPDATE items SET state = 'done', error = NULL, bytes_done = ?2, verified = ?3,
             lease_owner = NULL, lease_until = NULL, upload_token = NULL WHERE id = ?1",
            params![id, to_sql(bytes_done), verified],
        )?;
        Ok(())
    }

    /// Keeps the server's handle on the item's upload (S3's multipart upload id), committed
    /// at once: a `kill -9` a moment later must not lose what the next attempt continues.
    pub fn set_upload_token(&self, id: i64, token: Option<&str>) -> Result<(), StoreError> {
        self.run("UPDATE items SET upload_token = ?2 WHERE id = ?1", params![id, token])?;
        Ok(())
    }

    /// Puts failed items back in the queue with a fresh attempt count.
    pub fn requeue(&self, id: i64) -> Result<(), StoreError> {
        self.run(
            "UPDATE items SET state = 'queued', error = NULL, attempts = 0 WHERE id = ?1",
            params![id],
        )?;
        Ok(())
    }

    /// Records how far a transfer got.
    pub fn checkpoint(&self, id: i64, bytes_done: u64) -> Result<(), StoreError> {
        self.checkpoint_many(&[(id, bytes_done)])
    }

    /// Records how far several transfers got, in one transaction.
    pub fn checkpoint_many(&self, offsets: &[(i64, u64)]) -> Result<(), StoreError> {
        self.atomically(|connection| {
            let mut update = connection.prepare_cached("UPDATE items SET bytes_done = ?2 WHERE id = ?1")?;
            for &(id, bytes_done) in offsets {
                update.execute(params![id, to_sql(bytes_done)])?;
            }
            Ok(())
        })
    }

    /// Every item in queue order.
    /// Up to `limit` items in queue order, after `after` (from the start without it), and
    /// where the page ended (`None` when there are no more). Reading the queue a page at a
    /// time keeps a restart from holding every row twice, as rows and as the queue.
    pub fn page(&self, after: Option<PageEnd>, limit: usize) -> Result<(Vec<StoredItem>, Option<PageEnd>), StoreError> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {COLUMNS}, position FROM items WHERE (position, id) > (?1, ?2) ORDER BY position, id LIMIT ?3"
        ))?;
        let start = after.unwrap_or(PageEnd {
            position: i64::MIN,
            id: i64::MIN,
        });
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = statement.query(params![start.position, start.id, limit])?;
        let (mut items, mut end) = (Vec::new(), None);
        // `position` comes after the columns an item is read from.
        let position = COLUMNS.split(',').count();
        while let Some(row) = rows.next()? {
            end = Some(PageEnd {
                position: row.get(position)?,
                id: row.get(0)?,
            });
            match read_item(row) {
                Ok(item) => items.push(item),
                // As in `select`: an unreadable item stays in the database untouched.
                Err(rusqlite::Error::FromSqlConversionFailure(_, _, error)) => {
                    tracing::warn!("a queue item could not be read and stays in the database untouched: {error}");
                }
                Err(error) => return Err(error.into()),
            }
        }
        Ok((items, end))
    }

    /// An item's paths and source time, which the queue reads when it needs them rather
    /// than keeping every item's in memory.
    pub fn details(&self, id: i64) -> Result<Option<ItemDetails>, StoreError> {
        Ok(self
            .connection
            .prepare_cached(
                "SELECT local_path, remote_path, source_mtime, keep_replaced, upload_token FROM items WHERE id = ?1",
            )?
            .query_row(params![id], |row| {
                Ok(ItemDetails {
                    local_path: path_from_bytes(row.get(0)?),
                    remote_path: row.get(1)?,
                    source_mtime: row.get(2)?,
                    keep_replaced: row.get::<_, Option<Vec<u8>>>(3)?.map(path_from_bytes),
                    upload_token: row.get(4)?,
                })
            })
            .optional()?)
    }

    pub fn all(&self) -> Result<Vec<StoredItem>, StoreError> {
        self.select(&format!("SELECT {COLUMNS} FROM items ORDER BY position"), [])
    }

    /// Items that were running when their process stopped (a crash, a kill: `is_alive` says
    /// the lease holder is gone) are queued again.
    pub fn recover(&self, is_alive: &dyn Fn(&str) -> bool) -> Result<(), StoreError> {
        let running: Vec<(i64, Option<String>)> = {
            let mut statement = self
                .connection
                .prepare("SELECT id, lease_owner FROM items WHERE state = 'running'")?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (id, owner) in running {
            if owner.as_deref().is_none_or(|owner| !is_alive(owner)) {
                self.connection.execute(
                    "UPDATE items SET state = 'queued', lease_owner = NULL, lease_until = NULL WHERE id = ?1",
                    params![id],
                )?;
            }
        }
        Ok(())
    }

    /// Items not finished, in queue order.
    #[cfg(test)]
    fn unfinished(&self) -> Result<Vec<StoredItem>, StoreError> {
        self.select(
            &format!(
                "SELECT {COLUMNS} FROM items WHERE {} ORDER BY position",
                unfinished_clause()
            ),
            [],
        )
    }

    /// A number that changes whenever another connection (another Wharf process) commits
    /// to the database, and only then: a cheap way to tell whether to look closer.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .connection
            .pragma_query_value(None, "data_version", |row| row.get(0))?)
    }

    /// What other processes may have changed, in queue order: items added after id `after`,
    /// the items in `watched`, and running items whose lease is not `owner`'s.
    pub fn changed_elsewhere(&self, after: i64, watched: &[i64], owner: &str) -> Result<Vec<StoredItem>, StoreError> {
        // One parameter carries any number of ids, as a JSON array (SQLite's JSON functions
        // are built in).
        let watched: Vec<String> = watched.iter().map(i64::to_string).collect();
        let watched = format!("[{}]", watched.join(","));
        // Three searches by index, not one scan of the whole queue (an OR of them is one);
        // `position` is selected too, for a compound select orders by what it selects.
        self.select(
            &format!(
                "SELECT {COLUMNS}, position FROM items WHERE id > ?1
                 UNION SELECT {COLUMNS}, position FROM items WHERE id IN (SELECT value FROM json_each(?2))
                 UNION SELECT {COLUMNS}, position FROM items WHERE state = 'running' AND lease_owner IS NOT ?3
                 ORDER BY position"
            ),
            params![after, watched, owner],
        )
    }

    fn select(&self, sql: &str, parameters: impl rusqlite::Params) -> Result<Vec<StoredItem>, StoreError> {
        let mut statement = self.connection.prepare(sql)?;
        let rows = statement.query_map(parameters, read_item)?;
        let mut items = Vec::new();
        for row in rows {
            match row {
                Ok(item) => items.push(item),
                // A value this version does not know (a newer Wharf wrote it, or the file was
                // edited): that item is left as it is in the database, and the rest load.
                Err(rusqlite::Error::FromSqlConversionFailure(_, _, error)) => {
                    tracing::warn!("a queue item could not be read and stays in the database untouched: {error}");
                }
                Err(error) => return Err(error.into()),
            }
        }
        Ok(items)
    }

    /// Takes the right to run an item. Only one process gets it; `is_alive` says whether a
    /// current holder still runs, and the lease of one that died is taken over.
    pub fn acquire_lease(&self, id: i64, owner: &str, is_alive: &dyn Fn(&str) -> bool) -> Result<Lease, StoreError> {
        let current: Option<(Option<String>, ItemStatus)> = self
            .connection
            .prepare_cached("SELECT lease_owner, state FROM items WHERE id = ?1")?
            .query_row(params![id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let Some((holder, state)) = current else {
            return Ok(Lease::Finished);
        };
        let seen = holder.clone();
        if state.is_finished() {
            return Ok(Lease::Finished);
        }
        if let Some(holder) = holder
            && holder != owner
            && is_alive(&holder)
        {
            return Ok(Lease::HeldBy(holder));
        }
        // Compare-and-set against the holder just read, so that two processes racing for a
        // dead holder's item cannot both win.
        let changed = self.run(
            "UPDATE items SET lease_owner = ?2, lease_until = NULL WHERE id = ?1 AND lease_owner IS ?3",
            params![id, owner, seen],
        )?;
        Ok(if changed == 1 {
            Lease::Acquired
        } else {
            Lease::HeldBy(self.lease_owner(id)?.unwrap_or_default())
        })
    }

    pub fn release_lease(&self, id: i64, owner: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE id = ?1 AND lease_owner = ?2",
            params![id, owner],
        )?;
        Ok(())
    }

    /// Who holds an item's lease, if anyone.
    pub fn lease_owner(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .prepare_cached("SELECT lease_owner FROM items WHERE id = ?1")?
            .query_row(params![id], |row| row.get(0))
            .optional()?
            .flatten())
    }

    /// Runs `work` so that all of it or none of it is written: in a savepoint, which inside a
    /// batch ([`QueueStore::begin_batch`]) nests in the batch's transaction.
    fn atomically<T>(&self, work: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.connection.execute_batch("SAVEPOINT atomically")?;
        match work(&self.connection) {
            Ok(value) => {
                self.connection.execute_batch("RELEASE atomically")?;
                Ok(value)
            }
            Err(error) => {
                let _ = self
                    .connection
                    .execute_batch("ROLLBACK TO atomically; RELEASE atomically");
                Err(error)
            }
        }
    }

    /// Starts writing the changes that follow in one transaction, until
    /// [`QueueStore::end_batch`]: the queue's thread handles everything that is waiting for it
    /// at once, so workers that finish together cost one commit instead of several each.
    pub fn begin_batch(&self) -> Result<(), StoreError> {
        if self.connection.is_autocommit() {
            self.connection.execute_batch("BEGIN IMMEDIATE")?;
        }
        Ok(())
    }

    /// Commits what was written since [`QueueStore::begin_batch`]. If the commit fails, the
    /// batch is rolled back, so that the connection is never left inside a transaction.
    pub fn end_batch(&self) -> Result<(), StoreError> {
        if self.connection.is_autocommit() {
            return Ok(());
        }
        self.connection.execute_batch("COMMIT").map_err(|error| {
            let _ = self.connection.execute_batch("ROLLBACK");
            StoreError::from(error)
        })
    }

    /// Runs one statement of those run for every item, prepared once per connection: a
    /// folder of small files runs each of them thousands of times.
    fn run(&self, sql: &str, params: impl rusqlite::Params) -> Result<usize, StoreError> {
        Ok(self.connection.prepare_cached(sql)?.execute(params)?)
    }

    /// Moves an unfinished item among the unfinished ones: up and down swap it with its
    /// neighbour, top and bottom put it first or last.
    pub fn move_item(&self, id: i64, placement: Placement) -> Result<(), StoreError> {
        let Some(position): Option<i64> = self
            .connection
            .query_row("SELECT position FROM items WHERE id = ?1", params![id], |row| {
                row.get(0)
            })
            .optional()?
        else {
            return Ok(());
        };
        let unfinished = unfinished_clause();
        let neighbour = |sql: &str| -> Result<Option<(i64, i64)>, StoreError> {
            Ok(self
                .connection
                .query_row(sql, params![position], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?)
        };
        self.atomically(|connection| {
            match placement {
                Placement::Up | Placement::Down => {
                    let sql = if placement == Placement::Up {
                        format!(
                            "SELECT id, position FROM items WHERE {unfinished} AND position < ?1 ORDER BY position DESC LIMIT 1"
                        )
                    } else {
                        format!(
                            "SELECT id, position FROM items WHERE {unfinished} AND position > ?1 ORDER BY position LIMIT 1"
                        )
                    };
                    if let Some((other, other_position)) = neighbour(&sql)? {
                        connection.execute("UPDATE items SET position = ?2 WHERE id = ?1", params![other, position])?;
                        connection.execute(
                            "UPDATE items SET position = ?2 WHERE id = ?1",
                            params![id, other_position],
                        )?;
                    }
                }
                Placement::Top => {
                    connection.execute(
                        "UPDATE items SET position = (SELECT MIN(position) - 1 FROM items) WHERE id = ?1",
                        params![id],
                    )?;
                }
                Placement::Bottom => {
                    connection.execute(
                        "UPDATE items SET position = (SELECT MAX(position) + 1 FROM items) WHERE id = ?1",
                        params![id],
                    )?;
                }
            }
    Ok(())
        })
    }

    /// Removes finished items: done (and skipped), failed (and cancelled), or both.
    pub fn clear(&self, done: bool, failed: bool) -> Result<Vec<i64>, StoreError> {
        let mut states = Vec::new();
        if done {
            states.extend([ItemStatus::Done, ItemStatus::Skipped]);
        }
        if failed {
            states.extend([ItemStatus::Failed, ItemStatus::Cancelled]);
        }
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let states = state_in(states.into_iter());
        let ids: Vec<i64> = {
            let mut statement = self
                .connection
                .prepare(&format!("SELECT id FROM items WHERE {states}"))?;
            let rows = statement.query_map([], |row| row.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        self.connection
            .execute(&format!("DELETE FROM items WHERE {states}"), [])?;
        Ok(ids)
    }

    /// Records how to reach a site, without secrets (the caller's descriptor).
    pub fn save_site(&self, key: &str, descriptor: &str) -> Result<(), StoreError> {
        self.connection.execute(
            "INSERT INTO sites (key, descriptor) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET descriptor = excluded.descriptor",
            params![key, descriptor],
        )?;
        Ok(())
    }

    pub fn site(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection
            .query_row("SELECT descriptor FROM sites WHERE key = ?1", params![key], |row| {
                row.get(0)
            })
            .optional()?)
    }
}

/// One item from a row of [`COLUMNS`].
fn read_item(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredItem> {
    Ok(StoredItem {
        id: row.get(0)?,
        item: NewItem {
            direction: row.get(1)?,
            kind: row.get(2)?,
            site: row.get(3)?,
            local_path: path_from_bytes(row.get(4)?),
            remote_path: row.get(5)?,
            size: row.get::<_, Option<i64>>(6)?.map(from_sql),
            source_mtime: row.get(7)?,
            recursive: row.get(8)?,
            on_conflict: row.get(9)?,
            options: u32::try_from(row.get::<_, i64>(10)?).unwrap_or(0),
            keep_replaced: row.get::<_, Option<Vec<u8>>>(17)?.map(path_from_bytes),
        },
        state: row.get(11)?,
        bytes_done: from_sql(row.get(12)?),
        attempts: u32::try_from(row.get::<_, i64>(13)?).unwrap_or(u32::MAX),
        error: row.get(14)?,
        verified: row.get(15)?,
        lease_owner: row.get(16)?,
    })
}

fn insert(transaction: &Connection, items: &[NewItem]) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(items.len());
    let next: i64 = transaction.query_row("SELECT COALESCE(MAX(position), 0) + 1 FROM items", [], |row| row.get(0))?;
    let mut statement = transaction.prepare_cached(
        "INSERT INTO items (position, direction, kind, site, local_path, remote_path, size, source_mtime,
                            recursive, on_conflict, options, keep_replaced, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'queued')",
    )?;
    for (offset, item) in items.iter().enumerate() {
        statement.execute(params![
            next + offset as i64,
            item.direction,
            item.kind,
            item.site,
            path_bytes(&item.local_path),
            item.remote_path,
            item.size.map(to_sql),
            item.source_mtime,
            item.recursive,
            item.on_conflict,
            item.options,
            item.keep_replaced.as_deref().map(path_bytes),
        ])?;
        ids.push(transaction.last_insert_rowid());
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str) -> NewItem {
        NewItem {
            direction: Direction::Download,
            site: "sftp://me@example.org:22".into(),
            local_path: PathBuf::from(format!("/tmp/{name}")),
            remote_path: format!("/srv/{name}"),
            size: Some(1000),
            source_mtime: Some(1_700_000_000),
            kind: ItemKind::File,
            recursive: false,
            on_conflict: ConflictPolicy::Ask,
            options: 3,
            keep_replaced: None,
        }
    }

    #[test]
    fn where_a_replaced_file_is_kept_comes_back_with_the_details() {
        let mut store = QueueStore::open_in_memory().unwrap();
        let kept = PathBuf::from("/srv/.wharf-trash/20260101-000000/a");
        let ids = store
            .add(&[
                NewItem {
                    keep_replaced: Some(kept.clone()),
                    ..item("a")
                },
                item("b"),
            ])
            .unwrap();
        let details = |id| store.details(id).unwrap().unwrap().keep_replaced;
        assert_eq!((details(ids[0]), details(ids[1])), (Some(kept), None));
    }

    #[test]
    fn an_upload_token_is_kept_until_the_item_is_done() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.db");
        let id = {
            let mut store = QueueStore::open(&path).unwrap();
            let ids = store.add(&[item("a")]).unwrap();
            store.set_upload_token(ids[0], Some("upload-7")).unwrap();
            ids[0]
        };
        // As after a kill: the next process reads it back.
        let store = QueueStore::open(&path).unwrap();
        let token = || store.details(id).unwrap().unwrap().upload_token;
        assert_eq!(token().as_deref(), Some("upload-7"));
        store.set_done(id, 1000, Verification::Size).unwrap();
        assert_eq!(token(), None, "a finished upload has nothing to continue");
    }

    fn nobody_alive(_: &str) -> bool {
        false
    }

    /// Another process knows items by id (issue 13): clearing the newest items must not
    /// hand their ids to the next ones.
    #[test]
    fn a_cleared_id_is_never_used_again() {
        let mut store = QueueStore::open_in_memory().unwrap();
        let first = store.add(&[item("a"), item("b")]).unwrap();
        for &id in &first {
            store.set_done(id, 1, Verification::Size).unwrap();
        }
        store.clear(true, false).unwrap();
        let next = store.add(&[item("c")]).unwrap();
        assert!(next[0] > first[1], "{next:?} after {first:?}");
    }

    /// A queue written before ids were kept unique keeps its items, ids and states.
    #[test]
    fn items_survive_the_move_to_unique_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite");
        {
            let mut connection = Connection::open(&path).unwrap();
            let transaction = connection.transaction().unwrap();
            transaction.execute_batch(MIGRATIONS[0]).unwrap();
            transaction.execute_batch(MIGRATIONS[1]).unwrap();
            transaction.pragma_update(None, "user_version", 2).unwrap();
            // As version 2 wrote a row (`insert` writes the columns of today).
            let old = item("old");
            transaction
                .execute(
                    "INSERT INTO items (position, direction, kind, site, local_path, remote_path, size,
                        source_mtime, recursive, on_conflict, options, state)
                     VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'queued')",
                    params![
                        old.direction,
                        old.kind,
                        old.site,
                        path_bytes(&old.local_path),
                        old.remote_path,
                        old.size.map(to_sql),
                        old.source_mtime,
                        old.recursive,
                        old.on_conflict,
                        old.options
                    ],
                )
                .unwrap();
            transaction.commit().unwrap();
        }
        let store = QueueStore::open(&path).unwrap();
        let items = store.all().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].item, item("old"));
        assert_eq!(items[0].state, ItemStatus::Queued);
    }

    /// Two processes (here threads) opening a new queue at once: both succeed, and each
    /// step ran once (a second run of step 1 would fail: its table exists).
    #[test]
    fn two_openers_at_once_migrate_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite");
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || QueueStore::open(&path).map(|store| store.schema_version()))
            })
            .collect();
        for opener in openers {
            let version = opener.join().unwrap().unwrap().unwrap();
            assert_eq!(version, MIGRATIONS.len() as i64);
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
        assert_eq!(
            again.schema_version().unwrap(),
            MIGRATIONS.len() as i64,
            "reopening does not migrate twice"
        );
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
            store.set_state(ids[0], ItemStatus::Done, None).unwrap();
            store.set_state(ids[1], ItemStatus::Running, None).unwrap();
            store.checkpoint(ids[1], 512).unwrap();
            ids
            // Dropped without any clean shutdown, as in a crash.
        };
        let store = QueueStore::open(&path).unwrap();
        store.recover(&nobody_alive).unwrap();
        let unfinished = store.unfinished().unwrap();
        assert_eq!(
            unfinished.iter().map(|item| item.id).collect::<Vec<_>>(),
            vec![ids[1], ids[2]]
        );
        assert_eq!(unfinished[0].state, ItemStatus::Queued);
        assert_eq!(unfinished[0].bytes_done, 512, "the offset reached is kept for resuming");
        assert_eq!(unfinished[0].attempts, 1);
        assert_eq!(unfinished[0].item, item("b"));
    }

    #[test]
    fn a_batch_is_written_whole_at_its_end_with_its_own_atomic_steps_inside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite");
        let mut store = QueueStore::open(&path).unwrap();
        let other = QueueStore::open(&path).unwrap();
        let ids = store.add(&[item("a")]).unwrap();
        store.begin_batch().unwrap();
        store.set_state(ids[0], ItemStatus::Done, None).unwrap();
        let more = store.add(&[item("b"), item("c")]).unwrap();
        store.checkpoint_many(&[(more[0], 7)]).unwrap();
        // Another process sees none of it before the batch ends...
        let seen = other.all().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].state, ItemStatus::Queued);
        store.end_batch().unwrap();
        // ...and all of it after.
        let seen = other.all().unwrap();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].state, ItemStatus::Done);
        assert_eq!(seen[1].bytes_done, 7);
        // Outside a batch, each change is committed at once, as before.
        store.set_state(more[1], ItemStatus::Failed, Some("refused")).unwrap();
        assert_eq!(other.all().unwrap()[2].state, ItemStatus::Failed);
    }

    #[test]
    fn only_one_process_holds_a_lease() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite");
        let mut first = QueueStore::open(&path).unwrap();
        let second = QueueStore::open(&path).unwrap();
        let id = first.add(&[item("a")]).unwrap()[0];
        let everybody_alive = |_: &str| true;
        assert_eq!(
            first.acquire_lease(id, "window", &everybody_alive).unwrap(),
            Lease::Acquired
        );
        assert_eq!(
            second.acquire_lease(id, "cli", &everybody_alive).unwrap(),
            Lease::HeldBy("window".into()),
            "the other process must wait"
        );
        first.release_lease(id, "window").unwrap();
        assert_eq!(
            second.acquire_lease(id, "cli", &everybody_alive).unwrap(),
            Lease::Acquired
        );
        // The lease of a holder that died is taken over.
        assert_eq!(
            first.acquire_lease(id, "window", &nobody_alive).unwrap(),
            Lease::Acquired
        );
        assert_eq!(second.lease_owner(id).unwrap().as_deref(), Some("window"));
        first.set_done(id, 1000, Verification::Size).unwrap();
        assert_eq!(second.acquire_lease(id, "cli", &nobody_alive).unwrap(), Lease::Finished);
    }

    #[test]
    fn a_running_item_of_a_live_process_is_not_taken_back() {
        let mut store = QueueStore::open_in_memory().unwrap();
        let ids = store.add(&[item("a"), item("b")]).unwrap();
        for &id in &ids {
            store.set_state(id, ItemStatus::Running, None).unwrap();
        }
        store.acquire_lease(ids[0], "alive", &nobody_alive).unwrap();
        store.acquire_lease(ids[1], "dead", &nobody_alive).unwrap();
        store.recover(&|owner: &str| owner == "alive").unwrap();
        let unfinished = store.unfinished().unwrap();
        let states: Vec<ItemStatus> = unfinished.iter().map(|item| item.state).collect();
        assert_eq!(states, vec![ItemStatus::Running, ItemStatus::Queued]);
    }

    /// Issue 13: a window sees what `wharf get` in another process adds and runs.
    #[test]
    fn what_another_process_changed_is_found_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.sqlite");
        let mut here = QueueStore::open(&path).unwrap();
        let mut there = QueueStore::open(&path).unwrap();
        let ids = here
            .add(&[item("idle"), item("taken"), item("watched"), item("mine")])
            .unwrap();
        let (idle, taken, watched, mine) = (ids[0], ids[1], ids[2], ids[3]);
        let before = here.data_version().unwrap();
        here.acquire_lease(mine, "here", &nobody_alive).unwrap();
        here.set_state(mine, ItemStatus::Running, None).unwrap();
        assert_eq!(here.data_version().unwrap(), before, "its own commits do not count");

        let added = there.add(&[item("added")]).unwrap()[0];
        there.acquire_lease(taken, "there", &nobody_alive).unwrap();
        there.set_state(taken, ItemStatus::Running, None).unwrap();
        there.set_done(watched, 1000, Verification::Size).unwrap();
        let after = here.data_version().unwrap();
        assert_ne!(after, before, "another connection's commits do");
        assert_eq!(here.data_version().unwrap(), after, "and only they");

        let changed = here.changed_elsewhere(mine, &[watched], "here").unwrap();
        let found: Vec<(i64, ItemStatus, Option<&str>)> = changed
            .iter()
            .map(|stored| (stored.id, stored.state, stored.lease_owner.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (taken, ItemStatus::Running, Some("there")),
                (watched, ItemStatus::Done, None),
                (added, ItemStatus::Queued, None),
            ],
            "not {idle} (unchanged) nor {mine} (its own)"
        );
        assert_eq!(changed[2].item, item("added"));
        assert_eq!(changed[1].verified, Verification::Size);
    }

    #[test]
    fn pages_give_the_whole_queue_in_its_order_and_step_over_an_unreadable_item() {
        let mut store = QueueStore::open_in_memory().unwrap();
        let ids = store
            .add(&[item("a"), item("b"), item("c"), item("d"), item("e")])
            .unwrap();
        store.move_item(ids[4], Placement::Top).unwrap();
        store
            .connection
            .execute("UPDATE items SET state = 'exploded' WHERE id = ?1", params![ids[1]])
            .unwrap();
        let (mut seen, mut after, mut pages) = (Vec::new(), None, 0);
        loop {
            let (items, end) = store.page(after, 2).unwrap();
            pages += 1;
            seen.extend(items.iter().map(|stored| stored.id));
            match end {
                Some(end) => after = Some(end),
                None => break,
            }
        }
        assert_eq!(
            seen,
            vec![ids[4], ids[0], ids[2], ids[3]],
            "queue order, the unreadable one left out"
        );
        assert_eq!(
            pages, 4,
            "two full pages, one with the unreadable item, and the empty end"
        );
        assert_eq!(store.page(None, 10).unwrap().0.len(), 4);
    }

    #[test]
    fn expanding_a_folder_is_all_or_nothing_and_moves_keep_order() {
        let mut store = QueueStore::open_in_memory().unwrap();
        let folder = store
            .add(&[NewItem {
                kind: ItemKind::Auto,
                ..item("dir")
            }])
            .unwrap()[0];
        let children = store
            .expand(folder, &[item("dir/a"), item("dir/b"), item("dir/c")])
            .unwrap();
        let all = store.all().unwrap();
        assert_eq!(all[0].state, ItemStatus::Done);
        assert_eq!(all[0].item.kind, ItemKind::Folder);
        assert_eq!(all.len(), 4);
        store.move_item(children[2], Placement::Top).unwrap();
        store.move_item(children[0], Placement::Down).unwrap();
        let order: Vec<i64> = store.unfinished().unwrap().iter().map(|item| item.id).collect();
        assert_eq!(order, vec![children[2], children[1], children[0]]);
        store.move_item(children[2], Placement::Bottom).unwrap();
        let order: Vec<i64> = store.unfinished().unwrap().iter().map(|item| item.id).collect();
        assert_eq!(order, vec![children[1], children[0], children[2]]);
    }

    #[test]
    fn clearing_finished_items() {
        let mut store = QueueStore::open_in_memory().unwrap();
        let ids = store.add(&[item("a"), item("b"), item("c")]).unwrap();
        store.set_state(ids[0], ItemStatus::Done, None).unwrap();
        store
            .set_state(ids[1], ItemStatus::Failed, Some("550 No such file"))
            .unwrap();
        assert_eq!(store.all().unwrap()[1].error.as_deref(), Some("550 No such file"));
        assert_eq!(store.clear(true, false).unwrap(), vec![ids[0]]);
        assert_eq!(store.clear(false, true).unwrap(), vec![ids[1]]);
        assert_eq!(store.all().unwrap().len(), 1);
    }

    #[test]
    fn an_item_with_unknown_text_is_left_alone_and_the_others_load() {
        let mut store = QueueStore::open_in_memory().unwrap();
        let ids = store.add(&[item("a"), item("b")]).unwrap();
        store.set_done(ids[0], 1000, Verification::Size).unwrap();
        assert_eq!(store.all().unwrap()[0].verified, Verification::Size);
        // Direction and kind have CHECK constraints; a state has none. Unknown text is not
        // read as a default ('queued' would run it again).
        store
            .connection
            .execute("UPDATE items SET state = 'exploded' WHERE id = ?1", params![ids[0]])
            .unwrap();
        let loaded: Vec<i64> = store.all().unwrap().iter().map(|stored| stored.id).collect();
        assert_eq!(loaded, vec![ids[1]]);
        store
            .connection
            .execute(
                "UPDATE items SET state = 'queued', on_conflict = 'shrug' WHERE id = ?1",
                params![ids[0]],
            )
            .unwrap();
        let loaded: Vec<i64> = store.all().unwrap().iter().map(|stored| stored.id).collect();
        assert_eq!(loaded, vec![ids[1]]);
        let rows: i64 = store
            .connection
            .query_row("SELECT COUNT(*) FROM items", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 2, "the unreadable item stays in the database");
        assert!(ItemStatus::parse("exploded").is_err());
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
