//! Links handed to Wharf by other programs: a browser or the desktop opens `sftp://host/path`
//! with `wharf -- URL`. A link is untrusted input. It may only name a place to open, so
//! everything that could make it mean more is refused before any part of it is used:
//! control and invisible format characters (a newline or NUL, raw or percent-encoded; a
//! bidirectional override that disguises a name), a host, user or text after the scheme that
//! starts with `-` (an option in disguise, the class of FileZilla's and WinSCP's
//! URL-handler bugs such as CVE-2021-3331), and queries or fragments, which Wharf gives no
//! meaning and so would only hide something.
//!
//! Wharf never hands a link to another program (no `ssh` command line is built from one), so
//! the dash rule is a second line of defence, not the only one.
//!
//! What a link can then do is decided by its caller: the window connects and lists the
//! folder, and nothing else (no transfer, no deletion, no saved password, no trust given
//! without the usual question). The checked [`Link`] is what travels on, never the text.

use std::fmt;

use thiserror::Error;

use super::location::{Location, LocationError};
use super::names::is_deceptive;

/// A checked link: a server and folder, or a saved site by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Server(Location),
    /// `site:NAME/path`, as given after `site:`.
    Site(String),
}

impl Link {
    /// Checks `text` (a URL or `site:NAME/path`) and returns what it names.
    pub fn parse(text: &str) -> Result<Link, LinkError> {
        match text.strip_prefix("site:") {
            Some(reference) => {
                check_site_reference(text)?;
                Ok(Link::Site(reference.to_owned()))
            }
            None => parse_link(text).map(Link::Server),
        }
    }
}

impl fmt::Display for Link {
    /// The link without its password, as the log may show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Link::Server(location) => location.fmt(f),
            Link::Site(reference) => write!(f, "site:{reference}"),
        }
    }
}

/// The part of a link that looked like an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPart {
    /// The whole argument.
    Text,
    /// What follows `scheme:` or `scheme://`.
    AfterScheme,
    Host,
    User,
    SiteName,
}

impl fmt::Display for LinkPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkPart::Text => "text",
            LinkPart::AfterScheme => "text after the scheme",
            LinkPart::Host => "host",
            LinkPart::User => "user name",
            LinkPart::SiteName => "site name",
        })
    }
}

/// Why a link was refused, as a sentence for the user.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum LinkError {
    #[error(
        "the link holds a control or invisible character (such as a newline, NUL or a text-direction override), which no server address has"
    )]
    ControlCharacter,
    #[error("the link's {0} starts with '-', which could be taken for an option; Wharf does not open it")]
    LooksLikeOption(LinkPart),
    #[error("the link has a query or fragment ('?' or '#'), which Wharf does not use; remove it to open the folder")]
    QueryOrFragment,
    #[error(
        "an http:// or https:// link names a file to download, not a place to open; download it with `wharf get URL` or paste it into the window's queue"
    )]
    DownloadLink,
    #[error("only http:// and https:// links can be downloaded this way; open other servers with Connect")]
    NotALink,
    #[error(transparent)]
    Location(#[from] LocationError),
}

/// Checks a link to download (`http://`, `https://`, typed or pasted into the queue): the
/// same rules as [`parse_link`] but for the query, which such links need, and nothing else
/// but HTTP.
pub fn parse_download_link(text: &str) -> Result<Location, LinkError> {
    if text.chars().any(is_deceptive) {
        return Err(LinkError::ControlCharacter);
    }
    let location = Location::parse(text).map_err(|error| match error {
        LocationError::NotAUrl(_) => LinkError::NotALink,
        other => LinkError::Location(other),
    })?;
    if !location.site.protocol.is_link() {
        return Err(LinkError::NotALink);
    }
    if location.site.host.starts_with('-') {
        return Err(LinkError::LooksLikeOption(LinkPart::Host));
    }
    let password = location
        .site
        .credentials
        .password
        .as_ref()
        .map_or("", |secret| secret.expose());
    // A link's path stays percent-encoded: what it hides shows once decoded.
    let path = percent_encoding::percent_decode_str(location.path.as_str()).decode_utf8_lossy();
    if [location.site.user.as_str(), password, &path]
        .iter()
        .any(|part| part.chars().any(is_deceptive))
    {
        return Err(LinkError::ControlCharacter);
    }
    Ok(location)
}

/// Checks a link and returns the place it names.
pub fn parse_link(text: &str) -> Result<Location, LinkError> {
    if text.chars().any(is_deceptive) {
        return Err(LinkError::ControlCharacter);
    }
    if text.starts_with('-') {
        return Err(LinkError::LooksLikeOption(LinkPart::Text));
    }
    let after_scheme = text
        .split_once(':')
        .map_or(text, |(_, rest)| rest.trim_start_matches('/'));
    if after_scheme.starts_with('-') {
        return Err(LinkError::LooksLikeOption(LinkPart::AfterScheme));
    }
    if text.contains(['?', '#']) {
        return Err(LinkError::QueryOrFragment);
    }
    let location = Location::parse(text)?;
    let site = &location.site;
    if site.protocol.is_link() {
        return Err(LinkError::DownloadLink);
    }
    if site.host.starts_with('-') {
        return Err(LinkError::LooksLikeOption(LinkPart::Host));
    }
    if site.user.starts_with('-') {
        return Err(LinkError::LooksLikeOption(LinkPart::User));
    }
    // Percent-decoding can bring back what the raw text did not show.
    let password = site.credentials.password.as_ref().map_or("", |secret| secret.expose());
    let decoded = [site.user.as_str(), site.host.as_str(), password, location.path.as_str()];
    if decoded.iter().any(|part| part.chars().any(is_deceptive)) {
        return Err(LinkError::ControlCharacter);
    }
    Ok(location)
}

