//! Uploading signed `.changes` files with dput.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::chain::tool::{self, Tool, ToolError};
use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::changes::Changes;

/// A `.changes` that could not be uploaded.
#[derive(Debug, thiserror::Error)]
#[error("uploading {path}{} failed", .host.as_ref().map(|h| format!(" to {h}")).unwrap_or_default())]
pub struct DputError {
    /// The `.changes`.
    pub path: PathBuf,
    /// The dput host, if one was named.
    pub host: Option<String>,
    /// What dput said.
    #[source]
    pub source: ToolError,
}

impl HasExitCode for DputError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Upload
    }
}

/// How to upload: which dput, which host and configuration.
#[derive(Debug, Clone)]
pub struct Uploader {
    /// The dput program.
    pub dput: Tool,
    /// The dput host, validated not to start with `-`; dput's default host
    /// when `None`.
    pub host: Option<String>,
    /// A dput configuration file (dput -c).
    pub config: Option<PathBuf>,
    /// Only simulate (dput -s).
    pub simulate: bool,
    /// Upload even when dput logged an earlier upload (dput -f).
    pub force: bool,
}

impl Uploader {
    /// The arguments for uploading the file `name`.
    fn args(&self, name: &OsString) -> Vec<OsString> {
        let mut args = Vec::new();
        if let Some(config) = &self.config {
            args.push("-c".into());
            args.push(config.clone().into_os_string());
        }
        if self.simulate {
            args.push("-s".into());
        }
        if self.force {
            args.push("-f".into());
        }
        if let Some(host) = &self.host {
            args.push(host.into());
        }
        args.push(name.clone());
        args
    }

    /// Runs `dput [-c FILE] [-s] [-f] [HOST] ./NAME` in the file's
    /// directory. Only a parsed [`Changes`] is uploaded: dput reads the file
    /// names it lists.
    ///
    /// # Errors
    /// [`DputError`] with dput's status and last lines, or its deadline.
    #[tracing::instrument(name = "dput", skip_all, fields(changes = %changes.path.display(), host = self.host.as_deref().unwrap_or("(default)")))]
    pub async fn upload(&self, changes: &Changes) -> Result<(), DputError> {
        let (dir, name) = tool::in_dir(&changes.path);
        self.dput
            .run(&self.args(&name), &dir)
            .await
            .map_err(|source| DputError {
                path: changes.path.clone(),
                host: self.host.clone(),
                source,
            })?;
        tracing::info!("uploaded");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_follow_dput_order() {
        let uploader = Uploader {
            dput: Tool::new("dput", std::time::Duration::from_secs(1)),
            host: Some("janitor".into()),
            config: Some("/etc/dput.cf".into()),
            simulate: true,
            force: true,
        };
        assert_eq!(
            uploader.args(&OsString::from("x.changes")),
            vec!["-c", "/etc/dput.cf", "-s", "-f", "janitor", "x.changes"]
        );
        let bare = Uploader {
            host: None,
            config: None,
            simulate: false,
            force: false,
            ..uploader
        };
        assert_eq!(bare.args(&OsString::from("x.changes")), vec!["x.changes"]);
    }
}
