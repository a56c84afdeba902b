//! WebDAV (`dav://`, `davs://`; RFC 4918) as a [`RemoteFs`], over the HTTP transport of
//! [`crate::protocol::http`]: its TLS trust, Basic and Digest, timeouts and redirects.
//!
//! - Listing: `PROPFIND` with `Depth: 1`, read by [`multistatus`]; `stat` is `Depth: 0`.
//! - Downloads: `GET`, resumed with `Range` and `If-Range` (the ETag from the listing).
//! - Uploads: a streamed `PUT` (with its length, so servers that refuse chunked bodies take
//!   it). The copy routine sends it to the partial name and renames it into place with
//!   `MOVE`, so a file appears whole or not at all. WebDAV has no standard way to continue a
//!   `PUT`, so an interrupted upload starts over.
//! - `MKCOL`, `DELETE`, `MOVE` (`Overwrite: F`; a file in the way is replaced only when
//!   the source and target are both files, as `rename` replaces files and never folders).
//!   `DELETE` of a folder removes everything in it, so `rmdir` lists it first and refuses
//!   one that is not empty, as other backends do.
//! - Paths are decoded text, like every backend's; each segment is percent-encoded on the way.

pub mod multistatus;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::model::location::RemotePath;
use crate::model::security::Security;
use crate::model::{Entry, EntryKind, Site};
use crate::protocol::http::{Transport, download, upload};
use crate::protocol::{
    Capabilities, ConnectContext, ErrorKind, FsError, ListingLimits, ReadStream, RemoteFs, WriteStream,
    listing_too_long,
};

/// The properties a listing asks for: what a folder entry shows, and the ETag for resuming.
const PROPERTIES: &[u8] = br#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:getetag/></D:prop></D:propfind>"#;

pub struct DavFs {
    http: Transport,
    /// Strong ETags from the last listing or stat of each file, for `If-Range`.
    etags: HashMap<RemotePath, String>,
    limits: ListingLimits,
}

impl DavFs {
    /// Connects, and proves the login with a `PROPFIND` of the server's root: a wrong
    /// password is said now, not at the first upload (whose body cannot be sent twice).
    pub fn connect(site: &Site, context: &ConnectContext) -> Result<DavFs, FsError> {
        let http = Transport::connect(site, context)?;
        let mut fs = DavFs {
            http,
            etags: HashMap::new(),
            limits: context.limits,
        };
        let root = fs.url(&RemotePath::new("/"), true);
        let response = fs.propfind(&root, "0", &format!("logging in to {}", fs.http.authority()))?;
        if response.status() == StatusCode::UNAUTHORIZED {
            return Err(fs.http.status_error(response.status(), "logging in"));
        }
        context.log.status(&format!(
            "Connected to {} ({})",
            fs.http.authority(),
            fs.http.security()
        ));
        Ok(fs)
    }

    /// The URL of a path, each segment percent-encoded; a folder's ends with `/`.
    fn url(&self, path: &RemotePath, folder: bool) -> Url {
        let resolved = path.resolve("/");
        let mut url = self.http.url("/");
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.clear();
            segments.extend(resolved.split('/').filter(|segment| !segment.is_empty()));
            if folder && resolved != "/" {
                segments.push("");
            }
        }
        url
    }

    fn propfind(&mut self, url: &Url, depth: &'static str, what: &str) -> Result<reqwest::blocking::Response, FsError> {
        let mut headers = HeaderMap::new();
        headers.insert("depth", HeaderValue::from_static(depth));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
        self.http.send(method("PROPFIND"), url, headers, Some(PROPERTIES), what)
    }

    /// The members of a `PROPFIND` reply.
    fn members(
        &mut self,
        path: &RemotePath,
        depth: &'static str,
        what: &str,
    ) -> Result<Vec<multistatus::Member>, FsError> {
        let url = self.url(path, depth == "1");
        let response = self.propfind(&url, depth, what)?;
        if response.status() != StatusCode::MULTI_STATUS {
            let failed = if response.status().is_success() {
                FsError::new(
                    ErrorKind::Protocol,
                    format!(
                        "{what} failed: the server answered {} instead of a WebDAV listing; is this a WebDAV address?",
                        response.status()
                    ),
                )
            } else {
                self.http.status_error(response.status(), what)
            };
            return Err(failed);
        }
        let body = self.http.read_listing(response, self.limits, what)?;
        multistatus::parse(&body, self.limits.entries.saturating_add(1)).map_err(|unreadable| {
            FsError::new(
                ErrorKind::Protocol,
                format!("{what} failed: {} ({})", unreadable.0, self.http.authority()),
            )
        })
    }

    fn remember(&mut self, path: RemotePath, member: &multistatus::Member) {
        match &member.etag {
            Some(etag) if member.entry.kind == EntryKind::File => {
                self.etags.insert(path, etag.clone());
            }
            _ => {
                self.etags.remove(&path);
            }
        }
    }

    /// A request whose success is all there is to know.
    fn simple(&mut self, method: Method, url: &Url, headers: HeaderMap, what: &str) -> Result<StatusCode, FsError> {
        let response = self.http.send(method, url, headers, None, what)?;
        let status = response.status();
        self.http.check(response, what)?;
        Ok(status)
    }

    fn moved(&mut self, from: &RemotePath, to: &RemotePath, overwrite: bool) -> Result<(), FsError> {
        let what = format!("renaming {from} to {to}");
        let mut headers = HeaderMap::new();
        let destination = self.url(to, false);
        let value = HeaderValue::from_str(destination.as_str()).map_err(|_| {
            FsError::new(
                ErrorKind::InvalidName,
                format!("{what} failed: the name cannot be sent"),
            )
        })?;
        headers.insert("destination", value);
        headers.insert("overwrite", HeaderValue::from_static(if overwrite { "T" } else { "F" }));
        self.simple(method("MOVE"), &self.url(from, false), headers, &what)?;
        self.etags.remove(from);
        self.etags.remove(to);
        Ok(())
    }
}

