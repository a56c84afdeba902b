//! FTP directory-listing parser.
//!
//! This module owns turning the bytes of a `LIST` or `MLSD` data transfer into
//! [`ParsedEntry`] values: splitting the payload into lines, recognising the many
//! `LIST` dialects found in the wild (Unix `ls -l`, DOS/IIS, VMS, EPLF, NetWare,
//! NetPresenz, OS/2, AS/400, MVS, z/VM, HP NonStop, VxWorks, OS-9, VShell, ...),
//! parsing `MLSD`/`MLST` fact lines, inferring missing years, and dropping the `.` and
//! `..` entries. Other unsafe names (with `/`, NUL, control characters) are kept here so
//! that [`crate::protocol::Listing::screen`], the one gate for server-sent names, can refuse
//! them and tell the user.
//!
//! Names are never decoded: they stay the raw bytes the server sent, so that the
//! exact name can be sent back in `RETR`/`DELE`. Where the reference clients disagree
//! the heuristics follow FileZilla, whose test suite covers the widest range of servers.
//! Every function here is total: malformed input yields `None` or fewer entries, never
//! a panic.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta};

/// The server family, usually learned from the `SYST` reply. A few formats are only
/// recognised when the server type says so, because they are too ambiguous otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServerType {
    #[default]
    Unknown,
    Unix,
    Mvs,
    Zvm,
    HpNonStop,
    Vms,
    Windows,
}

impl ServerType {
    /// Classifies the text of a `SYST` reply such as `UNIX Type: L8`,
    /// `MVS is the operating system of this server`, `z/VM is the operating system`,
    /// `NONSTOP Kernel`, `Windows_NT` or `VMS ...`. A leading reply code is tolerated.
    pub fn from_syst(reply_text: &str) -> ServerType {
        let text = strip_reply_code(reply_text.trim()).trim_start().to_ascii_uppercase();
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| text.starts_with(p));
        if starts(&["MVS", "OS/390", "Z/OS"]) {
            ServerType::Mvs
        } else if starts(&["Z/VM", "VM/", "VM "]) {
            ServerType::Zvm
        } else if starts(&["NONSTOP"]) {
            ServerType::HpNonStop
        } else if starts(&["VMS", "OPENVMS"]) {
            ServerType::Vms
        } else if starts(&["WINDOWS", "WIN32"]) {
            ServerType::Windows
        } else if text.contains("UNIX") || starts(&["LINUX"]) {
            ServerType::Unix
        } else {
            ServerType::Unknown
        }
    }
}

/// Removes a `215 ` or `215-` prefix so that both the whole reply line and its text work.
fn strip_reply_code(text: &str) -> &str {
    let bytes = text.as_bytes();
    let has_code = bytes.get(..3).is_some_and(|c| c.iter().all(u8::is_ascii_digit))
        && matches!(bytes.get(3), None | Some(b' ' | b'-'));
    if has_code { text.get(4..).unwrap_or("") } else { text }
}

