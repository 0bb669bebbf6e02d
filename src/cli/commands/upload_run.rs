//! `upload-run`: one run by hand, its dispatch read (or given), the chain
//! run once, a line per `.changes`.

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use crate::chain::pipeline::{Dispatched, Pipeline};
use crate::chain::upload;
use crate::cli::output;
use crate::cli::settings::GivenDispatch;
use crate::exit_codes::ExitCode;
use crate::input::dispatch::{Dispatch, DispatchOrigin, NotDispatched};
use crate::input::record::Record;
use crate::input::run_id::RunId;
use crate::ledger::{self as ledger_db, Access, LedgerConfig};
use crate::shutdown::unless_stopped;

/// What `upload-run` is told of the run besides its id.
#[derive(Debug, Clone, Copy)]
pub(in crate::cli) struct RunArgs<'a> {
    /// `--expect-*`.
    pub(in crate::cli) expect: Option<&'a Record>,
    /// `--codebase`, `--campaign`.
    pub(in crate::cli) given: &'a GivenDispatch,
}

/// The run's dispatch: the run table's (what is given must match it); for
/// a run the table does not list, or without a database, what the operator
/// gave (both `--codebase` and `--campaign`).
pub(in crate::cli) async fn dispatch_of(
    run_id: &RunId,
    pool: Option<&sqlx::PgPool>,
    given: &GivenDispatch,
) -> anyhow::Result<Dispatch> {
    let Some(pool) = pool else {
        let (Some(codebase), Some(campaign)) = (&given.codebase, &given.campaign) else {
            unreachable!("settings require --codebase and --campaign without a database");
        };
        return Dispatch::new(codebase, campaign, None, DispatchOrigin::CommandLine)
            .map_err(anyhow::Error::msg);
    };
    let Some(dispatch) = ledger_db::janitor::run_dispatch(pool, run_id).await? else {
        // Not the Janitor's run: only what the operator says by hand.
        if let (Some(codebase), Some(campaign)) = (&given.codebase, &given.campaign) {
            tracing::warn!(run_id = %run_id, "the run is not in the Janitor's run table: signing against --codebase and --campaign as given, without a verdict");
            return Dispatch::new(codebase, campaign, None, DispatchOrigin::CommandLine)
                .map_err(anyhow::Error::msg);
        }
        return Err(NotDispatched::Missing {
            run_id: run_id.as_str().to_owned(),
        }
        .into());
    };
    for (field, given, table) in [
        ("codebase", &given.codebase, &dispatch.codebase),
        ("campaign", &given.campaign, &dispatch.campaign),
    ] {
        if let Some(given) = given.as_ref().filter(|g| *g != table) {
            return Err(NotDispatched::Differs {
                run_id: run_id.as_str().to_owned(),
                field,
                given: given.clone(),
                table: table.clone(),
            }
            .into());
        }
    }
    Ok(dispatch)
}

/// `upload-run`: opens the ledger (unless a dry run), runs the chain and
/// prints a line per `.changes`.
pub(in crate::cli) async fn upload_run(
    run_id: &RunId,
    pipeline: &Pipeline,
    database: Option<&LedgerConfig>,
    run: RunArgs<'_>,
    shutdown: &CancellationToken,
) -> anyhow::Result<ExitCode> {
    let access = if pipeline.dry_run {
        Access::ReadIfPresent
    } else {
        Access::Write
    };
    let opened = match database {
        Some(config) => Some(unless_stopped(shutdown, config.open(1, access)).await?),
        None => None,
    };
    let janitor = opened.as_ref().map(|o| &o.pool);
    let dispatch = dispatch_of(run_id, janitor, run.given).await?;
    let mut records = Vec::new();
    if let Some(pool) = janitor {
        match ledger_db::recorded_build(pool, run_id).await? {
            Some(row) => records.push(row.record()),
            None => tracing::warn!(run_id = %run_id, "the run has no debian_build row"),
        }
    }
    records.extend(run.expect.cloned());
    let ledger = opened.as_ref().and_then(|o| o.ledger.clone());
    let dispatched = Dispatched {
        dispatch: &dispatch,
        records: &records,
        janitor,
    };
    let ran = upload::upload_run(pipeline, ledger.as_ref(), run_id, dispatched, shutdown).await;
    let report = ran.result.with_context(|| format!("run {run_id}"))?;
    for changes in &report.changes {
        output::record(&changes.to_string(), false)?;
    }
    Ok(ran.outcome.exit_code())
}
