//! Logging to journald natively: under systemd, each event is one datagram
//! on the journal's socket carrying, besides `MESSAGE` (the line the text
//! stream would have carried) and `PRIORITY`, every field of the event and
//! of the spans it happened in, named in capitals (`RUN_ID=`, `CHANGES=`,
//! `SOURCE=`, `HOST=`, `OUTCOME=`, …): `journalctl RUN_ID=X` then gives
//! one run's whole story across the units that touched it. An event the
//! socket does not take (journald restarting, a datagram too large) is
//! written to stderr as a text line with its priority prefix, as before.

use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// journald's socket for the native protocol (systemd-journald.service(8)).
pub const SOCKET: &str = "/run/systemd/journal/socket";

/// The longest value sent for one field: longer ones are cut (the
/// messages that could be long are capped where they are made).
const MAX_VALUE: usize = 16 * 1024;

/// sd-daemon(3)'s priority of a level: `<3>` error, `<4>` warning, `<6>`
/// info, `<7>` debug and trace.
pub fn priority(level: Level) -> u8 {
    match level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

/// The layer that sends each event to journald.
#[derive(Debug)]
pub struct JournalLayer {
    socket: UnixDatagram,
    path: PathBuf,
}

impl JournalLayer {
    /// A layer sending to journald's own socket, when it is there.
    pub fn native() -> Option<Self> {
        let path = Path::new(SOCKET);
        path.exists().then(|| Self::to(path).ok()).flatten()
    }

    /// A layer sending to the journal socket at `path`.
    ///
    /// # Errors
    /// No datagram socket can be made.
    pub fn to(path: &Path) -> std::io::Result<Self> {
        Ok(Self {
            socket: UnixDatagram::unbound()?,
            path: path.to_owned(),
        })
    }

    fn send(&self, datagram: &[u8], fallback: &str, priority: u8) {
        if self.socket.send_to(datagram, &self.path).is_err() {
            let _ = writeln!(std::io::stderr(), "<{priority}>{fallback}");
        }
    }
}

/// The fields of a span or an event, in order, as text.
#[derive(Debug, Default)]
struct Fields {
    message: String,
    pairs: Vec<(&'static str, String)>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.add(field, value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.add(field, format!("{value:?}"));
    }
}

impl Fields {
    fn add(&mut self, field: &Field, value: String) {
        if field.name() == "message" {
            self.message = value;
        } else {
            self.pairs.push((field.name(), value));
        }
    }

    /// ` key=value` for each pair, as the text format writes them.
    fn write_pairs(&self, text: &mut String) {
        for (key, value) in &self.pairs {
            let _ = write!(text, " {key}={value}");
        }
    }
}

/// A journal field name for a tracing field: capitals, digits and `_`,
/// starting with a letter, at most 64 characters; `None` for one that
/// cannot be made so (or would be a trusted `_` field).
fn journal_name(name: &str) -> Option<String> {
    let upper: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' => c.to_ascii_uppercase(),
            'A'..='Z' | '0'..='9' => c,
            _ => '_',
        })
        .collect();
    (upper.starts_with(|c: char| c.is_ascii_uppercase()) && upper.len() <= 64).then_some(upper)
}

/// Adds one field to a datagram in the native protocol: `KEY=value\n`, or,
/// for a value with a newline, `KEY\n`, its length as 64-bit little
/// endian, the value and `\n`.
fn encode(datagram: &mut Vec<u8>, key: &str, value: &str) {
    let value = match value.char_indices().nth(MAX_VALUE) {
        Some((cut, _)) => &value[..cut],
        None => value,
    };
    datagram.extend_from_slice(key.as_bytes());
    if value.contains('\n') {
        datagram.push(b'\n');
        datagram.extend_from_slice(&(value.len() as u64).to_le_bytes());
    } else {
        datagram.push(b'=');
    }
    datagram.extend_from_slice(value.as_bytes());
    datagram.push(b'\n');
}

impl<S> Layer<S> for JournalLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<Fields>() {
                values.record(fields);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let level = *event.metadata().level();
        let priority = priority(level);
        let mut own = Fields::default();
        event.record(&mut own);
        // The text line: LEVEL span{fields}:…: message fields.
        let mut text = format!("{level:>5} ");
        let mut datagram = Vec::with_capacity(512);
        let mut scoped = false;
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                let extensions = span.extensions();
                let _ = write!(text, "{}", span.name());
                if let Some(fields) = extensions.get::<Fields>() {
                    if !fields.pairs.is_empty() {
                        text.push('{');
                        let mut inner = String::new();
                        fields.write_pairs(&mut inner);
                        text.push_str(inner.trim_start());
                        text.push('}');
                    }
                    for (key, value) in &fields.pairs {
                        if let Some(name) = journal_name(key) {
                            encode(&mut datagram, &name, value);
                        }
                    }
                }
                text.push(':');
                scoped = true;
            }
        }
        if scoped {
            text.push(' ');
        }
        text.push_str(&own.message);
        own.write_pairs(&mut text);
        for (key, value) in &own.pairs {
            if let Some(name) = journal_name(key) {
                encode(&mut datagram, &name, value);
            }
        }
        encode(&mut datagram, "MESSAGE", &text);
        encode(&mut datagram, "PRIORITY", &priority.to_string());
        encode(&mut datagram, "SYSLOG_IDENTIFIER", "auto-upload");
        self.send(&datagram, &text, priority);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn field_names_are_the_journals() {
        assert_eq!(journal_name("run_id").as_deref(), Some("RUN_ID"));
        assert_eq!(journal_name("outcome").as_deref(), Some("OUTCOME"));
        assert_eq!(journal_name("a.b-c").as_deref(), Some("A_B_C"));
        assert_eq!(journal_name("_trusted"), None);
        assert_eq!(journal_name("9lives"), None);
        assert_eq!(journal_name(&"x".repeat(65)), None);
    }

    #[test]
    fn multi_line_values_are_sent_with_their_length() {
        let mut datagram = Vec::new();
        encode(&mut datagram, "A", "one");
        encode(&mut datagram, "B", "two\nlines");
        let mut expected = b"A=one\nB\n".to_vec();
        expected.extend_from_slice(&9u64.to_le_bytes());
        expected.extend_from_slice(b"two\nlines\n");
        assert_eq!(datagram, expected);
    }

    #[test]
    fn an_event_reaches_the_socket_with_its_spans_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("socket");
        let journal = UnixDatagram::bind(&path).unwrap();
        let subscriber = tracing_subscriber::registry().with(JournalLayer::to(&path).unwrap());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("upload_run", run_id = %"run-7");
            let _entered = span.enter();
            tracing::warn!(
                changes = "a_1_source.changes",
                outcome = "uploaded",
                "a .changes is done"
            );
        });
        let mut buf = vec![0u8; 64 * 1024];
        let n = journal.recv(&mut buf).unwrap();
        let text = String::from_utf8_lossy(&buf[..n]);
        for line in [
            "RUN_ID=run-7\n",
            "CHANGES=a_1_source.changes\n",
            "OUTCOME=uploaded\n",
            "PRIORITY=4\n",
            "SYSLOG_IDENTIFIER=auto-upload\n",
            "MESSAGE= WARN upload_run{run_id=run-7}: a .changes is done changes=a_1_source.changes outcome=uploaded\n",
        ] {
            assert!(text.contains(line), "{line:?} not in {text:?}");
        }
    }
}
