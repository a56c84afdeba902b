//! The window driven like a user would, through egui_kittest: widgets are found by their
//! AccessKit labels and clicked, keys are pressed, rows dragged, files dropped. The engine is
//! a double ([`EngineHandle::detached`]): each test checks the commands the window sent and
//! feeds it the events an engine would.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::accesskit::Role;
use egui::{Key, Modifiers, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use crate::engine::api::{
    Command, ConflictPolicy, Direction, Encryption, Entry, EntryKind, Event, FolderEdit, ItemId, Prompt, PromptId,
    PromptReply, QueueCommand, RemotePath, RequestId, Security, SessionCommand, SessionId, SessionRequest,
    SitesCommand, TransferSpec, TrustCommand,
};
use crate::engine::handle::{EngineDouble, EngineHandle};
use crate::model::Protocol;
use crate::ui::app::App;
use crate::ui::intent::{ConnectionIntent, SitesIntent};
use crate::ui::settings::Settings;

const LOCAL_SESSION: SessionId = SessionId::new(9001);

struct Window {
    harness: Harness<'static, App>,
    engine: EngineDouble,
    /// Commands sent and not yet looked at.
    sent: Vec<Command>,
}

fn file(name: &str, size: u64) -> Entry {
    Entry {
        size: Some(size),
        ..Entry::new(name, EntryKind::File)
    }
}

/// How the site tree labels a folder and a site: the icon, then the name.
fn folder_label(name: &str) -> String {
    format!("{} {name}", crate::ui::icons::FOLDER)
}

fn site_label(name: &str) -> String {
    format!("{} {name}", crate::ui::icons::SERVER)
}

fn folder(name: &str) -> Entry {
    Entry::new(name, EntryKind::Dir)
}

impl Window {
    /// The window with its local pane showing `/home/me` (a folder and two files).
    fn open() -> Window {
        Window::open_at(None)
    }

    /// The window as `wharf -- URL` opens it (or without a URL), local pane listed.
    fn open_at(url: Option<&str>) -> Window {
        let (handle, engine) = EngineHandle::detached();
        let link = url.map(|text| crate::model::link::Link::parse(text).unwrap());
        let app = App::new(handle, Settings::default(), link);
        let harness = Harness::builder()
            .with_size([1280.0, 800.0])
            .build_ui_state(|ui, app: &mut App| app.frame(ui), app);
        let mut window = Window {
            harness,
            engine,
            sent: Vec::new(),
        };
        let local = window.take(|command| match command {
            Command::Session(SessionCommand::OpenLocal { id }) => Some(*id),
            _ => None,
        });
        window.engine.emit(Event::Connected {
            id: local,
            session: LOCAL_SESSION,
            security: Security::local("local"),
            home: "/home/me".into(),
            times: crate::engine::api::TimeSource::Exact,
        });
        window.settle();
        window.answer_listing(
            "/home/me",
            vec![folder("photos"), file("notes.txt", 120), file("report.pdf", 48_000)],
        );
        window
    }

    /// Runs frames until the window has handled what it was given.
    fn settle(&mut self) {
        for _ in 0..4 {
            self.harness.step();
        }
        self.sent.extend(self.engine.sent());
    }

    /// The first command `pick` accepts, removed from the unread ones; fails the test when
    /// the window sent none.
    fn take<T>(&mut self, pick: impl Fn(&Command) -> Option<T>) -> T {
        self.sent.extend(self.engine.sent());
        let position = self
            .sent
            .iter()
            .position(|command| pick(command).is_some())
            .unwrap_or_else(|| panic!("no such command among {:#?}", self.sent));
        let command = self.sent.remove(position);
        pick(&command).unwrap()
    }

    /// Answers the listing request for `path` with `entries`.
    fn answer_listing(&mut self, path: &str, entries: Vec<Entry>) {
        let id = self.take(|command| match command {
            Command::Session(SessionCommand::Request {
                request: SessionRequest::List { id, path: asked },
                ..
            }) if asked.as_str() == path => Some(*id),
            _ => None,
        });
        self.engine.emit(Event::Listing {
            id,
            path: RemotePath::new(path),
            entries,
            refused: Vec::new(),
        });
        self.settle();
    }

    /// Connects the remote pane to a server showing `/srv` with a folder and a file.
    fn connect(&mut self) {
        {
            let form = &mut self.harness.state_mut().form;
            form.host = "files.example.org".into();
            form.user = "alice".into();
            form.password = "s3cret".into();
        }
        self.harness.get_by_label("Connect").click();
        self.settle();
        let id: RequestId = self.take(|command| match command {
            Command::Session(SessionCommand::Connect { id, .. }) => Some(*id),
            _ => None,
        });
        self.engine.emit(Event::Connected {
            id,
            session: SessionId::opened_by(id),
            security: Security::new(Encryption::Ssh, "SSH, aes128-gcm@openssh.com"),
            home: "/srv".into(),
            times: crate::engine::api::TimeSource::Exact,
        });
        self.settle();
        self.answer_listing("/srv", vec![folder("uploads"), file("index.html", 2_000)]);
    }

    /// Clicks into a text field and types, as a user would.
    fn type_into(&mut self, role: Role, label: &str, text: &str) {
        self.harness.get_by_role_and_label(role, label).click();
        self.settle();
        self.harness.get_by_role_and_label(role, label).type_text(text);
        self.settle();
    }

    /// The middle of a file list row's name (not the folder tree's entry of the same name).
    fn center_of(&self, label: &str) -> Pos2 {
        let mut found = self
            .harness
            .query_all_by_label_contains(label)
            .filter(|node| node.accesskit_node().role() == Role::Label);
        let node = found.next().unwrap_or_else(|| panic!("no row shows {label:?}"));
        assert!(found.next().is_none(), "more than one row shows {label:?}");
        node.rect().center()
    }

    /// Drags with the mouse from one point to another, in small moves like a hand.
    fn drag(&mut self, from: Pos2, to: Pos2) {
        self.harness.hover_at(from);
        self.harness.step();
        self.harness.drag_at(from);
        self.harness.step();
        self.harness.hover_at(from + vec2(12.0, 4.0));
        self.harness.step();
        self.harness.hover_at(to);
        self.harness.step();
        self.harness.drop_at(to);
        self.settle();
    }

    fn enqueued(&mut self) -> (Vec<TransferSpec>, bool) {
        self.take(|command| match command {
            Command::Queue(QueueCommand::Enqueue { specs, paused, .. }) => Some((specs.clone(), *paused)),
            _ => None,
        })
    }
}

#[derive(Debug)]
struct DesktopFile(PathBuf);

impl egui::DroppedFile for DesktopFile {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        Err("not read in tests".into())
    }
}

#[test]
fn connect_sends_the_fields_as_a_site() {
    let mut window = Window::open();
    window.type_into(Role::TextInput, "Host:", "ftp.example.org");
    window.type_into(Role::TextInput, "User:", "bob");
    window.type_into(Role::PasswordInput, "Password:", "pw with spaces");
    window.type_into(Role::TextInput, "Port:", "2222");
    window.harness.get_by_label("Connect").click();
    window.settle();

    let site = window.take(|command| match command {
        Command::Session(SessionCommand::Connect { site, .. }) => Some(site.clone()),
        _ => None,
    });
    assert_eq!(site.protocol, Protocol::Sftp);
    assert_eq!(
        (site.host.as_str(), site.port, site.user.as_str()),
        ("ftp.example.org", 2222, "bob")
    );
    assert_eq!(site.credentials.password.unwrap().expose(), "pw with spaces");
}

#[test]
fn a_url_pasted_into_host_fills_the_other_fields() {
    let mut window = Window::open();
    window.harness.get_by_role_and_label(Role::TextInput, "Host:").focus();
    window.settle();
    window
        .harness
        .event(egui::Event::Paste("ftpes://carol@ftp.example.net:2121/pub".into()));
    window.settle();
    let form = &window.harness.state().form;
    assert_eq!(form.protocol, Protocol::Ftpes);
    assert_eq!(
        (form.host.as_str(), form.user.as_str(), form.port.as_str()),
        ("ftp.example.net", "carol", "2121")
    );
}

