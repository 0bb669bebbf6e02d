//! The operators' view of the upload ledger: `ledger list`, `show`,
//! `retry` and `forget`. What is claimed and recorded during uploads is
//! `claims.rs`'s; this file only reads, resets and removes rows.

use futures::stream::BoxStream;
use futures::StreamExt;
use serde::Serialize;
use sqlx::{PgPool, Row};

use crate::input::names::{DputHost, SourcePackage, Suite, Version};
use crate::input::run_id::RunId;
use crate::input::syntax::printable;
use crate::ledger::database::DatabaseError;
pub use crate::ledger::state::RunState;
use crate::ledger::state::State;
use std::sync::LazyLock;

/// A name of a ledger row, or nothing: the row of a run as a whole names
/// no source, version or distribution. Printed and serialized as `""`
/// then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blank<T>(pub Option<T>);

impl<T: std::fmt::Display> std::fmt::Display for Blank<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(name) => name.fmt(f),
            None => Ok(()),
        }
    }
}

impl<T: std::fmt::Display> Serialize for Blank<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<T> sqlx::Type<sqlx::Postgres> for Blank<T> {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <&str as sqlx::Type<sqlx::Postgres>>::type_info()
    }

    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
    }
}

/// `''` is nothing; anything else is parsed.
impl<T: std::str::FromStr<Err = crate::input::names::InvalidName>> sqlx::Decode<'_, sqlx::Postgres>
    for Blank<T>
{
    fn decode(value: sqlx::postgres::PgValueRef<'_>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
        Ok(Self(if text.is_empty() {
            None
        } else {
            Some(text.parse()?)
        }))
    }
}

/// What `ledger list` selects.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// The ledger's key (dput host); all hosts when `None`.
    pub host: Option<DputHost>,
    /// Only runs in this state.
    pub state: Option<RunState>,
    /// Only runs changed this recently.
    pub since: Option<std::time::Duration>,
    /// Only this source package.
    pub source: Option<SourcePackage>,
    /// Failed this many times: `gave-up`.
    pub max_attempts: u32,
}

/// One run in `ledger list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRow {
    /// The run.
    pub run_id: String,
    /// The dput host (the ledger's key).
    pub host: DputHost,
    /// Source package.
    pub source: Blank<SourcePackage>,
    /// Version.
    pub version: Blank<Version>,
    /// Distribution.
    pub distribution: Blank<Suite>,
    /// See [`RunState`].
    pub state: RunState,
    /// For `superseded`: the version the archive had.
    pub archive_version: Option<Version>,
    /// The most attempts any of its `.changes` took.
    pub attempts: i32,
    /// When a row of it last changed (UTC, RFC 3339).
    pub updated_at: String,
    /// The first line of its latest error, if any.
    pub error: Option<String>,
}

impl std::fmt::Display for RunRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            self.run_id,
            self.host,
            self.source,
            self.version,
            self.distribution,
            shown_state(self.state, self.archive_version.as_ref()),
            self.attempts,
            self.updated_at,
            printable(self.error.as_deref().unwrap_or(""))
        )
    }
}

/// A state as printed: `superseded (archive has VERSION)` says why nothing
/// was uploaded.
pub fn shown_state(state: RunState, archive_version: Option<&Version>) -> String {
    if let (RunState::Is(State::Superseded), Some(version)) = (state, archive_version) {
        return format!("superseded (archive has {version})");
    }
    state.to_string()
}

/// UTC timestamps as RFC 3339, in SQL.
macro_rules! utc {
    ($column:literal) => {
        concat!(
            "to_char(",
            $column,
            " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        )
    };
}

/// One row per (host, run): its most pressing state, `gave-up` for a
/// failure at the maximum attempts. `$1` host, `$2` max attempts, `$3`
/// source, `$4` seconds, `$5` state.
static LIST: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT run_id, host, source, version, distribution, shown AS state, archive_version,
            attempts, {updated_at} AS updated_at, error FROM (
        SELECT *, CASE WHEN state = {failed} AND attempts >= $2 THEN '{gave_up}' ELSE state END AS shown
          FROM (SELECT host, run_id,
                       coalesce(max(source), '') AS source,
                       coalesce(max(version), '') AS version,
                       coalesce(max(distribution), '') AS distribution,
                       ({pressing})[min(array_position({pressing}, state))] AS state,
                       max(archive_version) AS archive_version,
                       max(attempts) AS attempts,
                       max(updated_at) AS updated_at,
                       (array_agg(last_error ORDER BY updated_at DESC)
                            FILTER (WHERE last_error IS NOT NULL))[1] AS error
                  FROM upload
                 WHERE $1::text IS NULL OR host = $1
                 GROUP BY host, run_id) runs) shown
      WHERE ($3::text IS NULL OR source = $3)
        AND ($4::float8 IS NULL OR updated_at >= now() - make_interval(secs => $4))
        AND ($5::text IS NULL OR shown = $5)
      ORDER BY updated_at DESC, run_id",
        updated_at = utc!("updated_at"),
        failed = State::Failed.sql(),
        gave_up = RunState::GaveUp.as_str(),
        pressing = State::sql_pressing(),
    )
});

