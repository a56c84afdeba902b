//! What an SSH server offers, read from its greeting and its KEXINIT message, which travel in
//! clear text before any key exchange (RFC 4253, sections 4.2 and 7.1).
//!
//! libssh2 reports "no algorithm in common" and "the connection was cut during the key
//! exchange" with the same code. When a handshake fails that way, a second short connection
//! reads the server's offer: with nothing in common, the refusal names what the server offers;
//! otherwise the first connection was cut, which is worth another attempt.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::time::Duration;

use crate::model::Site;

/// The SSH message number of KEXINIT.
const KEXINIT: u8 = 20;
/// The longest packet RFC 4253 asks an implementation to take.
const MAX_PACKET: u32 = 35_000;
/// The most lines a server may send before its version line (RFC 4253 allows some).
const MAX_GREETING_LINES: usize = 32;

/// The algorithms a server offers, in its order of preference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offer {
    pub key_exchanges: Vec<String>,
    pub host_keys: Vec<String>,
    pub ciphers: Vec<String>,
    pub macs: Vec<String>,
}

/// What Wharf offers, as comma-separated lists (the same that libssh2 is given).
pub struct Wanted<'a> {
    pub key_exchanges: &'a str,
    pub host_keys: &'a str,
    pub ciphers: &'a str,
    pub macs: &'a str,
}

impl Offer {
    /// Connects to `site` again and reads what it offers, waiting at most `timeout` for each step.
    pub fn read(site: &Site, timeout: Duration) -> io::Result<Offer> {
        let stream = super::connect_tcp(site, timeout).map_err(|error| io::Error::other(error.message))?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        (&stream).write_all(b"SSH-2.0-Wharf\r\n")?;
        let mut reader = BufReader::new(stream);
        skip_greeting(&mut reader)?;
        let mut length = [0u8; 4];
        reader.read_exact(&mut length)?;
        let length = u32::from_be_bytes(length);
        if !(2..=MAX_PACKET).contains(&length) {
            return Err(invalid("a packet of an impossible length"));
        }
        let mut packet = vec![0u8; length as usize];
        reader.read_exact(&mut packet)?;
        let padding = usize::from(packet[0]);
        let payload = packet
            .get(1..packet.len().saturating_sub(padding))
            .ok_or_else(|| invalid("more padding than packet"))?;
        Offer::parse(payload).ok_or_else(|| invalid("no KEXINIT"))
    }

