//! The reviewers' verdict: the Janitor's `publish_status` of a run, the
//! `--require-review` rule, and whether the two let a run be signed.

use std::fmt;
use std::str::FromStr;

use crate::exit_codes::{ExitCode, HasExitCode};

/// The reviewers' verdict on a run: the Janitor's `publish_status` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishStatus {
    /// Not reviewed.
    Unknown,
    /// Held back by a policy.
    Blocked,
    /// Waits for a reviewer.
    NeedsManualReview,
    /// A reviewer rejected it.
    Rejected,
    /// A reviewer approved it.
    Approved,
    /// Not to be published.
    Ignored,
}

impl PublishStatus {
    /// The word the Janitor stores.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Blocked => "blocked",
            Self::NeedsManualReview => "needs-manual-review",
            Self::Rejected => "rejected",
            Self::Approved => "approved",
            Self::Ignored => "ignored",
        }
    }

    /// Whether it forbids signing whatever else is configured.
    pub fn forbids_signing(self) -> bool {
        matches!(self, Self::Rejected | Self::Blocked)
    }
}

impl FromStr for PublishStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "unknown" => Self::Unknown,
            "blocked" => Self::Blocked,
            "needs-manual-review" => Self::NeedsManualReview,
            "rejected" => Self::Rejected,
            "approved" => Self::Approved,
            "ignored" => Self::Ignored,
            other => return Err(format!("{other:?} is not a publish_status")),
        })
    }
}

impl fmt::Display for PublishStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which campaigns' runs wait for a reviewer's approval
/// (`--require-review`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ReviewRule {
    /// None: only `rejected` and `blocked` stop a run.
    #[default]
    None,
    /// Every campaign.
    All,
    /// These campaigns.
    Campaigns(Vec<String>),
}

impl ReviewRule {
    /// The rule `--require-review` gives: absent, given bare (every
    /// campaign), or given with names.
    pub fn from_flag(flag: Option<&[String]>) -> Self {
        match flag {
            None => Self::None,
            Some([]) => Self::All,
            Some(names) => Self::Campaigns(names.to_vec()),
        }
    }

    /// Whether runs of `campaign` wait for approval.
    pub fn applies_to(&self, campaign: &str) -> bool {
        match self {
            Self::None => false,
            Self::All => true,
            Self::Campaigns(names) => names.iter().any(|n| n == campaign),
        }
    }

    /// The campaigns named, for SQL: `None` for none, an empty list for
    /// every campaign.
    pub fn as_sql(&self) -> Option<Vec<String>> {
        match self {
            Self::None => None,
            Self::All => Some(Vec::new()),
            Self::Campaigns(names) => Some(names.clone()),
        }
    }
}

/// The reviewers' verdict stops the run: `rejected` or `blocked`, or not
/// yet `approved` where `--require-review` asks for approval.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Verdict {
    /// `publish_status` is `rejected` or `blocked`: never signed.
    #[error("run {run_id}: publish_status is {status}{}: not signed", review.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Rejected {
        /// The run.
        run_id: String,
        /// `rejected` or `blocked`.
        status: PublishStatus,
        /// Who rejected it when, from the `review` table, if it says.
        review: Option<String>,
    },
    /// `--require-review` and the run is not `approved` yet.
    #[error("run {run_id}: campaign {campaign} requires review and publish_status is {status}: awaiting review, not signed")]
    AwaitingReview {
        /// The run.
        run_id: String,
        /// Its campaign.
        campaign: String,
        /// The status it has.
        status: PublishStatus,
    },
}

impl HasExitCode for Verdict {
    fn exit_code(&self) -> ExitCode {
        match self {
            Self::Rejected { .. } => ExitCode::Verification,
            Self::AwaitingReview { .. } => ExitCode::Deferred,
        }
    }
}

/// Checks a verdict: `status` (None when no database was read) against
/// the review rule for `campaign`.
///
/// # Errors
/// [`Verdict`] when it stops the run.
pub fn check_verdict(
    run_id: &str,
    campaign: &str,
    status: Option<PublishStatus>,
    review: Option<String>,
    rule: &ReviewRule,
) -> Result<(), Verdict> {
    match status {
        Some(status) if status.forbids_signing() => Err(Verdict::Rejected {
            run_id: run_id.to_owned(),
            status,
            review,
        }),
        Some(PublishStatus::Approved) => Ok(()),
        status if rule.applies_to(campaign) => Err(Verdict::AwaitingReview {
            run_id: run_id.to_owned(),
            campaign: campaign.to_owned(),
            status: status.unwrap_or(PublishStatus::Unknown),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        let none = ReviewRule::None;
        let all = ReviewRule::from_flag(Some(&[]));
        let some = ReviewRule::from_flag(Some(&["lintian-fixes".to_owned()]));
        use PublishStatus::*;
        for status in [Rejected, Blocked] {
            let err = check_verdict("r", "c", Some(status), None, &none).unwrap_err();
            assert!(matches!(err, Verdict::Rejected { .. }));
        }
        check_verdict("r", "c", Some(Unknown), None, &none).unwrap();
        check_verdict("r", "c", None, None, &none).unwrap();
        check_verdict("r", "c", Some(Approved), None, &all).unwrap();
        let err = check_verdict("r", "c", Some(NeedsManualReview), None, &all).unwrap_err();
        assert!(matches!(err, Verdict::AwaitingReview { .. }));
        check_verdict("r", "other", Some(Unknown), None, &some).unwrap();
        let err = check_verdict("r", "lintian-fixes", None, None, &some).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::Deferred);
        let err = check_verdict(
            "r",
            "c",
            Some(Rejected),
            Some("by alice at 2026-12-01 10:00:00".into()),
            &none,
        )
        .unwrap_err();
        assert!(err.to_string().contains("by alice"), "{err}");
        for word in [
            "unknown",
            "blocked",
            "needs-manual-review",
            "rejected",
            "approved",
            "ignored",
        ] {
            assert_eq!(word.parse::<PublishStatus>().unwrap().as_str(), word);
        }
        assert!("Approved".parse::<PublishStatus>().is_err());
    }
}
