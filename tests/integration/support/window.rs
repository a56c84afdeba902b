//! The real window (`wharf::ui::App`) over a real engine, driven through egui_kittest like a
//! hand would: for end-to-end tests of what only the window does, such as the edit loop.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use wharf::config::Paths;
use wharf::engine::handle::{EngineConfig, EngineHandle};
use wharf::model::link::Link;
use wharf::ui::{App, Settings};

/// How long a step through a real server may take.
const STEP: Duration = Duration::from_secs(30);

pub struct Window {
    pub harness: Harness<'static, App>,
}

impl Window {
    /// The window as `wharf -- LINK` opens it, its files in `home`, copies of edited files in
    /// `home/edits`, and `editor` as its editor command.
    pub fn open(home: &Path, link: &str, editor: &str) -> Window {
        let mut config = EngineConfig::under(Paths::under(home.to_path_buf()));
        config.secrets = Arc::new(wharf::secrets::MemorySecrets::default());
        let engine = EngineHandle::start(config, None).unwrap();
        let settings = Settings {
            editor: editor.to_owned(),
            local_folder: Some(home.display().to_string()),
            ..Settings::default()
        };
        let edits = home.join("edits");
        std::fs::create_dir_all(&edits).unwrap();
        let app = App::new(engine, settings, Some(Link::parse(link).unwrap())).with_edit_folder(edits);
        let harness = Harness::builder()
            .with_size([1280.0, 800.0])
            .build_ui_state(|ui, app: &mut App| app.frame(ui), app);
        Window { harness }
    }

    /// Runs frames until `ready` holds; fails the test after a while.
    pub fn wait_until(&mut self, what: &str, ready: impl Fn(&Window) -> bool) {
        let deadline = Instant::now() + STEP;
        loop {
            self.harness.step();
            if ready(self) {
                return;
            }
            if Instant::now() >= deadline {
                let seen: Vec<String> = self
                    .harness
                    .query_all_by_label_contains("")
                    .filter_map(|node| node.accesskit_node().label())
                    .collect();
                panic!("{what} did not happen within {STEP:?}; the window shows {seen:#?}");
            }
            // The engine and the watcher run on threads of their own: give them the cores.
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The middle of the file list row that shows `name`.
    pub fn row(&self, name: &str) -> Option<egui::Pos2> {
        self.harness
            .query_all_by_label_contains(name)
            .find(|node| node.accesskit_node().role() == egui::accesskit::Role::Label)
            .map(|node| node.rect().center())
    }

    pub fn shows(&self, text: &str) -> bool {
        self.harness.query_all_by_label_contains(text).next().is_some()
    }

    pub fn click(&mut self, label: &str) {
        self.harness.get_by_label(label).click();
        self.harness.step();
    }
}

/// The edit loop end to end: `link` lists the server folder that holds `name`, which is
/// `on_server` on this machine's disk. F4 fetches it; the editor command (which appends to
/// the file) saves; the save is uploaded. Then someone else changes the server's copy, the
/// next save is asked about, and uploading over it wins.
pub fn edit_loop(home: &Path, link: &str, name: &str, on_server: &Path) {
    std::fs::write(on_server, "first version").unwrap();
    let mut window = Window::open(home, link, r#"sh -c 'printf " edited" >> "$0"'"#);
    window.wait_until("the server's listing", |window| window.row(name).is_some());
    let row = window.row(name).unwrap();
    window.harness.hover_at(row);
    window.harness.step();
    window.harness.event(egui::Event::PointerButton {
        pos: row,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    window.harness.step();
    window.harness.event(egui::Event::PointerButton {
        pos: row,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    window.harness.step();
    window.harness.key_press(egui::Key::F4);

    window.wait_until("the question after the editor saved", |window| {
        window.shows("was saved in the editor")
    });
    window.click("Upload");
    window.wait_until("the upload", |_| {
        std::fs::read_to_string(on_server).is_ok_and(|text| text == "first version edited")
    });
    // The server's copy after the upload is looked at again, so that only someone else's
    // change is asked about below.
    window.wait_until("the look after the upload", |window| window.shows("open in the editor"));

    std::fs::write(on_server, "someone else's version").unwrap();
    window.click(&format!("{} Open again", wharf_icon_open_outside()));
    window.wait_until("the question after the second save", |window| {
        window.shows("was saved in the editor")
    });
    window.click("Upload");
    window.wait_until("the question about the server's change", |window| {
        window.shows("changed on the server")
    });
    assert_eq!(std::fs::read_to_string(on_server).unwrap(), "someone else's version");
    window.click("Upload mine over it");
    window.wait_until("the second upload", |_| {
        std::fs::read_to_string(on_server).is_ok_and(|text| text == "first version edited edited")
    });
}

/// The "open again" button's icon (Phosphor's arrow-square-out).
fn wharf_icon_open_outside() -> &'static str {
    "\u{E5DE}"
}
