//! Where each location comes from: flag > environment (both by clap) >
//! configuration file > built-in default, remembered so that the log can
//! say which artifact store, Redis and database are used and why.

use std::cell::RefCell;
use std::fmt;
use std::path::PathBuf;

use crate::cli::janitor_conf::JanitorConfig;
use crate::cli::{ArgOrigin, Origins};

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable (or what filled it: a credential, the
    /// settings file).
    Environment(&'static str),
    /// The configuration file (`--config`).
    File(PathBuf),
    /// The built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag(flag) => write!(f, "flag {flag}"),
            Self::Environment(name) => match crate::cli::settings_file::filled_from(name) {
                Some(from) => f.write_str(from),
                None => write!(f, "environment {name}"),
            },
            Self::File(path) => write!(f, "file {}", path.display()),
            Self::Default => f.write_str("default"),
        }
    }
}

/// A location chosen: what it is for, its value without passwords, and
/// where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// `artifacts`, `redis`, `database` or `ledger database`.
    pub what: &'static str,
    /// The value, passwords hidden.
    pub value: String,
    /// Where it came from.
    pub origin: Origin,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.what, self.value, self.origin)
    }
}

/// How one location option is spelt.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spec {
    /// For the log.
    pub what: &'static str,
    /// clap's id.
    pub id: &'static str,
    /// The flag.
    pub flag: &'static str,
    /// The environment variable.
    pub env: &'static str,
}

pub(super) const ARTIFACTS: Spec = Spec {
    what: "artifacts",
    id: "artifacts",
    flag: "--artifacts",
    env: "AUTO_UPLOAD_ARTIFACTS",
};
pub(super) const REDIS: Spec = Spec {
    what: "redis",
    id: "redis",
    flag: "--redis",
    env: "AUTO_UPLOAD_REDIS",
};
pub(super) const DATABASE: Spec = Spec {
    what: "database",
    id: "database",
    flag: "--database",
    env: "AUTO_UPLOAD_DATABASE",
};
pub(super) const LEDGER_DATABASE: Spec = Spec {
    what: "ledger database",
    id: "ledger_database",
    flag: "--ledger-database",
    env: "AUTO_UPLOAD_LEDGER_DATABASE",
};

/// The configuration file and the command line's origins, and the
/// locations chosen from them so far.
#[derive(Debug)]
pub(crate) struct Sources {
    /// The configuration read (empty without `--config`).
    pub config: JanitorConfig,
    path: Option<PathBuf>,
    origins: Origins,
    chosen: RefCell<Vec<Location>>,
}

impl Sources {
    pub(super) fn new(config: JanitorConfig, path: Option<PathBuf>, origins: Origins) -> Self {
        Self {
            config,
            path,
            origins,
            chosen: RefCell::default(),
        }
    }

    /// The value of a location: `given` (flag or environment), else the
    /// file's, else `default`; remembered with its origin.
    pub(super) fn choose(
        &self,
        spec: Spec,
        given: Option<String>,
        file: impl FnOnce(&JanitorConfig) -> Option<String>,
        default: Option<&str>,
    ) -> Option<String> {
        let (value, origin) = if let Some(value) = given {
            let origin = match self.origins.of(spec.id) {
                Some(ArgOrigin::Environment) => Origin::Environment(spec.env),
                _ => Origin::Flag(spec.flag),
            };
            (value, origin)
        } else if let Some(value) = file(&self.config) {
            let path = self.path.clone().unwrap_or_default();
            (value, Origin::File(path))
        } else {
            (default?.to_owned(), Origin::Default)
        };
        self.chosen.borrow_mut().push(Location {
            what: spec.what,
            value: crate::secrets::mask(&value),
            origin,
        });
        Some(value)
    }

    /// The locations chosen, in order.
    pub(super) fn chosen(&self) -> Vec<Location> {
        self.chosen.borrow().clone()
    }
}
