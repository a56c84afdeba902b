//! A small FTP server that follows a script, for behaviour no real server shows on demand:
//! hostile file names, a PASV reply naming another host, a refused AUTH TLS. It records every
//! command it receives so that tests can check what the client sent (and what it did not).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Default)]
pub struct Script {
    /// Raw LIST payloads by folder path ("/", "/evil").
    pub listings: HashMap<String, Vec<u8>>,
    /// File contents by path.
    pub files: HashMap<String, Vec<u8>>,
    /// The address a PASV reply names (the data listener is always on 127.0.0.1).
    pub pasv_host: [u8; 4],
    /// Answer EPSV (otherwise 502, forcing PASV).
    pub epsv: bool,
    /// Refuse AUTH TLS.
    pub refuse_auth: bool,
    /// The first RETR sends only this many bytes, then drops the data connection (426).
    pub drop_first_retr_after: Option<usize>,
    /// RETR commands served so far, across sessions.
    pub retrievals: Arc<std::sync::atomic::AtomicUsize>,
    /// Offer XSHA256 in FEAT and answer it.
    pub xsha256: bool,
    /// The first XSHA256 answer is wrong (as if the file had been damaged on the way).
    pub wrong_first_hash: bool,
    /// XSHA256 commands answered so far, across sessions.
    pub hashes: Arc<std::sync::atomic::AtomicUsize>,
    /// Offer MLST, and answer it as pure-ftpd does ("550 Can't check for file existence").
    /// MLSD then serves the listings as they are (they should be MLSD lines).
    pub mlst: bool,
    /// One way to misbehave, if any.
    pub hostile: Option<Hostile>,
}

/// What a hostile server does instead of the usual.
#[derive(Clone, Copy, Debug)]
pub enum Hostile {
    /// PWD is answered with a megabyte and no line end.
    EndlessReplyLine,
    /// PWD is answered with continuation lines that never end.
    EndlessMultiline,
    /// After a listing's data, 1xx replies come without end instead of 226.
    PreliminaryFlood,
    /// EPSV and PASV name this port (on the right host).
    PassivePort(u16),
    /// LIST sends lines until the client goes away.
    EndlessListing,
}

/// Writes `chunk` until the client stops reading or goes away.
fn flood(out: &mut TcpStream, first: &[u8], chunk: &[u8]) -> std::io::Result<()> {
    out.write_all(first)?;
    loop {
        out.write_all(chunk)?;
    }
}

pub struct ScriptedFtp {
    pub port: u16,
    pub received: Arc<Mutex<Vec<String>>>,
}

impl ScriptedFtp {
    pub fn start(script: Script) -> ScriptedFtp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::Builder::new()
            .name("scripted-ftp".to_owned())
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { return };
                    let (script, log) = (script.clone(), log.clone());
                    std::thread::Builder::new()
                        .name("scripted-ftp-session".to_owned())
                        .spawn(move || {
                            let _ = session(stream, &script, &log);
                        })
                        .unwrap();
                }
            })
            .unwrap();
        ScriptedFtp { port, received }
    }

    pub fn commands(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}

fn line_of_listing() -> String {
    "-rw-r--r--   1 u  g        3 Jan  1  2024 again-and-again.txt\r\n".to_owned()
}

