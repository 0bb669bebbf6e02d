//! The one list of the ledger's states: what a `.changes` (or a run as a
//! whole) is in the `upload` table. The SQL state sets, the order in which
//! `ledger list` shows a run's most pressing state, `ledger list --state`
//! and the states a claim may take over are all derived from it; adding a
//! state is this enum, a migration for the table's CHECK, and the matches
//! the compiler then points at.

use std::fmt;

/// A row's state in the ledger (the `upload.state` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, serde::Serialize)]
#[sqlx(type_name = "text", rename_all = "kebab-case")]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Claimed by a process that is signing it (or a crashed uploader's,
    /// until the lease ends).
    Claimed,
    /// dput is running (or ran under a claim that has not expired yet).
    Uploading,
    /// The reviewers rejected (or blocked) the run: never signed while
    /// they do.
    Rejected,
    /// A `.changes` did not match the run's record: never tried again.
    Refused,
    /// Failed; tried again until the maximum attempts.
    Failed,
    /// `--require-review`: waits for the reviewers' approval.
    AwaitingReview,
    /// Over the upload budget (`--max-uploads-per-hour`): still due.
    Deferred,
    /// Uploaded, but not seen in the archive after `--after`; or dput may
    /// have run under a claim whose process stopped before recording it.
    Unconfirmed,
    /// Signed and uploaded; not yet seen in the archive.
    Uploaded,
    /// Seen in the archive (`ledger reconcile`).
    Accepted,
    /// The archive had the version already, or a newer one: not uploaded.
    Superseded,
}

impl State {
    /// Every state, most pressing first: the order in which `ledger list`
    /// picks the state it shows for a run of several `.changes`.
    pub const PRESSING: [State; 11] = [
        Self::Claimed,
        Self::Uploading,
        Self::Rejected,
        Self::Refused,
        Self::Failed,
        Self::AwaitingReview,
        Self::Deferred,
        Self::Unconfirmed,
        Self::Uploaded,
        Self::Accepted,
        Self::Superseded,
    ];

    /// The word in the ledger and in listings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claimed => "claimed",
            Self::Uploading => "uploading",
            Self::Rejected => "rejected",
            Self::Refused => "refused",
            Self::Failed => "failed",
            Self::AwaitingReview => "awaiting-review",
            Self::Deferred => "deferred",
            Self::Unconfirmed => "unconfirmed",
            Self::Uploaded => "uploaded",
            Self::Accepted => "accepted",
            Self::Superseded => "superseded",
        }
    }

    /// What it means, for `ledger list --help`.
    pub fn help(self) -> &'static str {
        match self {
            Self::Claimed => "Being signed now",
            Self::Uploading => "dput running now",
            Self::Rejected => {
                "The reviewers rejected or blocked the run: never signed while they do"
            }
            Self::Refused => "Refused: a .changes did not match the run's record; never retried",
            Self::Failed => "Failed, to be tried again",
            Self::AwaitingReview => "Waits for the reviewers' approval (--require-review)",
            Self::Deferred => "Over the upload budget (--max-uploads-per-hour): still due",
            Self::Unconfirmed => {
                "Not seen in the archive after `ledger reconcile --after`, or dput may have run \
                 for an uploader that stopped before recording it"
            }
            Self::Uploaded => "Uploaded, not yet seen in the archive",
            Self::Accepted => "Seen in the archive",
            Self::Superseded => "The archive had it (or newer): not uploaded",
        }
    }

    /// A claim is live in it (until the lease ends).
    pub fn is_live_claim(self) -> bool {
        match self {
            Self::Claimed | Self::Uploading => true,
            Self::Rejected
            | Self::Refused
            | Self::Failed
            | Self::AwaitingReview
            | Self::Deferred
            | Self::Unconfirmed
            | Self::Uploaded
            | Self::Accepted
            | Self::Superseded => false,
        }
    }

    /// Due again whenever asked, no attempt counted: the budget or the
    /// verdict held it back, and the plan and a claim take it again.
    pub fn is_held_back(self) -> bool {
        match self {
            Self::Deferred | Self::Rejected | Self::AwaitingReview => true,
            Self::Claimed
            | Self::Uploading
            | Self::Refused
            | Self::Failed
            | Self::Unconfirmed
            | Self::Uploaded
            | Self::Accepted
            | Self::Superseded => false,
        }
    }

    /// Done: taken again only by `--force`.
    pub fn is_done(self) -> bool {
        match self {
            Self::Uploaded | Self::Accepted | Self::Unconfirmed | Self::Superseded => true,
            Self::Claimed
            | Self::Uploading
            | Self::Rejected
            | Self::Refused
            | Self::Failed
            | Self::AwaitingReview
            | Self::Deferred => false,
        }
    }

    /// The archive has (or had) it from us: the epoch's witness.
    pub fn was_uploaded(self) -> bool {
        match self {
            Self::Uploaded | Self::Accepted => true,
            Self::Claimed
            | Self::Uploading
            | Self::Rejected
            | Self::Refused
            | Self::Failed
            | Self::AwaitingReview
            | Self::Deferred
            | Self::Unconfirmed
            | Self::Superseded => false,
        }
    }

    /// `ledger retry` resets it to a fresh `failed`.
    pub fn is_retryable(self) -> bool {
        match self {
            Self::Failed | Self::Unconfirmed | Self::Refused => true,
            Self::Claimed
            | Self::Uploading
            | Self::Rejected
            | Self::AwaitingReview
            | Self::Deferred
            | Self::Uploaded
            | Self::Accepted
            | Self::Superseded => false,
        }
    }

    /// A quoted SQL literal.
    pub fn sql(self) -> String {
        format!("'{}'", self.as_str())
    }

    /// The words of the states `keep` selects, for a `text[]` parameter
    /// (`state = ANY($n)`).
    pub fn words(keep: impl Fn(State) -> bool) -> Vec<&'static str> {
        Self::PRESSING
            .into_iter()
            .filter(|s| keep(*s))
            .map(State::as_str)
            .collect()
    }

    /// The states `keep` selects, as an SQL list: `('a', 'b')`.
    pub fn sql_set(keep: impl Fn(State) -> bool) -> String {
        let states: Vec<String> = Self::words(keep)
            .into_iter()
            .map(|word| format!("'{word}'"))
            .collect();
        format!("({})", states.join(", "))
    }

    /// Every state, most pressing first, as an SQL array.
    pub fn sql_pressing() -> String {
        let states: Vec<String> = Self::PRESSING.into_iter().map(State::sql).collect();
        format!("ARRAY[{}]", states.join(", "))
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A run's state as `ledger list` shows it: the most pressing state among
/// its `.changes` ([`State::PRESSING`]), or `gave-up` for a failure with
/// the maximum attempts used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// The state of a row.
    Is(State),
    /// Failed the maximum number of times.
    GaveUp,
}

