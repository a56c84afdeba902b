//! SCP over an SSH session, for servers without the SFTP subsystem (embedded devices,
//! restricted accounts) and for `scp://` sites.
//!
//! Files move with the server's own `scp -f` (download) and `scp -t` (upload). SCP cannot
//! resume, and an upload must announce its size first. Everything else is a POSIX command
//! over `exec`: listings are `ls -lan` read by the FTP `LIST` parser (times to the minute,
//! in UTC), and `mkdir`, `rmdir`, `rm`, `mv`, `chmod`, `touch`, `ln -s`, `readlink` and
//! `sha256sum` do the rest. Each command is one program with its arguments, so that it
//! means the same in any login shell (sh, bash, fish, csh); paths are single-quoted, and
//! a path with `\` or a control character, which some shells would read differently, is
//! refused rather than sent. Names from the server pass the listing screen like any other.
//!
//! A download accepts only what was asked for, as OpenSSH does since CVE-2019-6111: one
//! `C` line whose name is the requested file's own name, with no `/` and not `.` or `..`,
//! and exactly the bytes it announces. A folder, a second file or another name is refused
//! before a byte is written.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ssh2::{Channel, Session};

use super::super::ftp::listing::{self, ListingContext, ServerType};
use super::super::{
    Capabilities, Checksum, ChecksumAlgorithm, ErrorKind, FsError, ListingLimits, ProtocolLog, ReadStream, RemoteFs,
    WriteStream,
};
use super::{io_error, map_ssh_error};
use crate::model::location::RemotePath;
use crate::model::security::{Encryption, Security};
use crate::model::{Entry, decode_name};

/// The longest control line (`C0644 123 name`) read from the server.
const MOST_LINE: usize = 4096;
/// The most bytes of an error message a command may print that are kept.
const MOST_MESSAGE: u64 = 64 * 1024;

/// What SCP cannot do, said in the log and the status bar.
pub const LIMITS: &str = "SCP: no resume; listings by ls";

/// A logged-in SSH session that moves files with SCP.
pub struct ScpFs {
    session: Session,
    host: String,
    /// The login folder, as `pwd` says it; `None` when the shell would not say.
    home: Option<String>,
    log: ProtocolLog,
    security: Security,
    limits: ListingLimits,
    round_trip: Duration,
    /// The server's `ls` is GNU's: listings give times to the second.
    gnu_ls: bool,
}

/// GNU ls's time to the second, which the listing parser reads; quoted for the shell
/// (`%` means nothing to sh, fish or csh inside single quotes).
const SECONDS: &str = "'--time-style=+%Y-%m-%d %H:%M:%S'";

/// What a command printed and how it ended.
struct Output {
    stdout: Vec<u8>,
    stderr: String,
    status: i32,
}

impl ScpFs {
    /// SCP over `session`, which is logged in. `security` is the SSH line of the status bar.
    pub fn over(session: Session, host: String, log: ProtocolLog, security: &str, limits: ListingLimits) -> ScpFs {
        let mut scp = ScpFs {
            session,
            host,
            home: None,
            log,
            security: Security::new(Encryption::Ssh, format!("{security}; {LIMITS}")),
            limits,
            round_trip: Duration::ZERO,
            gnu_ls: false,
        };
        let asked = Instant::now();
        // Without a shell that answers `pwd`, paths stay relative to the login folder.
        scp.home = match scp.run("pwd") {
            Ok(output) if output.status == 0 => Some(
                String::from_utf8_lossy(&output.stdout)
                    .trim_end_matches(['\r', '\n'])
                    .to_owned(),
            )
            .filter(|home| home.starts_with('/')),
            _ => None,
        };
        scp.round_trip = asked.elapsed();
        scp.gnu_ls = scp
            .run(&format!("ls -d {SECONDS} /"))
            .is_ok_and(|output| output.status == 0);
        scp.round_trip = asked.elapsed();
        scp.log.status(&format!(
            "SCP session ready ({LIMITS}); home folder {}",
            scp.home.as_deref().unwrap_or("unknown")
        ));
        scp
    }

    /// The path for the server's commands: absolute, or relative to the login folder when
    /// that is unknown. Refused when a shell could read it as something else.
    fn path(&self, path: &RemotePath) -> Result<String, FsError> {
        let full = match (&self.home, path.as_str()) {
            (Some(home), _) => path.resolve(home),
            (None, "~") => ".".to_owned(),
            (None, text) => text.strip_prefix("~/").unwrap_or(text).to_owned(),
        };
        shell_safe(&full)?;
        Ok(full)
    }

