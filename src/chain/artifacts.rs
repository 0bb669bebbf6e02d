//! The artifact store: where the runner keeps each run's files, laid out as
//! `<location>/<run_id>/<file>`, on local disk, in GCS or in S3.

use std::ffi::OsStr;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};
use rustix::fs::FileType;
use tempfile::NamedTempFile;
use tokio::io::AsyncWriteExt;

use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::run_id::RunId;
use crate::input::safe_fs::{self, OpenError};
use crate::input::syntax::FileName;

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
    /// An artifact that is not a regular file: a symbolic link, a FIFO, a
    /// socket or a device.
    #[error("refusing artifact {name:?} of run {run_id}: it {problem}")]
    NotRegular {
        /// The run.
        run_id: RunId,
        /// The artifact's name.
        name: String,
        /// What it is.
        problem: String,
    },
    /// The run's directory is a link or no directory at all.
    #[error("refusing run {run_id} in {store}: its directory {problem}")]
    RunNotDirectory {
        /// The run.
        run_id: RunId,
        /// The store, for the message.
        store: String,
        /// What it is.
        problem: String,
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
    /// The run is larger than `--max-run-bytes` or holds more files than
    /// `--max-run-files`.
    #[error("refusing run {run_id}: {what} exceeds {limit} {value}")]
    TooLarge {
        /// The run.
        run_id: RunId,
        /// The option that sets the limit.
        limit: &'static str,
        /// The limit.
        value: u64,
        /// What went over it.
        what: String,
    },
    /// An artifact is larger than the `.changes` that lists it says.
    #[error("refusing artifact {name} of run {run_id}: larger than the {size} bytes listed")]
    LargerThanListed {
        /// The run.
        run_id: RunId,
        /// The artifact.
        name: FileName,
        /// The listed size.
        size: u64,
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

impl HasExitCode for ArtifactError {
    fn exit_code(&self) -> ExitCode {
        match self {
            Self::InvalidLocation { .. } => ExitCode::Usage,
            Self::Missing { .. } => ExitCode::ArtifactsMissing,
            Self::UnsafeName { .. }
            | Self::InvalidName { .. }
            | Self::NotRegular { .. }
            | Self::RunNotDirectory { .. }
            | Self::TooLarge { .. }
            | Self::LargerThanListed { .. } => ExitCode::Verification,
            Self::Store { .. } | Self::Read { .. } | Self::Write { .. } => ExitCode::Failure,
        }
    }
}

/// How large one run may be: its files are counted in the store's
/// listing, its bytes before any copy (where the sizes are known) and
/// during it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunLimits {
    /// `--max-run-bytes`.
    pub max_bytes: u64,
    /// `--max-run-files`.
    pub max_files: u64,
}

impl Default for RunLimits {
    /// 4 GiB and 500 files.
    fn default() -> Self {
        Self {
            max_bytes: 4 << 30,
            max_files: 500,
        }
    }
}

/// One file to copy, with the most bytes it may have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// Its name.
    pub name: FileName,
    /// Its size at most (the listed size, or the largest `.changes`).
    pub max_size: u64,
}

/// The bytes a run may still copy, shared by the copies of one fetch.
#[derive(Debug)]
struct Budget {
    run_id: RunId,
    limit: u64,
    left: std::sync::atomic::AtomicU64,
}

impl Budget {
    /// What is left of `--max-run-bytes` once `spent` bytes of the run
    /// were copied.
    fn new(run_id: &RunId, limits: RunLimits, spent: u64) -> Self {
        Self {
            run_id: run_id.clone(),
            limit: limits.max_bytes,
            left: limits.max_bytes.saturating_sub(spent).into(),
        }
    }

    /// Takes `n` bytes from what is left.
    fn spend(&self, n: u64) -> Result<(), ArtifactError> {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(n)
            })
            .map(drop)
            .map_err(|_| ArtifactError::TooLarge {
                run_id: self.run_id.clone(),
                limit: "--max-run-bytes",
                value: self.limit,
                what: "the bytes copied".into(),
            })
    }
}

