//! The `ledger` subcommands: list, show, retry (looking in the archive
//! first), forget, pause, resume, reconcile.

use futures::StreamExt as _;
use tokio_util::sync::CancellationToken;

use crate::archive::Archives;
use crate::chain::queue::Queue;
use crate::cli::commands::backfill::write_figures;
use crate::cli::commands::upload_run::{upload_run, RunArgs};
use crate::cli::output;
use crate::cli::settings::{GivenDispatch, LedgerAction, SettingsError};
use crate::exit_codes::ExitCode;
use crate::input::names::DputHost;
use crate::input::run_id::RunId;
use crate::input::syntax;
use crate::ledger::state::RunState;
use crate::ledger::state::State;
use crate::ledger::view::{self as ledger_view, ChangesHistory};
use crate::ledger::{self as ledger_db, Access, LedgerConfig};
use crate::service::textfile::Textfile;
use crate::shutdown::unless_stopped;

/// The ledger subcommands. The ledger must exist already (it is never
/// created by looking at it); it is migrated to the current schema.
pub(in crate::cli) async fn ledger(
    config: &LedgerConfig,
    host: Option<&DputHost>,
    action: LedgerAction,
    shutdown: &CancellationToken,
) -> anyhow::Result<ExitCode> {
    let ledger = unless_stopped(shutdown, existing_ledger(config)).await?;
    let pool = ledger.pool();
    match action {
        LedgerAction::List { query, json } => {
            // Said first, in the log (stderr): stdout stays one line per run.
            if let Some(pause) = ledger_db::pause::paused(pool).await? {
                tracing::warn!(since = %pause.since, by = %pause.by, reason = %pause.reason, "the ledger is paused: no new upload starts (ledger resume lets them start again)");
            }
            list_ledger(pool, &query, json).await?
        }
        LedgerAction::Pause { reason } => {
            let by = operator();
            if ledger_db::pause::pause(pool, &reason, &by).await? {
                tracing::info!(by = %by, reason = %syntax::printable(&reason), "paused: no uploader sharing this ledger starts a new upload; uploads in flight finish");
            } else {
                tracing::info!(by = %by, reason = %syntax::printable(&reason), "paused already: the reason is replaced");
            }
        }
        LedgerAction::Resume => {
            if ledger_db::pause::resume(pool).await? {
                tracing::info!(
                    "resumed: uploads start again; listen catches up with the runs left due"
                );
            } else {
                tracing::info!("not paused: nothing to resume");
            }
        }
        LedgerAction::Show(run_id) => {
            let shown = ledger_view::show(pool, host, &run_id).await?;
            if shown.is_empty() {
                anyhow::bail!("run {run_id} is not in the ledger");
            }
            output::record(&show_text(&run_id, &shown), false)?;
        }
        LedgerAction::Retry {
            run_id,
            now,
            archives,
            dput_config,
            force,
        } => {
            let accepted = if force {
                0
            } else {
                look_before_retry(pool, host, &run_id, &archives, dput_config.as_deref()).await?
            };
            if accepted > 0 {
                output::record(&format!("accepted\t{run_id}\t{accepted}"), false)?;
            }
            match ledger_view::retry(pool, host, &run_id).await? {
                None => anyhow::bail!("run {run_id} is not in the ledger"),
                Some(0) if accepted > 0 => return Ok(ExitCode::Success),
                Some(0) => {
                    anyhow::bail!("run {run_id} has nothing to retry: none of its .changes failed")
                }
                Some(n) => output::record(&format!("reset\t{run_id}\t{n}"), false)?,
            }
            if let Some(pipeline) = now {
                let run = RunArgs {
                    expect: None,
                    given: &GivenDispatch::default(),
                };
                return upload_run(&run_id, &pipeline, Some(config), run, shutdown).await;
            }
        }
        LedgerAction::Reconcile {
            archives,
            after,
            metrics_file,
        } => {
            let started = std::time::Instant::now();
            let reconciled = reconcile(pool, host, &archives, after).await;
            if let Some(path) = metrics_file {
                let mut figures = Textfile::new("reconcile");
                let counts = reconciled.as_ref().map_or([0; 3], |r| r.1);
                for (state, count) in ["accepted", "unconfirmed", "unknown"].iter().zip(counts) {
                    figures.gauge(
                        "uploads",
                        "Uploads the last reconcile marked, by state (unknown: not checked)",
                        &[("state", state)],
                        count as f64,
                    );
                }
                let succeeded = matches!(reconciled, Ok((ExitCode::Success, _)));
                write_figures(figures, &path, succeeded, started.elapsed());
            }
            return reconciled.map(|(code, _)| code);
        }
        LedgerAction::Forget(run_id) => match ledger_view::forget(pool, host, &run_id).await? {
            0 => anyhow::bail!("run {run_id} is not in the ledger"),
            n => output::record(&format!("forgot\t{run_id}\t{n}"), false)?,
        },
    }
    Ok(ExitCode::Success)
}

