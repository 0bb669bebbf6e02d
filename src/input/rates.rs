//! How many uploads may start in a window (`--max-uploads-per-hour`,
//! `--rate-window`): one budget for every upload of the uploader, and
//! budgets per dput host. With a ledger, every process sharing it spends
//! the same budget; without one, each process keeps its own.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::input::keyed::{Keyed, KeyedError};
use crate::input::names::DputHost;

/// The budgets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// Uploads to every host together (`N`), and to one host (`HOST=N`,
    /// by its ledger key).
    budgets: Keyed<DputHost, u32>,
    /// The window they count in (an hour unless told).
    pub window: Duration,
}

impl RateLimits {
    /// From `--max-uploads-per-hour` values (`N` or `HOST=N`, N at least
    /// 1) and the window; `None` when no value is given.
    ///
    /// # Errors
    /// A value that is not one of those, or the same host twice.
    pub fn parse<S: AsRef<str>>(
        values: &[S],
        window: Duration,
    ) -> Result<Option<Self>, KeyedError> {
        let n = |raw: &str| {
            raw.parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or("N must be a whole number of at least 1 (ledger pause stops all uploads)")
        };
        let budgets = Keyed::parse(values, n, |host| DputHost::parse(host).ok())?;
        Ok((!budgets.is_empty()).then_some(Self { budgets, window }))
    }

    /// The budget of uploads to every host together, if there is one.
    pub fn every(&self) -> Option<u32> {
        self.budgets.every
    }

    /// The budget of uploads to `host`, if it has one of its own.
    pub fn for_host(&self, host: &DputHost) -> Option<u32> {
        self.budgets.keys.get(host).copied()
    }
}

/// The budgets kept by one process (no ledger): when uploads started,
/// by host key, within the window.
#[derive(Debug)]
pub struct LocalBudget {
    limits: RateLimits,
    started: Mutex<VecDeque<(Instant, DputHost)>>,
}

impl LocalBudget {
    /// An unspent budget.
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            started: Mutex::new(VecDeque::new()),
        }
    }

    /// Spends one upload to `host` if the budgets allow; else how long
    /// until they may.
    pub fn take(&self, host: &DputHost) -> Result<(), Duration> {
        let now = Instant::now();
        let mut started = self.started.lock().expect("budget poisoned");
        while started
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) >= self.limits.window)
        {
            started.pop_front();
        }
        let wait_for = |matching: &mut dyn Iterator<Item = &Instant>, limit: u32| {
            let matching: Vec<&Instant> = matching.collect();
            (matching.len() >= limit as usize).then(|| {
                let oldest = matching[matching.len() - limit as usize];
                self.limits
                    .window
                    .saturating_sub(now.duration_since(*oldest))
            })
        };
        let mut waits = Vec::new();
        if let Some(limit) = self.limits.every() {
            waits.extend(wait_for(&mut started.iter().map(|(at, _)| at), limit));
        }
        if let Some(limit) = self.limits.for_host(host) {
            waits.extend(wait_for(
                &mut started.iter().filter(|(_, h)| h == host).map(|(at, _)| at),
                limit,
            ));
        }
        if let Some(wait) = waits.into_iter().max() {
            return Err(wait);
        }
        started.push_back((now, host.clone()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str) -> DputHost {
        name.parse().unwrap()
    }

    #[test]
    fn limits_parse_for_every_host_and_per_host() {
        let hour = Duration::from_secs(3600);
        let limits = RateLimits::parse(&["10", "ftp-master=2"], hour)
            .unwrap()
            .unwrap();
        assert_eq!(limits.every(), Some(10));
        assert_eq!(limits.for_host(&host("ftp-master")), Some(2));
        assert_eq!(limits.for_host(&host("janitor")), None);
        assert_eq!(RateLimits::parse::<&str>(&[], hour).unwrap(), None);
        for bad in ["0", "x", "-1", "h=0", "=3", "-h=3"] {
            assert!(RateLimits::parse(&[bad], hour).is_err(), "{bad} was taken");
        }
        assert!(RateLimits::parse(&["1", "2"], hour).is_err());
    }

    #[test]
    fn a_local_budget_refuses_past_its_limit_and_says_how_long_to_wait() {
        let window = Duration::from_secs(60);
        let limits = RateLimits::parse(&["3", "slow=1"], window)
            .unwrap()
            .unwrap();
        let budget = LocalBudget::new(limits);
        assert!(budget.take(&host("slow")).is_ok());
        let wait = budget.take(&host("slow")).unwrap_err();
        assert!(wait > Duration::from_secs(59) && wait <= window, "{wait:?}");
        assert!(budget.take(&host("fast")).is_ok());
        assert!(budget.take(&host("fast")).is_ok());
        assert!(
            budget.take(&host("fast")).is_err(),
            "the budget of every host is spent"
        );
    }
}
