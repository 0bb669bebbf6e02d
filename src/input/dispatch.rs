//! What the Janitor decided for a run, the authority every `.changes` is
//! signed against: the run's codebase and campaign (set by the runner from
//! its queue, never by the worker), the campaign's `debian_build` settings
//! in `janitor.conf`, and the reviewers' verdict (`run.publish_status`).
//! The worker's own claims (`debian_build`, the message's `build_*`) stay a
//! consistency check on top ([`crate::input::record`]). Pure logic, no I/O.

use std::fmt;

use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::changes::{Changes, Mismatch};
use crate::input::names::{SourcePackage, Suite, Version};
use crate::input::syntax;
use crate::input::verdict::{PublishStatus, ReviewRule};

/// A campaign's `debian_build` settings in `janitor.conf`, as the runner
/// hands them to the worker (`runner/src/config_generator.rs`): the build
/// distribution defaults to the campaign's name, an empty suffix is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRules {
    /// The campaign's name.
    pub name: String,
    /// The suite its builds target: every `.changes`' Distribution.
    pub build_distribution: Suite,
    /// `build_suffix`: every Version ends in `~<suffix><N>`.
    pub build_suffix: Option<String>,
    /// `base_distribution`: the suite whose archive says the epoch.
    pub base_distribution: Option<Suite>,
}

impl CampaignRules {
    /// The suite the archive is asked for the source's epoch: the base
    /// distribution, else the target suite.
    pub fn epoch_suite(&self) -> &Suite {
        self.base_distribution
            .as_ref()
            .unwrap_or(&self.build_distribution)
    }
}

/// The Debian campaigns of `janitor.conf` and the review rule: what a run
/// of each may be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Campaigns {
    rules: Vec<CampaignRules>,
    /// `--require-review`.
    pub review: ReviewRule,
}

impl Campaigns {
    /// The campaigns with a `debian_build` block.
    pub fn new(rules: Vec<CampaignRules>, review: ReviewRule) -> Self {
        Self { rules, review }
    }

    /// A campaign's rules, if `janitor.conf` has it as a Debian campaign.
    pub fn get(&self, campaign: &str) -> Option<&CampaignRules> {
        self.rules.iter().find(|r| r.name == campaign)
    }

    /// Whether no Debian campaign is known: nothing could be signed.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Every campaign's rules.
    pub fn iter(&self) -> impl Iterator<Item = &CampaignRules> {
        self.rules.iter()
    }

    /// Whether some campaign builds for `suite`.
    pub fn builds_for(&self, suite: &Suite) -> bool {
        self.rules.iter().any(|r| r.build_distribution == *suite)
    }
}

/// Where a [`Dispatch`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispatchOrigin {
    /// The run's row in the Janitor's `run` table.
    RunTable,
    /// The runner's result message (`listen` without a database).
    RunnerMessage,
    /// `upload-run --codebase/--campaign` without a database.
    CommandLine,
}

impl fmt::Display for DispatchOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RunTable => "the run table",
            Self::RunnerMessage => "the runner's message",
            Self::CommandLine => "--codebase/--campaign",
        })
    }
}

/// What the runner dispatched: the run's codebase and campaign, and the
/// reviewers' verdict when the database was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatch {
    /// `run.codebase`: the Debian Janitor names codebases after source
    /// packages.
    pub codebase: String,
    /// `run.suite`: the campaign.
    pub campaign: String,
    /// `run.publish_status`, when read from the database.
    pub publish_status: Option<PublishStatus>,
    /// Where it was read.
    pub origin: DispatchOrigin,
}

impl Dispatch {
    /// A dispatch, each name checked for the Janitor's own syntax
    /// (`codebase_name`, `campaign_name`: `[a-z0-9][a-z0-9+-.]+`).
    ///
    /// # Errors
    /// A name outside that syntax.
    pub fn new(
        codebase: &str,
        campaign: &str,
        publish_status: Option<PublishStatus>,
        origin: DispatchOrigin,
    ) -> Result<Self, String> {
        for (what, value) in [("codebase", codebase), ("campaign", campaign)] {
            if !is_janitor_name(value) {
                return Err(format!(
                    "{what} {:?} is not valid",
                    syntax::printable(value)
                ));
            }
        }
        Ok(Self {
            codebase: codebase.to_owned(),
            campaign: campaign.to_owned(),
            publish_status,
            origin,
        })
    }
}

/// The Janitor's domains `codebase_name` and `campaign_name`:
/// `[a-z0-9][a-z0-9+-.]+`, at most 100 characters here.
pub fn is_janitor_name(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() >= 2
        && s.len() <= 100
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c))
}