    /// Runs `command` in the user's shell and waits for it.
    fn run(&self, command: &str) -> Result<Output, FsError> {
        self.log.command(command);
        let what = format!("running {command}");
        let mut channel = self.exec(command, &what)?;
        let mut stdout = Vec::new();
        Read::by_ref(&mut channel)
            .take(self.limits.bytes.saturating_add(1))
            .read_to_end(&mut stdout)
            .map_err(|error| io_error(&what, &error, &self.host))?;
        if stdout.len() as u64 > self.limits.bytes {
            return Err(super::super::listing_too_long(&what, &self.host, self.limits));
        }
        let mut stderr = String::new();
        let _ = channel.stderr().take(MOST_MESSAGE).read_to_string(&mut stderr);
        let _ = channel.wait_close();
        let status = channel.exit_status().unwrap_or(-1);
        Ok(Output { stdout, stderr, status })
    }

    /// Runs `command`; an error in words when it fails.
    fn run_ok(&self, command: &str, what: &str) -> Result<Vec<u8>, FsError> {
        let output = self.run(command)?;
        if output.status == 0 {
            return Ok(output.stdout);
        }
        let said = output.stderr.trim();
        if !said.is_empty() {
            self.log.reply(said);
        }
        Err(command_error(what, said, &self.host))
    }

    fn exec(&self, command: &str, what: &str) -> Result<Channel, FsError> {
        let mut channel = self
            .session
            .channel_session()
            .map_err(|error| map_ssh_error(what, &error, &self.host))?;
        channel
            .exec(command)
            .map_err(|error| map_ssh_error(what, &error, &self.host))?;
        Ok(channel)
    }

    /// `ls -lan` with times in UTC, to the second where the server's `ls` can.
    fn ls(&self, flags: &str, path: &str) -> String {
        let style = if self.gnu_ls { SECONDS } else { "" };
        format!("env TZ=UTC0 LC_ALL=C ls {flags} {style} -- {}", quote(path))
    }
}

/// The entries of `ls -l` output.
fn entries_of(text: &[u8]) -> Vec<Entry> {
    let context = ListingContext {
        now: Utc::now().naive_utc(),
        server_type: ServerType::Unix,
    };
    let (parsed, _) = listing::parse_listing(text, false, &context);
    parsed.into_iter().map(super::super::ftp::entry_from).collect()
}

/// A command's failure as an error kind, from the words POSIX tools print.
fn command_error(what: &str, said: &str, host: &str) -> FsError {
    let said = crate::model::names::escape_control(said);
    let said = said.as_ref();
    let lower = said.to_ascii_lowercase();
    let kind = if lower.contains("no such file") || (lower.contains("not found") && !lower.contains("command")) {
        ErrorKind::NotFound
    } else if lower.contains("permission denied") || lower.contains("not permitted") {
        ErrorKind::PermissionDenied
    } else if lower.contains("file exists") {
        ErrorKind::AlreadyExists
    } else if lower.contains("no space") || lower.contains("quota") {
        ErrorKind::NoSpace
    } else {
        ErrorKind::Other
    };
    let why = match super::refusal_words(kind) {
        Some(words) => words.to_owned(),
        None if said.is_empty() => "the server's command failed and said nothing".to_owned(),
        None => format!("the server said \"{}\"", said.lines().next().unwrap_or(said)),
    };
    FsError::new(kind, format!("{what} failed: {why} ({host})"))
}

/// Refuses a path that a login shell other than sh could read differently inside single
/// quotes (fish reads `\\`), or that would break a line of the SCP protocol.
fn shell_safe(path: &str) -> Result<(), FsError> {
    if path.contains('\\') || path.chars().any(char::is_control) {
        return Err(FsError::new(
            ErrorKind::InvalidName,
            format!(
                "{}: SCP passes names through the server's shell, and a name with \\ or a control \
                 character could be read as something else there; rename it, or use SFTP",
                crate::model::names::escape_control(path)
            ),
        ));
    }
    Ok(())
}

/// `path` in single quotes for a POSIX shell: nothing in it is interpreted.
pub fn quote(path: &str) -> String {
    format!("'{}'", path.replace('\'', r"'\''"))
}

