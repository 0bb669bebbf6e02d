//! A bounded memory of the runs a `listen` without a ledger has uploaded,
//! so that a runner message published again (a replay, a duplicate) is
//! ignored instead of uploading the run a second time.

use std::collections::{HashSet, VecDeque};

use crate::input::run_id::RunId;

/// How many runs are remembered; the oldest is forgotten first.
pub const REMEMBERED_RUNS: usize = 10_000;

/// The last [`REMEMBERED_RUNS`] runs remembered, oldest first.
#[derive(Debug)]
pub struct Recent {
    capacity: usize,
    order: VecDeque<RunId>,
    set: HashSet<RunId>,
}

impl Default for Recent {
    fn default() -> Self {
        Self::with_capacity(REMEMBERED_RUNS)
    }
}

impl Recent {
    /// A memory of at most `capacity` runs (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            order: VecDeque::new(),
            set: HashSet::new(),
        }
    }

    /// Whether `run_id` is remembered.
    pub fn contains(&self, run_id: &RunId) -> bool {
        self.set.contains(run_id)
    }

    /// Remembers `run_id`, forgetting the oldest run when full.
    pub fn insert(&mut self, run_id: RunId) {
        if !self.set.insert(run_id.clone()) {
            return;
        }
        self.order.push_back(run_id);
        if self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.set.remove(&oldest);
            }
        }
    }

    /// Forgets `run_id` (its upload failed: a message for it again may
    /// try again).
    pub fn remove(&mut self, run_id: &RunId) {
        if self.set.remove(run_id) {
            self.order.retain(|r| r != run_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(n: usize) -> RunId {
        format!("run-{n}").parse().unwrap()
    }

    #[test]
    fn bounded_oldest_forgotten_first() {
        let mut recent = Recent::with_capacity(3);
        for n in 0..5 {
            recent.insert(run(n));
        }
        assert!(!recent.contains(&run(0)) && !recent.contains(&run(1)));
        assert!((2..5).all(|n| recent.contains(&run(n))));
        recent.insert(run(4));
        assert_eq!(recent.order.len(), 3);
        recent.remove(&run(3));
        assert!(!recent.contains(&run(3)));
        assert_eq!(recent.order.len(), 2);
    }
}
