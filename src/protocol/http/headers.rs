//! The few HTTP response headers a transfer depends on, read strictly: `Content-Range`
//! (where a partial answer starts), `Content-Disposition` (the name a server suggests),
//! `ETag` and `Last-Modified` (whether a resumed download still reads the same file).

use chrono::{DateTime, Utc};
use percent_encoding::percent_decode_str;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE, ETAG, HeaderMap, LAST_MODIFIED};

/// `Content-Range: bytes FIRST-LAST/TOTAL`: the first byte and the total (when known).
pub fn content_range(headers: &HeaderMap) -> Option<(u64, Option<u64>)> {
    let text = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    let rest = text.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (first, last) = span.split_once('-')?;
    let first: u64 = first.trim().parse().ok()?;
    let last: u64 = last.trim().parse().ok()?;
    if last < first {
        return None;
    }
    let total = match total.trim() {
        "*" => None,
        total => Some(total.parse().ok()?),
    };
    Some((first, total))
}

pub fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

pub fn last_modified(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    let text = headers.get(LAST_MODIFIED)?.to_str().ok()?;
    httpdate::parse_http_date(text).ok().map(DateTime::<Utc>::from)
}

/// What `If-Range` can carry to make sure a resumed download continues the same file: a
/// strong `ETag`, else the `Last-Modified` date as the server wrote it. (A weak ETag may not
/// be used with ranges, RFC 9110 13.1.5.)
pub fn validator(headers: &HeaderMap) -> Option<String> {
    let etag = headers
        .get(ETAG)
        .and_then(|value| value.to_str().ok())
        .filter(|tag| tag.starts_with('"'));
    etag.or_else(|| headers.get(LAST_MODIFIED).and_then(|value| value.to_str().ok()))
        .map(str::to_owned)
}

/// The file name of `Content-Disposition`, `filename*` (RFC 8187, UTF-8 or Latin-1) before
/// `filename`. Whatever it holds, the caller checks it as any server's name before use.
pub fn disposition_name(headers: &HeaderMap) -> Option<String> {
    let text = headers.get(CONTENT_DISPOSITION)?.to_str().ok()?;
    let parameters: Vec<(String, String)> = split_parameters(text)
        .into_iter()
        .skip(1)
        .filter_map(|part| {
            let (key, value) = part.split_once('=')?;
            Some((key.trim().to_ascii_lowercase(), unquote(value.trim())))
        })
        .collect();
    let extended = parameters
        .iter()
        .find(|(key, _)| key == "filename*")
        .and_then(|(_, value)| decode_extended(value));
    extended
        .or_else(|| {
            parameters
                .iter()
                .find(|(key, _)| key == "filename")
                .map(|(_, value)| value.clone())
        })
        .filter(|name| !name.is_empty())
}

/// Splits at the semicolons that are not inside quotes.
fn split_parameters(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (index, character) in text.char_indices() {
        match character {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                parts.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|inner| inner.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut characters = inner.chars();
            while let Some(character) = characters.next() {
                match character {
                    '\\' => out.extend(characters.next()),
                    other => out.push(other),
                }
            }
            out
        }
        None => value.to_owned(),
    }
}

/// `UTF-8''na%C3%AFve.txt` (or `ISO-8859-1'en'...`).
fn decode_extended(value: &str) -> Option<String> {
    let mut parts = value.splitn(3, '\'');
    let charset = parts.next()?.to_ascii_lowercase();
    let _language = parts.next()?;
    let bytes: Vec<u8> = percent_decode_str(parts.next()?).collect();
    match charset.as_str() {
        "utf-8" => String::from_utf8(bytes).ok(),
        "iso-8859-1" => Some(bytes.iter().map(|&byte| char::from(byte)).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(name: reqwest::header::HeaderName, value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(name, HeaderValue::from_str(value).unwrap());
        map
    }

    #[test]
    fn ranges() {
        let range = |text| content_range(&headers(CONTENT_RANGE, text));
        assert_eq!(range("bytes 100-199/1000"), Some((100, Some(1000))));
        assert_eq!(range("bytes 0-0/*"), Some((0, None)));
        assert_eq!(range("bytes 5-1/10"), None);
        assert_eq!(range("bytes */1000"), None);
        assert_eq!(range("items 1-2/3"), None);
    }

    #[test]
    fn disposition_names() {
        let name = |text| disposition_name(&headers(CONTENT_DISPOSITION, text));
        assert_eq!(name("attachment; filename=\"a b.zip\""), Some("a b.zip".to_owned()));
        assert_eq!(
            name("attachment; filename=\"fallback.txt\"; filename*=UTF-8''na%C3%AFve%20%E2%82%AC.txt"),
            Some("naïve €.txt".to_owned())
        );
        assert_eq!(
            name("attachment; filename*=iso-8859-1'en'caf%E9"),
            Some("café".to_owned())
        );
        assert_eq!(
            name("attachment; filename=\"semi;colon \\\"q\\\".txt\""),
            Some("semi;colon \"q\".txt".to_owned())
        );
        // Passed on as the server wrote it: the name gate refuses it later.
        assert_eq!(
            name("attachment; filename=\"../../etc/passwd\""),
            Some("../../etc/passwd".to_owned())
        );
        assert_eq!(name("inline"), None);
    }

    #[test]
    fn validators_prefer_a_strong_etag() {
        assert_eq!(validator(&headers(ETAG, "\"abc\"")), Some("\"abc\"".to_owned()));
        assert_eq!(validator(&headers(ETAG, "W/\"abc\"")), None);
        let mut both = headers(ETAG, "W/\"abc\"");
        both.insert(LAST_MODIFIED, HeaderValue::from_static("Tue, 01 Dec 2026 10:00:00 GMT"));
        assert_eq!(validator(&both).as_deref(), Some("Tue, 01 Dec 2026 10:00:00 GMT"));
        assert_eq!(last_modified(&both).unwrap().to_rfc3339(), "2026-12-01T10:00:00+00:00");
    }
}
