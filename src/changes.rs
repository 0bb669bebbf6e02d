//! `.changes` files: finding them in a directory, parsing them as deb822,
//! filtering them, and verifying every file they list.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::checksums::{Digests, Expected};
use crate::exit_codes::ExitCode;

/// Fields a `.changes` must have to be uploaded.
const REQUIRED_FIELDS: &[&str] = &[
    "Format",
    "Date",
    "Source",
    "Architecture",
    "Version",
    "Distribution",
    "Maintainer",
    "Changes",
    "Files",
    "Checksums-Sha256",
];

/// Why `.changes` files could not be found or trusted.
#[derive(Debug, thiserror::Error)]
pub enum ChangesError {
    /// The directory does not exist.
    #[error("artifact directory {0} does not exist")]
    NoDirectory(PathBuf),
    /// The directory could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Nothing (that matches the filter) to upload.
    #[error("no {}.changes in {dir}", if *.filtered { "matching " } else { "" })]
    NoChanges {
        /// The directory searched.
        dir: PathBuf,
        /// Whether a filter removed some.
        filtered: bool,
    },
    /// The `.changes` is not a deb822 paragraph with the fields an upload needs.
    #[error("{path}: {reason}")]
    Invalid {
        /// The `.changes`.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A listed file does not match.
    #[error("{changes}: {file}: {problem}")]
    Mismatch {
        /// The `.changes`.
        changes: PathBuf,
        /// The listed file.
        file: String,
        /// What does not match.
        problem: String,
    },
}

impl ChangesError {
    /// Where this error stands in the exit-code table.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::NoDirectory(_) => ExitCode::ArtifactsMissing,
            Self::Io { .. } => ExitCode::Failure,
            Self::NoChanges { .. } => ExitCode::NoChanges,
            Self::Invalid { .. } | Self::Mismatch { .. } => ExitCode::Verification,
        }
    }
}

/// Which `.changes` to keep.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Keep only `*_source.changes`.
    pub source_only: bool,
    /// Keep only those whose Distribution names one of these (all when empty).
    pub distributions: Vec<String>,
}

impl Filter {
    fn needs_fields(&self) -> bool {
        !self.distributions.is_empty()
    }

    fn keeps_name(&self, name: &str) -> bool {
        !self.source_only || name.ends_with("_source.changes")
    }

    fn keeps(&self, changes: &Changes) -> bool {
        self.distributions.is_empty()
            || changes
                .distribution
                .split_whitespace()
                .any(|d| self.distributions.iter().any(|want| want == d))
    }
}

/// One file listed in a `.changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedFile {
    /// Plain file name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, from Checksums-Sha256.
    pub sha256: Option<String>,
}

/// A parsed `.changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Where it is.
    pub path: PathBuf,
    /// Source package.
    pub source: String,
    /// Version.
    pub version: String,
    /// Target distribution(s).
    pub distribution: String,
    /// Architectures.
    pub architectures: Vec<String>,
    /// Files, as listed in Files, with their SHA-256.
    pub files: Vec<ListedFile>,
    #[serde(skip)]
    expected: Vec<Expected>,
}

impl Changes {
    /// The file name of the `.changes` itself.
    pub fn file_name(&self) -> String {
        file_name(&self.path)
    }

