//! The quickconnect bar: protocol, host, user, password, port, Connect; recent servers; a key
//! file for SFTP; and the switch that shows or hides the message log.

use egui::{ComboBox, TextEdit, Ui};

use super::background::Pick;
use super::connect_form::{ConnectForm, PROTOCOLS, Recent, protocol_label};
use super::icons;
use super::intent::{ConnectionIntent, Intents, SitesIntent, WindowIntent};

/// What the bar is shown of the rest of the window.
pub struct ConnectBar<'a> {
    /// Connected or connecting: Disconnect is offered.
    pub online: bool,
    pub recent: &'a [Recent],
    pub show_log: bool,
    pub theme: egui::ThemePreference,
}

/// Draws the bar over the quickconnect fields (its own state).
pub fn show(form: &mut ConnectForm, bar: &ConnectBar<'_>, ui: &mut Ui, out: &mut Intents) {
    ui.horizontal_wrapped(|ui| {
        let submit = fields(form, ui, out);
        buttons(form, bar, submit, ui, out);
    });
}

/// The fields, the key file (SFTP) or active mode (FTP); says whether Enter was pressed in a
/// field.
fn fields(form: &mut ConnectForm, ui: &mut Ui, out: &mut Intents) -> bool {
    let protocol_label_id = ui.label("Protocol:").id;
    let before = form.protocol;
    ComboBox::from_id_salt("protocol")
        .selected_text(protocol_label(form.protocol))
        .show_ui(ui, |ui| {
            for protocol in PROTOCOLS {
                ui.selectable_value(&mut form.protocol, protocol, protocol_label(protocol));
            }
        })
        .response
        .labelled_by(protocol_label_id);
    if form.protocol != before {
        form.protocol_changed(before);
    }

    let mut submit = false;
    // S3's host is a bucket, its user an access key and its password the secret.
    let s3 = form.protocol == crate::model::Protocol::S3;
    let host_label = ui.label(if s3 { "Bucket:" } else { "Host:" }).id;
    let host = ui.add(
        TextEdit::singleline(&mut form.host)
            .hint_text("example.org or sftp://user@host/path")
            .desired_width(220.0),
    );
    let host = host.labelled_by(host_label);
    // A pasted URL fills the other fields at once; a typed one when the field is left.
    let pasted =
        host.changed() && ui.input(|input| input.events.iter().any(|event| matches!(event, egui::Event::Paste(_))));
    if (pasted || host.lost_focus())
        && let Err(sentence) = form.absorb_url()
    {
        out.push(WindowIntent::Complain(sentence));
    }
    submit |= host.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));

    let user_label = ui.label(if s3 { "Access key:" } else { "User:" }).id;
    let user = ui
        .add(TextEdit::singleline(&mut form.user).desired_width(110.0))
        .labelled_by(user_label);
    submit |= user.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));

    let password_label = ui.label(if s3 { "Secret key:" } else { "Password:" }).id;
    let password = ui
        .add(
            TextEdit::singleline(&mut form.password)
                .password(true)
                .desired_width(110.0),
        )
        .labelled_by(password_label);
    submit |= password.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));

    // A bucket has no port: where it is served comes from the endpoint.
    if !s3 {
        let port_label = ui.label("Port:").id;
        let port = ui
            .add(
                TextEdit::singleline(&mut form.port)
                    .hint_text(form.protocol.default_port().to_string())
                    .desired_width(port_width(ui)),
            )
            .labelled_by(port_label);
        submit |= port.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
    }

    if form.protocol.is_ssh() {
        let key_text = match &form.key_file {
            Some(path) => format!(
                "{} {}",
                icons::KEY,
                path.file_name().map(|name| name.to_string_lossy()).unwrap_or_default()
            ),
            None => format!("{} Key file...", icons::KEY),
        };
        let key = ui
            .button(key_text)
            .on_hover_text("A private key file to log in with (its passphrase goes in Password)");
        if key.clicked() {
            let start = directories::BaseDirs::new().map(|dirs| dirs.home_dir().join(".ssh"));
            out.push(WindowIntent::Pick {
                what: Pick::KeyFile,
                start,
            });
        }
        if form.key_file.is_some() && key.secondary_clicked() {
            form.key_file = None;
        }
    } else {
        ui.checkbox(&mut form.active_mode, "Active mode")
            .on_hover_text("Let the server connect back to this computer for data (EPRT/PORT)");
    }
    submit
}

/// Connect, Disconnect, recent servers, the site manager, Save, the log switch and About.
fn buttons(form: &mut ConnectForm, bar: &ConnectBar<'_>, submit: bool, ui: &mut Ui, out: &mut Intents) {
    if ui.button("Connect").clicked() || submit {
        out.push(ConnectionIntent::Connect);
    }
    if bar.online && ui.button("Disconnect").clicked() {
        out.push(ConnectionIntent::Disconnect);
    }
    ui.add_enabled_ui(!bar.recent.is_empty(), |ui| {
        ui.menu_button(format!("Recent {}", icons::EXPANDED), |ui| {
            for server in bar.recent {
                if ui.button(server.label()).clicked() {
                    form.fill_from(server);
                    ui.close();
                }
            }
        });
    });
    if ui.button("Site manager").clicked() {
        out.push(SitesIntent::OpenManager);
    }
    if ui
        .add_enabled(
            !form.host.trim().is_empty(),
            egui::Button::new(format!("{} Save", icons::SAVE)),
        )
        .on_hover_text("Save these fields as a site (the password goes to the keyring)")
        .clicked()
    {
        out.push(SitesIntent::SaveQuickconnect);
    }
    ui.separator();
    let mut show_log = bar.show_log;
    if ui.toggle_value(&mut show_log, "Message log").changed() {
        out.push(WindowIntent::ShowLog(show_log));
    }
    theme_menu(bar.theme, ui, out);
    if ui.button("About").clicked() {
        out.push(WindowIntent::ShowAbout);
    }
}

/// Light, dark, or as the system says.
fn theme_menu(current: egui::ThemePreference, ui: &mut Ui, out: &mut Intents) {
    use egui::ThemePreference as Theme;
    let label = ui.label("Theme:").id;
    let name = |theme: Theme| match theme {
        Theme::System => "As the system",
        Theme::Light => "Light",
        Theme::Dark => "Dark",
    };
    ComboBox::from_id_salt("theme")
        .selected_text(name(current))
        .show_ui(ui, |ui| {
            for theme in [Theme::System, Theme::Light, Theme::Dark] {
                if ui.selectable_label(current == theme, name(theme)).clicked() && current != theme {
                    out.push(WindowIntent::Theme(theme));
                }
            }
        })
        .response
        .labelled_by(label);
}

/// Wide enough for the longest port, 65535, in the body font, with the field's frame and
/// cursor (a fixed 48 points cut the fifth digit off).
fn port_width(ui: &egui::Ui) -> f32 {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let digits = ui.fonts_mut(|fonts| {
        fonts
            .layout_no_wrap("65535".to_owned(), font, egui::Color32::WHITE)
            .size()
            .x
    });
    digits + 2.0 * ui.spacing().button_padding.x + 6.0
}
