//! FileZilla's `sitemanager.xml`: sites in nested folders, with passwords in base64 (or plain,
//! in old files). Each site becomes a [`SavedSite`] with its password beside it, for the
//! keyring; what Wharf cannot use is reported with the reason. [`scrub_passwords`] rewrites
//! the file without the passwords that made it into the keyring.

use base64::Engine as _;

use super::Imported;
use crate::model::saved_site::{Auth, FtpTls, SavedSite};
use crate::model::{DataMode, Protocol, Secret};

/// Reads the XML. Errors only when the file is not a FileZilla site list at all.
pub fn parse(xml: &str) -> Result<Imported, String> {
    let document = roxmltree::Document::parse(xml).map_err(|error| format!("it is not valid XML: {error}"))?;
    let root = document.root_element();
    if root.tag_name().name() != "FileZilla3" {
        return Err("it is not a FileZilla site manager file (no <FileZilla3> element)".to_owned());
    }
    let mut imported = Imported::default();
    for servers in root.children().filter(|node| node.has_tag_name("Servers")) {
        walk(servers, "", 0, &mut imported);
    }
    Ok(imported)
}

/// How deep folders may nest. FileZilla sets no limit, but a file nested thousands deep
/// (a damaged or hostile one) would overflow the stack of the recursive walk, and each level's
/// path repeats all the levels above it.
const MAX_FOLDER_DEPTH: usize = 32;

/// Whether a folder at `depth` (0 for the top level) is too deep to import.
fn too_deep(depth: usize, path: &str, skipped: &mut Vec<String>) -> bool {
    let deep = depth >= MAX_FOLDER_DEPTH;
    if deep {
        skipped.push(format!(
            "{path}: folders nested more than {MAX_FOLDER_DEPTH} deep are not imported"
        ));
    }
    deep
}

fn walk(node: roxmltree::Node<'_, '_>, folder: &str, depth: usize, imported: &mut Imported) {
    for child in node.children().filter(roxmltree::Node::is_element) {
        match child.tag_name().name() {
            "Server" => server(child, folder, imported),
            "Folder" => {
                let path = folder_path(child, folder);
                if too_deep(depth, &path, &mut imported.skipped) {
                    continue;
                }
                imported.folders.push(path.clone());
                walk(child, &path, depth + 1, imported);
            }
            _ => {}
        }
    }
}

