//! The `auto-upload` binary: parse, set up logging and signals, run one
//! subcommand, map the result to an exit code.

use std::io::Write as _;
use std::process::ExitCode as ProcessExitCode;

use auto_upload::chain::gnupg_home::PrivateHome;
use auto_upload::chain::ssh_home::PrivateSsh;
use auto_upload::cli::app;
use auto_upload::cli::settings::{self, Task};
use auto_upload::cli::settings_file;
use auto_upload::cli::Cli;
use auto_upload::exit_codes::{is_broken_pipe, ExitCode};
use auto_upload::telemetry;
use tokio_util::sync::CancellationToken;

fn main() -> ProcessExitCode {
    // One TLS provider is compiled in, ring (object_store's crypto and
    // reqwest's TLS are built without one of their own, and sqlx's rustls
    // with ring keeps the system's root certificates): installed as the
    // process default before anything connects, for reqwest (the mirror,
    // GCS, S3), Redis and PostgreSQL alike.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The service's settings file fills the variables not set, before the
    // command line (and its environment) is read and any thread starts.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Err(e) = settings_file::load(&args) {
        let _ = writeln!(
            std::io::stderr(),
            "auto-upload: {:#}",
            anyhow::Error::from(e)
        );
        return ExitCode::Usage.into();
    }
    let cli = Cli::parse_args(args).unwrap_or_else(|e| e.exit());
    let sink = if telemetry::stderr_is_journal() {
        telemetry::Sink::Journal
    } else if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        telemetry::Sink::Terminal
    } else {
        telemetry::Sink::Plain
    };
    // Info by default for the service, and for any command whose stderr
    // is the journal (the timers' backfill and reconcile): each upload's
    // line is what an operator looks for there.
    let service = matches!(cli.command, auto_upload::cli::Command::Listen(_))
        || sink == telemetry::Sink::Journal;
    telemetry::init(settings::log_settings(&cli), service, sink, std::io::stderr);
    // A private GnuPG home (the key mounted as a secret), made and named in
    // GNUPGHOME before any thread starts: every tool started later finds it.
    let key_file = cli.signing_key_file.clone();
    let home = match (&cli.gnupg_home_from, &key_file) {
        (None, None) => Ok(None),
        (from, _) => PrivateHome::make(from.as_deref()).map(|home| {
            std::env::set_var("GNUPGHOME", home.path());
            Some(home)
        }),
    };
    // A private ssh home (the key and known_hosts mounted as a secret),
    // given to the tools started later through nss_wrapper, likewise; kept
    // until the process ends.
    let _ssh = match cli.ssh_from.as_deref().map(PrivateSsh::make).transpose() {
        Ok(ssh) => {
            for (key, value) in ssh.iter().flat_map(PrivateSsh::environment) {
                std::env::set_var(key, value);
            }
            ssh
        }
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "auto-upload: {:#}",
                anyhow::Error::from(e)
            );
            return ExitCode::Usage.into();
        }
    };
    let code = home
        .map_err(anyhow::Error::from)
        .and_then(|home| Ok((home, Task::from_cli(cli)?)))
        .and_then(|(home, task)| {
            tokio::runtime::Runtime::new()
                .map_err(anyhow::Error::from)
                .and_then(|runtime| {
                    let done = runtime.block_on(async {
                        if let (Some(home), Some(key)) = (&home, &key_file) {
                            home.import(key).await?;
                        }
                        run(task).await
                    });
                    // Work left in the background (an archive index still
                    // being read past --archive-timeout) does not hold the
                    // exit up.
                    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
                    done
                })
        });
    match code {
        Ok(code) => code.into(),
        Err(e) if is_broken_pipe(&e) => ExitCode::Success.into(),
        Err(e) => {
            // The journal files the last word as an error too.
            let priority = if sink == telemetry::Sink::Journal {
                "<3>"
            } else {
                ""
            };
            // Not eprintln!: a closed stderr must not turn the exit code
            // into a panic.
            let _ = writeln!(std::io::stderr(), "{priority}auto-upload: {e:#}");
            auto_upload::cli::exit_code(&e).into()
        }
    }
}

/// Runs the task; the first SIGINT or SIGTERM asks it to stop, a second one
/// exits at once. The signal is acted on before it is logged, so that a
/// log line that cannot be written never keeps the service from stopping.
async fn run(task: Task) -> anyhow::Result<ExitCode> {
    let shutdown = CancellationToken::new();
    let signals = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        signals.cancel();
        tracing::warn!("signal received, stopping");
        wait_for_signal().await;
        std::process::exit(ExitCode::Interrupted.code().into());
    });
    app::run(task, shutdown).await
}

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
