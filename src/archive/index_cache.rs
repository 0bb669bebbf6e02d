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

    /// The index of packages and versions given sorted by package, each
    /// once (no copy of the pairs is made to sort them); pairs a line
    /// cannot hold are left out.
    pub fn from_sorted<'t>(pairs: impl IntoIterator<Item = (&'t str, &'t str)>) -> Self {
        let mut index = Self::default();
        for (package, version) in pairs {
            let fits = [package, version]
                .iter()
                .all(|s| !s.is_empty() && !s.contains(char::is_whitespace));
            if !fits {
                continue;
            }
            debug_assert!(index.starts.is_empty() || index.line(index.len() - 1).0 < package);
            index.starts.push(index.text.len());
            index.text.push_str(package);
            index.text.push(' ');
            index.text.push_str(version);
            index.text.push('\n');
        }
        index.text.shrink_to_fit();
        index.starts.shrink_to_fit();
        index
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
    pub index: Lines,
    /// The files read, in order.
    pub seen: Vec<Seen>,
}

/// The cache file of `suite` of the archive at `url` (the URL as given,
/// which is hashed: a password in it never reaches a file name).
pub fn file(dir: &Path, url: &str, suite: &crate::input::names::Suite) -> PathBuf {
    let digest = sha2::Sha256::digest(format!("{url}\n{suite}").as_bytes());
    let name: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("sources-{name}"))
}

/// A suite's index as it is looked up: in memory (just read, with no
/// cache directory), or in its cache file, by bisection.
#[derive(Debug)]
pub enum Lines {
    /// Parsed and held in memory.
    Memory(Index),
    /// In a cache file: memory does not grow with the index.
    Disk(DiskIndex),
}

impl Default for Lines {
    fn default() -> Self {
        Self::Memory(Index::default())
    }
}

impl Lines {
    /// The version of `package`, as written.
    pub fn get(&self, package: &str) -> Option<String> {
        match self {
            Self::Memory(index) => index.get(package).map(str::to_owned),
            Self::Disk(index) => index.get(package),
        }
    }

    /// How many packages.
    pub fn len(&self) -> usize {
        match self {
            Self::Memory(index) => index.len(),
            Self::Disk(index) => index.lines,
        }
    }

    /// Whether it lists none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The sorted `PACKAGE VERSION` lines of a cache file, from byte `start`
/// to `end`, searched with positioned reads (a few small reads of a file
/// the kernel caches).
#[derive(Debug)]
pub struct DiskIndex {
    file: std::fs::File,
    start: u64,
    end: u64,
    lines: usize,
}

/// The longest line a cache file may hold.
const MAX_LINE: usize = 4096;

impl DiskIndex {
    /// The version of `package`: the first line whose package is not less
    /// than it, found by bisection over byte offsets, if it is that
    /// package's. A read error finds nothing.
    pub fn get(&self, package: &str) -> Option<String> {
        let (mut lo, mut hi) = (self.start, self.end);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.line_from(mid)? {
                Some((name, _)) if name.as_str() < package => lo = mid + 1,
                _ => hi = mid,
            }
        }
        let (name, version) = self.line_from(lo)??;
        (name == package).then_some(version)
    }

    /// The first whole line starting at or after `offset`: `Some(None)`
    /// past the last one, `None` on a read error or a malformed line.
    fn line_from(&self, offset: u64) -> Option<Option<(String, String)>> {
        use std::os::unix::fs::FileExt;
        let mut at = offset;
        if at > self.start {
            // Unless `at` starts a line, the line starts after the next newline.
            let mut buf = vec![0u8; MAX_LINE + 1];
            let n = self.file.read_at(&mut buf, at - 1).ok()?;
            let newline = buf[..n].iter().position(|&b| b == b'\n')?;
            at = at - 1 + newline as u64 + 1;
        }
        if at >= self.end {
            return Some(None);
        }
        let mut buf = vec![0u8; MAX_LINE];
        let n = self.file.read_at(&mut buf, at).ok()?;
        let line = &buf[..n];
        let end = line.iter().position(|&b| b == b'\n')?;
        let line = std::str::from_utf8(&line[..end]).ok()?;
        let (name, version) = line.split_once(' ')?;
        Some(Some((name.to_owned(), version.to_owned())))
    }
}

