//! How many transfers at once a site gets when the user leaves the number to Wharf (`-j auto`,
//! the default): each site starts at the usual number, the number doubles while the site's
//! throughput grows with it, and it steps back to the last number that helped when it does
//! not. A server that refuses a connection ends the growth where it refused (the scheduler
//! lowers the limit itself). Pure: the queue feeds in the site's counters with the time, and
//! reads back the limit.
//!
//! Why doubling rather than one more at a time: a burst of small files is over in a second or
//! two, and one step per measurement would come when the work is done; TCP's slow start grows
//! the same way for the same reason. Why a measurement only counts while the site is busy and
//! no connection is still logging in: a site with nothing waiting says nothing about what
//! more connections would give, and a login's seconds would count against the raise that
//! caused them.

use std::collections::HashMap;
use std::time::Duration;

use super::scheduler::SiteKey;

/// The shortest stretch whose throughput is compared with the one before.
const WINDOW: Duration = Duration::from_millis(300);
/// A raise is kept when it moves this much more, in bytes or in files: 10%, so that noise
/// does not add connections that do nothing.
const GAIN: f64 = 1.10;

/// What the queue knows about one site at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// The queue's clock.
    pub now: Duration,
    /// Bytes moved to or from the site since the queue started, running transfers included.
    pub bytes: u64,
    /// Items of the site finished since the queue started.
    pub items: u64,
    /// Every slot the site has is running and more of its items wait: a higher limit would
    /// be used at once.
    pub saturated: bool,
    /// A connection to the site is being opened: the site is not yet running at its limit.
    pub connecting: bool,
}

/// What the controller decided for a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// More connections moved more: the limit grew to this.
    Raised(usize),
    /// The last raise did not pay: the limit went back to this, and stays.
    Settled(usize),
}

/// Throughput over one window.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rate {
    bytes: f64,
    items: f64,
}

impl Rate {
    fn between(start: &Sample, end: &Sample) -> Option<Rate> {
        let seconds = end.now.checked_sub(start.now)?.as_secs_f64();
        if seconds <= 0.0 {
            return None;
        }
        Some(Rate {
            bytes: end.bytes.saturating_sub(start.bytes) as f64 / seconds,
            items: end.items.saturating_sub(start.items) as f64 / seconds,
        })
    }

    /// Clearly more than `before` in one measure: a folder of small files gains in files,
    /// a few large ones in bytes.
    fn beats(self, before: Rate) -> bool {
        let more = |now: f64, then: f64| now > 0.0 && now >= then * GAIN;
        more(self.bytes, before.bytes) || more(self.items, before.items)
    }
}

#[derive(Debug, Clone)]
struct Probe {
    limit: usize,
    /// The limit before the last raise, and what it moved.
    before: Option<(usize, Rate)>,
    /// Where the window being measured began.
    start: Option<Sample>,
    settled: bool,
}

/// The per-site limits of `-j auto`.
#[derive(Debug, Clone)]
pub struct AutoParallel {
    first: usize,
    ceiling: usize,
    sites: HashMap<SiteKey, Probe>,
}

impl AutoParallel {
    /// Sites start at `first` transfers at once and grow to at most `ceiling`.
    pub fn new(first: usize, ceiling: usize) -> Self {
        let first = first.max(1);
        AutoParallel {
            first,
            ceiling: ceiling.max(first),
            sites: HashMap::new(),
        }
    }

    /// The site's limit now (the scheduler keeps it; tests ask here).
    #[cfg(test)]
    pub fn limit(&self, site: &str) -> usize {
        self.sites.get(site).map_or(self.first, |probe| probe.limit)
    }

    /// Takes in a sample of the site; says when the limit changed.
    pub fn observe(&mut self, site: &SiteKey, sample: Sample) -> Option<Step> {
        let (first, ceiling) = (self.first, self.ceiling);
        let probe = self.sites.entry(site.clone()).or_insert_with(|| Probe {
            limit: first,
            before: None,
            start: None,
            settled: false,
        });
        if probe.settled {
            return None;
        }
        if !sample.saturated || sample.connecting {
            probe.start = None;
            return None;
        }
        let start = *probe.start.get_or_insert(sample);
        if sample.now.saturating_sub(start.now) < WINDOW {
            return None;
        }
        let rate = Rate::between(&start, &sample)?;
        probe.start = None;
        match probe.before {
            Some((previous, before)) if !rate.beats(before) => {
                probe.settled = true;
                probe.limit = previous;
                Some(Step::Settled(previous))
            }
            _ if probe.limit >= ceiling => {
                probe.settled = true;
                Some(Step::Settled(probe.limit))
            }
            _ => {
                probe.before = Some((probe.limit, rate));
                probe.limit = (probe.limit * 2).min(ceiling);
                Some(Step::Raised(probe.limit))
            }
        }
    }

    /// The server refused a connection: the site grows no more (the scheduler keeps the
    /// number it accepted).
    pub fn refused(&mut self, site: &str) {
        if let Some(probe) = self.sites.get_mut(site) {
            probe.settled = true;
        }
    }

    /// A transfer of the site failed. Above the first limit, the limit halves and stays: some
    /// servers fail under more connections instead of refusing them (vsftpd with a narrow
    /// passive port range ends sessions with "500 OOPS"), and a failure costs more than the
    /// speed the extra connections bought.
    pub fn failed(&mut self, site: &str) -> Option<Step> {
        let probe = self.sites.get_mut(site)?;
        if probe.limit <= self.first {
            return None;
        }
        probe.limit = (probe.limit / 2).max(self.first);
        probe.settled = true;
        Some(Step::Settled(probe.limit))
    }