/// The last part of a path, as `scp -f` names the file it sends.
fn base_name(path: &str) -> &str {
    path.trim_end_matches('/').rsplit('/').next().unwrap_or(path)
}

impl RemoteFs for ScpFs {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            resume_download: false,
            resume_upload: false,
            set_mtime: true,
            exact_times: self.gnu_ls,
            atomic_uploads: false,
        }
    }

    /// `~` itself when `pwd` did not answer: paths then stay relative to it.
    fn home(&self) -> &str {
        self.home.as_deref().unwrap_or("~")
    }

    fn security(&self) -> Security {
        self.security.clone()
    }

    fn round_trip(&self) -> Option<Duration> {
        Some(self.round_trip)
    }

    fn read_dir(&mut self, path: &RemotePath) -> Result<Vec<Entry>, FsError> {
        let full = self.path(path)?;
        let what = format!("listing {full}");
        // `/.` lists a link to a folder as the folder.
        let text = self.run_ok(&self.ls("-lan", &format!("{}/.", full.trim_end_matches('/'))), &what)?;
        let entries = entries_of(&text);
        if entries.len() > self.limits.entries {
            return Err(super::super::listing_too_long(&what, &self.host, self.limits));
        }
        Ok(entries)
    }

    fn stat(&mut self, path: &RemotePath) -> Result<Entry, FsError> {
        let full = self.path(path)?;
        let what = format!("looking up {full}");
        let text = self.run_ok(&self.ls("-land", &full), &what)?;
        let mut entry = entries_of(&text).into_iter().next().ok_or_else(|| {
            FsError::new(
                ErrorKind::Protocol,
                format!(
                    "{what} failed: ls answered in a way Wharf does not read ({})",
                    self.host
                ),
            )
        })?;
        entry.name = base_name(&full).to_owned();
        Ok(entry)
    }

    fn mkdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let full = self.path(path)?;
        self.run_ok(
            &format!("mkdir -- {}", quote(&full)),
            &format!("making the folder {full}"),
        )
        .map(drop)
    }

    fn rmdir(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let full = self.path(path)?;
        self.run_ok(
            &format!("rmdir -- {}", quote(&full)),
            &format!("removing the folder {full}"),
        )
        .map(drop)
    }

    fn remove(&mut self, path: &RemotePath) -> Result<(), FsError> {
        let full = self.path(path)?;
        self.run_ok(&format!("rm -- {}", quote(&full)), &format!("deleting {full}"))
            .map(drop)
    }

    /// Refuses to replace what exists, as SFTP's rename does: `mv` would replace a file, or
    /// move into a folder.
    fn rename(&mut self, from: &RemotePath, to: &RemotePath) -> Result<(), FsError> {
        let (from, to) = (self.path(from)?, self.path(to)?);
        let what = format!("renaming {from} to {to}");
        if self.run(&format!("ls -d -- {}", quote(&to)))?.status == 0 {
            return Err(FsError::new(
                ErrorKind::AlreadyExists,
                format!("{what} failed: it already exists ({})", self.host),
            ));
        }
        self.run_ok(&format!("mv -- {} {}", quote(&from), quote(&to)), &what)
            .map(drop)
    }

    fn chmod(&mut self, path: &RemotePath, mode: u32) -> Result<(), FsError> {
        let full = self.path(path)?;
        self.run_ok(
            &format!("chmod {:o} -- {}", mode & 0o7777, quote(&full)),
            &format!("changing the permissions of {full}"),
        )
        .map(drop)
    }

    fn set_mtime(&mut self, path: &RemotePath, time: DateTime<Utc>) -> Result<(), FsError> {
        let full = self.path(path)?;
        self.run_ok(
            &format!(
                "TZ=UTC0 touch -m -t {} -- {}",
                time.format("%Y%m%d%H%M.%S"),
                quote(&full)
            ),
            &format!("setting the time of {full}"),
        )
        .map(drop)
    }

    fn symlink(&mut self, target: &str, link: &RemotePath) -> Result<(), FsError> {
        let full = self.path(link)?;
        self.run_ok(
            &format!("ln -s -- {} {}", quote(target), quote(&full)),
            &format!("making the link {full}"),
        )
        .map(drop)
    }

    fn readlink(&mut self, link: &RemotePath) -> Result<String, FsError> {
        let full = self.path(link)?;
        let text = self.run_ok(
            &format!("readlink -- {}", quote(&full)),
            &format!("reading the link {full}"),
        )?;
        Ok(decode_name(&text).trim_end_matches('\n').to_owned())
    }

    /// From an offset, the bytes before it are read and dropped: SCP always sends a file
    /// whole, which is why the capabilities say it cannot resume.
    fn open_read(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn ReadStream + '_>, FsError> {
        let full = self.path(path)?;
        let what = format!("downloading {full}");
        let command = format!("scp -f -- {}", quote(&full));
        self.log.command(&command);
        let channel = self.exec(&command, &what)?;
        let mut receiver = ScpReceiver {
            channel,
            remaining: 0,
            what,
            host: self.host.clone(),
        };
        let size = receiver.start(base_name(&full))?;
        self.log.reply(&format!("C {size} {}", base_name(&full)));
        if offset > size {
            return Err(FsError::new(
                ErrorKind::Protocol,
                format!(
                    "{}: it has {size} bytes, fewer than the {offset} asked to skip",
                    receiver.what
                ),
            ));
        }
        io::copy(&mut Read::by_ref(&mut receiver).take(offset), &mut io::sink())
            .map_err(|error| io_error(&receiver.what, &error, &receiver.host))?;
        Ok(Box::new(receiver))
    }

    /// Writes into a temporary local file, sent with `scp -t` when finished: SCP must
    /// announce the size first. Uploads use [`RemoteFs::open_upload`], which streams.
    fn open_write(&mut self, path: &RemotePath, offset: u64) -> Result<Box<dyn WriteStream + '_>, FsError> {
        if offset > 0 {
            return Err(FsError::new(
                ErrorKind::Unsupported,
                format!("uploading {path}: SCP cannot resume an upload"),
            ));
        }
        let spool = tempfile::tempfile().map_err(|error| FsError::from_local(&error, &std::env::temp_dir()))?;
        Ok(Box::new(Spool {
            scp: self,
            path: path.clone(),
            spool,
        }))
    }

    fn open_upload(
        &mut self,
        path: &RemotePath,
        offset: u64,
        length: u64,
        _earlier: Option<&crate::protocol::ResumeToken>,
    ) -> Result<Box<dyn WriteStream + '_>, FsError> {
        let full = self.path(path)?;
        let what = format!("uploading {full}");
        if offset > 0 {
            return Err(FsError::new(
                ErrorKind::Unsupported,
                format!("{what}: SCP cannot resume an upload"),
            ));
        }
        let command = format!("scp -t -- {}", quote(&full));
        self.log.command(&command);
        let mut sender = ScpSender {
            channel: self.exec(&command, &what)?,
            remaining: length,
            what,
            host: self.host.clone(),
        };
        sender.acknowledged()?;
        let header = format!("C0644 {length} {}\n", base_name(&full));
        sender
            .channel
            .write_all(header.as_bytes())
            .map_err(|error| io_error(&sender.what, &error, &sender.host))?;
        sender.acknowledged()?;
        Ok(Box::new(sender))
    }

    fn keepalive(&mut self) -> Result<(), FsError> {
        self.session
            .keepalive_send()
            .map(drop)
            .map_err(|error| map_ssh_error("keeping the connection alive", &error, &self.host))
    }

    /// The server's `sha256sum`, where it has one.
    fn checksum(&mut self, path: &RemotePath) -> Result<Option<Checksum>, FsError> {
        let Ok(full) = self.path(path) else {
            return Ok(None);
        };
        match self.run(&format!("sha256sum -- {}", quote(&full))) {
            Ok(output) if output.status == 0 => Ok(Checksum::from_reply(
                ChecksumAlgorithm::Sha256,
                &String::from_utf8_lossy(&output.stdout),
            )),
            _ => Ok(None),
        }
    }
}

