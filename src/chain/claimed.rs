//! One verified `.changes` under a ledger claim: claimed (or skipped),
//! the verdict read again, signed and uploaded while the claim is renewed
//! ([`Held`]), and its end recorded.

use std::future::Future;
use std::time::Instant;

use crate::chain::checks::ArchiveHas;
use crate::chain::outcome::{ClaimLost, Outcome};
use crate::chain::run_error::{error_chain, RunError};
use crate::chain::upload::{Checks, Pipeline};
use crate::input::changes::Changes;
use crate::input::dispatch::{Decision, DispatchOrigin};
use crate::input::hosts::host_key;
use crate::input::run_id::RunId;
use crate::input::verdict::{check_verdict, Verdict};
use crate::ledger::{self as ledger_db, Claim, Ending, Entry, Ledger, Skip};

/// A claim held in the ledger while its `.changes` is signed and uploaded.
pub(super) struct Held<'a> {
    ledger: &'a Ledger,
    run_id: &'a RunId,
    changes: &'a str,
    /// When the last renewal that succeeded was sent: the claim cannot
    /// expire before this plus the lease.
    renewed: std::sync::Mutex<Instant>,
}

impl<'a> Held<'a> {
    /// A claim just granted (`claimed` is when the claim was asked for).
    fn new(ledger: &'a Ledger, run_id: &'a RunId, changes: &'a str, claimed: Instant) -> Self {
        Self {
            ledger,
            run_id,
            changes,
            renewed: std::sync::Mutex::new(claimed),
        }
    }

    /// The moment the claim could expire: its last renewal plus the lease.
    fn deadline(&self) -> Instant {
        *self.renewed.lock().expect("renewal time poisoned") + self.ledger.policy().lease
    }

    /// Notes a renewal sent at `sent` that succeeded.
    fn renewed_at(&self, sent: Instant) {
        *self.renewed.lock().expect("renewal time poisoned") = sent;
    }

    /// Renews the claim every heartbeat; returns once a renewal finds it
    /// taken over (never while renewals succeed). A failed renewal (the
    /// database unreachable) is logged and tried again.
    async fn lost(&self) {
        let mut beat = tokio::time::interval(self.ledger.heartbeat());
        beat.tick().await;
        loop {
            beat.tick().await;
            let sent = Instant::now();
            match self.ledger.renew(self.run_id, self.changes).await {
                Ok(true) => self.renewed_at(sent),
                Ok(false) => return,
                Err(e) => {
                    tracing::warn!(changes = self.changes, error = %e, "cannot renew the ledger claim")
                }
            }
        }
    }

    /// Moves the claim to `uploading` before dput runs, trying again while
    /// the database does not answer and the claim cannot have expired.
    /// `false`: dput must not run (the claim is gone, or the ledger could
    /// not be told).
    async fn start_upload(&self, delayed: Option<u8>) -> bool {
        // The claim is renewed as of the try that succeeded, not the first.
        let sent = std::sync::Mutex::new(Instant::now());
        let started = self
            .ledger
            .until_recorded(self.changes, self.deadline(), || {
                *sent.lock().expect("send time poisoned") = Instant::now();
                self.ledger.start_upload(self.run_id, self.changes, delayed)
            })
            .await;
        match started {
            Ok(true) => {
                self.renewed_at(*sent.lock().expect("send time poisoned"));
                true
            }
            Ok(false) => false,
            Err(e) => {
                tracing::error!(changes = self.changes, error = %e, "cannot record in the ledger that dput starts; not uploading");
                false
            }
        }
    }

    fn lost_error(&self, when: &str) -> ClaimLost {
        ClaimLost {
            run_id: self.run_id.clone(),
            changes: self.changes.to_owned(),
            when: when.to_owned(),
        }
    }
}

/// Runs `work` while the claim (if any) is renewed; `None` when a renewal
/// found the claim taken over, and `work` was dropped (its tool killed).
async fn while_held<T>(held: Option<&Held<'_>>, work: impl Future<Output = T>) -> Option<T> {
    match held {
        None => Some(work.await),
        Some(held) => tokio::select! {
            biased;
            out = work => Some(out),
            () = held.lost() => None,
        },
    }
}