    /// Reads a KEXINIT payload: the message number, a 16-byte cookie, then name-lists.
    pub fn parse(payload: &[u8]) -> Option<Offer> {
        let (&kind, rest) = payload.split_first()?;
        if kind != KEXINIT {
            return None;
        }
        let mut rest = rest.get(16..)?;
        let mut lists: Vec<Vec<String>> = Vec::with_capacity(6);
        for _ in 0..6 {
            let (length, tail) = rest.split_first_chunk::<4>()?;
            let length = usize::try_from(u32::from_be_bytes(*length)).ok()?;
            let text = std::str::from_utf8(tail.get(..length)?).ok()?;
            lists.push(
                text.split(',')
                    .filter(|name| !name.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
            rest = tail.get(length..)?;
        }
        let mut lists = lists.into_iter();
        let mut next = || lists.next().unwrap_or_default();
        let (key_exchanges, host_keys, ciphers, _ciphers_back, macs) = (next(), next(), next(), next(), next());
        Some(Offer {
            // Markers such as ext-info-s and kex-strict-s-v00@openssh.com are no algorithms.
            key_exchanges: key_exchanges
                .into_iter()
                .filter(|name: &String| !name.starts_with("ext-info-") && !name.starts_with("kex-strict-"))
                .collect(),
            host_keys,
            ciphers,
            macs,
        })
    }

    /// For each kind of algorithm with nothing in common with `wanted`: its name and what the
    /// server offers instead. Empty when everything has a match (the MACs need none when a
    /// cipher that authenticates itself, such as AES-GCM, matches).
    pub fn unmatched(&self, wanted: &Wanted<'_>) -> Vec<(&'static str, &[String])> {
        let common =
            |offered: &[String], wanted: &str| offered.iter().any(|name| wanted.split(',').any(|ours| ours == name));
        let aead = self.ciphers.iter().any(|name| {
            (name.contains("-gcm@") || name.starts_with("chacha20-poly1305"))
                && common(std::slice::from_ref(name), wanted.ciphers)
        });
        let mut unmatched = Vec::new();
        for (kind, offered, ours) in [
            ("key exchanges", &self.key_exchanges, wanted.key_exchanges),
            ("host key types", &self.host_keys, wanted.host_keys),
            ("ciphers", &self.ciphers, wanted.ciphers),
            ("MACs", &self.macs, wanted.macs),
        ] {
            let needed = kind != "MACs" || !aead;
            if needed && !common(offered, ours) {
                unmatched.push((kind, offered.as_slice()));
            }
        }
        unmatched
    }
}

/// Reads lines up to and including the server's version line (`SSH-2.0-...`).
fn skip_greeting(reader: &mut impl BufRead) -> io::Result<()> {
    let mut line = Vec::new();
    for _ in 0..MAX_GREETING_LINES {
        line.clear();
        let read = reader.by_ref().take(256).read_until(b'\n', &mut line)?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        if line.starts_with(b"SSH-") {
            return Ok(());
        }
    }
    Err(invalid("no SSH version line"))
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A KEXINIT payload with these name-lists (the last four empty).
    fn kexinit(lists: [&str; 6]) -> Vec<u8> {
        let mut payload = vec![KEXINIT];
        payload.extend([7u8; 16]);
        for list in lists.into_iter().chain(["", "", "", ""]) {
            payload.extend(u32::try_from(list.len()).unwrap().to_be_bytes());
            payload.extend(list.as_bytes());
        }
        payload.push(0);
        payload.extend([0u8; 4]);
        payload
    }

    const WANTED: Wanted<'static> = Wanted {
        key_exchanges: "curve25519-sha256,ecdh-sha2-nistp256",
        host_keys: "ssh-ed25519,rsa-sha2-256",
        ciphers: "aes128-gcm@openssh.com,aes128-ctr",
        macs: "hmac-sha2-256",
    };

    #[test]
    fn a_weak_only_server_is_named_by_what_it_offers() {
        let payload = kexinit([
            "diffie-hellman-group14-sha1,ext-info-s,kex-strict-s-v00@openssh.com",
            "ssh-ed25519",
            "3des-cbc",
            "3des-cbc",
            "hmac-md5",
            "hmac-md5",
        ]);
        let offer = Offer::parse(&payload).unwrap();
        assert_eq!(offer.key_exchanges, ["diffie-hellman-group14-sha1"]);
        let unmatched = offer.unmatched(&WANTED);
        let kinds: Vec<&str> = unmatched.iter().map(|(kind, _)| *kind).collect();
        assert_eq!(kinds, ["key exchanges", "ciphers", "MACs"]);
        assert_eq!(unmatched[1].1, ["3des-cbc"]);
    }

    #[test]
    fn a_matching_server_has_nothing_unmatched_and_gcm_needs_no_mac() {
        let payload = kexinit([
            "sntrup761x25519-sha512,curve25519-sha256",
            "rsa-sha2-512,ssh-ed25519",
            "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com",
            "aes128-gcm@openssh.com",
            "umac-128-etm@openssh.com",
            "umac-128-etm@openssh.com",
        ]);
        assert!(Offer::parse(&payload).unwrap().unmatched(&WANTED).is_empty());
    }

    #[test]
    fn damaged_payloads_are_no_offer() {
        let payload = kexinit(["a", "b", "c", "d", "e", "f"]);
        let six_lists_end = 1 + 16 + 6 * (4 + 1);
        for cut in 0..six_lists_end {
            assert!(Offer::parse(&payload[..cut]).is_none(), "{cut}");
        }
        let mut lying = payload.clone();
        lying[17..21].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(Offer::parse(&lying).is_none());
        assert!(Offer::parse(&[21]).is_none(), "another message");
    }
}