impl Drop for ScpFs {
    fn drop(&mut self) {
        let _ = self.session.disconnect(None, "bye", None);
    }
}

/// A write to be sent whole when finished.
struct Spool<'a> {
    scp: &'a mut ScpFs,
    path: RemotePath,
    spool: std::fs::File,
}

impl Write for Spool<'_> {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        self.spool.write(buffer)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.spool.flush()
    }
}

impl WriteStream for Spool<'_> {
    fn finish(mut self: Box<Self>) -> Result<(), FsError> {
        use std::io::Seek;
        let local = |error: io::Error| FsError::from_local(&error, &std::env::temp_dir());
        let length = self.spool.stream_position().map_err(local)?;
        self.spool.rewind().map_err(local)?;
        let Spool { scp, path, spool } = *self;
        let host = scp.host.clone();
        let mut writer = scp.open_upload(&path, 0, length, None)?;
        io::copy(&mut &spool, &mut writer).map_err(|error| io_error(&format!("uploading {path}"), &error, &host))?;
        writer.finish()
    }
}

/// Reads one SCP reply: `\0` for yes, else a warning (1) or an error (2) and its line.
fn read_acknowledgement(channel: &mut Channel, what: &str, host: &str) -> Result<(), FsError> {
    let mut code = [0u8; 1];
    channel
        .read_exact(&mut code)
        .map_err(|error| io_error(what, &error, host))?;
    match code[0] {
        0 => Ok(()),
        1 | 2 => {
            let line = read_line(channel, what, host)?;
            Err(command_error(what, &decode_name(&line), host))
        }
        other => Err(FsError::new(
            ErrorKind::Protocol,
            format!("{what} failed: SCP answered {other:#04x} where it says yes or no ({host})"),
        )),
    }
}

