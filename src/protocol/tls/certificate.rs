//! What is wrong with a server's certificate, in words a user can act on: self-signed,
//! expired (since when), not valid yet (from when), issued for another name (which), signed by
//! an authority this computer does not know (which). rustls and webpki name these problems for
//! programmers (`Other(OtherError(CaUsedAsEndEntity))`); the trust question and the errors
//! show this sentence instead.

use chrono::DateTime;
use rustls::CertificateError as Problem;
use rustls::pki_types::UnixTime;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Why the system's roots do not vouch for `certificate` (its DER), as a clause that follows
/// "the certificate of HOST is not trusted because".
pub fn describe(error: &rustls::Error, certificate: &[u8]) -> String {
    let facts = Facts::read(certificate);
    let rustls::Error::InvalidCertificate(problem) = error else {
        return format!("the TLS library refused it ({error})");
    };
    match problem {
        Problem::UnknownIssuer | Problem::Other(_) if facts.self_signed => {
            "it is self-signed: it vouches for itself, and no authority this computer trusts has signed it".to_owned()
        }
        Problem::UnknownIssuer => match &facts.issuer {
            Some(issuer) => format!("it is signed by {issuer}, an authority this computer does not know"),
            None => "it is signed by an authority this computer does not know".to_owned(),
        },
        Problem::Expired => match &facts.not_after {
            Some(when) => format!("it expired on {when}"),
            None => "it has expired".to_owned(),
        },
        Problem::ExpiredContext { not_after, .. } => format!("it expired on {}", date(*not_after)),
        Problem::NotValidYet => match &facts.not_before {
            Some(when) => format!("it is valid only from {when}"),
            None => "it is not valid yet".to_owned(),
        },
        Problem::NotValidYetContext { not_before, .. } => format!("it is valid only from {}", date(*not_before)),
        Problem::NotValidForName => "it was issued for another host name".to_owned(),
        Problem::NotValidForNameContext { expected, presented } => {
            let names = if presented.is_empty() {
                "no host name".to_owned()
            } else {
                presented
                    .iter()
                    .map(|name| plain_name(name))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!("it was issued for {names}, not {}", expected.to_str())
        }
        Problem::Revoked => "its issuer has revoked it".to_owned(),
        Problem::BadSignature => "its signature does not match its contents".to_owned(),
        Problem::InvalidPurpose | Problem::InvalidPurposeContext { .. } => {
            "it is not meant to identify a server".to_owned()
        }
        Problem::BadEncoding => "it is damaged: it cannot be read".to_owned(),
        other => format!("the TLS library refused it ({other:?})"),
    }
}

/// A name as rustls presents it (`DnsName("ftp.example.org")`, `IpAddress(192.0.2.1)`),
/// without the wrapping meant for programmers.
fn plain_name(presented: &str) -> &str {
    let inner = presented
        .split_once('(')
        .and_then(|(kind, rest)| {
            rest.strip_suffix(')')
                .filter(|_| kind.chars().all(char::is_alphanumeric))
        })
        .unwrap_or(presented);
    inner
        .strip_prefix('"')
        .and_then(|name| name.strip_suffix('"'))
        .unwrap_or(inner)
}

/// What the certificate itself says, where it can be read.
#[derive(Default)]
struct Facts {
    /// Issued by itself: issuer and subject are the same name.
    self_signed: bool,
    issuer: Option<String>,
    not_before: Option<String>,
    not_after: Option<String>,
}

impl Facts {
    fn read(der: &[u8]) -> Facts {
        let Ok((_, certificate)) = X509Certificate::from_der(der) else {
            return Facts::default();
        };
        let validity = certificate.validity();
        Facts {
            self_signed: certificate.issuer() == certificate.subject(),
            issuer: Some(certificate.issuer().to_string()).filter(|name| !name.is_empty()),
            not_before: Some(day(validity.not_before.timestamp())),
            not_after: Some(day(validity.not_after.timestamp())),
        }
    }
}

fn date(time: UnixTime) -> String {
    day(i64::try_from(time.as_secs()).unwrap_or(i64::MAX))
}

/// A day as `2026-11-30` (UTC), or the seconds when they are no date.
fn day(seconds: i64) -> String {
    match DateTime::from_timestamp(seconds, 0) {
        Some(time) => time.format("%Y-%m-%d").to_string(),
        None => format!("{seconds} s after 1970"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::ServerName;
    use std::time::Duration;

    fn self_signed() -> Vec<u8> {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["ftp.example.test".to_owned()]).unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    fn invalid(problem: Problem) -> rustls::Error {
        rustls::Error::InvalidCertificate(problem)
    }

    #[test]
    fn problems_read_as_words_with_their_details() {
        let der = self_signed();
        let said = describe(&invalid(Problem::UnknownIssuer), &der);
        assert!(said.starts_with("it is self-signed"), "{said}");
        let ca_as_server = invalid(Problem::Other(rustls::OtherError(std::sync::Arc::new(
            std::io::Error::other("CaUsedAsEndEntity"),
        ))));
        assert!(describe(&ca_as_server, &der).starts_with("it is self-signed"));
        let expired = invalid(Problem::ExpiredContext {
            time: UnixTime::since_unix_epoch(Duration::from_secs(1_800_000_000)),
            not_after: UnixTime::since_unix_epoch(Duration::from_secs(1_767_225_600)),
        });
        assert_eq!(describe(&expired, &der), "it expired on 2026-01-01");
        let other_name = invalid(Problem::NotValidForNameContext {
            expected: ServerName::try_from("127.0.0.1").unwrap().to_owned(),
            presented: vec!["DnsName(\"ftp.example.test\")".to_owned()],
        });
        let said = describe(&other_name, &der);
        assert_eq!(said, "it was issued for ftp.example.test, not 127.0.0.1");
        assert_eq!(plain_name("IpAddress(192.0.2.1)"), "192.0.2.1");
        assert_eq!(plain_name("odd name (with parentheses)"), "odd name (with parentheses)");
        assert_eq!(
            describe(&invalid(Problem::UnknownIssuer), b"not a certificate"),
            "it is signed by an authority this computer does not know"
        );
    }

    #[test]
    fn nothing_reads_as_debug_output() {
        let der = self_signed();
        for problem in [
            Problem::BadEncoding,
            Problem::Expired,
            Problem::NotValidYet,
            Problem::Revoked,
            Problem::NotValidForName,
            Problem::BadSignature,
            Problem::InvalidPurpose,
        ] {
            let said = describe(&invalid(problem), &der);
            assert!(said.starts_with("it"), "{said}");
            assert!(!said.contains('('), "{said}");
        }
    }
}