/// Where the artifacts are.
#[derive(Debug, Clone)]
enum Backend {
    /// A directory on this machine, read with auto-upload's own opens: no
    /// link is followed, only regular files are read.
    Local(PathBuf),
    /// A GCS or S3 bucket, and the prefix below which runs are stored.
    Cloud {
        store: Arc<dyn ObjectStore>,
        prefix: ObjectPath,
    },
}

/// An opened artifact store. Nothing in it is trusted: names, kinds of
/// file and listings are checked before anything is copied.
#[derive(Debug, Clone)]
pub struct ArtifactStore {
    backend: Backend,
    display: String,
    limits: RunLimits,
}

/// The artifact store cannot be read (`check-config`).
#[derive(Debug)]
pub struct Unreadable {
    /// Only a change of configuration mends it (a missing directory or
    /// bucket, refused credentials), as opposed to a store that did not
    /// answer.
    pub lasting: bool,
    /// What the store said.
    pub detail: String,
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
        let backend = match location.split_once("://") {
            None => {
                Backend::Local(std::path::absolute(location).map_err(|e| invalid(&e.to_string()))?)
            }
            Some(("file", _)) => {
                let url = url::Url::parse(location).map_err(|e| invalid(&e.to_string()))?;
                let path = url
                    .to_file_path()
                    .map_err(|()| invalid("not a local file URL"))?;
                Backend::Local(path)
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
                Backend::Cloud { store, prefix }
            }
            Some((scheme, _)) => {
                return Err(invalid(&format!(
                    "unsupported scheme {scheme}:// (use a path, file://, gs:// or s3://)"
                )))
            }
        };
        Ok(Self {
            backend,
            display: location.to_owned(),
            limits: RunLimits::default(),
        })
    }

    /// The same store, bounding each run by `limits`.
    pub fn with_limits(mut self, limits: RunLimits) -> Self {
        self.limits = limits;
        self
    }

    /// How large a run may be.
    pub fn limits(&self) -> RunLimits {
        self.limits
    }

    /// The store's location, as given.
    pub fn location(&self) -> &str {
        &self.display
    }

    /// Whether the store can be read at all: a local store's directory is
    /// listed, a bucket's prefix asked for one page.
    ///
    /// # Errors
    /// What the store said.
    pub async fn check(&self) -> Result<(), Unreadable> {
        match &self.backend {
            Backend::Local(root) => std::fs::read_dir(root).map(|_| ()).map_err(|e| Unreadable {
                // Only a store that does not answer in time may come
                // back on its own; a directory does not.
                lasting: true,
                detail: format!("{}: {e}", root.display()),
            }),
            Backend::Cloud { store, prefix } => store
                .list_with_delimiter(Some(prefix))
                .await
                .map(|_| ())
                .map_err(|e| Unreadable {
                    lasting: matches!(
                        e,
                        object_store::Error::NotFound { .. }
                            | object_store::Error::PermissionDenied { .. }
                            | object_store::Error::Unauthenticated { .. }
                    ),
                    detail: e.to_string(),
                }),
        }
    }

    /// The file names of a run's artifacts, sorted. A listing is whole or
    /// an error: only a "not found" answer to the first listing call means
    /// that the run (or the bucket) is missing. A run of more than
    /// `--max-run-files` entries is refused as soon as the listing goes
    /// past it.
    ///
    /// # Errors
    /// [`ArtifactError::Missing`] when the run has none,
    /// [`ArtifactError::TooLarge`] past `--max-run-files`,
    /// [`ArtifactError::UnsafeName`] for a name outside Debian's file-name
    /// alphabet or a nested object, [`ArtifactError::NotRegular`] for a
    /// link, FIFO, socket or device, [`ArtifactError::Store`] or
    /// [`ArtifactError::Read`] when listing fails at any point.
    pub async fn list(&self, run_id: &RunId) -> Result<Vec<FileName>, ArtifactError> {
        match &self.backend {
            Backend::Local(root) => {
                let (root, run_id) = (root.clone(), run_id.clone());
                let (display, limits) = (self.display.clone(), self.limits);
                let (_, names) = tokio::task::spawn_blocking(move || {
                    list_local(&root, &display, &run_id, limits)
                })
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
                Ok(names)
            }
            Backend::Cloud { store, prefix } => Ok(self
                .list_cloud(store.as_ref(), prefix, run_id)
                .await?
                .into_iter()
                .map(|(name, _)| name)
                .collect()),
        }
    }

    /// Copies every artifact of `run_id` into `dest` (created if needed) and
    /// returns the files written, sorted. Nothing is copied unless the whole
    /// listing passed ([`ArtifactStore::list`]). Each file is streamed to a
    /// temporary file of a fresh random name (created with `O_EXCL`, so no
    /// link in `dest` is followed) and renamed when complete, with mode 0644
    /// less the umask: dput keeps modes, and an archive cannot read private
    /// files (Debian bug #389908).
    ///
    /// # Errors
    /// As [`ArtifactStore::list`], and [`ArtifactError::Store`],
    /// [`ArtifactError::Read`] or [`ArtifactError::Write`] when a copy fails.
    #[tracing::instrument(skip(self, dest), fields(run_id = %run_id, store = %self.display))]
    pub async fn fetch(&self, run_id: &RunId, dest: &Path) -> Result<Vec<PathBuf>, ArtifactError> {
        let wanted = match &self.backend {
            Backend::Local(_) => self
                .list(run_id)
                .await?
                .into_iter()
                .map(|name| Wanted {
                    name,
                    max_size: u64::MAX,
                })
                .collect(),
            Backend::Cloud { store, prefix } => {
                let objects = self.list_cloud(store.as_ref(), prefix, run_id).await?;
                let total: u64 = objects.iter().map(|(_, meta)| meta.size).sum();
                self.check_total(run_id, total)?;
                objects
                    .into_iter()
                    .map(|(name, meta)| Wanted {
                        name,
                        max_size: meta.size,
                    })
                    .collect()
            }
        };
        self.fetch_files(run_id, wanted, dest, 0).await
    }

    /// Refuses a run whose files add up to more than `--max-run-bytes`
    /// before anything is copied.
    ///
    /// # Errors
    /// [`ArtifactError::TooLarge`].
    pub fn check_total(&self, run_id: &RunId, total: u64) -> Result<(), ArtifactError> {
        if total > self.limits.max_bytes {
            return Err(ArtifactError::TooLarge {
                run_id: run_id.clone(),
                limit: "--max-run-bytes",
                value: self.limits.max_bytes,
                what: format!("its listed size, {total} bytes,"),
            });
        }
        Ok(())
    }

    /// Copies the named artifacts of `run_id` into `dest` (created if
    /// needed), each as [`ArtifactStore::fetch`] copies, and returns the
    /// files written, sorted. A file larger than its `max_size` or a run
    /// past `--max-run-bytes` (of which `spent` bytes were copied before)
    /// stops the copy; a named file the store does not have is left out
    /// (the `.changes` check then reports it missing).
    ///
    /// # Errors
    /// [`ArtifactError::LargerThanListed`], [`ArtifactError::TooLarge`],
    /// [`ArtifactError::NotRegular`], and the store's or the disk's errors.
    #[tracing::instrument(skip(self, wanted, dest), fields(run_id = %run_id, store = %self.display))]
    pub async fn fetch_files(
        &self,
        run_id: &RunId,
        wanted: Vec<Wanted>,
        dest: &Path,
        spent: u64,
    ) -> Result<Vec<PathBuf>, ArtifactError> {
        let budget = Arc::new(Budget::new(run_id, self.limits, spent));
        let mut written = match &self.backend {
            Backend::Local(root) => {
                let (root, dest, run_id) = (root.clone(), dest.to_owned(), run_id.clone());
                let display = self.display.clone();
                // A blocking task outlives this future when it is dropped
                // (Ctrl-C, shutdown timeout): the guard tells it to stop
                // after the file it is copying.
                let stop = StopOnDrop::default();
                let stopped = Arc::clone(&stop.0);
                tokio::task::spawn_blocking(move || {
                    let run_dir = open_run_local(&root, &display, &run_id)?;
                    let copy = LocalCopy {
                        run_dir: &run_dir,
                        run_id: &run_id,
                        budget: &budget,
                        stop: &stopped,
                    };
                    copy.all(wanted, &dest)
                })
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?
            }
            Backend::Cloud { store, prefix } => {
                tokio::fs::create_dir_all(dest)
                    .await
                    .map_err(|source| ArtifactError::Write {
                        path: dest.to_owned(),
                        source,
                    })?;
                let run_prefix = prefix.clone().join(run_id.as_str());
                let fetched: Vec<Option<PathBuf>> = futures::stream::iter(wanted)
                    .map(|wanted| {
                        let location = run_prefix.clone().join(wanted.name.as_str());
                        self.fetch_one(store.as_ref(), location, dest, wanted, &budget)
                    })
                    .buffer_unordered(PARALLEL_FETCHES)
                    .try_collect()
                    .await?;
                fetched.into_iter().flatten().collect()
            }
        };
        tracing::debug!(files = written.len(), "fetched artifacts");
        written.sort();
        Ok(written)
    }

    async fn list_cloud(
        &self,
        store: &dyn ObjectStore,
        prefix: &ObjectPath,
        run_id: &RunId,
    ) -> Result<Vec<(FileName, ObjectMeta)>, ArtifactError> {
        let run_prefix = prefix.clone().join(run_id.as_str());
        let mut listing = store.list(Some(&run_prefix));
        let mut found = Vec::new();
        let mut first = true;
        while let Some(meta) = listing.next().await {
            let meta = match meta {
                Ok(meta) => meta,
                Err(object_store::Error::InvalidPath { source }) => {
                    return Err(ArtifactError::InvalidName {
                        run_id: run_id.clone(),
                        reason: source.to_string(),
                    })
                }
                Err(e) if first && bucket_is_missing(store, &run_prefix, &e).await => {
                    return Err(self.missing(run_id))
                }
                Err(e) => return Err(self.store_error(e)),
            };
            first = false;
            if found.len() as u64 >= self.limits.max_files {
                return Err(too_many_files(run_id, self.limits));
            }
            let name = plain_name(&run_prefix, &meta.location).ok_or_else(|| {
                ArtifactError::UnsafeName {
                    run_id: run_id.clone(),
                    name: meta.location.to_string(),
                }
            })?;
            found.push((name, meta));
        }
        if found.is_empty() {
            return Err(self.missing(run_id));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }

    /// Copies one object, at most its `max_size` and what the run's budget
    /// has left; `None` when the store does not have it.
    async fn fetch_one(
        &self,
        store: &dyn ObjectStore,
        location: ObjectPath,
        dest: &Path,
        wanted: Wanted,
        budget: &Budget,
    ) -> Result<Option<PathBuf>, ArtifactError> {
        let write_error = |source| ArtifactError::Write {
            path: dest.to_owned(),
            source,
        };
        let got = match store.get(&location).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.store_error(e)),
        };
        let partial = temporary_file(dest).map_err(write_error)?;
        let mut chunks = got.into_stream();
        let mut file =
            tokio::fs::File::from_std(partial.as_file().try_clone().map_err(write_error)?);
        let mut size = 0u64;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|e| self.store_error(e))?;
            size += chunk.len() as u64;
            if size > wanted.max_size {
                return Err(ArtifactError::LargerThanListed {
                    run_id: budget.run_id.clone(),
                    name: wanted.name,
                    size: wanted.max_size,
                });
            }
            budget.spend(chunk.len() as u64)?;
            file.write_all(&chunk).await.map_err(write_error)?;
        }
        file.flush().await.map_err(write_error)?;
        let target = dest.join(&wanted.name);
        partial.persist(&target).map_err(|e| ArtifactError::Write {
            path: target.clone(),
            source: e.error,
        })?;
        Ok(Some(target))
    }

    fn missing(&self, run_id: &RunId) -> ArtifactError {
        ArtifactError::Missing {
            run_id: run_id.clone(),
            store: self.display.clone(),
        }
    }

    fn store_error(&self, error: object_store::Error) -> ArtifactError {
        ArtifactError::Store {
            store: self.display.clone(),
            error,
        }
    }
}

