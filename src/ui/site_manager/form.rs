//! The form of the site being edited: name and folder, protocol, server, how to log in,
//! folders, limits, bookmarks and notes; Save, Connect, Duplicate and Delete.

use egui::{ComboBox, TextEdit, Ui};

use super::{Editing, SiteManager};
use crate::engine::api::{Auth, FtpTls, KeyringStatus, SavedSite, TransferType};
use crate::model::{DataMode, Protocol};
use crate::ui::connect_form::{PROTOCOLS, protocol_label};
use crate::ui::intent::{ConnectionIntent, Intents, SitesIntent};

/// What a button above the form asked for.
#[derive(Clone, Copy)]
enum Button {
    Save,
    Connect,
    Duplicate,
    Delete,
}

pub(super) fn show(manager: &mut SiteManager, ui: &mut Ui, out: &mut Intents) {
    let keyring_ok = !matches!(manager.keyring, Some(KeyringStatus::Unavailable { .. }));
    let Some(editing) = &mut manager.editing else {
        ui.label("Choose a site, or make a new one.");
        return;
    };
    let new = editing.site.id.is_empty();
    let button = buttons(new, ui);
    ui.separator();
    egui::ScrollArea::vertical().id_salt("site-form-scroll").show(ui, |ui| {
        egui::Grid::new("site-form")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let protocol = identity(editing, ui);
                server(editing, protocol, ui);
                login(editing, keyring_ok, new, ui);
                folders_and_limits(editing, ui);
                notes(editing, ui);
            });
    });
    let Some(button) = button else {
        return;
    };
    if let Button::Save = button {
        let (site, secret) = editing.take_for_saving();
        out.push(SitesIntent::Save {
            site: Box::new(site),
            secret,
        });
        return;
    }
    // Connect, Duplicate and Delete act on the site as saved, found by its id: the form's
    // unsaved name may name another site.
    let id = editing.site.id.clone();
    let Some(saved) = manager.site(&id) else {
        return;
    };
    let path = saved.path();
    let changed = manager
        .editing
        .as_ref()
        .is_some_and(|editing| editing.differs_from(saved));
    match button {
        Button::Save => {}
        // Connecting uses the site as saved: ask first when the form holds changes.
        Button::Connect if changed => out.push(SitesIntent::AskSaveBeforeConnect(path)),
        Button::Connect => out.push(ConnectionIntent::ConnectSite(path)),
        Button::Duplicate => out.push(SitesIntent::Duplicate(path)),
        Button::Delete => out.push(SitesIntent::AskDelete(path)),
    }
}

fn buttons(new: bool, ui: &mut Ui) -> Option<Button> {
    let mut pressed = None;
    ui.horizontal(|ui| {
        if ui.button("Save").clicked() {
            pressed = Some(Button::Save);
        }
        for (label, button) in [
            ("Connect to this site", Button::Connect),
            ("Duplicate", Button::Duplicate),
            ("Delete", Button::Delete),
        ] {
            if ui.add_enabled(!new, egui::Button::new(label)).clicked() {
                pressed = Some(button);
            }
        }
    });
    pressed
}

/// A labelled one-line field, one row of the grid.
fn field(ui: &mut Ui, label: &str, text: &mut String, hint: &str) {
    let label = ui.label(label).id;
    ui.add(TextEdit::singleline(text).hint_text(hint).desired_width(320.0))
        .labelled_by(label);
    ui.end_row();
}

/// Name, folder and protocol (with FTPES's plain-text fallback); returns the protocol.
fn identity(editing: &mut Editing, ui: &mut Ui) -> Protocol {
    field(ui, "Name:", &mut editing.site.name, "My server");
    field(
        ui,
        "Folder:",
        &mut editing.site.folder,
        "Clients/Acme (empty: top level)",
    );
    let label = ui.label("Protocol:").id;
    let mut protocol = editing.site.protocol();
    ComboBox::from_id_salt("site-protocol")
        .selected_text(protocol_label(protocol))
        .show_ui(ui, |ui| {
            for choice in PROTOCOLS {
                ui.selectable_value(&mut protocol, choice, protocol_label(choice));
            }
        })
        .response
        .labelled_by(label);
    editing.site.set_protocol(protocol);
    ui.end_row();
    if protocol == Protocol::Ftpes {
        tls_fallback(editing, ui);
    }
    protocol
}