impl RunState {
    /// Every state `ledger list --state` takes, in the order shown.
    pub fn all() -> impl Iterator<Item = RunState> {
        State::PRESSING
            .into_iter()
            .map(RunState::Is)
            .chain([RunState::GaveUp])
    }

    /// The word in listings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Is(state) => state.as_str(),
            Self::GaveUp => "gave-up",
        }
    }

    /// What it means, for `ledger list --help`.
    pub fn help(self) -> &'static str {
        match self {
            Self::Is(state) => state.help(),
            Self::GaveUp => "Failed the maximum number of times",
        }
    }

    /// The state a word in a listing names.
    pub fn parse(word: &str) -> Option<Self> {
        Self::all().find(|s| s.as_str() == word)
    }
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for RunState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl sqlx::Type<sqlx::Postgres> for RunState {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <&str as sqlx::Type<sqlx::Postgres>>::type_info()
    }

    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
    }
}

impl sqlx::Decode<'_, sqlx::Postgres> for RunState {
    fn decode(value: sqlx::postgres::PgValueRef<'_>) -> Result<Self, sqlx::error::BoxDynError> {
        let word = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
        Self::parse(word).ok_or_else(|| format!("not a ledger state: {word:?}").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_once_in_the_pressing_order() {
        let mut words: Vec<&str> = State::PRESSING.iter().map(|s| s.as_str()).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), State::PRESSING.len());
    }

    #[test]
    fn sql_sets_quote_each_state() {
        assert_eq!(
            State::sql_set(State::is_live_claim),
            "('claimed', 'uploading')"
        );
        assert_eq!(
            State::sql_set(State::is_held_back),
            "('rejected', 'awaiting-review', 'deferred')"
        );
        assert!(State::sql_pressing().starts_with("ARRAY['claimed', 'uploading', 'rejected'"));
    }

    #[test]
    fn gave_up_is_listed_last() {
        let words: Vec<&str> = RunState::all().map(RunState::as_str).collect();
        assert_eq!(words.last(), Some(&"gave-up"));
        assert_eq!(words.len(), 12);
    }
}