/// What the parser needs to know besides the line itself.
#[derive(Debug, Clone)]
pub struct ListingContext {
    /// The current time, used to infer the year of dates listed without one.
    pub now: NaiveDateTime,
    pub server_type: ServerType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParsedKind {
    File,
    Dir,
    Link,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEntry {
    /// Raw bytes exactly as the server sent them (needed to send the name back).
    pub name: Vec<u8>,
    pub kind: ParsedKind,
    /// `None` when the listing does not give a byte size (DOS `<DIR>`, MLSD without
    /// a size fact, MVS datasets).
    pub size: Option<u64>,
    pub modified: Option<NaiveDateTime>,
    /// For example `drwxr-xr-x`, or the MLSD `UNIX.mode` / `perm` fact as given.
    pub permissions: Option<String>,
    pub owner: Option<String>,
    pub group: Option<String>,
    /// Symlink target, raw bytes.
    pub target: Option<Vec<u8>>,
}

impl ParsedEntry {
    fn new(name: &[u8], kind: ParsedKind) -> ParsedEntry {
        ParsedEntry {
            name: name.to_vec(),
            kind,
            size: None,
            modified: None,
            permissions: None,
            owner: None,
            group: None,
            target: None,
        }
    }
}

/// Parses one LIST line (without the line terminator). `None` for lines that are
/// not entries ("total 12", blank, headers, garbage).
#[cfg(any(test, feature = "fuzzing"))]
pub fn parse_list_line(line: &[u8], ctx: &ListingContext) -> Option<ParsedEntry> {
    parse_list_line_inner(line, ctx).map(|parsed| parsed.entry)
}

/// Parses one MLSD/MLST fact line (`type=file;size=12;modify=20200101120000; name`).
/// Everything after the first space (or tab) that ends the fact list is the name,
/// including further spaces and semicolons.
pub fn parse_mlsd_line(line: &[u8]) -> Option<ParsedEntry> {
    parse_mlsd_inner(line).map(|parsed| parsed.entry)
}

/// Splits a whole LIST (or MLSD when `mlsd` is true) payload into lines and parses
/// them. Lines end at LF only (one trailing CR is stripped), so bytes such as 0x85
/// (NEL in Latin-1, but part of Shift-JIS names) never split a name. VMS entries
/// folded over two lines are joined. `.`, `..` and the MLSD `cdir`/`pdir` entries are
/// dropped; every other name is left for the listing screen to judge.
/// Also returns how many lines could not be read as any entry (blank lines aside; headers
/// such as `total 12` count too).
pub fn parse_listing(data: &[u8], mlsd: bool, ctx: &ListingContext) -> (Vec<ParsedEntry>, usize) {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect();

    let mut entries = Vec::new();
    let mut parsed_any = false;
    // Names of lines that consist of one bare token; used when the whole listing
    // turns out to be nothing but names (see `bare_name_listing`).
    let mut bare_names: Vec<&[u8]> = Vec::new();
    let mut only_bare = true;
    let mut unread = 0;

    let mut i = 0;
    while let Some(&line) = lines.get(i) {
        i += 1;
        if line.iter().all(|b| is_sep(*b)) {
            continue;
        }
        // Servers answering MLSD with LIST-style lines exist, so LIST is the fallback.
        let parsed = if mlsd { parse_mlsd_inner(line) } else { None };
        let parsed = parsed
            .or_else(|| {
                // A VMS name too long for its column is printed alone, and the rest of
                // the entry follows on the next line.
                let joined = join_folded_vms(line, lines.get(i).copied())?;
                i += 1;
                Some(joined)
            })
            .or_else(|| parse_list_line_inner(line, ctx));
        match parsed {
            Some(parsed) => {
                parsed_any = true;
                if !parsed.self_or_parent && is_safe_name(&parsed.entry.name) {
                    entries.push(parsed.entry);
                }
            }
            None => {
                unread += 1;
                let tokens = Line::new(line);
                match (tokens.count(), tokens.tok(0)) {
                    (1, Some(name)) => bare_names.push(name),
                    _ => only_bare = false,
                }
            }
        }
    }

    if !parsed_any && only_bare {
        entries.extend(bare_name_listing(&bare_names));
        unread = 0;
    }
    (entries, unread)
}

/// Some servers answer LIST with bare names only (FileZilla keeps such a listing when
/// no line parsed and none contained a space). Names starting with a digit or a
/// sign are refused, because such lone tokens are far more often garbage.
fn bare_name_listing(names: &[&[u8]]) -> Vec<ParsedEntry> {
    names
        .iter()
        .filter(|name| {
            name.first()
                .is_some_and(|b| !b.is_ascii_digit() && !matches!(b, b'+' | b'-'))
        })
        .filter(|name| is_safe_name(name))
        .map(|name| ParsedEntry::new(name, ParsedKind::File))
        .collect()
}

/// Whether a name is an entry at all (not the folder itself or its parent).
fn is_safe_name(name: &[u8]) -> bool {
    !name.is_empty() && name != b"." && name != b".."
}

/// Joins `first` (a lone `NAME.EXT;VERSION` token) with the following line and parses
/// the result as a VMS entry.
fn join_folded_vms(first: &[u8], next: Option<&[u8]>) -> Option<Parsed> {
    let next = next?;
    let line = Line::new(first);
    let name = line.tok(0)?;
    if line.count() != 1 || !name.contains(&b';') {
        return None;
    }
    let mut joined = name.to_vec();
    joined.push(b' ');
    joined.extend_from_slice(next);
    let entry = parse_vms(&Line::new(&joined))?;
    Some(Parsed::entry(entry))
}

/// A parsed line plus whether it describes the listed directory itself or its parent.
struct Parsed {
    entry: ParsedEntry,
    self_or_parent: bool,
}

impl Parsed {
    fn entry(entry: ParsedEntry) -> Parsed {
        Parsed {
            entry,
            self_or_parent: false,
        }
    }
}

/// Tries every LIST format in turn, most common and least ambiguous first.
fn parse_list_line_inner(bytes: &[u8], ctx: &ListingContext) -> Option<Parsed> {
    let line = Line::new(bytes);
    line.tok(0)?;

    // These two formats are tried first only when the server says it speaks them,
    // because otherwise a more common format could claim the line.
    let preferred = match ctx.server_type {
        ServerType::Zvm => parse_zvm(&line),
        ServerType::HpNonStop => parse_hp_nonstop(&line),
        _ => None,
    };
    if let Some(entry) = preferred {
        return Some(Parsed::entry(entry));
    }

    // MLSD-looking lines can show up in LIST output; the fact syntax is strict
    // enough not to claim lines of other formats.
    if let (Some(facts), Some(name)) = (line.tok(0), line.after_one_sep(0))
        && let Some(parsed) = parse_mlsd_facts(facts, name)
    {
        return Some(parsed);
    }

    let now = ctx.now;
    let mvs = ctx.server_type == ServerType::Mvs;
    let mut entry = parse_unix(&line, now, true)
        .or_else(|| parse_dos(&line))
        .or_else(|| parse_eplf(&line))
        .or_else(|| parse_vms(&line))
        .or_else(|| parse_other(&line))
        .or_else(|| parse_as400(&line))
        .or_else(|| parse_wfftp(&line))
        .or_else(|| parse_mvs_dataset(&line))
        .or_else(|| parse_mvs_pds_member(&line))
        .or_else(|| parse_os9(&line))
        .or_else(|| if mvs { parse_mvs_only(&line) } else { None })
        .or_else(|| parse_unix(&line, now, false))
        // Both are distinctive enough to try last even when SYST said otherwise,
        // which keeps listings from misidentified servers usable.
        .or_else(|| parse_zvm(&line))
        .or_else(|| parse_hp_nonstop(&line))?;

    if ctx.server_type == ServerType::Vms && entry.kind == ParsedKind::Dir {
        // VMS directories are addressed without their version number.
        if let Some(pos) = entry.name.iter().rposition(|&b| b == b';')
            && pos > 0
        {
            entry.name.truncate(pos);
        }
    }
    Some(Parsed::entry(entry))
}

/// A line split on ASCII whitespace, remembering where each token starts and ends so
/// that a name can be taken as "the rest of the line" with its inner spaces intact.
struct Line<'a> {
    bytes: &'a [u8],
    spans: Vec<(usize, usize)>,
}

impl<'a> Line<'a> {
    fn new(bytes: &'a [u8]) -> Line<'a> {
        let mut spans = Vec::new();
        let mut start = None;
        for (i, &b) in bytes.iter().enumerate() {
            if is_sep(b) {
                if let Some(s) = start.take() {
                    spans.push((s, i));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            spans.push((s, bytes.len()));
        }
        Line { bytes, spans }
    }

    fn count(&self) -> usize {
        self.spans.len()
    }

    fn tok(&self, n: usize) -> Option<&'a [u8]> {
        let &(start, end) = self.spans.get(n)?;
        self.bytes.get(start..end)
    }

    /// From the start of token `n` to the end of the line, trailing whitespace kept
    /// (names may end in spaces).
    fn rest(&self, n: usize) -> Option<&'a [u8]> {
        let &(start, _) = self.spans.get(n)?;
        self.bytes.get(start..)
    }

    /// Everything after the single separator that follows token `n`. Used where the
    /// column before the name has a fixed width, so extra spaces belong to the name.
    fn after_one_sep(&self, n: usize) -> Option<&'a [u8]> {
        let &(_, end) = self.spans.get(n)?;
        let rest = self.bytes.get(end.checked_add(1)?..)?;
        if rest.iter().all(|b| is_sep(*b)) {
            None
        } else {
            Some(rest)
        }
    }
}

fn is_sep(b: u8) -> bool {
    b.is_ascii_whitespace()
}

fn is_digits(t: &[u8]) -> bool {
    !t.is_empty() && t.iter().all(u8::is_ascii_digit)
}

/// At least two bytes, the first a digit (FileZilla's "left numeric").
fn left_numeric(t: &[u8]) -> bool {
    t.len() >= 2 && t.first().is_some_and(u8::is_ascii_digit)
}

/// At least two bytes, the last a digit (FileZilla's "right numeric").
fn right_numeric(t: &[u8]) -> bool {
    t.len() >= 2 && t.last().is_some_and(u8::is_ascii_digit)
}

/// An all-digit token as `u64`; `None` on any other byte or on overflow.
fn parse_u64(t: &[u8]) -> Option<u64> {
    if !is_digits(t) {
        return None;
    }
    t.iter()
        .try_fold(0u64, |acc, &b| acc.checked_mul(10)?.checked_add(u64::from(b - b'0')))
}

/// The digits at the start of a token (at least one).
fn leading_u64(t: &[u8]) -> Option<u64> {
    let n = t.iter().take_while(|b| b.is_ascii_digit()).count();
    parse_u64(t.get(..n)?)
}

fn parse_u32(t: &[u8]) -> Option<u32> {
    u32::try_from(parse_u64(t)?).ok()
}

fn leading_u32(t: &[u8]) -> Option<u32> {
    u32::try_from(leading_u64(t)?).ok()
}

fn position(t: &[u8], byte: u8) -> Option<usize> {
    t.iter().position(|&b| b == byte)
}

/// Position of the first byte from `set` at or after `from`.
fn find_any(t: &[u8], set: &[u8], from: usize) -> Option<usize> {
    t.iter()
        .enumerate()
        .skip(from)
        .find(|(_, b)| set.contains(b))
        .map(|(i, _)| i)
}

/// Owner, group and permission strings are only shown, so a lossy decoding is fine:
/// UTF-8 when valid, otherwise Latin-1.
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

fn non_empty(bytes: &[u8]) -> Option<String> {
    (!bytes.is_empty()).then(|| decode(bytes))
}

/// Sizes such as `1234`, `33.5k`, `2KB`, `1.2M`. `block` multiplies plain numbers
/// (VMS lists sizes in 512-byte blocks).
fn complex_size(t: &[u8], block: Option<u64>) -> Option<u64> {
    if is_digits(t) {
        let n = parse_u64(t)?;
        return match block {
            Some(b) => n.checked_mul(b),
            None => Some(n),
        };
    }
    let (&last, body) = t.split_last()?;
    let (number, multiplier) = if last.eq_ignore_ascii_case(&b'b') {
        match body.split_last() {
            Some((&unit, number)) if !unit.is_ascii_digit() => (number, unit_multiplier(unit)?),
            _ => (body, 1),
        }
    } else {
        (body, unit_multiplier(last)?)
    };
    let mut mantissa: u64 = 0;
    let mut decimals: Option<u32> = None;
    let mut digits = 0;
    for &c in number {
        if c.is_ascii_digit() {
            mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            digits += 1;
            if let Some(d) = decimals.as_mut() {
                *d += 1;
            }
        } else if c == b'.' && decimals.is_none() {
            decimals = Some(0);
        } else {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    let scaled = mantissa.checked_mul(multiplier)?;
    Some(scaled / 10u64.checked_pow(decimals.unwrap_or(0))?)
}

fn unit_multiplier(unit: u8) -> Option<u64> {
    match unit.to_ascii_lowercase() {
        b'k' => Some(1 << 10),
        b'm' => Some(1 << 20),
        b'g' => Some(1 << 30),
        b't' => Some(1 << 40),
        _ => None,
    }
}

/// Month names (lower case) from the languages servers have been seen to use.
#[rustfmt::skip]
const MONTH_NAMES: &[(&str, u32)] = &[
    // English
    ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("may", 5), ("jun", 6), ("june", 6), ("jul", 7), ("july", 7),
    ("aug", 8), ("sep", 9), ("sept", 9), ("oct", 10), ("nov", 11), ("dec", 12),
    // German and Austrian
    ("mrz", 3), ("mär", 3), ("märz", 3), ("mai", 5), ("juni", 6), ("juli", 7), ("okt", 10), ("dez", 12), ("jän", 1),
    // French
    ("janv", 1), ("fév", 2), ("fev", 2), ("févr", 2), ("fevr", 2), ("mars", 3), ("mrs", 3), ("avr", 4), ("avril", 4),
    ("juin", 6), ("juil", 7), ("jui", 7), ("aoû", 8), ("août", 8), ("aout", 8), ("déc", 12),
    // Italian
    ("gen", 1), ("mag", 5), ("giu", 6), ("lug", 7), ("ago", 8), ("set", 9), ("ott", 10), ("dic", 12),
    // Spanish
    ("ene", 1), ("fbro", 2), ("mzo", 3), ("ab", 4), ("abr", 4), ("agto", 8), ("sbre", 9), ("obre", 10), ("nbre", 11),
    ("dbre", 12),
    // Polish
    ("sty", 1), ("lut", 2), ("kwi", 4), ("maj", 5), ("cze", 6), ("lip", 7), ("sie", 8), ("wrz", 9), ("paź", 10),
    ("paz", 10), ("lis", 11), ("gru", 12),
    // Russian in UTF-8, then in CP1251 seen through Latin-1 (how non-UTF-8 bytes are decoded here)
    ("янв", 1), ("фев", 2), ("мар", 3), ("апр", 4), ("май", 5), ("июн", 6), ("июл", 7), ("авг", 8), ("сен", 9),
    ("окт", 10), ("ноя", 11), ("дек", 12),
    ("\u{ff}\u{ed}\u{e2}", 1), ("\u{f4}\u{e5}\u{e2}", 2), ("\u{ec}\u{e0}\u{f0}", 3), ("\u{e0}\u{ef}\u{f0}", 4),
    ("\u{ec}\u{e0}\u{e9}", 5), ("\u{e8}\u{fe}\u{ed}", 6), ("\u{e8}\u{fe}\u{eb}", 7), ("\u{e0}\u{e2}\u{e3}", 8),
    ("\u{f1}\u{e5}\u{ed}", 9), ("\u{ee}\u{ea}\u{f2}", 10), ("\u{ed}\u{ee}\u{ff}", 11), ("\u{e4}\u{e5}\u{ea}", 12),
    // Dutch and Portuguese
    ("mrt", 3), ("mei", 5), ("out", 10),
    // Finnish
    ("tammi", 1), ("helmi", 2), ("maalis", 3), ("huhti", 4), ("touko", 5), ("kesä", 6), ("heinä", 7), ("elo", 8),
    ("syys", 9), ("loka", 10), ("marras", 11), ("joulu", 12),
    // Slovenian and Icelandic
    ("avg", 8), ("maí", 5), ("jún", 6), ("júl", 7), ("ágú", 8), ("nóv", 11), ("des", 12),
    // Lithuanian
    ("sau", 1), ("vas", 2), ("kov", 3), ("bal", 4), ("geg", 5), ("bir", 6), ("lie", 7), ("rgp", 8), ("rgs", 9),
    ("spa", 10), ("lap", 11), ("grd", 12),
    // Hungarian
    ("szept", 9),
];

/// A month from its name in one of [`MONTH_NAMES`], its number (`3`, `03`), or a name
/// with the month number glued on (`mar03`, `mar2` when the server counts from zero).
fn month_from_name(t: &[u8]) -> Option<u32> {
    if is_digits(t) {
        return parse_u32(t).filter(|m| (1..=12).contains(m) && t.len() <= 2);
    }
    let name = decode(t).to_lowercase();
    let lookup = |n: &str| {
        MONTH_NAMES
            .iter()
            .find(|(candidate, _)| *candidate == n)
            .map(|&(_, m)| m)
    };
    if let Some(m) = lookup(&name) {
        return Some(m);
    }
    let digits = name.chars().rev().take_while(char::is_ascii_digit).count();
    if !(1..=2).contains(&digits) {
        return None;
    }
    let split = name.len().checked_sub(digits)?;
    let month = lookup(name.get(..split)?)?;
    let n: u32 = name.get(split..)?.parse().ok()?;
    let prev = month.checked_sub(1)?;
    [month, prev, month % 10, prev % 10].contains(&n).then_some(month)
}

/// A wall-clock time from a listing. `hour` may be 24 for the alternate midnight.
#[derive(Clone, Copy)]
struct Clock {
    hour: u32,
    minute: u32,
    second: u32,
}

/// Parses `hh:mm`, `hh:mm:ss` and `hh:mm:ss.ff`, with an optional glued `AM`/`PM`.
fn parse_clock(t: &[u8]) -> Option<Clock> {
    let (core, meridiem) = split_meridiem(t);
    let mut parts = core.splitn(3, |&b| b == b':');
    let hour = parse_u32(parts.next()?)?;
    let minute = parse_u32(parts.next()?)?;
    let second = match parts.next() {
        Some(sec) => {
            let whole = sec.iter().take_while(|b| b.is_ascii_digit()).count();
            let fraction = sec.get(whole..)?;
            let fraction_ok = match fraction.split_first() {
                None => true,
                Some((b'.', digits)) => digits.iter().all(u8::is_ascii_digit),
                Some(_) => false,
            };
            if !fraction_ok {
                return None;
            }
            leading_u32(sec)?
        }
        None => 0,
    };
    if hour > 24 || minute > 59 || second > 60 {
        return None;
    }
    let clock = Clock { hour, minute, second };
    Some(match meridiem {
        Some(pm) => apply_meridiem(clock, pm),
        None => clock,
    })
}

/// Splits a trailing `AM`/`PM` (any case) off a time token; `Some(true)` means PM.
fn split_meridiem(t: &[u8]) -> (&[u8], Option<bool>) {
    if let Some((body, suffix)) = t.split_at_checked(t.len().saturating_sub(2))
        && let Some(pm) = meridiem(suffix)
        && !body.is_empty()
    {
        return (body, Some(pm));
    }
    (t, None)
}

fn meridiem(t: &[u8]) -> Option<bool> {
    if t.eq_ignore_ascii_case(b"PM") {
        Some(true)
    } else if t.eq_ignore_ascii_case(b"AM") {
        Some(false)
    } else {
        None
    }
}

fn apply_meridiem(mut clock: Clock, pm: bool) -> Clock {
    if pm && clock.hour < 12 {
        clock.hour += 12;
    } else if !pm && clock.hour == 12 {
        clock.hour = 0;
    }
    clock
}

fn make_datetime(year: i32, month: u32, day: u32, clock: Option<Clock>) -> Option<NaiveDateTime> {
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let Some(c) = clock else {
        return date.and_hms_opt(0, 0, 0);
    };
    if c.hour == 24 {
        // "24:00" is the end of the day, i.e. midnight of the next one.
        if c.minute != 0 || c.second != 0 {
            return None;
        }
        return date.succ_opt()?.and_hms_opt(0, 0, 0);
    }
    // A leap second cannot be represented here; it is merely rounded down.
    date.and_hms_opt(c.hour, c.minute, c.second.min(59))
}

/// Listings show recent files with a time instead of a year. The year is the most
/// recent one that does not put the date more than a day after `now`; the day of
/// slack covers servers in time zones ahead of the client.
fn infer_year(now: NaiveDateTime, month: u32, day: u32, clock: Option<Clock>) -> Option<NaiveDateTime> {
    let limit = now.checked_add_signed(TimeDelta::try_days(1)?)?;
    (0..8).find_map(|back| {
        let dt = make_datetime(now.year().checked_sub(back)?, month, day, clock)?;
        (dt <= limit).then_some(dt)
    })
}

/// A calendar date as year, month, day.
type Ymd = (i32, u32, u32);

/// Short dates with two separators of the same kind: `yyyy-mm-dd`, `mm-dd-yy`,
/// `dd-mm-yyyy` (when the first field exceeds 12), `dd.mm.yyyy`, `01-jun-99`,
/// `Feb-28-1998`, `19-NOV-2001`, `2003/05/21`. With `sane_order`, a two-digit first
/// field is the year (`yy/mm/dd`). Two- and three-digit years are expanded, so the
/// `04-23-103` of servers that are not Y2K aware means 2003.
fn parse_short_date(t: &[u8], sane_order: bool) -> Option<Ymd> {
    let pos = find_any(t, b"-./", 0)?;
    if pos < 1 {
        return None;
    }
    let first = t.get(..pos)?;
    let sep = *t.get(pos)?;
    let mut year: Option<i32> = None;
    let mut month: Option<u32> = None;
    let mut day: Option<u32> = None;
    let mut month_is_name = false;

    if !is_digits(first) {
        month = Some(month_from_name(first)?);
        month_is_name = true;
    } else if pos == 4 {
        let y = i32::try_from(parse_u64(first)?).ok()?;
        if !(1900..=3000).contains(&y) {
            return None;
        }
        year = Some(y);
    } else if pos <= 2 {
        let value = parse_u32(first)?;
        if sep == b'.' {
            if !(1..=31).contains(&value) {
                return None;
            }
            day = Some(value);
        } else if sane_order {
            year = Some(expand_year(value)?);
        } else if value > 12 {
            if value > 31 {
                return None;
            }
            day = Some(value);
        } else if value >= 1 {
            month = Some(value);
        } else {
            return None;
        }
    } else {
        return None;
    }

    let pos2 = find_any(t, b"-./", pos + 1)?;
    if pos2 == pos + 1 || pos2 + 1 == t.len() {
        return None;
    }
    let middle = t.get(pos + 1..pos2)?;
    if !is_digits(middle) && month.is_some() {
        // "01-jun-99": what looked like the month was the day.
        if month_is_name || day.is_some() {
            return None;
        }
        day = month.take();
    }
    if year.is_some() || day.is_some() {
        month = Some(month_from_name(middle)?);
    } else {
        let value = leading_u32(middle)?;
        if !(1..=31).contains(&value) {
            return None;
        }
        day = Some(value);
    }

    let last = leading_u32(t.get(pos2 + 1..)?)?;
    if year.is_some() {
        if !(1..=31).contains(&last) {
            return None;
        }
        day = Some(last);
    } else {
        if last > 9999 {
            return None;
        }
        year = Some(expand_year(last)?);
    }
    let ymd = (year?, month?, day?);
    NaiveDate::from_ymd_opt(ymd.0, ymd.1, ymd.2)?;
    Some(ymd)
}

/// `yy` below 50 is 20yy, other values below 1000 count from 1900.
fn expand_year(value: u32) -> Option<i32> {
    let value = i32::try_from(value).ok()?;
    Some(if value < 50 {
        value + 2000
    } else if value < 1000 {
        value + 1900
    } else {
        value
    })
}

fn date_with_clock(ymd: Ymd, clock: Option<Clock>) -> Option<NaiveDateTime> {
    make_datetime(ymd.0, ymd.1, ymd.2, clock)
}

/// How the name column starts after a Unix date.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NameStart {
    /// `ls` prints the time or year in a fixed-width column followed by exactly one
    /// space, so further spaces are part of the name.
    AfterOneSpace,
    /// Other date styles are padded unpredictably; the name starts at the next token.
    NextToken,
}

/// Parses the date of a Unix-style line starting after token `*idx`, leaving `*idx` at
/// the last date token. Handles `Apr  8  1994`, `Jan 25 00:17`, `3 29 03:26`,
/// `09-26 2000`, `2005-06-07 21:22`, `01-jun-99`, `2004.07.15`, `26. Juli, 20:10`,
/// `Oct 08, 2002 09:47`, `29 Jul 02:27` and Asian dates such as `3月 2日 15:13`.
fn parse_unix_datetime(line: &Line<'_>, idx: &mut usize, now: NaiveDateTime) -> Option<(NaiveDateTime, NameStart)> {
    *idx += 1;
    let mut date = match unix_date_start(line, idx)? {
        UnixDateStart::Whole(dt) => return Some((dt, NameStart::NextToken)),
        UnixDateStart::Partial(date) => date,
    };
    if date.day.is_none() {
        unix_day(line, idx, &mut date)?;
    }
    if date.month.is_none() {
        date.month = Some(unix_month(date.month_token)?);
    }
    let (month, day) = (date.month?, date.day?);
    *idx += 1;
    unix_time_or_year(line, idx, now, &date, month, day)
}

/// What the first tokens of a Unix date said, before the time or year that follows them.
struct UnixDate<'a> {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    /// The token with the month's name or number; in `26. Juli` it holds the day.
    month_token: &'a [u8],
    /// Cleared when the year came first: the token after the day is then the name.
    may_have_time: bool,
    /// A comma after the day (`Oct 08, 2002 09:47`): the year follows, then maybe a time.
    has_year_and_time: bool,
}

/// The first token of a Unix date: a whole dotted date (`2004.07.15`) is the date itself.
enum UnixDateStart<'a> {
    Whole(NaiveDateTime),
    Partial(UnixDate<'a>),
}

/// Reads the first token of a Unix date, at `*idx`: a date with separators, a leading year
/// (which moves `*idx` on to the month), or the month, kept for later.
fn unix_date_start<'a>(line: &Line<'a>, idx: &mut usize) -> Option<UnixDateStart<'a>> {
    let token = line.tok(*idx)?;
    let mut date = UnixDate {
        year: None,
        month: None,
        day: None,
        month_token: token,
        may_have_time: true,
        has_year_and_time: false,
    };
    if let Some(pos) = find_any(token, b"-/.", 0) {
        return separated_date_start(token, pos, date);
    }
    if is_digits(token) {
        let n = parse_u64(token)?;
        if n > 1000 && n < 10000 {
            if !(1900..3000).contains(&n) {
                return None;
            }
            // "2005 3 13": the year comes first.
            year_first(line, idx, &mut date, n)?;
        }
    } else if left_numeric(token) && token.last().is_some_and(|&b| b > 127) {
        // Asian servers append a unit such as 年 to each number.
        let n = leading_u64(token)?;
        if n > 1000 {
            if n > 10000 {
                return None;
            }
            year_first(line, idx, &mut date, n)?;
        }
    }
    Some(UnixDateStart::Partial(date))
}

