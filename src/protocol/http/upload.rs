//! One streamed upload (`PUT`) as a [`WriteStream`]: the copy routine's writes go, in
//! chunks of at most [`CHUNK`], through a small bounded channel to the request's body, which
//! reqwest's async client sends on the connection's upload runtime (`wharf-http-upload`).
//! The channel is the idle timer: a server that stops taking data fills it, and a write
//! that waits longer than the idle timeout fails; as little is in flight (a MiB), the reply
//! is waited for as long again after the last byte even on a slow uplink. The body ends
//! only on an explicit end: a stream dropped before `finish` makes the body fail, and the
//! request is aborted, so the server sees a body cut off, never a short one that looks
//! complete (a chunked body included).

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

/// The biggest piece of a write that goes into the channel.
pub const CHUNK: usize = 256 * 1024;

/// Chunks in flight between the copy routine and the request: a MiB.
const CHUNKS_IN_FLIGHT: usize = 4;

enum Chunk {
    Data(Vec<u8>),
    End,
}

/// What the server answered a finished upload with.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub etag: Option<String>,
    /// S3 encrypted the object with a KMS or customer key (`x-amz-server-side-encryption:
    /// aws:kms*`, `x-amz-server-side-encryption-customer-algorithm`): its ETag is then no MD5.
    pub encrypted_by_key: bool,
}

/// Starts a `PUT` of `length` bytes (unknown: chunked) to `url`.
pub fn put(http: &mut Transport, url: &Url, length: Option<u64>, headers: HeaderMap) -> Result<Upload, FsError> {
    let what = format!("uploading {}", super::request_uri(url));
    let mut request = http.upload_request(Method::PUT, url, headers);
    let (chunks, taken) = mpsc::channel::<Chunk>(CHUNKS_IN_FLIGHT);
    // `None` once the end came: the stream is over. A channel closed without `End` is an
    // error, which makes hyper abort the request.
    let body = futures_util::stream::unfold(Some(taken), |taken| async move {
        let mut taken = taken?;
        match taken.recv().await {
            Some(Chunk::Data(data)) => Some((Ok(data), Some(taken))),
            Some(Chunk::End) => None,
            None => Some((Err(io::Error::other("the upload was stopped")), None)),
        }
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
                    Ok(answer(response.headers()))
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
        answered: false,
        idle: http.idle(),
        what,
    })
}

/// What a successful answer's headers say.
pub fn answer(headers: &HeaderMap) -> Answer {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    Answer {
        etag: header(ETAG.as_str()).map(str::to_owned),
        encrypted_by_key: header("x-amz-server-side-encryption").is_some_and(|kind| kind.starts_with("aws:kms"))
            || header("x-amz-server-side-encryption-customer-algorithm").is_some(),
    }
}

pub struct Upload {
    chunks: Option<mpsc::Sender<Chunk>>,
    /// The request's outcome: what the server answered.
    result: Receiver<Result<Answer, FsError>>,
    /// The request's outcome once it came early (the server answered mid-body).
    outcome: Option<Result<Answer, FsError>>,
    runtime: Arc<Runtime>,
    task: JoinHandle<()>,
    /// The server answered: nothing is left to abort.
    answered: bool,
    idle: Duration,
    what: String,
}

impl Upload {
    /// Ends the body, waits for the server's answer and returns it.
    pub fn finish_with_answer(mut self) -> Result<Answer, FsError> {
        if let Some(chunks) = self.chunks.take() {
            let ended = self
                .runtime
                .block_on(async { tokio::time::timeout(self.idle, chunks.send(Chunk::End)).await });
            if ended.is_err() && self.outcome.is_none() {
                return Err(FsError::new(
                    ErrorKind::Timeout,
                    format!("{} failed: the server stopped taking data", self.what),
                ));
            }
        }
        self.outcome()
    }

    fn outcome(&mut self) -> Result<Answer, FsError> {
        if let Some(outcome) = self.outcome.take() {
            return outcome;
        }
        match self.result.recv_timeout(self.idle) {
            Ok(outcome) => {
                self.answered = true;
                outcome
            }
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
        let taken = buffer.len().min(CHUNK);
        let chunk = Chunk::Data(buffer[..taken].to_vec());
        let sent = self
            .runtime
            .block_on(async { tokio::time::timeout(self.idle, chunks.send(chunk)).await });
        match sent {
            Ok(Ok(())) => Ok(taken),
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
        self.finish_with_answer().map(drop)
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if !self.answered {
            // No answer yet (not finished, or given up on): the request is cut off, so
            // the server never takes what was sent for a whole file, and nothing runs on.
            self.task.abort();
        }
    }
}