/// Opens the cache file `path` only when it can be trusted as auto-upload's
/// own: its directory owned by the running user and writable by nobody
/// else, the file a regular file (not a link: `O_NOFOLLOW`; not a FIFO:
/// `O_NONBLOCK` keeps the open from waiting) owned by the running user and
/// writable by nobody else. `None` otherwise (logged).
fn open_trusted(path: &Path) -> Option<std::fs::File> {
    use rustix::fs::{fstat, open, openat, FileType, Mode, OFlags};
    let dir = path.parent()?;
    let name = path.file_name()?;
    let me = rustix::process::geteuid().as_raw();
    let trusted = |stat: &rustix::fs::Stat| stat.st_uid == me && stat.st_mode & 0o022 == 0;
    let dirfd = open(
        dir,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    if !trusted(&fstat(&dirfd).ok()?) {
        tracing::warn!(dir = %dir.display(), "the cache directory is not the running user's alone; not using it");
        return None;
    }
    let fd = openat(
        &dirfd,
        name,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    let stat = fstat(&fd).ok()?;
    if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile || !trusted(&stat) {
        tracing::warn!(file = %path.display(), "a cache file that is not a regular file of the running user's alone; ignored");
        return None;
    }
    Some(std::fs::File::from(fd))
}

/// The suite stored in `path`, if it is there, can be trusted
/// ([`open_trusted`]) and is well formed; its lines are checked (sorted,
/// `PACKAGE VERSION`) as a stream and then looked up on disk.
pub fn load(path: &Path) -> Option<Suite> {
    use std::io::{BufRead, BufReader, Read, Seek};
    let file = open_trusted(path)?;
    let size = file.metadata().ok()?.len();
    if size > MAX_CACHE_BYTES {
        return None;
    }
    let mut reader = BufReader::new(file.try_clone().ok()?.take(MAX_CACHE_BYTES));
    let mut head = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 || line.len() > MAX_LINE {
            return None;
        }
        if line == "\n" {
            break;
        }
        head.push_str(&line);
    }
    let seen = parse_head(&head)?;
    let start = reader.stream_position().ok()?;
    let mut previous = String::new();
    let mut lines = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .ok()?;
        if n == 0 {
            break;
        }
        let text = std::str::from_utf8(buf.strip_suffix(b"\n")?).ok()?;
        let (package, version) = text.split_once(' ')?;
        if package.is_empty()
            || version.is_empty()
            || version.contains(' ')
            || package <= previous.as_str()
        {
            return None;
        }
        previous.clear();
        previous.push_str(package);
        lines += 1;
    }
    Some(Suite {
        index: Lines::Disk(DiskIndex {
            file,
            start,
            end: size,
            lines,
        }),
        seen,
    })
}

/// The validators of a cache file's head (after its format line).
fn parse_head(head: &str) -> Option<Vec<Seen>> {
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
    (!seen.is_empty()).then_some(seen)
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
    let Lines::Memory(index) = &suite.index else {
        return Ok(()); // read from this very file
    };
    text.push_str(index.as_text());
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
    use std::os::unix::fs::PermissionsExt;

    fn private_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        dir
    }

    #[test]
    fn stored_and_looked_up_on_disk() {
        let dir = private_dir();
        let path = file(
            dir.path(),
            "file:///srv/archive",
            &"unstable".parse().unwrap(),
        );
        let names: Vec<String> = (0..5000).map(|n| format!("p{n:05}")).collect();
        let mut pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "1.0-1")).collect();
        pairs.extend([("b", "1"), ("a", "1:2.0-1"), ("bad name", "1")]);
        let mut suite = Suite {
            index: Lines::Memory(Index::from_newest(pairs)),
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
        assert!(matches!(loaded.index, Lines::Disk(_)));
        assert_eq!(loaded.seen, suite.seen);
        assert_eq!(loaded.index.len(), 5002);
        assert_eq!(loaded.index.get("a").as_deref(), Some("1:2.0-1"));
        assert_eq!(loaded.index.get("b").as_deref(), Some("1"));
        assert_eq!(loaded.index.get("p00000").as_deref(), Some("1.0-1"));
        assert_eq!(loaded.index.get("p04999").as_deref(), Some("1.0-1"));
        assert_eq!(loaded.index.get("p02500").as_deref(), Some("1.0-1"));
        for missing in ["bad name", "c", "", "0", "p0", "p050000", "zzz"] {
            assert_eq!(loaded.index.get(missing), None, "{missing}");
        }
        assert_ne!(
            path,
            file(
                dir.path(),
                "file:///srv/archive",
                &"stable".parse().unwrap()
            )
        );
    }

    #[test]
    fn damaged_files_are_ignored() {
        let dir = private_dir();
        let path = dir.path().join("sources-x");
        let load_text = |s: &str| {
            std::fs::write(&path, s).unwrap();
            load(&path)
        };
        assert!(load_text("").is_none());
        assert!(load_text("something else\nseen a 1\n\na 1\n").is_none());
        assert!(load_text(&format!("{MAGIC}\n\na 1\n")).is_none());
        assert!(load_text(&format!("{MAGIC}\nseen a 1\n\nno-version\n")).is_none());
        assert!(
            load_text(&format!("{MAGIC}\nseen a 1\n\nb 1\na 1\n")).is_none(),
            "unsorted"
        );
        assert!(
            load_text(&format!("{MAGIC}\nseen a 1\n\na 1\nb 2")).is_none(),
            "cut short"
        );
        assert!(load_text(&format!("{MAGIC}\nseen a 1\n\na 1\nb 2\n")).is_some());
    }

    #[test]
    fn only_the_running_users_own_files_are_trusted() {
        let dir = private_dir();
        let path = dir.path().join("sources-x");
        std::fs::write(&path, format!("{MAGIC}\nseen a 1\n\na 1\n")).unwrap();
        assert!(load(&path).is_some());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(load(&path).is_none(), "writable by others");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        if rustix::process::geteuid().is_root() {
            std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
            assert!(load(&path).is_none(), "another user's");
        }
        std::fs::remove_file(&path).unwrap();
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &path,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        assert!(load(&path).is_none(), "a FIFO, without blocking");
        std::fs::remove_file(&path).unwrap();
        std::fs::write(
            dir.path().join("real"),
            format!("{MAGIC}\nseen a 1\n\na 1\n"),
        )
        .unwrap();
        std::os::unix::fs::symlink(dir.path().join("real"), &path).unwrap();
        assert!(load(&path).is_none(), "a link");
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, format!("{MAGIC}\nseen a 1\n\na 1\n")).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(load(&path).is_none(), "a directory others may write");
    }
}