/// A first token with a separator at `pos`: `26-05` (month and day), a whole date such as
/// `2005-06-07` or `01-jun-99`, or a dotted date `2004.07.15`, which has no time after it.
fn separated_date_start<'a>(token: &'a [u8], pos: usize, mut date: UnixDate<'a>) -> Option<UnixDateStart<'a>> {
    let sep = *token.get(pos)?;
    match find_any(token, b"-/.", pos + 1) {
        None if sep != b'.' => {
            // "26-05 2002" style: month and day, the year or time follows.
            let d = leading_u32(token.get(pos + 1..)?)?;
            if !(1..=31).contains(&d) {
                return None;
            }
            date.day = Some(d);
            date.month_token = token.get(..pos)?;
        }
        None => {}
        Some(pos2) => {
            if token.get(pos2) != Some(&sep) {
                return None;
            }
            let ymd = parse_short_date(token, false)?;
            if sep == b'.' {
                return Some(UnixDateStart::Whole(date_with_clock(ymd, None)?));
            }
            date.year = Some(ymd.0);
            date.month = Some(ymd.1);
            date.day = Some(ymd.2);
        }
    }
    Some(UnixDateStart::Partial(date))
}

/// The year came first (`2005 3 13`, `2005年 3月 13日`): the month is the next token, and
/// what follows the day is the name rather than a time.
fn year_first<'a>(line: &Line<'a>, idx: &mut usize, date: &mut UnixDate<'a>, year: u64) -> Option<()> {
    date.year = i32::try_from(year).ok();
    *idx += 1;
    date.month_token = line.tok(*idx)?;
    date.may_have_time = false;
    Some(())
}

/// Reads the day from the next token; in `26. Juli` the day came first, in the token taken
/// for the month, and the next token is the month.
fn unix_day<'a>(line: &Line<'a>, idx: &mut usize, date: &mut UnixDate<'a>) -> Option<()> {
    *idx += 1;
    let day_token = line.tok(*idx)?;
    let day;
    if !is_digits(day_token) && !left_numeric(day_token) {
        let digits = date.month_token.strip_suffix(b".").unwrap_or(date.month_token);
        day = parse_u32(digits)?;
        date.month_token = day_token;
    } else if day_token.len() == 5 && day_token.get(2) == Some(&b':') && right_numeric(day_token) {
        // This is a time, so a field was consumed too early.
        return None;
    } else {
        day = leading_u32(day_token)?;
        if day_token.last() == Some(&b',') {
            date.has_year_and_time = true;
        }
    }
    if !(1..=31).contains(&day) {
        return None;
    }
    date.day = Some(day);
    Some(())
}

