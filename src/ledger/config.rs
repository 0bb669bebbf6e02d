//! How a command opens its database and the ledger in it: the policy for
//! claims, where the ledger is kept, and what the command may do to it.

use sqlx::PgPool;

use crate::input::hosts::Hosts;
use crate::input::rates::RateLimits;
use crate::ledger::claims::{Ledger, Policy};
use crate::ledger::database::{Database, DatabaseError};

/// The database a command uses: the Janitor's tables it reads builds from
/// and, unless `--no-ledger`, the ledger it keeps there.
#[derive(Debug, Clone)]
pub struct LedgerConfig {
    /// The Janitor database.
    pub database: Database,
    /// Where the ledger is kept when not in the Janitor database.
    pub ledger_database: Option<Database>,
    /// The claiming rules; `None` with `--no-ledger`.
    pub policy: Option<Policy>,
    /// The dput host of each suite: the ledger's keys.
    pub hosts: Hosts,
    /// The upload budgets (`--max-uploads-per-hour`).
    pub limits: Option<RateLimits>,
}

/// Whether opening may create or migrate the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Create the schema or apply new migrations (under an advisory lock).
    Write,
    /// Use the ledger only if it exists, never create it (dry runs).
    ReadIfPresent,
    /// Use the ledger only if it exists, and bring it up to the current
    /// migrations (the operators' `ledger` subcommands).
    UpdateIfPresent,
}

/// An opened database: the pool, and the ledger when one is kept.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The connections, for planning queries and probes.
    pub pool: PgPool,
    /// The ledger, unless `--no-ledger` (or, read-only, absent).
    pub ledger: Option<Ledger>,
}

/// The pool size for a command running `jobs` uploads at once, the one rule
/// for every command: a connection per upload (its claim, the renewals
/// while its tools run, its records), one for the plan's streaming query,
/// and one for the readiness probe.
pub fn pool_size(jobs: usize) -> u32 {
    u32::try_from(jobs).unwrap_or(u32::MAX).saturating_add(2)
}

impl LedgerConfig {
    /// Connects with [`pool_size`]`(jobs)` connections and, when a ledger
    /// is kept, sets it up as `access` allows. The one way every command
    /// opens its database.
    ///
    /// # Errors
    /// The database cannot be reached or the schema set up.
    pub async fn open(&self, jobs: usize, access: Access) -> Result<Opened, DatabaseError> {
        let pool = self.database.connect(pool_size(jobs)).await?;
        let Some(policy) = &self.policy else {
            return Ok(Opened { pool, ledger: None });
        };
        let (home, ledger_pool) = match &self.ledger_database {
            Some(elsewhere) => (elsewhere, elsewhere.connect(pool_size(jobs)).await?),
            None => (&self.database, pool.clone()),
        };
        let kept = match access {
            Access::Write => {
                home.migrate(&ledger_pool).await?;
                true
            }
            Access::ReadIfPresent => home.has_ledger(&ledger_pool).await?,
            Access::UpdateIfPresent => {
                let present = home.has_ledger(&ledger_pool).await?;
                if present {
                    home.migrate(&ledger_pool).await?;
                }
                present
            }
        };
        let ledger = kept.then(|| {
            let ledger = Ledger::new(ledger_pool, self.hosts.clone(), policy.clone())
                .with_limits(self.limits.clone());
            Ledger {
                separate: self.ledger_database.is_some(),
                ..ledger
            }
        });
        Ok(Opened { pool, ledger })
    }
}
