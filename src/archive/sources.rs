//! What the archive already has: `dists/<suite>/<component>/source/Sources`
//! indices (`.xz`, else `.gz`, else plain), read over `http(s)://` through
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
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use debversion::Version;
use object_store::ObjectStore;

use crate::archive::index_cache::{self, Index, Seen, Suite};

/// Each package's newest version while indices are parsed.
type Newest<'t> = HashMap<&'t str, &'t str>;

/// The largest index fetched, compressed, in bytes.
const MAX_FETCH_BYTES: u64 = 256 << 20;
/// The largest index decompressed, in bytes.
const MAX_INDEX_BYTES: u64 = 1 << 30;

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
    /// The HTTP store cannot be built.
    #[error("archive {url}: {source}")]
    Store {
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: object_store::Error,
    },
}

/// How an index file is decompressed.
type Decompress = fn(&[u8]) -> Result<Vec<u8>, String>;

/// An index file as fetched: its bytes, what it was, how to decompress it.
type Fetched = (Vec<u8>, Seen, Decompress);

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
    Http(Box<dyn ObjectStore>),
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
    cache: Mutex<HashMap<String, Cached>>,
    /// Held while a suite is checked or read.
    reading: tokio::sync::Mutex<()>,
    cache_dir: Option<PathBuf>,
}

impl Archive {
    /// An archive at `url` (`http(s)://…` or `file:///…`, the directory
    /// holding `dists/`), its indices kept for `ttl` in memory and, parsed,
    /// in `cache_dir` between runs.
    ///
    /// # Errors
    /// [`ArchiveError`] for another scheme or an unusable URL.
    pub fn open(
        url: &str,
        ttl: Duration,
        cache_dir: Option<PathBuf>,
    ) -> Result<Self, ArchiveError> {
        let location = if let Some(path) = url.strip_prefix("file://") {
            Location::Local(PathBuf::from(path))
        } else if url.starts_with("http://") || url.starts_with("https://") {
            let store = object_store::http::HttpBuilder::new()
                .with_url(url)
                .with_client_options(
                    object_store::ClientOptions::new()
                        .with_allow_http(true)
                        .with_timeout(Duration::from_secs(60)),
                )
                .with_retry(object_store::RetryConfig {
                    max_retries: 2,
                    retry_timeout: Duration::from_secs(30),
                    ..Default::default()
                })
                .build()
                .map_err(|source| ArchiveError::Store {
                    url: url.to_owned(),
                    source,
                })?;
            Location::Http(Box::new(store))
        } else {
            return Err(ArchiveError::Scheme {
                url: url.to_owned(),
            });
        };
        Ok(Self {
            given: url.to_owned(),
            url: crate::secrets::mask(url),
            location,
            ttl,
            cache: Mutex::default(),
            reading: tokio::sync::Mutex::const_new(()),
            cache_dir,
        })
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
    pub async fn newest(&self, suite: &str, source: &str) -> Result<Option<Version>, String> {
        let index = self.index(suite).await.ok_or_else(|| {
            format!(
                "the Sources index of {suite} in {} cannot be read",
                self.url
            )
        })?;
        Ok(index.index.get(source).and_then(|v| v.parse().ok()))
    }

    /// The suite's index: from memory while it is fresh; else the one in
    /// memory or on disk when the archive's files did not change since it
    /// was read; else read again.
    ///
    /// One task at a time checks or reads: uploads running side by side
    /// (listen, backfill --jobs) wait for it rather than each reading the
    /// same suite.
    async fn index(&self, suite: &str) -> Option<Arc<Suite>> {
        if let Some(InMemory::Fresh(index)) = self.cached(suite) {
            return index;
        }
        let _reading = self.reading.lock().await;
        let started = Instant::now();
        let known = match self.cached(suite) {
            Some(InMemory::Fresh(index)) => return index,
            Some(InMemory::Stale(known)) => known,
            None => self.load(suite).await,
        };
        if let Some(known) = known {
            if self.unchanged(&known.seen).await {
                tracing::debug!(archive = %self.url, suite, sources = known.index.len(), ms = started.elapsed().as_millis() as u64, "the Sources index kept is current");
                self.remember(suite, Some(known.clone()));
                return Some(known);
            }
        }
        let index = match self.fetch_index(suite).await {
            Ok(index) => {
                tracing::debug!(archive = %self.url, suite, sources = index.index.len(), ms = started.elapsed().as_millis() as u64, "read the Sources index");
                let index = Arc::new(index);
                self.save(suite, index.clone()).await;
                Some(index)
            }
            Err(e) => {
                tracing::warn!(archive = %self.url, suite, error = %e, "cannot read the archive's Sources index; uploading without the check");
                None
            }
        };
        self.remember(suite, index.clone());
        index
    }

    /// The suite's index in memory, if any.
    fn cached(&self, suite: &str) -> Option<InMemory> {
        let cache = self.cache.lock().expect("cache poisoned");
        let (at, index) = cache.get(suite)?;
        Some(if at.elapsed() < self.ttl {
            InMemory::Fresh(index.clone())
        } else {
            InMemory::Stale(index.clone())
        })
    }

    fn remember(&self, suite: &str, index: Option<Arc<Suite>>) {
        self.cache
            .lock()
            .expect("cache poisoned")
            .insert(suite.to_owned(), (Instant::now(), index));
    }

    /// The suite's index as the last run left it on disk.
    async fn load(&self, suite: &str) -> Option<Arc<Suite>> {
        let path = index_cache::file(self.cache_dir.as_deref()?, &self.given, suite);
        let loaded = tokio::task::spawn_blocking(move || index_cache::load(&path))
            .await
            .ok()
            .flatten()?;
        Some(Arc::new(loaded))
    }

    /// Keeps the suite's index on disk for the next run (best effort).
    async fn save(&self, suite: &str, index: Arc<Suite>) {
        let Some(dir) = self.cache_dir.as_deref() else {
            return;
        };
        let path = index_cache::file(dir, &self.given, suite);
        let (url, name) = (self.url.clone(), suite.to_owned());
        let saved =
            tokio::task::spawn_blocking(move || index_cache::store(&path, &url, &name, &index))
                .await;
        if let Ok(Err(e)) = saved {
            tracing::debug!(dir = %dir.display(), error = %e, "cannot keep the Sources index between runs");
        }
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
            Location::Http(store) => {
                match store.head(&object_store::path::Path::from(path)).await {
                    Ok(meta) => Ok(Some(http_tag(&meta, &[]))),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(e.to_string()),
                }
            }
        }
    }

