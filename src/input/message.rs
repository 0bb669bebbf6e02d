//! The runner's result messages: which ones mean "a Debian package was
//! built, upload it", and what the runner recorded of the build (the
//! run's record when the Janitor's database is not at hand). Pure logic,
//! no I/O.

use serde::Deserialize;

use crate::input::record::{Origin, Record};
use crate::input::run_id::RunId;
use crate::input::syntax::{self, FileName};

/// Which runs `listen` acts on besides "successful Debian build".
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    /// Build distributions to act on (all when empty).
    pub distributions: Vec<String>,
    /// Campaigns to act on (all when empty).
    pub campaigns: Vec<String>,
}

/// What a message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A successful Debian build that passes the filters: upload this run,
    /// as the runner recorded it.
    Upload(RunId, Record),
    /// A valid message that is not for us, and why.
    Ignore(&'static str),
    /// Not a result message: not JSON, wrong types, missing fields.
    Malformed(String),
}

/// The fields of the runner's result JSON that `listen` uses; every other
/// field is skipped.
#[derive(Debug, Deserialize)]
struct ResultMessage {
    log_id: String,
    code: String,
    #[serde(default)]
    campaign: Option<String>,
    #[serde(default)]
    target: Option<Target>,
}

/// `target`: `{}` for runs that built nothing.
#[derive(Debug, Deserialize)]
struct Target {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    details: Option<Details>,
}

#[derive(Debug, Deserialize)]
struct Details {
    #[serde(default)]
    build_distribution: Option<String>,
    #[serde(default)]
    build_version: Option<String>,
    #[serde(default)]
    changes_filenames: Option<Vec<String>>,
    #[serde(default)]
    binary_packages: Option<Vec<String>>,
}

impl Details {
    /// What the runner recorded, each field checked for its Debian syntax
    /// (so that nothing else reaches a log line or a comparison).
    fn record(self) -> Result<Record, String> {
        let check = |what: &str, value: &str, ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(format!("{what} {value:?} is not valid"))
            }
        };
        if let Some(v) = &self.build_version {
            check("build_version", v, syntax::is_version(v))?;
        }
        if let Some(d) = &self.build_distribution {
            check("build_distribution", d, syntax::is_suite(d))?;
        }
        for name in self.changes_filenames.iter().flatten() {
            let ok = name.parse::<FileName>().is_ok() && name.ends_with(".changes");
            check("changes_filenames entry", name, ok)?;
        }
        for package in self.binary_packages.iter().flatten() {
            check(
                "binary_packages entry",
                package,
                syntax::is_package_name(package),
            )?;
        }
        Ok(Record {
            version: self.build_version,
            distributions: self.build_distribution.map(|d| vec![d]),
            changes_filenames: self.changes_filenames,
            binary_packages: self.binary_packages,
            ..Record::new(Origin::RunnerMessage)
        })
    }
}

/// Decides what to do with one message payload.
pub fn decide(payload: &[u8], filter: &MessageFilter) -> Decision {
    let message: ResultMessage = match serde_json::from_slice(payload) {
        Ok(m) => m,
        Err(e) => return Decision::Malformed(e.to_string()),
    };
    if message.code != "success" {
        return Decision::Ignore("not a success");
    }
    let Some(target) = message.target else {
        return Decision::Ignore("no target");
    };
    if target.name.as_deref() != Some("debian") {
        return Decision::Ignore("not a Debian build");
    }
    let record = match target.details.map(Details::record).transpose() {
        Ok(record) => record.unwrap_or_else(|| Record::new(Origin::RunnerMessage)),
        Err(e) => return Decision::Malformed(e),
    };
    if !filter.distributions.is_empty() {
        let distribution = record.distributions.as_ref().and_then(|d| d.first());
        if !distribution.is_some_and(|d| filter.distributions.contains(d)) {
            return Decision::Ignore("distribution not selected");
        }
    }
    if !filter.campaigns.is_empty()
        && !message
            .campaign
            .is_some_and(|c| filter.campaigns.contains(&c))
    {
        return Decision::Ignore("campaign not selected");
    }
    match message.log_id.parse() {
        Ok(run_id) => Decision::Upload(run_id, record),
        Err(e) => Decision::Malformed(format!("{e}")),
    }
}

