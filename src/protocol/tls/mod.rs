//! TLS for FTPS and HTTPS (WebDAV, links): the system's roots first, then the user's
//! pinned certificates.
//!
//! A certificate the system roots do not vouch for (self-signed, unknown issuer, wrong name)
//! goes to the [`TrustPolicy`], which accepts it only when its SHA-256 fingerprint is pinned
//! for this host or the user accepts it now. The same client configuration is used for the
//! control and every data connection, so its session cache lets data connections resume the
//! control connection's TLS session, which vsftpd requires by default (`require_ssl_reuse`).

use std::sync::{Arc, Mutex, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

mod certificate;

use crate::protocol::FsError;
use crate::protocol::trust::{CertificateInfo, TrustPolicy};

/// The system's root certificates, loaded once per process.
fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut store = RootCertStore::empty();
            let loaded = rustls_native_certs::load_native_certs();
            for error in &loaded.errors {
                tracing::warn!("could not load a system root certificate: {error}");
            }
            let (added, ignored) = store.add_parsable_certificates(loaded.certs);
            tracing::debug!("loaded {added} system root certificates ({ignored} unusable)");
            Arc::new(store)
        })
        .clone()
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The decision of the trust policy for the last refused certificate, so that the
/// connection can report the policy's sentence rather than rustls' generic one.
pub type Refusal = Arc<Mutex<Option<FsError>>>;

/// The TLS version of the connection's full handshake (`TLS 1.3`), as the verifier saw it: the
/// status bar says what protects the connection.
pub type Version = Arc<Mutex<Option<&'static str>>>;

/// The TLS versions an FTPS connection offers.
///
/// TLS 1.2 comes first. FTPS data connections must resume the control connection's TLS
/// session on servers that check it (vsftpd's `require_ssl_reuse`, ProFTPD's mod_tls,
/// FileZilla Server), and rustls uses a TLS 1.3 ticket only once: ProFTPD accepts only the
/// control connection's own tickets (two), so the third transfer was refused ("425 Unable to
/// build data connection"). A TLS 1.2 session resumes any number of times. A server that
/// speaks only TLS 1.3, or whose TLS 1.2 ciphers rustls lacks, ends the handshake before it
/// shows its certificate, and is asked again with TLS 1.3 ([`Offer::Tls13`]): safe, since
/// that only ever moves to the newer version.
///
/// HTTPS has no data connections to resume, and offers both ([`Offer::Any`]), newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    Tls12,
    Tls13,
    Any,
}

impl Offer {
    fn versions(self) -> &'static [&'static rustls::SupportedProtocolVersion] {
        static TLS12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
        static TLS13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
        static ANY: [&rustls::SupportedProtocolVersion; 2] = [&rustls::version::TLS13, &rustls::version::TLS12];
        match self {
            Offer::Tls12 => &TLS12,
            Offer::Tls13 => &TLS13,
            Offer::Any => &ANY,
        }
    }
}

/// The client side of one FTPS connection: its configuration, and what its verifier saw.
pub struct Client {
    /// Shared by the control connection and every data connection.
    pub config: Arc<ClientConfig>,
    refusal: Refusal,
    version: Version,
}

impl Client {
    /// Whether the TLS handshake got as far as the server's certificate: after that, a refused
    /// command (PBSZ, PROT) is not a server without TLS. A poisoned slot counts as started, so
    /// that doubt never lowers security.
    pub fn handshake_started(&self) -> bool {
        self.version.lock().map_or(true, |version| version.is_some())
            || self.refusal.lock().map_or(true, |refused| refused.is_some())
    }

    /// The trust policy's refusal of the certificate, taken so that the connection reports
    /// the policy's sentence rather than rustls' generic one.
    pub fn take_refusal(&self) -> Option<FsError> {
        self.refusal.lock().ok().and_then(|mut slot| slot.take())
    }

