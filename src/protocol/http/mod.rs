//! HTTP underneath WebDAV ([`crate::protocol::dav`]) and links to one file ([`link`]): one
//! [`Transport`] per connection, over reqwest's blocking client with Wharf's own TLS trust.
//!
//! - TLS: an HTTPS connection first shakes hands once on its own (`tls::probe`), on the
//!   connection's thread, so that a certificate the system does not vouch for is asked
//!   about with no request timer running, and the status bar can name the version and
//!   cipher. reqwest then gets the same rustls configuration; its verifier finds the answer
//!   already given.
//! - Timeouts: a request and each read of a reply wait at most the idle timeout; an upload's
//!   body is sent through a client without that timer, since sending a large file can take
//!   longer than any reply, and is watched by the upload's own idle timer instead
//!   ([`upload`]).
//! - Redirects: ten at most, never from HTTPS to plain HTTP; each is logged.
//! - Authentication ([`auth`]): answered after the first 401, then sent with every request.

pub mod auth;
pub mod download;
pub mod headers;
pub mod link;
mod probe;
pub mod upload;

use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{AUTHORIZATION, HeaderMap};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::model::security::{Encryption, Security};
use crate::model::{Protocol, Secret, Site};
use crate::protocol::tls::Offer;
use crate::protocol::{ConnectContext, ErrorKind, FsError, ProtocolLog};

/// The most redirects one request follows.
const MAX_REDIRECTS: usize = 10;

/// One HTTP(S) server: its clients, the answer to its authentication, and its log.
pub struct Transport {
    /// Requests and replies: each wait is bounded by the idle timeout.
    client: Client,
    /// Upload bodies: reqwest's async client on a runtime of the connection's own (one
    /// thread, `wharf-http-upload`), which takes a streamed body in the chunks it is
    /// written in (the blocking client reads a body 8 KiB at a time, a hop between threads
    /// each, which halved upload speed), with no timer of reqwest's: see the module's header.
    uploads: reqwest::Client,
    runtime: std::sync::Arc<tokio::runtime::Runtime>,
    origin: Url,
    user: String,
    password: Option<Secret>,
    auth: auth::Auth,
    log: ProtocolLog,
    security: Security,
    idle: Duration,
}

impl Transport {
    pub fn connect(site: &Site, context: &ConnectContext) -> Result<Transport, FsError> {
        let tls = matches!(site.protocol, Protocol::Davs | Protocol::Https);
        let scheme = if tls { "https" } else { "http" };
        let origin = Url::parse(&format!("{scheme}://{}/", site.authority()))
            .map_err(|error| FsError::new(ErrorKind::InvalidName, format!("{} is not a host: {error}", site.host)))?;
        // A plain link gets the same configuration: a redirect to HTTPS meets the same trust.
        let (config, security) = if tls {
            let probed = probe::handshake(site, context)?;
            (probed.config, probed.security)
        } else {
            let client = crate::protocol::tls::client_config(&site.host, site.port, context.trust.clone(), Offer::Any)?;
            (
                (*client.config).clone(),
                Security::new(Encryption::None, "not encrypted"),
            )
        };
        let idle = Duration::from_secs(context.timeouts.idle);
        let connect = Duration::from_secs(context.timeouts.connect);
        let client = build_client(config.clone(), idle, connect, &context.log)?;
        let uploads = async_builder(config, connect, &context.log).build().map_err(|error| {
            FsError::new(
                ErrorKind::Other,
                format!("the HTTP client could not be set up: {error}"),
            )
        })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("wharf-http-upload")
            .enable_all()
            .build()
            .map_err(|error| FsError::new(ErrorKind::Local, format!("no thread for uploads: {error}")))?;
        Ok(Transport {
            client,
            uploads,
            runtime: std::sync::Arc::new(runtime),
            origin,
            user: site.user.clone(),
            password: site.credentials.password.clone(),
            auth: auth::Auth::None,
            log: context.log.clone(),
            security,
            idle,
        })
    }

    pub fn security(&self) -> Security {
        self.security.clone()
    }

