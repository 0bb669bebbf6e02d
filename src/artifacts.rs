//! The artifact store: where the runner keeps each run's files, laid out as
//! `<location>/<run_id>/<file>`, on local disk, in GCS or in S3.

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectMeta, ObjectStore};
use tokio::io::AsyncWriteExt;

use crate::exit_codes::ExitCode;
use crate::run_id::RunId;

/// How many artifacts of one run are fetched at once from a cloud store,
/// to hide the latency of each request. A local store is copied one file
/// after the other in a single blocking task: there is no latency to hide,
/// and parallel creates in one directory only contend for its lock.
const PARALLEL_FETCHES: usize = 4;

/// Why artifacts could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The location is not a path or a URL auto-upload can read.
    #[error("invalid artifact location {location:?}: {reason}")]
    InvalidLocation {
        /// The location as given.
        location: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The store holds nothing for the run (or the bucket does not exist).
    #[error("no artifacts for run {run_id} in {store}")]
    Missing {
        /// The run.
        run_id: RunId,
        /// The store, for the message.
        store: String,
    },
    /// An object's name would not stay inside the destination directory.
    #[error("refusing artifact {name:?} of run {run_id}: not a plain file name")]
    UnsafeName {
        /// The run.
        run_id: RunId,
        /// The object's name below the run's prefix.
        name: String,
    },
    /// The store lists an object whose name object_store refuses (`..`).
    #[error("refusing an artifact of run {run_id}: {reason}")]
    InvalidName {
        /// The run.
        run_id: RunId,
        /// What is wrong with the name.
        reason: String,
    },
    /// The store failed: permission denied, network down, a timeout...
    /// (object_store's message already carries its causes, so they are not
    /// repeated as a source chain.)
    #[error("artifact store {store}: {error}")]
    Store {
        /// The store, for the message.
        store: String,
        /// What the store said.
        error: object_store::Error,
    },
    /// Reading a file of a local store failed.
    #[error("cannot read {path}")]
    Read {
        /// The file read.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Writing the copy failed.
    #[error("cannot write {path}")]
    Write {
        /// The file or directory written.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl ArtifactError {
    /// Where this error stands in the exit-code table.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::InvalidLocation { .. } => ExitCode::Usage,
            Self::Missing { .. } => ExitCode::ArtifactsMissing,
            Self::UnsafeName { .. } | Self::InvalidName { .. } => ExitCode::Verification,
            Self::Store { .. } | Self::Read { .. } | Self::Write { .. } => ExitCode::Failure,
        }
    }
}

/// An opened artifact store.
#[derive(Debug, Clone)]
pub struct ArtifactStore {
    store: Arc<dyn ObjectStore>,
    /// The same store when it is a local directory, for copying files
    /// without going through object_store's reads.
    local: Option<Arc<LocalFileSystem>>,
    prefix: ObjectPath,
    display: String,
}

