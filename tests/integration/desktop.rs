//! The desktop files under `assets/` agree with each other and with the program: one
//! application id everywhere, the version from Cargo.toml, an icon at every size, and links
//! handed over after `--` (see `model::link`).

use std::path::Path;

use wharf::ui::APP_ID;

fn asset(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|error| panic!("assets/{path}: {error}"))
}

/// The value of `key=` in the desktop entry's main group.
fn desktop_value<'a>(entry: &'a str, key: &str) -> &'a str {
    entry
        .lines()
        .find_map(|line| line.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
        .unwrap_or_else(|| panic!("the desktop entry has no {key}"))
}

#[test]
fn the_desktop_entry_names_the_app_id_and_hands_links_over_after_dashes() {
    let entry = asset(&format!("{APP_ID}.desktop"));
    assert_eq!(desktop_value(&entry, "Icon"), APP_ID);
    assert_eq!(desktop_value(&entry, "StartupWMClass"), APP_ID);
    assert_eq!(desktop_value(&entry, "Exec"), "wharf -- %U");
    assert_eq!(desktop_value(&entry, "Categories"), "Network;FileTransfer;");
    let schemes: Vec<&str> = desktop_value(&entry, "MimeType")
        .split(';')
        .filter(|mime| !mime.is_empty())
        .map(|mime| mime.trim_start_matches("x-scheme-handler/"))
        .collect();
    assert_eq!(schemes, ["sftp", "ftp", "ftps", "ftpes"]);
}

#[test]
fn the_metainfo_names_the_app_id_and_the_cargo_version_as_its_latest_release() {
    let text = asset(&format!("{APP_ID}.metainfo.xml"));
    let document = roxmltree::Document::parse(&text).unwrap();
    let root = document.root_element();
    let child = |name: &str| {
        root.children()
            .find(|node| node.has_tag_name(name))
            .unwrap_or_else(|| panic!("the metainfo has no <{name}>"))
    };
    assert_eq!(child("id").text(), Some(APP_ID));
    assert_eq!(child("launchable").text(), Some(format!("{APP_ID}.desktop").as_str()));
    let latest = child("releases")
        .children()
        .find(|node| node.has_tag_name("release"))
        .expect("a release");
    assert_eq!(latest.attribute("version"), Some(env!("CARGO_PKG_VERSION")));
    let screenshots = child("screenshots");
    for image in screenshots.descendants().filter(|node| node.has_tag_name("image")) {
        let url = image.text().unwrap_or_default();
        let name = url.rsplit('/').next().unwrap_or_default();
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("assets/screenshots")
                .join(name)
                .is_file(),
            "the screenshot {url} is in assets/screenshots"
        );
    }
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let number = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (number(16), number(20))
}

#[test]
fn the_icon_is_rendered_at_every_size_in_the_hicolor_layout() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/icons");
    assert!(root.join(format!("{APP_ID}.svg")).is_file());
    for size in [16, 24, 32, 48, 64, 128, 256, 512] {
        let path = root.join(format!("hicolor/{size}x{size}/apps/{APP_ID}.png"));
        let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        assert_eq!(png_size(&bytes), (size, size), "{}", path.display());
    }
    for (file, magic) in [("wharf.ico", &b"\0\0\x01\0"[..]), ("wharf.icns", &b"icns"[..])] {
        let bytes = std::fs::read(root.join(file)).unwrap();
        assert!(bytes.starts_with(magic), "{file} is an icon file");
    }
}