/// Whether a failed first listing means the bucket does not exist. GCS and
/// S3 answer 404 (object_store passes the status only in its message);
/// fake-gcs-server answers 500 to a listing of a missing bucket but 404 to
/// a read in it, so a failed listing is followed by one read of a key that
/// does not exist: if the store answers it with "not found", the store is
/// up and the listing failed because there is no bucket.
async fn bucket_is_missing(
    store: &dyn ObjectStore,
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
    let probe = run_prefix.clone().join(".auto-upload-probe");
    matches!(
        store.head(&probe).await,
        Err(object_store::Error::NotFound { .. })
    )
}

/// Opens a run's directory in a local store without following a link.
fn open_run_local(root: &Path, display: &str, run_id: &RunId) -> Result<OwnedFd, ArtifactError> {
    let missing = || ArtifactError::Missing {
        run_id: run_id.clone(),
        store: display.to_owned(),
    };
    let top = match safe_fs::open_trusted_dir(root) {
        Err(OpenError::NotFound) => return Err(missing()),
        other => other.map_err(read_error(root.to_owned()))?,
    };
    match safe_fs::open_dir_at(&top, run_id.as_str()) {
        Ok(dir) => Ok(dir),
        Err(OpenError::NotFound) => Err(missing()),
        Err(e) if e.is_refusal() => Err(ArtifactError::RunNotDirectory {
            run_id: run_id.clone(),
            store: display.to_owned(),
            problem: e.to_string(),
        }),
        Err(e) => Err(read_error(root.join(run_id.as_str()))(e)),
    }
}

