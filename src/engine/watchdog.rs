//! Notices a running transfer that has stopped moving: no byte counted and no change of
//! phase for a while ([`STALL_AFTER`] unless configured). The queue asks it once a tick for each running item, and shows
//! the item as stalled until something moves again, so that a slow server or a hung link is
//! seen long before the connection's idle timeout gives up. Pure: the caller brings the time.

use std::time::Duration;

use super::api::Phase;

/// How long nothing may move before a transfer counts as stalled. Longer than a busy
/// server's pause between two replies (pure-ftpd sleeps up to 4.9 s after a failed command),
/// much shorter than the idle timeout that ends the attempt.
pub const STALL_AFTER: Duration = Duration::from_secs(10);

/// What changed in how a transfer should be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing has moved since this long ago.
    Stalled { quiet: Duration },
    /// It moves again.
    Moving,
}

/// One running transfer's last sign of life.
#[derive(Debug, Clone, Copy)]
pub struct Watch {
    done: u64,
    phase: Phase,
    since: Duration,
    stalled: bool,
}

impl Watch {
    pub fn new(done: u64, phase: Phase, now: Duration) -> Watch {
        Watch {
            done,
            phase,
            since: now,
            stalled: false,
        }
    }

    pub fn is_stalled(&self) -> bool {
        self.stalled
    }

    /// Takes the transfer's counters at `now`; says when it became stalled (quiet for
    /// `after`) or moves again.
    pub fn observe(&mut self, done: u64, phase: Phase, now: Duration, after: Duration) -> Option<Change> {
        if done != self.done || phase != self.phase {
            self.done = done;
            self.phase = phase;
            self.since = now;
            return std::mem::take(&mut self.stalled).then_some(Change::Moving);
        }
        let quiet = now.saturating_sub(self.since);
        if !self.stalled && quiet >= after {
            self.stalled = true;
            return Some(Change::Stalled { quiet });
        }
        None
    }

    /// Takes the counters without counting the quiet time (the wait is someone else's, such
    /// as the user's answer to a question); a stalled transfer shows as itself again.
    pub fn hold(&mut self, done: u64, phase: Phase, now: Duration) -> Option<Change> {
        self.done = done;
        self.phase = phase;
        self.since = now;
        std::mem::take(&mut self.stalled).then_some(Change::Moving)
    }

    /// How long nothing has moved.
    pub fn quiet(&self, now: Duration) -> Duration {
        now.saturating_sub(self.since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> Duration {
        Duration::from_secs(seconds)
    }

    #[test]
    fn a_quiet_transfer_stalls_once_and_moves_again_on_the_next_byte() {
        let mut watch = Watch::new(100, Phase::Transferring, at(0));
        assert_eq!(watch.observe(100, Phase::Transferring, at(9), STALL_AFTER), None);
        assert_eq!(
            watch.observe(100, Phase::Transferring, at(10), STALL_AFTER),
            Some(Change::Stalled { quiet: at(10) })
        );
        assert_eq!(
            watch.observe(100, Phase::Transferring, at(30), STALL_AFTER),
            None,
            "said once"
        );
        assert!(watch.is_stalled());
        assert_eq!(watch.quiet(at(30)), at(30));
        assert_eq!(
            watch.observe(101, Phase::Transferring, at(31), STALL_AFTER),
            Some(Change::Moving)
        );
        assert_eq!(
            watch.observe(101, Phase::Transferring, at(40), STALL_AFTER),
            None,
            "the clock starts again"
        );
    }

    #[test]
    fn a_wait_for_the_user_is_not_a_stall() {
        let mut watch = Watch::new(0, Phase::Connecting, at(0));
        assert_eq!(watch.hold(0, Phase::Connecting, at(60)), None);
        assert_eq!(
            watch.observe(0, Phase::Connecting, at(65), STALL_AFTER),
            None,
            "the clock started at 60"
        );
        assert!(matches!(
            watch.observe(0, Phase::Connecting, at(70), STALL_AFTER),
            Some(Change::Stalled { .. })
        ));
        assert_eq!(watch.hold(0, Phase::Connecting, at(71)), Some(Change::Moving));
    }

    #[test]
    fn a_new_phase_is_a_sign_of_life() {
        let mut watch = Watch::new(0, Phase::Connecting, at(0));
        assert_eq!(watch.observe(0, Phase::Transferring, at(8), STALL_AFTER), None);
        assert_eq!(watch.observe(0, Phase::Transferring, at(17), STALL_AFTER), None);
        assert!(matches!(
            watch.observe(0, Phase::Transferring, at(18), STALL_AFTER),
            Some(Change::Stalled { .. })
        ));
        assert_eq!(
            watch.observe(0, Phase::Verifying, at(19), STALL_AFTER),
            Some(Change::Moving)
        );
    }
}
