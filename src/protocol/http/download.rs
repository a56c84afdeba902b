//! One download over HTTP, for links and WebDAV alike: a `GET`, or from an offset a `GET`
//! with `Range` and, when the file's validator is known, `If-Range`, so that a file that
//! changed meanwhile comes whole instead of spliced. A whole file where the rest was asked
//! for (a server that ignores ranges, or a changed file) is said in the log and marked
//! [`ReadStream::restarted`], and the copy starts over from its first byte. The body is
//! counted, so that a reply cut short is an error, not a short file.

use std::io::Read;

use reqwest::blocking::Response;
use reqwest::header::{HeaderMap, HeaderValue, IF_RANGE, RANGE};
use reqwest::{Method, StatusCode};
use url::Url;

use super::{Transport, headers};
use crate::protocol::{ErrorKind, FsError, ReadStream};

/// Starts the download of `url` from `offset`; `validator` is the file's strong ETag or
/// Last-Modified date as last seen; `headers` go with the request (S3's signature).
pub fn get(
    http: &mut Transport,
    url: &Url,
    offset: u64,
    validator: Option<&str>,
    headers: HeaderMap,
) -> Result<Download, FsError> {
    let what = format!("downloading {}", super::request_uri(url));
    let mut request_headers = headers;
    if offset > 0 {
        if let Ok(range) = HeaderValue::from_str(&format!("bytes={offset}-")) {
            request_headers.insert(RANGE, range);
        }
        if let Some(value) = validator.and_then(|text| HeaderValue::from_str(text).ok()) {
            request_headers.insert(IF_RANGE, value);
        }
    }
    let response = http.send(Method::GET, url, request_headers, None, &what)?;
    let response = http.check(response, &what)?;
    let whole = headers::content_length(response.headers());
    let (expected, restarted) = match (offset, response.status()) {
        (0, _) => (whole, false),
        (_, StatusCode::PARTIAL_CONTENT) => (continued(&response, offset, &what)?, false),
        _ => {
            http.log().warning(&format!(
                "The server sent all of {} instead of the rest from byte {offset} (it ignores ranges, or the \
                 file changed): downloading it again from the start",
                super::request_uri(url)
            ));
            (whole, true)
        }
    };
    Ok(Download {
        response,
        expected,
        got: 0,
        what,
        restarted,
    })
}

/// The bytes a `206` reply to `Range: bytes=offset-` carries, once it is sure to start there.
fn continued(response: &Response, offset: u64, what: &str) -> Result<Option<u64>, FsError> {
    match headers::content_range(response.headers()) {
        Some((first, total)) if first == offset => Ok(total.map(|total| total.saturating_sub(offset))),
        Some((first, _)) => Err(FsError::new(
            ErrorKind::Protocol,
            format!("{what} failed: asked for the rest from byte {offset}, the server sent from byte {first}"),
        )),
        None => Err(FsError::new(
            ErrorKind::Protocol,
            format!("{what} failed: a partial reply without a Content-Range the download can trust"),
        )),
    }
}

/// A download's body.
pub struct Download {
    response: Response,
    expected: Option<u64>,
    got: u64,
    what: String,
    restarted: bool,
}

impl Read for Download {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let count = self.response.read(buffer)?;
        self.got += count as u64;
        Ok(count)
    }
}

impl ReadStream for Download {
    fn finish(self: Box<Self>) -> Result<(), FsError> {
        match self.expected {
            Some(expected) if self.got != expected => Err(FsError::new(
                ErrorKind::ConnectionLost,
                format!(
                    "{} failed: the server announced {expected} bytes and sent {}",
                    self.what, self.got
                ),
            )),
            _ => Ok(()),
        }
    }

    fn restarted(&self) -> bool {
        self.restarted
    }
}
