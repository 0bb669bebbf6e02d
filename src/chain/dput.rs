//! Uploading signed `.changes` files with dput.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::chain::tool::{self, Tool, ToolError};
use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::changes::Changes;
use crate::input::hosts::{Hosts, Unrouted, DEFAULT_HOST_KEY};
use crate::input::keyed::{Keyed, KeyedError};
use crate::input::names::{Distribution, DputHost, Suite};

/// A `.changes` that could not be uploaded.
#[derive(Debug, thiserror::Error)]
pub enum DputError {
    /// dput failed or ran out of time.
    #[error("uploading {path}{} failed", .host.as_ref().map(|h| format!(" to {h}")).unwrap_or_default())]
    Failed {
        /// The `.changes`.
        path: PathBuf,
        /// The dput host, if one was named.
        host: Option<DputHost>,
        /// What dput said.
        #[source]
        source: ToolError,
    },
    /// Its suite has no host.
    #[error(transparent)]
    Unrouted(#[from] Unrouted),
}

impl DputError {
    /// Whether the ending leaves open that the upload reached the queue:
    /// dput ran past its deadline and was killed, or was killed by a
    /// signal. Only an exit dput itself chose (a refusal, a configuration
    /// error, a transfer it reports failed) or a dput that never started
    /// says nothing was accepted.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            Self::Failed { source, .. } => match source {
                ToolError::TimedOut { .. } => true,
                ToolError::Failed { status, .. } => status.code().is_none(),
                ToolError::Spawn { .. } | ToolError::Input { .. } => false,
            },
            Self::Unrouted(_) => false,
        }
    }
}

impl HasExitCode for DputError {
    fn exit_code(&self) -> ExitCode {
        match self {
            Self::Failed { .. } => ExitCode::Upload,
            Self::Unrouted(_) => ExitCode::Usage,
        }
    }
}

/// The most days dput's DELAYED queue takes (dput and dput-ng: 0 to 15).
pub const MAX_DELAY_DAYS: u8 = 15;

/// Which uploads go to the archive's DELAYED queue, for how many days:
/// one number for every suite, and numbers per suite that win over it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delays(Keyed<Suite, u8>);

impl Delays {
    /// From `--delayed` values, each `DAYS` (every suite) or `SUITE=DAYS`.
    ///
    /// # Errors
    /// DAYS not from 0 to 15, a SUITE that is not a suite name, the same
    /// suite (or the plain DAYS) twice.
    pub fn parse<S: AsRef<str>>(values: &[S]) -> Result<Self, KeyedError> {
        let days = |raw: &str| {
            raw.parse::<u8>()
                .ok()
                .filter(|d| *d <= MAX_DELAY_DAYS)
                .ok_or("DAYS must be a whole number from 0 to 15")
        };
        Keyed::parse(values, days, |suite| Suite::parse(suite).ok()).map(Self)
    }

    /// The days of delay for an upload to `suite`, if it is delayed.
    pub fn for_suite(&self, suite: &Suite) -> Option<u8> {
        self.0.get(suite).copied()
    }

    /// The days of delay for a `.changes` given to `dput` alone: its
    /// suite's, or for a Distribution of several suites the plain number.
    pub fn for_distribution(&self, distribution: &Distribution) -> Option<u8> {
        match distribution.single() {
            Some(suite) => self.for_suite(suite),
            None => self.0.every,
        }
    }

    /// The suites named with `SUITE=DAYS`.
    pub fn suites(&self) -> impl Iterator<Item = &Suite> {
        self.0.keys.keys()
    }
}

/// How to upload: which dput, which host and configuration.
#[derive(Debug, Clone)]
pub struct Uploader {
    /// The dput program.
    pub dput: Tool,
    /// The dput host of each suite (each validated not to start with `-`).
    pub hosts: Hosts,
    /// A dput configuration file (dput -c).
    pub config: Option<PathBuf>,
    /// Only simulate (dput -s).
    pub simulate: bool,
    /// Upload even when dput logged an earlier upload (dput -f).
    pub force: bool,
    /// The DELAYED queue, per suite (dput -e DAYS).
    pub delays: Delays,
}