/// The month from its token: a name (`Jan`, `Juli,`) or a number, with any non-ASCII
/// unit such as 月 and trailing commas and dots dropped.
fn unix_month(token: &[u8]) -> Option<u32> {
    let mut name = token;
    if left_numeric(name) && name.last().is_some_and(|&b| b > 127) {
        // Drop a non-ASCII suffix such as 月 after the month number.
        let keep = name.iter().rposition(u8::is_ascii_digit).map_or(1, |p| p + 1);
        name = name.get(..keep)?;
    }
    while let Some(stripped) = name.strip_suffix(b",").or_else(|| name.strip_suffix(b".")) {
        name = stripped;
    }
    month_from_name(name)
}

/// Reads what follows the day, at `*idx`: a time (in the year given, or else the most
/// recent plausible one), or a year with, after `Oct 08,`, perhaps a time.
fn unix_time_or_year(
    line: &Line<'_>,
    idx: &mut usize,
    now: NaiveDateTime,
    date: &UnixDate<'_>,
    month: u32,
    day: u32,
) -> Option<(NaiveDateTime, NameStart)> {
    let token = line.tok(*idx)?;
    let time_sep = find_any(token, b":.-", 0);
    if let (Some(pos), true) = (time_sep, date.may_have_time) {
        let clock = unix_clock(token, pos)?;
        let dt = match date.year {
            Some(y) => make_datetime(y, month, day, Some(clock))?,
            None => infer_year(now, month, day, Some(clock))?,
        };
        return Some((dt, NameStart::AfterOneSpace));
    }
    if let Some(y) = date.year {
        // The year came first ("2005 3 13" or an ISO date); the token is the name.
        *idx = idx.saturating_sub(1);
        return Some((make_datetime(y, month, day, None)?, NameStart::NextToken));
    }
    if !is_digits(token) && !left_numeric(token) {
        return None;
    }
    let y = leading_u64(token)?;
    if y > 3000 {
        return None;
    }
    let y = expand_year(u32::try_from(y).ok()?)?;
    let mut clock = None;
    if date.has_year_and_time
        && let Some(time_token) = line.tok(*idx + 1)
        && time_token.len() == 5
        && time_token.get(2) == Some(&b':')
    {
        clock = Some(unix_clock(time_token, 2)?);
        *idx += 1;
    }
    Some((make_datetime(y, month, day, clock)?, NameStart::AfterOneSpace))
}

/// `hh:mm` in a Unix listing, where both halves must be plain numbers.
fn unix_clock(token: &[u8], sep: usize) -> Option<Clock> {
    if sep == 0 || sep + 1 >= token.len() {
        return None;
    }
    let hour = parse_u32(token.get(..sep)?)?;
    let rest = token.get(sep + 1..)?;
    // `hh:mm:ss`, as GNU ls writes with a time style that has seconds.
    let (minute, second) = match rest.iter().position(|&b| b == b':') {
        Some(colon) if token.get(sep) == Some(&b':') => {
            (parse_u32(rest.get(..colon)?)?, parse_u32(rest.get(colon + 1..)?)?)
        }
        _ => (parse_u32(rest)?, 0),
    };
    let valid = ((hour <= 23 && minute <= 59) || (hour == 24 && minute == 0)) && second <= 59;
    valid.then_some(Clock { hour, minute, second })
}

fn parse_mlsd_inner(line: &[u8]) -> Option<Parsed> {
    // The fact list ends at the first space; a few servers use a tab instead.
    let split = line.iter().position(|&b| b == b' ' || b == b'\t')?;
    let facts = line.get(..split)?;
    let name = line.get(split + 1..)?;
    parse_mlsd_facts(facts, name)
}

/// Parses an RFC 3659 fact list (`fact=value;...`, names case-insensitive) for the
/// entry called `name`. Strict about the syntax, so that it does not claim lines of
/// other formats when it is tried on LIST output.
fn parse_mlsd_facts(facts: &[u8], name: &[u8]) -> Option<Parsed> {
    if name.is_empty() {
        return None;
    }
    let mut entry = ParsedEntry::new(name, ParsedKind::File);
    let mut self_or_parent = false;
    let mut size = None;
    let mut sizd = None;
    let mut created = None;
    let (mut perm, mut mode) = (None, None);
    let (mut owner_name, mut owner_id, mut user, mut uid) = (None, None, None, None);
    let (mut group_name, mut group_id, mut gid) = (None, None, None);

    // The fact list may omit its final ';' (drafts before mlst-07 did).
    let body = facts.strip_suffix(b";").unwrap_or(facts);
    if !body.is_empty() {
        for fact in body.split(|&b| b == b';') {
            let eq = position(fact, b'=')?;
            if eq == 0 || fact.len() < 3 {
                return None;
            }
            let key = fact.get(..eq)?.to_ascii_lowercase();
            let value = fact.get(eq + 1..)?;
            match key.as_slice() {
                b"type" => {
                    let (kind, target, special) = mlsd_type(value);
                    entry.kind = kind;
                    entry.target = target;
                    self_or_parent = special;
                }
                b"size" => size = Some(parse_u64(value)?),
                b"sizd" => sizd = Some(parse_u64(value)?),
                b"modify" => entry.modified = parse_mlsd_time(value),
                b"create" => created = parse_mlsd_time(value),
                b"perm" => perm = non_empty(value),
                b"unix.mode" => mode = non_empty(value),
                b"unix.ownername" => owner_name = non_empty(value),
                b"unix.owner" => owner_id = non_empty(value),
                b"unix.user" => user = non_empty(value),
                b"unix.uid" => uid = non_empty(value),
                b"unix.groupname" => group_name = non_empty(value),
                b"unix.group" => group_id = non_empty(value),
                b"unix.gid" => gid = non_empty(value),
                _ => {}
            }
        }
    }
    entry.size = size.or(sizd);
    entry.modified = entry.modified.or(created);
    entry.permissions = mode.or(perm);
    entry.owner = owner_name.or(owner_id).or(user).or(uid);
    entry.group = group_name.or(group_id).or(gid);
    Some(Parsed { entry, self_or_parent })
}

/// Maps an MLSD `type` value to a kind, a symlink target, and whether the entry is
/// the listed directory itself or its parent (`cdir`/`pdir`).
fn mlsd_type(value: &[u8]) -> (ParsedKind, Option<Vec<u8>>, bool) {
    let lower = value.to_ascii_lowercase();
    match lower.as_slice() {
        b"file" => return (ParsedKind::File, None, false),
        b"dir" => return (ParsedKind::Dir, None, false),
        b"cdir" | b"pdir" => return (ParsedKind::Dir, None, true),
        b"link" | b"slink" | b"symlink" => return (ParsedKind::Link, None, false),
        _ => {}
    }
    // "OS.unix=slink:/target"; the target may be empty or absent.
    let (prefix, target) = match position(value, b':') {
        Some(colon) => (lower.get(..colon).unwrap_or_default(), value.get(colon + 1..)),
        None => (lower.as_slice(), None),
    };
    if prefix == b"os.unix=slink" || prefix == b"os.unix=symlink" {
        (ParsedKind::Link, target.map(<[u8]>::to_vec), false)
    } else {
        (ParsedKind::Other, None, false)
    }
}

/// `YYYYMMDD[HH[MM[SS]]][.fff]`, in UTC as RFC 3659 requires.
fn parse_mlsd_time(value: &[u8]) -> Option<NaiveDateTime> {
    let whole = value.split(|&b| b == b'.').next()?;
    if !is_digits(whole) || whole.len() < 8 || whole.len() > 14 || whole.len() % 2 != 0 {
        return None;
    }
    let field = |range: std::ops::Range<usize>| whole.get(range).and_then(parse_u32);
    let year = i32::try_from(field(0..4)?).ok()?;
    let clock = Clock {
        hour: field(8..10).unwrap_or(0),
        minute: field(10..12).unwrap_or(0),
        second: field(12..14).unwrap_or(0),
    };
    if clock.hour > 23 || clock.minute > 59 {
        return None;
    }
    make_datetime(year, field(4..6)?, field(6..8)?, Some(clock))
}

/// Unix `ls -l` and its relatives: NetWare (`d [RWCEAFMS] owner ...`), NetPresenz,
/// Connect:Enterprise, owner/group columns missing or containing spaces, group and
/// size run together, device numbers, and (with `expect_date` false) no date at all.
fn parse_unix(line: &Line<'_>, now: NaiveDateTime, expect_date: bool) -> Option<ParsedEntry> {
    let perm = line.tok(0)?;
    let kind = match perm.first()? {
        b'd' => ParsedKind::Dir,
        b'l' => ParsedKind::Link,
        b'-' => ParsedKind::File,
        b'b' | b'c' | b'p' | b's' => ParsedKind::Other,
        _ => return None,
    };
    // NetWare splits the permissions into a type letter and a bracketed set.
    let netware = perm.len() == 1;
    if !netware && perm.len() < 9 {
        return None;
    }
    let device = matches!(perm.first(), Some(b'b' | b'c'));
    let mut permissions = decode(perm);
    let base = if netware {
        permissions.push(' ');
        permissions.push_str(&decode(line.tok(1)?));
        1
    } else if is_digits(line.tok(1)?) {
        // The link count; some servers leave it out.
        1
    } else {
        0
    };

    // The number of owner/group columns varies; try the common layouts first.
    let layout = UnixLayout {
        kind,
        base,
        netware,
        device,
        expect_date,
    };
    // Wider owner columns are only accepted with a date, which anchors the size.
    let owner_counts: &[usize] = if expect_date {
        &[3, 2, 1, 0, 4, 5]
    } else {
        &[3, 2, 1, 0]
    };
    let mut entry = owner_counts
        .iter()
        .find_map(|&owners| layout.parse(line, now, owners))?;
    entry.permissions = Some(permissions);
    Some(entry)
}

struct UnixLayout {
    kind: ParsedKind,
    /// Index of the last token before the owner columns.
    base: usize,
    netware: bool,
    device: bool,
    expect_date: bool,
}

