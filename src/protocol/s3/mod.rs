//! S3 and the services that speak its API, as a [`RemoteFs`] whose host is a bucket
//! (`s3://bucket/prefix`), over the HTTP transport of [`crate::protocol::http`] (its TLS
//! trust, timeouts and log) with requests signed by AWS's `aws-sigv4` ([`sign`]).
//!
//! - Where and who: [`config`] (the site, the environment, `~/.aws`).
//! - Folders are key prefixes: a listing is `ListObjectsV2` with the `/` delimiter, every
//!   page of it; `mkdir` writes a zero-byte `prefix/` marker, as the S3 console does, so an
//!   empty folder stays; `rmdir` removes the marker of an empty folder.
//! - Downloads: `GET` with `Range`, resumed.
//! - Uploads (`upload`): one `PUT` up to [`MULTIPART_THRESHOLD`], multipart above it. An
//!   object appears only when complete, so no temporary name is needed (`atomic_uploads`).
//!   A multipart upload interrupted (a dropped connection, `kill -9`) is found again by its
//!   upload id, which the queue keeps with the item ([`ResumeToken`]), and continued after
//!   its last whole part (`ListParts`); every part and the whole object are checked against
//!   the MD5s S3 answers with (its ETags). A cancelled upload is aborted on the server, so
//!   its parts are not kept (and billed).
//! - Rename: a server-side copy (`x-amz-copy-source`) and a delete; files only, up to the
//!   5 GiB a single copy allows.

pub mod config;
pub mod sign;
mod upload;
pub mod xml;

use std::io::Read;

use chrono::{DateTime, Utc};
use reqwest::blocking::Response;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::model::location::RemotePath;
use crate::model::security::Security;
use crate::model::{Entry, EntryKind, Protocol, Site};
use crate::protocol::http::{Transport, download, headers};
use crate::protocol::{
    Capabilities, ConnectContext, ErrorKind, FsError, ListingLimits, ReadStream, RemoteFs, ResumeToken, WriteStream,
    listing_too_long,
};

pub use upload::{MULTIPART_THRESHOLD, part_size};

/// Pages of a listing that may hold nothing (S3 may answer a page of only a few keys),
/// beyond one per entry read.
const MAX_EMPTY_PAGES: usize = 1000;

/// Error bodies are short; a longer one is not read whole.
const MAX_ERROR_BODY: u64 = 64 * 1024;

pub struct S3Fs {
    http: Transport,
    addressing: sign::Addressing,
    limits: ListingLimits,
}