/// Signs one `.changes` and, only if that worked and the ledger recorded
/// under the claim that dput starts (`uploading`), uploads it. A dput under
/// way is left to finish even if the claim is lost meanwhile (killing it
/// would leave half an upload); whoever found the claim expired made it
/// `unconfirmed` rather than upload it again, and the final ledger update
/// records what dput did.
async fn sign_and_upload(
    pipeline: &Pipeline,
    changes: &Changes,
    held: Option<&Held<'_>>,
) -> Outcome {
    let signed = while_held(held, pipeline.signer.sign(changes)).await;
    let lost =
        |when: &str| Outcome::ClaimLost(held.expect("only a held claim is lost").lost_error(when));
    match signed {
        None => return lost("while signing; it was not uploaded"),
        Some(Err(e)) => return Outcome::SignFailed(e),
        Some(Ok(())) => {}
    }
    match while_held(held, pipeline.signer.verify(changes)).await {
        None => return lost("while verifying the signature; it was not uploaded"),
        Some(Err(e)) => return Outcome::BadSignature(e),
        Some(Ok(())) => {}
    }
    if let Some(held) = held {
        let delayed = pipeline.uploader.delays.for_suite(&changes.distribution);
        if !held.start_upload(delayed).await {
            return lost(
                "before dput (or the ledger could not be told dput starts); it was not uploaded",
            );
        }
    }
    let upload = pipeline.uploader.upload(changes);
    tokio::pin!(upload);
    let uploaded = match while_held(held, &mut upload).await {
        Some(result) => result,
        None => {
            tracing::error!(changes = %changes.path.display(), "the ledger claim was taken over during dput; letting dput finish");
            upload.await
        }
    };
    match uploaded {
        Err(e) => Outcome::UploadFailed(e),
        Ok(()) => Outcome::Uploaded,
    }
}

