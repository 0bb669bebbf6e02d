//! What is due: the newest build of each (distribution, source) whose
//! verdict allows it, less what the ledger shows as done; streamed, never
//! loaded at once. With each run, what the Janitor dispatched.

use std::sync::LazyLock;

use futures::stream::BoxStream;
use futures::StreamExt;
use sqlx::{PgPool, Row};

use crate::input::dispatch::{Campaigns, Dispatch};
use crate::input::names::{DputHost, Reported, SourcePackage, Suite, Version};
use crate::input::record::Record;
use crate::input::run_id::RunId;
use crate::ledger::claims::Ledger;
use crate::ledger::database::DatabaseError;
use crate::ledger::state::State;

/// The newest build of each (distribution, source); the Python service's
/// choice, kept. With each, what the runner dispatched (`run.codebase`,
/// `run.suite`) and the reviewers' verdict (`run.publish_status`). `$1`:
/// distributions (all when NULL).
const NEWEST: &str = "SELECT DISTINCT ON (d.distribution, d.source)
        d.distribution, d.source, d.run_id, d.version, d.binary_packages,
        r.codebase, r.suite::text AS campaign, r.publish_status::text AS publish_status
    FROM debian_build d JOIN run r ON r.id = d.run_id
    WHERE $1::text[] IS NULL OR d.distribution = ANY($1)
    ORDER BY d.distribution, d.source, d.version DESC";

/// The verdicts that let a newest build be planned: never `rejected` or
/// `blocked`; for the campaigns of `$N` (`--require-review`: NULL none,
/// empty every campaign), only `approved`.
fn verdict_allows(review: &str) -> String {
    format!(
        "n.publish_status NOT IN ('rejected', 'blocked')
         AND ({review}::text[] IS NULL OR n.publish_status = 'approved'
              OR (cardinality({review}) > 0 AND NOT n.campaign = ANY({review})))"
    )
}

/// A run due for upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The run.
    pub run_id: String,
    /// Its distribution, as the worker's files say.
    pub distribution: Reported<Suite>,
    /// Its source package, as the worker's files say.
    pub source: Reported<SourcePackage>,
    /// Its version, as the worker's files say.
    pub version: Reported<Version>,
    /// The binary packages it built, if recorded.
    pub binary_packages: Option<Vec<String>>,
    /// `run.codebase`.
    pub codebase: String,
    /// `run.suite`: its campaign.
    pub campaign: String,
    /// `run.publish_status`.
    pub publish_status: String,
}

impl Due {
    /// What the worker's files said of the build (its `debian_build` row):
    /// checked beside what the Janitor decided, never instead of it.
    pub fn record(&self) -> Record {
        Record::of_build(
            self.source.clone(),
            self.version.clone(),
            self.distribution.clone(),
            self.binary_packages.clone(),
        )
    }

    /// What the runner dispatched for the run, and the verdict.
    ///
    /// # Errors
    /// A name outside the Janitor's syntax.
    pub fn dispatch(&self) -> Result<Dispatch, DatabaseError> {
        super::janitor::dispatch_of(&self.codebase, &self.campaign, &self.publish_status)
    }
}

/// The run's `debian_build` row with its dispatch, if it has one.
///
/// # Errors
/// The query failed.
pub async fn recorded_build(pool: &PgPool, run_id: &RunId) -> Result<Option<Due>, DatabaseError> {
    super::database::bounded("recorded build", async {
        let row = sqlx::query(
        "SELECT d.run_id, d.distribution, d.source, d.version::text AS version, d.binary_packages,
                r.codebase, r.suite::text AS campaign, r.publish_status::text AS publish_status
           FROM debian_build d JOIN run r ON r.id = d.run_id WHERE d.run_id = $1",
    )
    .bind(run_id.as_str())
    .fetch_optional(pool)
    .await?;
        row.as_ref().map(due_of).transpose()
    })
    .await
}

