//! What the upload chain is given: the [`Pipeline`] built from the
//! settings, the run as the Janitor [`Dispatched`] it, and what each of its
//! `.changes` is checked against (`Checks`).

use std::sync::Arc;

use crate::archive::Archives;
use crate::chain::artifacts::ArtifactStore;
use crate::chain::dput::Uploader;
use crate::chain::publish::Publisher;
use crate::chain::sign::Signer;
use crate::input::changes::Filter;
use crate::input::dispatch::{Campaigns, Decision, Dispatch};
use crate::input::rates::LocalBudget;
use crate::input::record::Record;

/// One run to upload: what the Janitor dispatched (the authority), the
/// worker-derived records checked beside it, and the Janitor's database
/// where the reviewers' verdict is read again before anything is signed.
#[derive(Debug, Clone, Copy)]
pub struct Dispatched<'a> {
    /// The run's codebase and campaign, and its verdict as read.
    pub dispatch: &'a Dispatch,
    /// The worker's own claims (`debian_build`, the message's `build_*`)
    /// and what the operator expects: a consistency check on top.
    pub records: &'a [Record],
    /// The Janitor's database, when configured.
    pub janitor: Option<&'a sqlx::PgPool>,
}

/// Everything the chain needs besides the run id and the ledger; built
/// complete from the settings (the ledger, opened later, is passed to
/// [`upload_run`](super::upload::upload_run) beside it).
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// Where artifacts come from.
    pub store: ArtifactStore,
    /// Which `.changes` to upload.
    pub filter: Filter,
    /// How to sign.
    pub signer: Signer,
    /// How to upload.
    pub uploader: Uploader,
    /// Fetch and verify only.
    pub dry_run: bool,
    /// The archives whose Sources indices tell what is uploaded already.
    pub archives: Arc<Archives>,
    /// The operator's selections every `.changes` must match besides the
    /// run's own record (`listen`/`backfill` `--distribution`, `--campaign`).
    pub scope: Vec<Record>,
    /// The Debian campaigns of `janitor.conf` and `--require-review`: what
    /// a run of each may be signed as.
    pub campaigns: Arc<Campaigns>,
    /// Where each `.changes` outcome is published (`--publish-channel`).
    pub publisher: Option<Arc<Publisher>>,
    /// The upload budgets this process keeps itself when it has no ledger
    /// (with one, the ledger keeps them for every process).
    pub budget: Option<Arc<LocalBudget>>,
}

/// What every `.changes` of a run is checked against, and where the
/// verdict is read again.
pub(super) struct Checks<'a> {
    /// What the Janitor decided.
    pub decision: &'a Decision,
    /// The worker's records and the operator's selections.
    pub records: &'a [Record],
    /// The Janitor's database, when configured.
    pub janitor: Option<&'a sqlx::PgPool>,
}
