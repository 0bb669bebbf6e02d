//! Logging, set up in one place: tracing to a writer the caller chooses
//! (stderr in the binary, a buffer or sink in tests), as text or JSON lines.

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSettings {
    /// -q (negative) or the number of -v.
    pub verbosity: i8,
    /// JSON lines instead of text.
    pub json: bool,
}

/// Installs the global subscriber. `RUST_LOG` overrides the level chosen by
/// -q/-v (default: warnings and errors; `default_info` raises it to info,
/// for services).
/// Colours are used only when `ansi` (the writer is a terminal).
pub fn init<W>(settings: LogSettings, default_info: bool, ansi: bool, writer: W)
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
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("auto_upload={level},warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(false)
        .with_ansi(ansi && !settings.json);
    if settings.json {
        let _ = builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init();
    } else if default_info {
        let _ = builder.try_init();
    } else {
        let _ = builder.without_time().try_init();
    }
}