    /// Reads and parses a `.changes` (signed or not).
    ///
    /// # Errors
    /// [`ChangesError::Io`] when it cannot be read, [`ChangesError::Invalid`]
    /// when it is not deb822, misses a field an upload needs, or lists a file
    /// name that is not a plain name.
    pub fn read(path: &Path) -> Result<Self, ChangesError> {
        let text = std::fs::read(path).map_err(|source| ChangesError::Io {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8(text).map_err(|_| invalid(path, "not UTF-8"))?;
        Self::parse(path, &text)
    }

    fn parse(path: &Path, text: &str) -> Result<Self, ChangesError> {
        let body = strip_signature(text).map_err(|r| invalid(path, r))?;
        let doc: deb822_fast::Deb822 = body
            .parse()
            .map_err(|e| invalid(path, &format!("not a deb822 file: {e}")))?;
        let mut paragraphs = doc.into_iter();
        let paragraph = paragraphs
            .next()
            .ok_or_else(|| invalid(path, "empty file"))?;
        if paragraphs.next().is_some() {
            return Err(invalid(path, "more than one paragraph"));
        }
        for field in REQUIRED_FIELDS {
            if paragraph.get(field).is_none_or(|v| v.trim().is_empty()) {
                return Err(invalid(path, &format!("missing field {field}")));
            }
        }
        let field = |name: &str| paragraph.get(name).unwrap_or_default().trim().to_owned();

        let mut expected = Vec::new();
        let mut files = Vec::new();
        for (field_name, digest_of) in [
            (
                "Files",
                Expected::md5 as fn(String, u64, String) -> Expected,
            ),
            ("Checksums-Sha1", Expected::sha1),
            ("Checksums-Sha256", Expected::sha256),
        ] {
            let Some(value) = paragraph.get(field_name) else {
                continue;
            };
            for line in value.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let words: Vec<&str> = line.split_whitespace().collect();
                // Files: md5 size section priority name; Checksums-*: digest size name.
                let (digest, size, name) = match (field_name, words.as_slice()) {
                    ("Files", [digest, size, _, _, name]) => (digest, size, name),
                    (_, [digest, size, name]) if field_name != "Files" => (digest, size, name),
                    _ => {
                        return Err(invalid(
                            path,
                            &format!("malformed {field_name} line {line:?}"),
                        ))
                    }
                };
                if !is_plain_file_name(name) {
                    return Err(invalid(
                        path,
                        &format!("{field_name} lists {name:?}, which is not a plain file name"),
                    ));
                }
                let size: u64 = size
                    .parse()
                    .map_err(|_| invalid(path, &format!("bad size in {field_name}: {line:?}")))?;
                let is_hex = digest.bytes().all(|b| b.is_ascii_hexdigit());
                if !is_hex {
                    return Err(invalid(
                        path,
                        &format!("bad digest in {field_name}: {line:?}"),
                    ));
                }
                if field_name == "Files" {
                    files.push(ListedFile {
                        name: (*name).to_owned(),
                        size,
                        sha256: None,
                    });
                }
                expected.push(digest_of(
                    (*name).to_owned(),
                    size,
                    digest.to_ascii_lowercase(),
                ));
            }
        }
        if files.is_empty() {
            return Err(invalid(path, "Files lists nothing"));
        }
        for file in &mut files {
            file.sha256 = expected.iter().find_map(|e| e.sha256_of(&file.name));
            if file.sha256.is_none() {
                return Err(invalid(
                    path,
                    &format!("{} is in Files but not in Checksums-Sha256", file.name),
                ));
            }
        }
        Ok(Self {
            path: path.to_owned(),
            source: field("Source")
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned(),
            version: field("Version"),
            distribution: field("Distribution"),
            architectures: field("Architecture")
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            files,
            expected,
        })
    }

    /// Checks every listed file: present beside the `.changes`, a regular
    /// file, with the listed size and every listed checksum. Each file is
    /// read once, whatever the number of checksums.
    ///
    /// # Errors
    /// [`ChangesError::Mismatch`] for the first file that does not match.
    pub fn verify(&self) -> Result<(), ChangesError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        for file in &self.files {
            let path = dir.join(&file.name);
            let mismatch = |problem: String| ChangesError::Mismatch {
                changes: self.path.clone(),
                file: file.name.clone(),
                problem,
            };
            let meta = std::fs::metadata(&path).map_err(|e| mismatch(format!("missing ({e})")))?;
            if !meta.is_file() {
                return Err(mismatch("not a regular file".into()));
            }
            let digests =
                Digests::of_file(&path).map_err(|e| mismatch(format!("unreadable ({e})")))?;
            for expected in self.expected.iter().filter(|e| e.name() == file.name) {
                expected.check(&digests).map_err(mismatch)?;
            }
        }
        for expected in &self.expected {
            if !self.files.iter().any(|f| f.name == expected.name()) {
                return Err(ChangesError::Mismatch {
                    changes: self.path.clone(),
                    file: expected.name().to_owned(),
                    problem: "listed in a checksum field but not in Files".into(),
                });
            }
        }
        Ok(())
    }
}

fn invalid(path: &Path, reason: &str) -> ChangesError {
    ChangesError::Invalid {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether `name` is one plain file name: not empty, not `.` or `..`, no `/`,
/// no NUL, no leading `-` (it would read as an option to debsign or dput).
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.starts_with('-')
        && !name.contains(['/', '\\', '\0'])
}

/// The payload of an OpenPGP clear-signed message, or the text as it is.
fn strip_signature(text: &str) -> Result<String, &'static str> {
    const HEADER: &str = "-----BEGIN PGP SIGNED MESSAGE-----";
    const SIGNATURE: &str = "-----BEGIN PGP SIGNATURE-----";
    let trimmed = text.trim_start();
    if !trimmed.starts_with(HEADER) {
        return Ok(text.to_owned());
    }
    let mut lines = trimmed.lines().skip(1);
    // Armor headers (Hash: ...) end at the first empty line.
    for line in lines.by_ref() {
        if line.trim().is_empty() {
            break;
        }
    }
    let mut body = String::new();
    for line in lines {
        if line == SIGNATURE {
            return Ok(body);
        }
        // Dash-escaped lines (RFC 4880 7.1).
        body.push_str(line.strip_prefix("- ").unwrap_or(line));
        body.push('\n');
    }
    Err("clear-signed message without a signature")
}

/// How `find` treats each `.changes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Parse and check every listed file.
    Yes,
    /// Take the file as it is (it is parsed only when a filter needs fields).
    No,
}

/// A `.changes` found in a directory: its path, and its parsed form unless
/// verification was skipped and no filter needed it.
#[derive(Debug, Clone)]
pub struct Found {
    /// Where it is.
    pub path: PathBuf,
    /// The parsed file, when it was parsed.
    pub changes: Option<Changes>,
}

