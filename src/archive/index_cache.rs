//! Parsed Sources indices kept on disk between runs of the program, each
//! with what the archive's files were when it was read (a local file's
//! device, inode, size and change times; an HTTP object's size, ETag and
//! Last-Modified), so that `upload-run`, `backfill` and `ledger reconcile`
//! decompress and parse a suite's index only when the archive changed it.
//!
//! The directory is auto-upload's own and trusted like its configuration;
//! still, a file in it that cannot be read or parsed is only ignored (and
//! replaced after the next read of the archive).

use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use sha2::Digest;

/// The first line of a cache file: its format.
const MAGIC: &str = "auto-upload Sources cache 1";

/// The largest cache file read, in bytes.
const MAX_CACHE_BYTES: u64 = 256 << 20;

/// The newest version of each source package in one suite, as written: one
/// `PACKAGE VERSION` line each, sorted by package and searched by bisection,
/// so that a suite of tens of thousands is loaded without building a map.
#[derive(Debug, Default)]
pub struct Index {
    text: String,
    starts: Vec<usize>,
}

impl Index {
    /// The index of these packages and versions (a package once); pairs
    /// a line cannot hold (empty, or with white space) are left out.
    pub fn from_newest<'t>(pairs: impl IntoIterator<Item = (&'t str, &'t str)>) -> Self {
        let mut pairs: Vec<_> = pairs
            .into_iter()
            .filter(|(p, v)| {
                [p, v]
                    .iter()
                    .all(|s| !s.is_empty() && !s.contains(char::is_whitespace))
            })
            .collect();
        pairs.sort_unstable();
        let mut text =
            String::with_capacity(pairs.iter().map(|(p, v)| p.len() + v.len() + 2).sum());
        let mut starts = Vec::with_capacity(pairs.len());
        for (package, version) in pairs {
            starts.push(text.len());
            text.push_str(package);
            text.push(' ');
            text.push_str(version);
            text.push('\n');
        }
        Self { text, starts }
    }

    /// The index written by [`Index::as_text`]; `None` when a line is not
    /// `PACKAGE VERSION` or the lines are not sorted.
    fn from_text(text: String) -> Option<Self> {
        let mut starts = Vec::with_capacity(text.len() / 24);
        let mut previous = "";
        let mut at = 0;
        for line in text.split_terminator('\n') {
            let (package, version) = line.split_once(' ')?;
            if package.is_empty()
                || version.is_empty()
                || version.contains(' ')
                || package <= previous
            {
                return None;
            }
            starts.push(at);
            at += line.len() + 1;
            previous = package;
        }
        Some(Self { text, starts })
    }

    /// The lines, as kept on disk.
    fn as_text(&self) -> &str {
        &self.text
    }

    fn line(&self, n: usize) -> (&str, &str) {
        let rest = &self.text[self.starts[n]..];
        let line = rest.split('\n').next().unwrap_or_default();
        line.split_once(' ').unwrap_or((line, ""))
    }

    /// The version of `package`, as written.
    pub fn get(&self, package: &str) -> Option<&str> {
        let n = self
            .starts
            .binary_search_by(|&start| {
                let rest = &self.text[start..];
                let name = rest.split(' ').next().unwrap_or_default();
                name.cmp(package)
            })
            .ok()?;
        Some(self.line(n).1)
    }

    /// How many packages.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether it lists none.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

/// One file of the archive as it was read: its path under the archive and
/// its validator (`None`: it did not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Under the archive's root, e.g. `dists/unstable/Release`.
    pub path: String,
    /// What tells whether it changed since; `None` when it was absent.
    pub tag: Option<String>,
}

/// A suite's index with the files it was read from.
#[derive(Debug, Default)]
pub struct Suite {
    /// Source package → newest version.
    pub index: Index,
    /// The files read, in order.
    pub seen: Vec<Seen>,
}

/// The cache file of `suite` of the archive at `url` (the URL as given,
/// which is hashed: a password in it never reaches a file name).
pub fn file(dir: &Path, url: &str, suite: &str) -> PathBuf {
    let digest = sha2::Sha256::digest(format!("{url}\n{suite}").as_bytes());
    let name: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("sources-{name}"))
}

/// The suite stored in `path`, if it is there and well formed.
pub fn load(path: &Path) -> Option<Suite> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_CACHE_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    parse(text)
}

fn parse(mut text: String) -> Option<Suite> {
    let split = text.find("\n\n")?;
    let body = text.split_off(split + 2);
    let head = &text[..split];
    let mut lines = head.lines();
    if lines.next()? != MAGIC {
        return None;
    }
    let mut seen = Vec::new();
    for line in lines {
        let Some(rest) = line.strip_prefix("seen ") else {
            continue; // the archive and suite, for people reading the file
        };
        let (path, tag) = rest.split_once(' ')?;
        seen.push(Seen {
            path: path.to_owned(),
            tag: (tag != "-").then(|| tag.to_owned()),
        });
    }
    if seen.is_empty() {
        return None;
    }
    let index = Index::from_text(body)?;
    Some(Suite { index, seen })
}

/// Writes `suite` to `path` (its directory created, mode 0700), replacing
/// any file there at once (a reader sees the old file or the new one).
///
/// # Errors
/// The directory or file cannot be written.
pub fn store(path: &Path, archive: &str, name: &str, suite: &Suite) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let mut text = format!("{MAGIC}\narchive {archive}\nsuite {name}\n");
    for seen in &suite.seen {
        let tag = seen.tag.as_deref().unwrap_or("-");
        text.push_str(&format!("seen {} {tag}\n", seen.path));
    }
    text.push('\n');
    text.push_str(suite.index.as_text());
    let mut file = tempfile::Builder::new()
        .prefix(".sources-")
        .tempfile_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_and_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "file:///srv/archive", "unstable");
        let mut suite = Suite {
            index: Index::from_newest([("b", "1"), ("a", "1:2.0-1"), ("bad name", "1")]),
            ..Default::default()
        };
        suite.seen = vec![
            Seen {
                path: "dists/unstable/Release".into(),
                tag: Some("\"etag with space\"".into()),
            },
            Seen {
                path: "dists/unstable/main/source/Sources.xz".into(),
                tag: None,
            },
        ];
        store(&path, "file:///srv/archive", "unstable", &suite).unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.seen, suite.seen);
        assert_eq!(loaded.index.len(), 2);
        assert_eq!(loaded.index.get("a"), Some("1:2.0-1"));
        assert_eq!(loaded.index.get("b"), Some("1"));
        assert_eq!(loaded.index.get("bad name"), None);
        assert_eq!(loaded.index.get("c"), None);
        assert_ne!(path, file(dir.path(), "file:///srv/archive", "stable"));
    }

    #[test]
    fn damaged_files_are_ignored() {
        let parse = |s: &str| parse(s.to_owned());
        assert!(parse("").is_none());
        assert!(parse("something else\nseen a 1\n\na 1\n").is_none());
        assert!(parse(&format!("{MAGIC}\n\na 1\n")).is_none());
        assert!(parse(&format!("{MAGIC}\nseen a 1\n\nno-version\n")).is_none());
        assert!(
            parse(&format!("{MAGIC}\nseen a 1\n\nb 1\na 1\n")).is_none(),
            "unsorted"
        );
        assert!(parse(&format!("{MAGIC}\nseen a 1\n\na 1\nb 2\n")).is_some());
    }
}
