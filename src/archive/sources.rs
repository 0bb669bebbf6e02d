//! What the archive already has: `dists/<suite>/<component>/source/Sources`
//! indices (`.gz`, else `.xz`, else plain), read over `http(s)://` through
//! object_store's HTTP store or from a `file://` tree, and compared in
//! Debian version order. Indices are cached per suite for a time (the
//! whole run for `upload-run` and `backfill`, a minute in `listen`) and,
//! parsed, on disk between runs ([`crate::archive::index_cache`]); after that time
//! the files they were read from are checked (a stat, or an HTTP HEAD) and
//! read again only when they changed. An archive that cannot be read is
//! logged and treated as knowing nothing, so it never blocks an upload.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use debversion::Version;

use crate::archive::index_cache::{self, Index, Lines, Seen, Suite};
use crate::input::names;

/// Each package's versions while a suite's indices are parsed, as `PACKAGE
/// VERSION` lines appended to one buffer: no map while reading (a map of
/// 40,000 owned strings costs about five times their text), the newest of
/// each package picked once, when the index is built.
#[derive(Debug, Default)]
struct Found {
    text: String,
    starts: Vec<u32>,
}

impl Found {
    /// Notes a paragraph's package and version (neither empty, neither
    /// with white space: a line holds them).
    fn push(&mut self, package: &str, version: &str) {
        let fits = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
        if !fits(package) || !fits(version) {
            return;
        }
        let Ok(start) = u32::try_from(self.text.len()) else {
            return;
        };
        self.starts.push(start);
        self.text.push_str(package);
        self.text.push(' ');
        self.text.push_str(version);
    }

    /// Paragraphs noted (a package listed twice counts twice).
    fn len(&self) -> usize {
        self.starts.len()
    }

    fn pair(&self, n: usize) -> (&str, &str) {
        let start = self.starts[n] as usize;
        let end = self
            .starts
            .get(n + 1)
            .map_or(self.text.len(), |&e| e as usize);
        self.text[start..end].split_once(' ').unwrap_or_default()
    }

    /// The index: the newest version of each package, in Debian's order.
    fn into_index(self) -> Index {
        let mut order: Vec<u32> = (0..self.starts.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.pair(a as usize).0.cmp(self.pair(b as usize).0));
        // Runs of one package, the newest of each: read in order, no copy.
        let mut pairs = order.iter().map(|&n| self.pair(n as usize)).peekable();
        let newest = std::iter::from_fn(move || {
            let (package, mut version) = pairs.next()?;
            while let Some(&(next, other)) = pairs.peek() {
                if next != package {
                    break;
                }
                if !newer_or_same(version, other) {
                    version = other;
                }
                pairs.next();
            }
            Some((package, version))
        });
        Index::from_sorted(newest)
    }
}

/// The largest index fetched, compressed, in bytes (Debian unstable's
/// Sources.xz is about 10 MB).
const MAX_FETCH_BYTES: u64 = 64 << 20;
/// The most a suite's indices may hold decompressed, in bytes (Debian
/// unstable's is about 50 MB); beyond it the check is skipped.
const MAX_INDEX_BYTES: u64 = 512 << 20;
/// The most source paragraphs a suite's indices may hold (Debian unstable
/// lists about 42,000 sources, each once); beyond it the check is skipped.
/// Counted as read, before duplicates are dropped: a bomb of one repeated
/// paragraph stops here, within a few MB.
const MAX_PACKAGES: usize = 500_000;
/// How much decompressed text is parsed at a time: memory does not grow
/// with the index, however large it inflates.
const CHUNK: usize = 256 << 10;
/// The largest paragraph read (a real one is a few KiB).
const MAX_PARAGRAPH: usize = 1 << 20;

/// A suite's index as read or checked at a time; `None` when it could not
/// be read.
type Cached = (Instant, Option<Arc<Suite>>);

/// A suite's index in memory (`None`: it could not be read).
enum InMemory {
    /// Younger than the time indices are trusted.
    Fresh(Option<Arc<Suite>>),
    /// Older: to be checked against the archive.
    Stale(Option<Arc<Suite>>),
}

/// An archive location that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Not an http(s):// or file:// URL.
    #[error("archive {url}: expected http://, https:// or file://")]
    Scheme {
        /// The URL.
        url: String,
    },
    /// The URL or the HTTP client cannot be made.
    #[error("archive {url}: {reason}")]
    Invalid {
        /// The URL, without its password.
        url: String,
        /// Why.
        reason: String,
    },
}

/// An archive over HTTP: the URL without credentials (they go in an
/// `Authorization` header, never in a message), and a client that follows
/// redirects only to the same scheme, host and port.
#[derive(Debug)]
struct Http {
    client: reqwest::Client,
    base: url::Url,
    auth: Option<(String, String)>,
}

