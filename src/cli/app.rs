//! Runs one validated subcommand: the glue between settings, the library's
//! steps and what is printed on stdout.

use anyhow::Context as _;
use futures::StreamExt as _;
use tokio_util::sync::CancellationToken;

use std::path::{Path, PathBuf};

use std::io::IsTerminal as _;
use std::io::Write as _;

use crate::archive::Archives;
use crate::chain::artifacts::ArtifactStore;
use crate::chain::dput::DputError;
use crate::chain::queue::Queue;
use crate::chain::sign::SignError;
use crate::chain::signature::{SignatureError, Verifier};
use crate::chain::tool::ToolError;
use crate::chain::upload::{self, Dispatched, Pipeline, RunOutcome};
use crate::cli::janitor_conf::ConfigError;
use crate::cli::output;
use crate::cli::settings::{
    GivenDispatch, LedgerAction, ListFormat, PathInput, SettingsError, Task,
};
use crate::exit_codes::{code_of, first_known, ExitCode};
use crate::input::changes::{self, Changes, ChangesError, Filter, Verify};
use crate::input::dispatch::{Dispatch, DispatchOrigin, NotDispatched};
use crate::input::record::Record;
use crate::input::run_id::RunId;
use crate::input::syntax;
use crate::ledger::view::{self as ledger_view, ChangesHistory, RunState};
use crate::ledger::{self as ledger_db, Access, Due, LedgerConfig};
use crate::service::backfill::{BackfillSettings, Report, Summary};
use crate::service::textfile::Textfile;
use crate::shutdown::{unless_stopped, Interrupted};

/// Runs `task` until done or until `shutdown` fires.
///
/// # Errors
/// Whatever stopped the task as a whole; per-file failures of `sign`, `dput`
/// and `upload-run` are logged and folded into the returned exit code (the
/// first failure's code wins).
pub async fn run(task: Task, shutdown: CancellationToken) -> anyhow::Result<ExitCode> {
    match task {
        Task::FetchArtifacts {
            run_id,
            store,
            dest,
        } => fetch_artifacts(&run_id, &store, &dest, &shutdown).await,
        Task::FindChanges {
            dir,
            filter,
            format,
            verify,
            signature,
        } => find_changes(&dir, &filter, format, verify, signature.as_ref(), &shutdown).await,
        Task::Sign { signer, input } => {
            each_path(input, shutdown, |path| {
                let signer = signer.clone();
                async move {
                    let changes = readable(&path, |path, source| SignError { path, source })?;
                    changes.check_shape()?;
                    signer.sign(&changes).await?;
                    signer.verify(&changes).await.map_err(anyhow::Error::from)
                }
            })
            .await
        }
        Task::Dput { uploader, input } => {
            each_path(input, shutdown, |path| {
                let uploader = uploader.clone();
                let host = uploader.hosts.every().map(str::to_owned);
                async move {
                    let changes = readable(&path, |path, source| DputError::Failed {
                        path,
                        host,
                        source,
                    })?;
                    uploader.upload(&changes).await.map_err(anyhow::Error::from)
                }
            })
            .await
        }
        Task::UploadRun {
            run_id,
            pipeline,
            database,
            expect,
            dispatch,
        } => {
            let database = database.as_deref();
            let run = RunArgs {
                expect: expect.as_ref(),
                given: &dispatch,
            };
            upload_run(&run_id, &pipeline, database, run, &shutdown).await
        }
        Task::CheckConfig(settings) => {
            let checks = crate::service::check::run(settings.check_subject()).await;
            for check in &checks {
                output::record(&check.to_string(), false)?;
            }
            Ok(if checks.iter().all(|c| c.ok) {
                ExitCode::Success
            } else {
                ExitCode::Usage
            })
        }
        Task::Listen(settings) => {
            crate::service::listen::run(*settings, shutdown).await?;
            Ok(ExitCode::Success)
        }
        Task::Backfill { settings, verbose } => backfill(*settings, verbose, &shutdown).await,
        Task::Ledger {
            database,
            host,
            action,
        } => ledger(&database, host.as_deref(), action, &shutdown).await,
        Task::GenerateDocs { out_dir } => {
            crate::cli::docs::write_all(&out_dir)
                .with_context(|| format!("writing into {}", out_dir.display()))?;
            Ok(ExitCode::Success)
        }
    }
}

