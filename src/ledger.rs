//! The upload ledger: what was uploaded where, claimed atomically before
//! signing so that backfills and `listen` replicas never upload the same
//! `.changes` to the same host twice. One table in its own schema, created
//! by the embedded migrations in `migrations/`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Row};

use crate::run_id::RunId;

/// The advisory lock held while the ledger's schema is set up.
const LEDGER_SETUP_LOCK: i64 = 0x6175_746f_7570_6c64; // "autoupld"

impl From<sqlx::Error> for DatabaseError {
    fn from(error: sqlx::Error) -> Self {
        Self::Query(error)
    }
}

/// The embedded migrations.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// What went wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// The URL is not a PostgreSQL URL.
    #[error("invalid database URL {url}: {error}")]
    Url {
        /// The URL, without its password.
        url: String,
        /// Why (sqlx's message carries its causes).
        error: sqlx::Error,
    },
    /// The database cannot be reached.
    #[error("cannot connect to the database {url}: {error}")]
    Connect {
        /// The URL, without its password.
        url: String,
        /// Why (sqlx's message carries its causes).
        error: sqlx::Error,
    },
    /// The ledger's schema could not be created or migrated.
    #[error("cannot set up the ledger schema {schema}: {error}")]
    Migrate {
        /// The schema.
        schema: String,
        /// Why (sqlx's message carries its causes).
        error: sqlx::migrate::MigrateError,
    },
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(sqlx::Error),
}

/// A database location: the URL (password hidden in messages) and the
/// ledger's schema.
#[derive(Debug, Clone)]
pub struct Database {
    options: PgConnectOptions,
    display: String,
    /// The ledger's schema.
    pub schema: String,
}

impl Database {
    /// Parses a PostgreSQL URL; `schema` must be a plain identifier.
    ///
    /// # Errors
    /// [`DatabaseError::Url`] for a URL sqlx cannot use.
    pub fn new(url: &str, schema: &str) -> Result<Self, DatabaseError> {
        let display = crate::secrets::mask(url);
        let options = PgConnectOptions::from_str(url).map_err(|error| DatabaseError::Url {
            url: display.clone(),
            error,
        })?;
        Ok(Self {
            // The ledger's schema first, so that the migrations and
            // sqlx's bookkeeping land there; the Janitor's tables after it.
            options: options
                .options([("search_path", format!("{schema},public"))])
                .application_name("auto-upload"),
            display,
            schema: schema.to_owned(),
        })
    }

    /// A pool of at most `connections` connections.
    ///
    /// # Errors
    /// [`DatabaseError::Connect`] when the database cannot be reached.
    pub async fn connect(&self, connections: u32) -> Result<PgPool, DatabaseError> {
        PgPoolOptions::new()
            .max_connections(connections.max(1))
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(self.options.clone())
            .await
            .map_err(|error| DatabaseError::Connect {
                url: self.display.clone(),
                error,
            })
    }

    /// Creates the ledger's schema if needed and applies the migrations.
    ///
    /// # Errors
    /// [`DatabaseError::Migrate`] when that fails (a read-only user, say:
    /// use `--no-ledger`).
    pub async fn migrate(&self, pool: &PgPool) -> Result<(), DatabaseError> {
        let migrate_error = |error| DatabaseError::Migrate {
            schema: self.schema.clone(),
            error,
        };
        let execute_error = |e| migrate_error(sqlx::migrate::MigrateError::Execute(e));
        // Processes starting together would race on CREATE SCHEMA (it is
        // not safe under concurrency even with IF NOT EXISTS): one at a time.
        let mut conn = pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(LEDGER_SETUP_LOCK)
            .execute(&mut *conn)
            .await
            .map_err(execute_error)?;
        let migrated = async {
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{}\"", self.schema))
                .execute(&mut *conn)
                .await
                .map_err(execute_error)?;
            MIGRATOR.run(&mut *conn).await.map_err(migrate_error)
        }
        .await;
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(LEDGER_SETUP_LOCK)
            .execute(&mut *conn)
            .await
            .map_err(execute_error)?;
        migrated
    }

    /// Whether the ledger table exists (without creating it).
    ///
    /// # Errors
    /// The query failed.
    pub async fn has_ledger(&self, pool: &PgPool) -> Result<bool, DatabaseError> {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(format!("\"{}\".upload", self.schema))
            .fetch_one(pool)
            .await?;
        Ok(exists)
    }
}

