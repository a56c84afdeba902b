//! HTTP authentication: Basic and Digest, answered after the server's first 401 and then
//! sent with every request, so that a streamed upload never meets a challenge it cannot
//! replay. Digest (RFC 7616, through the digest_auth crate) is preferred when a server offers
//! both: the password itself never crosses the network. The header values are marked
//! sensitive, and the password stays a [`Secret`].

use base64::Engine;
use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};

use crate::model::Secret;
use crate::protocol::{ErrorKind, FsError};

/// How requests prove who the user is.
#[derive(Debug, Default)]
pub enum Auth {
    /// Nothing asked yet, or nothing to send.
    #[default]
    None,
    Basic(Secret),
    Digest(Box<digest_auth::WwwAuthenticateHeader>),
}

/// Which scheme a server's challenge asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Basic,
    Digest,
}

impl Auth {
    /// Answers a 401's challenges with `user` and `password`. `Ok(true)` when the request
    /// should be sent again with the new answer; `Ok(false)` when the answer already sent was
    /// refused (a wrong name or password); an error when the server asks for credentials the
    /// site has none of, or in a scheme Wharf does not speak.
    pub fn answer(&mut self, headers: &HeaderMap, user: &str, password: Option<&Secret>) -> Result<bool, FsError> {
        let challenges: Vec<&str> = headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        let digest = challenges
            .iter()
            .find(|text| starts_with_scheme(text, "Digest"))
            .and_then(|text| digest_auth::WwwAuthenticateHeader::parse(text).ok());
        // A stale nonce is not a wrong password: answer the new nonce.
        if let (Auth::Digest(_), Some(fresh)) = (&*self, &digest)
            && fresh.stale
        {
            *self = Auth::Digest(Box::new(fresh.clone()));
            return Ok(true);
        }
        if !matches!(self, Auth::None) {
            return Ok(false);
        }
        let Some(password) = password.filter(|_| !user.is_empty()) else {
            return Err(FsError::new(
                ErrorKind::Auth,
                "the server asks for a user name and password, and none was given",
            ));
        };
        if let Some(digest) = digest {
            *self = Auth::Digest(Box::new(digest));
        } else if challenges.iter().any(|text| starts_with_scheme(text, "Basic")) {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", password.expose()));
            *self = Auth::Basic(Secret::new(format!("Basic {token}")));
        } else {
            let offered = challenges
                .iter()
                .map(|text| text.split_whitespace().next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(FsError::new(
                ErrorKind::Auth,
                format!(
                    "the server asks for an authentication Wharf does not speak ({offered}); Wharf speaks Basic and Digest"
                ),
            ));
        }
        Ok(true)
    }

    /// The scheme in use, once a challenge was answered.
    pub fn scheme(&self) -> Option<Scheme> {
        match self {
            Auth::None => None,
            Auth::Basic(_) => Some(Scheme::Basic),
            Auth::Digest(_) => Some(Scheme::Digest),
        }
    }

    /// The `Authorization` value for one request (`uri`: the path and query as sent).
    pub fn header(&mut self, method: &str, uri: &str, user: &str, password: Option<&Secret>) -> Option<HeaderValue> {
        let text = match self {
            Auth::None => return None,
            Auth::Basic(token) => token.expose().to_owned(),
            Auth::Digest(challenge) => {
                let context = digest_auth::AuthContext::new_with_method(
                    user,
                    password.map(Secret::expose).unwrap_or_default(),
                    uri,
                    Option::<&[u8]>::None,
                    digest_auth::HttpMethod(method.into()),
                );
                challenge.respond(&context).ok()?.to_header_string()
            }
        };
        let mut value = HeaderValue::from_str(&text).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

fn starts_with_scheme(text: &str, scheme: &str) -> bool {
    text.trim_start()
        .get(..scheme.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(WWW_AUTHENTICATE, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn digest_is_preferred_and_a_refused_answer_is_not_repeated() {
        let password = Secret::new("pw");
        let offered = challenge(&[
            "Basic realm=\"x\"",
            "Digest realm=\"x\", nonce=\"abc\", qop=\"auth\", algorithm=MD5",
        ]);
        let mut auth = Auth::None;
        assert!(auth.answer(&offered, "u", Some(&password)).unwrap());
        assert_eq!(auth.scheme(), Some(Scheme::Digest));
        let header = auth.header("PROPFIND", "/a%20b", "u", Some(&password)).unwrap();
        let text = header.to_str().unwrap();
        assert!(text.starts_with("Digest ") && text.contains("uri=\"/a%20b\""), "{text}");
        assert!(!text.contains("pw\""), "the password itself is not sent: {text}");
        assert!(header.is_sensitive());
        assert!(
            !auth.answer(&offered, "u", Some(&password)).unwrap(),
            "refused: wrong password"
        );
        let stale = challenge(&["Digest realm=\"x\", nonce=\"def\", qop=\"auth\", stale=true"]);
        assert!(
            auth.answer(&stale, "u", Some(&password)).unwrap(),
            "a stale nonce is answered again"
        );
    }

    #[test]
    fn basic_and_what_cannot_be_answered() {
        let password = Secret::new("pw");
        let mut auth = Auth::None;
        assert!(
            auth.answer(&challenge(&["basic realm=x"]), "u", Some(&password))
                .unwrap()
        );
        let header = auth.header("GET", "/", "u", Some(&password)).unwrap();
        assert_eq!(header.to_str().unwrap(), "Basic dTpwdw==");
        let missing = Auth::None.answer(&challenge(&["Basic realm=x"]), "", None).unwrap_err();
        assert_eq!(missing.kind, ErrorKind::Auth);
        let unknown = Auth::None
            .answer(&challenge(&["Negotiate"]), "u", Some(&password))
            .unwrap_err();
        assert!(unknown.message.contains("Negotiate"), "{}", unknown.message);
    }
}
