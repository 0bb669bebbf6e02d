//! What the Janitor's own tables say of a run, read-only: its dispatch
//! (`run.codebase`, `run.suite`: set by the runner from its queue), the
//! reviewers' verdict (`run.publish_status`, the `review` table) and the
//! source names a codebase builds (the `package` table, where a
//! deployment has one). Every string read here reaches a log line or a
//! comparison only as a checked name or escaped text.

use sqlx::{PgPool, Row};

use crate::input::dispatch::{Dispatch, DispatchOrigin};
use crate::input::names::SourcePackage;
use crate::input::run_id::RunId;
use crate::input::syntax::printable;
use crate::input::verdict::PublishStatus;
use crate::ledger::database::DatabaseError;

/// The most characters of a reviewer's name and comment kept.
const REVIEW_TEXT_CHARS: usize = 200;

/// The run's dispatch from the `run` table, if the run is there.
///
/// # Errors
/// The query failed, or the row holds names outside the Janitor's syntax.
pub async fn run_dispatch(
    pool: &PgPool,
    run_id: &RunId,
) -> Result<Option<Dispatch>, DatabaseError> {
    super::database::bounded("run dispatch", async {
        let row = sqlx::query(
            "SELECT codebase, suite::text AS campaign, publish_status::text AS publish_status
           FROM run WHERE id = $1",
        )
        .bind(run_id.as_str())
        .fetch_optional(pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let codebase: String = row.try_get("codebase")?;
        let campaign: String = row.try_get("campaign")?;
        let status: String = row.try_get("publish_status")?;
        dispatch_of(&codebase, &campaign, &status).map(Some)
    })
    .await
}

/// A dispatch from the three columns of a `run` row.
///
/// # Errors
/// A value outside the Janitor's syntax (a decode error).
pub fn dispatch_of(
    codebase: &str,
    campaign: &str,
    status: &str,
) -> Result<Dispatch, DatabaseError> {
    let invalid = |e: String| DatabaseError::Query(sqlx::Error::Decode(e.into()));
    let status: PublishStatus = status.parse().map_err(invalid)?;
    Dispatch::new(codebase, campaign, Some(status), DispatchOrigin::RunTable).map_err(invalid)
}

/// The run's `publish_status` as it is now, with who rejected it when
/// (from the `review` table, where there is one) for a run it stops.
/// `None` when the run is not in the table.
///
/// # Errors
/// The query failed.
pub async fn verdict(
    pool: &PgPool,
    run_id: &RunId,
) -> Result<Option<(PublishStatus, Option<String>)>, DatabaseError> {
    super::database::bounded("verdict", async {
        let status: Option<String> =
            sqlx::query_scalar("SELECT publish_status::text FROM run WHERE id = $1")
                .bind(run_id.as_str())
                .fetch_optional(pool)
                .await?;
        let Some(status) = status else {
            return Ok(None);
        };
        let status: PublishStatus = status
            .parse()
            .map_err(|e: String| DatabaseError::Query(sqlx::Error::Decode(e.into())))?;
        // Who rejected it is for the operators; a review table the role may
        // not read loses only that.
        let review = if status.forbids_signing() {
            review_note(pool, run_id).await.unwrap_or_else(|e| {
                tracing::warn!(run_id = %run_id, error = %e, "cannot read the run's review");
                None
            })
        } else {
            None
        };
        Ok(Some((status, review)))
    })
    .await
}

/// "by REVIEWER at TIME: COMMENT" of the run's latest rejecting review,
/// escaped and capped, if the deployment has a `review` table and it has
/// one.
async fn review_note(pool: &PgPool, run_id: &RunId) -> Result<Option<String>, DatabaseError> {
    if !has_columns(
        pool,
        "review",
        &["run_id", "reviewer", "verdict", "reviewed_at"],
    )
    .await?
    {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT coalesce(reviewer, '?') AS reviewer,
                to_char(reviewed_at, 'YYYY-MM-DD HH24:MI:SS') AS at,
                comment
           FROM review WHERE run_id = $1 AND verdict::text = 'rejected'
          ORDER BY reviewed_at DESC LIMIT 1",
    )
    .bind(run_id.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let reviewer: String = row.try_get("reviewer")?;
    let at: String = row.try_get("at")?;
    let comment: Option<String> = row.try_get("comment")?;
    let capped = |text: &str| {
        printable(&text.chars().take(REVIEW_TEXT_CHARS).collect::<String>()).into_owned()
    };
    let mut note = format!("rejected by {} at {at} UTC", capped(&reviewer));
    if let Some(comment) = comment.filter(|c| !c.is_empty()) {
        note.push_str(": ");
        note.push_str(&capped(&comment));
    }
    Ok(Some(note))
}

/// The source packages `codebase` builds: what the deployment's `package`
/// table maps it to (its `name` where `codebase` is this one), where the
/// table exists and maps it; else the codebase itself (the Debian Janitor
/// names codebases after source packages).
///
/// # Errors
/// The query failed.
pub async fn sources_of(
    pool: &PgPool,
    codebase: &str,
) -> Result<Vec<SourcePackage>, DatabaseError> {
    super::database::bounded("sources of", async {
        if has_columns(pool, "package", &["name", "codebase"]).await? {
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT name::text FROM package WHERE codebase = $1 LIMIT 100",
            )
            .bind(codebase)
            .fetch_all(pool)
            .await?;
            let names: Vec<SourcePackage> = names
                .iter()
                .filter_map(|n| SourcePackage::parse(n).ok())
                .collect();
            if !names.is_empty() {
                return Ok(names);
            }
        }
        Ok(codebase_source(codebase))
    })
    .await
}

/// The source package a codebase names, when it is one (the Debian Janitor
/// names codebases after source packages).
pub fn codebase_source(codebase: &str) -> Vec<SourcePackage> {
    SourcePackage::parse(codebase).ok().into_iter().collect()
}

/// Whether a table of that name on the search path has all these columns.
async fn has_columns(pool: &PgPool, table: &str, columns: &[&str]) -> Result<bool, DatabaseError> {
    let found: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT a.attname)
           FROM pg_attribute a
          WHERE a.attrelid = to_regclass($1) AND a.attname = ANY($2) AND NOT a.attisdropped",
    )
    .bind(table)
    .bind(columns)
    .fetch_one(pool)
    .await?;
    Ok(found == columns.len() as i64)
}