/// The `.changes` files in `dir`, sorted by path, kept by `filter`, each
/// verified first unless `verify` is [`Verify::No`]. Hashing runs on the
/// blocking pool.
///
/// # Errors
/// [`ChangesError::NoDirectory`] when `dir` does not exist,
/// [`ChangesError::NoChanges`] when nothing is left, and the first
/// verification error.
pub async fn find(dir: &Path, filter: &Filter, verify: Verify) -> Result<Vec<Found>, ChangesError> {
    let dir = dir.to_owned();
    let filter = filter.clone();
    tokio::task::spawn_blocking(move || find_blocking(&dir, &filter, verify))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

fn find_blocking(dir: &Path, filter: &Filter, verify: Verify) -> Result<Vec<Found>, ChangesError> {
    let entries = std::fs::read_dir(dir).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ChangesError::NoDirectory(dir.to_owned())
        } else {
            ChangesError::Io {
                path: dir.to_owned(),
                source,
            }
        }
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| ChangesError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".changes") && !name.starts_with('.') {
            paths.push(entry.path());
        }
    }
    paths.sort();
    let any = !paths.is_empty();
    let mut found = Vec::new();
    for path in paths {
        if !filter.keeps_name(&file_name(&path)) {
            continue;
        }
        let changes = if verify == Verify::Yes || filter.needs_fields() {
            let changes = Changes::read(&path)?;
            if !filter.keeps(&changes) {
                continue;
            }
            if verify == Verify::Yes {
                changes.verify()?;
            }
            Some(changes)
        } else {
            None
        };
        found.push(Found { path, changes });
    }
    if found.is_empty() {
        return Err(ChangesError::NoChanges {
            dir: dir.to_owned(),
            filtered: any,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANGES: &str = "\
Format: 1.8
Date: Fri, 27 Nov 2026 12:00:00 +0000
Source: hello (1.0-1)
Architecture: source
Version: 1.0-1
Distribution: unstable experimental
Maintainer: Test <test@example.com>
Changes:
 hello (1.0-1) unstable; urgency=medium
 .
   * Initial release.
Checksums-Sha1:
 a9993e364706816aba3e25717850c26c9cd0d89d 3 hello_1.0-1.dsc
Checksums-Sha256:
 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 hello_1.0-1.dsc
Files:
 900150983cd24fb0d6963f7d28e17f72 3 devel optional hello_1.0-1.dsc
";

    fn with_dsc(text: &str, dsc: &[u8]) -> (tempfile::TempDir, Changes) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hello_1.0-1.dsc"), dsc).unwrap();
        let path = dir.path().join("hello_1.0-1_source.changes");
        std::fs::write(&path, text).unwrap();
        let changes = Changes::read(&path).unwrap();
        (dir, changes)
    }

    #[test]
    fn parses_and_verifies() {
        let (_dir, changes) = with_dsc(CHANGES, b"abc");
        assert_eq!(changes.source, "hello");
        assert_eq!(changes.version, "1.0-1");
        assert_eq!(changes.architectures, vec!["source"]);
        assert_eq!(changes.files.len(), 1);
        changes.verify().unwrap();
    }

    #[test]
    fn detects_tampering() {
        let (_dir, changes) = with_dsc(CHANGES, b"abd");
        let err = changes.verify().unwrap_err();
        assert!(err.to_string().contains("MD5"), "{err}");
        assert_eq!(err.exit_code(), ExitCode::Verification);
        let (_dir, changes) = with_dsc(CHANGES, b"abcd");
        assert!(changes.verify().unwrap_err().to_string().contains("size"));
    }

    #[test]
    fn refuses_names_that_leave_the_directory() {
        let text = CHANGES.replace("devel optional hello_1.0-1.dsc", "devel optional ../x");
        let err = Changes::parse(Path::new("x.changes"), &text).unwrap_err();
        assert!(err.to_string().contains("not a plain file name"), "{err}");
    }

    #[test]
    fn requires_upload_fields() {
        let text = CHANGES.replace("Version: 1.0-1\n", "");
        let err = Changes::parse(Path::new("x.changes"), &text).unwrap_err();
        assert!(err.to_string().contains("missing field Version"), "{err}");
    }

    #[test]
    fn reads_clear_signed_files() {
        let signed = format!(
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n{CHANGES}\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n"
        );
        let changes = Changes::parse(Path::new("x.changes"), &signed).unwrap();
        assert_eq!(changes.distribution, "unstable experimental");
    }

    #[test]
    fn filters_by_any_distribution() {
        let changes = Changes::parse(Path::new("x.changes"), CHANGES).unwrap();
        let filter = |d: &str| Filter {
            source_only: false,
            distributions: vec![d.into()],
        };
        assert!(filter("experimental").keeps(&changes));
        assert!(!filter("stable").keeps(&changes));
    }

    #[test]
    fn plain_file_names() {
        assert!(is_plain_file_name("hello_1.0-1+jan1.dsc"));
        for bad in ["", ".", "..", "../x", "a/b", "-k", "a\0b"] {
            assert!(!is_plain_file_name(bad), "{bad:?}");
        }
    }
}