/// One line up to `\n`, without it.
fn read_line(channel: &mut Channel, what: &str, host: &str) -> Result<Vec<u8>, FsError> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        channel
            .read_exact(&mut byte)
            .map_err(|error| io_error(what, &error, host))?;
        if byte[0] == b'\n' {
            return Ok(line);
        }
        if line.len() >= MOST_LINE {
            return Err(FsError::new(
                ErrorKind::Protocol,
                format!("{what} failed: SCP sent a line longer than {MOST_LINE} bytes ({host})"),
            ));
        }
        line.push(byte[0]);
    }
}

/// A download from `scp -f`.
struct ScpReceiver {
    channel: Channel,
    remaining: u64,
    what: String,
    host: String,
}

impl ScpReceiver {
    /// Asks for the file and reads its header; its size. Anything but one file named
    /// `expected` is refused.
    fn start(&mut self, expected: &str) -> Result<u64, FsError> {
        self.ready()?;
        loop {
            // The code byte starts the line; a warning or an error (1, 2) is the rest of it.
            let line = read_line(&mut self.channel, &self.what, &self.host)?;
            match line.first() {
                // The time (`scp -p`): not asked for, but harmless.
                Some(b'T') => self.ready()?,
                Some(b'C') => {
                    let size = check_file_line(&line, expected).map_err(|why| self.refused(&why))?;
                    self.remaining = size;
                    self.ready()?;
                    return Ok(size);
                }
                Some(b'D') => return Err(self.refused("the server sent a folder where a file was asked for")),
                Some(b'E') => return Err(self.refused("the server ended a folder that was never begun")),
                Some(1 | 2) => {
                    return Err(command_error(&self.what, &decode_name(&line[1..]), &self.host));
                }
                _ => return Err(self.refused("the server sent something that is not SCP")),
            }
        }
    }

    fn ready(&mut self) -> Result<(), FsError> {
        self.channel
            .write_all(&[0])
            .map_err(|error| io_error(&self.what, &error, &self.host))
    }

    fn refused(&self, why: &str) -> FsError {
        FsError::new(
            ErrorKind::Protocol,
            format!("{} was refused: {why}; nothing was written ({})", self.what, self.host),
        )
    }
}

/// Checks a `C<mode> <size> <name>` line against the file asked for; its size.
pub fn check_file_line(line: &[u8], expected: &str) -> Result<u64, String> {
    let text = std::str::from_utf8(line).map_err(|_| "the server's file header is not text".to_owned())?;
    let mut parts = text.splitn(3, ' ');
    let mode = parts.next().unwrap_or_default();
    let (Some(size), Some(name)) = (parts.next(), parts.next()) else {
        return Err(format!("the server's file header {text:?} is not SCP's"));
    };
    if mode.len() != 5 || !mode[1..].chars().all(|c| ('0'..='7').contains(&c)) {
        return Err(format!("the server's file header {text:?} has no file mode"));
    }
    let size: u64 = size
        .parse()
        .map_err(|_| format!("the server's file header {text:?} has no size"))?;
    if name.contains('/') || name == "." || name == ".." || name.is_empty() {
        return Err(format!(
            "the server sent the name {name:?}, which could reach outside the target folder"
        ));
    }
    if name != expected {
        return Err(format!("the server sent {name:?} where {expected:?} was asked for"));
    }
    Ok(size)
}