/// An [`ArtifactError::Read`] of `path`.
fn read_error(path: PathBuf) -> impl FnOnce(OpenError) -> ArtifactError {
    move |e: OpenError| ArtifactError::Read {
        path,
        source: match e {
            OpenError::Io(e) => e,
            other => std::io::Error::other(other.to_string()),
        },
    }
}

/// The refusal of a run with more entries than `--max-run-files`.
fn too_many_files(run_id: &RunId, limits: RunLimits) -> ArtifactError {
    ArtifactError::TooLarge {
        run_id: run_id.clone(),
        limit: "--max-run-files",
        value: limits.max_files,
        what: "its number of files".into(),
    }
}

/// Lists a run of a local store: opens its directory without following a
/// link, and refuses the run if any entry is not a regular file with a
/// plain name, or if it has more than `--max-run-files` entries. Returns
/// the open directory, for copying from it.
fn list_local(
    root: &Path,
    display: &str,
    run_id: &RunId,
    limits: RunLimits,
) -> Result<(OwnedFd, Vec<FileName>), ArtifactError> {
    let run_dir = open_run_local(root, display, run_id)?;
    let run_path = root.join(run_id.as_str());
    let raw_names =
        safe_fs::read_names(&run_dir, limits.max_files).map_err(read_error(run_path.clone()))?;
    if raw_names.len() as u64 > limits.max_files {
        return Err(too_many_files(run_id, limits));
    }
    let mut names = Vec::new();
    for raw in raw_names {
        let text = String::from_utf8_lossy(&raw).into_owned();
        let kind = safe_fs::entry_type(&run_dir, OsStr::from_bytes(&raw))
            .map_err(read_error(run_path.join(&text)))?;
        names.push(plain_entry(run_id, text, kind)?);
    }
    if names.is_empty() {
        return Err(ArtifactError::Missing {
            run_id: run_id.clone(),
            store: display.to_owned(),
        });
    }
    names.sort();
    Ok((run_dir, names))
}

