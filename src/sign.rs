//! Signing `.changes` files with debsign.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::tool::{Tool, ToolError};

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

/// How to sign: which debsign, and which key.
#[derive(Debug, Clone)]
pub struct Signer {
    /// The debsign program.
    pub debsign: Tool,
    /// The key id, validated not to start with `-`; debsign's default key
    /// when `None`.
    pub keyid: Option<String>,
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

    /// Runs `debsign [-kKEYID] --re-sign NAME` in the file's directory, which
    /// also signs the .dsc and .buildinfo it lists.
    ///
    /// # Errors
    /// [`SignError`] with debsign's status and last lines.
    #[tracing::instrument(skip_all, fields(changes = %path.display()))]
    pub async fn sign(&self, path: &Path) -> Result<(), SignError> {
        let (dir, name) = split(path);
        self.debsign
            .run(&self.args(&name), &dir)
            .await
            .map_err(|source| SignError {
                path: path.to_owned(),
                source,
            })?;
        tracing::info!("signed");
        Ok(())
    }
}

/// The directory to run a tool in and the file name to give it, so that the
/// tool sees a plain name and never a path that could read as an option.
pub(crate) fn split(path: &Path) -> (PathBuf, OsString) {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(OsString::from).unwrap_or_default();
    (dir, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_with_and_without_key() {
        let mut signer = Signer {
            debsign: Tool::new("debsign"),
            keyid: None,
        };
        let name = OsString::from("x.changes");
        assert_eq!(signer.args(&name), vec!["--re-sign", "x.changes"]);
        signer.keyid = Some("ABCD".into());
        assert_eq!(signer.args(&name), vec!["-kABCD", "--re-sign", "x.changes"]);
    }

    #[test]
    fn split_paths() {
        assert_eq!(
            split(Path::new("x.changes")),
            (PathBuf::from("."), OsString::from("x.changes"))
        );
        assert_eq!(
            split(Path::new("/a/b/x.changes")),
            (PathBuf::from("/a/b"), OsString::from("x.changes"))
        );
    }
}
