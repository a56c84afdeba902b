//! Uploads to S3: one streamed `PUT` up to [`MULTIPART_THRESHOLD`], a multipart upload
//! above it, each checked against the MD5 S3 answers with as its ETag (a part's, and for the
//! whole object the MD5 of the parts' MD5s with their count, `…-N`).
//!
//! Four parts travel at once, each on a connection of its own.
//!
//! A multipart upload is S3's own partial file: its parts stay on the server until it is
//! completed or aborted. Its upload id is the stream's [`ResumeToken`], which the queue
//! keeps with the item; resuming (after a dropped connection or a `kill -9`) asks S3 for
//! that upload's parts (`ListParts`) and continues after the last whole one. A fresh start
//! aborts the earlier attempt's upload; a cancelled upload is aborted. Uploads of the same
//! key by anyone else (`ListMultipartUploads` would show them) are never adopted or aborted.

use std::io::{self, Write};

use md5::{Digest, Md5};
use reqwest::Method;
use reqwest::header::HeaderMap;

use super::{S3Fs, xml};
use crate::protocol::http::upload::{Answer, Upload, put};
use crate::protocol::{ErrorKind, FsError, ResumeToken, WriteStream};

/// Parts sent at once (each on a connection of its own), as the AWS tools and rclone do.
const PARTS_AT_ONCE: usize = 4;

/// The most parts S3 takes for one object.
const MAX_PARTS: usize = 10_000;

/// Files up to this size go in one `PUT`; bigger ones in parts of [`part_size`].
pub const MULTIPART_THRESHOLD: u64 = 8 * 1024 * 1024;

/// S3 allows 10,000 parts of at least 5 MiB: parts are 8 MiB, or bigger (whole MiB) for a
/// file of more than 80 GB.
pub fn part_size(total: u64) -> u64 {
    const MIB: u64 = 1024 * 1024;
    let needed = total.div_ceil(10_000).div_ceil(MIB) * MIB;
    needed.max(MULTIPART_THRESHOLD)
}

/// The writer for `total` bytes to `key`, of which `offset` are on the server already, in
/// the multipart upload `earlier` (an earlier attempt's).
pub fn open<'a>(
    fs: &'a mut S3Fs,
    key: String,
    offset: u64,
    total: u64,
    earlier: Option<&ResumeToken>,
) -> Result<Box<dyn WriteStream + 'a>, FsError> {
    if total <= MULTIPART_THRESHOLD {
        if offset > 0 {
            return Err(unsupported("a file sent in one request cannot be continued"));
        }
        let url = fs.addressing.url(&key, &[])?;
        let signed = fs.addressing.signed("PUT", &url, HeaderMap::new())?;
        let upload = put(&mut fs.http, &url, Some(total), signed)?;
        return Ok(Box::new(Single {
            upload,
            md5: Md5::new(),
            what: format!("uploading {key}"),
        }));
    }
    if offset == 0 {
        if let Some(earlier) = earlier {
            // What the earlier attempt sent is not continued: its parts go (failing to
            // abort them is no reason to stop the new upload).
            let _ = abort(fs, &key, earlier);
        }
        let upload_id = create(fs, &key)?;
        return Ok(multipart(fs, key, upload_id, total, Vec::new()));
    }
    let Some(ResumeToken(upload_id)) = earlier else {
        return Err(unsupported("no earlier upload of it is known"));
    };
    let usable = match continued_parts(fs, &key, upload_id, total) {
        Err(error) if error.kind == ErrorKind::NotFound => {
            return Err(unsupported("the interrupted upload is no longer on the server"));
        }
        parts => parts?,
    };
    if usable.len() as u64 * part_size(total) != offset {
        return Err(unsupported(
            "the parts on the server do not end where the upload stopped",
        ));
    }
    fs.http.log().status(&format!(
        "Continuing the multipart upload of {key} after its part {} ({offset} bytes)",
        usable.len()
    ));
    Ok(multipart(fs, key, upload_id.clone(), total, usable))
}

/// The writer of a multipart upload whose parts `done` are on the server.
fn multipart(
    fs: &mut S3Fs,
    key: String,
    upload_id: String,
    total: u64,
    done: Vec<xml::Part>,
) -> Box<dyn WriteStream + '_> {
    let part_size = part_size(total);
    Box::new(Multipart {
        fs,
        key,
        upload_id,
        part_size,
        total,
        position: done.len() as u64 * part_size,
        next_number: done.len() as u32 + 1,
        done,
        current: None,
        sending: std::collections::VecDeque::new(),
        encrypted_by_key: false,
    })
}

