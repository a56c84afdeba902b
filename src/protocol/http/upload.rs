//! One streamed upload (`PUT`) as a [`WriteStream`]: the copy routine's writes go, in the
//! chunks they are written in, through a small bounded channel to the request's body, which
//! reqwest's async client sends on the connection's upload runtime (`wharf-http-upload`).
//! The channel is the idle timer: a server that stops taking data fills it, and a write
//! that waits longer than the idle timeout fails. The reply is waited for as long again
//! after the last byte. Dropping the stream before `finish` aborts the request, so the
//! server sees a body cut off, never a short one that looks complete.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError};
use reqwest::Method;
use reqwest::header::{CONTENT_LENGTH, ETAG, HeaderMap, HeaderValue};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use url::Url;

use super::{Transport, request_failed, status_error};
use crate::protocol::{ErrorKind, FsError, WriteStream};

/// Chunks in flight between the copy routine and the request: with its buffers of a few
/// hundred KiB, a few MiB at most.
const CHUNKS_IN_FLIGHT: usize = 8;

type Chunk = Result<Vec<u8>, io::Error>;

/// Starts a `PUT` of `length` bytes (unknown: chunked) to `url`.
pub fn put(http: &mut Transport, url: &Url, length: Option<u64>, headers: HeaderMap) -> Result<Upload, FsError> {
    let what = format!("uploading {}", super::request_uri(url));
    let mut request = http.upload_request(Method::PUT, url, headers);
    let (chunks, taken) = mpsc::channel::<Chunk>(CHUNKS_IN_FLIGHT);
    let body = futures_util::stream::unfold(taken, |mut taken| async move {
        taken.recv().await.map(|chunk| (chunk, taken))
    });
    request = request.body(reqwest::Body::wrap_stream(body));
    if let Some(length) = length {
        request = request.header(CONTENT_LENGTH, HeaderValue::from(length));
    }
    let (done, result) = crossbeam_channel::bounded(1);
    let (log, authority, answered) = (http.log().clone(), http.authority(), http.answered());
    let task_what = what.clone();
    let task = http.runtime().spawn(async move {
        let outcome = match request.send().await {
            Err(error) => Err(request_failed(&error, &task_what)),
            Ok(response) => {
                let status = response.status();
                log.reply(&format!(
                    "{} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                ));
                if status.is_success() {
                    Ok(response
                        .headers()
                        .get(ETAG)
                        .and_then(|value| value.to_str().ok())
                        .map(str::to_owned))
                } else {
                    Err(status_error(status, &task_what, &authority, answered))
                }
            }
        };
        let _ = done.send(outcome);
    });
    Ok(Upload {
        chunks: Some(chunks),
        result,
        outcome: None,
        runtime: http.runtime().clone(),
        task,
        finished: false,
        idle: http.idle(),
        what,
    })
}

pub struct Upload {
    chunks: Option<mpsc::Sender<Chunk>>,
    /// The request's outcome: the ETag the server answered with, when it sent one.
    result: Receiver<Result<Option<String>, FsError>>,
    /// The request's outcome once it came early (the server answered mid-body).
    outcome: Option<Result<Option<String>, FsError>>,
    runtime: Arc<Runtime>,
    task: JoinHandle<()>,
    finished: bool,
    idle: Duration,
    what: String,
}

impl Upload {
    /// Ends the body, waits for the server's answer and returns its ETag.
    pub fn finish_with_etag(mut self) -> Result<Option<String>, FsError> {
        self.finished = true;
        // The body ends where its sender goes.
        self.chunks = None;
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
                format!("{} failed: the upload ended without an answer", self.what),
            )),
        }
    }
}

impl Write for Upload {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        let Some(chunks) = &self.chunks else {
            return Err(io::Error::other("the upload has ended"));
        };
        let chunk = Ok(buffer.to_vec());
        let sent = self
            .runtime
            .block_on(async { tokio::time::timeout(self.idle, chunks.send(chunk)).await });
        match sent {
            Ok(Ok(())) => Ok(buffer.len()),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the server stopped taking data",
            )),
            Ok(Err(_)) => {
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

impl Drop for Upload {
    fn drop(&mut self) {
        if !self.finished {
            // Not finished: the request is cut off, so the server never takes what was
            // sent for a whole file.
            self.task.abort();
        }
    }
}
