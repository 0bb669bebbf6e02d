//! The runner's messages: which result messages mean "a Debian package
//! was built, upload it", with what the runner dispatched (codebase and
//! campaign) and what it recorded of the build (the authority and the
//! record when the Janitor's database is not at hand); and the
//! `publish-status` messages that announce a reviewer's verdict. Pure
//! logic, no I/O.

use serde::Deserialize;

use crate::input::dispatch::{Dispatch, DispatchOrigin};
use crate::input::names::{Reported, Suite, Version};
use crate::input::record::{Origin, Record};
use crate::input::run_id::RunId;
use crate::input::syntax::{self, FileName};
use crate::input::verdict::PublishStatus;

/// Which runs `listen` acts on besides "successful Debian build".
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    /// Build distributions to act on (all when empty).
    pub distributions: Vec<Suite>,
    /// Campaigns to act on (all when empty).
    pub campaigns: Vec<String>,
}

/// What a message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A successful Debian build that passes the filters: upload this run,
    /// as the runner dispatched it and recorded its build.
    Upload(RunId, Dispatch, Box<Record>),
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
    codebase: Option<String>,
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
        let version = match &self.build_version {
            Some(v) => {
                Some(Version::parse(v).map_err(|_| format!("build_version {v:?} is not valid"))?)
            }
            None => None,
        };
        let distribution = match &self.build_distribution {
            Some(d) => Some(
                Suite::parse(d).map_err(|_| format!("build_distribution {d:?} is not valid"))?,
            ),
            None => None,
        };
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
            version: version.map(Reported::Name),
            distributions: distribution.map(|d| vec![Reported::Name(d)]),
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
        if !distribution
            .and_then(Reported::name)
            .is_some_and(|d| filter.distributions.contains(d))
        {
            return Decision::Ignore("distribution not selected");
        }
    }
    // What the runner dispatched is what may be signed: a message without
    // it compares nothing the Janitor decided.
    let (Some(codebase), Some(campaign)) = (message.codebase, message.campaign) else {
        return Decision::Malformed(
            "a successful Debian build without its codebase and campaign".into(),
        );
    };
    let dispatch = match Dispatch::new(&codebase, &campaign, None, DispatchOrigin::RunnerMessage) {
        Ok(dispatch) => dispatch,
        Err(e) => return Decision::Malformed(e),
    };
    if !filter.campaigns.is_empty() && !filter.campaigns.contains(&dispatch.campaign) {
        return Decision::Ignore("campaign not selected");
    }
    match message.log_id.parse() {
        Ok(run_id) => Decision::Upload(run_id, dispatch, Box::new(record)),
        Err(e) => Decision::Malformed(format!("{e}")),
    }
}

/// What a `publish-status` message announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    /// The run was approved: upload it if it waits (its verdict is read
    /// again from the database first: a message only names the run).
    Approved(RunId),
    /// The run's verdict now forbids signing (`rejected`, `blocked`).
    Stopped(RunId, PublishStatus),
    /// Another status, or not for us.
    Other,
    /// Not a publish-status message.
    Malformed(String),
}

/// The runner's `publish-status` message: `{"run_id", "publish_status",
/// "codebase", "campaign"}` (the Janitor's Rust runner spells the key
/// `publish-status`).
#[derive(Debug, Deserialize)]
struct StatusMessage {
    run_id: String,
    #[serde(default, rename = "publish_status")]
    underscored: Option<String>,
    #[serde(default, rename = "publish-status")]
    dashed: Option<String>,
}

/// Decides what a `publish-status` payload announces.
pub fn decide_status(payload: &[u8]) -> StatusChange {
    let message: StatusMessage = match serde_json::from_slice(payload) {
        Ok(m) => m,
        Err(e) => return StatusChange::Malformed(e.to_string()),
    };
    let Some(status) = message.underscored.or(message.dashed) else {
        return StatusChange::Malformed("no publish_status".into());
    };
    let status: PublishStatus = match status.parse() {
        Ok(status) => status,
        Err(e) => return StatusChange::Malformed(e),
    };
    let run_id: RunId = match message.run_id.parse() {
        Ok(run_id) => run_id,
        Err(e) => return StatusChange::Malformed(format!("{e}")),
    };
    match status {
        PublishStatus::Approved => StatusChange::Approved(run_id),
        s if s.forbids_signing() => StatusChange::Stopped(run_id, s),
        _ => StatusChange::Other,
    }
}

