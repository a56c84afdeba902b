//! One streamed upload (`PUT`) as a [`WriteStream`]: the copy routine's writes go through a
//! small bounded channel to a thread of the upload's own (`wharf-http-upload`), where
//! reqwest reads them as the request's body. The channel is the idle timer: a server that
//! stops taking data fills it, and a write that waits longer than the idle timeout fails.
//! The reply is waited for as long again after the last byte. Dropping the stream before
//! `finish` makes the body fail, so the request is cut off rather than sent short.

use std::io::{self, Read, Write};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, SendTimeoutError, Sender};
use reqwest::Method;
use reqwest::blocking::Body;
use reqwest::header::HeaderMap;
use url::Url;

use super::{Transport, request_failed, status_error};
use crate::protocol::{ErrorKind, FsError, WriteStream};

/// Chunks in flight between the copy routine and the request: with its buffers of a few
/// hundred KiB, a few MiB at most.
const CHUNKS_IN_FLIGHT: usize = 8;

enum Chunk {
    Data(Vec<u8>),
    End,
}

/// Starts a `PUT` of `length` bytes (unknown: chunked) to `url`.
pub fn put(http: &mut Transport, url: &Url, length: Option<u64>, headers: HeaderMap) -> Result<Upload, FsError> {
    let what = format!("uploading {}", super::request_uri(url));
    let request = http.upload_request(Method::PUT, url, headers);
    let (chunks, taken) = crossbeam_channel::bounded(CHUNKS_IN_FLIGHT);
    let (done, result) = crossbeam_channel::bounded(1);
    let reader = ChunkReader {
        chunks: taken,
        current: Vec::new(),
        position: 0,
    };
    let body = match length {
        Some(length) => Body::sized(reader, length),
        None => Body::new(reader),
    };
    let (log, authority, answered) = (http.log().clone(), http.authority(), http.answered());
    let thread_what = what.clone();
    std::thread::Builder::new()
        .name("wharf-http-upload".to_owned())
        .spawn(move || {
            let outcome = request
                .body(body)
                .send()
                .map_err(|error| request_failed(&error, &thread_what))
                .and_then(|response| {
                    let status = response.status();
                    log.reply(&format!(
                        "{} {}",
                        status.as_u16(),
                        status.canonical_reason().unwrap_or("")
                    ));
                    if status.is_success() {
                        Ok(response
                            .headers()
                            .get(reqwest::header::ETAG)
                            .and_then(|value| value.to_str().ok())
                            .map(str::to_owned))
                    } else {
                        Err(status_error(status, &thread_what, &authority, answered))
                    }
                });
            let _ = done.send(outcome);
        })
        .map_err(|error| FsError::new(ErrorKind::Local, format!("{what} failed: no thread for it ({error})")))?;
    Ok(Upload {
        chunks: Some(chunks),
        result,
        outcome: None,
        idle: http.idle(),
        what,
    })
}

pub struct Upload {
    chunks: Option<Sender<Chunk>>,
    /// The request's outcome: the ETag the server answered with, when it sent one.
    result: Receiver<Result<Option<String>, FsError>>,
    /// The request's outcome once it came early (the server answered mid-body).
    outcome: Option<Result<Option<String>, FsError>>,
    idle: Duration,
    what: String,
}

impl Upload {
    /// Ends the body, waits for the server's answer and returns its ETag.
    pub fn finish_with_etag(mut self) -> Result<Option<String>, FsError> {
        // The body ends at its length: the reader may be gone already (`Disconnected`),
        // which is no failure; the outcome says how the request went.
        if let Some(chunks) = self.chunks.take()
            && let Err(SendTimeoutError::Timeout(_)) = chunks.send_timeout(Chunk::End, self.idle)
            && self.outcome.is_none()
        {
            return Err(FsError::new(
                ErrorKind::Timeout,
                format!("{} failed: the server stopped taking data", self.what),
            ));
        }
        self.outcome()
    }

    fn outcome(&mut self) -> Result<Option<String>, FsError> {
        if let Some(outcome) = self.outcome.take() {
            return outcome;
        }
        match self.result.recv_timeout(self.idle) {
            Ok(outcome) => outcome,
            Err(RecvTimeoutError::Timeout) => Err(FsError::new(
                ErrorKind::Timeout,
                format!("{} failed: the server did not answer after the last byte", self.what),
            )),
            Err(RecvTimeoutError::Disconnected) => Err(FsError::new(
                ErrorKind::ConnectionLost,
                format!("{} failed: the upload's thread ended without an answer", self.what),
            )),
        }
    }
}

impl Write for Upload {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        let Some(chunks) = &self.chunks else {
            return Err(io::Error::other("the upload has ended"));
        };
        match chunks.send_timeout(Chunk::Data(buffer.to_vec()), self.idle) {
            Ok(()) => Ok(buffer.len()),
            Err(SendTimeoutError::Timeout(_)) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the server stopped taking data",
            )),
            Err(SendTimeoutError::Disconnected(_)) => {
                // The request ended before its body: the server answered (507, 403) or
                // the connection broke. Its outcome says which.
                self.chunks = None;
                let outcome = self.outcome();
                let message = match &outcome {
                    Err(error) => error.message.clone(),
                    Ok(_) => "the server answered before the whole file was sent".to_owned(),
                };
                self.outcome = Some(outcome);
                Err(io::Error::other(message))
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl WriteStream for Upload {
    fn finish(self: Box<Self>) -> Result<(), FsError> {
        self.finish_with_etag().map(drop)
    }
}

/// The request's side of the channel: the body as reqwest reads it. The sender gone
/// without [`Chunk::End`] is an error, so that a dropped upload is never a finished one.
struct ChunkReader {
    chunks: Receiver<Chunk>,
    current: Vec<u8>,
    position: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        while self.position == self.current.len() {
            match self.chunks.recv() {
                Ok(Chunk::Data(data)) => {
                    self.current = data;
                    self.position = 0;
                }
                Ok(Chunk::End) => return Ok(0),
                Err(_) => return Err(io::Error::other("the upload was stopped")),
            }
        }
        let count = buffer.len().min(self.current.len() - self.position);
        buffer[..count].copy_from_slice(&self.current[self.position..self.position + count]);
        self.position += count;
        Ok(count)
    }
}
