//! One TLS handshake of an HTTPS connection's own, before reqwest makes any: the server's
//! certificate is checked (and asked about, when the system does not vouch for it) on the
//! connection's thread, with no request timer running while the user reads the question,
//! and what the handshake agreed is kept for the status bar.

use std::time::Duration;

use rustls::pki_types::ServerName;

use crate::model::Site;
use crate::model::security::{Encryption, Security};
use crate::protocol::tls::{self, Offer};
use crate::protocol::{ConnectContext, ErrorKind, FsError, connect_tcp};

pub struct Probed {
    pub config: rustls::ClientConfig,
    pub security: Security,
}

pub fn handshake(site: &Site, context: &ConnectContext) -> Result<Probed, FsError> {
    let client = tls::client_config(&site.host, site.port, context.trust.clone(), Offer::Any)?;
    let mut tcp = connect_tcp(site, Duration::from_secs(context.timeouts.connect))?;
    let idle = Some(Duration::from_secs(context.timeouts.idle));
    let failed = |error: std::io::Error| FsError::from_network(&error, &format!("connecting to {}", site.authority()));
    tcp.set_read_timeout(idle).map_err(failed)?;
    tcp.set_write_timeout(idle).map_err(failed)?;
    let name = ServerName::try_from(site.host.clone())
        .map_err(|_| FsError::new(ErrorKind::InvalidName, format!("{:?} is not a host name", site.host)))?;
    let mut connection = rustls::ClientConnection::new(client.config.clone(), name)
        .map_err(|error| FsError::new(ErrorKind::Tls, format!("TLS could not be set up: {error}")))?;
    while connection.is_handshaking() {
        if let Err(error) = connection.complete_io(&mut tcp) {
            return Err(client.take_refusal().unwrap_or_else(|| {
                FsError::new(
                    ErrorKind::Tls,
                    format!(
                        "the TLS handshake failed: {} ({})",
                        tls::failure_in_words(&error.to_string()),
                        site.authority()
                    ),
                )
            }));
        }
    }
    let version = match connection.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3",
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2",
        _ => "TLS",
    };
    let detail = match connection.negotiated_cipher_suite() {
        Some(suite) => format!("{version}, {:?}", suite.suite()),
        None => version.to_owned(),
    };
    connection.send_close_notify();
    let _ = connection.complete_io(&mut tcp);
    Ok(Probed {
        config: (*client.config).clone(),
        security: Security::new(Encryption::Tls, detail),
    })
}
