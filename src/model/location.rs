//! Remote locations as people type them: `sftp://user@host:2222/~/site/index.html`.
//!
//! A remote path is absolute (`/srv/www`) or relative to the login folder (`~`, `~/www`);
//! backends resolve `~` themselves. Paths always use `/`.

use std::fmt;

use percent_encoding::percent_decode_str;
use thiserror::Error;
use url::Url;

use super::{Credentials, DataMode, Protocol, Secret, Site};

/// A parsed `scheme://user:password@host:port/path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub site: Site,
    pub path: RemotePath,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LocationError {
    #[error("{0:?} is not a URL Wharf understands; write it like sftp://user@host/path")]
    NotAUrl(String),
    #[error(
        "the scheme {0:?} is not supported; use ftp://, ftps:// (implicit TLS), ftpes:// (explicit TLS), sftp://, \
         scp://, dav://, davs:// (WebDAV over HTTPS), s3://bucket, http:// or https://"
    )]
    UnknownScheme(String),
    #[error("the URL {0:?} names no host")]
    NoHost(String),
    #[error("the URL's user name or password is not valid UTF-8 after decoding")]
    BadEncoding,
}

impl Location {
    /// Parses a URL. The password, when the URL carries one, goes into the site's credentials
    /// and nowhere else; `Display` never prints it.
    pub fn parse(text: &str) -> Result<Location, LocationError> {
        let url = Url::parse(text).map_err(|_| LocationError::NotAUrl(text.to_owned()))?;
        let protocol = match url.scheme() {
            "ftp" => Protocol::Ftp,
            "ftps" => Protocol::Ftps,
            "ftpes" => Protocol::Ftpes,
            "sftp" | "ssh" => Protocol::Sftp,
            "scp" => Protocol::Scp,
            "dav" | "webdav" => Protocol::Dav,
            "davs" | "webdavs" => Protocol::Davs,
            "http" => Protocol::Http,
            "https" => Protocol::Https,
            "s3" => Protocol::S3,
            other => return Err(LocationError::UnknownScheme(other.to_owned())),
        };
        let host = match url.host_str() {
            Some(host) if !host.is_empty() => host.trim_start_matches('[').trim_end_matches(']'),
            _ => return Err(LocationError::NoHost(text.to_owned())),
        };
        let decode = |part: &str| -> Result<String, LocationError> {
            percent_decode_str(part)
                .decode_utf8()
                .map(|text| text.into_owned())
                .map_err(|_| LocationError::BadEncoding)
        };
        let user = match url.username() {
            "" if protocol.is_ftp() => "anonymous".to_owned(),
            // SSH: the user `~/.ssh/config` names for the host, else the local user, is
            // found when connecting. HTTP: no user, no authentication.
            "" => String::new(),
            user => decode(user)?,
        };
        let password = url.password().map(decode).transpose()?.map(Secret::new);
        let path = if protocol.is_link() {
            RemotePath::of_link(&url)
        } else {
            RemotePath::from_url_path(&decode(url.path())?)
        };
        Ok(Location {
            site: Site {
                protocol,
                host: host.to_owned(),
                port: url.port().unwrap_or(protocol.default_port()),
                user,
                credentials: Credentials {
                    password,
                    ..Credentials::default()
                },
                data_mode: DataMode::Passive,
                tls_if_available: false,
                jump_hosts: Vec::new(),
                s3: Default::default(),
            },
            path,
        })
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}@{}{}",
            self.site.protocol,
            self.site.user,
            self.site.authority(),
            self.path.url_form()
        )
    }
}

/// A path on the server: absolute, or relative to the login folder when it starts with `~`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RemotePath(String);

impl RemotePath {
    /// The login folder.
    pub fn home() -> Self {
        RemotePath("~".to_owned())
    }