/// `fetch-artifacts`: copies the run and prints where to.
async fn fetch_artifacts(
    run_id: &RunId,
    store: &ArtifactStore,
    dest: &Path,
    shutdown: &CancellationToken,
) -> anyhow::Result<ExitCode> {
    tokio::select! {
        () = shutdown.cancelled() => return Err(Interrupted.into()),
        fetched = store.fetch(run_id, dest) => { fetched?; }
    }
    output::record(&dest.to_string_lossy(), false)?;
    Ok(ExitCode::Success)
}

/// `find-changes`: one path (or JSON object) per `.changes` found.
async fn find_changes(
    dir: &Path,
    filter: &Filter,
    format: ListFormat,
    verify: Verify,
    signature: Option<&Verifier>,
    shutdown: &CancellationToken,
) -> anyhow::Result<ExitCode> {
    let found = tokio::select! {
        () = shutdown.cancelled() => return Err(Interrupted.into()),
        found = changes::find(dir, filter, verify) => found?,
    };
    if let Some(verifier) = signature {
        for changes in found.iter().filter_map(|f| f.changes.as_ref()) {
            tokio::select! {
                () = shutdown.cancelled() => return Err(Interrupted.into()),
                verified = verifier.verify(changes) => verified?,
            }
        }
    }
    for found in found {
        let line = match format {
            ListFormat::Json => {
                let parsed = match found.changes {
                    Some(c) => c,
                    None => Changes::read(&found.path)?,
                };
                serde_json::to_string(&parsed)?
            }
            _ => found.path.to_string_lossy().into_owned(),
        };
        output::record(&line, format == ListFormat::Null)?;
    }
    Ok(ExitCode::Success)
}

/// What `upload-run` is told of the run besides its id.
#[derive(Debug, Clone, Copy)]
struct RunArgs<'a> {
    /// `--expect-*`.
    expect: Option<&'a Record>,
    /// `--codebase`, `--campaign`.
    given: &'a GivenDispatch,
}