/// The ledger, which must exist already (looking never creates it),
/// migrated to the current schema.
pub(in crate::cli) async fn existing_ledger(
    config: &LedgerConfig,
) -> anyhow::Result<crate::ledger::Ledger> {
    let home = config.ledger_database.as_ref().unwrap_or(&config.database);
    config
        .open(1, Access::UpdateIfPresent)
        .await?
        .ledger
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no upload ledger in {home} (schema {}): nothing has been recorded there",
                home.schema
            )
        })
}

/// `ledger list`: one line (or JSON object) per run, written in blocks.
pub(in crate::cli) async fn list_ledger(
    pool: &sqlx::PgPool,
    query: &ledger_view::ListQuery,
    json: bool,
) -> anyhow::Result<()> {
    let mut rows = ledger_view::list(pool, query);
    let mut records = output::Records::default();
    while let Some(row) = rows.next().await {
        let row = row?;
        let line = if json {
            serde_json::to_string(&row)?
        } else {
            row.to_string()
        };
        records.push(&line)?;
    }
    records.finish()?;
    Ok(())
}

/// `ledger reconcile`: each uploaded `.changes` looked up in its suite's
/// index; silent on success (counts at info), exit 1 when an index could
/// not be read or a suite has no archive.
/// Before `ledger retry` resets a run's `unconfirmed` `.changes` (dput may
/// have uploaded them), looks for each in the archive: one whose version
/// (or a newer one) the archive lists is marked `accepted`, not reset.
/// Returns how many were.
///
/// # Errors
/// An unconfirmed `.changes` with no archive to look in, or whose archive
/// cannot be read: nothing is reset (`--force` skips the look).
pub(in crate::cli) async fn look_before_retry(
    pool: &sqlx::PgPool,
    host: Option<&DputHost>,
    run_id: &RunId,
    archives: &Archives,
    dput_config: Option<&std::path::Path>,
) -> anyhow::Result<u64> {
    let mut accepted = 0;
    for upload in ledger_view::unconfirmed_of(pool, host, run_id).await? {
        let refuse = |why: String| {
            SettingsError::Unchecked(format!(
                "{}: unconfirmed (dput may have uploaded it) and {why}: nothing reset; \
                 --force resets it without looking (it may then be uploaded twice)",
                upload.changes
            ))
        };
        let Some(archive) = archives.for_suite(&upload.distribution) else {
            return Err(refuse(format!(
                "no archive to look in for {} (--archive, or archive_mirror_uri in --config)",
                upload.distribution
            ))
            .into());
        };
        let ours = upload.version.as_str().parse::<debversion::Version>().ok();
        match archive.newest(&upload.distribution, &upload.source).await {
            Ok(Some(theirs)) if ours.as_ref().is_some_and(|ours| &theirs >= ours) => {
                ledger_view::mark(pool, &upload, State::Accepted).await?;
                accepted += 1;
                tracing::info!(run_id = %run_id, changes = %upload.changes, archive = %archive.url(), version = %theirs, "the archive has the unconfirmed upload: accepted, not reset");
            }
            Ok(_) => {
                let queue = Queue::of_host(dput_config, &upload.host);
                let queue = match &queue {
                    Queue::Local(dir) => {
                        if let Some(path) = queue.holding(&upload.changes) {
                            return Err(refuse(format!(
                                "it is in the upload queue of {} ({}), not yet in the archive; \
                                 `ledger reconcile` marks it once the archive has it",
                                upload.host,
                                path.display()
                            ))
                            .into());
                        }
                        format!("not in {}", dir.display())
                    }
                    Queue::Unlisted(method) => format!("not listed (method {method})"),
                    Queue::Unknown => {
                        "not looked in (the host is not in dput's configuration)".to_owned()
                    }
                };
                tracing::info!(run_id = %run_id, changes = %upload.changes, archive = %archive.url(), queue, "not in the archive: reset");
            }
            Err(why) => return Err(refuse(why).into()),
        }
    }
    Ok(accepted)
}

