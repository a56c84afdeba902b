//! The trust page: the SSH host keys and TLS certificates Wharf trusts, and a way to forget
//! one (the next connection asks again). The files belong to the engine; the page asks to
//! forget an entry, and the app sends `TrustCommand::List` and `Forget` and hands it the answers.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::intent::{Intents, SitesIntent};
use crate::engine::api::{PinnedCertificate, TrustEntry, TrustedHostKey};

#[derive(Default)]
pub struct TrustPage {
    pub open: bool,
    pub host_keys: Vec<TrustedHostKey>,
    pub certificates: Vec<PinnedCertificate>,
    /// The last error, as a sentence.
    pub problem: Option<String>,
}

impl TrustPage {
    /// Takes an answer: the fresh lists.
    pub fn update(&mut self, host_keys: Vec<TrustedHostKey>, certificates: Vec<PinnedCertificate>) {
        self.host_keys = host_keys;
        self.certificates = certificates;
    }
}

/// Draws the page when it is open.
pub fn show(page: &mut TrustPage, ctx: &egui::Context, out: &mut Intents) {
    if !page.open {
        return;
    }
    let mut open = true;
    let mut forgotten: Option<TrustEntry> = None;
    egui::Window::new("Trusted servers")
        .open(&mut open)
        .default_size([760.0, 420.0])
        .collapsible(false)
        .show(ctx, |ui| {
            ui.label(
                "Servers whose identity you accepted. Forget one and Wharf asks again at the next connection, \
                 showing the fingerprint to compare.",
            );
            if let Some(problem) = &page.problem {
                ui.colored_label(ui.visuals().error_fg_color, problem.as_str());
            }
            ui.add_space(6.0);
            ui.label(RichText::new("SSH host keys").strong());
            host_keys(&page.host_keys, ui, &mut forgotten);
            ui.add_space(10.0);
            ui.label(RichText::new("TLS certificates (FTPS)").strong());
            certificates(&page.certificates, ui, &mut forgotten);
        });
    if let Some(entry) = forgotten {
        out.push(SitesIntent::ForgetTrust(entry));
    }
    if !open {
        page.open = false;
    }
}

fn host_keys(keys: &[TrustedHostKey], ui: &mut Ui, forgotten: &mut Option<TrustEntry>) {
    if keys.is_empty() {
        ui.label("No host key is recorded yet.");
        return;
    }
    ui.push_id("trusted-host-keys", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::auto().at_least(160.0))
            .column(Column::auto())
            .column(Column::remainder().at_least(200.0))
            .column(Column::auto())
            .header(20.0, |mut header| {
                for title in ["Server", "Key type", "Fingerprint (SHA-256)", ""] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|mut body| {
                for key in keys {
                    body.row(22.0, |mut row| {
                        row.col(|ui| {
                            if key.revoked {
                                ui.colored_label(ui.visuals().error_fg_color, format!("{} (revoked)", key.hosts));
                            } else {
                                ui.label(key.hosts.as_str());
                            }
                        });
                        row.col(|ui| {
                            ui.label(key.key_type.as_str());
                        });
                        row.col(|ui| {
                            ui.monospace(key.fingerprint.as_str());
                        });
                        row.col(|ui| {
                            if key.removable {
                                if ui
                                    .button("Forget")
                                    .on_hover_text(key.file.display().to_string())
                                    .clicked()
                                {
                                    *forgotten = Some(TrustEntry::HostKey(key.clone()));
                                }
                            } else {
                                ui.label("~/.ssh/known_hosts").on_hover_text(
                                    "OpenSSH's file: Wharf reads it but does not change it (ssh-keygen -R HOST does)",
                                );
                            }
                        });
                    });
                }
            });
    });
}

fn certificates(pinned: &[PinnedCertificate], ui: &mut Ui, forgotten: &mut Option<TrustEntry>) {
    if pinned.is_empty() {
        ui.label("No certificate is pinned.");
        return;
    }
    ui.push_id("pinned-certificates", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::auto().at_least(160.0))
            .column(Column::remainder().at_least(200.0))
            .column(Column::auto())
            .header(20.0, |mut header| {
                for title in ["Server", "Fingerprint (SHA-256)", ""] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|mut body| {
                for certificate in pinned {
                    body.row(22.0, |mut row| {
                        row.col(|ui| {
                            ui.label(certificate.server.as_str());
                        });
                        row.col(|ui| {
                            ui.monospace(certificate.fingerprint.as_str());
                        });
                        row.col(|ui| {
                            if ui.button("Forget").clicked() {
                                *forgotten = Some(TrustEntry::Certificate(certificate.clone()));
                            }
                        });
                    });
                }
            });
    });
}