    /// Reads every component's Sources index of `suite` (the components
    /// from its Release file, else `main`).
    async fn fetch_index(&self, suite: &str) -> Result<Suite, String> {
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
        // Decompressing and parsing a suite takes tens of milliseconds.
        tokio::task::spawn_blocking(move || {
            let mut texts = Vec::new();
            for (bytes, seen, decompress) in fetched {
                let text = decompress(&bytes)
                    .and_then(|t| String::from_utf8(t).map_err(|_| "not UTF-8 text".to_owned()));
                texts.push(text.map_err(|e| format!("{}: {e}", seen.path))?);
                read.seen.push(seen);
            }
            let mut newest = Newest::new();
            for text in &texts {
                parse_sources(text, &mut newest);
            }
            read.index = Index::from_newest(newest);
            Ok(read)
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }

    /// `BASE.xz`, else `BASE.gz`, else `BASE`, as fetched, with the file
    /// read and how to decompress it; `None` when none exists.
    async fn fetch_sources(&self, base: &str) -> Result<Option<Fetched>, String> {
        for (suffix, decompress) in [
            (".xz", decompress_xz as Decompress),
            (".gz", decompress_gz),
            ("", |b: &[u8]| Ok(b.to_vec())),
        ] {
            let path = format!("{base}{suffix}");
            match self.fetch(&path).await {
                Ok((bytes, tag)) => {
                    let seen = Seen {
                        path,
                        tag: Some(tag),
                    };
                    return Ok(Some((bytes, seen, decompress)));
                }
                Err(FetchError::NotFound) => continue,
                Err(FetchError::Other(e)) => return Err(e),
            }
        }
        Ok(None)
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
            Location::Http(store) => {
                let got = store.get(&object_store::path::Path::from(path)).await;
                let got = match got {
                    Err(object_store::Error::NotFound { .. }) => return Err(FetchError::NotFound),
                    Err(e) => return Err(FetchError::Other(e.to_string())),
                    Ok(got) => got,
                };
                if got.meta.size > MAX_FETCH_BYTES {
                    return Err(FetchError::Other("index too large".into()));
                }
                let meta = got.meta.clone();
                let bytes = got
                    .bytes()
                    .await
                    .map_err(|e| FetchError::Other(e.to_string()))?;
                let tag = http_tag(&meta, &bytes);
                Ok((bytes.to_vec(), tag))
            }
        }
    }
}

/// How a validator made from a file's content starts.
const CONTENT_TAG: &str = "sha256:";

/// A validator made from a file's content.
fn content_tag(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
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
fn http_tag(meta: &object_store::ObjectMeta, bytes: &[u8]) -> String {
    if meta.e_tag.is_none() && meta.last_modified.timestamp_nanos_opt() == Some(0) {
        return content_tag(bytes);
    }
    format!(
        "{}:{}:{}",
        meta.size,
        meta.last_modified.timestamp(),
        meta.e_tag.as_deref().unwrap_or("-")
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

/// All of a decompressing reader, refused beyond [`MAX_INDEX_BYTES`].
fn read_limited(reader: impl Read, what: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    reader
        .take(MAX_INDEX_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("corrupt {what}: {e}"))?;
    if out.len() as u64 > MAX_INDEX_BYTES {
        return Err("index larger than 1 GiB".into());
    }
    Ok(out)
}

fn decompress_xz(bytes: &[u8]) -> Result<Vec<u8>, String> {
    read_limited(liblzma::read::XzDecoder::new_multi_decoder(bytes), "xz")
}

fn decompress_gz(bytes: &[u8]) -> Result<Vec<u8>, String> {
    read_limited(flate2::read::MultiGzDecoder::new(bytes), "gzip")
}

/// Adds the `Package:`/`Version:` of each paragraph of a Sources index,
/// keeping the newest version of each package. The fields are found by
/// searching the whole text (an archive writes them in this case), and
/// versions are parsed only where a package appears twice (a suite lists
/// most once): reading a whole suite's index stays cheap.
fn parse_sources<'t>(text: &'t str, newest: &mut Newest<'t>) {
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
fn commit<'t>(newest: &mut Newest<'t>, package: &'t str, version: Option<&'t str>) {
    let Some(v) = version.filter(|v| !v.is_empty()) else {
        return;
    };
    if package.is_empty() {
        return;
    }
    match newest.get(package) {
        Some(old) if newer_or_same(old, v) => {}
        _ => {
            newest.insert(package, v);
        }
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
    pub all: Option<Archive>,
    /// From `janitor.conf`, by distribution name.
    pub by_suite: HashMap<String, Archive>,
}

impl Archives {
    /// Whether any archive is configured.
    pub fn is_empty(&self) -> bool {
        self.all.is_none() && self.by_suite.is_empty()
    }

    /// The archive for `suite`, if any.
    pub fn for_suite(&self, suite: &str) -> Option<&Archive> {
        self.all.as_ref().or_else(|| self.by_suite.get(suite))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_version_in_debian_order() {
        let mut index = Newest::new();
        parse_sources(
            "Package: a\nVersion: 1.9-1\n\nPackage: a\nVersion: 1.10-1\nBinary: a\n\nPackage: b\nVersion: 1:0.1-1\n\nPackage: c\nVersion: 1.0~rc1-1\n",
            &mut index,
        );
        // A second component lists a older and c newer.
        parse_sources(
            "Package: a\nVersion: 1.2-1\n\nPackage: c\nVersion: 1.0-1\n",
            &mut index,
        );
        let index = Index::from_newest(index);
        assert_eq!(index.get("a"), Some("1.10-1"));
        assert_eq!(index.get("b"), Some("1:0.1-1"));
        assert_eq!(index.get("c"), Some("1.0-1"));
    }

    #[test]
    fn fields_only_at_line_starts() {
        let mut index = Newest::new();
        parse_sources(
            "Package-List:\n a deb misc optional\nPackage: a\nBinary: b\nVersion: 2-1\n\nVersion: 1-1\nDescription: x\n Version: 9\nPackage: b\nXVersion: 3\n\nPackage: c\n\nVersion: 4\n",
            &mut index,
        );
        assert_eq!(index.len(), 2, "{index:?}");
        assert_eq!(index["a"], "2-1");
        assert_eq!(index["b"], "1-1");
    }

    #[test]
    fn http_validators_without_etag_or_last_modified_are_content() {
        let meta = |e_tag: Option<&str>, at: &str| object_store::ObjectMeta {
            location: "dists/x/main/source/Sources.xz".into(),
            last_modified: at.parse().unwrap(),
            size: 3,
            e_tag: e_tag.map(str::to_owned),
            version: None,
        };
        let (epoch, later) = ("1970-01-01T00:00:00Z", "2023-11-14T22:13:20Z");
        assert_eq!(http_tag(&meta(None, epoch), b"abc"), content_tag(b"abc"));
        assert_ne!(
            http_tag(&meta(None, epoch), b"abc"),
            http_tag(&meta(None, epoch), b"abd")
        );
        assert_eq!(http_tag(&meta(None, later), b"abc"), "3:1700000000:-");
        assert_eq!(http_tag(&meta(Some("\"x\""), epoch), b""), "3:0:\"x\"");
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
        assert!(decompress_xz(b"not xz").is_err());
        assert!(decompress_gz(b"not gzip").is_err());
    }
}