/// How much of `size` bytes to `key` the earlier attempt's multipart upload `earlier` holds:
/// its whole parts (never all of them, so that the upload is completed). Nothing when no
/// upload is known or it is gone (completed, aborted, or expired by the bucket's rules).
pub fn sent_before(fs: &mut S3Fs, key: &str, size: u64, earlier: Option<&ResumeToken>) -> Result<u64, FsError> {
    let Some(ResumeToken(upload_id)) = earlier else {
        return Ok(0);
    };
    if size <= MULTIPART_THRESHOLD {
        return Ok(0);
    }
    match continued_parts(fs, key, upload_id, size) {
        Ok(parts) => Ok(parts.len() as u64 * part_size(size)),
        // A key that may write but not list parts (a backup key) starts over.
        Err(error) if matches!(error.kind, ErrorKind::NotFound | ErrorKind::PermissionDenied) => Ok(0),
        Err(error) => Err(error),
    }
}

fn unsupported(why: &str) -> FsError {
    FsError::new(
        ErrorKind::Unsupported,
        format!("{why}; it is sent again from the start"),
    )
}

/// The parts that continue one another from the first, each whole; never the last one, so
/// that a resumed upload sends it and completes the upload.
fn usable(mut parts: Vec<xml::Part>, part_size: u64, total: u64) -> Vec<xml::Part> {
    parts.sort_by_key(|part| part.number);
    let count = total.div_ceil(part_size);
    parts
        .into_iter()
        .enumerate()
        .take_while(|(index, part)| part.number as usize == index + 1 && part.size == part_size)
        .map(|(_, part)| part)
        .take(count.saturating_sub(1) as usize)
        .collect()
}

fn create(fs: &mut S3Fs, key: &str) -> Result<String, FsError> {
    let what = format!("starting the upload of {key}");
    let response = fs.call(
        Method::POST,
        key,
        &[("uploads", "")],
        HeaderMap::new(),
        Some(&[]),
        &what,
    )?;
    let body = fs.read_body(response, &what)?;
    xml::upload_id(&body).map_err(|why| FsError::new(ErrorKind::Protocol, format!("{what} failed: {why}")))
}

/// The whole parts, from the first, of the multipart upload `upload_id` of `key` (for
/// `total` bytes) that a resume continues after: what both the offset and the stream
/// are worked out from.
fn continued_parts(fs: &mut S3Fs, key: &str, upload_id: &str, total: u64) -> Result<Vec<xml::Part>, FsError> {
    Ok(usable(parts_of(fs, key, upload_id)?, part_size(total), total))
}

/// The parts S3 holds of the multipart upload `upload_id` of `key`, every page.
fn parts_of(fs: &mut S3Fs, key: &str, upload_id: &str) -> Result<Vec<xml::Part>, FsError> {
    let what = format!("listing the parts sent of {key}");
    let mut parts = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut query = vec![("uploadId", upload_id)];
        if let Some(marker) = &marker {
            query.push(("part-number-marker", marker.as_str()));
        }
        let response = fs.call(Method::GET, key, &query, HeaderMap::new(), None, &what)?;
        let body = fs.read_body(response, &what)?;
        let (page, next) =
            xml::parts(&body).map_err(|why| FsError::new(ErrorKind::Protocol, format!("{what} failed: {why}")))?;
        parts.extend(page);
        if parts.len() > MAX_PARTS {
            return Err(FsError::new(
                ErrorKind::Protocol,
                format!("{what} failed: more than {MAX_PARTS} parts"),
            ));
        }
        match next {
            Some(next) if Some(&next) != marker.as_ref() => marker = Some(next),
            _ => break,
        }
    }
    Ok(parts)
}

