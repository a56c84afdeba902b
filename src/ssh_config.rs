//! OpenSSH's client configuration, `~/.ssh/config`, read the way `ssh` reads it: one parser
//! for the import of its hosts as saved sites and for what a connection to an alias uses.
//!
//! What OpenSSH does and this does too: `Include` (globs, relative to `~/.ssh`, conditional
//! inside a block, at most 16 deep), `Host` patterns with `*`, `?` and `!`, case-insensitive;
//! `Match` with `all`, `host`, `originalhost`, `user` and `localuser`; the first value of a
//! setting wins, except `IdentityFile`, which adds; `%h %p %r %u %n %d %%` and `~` in paths.
//! A `Match` with another criterion (`exec` above all: Wharf runs no commands from a
//! config) never applies, and the resolution names it. A line that does not read is named
//! and skipped; it never makes the rest of the file unreadable.
//!
//! The settings a connection honours are in [`Resolved`]; every other keyword that applies
//! to a host is listed in [`Resolved::unsupported`], so that the log can name it.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// How deep `Include`s may nest (OpenSSH's limit).
const MOST_INCLUDE_DEPTH: usize = 16;
/// The most lines read from all files together: a glob that names a huge file is not read whole.
const MOST_LINES: usize = 100_000;

/// A parsed configuration: its lines, `Include`s read in place.
#[derive(Debug, Clone, Default)]
pub struct SshConfig {
    items: Vec<Item>,
    /// Lines that could not be read, with file and line number, for the log.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone)]
enum Item {
    Host(Vec<String>),
    Match(Vec<String>),
    /// An `Include`'s files, in glob order, each with its own blocks.
    Include(Vec<Item>),
    /// `keyword` in lowercase, to match; `written` as the file has it, to name it.
    Setting {
        keyword: String,
        written: String,
        args: Vec<String>,
    },
}

/// Who is asking: `%u`, `%d`, `~` and `Match localuser`.
#[derive(Debug, Clone)]
pub struct LocalUser {
    pub name: String,
    pub home: PathBuf,
}

impl LocalUser {
    /// The user running Wharf; `None` without a home folder.
    pub fn current() -> Option<LocalUser> {
        let home = directories::BaseDirs::new()?.home_dir().to_path_buf();
        Some(LocalUser {
            name: user_name(),
            home,
        })
    }

    /// The user running Wharf, or, without a home folder, one whose `~` is a folder that
    /// does not exist: `~/.ssh/...` then names nothing, rather than a path relative to the
    /// current folder, which anyone could fill.
    pub fn current_or_homeless() -> LocalUser {
        LocalUser::current().unwrap_or_else(|| LocalUser {
            name: user_name(),
            home: PathBuf::from("/nonexistent"),
        })
    }
}

fn user_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
}

/// `StrictHostKeyChecking`, as far as Wharf follows it: it may make checking stricter, never
/// weaker. `no`, `off`, `accept-new` and `ask` all mean Wharf's own rule (ask the user about
/// an unknown key; refuse a changed one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostKeyChecking {
    #[default]
    Ask,
    /// `yes`: an unknown host key is refused without asking.
    Strict,
}

/// What the configuration says about one host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Whether a `Host` or `Match` block other than `Host *` named this host: the host is an
    /// alias the user wrote down.
    pub named: bool,
    pub host_name: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity_files: Vec<PathBuf>,
    pub identities_only: bool,
    /// `ProxyJump`'s text; `None` when not set or set to `none`.
    pub proxy_jump: Option<String>,
    pub known_hosts_files: Vec<PathBuf>,
    pub connect_timeout: Option<Duration>,
    pub server_alive_interval: Option<Duration>,
    pub host_key_checking: HostKeyChecking,
    /// Settings that applied but that Wharf does not follow, with what they said, e.g.
    /// `ProxyCommand nc %h %p`, `StrictHostKeyChecking no (Wharf asks about unknown keys)`.
    pub unsupported: Vec<String>,
}