    pub fn log(&self) -> &ProtocolLog {
        &self.log
    }

    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// `host:port` for messages.
    pub fn authority(&self) -> String {
        let host = self.origin.host_str().unwrap_or_default();
        match self.origin.port_or_known_default() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// The URL of a path and query that are already percent-encoded.
    pub fn url(&self, encoded: &str) -> Url {
        let mut url = self.origin.clone();
        match encoded.split_once('?') {
            Some((path, query)) => {
                url.set_path(path);
                url.set_query(Some(query));
            }
            None => url.set_path(encoded),
        }
        url
    }

    /// Sends a request that can be repeated (no body, or a small one), answering one
    /// authentication challenge on the way. `what` names the action for errors ("listing
    /// /www"). The reply's status is logged, not judged: see [`Transport::check`].
    pub fn send(
        &mut self,
        method: Method,
        url: &Url,
        headers: HeaderMap,
        body: Option<&[u8]>,
        what: &str,
    ) -> Result<Response, FsError> {
        let mut answered = false;
        loop {
            let mut request = self
                .client
                .request(method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(body) = body {
                request = request.body(body.to_vec());
            }
            let response = self.execute(request, &method, url, &headers, what)?;
            if response.status() == StatusCode::UNAUTHORIZED
                && !answered
                && self
                    .auth
                    .answer(response.headers(), &self.user, self.password.as_ref())
                    .map_err(|error| self.refused(error))?
            {
                answered = true;
                continue;
            }
            return Ok(response);
        }
    }

    /// The runtime uploads run on.
    pub fn runtime(&self) -> &std::sync::Arc<tokio::runtime::Runtime> {
        &self.runtime
    }

    /// Starts a request whose body streams (an upload), through the client without a
    /// reply timer; the caller watches it. Authentication is what earlier requests settled.
    pub fn upload_request(&mut self, method: Method, url: &Url, headers: HeaderMap) -> reqwest::RequestBuilder {
        self.log.command(&command_line(&method, url, &headers));
        let mut request = self.uploads.request(method.clone(), url.clone()).headers(headers);
        if let Some(value) = self
            .auth
            .header(method.as_str(), &request_uri(url), &self.user, self.password.as_ref())
        {
            request = request.header(AUTHORIZATION, value);
        }
        request
    }

    fn execute(
        &mut self,
        mut request: RequestBuilder,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        what: &str,
    ) -> Result<Response, FsError> {
        self.log.command(&command_line(method, url, headers));
        if let Some(value) = self
            .auth
            .header(method.as_str(), &request_uri(url), &self.user, self.password.as_ref())
        {
            request = request.header(AUTHORIZATION, value);
        }
        let response = request.send().map_err(|error| request_failed(&error, what))?;
        self.log_reply(&response);
        // A redirect of a method that changes something (DELETE, MOVE, MKCOL, PUT) is not
        // followed to success: a 303 turns it into a GET, and a 307 sends it to a place
        // the user did not name.
        if response.url() != url && !matches!(*method, Method::GET | Method::HEAD) && method.as_str() != "PROPFIND" {
            return Err(FsError::new(
                ErrorKind::Protocol,
                format!(
                    "{what} failed: the server redirected it to {}, and Wharf does not follow a redirect of {method}",
                    shown(response.url())
                ),
            ));
        }
        Ok(response)
    }

    pub fn log_reply(&self, response: &Response) {
        let status = response.status();
        self.log.reply(&format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        ));
    }

    /// The reply when its status is a success, otherwise the error it means.
    pub fn check(&self, response: Response, what: &str) -> Result<Response, FsError> {
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(self.status_error(response.status(), what))
        }
    }

    /// What an unsuccessful status means, as an error of the kind the engine acts on.
    pub fn status_error(&self, status: StatusCode, what: &str) -> FsError {
        status_error(status, what, &self.authority(), self.auth.scheme().is_some())
    }

    /// Whether a challenge was answered: a 401 then means a refused password.
    pub fn answered(&self) -> bool {
        self.auth.scheme().is_some()
    }

    /// A reply's body as text, at most `limits.bytes` of it: a listing bigger than that, or
    /// one that never ends, is refused as any backend refuses it.
    pub fn read_listing(
        &self,
        response: Response,
        limits: crate::protocol::ListingLimits,
        what: &str,
    ) -> Result<String, FsError> {
        use std::io::Read;
        let mut body = String::new();
        let read = response
            .take(limits.bytes + 1)
            .read_to_string(&mut body)
            .map_err(|error| FsError::from_network(&error, what))?;
        if read as u64 > limits.bytes {
            return Err(crate::protocol::listing_too_long(what, &self.authority(), limits));
        }
        Ok(body)
    }

    /// A refused login, said with the server's name.
    fn refused(&self, error: FsError) -> FsError {
        FsError::new(error.kind, format!("{} ({})", error.message, self.authority()))
    }
}

/// What an unsuccessful status means (`answered`: a password was sent), as an error of the
/// kind the engine acts on.
pub fn status_error(status: StatusCode, what: &str, authority: &str, answered: bool) -> FsError {
    let (kind, why) = match status.as_u16() {
        401 if answered => (ErrorKind::Auth, "the server refused the user name or password"),
        401 => (ErrorKind::Auth, "the server asks for a user name and password"),
        403 => (ErrorKind::PermissionDenied, "permission denied"),
        404 | 410 => (ErrorKind::NotFound, "no such file or folder"),
        405 | 501 => (ErrorKind::Unsupported, "the server does not allow this here"),
        409 => (ErrorKind::NotFound, "the folder it goes into does not exist"),
        412 => (ErrorKind::AlreadyExists, "something is already there"),
        413 | 507 => (ErrorKind::NoSpace, "the server has no room for it"),
        423 => (ErrorKind::PermissionDenied, "it is locked on the server"),
        429 | 503 => (
            ErrorKind::TooManyConnections,
            "the server is busy; Wharf will try again",
        ),
        408 | 502 | 504 => (ErrorKind::ConnectionLost, "a server on the way did not answer"),
        _ => (ErrorKind::Protocol, "the server refused it"),
    };
    let reason = status.canonical_reason().unwrap_or("");
    FsError::new(
        kind,
        format!("{what} failed: {why} (HTTP {} {reason}, {authority})", status.as_u16()),
    )
}