impl UnixLayout {
    fn parse(&self, line: &Line<'_>, now: NaiveDateTime, owners: usize) -> Option<ParsedEntry> {
        let mut idx = self.base;
        let mut owner_tokens = Vec::with_capacity(owners + 1);
        for _ in 0..owners {
            idx += 1;
            let token = line.tok(idx)?;
            if self.device && token.ends_with(b",") {
                // That is the major device number, not an owner.
                return None;
            }
            owner_tokens.push(token);
        }
        idx += 1;
        let size_token = line.tok(idx)?;
        let next_is_number = line.tok(idx + 1).is_some_and(is_digits);
        let size = if self.device && next_is_number && size_token.strip_suffix(b",").is_some_and(is_digits) {
            // "1, 3": major and minor device numbers instead of a size.
            idx += 1;
            None
        } else if let Some(size) = complex_size(size_token, None) {
            Some(size)
        } else if right_numeric(size_token) && !left_numeric(size_token) {
            // A long group name runs into the size: "longgroup123456".
            let digits = size_token.iter().rev().take_while(|b| b.is_ascii_digit()).count();
            let (group, number) = size_token.split_at_checked(size_token.len() - digits)?;
            owner_tokens.push(group);
            Some(parse_u64(number)?)
        } else {
            return None;
        };

        let (modified, name_start) = if self.expect_date {
            let (dt, start) = parse_unix_datetime(line, &mut idx, now)?;
            (Some(dt), start)
        } else {
            (None, NameStart::NextToken)
        };
        let raw = if name_start == NameStart::AfterOneSpace && !self.netware {
            line.after_one_sep(idx)?
        } else {
            line.rest(idx + 1)?
        };
        if !self.expect_date && name_has_date_columns(&Line::new(raw)) {
            // Without a date the whole rest is the name, so a malformed date would
            // otherwise end up in it ("Jam  4 00:03 zziplib").
            return None;
        }

        // `ls -F` marks directories, pipes and executables with a suffix.
        let mut name = match raw.split_last() {
            Some((b'/' | b'|' | b'*', rest)) if !rest.is_empty() => rest,
            _ => raw,
        };
        let mut target = None;
        if self.kind == ParsedKind::Link
            && let Some(arrow) = name.windows(4).position(|w| w == b" -> ")
        {
            target = name.get(arrow + 4..).map(<[u8]>::to_vec);
            name = name.get(..arrow)?;
        }
        if name.is_empty() {
            return None;
        }

        let mut entry = ParsedEntry::new(name, self.kind);
        entry.size = size;
        entry.modified = modified;
        entry.target = target;
        let (owner, group) = split_owner_group(&owner_tokens);
        entry.owner = owner;
        entry.group = group;
        Some(entry)
    }
}

/// Whether the text after the size starts with a month name or contains a date or a
/// time of day, i.e. it is a date this parser could not read rather than a name.
fn name_has_date_columns(name: &Line<'_>) -> bool {
    let looks_like_time = |t: &[u8]| {
        let mut parts = t.splitn(2, |&b| b == b':');
        matches!((parts.next(), parts.next()), (Some(h), Some(m)) if is_digits(h) && is_digits(m))
    };
    let is_month = |t: &[u8]| !is_digits(t) && month_from_name(t).is_some();
    let is_day = |t: &[u8]| t.len() <= 3 && leading_u32(t).is_some_and(|d| (1..=31).contains(&d));
    let tokens: Vec<&[u8]> = (0..name.count()).filter_map(|n| name.tok(n)).collect();
    tokens.first().is_some_and(|t| is_month(t))
        || tokens
            .iter()
            .any(|t| looks_like_time(t) || parse_short_date(t, false).is_some())
        || tokens.windows(2).any(|pair| match pair {
            [a, b] => (is_month(a) && is_day(b)) || (is_day(a) && is_month(b)),
            _ => false,
        })
}

/// Splits the owner/group columns: one token is the owner, two are owner and group,
/// four are read as two two-word names ("Domain Users"), and with three the group
/// takes the extra word.
fn split_owner_group(tokens: &[&[u8]]) -> (Option<String>, Option<String>) {
    let join = |parts: &[&[u8]]| -> Option<String> {
        let words: Vec<String> = parts.iter().filter(|p| !p.is_empty()).map(|p| decode(p)).collect();
        (!words.is_empty()).then(|| words.join(" "))
    };
    let owner_len = if tokens.len() == 4 { 2 } else { 1 };
    match tokens.split_at_checked(owner_len.min(tokens.len())) {
        Some((owner, group)) => (join(owner), join(group)),
        None => (None, None),
    }
}

/// DOS/IIS: `04-27-00  12:09PM       <DIR>          name` and
/// `2002-09-02  19:06                9,730 name`, also with `PM` as its own token.
fn parse_dos(line: &Line<'_>) -> Option<ParsedEntry> {
    let ymd = parse_short_date(line.tok(0)?, false)?;
    let time_token = line.tok(1)?;
    let mut clock = parse_clock(time_token)?;
    let mut idx = 2;
    if split_meridiem(time_token).1.is_none()
        && let Some(pm) = line.tok(2).and_then(meridiem)
    {
        clock = apply_meridiem(clock, pm);
        idx = 3;
    }
    let size_token = line.tok(idx)?;
    let (kind, size) = if size_token.eq_ignore_ascii_case(b"<DIR>") {
        (ParsedKind::Dir, None)
    } else if is_digits(size_token) || left_numeric(size_token) {
        // Thousands separators vary with the server's locale.
        let digits: Vec<u8> = size_token.iter().copied().filter(|&b| b != b',' && b != b'.').collect();
        (ParsedKind::File, Some(parse_u64(&digits)?))
    } else {
        return None;
    };
    let mut entry = ParsedEntry::new(line.rest(idx + 1)?, kind);
    entry.size = size;
    entry.modified = date_with_clock(ymd, Some(clock));
    Some(entry)
}

/// EPLF (`+i8388621.48594,m825718503,r,s280,up755\tname`), see cr.yp.to/ftp/list/eplf.html.
fn parse_eplf(line: &Line<'_>) -> Option<ParsedEntry> {
    let rest = line.rest(0)?;
    let after_plus = rest.strip_prefix(b"+")?;
    let tab = position(after_plus, b'\t')?;
    let (facts, name) = after_plus.split_at_checked(tab)?;
    let name = name.get(1..)?;
    if name.is_empty() {
        return None;
    }
    let mut entry = ParsedEntry::new(name, ParsedKind::File);
    for fact in facts.split(|&b| b == b',') {
        let Some((&kind, value)) = fact.split_first() else {
            continue;
        };
        match kind {
            b'/' => entry.kind = ParsedKind::Dir,
            b's' => entry.size = parse_u64(value),
            b'm' => {
                let secs = i64::try_from(parse_u64(value)?).ok()?;
                entry.modified = Some(DateTime::from_timestamp(secs, 0)?.naive_utc());
            }
            b'u' => {
                if let Some(mode) = value.strip_prefix(b"p") {
                    entry.permissions = non_empty(mode);
                }
            }
            _ => {}
        }
    }
    Some(entry)
}

/// VMS: `NAME.EXT;1  155/160  2-JUL-2003 10:30:13.64  [GROUP,OWNER]  (RWED,RWED,RE,)`,
/// including field orders with the owner or the date before the size. Sizes are in
/// 512-byte blocks. Directories lose their `.DIR;1` suffix, files keep the version.
fn parse_vms(line: &Line<'_>) -> Option<ParsedEntry> {
    let first = line.tok(0)?;
    let semi = position(first, b';')?;
    let (stem, version) = first.split_at_checked(semi)?;
    if !is_digits(version.get(1..)?) {
        return None;
    }
    let mut entry = match stem.strip_suffix(b".DIR").filter(|s| !s.is_empty()) {
        Some(dir) => {
            let mut name = dir.to_vec();
            if version != b";1" {
                name.extend_from_slice(version);
            }
            ParsedEntry::new(&name, ParsedKind::Dir)
        }
        None => ParsedEntry::new(first, ParsedKind::File),
    };

    let mut idx = 1;
    let mut token = line.tok(idx)?;
    let mut owner_group: Option<&[u8]> = None;
    if !is_digits(token) && !left_numeric(token) {
        // Some servers put the owner before the size.
        owner_group = Some(bracketed(token, b'[', b']')?);
        idx += 1;
        token = line.tok(idx)?;
        if !is_digits(token) && !left_numeric(token) {
            return None;
        }
    }

    // The current token is the size ("used/allocated") or the date.
    let slash = position(token, b'/');
    if slash == Some(0) {
        return None;
    }
    let single_slash = slash.is_some_and(|p| position(token.get(p + 1..).unwrap_or_default(), b'/').is_none());
    if is_digits(token) || single_slash {
        entry.size = Some(vms_size(token)?);
        idx += 1;
        token = line.tok(idx)?;
    } else if slash.is_none()
        && left_numeric(token)
        && let Some(size) = complex_size(token, Some(512))
    {
        entry.size = Some(size);
        idx += 1;
        token = line.tok(idx)?;
    }

    let ymd = parse_short_date(token, false)?;
    let mut clock = None;
    match line.tok(idx + 1) {
        None => {
            entry.modified = date_with_clock(ymd, None);
            return Some(entry);
        }
        Some(time) => match parse_clock(time) {
            Some(c) => {
                clock = Some(c);
                idx += 1;
            }
            None => {
                // Not a time, so it must be a well-formed owner, permission or
                // size column.
                let opens = |c: u8| time.first() == Some(&c);
                let closes = |c: u8| time.last() == Some(&c);
                if opens(b'[') != closes(b']') || opens(b'(') != closes(b')') {
                    return None;
                }
            }
        },
    }
    entry.modified = date_with_clock(ymd, clock);

    if entry.size.is_none() {
        idx += 1;
        let token = line.tok(idx)?;
        if !is_digits(token) && !left_numeric(token) {
            return None;
        }
        entry.size = Some(vms_size(token)?);
    }

    let mut permissions: Vec<String> = Vec::new();
    let mut owners: Vec<&[u8]> = owner_group.into_iter().collect();
    for n in idx + 1..line.count() {
        let token = line.tok(n)?;
        match bracketed(token, b'(', b')') {
            Some(perm) => permissions.push(decode(perm)),
            None => owners.push(bracketed(token, b'[', b']').unwrap_or(token)),
        }
    }
    if !permissions.is_empty() {
        entry.permissions = Some(permissions.join(" "));
    }
    // A UIC is "[group,member]".
    if let Some(uic) = owners.first() {
        match position(uic, b',') {
            Some(comma) => {
                entry.group = non_empty(uic.get(..comma)?);
                entry.owner = non_empty(uic.get(comma + 1..)?);
            }
            None => entry.owner = non_empty(uic),
        }
    }
    Some(entry)
}

/// The used-blocks part of a VMS size column, in bytes.
fn vms_size(token: &[u8]) -> Option<u64> {
    let used = match position(token, b'/') {
        Some(0) => return None,
        Some(p) => token.get(..p)?,
        None => token,
    };
    complex_size(used, Some(512))
}

/// The inside of `[...]` or `(...)`, at least one byte long.
fn bracketed(token: &[u8], open: u8, close: u8) -> Option<&[u8]> {
    let inner = token.strip_prefix(&[open])?.strip_suffix(&[close])?;
    (!inner.is_empty()).then_some(inner)
}

