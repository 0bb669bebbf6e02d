//! Run ids: the one path segment that names a run in the artifact store.

use std::fmt;
use std::str::FromStr;

/// A validated run id: letters, digits, `.`, `_` and `-`, never `.` or `..`,
/// so that it is always exactly one safe path segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(String);

/// A string that is not a valid run id.
#[derive(Debug, thiserror::Error)]
#[error("invalid run id {0:?}: use letters, digits, '.', '_' and '-' only (not '.' or '..')")]
pub struct InvalidRunId(pub String);

impl RunId {
    /// The run id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for RunId {
    type Err = InvalidRunId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid = !s.is_empty()
            && s.len() <= 255
            && s != "."
            && s != ".."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidRunId(s.to_owned()))
        }
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_janitor_run_ids() {
        for id in ["8f4b9c1e-3a2d-4c5e-9f01-23456789abcd", "run_1.2", "a"] {
            assert_eq!(id.parse::<RunId>().unwrap().as_str(), id);
        }
    }

    #[test]
    fn refuses_anything_that_is_not_one_safe_segment() {
        for id in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "a b",
            "x\0",
            "ü",
            &"a".repeat(256),
        ] {
            assert!(id.parse::<RunId>().is_err(), "{id:?} accepted");
        }
    }
}