fn tls_fallback(editing: &mut Editing, ui: &mut Ui) {
    ui.label("");
    let mut fallback = editing.site.ftp_tls == FtpTls::ExplicitIfAvailable;
    ui.vertical(|ui| {
        ui.checkbox(&mut fallback, "If the server refuses TLS, log in without encryption");
        if fallback {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "Not recommended: anyone between you and the server can make it \"refuse\", \
                 then read the password. Wharf warns in the log at each such connection.",
            );
        }
    });
    editing.site.ftp_tls = if fallback {
        FtpTls::ExplicitIfAvailable
    } else {
        FtpTls::ExplicitRequired
    };
    ui.end_row();
}

fn server(editing: &mut Editing, protocol: Protocol, ui: &mut Ui) {
    if protocol == Protocol::S3 {
        bucket(editing, ui);
        return;
    }
    field(ui, "Host name:", &mut editing.site.host, "example.org");
    let default_port = protocol.default_port().to_string();
    field(ui, "Port number:", &mut editing.port, &default_port);
    let user_hint = if protocol.is_ssh() {
        "empty: ~/.ssh/config's, else yours"
    } else {
        ""
    };
    field(ui, "User name:", &mut editing.site.user, user_hint);
    if protocol.is_ssh() {
        field(
            ui,
            "Jump hosts:",
            &mut editing.site.jump_hosts,
            "bastion or user@gate:2222,next (empty: ~/.ssh/config's)",
        );
    }
}

/// An S3 site: the bucket, where it is served, and the access key (its secret is the
/// password below). What is left empty is found as the AWS tools find it.
fn bucket(editing: &mut Editing, ui: &mut Ui) {
    field(ui, "Bucket:", &mut editing.site.host, "my-bucket");
    let s3 = &mut editing.site.s3;
    optional_field(
        ui,
        "Endpoint:",
        &mut s3.url,
        "empty: AWS, or AWS_ENDPOINT_URL, or the profile's",
    );
    optional_field(
        ui,
        "Region:",
        &mut s3.region,
        "empty: AWS_REGION, the profile's, else us-east-1",
    );
    optional_field(
        ui,
        "Profile:",
        &mut s3.profile,
        "empty: AWS_PROFILE, else default (~/.aws)",
    );
    let label = ui.label("Addressing:").id;
    let shown = match s3.path_style {
        None => "Automatic (path-style at an endpoint of your own)",
        Some(true) => "Path-style (endpoint/bucket/key)",
        Some(false) => "Virtual-host style (bucket.endpoint/key)",
    };
    ComboBox::from_id_salt("site-s3-addressing")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            ui.selectable_value(
                &mut s3.path_style,
                None,
                "Automatic (path-style at an endpoint of your own)",
            );
            ui.selectable_value(&mut s3.path_style, Some(true), "Path-style (endpoint/bucket/key)");
            ui.selectable_value(
                &mut s3.path_style,
                Some(false),
                "Virtual-host style (bucket.endpoint/key)",
            );
        })
        .response
        .labelled_by(label);
    ui.end_row();
    field(
        ui,
        "Access key ID:",
        &mut editing.site.user,
        "empty: AWS_ACCESS_KEY_ID, or the profile's",
    );
}

/// A field whose empty text means `None`.
fn optional_field(ui: &mut Ui, label: &str, value: &mut Option<String>, hint: &str) {
    let mut text = value.clone().unwrap_or_default();
    field(ui, label, &mut text, hint);
    *value = (!text.trim().is_empty()).then(|| text.trim().to_owned());
}

/// How to log in: the method, the key file, and the password or passphrase for the keyring.
fn login(editing: &mut Editing, keyring_ok: bool, new: bool, ui: &mut Ui) {
    auth_choice(editing, ui);
    if let Auth::KeyFile { path } = &mut editing.site.auth {
        let mut text = path.display().to_string();
        field(ui, "Key file:", &mut text, "~/.ssh/id_ed25519");
        *path = text.into();
    }
    if editing.site.stored_secret().is_none() {
        return;
    }
    let what = if matches!(editing.site.auth, Auth::KeyFile { .. }) {
        "Key passphrase:"
    } else if editing.site.protocol() == Protocol::S3 {
        "Secret key:"
    } else {
        "Site password:"
    };
    let label = ui.label(what).id;
    let hint = if !keyring_ok {
        "no keyring: asked at each connection"
    } else if new {
        ""
    } else {
        "empty: keep the saved one"
    };
    ui.add_enabled(
        keyring_ok,
        TextEdit::singleline(&mut editing.password)
            .password(true)
            .hint_text(hint)
            .desired_width(320.0),
    )
    .labelled_by(label);
    ui.end_row();
}

