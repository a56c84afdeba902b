//! What the fuzz targets (the `fuzzing` module) run of the FTP client: a listing line, a whole
//! listing, one reply, and a whole session against a server that says whatever the fuzzer
//! wrote. Each is the client's own code path; only the server is made up.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use suppaftp::{FtpError, RustlsFtpStream};

use super::listing::{self, ListingContext, ServerType};
use super::{
    FtpFs, data_connections, listing_entries, map_ftp_error, mlst_entry, mtime_in, parse_257, refuses_continuing,
    reply_code, reply_error, reply_text, set_timeouts, size_in,
};
use crate::model::location::RemotePath;
use crate::model::security::{Encryption, Security};
use crate::model::{Credentials, DataMode, Protocol, Secret, Site};
use crate::protocol::{Checksum, ChecksumAlgorithm, Listing, ProtocolLog, RemoteFs};

const SERVER_TYPES: [ServerType; 7] = [
    ServerType::Unknown,
    ServerType::Unix,
    ServerType::Mvs,
    ServerType::Zvm,
    ServerType::HpNonStop,
    ServerType::Vms,
    ServerType::Windows,
];

/// The clocks a listing is read against: an ordinary day, both sides of a new year, a leap day.
fn now(choice: u8) -> NaiveDateTime {
    let (year, month, day, hour, minute, second) = match choice % 4 {
        0 => (2024, 6, 15, 12, 0, 0),
        1 => (2024, 1, 1, 0, 0, 30),
        2 => (2023, 12, 31, 23, 59, 59),
        _ => (2024, 2, 29, 8, 0, 0),
    };
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|date| date.and_hms_opt(hour, minute, second))
        .unwrap_or_default()
}

/// One LIST line, read as each kind of server would, and as an MLSD line.
pub(crate) fn list_line(line: &[u8]) {
    for server_type in SERVER_TYPES {
        let context = ListingContext {
            now: now(0),
            server_type,
        };
        let _ = listing::parse_list_line(line, &context);
    }
    let _ = listing::parse_mlsd_line(line);
}

/// A whole LIST or MLSD transfer through the listing screen. The first byte chooses the
/// server type (bits 0-2), MLSD (bit 3) and the clock (bits 4-5); the rest is the listing.
pub(crate) fn listing(data: &[u8]) {
    let Some((&options, bytes)) = data.split_first() else {
        return;
    };
    let context = ListingContext {
        now: now(options >> 4),
        server_type: SERVER_TYPES[usize::from(options & 0x07) % SERVER_TYPES.len()],
    };
    let mlsd = options & 0x08 != 0;
    let _ = Listing::screen(listing_entries(bytes, mlsd, &context).0);
}

/// One reply (all its lines), through everything that reads a reply's text.
pub(crate) fn reply(body: &[u8]) {
    let text = reply_text(body);
    let _ = reply_code(body);
    let _ = refuses_continuing(&reply_error("uploading /a", body, "ftp.example.com"));
    let _ = parse_257(&text);
    let _ = ServerType::from_syst(&text);
    let _ = mlst_entry(body);
    let _ = size_in(body);
    let _ = mtime_in(body);
    for algorithm in [ChecksumAlgorithm::Sha256, ChecksumAlgorithm::Sha1] {
        let _ = Checksum::from_reply(algorithm, &text);
    }
}

/// Separates a session script's control replies from what its data connections send.
const DATA_MARKER: &[u8] = b"\r\n\0\r\n";