impl ArtifactStore {
    /// Opens a location: a local path, a `file://` URL, `gs://bucket[/prefix]`
    /// or `s3://bucket[/prefix]`. Cloud credentials come from the environment
    /// the way object_store finds them.
    ///
    /// # Errors
    /// [`ArtifactError::InvalidLocation`] for an unknown scheme or a bad URL,
    /// [`ArtifactError::Store`] when the cloud client cannot be built.
    pub fn open(location: &str) -> Result<Self, ArtifactError> {
        let invalid = |reason: &str| ArtifactError::InvalidLocation {
            location: location.to_owned(),
            reason: reason.to_owned(),
        };
        let store_error = |error| ArtifactError::Store {
            store: location.to_owned(),
            error,
        };
        let mut local = None;
        let (store, prefix): (Arc<dyn ObjectStore>, ObjectPath) = match location.split_once("://") {
            None => Self::local(Path::new(location), &mut local).map_err(|e| invalid(&e))?,
            Some(("file", _)) => {
                let url = url::Url::parse(location).map_err(|e| invalid(&e.to_string()))?;
                let path = url
                    .to_file_path()
                    .map_err(|()| invalid("not a local file URL"))?;
                Self::local(&path, &mut local).map_err(|e| invalid(&e))?
            }
            Some((scheme @ ("gs" | "s3"), rest)) => {
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(invalid("no bucket name"));
                }
                let prefix = ObjectPath::parse(prefix.trim_matches('/'))
                    .map_err(|e| invalid(&e.to_string()))?;
                let store: Arc<dyn ObjectStore> = if scheme == "gs" {
                    Arc::new(
                        object_store::gcp::GoogleCloudStorageBuilder::from_env()
                            .with_bucket_name(bucket)
                            .with_retry(retry_config())
                            .build()
                            .map_err(store_error)?,
                    )
                } else {
                    Arc::new(
                        object_store::aws::AmazonS3Builder::from_env()
                            .with_bucket_name(bucket)
                            .with_retry(retry_config())
                            .build()
                            .map_err(store_error)?,
                    )
                };
                (store, prefix)
            }
            Some((scheme, _)) => {
                return Err(invalid(&format!(
                    "unsupported scheme {scheme}:// (use a path, file://, gs:// or s3://)"
                )))
            }
        };
        Ok(Self {
            store,
            local,
            prefix,
            display: location.to_owned(),
        })
    }

    fn local(
        path: &Path,
        local: &mut Option<Arc<LocalFileSystem>>,
    ) -> Result<(Arc<dyn ObjectStore>, ObjectPath), String> {
        let absolute = std::path::absolute(path).map_err(|e| e.to_string())?;
        let prefix = ObjectPath::from_absolute_path(&absolute).map_err(|e| e.to_string())?;
        let store = Arc::new(LocalFileSystem::new());
        *local = Some(Arc::clone(&store));
        Ok((store, prefix))
    }

    /// The file names of a run's artifacts, sorted.
    ///
    /// # Errors
    /// [`ArtifactError::Missing`] when the run has none,
    /// [`ArtifactError::UnsafeName`] for a name that is not a plain file name,
    /// [`ArtifactError::Store`] when listing fails.
    pub async fn list(&self, run_id: &RunId) -> Result<Vec<(String, ObjectMeta)>, ArtifactError> {
        let run_prefix = self.prefix.child(run_id.as_str());
        let mut listing = self.store.list(Some(&run_prefix));
        let mut found = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = match meta {
                Ok(meta) => meta,
                Err(object_store::Error::InvalidPath { source }) => {
                    return Err(ArtifactError::InvalidName {
                        run_id: run_id.clone(),
                        reason: source.to_string(),
                    })
                }
                Err(e) if self.bucket_is_missing(&run_prefix, &e).await => break,
                Err(e) => return Err(self.store_error(e)),
            };
            let name = plain_name(&run_prefix, &meta.location).ok_or_else(|| {
                ArtifactError::UnsafeName {
                    run_id: run_id.clone(),
                    name: meta.location.to_string(),
                }
            })?;
            found.push((name, meta));
        }
        if found.is_empty() {
            return Err(ArtifactError::Missing {
                run_id: run_id.clone(),
                store: self.display.clone(),
            });
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }

    /// Copies every artifact of `run_id` into `dest` (created if needed) and
    /// returns the files written, sorted. Each file is streamed to disk,
    /// written under a temporary name and renamed when complete, with mode
    /// 0644 less the umask: dput keeps modes, and an archive cannot read
    /// private files (Debian bug #389908).
    ///
    /// # Errors
    /// As [`ArtifactStore::list`], and [`ArtifactError::Store`],
    /// [`ArtifactError::Read`] or [`ArtifactError::Write`] when a copy fails.
    #[tracing::instrument(skip(self, dest), fields(run_id = %run_id, store = %self.display))]
    pub async fn fetch(&self, run_id: &RunId, dest: &Path) -> Result<Vec<PathBuf>, ArtifactError> {
        let objects = self.list(run_id).await?;
        let mut written = match &self.local {
            Some(local) => {
                let (local, dest) = (Arc::clone(local), dest.to_owned());
                let display = self.display.clone();
                // A blocking task outlives this future when it is dropped
                // (Ctrl-C, shutdown timeout): the guard tells it to stop
                // after the file it is copying.
                let stop = StopOnDrop::default();
                let stopped = Arc::clone(&stop.0);
                tokio::task::spawn_blocking(move || {
                    copy_local(&local, &display, objects, &dest, &stopped)
                })
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?
            }
            None => {
                tokio::fs::create_dir_all(dest)
                    .await
                    .map_err(|source| ArtifactError::Write {
                        path: dest.to_owned(),
                        source,
                    })?;
                futures::stream::iter(objects)
                    .map(|(name, meta)| self.fetch_one(meta, dest.join(name)))
                    .buffer_unordered(PARALLEL_FETCHES)
                    .try_collect()
                    .await?
            }
        };
        tracing::debug!(files = written.len(), "fetched artifacts");
        written.sort();
        Ok(written)
    }

    async fn fetch_one(&self, meta: ObjectMeta, target: PathBuf) -> Result<PathBuf, ArtifactError> {
        let partial = partial_name(&target);
        let result = self.stream_to(&meta.location, &partial).await;
        match result {
            Ok(()) => tokio::fs::rename(&partial, &target)
                .await
                .map_err(|source| ArtifactError::Write {
                    path: target.clone(),
                    source,
                })
                .map(|()| target),
            Err(e) => {
                let _ = tokio::fs::remove_file(&partial).await;
                Err(e)
            }
        }
    }

    async fn stream_to(&self, location: &ObjectPath, path: &Path) -> Result<(), ArtifactError> {
        let write_error = |source| ArtifactError::Write {
            path: path.to_owned(),
            source,
        };
        let got = self
            .store
            .get(location)
            .await
            .map_err(|e| self.store_error(e))?;
        // Cloud stores stream; a local store's files are copied by
        // `copy_local` and never come here.
        let mut chunks = got.into_stream();
        let mut file = tokio::fs::OpenOptions::from(create_options())
            .open(path)
            .await
            .map_err(write_error)?;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|e| self.store_error(e))?;
            file.write_all(&chunk).await.map_err(write_error)?;
        }
        file.flush().await.map_err(write_error)
    }

    fn store_error(&self, error: object_store::Error) -> ArtifactError {
        ArtifactError::Store {
            store: self.display.clone(),
            error,
        }
    }

    /// Whether a failed listing means the bucket does not exist. GCS and S3
    /// answer 404 (object_store passes the status only in its message);
    /// fake-gcs-server answers 500 to a listing of a missing bucket but 404
    /// to a read in it, so a failed listing is followed by one read of a key
    /// that does not exist: if the store answers it with "not found", the
    /// store is up and the listing failed because there is no bucket.
    async fn bucket_is_missing(
        &self,
        run_prefix: &ObjectPath,
        error: &object_store::Error,
    ) -> bool {
        let text = error.to_string();
        if matches!(error, object_store::Error::NotFound { .. })
            || text.contains("404 Not Found")
            || text.contains("NoSuchBucket")
        {
            return true;
        }
        let probe = run_prefix.child(".auto-upload-probe");
        matches!(
            self.store.head(&probe).await,
            Err(object_store::Error::NotFound { .. })
        )
    }
}

