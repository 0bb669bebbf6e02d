//! What is checked of a run's `.changes` besides the files themselves,
//! before anything is signed: what the archive says (the source's version
//! there: superseded, and the epoch a version may carry) and what the
//! debug packages' own control files say.

use crate::chain::run_error::RunError;

use crate::archive::Archives;
use crate::chain::tool::{self, Tool};
use crate::input::changes::{Changes, ChangesError};
use crate::input::dispatch::{self, Epoch};
use crate::input::names::{SourcePackage, Suite, Version};
use crate::ledger::Ledger;

/// How long `dpkg-deb --field` may take on one debug package.
const DPKG_DEB_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The archive has the `.changes`'s source at this version or a newer
/// one: uploading is pointless (the archive would reject it).
#[derive(Debug)]
pub(super) struct ArchiveHas {
    /// The archive's version.
    pub(super) version: Version,
    /// Where it was read, without a password.
    pub(super) archive: String,
}

/// What the archive said of a source in a suite.
pub(super) enum Lookup {
    /// No archive is configured for the suite.
    NoArchive,
    /// Its newest version there (none: the archive does not have it), and
    /// where it was read.
    Newest(Option<debversion::Version>, String),
    /// The index could not be read (logged where it is read).
    Unreadable(String),
}

/// Asks the suite's archive, if one is configured, for the newest version
/// of `source`.
pub(super) async fn lookup(archives: &Archives, suite: &Suite, source: &SourcePackage) -> Lookup {
    let Some(archive) = archives.for_suite(suite) else {
        return Lookup::NoArchive;
    };
    match archive.newest(suite, source).await {
        Ok(newest) => Lookup::Newest(newest, archive.url().to_owned()),
        Err(why) => Lookup::Unreadable(why),
    }
}

impl Lookup {
    /// What the archive has of the `.changes`'s source when it is this
    /// version or newer (asked in the `.changes`'s own suite). An archive
    /// that cannot be read knows nothing.
    pub(super) fn superseded(&self, changes: &Changes) -> Option<ArchiveHas> {
        let ours: debversion::Version = changes.version.as_str().parse().ok()?;
        match self {
            // A version of the mirror's that is not one of ours makes
            // nothing superseded: the mirror may only make us skip.
            Self::Newest(Some(theirs), archive) if *theirs >= ours => Some(ArchiveHas {
                version: Version::parse(&theirs.to_string()).ok()?,
                archive: archive.clone(),
            }),
            Self::Newest(..) | Self::NoArchive | Self::Unreadable(_) => None,
        }
    }

    /// The epoch a `.changes` of `source` may carry (asked in the
    /// campaign's base distribution, else its build distribution): the one
    /// of the newest version the archive has there, none where it has
    /// none; without an archive, the one of the last version the ledger
    /// shows uploaded; with neither, none.
    pub(super) async fn epoch(
        &self,
        ledger: Option<&Ledger>,
        suite: &Suite,
        source: &SourcePackage,
    ) -> Epoch {
        match self {
            Self::Newest(Some(version), archive) => Epoch::Known {
                epoch: version.epoch.unwrap_or(0),
                from: format!("{archive} {suite} has {source} {version}"),
            },
            Self::Newest(None, archive) => Epoch::Known {
                epoch: 0,
                from: format!("{archive} {suite} has no {source}"),
            },
            Self::Unreadable(why) => Epoch::Unknown(why.clone()),
            Self::NoArchive => ledger_epoch(ledger, source).await,
        }
    }
}

/// The epoch the ledger's uploads of `source` say, where no archive is
/// configured.
async fn ledger_epoch(ledger: Option<&Ledger>, source: &SourcePackage) -> Epoch {
    let Some(ledger) = ledger else {
        return Epoch::Known {
            epoch: 0,
            from: "no archive is configured (--archive, or archive_mirror_uri of the base \
                   distribution in janitor.conf) to say the source's epoch"
                .into(),
        };
    };
    match ledger.uploaded_versions(source).await {
        Ok(versions) => {
            let newest = versions
                .iter()
                .filter_map(|v| v.as_str().parse::<debversion::Version>().ok())
                .max();
            match newest {
                Some(version) => Epoch::Known {
                    epoch: version.epoch.unwrap_or(0),
                    from: format!(
                        "the ledger's last upload of {source} is {version}; no archive is configured"
                    ),
                },
                None => Epoch::Known {
                    epoch: 0,
                    from: format!(
                        "the ledger shows no upload of {source}, and no archive is configured \
                         (--archive, or archive_mirror_uri in janitor.conf) to say its epoch"
                    ),
                },
            }
        }
        Err(e) => Epoch::Unknown(format!("the ledger cannot be read: {e}")),
    }
}

/// A `-dbgsym` package the records do not list by name is accepted only
/// as a `.ddeb`, or as a `.deb` whose control says `Auto-Built-Package:
/// debug-symbols` (read with `dpkg-deb --field`, which parses the archive
/// itself; the file has passed its checksums).
///
/// # Errors
/// A [`Mismatch`] (in [`ChangesError::Refused`]) for one that is not.
pub(super) async fn check_debug_packages(
    changes: &Changes,
    recorded: Option<&[String]>,
    workdir: &std::path::Path,
) -> Result<(), RunError> {
    let debs = dispatch::dbgsym_debs(changes, recorded).map_err(ChangesError::Refused)?;
    let dpkg_deb = Tool::new("dpkg-deb", DPKG_DEB_LIMIT);
    for deb in debs {
        let (_, name) = tool::in_dir(&workdir.join(deb.as_str()));
        let field = dpkg_deb
            .run(
                &["--field".into(), name, "Auto-Built-Package".into()],
                workdir,
            )
            .await
            .map_err(|source| RunError::DebugPackage {
                deb: deb.as_str().to_owned(),
                source,
            })?;
        if field.trim() != "debug-symbols" {
            return Err(ChangesError::Refused(changes.mismatch(
                "Files",
                "allows a -dbgsym .deb only with Auto-Built-Package: debug-symbols",
                deb.as_str(),
                "the debug-package rule",
            ))
            .into());
        }
    }
    Ok(())
}