/// Claims one verified `.changes` in the ledger (when there is one), signs
/// and uploads it while the claim is held, and records how it went;
/// `superseded` says what the archive has when it has this one or newer.
pub(super) async fn upload_one(
    pipeline: &Pipeline,
    ledger: Option<&Ledger>,
    run_id: &RunId,
    checks: &Checks<'_>,
    parsed: &Changes,
    superseded: Option<ArchiveHas>,
) -> Result<Outcome, RunError> {
    let name = parsed.file_name();
    let Some(ledger) = ledger else {
        if let Some(has) = superseded {
            return Ok(has.outcome(parsed));
        }
        // No ledger: this process keeps the budgets itself.
        if let Some(budget) = &pipeline.budget {
            let host = pipeline
                .uploader
                .hosts
                .route(&parsed.distribution)
                .ok()
                .flatten();
            if let Err(retry_after) = budget.take(&host_key(host)) {
                return Ok(Outcome::Skipped(Skip::Deferred { retry_after }));
            }
        }
        return Ok(sign_and_upload(pipeline, parsed, None).await);
    };
    let entry = Entry {
        changes: &name,
        source: &parsed.source,
        version: &parsed.version,
        distribution: &parsed.distribution,
    };
    let asked = Instant::now();
    let claim = ledger
        .claim(run_id, &entry)
        .await
        .map_err(RunError::database(format!("claiming {name} in the ledger")))?;
    let skip = match claim {
        Claim::Granted { .. } => None,
        Claim::Skipped(skip) => Some(skip),
    };
    match skip {
        None => {}
        Some(Skip::Unconfirmed) if superseded.is_some() => {
            let accepted =
                ledger
                    .accept_unconfirmed(run_id, &name)
                    .await
                    .map_err(RunError::database(format!(
                        "recording {name} as accepted in the ledger"
                    )))?;
            if accepted {
                tracing::info!(changes = %name, "the archive has the unconfirmed upload: accepted");
            }
            return Ok(Outcome::Skipped(Skip::AlreadyUploaded));
        }
        Some(Skip::Paused { reason }) => {
            tracing::warn!(changes = %name, reason = %reason, "the ledger is paused: not uploaded; the run stays due");
            return Ok(Outcome::Skipped(Skip::Paused { reason }));
        }
        Some(skip) => {
            tracing::info!(changes = %name, claim = ?skip, "skipped");
            return Ok(Outcome::Skipped(skip));
        }
    }
    let held = Held::new(ledger, run_id, &name, asked);
    if let Some(has) = superseded {
        let recorded = ledger
            .until_recorded(&name, held.deadline(), || {
                ledger.supersede(run_id, &name, &has.version)
            })
            .await
            .map_err(RunError::database(format!(
                "recording {name} as superseded in the ledger"
            )))?;
        return Ok(if recorded {
            has.outcome(parsed)
        } else {
            Outcome::ClaimLost(held.lost_error("before it was recorded as superseded"))
        });
    }
    // The verdict, read again under the claim, right before debsign: a
    // rejection that landed while the run was fetched stops it here. (A
    // run the operator dispatched by hand is not in the run table.)
    let run_table = checks.decision.dispatch.origin == DispatchOrigin::RunTable;
    if let Some(pool) = checks.janitor.filter(|_| run_table) {
        if let Some(verdict) = verdict_now(pool, run_id, checks.decision, pipeline).await {
            let stopped = match &verdict {
                Ok(verdict) => {
                    ledger
                        .until_recorded(&name, held.deadline(), || {
                            ledger.stop(run_id, &name, verdict)
                        })
                        .await
                }
                Err(error) => {
                    ledger
                        .until_recorded(&name, held.deadline(), || {
                            ledger.finish(run_id, &name, Ending::Failed(error))
                        })
                        .await
                }
            }
            .map_err(RunError::database(format!(
                "recording in the ledger why {name} was not signed"
            )))?;
            return Ok(match verdict {
                Ok(verdict) if stopped => Outcome::Stopped(verdict),
                Ok(_) => Outcome::ClaimLost(held.lost_error("before the verdict was recorded")),
                Err(why) => {
                    return Err(RunError::VerdictUnread {
                        changes: name.clone(),
                        why,
                    })
                }
            });
        }
    }
    let outcome = sign_and_upload(pipeline, parsed, Some(&held)).await;
    // An ending that leaves open whether dput's upload reached the queue is
    // unconfirmed, never failed: a failed row would be uploaded again.
    let ambiguous = matches!(&outcome, Outcome::UploadFailed(e) if e.is_ambiguous());
    if matches!(outcome, Outcome::ClaimLost(_)) {
        return Ok(outcome);
    }
    let error = outcome.tool_error().map(error_chain);
    let recorded = ledger
        .until_recorded(&name, held.deadline(), || {
            let ending = match (&error, ambiguous) {
                (None, _) => Ending::Uploaded,
                (Some(error), true) => Ending::Unconfirmed(error),
                (Some(error), false) => Ending::Failed(error),
            };
            ledger.finish(run_id, &name, ending)
        })
        .await
        .map_err(RunError::database(format!(
            "recording the upload of {name} in the ledger"
        )))?;
    if ambiguous && recorded {
        tracing::warn!(changes = %name, "dput's ending leaves open whether the upload reached the queue: unconfirmed, not uploaded again until the archive or ledger retry --archive resolves it");
    }
    if recorded {
        Ok(outcome)
    } else {
        Ok(Outcome::ClaimLost(held.lost_error(&format!(
            "before its end was recorded ({}); the final ledger update matched no row",
            outcome.label()
        ))))
    }
}

/// The reviewers' verdict as the database says it now, when it stops the
/// run (`Ok`), or why it cannot be read (`Err`: nothing is signed then);
/// `None` when it allows signing.
async fn verdict_now(
    pool: &sqlx::PgPool,
    run_id: &RunId,
    decision: &Decision,
    pipeline: &Pipeline,
) -> Option<Result<Verdict, String>> {
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        ledger_db::janitor::verdict(pool, run_id),
    )
    .await;
    let (status, review) = match read {
        Ok(Ok(Some((status, review)))) => (Some(status), review),
        Ok(Ok(None)) => return Some(Err("the run is no longer in the run table".into())),
        Ok(Err(e)) => return Some(Err(format!("cannot read the run's publish_status: {e}"))),
        Err(_) => return Some(Err("reading the run's publish_status timed out".into())),
    };
    check_verdict(
        run_id.as_str(),
        &decision.dispatch.campaign,
        status,
        review,
        &pipeline.campaigns.review,
    )
    .err()
    .map(Ok)
}