/// The run's dispatch: the run table's (what is given must match it); for
/// a run the table does not list, or without a database, what the operator
/// gave (both `--codebase` and `--campaign`).
async fn dispatch_of(
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
async fn upload_run(
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
    let result = upload::upload_run(pipeline, ledger.as_ref(), run_id, dispatched, shutdown).await;
    let outcome = RunOutcome::of(&result);
    let report = result.with_context(|| format!("run {run_id}"))?;
    for changes in &report.changes {
        output::record(&changes.to_string(), false)?;
    }
    Ok(outcome.exit_code())
}

/// `backfill`: the plan of a dry run on stdout; otherwise the uploads, with
/// a spinner and a summary on a terminal (the summary also with `-v`).
async fn backfill(
    settings: BackfillSettings,
    verbose: bool,
    shutdown: &CancellationToken,
) -> anyhow::Result<ExitCode> {
    let terminal = std::io::stderr().is_terminal();
    if settings.dry_run {
        let mut printer = BackfillPrinter::new(false);
        let listed = crate::service::backfill::list_due(&settings, &mut printer);
        unless_stopped(shutdown, listed).await?;
        return Ok(ExitCode::Success);
    }
    let mut printer = BackfillPrinter::new(terminal);
    let metrics_file = settings.metrics_file.clone();
    let started = std::time::Instant::now();
    let done = crate::service::backfill::run(settings, shutdown, &mut printer).await;
    if let Some(path) = metrics_file {
        let summary = done
            .as_ref()
            .map_or_else(|_| Summary::default(), Clone::clone);
        let mut figures = Textfile::new("backfill");
        for (outcome, count) in [
            ("uploaded", summary.uploaded),
            ("already_uploaded", summary.already_uploaded),
            ("failed", summary.failed),
            ("artifacts_missing", summary.artifacts_missing),
            ("superseded", summary.superseded),
            ("paused", summary.paused),
            ("deferred", summary.deferred),
            ("unrouted", summary.unrouted),
            ("unknown_campaign", summary.unknown_campaign),
            ("stopped_by_review", summary.stopped),
        ] {
            figures.gauge(
                "runs",
                "Runs the last backfill finished, by outcome",
                &[("outcome", outcome)],
                count as f64,
            );
        }
        let succeeded = done.is_ok() && summary.failed == 0 && !shutdown.is_cancelled();
        write_figures(figures, &path, succeeded, started.elapsed());
    }
    let summary = done?;
    printer.finish(&summary, verbose);
    if shutdown.is_cancelled() {
        return Err(Interrupted.into());
    }
    Ok(if summary.failed > 0 {
        ExitCode::Failure
    } else {
        ExitCode::Success
    })
}

/// The ledger subcommands. The ledger must exist already (it is never
/// created by looking at it); it is migrated to the current schema.
async fn ledger(
    config: &LedgerConfig,
    host: Option<&str>,
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
async fn existing_ledger(config: &LedgerConfig) -> anyhow::Result<crate::ledger::Ledger> {
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
async fn list_ledger(
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
async fn look_before_retry(
    pool: &sqlx::PgPool,
    host: Option<&str>,
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
        let ours = upload.version.parse::<debversion::Version>().ok();
        match archive.newest(&upload.distribution, &upload.source).await {
            Ok(Some(theirs)) if ours.as_ref().is_some_and(|ours| &theirs >= ours) => {
                ledger_view::mark(pool, &upload, RunState::Accepted).await?;
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

async fn reconcile(
    pool: &sqlx::PgPool,
    host: Option<&str>,
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
        let ours = upload.version.parse::<debversion::Version>().ok();
        match archive.newest(&upload.distribution, &upload.source).await {
            Ok(Some(theirs)) if ours.as_ref().is_some_and(|ours| &theirs >= ours) => {
                ledger_view::mark(pool, &upload, RunState::Accepted).await?;
                accepted += 1;
            }
            Ok(_) if upload.overdue => {
                tracing::warn!(run_id = %upload.run_id, changes = %upload.changes, "uploaded but not in the archive: unconfirmed");
                ledger_view::mark(pool, &upload, RunState::Unconfirmed).await?;
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

/// Writes a job's figures for node_exporter; a failure is logged, never
/// the job's.
fn write_figures(figures: Textfile, path: &Path, succeeded: bool, took: std::time::Duration) {
    // The shipped units name node_exporter's textfile directory, which
    // exists only where prometheus-node-exporter is installed: its absence
    // is not trouble, every other failure is.
    let directory = path.parent().filter(|p| !p.as_os_str().is_empty());
    if directory.is_some_and(|d| !d.is_dir()) {
        tracing::info!(file = %path.display(), "no such directory (is prometheus-node-exporter installed?): the figures are not written");
        return;
    }
    if let Err(e) = figures.write(path, succeeded, took) {
        tracing::error!(file = %path.display(), error = %e, "cannot write the metrics file");
    }
}

/// Who pauses the ledger: `user@host`, as far as this process can tell.
fn operator() -> String {
    let user = ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "?".to_owned());
    format!("{user}@{}", ledger_db::hostname())
}

/// `ledger show`'s text: a block per `.changes`, its failed attempts, and
/// the whole last error, indented.
fn show_text(run_id: &RunId, shown: &[ChangesHistory]) -> String {
    let mut text = format!("run {run_id}");
    for c in shown {
        let name = if c.changes.is_empty() {
            "(the run as a whole)"
        } else {
            &c.changes
        };
        let state = ledger_view::shown_state(&c.state, c.archive_version.as_deref());
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

/// Prints what a backfill reports: due runs on stdout, progress on a
/// terminal's stderr.
struct BackfillPrinter {
    terminal: bool,
    spinner: Option<indicatif::ProgressBar>,
}

impl BackfillPrinter {
    /// A printer; on a terminal, a spinner runs from now on.
    fn new(terminal: bool) -> Self {
        let spinner = terminal.then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .expect("the template is valid"),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        Self { terminal, spinner }
    }

    /// Clears the spinner and prints the summary on a terminal or when
    /// `verbose`; a quiet cron job prints nothing.
    fn finish(self, summary: &Summary, verbose: bool) {
        if let Some(spinner) = self.spinner {
            spinner.finish_and_clear();
        }
        if self.terminal || verbose {
            // Not eprintln!: `backfill -v 2>&1 | head` closes stderr.
            let _ = writeln!(std::io::stderr(), "backfill: {summary}");
        }
    }
}

impl Report for BackfillPrinter {
    fn due(&mut self, due: &Due) -> anyhow::Result<()> {
        output::record(
            &format!(
                "{}\t{}\t{}\t{}",
                due.run_id, due.distribution, due.source, due.version
            ),
            false,
        )?;
        Ok(())
    }

    fn progress(&mut self, summary: &Summary) {
        if let Some(spinner) = &self.spinner {
            spinner.set_message(summary.to_string());
        }
    }
}

/// The exit code for an error that stopped a subcommand: the first error
/// in its cause chain that says its code (settings, configuration, or one
/// of the upload chain's errors), else [`ExitCode::Failure`]. The one
/// place that turns an `anyhow::Error` into a code.
pub fn exit_code(err: &anyhow::Error) -> ExitCode {
    first_known(err, |cause| {
        code_of::<SettingsError>(cause)
            .or_else(|| code_of::<ConfigError>(cause))
            .or_else(|| code_of::<crate::ledger::database::DatabaseError>(cause))
            .or_else(|| code_of::<crate::service::check::CheckFailed>(cause))
            .or_else(|| code_of::<SignatureError>(cause))
            .or_else(|| code_of::<crate::chain::gnupg_home::GnupgHomeError>(cause))
            .or_else(|| upload::run_error_kind(cause))
    })
}

/// Parses the `.changes` at `path` for `sign` or `dput`: a file that cannot
/// be read fails that step (`failed` makes its error, so that the step's
/// exit code applies); one that is refused by the strict checks is a
/// verification failure, and never reaches the tool.
fn readable<E>(path: &Path, failed: impl FnOnce(PathBuf, ToolError) -> E) -> anyhow::Result<Changes>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match Changes::read(path) {
        Ok(changes) => Ok(changes),
        Err(ChangesError::Io { path, source }) => {
            Err(failed(path.clone(), ToolError::Input { path, source }).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Applies `step` to each path (arguments, or stdin), printing each path it
/// succeeded on; failures are logged and the first one's code is returned.
async fn each_path<F, Fut>(
    input: PathInput,
    shutdown: CancellationToken,
    step: F,
) -> anyhow::Result<ExitCode>
where
    F: Fn(std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let paths = if input.paths.is_empty() {
        output::paths_from_stdin(input.null)
            .await
            .context("reading paths from stdin")?
    } else {
        input.paths
    };
    let mut code = ExitCode::Success;
    for path in paths {
        let result = tokio::select! {
            () = shutdown.cancelled() => return Err(Interrupted.into()),
            result = step(path.clone()) => result,
        };
        match result {
            Ok(()) => output::record(&path.to_string_lossy(), input.null)?,
            Err(e) => {
                tracing::error!("{e:#}");
                if code == ExitCode::Success {
                    code = exit_code(&e);
                }
            }
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_errors_are_failures() {
        assert_eq!(exit_code(&anyhow::anyhow!("boom")), ExitCode::Failure);
    }

    #[test]
    fn context_does_not_hide_the_typed_cause() {
        let err = anyhow::Error::new(Interrupted).context("uploading run x");
        assert_eq!(exit_code(&err), ExitCode::Interrupted);
        let err = anyhow::Error::new(SettingsError::Missing {
            what: "x",
            how: "y",
        })
        .context("z");
        assert_eq!(exit_code(&err), ExitCode::Usage);
    }
}