/// A whole session: the script's replies (everything before [`DATA_MARKER`]) answer the
/// client's commands in order, from the greeting on; every data connection sends what
/// follows the marker. The client logs in, lists, stats, asks for a checksum, downloads,
/// uploads and changes things, each step going on whatever the last one got. Data
/// connections are made on loopback by the script's server, whatever port a PASV or EPSV
/// reply names; the client must ask for the control connection's peer.
pub(crate) fn session(script: &[u8]) {
    let (control, data) = match script.windows(DATA_MARKER.len()).position(|w| w == DATA_MARKER) {
        Some(at) => (&script[..at + 2], &script[at + DATA_MARKER.len()..]),
        None => (script, &[][..]),
    };
    let Some(listener) = LISTENER.with(Clone::clone) else {
        return;
    };
    let Ok((client, server)) = pair(&listener, control) else {
        return;
    };
    let site = Site {
        protocol: Protocol::Ftp,
        host: "127.0.0.1".to_owned(),
        port: 21,
        user: "u".to_owned(),
        credentials: Credentials {
            password: Some(Secret::new("p")),
            ..Credentials::default()
        },
        data_mode: DataMode::Passive,
        tls_if_available: false,
        jump_hosts: Vec::new(),
        s3: Default::default(),
    };
    let conn = match RustlsFtpStream::connect_with_stream(client) {
        Ok(conn) => conn,
        Err(error) => {
            let _ = map_ftp_error("connecting", error, &site.host);
            return;
        }
    };
    // Kept open until the client is gone, so that it reads to the end of what they sent.
    let data_servers = Arc::new(Mutex::new(Vec::new()));
    let connect = {
        let data = data.to_vec();
        let servers = data_servers.clone();
        move |address: SocketAddr| {
            assert_eq!(
                address.ip(),
                Ipv4Addr::LOCALHOST,
                "a data connection goes to the control connection's peer, whatever the server named"
            );
            let (client, server) = pair(&listener, &data).map_err(FtpError::ConnectionError)?;
            servers.lock().unwrap_or_else(PoisonError::into_inner).push(server);
            Ok(client)
        }
    };
    let conn = data_connections(conn, DataMode::Passive, IDLE, connect);
    let security = Security::new(Encryption::None, "not encrypted");
    let mut fs = FtpFs::new(conn, &site, security, ProtocolLog::new(|_, _| {}));
    exercise(&mut fs, &site);
    drop(fs);
    drop(data_servers);
    drop(server);
}

fn exercise(fs: &mut FtpFs, site: &Site) {
    let _ = fs.start_session(site);
    let folder = RemotePath::new("~/folder");
    let file = folder.join("file.txt");
    let _ = fs.list(&folder);
    let _ = fs.stat(&file);
    let _ = fs.checksum(&file);
    if let Ok(mut read) = fs.open_read(&file, 7) {
        let mut bytes = Vec::new();
        let _ = read.read_to_end(&mut bytes);
        let _ = read.finish();
    }
    if let Ok(mut write) = fs.open_write(&file, 3) {
        let _ = write.write_all(b"more");
        let _ = write.finish();
    }
    let _ = fs.set_mtime(&file, chrono::DateTime::UNIX_EPOCH);
    let _ = fs.chmod(&file, 0o644);
    let _ = fs.rename(&file, &folder.join("renamed"));
    let _ = fs.remove(&file);
    let _ = fs.mkdir(&folder);
    let _ = fs.rmdir(&folder);
    let _ = fs.keepalive();
}

/// Short: every read ends at the end of the script anyway.
const IDLE: Duration = Duration::from_secs(2);

thread_local! {
    /// The script's server; one per thread, so that tests running at once never cross.
    static LISTENER: Option<Arc<TcpListener>> = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).ok().map(Arc::new);
}

/// A loopback connection whose server end has sent `sends` and then closed its side. Both ends
/// reset rather than linger when closed, so that millions of them leave no TIME_WAIT behind.
fn pair(listener: &TcpListener, sends: &[u8]) -> io::Result<(TcpStream, TcpStream)> {
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (mut server, _) = listener.accept()?;
    for stream in [&client, &server] {
        socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO))?;
    }
    set_timeouts(&client, IDLE)?;
    server.set_write_timeout(Some(IDLE))?;
    server.write_all(sends)?;
    server.shutdown(Shutdown::Write)?;
    Ok((client, server))
}