fn method(name: &'static str) -> Method {
    Method::from_bytes(name.as_bytes()).unwrap_or(Method::GET)
}

impl RemoteFs for DavFs {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            resume_download: true,
            resume_upload: false,
            set_mtime: false,
            exact_times: true,
            atomic_uploads: false,
        }
    }

    fn home(&self) -> &str {
        "/"
    }

    fn security(&self) -> Security {
        self.http.security()
    }

    fn read_dir(&mut self, path: &RemotePath) -> Result<Vec<Entry>, FsError> {
        let what = format!("listing {path}");
        let members = self.members(path, "1", &what)?;
        let own = multistatus::href_path(self.url(path, true).path());
        let mut entries = Vec::with_capacity(members.len());
        for member in members {
            if member.path == own {
                continue;
            }
            if member.entry.name != ".." && !member.entry.name.contains('/') {
                self.remember(path.join(&member.entry.name), &member);
            }
            entries.push(member.entry);
        }
        if entries.len() > self.limits.entries {
            return Err(listing_too_long(&what, &self.http.authority(), self.limits));
        }
        Ok(entries)
    }

    fn stat(&mut self, path: &RemotePath) -> Result<Entry, FsError> {
        let what = format!("looking at {path}");
        let members = self.members(path, "0", &what)?;
        let member = members.into_iter().next().ok_or_else(|| {
            FsError::new(
                ErrorKind::Protocol,
                format!("{what} failed: the server's answer names nothing"),
            )
        })?;
        self.remember(path.clone(), &member);
        let mut entry = member.entry;
        entry.name = path.file_name().unwrap_or("/").to_owned();
        Ok(entry)
    }

    fn mkdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let what = format!("making the folder {path}");
        let url = self.url(path, true);
        let response = self.http.send(method("MKCOL"), &url, HeaderMap::new(), None, &what)?;
        match response.status() {
            StatusCode::METHOD_NOT_ALLOWED => Err(FsError::new(
                ErrorKind::AlreadyExists,
                format!("{what} failed: something is already there"),
            )),
            _ => self.http.check(response, &what).map(drop),
        }
    }

    fn rmdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let what = format!("removing the folder {path}");
        if !self.read_dir(path)?.is_empty() {
            return Err(FsError::new(
                ErrorKind::PermissionDenied,
                format!("{what} failed: the folder is not empty"),
            ));
        }
        let url = self.url(path, true);
        self.simple(Method::DELETE, &url, HeaderMap::new(), &what).map(drop)
    }

    fn remove(&mut self, path: &RemotePath) -> Result<(), FsError> {
        // DELETE of a folder removes everything in it: a file is made sure of first.
        if self.stat(path)?.kind == EntryKind::Dir {
            return Err(FsError::new(
                ErrorKind::Unsupported,
                format!("deleting {path} failed: it is a folder, and deleting a file never removes one"),
            ));
        }
        let url = self.url(path, false);
        self.etags.remove(path);
        self.simple(Method::DELETE, &url, HeaderMap::new(), &format!("deleting {path}"))
            .map(drop)
    }

    fn rename(&mut self, from: &RemotePath, to: &RemotePath) -> Result<(), FsError> {
        match self.moved(from, to, false) {
            Err(error) if error.kind == ErrorKind::AlreadyExists => {
                let both_files = self.stat(from)?.kind == EntryKind::File && self.stat(to)?.kind == EntryKind::File;
                if !both_files {
                    return Err(error);
                }
                self.moved(from, to, true)
            }
            moved => moved,
        }
    }

    fn chmod(&mut self, _path: &RemotePath, _mode: u32) -> Result<(), FsError> {
        Err(FsError::new(
            ErrorKind::Unsupported,
            "WebDAV has no permissions to change",
        ))
    }

    fn set_mtime(&mut self, _path: &RemotePath, _time: DateTime<Utc>) -> Result<(), FsError> {
        Err(FsError::new(
            ErrorKind::Unsupported,
            "this WebDAV server keeps its own modification times",
        ))
    }

    fn open_read(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn ReadStream + '_>, FsError> {
        let url = self.url(path, false);
        let etag = self.etags.get(path).cloned();
        Ok(Box::new(download::get(
            &mut self.http,
            &url,
            offset,
            etag.as_deref(),
            HeaderMap::new(),
        )?))
    }

    fn open_write(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn WriteStream + '_>, FsError> {
        self.start_upload(path, offset, None)
    }

    fn open_upload(
        &mut self,
        path: &RemotePath,
        offset: u64,
        length: u64,
        _earlier: Option<&crate::protocol::ResumeToken>,
    ) -> Result<Box<dyn WriteStream + '_>, FsError> {
        self.start_upload(path, offset, Some(length))
    }
}

impl DavFs {
    fn start_upload(
        &mut self,
        path: &RemotePath,
        offset: u64,
        length: Option<u64>,
    ) -> Result<Box<dyn WriteStream + '_>, FsError> {
        if offset > 0 {
            return Err(FsError::new(
                ErrorKind::Unsupported,
                "WebDAV cannot continue an upload; it starts over",
            ));
        }
        let url = self.url(path, false);
        self.etags.remove(path);
        Ok(Box::new(upload::put(&mut self.http, &url, length, HeaderMap::new())?))
    }
}