/// Whether `schema` is a plain lowercase SQL identifier.
pub fn is_valid_schema(schema: &str) -> bool {
    let mut chars = schema.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && schema.len() <= 63
}

/// The rules for claiming.
#[derive(Debug, Clone)]
pub struct Policy {
    /// A claim older than this is taken over.
    pub lease: Duration,
    /// Give up on a `.changes` after this many failed attempts (never when `None`).
    pub max_attempts: Option<u32>,
    /// Upload again what is recorded as uploaded, and retry what was given up.
    pub force: bool,
}

/// A configured ledger, opened when the work starts.
#[derive(Debug, Clone)]
pub struct LedgerConfig {
    /// Where it is.
    pub database: Database,
    /// The claiming rules.
    pub policy: Policy,
}

impl LedgerConfig {
    /// Connects (at most `connections` at once), creates or migrates the
    /// schema, and returns the ledger for `host`.
    ///
    /// # Errors
    /// The database cannot be reached or the schema set up.
    pub async fn open(
        &self,
        host: Option<&str>,
        connections: u32,
    ) -> Result<Ledger, DatabaseError> {
        let pool = self.database.connect(connections).await?;
        self.database.migrate(&pool).await?;
        Ok(Ledger::new(pool, host, self.policy.clone()))
    }
}

/// The answer to a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This process may sign and upload; this is attempt number `attempt`.
    Granted {
        /// 1 for the first attempt.
        attempt: i32,
    },
    /// Uploaded before.
    AlreadyUploaded,
    /// Another process holds a live claim.
    ClaimedElsewhere {
        /// Who holds it.
        by: String,
    },
    /// Failed `attempts` times: given up.
    GaveUp {
        /// How many times it failed.
        attempts: i32,
    },
}

/// What a `.changes` is, for the ledger's row.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The `.changes` file name.
    pub changes: &'a str,
    /// Source package.
    pub source: &'a str,
    /// Version.
    pub version: &'a str,
    /// Distribution.
    pub distribution: &'a str,
}

/// The ledger for one dput host, as used by one process.
#[derive(Debug, Clone)]
pub struct Ledger {
    pool: PgPool,
    host: String,
    owner: String,
    policy: Policy,
}