    /// Normalises `text`: collapses repeated slashes, drops `.` segments and a trailing slash,
    /// and resolves `..` lexically (never above the root or `~`).
    pub fn new(text: &str) -> Self {
        let (base, rest) = if text == "~" || text.starts_with("~/") {
            ("~", &text[1..])
        } else {
            ("", text)
        };
        let mut parts: Vec<&str> = Vec::new();
        for part in rest.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                part => parts.push(part),
            }
        }
        if parts.is_empty() {
            return RemotePath(if base.is_empty() { "/" } else { "~" }.to_owned());
        }
        RemotePath(format!("{base}/{}", parts.join("/")))
    }

    /// The path and query of an HTTP link as the URL writes them, still percent-encoded, so
    /// that the request goes out as the link was given (a signed link's query included).
    /// A `/` in the query is written `%2F`, which servers read the same, so that the
    /// normalising of [`RemotePath::new`] (when a queue item is restored) leaves it alone.
    pub fn of_link(url: &Url) -> Self {
        let mut text = url.path().to_owned();
        if let Some(query) = url.query() {
            text.push('?');
            text.push_str(&query.replace('/', "%2F"));
        }
        RemotePath::new(&text)
    }

    /// `/~/x` in a URL means `~/x`; anything else is absolute.
    pub fn from_url_path(path: &str) -> Self {
        match path.strip_prefix("/~") {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => RemotePath::new(&format!("~{rest}")),
            _ => RemotePath::new(path),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_home_relative(&self) -> bool {
        self.0.starts_with('~')
    }

    pub fn is_root(&self) -> bool {
        self.0 == "/" || self.0 == "~"
    }

    /// `self/name`. The name must be one segment; callers check names with
    /// [`super::names::check_remote_name`] first.
    pub fn join(&self, name: &str) -> RemotePath {
        if self.0.ends_with('/') {
            RemotePath(format!("{}{name}", self.0))
        } else {
            RemotePath(format!("{}/{name}", self.0))
        }
    }

    /// `self/a/b` for a relative path `a/b` of segments checked as for [`RemotePath::join`]
    /// (a sync plan's paths, which come from screened listings).
    pub fn join_relative(&self, relative: &str) -> RemotePath {
        relative.split('/').fold(self.clone(), |path, name| path.join(name))
    }

    /// The last segment, or `None` for the root and `~`.
    pub fn file_name(&self) -> Option<&str> {
        if self.is_root() {
            return None;
        }
        self.0.rsplit('/').next().filter(|name| !name.is_empty())
    }

    /// The folder that holds this path; the root and `~` are their own parents.
    pub fn parent(&self) -> RemotePath {
        if self.is_root() {
            return self.clone();
        }
        match self.0.rfind('/') {
            Some(0) => RemotePath("/".to_owned()),
            Some(index) => RemotePath(self.0[..index].to_owned()),
            None => self.clone(),
        }
    }

    /// Replaces a leading `~` with the server's login folder.
    pub fn resolve(&self, home: &str) -> String {
        match self.0.strip_prefix('~') {
            Some(rest) => {
                let home = home.trim_end_matches('/');
                if rest.is_empty() {
                    if home.is_empty() {
                        "/".to_owned()
                    } else {
                        home.to_owned()
                    }
                } else {
                    format!("{home}{rest}")
                }
            }
            None => self.0.clone(),
        }
    }

    /// The path as it appears after the authority in a URL.
    pub fn url_form(&self) -> String {
        if self.is_home_relative() {
            format!("/{}", self.0)
        } else {
            self.0.clone()
        }
    }
}

impl fmt::Display for RemotePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(url: &str, protocol: Protocol, user: &str, host: &str, port: u16, path: &str) {
        let location = Location::parse(url).unwrap();
        assert_eq!(location.site.protocol, protocol, "{url}");
        assert_eq!(location.site.user, user, "{url}");
        assert_eq!(location.site.host, host, "{url}");
        assert_eq!(location.site.port, port, "{url}");
        assert_eq!(location.path.as_str(), path, "{url}");
    }

    #[test]
    fn urls() {
        check("ftp://h/", Protocol::Ftp, "anonymous", "h", 21, "/");
        check("ftp://u@h:2121/pub/x.txt", Protocol::Ftp, "u", "h", 2121, "/pub/x.txt");
        check("ftps://u@h/", Protocol::Ftps, "u", "h", 990, "/");
        check("ftpes://u@h/a/", Protocol::Ftpes, "u", "h", 21, "/a");
        check("sftp://u@h/~/x", Protocol::Sftp, "u", "h", 22, "~/x");
        check("sftp://u@h/~", Protocol::Sftp, "u", "h", 22, "~");
        check("sftp://u@h/~x", Protocol::Sftp, "u", "h", 22, "/~x");
        check("sftp://u@[::1]:2222/srv", Protocol::Sftp, "u", "::1", 2222, "/srv");
        check("sftp://u%40corp@h/a%20b", Protocol::Sftp, "u@corp", "h", 22, "/a b");
        check("sftp://u@h", Protocol::Sftp, "u", "h", 22, "/");
    }

    #[test]
    fn passwords_stay_in_credentials() {
        let location = Location::parse("ftp://u:p%40ss@h/x").unwrap();
        assert_eq!(location.site.credentials.password, Some(Secret::new("p@ss")));
        let shown = format!("{location} {location:?}");
        assert!(!shown.contains("p@ss") && !shown.contains("p%40ss"), "{shown}");
    }

    #[test]
    fn web_urls() {
        check(
            "davs://u@h/remote.php/dav/files/u/",
            Protocol::Davs,
            "u",
            "h",
            443,
            "/remote.php/dav/files/u",
        );
        check("dav://h:8080/a%20b", Protocol::Dav, "", "h", 8080, "/a b");
        // A link keeps its encoding and its query, which `RemotePath::new` leaves as it is.
        let link = "https://h/dl/a%20b.iso?sig=x/y%2Bz&e=1";
        check(link, Protocol::Https, "", "h", 443, "/dl/a%20b.iso?sig=x%2Fy%2Bz&e=1");
        let path = Location::parse(link).unwrap().path;
        assert_eq!(
            RemotePath::new(path.as_str()),
            path,
            "restored from the queue unchanged"
        );
        check("http://h/", Protocol::Http, "", "h", 80, "/");
    }

    #[test]
    fn bad_urls_say_why() {
        assert!(matches!(
            Location::parse("gopher://h/"),
            Err(LocationError::UnknownScheme(_))
        ));
        assert!(matches!(Location::parse("nonsense"), Err(LocationError::NotAUrl(_))));
    }

    #[test]
    fn paths_normalise() {
        assert_eq!(RemotePath::new("/a//b/./c/").as_str(), "/a/b/c");
        assert_eq!(RemotePath::new("/../../etc").as_str(), "/etc");
        assert_eq!(RemotePath::new("~/../x").as_str(), "~/x");
        assert_eq!(RemotePath::new("/a/b").parent().as_str(), "/a");
        assert_eq!(RemotePath::new("/a").parent().as_str(), "/");
        assert_eq!(RemotePath::new("~/a").parent().as_str(), "~");
        assert_eq!(RemotePath::new("/a/b").file_name(), Some("b"));
        assert_eq!(RemotePath::home().file_name(), None);
        assert_eq!(RemotePath::new("~/w").resolve("/home/u/"), "/home/u/w");
        assert_eq!(RemotePath::home().resolve("/home/u"), "/home/u");
        assert_eq!(RemotePath::new("/").join("x").as_str(), "/x");
    }
}