/// Lines starting with a number: numeric-mode Unix (`0100644 500 101 12345 123456789
/// name`), VShell (`206876  Apr 04, 2000 21:06 name`), OS/2 (`36611  A  04-23-103
/// 10:57  name`) and VxWorks (`2048  Feb-28-1998  05:23:30  name <DIR>`).
fn parse_other(line: &Line<'_>) -> Option<ParsedEntry> {
    let first = line.tok(0)?;
    if !is_digits(first) {
        return None;
    }
    let second = line.tok(1)?;
    if is_digits(second) {
        return parse_numeric_unix(line, first, second);
    }
    let size = parse_u64(first)?;
    if let Some(month) = month_from_name(second) {
        return parse_vshell(line, size, month);
    }

    // OS/2 or VxWorks: attribute columns ("A", "DIR") up to the date.
    let mut kind = ParsedKind::File;
    let mut idx = 1;
    let mut skipped = 0;
    let mut token = second;
    while find_any(token, b"-/.", 0).is_none() {
        if token == b"DIR" {
            kind = ParsedKind::Dir;
        }
        skipped += 1;
        idx += 1;
        token = line.tok(idx)?;
    }
    let ymd = parse_short_date(token, false)?;
    let clock = parse_clock(line.tok(idx + 1)?)?;
    let mut name = line.rest(idx + 2)?;
    if skipped == 0 && name.len() >= 5 {
        let (stem, suffix) = name.split_at_checked(name.len() - 5)?;
        if suffix.eq_ignore_ascii_case(b"<DIR>") {
            kind = ParsedKind::Dir;
            name = stem.trim_ascii_end();
        }
    }
    if name.is_empty() {
        return None;
    }
    let mut entry = ParsedEntry::new(name, kind);
    entry.size = Some(size);
    entry.modified = date_with_clock(ymd, Some(clock));
    Some(entry)
}

fn parse_numeric_unix(line: &Line<'_>, mode: &[u8], uid: &[u8]) -> Option<ParsedEntry> {
    let gid = line.tok(2)?;
    let size = parse_u64(line.tok(3)?)?;
    let secs = i64::try_from(parse_u64(line.tok(4)?)?).ok()?;
    let name = line.rest(5)?;
    let kind = match mode_octal(mode).map(|m| m & 0o170_000) {
        Some(0o040_000) => ParsedKind::Dir,
        Some(0o120_000) => ParsedKind::Link,
        Some(0o100_000) => ParsedKind::File,
        Some(_) => ParsedKind::Other,
        None if mode.get(1) == Some(&b'4') => ParsedKind::Dir,
        None => ParsedKind::File,
    };
    let mut entry = ParsedEntry::new(name, kind);
    entry.size = Some(size);
    entry.modified = DateTime::from_timestamp(secs, 0).map(|d| d.naive_utc());
    entry.permissions = Some(decode(mode));
    entry.owner = Some(decode(uid));
    entry.group = Some(decode(gid));
    Some(entry)
}

fn mode_octal(mode: &[u8]) -> Option<u32> {
    if mode.is_empty() || mode.len() > 7 {
        return None;
    }
    mode.iter().try_fold(0u32, |acc, &b| {
        (b'0'..=b'7').contains(&b).then(|| acc * 8 + u32::from(b - b'0'))
    })
}

fn parse_vshell(line: &Line<'_>, size: u64, month: u32) -> Option<ParsedEntry> {
    let day_token = line.tok(2)?;
    if !is_digits(day_token) && !left_numeric(day_token) {
        return None;
    }
    let day = leading_u32(day_token)?;
    let year = expand_year(parse_u32(line.tok(3)?)?)?;
    let clock = parse_clock(line.tok(4)?)?;
    let raw = line.rest(5)?;
    let (name, kind) = match raw.split_last() {
        Some((b'/' | b'\\', stem)) if !stem.is_empty() => (stem, ParsedKind::Dir),
        _ => (raw, ParsedKind::File),
    };
    let mut entry = ParsedEntry::new(name, kind);
    entry.size = Some(size);
    entry.modified = Some(make_datetime(year, month, day, Some(clock))?);
    Some(entry)
}

/// AS/400 (OS/400): `QSYS  77824 02/23/00 15:09:55 *DIR  name/`.
fn parse_as400(line: &Line<'_>) -> Option<ParsedEntry> {
    let owner = line.tok(0)?;
    let size = parse_u64(line.tok(1)?)?;
    let ymd = parse_short_date(line.tok(2)?, false)?;
    let clock = parse_clock(line.tok(3)?)?;
    let object_type = line.tok(4)?;
    let raw = line.rest(5)?;
    let mut kind = match object_type {
        b"*DIR" | b"*DDIR" | b"*LIB" | b"*FLR" => ParsedKind::Dir,
        _ => ParsedKind::File,
    };
    let name = match raw.strip_suffix(b"/") {
        Some(stem) => {
            kind = ParsedKind::Dir;
            stem
        }
        None => raw,
    };
    // Some servers list full paths; only the last segment names the entry.
    let name = name.rsplit(|&b| b == b'/').next()?;
    if name.is_empty() {
        return None;
    }
    let mut entry = ParsedEntry::new(name, kind);
    entry.size = Some(size);
    entry.modified = date_with_clock(ymd, Some(clock));
    entry.owner = non_empty(owner);
    Some(entry)
}

/// Nortel WFFTP: `name  1014196  06/03/04  Thur.   10:20:03`.
fn parse_wfftp(line: &Line<'_>) -> Option<ParsedEntry> {
    let name = line.tok(0)?;
    let size = parse_u64(line.tok(1)?)?;
    let ymd = parse_short_date(line.tok(2)?, false)?;
    if !line.tok(3)?.ends_with(b".") || line.count() != 5 {
        return None;
    }
    let clock = parse_clock(line.tok(4)?)?;
    let mut entry = ParsedEntry::new(name, ParsedKind::File);
    entry.size = Some(size);
    entry.modified = date_with_clock(ymd, Some(clock));
    Some(entry)
}

/// MVS dataset list: `Volume Unit Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname`.
/// Partitioned datasets (`PO`, `PO-E`) are directories. No byte size is known.
fn parse_mvs_dataset(line: &Line<'_>) -> Option<ParsedEntry> {
    line.tok(1)?;
    let referred = line.tok(2)?;
    let date = if referred == b"**NONE**" {
        None
    } else if let Some(ymd) = parse_short_date(referred, false) {
        Some(ymd)
    } else {
        // "TSO004 3390 VSAM FOO.BAR"
        if referred != b"VSAM" {
            return None;
        }
        return Some(ParsedEntry::new(line.tok(3)?, ParsedKind::File));
    };
    let ext = line.tok(3)?;
    if !is_digits(ext) {
        return None;
    }
    let used = line.tok(4)?;
    let mut idx = 5;
    if is_digits(used) || used == b"????" || used == b"++++" {
        // The record format follows the used-tracks column.
        if is_digits(line.tok(5)?) {
            return None;
        }
        idx = 6;
    } else if ext.len() < 6 {
        // A wide extent count swallowed the used column; "used" is the record format.
        return None;
    }
    if !is_digits(line.tok(idx)?) || !is_digits(line.tok(idx + 1)?) {
        return None;
    }
    let dsorg = line.tok(idx + 2)?;
    let kind = if dsorg == b"PO" || dsorg == b"PO-E" {
        ParsedKind::Dir
    } else {
        ParsedKind::File
    };
    let mut entry = ParsedEntry::new(line.rest(idx + 3)?, kind);
    entry.modified = date.and_then(|ymd| date_with_clock(ymd, None));
    Some(entry)
}

/// MVS PDS member: `NAME  VV.MM  created  changed  hh:mm  size  init  mod  id`.
fn parse_mvs_pds_member(line: &Line<'_>) -> Option<ParsedEntry> {
    let name = line.tok(0)?;
    line.tok(1)?;
    parse_short_date(line.tok(2)?, false)?;
    let changed = parse_short_date(line.tok(3)?, false)?;
    let clock = parse_clock(line.tok(4)?)?;
    if !(5..8).all(|n| line.tok(n).is_some_and(is_digits)) {
        return None;
    }
    line.tok(8)?;
    let mut entry = ParsedEntry::new(name, ParsedKind::File);
    entry.modified = date_with_clock(changed, Some(clock));
    Some(entry)
}

/// Formats so loose (a bare name, a name after a keyword) that they are only tried
/// when the server said it is MVS.
fn parse_mvs_only(line: &Line<'_>) -> Option<ParsedEntry> {
    parse_mvs_migrated(line)
        .or_else(|| parse_mvs_pds_bare(line))
        .or_else(|| parse_mvs_tape(line))
}

/// MVS migrated dataset: `Migrated  SOME.NAME` (MVS servers only).
fn parse_mvs_migrated(line: &Line<'_>) -> Option<ParsedEntry> {
    if !line.tok(0)?.eq_ignore_ascii_case(b"migrated") || line.count() != 2 {
        return None;
    }
    Some(ParsedEntry::new(line.tok(1)?, ParsedKind::File))
}

/// MVS PDS member as a bare name, or in the load-module layout
/// `NAME  00B308 000411  00 FO  31  ANY` (MVS servers only).
fn parse_mvs_pds_bare(line: &Line<'_>) -> Option<ParsedEntry> {
    let entry = ParsedEntry::new(line.tok(0)?, ParsedKind::File);
    let count = line.count();
    if count == 1 {
        return Some(entry);
    }
    let is_hex = |t: &[u8]| !t.is_empty() && t.iter().all(u8::is_ascii_hexdigit);
    let number_or_any = |t: &[u8]| is_digits(t) || t == b"ANY";
    if !is_hex(line.tok(1)?) || !is_hex(line.tok(2)?) || !is_digits(line.tok(3)?) {
        return None;
    }
    // At least two trailing columns (numbers or ANY), preceded by upper-case words.
    if count < 6 || !number_or_any(line.tok(count - 1)?) || !number_or_any(line.tok(count - 2)?) {
        return None;
    }
    let words_ok = (4..count - 2).all(|n| line.tok(n).is_some_and(|t| t.iter().all(u8::is_ascii_uppercase)));
    words_ok.then_some(entry)
}

/// MVS tape dataset: `V43525 Tape  NAME` (MVS servers only).
fn parse_mvs_tape(line: &Line<'_>) -> Option<ParsedEntry> {
    if !line.tok(1)?.eq_ignore_ascii_case(b"tape") || line.count() != 3 {
        return None;
    }
    Some(ParsedEntry::new(line.tok(2)?, ParsedKind::File))
}

