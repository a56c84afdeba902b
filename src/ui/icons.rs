//! The window's icons: Phosphor Icons (regular), an icon font drawn like text, so icons take
//! the label's size and colour and mix with words. `install` adds the font once; the
//! constants name the code points used; `for_entry` picks a file list's icon and colour by
//! kind (folder, archive, image, audio, video, PDF, text, code, program, link).

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontData, FontDefinitions, FontFamily, TextStyle, Ui, WidgetText};

use crate::engine::api::{Entry, EntryKind};

/// The font, from `assets/fonts` (MIT; see the README there).
const FONT: &[u8] = include_bytes!("../../assets/fonts/Phosphor.ttf");
const FONT_NAME: &str = "phosphor";

pub const FOLDER: &str = "\u{E24A}";
pub const FOLDER_OPEN: &str = "\u{E256}";
pub const FILE: &str = "\u{E230}";
pub const FILE_ARCHIVE: &str = "\u{EB2A}";
pub const FILE_IMAGE: &str = "\u{EA24}";
pub const FILE_AUDIO: &str = "\u{EA20}";
pub const FILE_VIDEO: &str = "\u{EA22}";
pub const FILE_PDF: &str = "\u{E702}";
pub const FILE_TEXT: &str = "\u{E23A}";
pub const FILE_CODE: &str = "\u{E914}";
pub const PROGRAM: &str = "\u{EAE8}";
pub const LINK: &str = "\u{E2E2}";
pub const OTHER: &str = "\u{E270}";
pub const PARENT: &str = "\u{E024}";
pub const UP: &str = "\u{E08E}";
pub const REFRESH: &str = "\u{E094}";
pub const BOOKMARKS: &str = "\u{E46A}";
pub const COMPUTER: &str = "\u{E560}";
pub const SERVER: &str = "\u{E2A0}";
pub const DOWNLOAD: &str = "\u{E20C}";
pub const UPLOAD: &str = "\u{E4C0}";
pub const PAUSE: &str = "\u{E39E}";
pub const RESUME: &str = "\u{E3D0}";
pub const CANCEL: &str = "\u{E4F6}";
pub const RETRY: &str = "\u{E036}";
pub const MOVE_UP: &str = "\u{E13C}";
pub const MOVE_DOWN: &str = "\u{E136}";
pub const MOVE_TOP: &str = "\u{E066}";
pub const MOVE_BOTTOM: &str = "\u{E05C}";
pub const EDIT: &str = "\u{E3B4}";
pub const OPEN_OUTSIDE: &str = "\u{E5DE}";
pub const KEY: &str = "\u{E2D6}";
pub const SAVE: &str = "\u{E46A}";
pub const LOCKED: &str = "\u{E308}";
pub const UNLOCKED: &str = "\u{E30A}";
pub const WARNING: &str = "\u{E4E0}";
pub const EXPANDED: &str = "\u{E136}";
pub const COLLAPSED: &str = "\u{E13A}";

/// Folders stand out from files by colour, as in file managers.
pub const FOLDER_COLOUR: Color32 = Color32::from_rgb(229, 170, 62);
/// Links, in a colour of their own.
pub const LINK_COLOUR: Color32 = Color32::from_rgb(110, 170, 240);

/// Adds the icon font to the window's fonts, after the text font (Phosphor maps `a`-`z` to the
/// blank glyphs its ligatures are made of, so it must not come first) and before egui's emoji.
pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    add_to(&mut fonts);
    ctx.set_fonts(fonts);
}

fn add_to(fonts: &mut FontDefinitions) {
    fonts
        .font_data
        .insert(FONT_NAME.to_owned(), FontData::from_static(FONT).into());
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let names = fonts.families.entry(family).or_default();
        let at = names.len().min(1);
        names.insert(at, FONT_NAME.to_owned());
    }
}

/// An icon (in `colour`, or the text's) before words, as one piece of text for a label,
/// button or selectable row; the words take the widget's own colour (selected, hovered).
pub fn with_words(icon: &str, colour: Option<Color32>, words: &str, ui: &Ui) -> WidgetText {
    let font = TextStyle::Body.resolve(ui.style());
    let mut job = LayoutJob::default();
    job.append(
        icon,
        0.0,
        TextFormat::simple(font.clone(), colour.unwrap_or(Color32::PLACEHOLDER)),
    );
    job.append(
        &format!(" {words}"),
        0.0,
        TextFormat::simple(font, Color32::PLACEHOLDER),
    );
    job.into()
}

/// Like [`with_words`], with the words and a tag after them in the tag's colour (Compare's
/// marks: the colour still shows when a narrow column cuts the tag off).
pub fn with_words_and_tag(
    icon: &str,
    colour: Option<Color32>,
    words: &str,
    tag: Option<(&str, Color32)>,
    ui: &Ui,
) -> WidgetText {
    let Some((tag, tag_colour)) = tag else {
        return with_words(icon, colour, words, ui);
    };
    let font = TextStyle::Body.resolve(ui.style());
    let mut job = LayoutJob::default();
    job.append(
        icon,
        0.0,
        TextFormat::simple(font.clone(), colour.unwrap_or(Color32::PLACEHOLDER)),
    );
    job.append(&format!(" {words}"), 0.0, TextFormat::simple(font.clone(), tag_colour));
    let small = egui::FontId::new(font.size * 0.85, font.family);
    job.append(&format!("  {tag}"), 0.0, TextFormat::simple(small, tag_colour));
    job.into()
}