#[test]
fn a_listing_fills_the_pane_and_a_failed_connect_says_why() {
    let mut window = Window::open();
    window.center_of("notes.txt");
    window.center_of("photos");
    assert!(window.harness.query_by_label_contains("3 items").is_some());

    window.harness.state_mut().form.host = "nowhere.invalid".into();
    window.harness.state_mut().form.user = "me".into();
    window.harness.get_by_label("Connect").click();
    window.settle();
    let id = window.take(|command| match command {
        Command::Session(SessionCommand::Connect { id, .. }) => Some(*id),
        _ => None,
    });
    window.engine.emit(Event::OpFinished {
        id,
        result: Err(crate::engine::api::OpError::new(
            crate::engine::api::ErrorKind::Connect,
            "could not resolve nowhere.invalid: no such host",
        )),
    });
    window.settle();
    assert!(window.harness.query_by_label("Could not connect").is_some());
    assert!(
        window
            .harness
            .query_all_by_label_contains("Could not resolve nowhere.invalid: no such host.")
            .next()
            .is_some(),
        "the error reads as a sentence"
    );
}

#[test]
fn dragging_rows_to_the_other_pane_enqueues_the_transfer() {
    let mut window = Window::open();
    window.connect();
    // Connected and idle, the window passes kittest's accessibility check: every control
    // has a label.
    window.harness.run();

    // A local file onto the server's list: an upload into its folder.
    let (from, to) = (window.center_of("notes.txt"), window.center_of("index.html"));
    window.drag(from, to);
    let (specs, paused) = window.enqueued();
    assert!(!paused);
    assert_eq!(
        specs,
        [TransferSpec {
            direction: Direction::Upload,
            local: PathBuf::from("/home/me/notes.txt"),
            remote: RemotePath::new("/srv"),
            recursive: true,
            keep_replaced: None,
        }]
    );

    // A server file onto a local folder row: a download into that folder.
    let (from, to) = (window.center_of("index.html"), window.center_of("photos"));
    window.drag(from, to);
    let (specs, _) = window.enqueued();
    assert_eq!(
        specs,
        [TransferSpec {
            direction: Direction::Download,
            local: PathBuf::from("/home/me/photos"),
            remote: RemotePath::new("/srv/index.html"),
            recursive: true,
            keep_replaced: None,
        }]
    );
}

#[test]
fn files_dropped_from_the_desktop_upload_to_the_server_folder_or_the_folder_row() {
    let mut window = Window::open();
    window.connect();

    let over_list = window.center_of("index.html");
    window.harness.hover_at(over_list);
    window.harness.step();
    window
        .harness
        .input_mut()
        .dropped_files
        .push(Arc::new(DesktopFile(PathBuf::from("/home/me/Desktop/site"))));
    window.settle();
    let (specs, _) = window.enqueued();
    assert_eq!(
        specs,
        [TransferSpec {
            direction: Direction::Upload,
            local: PathBuf::from("/home/me/Desktop/site"),
            remote: RemotePath::new("/srv"),
            recursive: true,
            keep_replaced: None,
        }]
    );

    let over_folder = window.center_of("uploads");
    window.harness.hover_at(over_folder);
    window.harness.step();
    window
        .harness
        .input_mut()
        .dropped_files
        .push(Arc::new(DesktopFile(PathBuf::from("/tmp/a.jpg"))));
    window.settle();
    let (specs, _) = window.enqueued();
    assert_eq!(specs[0].remote, RemotePath::new("/srv/uploads"));
}

#[test]
fn the_keyboard_moves_enters_goes_up_and_switches_panes() {
    let mut window = Window::open();
    window.connect();

    // The local pane has the keyboard: down twice is "photos" (after the up row), Enter opens it.
    window.harness.key_press(Key::ArrowDown);
    window.settle();
    window.harness.key_press(Key::Enter);
    window.settle();
    window.answer_listing("/home/me/photos", vec![file("cat.jpg", 10)]);
    assert_eq!(
        window.harness.state().local.path,
        Some(RemotePath::new("/home/me/photos"))
    );

    window.harness.key_press(Key::Backspace);
    window.settle();
    window.answer_listing(
        "/home/me",
        vec![folder("photos"), file("notes.txt", 120), file("report.pdf", 48_000)],
    );
    let chosen: Vec<_> = window
        .harness
        .state()
        .local
        .chosen()
        .iter()
        .map(|entry| entry.name.clone())
        .collect();
    assert_eq!(chosen, ["photos"], "back up, the cursor is on the folder we left");

    // Type-ahead jumps to "report.pdf"; Ctrl+A selects everything.
    window.harness.event(egui::Event::Text("re".into()));
    window.settle();
    let chosen: Vec<_> = window
        .harness
        .state()
        .local
        .chosen()
        .iter()
        .map(|entry| entry.name.clone())
        .collect();
    assert_eq!(chosen, ["report.pdf"]);
    window.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    window.settle();
    assert_eq!(window.harness.state().local.selected_count(), 3);

    // Tab: the server's pane; Enter on its first entry (the up row) lists the parent.
    window.harness.key_press(Key::Tab);
    window.settle();
    assert_eq!(
        window.harness.state().focus,
        crate::ui::intent::Focus::Pane(crate::ui::pane::Side::Remote)
    );
    window.harness.key_press(Key::ArrowDown);
    window.settle();
    window.harness.key_press(Key::ArrowDown);
    window.settle();
    window.harness.key_press(Key::Enter);
    window.settle();
    let (specs, _) = window.enqueued();
    assert_eq!(
        specs[0].remote,
        RemotePath::new("/srv/index.html"),
        "Enter on a file downloads it"
    );
}

#[test]
fn the_file_exists_dialog_answers_with_the_chosen_policy() {
    let mut window = Window::open();
    window.engine.emit(Event::Prompt {
        prompt: PromptId::new(77),
        question: Prompt::FileExists {
            item: ItemId::new(5),
            target: "/srv/index.html".into(),
            source_size: Some(2_000),
            source_modified: None,
            target_size: Some(1_000),
            target_modified: None,
        },
    });
    window.settle();
    assert!(window.harness.query_by_label("The target file exists").is_some());
    window.harness.get_by_label("Keep both (rename the new one)").click();
    window.settle();
    window
        .harness
        .get_by_label("Do this for all remaining conflicts")
        .click();
    window.settle();
    window.harness.get_by_label("OK").click();
    window.settle();
    let answer = window.take(|command| match command {
        Command::Answer { prompt, reply } => Some((*prompt, reply.clone())),
        _ => None,
    });
    assert_eq!(
        answer,
        (
            PromptId::new(77),
            PromptReply::Conflict {
                policy: ConflictPolicy::Rename,
                apply_to_all: true
            }
        )
    );
    assert!(
        window.harness.query_by_label("The target file exists").is_none(),
        "the dialog closed"
    );
}

#[test]
fn delete_asks_first_and_then_deletes_folders_with_their_contents() {
    let mut window = Window::open();
    window.harness.key_press(Key::ArrowDown);
    window.settle();
    window.harness.key_press(Key::Delete);
    window.settle();
    assert!(window.harness.query_by_label("Delete?").is_some());
    window.harness.get_by_label("Delete").click();
    window.settle();
    let (path, recursive) = window.take(|command| match command {
        Command::Session(SessionCommand::Request {
            request: SessionRequest::Delete { path, recursive, .. },
            ..
        }) => Some((path.clone(), *recursive)),
        _ => None,
    });
    assert_eq!((path.as_str(), recursive), ("/home/me/photos", true));
}

#[test]
fn closing_while_transfers_run_asks_to_finish_later_or_wait() {
    use crate::engine::api::Progress;
    let mut window = Window::open();
    let progress = Progress::new(Some(1_000_000));
    progress.set_done(250_000);
    window.download_running(progress, 1);
    window.settle();
    assert!(
        window.harness.query_by_label_contains("25%").is_some(),
        "the progress bar shows the counters"
    );

    window
        .harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    window.harness.step();
    let cancelled = window.harness.output().viewport_output[&egui::ViewportId::ROOT]
        .commands
        .contains(&egui::ViewportCommand::CancelClose);
    assert!(cancelled, "the window stays open");
    window.settle();
    assert!(window.harness.query_by_label("Transfers are running").is_some());
    window.harness.get_by_label("Finish later").click();
    window.harness.step();
    let closing = window.harness.output().viewport_output[&egui::ViewportId::ROOT]
        .commands
        .contains(&egui::ViewportCommand::Close);
    assert!(
        closing,
        "finish later closes the window; the queue resumes on the next start"
    );
}