/// OS-9: `owner.group  yy/mm/dd  hhmm  permissions  sector  size  name`.
fn parse_os9(line: &Line<'_>) -> Option<ParsedEntry> {
    let owner = line.tok(0)?;
    let dot = position(owner, b'.')?;
    let (user, group) = owner.split_at_checked(dot)?;
    let group = group.get(1..)?;
    if !is_digits(user) || !is_digits(group) {
        return None;
    }
    let ymd = parse_short_date(line.tok(1)?, true)?;
    line.tok(2)?;
    let perm = line.tok(3)?;
    line.tok(4)?;
    let size = parse_u64(line.tok(5)?)?;
    let kind = if perm.first() == Some(&b'd') {
        ParsedKind::Dir
    } else {
        ParsedKind::File
    };
    let mut entry = ParsedEntry::new(line.rest(6)?, kind);
    entry.size = Some(size);
    entry.modified = date_with_clock(ymd, None);
    entry.permissions = non_empty(perm);
    entry.owner = non_empty(user);
    entry.group = non_empty(group);
    Some(entry)
}

/// z/VM: `NAME  TYPE  V|F  lrecl  records  blocks  yyyy-mm-dd hh:mm:ss  owner`.
/// The entry is addressed as `NAME.TYPE`; its size is estimated as lrecl × records.
fn parse_zvm(line: &Line<'_>) -> Option<ParsedEntry> {
    if line.count() != 9 {
        return None;
    }
    let format = line.tok(2)?;
    if format != b"V" && format != b"F" {
        return None;
    }
    let lrecl = parse_u64(line.tok(3)?)?;
    let records = parse_u64(line.tok(4)?)?;
    parse_u64(line.tok(5)?)?;
    let ymd = parse_short_date(line.tok(6)?, true)?;
    let clock = parse_clock(line.tok(7)?)?;
    let mut name = line.tok(0)?.to_vec();
    name.push(b'.');
    name.extend_from_slice(line.tok(1)?);
    let mut entry = ParsedEntry::new(&name, ParsedKind::File);
    entry.size = lrecl.checked_mul(records);
    entry.modified = date_with_clock(ymd, Some(clock));
    entry.owner = non_empty(line.tok(8)?);
    Some(entry)
}

