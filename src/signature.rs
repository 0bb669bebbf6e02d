//! Checking our own signature before dput: the signed `.changes`, and the
//! `.dsc` it lists, must verify with `gpgv` against the keyrings the
//! archive trusts (`--keyring`), and every file must still match the
//! checksums the signed `.changes` gives. What the archive would reject
//! hours later, by mail, is caught before anything is uploaded.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::changes::{Changes, ChangesError};
use crate::exit_codes::{ExitCode, HasExitCode};
use crate::tool::{self, Tool, ToolError};

/// A signed `.changes` that does not verify.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// gpgv refused a signature (unknown key, bad signature, no signature).
    #[error("the signature of {path} does not verify against the keyrings")]
    Signature {
        /// The `.changes` or `.dsc`.
        path: PathBuf,
        /// What gpgv said.
        #[source]
        source: ToolError,
    },
    /// The signed `.changes` no longer matches its files, or cannot be read.
    #[error("the signed .changes does not match its files")]
    Content(#[source] ChangesError),
}

impl HasExitCode for SignatureError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Signing
    }
}

/// How to verify: which gpgv, against which keyrings.
#[derive(Debug, Clone)]
pub struct Verifier {
    /// The gpgv program (with its time limit).
    pub gpgv: Tool,
    /// Keyrings (binary OpenPGP or keybox), at least one.
    pub keyrings: Vec<PathBuf>,
}

impl Verifier {
    fn args(&self, name: OsString) -> Vec<OsString> {
        let mut args = Vec::new();
        for keyring in &self.keyrings {
            args.push("--keyring".into());
            args.push(keyring.clone().into_os_string());
        }
        args.push(name);
        args
    }

    /// Verifies a signed `.changes`: re-reads it (the strict parser), runs
    /// `gpgv` on it and on each `.dsc` it lists, and checks every listed
    /// file against the checksums the signed text gives.
    ///
    /// # Errors
    /// [`SignatureError`]: a signature that does not verify, or content
    /// that no longer matches.
    #[tracing::instrument(skip_all, fields(changes = %changes.path.display()))]
    pub async fn verify(&self, changes: &Changes) -> Result<(), SignatureError> {
        let signed = Changes::read(&changes.path).map_err(SignatureError::Content)?;
        let (dir, name) = tool::in_dir(&signed.path);
        self.gpgv
            .run(&self.args(name), &dir)
            .await
            .map_err(|source| SignatureError::Signature {
                path: signed.path.clone(),
                source,
            })?;
        for file in signed
            .files
            .iter()
            .filter(|f| f.name.as_str().ends_with(".dsc"))
        {
            let path = dir.join(file.name.as_str());
            let (_, name) = tool::in_dir(&path);
            self.gpgv
                .run(&self.args(name), &dir)
                .await
                .map_err(|source| SignatureError::Signature { path, source })?;
        }
        let check = signed.clone();
        tokio::task::spawn_blocking(move || check.verify())
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
            .map_err(SignatureError::Content)?;
        tracing::info!("signature verified");
        Ok(())
    }
}