impl S3Fs {
    pub fn connect(site: &Site, context: &ConnectContext) -> Result<S3Fs, FsError> {
        let home = directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_owned());
        let var = |name: &str| std::env::var(name).ok();
        let resolved = config::resolve(site, &config::Environment { var: &var, home })?;
        let keys = match &resolved.keys {
            Some(keys) => format!("access key {} from {}", keys.access_key, keys.source),
            None => "no keys: anonymous requests".to_owned(),
        };
        let style = if resolved.path_style {
            "path-style"
        } else {
            "virtual-host style"
        };
        context.log.status(&format!(
            "S3 bucket {} at {} (region {}, {style}, {keys})",
            site.host,
            crate::protocol::http::shown(&resolved.endpoint),
            resolved.region
        ));
        let addressing = sign::Addressing::new(&site.host, resolved);
        let server = addressing.url("", &[])?;
        let https = server.scheme() == "https";
        let endpoint = Site {
            protocol: if https { Protocol::Https } else { Protocol::Http },
            host: server
                .host_str()
                .unwrap_or_default()
                .trim_matches(['[', ']'])
                .to_owned(),
            port: server.port_or_known_default().unwrap_or(if https { 443 } else { 80 }),
            user: String::new(),
            credentials: Default::default(),
            data_mode: Default::default(),
            tls_if_available: false,
            jump_hosts: Vec::new(),
            s3: Default::default(),
        };
        let http = Transport::connect(&endpoint, context)?;
        let mut fs = S3Fs {
            http,
            addressing,
            limits: context.limits,
        };
        // The keys and the bucket are proven now, not at the first transfer.
        let what = format!("opening the bucket {}", site.host);
        fs.call(
            Method::GET,
            "",
            &[("list-type", "2"), ("max-keys", "1")],
            HeaderMap::new(),
            None,
            &what,
        )?;
        context.log.status(&format!(
            "Connected to {} ({})",
            fs.http.authority(),
            fs.http.security()
        ));
        Ok(fs)
    }

    /// The object key of a path: no leading `/`.
    fn key(path: &RemotePath) -> String {
        path.resolve("/").trim_start_matches('/').to_owned()
    }

    /// One signed request; an unsuccessful answer becomes the error S3 says it is.
    fn call(
        &mut self,
        method: Method,
        key: &str,
        query: &[(&str, &str)],
        headers: HeaderMap,
        body: Option<&[u8]>,
        what: &str,
    ) -> Result<Response, FsError> {
        let url = self.addressing.url(key, query)?;
        let signed = self.addressing.signed(method.as_str(), &url, headers)?;
        let response = self.http.send(method, &url, signed, body, what)?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(self.failure(response, what))
        }
    }

    /// What an unsuccessful answer means, from its `<Error>` when it has one.
    fn failure(&self, response: Response, what: &str) -> FsError {
        let status = response.status();
        let mut body = String::new();
        let _ = response.take(MAX_ERROR_BODY).read_to_string(&mut body);
        match xml::error(&body) {
            Some(error) => self.s3_error(status, &error, what),
            None => self.http.status_error(status, what),
        }
    }

    fn s3_error(&self, status: StatusCode, error: &xml::S3Error, what: &str) -> FsError {
        let (kind, why) = match error.code.as_str() {
            "InvalidAccessKeyId"
            | "SignatureDoesNotMatch"
            | "InvalidToken"
            | "ExpiredToken"
            | "InvalidClientTokenId"
            | "AuthorizationHeaderMalformed" => (ErrorKind::Auth, "the server refused the access key or its secret"),
            "AccessDenied" | "AllAccessDisabled" => (ErrorKind::PermissionDenied, "permission denied"),
            "NoSuchBucket" => (ErrorKind::NotFound, "there is no such bucket"),
            "NoSuchKey" | "NoSuchUpload" => (ErrorKind::NotFound, "no such file"),
            "SlowDown" | "ServiceUnavailable" | "RequestTimeout" => (
                ErrorKind::TooManyConnections,
                "the server is busy; Wharf will try again",
            ),
            "EntityTooLarge" | "QuotaExceeded" => (ErrorKind::NoSpace, "the server has no room for it"),
            _ => (ErrorKind::Protocol, "the server refused it"),
        };
        FsError::new(
            kind,
            format!(
                "{what} failed: {why} ({}: {}; HTTP {}, {})",
                error.code,
                error.message.trim(),
                status.as_u16(),
                self.http.authority()
            ),
        )
    }

    /// One page of `ListObjectsV2` under `prefix`.
    fn page(&mut self, prefix: &str, token: Option<&str>, max: usize, what: &str) -> Result<xml::Page, FsError> {
        let max = max.to_string();
        let mut query = vec![
            ("list-type", "2"),
            ("delimiter", "/"),
            ("prefix", prefix),
            ("max-keys", max.as_str()),
        ];
        if let Some(token) = token {
            query.push(("continuation-token", token));
        }
        let response = self.call(Method::GET, "", &query, HeaderMap::new(), None, what)?;
        let body = self.read_body(response, what)?;
        xml::list_page(&body).map_err(|why| {
            FsError::new(
                ErrorKind::Protocol,
                format!("{what} failed: {why} ({})", self.http.authority()),
            )
        })
    }

    fn read_body(&self, response: Response, what: &str) -> Result<String, FsError> {
        self.http.read_listing(response, self.limits, what)
    }

    fn head(&mut self, key: &str, what: &str) -> Result<Option<HeaderMap>, FsError> {
        match self.call(Method::HEAD, key, &[], HeaderMap::new(), None, what) {
            Ok(response) => Ok(Some(response.headers().clone())),
            Err(error) if error.kind == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn copy_object(&mut self, from: &str, to: &str, what: &str) -> Result<(), FsError> {
        let source = format!(
            "/{}/{}",
            sign::encode(self.addressing.bucket(), false),
            sign::encode(from, true)
        );
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_str(&source).map_err(|_| {
            FsError::new(
                ErrorKind::InvalidName,
                format!("{what} failed: the name cannot be sent"),
            )
        })?;
        headers.insert("x-amz-copy-source", value);
        let response = self.call(Method::PUT, to, &[], headers, None, what)?;
        // A copy can fail after its 200 has begun: the body then holds an <Error>.
        let body = self.read_body(response, what)?;
        match xml::error(&body) {
            Some(error) => Err(self.s3_error(StatusCode::OK, &error, what)),
            None => Ok(()),
        }
    }
}

fn entry(name: &str, kind: EntryKind, size: Option<u64>, modified: Option<DateTime<Utc>>) -> Entry {
    let mut entry = Entry::new(name, kind);
    entry.size = size;
    entry.modified = modified;
    entry
}

impl RemoteFs for S3Fs {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            resume_download: true,
            resume_upload: true,
            set_mtime: false,
            exact_times: true,
            atomic_uploads: true,
        }
    }

    fn home(&self) -> &str {
        "/"
    }

    fn security(&self) -> Security {
        self.http.security()
    }

    fn read_dir(&mut self, path: &RemotePath) -> Result<Vec<Entry>, FsError> {
        let key = S3Fs::key(path);
        let prefix = if key.is_empty() {
            String::new()
        } else {
            format!("{key}/")
        };
        let what = format!("listing {path}");
        let mut entries = Vec::new();
        let mut token: Option<String> = None;
        let mut anything = false;
        let mut pages = 0usize;
        loop {
            pages += 1;
            let page = self.page(&prefix, token.as_deref(), 1000, &what)?;
            anything |= !page.objects.is_empty() || !page.prefixes.is_empty();
            for object in page.objects {
                let name = object.key.strip_prefix(&prefix).unwrap_or(&object.key);
                if !name.is_empty() {
                    entries.push(entry(name, EntryKind::File, Some(object.size), object.modified));
                }
            }
            for folder in page.prefixes {
                let name = folder.strip_prefix(&prefix).unwrap_or(&folder).trim_end_matches('/');
                if !name.is_empty() {
                    entries.push(entry(name, EntryKind::Dir, None, None));
                }
            }
            if entries.len() > self.limits.entries {
                return Err(listing_too_long(&what, &self.http.authority(), self.limits));
            }
            match page.next {
                // A server that repeats a token, or pages on with nothing in the pages,
                // would keep the listing going forever.
                Some(next) if token.as_deref() == Some(next.as_str()) || pages > MAX_EMPTY_PAGES + entries.len() => {
                    return Err(listing_too_long(&what, &self.http.authority(), self.limits));
                }
                Some(next) => token = Some(next),
                None => break,
            }
        }
        if !anything && !key.is_empty() {
            return Err(FsError::new(
                ErrorKind::NotFound,
                format!("{what} failed: no such folder"),
            ));
        }
        Ok(entries)
    }

    fn stat(&mut self, path: &RemotePath) -> Result<Entry, FsError> {
        let key = S3Fs::key(path);
        let name = path.file_name().unwrap_or("/");
        if key.is_empty() {
            return Ok(entry(name, EntryKind::Dir, None, None));
        }
        let what = format!("looking at {path}");
        if let Some(found) = self.head(&key, &what)? {
            let size = headers::content_length(&found);
            return Ok(entry(name, EntryKind::File, size, headers::last_modified(&found)));
        }
        let page = self.page(&format!("{key}/"), None, 1, &what)?;
        if page.objects.is_empty() && page.prefixes.is_empty() {
            return Err(FsError::new(
                ErrorKind::NotFound,
                format!("{what} failed: no such file or folder"),
            ));
        }
        Ok(entry(name, EntryKind::Dir, None, None))
    }

    fn mkdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let what = format!("making the folder {path}");
        if self.stat(path).is_ok() {
            return Err(FsError::new(
                ErrorKind::AlreadyExists,
                format!("{what} failed: something is already there"),
            ));
        }
        let marker = format!("{}/", S3Fs::key(path));
        self.call(Method::PUT, &marker, &[], HeaderMap::new(), Some(&[]), &what)
            .map(drop)
    }

    fn rmdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let what = format!("removing the folder {path}");
        if !self.read_dir(path)?.is_empty() {
            return Err(FsError::new(
                ErrorKind::PermissionDenied,
                format!("{what} failed: the folder is not empty"),
            ));
        }
        let marker = format!("{}/", S3Fs::key(path));
        self.call(Method::DELETE, &marker, &[], HeaderMap::new(), None, &what)
            .map(drop)
    }

    fn remove(&mut self, path: &RemotePath) -> Result<(), FsError> {
        // S3 answers a delete of nothing with success; a missing file is said, as elsewhere.
        if self.stat(path)?.kind != EntryKind::File {
            return Err(FsError::new(
                ErrorKind::Unsupported,
                format!("{path} is a folder, not a file"),
            ));
        }
        let key = S3Fs::key(path);
        self.call(
            Method::DELETE,
            &key,
            &[],
            HeaderMap::new(),
            None,
            &format!("deleting {path}"),
        )
        .map(drop)
    }

    fn rename(&mut self, from: &RemotePath, to: &RemotePath) -> Result<(), FsError> {
        let what = format!("renaming {from} to {to}");
        if self.stat(from)?.kind != EntryKind::File {
            return Err(FsError::new(
                ErrorKind::Unsupported,
                format!(
                    "{what} failed: on S3 a folder is only a prefix, and renaming it would copy every object in it; Wharf renames files only"
                ),
            ));
        }
        let (source, target) = (S3Fs::key(from), S3Fs::key(to));
        self.copy_object(&source, &target, &what)?;
        self.call(Method::DELETE, &source, &[], HeaderMap::new(), None, &what)
            .map(drop)
    }

    fn chmod(&mut self, _path: &RemotePath, _mode: u32) -> Result<(), FsError> {
        Err(FsError::new(ErrorKind::Unsupported, "S3 has no permissions to change"))
    }

    fn set_mtime(&mut self, _path: &RemotePath, _time: DateTime<Utc>) -> Result<(), FsError> {
        Err(FsError::new(
            ErrorKind::Unsupported,
            "S3 keeps its own modification times",
        ))
    }

    fn open_read(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn ReadStream + '_>, FsError> {
        let url = self.addressing.url(&S3Fs::key(path), &[])?;
        let signed = self.addressing.signed("GET", &url, HeaderMap::new())?;
        Ok(Box::new(download::get(&mut self.http, &url, offset, None, signed)?))
    }

    fn open_write(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn WriteStream + '_>, FsError> {
        if offset > 0 {
            return Err(FsError::new(
                ErrorKind::Unsupported,
                "an S3 object cannot be continued once written",
            ));
        }
        Ok(Box::new(upload::Buffered::new(self, S3Fs::key(path))))
    }

    fn open_upload(
        &mut self,
        path: &RemotePath,
        offset: u64,
        length: u64,
        earlier: Option<&ResumeToken>,
    ) -> Result<Box<dyn WriteStream + '_>, FsError> {
        upload::open(self, S3Fs::key(path), offset, offset + length, earlier)
    }

    fn uploaded_so_far(&mut self, path: &RemotePath, size: u64, earlier: Option<&ResumeToken>) -> Result<u64, FsError> {
        upload::sent_before(self, &S3Fs::key(path), size, earlier)
    }

    fn discard_upload(&mut self, path: &RemotePath, token: Option<&ResumeToken>) -> Result<(), FsError> {
        match token {
            Some(token) => upload::abort(self, &S3Fs::key(path), token),
            None => Ok(()),
        }
    }
}
