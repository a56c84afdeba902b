//! Desktop notifications: when a transfer job the window started ends while the window is in
//! the background, the desktop says so (how many files and bytes, how many failed, how long
//! it took). On Linux and the BSDs this goes over D-Bus to the desktop's notification
//! service (the notify-rust crate); elsewhere the window does not notify yet.

use std::time::Duration;

use super::format;
use crate::engine::api::OpSummary;

/// What a notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

impl Notice {
    /// The notice for a finished job that took `took`.
    pub fn for_job(summary: &OpSummary, took: Duration) -> Notice {
        let failed = summary.failed.len();
        let title = if failed == 0 {
            "Transfer finished".to_owned()
        } else {
            "Transfer finished with failures".to_owned()
        };
        let mut body = format!(
            "{}, {} in {}",
            format::count(usize::try_from(summary.files).unwrap_or(usize::MAX), "file", "files"),
            format::size(summary.bytes),
            format::duration(took)
        );
        if failed > 0 {
            body.push_str(&format!("; {failed} failed"));
        }
        body.push('.');
        Notice { title, body }
    }
}

/// Shows `notice` on the desktop; waits for the desktop's answer, so call it off the
/// window's thread.
// Tests record notices instead of showing them (`Background::notify`).
#[cfg_attr(test, expect(dead_code))]
pub fn show(notice: &Notice) -> Result<(), String> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        notify_rust::Notification::new()
            .appname("Wharf")
            .summary(&notice.title)
            .body(&notice.body)
            .icon(super::APP_ID)
            .show()
            .map(drop)
            .map_err(|error| error.to_string())
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        let _ = notice;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_says_files_bytes_failures_and_time() {
        let summary = OpSummary {
            files: 3,
            bytes: 5 * 1024 * 1024,
            failed: vec!["a.bin: the disk is full".into()],
            ..OpSummary::default()
        };
        let notice = Notice::for_job(&summary, Duration::from_secs(75));
        assert_eq!(notice.title, "Transfer finished with failures");
        assert_eq!(notice.body, "3 files, 5.0 MiB in 1 min 15 s; 1 failed.");
        let one = OpSummary {
            files: 1,
            bytes: 10,
            ..OpSummary::default()
        };
        assert_eq!(Notice::for_job(&one, Duration::from_secs(2)).title, "Transfer finished");
    }
}
