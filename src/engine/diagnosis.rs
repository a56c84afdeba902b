//! "Why is this slow?": where a running transfer's time goes, and what limits it. The copy
//! charges each stretch of its time to the network (waiting for the server, which includes
//! the connection's encryption), the local disk or the bandwidth limit, and samples the CPU
//! time of its own thread; the connection measured its round trip when it logged in. A pure
//! rule turns those figures into one verdict a person can act on.

use std::time::{Duration, Instant};

/// Where a transfer's time went, as its copy counted it (since its attempt started).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeSpent {
    /// Waiting for the connection: the server, the network, and the en- and decryption that
    /// happen inside the protocol's calls.
    pub network: Duration,
    /// Reading or writing the local file.
    pub disk: Duration,
    /// Held back by the bandwidth limit.
    pub limit: Duration,
    /// CPU time of the transfer's thread, where the system tells it (Linux), over the last
    /// `cpu_over` of the time: it is first read once a copy has run a quarter of a second,
    /// so that a small file costs no read of it.
    pub cpu: Option<Duration>,
    pub cpu_over: Duration,
}

impl TimeSpent {
    pub fn total(&self) -> Duration {
        self.network + self.disk + self.limit
    }
}

/// What a transfer's connection is like, as far as the engine knows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkFacts {
    /// The time of one request and its reply, measured at login.
    pub round_trip: Option<Duration>,
    /// The most bytes the transfer keeps in flight on its connection, when the protocol
    /// pipelines them itself (SFTP); `None` where TCP's own window decides (FTP).
    pub in_flight: Option<u64>,
}

/// How many connections a transfer's site may have at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Connections {
    /// The limit the queue keeps to: the user's, or lower if the server refused more.
    pub allowed: usize,
    /// What the server accepted before it refused another, if it ever did.
    pub server_accepts: Option<usize>,
}

/// The one thing that limits a transfer most, for a person to act on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bottleneck {
    /// Too early to tell: less than half a second measured.
    Unknown,
    /// The bandwidth limit the user set holds it back this share of the time (0 to 1).
    BandwidthLimit { share: f32 },
    /// Reading or writing the local file takes this share of the time.
    LocalDisk { share: f32 },
    /// The transfer's thread is busy this share of the time: encryption or a slow machine.
    Cpu { share: f32 },
    /// The round trip caps one connection at `most` bytes per second (what is kept in
    /// flight per round trip), and the transfer runs close to it: more connections at once
    /// would help, a faster line would not.
    RoundTrip { most: u64 },
    /// Waiting for the server or the network: the line, or the server, is the limit.
    Network,
}

/// The least time measured before a verdict is given.
const ENOUGH: Duration = Duration::from_millis(500);

/// What limits a transfer that moved at `speed` bytes per second (lately) with `spent` and
/// `link` as measured. The order matters: a limit the user set explains the most, then the
/// local machine (disk, CPU), then the line.
pub fn bottleneck(spent: &TimeSpent, link: &LinkFacts, speed: f64) -> Bottleneck {
    let total = spent.total();
    if total < ENOUGH {
        return Bottleneck::Unknown;
    }
    let share = |part: Duration| (part.as_secs_f64() / total.as_secs_f64()).min(1.0) as f32;
    if share(spent.limit) >= 0.3 {
        return Bottleneck::BandwidthLimit {
            share: share(spent.limit),
        };
    }
    if share(spent.disk) >= 0.5 {
        return Bottleneck::LocalDisk {
            share: share(spent.disk),
        };
    }
    if let Some(cpu) = spent.cpu
        && spent.cpu_over >= ENOUGH
    {
        let busy = (cpu.as_secs_f64() / spent.cpu_over.as_secs_f64()).min(1.0) as f32;
        if busy >= 0.8 {
            return Bottleneck::Cpu { share: busy };
        }
    }
    if let (Some(round_trip), Some(in_flight)) = (link.round_trip, link.in_flight)
        && !round_trip.is_zero()
        && in_flight > 0
    {
        let most = in_flight as f64 / round_trip.as_secs_f64();
        if speed >= 0.7 * most {
            return Bottleneck::RoundTrip { most: most as u64 };
        }
    }
    Bottleneck::Network
}

/// What a stretch of a copy's time is charged to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cost {
    Network,
    Disk,
    Limit,
}

/// How often the thread's CPU time is read: often enough for a live verdict, rarely enough
/// to cost nothing beside the copy.
const CPU_EVERY: Duration = Duration::from_millis(250);

/// Charges a copy's time, stretch by stretch, to the [`Progress`](super::api::Progress) it
/// reports to. Made on the thread that copies, since it reads that thread's CPU time.
pub(crate) struct Stopwatch<'a> {
    progress: &'a super::api::Progress,
    last: Instant,
    /// When the thread's CPU time was last read, and what it was.
    cpu_read: (Instant, Option<Duration>),
}

impl<'a> Stopwatch<'a> {
    pub(crate) fn start(progress: &'a super::api::Progress) -> Self {
        let now = Instant::now();
        Stopwatch {
            progress,
            last: now,
            cpu_read: (now, None),
        }
    }