/// A run whose campaign `janitor.conf` does not have as a Debian campaign:
/// nothing is fetched or signed, nothing recorded (a configuration gap:
/// adding the campaign uploads it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("run {run_id}: campaign {campaign} is not a Debian campaign of janitor.conf (no campaign block with debian_build): not signed")]
pub struct UnknownCampaign {
    /// The run.
    pub run_id: String,
    /// The campaign it was dispatched for.
    pub campaign: String,
}

impl HasExitCode for UnknownCampaign {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}

/// A run the Janitor did not dispatch as the operator said: not in the run
/// table, or with another codebase or campaign than `upload-run
/// --codebase/--campaign` gives. Nothing is fetched or signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotDispatched {
    /// The run table has no such run.
    #[error("run {run_id} is not in the Janitor's run table: nothing to sign it against")]
    Missing {
        /// The run.
        run_id: String,
    },
    /// The run table says another codebase or campaign.
    #[error("run {run_id}: the run table says {field} {table}, not {given}")]
    Differs {
        /// The run.
        run_id: String,
        /// `codebase` or `campaign`.
        field: &'static str,
        /// What the operator gave.
        given: String,
        /// What the run table says.
        table: String,
    },
}

impl HasExitCode for NotDispatched {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Verification
    }
}

/// The epoch a `.changes` must carry, and who says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Epoch {
    /// This epoch (0: none), said by `from` ("the archive's unstable has
    /// 1:2.0-1", "the ledger's last upload 1:2.0-1", …).
    Known {
        /// The epoch.
        epoch: u32,
        /// Who says so.
        from: String,
    },
    /// Nobody can say (the archive did not answer): only no epoch is
    /// allowed, and a `.changes` with one fails for now (tried again).
    Unknown(String),
}

/// A `.changes` with an epoch whose archive could not be read: not signed
/// now, tried again (the archive may only make an upload wait).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{changes}: Version {version} has an epoch, and {why}: not signed now, tried again")]
pub struct EpochUnknown {
    /// The `.changes`.
    pub changes: String,
    /// Its version.
    pub version: Version,
    /// Why the archive's epoch is unknown.
    pub why: String,
}

impl HasExitCode for EpochUnknown {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Verification
    }
}

/// What the Janitor decided for one run, ready to compare `.changes`
/// with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The dispatch.
    pub dispatch: Dispatch,
    /// Its campaign's rules.
    pub rules: CampaignRules,
    /// The source names the codebase may build: the codebase itself, or
    /// what the Janitor's `package` table maps it to.
    pub sources: Vec<SourcePackage>,
}

impl Decision {
    fn origin(&self) -> String {
        format!(
            "campaign {} of codebase {} ({}, janitor.conf)",
            self.dispatch.campaign, self.dispatch.codebase, self.dispatch.origin
        )
    }

    /// Compares a parsed `.changes` with the decision: Source is the
    /// codebase's, Distribution the campaign's build distribution, and,
    /// with a build suffix, Version ends in `~<suffix><N>`. The epoch is
    /// [`Decision::check_epoch`]'s.
    ///
    /// # Errors
    /// [`Mismatch`] naming the first field that differs.
    pub fn check(&self, changes: &Changes) -> Result<(), Mismatch> {
        let origin = self.origin();
        let mismatch = |field, wanted: String, found: &str| {
            Err(changes.mismatch(field, wanted, found, origin.clone()))
        };
        if !self.sources.contains(&changes.source) {
            let sources: Vec<&str> = self.sources.iter().map(SourcePackage::as_str).collect();
            return mismatch(
                "Source",
                format!("dispatched {}", sources.join(" or ")),
                changes.source.as_str(),
            );
        }
        if changes.distribution != self.rules.build_distribution {
            return mismatch(
                "Distribution",
                format!("builds for {}", self.rules.build_distribution),
                &changes.distribution.to_string(),
            );
        }
        if let Some(suffix) = self.rules.build_suffix.as_deref() {
            if !has_build_suffix(&changes.version, suffix) {
                return mismatch(
                    "Version",
                    format!("builds versions ending in ~{suffix}N"),
                    changes.version.as_str(),
                );
            }
        }
        Ok(())
    }