impl Uploader {
    /// The arguments for uploading the file `name` to `host` (`None`:
    /// dput's default), delayed by `delay` days if given.
    fn args(&self, name: &OsString, host: Option<&DputHost>, delay: Option<u8>) -> Vec<OsString> {
        let mut args = Vec::new();
        if let Some(config) = &self.config {
            args.push("-c".into());
            args.push(config.clone().into_os_string());
        }
        if self.simulate {
            args.push("-s".into());
        }
        if self.force {
            args.push("-f".into());
        }
        if let Some(days) = delay {
            args.push("-e".into());
            args.push(days.to_string().into());
        }
        if let Some(host) = host {
            args.push(host.as_str().into());
        }
        args.push(name.clone());
        args
    }

    /// Runs `dput [-c FILE] [-s] [-f] [-e DAYS] [HOST] ./NAME` in the
    /// file's directory: HOST is its suite's, `-e` when its suite is
    /// delayed. Only a parsed [`Changes`] is uploaded: dput reads the file
    /// names it lists.
    ///
    /// # Errors
    /// [`DputError`] with dput's status and last lines, or its deadline;
    /// [`DputError::Unrouted`] for a suite with no host (dput is not run).
    #[tracing::instrument(name = "dput", skip_all, fields(changes = %changes.path.display()))]
    pub async fn upload(&self, changes: &Changes) -> Result<(), DputError> {
        let host = self.hosts.route_distribution(&changes.distribution)?;
        let (dir, name) = tool::in_dir(&changes.path);
        let delay = self.delays.for_distribution(&changes.distribution);
        self.dput
            .run(&self.args(&name, host, delay), &dir)
            .await
            .map_err(|source| DputError::Failed {
                path: changes.path.clone(),
                host: host.cloned(),
                source,
            })?;
        tracing::info!(
            host = host.map_or(DEFAULT_HOST_KEY, DputHost::as_str),
            "uploaded"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_follow_dput_order() {
        let uploader = Uploader {
            dput: Tool::new("dput", std::time::Duration::from_secs(1)),
            hosts: Hosts::single(Some("janitor".parse().unwrap())),
            config: Some("/etc/dput.cf".into()),
            simulate: true,
            force: true,
            delays: Delays::default(),
        };
        assert_eq!(
            uploader.args(
                &OsString::from("x.changes"),
                Some(&"janitor".parse().unwrap()),
                Some(3)
            ),
            vec![
                "-c",
                "/etc/dput.cf",
                "-s",
                "-f",
                "-e",
                "3",
                "janitor",
                "x.changes"
            ]
        );
        let bare = Uploader {
            hosts: Hosts::default(),
            config: None,
            simulate: false,
            force: false,
            ..uploader
        };
        assert_eq!(
            bare.args(&OsString::from("x.changes"), None, None),
            vec!["x.changes"]
        );
    }

    #[test]
    fn delays_per_suite_win_over_the_plain_number() {
        let delays = Delays::parse(&["2", "unstable=7", "lintian-fixes=0"]).unwrap();
        assert_eq!(delays.for_suite(&"unstable".parse().unwrap()), Some(7));
        assert_eq!(delays.for_suite(&"lintian-fixes".parse().unwrap()), Some(0));
        assert_eq!(delays.for_suite(&"experimental".parse().unwrap()), Some(2));
        let only = Delays::parse(&["unstable=3"]).unwrap();
        assert_eq!(only.for_suite(&"experimental".parse().unwrap()), None);
        assert_eq!(
            Delays::parse::<&str>(&[])
                .unwrap()
                .for_suite(&"unstable".parse().unwrap()),
            None
        );
        for bad in ["16", "-1", "x", "=3", "-e=3", "unstable=", "unstable=3.5"] {
            assert!(Delays::parse(&[bad]).is_err(), "{bad} was taken");
        }
        assert!(Delays::parse(&["1", "2"]).is_err());
        assert!(Delays::parse(&["a=1", "a=2"]).is_err());
    }
}
