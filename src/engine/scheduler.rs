//! The queue's state machine: which item runs next, what a finished attempt means, retries
//! with backoff, limits per site and overall. Pure: no I/O, no threads, and time is passed in,
//! so tests drive it with a fake clock. The engine feeds it outcomes and starts the items it
//! hands out.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

pub use super::api::ItemId;
use super::api::{ItemStatus, QueueCounts, QueueLimits};
/// Identifies a server for per-site limits (`protocol://user@host:port`, no secrets).
pub type SiteKey = std::sync::Arc<str>;

/// Where an item is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemState {
    Queued,
    Running,
    Paused,
    /// Failed with a retryable error; runs again at `until`.
    Waiting {
        until: Duration,
    },
    Done,
    Failed {
        reason: String,
    },
    /// Not transferred on purpose (the target existed and the policy said so).
    Skipped {
        reason: String,
    },
    Cancelled,
}

impl ItemState {
    /// The state without its details, as the queue database records it (a waiting item is
    /// queued there).
    pub fn status(&self) -> ItemStatus {
        match self {
            ItemState::Queued | ItemState::Waiting { .. } => ItemStatus::Queued,
            ItemState::Running => ItemStatus::Running,
            ItemState::Paused => ItemStatus::Paused,
            ItemState::Done => ItemStatus::Done,
            ItemState::Failed { .. } => ItemStatus::Failed,
            ItemState::Skipped { .. } => ItemStatus::Skipped,
            ItemState::Cancelled => ItemStatus::Cancelled,
        }
    }

    /// Finished for good: it will not run again unless retried.
    pub fn is_finished(&self) -> bool {
        self.status().is_finished()
    }

    /// Waiting to run (now or later), as opposed to running or finished.
    fn is_pending(&self) -> bool {
        matches!(self, ItemState::Queued | ItemState::Paused | ItemState::Waiting { .. })
    }

    /// Runs without the user doing anything: queued, or waiting for its retry.
    fn is_due(&self) -> bool {
        matches!(self, ItemState::Queued | ItemState::Waiting { .. })
    }
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Failed {
        retryable: bool,
        reason: String,
    },
    /// The server refused another connection: not the item's fault.
    TooManyConnections,
    Skipped {
        reason: String,
    },
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Transfers at once, over all sites (1 to 16).
    pub global: usize,
    /// Transfers at once per site, unless a server asked for fewer.
    pub per_site: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            global: QueueLimits::DEFAULT_PARALLEL,
            per_site: QueueLimits::DEFAULT_PARALLEL,
        }
    }
}

const MAX_PARALLEL: usize = QueueLimits::MAX_PARALLEL;

pub use super::api::Move;

#[derive(Debug, Clone)]
struct Item {
    site: SiteKey,
    state: ItemState,
    attempts: u32,
    /// Attempts in a row that failed without moving a byte: only these use up the retry
    /// budget, so a link that drops every few megabytes still finishes.
    fruitless: u32,
    /// Key in `pending` while the item is pending.
    position: i64,
    /// Its worker was told to stop and has not ended yet: the item does not start again
    /// until it has, so two attempts of one item never write the same file at once.
    stopping: bool,
}

#[derive(Debug, Clone)]
pub struct Scheduler {
    items: HashMap<ItemId, Item>,
    /// Pending items in queue order (position -> id).
    pending: BTreeMap<i64, ItemId>,
    running: HashMap<SiteKey, usize>,
    running_total: usize,
    /// Items waiting for a retry: without any, nothing needs a look for the next wakeup.
    waiting: usize,
    /// Per-site limits lowered by servers that refused connections.
    site_limits: HashMap<SiteKey, usize>,
    /// Per-site limits the user set on saved sites; they replace `limits.per_site`.
    configured_limits: HashMap<SiteKey, usize>,
    /// Per-site limits that `-j auto` found; they replace `limits.per_site` too.
    tuned_limits: HashMap<SiteKey, usize>,
    /// Items per site that are queued or waiting for a retry.
    due: HashMap<SiteKey, usize>,
    limits: Limits,
    max_attempts: u32,
    next_position: i64,
    /// Retry delays are `backoff(n)` times this many seconds (tests shrink it).
    backoff_unit: Duration,
}

/// The delay before retry `attempt` (1-based): 1 s, 2 s, 4 s ... capped at 32 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.saturating_sub(1).min(5))
}

