//! What the queue-row fuzz target (the `fuzzing` module) runs: one row of the queue as a damaged
//! or foreign database could hold it, read by the code that loads the queue.
//!
//! SQLite keeps whatever type a value was written with, whatever the column says, so each
//! column may hold NULL, an integer, a real, a text (not always valid UTF-8) or a blob. The
//! input is the row's columns in [`COLUMNS`] order, separated by byte 0x1F; a column's first
//! byte says what it holds: `n` NULL, `i` an integer and `r` a real (in decimal), `t` a text
//! and `b` a blob (the bytes that follow). A column without such a byte is a text, and missing
//! columns are NULL.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::{COLUMNS, read_item};

thread_local! {
    static DATABASE: Option<Connection> = Connection::open_in_memory().ok();
}

/// Reads one row: the whole of it, as `QueueStore` loads items.
pub(crate) fn row(data: &[u8]) {
    let columns = COLUMNS.split(',').count();
    let mut fields = data.split(|&byte| byte == 0x1F);
    // Each column is two parameters: whether to read the value as text, and the value.
    let mut parameters = Vec::with_capacity(columns * 2);
    for _ in 0..columns {
        let (as_text, value) = match fields.next() {
            None => (false, Value::Null),
            Some(field) => match field.split_first() {
                Some((b'n', _)) => (false, Value::Null),
                Some((b'i', digits)) => (false, Value::Integer(decimal(digits).unwrap_or(0))),
                Some((b'r', digits)) => (false, Value::Real(decimal(digits).unwrap_or(f64::NAN))),
                Some((b't', text)) => (true, Value::Blob(text.to_vec())),
                Some((b'b', bytes)) => (false, Value::Blob(bytes.to_vec())),
                _ => (true, Value::Blob(field.to_vec())),
            },
        };
        parameters.push(Value::Integer(i64::from(as_text)));
        parameters.push(value);
    }
    DATABASE.with(|database| {
        let Some(database) = database else {
            return;
        };
        let Ok(mut statement) = database.prepare_cached(&select(columns)) else {
            return;
        };
        let _ = statement.query_row(rusqlite::params_from_iter(parameters), read_item);
    });
}

fn decimal<T: std::str::FromStr>(digits: &[u8]) -> Option<T> {
    std::str::from_utf8(digits).ok()?.trim().parse().ok()
}

/// `SELECT` of `columns` values, each cast to text when its flag says so (a blob cast to text
/// keeps its bytes, valid UTF-8 or not).
fn select(columns: usize) -> String {
    let values: Vec<String> = (1..=columns)
        .map(|column| {
            let (flag, value) = (column * 2 - 1, column * 2);
            format!("CASE ?{flag} WHEN 1 THEN CAST(?{value} AS TEXT) ELSE ?{value} END")
        })
        .collect();
    format!("SELECT {}", values.join(", "))
}