fn session(stream: TcpStream, script: &Script, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut send = |text: &str| out.write_all(format!("{text}\r\n").as_bytes());
    send("220 scripted server")?;
    let mut cwd = "/".to_owned();
    let mut data: Option<TcpListener> = None;
    let mut restart = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let text = line.trim_end_matches(['\r', '\n']).to_owned();
        log.lock().unwrap().push(text.clone());
        let (verb, argument) = text.split_once(' ').unwrap_or((&text, ""));
        let resolve = |argument: &str, cwd: &str| {
            if argument.starts_with('/') {
                argument.to_owned()
            } else {
                format!("{}/{argument}", cwd.trim_end_matches('/'))
            }
        };
        let verb = verb.to_ascii_uppercase();
        match (verb.as_str(), script.hostile) {
            ("PWD", Some(Hostile::EndlessReplyLine)) => {
                let mut out = reader.get_ref().try_clone()?;
                let line = vec![b'x'; 1024 * 1024];
                out.write_all(b"257 \"")?;
                out.write_all(&line)?;
                continue;
            }
            ("PWD", Some(Hostile::EndlessMultiline)) => {
                return flood(
                    &mut reader.get_ref().try_clone()?,
                    b"257-here it comes\r\n",
                    b"257-and more\r\n",
                );
            }
            ("EPSV" | "PASV", Some(Hostile::PassivePort(port))) if verb == "PASV" || script.epsv => {
                send(&if verb == "EPSV" {
                    format!("229 Entering Extended Passive Mode (|||{port}|)")
                } else {
                    format!("227 Entering Passive Mode (127,0,0,1,{},{})", port >> 8, port & 255)
                })?;
                continue;
            }
            ("LIST", Some(Hostile::EndlessListing)) if data.is_some() => {
                send("150 here it comes")?;
                let (mut connection, _) = data.take().expect("checked").accept()?;
                let _ = flood(&mut connection, b"", line_of_listing().as_bytes());
                send("426 the client went away")?;
                continue;
            }
            _ => {}
        }
        match verb.as_str() {
            "AUTH" if script.refuse_auth => send("534 TLS is not available here")?,
            "USER" => send("331 password please")?,
            "PASS" => send("230 logged in")?,
            "SYST" => send("215 UNIX Type: L8")?,
            "FEAT" if script.xsha256 => send("211-Features:\r\n SIZE\r\n EPSV\r\n XSHA256\r\n211 End")?,
            "FEAT" if script.mlst => send("211-Features:\r\n SIZE\r\n EPSV\r\n MLST type*;size*;\r\n211 End")?,
            "MLST" if script.mlst => match script.files.get(&resolve(argument, &cwd)) {
                Some(content) => send(&format!(
                    "250-Begin\r\n type=file;size={}; {argument}\r\n250 End.",
                    content.len()
                ))?,
                None => send("550 Can't check for file existence")?,
            },
            "FEAT" => send("211-Features:\r\n SIZE\r\n EPSV\r\n211 End")?,
            "XSHA256" if script.xsha256 => match script.files.get(&resolve(argument, &cwd)) {
                Some(content) => {
                    use sha2::Digest;
                    let first = script.hashes.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
                    let mut digest = sha2::Sha256::digest(content).to_vec();
                    if first && script.wrong_first_hash {
                        digest[0] ^= 0xff;
                    }
                    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
                    send(&format!("213 {hex}"))?;
                }
                None => send("550 no such file")?,
            },
            "OPTS" | "TYPE" | "NOOP" => send("200 ok")?,
            "REST" => {
                restart = argument.parse().unwrap_or(0);
                send(&format!("350 restarting at {restart}"))?;
            }
            "PWD" => send("257 \"/\" is the current directory")?,
            "CWD" => {
                let target = resolve(argument, &cwd);
                if script.listings.contains_key(&target) {
                    cwd = target;
                    send("250 ok")?;
                } else {
                    send("550 no such folder")?;
                }
            }
            "SIZE" => match script.files.get(&resolve(argument, &cwd)) {
                Some(content) => send(&format!("213 {}", content.len()))?,
                None => send("550 no such file")?,
            },
            "EPSV" if script.epsv => {
                let listener = TcpListener::bind("127.0.0.1:0")?;
                send(&format!(
                    "229 Entering Extended Passive Mode (|||{}|)",
                    listener.local_addr()?.port()
                ))?;
                data = Some(listener);
            }
            "PASV" => {
                let listener = TcpListener::bind("127.0.0.1:0")?;
                let port = listener.local_addr()?.port();
                let [a, b, c, d] = script.pasv_host;
                send(&format!(
                    "227 Entering Passive Mode ({a},{b},{c},{d},{},{})",
                    port >> 8,
                    port & 255
                ))?;
                data = Some(listener);
            }
            "LIST" | "RETR" | "MLSD" => {
                let payload = if verb != "RETR" {
                    script.listings.get(&cwd).cloned()
                } else {
                    script.files.get(&resolve(argument, &cwd)).cloned()
                };
                let (Some(listener), Some(payload)) = (data.take(), payload) else {
                    send("550 not available")?;
                    continue;
                };
                let retrieving = verb.eq_ignore_ascii_case("RETR");
                let payload = if retrieving {
                    payload.get(restart..).unwrap_or_default().to_vec()
                } else {
                    payload
                };
                restart = 0;
                send("150 here it comes")?;
                listener.set_nonblocking(false)?;
                let (mut connection, _) = listener.accept()?;
                let first = retrieving && script.retrievals.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
                match script.drop_first_retr_after.filter(|_| first) {
                    Some(cut) => {
                        connection.write_all(&payload[..cut.min(payload.len())])?;
                        drop(connection);
                        send("426 Connection closed; transfer aborted")?;
                    }
                    None => {
                        connection.write_all(&payload)?;
                        drop(connection);
                        if let Some(Hostile::PreliminaryFlood) = script.hostile {
                            return flood(&mut reader.get_ref().try_clone()?, b"", b"150 still going\r\n");
                        }
                        send("226 done")?;
                    }
                }
            }
            "QUIT" => {
                send("221 bye")?;
                return Ok(());
            }
            _ => send("502 not implemented")?,
        }
    }
}
