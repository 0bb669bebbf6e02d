//! Which dput host each suite's uploads go to (`--host`): one host for
//! every suite, hosts per suite that win over it, or neither (dput's own
//! default host). When hosts are named per suite and none for every suite,
//! a suite without one is refused, never uploaded to a default by accident.
//! The ledger keys its rows by the host a `.changes` went to.

use crate::input::keyed::{Keyed, KeyedError};
use crate::input::names::{Distribution, DputHost, Suite};

pub use crate::input::names::DEFAULT_HOST_KEY;

/// A suite with no host when hosts are named per suite only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no dput host for suite {suite}: --host names hosts for {} only (add --host {suite}=HOST, or a plain --host HOST for every other suite)", listed(mapped))]
pub struct Unrouted {
    /// The suite (a `.changes`' Distribution, when given to dput alone).
    pub suite: Distribution,
    /// The suites that have a host.
    pub mapped: Vec<Suite>,
}

/// Suites as a message lists them.
fn listed(suites: &[Suite]) -> String {
    let suites: Vec<&str> = suites.iter().map(Suite::as_str).collect();
    suites.join(", ")
}

/// Where each suite's uploads go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hosts(Keyed<Suite, DputHost>);

impl Hosts {
    /// One host for every suite (`None`: dput's default host).
    pub fn single(host: Option<DputHost>) -> Self {
        Self(Keyed {
            every: host,
            ..Keyed::default()
        })
    }

    /// From `--host` values, each `HOST` (every suite) or `SUITE=HOST`.
    ///
    /// # Errors
    /// An empty or dash-led host, a suite that is not a suite name, the
    /// same suite (or a plain HOST) twice.
    pub fn parse<S: AsRef<str>>(values: &[S]) -> Result<Self, KeyedError> {
        let host = |raw: &str| {
            DputHost::parse(raw).map_err(|_| "a host must not be empty or start with '-'")
        };
        Keyed::parse(values, host, |suite| Suite::parse(suite).ok()).map(Self)
    }

    /// The host for uploads to `suite` (`None`: dput's default host).
    ///
    /// # Errors
    /// [`Unrouted`] when hosts are named per suite, none for `suite` and
    /// none for every suite.
    pub fn route(&self, suite: &Suite) -> Result<Option<&DputHost>, Unrouted> {
        if let Some(host) = self.0.get(suite) {
            return Ok(Some(host));
        }
        self.unnamed(Distribution::from(suite.clone()))
    }

    /// The host for a `.changes` given to `dput` alone: its suite's, or
    /// for a Distribution of several suites the host of every suite.
    ///
    /// # Errors
    /// [`Unrouted`], as [`Hosts::route`].
    pub fn route_distribution(
        &self,
        distribution: &Distribution,
    ) -> Result<Option<&DputHost>, Unrouted> {
        match distribution.single() {
            Some(suite) => self.route(suite),
            None => self.unnamed(distribution.clone()),
        }
    }

    /// The host of a suite no `SUITE=HOST` names.
    fn unnamed(&self, suite: Distribution) -> Result<Option<&DputHost>, Unrouted> {
        if let Some(host) = &self.0.every {
            return Ok(Some(host));
        }
        if self.0.keys.is_empty() {
            return Ok(None);
        }
        Err(Unrouted {
            suite,
            mapped: self.0.keys.keys().cloned().collect(),
        })
    }

    /// The ledger's key for uploads to `suite`, if it has a host.
    pub fn key(&self, suite: &Suite) -> Option<DputHost> {
        self.route(suite).ok().map(host_key)
    }

    /// The ledger's key for a suite no `SUITE=HOST` names (`None`: such a
    /// suite is refused).
    pub fn default_key(&self) -> Option<DputHost> {
        match &self.0.every {
            Some(host) => Some(host.clone()),
            None if self.0.keys.is_empty() => Some(DputHost::default_key()),
            None => None,
        }
    }