impl Http {
    fn open(url: &str) -> Result<Self, String> {
        let mut base = url::Url::parse(url).map_err(|e| e.to_string())?;
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let auth = (!base.username().is_empty() || base.password().is_some()).then(|| {
            (
                decode(base.username()),
                decode(base.password().unwrap_or_default()),
            )
        });
        base.set_username("").map_err(|()| "no host".to_owned())?;
        base.set_password(None).map_err(|()| "no host".to_owned())?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let origin = base.origin();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= MAX_REDIRECTS {
                    attempt.error("too many redirects")
                } else if attempt.url().origin() == origin {
                    attempt.follow()
                } else {
                    attempt.error("a redirect to another scheme, host or port")
                }
            }))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { client, base, auth })
    }

    fn request(
        &self,
        method: reqwest::Method,
        path: &str,
    ) -> Result<reqwest::RequestBuilder, FetchError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| FetchError::Other(e.to_string()))?;
        let request = self.client.request(method, url);
        Ok(match &self.auth {
            Some((user, password)) => request.basic_auth(user, Some(password)),
            None => request,
        })
    }

    /// GET, at most [`MAX_FETCH_BYTES`], each chunk of the body handed to
    /// `keep` as it comes (memory holds one chunk at a time); the validator.
    async fn receive(
        &self,
        path: &str,
        mut keep: impl FnMut(&[u8]) -> std::io::Result<()>,
    ) -> Result<String, FetchError> {
        use sha2::Digest;
        let mut response = self.send(reqwest::Method::GET, path).await?;
        if response
            .content_length()
            .is_some_and(|n| n > MAX_FETCH_BYTES)
        {
            return Err(FetchError::Other("index too large".into()));
        }
        let (etag, modified) = validators(&response);
        let (mut size, mut hash) = (0u64, sha2::Sha256::new());
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::Other(with_causes(&e)))?
        {
            size += chunk.len() as u64;
            if size > MAX_FETCH_BYTES {
                return Err(FetchError::Other("index too large".into()));
            }
            hash.update(&chunk);
            keep(&chunk).map_err(|e| FetchError::Other(format!("a temporary file: {e}")))?;
        }
        Ok(http_tag(
            Some(size),
            etag,
            modified,
            hex_tag(&hash.finalize()),
        ))
    }

    /// GET, at most [`MAX_FETCH_BYTES`]; the bytes and their validator.
    async fn get(&self, path: &str) -> Result<(Vec<u8>, String), FetchError> {
        let mut bytes = Vec::new();
        let tag = self
            .receive(path, |chunk| {
                bytes.extend_from_slice(chunk);
                Ok(())
            })
            .await?;
        Ok((bytes, tag))
    }

    /// GET into an unnamed temporary file, at most [`MAX_FETCH_BYTES`]: the
    /// file, at its start, and its validator. Each chunk is written as it
    /// comes, on this task: into the page cache that takes microseconds,
    /// and the read's memory then stays with the threads that already hold
    /// some (each thread the allocator sees takes an arena of its own, and
    /// keeps what it freed).
    async fn spool(&self, path: &str) -> Result<(std::fs::File, String), FetchError> {
        use std::io::{Seek, Write};
        let other = |e: std::io::Error| FetchError::Other(format!("a temporary file: {e}"));
        let mut file = tempfile::tempfile().map_err(other)?;
        let tag = self.receive(path, |chunk| file.write_all(chunk)).await?;
        file.rewind().map_err(other)?;
        Ok((file, tag))
    }

    /// HEAD: the validator of what a GET would give (the size from the
    /// Content-Length header: a HEAD response has no body to measure).
    async fn head(&self, path: &str) -> Result<String, FetchError> {
        let response = self.send(reqwest::Method::HEAD, path).await?;
        let (etag, modified) = validators(&response);
        let size = response
            .headers()
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        Ok(http_tag(size, etag, modified, content_tag(&[])))
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
    ) -> Result<reqwest::Response, FetchError> {
        let response = self
            .request(method, path)?
            .send()
            .await
            .map_err(|e| FetchError::Other(with_causes(&e)))?;
        match response.status() {
            reqwest::StatusCode::NOT_FOUND => Err(FetchError::NotFound),
            status if !status.is_success() => Err(FetchError::Other(format!("HTTP {status}"))),
            _ => Ok(response),
        }
    }
}

/// An HTTP error with its causes (a refused redirect says why only there).
fn with_causes(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}

/// How many redirects (within the archive's origin) are followed.
const MAX_REDIRECTS: usize = 5;

/// A response's ETag and Last-Modified, as sent.
fn validators(response: &reqwest::Response) -> (Option<String>, Option<String>) {
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    (
        header(reqwest::header::ETAG),
        header(reqwest::header::LAST_MODIFIED),
    )
}

/// How an index file is decompressed.
type Decompress = fn(std::fs::File) -> Box<dyn Read>;