/// Aborts the multipart upload `token` of `key`, so that its parts are not kept (and
/// billed) for nothing. One that is gone already is no error.
pub fn abort(fs: &mut S3Fs, key: &str, token: &ResumeToken) -> Result<(), FsError> {
    let what = format!("aborting the unfinished upload of {key}");
    match fs.call(
        Method::DELETE,
        key,
        &[("uploadId", &token.0)],
        HeaderMap::new(),
        None,
        &what,
    ) {
        Ok(_) => {
            fs.http.log().status(&format!(
                "Aborted the unfinished upload of {key}: its parts are gone from the server"
            ));
            Ok(())
        }
        Err(error) if error.kind == ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// Whether the server's ETag is the MD5 it was sent. An ETag that is no MD5 cannot be
/// checked and is taken as it is: one that is not 32 hex digits (some compatibles), and any
/// ETag of an object encrypted with KMS or the customer's key, whose ETag is 32 hex digits
/// but not the MD5 (the answer's `x-amz-server-side-encryption` headers say so; see
/// `http::upload::Answer`).
fn matches(answer: &Answer, md5: &[u8]) -> bool {
    if answer.encrypted_by_key {
        return true;
    }
    let Some(etag) = answer.etag.as_deref().map(|tag| tag.trim_matches('"')) else {
        return true;
    };
    let is_md5 = etag.len() == 32 && etag.chars().all(|c| c.is_ascii_hexdigit());
    !is_md5 || etag.eq_ignore_ascii_case(&hex(md5))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn differs(what: &str, etag: Option<&str>, md5: &[u8]) -> FsError {
    FsError::new(
        ErrorKind::Protocol,
        format!(
            "{what} failed: the server's copy differs from what was sent (its ETag {}, the MD5 sent {})",
            etag.unwrap_or_default(),
            hex(md5)
        ),
    )
    .retryable(true)
}

/// A file in one `PUT`.
struct Single {
    upload: Upload,
    md5: Md5,
    what: String,
}

impl Write for Single {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        let count = self.upload.write(buffer)?;
        self.md5.update(&buffer[..count]);
        Ok(count)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl WriteStream for Single {
    fn finish(self: Box<Self>) -> Result<(), FsError> {
        let Single { upload, md5, what } = *self;
        let answer = upload.finish_with_answer()?;
        let sent = md5.finalize();
        if matches(&answer, &sent) {
            Ok(())
        } else {
            Err(differs(&what, answer.etag.as_deref(), &sent))
        }
    }
}

/// What `open_write` gives: a write of unknown length, kept in memory and sent in one
/// `PUT` at `finish` (S3 takes no body without its length). The copy routine never uses
/// it; it knows its lengths.
pub struct Buffered<'a> {
    fs: &'a mut S3Fs,
    key: String,
    data: Vec<u8>,
}

impl<'a> Buffered<'a> {
    pub fn new(fs: &'a mut S3Fs, key: String) -> Buffered<'a> {
        Buffered {
            fs,
            key,
            data: Vec::new(),
        }
    }
}

impl Write for Buffered<'_> {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        if self.data.len() as u64 + buffer.len() as u64 > MULTIPART_THRESHOLD {
            return Err(io::Error::other(
                "a write of unknown length to S3 is kept in memory, up to 8 MiB",
            ));
        }
        self.data.extend_from_slice(buffer);
        Ok(buffer.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl WriteStream for Buffered<'_> {
    fn finish(self: Box<Self>) -> Result<(), FsError> {
        let what = format!("uploading {}", self.key);
        let response = self
            .fs
            .call(Method::PUT, &self.key, &[], HeaderMap::new(), Some(&self.data), &what)?;
        let answer = crate::protocol::http::upload::answer(response.headers());
        let sent = Md5::digest(&self.data);
        if matches(&answer, &sent) {
            Ok(())
        } else {
            Err(differs(&what, answer.etag.as_deref(), &sent))
        }
    }
}

/// The part being sent.
struct InFlight {
    upload: Upload,
    md5: Md5,
    number: u32,
    length: u64,
    written: u64,
}

/// A multipart upload: parts streamed one after the other, each checked when it is done.
struct Multipart<'a> {
    fs: &'a mut S3Fs,
    key: String,
    upload_id: String,
    part_size: u64,
    total: u64,
    /// Bytes of the object sent, from its first.
    position: u64,
    done: Vec<xml::Part>,
    current: Option<InFlight>,
    /// Parts written whole whose answers are still to come, oldest first.
    sending: std::collections::VecDeque<InFlight>,
    next_number: u32,
    /// A part came back encrypted with a KMS or customer key: ETags are no MD5s.
    encrypted_by_key: bool,
}

impl Multipart<'_> {
    fn start_part(&mut self) -> Result<InFlight, FsError> {
        let number = self.next_number;
        self.next_number += 1;
        let length = self.part_size.min(self.total - self.position);
        let text = number.to_string();
        let url = self
            .fs
            .addressing
            .url(&self.key, &[("partNumber", &text), ("uploadId", &self.upload_id)])?;
        let signed = self.fs.addressing.signed("PUT", &url, HeaderMap::new())?;
        let upload = put(&mut self.fs.http, &url, Some(length), signed)?;
        Ok(InFlight {
            upload,
            md5: Md5::new(),
            number,
            length,
            written: 0,
        })
    }

    fn end_part(&mut self, part: InFlight) -> Result<(), FsError> {
        let answer = part.upload.finish_with_answer()?;
        let sent = part.md5.finalize();
        if !matches(&answer, &sent) {
            return Err(differs(
                &format!("uploading part {} of {}", part.number, self.key),
                answer.etag.as_deref(),
                &sent,
            ));
        }
        self.encrypted_by_key |= answer.encrypted_by_key;
        self.done.push(xml::Part {
            number: part.number,
            etag: answer.etag.unwrap_or_else(|| format!("\"{}\"", hex(&sent))),
            size: part.length,
        });
        Ok(())
    }

    fn write_some(&mut self, buffer: &[u8]) -> Result<usize, FsError> {
        if self.position >= self.total {
            return Err(FsError::new(
                ErrorKind::Local,
                format!(
                    "uploading {} failed: more bytes than the {} announced",
                    self.key, self.total
                ),
            ));
        }
        let mut part = match self.current.take() {
            Some(part) => part,
            None => self.start_part()?,
        };
        let count = (buffer.len() as u64).min(part.length - part.written) as usize;
        let written = part.upload.write(&buffer[..count]).map_err(|error| {
            FsError::from_network(&error, &format!("uploading part {} of {}", part.number, self.key))
        })?;
        part.md5.update(&buffer[..written]);
        part.written += written as u64;
        self.position += written as u64;
        if part.written == part.length {
            // Its answer is awaited later: a few parts travel at once, as the AWS tools
            // send them, each on a connection of its own.
            self.sending.push_back(part);
            while self.sending.len() >= PARTS_AT_ONCE {
                if let Some(oldest) = self.sending.pop_front() {
                    self.end_part(oldest)?;
                }
            }
        } else {
            self.current = Some(part);
        }
        Ok(written)
    }

    /// The ETag S3 gives a multipart object: the MD5 of the parts' MD5s, and their count.
    fn expected_etag(&self) -> Option<String> {
        let mut digest = Md5::new();
        for part in &self.done {
            let tag = part.etag.trim_matches('"');
            if tag.len() != 32 || !tag.bytes().all(|byte| byte.is_ascii_hexdigit()) {
                return None;
            }
            for index in (0..32).step_by(2) {
                digest.update([u8::from_str_radix(&tag[index..index + 2], 16).ok()?]);
            }
        }
        Some(format!("{}-{}", hex(&digest.finalize()), self.done.len()))
    }
}

impl Write for Multipart<'_> {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        self.write_some(buffer).map_err(|error| io::Error::other(error.message))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Multipart<'_> {
    /// A stopped upload (a pause, a dropped connection, a cancel before its discard) keeps
    /// the parts whose bodies were sent whole: their answers are waited for, each within
    /// the idle timeout, so that a resume finds them on the server.
    fn drop(&mut self) {
        while let Some(part) = self.sending.pop_front() {
            let _ = self.end_part(part);
        }
    }
}

impl WriteStream for Multipart<'_> {
    fn resume_token(&self) -> Option<ResumeToken> {
        Some(ResumeToken(self.upload_id.clone()))
    }

    fn finish(mut self: Box<Self>) -> Result<(), FsError> {
        if let Some(part) = self.current.take() {
            self.sending.push_back(part);
        }
        while let Some(part) = self.sending.pop_front() {
            self.end_part(part)?;
        }
        let what = format!("completing the upload of {}", self.key);
        if self.position != self.total {
            return Err(FsError::new(
                ErrorKind::Local,
                format!("{what} failed: {} of {} bytes were sent", self.position, self.total),
            ));
        }
        let body = xml::completion(&self.done);
        let response = self.fs.call(
            Method::POST,
            &self.key.clone(),
            &[("uploadId", &self.upload_id.clone())],
            HeaderMap::new(),
            Some(body.as_bytes()),
            &what,
        )?;
        let answer = self.fs.read_body(response, &what)?;
        if let Some(error) = xml::error(&answer) {
            return Err(self.fs.s3_error(reqwest::StatusCode::OK, &error, &what));
        }
        let etag = xml::completed_etag(&answer);
        let expected = if self.encrypted_by_key {
            None
        } else {
            self.expected_etag()
        };
        match (etag.as_deref().map(|tag| tag.trim_matches('"')), expected) {
            (Some(got), Some(expected)) if got.contains('-') && !got.eq_ignore_ascii_case(&expected) => Err(FsError::new(
                ErrorKind::Protocol,
                format!("{what} failed: the server's object differs from the parts sent (its ETag {got}, expected {expected})"),
            )
            .retryable(true)),
            _ => Ok(()),
        }
    }
}
