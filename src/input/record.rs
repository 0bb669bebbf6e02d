//! The run's record: what the Janitor recorded for a run (its
//! `debian_build` row, else the runner's message, or what the operator
//! expects with `--expect-*`) and what the operator selected
//! (`--distribution`, `--campaign`), each compared with every `.changes`
//! before debsign runs. Pure logic, no I/O.

use std::fmt;

use crate::input::changes::{Changes, Mismatch};
use crate::input::names::{Reported, SourcePackage, Suite, Version};

/// Where a [`Record`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The run's row in the Janitor's `debian_build` table.
    DebianBuild,
    /// The runner's result message on Redis.
    RunnerMessage,
    /// `upload-run --expect-source/--expect-version/--expect-distribution`.
    CommandLine,
    /// An operator's selection, by the flag that made it.
    Selection(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DebianBuild => f.write_str("the run's debian_build row"),
            Self::RunnerMessage => f.write_str("the runner's message"),
            Self::CommandLine => f.write_str("--expect-*"),
            Self::Selection(flag) => f.write_str(flag),
        }
    }
}

/// What may be signed for a run, from one origin. A field that is `None`
/// is not compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Where it comes from.
    pub origin: Origin,
    /// The source package.
    pub source: Option<Reported<SourcePackage>>,
    /// The version, compared as the exact string (epoch included).
    pub version: Option<Reported<Version>>,
    /// The suites a `.changes` may target (the recorded one, or those
    /// selected).
    pub distributions: Option<Vec<Reported<Suite>>>,
    /// The `.changes` file names the runner announced.
    pub changes_filenames: Option<Vec<String>>,
    /// The binary packages built (each may come with its `-dbgsym`).
    pub binary_packages: Option<Vec<String>>,
}

impl Record {
    /// A record from `origin` that compares nothing yet.
    pub fn new(origin: Origin) -> Self {
        Self {
            origin,
            source: None,
            version: None,
            distributions: None,
            changes_filenames: None,
            binary_packages: None,
        }
    }

    /// A build as `debian_build` records it.
    pub fn of_build(
        source: Reported<SourcePackage>,
        version: Reported<Version>,
        distribution: Reported<Suite>,
        binary_packages: Option<Vec<String>>,
    ) -> Self {
        Self {
            source: Some(source),
            version: Some(version),
            distributions: Some(vec![distribution]),
            binary_packages,
            ..Self::new(Origin::DebianBuild)
        }
    }

    /// The operator's selection of suites (`--distribution`, or the build
    /// distributions of `--campaign`); `None` when nothing is selected.
    pub fn selection(flag: &'static str, distributions: &[Suite]) -> Option<Self> {
        (!distributions.is_empty()).then(|| Self {
            distributions: Some(distributions.iter().cloned().map(Reported::Name).collect()),
            ..Self::new(Origin::Selection(flag))
        })
    }

    /// Whether it is what the Janitor (or the operator by hand) recorded
    /// for the run, rather than a selection that applies to every run.
    pub fn is_the_runs(&self) -> bool {
        !matches!(self.origin, Origin::Selection(_))
    }

    /// Compares a parsed `.changes` with the record: Source, Version and
    /// Distribution equal, the file name announced, every package in
    /// `Binary` recorded (or the `-dbgsym` of one).
    ///
    /// # Errors
    /// [`Mismatch`] naming the first field that differs.
    pub fn check(&self, changes: &Changes) -> Result<(), Mismatch> {
        let origin = self.origin.to_string();
        let mismatch = |field, wanted: String, found: &str| {
            Err(changes.mismatch(field, wanted, found, origin.clone()))
        };
        if let Some(source) = &self.source {
            if *source != changes.source {
                return mismatch(
                    "Source",
                    format!("records {source}"),
                    changes.source.as_str(),
                );
            }
        }
        if let Some(version) = &self.version {
            if *version != changes.version {
                return mismatch(
                    "Version",
                    format!("records {version}"),
                    changes.version.as_str(),
                );
            }
        }
        if let Some(allowed) = &self.distributions {
            let names = |d: &Reported<Suite>| d.name().is_some_and(|s| changes.distribution == *s);
            if !allowed.iter().any(names) {
                return mismatch(
                    "Distribution",
                    one_of("records", "allows only", allowed, self.origin),
                    &changes.distribution.to_string(),
                );
            }
        }
        if let Some(names) = &self.changes_filenames {
            let name = changes.file_name();
            if !names.contains(&name) {
                return mismatch(
                    "the file name",
                    format!("announced only {}", names.join(", ")),
                    &name,
                );
            }
        }
        if let Some(packages) = &self.binary_packages {
            let recorded = |b: &str| {
                packages.iter().any(|p| p == b)
                    || b.strip_suffix("-dbgsym")
                        .is_some_and(|p| packages.iter().any(|r| r == p))
            };
            if let Some(stray) = changes.binaries.iter().find(|b| !recorded(b)) {
                return mismatch(
                    "Binary",
                    format!("records only {}", packages.join(" ")),
                    &format!("{} (with {stray})", changes.binaries.join(" ")),
                );
            }
        }
        Ok(())
    }
}

