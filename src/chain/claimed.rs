//! One verified `.changes` under a ledger claim: claimed (or skipped),
//! the verdict read again, signed and uploaded while the claim is renewed
//! ([`Held`]), and its end recorded.

use std::future::Future;
use std::time::Instant;

use crate::chain::checks::ArchiveHas;
use crate::chain::outcome::{ClaimLost, Outcome};
use crate::chain::pipeline::{Checks, Pipeline};
use crate::chain::run_error::{error_chain, RunError};
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
    async fn taken_over(&self) {
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
            () = held.taken_over() => None,
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
        let delayed = pipeline
            .uploader
            .delays
            .for_distribution(&changes.distribution);
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
                .route_distribution(&parsed.distribution)
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
        // Checked to be the campaign's build distribution.
        distribution: &checks.decision.rules.build_distribution,
    };
    let asked = Instant::now();
    let claim = ledger
        .claim(run_id, &entry)
        .await
        .map_err(RunError::database(format!("claiming {name} in the ledger")))?;
    match next_step(claim, superseded.is_some()) {
        Step::Skip(Skip::Paused { reason }) => {
            tracing::warn!(changes = %name, reason = %reason, "the ledger is paused: not uploaded; the run stays due");
            return Ok(Outcome::Skipped(Skip::Paused { reason }));
        }
        Step::Skip(skip) => {
            tracing::info!(changes = %name, claim = ?skip, "skipped");
            return Ok(Outcome::Skipped(skip));
        }
        Step::AcceptUnconfirmed => {
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
        Step::Sign => {}
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
    if let Some(stopped) = verdict_under_claim(pipeline, checks, &held).await {
        return stopped;
    }
    let outcome = sign_and_upload(pipeline, parsed, Some(&held)).await;
    record_end(&held, outcome).await
}

/// What a claim's answer leaves to do with a verified `.changes`.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Nothing: the ledger says why.
    Skip(Skip),
    /// dput may have run before, and the archive has it: accepted, done.
    AcceptUnconfirmed,
    /// Claimed: on to the verdict, debsign and dput (or the supersession
    /// the archive says).
    Sign,
}

/// The upload decision on a claim's answer, `archive_has` telling whether
/// the archive has this version (or newer).
fn next_step(claim: Claim, archive_has: bool) -> Step {
    match claim {
        Claim::Granted { .. } => Step::Sign,
        Claim::Skipped(Skip::Unconfirmed) if archive_has => Step::AcceptUnconfirmed,
        Claim::Skipped(skip) => Step::Skip(skip),
    }
}

/// The reviewers' verdict, read again under the claim right before
/// debsign: a rejection that landed while the run was fetched stops it
/// here, recorded under the claim (`Some`); `None` when it allows signing
/// (or the run was dispatched by hand, and is not in the run table).
async fn verdict_under_claim(
    pipeline: &Pipeline,
    checks: &Checks<'_>,
    held: &Held<'_>,
) -> Option<Result<Outcome, RunError>> {
    let (ledger, run_id, name) = (held.ledger, held.run_id, held.changes);
    let run_table = checks.decision.dispatch.origin == DispatchOrigin::RunTable;
    let pool = checks.janitor.filter(|_| run_table)?;
    let verdict = verdict_now(pool, run_id, checks.decision, pipeline).await?;
    let stopped = match &verdict {
        Ok(verdict) => {
            ledger
                .until_recorded(name, held.deadline(), || ledger.stop(run_id, name, verdict))
                .await
        }
        Err(error) => {
            ledger
                .until_recorded(name, held.deadline(), || {
                    ledger.finish(run_id, name, Ending::Failed(error))
                })
                .await
        }
    };
    let stopped = match stopped {
        Ok(stopped) => stopped,
        Err(source) => {
            return Some(Err(RunError::Database {
                doing: format!("recording in the ledger why {name} was not signed"),
                source,
            }))
        }
    };
    Some(match verdict {
        Ok(verdict) if stopped => Ok(Outcome::Stopped(verdict)),
        Ok(_) => Ok(Outcome::ClaimLost(
            held.lost_error("before the verdict was recorded"),
        )),
        Err(why) => Err(RunError::VerdictUnread {
            changes: name.to_owned(),
            why,
        }),
    })
}