/// The name of one entry of a run's directory, if it is a regular file
/// with a plain name; a subdirectory, an odd name or any other kind of file
/// refuses the run.
fn plain_entry(run_id: &RunId, text: String, kind: FileType) -> Result<FileName, ArtifactError> {
    match (text.parse::<FileName>(), kind) {
        (_, FileType::Directory) => Err(ArtifactError::UnsafeName {
            run_id: run_id.clone(),
            name: format!("{text}/"),
        }),
        (Err(_), _) => Err(ArtifactError::UnsafeName {
            run_id: run_id.clone(),
            name: text,
        }),
        (Ok(name), FileType::RegularFile) => Ok(name),
        (Ok(name), other) => Err(ArtifactError::NotRegular {
            run_id: run_id.clone(),
            name: name.to_string(),
            problem: format!("is a {}", safe_fs::kind(other)),
        }),
    }
}

/// A temporary file in `dest` for a copy being written: a fresh random
/// name of fixed length, created with `O_EXCL` (so never through a link),
/// mode 0644 less the umask. Removed if dropped before it is persisted.
fn temporary_file(dest: &Path) -> std::io::Result<NamedTempFile> {
    tempfile::Builder::new()
        .prefix(".auto-upload-")
        .suffix(".part")
        .permissions(std::fs::Permissions::from_mode(0o644))
        .tempfile_in(dest)
}

