//! A `PROPFIND` reply (`207 Multi-Status`, RFC 4918 14.16) read into entries, the way the
//! servers people run write it: elements matched by the `DAV:` namespace whatever their
//! prefix (Apache writes `D:`, IIS `a:`, Nextcloud `d:`), hrefs absolute or relative and
//! percent-encoded, only properties under a `200` propstat believed, members whose own
//! status is not `200` dropped. roxmltree reads no DTD's entities and no external files.

use chrono::{DateTime, Utc};
use percent_encoding::percent_decode;
use roxmltree::{Document, Node};

use crate::model::{Entry, EntryKind, decode_name};

const DAV: &str = "DAV:";

/// One member of a multistatus reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The href, percent-decoded, without scheme, host or trailing `/`.
    pub path: String,
    pub entry: Entry,
    /// The strong ETag (quoted), for `If-Range`.
    pub etag: Option<String>,
}

/// What went wrong reading a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

/// Reads every member of `xml`, at most `limit` of them.
pub fn parse(xml: &str, limit: usize) -> Result<Vec<Member>, Unreadable> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let document = Document::parse_with_options(xml, options)
        .map_err(|error| Unreadable(format!("the folder listing is not XML Wharf can read ({error})")))?;
    let root = document.root_element();
    if !is_dav(root, "multistatus") {
        return Err(Unreadable(format!(
            "the reply is a <{}>, not a WebDAV multistatus",
            root.tag_name().name()
        )));
    }
    let mut members = Vec::new();
    for response in root.children().filter(|node| is_dav(*node, "response")) {
        if members.len() == limit {
            return Err(Unreadable(format!("the folder has more than {limit} entries")));
        }
        if let Some(member) = member(response) {
            members.push(member);
        }
    }
    Ok(members)
}

fn member(response: Node) -> Option<Member> {
    let href = child(response, "href")?.text()?.trim();
    if child(response, "status").is_some_and(|status| !is_ok(status)) {
        return None;
    }
    let path = href_path(href);
    let mut entry = Entry::new(href_name(href), EntryKind::File);
    let mut etag = None;
    let found = response
        .children()
        .filter(|node| is_dav(*node, "propstat"))
        .filter(|propstat| child(*propstat, "status").is_some_and(is_ok))
        .filter_map(|propstat| child(propstat, "prop"));
    for prop in found {
        for property in prop.children().filter(Node::is_element) {
            if property.tag_name().namespace() != Some(DAV) {
                continue;
            }
            let text = property.text().map(str::trim).unwrap_or_default();
            match property.tag_name().name() {
                "resourcetype" if child(property, "collection").is_some() => entry.kind = EntryKind::Dir,
                "getcontentlength" => entry.size = text.parse().ok(),
                "getlastmodified" => entry.modified = http_date(text),
                "getetag" => etag = strong_etag(text),
                _ => {}
            }
        }
    }
    // A folder's href ends with `/` (RFC 4918 8.3), whatever its properties say: a server
    // that leaves out `resourcetype` does not make a folder look like a file to delete.
    if without_origin(href).ends_with('/') {
        entry.kind = EntryKind::Dir;
    }
    if entry.kind == EntryKind::Dir {
        entry.size = None;
    }
    Some(Member { path, entry, etag })
}

fn is_dav(node: Node, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(DAV)
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|candidate| is_dav(*candidate, name))
}

/// `HTTP/1.1 200 OK`.
fn is_ok(status: Node) -> bool {
    status
        .text()
        .and_then(|text| text.split_whitespace().nth(1))
        .is_some_and(|code| code == "200")
}