/// A FileZilla name as a Wharf site or folder name: the characters that `site:NAME/path`
/// gives a meaning to (`/`, `:`, `\`) and control characters become `-`.
fn usable_name(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(|c| {
            if matches!(c, '/' | ':' | '\\') || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// A `<Folder>`'s path: its parent's, then its own name, which is its text before its
/// children (a `/` in it would make a level of its own, so it becomes `-`).
fn folder_path(node: roxmltree::Node<'_, '_>, parent: &str) -> String {
    let name: String = node
        .children()
        .filter(roxmltree::Node::is_text)
        .filter_map(|text| text.text())
        .collect::<String>();
    let name = usable_name(&name);
    let name = if name.is_empty() { "Unnamed".to_owned() } else { name };
    if parent.is_empty() {
        name
    } else {
        format!("{parent}/{name}")
    }
}

fn text<'a>(server: roxmltree::Node<'a, '_>, tag: &str) -> Option<&'a str> {
    server
        .children()
        .find(|node| node.has_tag_name(tag))
        .and_then(|node| node.text())
}

fn server(node: roxmltree::Node<'_, '_>, folder: &str, imported: &mut Imported) {
    let host = text(node, "Host").unwrap_or_default().trim().to_owned();
    let name = text(node, "Name")
        .map(usable_name)
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| host.clone());
    let label = if folder.is_empty() {
        name.clone()
    } else {
        format!("{folder}/{name}")
    };
    if host.is_empty() {
        imported.skipped.push(format!("{label}: it has no host"));
        return;
    }
    let number = |tag: &str| text(node, tag).and_then(|value| value.trim().parse::<i64>().ok());
    let mut site = SavedSite {
        name,
        folder: folder.to_owned(),
        host,
        port: number("Port")
            .and_then(|port| u16::try_from(port).ok())
            .filter(|&port| port > 0),
        user: text(node, "User").unwrap_or_default().to_owned(),
        notes: text(node, "Comments").unwrap_or_default().to_owned(),
        ..SavedSite::default()
    };
    // FileZilla's protocol numbers (its ServerProtocol enum).
    match number("Protocol").unwrap_or(0) {
        0 => {
            site.sftp = false;
            site.ftp_tls = FtpTls::ExplicitRequired;
            imported.warnings.push(format!(
                "{label}: FileZilla used TLS only if the server offered it; Wharf requires it. If the server \
                 has no TLS, tick \"if the server refuses TLS, log in without encryption\" for this site"
            ));
        }
        1 => site.sftp = true,
        3 => {
            site.sftp = false;
            site.ftp_tls = FtpTls::Implicit;
        }
        4 => {
            site.sftp = false;
            site.ftp_tls = FtpTls::ExplicitRequired;
        }
        6 => {
            site.sftp = false;
            site.ftp_tls = FtpTls::None;
        }
        // WebDAV over HTTPS, and its "insecure" kind over plain HTTP.
        9 => site.set_protocol(Protocol::Davs),
        19 => site.set_protocol(Protocol::Dav),
        7 => site.set_protocol(Protocol::S3),
        other => {
            let what = match other {
                2 | 5 => "HTTP".to_owned(),
                8 => "Storj".to_owned(),
                _ => format!("protocol number {other}"),
            };
            imported
                .skipped
                .push(format!("{label}: Wharf does not speak {what} yet"));
            return;
        }
    }
    let mut password = None;
    // FileZilla's logon types.
    match number("Logontype").unwrap_or(1) {
        0 => site.auth = Auth::Anonymous,
        2 | 3 => site.auth = Auth::AskEveryTime,
        5 => match text(node, "Keyfile").map(str::trim).filter(|path| !path.is_empty()) {
            Some(path) => site.auth = Auth::KeyFile { path: path.into() },
            None => {
                site.auth = Auth::Agent;
                imported.warnings.push(format!(
                    "{label}: it used a key file but named none; Wharf will try the ssh-agent"
                ));
            }
        },
        logon => {
            if logon == 4 {
                imported.warnings.push(format!(
                    "{label}: FTP accounts (ACCT) are not supported; the user and password were kept"
                ));
            }
            site.auth = Auth::Password;
            password = pass(node, &label, imported);
            if password.is_none() {
                site.auth = Auth::AskEveryTime;
            }
        }
    }
    match text(node, "PasvMode").unwrap_or_default() {
        "MODE_ACTIVE" => site.data_mode = DataMode::Active,
        _ => site.data_mode = DataMode::Passive,
    }
    if let Some(encoding) = text(node, "CustomEncoding").filter(|_| text(node, "EncodingType") == Some("Custom")) {
        site.encoding = Some(encoding.to_owned());
    }
    site.remote_folder = text(node, "RemoteDir").and_then(remote_dir);
    if site.protocol() == Protocol::S3 && !s3_bucket(&mut site, &label, imported) {
        return;
    }
    site.local_folder = text(node, "LocalDir")
        .map(str::trim)
        .filter(|dir| !dir.is_empty())
        .map(Into::into);
    site.max_connections = number("MaximumMultipleConnections")
        .and_then(|limit| usize::try_from(limit).ok())
        .filter(|&limit| limit > 0);
    site.bookmarks = node
        .children()
        .filter(|child| child.has_tag_name("Bookmark"))
        .filter_map(|bookmark| text(bookmark, "RemoteDir").and_then(remote_dir))
        .collect();
    imported.sites.push((site, password));
}

/// FileZilla's S3 site is a service (its host), whose buckets are the top folders; a Wharf
/// site is one bucket. The bucket comes from the remote folder's first segment, the
/// endpoint from the host (none for AWS's own), the access key is the user and its secret
/// the password. `false` when no bucket is named: the site is skipped, saying why.
fn s3_bucket(site: &mut SavedSite, label: &str, imported: &mut Imported) -> bool {
    let folder = site.remote_folder.clone().unwrap_or_default();
    let mut segments = folder.split('/').filter(|segment| !segment.is_empty());
    let Some(bucket) = segments.next().map(str::to_owned) else {
        imported.skipped.push(format!(
            "{label}: an S3 site opens one bucket in Wharf, and this one names none in its remote folder"
        ));
        return false;
    };
    let rest: Vec<&str> = segments.collect();
    let service = std::mem::replace(&mut site.host, bucket);
    if !service.ends_with("amazonaws.com") {
        let port = site.port.take().map(|port| format!(":{port}")).unwrap_or_default();
        site.s3.url = Some(format!("https://{service}{port}"));
    }
    site.port = None;
    site.remote_folder = (!rest.is_empty()).then(|| format!("/{}", rest.join("/")));
    true
}

/// The site's password: base64 (FileZilla 3.26 on), plain (older), or protected by a master
/// password, which Wharf cannot open.
fn pass(node: roxmltree::Node<'_, '_>, label: &str, imported: &mut Imported) -> Option<Secret> {
    let element = node.children().find(|child| child.has_tag_name("Pass"))?;
    let value = element.text().unwrap_or_default();
    if value.is_empty() {
        return None;
    }
    match element.attribute("encoding") {
        Some("base64") => {
            match base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
            {
                Some(password) => Some(Secret::new(password)),
                None => {
                    imported.warnings.push(format!(
                        "{label}: its password is not valid base64; Wharf will ask for it"
                    ));
                    None
                }
            }
        }
        Some("crypt") => {
            imported.warnings.push(format!(
                "{label}: its password is protected by FileZilla's master password; Wharf will ask for it"
            ));
            None
        }
        _ => Some(Secret::new(value)),
    }
}

/// FileZilla's serialised remote path, `1 0 4 home 3 bob`: the server type, a prefix, then each
/// segment as its length and its text. Unix-style paths become `/home/bob`.
fn remote_dir(serialised: &str) -> Option<String> {
    let mut rest = serialised.trim();
    let number = |rest: &mut &str| -> Option<usize> {
        let (digits, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        *rest = tail;
        digits.parse().ok()
    };
    let _server_type = number(&mut rest)?;
    let prefix_length = number(&mut rest)?;
    if prefix_length > 0 {
        rest = rest.get(prefix_length..)?.trim_start();
    }
    let mut segments = Vec::new();
    while !rest.is_empty() {
        let length = number(&mut rest)?;
        let segment = rest.get(..length)?;
        segments.push(segment.to_owned());
        rest = rest.get(length..)?.trim_start();
    }
    Some(format!("/{}", segments.join("/")))
}

/// The file's text without the passwords of the sites in `stored` (their site paths), which
/// are now in the keyring. Only `<Pass>` elements inside those sites are removed.
pub fn scrub_passwords(xml: &str, stored: &[String]) -> Result<String, String> {
    let document = roxmltree::Document::parse(xml).map_err(|error| format!("it is not valid XML: {error}"))?;
    let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
    let mut check = Imported::default();
    for servers in document
        .root_element()
        .children()
        .filter(|node| node.has_tag_name("Servers"))
    {
        collect_cuts(servers, "", 0, stored, &mut cuts, &mut check);
    }
    cuts.sort_by_key(|range| std::cmp::Reverse(range.start));
    let mut text = xml.to_owned();
    for range in cuts {
        text.replace_range(range, "");
    }
    Ok(text)
}

fn collect_cuts(
    node: roxmltree::Node<'_, '_>,
    folder: &str,
    depth: usize,
    stored: &[String],
    cuts: &mut Vec<std::ops::Range<usize>>,
    scratch: &mut Imported,
) {
    for child in node.children().filter(roxmltree::Node::is_element) {
        match child.tag_name().name() {
            "Server" => {
                let before = scratch.sites.len();
                server(child, folder, scratch);
                let Some((site, _)) = scratch.sites.get(before) else {
                    continue;
                };
                if stored.contains(&site.path())
                    && let Some(pass) = child.children().find(|node| node.has_tag_name("Pass"))
                {
                    cuts.push(pass.range());
                }
            }
            "Folder" => {
                let path = folder_path(child, folder);
                if !too_deep(depth, &path, &mut scratch.skipped) {
                    collect_cuts(child, &path, depth + 1, stored, cuts, scratch);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site list as FileZilla 3.6x writes it, with nested folders, every protocol Wharf
    /// speaks and some it does not, base64, plain, master-password and missing passwords,
    /// and names with odd characters.
    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<FileZilla3 version="3.66.5" platform="*nix">
    <Servers>
        <Server>
            <Host>ftp.example.com</Host>
            <Port>21</Port>
            <Protocol>0</Protocol>
            <Type>0</Type>
            <User>bob</User>
            <Pass encoding="base64">czNjcmV0ICYgPMOkPg==</Pass>
            <Logontype>1</Logontype>
            <PasvMode>MODE_ACTIVE</PasvMode>
            <Name>Plain &amp; simple</Name>
            <Comments>our old server</Comments>
            <RemoteDir>1 0 3 pub 10 with space</RemoteDir>
            <Bookmark><Name>logs</Name><RemoteDir>1 0 3 var 3 log</RemoteDir></Bookmark>
        </Server>
        <Folder expanded="1">Clients
            <Folder expanded="0">Acme / Corp: EU
                <Server>
                    <Host>sftp.acme.example</Host>
                    <Port>2222</Port>
                    <Protocol>1</Protocol>
                    <User>deploy</User>
                    <Logontype>5</Logontype>
                    <Keyfile>/home/me/.ssh/acme_ed25519</Keyfile>
                    <Name>Acme: live</Name>
                    <MaximumMultipleConnections>2</MaximumMultipleConnections>
                </Server>
                <Server>
                    <Host>ftps.acme.example</Host>
                    <Port>990</Port>
                    <Protocol>3</Protocol>
                    <User>ftp user</User>
                    <Pass>plain-old</Pass>
                    <Logontype>1</Logontype>
                    <Name>Ünïcödé</Name>
                </Server>
            </Folder>
            <Server>
                <Host>explicit.example</Host>
                <Protocol>4</Protocol>
                <User>x</User>
                <Pass encoding="crypt" pubkey="abc">zzz</Pass>
                <Logontype>1</Logontype>
                <Name>Locked</Name>
            </Server>
            <Server>
                <Host>anon.example</Host>
                <Protocol>6</Protocol>
                <Logontype>0</Logontype>
                <Name>Mirror</Name>
            </Server>
            <Server>
                <Host>ask.example</Host>
                <Protocol>1</Protocol>
                <User>me</User>
                <Logontype>2</Logontype>
                <Name>Ask me</Name>
            </Server>
            <Server>
                <Host>bucket.s3.example</Host>
                <Protocol>7</Protocol>
                <Name>Bucket</Name>
            </Server>
            <Server>
                <Host>minio.example</Host>
                <Port>9000</Port>
                <Protocol>7</Protocol>
                <User>AKIDMINIO</User>
                <Pass encoding="base64">c2VjcmV0LWtleQ==</Pass>
                <Logontype>1</Logontype>
                <RemoteDir>1 0 7 backups 5 daily</RemoteDir>
                <Name>Backups</Name>
            </Server>
            <Server>
                <Host>cloud.example</Host>
                <Protocol>9</Protocol>
                <User>me</User>
                <Logontype>1</Logontype>
                <Name>Cloud</Name>
            </Server>
        </Folder>
    </Servers>
</FileZilla3>
"#;

    #[test]
    fn sites_folders_protocols_and_passwords_come_across() {
        let imported = parse(SAMPLE).unwrap();
        let by_path = |path: &str| {
            imported
                .sites
                .iter()
                .find(|(site, _)| site.path() == path)
                .unwrap_or_else(|| panic!("{path} was not imported: {:?}", imported.sites))
        };
        let (plain, password) = by_path("Plain & simple");
        assert_eq!(plain.protocol(), Protocol::Ftpes);
        assert_eq!(password.as_ref().unwrap().expose(), "s3cret & <ä>");
        assert_eq!(plain.data_mode, DataMode::Active);
        assert_eq!(plain.remote_folder.as_deref(), Some("/pub/with space"));
        assert_eq!(plain.bookmarks, ["/var/log"]);
        assert_eq!(plain.notes, "our old server");

        let (live, password) = by_path("Clients/Acme - Corp- EU/Acme- live");
        assert_eq!((live.protocol(), live.port()), (Protocol::Sftp, 2222));
        assert_eq!(
            live.auth,
            Auth::KeyFile {
                path: "/home/me/.ssh/acme_ed25519".into()
            }
        );
        assert!(password.is_none());
        assert_eq!(live.max_connections, Some(2));

        let (unicode, password) = by_path("Clients/Acme - Corp- EU/Ünïcödé");
        assert_eq!(
            (unicode.protocol(), unicode.user.as_str()),
            (Protocol::Ftps, "ftp user")
        );
        assert_eq!(password.as_ref().unwrap().expose(), "plain-old");

        let (locked, password) = by_path("Clients/Locked");
        assert!(password.is_none());
        assert_eq!(locked.auth, Auth::AskEveryTime);
        assert_eq!(by_path("Clients/Mirror").0.auth, Auth::Anonymous);
        assert_eq!(by_path("Clients/Mirror").0.protocol(), Protocol::Ftp);
        assert_eq!(by_path("Clients/Ask me").0.auth, Auth::AskEveryTime);

        let cloud = &by_path("Clients/Cloud").0;
        assert_eq!(
            (cloud.protocol(), cloud.port(), cloud.user.as_str()),
            (Protocol::Davs, 443, "me")
        );

        let (backups, secret) = by_path("Clients/Backups");
        assert_eq!((backups.protocol(), backups.host.as_str()), (Protocol::S3, "backups"));
        assert_eq!(backups.s3.url.as_deref(), Some("https://minio.example:9000"));
        assert_eq!(backups.remote_folder.as_deref(), Some("/daily"));
        assert_eq!(backups.user, "AKIDMINIO");
        assert_eq!(secret.as_ref().unwrap().expose(), "secret-key");

        assert_eq!(imported.sites.len(), 8);
        assert_eq!(
            imported.skipped,
            ["Clients/Bucket: an S3 site opens one bucket in Wharf, and this one names none in its remote folder"]
        );
        assert!(
            imported
                .warnings
                .iter()
                .any(|warning| warning.contains("master password"))
        );
        assert!(imported.warnings.iter().any(|warning| warning.contains("TLS only if")));
        assert_eq!(imported.folders, ["Clients", "Clients/Acme - Corp- EU"]);
    }

    #[test]
    fn stored_passwords_are_scrubbed_from_the_file_and_nothing_else() {
        let scrubbed = scrub_passwords(SAMPLE, &["Plain & simple".to_owned()]).unwrap();
        assert!(!scrubbed.contains("czNjcmV0"));
        assert!(scrubbed.contains("plain-old"), "passwords not moved stay");
        let again = parse(&scrubbed).unwrap();
        assert_eq!(again.sites.len(), 8, "the file is still a valid site list");
    }

    /// A file of 5,000 nested folders overflowed the stack (found while fuzzing the import).
    #[test]
    fn folders_nested_too_deep_are_skipped_with_a_reason() {
        let depth = 100_000;
        let xml = format!(
            "<FileZilla3><Servers>{}<Server><Host>h</Host><Pass>p</Pass></Server>{}</Servers></FileZilla3>",
            "<Folder>F".repeat(depth),
            "</Folder>".repeat(depth)
        );
        let imported = parse(&xml).unwrap();
        assert_eq!(imported.folders.len(), MAX_FOLDER_DEPTH);
        assert!(imported.sites.is_empty(), "the site below the limit is not imported");
        assert_eq!(imported.skipped.len(), 1, "{:?}", imported.skipped);
        assert!(imported.skipped[0].ends_with("folders nested more than 32 deep are not imported"));
        assert_eq!(scrub_passwords(&xml, &[]).unwrap(), xml);
    }

    #[test]
    fn other_files_are_refused_with_a_reason() {
        assert!(parse("not xml").unwrap_err().contains("not valid XML"));
        assert!(parse("<html/>").unwrap_err().contains("not a FileZilla"));
    }
}