pub(in crate::cli) async fn reconcile(
    pool: &sqlx::PgPool,
    host: Option<&DputHost>,
    archives: &Archives,
    after: std::time::Duration,
) -> anyhow::Result<(ExitCode, [u64; 3])> {
    let (mut accepted, mut unconfirmed, mut unknown) = (0u64, 0u64, 0u64);
    for upload in ledger_view::uploaded(pool, host, after).await? {
        let Some(archive) = archives.for_suite(&upload.distribution) else {
            tracing::error!(run_id = %upload.run_id, suite = %upload.distribution, "no archive to reconcile this suite with");
            unknown += 1;
            continue;
        };
        let ours = upload.version.as_str().parse::<debversion::Version>().ok();
        match archive.newest(&upload.distribution, &upload.source).await {
            Ok(Some(theirs)) if ours.as_ref().is_some_and(|ours| &theirs >= ours) => {
                ledger_view::mark(pool, &upload, State::Accepted).await?;
                accepted += 1;
            }
            Ok(_) if upload.overdue => {
                tracing::warn!(run_id = %upload.run_id, changes = %upload.changes, "uploaded but not in the archive: unconfirmed");
                ledger_view::mark(pool, &upload, State::Unconfirmed).await?;
                unconfirmed += 1;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(run_id = %upload.run_id, error = %e, "cannot reconcile");
                unknown += 1;
            }
        }
    }
    tracing::info!(accepted, unconfirmed, unknown, "reconciled");
    let code = if unknown > 0 {
        ExitCode::Failure
    } else {
        ExitCode::Success
    };
    Ok((code, [accepted, unconfirmed, unknown]))
}

/// Who pauses the ledger: `user@host`, as far as this process can tell.
pub(in crate::cli) fn operator() -> String {
    let user = ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "?".to_owned());
    format!("{user}@{}", ledger_db::hostname())
}

/// `ledger show`'s text: a block per `.changes`, its failed attempts, and
/// the whole last error, indented.
pub(in crate::cli) fn show_text(run_id: &RunId, shown: &[ChangesHistory]) -> String {
    let mut text = format!("run {run_id}");
    for c in shown {
        let name = if c.changes.is_empty() {
            "(the run as a whole)"
        } else {
            &c.changes
        };
        let state = ledger_view::shown_state(RunState::Is(c.state), c.archive_version.as_ref());
        text.push_str(&format!(
            "\n\n{name} on {}: {state}, {} attempt(s), {} {} {}, last change {}",
            c.host, c.attempts, c.source, c.version, c.distribution, c.updated_at
        ));
        if let Some(at) = &c.uploaded_at {
            text.push_str(&format!(", uploaded {at}"));
        }
        if let Some(days) = c.delayed {
            text.push_str(&format!(", to DELAYED/{days}-day"));
        }
        if let Some(by) = &c.claimed_by {
            text.push_str(&format!(", claimed by {by}"));
        }
        for (attempt, at, error) in &c.failures {
            let first = error.lines().next().unwrap_or_default();
            let first = syntax::printable(first);
            text.push_str(&format!("\n  attempt {attempt} failed {at}: {first}"));
        }
        if let Some(error) = &c.last_error {
            text.push_str("\n  last error:");
            for line in error.lines() {
                text.push_str(&format!("\n    {}", syntax::printable(line)));
            }
        }
    }
    text
}
