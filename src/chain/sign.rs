//! Signing `.changes` files with debsign.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::chain::signature::{self, SignatureError, SigningKey, Verifier};
use crate::chain::tool::{self, Tool, ToolError};
use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::changes::Changes;
use crate::input::names::KeyId;

/// A `.changes` that could not be signed.
#[derive(Debug, thiserror::Error)]
#[error("signing {path} failed")]
pub struct SignError {
    /// The `.changes`.
    pub path: PathBuf,
    /// What debsign said.
    #[source]
    pub source: ToolError,
}

impl HasExitCode for SignError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Signing
    }
}

/// How to sign: which debsign (with its time limit), and which key.
#[derive(Debug, Clone)]
pub struct Signer {
    /// The debsign program.
    pub debsign: Tool,
    /// The key id, validated not to start with `-`; debsign's default key
    /// when `None`.
    pub keyid: Option<KeyId>,
    /// The check of the signature made, when keyrings are given.
    pub verifier: Option<Verifier>,
    /// The signing key as gpg finds it (its fingerprints for the check,
    /// its expiry for the operators).
    pub key: SigningKey,
}

impl Signer {
    /// The arguments for signing the file `name`.
    fn args(&self, name: &OsString) -> Vec<OsString> {
        let mut args = Vec::new();
        if let Some(keyid) = &self.keyid {
            args.push(OsString::from(format!("-k{keyid}")));
        }
        args.push("--re-sign".into());
        args.push(name.clone());
        args
    }

    /// Runs `debsign [-kKEYID] --re-sign ./NAME` in the file's directory,
    /// which also signs the .dsc and .buildinfo it lists. Only a parsed
    /// [`Changes`] is signed: debsign reads file names out of it and
    /// evaluates them in a shell, so they must have passed the strict
    /// checks first.
    ///
    /// # Errors
    /// [`SignError`] with debsign's status and last lines, or its deadline.
    #[tracing::instrument(skip_all, fields(changes = %changes.path.display()))]
    pub async fn sign(&self, changes: &Changes) -> Result<(), SignError> {
        let (dir, name) = tool::in_dir(&changes.path);
        self.debsign
            .run(&self.args(&name), &dir)
            .await
            .map_err(|source| SignError {
                path: changes.path.clone(),
                source,
            })?;
        tracing::info!("signed");
        Ok(())
    }

    /// Checks what [`Signer::sign`] made: always, the signed text read
    /// again with the strict parser names the same upload as `changes`
    /// (what was checked before signing) and every file matches its new
    /// checksums; with keyrings (`--keyring`), gpgv verifies the signatures
    /// and each must be the signing key's.
    ///
    /// # Errors
    /// [`SignatureError`] when the content or a signature does not verify.
    pub async fn verify(&self, changes: &Changes) -> Result<(), SignatureError> {
        signature::check_signed(changes).await?;
        if let Some(verifier) = &self.verifier {
            verifier.verify_signatures(changes).await?;
            tracing::info!("signature verified");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_with_and_without_key() {
        let mut signer = Signer {
            debsign: Tool::new("debsign", std::time::Duration::from_secs(1)),
            keyid: None,
            verifier: None,
            key: SigningKey::new(Tool::new("gpg", std::time::Duration::from_secs(1)), None),
        };
        let name = OsString::from("x.changes");
        assert_eq!(signer.args(&name), vec!["--re-sign", "x.changes"]);
        signer.keyid = Some("ABCD".parse().unwrap());
        assert_eq!(signer.args(&name), vec!["-kABCD", "--re-sign", "x.changes"]);
    }
}