fn auth_choice(editing: &mut Editing, ui: &mut Ui) {
    const PASSWORD: &str = "Password (kept in the keyring)";
    const ASK: &str = "Ask for the password every time";
    // S3's "anonymous" site stores no key: the environment or ~/.aws may have one.
    let anonymous = if editing.site.protocol() == Protocol::S3 {
        "No stored key (the environment, ~/.aws, else anonymous)"
    } else {
        "Anonymous"
    };
    let label = ui.label("Log in with:").id;
    let shown = match &editing.site.auth {
        Auth::Password => PASSWORD,
        Auth::KeyFile { .. } => "Key file",
        Auth::Agent => "ssh-agent",
        Auth::AskEveryTime => ASK,
        Auth::Anonymous => anonymous,
    };
    let auth = &mut editing.site.auth;
    ComboBox::from_id_salt("site-auth")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            ui.selectable_value(auth, Auth::Password, PASSWORD);
            if editing.site.sftp {
                let key = match auth {
                    Auth::KeyFile { path } => path.clone(),
                    _ => std::path::PathBuf::new(),
                };
                ui.selectable_value(auth, Auth::KeyFile { path: key }, "Key file");
                ui.selectable_value(auth, Auth::Agent, "ssh-agent");
            } else {
                ui.selectable_value(auth, Auth::Anonymous, anonymous);
            }
            ui.selectable_value(auth, Auth::AskEveryTime, ASK);
        })
        .response
        .labelled_by(label);
    ui.end_row();
}

/// The data connection, the folders to open, the connection limit, and what an import set
/// that Wharf does not apply.
fn folders_and_limits(editing: &mut Editing, ui: &mut Ui) {
    if editing.site.protocol().is_ftp() {
        ui.label("Data connection:");
        ui.horizontal(|ui| {
            ui.radio_value(&mut editing.site.data_mode, DataMode::Passive, "Passive");
            ui.radio_value(&mut editing.site.data_mode, DataMode::Active, "Active");
        });
        ui.end_row();
    }
    let mut remote = editing.site.remote_folder.clone().unwrap_or_default();
    field(ui, "Remote folder:", &mut remote, "~ (the login folder)");
    editing.site.remote_folder = (!remote.trim().is_empty()).then_some(remote);
    let mut local = editing
        .site
        .local_folder
        .as_ref()
        .map(|path| path.display().to_string())
        .unwrap_or_default();
    field(ui, "Local folder:", &mut local, "");
    editing.site.local_folder = (!local.trim().is_empty()).then(|| local.into());
    field(ui, "Connections:", &mut editing.max_connections, "the queue's limit");
    imported_but_unused(&editing.site, ui);
    ui.label("");
    ui.checkbox(
        &mut editing.site.upload_via_temp,
        "Upload to a temporary name, then rename",
    );
    ui.end_row();
}

/// Imported from FileZilla, kept, but not applied yet: say so rather than offer controls that
/// would do nothing.
fn imported_but_unused(site: &SavedSite, ui: &mut Ui) {
    let mut unused = Vec::new();
    if site.transfer_type == TransferType::Ascii {
        unused.push("ASCII mode (Wharf transfers files byte for byte)".to_owned());
    }
    if let Some(encoding) = &site.encoding {
        unused.push(format!(
            "the name encoding {encoding} (Wharf reads names as UTF-8, and as Latin-1 when they are not)"
        ));
    }
    if !unused.is_empty() {
        ui.label("");
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("Imported but not used: {}.", unused.join("; ")),
        );
        ui.end_row();
    }
}

fn notes(editing: &mut Editing, ui: &mut Ui) {
    let label = ui.label("Bookmarks:").id;
    ui.add(
        TextEdit::multiline(&mut editing.bookmarks)
            .hint_text("remote folders, one a line")
            .desired_rows(2)
            .desired_width(320.0),
    )
    .labelled_by(label);
    ui.end_row();
    let label = ui.label("Notes:").id;
    ui.add(
        TextEdit::multiline(&mut editing.site.notes)
            .desired_rows(3)
            .desired_width(320.0),
    )
    .labelled_by(label);
    ui.end_row();
}