#[test]
fn a_changed_host_key_is_a_hard_stop_with_both_fingerprints() {
    let mut window = Window::open();
    window.harness.state_mut().form.host = "files.example.org".into();
    window.harness.state_mut().form.user = "alice".into();
    window.harness.get_by_label("Connect").click();
    window.settle();
    let id = window.take(|command| match command {
        Command::Session(SessionCommand::Connect { id, .. }) => Some(*id),
        _ => None,
    });
    window.engine.emit(Event::HostKeyChanged {
        host: "files.example.org".into(),
        port: 22,
        key_type: "ssh-ed25519".into(),
        fingerprint: "SHA256:new-key".into(),
        recorded: vec!["SHA256:old-key".into()],
        known_hosts: PathBuf::from("/home/me/.config/wharf/known_hosts"),
    });
    window.engine.emit(Event::OpFinished {
        id,
        result: Err(crate::engine::api::OpError::new(
            crate::engine::api::ErrorKind::HostKey,
            "the host key of files.example.org has CHANGED",
        )),
    });
    window.settle();
    assert!(window.harness.query_by_label_contains("host key has CHANGED").is_some());
    assert!(window.harness.query_by_label_contains("SHA256:new-key").is_some());
    assert!(window.harness.query_by_label_contains("SHA256:old-key").is_some());
    assert!(
        window.harness.query_by_label("Trust once").is_none(),
        "nothing to accept"
    );
    window.harness.get_by_label("Close").click();
    window.settle();
    assert!(
        window.harness.query_by_label("Could not connect").is_none(),
        "one dialog is enough"
    );
    assert!(window.harness.state().dialogs.is_empty());
    let answered = window
        .sent
        .iter()
        .any(|command| matches!(command, Command::Answer { .. }));
    assert!(!answered, "no question was answered on the user's behalf");
}

impl Window {
    /// The queue shows one download of /srv/big.iso (1,000,000 bytes) running with
    /// `progress`, on its attempt `attempts`.
    fn download_running(&mut self, progress: crate::engine::api::Progress, attempts: u32) {
        use crate::engine::api::{ItemId, ItemKind, JobId, QueueItem, TransferState};
        self.engine.emit(Event::ItemsAdded {
            items: vec![QueueItem {
                id: ItemId::new(1),
                job: Some(JobId::new(1)),
                direction: Direction::Download,
                kind: ItemKind::File,
                local: PathBuf::from("/home/me/big.iso"),
                remote: "/srv/big.iso".into(),
                site: "sftp://alice@files.example.org:22".into(),
                size: Some(1_000_000),
                state: TransferState::Queued,
                attempts: 0,
                bytes_done: 0,
            }],
        });
        self.engine.emit(Event::ItemChanged {
            item: ItemId::new(1),
            state: TransferState::Transferring,
            attempts,
            progress,
        });
    }
}

fn acme_web() -> crate::engine::api::SavedSite {
    crate::engine::api::SavedSite {
        id: "s1".into(),
        name: "web".into(),
        folder: "Acme".into(),
        host: "web.acme.example".into(),
        user: "deploy".into(),
        ..crate::engine::api::SavedSite::default()
    }
}

impl Window {
    /// Asks to connect to a saved site (as a double click or `site:` link does); returns the
    /// request id of the engine's lookup.
    fn connect_to_saved(&mut self, reference: &str) -> RequestId {
        self.harness
            .state_mut()
            .carry_out(ConnectionIntent::ConnectSite(reference.into()));
        self.settle();
        self.take(|command| match command {
            Command::Sites(SitesCommand::Resolve { id, .. }) => Some(*id),
            _ => None,
        })
    }

    /// Opens the site manager and answers its list with `acme_web`.
    fn open_site_manager(&mut self, keyring: crate::engine::api::KeyringStatus) {
        self.harness.get_by_label("Site manager").click();
        self.settle();
        let id = self.take(|command| match command {
            Command::Sites(SitesCommand::List { id }) => Some(*id),
            _ => None,
        });
        self.engine.emit(Event::Sites {
            id,
            sites: vec![acme_web()],
            folders: vec!["Acme".into()],
            keyring,
        });
        self.settle();
    }
}

#[test]
fn the_site_manager_connects_to_a_saved_site_with_its_keyring_password() {
    let mut window = Window::open();
    window.open_site_manager(crate::engine::api::KeyringStatus::Available);
    assert!(
        window.harness.query_by_label(&folder_label("Acme")).is_some(),
        "the folder is in the tree"
    );
    window.harness.get_by_label(&site_label("web")).click();
    window.settle();
    window.harness.get_by_label("Connect to this site").click();
    window.settle();
    let (id, reference) = window.take(|command| match command {
        Command::Sites(SitesCommand::Resolve { id, reference }) => Some((*id, reference.clone())),
        _ => None,
    });
    assert_eq!(reference, "Acme/web");
    let mut site = acme_web().to_site(Some(crate::model::Secret::new("from-keyring")));
    site.port = 2222;
    window.engine.emit(Event::SiteResolved {
        id,
        saved: acme_web(),
        site,
        path: RemotePath::new("/var/www"),
        secret_missing: None,
    });
    window.settle();
    let site = window.take(|command| match command {
        Command::Session(SessionCommand::Connect { site, .. }) => Some(site.clone()),
        _ => None,
    });
    assert_eq!((site.host.as_str(), site.port), ("web.acme.example", 2222));
    assert_eq!(site.credentials.password.unwrap().expose(), "from-keyring");
    assert!(!window.harness.state().sites.open, "the manager closes once connecting");

    // Deleting a site asks first.
    window.open_site_manager(crate::engine::api::KeyringStatus::Available);
    window.harness.get_by_label(&site_label("web")).click();
    window.settle();
    window.harness.get_by_label("Delete").click();
    window.settle();
    assert!(window.harness.query_by_label("Delete the site?").is_some());
    window.harness.get_by_label("Delete the site").click();
    window.settle();
    let name = window.take(|command| match command {
        Command::Sites(SitesCommand::Delete { name, .. }) => Some(name.clone()),
        _ => None,
    });
    assert_eq!(name, "Acme/web");
}

#[test]
fn a_new_site_is_saved_with_its_password_for_the_keyring() {
    let mut window = Window::open();
    window.open_site_manager(crate::engine::api::KeyringStatus::Available);
    window.harness.get_by_label("New site").click();
    window.settle();
    window.type_into(Role::TextInput, "Name:", "backup box");
    window.type_into(Role::TextInput, "Host name:", "backup.example.net");
    window.type_into(Role::TextInput, "User name:", "me");
    window.type_into(Role::TextInput, "Jump hosts:", "bastion,ops@gate:2222");
    window.type_into(Role::PasswordInput, "Site password:", "for the keyring");
    window.harness.get_by_label("Save").click();
    window.settle();
    let (site, secret) = window.take(|command| match command {
        Command::Sites(SitesCommand::Save { site, secret, .. }) => Some((site.clone(), secret.clone())),
        _ => None,
    });
    assert_eq!(
        (site.name.as_str(), site.host.as_str(), site.user.as_str()),
        ("backup box", "backup.example.net", "me")
    );
    assert_eq!(site.jump_hosts, "bastion,ops@gate:2222");
    assert!(site.id.is_empty(), "a new site");
    assert_eq!(secret.unwrap().expose(), "for the keyring");
    assert!(
        window
            .harness
            .state()
            .sites
            .editing
            .as_ref()
            .unwrap()
            .password
            .is_empty(),
        "the window forgets it"
    );
}

#[test]
fn without_a_keyring_the_manager_says_so_and_connect_asks_for_the_password() {
    let mut window = Window::open();
    window.open_site_manager(crate::engine::api::KeyringStatus::Unavailable {
        reason: "no keyring is reachable (no D-Bus session)".into(),
    });
    assert!(
        window
            .harness
            .query_by_label_contains("passwords cannot be saved, so Wharf asks for them")
            .is_some()
    );
    window.harness.get_by_label(&site_label("web")).click();
    window.settle();
    window.harness.get_by_label("Connect to this site").click();
    window.settle();
    let id = window.take(|command| match command {
        Command::Sites(SitesCommand::Resolve { id, .. }) => Some(*id),
        _ => None,
    });
    window.engine.emit(Event::SiteResolved {
        id,
        saved: acme_web(),
        site: acme_web().to_site(None),
        path: RemotePath::home(),
        secret_missing: Some("no keyring is reachable (no D-Bus session)".into()),
    });
    window.settle();
    assert!(window.harness.query_by_label("The password for Acme/web").is_some());
    window.type_into(Role::PasswordInput, "Password for this site:", "typed now");
    window.harness.get_by_label("Log in").click();
    window.settle();
    let site = window.take(|command| match command {
        Command::Session(SessionCommand::Connect { site, .. }) => Some(site.clone()),
        _ => None,
    });
    assert_eq!(site.credentials.password.unwrap().expose(), "typed now");
}