/// HP NonStop: `NAME  code  size  6-Apr-07 14:21:18  255, 0  "oooo"`.
fn parse_hp_nonstop(line: &Line<'_>) -> Option<ParsedEntry> {
    let name = line.tok(0)?;
    parse_u64(line.tok(1)?)?;
    let size = parse_u64(line.tok(2)?)?;
    let ymd = parse_short_date(line.tok(3)?, false)?;
    let clock = parse_clock(line.tok(4)?)?;
    let owner = line.tok(5)?;
    let mut idx = 6;
    let mut group = None;
    if let Some(user) = owner.strip_suffix(b",") {
        group = Some((user, line.tok(6)?));
        idx = 7;
    }
    let perm = line.tok(idx)?;
    if line.count() != idx + 1 {
        return None;
    }
    let mut entry = ParsedEntry::new(name, ParsedKind::File);
    entry.size = Some(size);
    entry.modified = date_with_clock(ymd, Some(clock));
    entry.permissions = non_empty(perm);
    match group {
        Some((user, group)) => {
            entry.owner = non_empty(user);
            entry.group = non_empty(group);
        }
        None => entry.owner = non_empty(owner),
    }
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries_of(data: &[u8], mlsd: bool, ctx: &ListingContext) -> Vec<ParsedEntry> {
        parse_listing(data, mlsd, ctx).0
    }
    use ParsedKind::{Dir, File, Link, Other};

    fn ctx(server_type: ServerType) -> ListingContext {
        let now = NaiveDate::from_ymd_opt(2024, 6, 15)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap_or_default();
        ListingContext { now, server_type }
    }

    fn one(line: &[u8], server_type: ServerType) -> ParsedEntry {
        let mut data = line.to_vec();
        data.extend_from_slice(b"\r\n");
        let entries = entries_of(&data, false, &ctx(server_type));
        assert_eq!(entries.len(), 1, "{:?} gave {entries:?}", String::from_utf8_lossy(line));
        entries.into_iter().next().unwrap_or_else(|| unreachable!())
    }

    #[track_caller]
    fn check_as(server_type: ServerType, line: &str, name: &str, kind: ParsedKind, size: Option<u64>) {
        let entry = one(line.as_bytes(), server_type);
        assert_eq!(String::from_utf8_lossy(&entry.name), name, "name of {line:?}");
        assert_eq!(entry.kind, kind, "kind of {line:?}");
        assert_eq!(entry.size, size, "size of {line:?}");
    }

    #[track_caller]
    fn check(line: &str, name: &str, kind: ParsedKind, size: Option<u64>) {
        check_as(ServerType::Unix, line, name, kind, size);
    }

    #[track_caller]
    fn check_target(line: &str, name: &str, target: &str) {
        let entry = one(line.as_bytes(), ServerType::Unix);
        assert_eq!(entry.name, name.as_bytes(), "name of {line:?}");
        assert_eq!(entry.kind, Link, "kind of {line:?}");
        assert_eq!(entry.target.as_deref(), Some(target.as_bytes()), "target of {line:?}");
    }

    fn date(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(y, m, d)?.and_hms_opt(h, min, 0)
    }

    #[test]
    #[rustfmt::skip]
    fn unix_lines() {
        check("drwxr-xr-x   3 ftp      ftp          4096 May 12  2011 photos", "photos", Dir, Some(4096));
        check("-rw-r--r--   1 ftp      ftp         10240 Feb  3 09:41 notes.txt", "notes.txt", File, Some(10240));
        check("-rw-r--r--   1 alice           731 Jun  9  1999 no group here", "no group here", File, Some(731));
        check("-rw-r--r--   1 bob      staff     77 10-31 2001 iso-ish date", "iso-ish date", File, Some(77));
        check("-rw-r--r--   1 bob      staff     77 2019-12-24 18:00 long-iso", "long-iso", File, Some(77));
        check("-rw-r--r-- 1 0 0 77 2019-12-24 18:00:59 with seconds", "with seconds", File, Some(77));
        check("-rw-r--r--   1 bob      staff  12.5k Mar 3 10:00 kilo", "kilo", File, Some(12800));
        check("-rw-r--r--   1 bob      staff    5 2011.01.02   dotted", "dotted", File, Some(5));
        check("-rw-r--r--   1 bob      staff    5 7. Mai, 10:10 german", "german", File, Some(5));
        check("-rw-r--r--   1 bob      staff    5 03 feb 2010 swapped", "swapped", File, Some(5));
        check("-rw-r--r--   1 bob      staff    5 1月 9日 2015年 ファイル.txt", "ファイル.txt", File, Some(5));
        check("-rw-r--r--   1 Jim Domain Admins 42 Nov 1 11:11 spaced owner", "spaced owner", File, Some(42));
        check("-rw-r--r--   1 u grp my team 5000000000 Mar 2 15:13 big", "big", File, Some(5_000_000_000));
        check("-r--r--r-- owner thegroup987654 Jan 12 17:20 glued", "glued", File, Some(987_654));
        check("-rw-r--r--+  2 u g 9 Jul  1 01:02   two leading", "  two leading", File, Some(9));
        check("-rw-r--r--   1 u g 9 Jul  1  2001  lead and trail  ", " lead and trail  ", File, Some(9));
        check("   drwx------+ 2 u g 64 Jul  1 01:02 indented", "indented", Dir, Some(64));
        check("crw-rw-rw-   1 root     sys       13,  2 Apr 11  2008 null", "null", Other, None);
        check("-C--E-----FTP B ACME01       1234  99887 Aug  3 08:00 CONENT", "CONENT", File, Some(99887));
        check("drwxr-xr-x 3 user group 512 dateless", "dateless", Dir, Some(512));
        check("-rw-------  1 9 9 4 May   4 24:00 midnight", "midnight", File, Some(4));
        check("-rw-r--r-- 1 u g 18446744073709551615 Nov 16  2006 huge", "huge", File, Some(u64::MAX));
    }

    #[test]
    #[rustfmt::skip]
    fn unix_links_and_other_unix_dialects() {
        check_target("lrwxrwxrwx   1 root  root  11 Jan  5 10:00 current -> releases/42", "current", "releases/42");
        check_target("lrwxrwxrwx 1 0 0 9 Mar 2 2018 abs -> /srv/data", "abs", "/srv/data");
        check("d [RWCEAFMS] admin              512       Mar 30 10:00    net dir", "net dir", Dir, Some(512));
        check("- [R----F--] guest            9000  Oct 20 15:27 net file", "net file", File, Some(9000));
        check("-rw-r--r--        0    1200     3400 Nov 16  2006 mac file", "mac file", File, Some(3400));
        check("drwxrwxr-x               folder        3 May 10  1996 mac folder", "mac folder", Dir, Some(3));
        check("0100644   0  0   321    946684800       numeric mode", "numeric mode", File, Some(321));
        check("040755   0  0   0    946684800       numeric dir", "numeric dir", Dir, Some(0));
    }

    #[test]
    #[rustfmt::skip]
    fn dos_and_number_first_formats() {
        check("01-16-02  11:14AM       <DIR>          epsgroup", "epsgroup", Dir, None);
        check("11-02-21  03:47PM                 1,024 report q3.pdf", "report q3.pdf", File, Some(1024));
        check("2021-11-02  18:48                  77 twentyfour", "twentyfour", File, Some(77));
        check("11-02-2021  07:50PM                  718 four digit year", "four digit year", File, Some(718));
        check("04-08-14  10:30 AM       <DIR> split meridiem", "split meridiem", Dir, None);
        check("300  Jan 02, 2001 21:06 vshell file", "vshell file", File, Some(300));
        check("0  Feb 12, 2002 02:13 vshell dir/", "vshell dir", Dir, Some(0));
        check(" 512      A    07-14-99   12:37  OS2FILE.TXT", "OS2FILE.TXT", File, Some(512));
        check("    0 DIR       02-11-103  16:15  os2 dir", "os2 dir", Dir, Some(0));
        check("1024    Mar-01-1999  05:23:30   vx dir <DIR>", "vx dir", Dir, Some(1024));
        check("+i1.2,m1000000000,r,s99,up644\teplf file", "eplf file", File, Some(99));
        check("+i1.3,m1000000000,/,\teplf dir", "eplf dir", Dir, None);
        check("data.dat       2048  07/04/05  Mon.   10:20:03", "data.dat", File, Some(2048));
        check("10.20 09/01/30 1026 d-ewrewr 2650 4096 os9 dir", "os9 dir", Dir, Some(4096));
    }

    #[test]
    #[rustfmt::skip]
    fn vms_as400_mvs_and_friends() {
        check("SUBDIR.DIR;1  1 19-NOV-2001 21:41 [root,root] (RWE,RWE,RE,RE)", "SUBDIR", Dir, Some(512));
        check("LOGIN.COM;3       3   2-JUL-2003 10:30:13.64", "LOGIN.COM;3", File, Some(1536));
        check("A.TXT;1    2/8    7-JAN-2000    [USER]   (RWED,RWED,RE,)", "A.TXT;1", File, Some(1024));
        check("B.TXT;2   [SYS]    4/6     2-AUG-2006 13:05  (RWE,RWE,RE,)", "B.TXT;2", File, Some(2048));
        check("C.TXT;1       17-JUN-1994 17:25:37     10/13     (RWED,RWED,R,)", "C.TXT;1", File, Some(5120));
        check("D.LOG;1 3KB 23-SEP-2005 14:57:07.27", "D.LOG;1", File, Some(3072));
        check("QSYS            12288 02/23/00 15:09:55 *DIR qdir/", "qdir", Dir, Some(12288));
        check("QPGMR           36864 18.09.06 14:21:26 *FILE      Q.FILE", "Q.FILE", File, Some(36864));
        check("OWN 9 05/20/15 15:36:52 *STMF /A/B/REPORT.PDF", "REPORT.PDF", File, Some(9));
        check("VOL001 3390   2010/01/02  1   15  FB      80  8000  PS  USER.SEQ", "USER.SEQ", File, None);
        check("VOL001 3390   2010/01/02  1    3  FB      80  8000  PO  USER.PDS", "USER.PDS", Dir, None);
        check("VOL002 3390   VSAM USER.VSAM", "USER.VSAM", File, None);
        check("MEMBER1   01.03 2002/09/12 2002/10/11 09:37    11    11     0 USERID", "MEMBER1", File, None);
        check_as(ServerType::Mvs, "MEMBER2", "MEMBER2", File, None);
        check_as(ServerType::Mvs, "Migrated\t\t\tUSER.OLD", "USER.OLD", File, None);
        check_as(ServerType::Mvs, "LOADMOD 00B308 000411  00 FO                31    ANY", "LOADMOD", File, None);
        check_as(ServerType::Zvm, "PROFILE EXEC V 10 20 1 2005-10-04 15:28:42 OWNER1", "PROFILE.EXEC", File, Some(200));
        check_as(ServerType::HpNonStop, "FILE1 101 528 6-Apr-07 14:21:18 255, 0 \"oooo\"", "FILE1", File, Some(528));
    }

    #[test]
    fn mlsd_lines() {
        let mlsd = |line: &[u8]| parse_mlsd_line(line);
        let e = mlsd(b"type=file;size=12;modify=20200101120000; a file");
        assert_eq!(
            e.as_ref().map(|e| (e.name.as_slice(), e.kind, e.size)),
            Some((&b"a file"[..], File, Some(12)))
        );
        assert_eq!(e.and_then(|e| e.modified), date(2020, 1, 1, 12, 0));
        let e = mlsd(b"Type=DIR;Modify=20200101120000.123;UNIX.mode=0755; dir");
        assert_eq!(e.as_ref().map(|e| (e.kind, e.size)), Some((Dir, None)));
        assert_eq!(e.and_then(|e| e.permissions).as_deref(), Some("0755"));
        assert_eq!(mlsd(b"type=file;  name").map(|e| e.name), Some(b" name".to_vec()));
        assert_eq!(mlsd(b"type=file; na;me").map(|e| e.name), Some(b"na;me".to_vec()));
        assert_eq!(
            mlsd(b"type=file;\tafter tab").map(|e| e.name),
            Some(b"after tab".to_vec())
        );
        assert_eq!(
            mlsd(b"type=file no semicolon").map(|e| e.name),
            Some(b"no semicolon".to_vec())
        );
        assert_eq!(mlsd(b"sizd=4096;type=dir; d").and_then(|e| e.size), Some(4096));
        let link = mlsd(b"type=OS.unix=slink:/real/place; ln");
        assert_eq!(link.as_ref().map(|e| e.kind), Some(Link));
        assert_eq!(link.and_then(|e| e.target), Some(b"/real/place".to_vec()));
        let owners = mlsd(b"UNIX.ownername=me;UNIX.owner=11;UNIX.gid=22; f");
        assert_eq!(
            owners.map(|e| (e.owner, e.group)),
            Some((Some("me".into()), Some("22".into())))
        );
        assert_eq!(mlsd(b"type=file;size=12x; bad size"), None);
        assert_eq!(mlsd(b"no-facts-and-no-space"), None);
        // MLSD lines inside LIST output are recognised as such.
        check("type=file;size=3; in list", "in list", File, Some(3));
    }

    #[test]
    fn listing_filters_and_splitting() {
        let c = ctx(ServerType::Unix);
        let listing = b"total 12\r\n\r\n   \r\ndrwxr-xr-x 2 u g 4096 Jan  1 10:00 .\r\n\
            drwxr-xr-x 2 u g 4096 Jan  1 10:00 ..\r\n-rw-r--r-- 1 u g 5 Jan  1 10:00 kept\r\n\
            complete garbage line\r\n";
        let names: Vec<Vec<u8>> = entries_of(listing, false, &c).into_iter().map(|e| e.name).collect();
        assert_eq!(names, vec![b"kept".to_vec()]);

        let mlsd = b"type=cdir; /home/u\r\ntype=pdir; ..\r\ntype=file; f\r\ntype=file; ../../x\r\n";
        let names: Vec<Vec<u8>> = entries_of(mlsd, true, &c).into_iter().map(|e| e.name).collect();
        // `../../x` stays for the listing screen, which refuses it and reports it.
        assert_eq!(names, vec![b"f".to_vec(), b"../../x".to_vec()]);

        // 0x85 is NEL in Latin-1 but part of Shift-JIS names; only LF ends a line.
        let sjis = b"07-17-13  02:17PM                    3 x\x81\x85y\r\n07-17-13  02:17PM       4 \x90\x85\r\n";
        let entries = entries_of(sjis, false, &c);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries.first().map(|e| e.name.clone()), Some(b"x\x81\x85y".to_vec()));

        // Non-UTF-8 bytes in a name are kept as they are.
        let latin1 = b"-rw-r--r-- 1 u g 5 Jan  1 10:00 caf\xe9\n";
        assert_eq!(
            entries_of(latin1, false, &c).first().map(|e| e.name.clone()),
            Some(b"caf\xe9".to_vec())
        );

        // A VMS name too long for its column continues on the next line.
        let folded =
            b"A-VERY-LONG-FILE-NAME.TXT;1\r\n      170774/170775  24-APR-2003 08:16:15  [X,Y]  (RWED,RWED,RE,)\r\n";
        let entries = entries_of(folded, false, &c);
        assert_eq!(entries.len(), 1);
        assert_eq!(
            entries.first().map(|e| (e.name.clone(), e.size)),
            Some((b"A-VERY-LONG-FILE-NAME.TXT;1".to_vec(), Some(87_436_288)))
        );

        for rejected in [
            &b"total 1"[..],
            b"",
            b"000000000x ",
            b"Zrwxrwxrwx   1 root  other  7 Jan 25 00:17 bin -> usr/bin",
        ] {
            assert_eq!(parse_list_line(rejected, &c), None, "{rejected:?}");
            assert!(entries_of(rejected, false, &c).is_empty(), "{rejected:?}");
        }
    }

    #[test]
    fn year_inference() {
        let c = ctx(ServerType::Unix);
        let modified = |line: &[u8]| parse_list_line(line, &c).and_then(|e| e.modified);
        // now is 2024-06-15 12:00; a date up to a day ahead stays in this year.
        assert_eq!(modified(b"-rw-r--r-- 1 u g 1 Jun 16 08:00 f"), date(2024, 6, 16, 8, 0));
        assert_eq!(modified(b"-rw-r--r-- 1 u g 1 Jun 18 08:00 f"), date(2023, 6, 18, 8, 0));
        assert_eq!(modified(b"-rw-r--r-- 1 u g 1 Feb 29 08:00 f"), date(2024, 2, 29, 8, 0));
        assert_eq!(modified(b"-rw-r--r-- 1 u g 1 Apr  4 24:00 f"), date(2024, 4, 5, 0, 0));
        assert_eq!(modified(b"01-16-02  12:14AM  <DIR>  d"), date(2002, 1, 16, 0, 14));
    }

    #[test]
    fn syst_replies() {
        assert_eq!(ServerType::from_syst("UNIX Type: L8"), ServerType::Unix);
        assert_eq!(
            ServerType::from_syst("215 MVS is the operating system of this server. FTP Server is running on z/OS."),
            ServerType::Mvs
        );
        assert_eq!(
            ServerType::from_syst("z/VM is the operating system of this server."),
            ServerType::Zvm
        );
        assert_eq!(ServerType::from_syst("NONSTOP Kernel"), ServerType::HpNonStop);
        assert_eq!(ServerType::from_syst("Windows_NT"), ServerType::Windows);
        assert_eq!(ServerType::from_syst("VMS OpenVMS V8.4"), ServerType::Vms);
        assert_eq!(ServerType::from_syst("Plan 9"), ServerType::Unknown);
    }

    #[test]
    fn random_insertions_never_panic() {
        let samples: &[&[u8]] = &[
            b"drwxr-xr-x   2 root     other        512 Apr  8  1994 dir name",
            b"lrwxrwxrwx   1 root     other          7 Jan 25 00:17 l -> usr/bin",
            b"-rw-r--r--   1 root     other  33.5k 26. Juli, 20:10 x",
            b"04-27-00  12:09PM       <DIR>          d",
            b"type=OS.unix=slink:/foo;size=1;modify=20200101; n",
            b"+i8388621.48594,m825718503,r,s280,up755\tf",
            b"NAME.DIR;1  1 19-NOV-2001 21:41 [root,root] (RWE,RWE,RE,RE)",
            b"X.Y;1\r\n170774/170775     24-APR-2003 08:16:15  [A,B]  (RWED,RWED,RE,)",
            b"QSYS            77824 02/23/00 15:09:55 *DIR d/",
            b"WYOSPT 3420   2003/05/21  1 ????  FB      80  8053  PS  M.FILE",
            b"N 00B308 000411  00 FO        RU      ANY    24",
            b"Z  T   V        65      107        2 2005-10-04 15:28:42 060191",
            b"H 101 528 6-Apr-07 14:21:18 255, 0 \"oooo\"",
            b"2048    Feb-28-1998  05:23:30   v <DIR>",
            b"-rw-r--r-- 1 u g 4096 3\xe6\x9c\x88 2\xe6\x97\xa5 15:13 z",
        ];
        let inserts = [b'\r', b'\n', b' ', b'\t', 0];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(state >> 33).unwrap_or(0)
        };
        for server_type in [
            ServerType::Unix,
            ServerType::Mvs,
            ServerType::Zvm,
            ServerType::HpNonStop,
            ServerType::Vms,
        ] {
            let c = ctx(server_type);
            for sample in samples {
                for pos in 0..=sample.len() {
                    let mut data = sample.get(..pos).unwrap_or_default().to_vec();
                    for _ in 0..=next() % 5 {
                        data.push(inserts.get(next() % inserts.len()).copied().unwrap_or(b' '));
                    }
                    data.extend_from_slice(sample.get(pos..).unwrap_or_default());
                    data.extend_from_slice(b"\r\n");
                    let _ = entries_of(&data, false, &c);
                    let _ = entries_of(&data, true, &c);
                    let _ = parse_list_line(&data, &c);
                    let _ = parse_mlsd_line(&data);
                }
            }
        }
    }
}