/// A URL as logs and messages show it: without its query, which in a signed link is a
/// credential (`X-Amz-Signature`, `sig`, `token`), and without a user or password.
pub fn shown(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    if shown.query().is_some() {
        shown.set_query(Some("…"));
    }
    shown.to_string()
}

/// The line the log shows for a request: method, path and the headers that matter to a
/// reader (ranges, depth, destination). Never the `Authorization` header, nor a query,
/// which in a signed link is a credential.
fn command_line(method: &Method, url: &Url, headers: &HeaderMap) -> String {
    let mut line = match url.query() {
        Some(_) if !query_is_harmless(url) => format!("{method} {}?…", url.path()),
        _ => format!("{method} {}", request_uri(url)),
    };
    for name in ["range", "if-range", "depth", "destination", "overwrite"] {
        if let Some(value) = headers.get(name).and_then(|value| value.to_str().ok()) {
            line.push_str(&format!(" [{name}: {value}]"));
        }
    }
    line
}

/// Whether a query names no credential: S3's own (a listing's, a part's; its signature is
/// in a header) do not; a signed link's (`X-Amz-Signature`, `sig`, `token`) does.
fn query_is_harmless(url: &Url) -> bool {
    !url.query_pairs().any(|(name, _)| {
        let name = name.to_ascii_lowercase();
        name.contains("signature")
            || name.contains("credential")
            || name.contains("security-token")
            || matches!(
                name.as_str(),
                "sig" | "token" | "access_token" | "auth" | "key" | "apikey" | "api_key" | "password"
            )
    })
}

/// The path and query of a URL, as the request line carries them.
pub fn request_uri(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// A client; `idle` bounds the wait for each reply and each read of its body. (reqwest's
/// blocking timeout is per read once the reply has come; the async builder's `read_timeout`
/// is not used: its timer needs a tokio runtime on the reading thread.)
fn build_client(
    tls: rustls::ClientConfig,
    idle: Duration,
    connect: Duration,
    log: &ProtocolLog,
) -> Result<Client, FsError> {
    reqwest::blocking::ClientBuilder::from(async_builder(tls, connect, log))
        .timeout(Some(idle))
        .build()
        .map_err(|error| {
            FsError::new(
                ErrorKind::Other,
                format!("the HTTP client could not be set up: {error}"),
            )
        })
}

/// What both clients share: TLS, timeouts for connecting, redirects, HTTP/1.1.
fn async_builder(tls: rustls::ClientConfig, connect: Duration, log: &ProtocolLog) -> reqwest::ClientBuilder {
    reqwest::ClientBuilder::new()
        .user_agent(concat!("Wharf/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(connect)
        .redirect(redirects(log.clone()))
        .tls_backend_preconfigured(tls)
        .http1_only()
}

/// Follows at most [`MAX_REDIRECTS`], never from HTTPS down to plain HTTP, and logs each.
fn redirects(log: ProtocolLog) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        let secure_before = attempt.previous().iter().any(|url| url.scheme() == "https");
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else if secure_before && attempt.url().scheme() != "https" {
            let to = shown(attempt.url());
            attempt.error(format!(
                "the server redirects from HTTPS to an unencrypted address ({to}), which Wharf does not follow"
            ))
        } else {
            log.status(&format!("Redirected to {}", shown(attempt.url())));
            attempt.follow()
        }
    })
}

/// What a failed request means. reqwest's errors nest the cause (a refused connection, a
/// TLS alert, a timeout); the sentence names the innermost that says something.
pub fn request_failed(error: &reqwest::Error, what: &str) -> FsError {
    let mut causes = Vec::new();
    let mut io_kind = None;
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
        }
        let text = cause.to_string();
        if !causes.iter().any(|seen: &String| seen.contains(&text)) {
            causes.push(text);
        }
        source = cause.source();
    }
    let detail = causes.last().cloned().unwrap_or_else(|| error.to_string());
    if error.is_timeout() || io_kind == Some(std::io::ErrorKind::TimedOut) {
        return FsError::new(
            ErrorKind::Timeout,
            format!("{what} failed: the server stopped answering"),
        );
    }
    if error.is_redirect() {
        return FsError::new(ErrorKind::Protocol, format!("{what} failed: {detail}"));
    }
    if error.is_connect() {
        let kind = if detail.contains("certificate") || detail.to_ascii_lowercase().contains("tls") {
            ErrorKind::Tls
        } else {
            ErrorKind::Connect
        };
        return FsError::new(kind, format!("{what} failed: {detail}"));
    }
    FsError::new(
        ErrorKind::ConnectionLost,
        format!("{what} failed: the connection was lost ({detail})"),
    )
}