/// Sets its flag when dropped.
#[derive(Default)]
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Copies a run's files from a local store's run directory, one after
/// the other, in the kernel (copy_file_range, or sendfile across
/// filesystems). Each file is opened without following a link and checked
/// to be a regular file on the descriptor that is read. Runs on a blocking
/// thread: one task for the whole run instead of a hop to the blocking
/// pool for every open, copy and rename. Stops before the next file once
/// `stop` is set (the caller is gone).
struct LocalCopy<'a> {
    run_dir: &'a OwnedFd,
    run_id: &'a RunId,
    budget: &'a Budget,
    stop: &'a AtomicBool,
}

impl LocalCopy<'_> {
    /// Copies every wanted file that exists into `dest`.
    fn all(&self, wanted: Vec<Wanted>, dest: &Path) -> Result<Vec<PathBuf>, ArtifactError> {
        std::fs::create_dir_all(dest).map_err(write_error(dest))?;
        let mut written = Vec::with_capacity(wanted.len());
        for wanted in wanted {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            if let Some(target) = self.one(wanted, dest)? {
                written.push(target);
            }
        }
        Ok(written)
    }

    /// Copies one file, at most its `max_size` and what the budget has
    /// left; `None` when the run does not have it.
    fn one(&self, wanted: Wanted, dest: &Path) -> Result<Option<PathBuf>, ArtifactError> {
        let name = &wanted.name;
        let source = match safe_fs::open_regular_at(self.run_dir, name) {
            Ok(file) => file,
            Err(OpenError::NotFound) => return Ok(None),
            Err(e) if e.is_refusal() => {
                return Err(ArtifactError::NotRegular {
                    run_id: self.run_id.clone(),
                    name: name.to_string(),
                    problem: e.to_string(),
                })
            }
            Err(e) => {
                return Err(read_error(PathBuf::from(self.run_id.as_str()).join(name))(
                    e,
                ))
            }
        };
        let left = self.budget.left.load(Ordering::Relaxed);
        let cap = wanted.max_size.min(left);
        let mut partial = temporary_file(dest).map_err(write_error(dest))?;
        let copied = std::io::copy(
            &mut std::io::Read::take(source, cap.saturating_add(1)),
            partial.as_file_mut(),
        )
        .map_err(write_error(partial.path()))?;
        if copied > wanted.max_size {
            return Err(ArtifactError::LargerThanListed {
                run_id: self.run_id.clone(),
                name: wanted.name,
                size: wanted.max_size,
            });
        }
        self.budget.spend(copied)?;
        let target = dest.join(name);
        partial
            .persist(&target)
            .map_err(|e| write_error(&target)(e.error))?;
        Ok(Some(target))
    }
}

/// An [`ArtifactError::Write`] of `path`.
fn write_error(path: &Path) -> impl FnOnce(std::io::Error) -> ArtifactError {
    let path = path.to_owned();
    move |source| ArtifactError::Write { path, source }
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
fn plain_name(run_prefix: &ObjectPath, location: &ObjectPath) -> Option<FileName> {
    let mut parts = location.prefix_match(run_prefix)?;
    let name = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    name.as_ref().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_only() {
        let prefix = ObjectPath::from("store/run1");
        assert_eq!(
            plain_name(&prefix, &ObjectPath::from("store/run1/hello_1.0-1.dsc"))
                .unwrap()
                .as_str(),
            "hello_1.0-1.dsc"
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