/// The plan without a ledger: every newest build the verdict allows
/// (`$2`: the review campaigns).
static PLAN_ALL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT run_id, distribution, source, version::text AS version, binary_packages,
                codebase, campaign, publish_status
           FROM ({NEWEST}) n
          WHERE {}",
        verdict_allows("$2")
    )
});

/// The plan against the ledger, as one anti-join: a run the verdict allows
/// (`$8`: the review campaigns) is due when the ledger has no row for it
/// under its campaign's host (`$6` campaigns, `$7` the keys of their
/// build distributions' hosts, `$2` the host of every other suite: NULL
/// when there is none, and then the run is due, for the chain to refuse
/// and count), or a row that is not done (deferred, stopped by a verdict
/// that now allows it, failed fewer than `$3` times, or claimed longer ago
/// than the lease `$4`), or when `$5` (force).
static PLAN_WITH_LEDGER: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT n.run_id, n.distribution, n.source, n.version::text AS version,
                n.binary_packages, n.codebase, n.campaign, n.publish_status
           FROM ({NEWEST}) n
          CROSS JOIN LATERAL (
                SELECT coalesce((SELECT r.host FROM unnest($6::text[], $7::text[]) AS r(campaign, host)
                                  WHERE r.campaign = n.campaign), $2::text) AS host) k
          WHERE ({})
            AND ($5
             OR NOT EXISTS (SELECT 1 FROM upload u
                             WHERE u.host = k.host AND u.run_id = n.run_id)
             OR EXISTS (SELECT 1 FROM upload u
                         WHERE u.host = k.host AND u.run_id = n.run_id
                           AND (u.state IN {held_back}
                             OR (u.state = {failed}
                                 AND ($3::integer IS NULL OR u.attempts < $3))
                             OR (u.state IN {live}
                                 AND u.claimed_at < now() - make_interval(secs => $4)))))",
        verdict_allows("$8"),
        held_back = State::sql_set(State::is_held_back),
        failed = State::Failed.sql(),
        live = State::sql_set(State::is_live_claim),
    )
});

/// The ledger's key of each Debian campaign: the host its build
/// distribution's uploads go to (none for a suite without a host).
fn campaign_keys(ledger: &Ledger, campaigns: &Campaigns) -> (Vec<String>, Vec<Option<DputHost>>) {
    campaigns
        .iter()
        .map(|rules| {
            (
                rules.name.clone(),
                ledger.hosts().key(&rules.build_distribution),
            )
        })
        .unzip()
}

/// The ledger's key a run of `campaign` is recorded under.
fn campaign_key(ledger: &Ledger, campaigns: &Campaigns, campaign: &str) -> Option<DputHost> {
    match campaigns.get(campaign) {
        Some(rules) => ledger.hosts().key(&rules.build_distribution),
        None => ledger.hosts().default_key(),
    }
}

/// Streams the runs due: the newest build of each (distribution, source)
/// whose verdict allows it, less those the ledger shows as done (uploaded,
/// given up, or claimed by a live process) unless its policy forces.
/// Without a ledger, every such newest build. Rows are streamed, never
/// loaded all at once.
pub fn plan<'a>(
    pool: &'a PgPool,
    distributions: &'a [Suite],
    ledger: Option<&'a Ledger>,
    campaigns: &'a Campaigns,
) -> BoxStream<'a, Result<Due, DatabaseError>> {
    let distributions = (!distributions.is_empty()).then(|| distributions.to_vec());
    let review = campaigns.review.as_sql();
    let rows = match ledger {
        None => sqlx::query(&PLAN_ALL)
            .bind(distributions)
            .bind(review)
            .fetch(pool),
        Some(ledger) if ledger.separate => {
            let rows = plan_apart(pool, distributions, ledger, campaigns);
            return super::database::each_row_bounded("reading the plan", rows);
        }
        Some(ledger) => {
            let (names, keys) = campaign_keys(ledger, campaigns);
            sqlx::query(&PLAN_WITH_LEDGER)
                .bind(distributions)
                .bind(ledger.hosts().default_key())
                .bind(ledger.policy().max_attempts.map(|m| m as i32))
                .bind(ledger.policy().lease.as_secs_f64())
                .bind(ledger.policy().force)
                .bind(names)
                .bind(keys)
                .bind(review)
                .fetch(pool)
        }
    };
    let rows = rows.map(|row| due_of(&row?)).boxed();
    super::database::each_row_bounded("reading the plan", rows)
}

