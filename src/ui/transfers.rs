//! The queue as the window knows it: every item the engine announced, its state, and for
//! running items the live byte counters, read each frame into a speed meter. The tabs
//! (queued, failed, done) are lists rebuilt only when an item changes tab, so a queue of
//! 10,000 items costs the frame only its visible rows and its running items.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use crate::engine::api::{ItemId, Progress, QueueItem, SpeedMeter, TransferState};

/// The queue's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tab {
    #[default]
    Queued,
    Failed,
    Done,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Queued, Tab::Failed, Tab::Done];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Queued => "Queued",
            Tab::Failed => "Failed",
            Tab::Done => "Done",
        }
    }

    fn of(state: &TransferState) -> Tab {
        match state {
            TransferState::Done { .. } | TransferState::Skipped { .. } => Tab::Done,
            TransferState::Failed { .. } | TransferState::Cancelled => Tab::Failed,
            _ => Tab::Queued,
        }
    }
}

/// One item with what the window measures of it.
pub struct Transfer {
    pub item: QueueItem,
    pub progress: Option<Progress>,
    pub meter: SpeedMeter,
}

impl Transfer {
    /// Bytes done: live while running, else what the engine last reported.
    pub fn done(&self) -> u64 {
        match &self.progress {
            Some(progress) if self.item.state.is_active() => progress.done(),
            _ => self.item.bytes_done,
        }
    }

    pub fn total(&self) -> Option<u64> {
        match &self.progress {
            Some(progress) if self.item.state.is_active() => progress.total().or(self.item.size),
            _ => self.item.size,
        }
    }

    /// The fraction done, when the size is known.
    pub fn fraction(&self) -> Option<f32> {
        if matches!(self.item.state, TransferState::Done { .. }) {
            return Some(1.0);
        }
        let total = self.total()?;
        if total == 0 {
            return Some(0.0);
        }
        Some((self.done() as f64 / total as f64).clamp(0.0, 1.0) as f32)
    }

    pub fn speed(&self) -> Option<f64> {
        if self.item.state.is_active() {
            self.meter.bytes_per_second()
        } else {
            None
        }
    }

    pub fn eta(&self) -> Option<Duration> {
        let remaining = self.total()?.saturating_sub(self.done());
        self.item.state.is_active().then(|| self.meter.eta(remaining)).flatten()
    }
}

/// Seconds of history in the speed graph.
pub const GRAPH_SECONDS: usize = 60;

#[derive(Default)]
pub struct Transfers {
    items: HashMap<ItemId, Transfer>,
    /// Every item in queue order (pending ones in the engine's order, after `QueueOrder`).
    order: Vec<ItemId>,
    tabs: HashMap<Tab, Vec<ItemId>>,
    tabs_dirty: bool,
    running: HashSet<ItemId>,
    pub tab: Tab,
    pub selected: HashSet<ItemId>,
    /// Whether "Why this speed?" is open under the totals.
    pub why_open: bool,
    /// Total speed per second, oldest first, for the graph.
    pub history: VecDeque<f64>,
    last_sample: Option<Duration>,
    total_speed: f64,
    /// A link typed or pasted above the table, to download.
    pub link: String,
}

impl Transfers {
    pub fn added(&mut self, items: Vec<QueueItem>) {
        for item in items {
            let id = item.id;
            let tab = Tab::of(&item.state);
            match self.items.get_mut(&id) {
                Some(known) => {
                    if Tab::of(&known.item.state) != tab {
                        self.tabs_dirty = true;
                    }
                    known.item = item;
                }
                None => {
                    self.order.push(id);
                    self.tabs.entry(tab).or_default().push(id);
                    self.items.insert(
                        id,
                        Transfer {
                            item,
                            progress: None,
                            meter: SpeedMeter::default(),
                        },
                    );
                }
            }
        }
    }

