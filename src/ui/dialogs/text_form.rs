//! The one-field form of the naming and password dialogs: the field takes the keyboard when
//! the dialog opens, Enter submits when the text is valid, Cancel closes, and what is wrong
//! with the text shows below the buttons.

use egui::{TextEdit, Ui};

/// How the field looks and what its buttons say.
pub(super) struct TextForm<'a> {
    /// A label before the field (read by screen readers and tests), if any.
    pub label: Option<&'a str>,
    pub hint: &'a str,
    /// A password or passphrase: shown as dots.
    pub secret: bool,
    pub width: Option<f32>,
    /// Take the keyboard only while the field is empty (a suggested path stays selectable).
    pub focus_when_empty_only: bool,
    pub submit: &'a str,
    /// A button between submit and Cancel (Browse…).
    pub extra: Option<&'a str>,
}

impl Default for TextForm<'_> {
    fn default() -> Self {
        TextForm {
            label: None,
            hint: "",
            secret: false,
            width: None,
            focus_when_empty_only: false,
            submit: "OK",
            extra: None,
        }
    }
}

/// What the form's buttons or keys said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    Open,
    Submit,
    Extra,
    Cancel,
}

/// Draws the field and its buttons. `valid` says whether the text (as typed this frame) can be
/// submitted; an error that is not empty is shown.
pub(super) fn show<'e>(
    form: &TextForm<'_>,
    text: &mut String,
    valid: impl Fn(&str) -> Result<(), &'e str>,
    ui: &mut Ui,
) -> Answer {
    let label = form.label.map(|label| ui.label(label).id);
    let mut edit = TextEdit::singleline(text).hint_text(form.hint).password(form.secret);
    if let Some(width) = form.width {
        edit = edit.desired_width(width);
    }
    let mut response = ui.add(edit);
    if let Some(label) = label {
        response = response.labelled_by(label);
    }
    // The widget's own focus, not `Response::has_focus`, which is also false whenever the
    // window is in the background: asking again each frame then interrupts the input method
    // each frame, which keeps the window awake and can lose keys on X11.
    let focused = ui.memory(|memory| memory.has_focus(response.id));
    let wants_focus = !form.focus_when_empty_only || text.is_empty();
    if wants_focus && !focused && !response.lost_focus() {
        response.request_focus();
    }
    let valid = valid(text);
    let mut answer = Answer::Open;
    ui.horizontal(|ui| {
        let enter = response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
        let submit = ui.add_enabled(valid.is_ok(), egui::Button::new(form.submit)).clicked();
        if (submit || enter) && valid.is_ok() {
            answer = Answer::Submit;
        }
        if let Some(extra) = form.extra
            && ui.button(extra).clicked()
        {
            answer = Answer::Extra;
        }
        if ui.button("Cancel").clicked() {
            answer = Answer::Cancel;
        }
    });
    if let Err(problem) = valid
        && !problem.is_empty()
    {
        ui.colored_label(ui.visuals().warn_fg_color, problem);
    }
    answer
}