#[test]
fn site_folders_are_made_renamed_and_deleted_through_the_engine() {
    let mut window = Window::open();
    window.open_site_manager(crate::engine::api::KeyringStatus::Available);

    window.harness.get_by_label("New folder").click();
    window.settle();
    window.type_into(Role::TextInput, "Folder path:", "Archive/2025");
    window.harness.get_by_label("Create").click();
    window.settle();
    let edit = window.take(|command| match command {
        Command::Sites(SitesCommand::EditFolder { edit, .. }) => Some(edit.clone()),
        _ => None,
    });
    assert_eq!(
        edit,
        FolderEdit::Create {
            path: "Archive/2025".into()
        }
    );

    window.harness.get_by_label(&folder_label("Acme")).click_secondary();
    window.settle();
    window.harness.get_by_label("Rename or move…").click();
    window.settle();
    // The field holds "Acme", focused, the cursor at its end.
    window
        .harness
        .get_by_role_and_label(Role::TextInput, "Folder path:")
        .type_text("/Old");
    window.settle();
    assert!(
        window
            .harness
            .query_by_label_contains("cannot move into itself")
            .is_some(),
        "Acme/Old would be inside Acme"
    );
    window.harness.key_press(Key::Home);
    window.settle();
    window
        .harness
        .get_by_role_and_label(Role::TextInput, "Folder path:")
        .type_text("Clients/");
    window.settle();
    window.harness.get_by_label("Rename").click();
    window.settle();
    let edit = window.take(|command| match command {
        Command::Sites(SitesCommand::EditFolder { edit, .. }) => Some(edit.clone()),
        _ => None,
    });
    assert_eq!(
        edit,
        FolderEdit::Rename {
            from: "Acme".into(),
            to: "Clients/Acme/Old".into()
        }
    );

    window.harness.get_by_label(&folder_label("Acme")).click_secondary();
    window.settle();
    window.harness.get_by_label("Delete…").click();
    window.settle();
    assert!(
        window
            .harness
            .query_by_label_contains("and the site in it, with its saved password")
            .is_some(),
        "deleting a folder says what goes with it"
    );
    window.harness.get_by_label("Delete the folder").click();
    window.settle();
    let edit = window.take(|command| match command {
        Command::Sites(SitesCommand::EditFolder { edit, .. }) => Some(edit.clone()),
        _ => None,
    });
    assert_eq!(edit, FolderEdit::Delete { path: "Acme".into() });
}

#[test]
fn duplicate_asks_the_engine_and_shows_the_copy() {
    let mut window = Window::open();
    window.open_site_manager(crate::engine::api::KeyringStatus::Available);
    window.harness.get_by_label(&site_label("web")).click();
    window.settle();
    window.harness.get_by_label("Duplicate").click();
    window.settle();
    let (id, name) = window.take(|command| match command {
        Command::Sites(SitesCommand::Duplicate { id, name }) => Some((*id, name.clone())),
        _ => None,
    });
    assert_eq!(name, "Acme/web");
    let copy = crate::engine::api::SavedSite {
        id: "s2".into(),
        name: "web (copy)".into(),
        ..acme_web()
    };
    window.engine.emit(Event::SiteSaved {
        id,
        site: copy,
        warning: None,
    });
    window.settle();
    let editing = window.harness.state().sites.editing.as_ref().unwrap();
    assert_eq!(editing.site.id, "s2", "the copy is the site in the form");
}

#[test]
fn a_filezilla_import_offers_to_remove_the_passwords_from_its_file() {
    let mut window = Window::open();
    window.open_site_manager(crate::engine::api::KeyringStatus::Available);
    let file = PathBuf::from("/home/me/.config/filezilla/sitemanager.xml");
    window
        .harness
        .state_mut()
        .carry_out(SitesIntent::Import(crate::engine::api::ImportSource::FileZilla {
            file: file.clone(),
            scrub: false,
        }));
    window.settle();
    let id = window.take(|command| match command {
        Command::Sites(SitesCommand::Import { id, .. }) => Some(*id),
        _ => None,
    });
    window.engine.emit(Event::Imported {
        id,
        report: crate::engine::api::ImportReport {
            added: vec!["Work/alpha".into(), "beta".into()],
            passwords_moved: vec!["Work/alpha".into()],
            skipped: vec!["s3 bucket: S3 is not supported yet".into()],
            warnings: Vec::new(),
        },
    });
    window.settle();
    assert!(window.harness.query_by_label("+ Work/alpha").is_some());
    assert!(window.harness.query_by_label_contains("skipped s3 bucket").is_some());
    window
        .harness
        .get_by_label("Remove the passwords from FileZilla's file")
        .click();
    window.settle();
    let (removed_from, sites) = window.take(|command| match command {
        Command::Sites(SitesCommand::RemoveImportedPasswords { file, sites, .. }) => {
            Some((file.clone(), sites.clone()))
        }
        _ => None,
    });
    assert_eq!((removed_from, sites), (file, vec!["Work/alpha".to_owned()]));
}

#[test]
fn the_trust_page_lists_what_is_trusted_and_forgets_one() {
    use crate::engine::api::{PinnedCertificate, TrustEntry, TrustedHostKey};
    let mut window = Window::open();
    window.open_site_manager(crate::engine::api::KeyringStatus::Available);
    window.harness.get_by_label("Trusted servers").click();
    window.settle();
    let id = window.take(|command| match command {
        Command::Trust(TrustCommand::List { id }) => Some(*id),
        _ => None,
    });
    let ours = TrustedHostKey {
        hosts: "[127.0.0.1]:2222".into(),
        key_type: "ssh-ed25519".into(),
        fingerprint: "SHA256:ours".into(),
        revoked: false,
        file: PathBuf::from("/home/me/.config/wharf/known_hosts"),
        removable: true,
    };
    let openssh = TrustedHostKey {
        hosts: "github.com".into(),
        fingerprint: "SHA256:theirs".into(),
        file: PathBuf::from("/home/me/.ssh/known_hosts"),
        removable: false,
        ..ours.clone()
    };
    window.engine.emit(Event::Trust {
        id,
        host_keys: vec![ours.clone(), openssh],
        certificates: vec![PinnedCertificate {
            server: "ftp.example.org:21".into(),
            fingerprint: "SHA256:cert".into(),
        }],
    });
    window.settle();
    assert!(window.harness.query_by_label("SHA256:ours").is_some());
    assert!(window.harness.query_by_label("SHA256:theirs").is_some());
    assert!(window.harness.query_by_label("ftp.example.org:21").is_some());
    let forget: Vec<_> = window.harness.query_all_by_label("Forget").collect();
    assert_eq!(forget.len(), 2, "OpenSSH's own file is not edited from here");
    forget[0].click();
    window.settle();
    let entry = window.take(|command| match command {
        Command::Trust(TrustCommand::Forget { entry, .. }) => Some(entry.clone()),
        _ => None,
    });
    assert_eq!(entry, TrustEntry::HostKey(ours));
}

#[test]
fn a_password_typed_for_a_site_is_remembered_until_wharf_quits() {
    let mut window = Window::open();
    let resolve = |window: &mut Window, secret_missing: Option<String>| {
        let id = window.connect_to_saved("Acme/web");
        window.engine.emit(Event::SiteResolved {
            id,
            saved: acme_web(),
            site: acme_web().to_site(None),
            path: RemotePath::home(),
            secret_missing,
        });
        window.settle();
    };
    resolve(
        &mut window,
        Some("the site asks for its password at every connection".into()),
    );
    window.type_into(Role::PasswordInput, "Password for this site:", "typed once");
    window.harness.get_by_label("Log in").click();
    window.settle();
    let (id, first) = window.take(|command| match command {
        Command::Session(SessionCommand::Connect { id, site }) => Some((*id, site.clone())),
        _ => None,
    });
    assert_eq!(first.credentials.password.unwrap().expose(), "typed once");
    // The site has no remote folder: `~` opens as the login folder the server names.
    window.engine.emit(Event::Connected {
        id,
        session: SessionId::opened_by(id),
        security: Security::new(Encryption::Ssh, "SSH"),
        home: "/home/deploy".into(),
        times: crate::engine::api::TimeSource::Exact,
    });
    window.settle();
    window.answer_listing("/home/deploy", vec![file("todo.txt", 3)]);

    resolve(
        &mut window,
        Some("the site asks for its password at every connection".into()),
    );
    assert!(
        window.harness.query_by_label("Password for this site:").is_none(),
        "not asked twice in one run"
    );
    let second = window.take(|command| match command {
        Command::Session(SessionCommand::Connect { site, .. }) => Some(site.clone()),
        _ => None,
    });
    assert_eq!(second.credentials.password.unwrap().expose(), "typed once");
}

