//! The exit code of a subcommand that stopped on an error: the one place
//! an `anyhow::Error` becomes a code, by the first cause in its chain that
//! says its own (every typed error of the library below the front end).

use crate::chain::run_error::RunError;
use crate::chain::signature::SignatureError;
use crate::cli::janitor_conf::ConfigError;
use crate::cli::settings::SettingsError;
use crate::exit_codes::{code_of, first_known, ExitCode};

/// The exit code for an error that stopped a subcommand: the first error
/// in its cause chain that says its code (settings, configuration, or one
/// of the upload chain's errors), else [`ExitCode::Failure`]. The one
/// place that turns an `anyhow::Error` into a code.
pub fn exit_code(err: &anyhow::Error) -> ExitCode {
    first_known(err, |cause| {
        code_of::<SettingsError>(cause)
            .or_else(|| code_of::<ConfigError>(cause))
            .or_else(|| code_of::<crate::ledger::database::DatabaseError>(cause))
            .or_else(|| code_of::<crate::service::check::CheckFailed>(cause))
            .or_else(|| code_of::<SignatureError>(cause))
            .or_else(|| code_of::<crate::chain::gnupg_home::GnupgHomeError>(cause))
            .or_else(|| code_of::<RunError>(cause))
            .or_else(|| code_of::<crate::chain::artifacts::ArtifactError>(cause))
            .or_else(|| code_of::<crate::input::changes::ChangesError>(cause))
            .or_else(|| code_of::<crate::input::changes::Mismatch>(cause))
            .or_else(|| code_of::<crate::chain::sign::SignError>(cause))
            .or_else(|| code_of::<crate::chain::dput::DputError>(cause))
            .or_else(|| code_of::<crate::shutdown::Interrupted>(cause))
            .or_else(|| code_of::<crate::input::dispatch::UnknownCampaign>(cause))
            .or_else(|| code_of::<crate::input::dispatch::NotDispatched>(cause))
            .or_else(|| code_of::<crate::input::verdict::Verdict>(cause))
            .or_else(|| code_of::<crate::input::dispatch::EpochUnknown>(cause))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shutdown::Interrupted;

    #[test]
    fn unknown_errors_are_failures() {
        assert_eq!(exit_code(&anyhow::anyhow!("boom")), ExitCode::Failure);
    }

    #[test]
    fn context_does_not_hide_the_typed_cause() {
        let err = anyhow::Error::new(Interrupted).context("uploading run x");
        assert_eq!(exit_code(&err), ExitCode::Interrupted);
        let err = anyhow::Error::new(SettingsError::Missing {
            what: "x",
            how: "y",
        })
        .context("z");
        assert_eq!(exit_code(&err), ExitCode::Usage);
    }
}