    /// Charges the time since the last charge to `cost`.
    pub(crate) fn charge(&mut self, cost: Cost) {
        let now = Instant::now();
        self.progress.charge(cost, now - self.last);
        self.last = now;
        let (read_at, before) = self.cpu_read;
        if now - read_at >= CPU_EVERY {
            let cpu = thread_cpu_time();
            if let (Some(before), Some(cpu)) = (before, cpu) {
                self.progress.charge_cpu(cpu.saturating_sub(before), now - read_at);
            }
            self.cpu_read = (now, cpu);
        }
    }
}

/// The CPU time of the calling thread so far, where the system tells it: Linux keeps it, in
/// nanoseconds, as the first figure of `/proc/thread-self/schedstat`. (The `cpu-time` crate
/// would cover more systems, but brings winapi into the build of every platform's package.)
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RTT: Duration = Duration::from_millis(40);

    fn spent(network: u64, disk: u64, limit: u64, cpu: Option<u64>) -> TimeSpent {
        let total = Duration::from_millis(network + disk + limit);
        TimeSpent {
            network: Duration::from_millis(network),
            disk: Duration::from_millis(disk),
            limit: Duration::from_millis(limit),
            cpu: cpu.map(Duration::from_millis),
            cpu_over: if cpu.is_some() { total } else { Duration::ZERO },
        }
    }

    fn link(round_trip: Option<Duration>, in_flight: Option<u64>) -> LinkFacts {
        LinkFacts { round_trip, in_flight }
    }

    #[test]
    fn no_verdict_before_half_a_second_is_measured() {
        let verdict = bottleneck(&spent(200, 200, 0, None), &LinkFacts::default(), 1e6);
        assert_eq!(verdict, Bottleneck::Unknown);
    }

    #[test]
    fn a_bandwidth_limit_explains_most_even_on_a_slow_disk() {
        let verdict = bottleneck(&spent(1000, 1500, 1500, Some(100)), &LinkFacts::default(), 1e6);
        assert_eq!(verdict, Bottleneck::BandwidthLimit { share: 0.375 });
    }

    #[test]
    fn a_disk_that_takes_half_the_time_is_the_limit() {
        assert_eq!(
            bottleneck(&spent(900, 1100, 0, None), &LinkFacts::default(), 1e6),
            Bottleneck::LocalDisk { share: 0.55 }
        );
        assert_eq!(
            bottleneck(&spent(1100, 900, 0, None), &LinkFacts::default(), 1e6),
            Bottleneck::Network,
            "less than half is not the disk's fault"
        );
    }

    #[test]
    fn a_thread_busy_nearly_all_the_time_is_the_cpu_limit() {
        let verdict = bottleneck(&spent(1800, 200, 0, Some(1900)), &link(Some(RTT), Some(8 << 20)), 1e8);
        assert_eq!(verdict, Bottleneck::Cpu { share: 0.95 });
        let idle = bottleneck(&spent(1800, 200, 0, Some(600)), &LinkFacts::default(), 1e8);
        assert_eq!(idle, Bottleneck::Network, "a thread that mostly waits is not CPU-bound");
    }

    #[test]
    fn a_transfer_near_what_the_round_trip_allows_is_told_to_use_more_connections() {
        // 2 MiB in flight per 40 ms round trip: at most 50 MiB/s on one connection.
        let most = (2u64 << 20) as f64 / 0.040;
        let verdict = bottleneck(
            &spent(2000, 0, 0, Some(100)),
            &link(Some(RTT), Some(2 << 20)),
            0.9 * most,
        );
        assert_eq!(verdict, Bottleneck::RoundTrip { most: most as u64 });
        let slower = bottleneck(
            &spent(2000, 0, 0, Some(100)),
            &link(Some(RTT), Some(2 << 20)),
            0.3 * most,
        );
        assert_eq!(
            slower,
            Bottleneck::Network,
            "far below the cap, the line itself is slow"
        );
        let unknown_window = bottleneck(&spent(2000, 0, 0, None), &link(Some(RTT), None), 0.9 * most);
        assert_eq!(unknown_window, Bottleneck::Network, "FTP: TCP's window is not known");
    }

    #[test]
    fn a_stopwatch_charges_what_it_is_told_and_reads_this_threads_cpu_time() {
        let progress = super::super::api::Progress::new(None);
        let mut watch = Stopwatch::start(&progress);
        // Busy on purpose: CPU time only grows while the thread works. The first reading
        // comes after a quarter of a second, the first count after another.
        for _ in 0..2 {
            let until = Instant::now() + CPU_EVERY + Duration::from_millis(10);
            let mut spins = 0u64;
            while Instant::now() < until {
                spins = std::hint::black_box(spins + 1);
            }
            watch.charge(Cost::Disk);
        }
        watch.charge(Cost::Network);
        let spent = progress.time_spent();
        assert!(spent.disk >= 2 * CPU_EVERY, "{spent:?}");
        assert!(spent.network < spent.disk && spent.limit.is_zero(), "{spent:?}");
        if cfg!(target_os = "linux") {
            let cpu = spent.cpu.unwrap_or_default();
            assert!(!cpu.is_zero(), "a busy thread's CPU time is counted: {spent:?}");
            assert!(spent.cpu_over >= CPU_EVERY, "{spent:?}");
        }
    }
}