/// An index file as fetched: open at its start (a local file as it is, an
/// HTTP body spooled to an unnamed temporary file: never held in memory
/// whole), what it was, how to decompress it and the name of that
/// compression.
type Fetched = (std::fs::File, Seen, Decompress, &'static str);

/// Why an index could not be read.
#[derive(Debug, thiserror::Error)]
enum FetchError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Other(String),
}

/// Where the archive is.
#[derive(Debug)]
enum Location {
    Http(Http),
    Local(PathBuf),
}

/// One archive, with its cache of indices.
#[derive(Debug)]
pub struct Archive {
    /// As given, for the cache's file names.
    given: String,
    url: String,
    location: Location,
    ttl: Duration,
    /// See [`IndexUse::wait_for_reads`].
    wait_for_reads: bool,
    cache: Mutex<HashMap<names::Suite, Cached>>,
    /// One lock per suite, held while it is checked or read: a slow suite
    /// holds up no other.
    reading: Mutex<HashMap<names::Suite, Arc<tokio::sync::Mutex<()>>>>,
    cache_dir: Option<PathBuf>,
    /// How long one check may take before the upload goes ahead unchecked.
    deadline: Duration,
}

/// Checks skipped, by reason, since the process started: the metric
/// `auto_upload_archive_checks_skipped_total{reason}` reads them.
pub static SKIPPED: Skipped = Skipped {
    timeout: AtomicU64::new(0),
    unreadable: AtomicU64::new(0),
};

/// Counters of skipped checks.
#[derive(Debug)]
pub struct Skipped {
    /// No answer within `--archive-timeout`.
    pub timeout: AtomicU64,
    /// The index could not be read, or passed a cap (size, packages).
    pub unreadable: AtomicU64,
}

/// How a program uses the archive's indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexUse {
    /// How long an index read is trusted before the archive is asked
    /// whether it changed.
    pub ttl: Duration,
    /// Whether a check of a suite whose index is being read (and none is
    /// known yet) waits for that read: a one-shot command does (the read is
    /// what it needs); a service does not, and the upload goes ahead as if
    /// the archive could not be read (a result is never held back by a
    /// read).
    pub wait_for_reads: bool,
}

impl IndexUse {
    /// `upload-run`, `backfill`, `ledger`: an index is read at most once a
    /// run, and waited for.
    pub const ONE_SHOT: Self = Self {
        ttl: Duration::from_secs(u32::MAX as u64),
        wait_for_reads: true,
    };
    /// `listen`: an index is trusted for a minute, and never waited for.
    pub const SERVICE: Self = Self {
        ttl: Duration::from_secs(60),
        wait_for_reads: false,
    };
}

/// How long a check may take unless told otherwise (`--archive-timeout`).
pub const ARCHIVE_TIMEOUT: Duration = Duration::from_secs(10);

impl Archive {
    /// An archive at `url` (`http(s)://…` or `file:///…`, the directory
    /// holding `dists/`), its indices kept for `ttl` in memory and, parsed,
    /// in `cache_dir` between runs.
    ///
    /// # Errors
    /// [`ArchiveError`] for another scheme or an unusable URL.
    pub fn open(
        url: &str,
        uses: IndexUse,
        cache_dir: Option<PathBuf>,
    ) -> Result<Self, ArchiveError> {
        let location = if let Some(path) = url.strip_prefix("file://") {
            Location::Local(PathBuf::from(path))
        } else if url.starts_with("http://") || url.starts_with("https://") {
            Location::Http(Http::open(url).map_err(|reason| ArchiveError::Invalid {
                url: crate::secrets::mask(url),
                reason,
            })?)
        } else {
            return Err(ArchiveError::Scheme {
                url: crate::secrets::mask(url),
            });
        };
        Ok(Self {
            given: url.to_owned(),
            url: crate::secrets::mask(url),
            location,
            ttl: uses.ttl,
            wait_for_reads: uses.wait_for_reads,
            cache: Mutex::default(),
            reading: Mutex::default(),
            cache_dir,
            deadline: ARCHIVE_TIMEOUT,
        })
    }