impl Ledger {
    /// The ledger for uploads to `host` (`None`: dput's default host) in a
    /// migrated database.
    pub fn new(pool: PgPool, host: Option<&str>, policy: Policy) -> Self {
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_owned())
            .unwrap_or_else(|_| "unknown".into());
        Self {
            pool,
            host: ledger_host(host),
            owner: format!("{hostname}:{}", std::process::id()),
            policy,
        }
    }

    /// The connection pool, for planning queries.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The host key used in the ledger.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The claiming rules.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Claims a `.changes` of a run, atomically: granted when it has no row,
    /// failed fewer than the maximum attempts, holds a claim older than the
    /// lease, or `force` allows it.
    ///
    /// # Errors
    /// The query failed.
    pub async fn claim(&self, run_id: &RunId, entry: &Entry<'_>) -> Result<Claim, DatabaseError> {
        let granted: Option<i32> = sqlx::query_scalar(
            "INSERT INTO upload AS u
                 (host, run_id, changes, state, attempts, source, version, distribution,
                  claimed_by, claimed_at, updated_at)
             VALUES ($1, $2, $3, 'claimed', 1, $4, $5, $6, $7, now(), now())
             ON CONFLICT (host, run_id, changes) DO UPDATE
                 SET state = 'claimed', attempts = u.attempts + 1,
                     claimed_by = EXCLUDED.claimed_by, claimed_at = now(), updated_at = now(),
                     source = EXCLUDED.source, version = EXCLUDED.version,
                     distribution = EXCLUDED.distribution
                 WHERE (u.state = 'claimed'
                        AND u.claimed_at < now() - make_interval(secs => $8))
                    OR (u.state = 'failed' AND ($9::integer IS NULL OR u.attempts < $9 OR $10))
                    OR (u.state = 'uploaded' AND $10)
             RETURNING u.attempts",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(entry.changes)
        .bind(entry.source)
        .bind(entry.version)
        .bind(entry.distribution)
        .bind(&self.owner)
        .bind(self.policy.lease.as_secs_f64())
        .bind(self.policy.max_attempts.map(|m| m as i32))
        .bind(self.policy.force)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(attempt) = granted {
            return Ok(Claim::Granted { attempt });
        }
        let row = sqlx::query(
            "SELECT state, attempts, coalesce(claimed_by, '') AS claimed_by FROM upload
             WHERE host = $1 AND run_id = $2 AND changes = $3",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(entry.changes)
        .fetch_one(&self.pool)
        .await?;
        let state: String = row.try_get("state")?;
        Ok(match state.as_str() {
            "uploaded" => Claim::AlreadyUploaded,
            "claimed" => Claim::ClaimedElsewhere {
                by: row.try_get("claimed_by")?,
            },
            _ => Claim::GaveUp {
                attempts: row.try_get("attempts")?,
            },
        })
    }

    /// How often a claim is renewed while its `.changes` is signed or
    /// uploaded: a third of the lease, so that two renewals can be missed
    /// before anyone may take the claim over.
    pub fn heartbeat(&self) -> Duration {
        (self.policy.lease / 3).max(Duration::from_millis(50))
    }

    /// Renews this process's claim on a `.changes`. Returns `false` when the
    /// claim is no longer this process's (taken over after its lease).
    ///
    /// # Errors
    /// The query failed.
    pub async fn renew(&self, run_id: &RunId, changes: &str) -> Result<bool, DatabaseError> {
        let renewed = sqlx::query(
            "UPDATE upload SET claimed_at = now(), updated_at = now()
              WHERE host = $1 AND run_id = $2 AND changes = $3
                AND state = 'claimed' AND claimed_by = $4",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(changes)
        .bind(&self.owner)
        .execute(&self.pool)
        .await?;
        Ok(renewed.rows_affected() == 1)
    }

    /// Records the end of this process's claim: uploaded, or failed with
    /// the error. Returns `false` when the claim was no longer this
    /// process's, so that nothing was recorded.
    ///
    /// # Errors
    /// The query failed.
    pub async fn finish(
        &self,
        run_id: &RunId,
        changes: &str,
        error: Option<&str>,
    ) -> Result<bool, DatabaseError> {
        let finished = sqlx::query(
            "UPDATE upload
                SET state = CASE WHEN $4::text IS NULL THEN 'uploaded' ELSE 'failed' END,
                    last_error = $4,
                    uploaded_at = CASE WHEN $4::text IS NULL THEN now() ELSE uploaded_at END,
                    updated_at = now()
              WHERE host = $1 AND run_id = $2 AND changes = $3
                AND state = 'claimed' AND claimed_by = $5",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(changes)
        .bind(error)
        .bind(&self.owner)
        .execute(&self.pool)
        .await?;
        Ok(finished.rows_affected() == 1)
    }

    /// Records that a run failed as a whole (artifacts missing, no
    /// `.changes`, verification failed, a store or disk error), counting
    /// attempts like a `.changes`.
    ///
    /// # Errors
    /// The query failed.
    pub async fn run_failed(&self, run_id: &RunId, error: &str) -> Result<(), DatabaseError> {
        sqlx::query(
            "INSERT INTO upload AS u (host, run_id, changes, state, attempts, last_error, updated_at)
             VALUES ($1, $2, '', 'failed', 1, $3, now())
             ON CONFLICT (host, run_id, changes) DO UPDATE
                 SET state = 'failed', attempts = u.attempts + 1, last_error = $3, updated_at = now()",
        )
        .bind(&self.host)
        .bind(run_id.as_str())
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets an earlier failure of the run as a whole, once it got through.
    ///
    /// # Errors
    /// The query failed.
    pub async fn run_succeeded(&self, run_id: &RunId) -> Result<(), DatabaseError> {
        sqlx::query("DELETE FROM upload WHERE host = $1 AND run_id = $2 AND changes = ''")
            .bind(&self.host)
            .bind(run_id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// The ledger's key for a dput host: its name, or `(default)`.
pub fn ledger_host(host: Option<&str>) -> String {
    host.unwrap_or("(default)").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas() {
        assert!(is_valid_schema("auto_upload"));
        assert!(is_valid_schema("_x1"));
        for bad in ["", "1x", "Auto", "a-b", "a\"b", "a;drop"] {
            assert!(!is_valid_schema(bad), "{bad}");
        }
    }
}