/// A row of a plan query as a [`Due`].
fn due_of(row: &sqlx::postgres::PgRow) -> Result<Due, DatabaseError> {
    Ok(Due {
        run_id: row.try_get("run_id")?,
        distribution: row.try_get("distribution")?,
        source: row.try_get("source")?,
        version: row.try_get("version")?,
        binary_packages: row.try_get("binary_packages")?,
        codebase: row.try_get("codebase")?,
        campaign: row.try_get("campaign")?,
        publish_status: row.try_get("publish_status")?,
    })
}

/// Newest builds looked up in the ledger at once, when it is kept apart.
const PLAN_BATCH: usize = 500;

/// Which of `$2` (run ids, each under the host key at the same place in
/// `$1`) the ledger shows as done: a row for the run, none of which may be
/// retried (failed fewer than `$3` times, or claimed longer ago than the
/// lease `$4`).
static DONE_IN_LEDGER: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT run_id FROM upload
     WHERE (host, run_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     GROUP BY run_id
    HAVING NOT bool_or(state IN {held_back}
                    OR (state = {failed} AND ($3::integer IS NULL OR attempts < $3))
                    OR (state IN {live}
                        AND claimed_at < now() - make_interval(secs => $4)))",
        held_back = State::sql_set(State::is_held_back),
        failed = State::Failed.sql(),
        live = State::sql_set(State::is_live_claim),
    )
});

/// The plan with the ledger in another database: the newest builds are
/// streamed from the Janitor's, and each batch of [`PLAN_BATCH`] is
/// checked against the ledger in one query; the same rule as the join.
fn plan_apart<'a>(
    pool: &'a PgPool,
    distributions: Option<Vec<Suite>>,
    ledger: &'a Ledger,
    campaigns: &'a Campaigns,
) -> BoxStream<'a, Result<Due, DatabaseError>> {
    sqlx::query(&PLAN_ALL)
        .bind(distributions)
        .bind(campaigns.review.as_sql())
        .fetch(pool)
        .map(|row| due_of(&row?))
        .chunks(PLAN_BATCH)
        .then(move |batch| async move {
            let batch: Vec<Due> = match batch.into_iter().collect() {
                Ok(batch) => batch,
                Err(e) => return vec![Err(e)],
            };
            if ledger.policy().force {
                return batch.into_iter().map(Ok).collect();
            }
            // A run whose suite has no host is due: the chain refuses it.
            let (keys, ids): (Vec<DputHost>, Vec<&str>) = batch
                .iter()
                .filter_map(|d| {
                    Some((
                        campaign_key(ledger, campaigns, &d.campaign)?,
                        d.run_id.as_str(),
                    ))
                })
                .unzip();
            let done: Result<Vec<String>, _> = sqlx::query_scalar(&DONE_IN_LEDGER)
                .bind(&keys)
                .bind(&ids)
                .bind(ledger.policy().max_attempts.map(|m| m as i32))
                .bind(ledger.policy().lease.as_secs_f64())
                .fetch_all(ledger.pool())
                .await;
            match done {
                Ok(done) => {
                    let done: std::collections::HashSet<String> = done.into_iter().collect();
                    batch
                        .into_iter()
                        .filter(|d| !done.contains(&d.run_id))
                        .map(Ok)
                        .collect()
                }
                Err(e) => vec![Err(e.into())],
            }
        })
        .flat_map(futures::stream::iter)
        .boxed()
}
