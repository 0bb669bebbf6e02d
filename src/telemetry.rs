//! Logging, set up in one place: tracing to a writer the caller chooses
//! (stderr in the binary, a buffer or sink in tests), as text, text for the
//! journal (sd-daemon priority prefixes, no timestamp), or JSON lines with
//! Cloud Logging's `severity`.

use std::fmt;

use crate::journal;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{FmtSpan, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSettings {
    /// -q (negative) or the number of -v.
    pub verbosity: i8,
    /// JSON lines instead of text.
    pub json: bool,
}

/// Where the log lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// A terminal: colours.
    Terminal,
    /// The journal (`JOURNAL_STREAM` names the writer): each event sent
    /// natively with its fields ([`crate::journal`]) when journald's socket
    /// is there, else text with priority prefixes; no timestamp (the
    /// journal adds its own).
    Journal,
    /// Anything else.
    Plain,
}

/// Whether stderr is connected to the journal: `JOURNAL_STREAM` holds the
/// `DEVICE:INODE` of stderr itself (not of a stream inherited from a parent
/// and since redirected), as systemd.exec(5) says to check.
pub fn stderr_is_journal() -> bool {
    let Some(expected) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Ok(stat) = rustix::fs::fstat(std::io::stderr()) else {
        return false;
    };
    expected.to_str() == Some(&format!("{}:{}", stat.st_dev, stat.st_ino))
}

/// Installs the global subscriber. `RUST_LOG` overrides the level chosen by
/// -q/-v (default: warnings and errors; `default_info` raises it to info,
/// for services).
pub fn init<W>(settings: LogSettings, default_info: bool, sink: Sink, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let level = match settings.verbosity {
        i8::MIN..=-1 => "error",
        0 if default_info => "info",
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = || {
        EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new(format!("auto_upload={level},warn")))
    };
    if sink == Sink::Journal && !settings.json {
        if let Some(layer) = journal::JournalLayer::native() {
            use tracing_subscriber::layer::SubscriberExt as _;
            use tracing_subscriber::util::SubscriberInitExt as _;
            let _ = tracing_subscriber::registry()
                .with(filter())
                .with(layer)
                .try_init();
            return;
        }
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(writer)
        .with_target(false)
        .with_span_events(FmtSpan::NONE)
        // A failed write (a closed pipe, a journal restarting) is dropped:
        // reporting it would eprintln! to the same closed stderr, which
        // panics and would stop the service.
        .log_internal_errors(false)
        .with_ansi(sink == Sink::Terminal && !settings.json);
    if settings.json {
        let json = tracing_subscriber::fmt::format()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_target(false);
        let _ = builder.json().event_format(Severity(json)).try_init();
    } else if sink == Sink::Journal {
        let text = tracing_subscriber::fmt::format()
            .without_time()
            .with_target(false)
            .with_ansi(false);
        let _ = builder.event_format(Priority(text)).try_init();
    } else if default_info {
        let _ = builder.try_init();
    } else {
        let _ = builder.without_time().try_init();
    }
}

/// Cloud Logging's name for a level.
fn severity(level: Level) -> &'static str {
    match level {
        Level::ERROR => "ERROR",
        Level::WARN => "WARNING",
        Level::INFO => "INFO",
        _ => "DEBUG",
    }
}

/// Text lines with the sd-daemon priority prefix, for the journal.
struct Priority<F>(F);

impl<S, N, F> FormatEvent<S, N> for Priority<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write!(writer, "<{}>", journal::priority(*event.metadata().level()))?;
        self.0.format_event(ctx, writer, event)
    }
}

/// JSON lines with a `severity` field first (Cloud Logging reads it;
/// `level` stays for other readers).
struct Severity<F>(F);

impl<S, N, F> FormatEvent<S, N> for Severity<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
        let severity = severity(*event.metadata().level());
        match line.strip_prefix('{') {
            Some(rest) => write!(writer, "{{\"severity\":\"{severity}\",{rest}"),
            None => writer.write_str(&line),
        }
    }
}
