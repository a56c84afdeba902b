//! Speed over a moving window and the ETA that follows from it.
//!
//! The window is a few seconds long so that the speed reacts to a stall but does not jump with
//! every chunk. Time is passed in (seconds since any fixed start), so tests use a fake clock.

use std::collections::VecDeque;
use std::time::Duration;

/// How far back the speed looks.
pub const WINDOW: Duration = Duration::from_secs(5);

/// Samples of (time, bytes done so far), oldest first.
#[derive(Debug, Clone)]
pub struct SpeedMeter {
    window: Duration,
    samples: VecDeque<(Duration, u64)>,
}

impl Default for SpeedMeter {
    fn default() -> Self {
        SpeedMeter::new(WINDOW)
    }
}

impl SpeedMeter {
    pub fn new(window: Duration) -> Self {
        SpeedMeter {
            window,
            samples: VecDeque::new(),
        }
    }

    /// Records that `done` bytes were done at time `now`. Samples older than the window are
    /// dropped, except the newest of them, which anchors the window's start.
    pub fn record(&mut self, now: Duration, done: u64) {
        if let Some(&(last_time, last_done)) = self.samples.back()
            && (now < last_time || done < last_done)
        {
            // Time went backwards or the counter restarted (a retry from zero): start over.
            self.samples.clear();
        }
        self.samples.push_back((now, done));
        while self.samples.len() > 2
            && self
                .samples
                .get(1)
                .is_some_and(|&(time, _)| now.saturating_sub(time) >= self.window)
        {
            self.samples.pop_front();
        }
    }

    /// Bytes per second over the window; `None` until two samples span some time.
    pub fn bytes_per_second(&self) -> Option<f64> {
        let (&(first_time, first_done), &(last_time, last_done)) = (self.samples.front()?, self.samples.back()?);
        let span = last_time.saturating_sub(first_time).as_secs_f64();
        (span > 0.0).then(|| (last_done - first_done) as f64 / span)
    }

    /// Time left for `remaining` bytes at the current speed; `None` while the speed is unknown
    /// or zero (a stalled transfer has no honest ETA).
    pub fn eta(&self, remaining: u64) -> Option<Duration> {
        let speed = self.bytes_per_second()?;
        (speed > 0.0).then(|| Duration::from_secs_f64(remaining as f64 / speed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(value: f64) -> Duration {
        Duration::from_secs_f64(value)
    }

    #[test]
    fn steady_speed_and_eta() {
        let mut meter = SpeedMeter::default();
        assert_eq!(meter.bytes_per_second(), None);
        for second in 0..=10u32 {
            meter.record(secs(f64::from(second)), u64::from(second) * 1000);
        }
        assert_eq!(meter.bytes_per_second(), Some(1000.0));
        assert_eq!(meter.eta(5000), Some(secs(5.0)));
    }

    #[test]
    fn the_window_forgets_old_speed() {
        let mut meter = SpeedMeter::default();
        // Fast for 10 s, then stalled for 6 s: the window only sees the stall.
        for second in 0..=10u32 {
            meter.record(secs(f64::from(second)), u64::from(second) * 1_000_000);
        }
        for second in 11..=16u32 {
            meter.record(secs(f64::from(second)), 10_000_000);
        }
        assert_eq!(meter.bytes_per_second(), Some(0.0));
        assert_eq!(meter.eta(1), None, "a stalled transfer has no ETA");
    }

    #[test]
    fn a_restart_from_zero_resets_the_meter() {
        let mut meter = SpeedMeter::default();
        meter.record(secs(0.0), 0);
        meter.record(secs(1.0), 5000);
        meter.record(secs(2.0), 0);
        assert_eq!(meter.bytes_per_second(), None);
        meter.record(secs(3.0), 100);
        assert_eq!(meter.bytes_per_second(), Some(100.0));
    }
}