/// Keywords that change nothing a file transfer needs, or that Wharf does as well on its own:
/// applying them silently is right.
const HARMLESS: &[&str] = &[
    "addkeystoagent",
    "compression",
    "forwardagent",
    "forwardx11",
    "forwardx11trusted",
    "hashknownhosts",
    "loglevel",
    "serveralivecountmax",
    "tcpkeepalive",
    "visualhostkey",
    "setenv",
    "sendenv",
    "requesttty",
    "controlmaster",
    "controlpath",
    "controlpersist",
    "localforward",
    "remoteforward",
    "dynamicforward",
    "exitonforwardfailure",
    "checkhostip",
    "updatehostkeys",
    "preferredauthentications",
    "pubkeyauthentication",
    "passwordauthentication",
    "kbdinteractiveauthentication",
    "identityagent",
    "usekeychain",
    "ignoreunknown",
    "permitlocalcommand",
    "localcommand",
    "remotecommand",
    "sessiontype",
    "stdinnull",
    "forkafterauthentication",
    "escapechar",
    "gssapiauthentication",
    "gssapidelegatecredentials",
];

impl SshConfig {
    /// Reads `path` and what it includes. A missing file is an empty configuration.
    pub fn load(path: &Path, local: &LocalUser) -> SshConfig {
        let mut config = SshConfig::default();
        let mut lines = 0;
        match read_capped(path) {
            Ok(text) => {
                let mut chain = vec![path.to_path_buf()];
                config.items = config.parse_file(&text, path, local, &mut chain, &mut lines);
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => config.problems.push(format!("{}: {error}", path.display())),
        }
        config
    }

    /// The user's `~/.ssh/config`.
    pub fn load_users(local: &LocalUser) -> SshConfig {
        SshConfig::load(&local.home.join(".ssh").join("config"), local)
    }

    #[cfg(any(test, feature = "fuzzing"))]
    /// Parses text that has no file (tests, fuzzing); `Include`s are read from disk.
    pub fn parse(text: &str, local: &LocalUser) -> SshConfig {
        let mut config = SshConfig::default();
        let origin = local.home.join(".ssh").join("config");
        config.items = config.parse_file(text, &origin, local, &mut vec![origin.clone()], &mut 0);
        config
    }

    fn parse_file(
        &mut self,
        text: &str,
        file: &Path,
        local: &LocalUser,
        chain: &mut Vec<PathBuf>,
        lines: &mut usize,
    ) -> Vec<Item> {
        let mut items = Vec::new();
        for (number, raw) in text.lines().enumerate() {
            *lines += 1;
            if *lines > MOST_LINES {
                self.problems.push(format!(
                    "{}: more than {MOST_LINES} lines; the rest is not read",
                    file.display()
                ));
                break;
            }
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let where_ = || format!("{} line {}", file.display(), number + 1);
            let Some((keyword, args)) = split_line(line) else {
                self.problems.push(format!("{}: unbalanced quotes", where_()));
                continue;
            };
            let written = keyword.to_owned();
            let keyword = keyword.to_ascii_lowercase();
            match keyword.as_str() {
                "host" => items.push(Item::Host(args)),
                "match" => items.push(Item::Match(args)),
                "include" => items.push(Item::Include(self.include(&args, local, chain, lines, &where_()))),
                _ if args.is_empty() => self.problems.push(format!("{}: {written} has no value", where_())),
                _ => items.push(Item::Setting { keyword, written, args }),
            }
        }
        items
    }

    fn include(
        &mut self,
        patterns: &[String],
        local: &LocalUser,
        chain: &mut Vec<PathBuf>,
        lines: &mut usize,
        where_: &str,
    ) -> Vec<Item> {
        if chain.len() > MOST_INCLUDE_DEPTH {
            self.problems
                .push(format!("{where_}: Includes nest more than {MOST_INCLUDE_DEPTH} deep"));
            return Vec::new();
        }
        let mut items = Vec::new();
        for pattern in patterns {
            // Relative paths are in ~/.ssh, as for the user's own configuration.
            let expanded = expand_tilde(pattern, &local.home);
            let absolute = if expanded.is_absolute() {
                expanded
            } else {
                local.home.join(".ssh").join(expanded)
            };
            let Ok(paths) = glob::glob(&absolute.to_string_lossy()) else {
                self.problems
                    .push(format!("{where_}: Include {pattern} is not a pattern"));
                continue;
            };
            for path in paths.flatten() {
                if chain.contains(&path) {
                    self.problems
                        .push(format!("{where_}: {} includes itself; not read again", path.display()));
                    continue;
                }
                match read_capped(&path) {
                    Ok(text) => {
                        chain.push(path.clone());
                        items.extend(self.parse_file(&text, &path, local, chain, lines));
                        chain.pop();
                    }
                    Err(error) => self.problems.push(format!("{where_}: {}: {error}", path.display())),
                }
            }
        }
        items
    }

    /// Every alias a `Host` line names without patterns, in order, once each.
    pub fn aliases(&self) -> Vec<String> {
        let mut aliases = Vec::new();
        walk(&self.items, &mut |item| {
            if let Item::Host(patterns) = item {
                for pattern in patterns {
                    if !pattern.contains(['*', '?', '!']) && !aliases.contains(pattern) {
                        aliases.push(pattern.clone());
                    }
                }
            }
        });
        aliases
    }

    /// The `Host` patterns (`*`, `?`, `!`), in words, for the import's list of what it
    /// skipped: they describe many servers, not one.
    pub fn patterns(&self) -> Vec<String> {
        let mut skipped = Vec::new();
        walk(&self.items, &mut |item| {
            if let Item::Host(patterns) = item {
                for pattern in patterns.iter().filter(|pattern| pattern.contains(['*', '?', '!'])) {
                    skipped.push(format!("Host {pattern}: a pattern matches many servers, not one"));
                }
            }
        });
        skipped
    }

    /// What the configuration says for a connection to `alias`. `user` and `port` are the
    /// ones given on the command line or in the site, which win over the configuration.
    pub fn resolve(&self, alias: &str, user: Option<&str>, port: Option<u16>, local: &LocalUser) -> Resolved {
        let mut state = State {
            alias,
            local,
            given_user: user,
            resolved: Resolved::default(),
            first: std::collections::HashSet::new(),
        };
        state.apply(&self.items, true);
        let mut resolved = state.resolved;
        if let Some(name) = resolved.host_name.take() {
            resolved.host_name = Some(expand_tokens(&name, &Tokens::host_only(alias)));
        }
        let tokens = Tokens {
            host: resolved.host_name.clone().unwrap_or_else(|| alias.to_owned()),
            port: port.or(resolved.port).unwrap_or(22),
            remote_user: user
                .map(str::to_owned)
                .or_else(|| resolved.user.clone())
                .unwrap_or_else(|| local.name.clone()),
            local: local.clone(),
            alias: alias.to_owned(),
        };
        for path in resolved
            .identity_files
            .iter_mut()
            .chain(resolved.known_hosts_files.iter_mut())
        {
            let text = expand_tokens(&path.to_string_lossy(), &tokens);
            *path = expand_tilde(&text, &local.home);
        }
        resolved
    }
}

/// The most bytes read of one file: a configuration is a few kilobytes.
const MOST_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A configuration file's text. Only regular files are read, and only their first
/// [`MOST_FILE_BYTES`], so that `Include /dev/*` or a pipe cannot hang the connection.
fn read_capped(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    // As OpenSSH: a file others may write could name any server and any known_hosts.
    #[cfg(unix)]
    if std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o022 != 0 {
        return Err(std::io::Error::other(
            "others may write to it, so it is not read (chmod go-w fixes that)",
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MOST_FILE_BYTES)
        .read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn walk(items: &[Item], visit: &mut dyn FnMut(&Item)) {
    for item in items {
        visit(item);
        if let Item::Include(inner) = item {
            walk(inner, visit);
        }
    }
}

/// One resolution in progress.
struct State<'a> {
    alias: &'a str,
    local: &'a LocalUser,
    given_user: Option<&'a str>,
    resolved: Resolved,
    /// Keywords already set: the first value wins.
    first: std::collections::HashSet<String>,
}

impl State<'_> {
    /// Applies `items`; `active` says whether the block around them applies. An included
    /// file's blocks end with it: what follows the `Include` is in the block before it.
    fn apply(&mut self, items: &[Item], mut active: bool) {
        let outer = active;
        for item in items {
            match item {
                Item::Host(patterns) => {
                    active = outer && matches_pattern_list(patterns, self.alias);
                    if active && patterns.iter().any(|pattern| pattern != "*") {
                        self.resolved.named = true;
                    }
                }
                Item::Match(criteria) => {
                    active = outer && self.match_applies(criteria);
                    if active && !criteria.iter().all(|word| word.eq_ignore_ascii_case("all")) {
                        self.resolved.named = true;
                    }
                }
                Item::Include(inner) => self.apply(inner, active),
                Item::Setting { keyword, written, args } if active => self.set(keyword, written, args),
                Item::Setting { .. } => {}
            }
        }
    }

    fn match_applies(&mut self, criteria: &[String]) -> bool {
        let mut words = criteria.iter();
        let mut applies = true;
        while let Some(word) = words.next() {
            let lower = word.to_ascii_lowercase();
            let (negated, name) = match lower.strip_prefix('!') {
                Some(name) => (true, name.to_owned()),
                None => (false, lower),
            };
            let subject = match name.as_str() {
                "all" => {
                    applies &= !negated;
                    continue;
                }
                "host" => self.resolved.host_name.clone().unwrap_or_else(|| self.alias.to_owned()),
                "originalhost" => self.alias.to_owned(),
                "user" => self
                    .given_user
                    .map(str::to_owned)
                    .or_else(|| self.resolved.user.clone())
                    .unwrap_or_else(|| self.local.name.clone()),
                "localuser" => self.local.name.clone(),
                _ => {
                    let unsupported = format!("Match {} (never applies in Wharf)", criteria.join(" "));
                    if !self.resolved.unsupported.contains(&unsupported) {
                        self.resolved.unsupported.push(unsupported);
                    }
                    return false;
                }
            };
            let Some(list) = words.next() else {
                return false;
            };
            let patterns: Vec<String> = list.split(',').map(str::to_owned).collect();
            applies &= matches_pattern_list(&patterns, &subject) != negated;
        }
        applies
    }

    fn set(&mut self, keyword: &str, written: &str, args: &[String]) {
        let value = args.first().map(String::as_str).unwrap_or_default();
        // IdentityFile adds; everything else keeps its first value.
        if keyword == "identityfile" {
            self.resolved.identity_files.push(PathBuf::from(value));
            return;
        }
        if !self.first.insert(keyword.to_owned()) {
            return;
        }
        let resolved = &mut self.resolved;
        let unsupported = |why: &str| format!("{written} {} ({why})", args.join(" "));
        match keyword {
            "hostname" => resolved.host_name = Some(value.to_owned()),
            "port" => match value.parse::<u16>() {
                Ok(port) if port > 0 => resolved.port = Some(port),
                _ => resolved.unsupported.push(unsupported("not a port number")),
            },
            "user" => resolved.user = Some(value.to_owned()),
            "identitiesonly" => resolved.identities_only = is_yes(value),
            "proxyjump" if value.eq_ignore_ascii_case("none") => {}
            "proxyjump" => resolved.proxy_jump = Some(args.join(",")),
            "userknownhostsfile" => {
                resolved.known_hosts_files = args
                    .iter()
                    .filter(|file| !file.eq_ignore_ascii_case("none"))
                    .map(PathBuf::from)
                    .collect();
            }
            "connecttimeout" => match parse_time(value) {
                Some(time) => resolved.connect_timeout = Some(time),
                None => resolved.unsupported.push(unsupported("not a time")),
            },
            "serveraliveinterval" => match parse_time(value) {
                Some(time) => resolved.server_alive_interval = Some(time).filter(|time| !time.is_zero()),
                None => resolved.unsupported.push(unsupported("not a time")),
            },
            "stricthostkeychecking" => match value.to_ascii_lowercase().as_str() {
                "yes" | "true" => resolved.host_key_checking = HostKeyChecking::Strict,
                "ask" => {}
                _ => resolved.unsupported.push(unsupported(
                    "Wharf asks about unknown host keys and refuses changed ones",
                )),
            },
            _ if HARMLESS.contains(&keyword) => {}
            _ => resolved.unsupported.push(unsupported("not supported by Wharf")),
        }
    }
}

fn is_yes(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "yes" | "true")
}

/// Whether `name` matches an OpenSSH pattern list (`Host`, `Match`, known_hosts): some
/// pattern matches and no negated (`!`) one does. Case-insensitive, as OpenSSH compares host
/// names.
pub(crate) fn matches_pattern_list(patterns: &[String], name: &str) -> bool {
    let mut matched = false;
    for pattern in patterns {
        match pattern.strip_prefix('!') {
            Some(negated) if glob(negated, name) => return false,
            Some(_) => {}
            None => matched |= glob(pattern, name),
        }
    }
    matched
}

/// OpenSSH's pattern matching: `*` and `?` wildcards.
fn glob(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut p, mut t) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some(p);
                mark = t;
                p += 1;
            }
            Some(&c) if c == '?' || c.eq_ignore_ascii_case(&text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some(position) => {
                    p = position + 1;
                    mark += 1;
                    t = mark;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// `Keyword value...`, `Keyword=value` or `Keyword = "a value"`: the keyword and the
/// arguments with quotes removed; `None` when a quote is not closed.
fn split_line(line: &str) -> Option<(&str, Vec<String>)> {
    let end = line.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(line.len());
    let (keyword, rest) = line.split_at(end);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in rest.chars() {
        match c {
            // A comment after the arguments, as recent OpenSSH reads it.
            '#' if !quoted && !started => break,
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    args.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            c => {
                current.push(c);
                started = true;
            }
        }
    }
    if quoted {
        return None;
    }
    if started {
        args.push(current);
    }
    Some((keyword, args))
}

/// OpenSSH's time format: `30`, `30s`, `1m30s`, `2h`; seconds without a unit.
fn parse_time(text: &str) -> Option<Duration> {
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(unit)?)?;
        number.clear();
    }
    if !number.is_empty() {
        total = total.checked_add(number.parse().ok()?)?;
    }
    Some(Duration::from_secs(total))
}