/// The first `max` bytes of a payload, as text for a log line: the
/// payload is untrusted, so its control characters (a newline that would
/// start a forged line, terminal escapes) are escaped.
pub fn excerpt(payload: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&payload[..payload.len().min(max)]);
    syntax::printable(&text).into_owned()
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
            version: Some(Reported::of("2.1-3jan+lint1")),
            distributions: Some(vec![Reported::of("lintian-fixes")]),
            changes_filenames: Some(vec!["hello_2.1-3jan+lint1_source.changes".into()]),
            binary_packages: Some(vec!["hello".into()]),
            ..Record::new(Origin::RunnerMessage)
        }
    }

    fn dispatch() -> Dispatch {
        Dispatch::new(
            "hello",
            "lintian-fixes",
            None,
            DispatchOrigin::RunnerMessage,
        )
        .unwrap()
    }

    #[test]
    fn runner_success_is_uploaded_as_recorded() {
        assert_eq!(
            decide_all(RUNNER),
            Decision::Upload(
                "8f4b9c1e-3a2d".parse().unwrap(),
                dispatch(),
                Box::new(runner_record())
            )
        );
    }

    #[test]
    fn a_success_without_its_dispatch_is_malformed() {
        for (from, to) in [
            (r#""codebase": "hello","#, ""),
            (r#""campaign": "lintian-fixes","#, ""),
            (r#""codebase": "hello","#, r#""codebase": "../x","#),
            (
                r#""campaign": "lintian-fixes","#,
                r#""campaign": "Lintian Fixes","#,
            ),
        ] {
            let payload = RUNNER.replace(from, to);
            assert_ne!(payload, RUNNER, "{from}");
            assert!(
                matches!(decide_all(&payload), Decision::Malformed(_)),
                "{payload}"
            );
        }
        let no_details = RUNNER.replace(r#""details": {"#, r#""x": {"#);
        assert!(matches!(decide_all(&no_details), Decision::Upload(_, _, _)));
    }

    #[test]
    fn publish_status_messages_in_both_spellings() {
        for key in ["publish_status", "publish-status"] {
            let payload = format!(
                r#"{{"run_id": "run-1", "{key}": "approved", "codebase": "a", "campaign": "c"}}"#
            );
            assert_eq!(
                decide_status(payload.as_bytes()),
                StatusChange::Approved("run-1".parse().unwrap())
            );
        }
        assert_eq!(
            decide_status(br#"{"run_id": "run-1", "publish_status": "rejected"}"#),
            StatusChange::Stopped("run-1".parse().unwrap(), PublishStatus::Rejected)
        );
        assert_eq!(
            decide_status(br#"{"run_id": "run-1", "publish_status": "needs-manual-review"}"#),
            StatusChange::Other
        );
        for bad in [
            &br#"{"run_id": "run-1"}"#[..],
            br#"{"run_id": "../x", "publish_status": "approved"}"#,
            br#"{"run_id": "r", "publish_status": "APPROVED"}"#,
            b"nope",
        ] {
            assert!(matches!(decide_status(bad), StatusChange::Malformed(_)));
        }
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
            distributions: d.iter().map(|s| s.parse().unwrap()).collect(),
            campaigns: c.iter().map(|s| s.to_string()).collect(),
        };
        let run = || {
            Decision::Upload(
                "8f4b9c1e-3a2d".parse().unwrap(),
                dispatch(),
                Box::new(runner_record()),
            )
        };
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
            r#"{"log_id": "../x", "code": "success", "codebase": "a1", "campaign": "c1", "target": {"name": "debian"}}"#,
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
        let forged = excerpt(b"x\n<0>2026 INFO upload finished\x1b[2J", 200);
        assert!(
            !forged.contains('\n') && !forged.contains('\u{1b}'),
            "{forged}"
        );
    }
}