/// Streams `ledger list`'s rows, newest change first.
pub fn list<'a>(
    pool: &'a PgPool,
    query: &'a ListQuery,
) -> BoxStream<'a, Result<RunRow, DatabaseError>> {
    sqlx::query(&LIST)
        .bind(query.host.as_ref())
        .bind(i32::try_from(query.max_attempts).unwrap_or(i32::MAX))
        .bind(query.source.as_ref())
        .bind(query.since.map(|d| d.as_secs_f64()))
        .bind(query.state.map(RunState::as_str))
        .fetch(pool)
        .map(|row| {
            let row = row?;
            let error: Option<String> = row.try_get("error")?;
            Ok(RunRow {
                run_id: row.try_get("run_id")?,
                host: row.try_get("host")?,
                source: row.try_get("source")?,
                version: row.try_get("version")?,
                distribution: row.try_get("distribution")?,
                state: row.try_get("state")?,
                archive_version: row.try_get("archive_version")?,
                attempts: row.try_get("attempts")?,
                updated_at: row.try_get("updated_at")?,
                error: error.map(|e| e.lines().next().unwrap_or_default().to_owned()),
            })
        })
        .boxed()
}

/// One `.changes` of a run in `ledger show`, with its failed attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangesHistory {
    /// The dput host.
    pub host: DputHost,
    /// The `.changes` (empty: the run as a whole).
    pub changes: String,
    /// Its state.
    pub state: State,
    /// For `superseded`: the version the archive had.
    pub archive_version: Option<Version>,
    /// Attempts so far.
    pub attempts: i32,
    /// Source, version, distribution.
    pub source: Blank<SourcePackage>,
    /// Version.
    pub version: Blank<Version>,
    /// Distribution.
    pub distribution: Blank<Suite>,
    /// Last change.
    pub updated_at: String,
    /// When it was uploaded.
    pub uploaded_at: Option<String>,
    /// The days of dput's DELAYED queue it was uploaded to, if delayed.
    pub delayed: Option<i16>,
    /// Who holds or held the claim.
    pub claimed_by: Option<String>,
    /// The whole last error.
    pub last_error: Option<String>,
    /// Every failed attempt: number, time, error.
    pub failures: Vec<(i32, String, String)>,
}

/// Every `.changes` of a run, with its history.
///
/// # Errors
/// The queries failed.
pub async fn show(
    pool: &PgPool,
    host: Option<&DputHost>,
    run_id: &RunId,
) -> Result<Vec<ChangesHistory>, DatabaseError> {
    let rows = sqlx::query(concat!(
        "SELECT host, changes, state, attempts, coalesce(source, '') AS source,
                coalesce(version, '') AS version, coalesce(distribution, '') AS distribution, ",
        utc!("updated_at"),
        " AS updated_at, ",
        utc!("uploaded_at"),
        " AS uploaded_at, delayed, claimed_by, last_error, archive_version
           FROM upload WHERE run_id = $1 AND ($2::text IS NULL OR host = $2)
          ORDER BY host, changes"
    ))
    .bind(run_id.as_str())
    .bind(host)
    .fetch_all(pool)
    .await?;
    let attempts = sqlx::query(concat!(
        "SELECT host, changes, attempt, ",
        utc!("failed_at"),
        " AS failed_at, error FROM upload_attempt
          WHERE run_id = $1 AND ($2::text IS NULL OR host = $2)
          ORDER BY host, changes, attempt"
    ))
    .bind(run_id.as_str())
    .bind(host)
    .fetch_all(pool)
    .await?;
    let mut shown = Vec::new();
    for row in rows {
        let (host, changes): (DputHost, String) = (row.try_get("host")?, row.try_get("changes")?);
        let mut failures = Vec::new();
        for a in &attempts {
            if a.try_get::<DputHost, _>("host")? == host
                && a.try_get::<String, _>("changes")? == changes
            {
                failures.push((
                    a.try_get("attempt")?,
                    a.try_get("failed_at")?,
                    a.try_get("error")?,
                ));
            }
        }
        shown.push(ChangesHistory {
            state: row.try_get("state")?,
            archive_version: row.try_get("archive_version")?,
            attempts: row.try_get("attempts")?,
            source: row.try_get("source")?,
            version: row.try_get("version")?,
            distribution: row.try_get("distribution")?,
            updated_at: row.try_get("updated_at")?,
            uploaded_at: row.try_get("uploaded_at")?,
            delayed: row.try_get("delayed")?,
            claimed_by: row.try_get("claimed_by")?,
            last_error: row.try_get("last_error")?,
            host,
            changes,
            failures,
        });
    }
    Ok(shown)
}

