//! TLS that a user must not trust blindly, from real servers: ProFTPD speaking only TLS 1.0
//! and 1.1, and vsftpd with an expired certificate, one issued for another name, one signed by
//! an unknown authority and a self-signed one. Each is refused with its own sentence; a
//! certificate from an authority this computer trusts (`SSL_CERT_FILE`, which
//! rustls-native-certs reads) is the control that shows the others fail for their reason.
//! The same rules over HTTPS, from nginx.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, date_time_ymd};
use wharf::model::Protocol;
use wharf::protocol::ErrorKind;
use wharf::protocol::ftp::FtpFs;

use crate::servers::proftpd::{self, Module};
use crate::servers::{FtpTls, PASSWORD, Pem, USER, nginx, vsftpd_with};
use crate::support::{context, site, stderr, stdout, wharf_with};

#[test]
fn a_server_with_only_tls_older_than_1_2_is_refused_in_words() {
    let (server, _) = proftpd::start(Module::TlsBefore12);
    let error = FtpFs::connect(&site(Protocol::Ftpes, server.port, USER, PASSWORD), &context())
        .err()
        .expect("TLS 1.1 is refused");
    assert_eq!(error.kind, ErrorKind::Tls, "{}", error.message);
    assert!(
        error.message.contains("no TLS version in common") && error.message.contains("only older ones"),
        "{}",
        error.message
    );
    assert!(
        !error.message.contains("logging in"),
        "no password went out: {}",
        error.message
    );
}

/// An authority of our own, trusted through `SSL_CERT_FILE` or not at all.
fn authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A server certificate for `names`, valid in `years` (first and last), signed by `issuer`
/// or by itself.
fn server_certificate(names: &[&str], years: (i32, i32), issuer: Option<&CertifiedIssuer<'static, KeyPair>>) -> Pem {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(names.iter().map(|name| (*name).to_owned()).collect::<Vec<_>>()).unwrap();
    params.not_before = date_time_ymd(years.0, 1, 1);
    params.not_after = date_time_ymd(years.1, 1, 1);
    let certificate = match issuer {
        Some(issuer) => params.signed_by(&key, issuer).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    Pem {
        certificate: certificate.pem(),
        key: key.serialize_pem(),
    }
}

#[test]
fn vsftpd_certificates_are_refused_each_in_its_own_words() {
    let trusted = authority("Wharf Test Trusted Authority");
    let unknown = authority("Wharf Test Unknown Authority");
    let roots = tempfile::tempdir().unwrap();
    let roots_file = roots.path().join("roots.pem");
    std::fs::write(&roots_file, trusted.pem()).unwrap();
    let now = chrono::Datelike::year(&chrono::Utc::now());
    let cases = [
        (
            "trusted",
            server_certificate(&["127.0.0.1"], (now - 1, now + 5), Some(&trusted)),
            None,
        ),
        (
            "expired",
            server_certificate(&["127.0.0.1"], (2020, 2021), Some(&trusted)),
            Some("it expired on 2021-01-01"),
        ),
        (
            "another name",
            server_certificate(&["ftp.example.test"], (now - 1, now + 5), Some(&trusted)),
            Some("it was issued for ftp.example.test, not 127.0.0.1"),
        ),
        (
            "unknown authority",
            server_certificate(&["127.0.0.1"], (now - 1, now + 5), Some(&unknown)),
            Some("Wharf Test Unknown Authority, an authority this computer does not know"),
        ),
        (
            "self-signed",
            server_certificate(&["127.0.0.1"], (now - 1, now + 5), None),
            Some("it is self-signed"),
        ),
    ];
    for (case, pem, refusal) in cases {
        let (server, _) = vsftpd_with(FtpTls::Explicit, Some(&pem));
        let home = tempfile::tempdir().unwrap();
        let output = wharf_with(
            home.path(),
            &["ls", &format!("ftpes://{USER}:{PASSWORD}@127.0.0.1:{}/", server.port)],
            &[("SSL_CERT_FILE", roots_file.to_str().unwrap())],
        );
        match refusal {
            None => assert!(output.status.success(), "{case}: {}", stderr(&output)),
            Some(words) => {
                assert_eq!(output.status.code(), Some(1), "{case}: {}", stdout(&output));
                assert!(stderr(&output).contains(words), "{case}: {}", stderr(&output));
            }
        }
    }
}

/// HTTPS follows the same rules as FTPS, from nginx: a certificate from a trusted authority
/// downloads (and the log names what the handshake agreed: TLS 1.2, the newest Debian's nginx
/// 1.22 offers by default), the others are refused each in its words before a byte is
/// written.
#[test]
fn https_certificates_are_refused_each_in_its_own_words() {
    let trusted = authority("Wharf Test Trusted Authority");
    let roots = tempfile::tempdir().unwrap();
    let roots_file = roots.path().join("roots.pem");
    std::fs::write(&roots_file, trusted.pem()).unwrap();
    let now = chrono::Datelike::year(&chrono::Utc::now());
    let cases = [
        (
            server_certificate(&["127.0.0.1"], (now - 1, now + 5), Some(&trusted)),
            None,
        ),
        (
            server_certificate(&["127.0.0.1"], (2020, 2021), Some(&trusted)),
            Some("it expired on 2021-01-01"),
        ),
        (
            server_certificate(&["127.0.0.1"], (now - 1, now + 5), None),
            Some("it is self-signed"),
        ),
    ];
    for (pem, refusal) in cases {
        let server = nginx::start_tls(&pem);
        std::fs::write(nginx::web_root(&server).join("f.txt"), b"over TLS").unwrap();
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("f.txt");
        let output = wharf_with(
            out.path(),
            &[
                "-v",
                "get",
                &format!("https://127.0.0.1:{}/f.txt", server.port),
                target.to_str().unwrap(),
            ],
            &[("SSL_CERT_FILE", roots_file.to_str().unwrap())],
        );
        match refusal {
            None => {
                assert!(output.status.success(), "{}", stderr(&output));
                assert!(stderr(&output).contains("(TLS 1.2, TLS_ECDHE_"), "{}", stderr(&output));
                assert_eq!(std::fs::read(&target).unwrap(), b"over TLS");
            }
            Some(words) => {
                assert_eq!(output.status.code(), Some(1), "{words}: {}", stdout(&output));
                assert!(stderr(&output).contains(words), "{words}: {}", stderr(&output));
                assert!(!target.exists());
            }
        }
    }
}