#[test]
fn a_saved_sites_bookmarks_open_from_the_server_pane_and_the_current_folder_can_be_added() {
    let mut window = Window::open();
    let saved = crate::engine::api::SavedSite {
        bookmarks: vec!["/var/log/nginx".into()],
        upload_via_temp: false,
        ..acme_web()
    };
    let id = window.connect_to_saved("Acme/web");
    window.engine.emit(Event::SiteResolved {
        id,
        saved: saved.clone(),
        site: saved.to_site(Some(crate::model::Secret::new("pw"))),
        path: RemotePath::new("/var/www"),
        secret_missing: None,
    });
    window.settle();
    let id = window.take(|command| match command {
        Command::Session(SessionCommand::Connect { id, .. }) => Some(*id),
        _ => None,
    });
    window.engine.emit(Event::Connected {
        id,
        session: SessionId::opened_by(id),
        security: Security::new(Encryption::Ssh, "SSH"),
        home: "/home/deploy".into(),
        times: crate::engine::api::TimeSource::Exact,
    });
    window.settle();
    window.answer_listing("/var/www", vec![file("index.html", 10)]);

    window.harness.get_by_label(crate::ui::icons::BOOKMARKS).click();
    window.settle();
    window.harness.get_by_label("Bookmark this folder").click();
    window.settle();
    let site = window.take(|command| match command {
        Command::Sites(SitesCommand::Save { site, secret: None, .. }) => Some(site.clone()),
        _ => None,
    });
    assert_eq!(site.bookmarks, ["/var/log/nginx", "/var/www"]);
    assert!(
        !window.harness.state().sites.open,
        "bookmarking does not open the site manager"
    );

    window.harness.get_by_label(crate::ui::icons::BOOKMARKS).click();
    window.settle();
    window.harness.get_by_label("/var/log/nginx").click();
    window.settle();
    window.answer_listing("/var/log/nginx", vec![file("access.log", 10)]);

    // The site's upload mode applies to what is queued while connected to it.
    window
        .harness
        .state_mut()
        .carry_out(crate::ui::intent::PaneIntent::Transfer {
            from: crate::ui::pane::Side::Local,
            names: vec!["notes.txt".into()],
            into: None,
            paused: false,
        });
    window.settle();
    let options = window.take(|command| match command {
        Command::Queue(QueueCommand::Enqueue { options, .. }) => Some(*options),
        _ => None,
    });
    assert!(!options.upload_via_temp);
}

#[test]
fn dragging_in_the_site_tree_moves_sites_and_folders() {
    let mut window = Window::open();
    window.open_site_manager(crate::engine::api::KeyringStatus::Available);
    let (site, top) = (
        window.harness.get_by_label(&site_label("web")).rect().center(),
        window.harness.get_by_label("Sites").rect().center(),
    );
    window.drag(site, top);
    let moved = window.take(|command| match command {
        Command::Sites(SitesCommand::Save { site, .. }) => Some(site.clone()),
        _ => None,
    });
    assert_eq!(
        (moved.id.as_str(), moved.folder.as_str()),
        ("s1", ""),
        "to the top level"
    );

    // A folder dropped on another moves inside it, with its sites.
    window.harness.state_mut().sites.folders = vec!["Acme".into(), "Clients".into()];
    window.settle();
    let (acme, clients) = (
        window.harness.get_by_label(&folder_label("Acme")).rect().center(),
        window.harness.get_by_label(&folder_label("Clients")).rect().center(),
    );
    window.drag(acme, clients);
    let edit = window.take(|command| match command {
        Command::Sites(SitesCommand::EditFolder { edit, .. }) => Some(edit.clone()),
        _ => None,
    });
    assert_eq!(
        edit,
        FolderEdit::Rename {
            from: "Acme".into(),
            to: "Clients/Acme".into()
        }
    );
}

/// A link from a browser (`wharf -- URL`, issue 11) opens the window at the place it names and
/// does nothing else: no transfer, no deletion, no saved password, no trust without the
/// usual question.
#[test]
fn a_link_opens_its_folder_and_does_nothing_else() {
    let mut window = Window::open_at(Some("sftp://alice:hunter2@files.example.org/~/www"));
    let (id, site) = window.take(|command| match command {
        Command::Session(SessionCommand::Connect { id, site, .. }) => Some((*id, site.clone())),
        _ => None,
    });
    assert_eq!((site.host.as_str(), site.user.as_str()), ("files.example.org", "alice"));
    assert_eq!(
        site.credentials.password.as_ref().map(|secret| secret.expose()),
        Some("hunter2"),
        "the link's password serves this connection"
    );

    // An unknown host key is asked about, and nothing answers it but the user.
    window.engine.emit(Event::Prompt {
        prompt: PromptId::new(5),
        question: Prompt::UnknownHostKey {
            host: "files.example.org".into(),
            port: 22,
            server: "files.example.org".into(),
            key_type: "ssh-ed25519".into(),
            fingerprint: "SHA256:abc".into(),
        },
    });
    window.settle();
    window.settle();
    assert!(
        window.harness.query_by_label("Trust once").is_some(),
        "the question is shown"
    );
    assert!(
        !window
            .sent
            .iter()
            .any(|command| matches!(command, Command::Answer { .. })),
        "no answer was given for the user: {:#?}",
        window.sent
    );
    window.harness.get_by_label("Trust once").click();
    window.settle();
    let reply = window.take(|command| match command {
        Command::Answer { prompt, reply } if *prompt == PromptId::new(5) => Some(reply.clone()),
        _ => None,
    });
    assert_eq!(reply, PromptReply::AcceptOnce);

    window.engine.emit(Event::Connected {
        id,
        session: SessionId::opened_by(id),
        security: Security::new(Encryption::Ssh, "SSH"),
        home: "/home/alice".into(),
        times: crate::engine::api::TimeSource::Exact,
    });
    window.settle();
    window.answer_listing("/home/alice/www", vec![file("index.html", 10)]);
    window.settle();

    window.sent.extend(window.engine.sent());
    for command in &window.sent {
        assert!(
            matches!(
                command,
                Command::Session(SessionCommand::Request {
                    request: SessionRequest::List { .. },
                    ..
                }) | Command::Session(SessionCommand::OpenLocal { .. })
                    | Command::Queue(QueueCommand::SetLimits { .. })
            ),
            "a link only connects and lists, but the window sent {command:#?}"
        );
    }
    let remembered = serde_json::to_string(&window.harness.state().settings).unwrap();
    assert!(remembered.contains("files.example.org"), "{remembered}");
    assert!(!remembered.contains("hunter2"), "the link's password is not remembered");
}

#[test]
fn about_shows_the_version_the_licence_and_where_files_live() {
    let mut window = Window::open();
    window.harness.get_by_label("About").click();
    window.settle();
    let version = format!("Wharf {}", env!("CARGO_PKG_VERSION"));
    assert!(window.harness.query_by_label(&version).is_some(), "{version} is shown");
    assert!(window.harness.query_by_label("Licence: MIT OR Apache-2.0").is_some());
    assert!(window.harness.query_by_label("Transfer queue:").is_some());
    window.harness.get_by_label("Close").click();
    window.settle();
    assert!(window.harness.query_by_label(&version).is_none(), "Close closes it");
}

#[test]
fn the_window_icon_is_the_rendered_app_icon() {
    let icon = crate::ui::window_icon().expect("the committed render decodes");
    assert_eq!((icon.width, icon.height), (256, 256));
    assert_eq!(icon.rgba.len(), 256 * 256 * 4);
}

