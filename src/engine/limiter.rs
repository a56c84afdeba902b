//! Bandwidth limits, one for downloads and one for uploads, shared by every worker: a token
//! bucket (governor's GCRA) that a copy consults where it counts its bytes. The limit can
//! change while transfers run; a changed limit takes effect at the next chunk.

use std::num::NonZeroU32;
use std::sync::{Arc, RwLock};

use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};

use super::api::Direction;

/// The bucket counts KiB, so that a u32 of cells covers any real rate.
const CELL: u64 = 1024;

type Bucket = RateLimiter<governor::state::NotKeyed, governor::state::InMemoryState, DefaultClock>;

struct Limit {
    bucket: Bucket,
    /// Cells the bucket holds when full: one second's worth.
    burst: u32,
}

#[derive(Default, Clone)]
pub struct RateLimits {
    download: Arc<RwLock<Option<Arc<Limit>>>>,
    upload: Arc<RwLock<Option<Arc<Limit>>>>,
}

fn limit(bytes_per_second: Option<u64>) -> Option<Arc<Limit>> {
    let cells = u32::try_from(bytes_per_second?.div_ceil(CELL)).unwrap_or(u32::MAX);
    let burst = NonZeroU32::new(cells).unwrap_or(NonZeroU32::MIN);
    Some(Arc::new(Limit {
        bucket: RateLimiter::direct(Quota::per_second(burst)),
        burst: burst.get(),
    }))
}

impl RateLimits {
    /// Sets both limits in bytes per second; `None` lifts one.
    pub fn set(&self, download: Option<u64>, upload: Option<u64>) {
        for (slot, rate) in [(&self.download, download), (&self.upload, upload)] {
            *slot.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = limit(rate);
        }
    }

    fn current(&self, direction: Direction) -> Option<Arc<Limit>> {
        let slot = match direction {
            Direction::Download => &self.download,
            Direction::Upload => &self.upload,
        };
        slot.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// With a limit in `direction`, the most bytes a copy should move at once: a tenth of a
    /// second's worth (at least 8 KiB), so that a chunk is never read long before the limit
    /// lets it count, and progress moves smoothly instead of in bursts with pauses between.
    pub fn chunk(&self, direction: Direction) -> Option<usize> {
        let limit = self.current(direction)?;
        let per_second = usize::try_from(u64::from(limit.burst) * CELL).unwrap_or(usize::MAX);
        Some((per_second / 10).max(8 * 1024))
    }

    /// Waits until `bytes` more may move in `direction`.
    pub fn throttle(&self, direction: Direction, bytes: usize) {
        let Some(limit) = self.current(direction) else {
            return;
        };
        let clock = DefaultClock::default();
        let mut cells = (bytes as u64).div_ceil(CELL);
        while cells > 0 {
            let take = u32::try_from(cells.min(u64::from(limit.burst))).unwrap_or(limit.burst);
            let Some(count) = NonZeroU32::new(take) else {
                return;
            };
            loop {
                match limit.bucket.check_n(count) {
                    Ok(Ok(())) => break,
                    Ok(Err(not_until)) => std::thread::sleep(not_until.wait_time_from(clock.now())),
                    // More than the bucket holds: cannot happen, as `take` is at most the burst.
                    Err(_) => return,
                }
            }
            cells -= u64::from(take);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[test]
    fn under_a_limit_a_copy_moves_a_tenth_of_a_seconds_worth_at_once() {
        let limits = RateLimits::default();
        assert_eq!(limits.chunk(Direction::Download), None, "no limit, no cap");
        limits.set(Some(1024 * 1024), Some(10 * 1024));
        assert_eq!(limits.chunk(Direction::Download), Some(1024 * 1024 / 10));
        assert_eq!(limits.chunk(Direction::Upload), Some(8 * 1024), "never below 8 KiB");
    }

    #[test]
    fn a_limit_holds_back_what_exceeds_it_in_its_direction_only() {
        let limits = RateLimits::default();
        // 256 KiB/s: the first second's worth passes at once (the bucket starts full), the
        // next 128 KiB must wait for the bucket to refill for about half a second.
        limits.set(None, Some(256 * 1024));
        limits.throttle(Direction::Download, 1024 * 1024);
        let start = Instant::now();
        limits.throttle(Direction::Upload, 256 * 1024);
        limits.throttle(Direction::Upload, 128 * 1024);
        assert!(
            start.elapsed().as_millis() >= 400,
            "the upload limit held back the second chunk ({:?})",
            start.elapsed()
        );
    }
}