    /// The suites named, and their hosts' keys, in two lists of one order
    /// (for the ledger's queries).
    pub fn by_suite(&self) -> (Vec<Suite>, Vec<DputHost>) {
        self.0
            .keys
            .iter()
            .map(|(suite, host)| (suite.clone(), host.clone()))
            .unzip()
    }

    /// Every host key uploads may be recorded under.
    pub fn keys(&self) -> Vec<DputHost> {
        let mut keys: Vec<DputHost> = self.0.keys.values().cloned().collect();
        keys.extend(self.default_key());
        keys.sort();
        keys.dedup();
        keys
    }

    /// The host for every suite, if one is named (`HOST` without `SUITE=`).
    pub fn every(&self) -> Option<&DputHost> {
        self.0.every.as_ref()
    }

    /// How the hosts read in a log line (`listen`'s start).
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .0
            .keys
            .iter()
            .map(|(suite, host)| format!("{suite}={host}"))
            .collect();
        match &self.0.every {
            Some(host) => parts.push(host.to_string()),
            None if self.0.keys.is_empty() => parts.push(DEFAULT_HOST_KEY.to_owned()),
            None => {}
        }
        parts.join(",")
    }
}

/// The ledger's key for a host (`None`: dput's default host).
pub fn host_key(host: Option<&DputHost>) -> DputHost {
    host.cloned().unwrap_or_else(DputHost::default_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suite(name: &str) -> Suite {
        name.parse().unwrap()
    }

    fn host(name: &str) -> Option<&'static str> {
        Some(Box::leak(name.to_owned().into_boxed_str()))
    }

    fn routed(hosts: &Hosts, name: &str) -> Result<Option<&'static str>, Unrouted> {
        hosts
            .route(&suite(name))
            .map(|h| h.and_then(|h| host(h.as_str())))
    }

    #[test]
    fn suites_route_to_their_hosts_and_others_to_the_plain_host() {
        let hosts = Hosts::parse(&["unstable=ftp-master", "janitor", "lintian-fixes=apt"]).unwrap();
        assert_eq!(routed(&hosts, "unstable"), Ok(Some("ftp-master")));
        assert_eq!(routed(&hosts, "lintian-fixes"), Ok(Some("apt")));
        assert_eq!(routed(&hosts, "experimental"), Ok(Some("janitor")));
        assert_eq!(hosts.default_key().unwrap(), "janitor");
        assert_eq!(
            hosts
                .keys()
                .iter()
                .map(DputHost::as_str)
                .collect::<Vec<_>>(),
            vec!["apt", "ftp-master", "janitor"]
        );
        assert_eq!(
            hosts.describe(),
            "lintian-fixes=apt,unstable=ftp-master,janitor"
        );
    }

    #[test]
    fn a_suite_without_a_host_is_refused_when_hosts_are_per_suite_only() {
        let hosts = Hosts::parse(&["unstable=ftp-master"]).unwrap();
        let refused = hosts.route(&suite("experimental")).unwrap_err();
        assert_eq!(refused.suite, "experimental");
        assert_eq!(hosts.key(&suite("experimental")), None);
        assert_eq!(hosts.default_key(), None);
        // No --host at all: dput's default host, as before.
        let none = Hosts::parse::<&str>(&[]).unwrap();
        assert_eq!(routed(&none, "anything"), Ok(None));
        assert_eq!(none.key(&suite("anything")).unwrap(), DEFAULT_HOST_KEY);
    }

    #[test]
    fn bad_values_are_refused() {
        for bad in [
            "",
            "-f",
            "unstable=",
            "unstable=-x",
            "=h",
            "../x=h",
            "a b=h",
        ] {
            assert!(Hosts::parse(&[bad]).is_err(), "{bad:?} was taken");
        }
        assert!(Hosts::parse(&["a", "b"]).is_err());
        assert!(Hosts::parse(&["s=a", "s=b"]).is_err());
    }
}