    pub fn changed(&mut self, id: ItemId, state: TransferState, attempts: u32, progress: Progress, now: Duration) {
        let Some(transfer) = self.items.get_mut(&id) else {
            return;
        };
        if Tab::of(&transfer.item.state) != Tab::of(&state) {
            self.tabs_dirty = true;
        }
        if state.is_active() {
            if !self.running.contains(&id) {
                transfer.meter = SpeedMeter::default();
                transfer.meter.record(now, progress.done());
            }
            self.running.insert(id);
            transfer.progress = Some(progress);
        } else {
            self.running.remove(&id);
            if let Some(progress) = &transfer.progress {
                transfer.item.bytes_done = progress.done();
                if transfer.item.size.is_none() {
                    transfer.item.size = progress.total();
                }
            }
            transfer.progress = None;
        }
        transfer.item.state = state;
        transfer.item.attempts = attempts;
    }

    pub fn removed(&mut self, ids: &[ItemId]) {
        let gone: HashSet<ItemId> = ids.iter().copied().collect();
        for id in ids {
            self.items.remove(id);
            self.running.remove(id);
            self.selected.remove(id);
        }
        self.order.retain(|id| !gone.contains(id));
        self.tabs_dirty = true;
    }

    /// The engine's new order of the pending items; the others keep their places.
    pub fn reordered(&mut self, pending: &[ItemId]) {
        let moved: HashSet<ItemId> = pending.iter().copied().collect();
        let mut pending = pending.iter().copied();
        for slot in &mut self.order {
            if moved.contains(slot)
                && let Some(next) = pending.next()
            {
                *slot = next;
            }
        }
        self.tabs_dirty = true;
    }

    /// Reads the running items' counters; once a second adds a point to the graph.
    pub fn sample(&mut self, now: Duration) {
        let mut total = 0.0;
        for id in &self.running {
            if let Some(transfer) = self.items.get_mut(id)
                && let Some(progress) = &transfer.progress
            {
                transfer.meter.record(now, progress.done());
                total += transfer.meter.bytes_per_second().unwrap_or(0.0);
            }
        }
        self.total_speed = total;
        let due = self
            .last_sample
            .is_none_or(|last| now.saturating_sub(last) >= Duration::from_secs(1));
        if due && (!self.running.is_empty() || self.history.iter().any(|&speed| speed > 0.0)) {
            self.last_sample = Some(now);
            self.history.push_back(total);
            while self.history.len() > GRAPH_SECONDS {
                self.history.pop_front();
            }
        }
    }

    /// Items running, here or in another Wharf process.
    pub fn running_count(&self) -> usize {
        self.running.len()
    }

    /// Whether a running item can move its progress bar, so that the window redraws; one
    /// waiting for the user's password cannot, and then the window sleeps.
    pub fn any_moving(&self) -> bool {
        self.running
            .iter()
            .filter_map(|id| self.items.get(id))
            .any(|transfer| transfer.item.state != TransferState::WaitingForPassword)
    }

    /// Items this process runs: closing the window stops them, unlike another process's.
    pub fn running_here(&self) -> usize {
        self.running
            .iter()
            .filter_map(|id| self.items.get(id))
            .filter(|transfer| transfer.item.state != TransferState::RunningElsewhere)
            .count()
    }

    /// The items this process runs, oldest first.
    pub fn running_transfers_here(&self) -> Vec<&Transfer> {
        let mut running: Vec<&Transfer> = self
            .running
            .iter()
            .filter_map(|id| self.items.get(id))
            .filter(|transfer| transfer.item.state != TransferState::RunningElsewhere)
            .collect();
        running.sort_by_key(|transfer| transfer.item.id);
        running
    }

    pub fn total_speed(&self) -> f64 {
        self.total_speed
    }

    /// Bytes still to move for everything pending with a known size.
    pub fn remaining_bytes(&self) -> u64 {
        self.tab_ids(Tab::Queued)
            .iter()
            .filter_map(|id| self.items.get(id))
            .filter(|transfer| !matches!(transfer.item.state, TransferState::Paused))
            .map(|transfer| transfer.total().unwrap_or(0).saturating_sub(transfer.done()))
            .sum()
    }

    pub fn eta(&self) -> Option<Duration> {
        if self.total_speed <= 0.0 {
            return None;
        }
        Some(Duration::from_secs_f64(
            self.remaining_bytes() as f64 / self.total_speed,
        ))
    }