    /// Compares the `.changes`' epoch with the one `epoch` says.
    ///
    /// # Errors
    /// [`Mismatch`] when they differ; [`EpochUnknown`] (inside an
    /// `Err(Err(_))`) when it has an epoch nobody can confirm.
    pub fn check_epoch(&self, changes: &Changes, epoch: &Epoch) -> Result<(), EpochError> {
        let ours = changes.version.epoch();
        match epoch {
            Epoch::Known { epoch, from } if *epoch != ours => {
                let wanted = match epoch {
                    0 => format!("allows no epoch ({from})"),
                    e => format!("allows only epoch {e} ({from})"),
                };
                Err(EpochError::Mismatch(changes.mismatch(
                    "Version",
                    wanted,
                    changes.version.as_str(),
                    self.origin(),
                )))
            }
            Epoch::Known { .. } => Ok(()),
            Epoch::Unknown(_) if ours == 0 => Ok(()),
            Epoch::Unknown(why) => Err(EpochError::Unknown(EpochUnknown {
                changes: changes.file_name(),
                version: changes.version.clone(),
                why: why.clone(),
            })),
        }
    }
}

/// Why an epoch check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EpochError {
    /// The epoch is not the one the archive (or ledger) says.
    #[error(transparent)]
    Mismatch(Mismatch),
    /// Nobody could say which epoch is allowed.
    #[error(transparent)]
    Unknown(EpochUnknown),
}

/// Whether `version` ends in `~<suffix><N>` (N one or more digits).
pub fn has_build_suffix(version: &Version, suffix: &str) -> bool {
    let version = version.as_str();
    let digits = version.bytes().rev().take_while(u8::is_ascii_digit).count();
    let rest = &version[..version.len() - digits];
    digits > 0 && rest.strip_suffix(suffix).is_some_and(|r| r.ends_with('~'))
}