impl Scheduler {
    pub fn new(limits: Limits, max_attempts: u32) -> Self {
        let mut scheduler = Scheduler {
            items: HashMap::new(),
            pending: BTreeMap::new(),
            running: HashMap::new(),
            running_total: 0,
            waiting: 0,
            site_limits: HashMap::new(),
            configured_limits: HashMap::new(),
            tuned_limits: HashMap::new(),
            due: HashMap::new(),
            limits,
            max_attempts: max_attempts.max(1),
            next_position: 0,
            backoff_unit: Duration::from_secs(1),
        };
        scheduler.set_limits(limits);
        scheduler
    }

    /// Adds an item at the end of the queue.
    pub fn push(&mut self, id: ItemId, site: SiteKey) {
        self.push_with(id, site, ItemState::Queued, 0);
    }

    /// Adds an item restored from storage; a running item comes back queued.
    pub fn restore(&mut self, id: ItemId, site: SiteKey, state: ItemState, attempts: u32) {
        let state = if state == ItemState::Running {
            ItemState::Queued
        } else {
            state
        };
        self.push_with(id, site, state, attempts);
    }

    fn push_with(&mut self, id: ItemId, site: SiteKey, state: ItemState, attempts: u32) {
        let position = self.next_position;
        self.next_position += 1;
        if state.is_pending() {
            self.pending.insert(position, id);
        }
        if matches!(state, ItemState::Waiting { .. }) {
            self.waiting += 1;
        }
        if state.is_due() {
            *self.due.entry(site.clone()).or_default() += 1;
        }
        if state == ItemState::Running {
            self.count_running(&site, true);
        }
        self.items.insert(
            id,
            Item {
                site,
                state,
                attempts,
                fruitless: attempts,
                position,
                stopping: false,
            },
        );
    }

    pub fn state(&self, id: ItemId) -> Option<&ItemState> {
        self.items.get(&id).map(|item| &item.state)
    }

    pub fn attempts(&self, id: ItemId) -> u32 {
        self.items.get(&id).map_or(0, |item| item.attempts)
    }

    /// The queue order of pending items.
    pub fn pending_order(&self) -> Vec<ItemId> {
        self.pending.values().copied().collect()
    }

    pub fn site_limit(&self, site: &str) -> usize {
        let per_site = self
            .configured_limits
            .get(site)
            .or_else(|| self.tuned_limits.get(site))
            .copied()
            .unwrap_or(self.limits.per_site);
        self.site_limits
            .get(site)
            .copied()
            .unwrap_or(per_site)
            .min(per_site)
            .min(self.limits.global)
    }

    /// How many connections the server took before it refused one, if it ever did.
    pub fn server_accepts(&self, site: &str) -> Option<usize> {
        self.site_limits.get(site).copied()
    }

    /// A saved site's own connection limit (`None`: the queue's per-site limit).
    pub fn configure_site_limit(&mut self, site: &str, limit: Option<usize>) {
        match limit {
            Some(limit) => self.configured_limits.insert(site.into(), limit.clamp(1, MAX_PARALLEL)),
            None => self.configured_limits.remove(site),
        };
    }

    /// The limit `-j auto` found for the site (`None`: the queue's per-site limit). A saved
    /// site's own limit and a server's refusal still come first.
    pub fn tune_site_limit(&mut self, site: &SiteKey, limit: Option<usize>) {
        match limit {
            Some(limit) => self.tuned_limits.insert(site.clone(), limit.clamp(1, MAX_PARALLEL)),
            None => self.tuned_limits.remove(site),
        };
    }

    /// The user set this site's limit on the saved site.
    pub fn has_own_limit(&self, site: &str) -> bool {
        self.configured_limits.contains_key(site)
    }

    /// Items of the site that are queued or waiting for a retry.
    pub fn due_for(&self, site: &str) -> usize {
        self.due.get(site).copied().unwrap_or(0)
    }

