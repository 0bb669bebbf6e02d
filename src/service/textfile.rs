//! The figures of a one-shot job (`backfill`, `ledger reconcile`) for
//! Prometheus, in node_exporter's textfile format (`--metrics-file`):
//! written to a temporary file beside the target and renamed over it, so
//! that the collector never reads half a file. A failed run keeps the last
//! success time of the run before, so that "has not succeeded for too
//! long" can be alerted on.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The figures of one run of a job, as they are added.
#[derive(Debug)]
pub struct Textfile {
    job: &'static str,
    text: String,
    named: Vec<String>,
}

impl Textfile {
    /// The figures of `job` (`backfill`, `reconcile`): every metric is
    /// named `auto_upload_<job>_…`.
    pub fn new(job: &'static str) -> Self {
        Self {
            job,
            text: String::new(),
            named: Vec::new(),
        }
    }

    /// Adds a gauge `auto_upload_<job>_<name>` with `labels`.
    pub fn gauge(&mut self, name: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        let full = format!("auto_upload_{}_{name}", self.job);
        if !self.named.contains(&full) {
            let _ = writeln!(self.text, "# HELP {full} {help}\n# TYPE {full} gauge");
            self.named.push(full.clone());
        }
        let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        let labels = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", labels.join(","))
        };
        let _ = writeln!(self.text, "{full}{labels} {value}");
    }

    /// Writes the figures with the run's duration, its time, whether it
    /// succeeded and when a run last did, to `path` at once.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write(mut self, path: &Path, succeeded: bool, took: Duration) -> std::io::Result<()> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let last_success_name = format!("auto_upload_{}_last_success_timestamp_seconds", self.job);
        let last_success = if succeeded {
            Some(now)
        } else {
            previous_value(path, &last_success_name)
        };
        self.gauge(
            "duration_seconds",
            "How long the last run took",
            &[],
            took.as_secs_f64(),
        );
        self.gauge(
            "last_run_timestamp_seconds",
            "When the last run ended (Unix time)",
            &[],
            now,
        );
        self.gauge(
            "succeeded",
            "1 when the last run succeeded, else 0",
            &[],
            f64::from(u8::from(succeeded)),
        );
        if let Some(at) = last_success {
            self.gauge(
                "last_success_timestamp_seconds",
                "When a run last succeeded (Unix time)",
                &[],
                at,
            );
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut file = tempfile::Builder::new()
            .prefix(".auto-upload-")
            .suffix(".prom.tmp")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .tempfile_in(dir)?;
        file.write_all(self.text.as_bytes())?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// The value of `name` in the file at `path`, if it holds one.
fn previous_value(path: &Path, name: &str) -> Option<f64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_whole_keeping_the_last_success() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auto-upload-backfill.prom");
        let mut ok = Textfile::new("backfill");
        ok.gauge("runs", "Runs", &[("outcome", "uploaded")], 3.0);
        ok.gauge("runs", "Runs", &[("outcome", "failed")], 0.0);
        ok.write(&path, true, Duration::from_secs(2)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.matches("# TYPE auto_upload_backfill_runs gauge")
                .count(),
            1
        );
        assert!(
            text.contains("auto_upload_backfill_runs{outcome=\"uploaded\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("auto_upload_backfill_succeeded 1\n"),
            "{text}"
        );
        let success =
            previous_value(&path, "auto_upload_backfill_last_success_timestamp_seconds").unwrap();
        let failed = Textfile::new("backfill");
        failed.write(&path, false, Duration::from_secs(1)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("auto_upload_backfill_succeeded 0\n"),
            "{text}"
        );
        assert_eq!(
            previous_value(&path, "auto_upload_backfill_last_success_timestamp_seconds"),
            Some(success)
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left");
    }
}