    /// The same archive, giving up a check after `deadline`.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The archive's URL, without a password.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The newest version of `source` in `suite`, if the archive has it;
    /// `Err` (logged once per fetch) when the suite's index cannot be read.
    ///
    /// # Errors
    /// The index is absent, unreachable or corrupt: a message saying so.
    pub async fn newest(
        self: &Arc<Self>,
        suite: &names::Suite,
        source: &names::SourcePackage,
    ) -> Result<Option<Version>, String> {
        if !self.wait_for_reads && self.cached(suite).is_none() && self.being_read(suite) {
            SKIPPED.unreadable.fetch_add(1, Ordering::Relaxed);
            return Err(format!(
                "the Sources index of {suite} in {} is being read",
                self.url
            ));
        }
        // The read goes on in the background past the deadline, so that
        // the next upload of the suite finds it done.
        let archive = Arc::clone(self);
        let name = suite.to_owned();
        let read = tokio::spawn(async move { archive.index(&name).await });
        let index = match tokio::time::timeout(self.deadline, read).await {
            Ok(Ok(Some(index))) => index,
            Ok(_) => {
                SKIPPED.unreadable.fetch_add(1, Ordering::Relaxed);
                return Err(format!(
                    "the Sources index of {suite} in {} cannot be read",
                    self.url
                ));
            }
            Err(_) => {
                SKIPPED.timeout.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(archive = %self.url, suite = suite.as_str(), deadline = ?self.deadline, "the archive did not answer within --archive-timeout; uploading without the check");
                return Err(format!(
                    "the Sources index of {suite} in {} did not come within {:?}",
                    self.url, self.deadline
                ));
            }
        };
        Ok(index
            .index
            .get(source.as_str())
            .and_then(|v| v.parse().ok()))
    }

    /// Reads the indices of `suites` in the background (`listen` at start),
    /// so that the first uploads find them.
    pub fn warm(self: &Arc<Self>, suites: impl IntoIterator<Item = names::Suite>) {
        for suite in suites {
            let archive = Arc::clone(self);
            tokio::spawn(async move { archive.index(&suite).await });
        }
    }

    /// Whether a task is reading (or checking) `suite`'s index now.
    fn being_read(&self, suite: &names::Suite) -> bool {
        self.lock_of(suite).try_lock().is_err()
    }

    /// The lock of `suite`.
    fn lock_of(&self, suite: &names::Suite) -> Arc<tokio::sync::Mutex<()>> {
        self.reading
            .lock()
            .expect("locks poisoned")
            .entry(suite.clone())
            .or_default()
            .clone()
    }

    /// The suite's index: from memory while it is fresh; else the one in
    /// memory or on disk when the archive's files did not change since it
    /// was read; else read again.
    ///
    /// One task at a time checks or reads a suite: uploads running side by
    /// side (listen, backfill --jobs) wait for it rather than each reading
    /// the same suite; other suites are not held up.
    async fn index(&self, suite: &names::Suite) -> Option<Arc<Suite>> {
        if let Some(InMemory::Fresh(index)) = self.cached(suite) {
            return index;
        }
        let lock = self.lock_of(suite);
        let _reading = match lock.clone().try_lock_owned() {
            Ok(reading) => reading,
            Err(_) if !self.wait_for_reads => {
                // Another task is reading the suite: what was known before
                // (stale, not yet confirmed), else nothing; never a wait.
                return match self.cached(suite) {
                    Some(InMemory::Fresh(index) | InMemory::Stale(index)) => index,
                    None => {
                        tracing::debug!(archive = %self.url, suite = suite.as_str(), "the Sources index is being read; this upload goes ahead without the check");
                        None
                    }
                };
            }
            Err(_) => lock.lock_owned().await,
        };
        let started = Instant::now();
        let known = match self.cached(suite) {
            Some(InMemory::Fresh(index)) => return index,
            Some(InMemory::Stale(known)) => known,
            None => self.load(suite).await,
        };
        if let Some(known) = known {
            if self.unchanged(&known.seen).await {
                tracing::debug!(archive = %self.url, suite = %suite, sources = known.index.len(), ms = started.elapsed().as_millis() as u64, "the Sources index kept is current");
                self.remember(suite, Some(known.clone()));
                return Some(known);
            }
        }
        let index = match self.fetch_index(suite).await {
            Ok(index) => {
                tracing::debug!(archive = %self.url, suite = %suite, sources = index.index.len(), ms = started.elapsed().as_millis() as u64, "read the Sources index");
                // Kept on disk, it is looked up there: memory does not
                // grow with the index.
                Some(self.save(suite, index).await)
            }
            Err(e) => {
                tracing::warn!(archive = %self.url, suite = %suite, error = %e, "cannot read the archive's Sources index; uploading without the check");
                None
            }
        };
        self.remember(suite, index.clone());
        index
    }

    /// The suite's index in memory, if any.
    fn cached(&self, suite: &names::Suite) -> Option<InMemory> {
        let cache = self.cache.lock().expect("cache poisoned");
        let (at, index) = cache.get(suite)?;
        Some(if at.elapsed() < self.ttl {
            InMemory::Fresh(index.clone())
        } else {
            InMemory::Stale(index.clone())
        })
    }

    fn remember(&self, suite: &names::Suite, index: Option<Arc<Suite>>) {
        self.cache
            .lock()
            .expect("cache poisoned")
            .insert(suite.clone(), (Instant::now(), index));
    }

    /// The suite's index as the last run left it on disk.
    async fn load(&self, suite: &names::Suite) -> Option<Arc<Suite>> {
        let path = index_cache::file(self.cache_dir.as_deref()?, &self.given, suite);
        let loaded = tokio::task::spawn_blocking(move || index_cache::load(&path))
            .await
            .ok()
            .flatten()?;
        Some(Arc::new(loaded))
    }