/// The path of an href, still encoded: `https://host/a%20b/` gives `/a%20b/`.
fn without_origin(href: &str) -> &str {
    match href.find("://") {
        Some(scheme_end) => {
            let rest = &href[scheme_end + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        }
        None => href,
    }
}

/// Percent-decoded; bytes that are not UTF-8 are read as Latin-1, as listing names are
/// elsewhere.
fn decode(text: &str) -> String {
    let bytes: Vec<u8> = percent_decode(text.as_bytes()).collect();
    decode_name(&bytes)
}

/// The member's name: its last segment, decoded after the split, so that an encoded `/`
/// stays in the name, where the listing's gate refuses it for all to see.
fn href_name(href: &str) -> String {
    let path = without_origin(href).trim_end_matches('/');
    decode(path.rsplit('/').next().unwrap_or_default())
}

/// `https://host/a%20b/` and `/a%20b` alike give `/a b`.
pub fn href_path(href: &str) -> String {
    let text = decode(without_origin(href));
    let trimmed = text.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn http_date(text: &str) -> Option<DateTime<Utc>> {
    httpdate::parse_http_date(text).ok().map(DateTime::<Utc>::from)
}

/// A strong ETag as `If-Range` needs it: quoted (WsgiDAV lists it bare), never a weak one.
fn strong_etag(text: &str) -> Option<String> {
    if text.is_empty() || text.starts_with("W/") {
        None
    } else if text.starts_with('"') {
        Some(text.to_owned())
    } else {
        Some(format!("\"{text}\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APACHE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>/dav/dir%20one/</D:href>
<D:propstat><D:prop><lp1:resourcetype><D:collection/></lp1:resourcetype>
<lp1:getlastmodified>Tue, 01 Dec 2026 10:00:00 GMT</lp1:getlastmodified></D:prop>
<D:status>HTTP/1.1 200 OK</D:status></D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:">
<D:href>/dav/dir%20one/gr%C3%BC%C3%9Fe.bin</D:href>
<D:propstat><D:prop><lp1:resourcetype/><lp1:getcontentlength>3145745</lp1:getcontentlength>
<lp1:getlastmodified>Tue, 01 Dec 2026 10:00:07 GMT</lp1:getlastmodified>
<lp1:getetag>"300011-5ee2b1c4e3a40"</lp1:getetag></D:prop>
<D:status>HTTP/1.1 200 OK</D:status></D:propstat>
<D:propstat><D:prop><D:quota-used-bytes/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
</D:response>
</D:multistatus>"#;

    #[test]
    fn apache_listing() {
        let members = parse(APACHE, 100).unwrap();
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].path, "/dav/dir one");
        assert_eq!(members[0].entry.kind, EntryKind::Dir);
        let file = &members[1];
        assert_eq!(file.entry.name, "grüße.bin");
        assert_eq!((file.entry.kind, file.entry.size), (EntryKind::File, Some(3_145_745)));
        assert_eq!(file.entry.modified.unwrap().to_rfc3339(), "2026-12-01T10:00:07+00:00");
        assert_eq!(file.etag.as_deref(), Some("\"300011-5ee2b1c4e3a40\""));
    }

    #[test]
    fn other_prefixes_absolute_hrefs_and_refused_members() {
        let xml = r#"<a:multistatus xmlns:a="DAV:" xmlns:oc="http://owncloud.org/ns">
<a:response><a:href>https://cloud.example/remote.php/dav/files/u/Notes/</a:href>
<a:propstat><a:status>HTTP/1.1 200 OK</a:status><a:prop><a:resourcetype><a:collection/></a:resourcetype>
<oc:size>12</oc:size></a:prop></a:propstat></a:response>
<a:response><a:href>https://cloud.example/remote.php/dav/files/u/Notes/a.md</a:href>
<a:propstat><a:status>HTTP/1.1 200 OK</a:status><a:prop><a:getcontentlength>12</a:getcontentlength>
<a:getetag>4f1c</a:getetag></a:prop></a:propstat></a:response>
<a:response><a:href>/remote.php/dav/files/u/Notes/gone.md</a:href><a:status>HTTP/1.1 404 Not Found</a:status></a:response>
<a:response><a:href>/remote.php/dav/files/u/Notes/weak</a:href>
<a:propstat><a:status>HTTP/1.1 200 OK</a:status><a:prop><a:getetag>W/"x"</a:getetag></a:prop></a:propstat></a:response>
</a:multistatus>"#;
        let members = parse(xml, 100).unwrap();
        let paths: Vec<&str> = members.iter().map(|member| member.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/remote.php/dav/files/u/Notes",
                "/remote.php/dav/files/u/Notes/a.md",
                "/remote.php/dav/files/u/Notes/weak"
            ]
        );
        assert_eq!(members[0].entry.size, None, "a folder's size is not a file size");
        assert_eq!(members[1].etag.as_deref(), Some("\"4f1c\""), "a bare ETag is quoted");
        assert_eq!(members[2].etag, None, "a weak ETag is no good for ranges");
    }

    #[test]
    fn hostile_and_broken_replies() {
        let entity = r#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x "xxxxxxxx">]>
<D:multistatus xmlns:D="DAV:"><D:response><D:href>&x;</D:href></D:response></D:multistatus>"#;
        assert!(parse(entity, 100).is_err(), "no DTD, no entities");
        assert!(parse("<html><body>Login</body></html>", 100).is_err());
        assert!(parse("not xml", 100).is_err());
        let many = format!(
            "<D:multistatus xmlns:D=\"DAV:\">{}</D:multistatus>",
            "<D:response><D:href>/x</D:href></D:response>".repeat(5)
        );
        assert!(parse(&many, 4).is_err(), "the limit holds");
        // Names that would escape are passed on as they are; the listing's gate refuses them.
        let bare = r#"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/d/sub/</D:href>
<D:propstat><D:status>HTTP/1.1 200 OK</D:status><D:prop/></D:propstat></D:response></D:multistatus>"#;
        assert_eq!(
            parse(bare, 10).unwrap()[0].entry.kind,
            EntryKind::Dir,
            "a trailing / is a folder"
        );
        let escaping = r#"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/d/..%2F..%2Fetc%2Fpasswd</D:href>
<D:propstat><D:status>HTTP/1.1 200 OK</D:status><D:prop/></D:propstat></D:response></D:multistatus>"#;
        let members = parse(escaping, 10).unwrap();
        assert_eq!(members[0].path, "/d/../../etc/passwd");
        assert_eq!(members[0].entry.name, "../../etc/passwd");
        assert_eq!(href_path("/a/caf%E9"), "/a/café");
        assert_eq!(href_path("http://h"), "/");
    }
}