    pub fn get(&self, id: ItemId) -> Option<&Transfer> {
        self.items.get(&id)
    }

    /// The items of a tab, in queue order.
    pub fn tab_ids(&self, tab: Tab) -> &[ItemId] {
        self.tabs.get(&tab).map(Vec::as_slice).unwrap_or_default()
    }

    /// Regroups the tabs when items moved between them.
    pub fn refresh_tabs(&mut self) {
        if !self.tabs_dirty {
            return;
        }
        self.tabs_dirty = false;
        self.tabs.clear();
        for id in &self.order {
            if let Some(transfer) = self.items.get(id) {
                self.tabs.entry(Tab::of(&transfer.item.state)).or_default().push(*id);
            }
        }
    }

    /// The selected items that are in the current tab.
    pub fn selection(&self) -> Vec<ItemId> {
        self.tab_ids(self.tab)
            .iter()
            .copied()
            .filter(|id| self.selected.contains(id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::engine::api::{Direction, ItemKind, JobId, Verification};

    fn item(id: u64, size: u64) -> QueueItem {
        QueueItem {
            id: ItemId::new(id),
            job: Some(JobId::new(1)),
            direction: Direction::Download,
            kind: ItemKind::File,
            local: PathBuf::from(format!("/tmp/{id}")),
            remote: format!("/srv/{id}"),
            site: "sftp://me@host:22".into(),
            size: Some(size),
            state: TransferState::Queued,
            attempts: 0,
            bytes_done: 0,
        }
    }

    #[test]
    fn items_move_between_tabs_and_running_ones_are_measured() {
        let mut transfers = Transfers::default();
        transfers.added(vec![item(1, 1000), item(2, 1000)]);
        let progress = Progress::new(Some(1000));
        transfers.changed(
            ItemId::new(1),
            TransferState::Transferring,
            1,
            progress.clone(),
            Duration::ZERO,
        );
        progress.set_done(500);
        transfers.sample(Duration::from_secs(1));
        assert_eq!(transfers.running_count(), 1);
        assert_eq!(transfers.get(ItemId::new(1)).unwrap().fraction(), Some(0.5));
        assert_eq!(transfers.total_speed(), 500.0);
        assert_eq!(
            transfers.eta(),
            Some(Duration::from_secs(3)),
            "1,500 bytes left at 500 B/s"
        );

        transfers.changed(
            ItemId::new(2),
            TransferState::Failed {
                reason: "no such file".into(),
            },
            1,
            Progress::default(),
            Duration::from_secs(1),
        );
        transfers.refresh_tabs();
        assert_eq!(transfers.tab_ids(Tab::Queued), [ItemId::new(1)]);
        assert_eq!(transfers.tab_ids(Tab::Failed), [ItemId::new(2)]);
        transfers.changed(
            ItemId::new(1),
            TransferState::Done {
                verified: Verification::Size,
            },
            1,
            progress,
            Duration::from_secs(2),
        );
        transfers.refresh_tabs();
        assert_eq!(transfers.tab_ids(Tab::Done), [ItemId::new(1)]);
        assert_eq!(transfers.running_count(), 0);
    }

    /// Issue 13: what another Wharf process runs moves in the window, with its speed, but
    /// closing the window does not stop it, so it does not count as running here.
    #[test]
    fn an_item_running_elsewhere_is_measured_but_not_run_here() {
        let mut transfers = Transfers::default();
        transfers.added(vec![item(1, 1000)]);
        let progress = Progress::new(Some(1000));
        transfers.changed(
            ItemId::new(1),
            TransferState::RunningElsewhere,
            1,
            progress.clone(),
            Duration::ZERO,
        );
        progress.set_done(400);
        transfers.sample(Duration::from_secs(1));
        let transfer = transfers.get(ItemId::new(1)).unwrap();
        assert_eq!(transfer.speed(), Some(400.0));
        assert!(transfer.eta().is_some());
        assert_eq!((transfers.running_count(), transfers.running_here()), (1, 0));
    }
}