    pub fn set_backoff_unit(&mut self, unit: Duration) {
        self.backoff_unit = unit;
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// New limits; what `-j auto` found is measured again.
    pub fn set_limits(&mut self, limits: Limits) {
        self.tuned_limits.clear();
        self.limits = Limits {
            global: limits.global.clamp(1, MAX_PARALLEL),
            per_site: limits.per_site.clamp(1, MAX_PARALLEL),
        };
    }

    fn count_running(&mut self, site: &SiteKey, started: bool) {
        let count = self.running.entry(site.clone()).or_default();
        if started {
            *count += 1;
            self.running_total += 1;
        } else {
            *count = count.saturating_sub(1);
            self.running_total = self.running_total.saturating_sub(1);
        }
    }

    /// Moves an item to `state`, keeping the pending order and running counts in step.
    fn set_state(&mut self, id: ItemId, state: ItemState) {
        let Some(item) = self.items.get_mut(&id) else {
            return;
        };
        let (was_pending, was_running) = (item.state.is_pending(), item.state == ItemState::Running);
        let (now_pending, now_running) = (state.is_pending(), state == ItemState::Running);
        let was_waiting = matches!(item.state, ItemState::Waiting { .. });
        let now_waiting = matches!(state, ItemState::Waiting { .. });
        let (was_due, now_due) = (item.state.is_due(), state.is_due());
        item.state = state;
        self.waiting = (self.waiting + usize::from(now_waiting)).saturating_sub(usize::from(was_waiting));
        let (position, site) = (item.position, item.site.clone());
        if was_pending && !now_pending {
            self.pending.remove(&position);
        } else if !was_pending && now_pending {
            // Back into the queue at its old place.
            self.pending.insert(position, id);
        }
        if was_running != now_running {
            self.count_running(&site, now_running);
        }
        if was_due != now_due {
            let due = self.due.entry(site).or_default();
            *due = if now_due { *due + 1 } else { due.saturating_sub(1) };
        }
    }

    /// The next item to start at time `now`, if a slot is free: the first pending item in
    /// queue order that is queued (or whose retry time has come) and whose site has room.
    pub fn next_ready(&mut self, now: Duration) -> Option<ItemId> {
        if self.running_total >= self.limits.global {
            return None;
        }
        // A site at its limit with thousands of items waiting must not make every call a
        // walk through all of them.
        let room = self
            .due
            .iter()
            .any(|(site, &due)| due > 0 && self.running_for(site) < self.site_limit(site));
        if !room {
            return None;
        }
        let chosen = self.pending.values().copied().find(|id| {
            self.items.get(id).is_some_and(|item| {
                let ready = match item.state {
                    ItemState::Queued => true,
                    ItemState::Waiting { until } => until <= now,
                    _ => false,
                };
                ready
                    && !item.stopping
                    && self.running.get(&item.site).copied().unwrap_or(0) < self.site_limit(&item.site)
            })
        })?;
        if let Some(item) = self.items.get_mut(&chosen) {
            item.attempts += 1;
        }
        self.set_state(chosen, ItemState::Running);
        Some(chosen)
    }

    /// When the earliest waiting retry becomes due, so that the engine can sleep until then.
    pub fn next_wakeup(&self) -> Option<Duration> {
        // The queue asks after every message; a folder of thousands of items must not make
        // each of those a walk through all of them.
        if self.waiting == 0 {
            return None;
        }
        self.pending
            .values()
            .filter_map(|id| match self.items.get(id)?.state {
                ItemState::Waiting { until } => Some(until),
                _ => None,
            })
            .min()
    }

    /// Records how an attempt ended and returns the item's new state.
    pub fn finish(&mut self, id: ItemId, outcome: Outcome, now: Duration) -> Option<ItemState> {
        let item = self.items.get(&id)?;
        if item.state != ItemState::Running {
            // Cancelled or paused while running: that decision stands.
            return Some(item.state.clone());
        }
        let (attempts, site) = (item.attempts, item.site.clone());
        let fruitless = match outcome {
            Outcome::Failed { retryable: true, .. } => item.fruitless + 1,
            _ => item.fruitless,
        };
        if let Some(item) = self.items.get_mut(&id) {
            item.fruitless = fruitless;
        }
        let state = match outcome {
            Outcome::Done => ItemState::Done,
            Outcome::Cancelled => ItemState::Cancelled,
            Outcome::Skipped { reason } => ItemState::Skipped { reason },
            Outcome::Failed {
                retryable: true,
                reason,
            } if fruitless >= self.max_attempts => ItemState::Failed {
                reason: if fruitless == attempts {
                    format!("{reason} (gave up after {attempts} attempts)")
                } else {
                    format!(
                        "{reason} (gave up after {fruitless} attempts in a row that moved nothing, {attempts} in all)"
                    )
                },
            },
            Outcome::Failed { retryable: true, .. } => ItemState::Waiting {
                until: now + backoff(fruitless).mul_f64(self.backoff_unit.as_secs_f64()),
            },
            Outcome::Failed {
                retryable: false,
                reason,
            } => ItemState::Failed { reason },
            Outcome::TooManyConnections => {
                // The server allows fewer connections than are open now (this one included,
                // which has just closed): lower the site's limit, and do not count the attempt.
                let open = self.running.get(&site).copied().unwrap_or(1);
                self.site_limits.insert(site, open.saturating_sub(1).max(1));
                if let Some(item) = self.items.get_mut(&id) {
                    item.attempts = item.attempts.saturating_sub(1);
                }
                ItemState::Queued
            }
        };
        self.set_state(id, state.clone());
        Some(state)
    }

    /// The running attempt moved bytes before it failed: the retry budget starts over, and
    /// the next attempt (which resumes from there) comes after the shortest delay.
    pub fn progressed(&mut self, id: ItemId) {
        if let Some(item) = self.items.get_mut(&id)
            && item.state == ItemState::Running
        {
            item.fruitless = 0;
        }
    }

    /// Attempts in a row that failed without moving anything.
    pub fn fruitless(&self, id: ItemId) -> u32 {
        self.items.get(&id).map_or(0, |item| item.fruitless)
    }

    /// Puts a just-started item back to wait until `until` without counting the attempt
    /// (another process holds it).
    pub fn defer(&mut self, id: ItemId, until: Duration) {
        if self.state(id) != Some(&ItemState::Running) {
            return;
        }
        if let Some(item) = self.items.get_mut(&id) {
            item.attempts = item.attempts.saturating_sub(1);
        }
        self.set_state(id, ItemState::Waiting { until });
    }

    /// Records that another process finished a pending item: it takes `state` (a finished
    /// one) and leaves the queue order, with no attempt counted here. `false` when the item
    /// is not pending here (running here, or finished already), and then nothing changes.
    pub fn finished_elsewhere(&mut self, id: ItemId, state: ItemState) -> bool {
        let pending = self.state(id).is_some_and(ItemState::is_pending);
        if !pending || !state.is_finished() {
            return false;
        }
        self.set_state(id, state);
        true
    }

    /// Pauses a pending item. A running item is paused by stopping its worker, which the
    /// engine does when this returns `true`; its partial file is kept for resuming.
    pub fn pause(&mut self, id: ItemId) -> bool {
        self.stop(id, ItemState::Paused)
    }

    pub fn resume(&mut self, id: ItemId) {
        if self.state(id) == Some(&ItemState::Paused) {
            self.set_state(id, ItemState::Queued);
        }
    }

    /// Records that the item's worker was told to stop (`true`) or has ended (`false`). A
    /// paused item resumed, or a cancelled one retried, waits for the end before it starts.
    pub fn set_stopping(&mut self, id: ItemId, stopping: bool) {
        if let Some(item) = self.items.get_mut(&id) {
            item.stopping = stopping;
        }
    }

    /// Cancels an item; `true` when its worker must be stopped.
    pub fn cancel(&mut self, id: ItemId) -> bool {
        self.stop(id, ItemState::Cancelled)
    }

    /// Moves a pending or running item to `state`; `true` when it was running.
    fn stop(&mut self, id: ItemId, state: ItemState) -> bool {
        match self.state(id) {
            Some(current) if current.is_pending() || *current == ItemState::Running => {
                let was_running = *current == ItemState::Running;
                self.set_state(id, state);
                was_running
            }
            _ => false,
        }
    }

    /// Puts failed items back in the queue with a fresh attempt count.
    pub fn retry_failed(&mut self) -> Vec<ItemId> {
        let failed: Vec<ItemId> = self
            .items
            .iter()
            .filter(|(_, item)| matches!(item.state, ItemState::Failed { .. }))
            .map(|(&id, _)| id)
            .collect();
        failed.into_iter().filter(|&id| self.retry(id)).collect()
    }

    /// Puts one failed or cancelled item back in the queue with a fresh attempt count;
    /// `true` when it was.
    pub fn retry(&mut self, id: ItemId) -> bool {
        let Some(item) = self.items.get_mut(&id) else {
            return false;
        };
        if !matches!(item.state, ItemState::Failed { .. } | ItemState::Cancelled) {
            return false;
        }
        item.attempts = 0;
        item.fruitless = 0;
        // A retried item goes to the end of the queue, like a new one.
        let position = self.next_position;
        self.next_position += 1;
        item.position = position;
        self.set_state(id, ItemState::Queued);
        true
    }

    /// Every item's id, in no particular order.
    pub fn ids(&self) -> Vec<ItemId> {
        self.items.keys().copied().collect()
    }

    pub fn site(&self, id: ItemId) -> Option<&str> {
        self.items.get(&id).map(|item| &*item.site)
    }

    /// Transfers running now for `site`.
    pub fn running_for(&self, site: &str) -> usize {
        self.running.get(site).copied().unwrap_or(0)
    }

    /// Moves a pending item within the queue.
    pub fn move_item(&mut self, id: ItemId, how: Move) {
        let Some(position) = self
            .items
            .get(&id)
            .filter(|item| item.state.is_pending())
            .map(|item| item.position)
        else {
            return;
        };
        let target = match how {
            Move::Top => self.pending.keys().next().map(|first| first - 1),
            Move::Bottom => {
                self.next_position += 1;
                Some(self.next_position)
            }
            Move::Up => self.pending.range(..position).next_back().map(|(&key, _)| key),
            Move::Down => self.pending.range(position + 1..).next().map(|(&key, _)| key),
        };
        let Some(target) = target.filter(|&target| target != position) else {
            return;
        };
        let displaced = self.pending.remove(&target);
        self.pending.remove(&position);
        self.pending.insert(target, id);
        if let Some(item) = self.items.get_mut(&id) {
            item.position = target;
        }
        // Up and Down swap places with the neighbour.
        if let Some(other) = displaced {
            self.pending.insert(position, other);
            if let Some(item) = self.items.get_mut(&other) {
                item.position = position;
            }
        }
    }

    /// Forgets finished items (done, failed or cancelled as asked).
    pub fn clear(&mut self, done: bool, failed: bool, cancelled: bool) -> Vec<ItemId> {
        let removed: Vec<ItemId> = self
            .items
            .iter()
            .filter(|(_, item)| match item.state {
                ItemState::Done | ItemState::Skipped { .. } => done,
                ItemState::Failed { .. } => failed,
                ItemState::Cancelled => cancelled,
                _ => false,
            })
            .map(|(&id, _)| id)
            .collect();
        for id in &removed {
            self.items.remove(id);
        }
        removed
    }

    pub fn counts(&self) -> QueueCounts {
        let mut counts = QueueCounts::default();
        for item in self.items.values() {
            match item.state {
                ItemState::Queued => counts.queued += 1,
                ItemState::Running => counts.running += 1,
                ItemState::Paused => counts.paused += 1,
                ItemState::Waiting { .. } => counts.waiting += 1,
                ItemState::Done => counts.done += 1,
                ItemState::Failed { .. } => counts.failed += 1,
                ItemState::Skipped { .. } => counts.skipped += 1,
                ItemState::Cancelled => counts.cancelled += 1,
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(value: u64) -> Duration {
        Duration::from_secs(value)
    }

    fn queue(limits: Limits, items: &[(u64, &str)]) -> Scheduler {
        let mut scheduler = Scheduler::new(limits, 3);
        for &(id, site) in items {
            scheduler.push(ItemId::new(id), (*site).into());
        }
        scheduler
    }

    /// The items with these numbers.
    fn ids(numbers: &[u64]) -> Vec<ItemId> {
        numbers.iter().copied().map(ItemId::new).collect()
    }

    /// Takes every item that can start now.
    fn start_all(scheduler: &mut Scheduler, now: Duration) -> Vec<ItemId> {
        std::iter::from_fn(|| scheduler.next_ready(now)).collect()
    }

    #[test]
    fn a_tuned_limit_lets_a_site_run_more_but_not_past_its_own_or_the_servers() {
        let mut scheduler = queue(
            Limits {
                global: 16,
                per_site: 2,
            },
            &[
                (1, "a"),
                (2, "a"),
                (3, "a"),
                (4, "a"),
                (5, "a"),
                (6, "b"),
                (7, "b"),
                (8, "b"),
            ],
        );
        assert_eq!(start_all(&mut scheduler, secs(0)), ids(&[1, 2, 6, 7]));
        assert_eq!(scheduler.due_for("a"), 3);
        assert_eq!(scheduler.due_for("b"), 1);
        scheduler.tune_site_limit(&"a".into(), Some(4));
        scheduler.tune_site_limit(&"b".into(), Some(4));
        scheduler.configure_site_limit("b", Some(2));
        assert_eq!(start_all(&mut scheduler, secs(0)), ids(&[3, 4]), "b keeps the user's 2");
        assert_eq!(scheduler.due_for("a"), 1);
        // The server refuses a fifth connection: its 3 stand, tuned or not.
        scheduler.tune_site_limit(&"a".into(), Some(8));
        assert_eq!(start_all(&mut scheduler, secs(0)), ids(&[5]));
        scheduler.finish(ItemId::new(5), Outcome::TooManyConnections, secs(0));
        assert_eq!(scheduler.site_limit("a"), 4);
        assert_eq!(scheduler.due_for("a"), 1, "the refused item waits again");
        scheduler.set_limits(Limits {
            global: 16,
            per_site: 2,
        });
        assert_eq!(scheduler.site_limit("c"), 2, "new limits are measured again");
    }

    /// The per-site counts of due items stay equal to a count of the items themselves
    /// through a long, varied run of what the queue does (a fixed pseudo-random sequence).
    #[test]
    fn due_counts_follow_every_change_of_state() {
        let sites = ["a", "b", "c"];
        let items: Vec<(u64, &str)> = (1..=60).map(|id| (id, sites[id as usize % 3])).collect();
        let mut scheduler = queue(Limits { global: 8, per_site: 3 }, &items);
        scheduler.set_backoff_unit(Duration::from_millis(1));
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |below: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % below
        };
        for step in 0..3_000u64 {
            let now = Duration::from_millis(step);
            let id = ItemId::new(1 + next(60));
            match next(8) {
                0 | 1 => {
                    scheduler.next_ready(now);
                }
                2 => {
                    let retryable = next(2) == 0;
                    let outcome = Outcome::Failed {
                        retryable,
                        reason: "x".into(),
                    };
                    scheduler.finish(id, outcome, now);
                }
                3 => {
                    scheduler.finish(id, Outcome::Done, now);
                }
                4 => {
                    scheduler.finish(id, Outcome::TooManyConnections, now);
                }
                5 => {
                    scheduler.pause(id);
                    scheduler.resume(ItemId::new(1 + next(60)));
                }
                6 => {
                    scheduler.cancel(id);
                    scheduler.retry(ItemId::new(1 + next(60)));
                }
                _ => scheduler.defer(id, now + Duration::from_millis(5)),
            }
            for site in sites {
                let counted = scheduler
                    .items
                    .values()
                    .filter(|item| &*item.site == site && item.state.is_due())
                    .count();
                assert_eq!(scheduler.due_for(site), counted, "site {site} after step {step}");
            }
        }
    }

    #[test]
    fn a_site_at_its_limit_with_many_waiting_does_not_block_another() {
        let mut items: Vec<(u64, &str)> = (1..=1000).map(|id| (id, "busy")).collect();
        items.push((1001, "other"));
        let mut scheduler = queue(
            Limits {
                global: 16,
                per_site: 4,
            },
            &items,
        );
        assert_eq!(start_all(&mut scheduler, secs(0)), ids(&[1, 2, 3, 4, 1001]));
        assert_eq!(scheduler.next_ready(secs(0)), None);
        scheduler.pause(ItemId::new(5));
        assert_eq!(scheduler.due_for("busy"), 995, "a paused item is not due");
    }

    #[test]
    fn a_saved_sites_own_limit_replaces_the_per_site_limit() {
        let mut scheduler = Scheduler::new(Limits { global: 6, per_site: 4 }, 3);
        scheduler.configure_site_limit("a", Some(1));
        scheduler.configure_site_limit("b", Some(5));
        assert_eq!(scheduler.site_limit("a"), 1);
        assert_eq!(scheduler.site_limit("b"), 5);
        assert_eq!(scheduler.site_limit("c"), 4);
        scheduler.configure_site_limit("b", Some(50));
        assert_eq!(scheduler.site_limit("b"), 6, "never above the global limit");
        scheduler.configure_site_limit("a", None);
        assert_eq!(scheduler.site_limit("a"), 4);
    }

    #[test]
    fn global_and_per_site_limits() {
        let mut scheduler = queue(
            Limits { global: 3, per_site: 2 },
            &[(1, "a"), (2, "a"), (3, "a"), (4, "b"), (5, "b")],
        );
        assert_eq!(
            start_all(&mut scheduler, secs(0)),
            ids(&[1, 2, 4]),
            "two for a, then b, three in all"
        );
        scheduler.finish(ItemId::new(1), Outcome::Done, secs(1));
        assert_eq!(start_all(&mut scheduler, secs(1)), ids(&[3]));
        assert_eq!(
            scheduler.counts(),
            QueueCounts {
                running: 3,
                queued: 1,
                done: 1,
                ..QueueCounts::default()
            }
        );
    }

    #[test]
    fn retryable_failures_wait_with_exponential_backoff_then_give_up() {
        let mut scheduler = queue(Limits::default(), &[(1, "a")]);
        assert_eq!(scheduler.next_ready(secs(0)), Some(ItemId::new(1)));
        assert_eq!(
            scheduler.finish(
                ItemId::new(1),
                Outcome::Failed {
                    retryable: true,
                    reason: "lost".into()
                },
                secs(10)
            ),
            Some(ItemState::Waiting { until: secs(11) })
        );
        assert_eq!(scheduler.next_wakeup(), Some(secs(11)));
        assert_eq!(scheduler.next_ready(secs(10)), None, "not before its time");
        assert_eq!(scheduler.next_ready(secs(11)), Some(ItemId::new(1)));
        assert_eq!(
            scheduler.finish(
                ItemId::new(1),
                Outcome::Failed {
                    retryable: true,
                    reason: "lost".into()
                },
                secs(20)
            ),
            Some(ItemState::Waiting { until: secs(22) }),
            "the second retry waits twice as long"
        );
        assert_eq!(scheduler.next_ready(secs(22)), Some(ItemId::new(1)));
        let last = scheduler.finish(
            ItemId::new(1),
            Outcome::Failed {
                retryable: true,
                reason: "lost".into(),
            },
            secs(30),
        );
        assert_eq!(
            last,
            Some(ItemState::Failed {
                reason: "lost (gave up after 3 attempts)".into()
            })
        );
    }

    #[test]
    fn permanent_failures_fail_at_once() {
        let mut scheduler = queue(Limits::default(), &[(1, "a")]);
        scheduler.next_ready(secs(0));
        let state = scheduler.finish(
            ItemId::new(1),
            Outcome::Failed {
                retryable: false,
                reason: "550 No such file".into(),
            },
            secs(0),
        );
        assert_eq!(
            state,
            Some(ItemState::Failed {
                reason: "550 No such file".into()
            })
        );
        scheduler.retry_failed();
        assert_eq!(
            scheduler.next_ready(secs(1)),
            Some(ItemId::new(1)),
            "retry puts it back"
        );
        assert_eq!(scheduler.attempts(ItemId::new(1)), 1, "with a fresh count");
    }

    #[test]
    fn backoff_is_capped() {
        assert_eq!(backoff(1), secs(1));
        assert_eq!(backoff(2), secs(2));
        assert_eq!(backoff(6), secs(32));
        assert_eq!(backoff(60), secs(32));
    }

    #[test]
    fn too_many_connections_lowers_the_site_limit_instead_of_failing() {
        let mut scheduler = queue(
            Limits { global: 8, per_site: 4 },
            &[(1, "a"), (2, "a"), (3, "a"), (4, "a"), (5, "b")],
        );
        assert_eq!(start_all(&mut scheduler, secs(0)), ids(&[1, 2, 3, 4, 5]));
        assert_eq!(
            scheduler.finish(ItemId::new(4), Outcome::TooManyConnections, secs(0)),
            Some(ItemState::Queued)
        );
        assert_eq!(scheduler.site_limit("a"), 3);
        assert_eq!(
            scheduler.attempts(ItemId::new(4)),
            0,
            "the refusal is not the item's attempt"
        );
        assert_eq!(
            start_all(&mut scheduler, secs(0)),
            Vec::<ItemId>::new(),
            "a is at its new limit"
        );
        scheduler.finish(ItemId::new(1), Outcome::Done, secs(1));
        assert_eq!(start_all(&mut scheduler, secs(1)), ids(&[4]));
        assert_eq!(scheduler.site_limit("b"), 4, "other sites keep theirs");
    }

    #[test]
    fn pause_resume_cancel() {
        let mut scheduler = queue(Limits { global: 1, per_site: 1 }, &[(1, "a"), (2, "a"), (3, "a")]);
        assert!(
            !scheduler.pause(ItemId::new(2)),
            "a queued item needs no worker stopped"
        );
        assert_eq!(scheduler.next_ready(secs(0)), Some(ItemId::new(1)));
        assert!(scheduler.cancel(ItemId::new(1)), "a running item's worker must stop");
        assert_eq!(
            scheduler.finish(ItemId::new(1), Outcome::Cancelled, secs(0)),
            Some(ItemState::Cancelled)
        );
        assert_eq!(
            scheduler.next_ready(secs(0)),
            Some(ItemId::new(3)),
            "paused items are skipped"
        );
        scheduler.finish(ItemId::new(3), Outcome::Done, secs(0));
        assert_eq!(scheduler.next_ready(secs(0)), None);
        scheduler.resume(ItemId::new(2));
        assert_eq!(scheduler.next_ready(secs(0)), Some(ItemId::new(2)));
        assert!(
            scheduler.pause(ItemId::new(2)),
            "it was running, so it is to be stopped"
        );
        assert_eq!(
            scheduler.finish(ItemId::new(2), Outcome::Cancelled, secs(0)),
            Some(ItemState::Paused),
            "a pause stands"
        );
        scheduler.resume(ItemId::new(2));
        assert_eq!(scheduler.next_ready(secs(0)), Some(ItemId::new(2)));
    }

    #[test]
    fn an_item_whose_worker_is_stopping_starts_again_only_once_it_has() {
        let mut scheduler = queue(Limits { global: 2, per_site: 2 }, &[(1, "a"), (2, "a")]);
        assert_eq!(start_all(&mut scheduler, secs(0)), ids(&[1, 2]));
        assert!(scheduler.pause(ItemId::new(1)));
        scheduler.set_stopping(ItemId::new(1), true);
        scheduler.resume(ItemId::new(1));
        assert_eq!(scheduler.state(ItemId::new(1)), Some(&ItemState::Queued));
        assert_eq!(
            start_all(&mut scheduler, secs(0)),
            Vec::<ItemId>::new(),
            "its worker still runs"
        );
        assert_eq!(
            scheduler.finish(ItemId::new(1), Outcome::Cancelled, secs(0)),
            Some(ItemState::Queued),
            "the stopped attempt's end does not undo the resume"
        );
        scheduler.set_stopping(ItemId::new(1), false);
        assert_eq!(start_all(&mut scheduler, secs(0)), ids(&[1]));
    }

    #[test]
    fn moving_items_changes_the_order() {
        let mut scheduler = queue(Limits::default(), &[(1, "a"), (2, "a"), (3, "a"), (4, "a")]);
        scheduler.move_item(ItemId::new(3), Move::Top);
        assert_eq!(scheduler.pending_order(), ids(&[3, 1, 2, 4]));
        scheduler.move_item(ItemId::new(3), Move::Bottom);
        assert_eq!(scheduler.pending_order(), ids(&[1, 2, 4, 3]));
        scheduler.move_item(ItemId::new(4), Move::Up);
        assert_eq!(scheduler.pending_order(), ids(&[1, 4, 2, 3]));
        scheduler.move_item(ItemId::new(1), Move::Down);
        assert_eq!(scheduler.pending_order(), ids(&[4, 1, 2, 3]));
        scheduler.move_item(ItemId::new(4), Move::Up);
        assert_eq!(scheduler.pending_order(), ids(&[4, 1, 2, 3]), "the top stays the top");
        assert_eq!(start_all(&mut scheduler, secs(0)), ids(&[4, 1, 2, 3]));
    }

    #[test]
    fn restored_running_items_come_back_queued() {
        let mut scheduler = Scheduler::new(Limits::default(), 3);
        scheduler.restore(ItemId::new(1), "a".into(), ItemState::Running, 1);
        scheduler.restore(ItemId::new(2), "a".into(), ItemState::Done, 1);
        assert_eq!(scheduler.state(ItemId::new(1)), Some(&ItemState::Queued));
        assert_eq!(scheduler.next_ready(secs(0)), Some(ItemId::new(1)));
        assert_eq!(scheduler.attempts(ItemId::new(1)), 2);
        assert_eq!(scheduler.clear(true, false, false), ids(&[2]));
    }

    #[test]
    fn an_item_finished_elsewhere_leaves_the_queue_order() {
        let mut scheduler = queue(Limits { global: 1, per_site: 1 }, &[(1, "a"), (2, "a"), (3, "a")]);
        assert_eq!(scheduler.next_ready(secs(0)), Some(ItemId::new(1)));
        assert!(
            !scheduler.finished_elsewhere(ItemId::new(1), ItemState::Done),
            "running here: this process finishes it"
        );
        assert!(
            !scheduler.finished_elsewhere(ItemId::new(2), ItemState::Queued),
            "only a finished state"
        );
        assert!(scheduler.finished_elsewhere(ItemId::new(2), ItemState::Done));
        assert_eq!(scheduler.state(ItemId::new(2)), Some(&ItemState::Done));
        assert_eq!(scheduler.pending_order(), ids(&[3]));
        assert_eq!(scheduler.attempts(ItemId::new(2)), 0);
        scheduler.finish(ItemId::new(1), Outcome::Done, secs(1));
        assert_eq!(start_all(&mut scheduler, secs(1)), ids(&[3]), "2 does not run again");
    }

    #[test]
    fn limits_are_clamped() {
        let mut scheduler = Scheduler::new(
            Limits {
                global: 99,
                per_site: 0,
            },
            3,
        );
        assert_eq!(scheduler.site_limit("x"), 1);
        scheduler.set_limits(Limits { global: 0, per_site: 5 });
        assert_eq!(scheduler.site_limit("x"), 1, "never more per site than in all");
    }

    #[test]
    fn a_hundred_thousand_items_all_run_in_order() {
        let mut scheduler = Scheduler::new(Limits { global: 4, per_site: 4 }, 3);
        for id in 0..100_000 {
            scheduler.push(ItemId::new(id), "a".into());
        }
        let mut started = Vec::with_capacity(100_000);
        while let Some(id) = scheduler.next_ready(secs(0)) {
            scheduler.finish(id, Outcome::Done, secs(0));
            started.push(id);
        }
        assert_eq!(started, (0..100_000).map(ItemId::new).collect::<Vec<_>>());
    }
}