/// Resets a run's failed, given-up, refused or unconfirmed `.changes`
/// (attempts to zero), so that the next backfill uploads them. Returns how many rows
/// were reset; `None` when the ledger has no row of the run at all.
///
/// # Errors
/// The queries failed.
pub async fn retry(
    pool: &PgPool,
    host: Option<&DputHost>,
    run_id: &RunId,
) -> Result<Option<u64>, DatabaseError> {
    let reset = sqlx::query(
        "UPDATE upload SET state = $3, attempts = 0, claimed_by = NULL, updated_at = now()
          WHERE run_id = $1 AND ($2::text IS NULL OR host = $2)
            AND state = ANY($4::text[])",
    )
    .bind(run_id.as_str())
    .bind(host)
    .bind(State::Failed)
    .bind(State::words(State::is_retryable))
    .execute(pool)
    .await?
    .rows_affected();
    if reset > 0 {
        return Ok(Some(reset));
    }
    Ok(known(pool, host, run_id).await?.then_some(0))
}

/// Removes every row of a run (and its attempts). Returns how many.
///
/// # Errors
/// The query failed.
pub async fn forget(
    pool: &PgPool,
    host: Option<&DputHost>,
    run_id: &RunId,
) -> Result<u64, DatabaseError> {
    Ok(
        sqlx::query("DELETE FROM upload WHERE run_id = $1 AND ($2::text IS NULL OR host = $2)")
            .bind(run_id.as_str())
            .bind(host)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

async fn known(
    pool: &PgPool,
    host: Option<&DputHost>,
    run_id: &RunId,
) -> Result<bool, DatabaseError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM upload WHERE run_id = $1 AND ($2::text IS NULL OR host = $2))",
    )
    .bind(run_id.as_str())
    .bind(host)
    .fetch_one(pool)
    .await?)
}

/// An uploaded `.changes` for `ledger reconcile` to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The dput host.
    pub host: DputHost,
    /// The run.
    pub run_id: String,
    /// The `.changes`.
    pub changes: String,
    /// Source package.
    pub source: SourcePackage,
    /// Version.
    pub version: Version,
    /// Distribution.
    pub distribution: Suite,
    /// Uploaded longer ago than `--after`.
    pub overdue: bool,
}

/// The `.changes` recorded as uploaded (or unconfirmed), oldest first.
///
/// # Errors
/// The query failed.
pub async fn uploaded(
    pool: &PgPool,
    host: Option<&DputHost>,
    after: std::time::Duration,
) -> Result<Vec<Uploaded>, DatabaseError> {
    let rows = sqlx::query(
        "SELECT host, run_id, changes, coalesce(source, '') AS source,
                coalesce(version, '') AS version, coalesce(distribution, '') AS distribution,
                coalesce(uploaded_at, updated_at) < now() - make_interval(secs => $2) AS overdue
           FROM upload
          WHERE state IN ($3, $4) AND changes <> ''
            AND ($1::text IS NULL OR host = $1)
          ORDER BY coalesce(uploaded_at, updated_at)",
    )
    .bind(host)
    .bind(after.as_secs_f64())
    .bind(State::Uploaded)
    .bind(State::Unconfirmed)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| uploaded_of(row, row.try_get("overdue")?))
        .collect()
}

/// A row of `upload` as an [`Uploaded`].
fn uploaded_of(row: &sqlx::postgres::PgRow, overdue: bool) -> Result<Uploaded, DatabaseError> {
    Ok(Uploaded {
        host: row.try_get("host")?,
        run_id: row.try_get("run_id")?,
        changes: row.try_get("changes")?,
        source: row.try_get("source")?,
        version: row.try_get("version")?,
        distribution: row.try_get("distribution")?,
        overdue,
    })
}

/// A run's `unconfirmed` `.changes` (under `host`, or every host), for
/// `ledger retry` to look for in the archive before resetting them.
///
/// # Errors
/// The query failed.
pub async fn unconfirmed_of(
    pool: &PgPool,
    host: Option<&DputHost>,
    run_id: &RunId,
) -> Result<Vec<Uploaded>, DatabaseError> {
    let rows = sqlx::query(
        "SELECT host, run_id, changes, coalesce(source, '') AS source,
                coalesce(version, '') AS version, coalesce(distribution, '') AS distribution
           FROM upload
          WHERE state = $3 AND changes <> '' AND run_id = $2
            AND ($1::text IS NULL OR host = $1)
          ORDER BY changes",
    )
    .bind(host)
    .bind(run_id.as_str())
    .bind(State::Unconfirmed)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|row| uploaded_of(row, false)).collect()
}

/// Records what reconcile learnt of an uploaded `.changes`: `accepted` or
/// `unconfirmed` (only from `uploaded` or `unconfirmed`).
///
/// # Errors
/// The query failed.
pub async fn mark(pool: &PgPool, upload: &Uploaded, state: State) -> Result<(), DatabaseError> {
    sqlx::query(
        "UPDATE upload SET state = $4, updated_at = now()
          WHERE host = $1 AND run_id = $2 AND changes = $3
            AND state IN ($5, $6) AND state <> $4",
    )
    .bind(&upload.host)
    .bind(&upload.run_id)
    .bind(&upload.changes)
    .bind(state)
    .bind(State::Uploaded)
    .bind(State::Unconfirmed)
    .execute(pool)
    .await?;
    Ok(())
}