    /// The TLS version of the full handshake, once there was one.
    pub fn version(&self) -> Option<&'static str> {
        *self.version.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Builds the client configuration for one FTPS connection to `host:port`.
pub fn client_config(host: &str, port: u16, trust: Arc<dyn TrustPolicy>, offer: Offer) -> Result<Client, FsError> {
    let provider = provider();
    let roots = system_roots();
    let webpki = if roots.is_empty() {
        None
    } else {
        WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .ok()
    };
    let refusal: Refusal = Arc::new(Mutex::new(None));
    let version: Version = Arc::new(Mutex::new(None));
    let verifier = PinningVerifier {
        version: version.clone(),
        webpki,
        algorithms: provider.signature_verification_algorithms,
        host: host.to_owned(),
        port,
        trust,
        refusal: refusal.clone(),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(offer.versions())
        .map_err(|error| {
            FsError::new(
                crate::protocol::ErrorKind::Tls,
                format!("TLS could not be set up: {error}"),
            )
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Client {
        config: Arc::new(config),
        refusal,
        version,
    })
}

#[derive(Debug)]
struct PinningVerifier {
    webpki: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
    host: String,
    port: u16,
    trust: Arc<dyn TrustPolicy>,
    refusal: Refusal,
    version: Version,
}

impl PinningVerifier {
    fn saw(&self, version: &'static str) {
        let mut seen = self.version.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.get_or_insert(version);
    }
}

impl std::fmt::Debug for dyn TrustPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TrustPolicy")
    }
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let problem = match &self.webpki {
            Some(webpki) => match webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            {
                Ok(verified) => return Ok(verified),
                Err(error) => certificate::describe(&error, end_entity.as_ref()),
            },
            None => "no system root certificates are available".to_owned(),
        };
        let info = CertificateInfo {
            host: self.host.clone(),
            port: self.port,
            der: end_entity.as_ref().to_vec(),
            problem,
        };
        match self.trust.check_certificate(&info) {
            Ok(()) => Ok(ServerCertVerified::assertion()),
            Err(refused) => {
                let message = refused.message.clone();
                if let Ok(mut slot) = self.refusal.lock() {
                    *slot = Some(refused);
                }
                Err(rustls::Error::General(message))
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.saw("TLS 1.2");
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.saw("TLS 1.3");
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// What a TLS failure means, in words, from the text the FTP library gives for it (rustls's
/// own message, or the I/O error under it). Unknown texts are passed on as they are.
pub fn failure_in_words(text: &str) -> String {
    let has = |needle: &str| text.contains(needle);
    let sentence = if has("ProtocolVersion") {
        "the server and Wharf have no TLS version in common (Wharf speaks TLS 1.2 and 1.3; the server may \
         allow only older ones)"
    } else if has("HandshakeFailure") || has("InsufficientSecurity") || has("NoCipherSuitesInCommon") {
        "the server and Wharf agreed on no cipher: the server refused the handshake"
    } else if has("CertificateRequired") || has("BadCertificate") {
        "the server asks for a client certificate, which Wharf does not send"
    } else if has("UnrecognisedName") || has("UnrecognizedName") {
        "the server does not answer to this host name over TLS (SNI); try the name on its certificate"
    } else if has("AccessDenied") {
        "the server denied access during the TLS handshake"
    } else if has("BadRecordMac") || has("DecryptError") || has("DecodeError") {
        "the encrypted data was damaged on the way (a proxy or a faulty network in between?)"
    } else if has("corrupt message") || has("InvalidContentType") {
        "the server did not answer in TLS: is this the right port and kind of FTPS? (implicit FTPS, \
         ftps://, is usually port 990; explicit, ftpes://, port 21)"
    } else if has("unexpected end of file") || has("UnexpectedEof") || has("close_notify") {
        "the server closed the TLS connection unexpectedly"
    } else if has("peer sent no certificates") {
        "the server sent no certificate"
    } else if let Some(detail) = text.split_once("peer is incompatible: ").map(|(_, detail)| detail) {
        return format!("the server's TLS is incompatible with Wharf's ({detail})");
    } else if let Some(detail) = text.split_once("peer misbehaved: ").map(|(_, detail)| detail) {
        return format!("the server broke the TLS protocol ({detail})");
    } else {
        return format!("TLS error: {text}");
    };
    sentence.to_owned()
}

#[cfg(test)]
mod words_tests {
    use super::failure_in_words;

    /// The messages rustls and its streams give, as suppaftp passes them on.
    #[test]
    fn tls_failures_read_as_sentences() {
        for (text, expected) in [
            ("received fatal alert: ProtocolVersion", "no TLS version in common"),
            ("received fatal alert: HandshakeFailure", "agreed on no cipher"),
            ("received fatal alert: CertificateRequired", "client certificate"),
            ("received fatal alert: UnrecognisedName", "(SNI)"),
            ("received corrupt message of type InvalidContentType", "right port"),
            ("unexpected end of file", "closed the TLS connection unexpectedly"),
            ("peer is incompatible: NoCipherSuitesInCommon", "agreed on no cipher"),
            (
                "peer misbehaved: IllegalMiddleboxChangeCipherSpec",
                "broke the TLS protocol (Illegal",
            ),
            ("something new", "TLS error: something new"),
        ] {
            let words = failure_in_words(text);
            assert!(words.contains(expected), "{text:?} read as {words:?}");
            assert!(!words.contains("Other(") && !words.contains("AlertReceived"), "{words}");
        }
    }
}