#[test]
fn the_local_pane_opens_where_it_was_or_at_home_when_that_folder_is_gone() {
    let (handle, mut engine) = EngineHandle::detached();
    let settings = Settings {
        local_folder: Some("/home/me/gone".into()),
        ..Settings::default()
    };
    let harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut App| app.frame(ui), App::new(handle, settings, None));
    let local = engine
        .sent()
        .iter()
        .find_map(|command| match command {
            Command::Session(SessionCommand::OpenLocal { id }) => Some(*id),
            _ => None,
        })
        .unwrap();
    let mut window = Window {
        harness,
        engine,
        sent: Vec::new(),
    };
    window.engine.emit(Event::Connected {
        id: local,
        session: LOCAL_SESSION,
        security: Security::local("local"),
        home: "/home/me".into(),
        times: crate::engine::api::TimeSource::Exact,
    });
    window.settle();
    // The folder of last time is asked for first; the window never looks at the disk itself.
    let gone = window.take(|command| match command {
        Command::Session(SessionCommand::Request {
            request: SessionRequest::List { id, path },
            ..
        }) if path.as_str() == "/home/me/gone" => Some(*id),
        _ => None,
    });
    window.engine.emit(Event::OpFinished {
        id: gone,
        result: Err(crate::engine::api::OpError::new(
            crate::engine::api::ErrorKind::NotFound,
            "no such folder",
        )),
    });
    window.settle();
    window.answer_listing("/home/me", vec![file("notes.txt", 120)]);
    assert_eq!(
        window.harness.state().local.path,
        Some(RemotePath::new("/home/me")),
        "home instead of the folder that is gone"
    );
    assert!(window.harness.query_by_label_contains("notes.txt").is_some());
}

impl Window {
    /// Clicks at a point with the mouse (press and release), as a hand does; no AccessKit.
    fn click_at(&mut self, at: Pos2) {
        self.harness.hover_at(at);
        self.harness.step();
        self.harness.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: Modifiers::NONE,
        });
        self.harness.step();
        self.harness.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: Modifiers::NONE,
        });
        self.settle();
    }

    /// Types text with key events, as a keyboard does; no AccessKit.
    fn type_keys(&mut self, text: &str) {
        self.harness.event(egui::Event::Text(text.to_owned()));
        self.settle();
    }

    /// The middle of the widget with this role and label.
    fn middle_of(&self, role: Role, label: &str) -> Pos2 {
        let bounds = self
            .harness
            .get_by_role_and_label(role, label)
            .accesskit_node()
            .bounding_box()
            .unwrap();
        Pos2::new(
            ((bounds.x0 + bounds.x1) / 2.0) as f32,
            ((bounds.y0 + bounds.y1) / 2.0) as f32,
        )
    }
}

#[test]
fn the_queues_password_question_takes_a_click_typing_and_enter() {
    let mut window = Window::open();
    window.engine.emit(Event::Prompt {
        prompt: PromptId::new(9),
        question: Prompt::Password {
            site: "ftp://bench@127.0.0.1:2121".into(),
            passphrase: false,
        },
    });
    window.settle();
    // Click into the field first, as people do, then type and press Enter.
    let field = window.middle_of(Role::PasswordInput, "Password for the queue:");
    window.click_at(field);
    window.type_keys("pw-typed");
    window.harness.key_press(Key::Enter);
    window.settle();
    let reply = window.take(|command| match command {
        Command::Answer { prompt, reply } if *prompt == PromptId::new(9) => Some(reply.clone()),
        _ => None,
    });
    match reply {
        PromptReply::Password(secret) => assert_eq!(secret.expose(), "pw-typed"),
        other => panic!("not a password: {other:?}"),
    }
}

#[test]
fn the_log_counts_transfers_left_from_the_last_run_in_words() {
    let mut window = Window::open();
    for (queued, said) in [
        (1, "1 transfer left from the last run is back in the queue."),
        (3, "3 transfers left from the last run are back in the queue."),
    ] {
        window.engine.emit(Event::QueueLoaded {
            counts: crate::engine::api::QueueCounts {
                queued,
                ..crate::engine::api::QueueCounts::default()
            },
        });
        window.settle();
        assert!(
            window.harness.query_by_label_contains(said).is_some(),
            "the log says {said:?}"
        );
    }
}

#[test]
fn the_default_columns_show_a_whole_date_and_time_on_both_sides() {
    let mut window = Window::open();
    window.connect();
    let modified = chrono::DateTime::from_timestamp(1_764_488_460, 0);
    let entry = |name: &str| Entry {
        modified,
        permissions: Some("rw-r--r--".into()),
        owner: Some("www-data".into()),
        ..file(name, 48_000)
    };
    for (side, folder, name) in [
        (crate::ui::pane::Side::Remote, "/srv", "remote-report.pdf"),
        (crate::ui::pane::Side::Local, "/home/me", "local-report.pdf"),
    ] {
        window
            .harness
            .state_mut()
            .carry_out(crate::ui::intent::PaneIntent::Refresh(side));
        window.settle();
        window.answer_listing(folder, vec![entry(name)]);
    }
    let shown = crate::ui::format::maybe_date(modified);
    let cells: Vec<_> = window.harness.query_all_by_label(&shown).collect();
    assert_eq!(cells.len(), 2, "one date in each pane");
    let font = egui::TextStyle::Body.resolve(&window.harness.ctx.global_style());
    let needed = window
        .harness
        .ctx
        .fonts_mut(|fonts| fonts.layout_no_wrap(shown.clone(), font, egui::Color32::WHITE).size().x);
    for cell in cells {
        let bounds = cell.accesskit_node().bounding_box().unwrap();
        let width = (bounds.x1 - bounds.x0) as f32;
        assert!(
            width + 0.5 >= needed,
            "{shown:?} needs {needed} px, its cell shows {width}"
        );
    }
}

#[test]
fn the_queue_takes_keys_once_clicked_or_reached_with_tab() {
    use crate::engine::api::{ItemKind, Move, QueueItem, Selection, TransferState};
    let mut window = Window::open();
    let item = |id: u64, state: TransferState| QueueItem {
        id: ItemId::new(id),
        job: None,
        direction: Direction::Download,
        kind: ItemKind::File,
        local: PathBuf::from(format!("/home/me/file-{id}.bin")),
        remote: format!("/srv/file-{id}.bin"),
        site: "sftp://alice@files.example.org:22".into(),
        size: Some(1_000),
        state,
        attempts: 0,
        bytes_done: 0,
    };
    window.engine.emit(Event::ItemsAdded {
        items: vec![item(1, TransferState::Queued), item(2, TransferState::Paused)],
    });
    window.settle();
    // Click the second row: the queue has the keyboard now, and that item is selected.
    let row = window.harness.get_by_label("/home/me/file-2.bin").rect().center();
    window.click_at(row);
    assert_eq!(window.harness.state().focus, crate::ui::intent::Focus::Queue);
    let only_two = Selection::Items(vec![ItemId::new(2)]);
    window.harness.key_press(Key::Space);
    window.settle();
    window.take(|command| match command {
        Command::Queue(QueueCommand::Resume { items }) if *items == only_two => Some(()),
        _ => None,
    });
    window.harness.key_press_modifiers(Modifiers::COMMAND, Key::ArrowUp);
    window.settle();
    window.take(|command| match command {
        Command::Queue(QueueCommand::Reprioritize { item, to: Move::Up }) if *item == ItemId::new(2) => Some(()),
        _ => None,
    });
    window.harness.key_press(Key::Delete);
    window.settle();
    window.take(|command| match command {
        Command::Queue(QueueCommand::CancelItems { items }) if *items == only_two => Some(()),
        _ => None,
    });
    // Tab leaves the queue for this computer's pane; the panes' keys work there again.
    window.harness.key_press(Key::Tab);
    window.settle();
    assert_eq!(
        window.harness.state().focus,
        crate::ui::intent::Focus::Pane(crate::ui::pane::Side::Local)
    );
}

