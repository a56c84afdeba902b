//! How numbers and times read in the window: sizes in binary units, speeds, ETAs and dates in
//! the user's time zone. Pure functions, shared by the panes, the queue and the dialogs.

use std::time::Duration;

use chrono::{DateTime, Local, Utc};

/// `1 site`, `3 sites`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `0 B`, `999 B`, `1.0 KiB`, `15.3 MiB` ... like the command line's listing.
pub fn size(bytes: u64) -> String {
    crate::model::rate::human_size(bytes)
}

/// `12.5 MiB/s`.
pub fn speed(bytes_per_second: f64) -> String {
    format!("{}/s", size(bytes_per_second.max(0.0) as u64))
}

/// `42 s`, `3:05`, `1:02:03`, as a queue column reads best.
pub fn eta(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{}:{:02}", seconds / 60, seconds % 60),
        _ => format!("{}:{:02}:{:02}", seconds / 3600, (seconds / 60) % 60, seconds % 60),
    }
}

/// `42 s`, `3 min 5 s`, `1 h 2 min`, as a sentence reads best.
pub fn duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {} s", seconds / 60, seconds % 60),
        _ => format!("{} h {} min", seconds / 3600, (seconds / 60) % 60),
    }
}

/// `2026-11-21 14:03` in local time.
pub fn date(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

/// `2026-11-21 14:03:07` in local time, where seconds tell two versions apart.
pub fn date_to_the_second(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// An optional date, or nothing.
pub fn maybe_date(time: Option<DateTime<Utc>>) -> String {
    time.map(date).unwrap_or_default()
}

/// Parses a rate as people type it ([`crate::model::rate::parse`]): `500K`, `10M`, `1.5M`,
/// `0` or empty for unlimited.
pub fn parse_rate(text: &str) -> Result<Option<u64>, String> {
    crate::model::rate::parse(text).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(1023), "1023 B");
        assert_eq!(size(1024), "1.0 KiB");
        assert_eq!(size(15 * 1024 * 1024 + 300 * 1024), "15.3 MiB");
        assert_eq!(speed(2.5 * 1024.0 * 1024.0), "2.5 MiB/s");
    }

    #[test]
    fn etas_read_like_a_clock() {
        assert_eq!(eta(Duration::from_secs(42)), "42 s");
        assert_eq!(eta(Duration::from_secs(185)), "3:05");
        assert_eq!(eta(Duration::from_secs(3723)), "1:02:03");
    }

    #[test]
    fn rates_parse_with_units() {
        assert_eq!(parse_rate(""), Ok(None));
        assert_eq!(parse_rate("0"), Ok(None));
        assert_eq!(parse_rate("500K"), Ok(Some(512_000)));
        assert_eq!(parse_rate("1.5M"), Ok(Some(1_572_864)));
        assert_eq!(parse_rate("2 MiB/s"), Ok(Some(2 * 1024 * 1024)));
        assert!(parse_rate("fast").is_err());
    }
}