/// Checks a `site:NAME/path` reference given where a link may be: the same rules for control
/// characters and leading dashes.
fn check_site_reference(reference: &str) -> Result<(), LinkError> {
    if reference.chars().any(is_deceptive) {
        return Err(LinkError::ControlCharacter);
    }
    match reference.strip_prefix("site:") {
        Some(name) if name.starts_with('-') => Err(LinkError::LooksLikeOption(LinkPart::SiteName)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Protocol;

    #[track_caller]
    fn refused(link: &str, expected: LinkError) {
        assert_eq!(parse_link(link).map(|_| ()), Err(expected), "{link:?}");
    }

    #[test]
    fn ordinary_links_open() {
        let location = parse_link("sftp://me@example.org:2222/~/www").unwrap();
        assert_eq!(location.site.protocol, Protocol::Sftp);
        assert_eq!(location.site.host, "example.org");
        assert_eq!(location.path.as_str(), "~/www");
        assert!(parse_link("ftp://ftp.example.org/pub/a%20b/-notes-/").is_ok());
        assert!(parse_link("ftpes://u:p%40ss@h/").is_ok());
        assert!(parse_link("ftps://[::1]/").is_ok());
        assert!(
            parse_link("SFTP://h/caf%C3%A9").is_ok(),
            "schemes are case-blind; accents are fine"
        );
    }

    #[test]
    fn options_in_disguise_are_refused() {
        refused(
            "-oProxyCommand=touch%20/tmp/x",
            LinkError::LooksLikeOption(LinkPart::Text),
        );
        refused(
            "sftp://-oProxyCommand=touch%20x/",
            LinkError::LooksLikeOption(LinkPart::AfterScheme),
        );
        refused(
            "ssh:-oProxyCommand=x",
            LinkError::LooksLikeOption(LinkPart::AfterScheme),
        );
        refused("sftp://%2Doption@h/", LinkError::LooksLikeOption(LinkPart::User));
        refused("sftp://u@-h/", LinkError::LooksLikeOption(LinkPart::Host));
    }

    #[test]
    fn control_and_invisible_characters_are_refused_raw_and_encoded() {
        refused("sftp://h/\nls", LinkError::ControlCharacter);
        refused("sftp://h/a\0b", LinkError::ControlCharacter);
        refused("ftp://h/a%0ADELE%20x", LinkError::ControlCharacter);
        refused("ftp://h/a%0d%0aDELE%20x", LinkError::ControlCharacter);
        refused("ftp://u%00@h/", LinkError::ControlCharacter);
        refused("ftp://u:p%0A@h/", LinkError::ControlCharacter);
        // A right-to-left override makes "invoice\u{202E}fdp.exe" read as "invoiceexe.pdf".
        refused("sftp://h/invoice%E2%80%AEfdp.exe", LinkError::ControlCharacter);
        refused("sftp://h/a\u{200B}b", LinkError::ControlCharacter);
    }

    #[test]
    fn queries_fragments_and_other_schemes_are_refused() {
        refused("sftp://h/x?delete=1", LinkError::QueryOrFragment);
        refused("ftp://h/x#frag", LinkError::QueryOrFragment);
        assert!(matches!(
            parse_link("gopher://h/"),
            Err(LinkError::Location(LocationError::UnknownScheme(_)))
        ));
        assert_eq!(parse_link("https://h/file.iso"), Err(LinkError::DownloadLink));
        assert!(parse_link("davs://h/remote.php/dav").is_ok(), "a WebDAV folder opens");
        assert!(matches!(
            parse_link("sftp:///path"),
            Err(LinkError::Location(LocationError::NoHost(_)))
        ));
    }

    #[test]
    fn download_links_are_http_with_their_query_and_nothing_hidden() {
        let link = parse_download_link("https://u:pw@cdn.example/f.iso?X-Amz-Signature=abc").unwrap();
        assert_eq!(link.path.as_str(), "/f.iso?X-Amz-Signature=abc");
        assert_eq!(parse_download_link("sftp://h/"), Err(LinkError::NotALink));
        assert_eq!(parse_download_link("not a link at all"), Err(LinkError::NotALink));
        assert_eq!(parse_download_link("https://h/a%0Ab"), Err(LinkError::ControlCharacter));
        let refused = parse_download_link("ftp://u:secret-pw@h/").unwrap_err().to_string();
        assert!(!refused.contains("secret-pw"), "{refused}");
    }

    #[test]
    fn site_references_follow_the_same_rules() {
        assert_eq!(Link::parse("site:web/var/www"), Ok(Link::Site("web/var/www".into())));
        assert_eq!(
            Link::parse("site:-x"),
            Err(LinkError::LooksLikeOption(LinkPart::SiteName))
        );
        assert_eq!(Link::parse("site:a\nb"), Err(LinkError::ControlCharacter));
    }

    #[test]
    fn a_link_shows_without_its_password() {
        let link = Link::parse("ftp://u:hunter2@h/pub").unwrap();
        assert!(!link.to_string().contains("hunter2"), "{link}");
    }
}