#[test]
fn connect_with_unsaved_changes_asks_to_save_them_first() {
    let mut window = Window::open();
    window.open_site_manager(crate::engine::api::KeyringStatus::Available);
    window.harness.get_by_label(&site_label("web")).click();
    window.settle();
    // Nothing changed: Connect connects at once.
    window.harness.get_by_label("Connect to this site").click();
    window.settle();
    assert!(window.harness.query_by_label("Save the changes first?").is_none());
    window.take(|command| match command {
        Command::Sites(SitesCommand::Resolve { reference, .. }) if reference == "Acme/web" => Some(()),
        _ => None,
    });

    // The manager stays open until the lookup answers; the form still shows the site.
    window.type_into(Role::TextInput, "User name:", "-ops");
    window.harness.get_by_label("Connect to this site").click();
    window.settle();
    assert!(
        window.harness.query_by_label("Save the changes first?").is_some(),
        "the form's changes are not lost silently"
    );
    window.harness.get_by_label("Save and connect").click();
    window.settle();
    let (id, saved) = window.take(|command| match command {
        Command::Sites(SitesCommand::Save { id, site, .. }) => Some((*id, site.clone())),
        _ => None,
    });
    assert_eq!(saved.user, "deploy-ops");
    assert!(
        !window
            .sent
            .iter()
            .any(|command| matches!(command, Command::Sites(SitesCommand::Resolve { .. }))),
        "it connects once the site is saved, not before"
    );
    window.engine.emit(Event::SiteSaved {
        id,
        site: saved,
        warning: None,
    });
    window.settle();
    window.take(|command| match command {
        Command::Sites(SitesCommand::Resolve { reference, .. }) if reference == "Acme/web" => Some(()),
        _ => None,
    });
}

#[test]
fn the_theme_can_be_chosen_and_is_remembered() {
    let mut window = Window::open();
    window.settle();
    window.harness.get_by_label("Theme:").click();
    window.settle();
    window.harness.get_by_label("Light").click();
    window.settle();
    assert_eq!(window.harness.ctx.theme(), egui::Theme::Light);
    let remembered = window.harness.state_mut().settings().clone();
    assert_eq!(remembered.theme, egui::ThemePreference::Light);
    let text = serde_json::to_string(&remembered).unwrap();
    let back: Settings = serde_json::from_str(&text).unwrap();
    assert_eq!(
        back.theme,
        egui::ThemePreference::Light,
        "remembered with the settings: {text}"
    );
}

#[path = "edit_tests.rs"]
mod edit_tests;

#[path = "sync_tests.rs"]
mod sync_tests;

/// The Menu key and Shift+F10 open the cursor row's context menu (issue 13), whose entries
/// then work as when right-clicked.
#[test]
fn the_menu_key_and_shift_f10_open_the_context_menu_of_the_cursor_row() {
    let mut window = Window::open();
    window.connect();
    window.harness.key_press(Key::ArrowDown);
    window.settle();
    window.harness.key_press(Key::ArrowDown);
    window.settle();
    assert!(window.harness.query_by_label("Rename (F2)").is_none());
    window.harness.key_press(Key::Menu);
    window.settle();
    assert!(
        window.harness.query_by_label("Rename (F2)").is_some(),
        "the menu is open"
    );
    window.harness.key_press(Key::Escape);
    window.settle();
    assert!(
        window.harness.query_by_label("Rename (F2)").is_none(),
        "Escape closes it"
    );

    window.harness.key_press_modifiers(Modifiers::SHIFT, Key::F10);
    window.settle();
    window.harness.get_by_label("Rename (F2)").click();
    window.settle();
    assert!(
        window.harness.query_by_label_contains("Rename notes.txt").is_some(),
        "the menu's entry acts on the cursor row"
    );
}

/// Without a desktop portal the system's file chooser does not open (rfd returns nothing):
/// the window asks for the path in a dialog of its own instead (issue 13).
#[test]
fn a_file_chooser_that_does_not_open_falls_back_to_typing_the_path() {
    let mut window = Window::open();
    window
        .harness
        .state()
        .background
        .pretend(crate::ui::background::Done::Picked {
            what: crate::ui::background::Pick::KeyFile,
            path: None,
            start: Some(PathBuf::from("/home/me/.ssh")),
        });
    window.settle();
    assert!(window.harness.query_by_label("Choose a private key").is_some());
    window.type_into(Role::TextInput, "Key file:", "/id_ed25519");
    window.harness.key_press(Key::Enter);
    window.settle();
    assert_eq!(
        window.harness.state().form.key_file,
        Some(PathBuf::from("/home/me/.ssh/id_ed25519"))
    );

    window
        .harness
        .state()
        .background
        .pretend(crate::ui::background::Done::Picked {
            what: crate::ui::background::Pick::LocalFolder,
            path: None,
            start: Some(PathBuf::from("/home/me")),
        });
    window.settle();
    window.type_into(Role::TextInput, "Folder:", "/photos");
    window.harness.get_by_label("Open").click();
    window.settle();
    window.answer_listing("/home/me/photos", vec![file("cat.jpg", 10)]);
    assert_eq!(
        window.harness.state().local.path,
        Some(RemotePath::new("/home/me/photos"))
    );
}

/// A job that ends while the window is in the background raises a desktop notification
/// with what was transferred (issue 13); one that ends in front of the user does not.
#[test]
fn a_job_finished_in_the_background_is_told_on_the_desktop() {
    let mut window = Window::open();
    window.connect();
    let finish = |window: &mut Window, focused: bool| {
        window.harness.key_press(Key::ArrowDown);
        window.settle();
        window.harness.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
        window.settle();
        let job = window.take(|command| match command {
            Command::Queue(QueueCommand::Enqueue { job, .. }) => Some(*job),
            _ => None,
        });
        window
            .harness
            .input_mut()
            .viewports
            .entry(egui::ViewportId::ROOT)
            .or_default()
            .focused = Some(focused);
        window.settle();
        window.engine.emit(Event::JobFinished {
            job,
            summary: crate::engine::api::OpSummary {
                files: 2,
                bytes: 3 * 1024 * 1024,
                failed: vec!["b.txt: permission denied".into()],
                ..Default::default()
            },
        });
        window.settle();
    };
    finish(&mut window, true);
    assert_eq!(window.harness.state().background.notices(), vec![]);

    finish(&mut window, false);
    let notices = window.harness.state().background.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].title, "Transfer finished with failures");
    assert!(
        notices[0].body.starts_with("2 files, 3.0 MiB in "),
        "{}",
        notices[0].body
    );
    assert!(notices[0].body.ends_with("; 1 failed."), "{}", notices[0].body);
}

/// Bug 1 of issue 13: a dialog's text field asked for the keyboard again every frame while
/// the window was in the background (egui counts a widget as focused only when its window
/// is). Each request interrupts the input method, which egui-winit does by turning it off
/// and on; on X11 that wakes the window again, so the window spun at 100 % of a core and
/// keys typed meanwhile could be lost. The field must ask once and then leave it.
#[test]
fn a_dialog_field_asks_for_the_keyboard_once_even_while_the_window_is_in_the_background() {
    let mut window = Window::open();
    window.harness.input_mut().focused = false;
    window.engine.emit(Event::Prompt {
        prompt: PromptId::new(9),
        question: Prompt::Password {
            site: "ftp://bench@127.0.0.1:2121".into(),
            passphrase: false,
        },
    });
    window.settle();
    for frame in 0..6 {
        window.harness.step();
        let interrupts = window
            .harness
            .output()
            .platform_output
            .ime
            .as_ref()
            .is_some_and(|ime| ime.should_interrupt_composition);
        assert!(!interrupts, "frame {frame} asked for the keyboard again");
    }
    // Back in front, typing goes into the field.
    window.harness.input_mut().focused = true;
    window.type_keys("pw");
    window.harness.key_press(Key::Enter);
    window.settle();
    let reply = window.take(|command| match command {
        Command::Answer { prompt, reply } if *prompt == PromptId::new(9) => Some(reply.clone()),
        _ => None,
    });
    match reply {
        PromptReply::Password(secret) => assert_eq!(secret.expose(), "pw"),
        other => panic!("not a password: {other:?}"),
    }
}

/// Bug 1 of issue 13, the other half: while the only running transfer waits for the user's
/// password nothing can move, so the window sleeps instead of redrawing four times a second.
#[test]
fn the_window_sleeps_while_a_transfer_waits_for_the_password() {
    use crate::engine::api::{ItemKind, Progress, QueueItem, TransferState};
    let mut window = Window::open();
    window.engine.emit(Event::ItemsAdded {
        items: vec![QueueItem {
            id: ItemId::new(1),
            job: None,
            direction: Direction::Download,
            kind: ItemKind::File,
            local: PathBuf::from("/home/me/big.bin"),
            remote: "/srv/big.bin".into(),
            site: "ftp://bench@127.0.0.1:2121".into(),
            size: Some(1_000),
            state: TransferState::Queued,
            attempts: 1,
            bytes_done: 300,
        }],
    });
    let repaint_delay = |window: &mut Window, state: TransferState| {
        window.engine.emit(Event::ItemChanged {
            item: ItemId::new(1),
            state,
            attempts: 2,
            progress: Progress::new(Some(1_000)),
        });
        window.settle();
        window.harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay
    };
    assert!(repaint_delay(&mut window, TransferState::Transferring) <= std::time::Duration::from_millis(250));
    assert_eq!(
        repaint_delay(&mut window, TransferState::WaitingForPassword),
        std::time::Duration::MAX
    );
}

