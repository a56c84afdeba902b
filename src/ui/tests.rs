//! Window tests (egui_kittest).