/// "records X" for one value of the run's record, "allows only X, Y" for
/// a selection.
fn one_of<T: fmt::Display>(recorded: &str, selected: &str, values: &[T], origin: Origin) -> String {
    let verb = if matches!(origin, Origin::Selection(_)) {
        selected
    } else {
        recorded
    };
    let values: Vec<String> = values.iter().map(ToString::to_string).collect();
    format!("{verb} {}", values.join(", "))
}

/// Compares a `.changes` with every record and its own shape.
///
/// # Errors
/// The first [`Mismatch`].
pub fn check_all(records: &[Record], changes: &Changes) -> Result<(), Mismatch> {
    changes.check_shape()?;
    records.iter().try_for_each(|r| r.check(changes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANGES: &str = "\
Format: 1.8
Date: Fri, 27 Nov 2026 12:00:00 +0000
Source: auhello
Binary: auhello auhello-dbgsym
Architecture: source all
Version: 1:1.0-1
Distribution: lintian-fixes
Maintainer: Test <test@example.com>
Changes:
 auhello (1:1.0-1) lintian-fixes; urgency=medium
Checksums-Sha256:
 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 auhello_1.0-1.dsc
 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 auhello_1.0-1_all.deb
Files:
 900150983cd24fb0d6963f7d28e17f72 3 devel optional auhello_1.0-1.dsc
 900150983cd24fb0d6963f7d28e17f72 3 devel optional auhello_1.0-1_all.deb
";

    fn parse(text: &str) -> Changes {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auhello_1.0-1_source.changes");
        std::fs::write(&path, text).unwrap();
        Changes::read(&path).unwrap()
    }

    fn record() -> Record {
        Record {
            changes_filenames: Some(vec!["auhello_1.0-1_source.changes".into()]),
            ..Record::of_build(
                Reported::of("auhello"),
                Reported::of("1:1.0-1"),
                Reported::of("lintian-fixes"),
                Some(vec!["auhello".into()]),
            )
        }
    }

    #[test]
    fn the_recorded_upload_matches() {
        check_all(&[record()], &parse(CHANGES)).unwrap();
    }

    #[test]
    fn each_field_is_compared() {
        for (from, to, field) in [
            ("Source: auhello\n", "Source: otherpkg\n", "Source"),
            ("Version: 1:1.0-1\n", "Version: 9:1.0-1\n", "Version"),
            ("Version: 1:1.0-1\n", "Version: 1.0-1\n", "Version"),
            (
                "Distribution: lintian-fixes\n",
                "Distribution: unstable\n",
                "Distribution",
            ),
            (
                "Distribution: lintian-fixes\n",
                "Distribution: lintian-fixes unstable\n",
                "Distribution",
            ),
            (
                "Binary: auhello auhello-dbgsym\n",
                "Binary: auhello evil\n",
                "Binary",
            ),
        ] {
            let err = check_all(&[record()], &parse(&CHANGES.replace(from, to))).unwrap_err();
            assert_eq!(err.field, field, "{to}: {err}");
            assert_eq!(err.origin, "the run's debian_build row");
        }
        let mut other_name = record();
        other_name.changes_filenames = Some(vec!["x_1_source.changes".into()]);
        let err = other_name.check(&parse(CHANGES)).unwrap_err();
        assert_eq!(err.field, "the file name");
    }

    #[test]
    fn a_selection_allows_any_of_its_suites() {
        let suites =
            |names: &[&str]| -> Vec<Suite> { names.iter().map(|n| n.parse().unwrap()).collect() };
        let selected = Record::selection("--distribution", &suites(&["a", "lintian-fixes"]));
        selected.unwrap().check(&parse(CHANGES)).unwrap();
        let other = Record::selection("--campaign", &suites(&["unstable"])).unwrap();
        let err = other.check(&parse(CHANGES)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "auhello_1.0-1_source.changes: Distribution is lintian-fixes, but --campaign allows only unstable"
        );
        assert!(Record::selection("--distribution", &[]).is_none());
    }

    #[test]
    fn shape_one_dsc_and_binaries_of_listed_architectures() {
        let two_dsc = CHANGES
            .replace(
                " ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 auhello_1.0-1_all.deb\n",
                " ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 auhello_1.0-1_all.deb\n ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 x_1.dsc\n",
            )
            .replace(
                " 900150983cd24fb0d6963f7d28e17f72 3 devel optional auhello_1.0-1_all.deb\n",
                " 900150983cd24fb0d6963f7d28e17f72 3 devel optional auhello_1.0-1_all.deb\n 900150983cd24fb0d6963f7d28e17f72 3 devel optional x_1.dsc\n",
            );
        let err = parse(&two_dsc).check_shape().unwrap_err();
        assert!(err.to_string().contains("at most one .dsc"), "{err}");
        let wrong_arch =
            CHANGES.replace("Architecture: source all\n", "Architecture: source amd64\n");
        let err = parse(&wrong_arch).check_shape().unwrap_err();
        assert_eq!(err.field, "Architecture", "{err}");
        let not_in_binary = CHANGES.replace("Binary: auhello auhello-dbgsym\n", "Binary: other\n");
        let err = parse(&not_in_binary).check_shape().unwrap_err();
        assert_eq!(err.field, "Binary", "{err}");
    }
}