/// The `-dbgsym` packages of a `.changes` that need their file checked:
/// each must come as a `.ddeb`, or as a `.deb` whose control says
/// `Auto-Built-Package: debug-symbols` (read by the chain). Returns, for
/// each such package in `Binary` that `recorded` does not list itself,
/// the `.deb` files of it the `.changes` lists (`.ddeb`s need no check),
/// or an error naming one with no file at all.
///
/// # Errors
/// A [`Mismatch`] for a `-dbgsym` in `Binary` with neither file.
pub fn dbgsym_debs<'c>(
    changes: &'c Changes,
    recorded: Option<&[String]>,
) -> Result<Vec<&'c crate::input::syntax::FileName>, Mismatch> {
    let mut debs = Vec::new();
    for package in &changes.binaries {
        if !package.ends_with("-dbgsym") || recorded.is_some_and(|r| r.contains(package)) {
            continue;
        }
        let prefix = format!("{package}_");
        let files: Vec<_> = changes
            .files
            .iter()
            .filter(|f| f.name.as_str().starts_with(&prefix))
            .collect();
        if files.is_empty() {
            return Err(changes.mismatch(
                "Binary",
                "lists a .ddeb or .deb for every -dbgsym package",
                package,
                "the debug-package rule",
            ));
        }
        for file in files {
            if file.name.as_str().ends_with(".deb") {
                debs.push(&file.name);
            } else if !file.name.as_str().ends_with(".ddeb") {
                return Err(changes.mismatch(
                    "Files",
                    "allows a -dbgsym package only as a .ddeb or .deb",
                    file.name.as_str(),
                    "the debug-package rule",
                ));
            }
        }
    }
    Ok(debs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(version: &str) -> Version {
        version.parse().unwrap()
    }

    const CHANGES: &str = "\
Format: 1.8
Date: Fri, 27 Nov 2026 12:00:00 +0000
Source: auhello
Binary: auhello auhello-dbgsym
Architecture: source all
Version: 1.0-1~jan+lint1
Distribution: lintian-fixes
Maintainer: Test <test@example.com>
Changes:
 auhello (1.0-1~jan+lint1) lintian-fixes; urgency=medium
Checksums-Sha256:
 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 auhello_1.0-1~jan+lint1.dsc
 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 auhello_1.0-1~jan+lint1_all.deb
 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 auhello-dbgsym_1.0-1~jan+lint1_all.deb
Files:
 900150983cd24fb0d6963f7d28e17f72 3 devel optional auhello_1.0-1~jan+lint1.dsc
 900150983cd24fb0d6963f7d28e17f72 3 devel optional auhello_1.0-1~jan+lint1_all.deb
 900150983cd24fb0d6963f7d28e17f72 3 debug optional auhello-dbgsym_1.0-1~jan+lint1_all.deb
";

    fn parse(text: &str) -> Changes {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auhello_1.0-1~jan+lint1_source.changes");
        std::fs::write(&path, text).unwrap();
        Changes::read(&path).unwrap()
    }

    fn decision() -> Decision {
        Decision {
            dispatch: Dispatch::new("auhello", "lintian-fixes", None, DispatchOrigin::RunTable)
                .unwrap(),
            rules: CampaignRules {
                name: "lintian-fixes".into(),
                build_distribution: "lintian-fixes".parse().unwrap(),
                build_suffix: Some("jan+lint".into()),
                base_distribution: Some("unstable".parse().unwrap()),
            },
            sources: vec!["auhello".parse().unwrap()],
        }
    }

    #[test]
    fn the_dispatched_build_matches() {
        decision().check(&parse(CHANGES)).unwrap();
    }

    #[test]
    fn source_distribution_and_suffix_are_the_janitors() {
        for (from, to, field) in [
            ("Source: auhello\n", "Source: otherpkg\n", "Source"),
            (
                "Distribution: lintian-fixes\n",
                "Distribution: unstable\n",
                "Distribution",
            ),
            ("Version: 1.0-1~jan+lint1\n", "Version: 1.0-1\n", "Version"),
            (
                "Version: 1.0-1~jan+lint1\n",
                "Version: 1.0-1jan+lint1\n",
                "Version",
            ),
            (
                "Version: 1.0-1~jan+lint1\n",
                "Version: 1.0-1~jan+lint\n",
                "Version",
            ),
        ] {
            let text = CHANGES.replace(from, to);
            assert_ne!(text, CHANGES);
            let err = decision().check(&parse(&text)).unwrap_err();
            assert_eq!(err.field, field, "{to}: {err}");
            assert!(err.origin.contains("campaign lintian-fixes"), "{err}");
        }
    }

    #[test]
    fn suffixes() {
        assert!(has_build_suffix(&v("1.0-1~jan+lint1"), "jan+lint"));
        assert!(has_build_suffix(&v("1:1.0-1~jan+lint12"), "jan+lint"));
        assert!(!has_build_suffix(&v("1.0-1~jan+lint"), "jan+lint"));
        assert!(!has_build_suffix(&v("1.0-1jan+lint1"), "jan+lint"));
        assert!(!has_build_suffix(&v("1.0-1~xjan+lint1"), "an+lint"));
        assert!(!has_build_suffix(&v("1"), "jan+lint"));
    }

    #[test]
    fn epochs_are_the_archives() {
        let d = decision();
        let plain = parse(CHANGES);
        let epoch1 = parse(&CHANGES.replace("Version: 1.0", "Version: 1:1.0"));
        let known = |epoch| Epoch::Known {
            epoch,
            from: "the archive".into(),
        };
        d.check_epoch(&plain, &known(0)).unwrap();
        d.check_epoch(&epoch1, &known(1)).unwrap();
        assert!(matches!(
            d.check_epoch(&epoch1, &known(0)),
            Err(EpochError::Mismatch(m)) if m.field == "Version"
        ));
        assert!(matches!(
            d.check_epoch(&plain, &known(2)),
            Err(EpochError::Mismatch(_))
        ));
        let unknown = Epoch::Unknown("the archive did not answer".into());
        d.check_epoch(&plain, &unknown).unwrap();
        assert!(matches!(
            d.check_epoch(&epoch1, &unknown),
            Err(EpochError::Unknown(_))
        ));
        assert_eq!(v("9:9.9-1").epoch(), 9);
        assert_eq!(v("9.9-1").epoch(), 0);
    }

    #[test]
    fn janitor_names() {
        assert!(is_janitor_name("auhello"));
        assert!(is_janitor_name("lintian-fixes"));
        assert!(is_janitor_name("g++-12"));
        for bad in ["", "a", "-x", "Upper", "a b", "a/b", "x\n"] {
            assert!(!is_janitor_name(bad), "{bad:?}");
        }
        assert!(Dispatch::new("../x", "c", None, DispatchOrigin::RunnerMessage).is_err());
    }

    #[test]
    fn dbgsym_files_are_checked() {
        let changes = parse(CHANGES);
        let debs = dbgsym_debs(&changes, Some(&["auhello".into()])).unwrap();
        assert_eq!(debs.len(), 1);
        assert_eq!(debs[0].as_str(), "auhello-dbgsym_1.0-1~jan+lint1_all.deb");
        let recorded = ["auhello".to_owned(), "auhello-dbgsym".to_owned()];
        assert!(dbgsym_debs(&changes, Some(&recorded)).unwrap().is_empty());
        let ddeb = parse(&CHANGES.replace(
            "dbgsym_1.0-1~jan+lint1_all.deb",
            "dbgsym_1.0-1~jan+lint1_all.ddeb",
        ));
        assert!(dbgsym_debs(&ddeb, None).unwrap().is_empty());
    }
}