/// How artifact copies are created: mode 0644 less the umask.
fn create_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true).mode(0o644);
    options
}

/// Where a copy is written until it is complete: `.<name>.part`.
fn partial_name(target: &Path) -> PathBuf {
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{file_name}.part"))
}

/// Sets its flag when dropped.
#[derive(Default)]
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Copies a run's files from a local store into `dest`, one after the
/// other, in the kernel (copy_file_range, or sendfile across filesystems).
/// Runs on a blocking thread: one task for the whole run instead of a hop
/// to the blocking pool for every open, copy and rename. Stops before the
/// next file once `stop` is set (the caller is gone).
fn copy_local(
    local: &LocalFileSystem,
    display: &str,
    objects: Vec<(String, ObjectMeta)>,
    dest: &Path,
    stop: &AtomicBool,
) -> Result<Vec<PathBuf>, ArtifactError> {
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |source| ArtifactError::Write { path, source }
    };
    std::fs::create_dir_all(dest).map_err(write_error(dest))?;
    let mut written = Vec::with_capacity(objects.len());
    for (name, meta) in objects {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let source_path =
            local
                .path_to_filesystem(&meta.location)
                .map_err(|error| ArtifactError::Store {
                    store: display.to_owned(),
                    error,
                })?;
        let mut source =
            std::fs::File::open(&source_path).map_err(|source| ArtifactError::Read {
                path: source_path.clone(),
                source,
            })?;
        let target = dest.join(name);
        let partial = partial_name(&target);
        let copied = create_options()
            .open(&partial)
            .and_then(|mut file| std::io::copy(&mut source, &mut file))
            .map_err(write_error(&partial))
            .and_then(|_| std::fs::rename(&partial, &target).map_err(write_error(&target)));
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        written.push(target);
    }
    Ok(written)
}

/// Transient failures (5xx, timeouts, connection errors) are retried with
/// exponential backoff, for at most 30 s in all, so that a store that is
/// down fails a run promptly instead of after object_store's 3 minutes.
fn retry_config() -> object_store::RetryConfig {
    object_store::RetryConfig {
        max_retries: 5,
        retry_timeout: std::time::Duration::from_secs(30),
        ..Default::default()
    }
}

/// The name of `location` below `run_prefix` when it is one plain file name.
fn plain_name(run_prefix: &ObjectPath, location: &ObjectPath) -> Option<String> {
    let mut parts = location.prefix_match(run_prefix)?;
    let name = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let name = name.as_ref().to_owned();
    crate::changes::is_plain_file_name(&name).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_only() {
        let prefix = ObjectPath::from("store/run1");
        assert_eq!(
            plain_name(&prefix, &ObjectPath::from("store/run1/hello_1.0-1.dsc")).as_deref(),
            Some("hello_1.0-1.dsc")
        );
        assert_eq!(
            plain_name(&prefix, &ObjectPath::from("store/run1/a/b")),
            None
        );
        assert_eq!(plain_name(&prefix, &ObjectPath::from("store/run2/a")), None);
    }

    #[test]
    fn locations() {
        assert!(ArtifactStore::open("/srv/artifacts").is_ok());
        assert!(ArtifactStore::open("file:///srv/artifacts").is_ok());
        assert!(ArtifactStore::open("relative/dir").is_ok());
        for bad in ["ftp://x/y", "gs://", "file://host/x"] {
            let err = ArtifactStore::open(bad).unwrap_err();
            assert_eq!(err.exit_code(), ExitCode::Usage, "{bad}: {err}");
        }
    }
}
