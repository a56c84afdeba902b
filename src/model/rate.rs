//! Bandwidth limits as people type them, for the window's settings and the command line's
//! `--limit-rate`: `500K`, `10M`, `1.5G`, `2 MiB/s`; and sizes as people read them.

/// Text that is not a rate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a rate; write it like 500K, 10M or 1.5G")]
pub struct RateError {
    text: String,
}

/// Parses a rate in bytes per second: a number, then optionally `K`, `M` or `G` (powers of
/// 1024, in either case, with or without an `i`), then optionally `B` and `/s`. Empty, zero
/// or less means no limit (`None`).
pub fn parse(text: &str) -> Result<Option<u64>, RateError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let error = || RateError { text: text.to_owned() };
    let mut rest = text;
    while let Some(stripped) = rest.strip_suffix("/s").or_else(|| rest.strip_suffix("/S")) {
        rest = stripped;
    }
    let rest = rest.trim_end_matches(['B', 'b']);
    // The unit is the ASCII letters at the end; what comes before is the number (slicing at
    // its length never splits a character, whatever was typed).
    let number = rest.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &rest[number.len()..];
    let multiplier = match unit.to_ascii_uppercase().as_str() {
        "" => 1.0,
        "K" | "KI" => 1024.0,
        "M" | "MI" => 1024.0 * 1024.0,
        "G" | "GI" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(error()),
    };
    match number.trim().parse::<f64>() {
        Ok(value) if value > 0.0 && value.is_finite() => Ok(Some((value * multiplier) as u64)),
        Ok(value) if value.is_finite() => Ok(None),
        _ => Err(error()),
    }
}

/// Parses a rate that must limit something, as an option's value (where no limit is no
/// option): like [`parse`], but empty or zero is an error.
pub fn parse_limit(text: &str) -> Result<u64, RateError> {
    parse(text)?.ok_or_else(|| RateError {
        text: text.trim().to_owned(),
    })
}

/// A size as people read it, in binary units: `999 B`, `1.5 KiB`, `15.3 MiB`. The window,
/// the command line and the engine's sentences ("N free on /path") all say sizes this way.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anything_typed_is_an_answer_never_a_panic() {
        for typed in [
            "5€", "5µ", "１０M", "€", "µM", "5 ÷ 2", "1e3K", "-3M", "nan", "inf", "MB/s",
        ] {
            let _ = parse(typed);
        }
        assert!(parse("5€").is_err());
        assert!(parse("１０M").is_err());
        assert!(parse("µM").is_err());
    }

    #[test]
    fn what_the_window_accepted() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("0"), Ok(None));
        assert_eq!(parse("500K"), Ok(Some(512_000)));
        assert_eq!(parse("1.5M"), Ok(Some(1_572_864)));
        assert_eq!(parse("2 MiB/s"), Ok(Some(2 * 1024 * 1024)));
        assert_eq!(parse("3 kb"), Ok(Some(3 * 1024)));
        assert!(parse("fast").is_err());
    }

    #[test]
    fn what_the_command_line_accepted() {
        assert_eq!(parse("10M"), Ok(Some(10_485_760)));
        assert_eq!(parse("500k"), Ok(Some(512_000)));
        assert_eq!(parse("1.5G"), Ok(Some(1_610_612_736)));
        assert_eq!(parse("1.5g"), Ok(Some(1_610_612_736)));
        assert_eq!(parse("10MB/s"), Ok(Some(10_485_760)));
        assert_eq!(parse("256/s"), Ok(Some(256)));
        assert_eq!(parse("1e3K"), Ok(Some(1_024_000)));
        assert_eq!(parse(" 64 "), Ok(Some(64)));
        assert!(parse("10X").is_err());
        assert!(parse("inf").is_err());
        assert!(parse("1 0M").is_err());
    }

    #[test]
    fn a_limit_must_limit() {
        assert_eq!(parse_limit("256K"), Ok(256 * 1024));
        assert!(parse_limit("0").is_err());
        assert!(parse_limit("").is_err());
        assert!(parse_limit("-1M").is_err());
    }

    #[test]
    fn the_error_says_how_to_write_a_rate() {
        let error = parse("fast").unwrap_err();
        assert_eq!(
            error.to_string(),
            "\"fast\" is not a rate; write it like 500K, 10M or 1.5G"
        );
    }
}