/// How the ledger records what debsign and dput did: `None` when the claim
/// was lost (whoever took it over records it).
fn ending_of(outcome: &Outcome) -> Option<End> {
    match outcome {
        Outcome::ClaimLost(_) => None,
        // An ending that leaves open whether dput's upload reached the
        // queue is unconfirmed, never failed: a failed row would be
        // uploaded again.
        Outcome::UploadFailed(e) if e.is_ambiguous() => Some(End::Unconfirmed(error_chain(e))),
        Outcome::SignFailed(_) | Outcome::BadSignature(_) | Outcome::UploadFailed(_) => Some(
            End::Failed(outcome.tool_error().map(error_chain).unwrap_or_default()),
        ),
        Outcome::Uploaded
        | Outcome::WouldUpload
        | Outcome::Skipped(_)
        | Outcome::Superseded(_)
        | Outcome::Stopped(_) => Some(End::Uploaded),
    }
}

/// An [`Ending`] that owns its error.
#[derive(Debug, PartialEq, Eq)]
enum End {
    Uploaded,
    Failed(String),
    Unconfirmed(String),
}

impl End {
    fn as_ending(&self) -> Ending<'_> {
        match self {
            Self::Uploaded => Ending::Uploaded,
            Self::Failed(error) => Ending::Failed(error),
            Self::Unconfirmed(error) => Ending::Unconfirmed(error),
        }
    }
}

/// Records under the claim how debsign and dput went; a claim lost by then
/// makes the outcome [`Outcome::ClaimLost`].
async fn record_end(held: &Held<'_>, outcome: Outcome) -> Result<Outcome, RunError> {
    let (ledger, run_id, name) = (held.ledger, held.run_id, held.changes);
    let Some(end) = ending_of(&outcome) else {
        return Ok(outcome);
    };
    let recorded = ledger
        .until_recorded(name, held.deadline(), || {
            ledger.finish(run_id, name, end.as_ending())
        })
        .await
        .map_err(RunError::database(format!(
            "recording the upload of {name} in the ledger"
        )))?;
    if matches!(end, End::Unconfirmed(_)) && recorded {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::dput::DputError;
    use crate::chain::sign::SignError;
    use crate::chain::tool::ToolError;

    fn timed_out() -> ToolError {
        ToolError::TimedOut {
            program: "dput".into(),
            limit: std::time::Duration::from_secs(1),
            tail: String::new(),
        }
    }

    fn refused() -> ToolError {
        ToolError::Spawn {
            program: "dput".into(),
            source: std::io::ErrorKind::NotFound.into(),
        }
    }

    #[test]
    fn a_granted_claim_goes_on_to_sign_and_every_other_answer_is_kept() {
        assert_eq!(next_step(Claim::Granted { attempt: 1 }, false), Step::Sign);
        assert_eq!(next_step(Claim::Granted { attempt: 2 }, true), Step::Sign);
        for skip in [
            Skip::AlreadyUploaded,
            Skip::Unconfirmed,
            Skip::ClaimedElsewhere { by: "h:1".into() },
            Skip::GaveUp { attempts: 3 },
            Skip::Paused { reason: "r".into() },
        ] {
            assert_eq!(
                next_step(Claim::Skipped(skip.clone()), false),
                Step::Skip(skip)
            );
        }
    }

    #[test]
    fn an_unconfirmed_upload_the_archive_has_is_accepted_not_signed_again() {
        assert_eq!(
            next_step(Claim::Skipped(Skip::Unconfirmed), true),
            Step::AcceptUnconfirmed
        );
    }

    #[test]
    fn a_dput_killed_midway_is_unconfirmed_and_only_a_clear_failure_is_failed() {
        let killed = Outcome::UploadFailed(DputError::Failed {
            path: "x.changes".into(),
            host: None,
            source: timed_out(),
        });
        assert!(matches!(ending_of(&killed), Some(End::Unconfirmed(e)) if e.contains("killed")));
        let not_started = Outcome::UploadFailed(DputError::Failed {
            path: "x.changes".into(),
            host: None,
            source: refused(),
        });
        assert!(matches!(ending_of(&not_started), Some(End::Failed(_))));
        let unsigned = Outcome::SignFailed(SignError {
            path: "x.changes".into(),
            source: refused(),
        });
        assert!(
            matches!(ending_of(&unsigned), Some(End::Failed(e)) if e.starts_with("signing x.changes failed"))
        );
        assert_eq!(ending_of(&Outcome::Uploaded), Some(End::Uploaded));
    }

    #[test]
    fn a_lost_claim_records_nothing() {
        let lost = Outcome::ClaimLost(ClaimLost {
            run_id: "r".parse().unwrap(),
            changes: "x.changes".into(),
            when: "while signing".into(),
        });
        assert_eq!(ending_of(&lost), None);
    }
}
