//! `backfill`: the plan of a dry run, or the uploads with a spinner and a
//! summary on a terminal, and the textfile of figures for cron.

use tokio_util::sync::CancellationToken;

use std::path::Path;

use std::io::IsTerminal as _;
use std::io::Write as _;

use crate::cli::output;
use crate::exit_codes::ExitCode;
use crate::ledger::Due;
use crate::service::backfill::{BackfillSettings, Report, Summary};
use crate::service::textfile::Textfile;
use crate::shutdown::{unless_stopped, Interrupted};

/// `backfill`: the plan of a dry run on stdout; otherwise the uploads, with
/// a spinner and a summary on a terminal (the summary also with `-v`).
pub(in crate::cli) async fn backfill(
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

/// Writes a job's figures for node_exporter; a failure is logged, never
/// the job's.
pub(in crate::cli) fn write_figures(
    figures: Textfile,
    path: &Path,
    succeeded: bool,
    took: std::time::Duration,
) {
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

/// Prints what a backfill reports: due runs on stdout, progress on a
/// terminal's stderr.
pub(in crate::cli) struct BackfillPrinter {
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
