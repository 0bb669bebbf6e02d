//! The single steps: `fetch-artifacts`, `find-changes`, `sign` and `dput`,
//! each the library's own step with what it prints.

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use std::path::{Path, PathBuf};

use crate::chain::artifacts::ArtifactStore;
use crate::chain::signature::Verifier;
use crate::chain::tool::ToolError;
use crate::cli::exit::exit_code;
use crate::cli::output;
use crate::cli::settings::{ListFormat, PathInput};
use crate::exit_codes::ExitCode;
use crate::input::changes::{self, Changes, ChangesError, Filter, Verify};
use crate::input::run_id::RunId;
use crate::shutdown::Interrupted;

/// `fetch-artifacts`: copies the run and prints where to.
pub(in crate::cli) async fn fetch_artifacts(
    run_id: &RunId,
    store: &ArtifactStore,
    dest: &Path,
    shutdown: &CancellationToken,
) -> anyhow::Result<ExitCode> {
    tokio::select! {
        () = shutdown.cancelled() => return Err(Interrupted.into()),
        fetched = store.fetch(run_id, dest) => { fetched?; }
    }
    output::record(&dest.to_string_lossy(), false)?;
    Ok(ExitCode::Success)
}

/// `find-changes`: one path (or JSON object) per `.changes` found.
pub(in crate::cli) async fn find_changes(
    dir: &Path,
    filter: &Filter,
    format: ListFormat,
    verify: Verify,
    signature: Option<&Verifier>,
    shutdown: &CancellationToken,
) -> anyhow::Result<ExitCode> {
    let found = tokio::select! {
        () = shutdown.cancelled() => return Err(Interrupted.into()),
        found = changes::find(dir, filter, verify) => found?,
    };
    if let Some(verifier) = signature {
        for changes in found.iter().filter_map(|f| f.changes.as_ref()) {
            tokio::select! {
                () = shutdown.cancelled() => return Err(Interrupted.into()),
                verified = verifier.verify(changes) => verified?,
            }
        }
    }
    for found in found {
        let line = match format {
            ListFormat::Json => {
                let parsed = match found.changes {
                    Some(c) => c,
                    None => Changes::read(&found.path)?,
                };
                serde_json::to_string(&parsed)?
            }
            _ => found.path.to_string_lossy().into_owned(),
        };
        output::record(&line, format == ListFormat::Null)?;
    }
    Ok(ExitCode::Success)
}

/// Parses the `.changes` at `path` for `sign` or `dput`: a file that cannot
/// be read fails that step (`failed` makes its error, so that the step's
/// exit code applies); one that is refused by the strict checks is a
/// verification failure, and never reaches the tool.
pub(in crate::cli) fn readable<E>(
    path: &Path,
    failed: impl FnOnce(PathBuf, ToolError) -> E,
) -> anyhow::Result<Changes>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match Changes::read(path) {
        Ok(changes) => Ok(changes),
        Err(ChangesError::Io { path, source }) => {
            Err(failed(path.clone(), ToolError::Input { path, source }).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Applies `step` to each path (arguments, or stdin), printing each path it
/// succeeded on; failures are logged and the first one's code is returned.
pub(in crate::cli) async fn each_path<F, Fut>(
    input: PathInput,
    shutdown: CancellationToken,
    step: F,
) -> anyhow::Result<ExitCode>
where
    F: Fn(std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let paths = if input.paths.is_empty() {
        output::paths_from_stdin(input.null)
            .await
            .context("reading paths from stdin")?
    } else {
        input.paths
    };
    let mut code = ExitCode::Success;
    for path in paths {
        let result = tokio::select! {
            () = shutdown.cancelled() => return Err(Interrupted.into()),
            result = step(path.clone()) => result,
        };
        match result {
            Ok(()) => output::record(&path.to_string_lossy(), input.null)?,
            Err(e) => {
                tracing::error!("{e:#}");
                if code == ExitCode::Success {
                    code = exit_code(&e);
                }
            }
        }
    }
    Ok(code)
}
