//! What of a run reaches this host, and only that: its `.changes`,
//! checked against the decision and the records, then the files they list,
//! verified; beside the fetch, what the archive has already.

use crate::chain::artifacts::Wanted;
use crate::chain::checks::{check_debug_packages, lookup, ArchiveHas};
use crate::chain::outcome::Outcome;
use crate::chain::pipeline::{Checks, Pipeline};
use crate::chain::run_error::RunError;
use crate::input::changes::{self, Changes, ChangesError, Verify};
use crate::input::dispatch::EpochError;
use crate::input::names::{SourcePackage, Suite};
use crate::input::record;
use crate::input::run_id::RunId;
use crate::ledger::Ledger;

/// Fetches what may be signed, and only that: the run's `.changes` first
/// (each at most [`changes::MAX_CHANGES_BYTES`]), parsed, filtered and
/// compared with the decision and the records; then only the files the
/// kept ones list (each at most its listed size, the run at most
/// `--max-run-bytes`), each checked against its checksums, and the
/// `-dbgsym` packages among them checked to be debug packages. Nothing
/// else of the run reaches this host. Meanwhile, beside the fetch (nothing
/// waits for the archive), the archive says which epoch the source may
/// carry and which `.changes` it has already: each comes with the
/// archive's version when it is superseded.
///
/// # Errors
/// [`RunError::Artifacts`], [`RunError::Changes`] ([`ChangesError::Refused`]
/// for a `.changes` that does not match the decision or a record), and
/// [`RunError::EpochUnknown`] for an epoch nobody could confirm.
pub(super) async fn fetch_checked(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    run_id: &RunId,
    checks: &Checks<'_>,
    workdir: &std::path::Path,
) -> Result<Vec<(Changes, Option<ArchiveHas>)>, RunError> {
    let records = checks.records;
    let decision = checks.decision;
    let names = pipeline.store.list(run_id).await?;
    let changes_files: Vec<Wanted> = names
        .into_iter()
        .filter(|n| n.as_str().ends_with(".changes"))
        .map(|name| Wanted {
            name,
            max_size: changes::MAX_CHANGES_BYTES,
        })
        .collect();
    let fetched = pipeline
        .store
        .fetch_files(run_id, changes_files, workdir, 0)
        .await?;
    let spent: u64 = fetched
        .iter()
        .filter_map(|path| std::fs::symlink_metadata(path).ok())
        .map(|meta| meta.len())
        .sum();
    let found = changes::find(workdir, &pipeline.filter, Verify::Parsed).await?;
    let found: Vec<Changes> = found
        .into_iter()
        .map(|f| f.changes.expect("checked .changes are always parsed"))
        .collect();
    // The worker's own claims first (their refusals name the record they
    // contradict), then what the Janitor decided: the authority, which a
    // worker consistent with itself cannot pass around.
    for parsed in &found {
        record::check_all(records, parsed).map_err(ChangesError::Refused)?;
        decision.check(parsed).map_err(ChangesError::Refused)?;
    }
    let mut listed: Vec<Wanted> = Vec::new();
    for file in found.iter().flat_map(|c| &c.files) {
        match listed.iter_mut().find(|w| w.name == file.name) {
            Some(wanted) => wanted.max_size = wanted.max_size.max(file.size),
            None => listed.push(Wanted {
                name: file.name.clone(),
                max_size: file.size,
            }),
        }
    }
    let total = listed.iter().map(|w| w.max_size).sum::<u64>();
    pipeline
        .store
        .check_total(run_id, total.saturating_add(spent))?;
    let fetched = async {
        pipeline
            .store
            .fetch_files(run_id, listed, workdir, spent)
            .await?;
        let verified = found.clone();
        tokio::task::spawn_blocking(move || verified.iter().try_for_each(Changes::verify))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
        Ok::<(), RunError>(())
    };
    // Each (suite, source) the checks ask the archive about is asked once:
    // the .changes' own suite (superseded?: checked above to be the
    // campaign's build distribution) and the campaign's epoch suite.
    let own = &decision.rules.build_distribution;
    let mut asked: Vec<(Suite, SourcePackage)> = Vec::new();
    for c in &found {
        for suite in [own, decision.rules.epoch_suite()] {
            let key = (suite.clone(), c.source.clone());
            if !asked.contains(&key) {
                asked.push(key);
            }
        }
    }
    let lookups = futures::future::join_all(
        asked
            .iter()
            .map(|(suite, source)| lookup(&pipeline.archives, suite, source)),
    );
    let (fetched, lookups) = tokio::join!(fetched, lookups);
    fetched?;
    let said = |suite: &Suite, source: &SourcePackage| {
        asked
            .iter()
            .position(|(s, p)| s == suite && p == source)
            .map(|i| &lookups[i])
            .expect("every (suite, source) was asked")
    };
    let superseded: Vec<Option<ArchiveHas>> = found
        .iter()
        .map(|c| said(own, &c.source).superseded(c))
        .collect();
    // A version the archive has already (or a newer one) stays superseded:
    // it is not signed either way, and that is what operators expect.
    let suite = decision.rules.epoch_suite();
    for (parsed, _) in found
        .iter()
        .zip(&superseded)
        .filter(|(_, has)| has.is_none())
    {
        let epoch = said(suite, &parsed.source)
            .epoch(ledger, suite, &parsed.source)
            .await;
        match decision.check_epoch(parsed, &epoch) {
            Ok(()) => {}
            Err(EpochError::Mismatch(m)) => return Err(ChangesError::Refused(m).into()),
            Err(EpochError::Unknown(e)) => return Err(e.into()),
        }
    }
    let recorded = records.iter().find_map(|r| r.binary_packages.as_deref());
    for parsed in &found {
        check_debug_packages(parsed, recorded, workdir).await?;
    }
    Ok(found.into_iter().zip(superseded).collect())
}

impl ArchiveHas {
    /// The `superseded` outcome, said at warn where it is decided (the
    /// lookup itself runs beside the fetch, before verification and the
    /// ledger have had their say).
    pub(super) fn outcome(self, changes: &Changes) -> Outcome {
        tracing::warn!(changes = %changes.file_name(), ours = %changes.version, archive = %self.archive, version = %self.version, "superseded: the archive has this version of the source or a newer one; not uploaded");
        Outcome::Superseded(self.version)
    }
}