/// The values `%` tokens stand for.
struct Tokens {
    host: String,
    port: u16,
    remote_user: String,
    local: LocalUser,
    alias: String,
}

impl Tokens {
    /// `HostName` may only name the alias (`%h`) and `%%`.
    fn host_only(alias: &str) -> Tokens {
        Tokens {
            host: alias.to_owned(),
            port: 0,
            remote_user: String::new(),
            local: LocalUser {
                name: String::new(),
                home: PathBuf::new(),
            },
            alias: alias.to_owned(),
        }
    }
}

fn expand_tokens(text: &str, tokens: &Tokens) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('h') => out.push_str(&tokens.host),
            Some('p') => out.push_str(&tokens.port.to_string()),
            Some('r') => out.push_str(&tokens.remote_user),
            Some('u') => out.push_str(&tokens.local.name),
            Some('d') => out.push_str(&tokens.local.home.to_string_lossy()),
            Some('n') => out.push_str(&tokens.alias),
            Some('%') => out.push('%'),
            // An unknown token stays as written, so the path that fails names it.
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

fn expand_tilde(path: &str, home: &Path) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => home.join(rest),
        None if path == "~" => home.to_path_buf(),
        None => PathBuf::from(path),
    }
}

#[cfg(test)]
#[path = "ssh_config_tests.rs"]
mod tests;