/// The other dialogs with text fields, the way bug 1 of issue 13 asks: click into the field
/// with the pointer, type with key events, press Enter.
#[test]
fn every_text_dialog_takes_a_click_typing_and_enter() {
    let mut window = Window::open();
    window.harness.key_press(Key::F7);
    window.settle();
    let field = window.middle_of(Role::TextInput, "Folder name:");
    window.click_at(field);
    window.type_keys("fresh");
    window.harness.key_press(Key::Enter);
    window.settle();
    window.take(|command| match command {
        Command::Session(SessionCommand::Request {
            request: SessionRequest::Mkdir { path, .. },
            ..
        }) if path.as_str() == "/home/me/fresh" => Some(()),
        _ => None,
    });

    // Rename: the field holds the old name; the cursor goes to its end and the typing adds.
    window.harness.key_press(Key::ArrowDown);
    window.settle();
    window.harness.key_press(Key::F2);
    window.settle();
    let field = window.middle_of(Role::TextInput, "New name:");
    window.click_at(field);
    window.harness.key_press(Key::End);
    window.type_keys("-old");
    window.harness.key_press(Key::Enter);
    window.settle();
    window.take(|command| match command {
        Command::Session(SessionCommand::Request {
            request: SessionRequest::Rename { to, .. },
            ..
        }) if to.as_str() == "/home/me/photos-old" => Some(()),
        _ => None,
    });

    window.open_site_manager(crate::engine::api::KeyringStatus::Available);
    window.harness.get_by_label("New folder").click();
    window.settle();
    let field = window.middle_of(Role::TextInput, "Folder path:");
    window.click_at(field);
    window.type_keys("Clients");
    window.harness.key_press(Key::Enter);
    window.settle();
    let edit = window.take(|command| match command {
        Command::Sites(SitesCommand::EditFolder { edit, .. }) => Some(edit.clone()),
        _ => None,
    });
    assert_eq!(edit, FolderEdit::Create { path: "Clients".into() });
}

/// Issue 14: the idle timeout is one of the queue's limits; what the toolbar says goes to
/// the engine with the rest, and is remembered.
#[test]
fn the_idle_timeout_goes_to_the_engine_and_is_remembered() {
    let mut window = Window::open();
    // A click on the number lets one type it, as in other DragValues.
    let field = window.middle_of(Role::SpinButton, "Timeout:");
    window.click_at(field);
    window.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    window.type_keys("90");
    window.harness.key_press(Key::Enter);
    window.settle();
    let limits = window.take(|command| match command {
        Command::Queue(QueueCommand::SetLimits { limits }) if limits.idle_timeout == 90 => Some(*limits),
        _ => None,
    });
    assert!(limits.auto_parallel, "-j auto unless the user says otherwise");
    assert_eq!(limits.per_site, 4, "where auto starts");
    assert_eq!(window.harness.state_mut().settings().idle_timeout, 90);

    // Unticking "auto" fixes the number at the one beside it.
    let auto = window.middle_of(Role::CheckBox, "auto");
    window.click_at(auto);
    window.settle();
    let limits = window.take(|command| match command {
        Command::Queue(QueueCommand::SetLimits { limits }) if !limits.auto_parallel => Some(*limits),
        _ => None,
    });
    assert_eq!((limits.parallel, limits.per_site, limits.idle_timeout), (4, 4, 90));
    assert!(!window.harness.state_mut().settings().auto_parallel);
}

#[test]
fn why_this_speed_names_what_holds_a_running_transfer_back() {
    use std::time::Duration;

    use crate::engine::api::{Connections, Cost, LinkFacts, Progress};
    let mut window = Window::open();
    // As a copy under a bandwidth limit counts: two seconds held back for one moving bytes.
    let progress = Progress::new(Some(1_000_000));
    progress.charge(Cost::Network, Duration::from_secs(1));
    progress.charge(Cost::Limit, Duration::from_secs(2));
    progress.set_link(LinkFacts {
        round_trip: Some(Duration::from_millis(40)),
        in_flight: Some(8 << 20),
    });
    progress.set_connections(Connections {
        allowed: 2,
        server_accepts: Some(2),
    });
    window.download_running(progress, 2);
    window.settle();
    assert!(
        window.harness.query_by_label_contains("holds it back").is_none(),
        "closed at first"
    );

    window.harness.get_by_label("Why this speed?").click();
    window.settle();
    let shown = |text: &str| window.harness.query_by_label_contains(text).is_some();
    assert!(shown(
        "the bandwidth limit you set holds it back 67% of the time (attempt 2"
    ));
    assert!(shown(
        "round trip 40 ms · 1 connection of 2 allowed at once (the server refused more than 2)"
    ));
    assert!(
        window.harness.query_by_label("big.iso").is_some(),
        "each transfer by its name"
    );
}

/// A server's own login questions (keyboard-interactive): its instructions and prompts as it
/// wrote them, the hidden one hidden, and the answers sent back in order.
#[test]
fn a_servers_login_questions_are_asked_in_a_dialog_and_answered_in_order() {
    let mut window = Window::open();
    window.engine.emit(Event::Prompt {
        prompt: PromptId::new(9),
        question: Prompt::Questions(crate::engine::api::ServerQuestions {
            account: "sftp://alice@files.example.org:22".into(),
            name: String::new(),
            instructions: "Two-step login: open your authenticator.".into(),
            prompts: vec![
                crate::engine::api::ServerPrompt {
                    text: "Badge number: ".into(),
                    echo: true,
                },
                crate::engine::api::ServerPrompt {
                    text: "One-time code: ".into(),
                    echo: false,
                },
            ],
        }),
    });
    window.settle();
    window.settle();
    assert!(
        window
            .harness
            .query_by_label("Two-step login: open your authenticator.")
            .is_some()
    );
    window.type_into(Role::TextInput, "Badge number:", "42");
    window.type_into(Role::PasswordInput, "One-time code:", "123456");
    // Enter in the last field answers, as OK does.
    window.harness.key_press(Key::Enter);
    window.settle();
    let reply = window.take(|command| match command {
        Command::Answer { prompt, reply } if *prompt == PromptId::new(9) => Some(reply.clone()),
        _ => None,
    });
    let PromptReply::Answers(answers) = reply else {
        panic!("not answers: {reply:?}");
    };
    let answers: Vec<&str> = answers.iter().map(|secret| secret.expose()).collect();
    assert_eq!(answers, vec!["42", "123456"]);
}

/// A link typed into the queue's field is downloaded into this computer's folder, from the
/// link's own server; one pasted over the queue is too.
#[test]
fn a_link_in_the_queue_is_downloaded_into_the_local_folder() {
    let mut window = Window::open();
    let label = format!("{} Link:", crate::ui::icons::LINK);
    window.type_into(Role::TextInput, &label, "https://downloads.example/iso/debian%2012.iso");
    window
        .harness
        .get_by_label(&format!("{} Download", crate::ui::icons::DOWNLOAD))
        .click();
    window.settle();
    let (site, specs) = window.take(|command| match command {
        Command::Queue(QueueCommand::Enqueue { site, specs, .. }) => Some((site.clone(), specs.clone())),
        _ => None,
    });
    assert_eq!(
        (site.protocol, site.host.as_str()),
        (Protocol::Https, "downloads.example")
    );
    assert_eq!(specs[0].direction, Direction::Download);
    assert_eq!(specs[0].remote.as_str(), "/iso/debian%2012.iso");
    assert_eq!(specs[0].local, PathBuf::from("/home/me"));
    assert!(!specs[0].recursive, "a link names one file");

    let queue = window.harness.get_by_label(&label).rect().center();
    window
        .harness
        .hover_at(Pos2::new(queue.x as f32, queue.y as f32 + 60.0));
    window.settle();
    window
        .harness
        .event(egui::Event::Paste("http://mirror.example/a.tar.gz".into()));
    window.settle();
    let site = window.take(|command| match command {
        Command::Queue(QueueCommand::Enqueue { site, .. }) => Some(site.clone()),
        _ => None,
    });
    assert_eq!((site.protocol, site.host.as_str()), (Protocol::Http, "mirror.example"));
}