    /// Keeps the suite's index on disk for the next run (best effort), and
    /// returns it as looked up from there (or as it is, when it cannot be
    /// kept).
    async fn save(&self, suite: &names::Suite, index: Suite) -> Arc<Suite> {
        let Some(dir) = self.cache_dir.clone() else {
            return Arc::new(index);
        };
        let path = index_cache::file(&dir, &self.given, suite);
        let (url, name) = (self.url.clone(), suite.to_string());
        tokio::task::spawn_blocking(move || {
            match index_cache::store(&path, &url, &name, &index) {
                Ok(()) => {
                    if let Some(kept) = index_cache::load(&path) {
                        return Arc::new(kept);
                    }
                }
                Err(e) => {
                    tracing::debug!(dir = %dir.display(), error = %e, "cannot keep the Sources index between runs")
                }
            }
            Arc::new(index)
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }

    /// Whether every file an index was read from is as it was then.
    async fn unchanged(&self, seen: &[Seen]) -> bool {
        for file in seen {
            match self.validator(&file.path, file.tag.as_deref()).await {
                Ok(tag) if tag == file.tag => {}
                _ => return false,
            }
        }
        true
    }

    /// What a file of the archive is now, told the way `known` was (a
    /// Release file by its content, which names the hash of every index:
    /// exact where HTTP's Last-Modified has whole seconds); `None` when it
    /// does not exist.
    async fn validator(&self, path: &str, known: Option<&str>) -> Result<Option<String>, String> {
        if known.is_some_and(|k| k.starts_with(CONTENT_TAG)) {
            return match self.fetch(path).await {
                Ok((bytes, _)) => Ok(Some(content_tag(&bytes))),
                Err(FetchError::NotFound) => Ok(None),
                Err(FetchError::Other(e)) => Err(e),
            };
        }
        match &self.location {
            Location::Local(root) => match std::fs::metadata(root.join(path)) {
                Ok(meta) => Ok(Some(local_tag(&meta))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.to_string()),
            },
            Location::Http(http) => match http.head(path).await {
                Ok(tag) => Ok(Some(tag)),
                Err(FetchError::NotFound) => Ok(None),
                Err(FetchError::Other(e)) => Err(e),
            },
        }
    }

    /// Reads every component's Sources index of `suite` (the components
    /// from its Release file, else `main`).
    async fn fetch_index(&self, suite: &names::Suite) -> Result<Suite, String> {
        let mut read = Suite::default();
        let release = format!("dists/{suite}/Release");
        let components = match self.fetch(&release).await {
            Ok((bytes, _)) => {
                let tag = content_tag(&bytes);
                read.seen.push(Seen {
                    path: release,
                    tag: Some(tag),
                });
                components(&String::from_utf8_lossy(&bytes))
            }
            Err(FetchError::NotFound) => {
                read.seen.push(Seen {
                    path: release,
                    tag: None,
                });
                vec!["main".to_owned()]
            }
            Err(FetchError::Other(e)) => return Err(e),
        };
        let mut fetched = Vec::new();
        for component in components {
            let base = format!("dists/{suite}/{component}/source/Sources");
            fetched.extend(self.fetch_sources(&base).await?);
        }
        if fetched.is_empty() {
            return Err(format!("no dists/{suite}/*/source/Sources index"));
        }
        // Decompressing and parsing a suite takes tens of milliseconds; it
        // is done as a stream, a chunk at a time, within the caps.
        tokio::task::spawn_blocking(move || {
            let mut newest = Found::default();
            let mut budget = MAX_INDEX_BYTES;
            for (file, seen, decompress, kind) in fetched {
                let parsed = parse_stream(decompress(file), kind, &mut newest, &mut budget);
                parsed.map_err(|e| format!("{}: {e}", seen.path))?;
                read.seen.push(seen);
            }
            read.index = Lines::Memory(newest.into_index());
            Ok(read)
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }

    /// `BASE.gz`, else `BASE.xz`, else `BASE`, as fetched, with the file
    /// read and how to decompress it; `None` when none exists. gzip first,
    /// where an archive publishes both (Debian's does): its window is 32
    /// KiB, where xz's decoder fills an 8 MiB dictionary (`xz -6`) for the
    /// length of the read; the download is about a third larger, but it is
    /// spooled to disk, and it decompresses several times faster.
    async fn fetch_sources(&self, base: &str) -> Result<Option<Fetched>, String> {
        for (suffix, decompress, kind) in [
            (".gz", decompress_gz as Decompress, "gzip"),
            (".xz", decompress_xz, "xz"),
            ("", plain, "text"),
        ] {
            let path = format!("{base}{suffix}");
            match self.open_file(&path).await {
                Ok((file, tag)) => {
                    let seen = Seen {
                        path,
                        tag: Some(tag),
                    };
                    return Ok(Some((file, seen, decompress, kind)));
                }
                Err(FetchError::NotFound) => continue,
                Err(FetchError::Other(e)) => return Err(e),
            }
        }
        Ok(None)
    }

    /// A file of the archive opened for reading (an HTTP one spooled to a
    /// temporary file), at most [`MAX_FETCH_BYTES`], with its validator.
    async fn open_file(&self, path: &str) -> Result<(std::fs::File, String), FetchError> {
        match &self.location {
            Location::Local(root) => {
                let path = root.join(path);
                let opened = tokio::task::spawn_blocking(move || -> std::io::Result<_> {
                    let file = std::fs::File::open(&path)?;
                    let meta = file.metadata()?;
                    Ok((file, meta))
                })
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
                match opened {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(FetchError::NotFound),
                    Err(e) => Err(FetchError::Other(e.to_string())),
                    Ok((_, meta)) if meta.len() > MAX_FETCH_BYTES => {
                        Err(FetchError::Other("index too large".into()))
                    }
                    Ok((file, meta)) => Ok((file, local_tag(&meta))),
                }
            }
            Location::Http(http) => http.spool(path).await,
        }
    }

    /// A file of the archive, with its validator.
    async fn fetch(&self, path: &str) -> Result<(Vec<u8>, String), FetchError> {
        match &self.location {
            Location::Local(root) => {
                let path = root.join(path);
                let read = tokio::task::spawn_blocking(move || -> std::io::Result<_> {
                    let mut file = std::fs::File::open(&path)?;
                    let tag = local_tag(&file.metadata()?);
                    let mut bytes = Vec::new();
                    (&mut file)
                        .take(MAX_FETCH_BYTES + 1)
                        .read_to_end(&mut bytes)?;
                    Ok((bytes, tag))
                })
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
                match read {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(FetchError::NotFound),
                    Err(e) => Err(FetchError::Other(e.to_string())),
                    Ok((b, _)) if b.len() as u64 > MAX_FETCH_BYTES => {
                        Err(FetchError::Other("index too large".into()))
                    }
                    Ok(read) => Ok(read),
                }
            }
            Location::Http(http) => http.get(path).await,
        }
    }
}

/// How a validator made from a file's content starts.
const CONTENT_TAG: &str = "sha256:";

/// A validator made from a file's content.
fn content_tag(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex_tag(&sha2::Sha256::digest(bytes))
}

/// A validator made from a content's SHA-256 digest.
fn hex_tag(digest: &[u8]) -> String {
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{CONTENT_TAG}{hex}")
}

/// A local file's validator: which file, its size and its times.
fn local_tag(meta: &std::fs::Metadata) -> String {
    format!(
        "{}:{}:{}:{}.{}:{}.{}",
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec()
    )
}

/// An HTTP object's validator: its size, ETag and Last-Modified; its
/// content's hash when the server sends neither (the size alone would miss
/// a change that keeps it: the object is then fetched again to be checked,
/// though not decompressed or parsed).
fn http_tag(
    size: Option<u64>,
    etag: Option<String>,
    modified: Option<String>,
    content: String,
) -> String {
    if etag.is_none() && modified.is_none() {
        return content;
    }
    let word = |s: Option<String>| s.map_or_else(|| "-".to_owned(), |s| s.replace(' ', "_"));
    format!(
        "{}:{}:{}",
        size.map_or_else(|| "-".to_owned(), |n| n.to_string()),
        word(modified),
        word(etag)
    )
}

/// The `Components:` of a Release file, else `main`.
fn components(release: &str) -> Vec<String> {
    release
        .lines()
        .find_map(|l| l.strip_prefix("Components:"))
        .map(|c| {
            c.split_whitespace()
                .filter(|c| crate::input::syntax::is_suite(c))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| vec!["main".to_owned()])
}

fn decompress_xz(file: std::fs::File) -> Box<dyn Read> {
    Box::new(liblzma::read::XzDecoder::new_multi_decoder(file))
}

fn decompress_gz(file: std::fs::File) -> Box<dyn Read> {
    Box::new(flate2::read::MultiGzDecoder::new(file))
}

fn plain(file: std::fs::File) -> Box<dyn Read> {
    Box::new(file)
}

/// Parses a decompressing reader [`CHUNK`] bytes at a time, each cut at a
/// paragraph break, into `newest`; refused when the suite's text passes
/// `budget` (what is left of [`MAX_INDEX_BYTES`]), a paragraph passes a
/// chunk, or the suite lists more than [`MAX_PACKAGES`]: a decompression
/// bomb costs no more memory than a real index.
fn parse_stream(
    mut reader: impl Read,
    kind: &str,
    newest: &mut Found,
    budget: &mut u64,
) -> Result<(), String> {
    let mut buf: Vec<u8> = Vec::with_capacity(2 * CHUNK);
    // (It grows past that only while a paragraph spans chunks.)
    loop {
        let start = buf.len();
        buf.resize(start + CHUNK, 0);
        let mut filled = 0;
        while filled < CHUNK {
            match reader.read(&mut buf[start + filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("corrupt {kind}: {e}")),
            }
        }
        buf.truncate(start + filled);
        let end = filled < CHUNK;
        *budget = budget
            .checked_sub(filled as u64)
            .ok_or_else(|| format!("larger than {} MiB decompressed", MAX_INDEX_BYTES >> 20))?;
        let cut = if end {
            Some(buf.len())
        } else {
            memchr::memmem::rfind(&buf, b"\n\n").map(|at| at + 2)
        };
        match cut {
            Some(cut) => {
                let text =
                    std::str::from_utf8(&buf[..cut]).map_err(|_| "not UTF-8 text".to_owned())?;
                parse_sources(text, newest);
                buf.drain(..cut);
            }
            None if buf.len() > MAX_PARAGRAPH => return Err("a paragraph larger than 1 MiB".into()),
            None => {}
        }
        if newest.len() > MAX_PACKAGES {
            return Err(format!("more than {MAX_PACKAGES} source paragraphs"));
        }
        if end {
            return Ok(());
        }
    }
}

/// Adds the `Package:`/`Version:` of each paragraph of a Sources index,
/// keeping the newest version of each package. The fields are found by
/// searching the whole text (an archive writes them in this case), and
/// versions are parsed only where a package appears twice (a suite lists
/// most once): reading a whole suite's index stays cheap.
fn parse_sources(text: &str, newest: &mut Found) {
    let (packages, versions) = (
        memchr::memmem::Finder::new("\nPackage:"),
        memchr::memmem::Finder::new("Version:"),
    );
    let breaks = (
        memchr::memmem::Finder::new("\n\n"),
        memchr::memmem::FinderRev::new("\n\n"),
    );
    let bytes = text.as_bytes();
    let starts = text.starts_with("Package:").then_some(0);
    let starts = starts
        .into_iter()
        .chain(packages.find_iter(bytes).map(|at| at + 1));
    let mut paragraph_end = 0;
    for at in starts {
        if at < paragraph_end {
            continue; // a second Package: in one paragraph
        }
        let (start, end) = paragraph(text, paragraph_end, at, &breaks);
        paragraph_end = end;
        let body = &text[start..end];
        let package = value(&text[at + "Package:".len()..]);
        let version = versions
            .find_iter(body.as_bytes())
            .find(|&v| v == 0 || body.as_bytes()[v - 1] == b'\n')
            .map(|v| value(&body[v + "Version:".len()..]));
        commit(newest, package, version);
    }
}

/// The paragraph holding `at` (a `Package:` line, after `from`): from the
/// blank line before it to the blank line after it.
fn paragraph(
    text: &str,
    from: usize,
    at: usize,
    (forward, back): &(memchr::memmem::Finder, memchr::memmem::FinderRev),
) -> (usize, usize) {
    let bytes = text.as_bytes();
    let start = back.rfind(&bytes[from..at]).map_or(from, |b| from + b + 2);
    let end = forward
        .find(&bytes[at..])
        .map_or(text.len(), |e| at + e + 1);
    (start, end)
}

/// A one-line field's value: the rest of its line, trimmed.
fn value(rest: &str) -> &str {
    rest.split('\n').next().unwrap_or_default().trim()
}

/// Ends a paragraph: keeps its package's version unless an older
/// paragraph had the same or a newer one.
fn commit(newest: &mut Found, package: &str, version: Option<&str>) {
    if let Some(version) = version {
        newest.push(package, version);
    }
}

/// Whether `old` is the same as or newer than `new` (an unparsable `new`
/// never replaces).
fn newer_or_same(old: &str, new: &str) -> bool {
    match (old.parse::<Version>(), new.parse::<Version>()) {
        (_, Err(_)) => true,
        (Err(_), Ok(_)) => false,
        (Ok(old), Ok(new)) => old >= new,
    }
}

/// The archives to check against: `--archive` for every suite, else the
/// `archive_mirror_uri` of the `janitor.conf` distribution named as the
/// `.changes`'s Distribution.
#[derive(Debug, Default)]
pub struct Archives {
    /// `--archive`.
    pub all: Option<Arc<Archive>>,
    /// From `janitor.conf`, by distribution name.
    pub by_suite: HashMap<names::Suite, Arc<Archive>>,
}

impl Archives {
    /// Whether any archive is configured.
    pub fn is_empty(&self) -> bool {
        self.all.is_none() && self.by_suite.is_empty()
    }

    /// The archive for `suite`, if any.
    pub fn for_suite(&self, suite: &names::Suite) -> Option<&Arc<Archive>> {
        self.all.as_ref().or_else(|| self.by_suite.get(suite))
    }

    /// Reads in the background the indices of the suites named (those of
    /// `janitor.conf`'s archives, and `suites` for `--archive`).
    pub fn warm(&self, suites: &[names::Suite]) {
        if let Some(all) = &self.all {
            all.warm(suites.iter().cloned());
        }
        for (suite, archive) in &self.by_suite {
            archive.warm([suite.clone()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_version_in_debian_order() {
        let mut index = Found::default();
        parse_sources(
            "Package: a\nVersion: 1.9-1\n\nPackage: a\nVersion: 1.10-1\nBinary: a\n\nPackage: b\nVersion: 1:0.1-1\n\nPackage: c\nVersion: 1.0~rc1-1\n",
            &mut index,
        );
        // A second component lists a older and c newer.
        parse_sources(
            "Package: a\nVersion: 1.2-1\n\nPackage: c\nVersion: 1.0-1\n",
            &mut index,
        );
        let index = index.into_index();
        assert_eq!(index.get("a"), Some("1.10-1"));
        assert_eq!(index.get("b"), Some("1:0.1-1"));
        assert_eq!(index.get("c"), Some("1.0-1"));
    }

    #[test]
    fn fields_only_at_line_starts() {
        let mut found = Found::default();
        parse_sources(
            "Package-List:\n a deb misc optional\nPackage: a\nBinary: b\nVersion: 2-1\n\nVersion: 1-1\nDescription: x\n Version: 9\nPackage: b\nXVersion: 3\n\nPackage: c\n\nVersion: 4\n",
            &mut found,
        );
        let index = found.into_index();
        assert_eq!(index.len(), 2, "{index:?}");
        assert_eq!(index.get("a"), Some("2-1"));
        assert_eq!(index.get("b"), Some("1-1"));
    }

    #[test]
    fn http_validators_without_etag_or_last_modified_are_content() {
        let tag = |content: &[u8]| content_tag(content);
        assert_eq!(
            http_tag(Some(3), None, None, tag(b"abc")),
            content_tag(b"abc")
        );
        assert_ne!(
            http_tag(Some(3), None, None, tag(b"abc")),
            http_tag(Some(3), None, None, tag(b"abd"))
        );
        let modified = Some("Tue, 14 Nov 2023 22:13:20 GMT".to_owned());
        assert_eq!(
            http_tag(Some(3), None, modified, tag(b"abc")),
            "3:Tue,_14_Nov_2023_22:13:20_GMT:-"
        );
        assert_eq!(
            http_tag(None, Some("\"x\"".into()), None, tag(b"")),
            "-:-:\"x\""
        );
    }

    #[test]
    fn components_from_release() {
        assert_eq!(
            components("Origin: x\nComponents: main contrib\n"),
            vec!["main", "contrib"]
        );
        assert_eq!(components("Origin: x\n"), vec!["main"]);
    }

    #[test]
    fn corrupt_indices_are_errors() {
        let mut newest = Found::default();
        let file = |bytes: &[u8]| {
            let mut file = tempfile::tempfile().unwrap();
            std::io::Write::write_all(&mut file, bytes).unwrap();
            std::io::Seek::rewind(&mut file).unwrap();
            file
        };
        let xz = decompress_xz(file(b"not xz"));
        assert!(parse_stream(xz, "xz", &mut newest, &mut 1024).is_err());
        let gz = decompress_gz(file(b"not gzip"));
        assert!(parse_stream(gz, "gzip", &mut newest, &mut 1024).is_err());
    }

    #[test]
    fn a_bomb_stops_at_the_cap_in_bounded_memory() {
        // 8 MiB of one repeated paragraph, compressed to almost nothing.
        let paragraph = b"Package: a\nVersion: 1\n\n";
        let mut text = Vec::new();
        while text.len() < 8 << 20 {
            text.extend_from_slice(paragraph);
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &text).unwrap();
        let bomb = gz.finish().unwrap();
        drop(text);
        let gz = || flate2::read::MultiGzDecoder::new(&bomb[..]);
        let mut newest = Found::default();
        let mut budget = 4 << 20;
        let err = parse_stream(gz(), "gzip", &mut newest, &mut budget).unwrap_err();
        assert!(err.contains("decompressed"), "{err}");
        let mut newest = Found::default();
        let mut budget = 16 << 20;
        parse_stream(gz(), "gzip", &mut newest, &mut budget).unwrap();
        assert_eq!(newest.into_index().len(), 1);
        // Paragraphs cut across chunks are read whole.
        let mut newest = Found::default();
        let mut long = String::new();
        for n in 0..100_000 {
            long.push_str(&format!("Package: p{n}\nVersion: {n}\n\n"));
        }
        parse_stream(long.as_bytes(), "text", &mut newest, &mut (64 << 20)).unwrap();
        let index = newest.into_index();
        assert_eq!(index.len(), 100_000);
        assert_eq!(index.get("p99999"), Some("99999"));
    }
}
