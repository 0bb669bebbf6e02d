//! Stopping on request: the error every step returns when SIGINT or SIGTERM
//! (a cancelled token) ended its work before it was done.

use crate::exit_codes::{ExitCode, HasExitCode};

/// The work stopped because shutdown was requested.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

impl HasExitCode for Interrupted {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Interrupted
    }
}