/// A file list's icon for `entry`, and its colour when it has one of its own.
pub fn for_entry(entry: &Entry) -> (&'static str, Option<Color32>) {
    match entry.kind {
        EntryKind::Dir => (FOLDER, Some(FOLDER_COLOUR)),
        EntryKind::Link => (LINK, Some(LINK_COLOUR)),
        EntryKind::Other => (OTHER, None),
        EntryKind::File => (for_file(entry), None),
    }
}

fn for_file(entry: &Entry) -> &'static str {
    let extension = entry
        .name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp" | "bmp" | "ico" | "tif" | "tiff" | "heic" => FILE_IMAGE,
        "mp3" | "flac" | "ogg" | "wav" | "m4a" | "opus" | "aac" => FILE_AUDIO,
        "mp4" | "mkv" | "avi" | "mov" | "webm" | "m4v" => FILE_VIDEO,
        "zip" | "gz" | "tgz" | "xz" | "bz2" | "zst" | "7z" | "rar" | "tar" | "deb" | "rpm" | "iso" => FILE_ARCHIVE,
        "pdf" => FILE_PDF,
        "txt" | "md" | "log" | "csv" | "json" | "xml" | "yml" | "yaml" | "toml" | "ini" | "conf" | "cfg" => FILE_TEXT,
        "html" | "htm" | "css" | "js" | "ts" | "php" | "py" | "rs" | "c" | "h" | "go" | "java" | "rb" | "sql" => {
            FILE_CODE
        }
        "sh" | "bash" | "exe" | "bat" | "cmd" | "appimage" | "bin" => PROGRAM,
        _ if is_executable(entry) => PROGRAM,
        _ => FILE,
    }
}

/// A file whose permissions let its owner run it (`rwxr-xr-x`).
fn is_executable(entry: &Entry) -> bool {
    entry
        .permissions
        .as_deref()
        .and_then(|mode| mode.chars().rev().nth(6))
        .is_some_and(|owner_runs| owner_runs == 'x' || owner_runs == 's')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, kind: EntryKind, permissions: Option<&str>) -> Entry {
        Entry {
            permissions: permissions.map(str::to_owned),
            ..Entry::new(name, kind)
        }
    }

    #[test]
    fn folders_and_files_of_each_kind_look_different() {
        let folder = for_entry(&entry("photos", EntryKind::Dir, None));
        let file = for_entry(&entry("notes.bin2", EntryKind::File, Some("rw-r--r--")));
        assert_ne!(folder.0, file.0);
        assert!(folder.1.is_some(), "folders have a colour of their own");
        let icons: Vec<&str> = [
            "site.tar.gz",
            "hero.jpg",
            "song.flac",
            "clip.mp4",
            "report.pdf",
            "notes.txt",
            "main.rs",
            "deploy.sh",
        ]
        .iter()
        .map(|name| for_entry(&entry(name, EntryKind::File, Some("rw-r--r--"))).0)
        .collect();
        let mut distinct = icons.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), icons.len(), "one icon per kind: {icons:?}");
        assert_eq!(
            for_entry(&entry("tool", EntryKind::File, Some("-rwxr-xr-x"))).0,
            PROGRAM
        );
        assert_eq!(for_entry(&entry("link", EntryKind::Link, None)).0, LINK);
    }

    #[test]
    fn every_icon_is_a_glyph_of_the_installed_font() {
        let ctx = egui::Context::default();
        let has = |ctx: &egui::Context, icon: &str| {
            ctx.fonts_mut(|fonts| fonts.has_glyphs(&egui::FontId::proportional(14.0), icon))
        };
        // A frame, with its texture changes taken (a renderer would upload them).
        let frame = |ctx: &egui::Context| ctx.run_ui(egui::RawInput::default(), |_| {}).textures_delta.clear();
        frame(&ctx);
        assert!(!has(&ctx, FOLDER), "egui's own fonts have no such glyph");
        install(&ctx);
        frame(&ctx);
        for icon in [
            FOLDER,
            FOLDER_OPEN,
            FILE,
            FILE_ARCHIVE,
            FILE_IMAGE,
            FILE_AUDIO,
            FILE_VIDEO,
            FILE_PDF,
            FILE_TEXT,
            FILE_CODE,
            PROGRAM,
            LINK,
            OTHER,
            PARENT,
            UP,
            REFRESH,
            BOOKMARKS,
            COMPUTER,
            SERVER,
            DOWNLOAD,
            UPLOAD,
            PAUSE,
            RESUME,
            CANCEL,
            RETRY,
            MOVE_UP,
            MOVE_DOWN,
            MOVE_TOP,
            MOVE_BOTTOM,
            KEY,
            SAVE,
            LOCKED,
            UNLOCKED,
            WARNING,
            EXPANDED,
            COLLAPSED,
        ] {
            assert!(has(&ctx, icon), "{icon:?} is in the font");
        }
    }
}