/// The first `max` bytes of a payload, as text, for a log line.
pub fn excerpt(payload: &[u8], max: usize) -> String {
    String::from_utf8_lossy(&payload[..payload.len().min(max)]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUNNER: &str = r#"{"log_id": "8f4b9c1e-3a2d", "code": "success", "description": "Built",
        "campaign": "lintian-fixes", "codebase": "hello", "duration": 512.3,
        "transient": null, "failure_details": null, "logfilenames": ["worker.log", "build.log"],
        "target": {"name": "debian", "details": {"build_distribution": "lintian-fixes",
          "build_version": "2.1-3jan+lint1",
          "changes_filenames": ["hello_2.1-3jan+lint1_source.changes"],
          "lintian": {"versions": {"lintian": "2.116"}}, "binary_packages": ["hello"]}},
        "codemod": {"x": 1}, "value": 60, "remotes": {}, "branches": [["main", "x", null, "r"]],
        "tags": [], "revision": "abc", "resume": null}"#;

    fn decide_all(payload: &str) -> Decision {
        decide(payload.as_bytes(), &MessageFilter::default())
    }

    fn runner_record() -> Record {
        Record {
            version: Some("2.1-3jan+lint1".into()),
            distributions: Some(vec!["lintian-fixes".into()]),
            changes_filenames: Some(vec!["hello_2.1-3jan+lint1_source.changes".into()]),
            binary_packages: Some(vec!["hello".into()]),
            ..Record::new(Origin::RunnerMessage)
        }
    }

    #[test]
    fn runner_success_is_uploaded_as_recorded() {
        assert_eq!(
            decide_all(RUNNER),
            Decision::Upload("8f4b9c1e-3a2d".parse().unwrap(), runner_record())
        );
    }

    #[test]
    fn a_record_outside_debian_syntax_is_malformed() {
        for (from, to) in [
            ("\"2.1-3jan+lint1\",", "\"2.1 uploaded\","),
            (
                "\"build_distribution\": \"lintian-fixes\"",
                "\"build_distribution\": \"a/b\"",
            ),
            (
                "\"hello_2.1-3jan+lint1_source.changes\"",
                "\"../x.changes\"",
            ),
            (
                "\"binary_packages\": [\"hello\"]",
                "\"binary_packages\": [\"Hello World\"]",
            ),
        ] {
            let payload = RUNNER.replace(from, to);
            assert_ne!(payload, RUNNER, "{from}");
            assert!(
                matches!(decide_all(&payload), Decision::Malformed(_)),
                "{to}"
            );
        }
    }

    #[test]
    fn filters() {
        let only = |d: &[&str], c: &[&str]| MessageFilter {
            distributions: d.iter().map(|s| s.to_string()).collect(),
            campaigns: c.iter().map(|s| s.to_string()).collect(),
        };
        let run = || Decision::Upload("8f4b9c1e-3a2d".parse().unwrap(), runner_record());
        assert_eq!(
            decide(RUNNER.as_bytes(), &only(&["lintian-fixes"], &[])),
            run()
        );
        assert_eq!(
            decide(RUNNER.as_bytes(), &only(&[], &["lintian-fixes"])),
            run()
        );
        assert!(matches!(
            decide(RUNNER.as_bytes(), &only(&["unstable"], &[])),
            Decision::Ignore(_)
        ));
        assert!(matches!(
            decide(RUNNER.as_bytes(), &only(&[], &["fresh-releases"])),
            Decision::Ignore(_)
        ));
    }

    #[test]
    fn ignored() {
        for payload in [
            RUNNER.replace(r#""code": "success""#, r#""code": "build-failed""#),
            r#"{"log_id": "r", "code": "success", "target": {}}"#.to_owned(),
            r#"{"log_id": "r", "code": "success", "target": null}"#.to_owned(),
            r#"{"log_id": "r", "code": "success", "target": {"name": "generic", "details": {}}}"#
                .to_owned(),
        ] {
            assert!(
                matches!(decide_all(&payload), Decision::Ignore(_)),
                "{payload}"
            );
        }
    }

    #[test]
    fn malformed() {
        for payload in [
            "not json",
            "{}",
            "[]",
            r#"{"log_id": 5, "code": "success"}"#,
            r#"{"log_id": "r", "code": ["success"]}"#,
            r#"{"log_id": "r", "code": "success", "target": "debian"}"#,
            r#"{"log_id": "../x", "code": "success", "target": {"name": "debian"}}"#,
            r#"{"log_id": "r", "code": "success", "target": {"name": "debian", "details": {"build_distribution": 3}}}"#,
        ] {
            assert!(
                matches!(decide_all(payload), Decision::Malformed(_)),
                "{payload}"
            );
        }
        assert!(matches!(
            decide(&[0xff; 1 << 20], &MessageFilter::default()),
            Decision::Malformed(_)
        ));
    }

    #[test]
    fn excerpt_is_bounded() {
        assert_eq!(excerpt(&[b'a'; 1000], 200).len(), 200);
        assert_eq!(excerpt(b"ab", 200), "ab");
    }
}
