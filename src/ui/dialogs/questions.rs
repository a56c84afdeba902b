//! The engine's questions (an unknown host key or certificate, a file that exists, a password
//! for the queue) and the changed-host-key stop. Closing a question answers "no".

use std::path::Path;

use egui::{RichText, Ui};

use super::Choice;
use super::text_form::{self, Answer, TextForm};
use crate::engine::api::{ConflictPolicy, Prompt, PromptId, PromptReply, ServerQuestions};
use crate::model::Secret;
use crate::ui::format;
use crate::ui::icons;
use crate::ui::intent::WindowIntent;

/// The answer that closing a question gives: skip this file, or refuse.
pub(super) fn refusal(question: &Prompt) -> PromptReply {
    match question {
        Prompt::FileExists { .. } => skip_this_one(),
        _ => PromptReply::Refuse,
    }
}

/// Skip this file (and ask again at the next conflict).
fn skip_this_one() -> PromptReply {
    PromptReply::Conflict {
        policy: ConflictPolicy::Skip,
        apply_to_all: false,
    }
}

fn answer(prompt: PromptId, reply: PromptReply) -> Choice {
    Choice::done(WindowIntent::Answer { prompt, reply })
}

pub(super) fn draw_prompt(
    id: PromptId,
    question: &Prompt,
    apply_to_all: &mut bool,
    policy: &mut ConflictPolicy,
    answers: &mut [String],
    ui: &mut Ui,
) -> Choice {
    match question {
        Prompt::UnknownHostKey {
            server,
            key_type,
            fingerprint,
            ..
        } => {
            ui.heading("Unknown server");
            ui.label(format!(
                "This is the first connection to {server}, so Wharf cannot tell whether it is the server \
                 you mean. Compare its key's fingerprint with the one the administrator gave you:"
            ));
            ui.add_space(4.0);
            ui.monospace(format!("{key_type}  {fingerprint}"));
            ui.add_space(6.0);
            trust_buttons(id, ui)
        }
        Prompt::Certificate {
            host,
            port,
            fingerprint,
            problem,
        } => {
            ui.heading("Certificate not trusted");
            ui.label(format!(
                "The TLS certificate of {host}:{port} is not vouched for by this computer: {problem}."
            ));
            ui.add_space(4.0);
            ui.label("SHA-256 fingerprint:");
            ui.monospace(fingerprint.as_str());
            ui.add_space(6.0);
            trust_buttons(id, ui)
        }
        Prompt::FileExists {
            target,
            source_size,
            source_modified,
            target_size,
            target_modified,
            ..
        } => {
            let sides = [
                ("New (source):", *source_size, *source_modified),
                ("Existing (target):", *target_size, *target_modified),
            ];
            draw_file_exists(id, target, &sides, apply_to_all, policy, ui)
        }
        Prompt::Password { site, passphrase } => match answers.first_mut() {
            Some(password) => draw_queue_password(id, site, *passphrase, password, ui),
            None => answer(id, PromptReply::Refuse),
        },
        Prompt::Questions(questions) => draw_server_questions(id, questions, answers, ui),
    }
}

/// An SSH server's login questions, as it wrote them; hidden answers where it says so.
fn draw_server_questions(id: PromptId, questions: &ServerQuestions, answers: &mut [String], ui: &mut Ui) -> Choice {
    let title = if questions.name.trim().is_empty() {
        format!("{} asks", questions.account)
    } else {
        format!("{}: {}", questions.account, questions.name.trim())
    };
    ui.heading(title);
    if !questions.instructions.trim().is_empty() {
        ui.label(questions.instructions.trim());
    }
    ui.add_space(4.0);
    let mut submitted = false;
    // The first field takes the focus when the dialog opens, and only then: taken again
    // after Enter gave it up, it would swallow the Enter that answers.
    let opened = egui::Id::unique(("server-questions-opened", format!("{id:?}")));
    let first_frame = ui.data_mut(|data| {
        let first = data.get_temp::<bool>(opened).is_none();
        data.insert_temp(opened, true);
        first
    });
    egui::Grid::new("server-questions").num_columns(2).show(ui, |ui| {
        for (index, (prompt, text)) in questions.prompts.iter().zip(answers.iter_mut()).enumerate() {
            let label = ui.label(prompt.text.trim()).id;
            let field = ui
                .add(
                    egui::TextEdit::singleline(text)
                        .password(!prompt.echo)
                        .desired_width(260.0),
                )
                .labelled_by(label);
            if index == 0 && first_frame {
                field.request_focus();
            }
            // Enter in the last field answers; in an earlier one it only leaves the field.
            let last = index + 1 == questions.prompts.len();
            submitted |= last && field.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
            ui.end_row();
        }
    });
    ui.add_space(6.0);
    let mut choice = Choice::Open;
    ui.horizontal(|ui| {
        if ui.button("OK").clicked() || submitted {
            let given = answers
                .iter_mut()
                .map(|text| Secret::new(std::mem::take(text)))
                .collect();
            choice = answer(id, PromptReply::Answers(given));
        }
        if ui.button("Cancel").clicked() {
            choice = answer(id, PromptReply::Refuse);
        }
    });
    choice
}

