//! Links handed to Wharf by other programs: a browser or the desktop opens `sftp://host/path`
//! with `wharf -- URL`. A link is untrusted input. It may only name a place to open, so
//! everything that could make it mean more is refused before any part of it is used:
//! control characters (a newline or NUL, raw or percent-encoded), a host, user or text
//! after the scheme that starts with `-` (an option in disguise, the class of FileZilla's
//! and WinSCP's URL-handler bugs such as CVE-2021-3331), and queries or fragments, which
//! Wharf gives no meaning and so would only hide something.
//!
//! What a link can then do is decided by its caller: the window connects and lists the
//! folder, and nothing else (no transfer, no deletion, no saved password, no trust given
//! without the usual question).

use thiserror::Error;

use super::location::{Location, LocationError};

/// Why a link was refused, as a sentence for the user.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("the link holds a control character (such as a newline or NUL), which no server address has")]
    ControlCharacter,
    #[error("the link's {0} starts with '-', which could be taken for an option; Wharf does not open it")]
    LooksLikeOption(&'static str),
    #[error("the link has a query or fragment ('?' or '#'), which Wharf does not use; remove it to open the folder")]
    QueryOrFragment,
    #[error(transparent)]
    Location(#[from] LocationError),
}

/// Checks a link and returns the place it names.
pub fn parse_link(text: &str) -> Result<Location, LinkError> {
    if text.chars().any(char::is_control) {
        return Err(LinkError::ControlCharacter);
    }
    if text.starts_with('-') {
        return Err(LinkError::LooksLikeOption("text"));
    }
    let after_scheme = text
        .split_once(':')
        .map_or(text, |(_, rest)| rest.trim_start_matches('/'));
    if after_scheme.starts_with('-') {
        return Err(LinkError::LooksLikeOption("text after the scheme"));
    }
    if text.contains(['?', '#']) {
        return Err(LinkError::QueryOrFragment);
    }
    let location = Location::parse(text)?;
    let site = &location.site;
    if site.host.starts_with('-') {
        return Err(LinkError::LooksLikeOption("host"));
    }
    if site.user.starts_with('-') {
        return Err(LinkError::LooksLikeOption("user name"));
    }
    // Percent-decoding can bring back what the raw text did not show.
    let password = site.credentials.password.as_ref().map_or("", |secret| secret.expose());
    let decoded = [site.user.as_str(), site.host.as_str(), password, location.path.as_str()];
    if decoded.iter().any(|part| part.chars().any(char::is_control)) {
        return Err(LinkError::ControlCharacter);
    }
    Ok(location)
}

/// Checks a `site:NAME/path` reference given where a link may be: the same rules for control
/// characters and leading dashes.
pub fn check_site_reference(reference: &str) -> Result<(), LinkError> {
    if reference.chars().any(char::is_control) {
        return Err(LinkError::ControlCharacter);
    }
    match reference.strip_prefix("site:") {
        Some(name) if name.starts_with('-') => Err(LinkError::LooksLikeOption("site name")),
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
    }

    #[test]
    fn options_in_disguise_are_refused() {
        refused("-oProxyCommand=touch%20/tmp/x", LinkError::LooksLikeOption("text"));
        refused(
            "sftp://-oProxyCommand=touch%20x/",
            LinkError::LooksLikeOption("text after the scheme"),
        );
        refused(
            "ssh:-oProxyCommand=x",
            LinkError::LooksLikeOption("text after the scheme"),
        );
        refused("sftp://%2Doption@h/", LinkError::LooksLikeOption("user name"));
        refused("sftp://u@-h/", LinkError::LooksLikeOption("host"));
    }

    #[test]
    fn control_characters_are_refused_raw_and_encoded() {
        refused("sftp://h/\nls", LinkError::ControlCharacter);
        refused("sftp://h/a\0b", LinkError::ControlCharacter);
        refused("ftp://h/a%0ADELE%20x", LinkError::ControlCharacter);
        refused("ftp://h/a%0d%0aDELE%20x", LinkError::ControlCharacter);
        refused("ftp://u%00@h/", LinkError::ControlCharacter);
        refused("ftp://u:p%0A@h/", LinkError::ControlCharacter);
    }

    #[test]
    fn queries_fragments_and_other_schemes_are_refused() {
        refused("sftp://h/x?delete=1", LinkError::QueryOrFragment);
        refused("ftp://h/x#frag", LinkError::QueryOrFragment);
        assert!(matches!(
            parse_link("http://h/"),
            Err(LinkError::Location(LocationError::UnknownScheme(_)))
        ));
    }

    #[test]
    fn site_references_follow_the_same_rules() {
        assert_eq!(check_site_reference("site:web/var/www"), Ok(()));
        assert_eq!(
            check_site_reference("site:-x"),
            Err(LinkError::LooksLikeOption("site name"))
        );
        assert_eq!(check_site_reference("site:a\nb"), Err(LinkError::ControlCharacter));
    }
}