    /// The site has nothing running or waiting: the next burst measures afresh, as the link
    /// or the server may have changed since.
    pub fn forget(&mut self, site: &str) {
        self.sites.remove(site);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteKey {
        SiteKey::from("ftp://u@h:21")
    }

    /// A busy site at `millis` that has moved `items` files of 16 KiB.
    fn busy(millis: u64, items: u64) -> Sample {
        Sample {
            now: Duration::from_millis(millis),
            bytes: items * 16_384,
            items,
            saturated: true,
            connecting: false,
        }
    }

    #[test]
    fn doubles_while_throughput_grows_and_keeps_the_last_number_that_helped() {
        let mut auto = AutoParallel::new(4, 16);
        let site = site();
        assert_eq!(auto.limit(&site), 4);
        // 4 connections: 100 files in 300 ms.
        assert_eq!(auto.observe(&site, busy(0, 0)), None);
        assert_eq!(auto.observe(&site, busy(150, 50)), None, "a window is 300 ms");
        assert_eq!(auto.observe(&site, busy(300, 100)), Some(Step::Raised(8)));
        // 8 connections: 180 files in the next 300 ms, 80% more.
        assert_eq!(auto.observe(&site, busy(300, 100)), None);
        assert_eq!(auto.observe(&site, busy(600, 280)), Some(Step::Raised(16)));
        // 16 connections: 185, within noise of 8's; back to 8, for good.
        assert_eq!(auto.observe(&site, busy(600, 280)), None);
        assert_eq!(auto.observe(&site, busy(900, 465)), Some(Step::Settled(8)));
        assert_eq!(auto.limit(&site), 8);
        assert_eq!(auto.observe(&site, busy(900, 465)), None);
        assert_eq!(auto.observe(&site, busy(5_000, 99_000)), None, "settled stays settled");
        assert_eq!(auto.limit(&site), 8);
    }

    #[test]
    fn large_files_count_in_bytes() {
        let mut auto = AutoParallel::new(2, 16);
        let site = site();
        let at = |millis, mib: u64| Sample {
            bytes: mib << 20,
            items: 0,
            ..busy(millis, 0)
        };
        auto.observe(&site, at(0, 0));
        assert_eq!(auto.observe(&site, at(500, 50)), Some(Step::Raised(4)));
        auto.observe(&site, at(500, 50));
        assert_eq!(
            auto.observe(&site, at(1_000, 100)),
            Some(Step::Settled(2)),
            "the same 100 MiB/s"
        );
    }

    #[test]
    fn a_site_that_is_not_busy_or_still_logging_in_says_nothing() {
        let mut auto = AutoParallel::new(4, 16);
        let site = site();
        let idle = Sample {
            saturated: false,
            ..busy(0, 0)
        };
        auto.observe(&site, idle);
        assert_eq!(
            auto.observe(
                &site,
                Sample {
                    now: Duration::from_secs(9),
                    ..idle
                }
            ),
            None
        );
        // Logging in for most of the window: the window starts once the logins are done.
        auto.observe(&site, busy(10_000, 0));
        let logging_in = Sample {
            connecting: true,
            ..busy(10_200, 10)
        };
        assert_eq!(auto.observe(&site, logging_in), None);
        assert_eq!(auto.observe(&site, busy(10_400, 20)), None);
        assert_eq!(auto.observe(&site, busy(10_650, 30)), None, "250 ms since the logins");
        assert_eq!(auto.observe(&site, busy(10_700, 40)), Some(Step::Raised(8)));
    }

    #[test]
    fn stops_at_the_ceiling_and_at_a_refusal() {
        let mut auto = AutoParallel::new(4, 6);
        let site = site();
        auto.observe(&site, busy(0, 0));
        assert_eq!(auto.observe(&site, busy(300, 100)), Some(Step::Raised(6)));
        auto.observe(&site, busy(300, 100));
        assert_eq!(auto.observe(&site, busy(600, 300)), Some(Step::Settled(6)));

        let mut auto = AutoParallel::new(4, 16);
        auto.observe(&site, busy(0, 0));
        auto.observe(&site, busy(300, 100));
        auto.refused(&site);
        auto.observe(&site, busy(300, 100));
        assert_eq!(auto.observe(&site, busy(600, 300)), None);
        assert_eq!(auto.limit(&site), 8, "the scheduler keeps what the server accepted");
    }

    #[test]
    fn a_failure_above_the_first_limit_halves_it_for_good() {
        let mut auto = AutoParallel::new(4, 16);
        let site = site();
        assert_eq!(auto.failed(&site), None, "an unknown site");
        auto.observe(&site, busy(0, 0));
        assert_eq!(auto.failed(&site), None, "at the first limit");
        auto.observe(&site, busy(300, 100));
        auto.observe(&site, busy(300, 100));
        assert_eq!(auto.observe(&site, busy(600, 300)), Some(Step::Raised(16)));
        assert_eq!(auto.failed(&site), Some(Step::Settled(8)));
        assert_eq!(auto.failed(&site), Some(Step::Settled(4)));
        assert_eq!(auto.failed(&site), None);
        auto.observe(&site, busy(600, 300));
        assert_eq!(auto.observe(&site, busy(900, 900)), None, "settled");
    }

    #[test]
    fn a_forgotten_site_measures_afresh() {
        let mut auto = AutoParallel::new(4, 16);
        let site = site();
        auto.observe(&site, busy(0, 0));
        auto.observe(&site, busy(300, 100));
        assert_eq!(auto.limit(&site), 8);
        auto.forget(&site);
        assert_eq!(auto.limit(&site), 4);
    }
}