/// A file and its size and time on one side of a conflict.
type Side<'a> = (&'a str, Option<u64>, Option<chrono::DateTime<chrono::Utc>>);

fn draw_file_exists(
    id: PromptId,
    target: &str,
    sides: &[Side<'_>; 2],
    apply_to_all: &mut bool,
    policy: &mut ConflictPolicy,
    ui: &mut Ui,
) -> Choice {
    ui.heading("The target file exists");
    ui.label(target);
    ui.add_space(4.0);
    egui::Grid::new("file-exists").num_columns(3).show(ui, |ui| {
        ui.label("");
        ui.strong("Size");
        ui.strong("Modified");
        ui.end_row();
        for (which, size, modified) in sides {
            ui.label(*which);
            ui.label(size.map(format::size).unwrap_or_default());
            ui.label(format::maybe_date(*modified));
            ui.end_row();
        }
    });
    ui.add_space(6.0);
    for (choice, label) in [
        (ConflictPolicy::Overwrite, "Overwrite"),
        (ConflictPolicy::Newer, "Overwrite if the source is newer"),
        (ConflictPolicy::Differ, "Overwrite if the size differs"),
        (ConflictPolicy::Resume, "Resume (the existing file is its beginning)"),
        (ConflictPolicy::Rename, "Keep both (rename the new one)"),
        (ConflictPolicy::Skip, "Skip"),
    ] {
        ui.radio_value(policy, choice, label);
    }
    ui.checkbox(apply_to_all, "Do this for all remaining conflicts");
    ui.add_space(6.0);
    let mut choice = Choice::Open;
    ui.horizontal(|ui| {
        if ui.button("OK").clicked() {
            let reply = PromptReply::Conflict {
                policy: *policy,
                apply_to_all: *apply_to_all,
            };
            choice = answer(id, reply);
        }
        if ui.button("Cancel").clicked() {
            choice = answer(id, skip_this_one());
        }
    });
    choice
}

fn draw_queue_password(id: PromptId, site: &str, passphrase: bool, password: &mut String, ui: &mut Ui) -> Choice {
    let what = if passphrase { "key passphrase" } else { "password" };
    ui.heading(format!("The {what} for {site}"));
    ui.label(format!(
        "Transfers left from an earlier run need the {what}. It is kept in memory until Wharf quits."
    ));
    let form = TextForm {
        label: Some(if passphrase {
            "Key passphrase for the queue:"
        } else {
            "Password for the queue:"
        }),
        secret: true,
        ..TextForm::default()
    };
    match text_form::show(&form, password, |_| Ok(()), ui) {
        Answer::Submit => answer(id, PromptReply::Password(Secret::new(std::mem::take(password)))),
        Answer::Cancel => answer(id, PromptReply::Refuse),
        Answer::Open | Answer::Extra => Choice::Open,
    }
}

/// Trust always / once / cancel, for an unknown host key or certificate.
fn trust_buttons(id: PromptId, ui: &mut Ui) -> Choice {
    let mut choice = Choice::Open;
    ui.horizontal(|ui| {
        for (label, reply) in [
            ("Trust always", PromptReply::AcceptAlways),
            ("Trust once", PromptReply::AcceptOnce),
            ("Cancel", PromptReply::Refuse),
        ] {
            if ui.button(label).clicked() {
                choice = answer(id, reply);
            }
        }
    });
    choice
}

pub(super) fn draw_host_key_changed(
    server: &str,
    key_type: &str,
    fingerprint: &str,
    recorded: &[String],
    known_hosts: &Path,
    ui: &mut Ui,
) -> Choice {
    ui.heading(
        RichText::new(format!("{} The server's host key has CHANGED", icons::WARNING))
            .color(ui.visuals().error_fg_color),
    );
    ui.label(format!(
        "{server} now identifies itself with a different key than the one recorded. Someone may be \
         intercepting the connection, so Wharf did not connect."
    ));
    ui.add_space(6.0);
    egui::Grid::new("changed-key").num_columns(2).show(ui, |ui| {
        ui.label("Now shown:");
        ui.monospace(format!("{key_type} {fingerprint}"));
        ui.end_row();
        ui.label("Recorded:");
        ui.monospace(recorded.join("\n"));
        ui.end_row();
    });
    ui.add_space(6.0);
    ui.label(format!(
        "Ask the server's administrator whether the key really changed. If it did, remove the old line \
         from {} or ~/.ssh/known_hosts and connect again.",
        known_hosts.display()
    ));
    ui.add_space(6.0);
    if ui.button("Close").clicked() {
        return Choice::Dismissed;
    }
    Choice::Open
}