impl Read for ScpReceiver {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let most = usize::try_from(self.remaining).unwrap_or(usize::MAX).min(buffer.len());
        let count = self.channel.read(&mut buffer[..most])?;
        if count == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server ended the file early",
            ));
        }
        self.remaining -= count as u64;
        Ok(count)
    }
}

impl ReadStream for ScpReceiver {
    fn finish(mut self: Box<Self>) -> Result<(), FsError> {
        if self.remaining > 0 {
            return Err(FsError::new(
                ErrorKind::ConnectionLost,
                format!("{} ended {} bytes early ({})", self.what, self.remaining, self.host),
            ));
        }
        read_acknowledgement(&mut self.channel, &self.what, &self.host)?;
        self.ready()?;
        let _ = self.channel.send_eof();
        let _ = self.channel.wait_close();
        Ok(())
    }
}

/// An upload into `scp -t`.
struct ScpSender {
    channel: Channel,
    remaining: u64,
    what: String,
    host: String,
}

impl ScpSender {
    fn acknowledged(&mut self) -> Result<(), FsError> {
        read_acknowledgement(&mut self.channel, &self.what, &self.host)
    }
}

impl Write for ScpSender {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        let most = usize::try_from(self.remaining).unwrap_or(usize::MAX).min(buffer.len());
        if most == 0 && !buffer.is_empty() {
            return Err(io::Error::other("more bytes than the size SCP announced"));
        }
        let count = self.channel.write(&buffer[..most])?;
        self.remaining -= count as u64;
        Ok(count)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.channel.flush()
    }
}

impl WriteStream for ScpSender {
    fn finish(mut self: Box<Self>) -> Result<(), FsError> {
        if self.remaining > 0 {
            return Err(FsError::new(
                ErrorKind::Local,
                format!("{}: {} bytes fewer than announced", self.what, self.remaining),
            ));
        }
        self.channel
            .write_all(&[0])
            .map_err(|error| io_error(&self.what, &error, &self.host))?;
        self.acknowledged()?;
        let _ = self.channel.send_eof();
        let _ = self.channel.wait_close();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_header_must_name_the_file_asked_for() {
        assert_eq!(check_file_line(b"C0644 12 report.pdf", "report.pdf"), Ok(12));
        assert_eq!(check_file_line(b"C0600 0 with space.txt", "with space.txt"), Ok(0));
        for (line, why) in [
            (&b"C0644 12 other.pdf"[..], "where \"report.pdf\" was asked for"),
            (b"C0644 12 ../report.pdf", "could reach outside"),
            (b"C0644 12 ..", "could reach outside"),
            (b"C0644 12 dir/report.pdf", "could reach outside"),
            (b"C0644 twelve report.pdf", "has no size"),
            (b"C06x4 12 report.pdf", "has no file mode"),
            (b"C0644 12", "is not SCP's"),
        ] {
            let error = check_file_line(line, "report.pdf").unwrap_err();
            assert!(error.contains(why), "{error}");
        }
    }

    #[test]
    fn listings_with_seconds_give_exact_times() {
        let entries = entries_of(b"total 4\n-rw-r--r-- 1 1001 1001 77 2019-12-24 18:00:59 a b.txt\n");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "a b.txt");
        assert_eq!(
            entries[0].modified.map(|time| time.to_rfc3339()),
            Some("2019-12-24T18:00:59+00:00".to_owned())
        );
    }

    #[test]
    fn paths_are_quoted_so_the_shell_reads_them_as_they_are() {
        assert_eq!(quote("/srv/a b"), "'/srv/a b'");
        assert_eq!(quote("it's;$(rm -rf ~)"), r"'it'\''s;$(rm -rf ~)'");
        assert_eq!(base_name("/srv/site/index.html"), "index.html");
        assert_eq!(base_name("index.html"), "index.html");
        assert!(shell_safe("/srv/it's $HOME; (x).txt").is_ok());
        for bad in ["/srv/a\\';id;#", "/srv/line\nbreak", "/srv/bell\u{7}"] {
            assert_eq!(shell_safe(bad).unwrap_err().kind, ErrorKind::InvalidName, "{bad:?}");
        }
    }
}
