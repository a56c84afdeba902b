//! A link to one file (`https://host/path?query`) as a [`RemoteFs`] that can only be read:
//! `stat` asks `HEAD` (or `GET`, for servers that refuse `HEAD`) and keeps the file's
//! validator, and a download is [`super::download::get`], resumed with `Range` and
//! `If-Range`.
//!
//! Paths are the link's own path and query, still percent-encoded
//! ([`RemotePath::of_link`]); the download's name is the server's `Content-Disposition`
//! name or the path's last segment, decoded, and the queue checks it as any server's name.

use chrono::{DateTime, Utc};
use percent_encoding::percent_decode_str;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use std::collections::HashMap;

use super::{Transport, headers};
use crate::model::location::RemotePath;
use crate::model::security::Security;
use crate::model::{Entry, EntryKind, Site};
use crate::protocol::{Capabilities, ConnectContext, ErrorKind, FsError, ReadStream, RemoteFs, WriteStream};

/// What `stat` learned of a link, for the download that follows.
struct Seen {
    name: Option<String>,
    validator: Option<String>,
}

pub struct LinkFs {
    http: Transport,
    seen: HashMap<RemotePath, Seen>,
}

impl LinkFs {
    pub fn connect(site: &Site, context: &ConnectContext) -> Result<LinkFs, FsError> {
        let http = super::Transport::connect(site, context)?;
        context
            .log
            .status(&format!("Connected to {} ({})", http.authority(), http.security()));
        Ok(LinkFs {
            http,
            seen: HashMap::new(),
        })
    }

    fn unsupported(&self) -> FsError {
        FsError::new(
            ErrorKind::Unsupported,
            format!(
                "a link can only be downloaded: HTTP has no folders to list or change ({})",
                self.http.authority()
            ),
        )
    }

    fn remember(&mut self, path: &RemotePath, headers: &HeaderMap) {
        self.seen.insert(
            path.clone(),
            Seen {
                name: headers::disposition_name(headers),
                validator: headers::validator(headers),
            },
        );
    }

    fn entry(&self, path: &RemotePath, headers: &HeaderMap, size: Option<u64>) -> Entry {
        let mut entry = Entry::new(
            last_segment(path).unwrap_or_else(|| "download".to_owned()),
            EntryKind::File,
        );
        entry.size = size;
        entry.modified = headers::last_modified(headers);
        entry
    }
}

/// The last segment of a link's path, decoded, without the query.
fn last_segment(path: &RemotePath) -> Option<String> {
    let text = path.as_str();
    let path_only = text.split_once('?').map_or(text, |(path, _)| path);
    let segment = path_only.rsplit('/').next().filter(|segment| !segment.is_empty())?;
    Some(percent_decode_str(segment).decode_utf8_lossy().into_owned())
}

impl RemoteFs for LinkFs {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            resume_download: true,
            ..Capabilities::default()
        }
    }

    fn home(&self) -> &str {
        "/"
    }

    fn security(&self) -> Security {
        self.http.security()
    }

    fn read_dir(&mut self, _path: &RemotePath) -> Result<Vec<Entry>, FsError> {
        Err(self.unsupported())
    }

    fn stat(&mut self, path: &RemotePath) -> Result<Entry, FsError> {
        let url = self.http.url(path.as_str());
        let what = format!("asking for {}", super::shown(&url));
        let response = self.http.send(Method::HEAD, &url, HeaderMap::new(), None, &what)?;
        // Some servers answer only GET: links signed for GET (S3, GCS and Azure presigned
        // links, GitHub's release downloads) refuse HEAD with 403, others with 405 or 501.
        // GET's headers say the same, and dropping the reply ends it.
        let refused_head = response.status().is_client_error()
            && !matches!(
                response.status(),
                StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND | StatusCode::GONE
            );
        let response = if refused_head || response.status() == StatusCode::NOT_IMPLEMENTED {
            self.http.send(Method::GET, &url, HeaderMap::new(), None, &what)?
        } else {
            response
        };
        let response = self.http.check(response, &what)?;
        self.remember(path, response.headers());
        Ok(self.entry(path, response.headers(), headers::content_length(response.headers())))
    }

    fn download_name(&mut self, path: &RemotePath) -> Option<String> {
        let suggested = self.seen.get(path).and_then(|seen| seen.name.clone());
        if let Some(name) = &suggested {
            self.http
                .log()
                .status(&format!("The server names the file {name:?} (Content-Disposition)"));
        }
        suggested.or_else(|| last_segment(path))
    }

    fn mkdir(&mut self, _path: &RemotePath) -> Result<(), FsError> {
        Err(self.unsupported())
    }

    fn rmdir(&mut self, _path: &RemotePath) -> Result<(), FsError> {
        Err(self.unsupported())
    }

    fn remove(&mut self, _path: &RemotePath) -> Result<(), FsError> {
        Err(self.unsupported())
    }

    fn rename(&mut self, _from: &RemotePath, _to: &RemotePath) -> Result<(), FsError> {
        Err(self.unsupported())
    }

    fn chmod(&mut self, _path: &RemotePath, _mode: u32) -> Result<(), FsError> {
        Err(self.unsupported())
    }

    fn set_mtime(&mut self, _path: &RemotePath, _time: DateTime<Utc>) -> Result<(), FsError> {
        Err(self.unsupported())
    }

    fn open_read(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn ReadStream + '_>, FsError> {
        let url = self.http.url(path.as_str());
        let validator = self.seen.get(path).and_then(|seen| seen.validator.clone());
        Ok(Box::new(super::download::get(
            &mut self.http,
            &url,
            offset,
            validator.as_deref(),
            HeaderMap::new(),
        )?))
    }

    fn open_write(&mut self, _path: &RemotePath, _offset: u64) -> Result<Box<dyn WriteStream + '_>, FsError> {
        Err(self.unsupported())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_last_segment() {
        let name = |text: &str| last_segment(&RemotePath::new(text));
        assert_eq!(name("/dl/a%20b.iso?sig=x%2Fy").as_deref(), Some("a b.iso"));
        assert_eq!(name("/dl/file.tar.gz").as_deref(), Some("file.tar.gz"));
        assert_eq!(name("/?page=1"), None);
        assert_eq!(name("/"), None);
        // Decoded, then checked by the queue's name gate like any server name.
        assert_eq!(name("/x/..%2F..%2Fetc").as_deref(), Some("../../etc"));
    }
}
