//! `.changes` files: finding them in a directory, parsing them as deb822,
//! filtering them, and verifying every file they list.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::exit_codes::{ExitCode, HasExitCode};
use crate::input::checksums::{Algorithm, Digests, Expected};
use crate::input::names::{Distribution, SourcePackage, Suite, Version};
use crate::input::safe_fs::{self, OpenError};
use crate::input::syntax::{self, FileName, InvalidFileName};

/// The largest `.changes` read, in bytes.
pub const MAX_CHANGES_BYTES: u64 = 4 << 20;

/// The file lists auto-upload verifies. Any other field whose name starts
/// with `Files` or `Checksums` is refused: debsign and dput would read
/// names from it that nothing checked.
const FILE_LISTS: [&str; 3] = ["Files", "Checksums-Sha1", "Checksums-Sha256"];

/// Fields that must be one line (they are printed, or name the upload).
const SINGLE_LINE_FIELDS: &[&str] = &[
    "Format",
    "Date",
    "Source",
    "Version",
    "Distribution",
    "Architecture",
    "Maintainer",
    "Changed-By",
    "Urgency",
];

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
    /// The `.changes` is not what the run's record or the operator's
    /// selection allows.
    #[error(transparent)]
    Refused(#[from] Mismatch),
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

impl HasExitCode for ChangesError {
    fn exit_code(&self) -> ExitCode {
        match self {
            Self::NoDirectory(_) => ExitCode::ArtifactsMissing,
            Self::Io { .. } => ExitCode::Failure,
            Self::NoChanges { .. } => ExitCode::NoChanges,
            Self::Invalid { .. } | Self::Mismatch { .. } | Self::Refused(_) => {
                ExitCode::Verification
            }
        }
    }
}

/// A `.changes` that does not match what the run's record (or the
/// operator's selection) allows: refused before anything is signed, and
/// never tried again, since trying again cannot help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{changes}: {field} is {found}, but {origin} {wanted}")]
pub struct Mismatch {
    /// The `.changes` file name.
    pub changes: String,
    /// The field compared (`Source`, `Version`, `Distribution`, `Binary`,
    /// `Architecture`, `Files`, or the file name).
    pub field: &'static str,
    /// What was allowed, as a phrase: "records auhello", "allows only
    /// source files".
    pub wanted: String,
    /// What the `.changes` says.
    pub found: String,
    /// Who allows it: "the run's debian_build row", "--source-only".
    pub origin: String,
}

impl HasExitCode for Mismatch {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Verification
    }
}

/// Which `.changes` to keep.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Keep only source uploads, by content: `Architecture: source` and
    /// nothing but source files. A `*_source.changes` that lists anything
    /// else is refused, not left out.
    pub source_only: bool,
    /// Keep only those whose Distribution names one of these (all when empty).
    pub distributions: Vec<Suite>,
}

impl Filter {
    fn needs_fields(&self) -> bool {
        self.source_only || !self.distributions.is_empty()
    }

    /// Whether to keep a parsed `.changes`; a `.changes` named as a source
    /// upload that lists anything but source files, under `--source-only`,
    /// is refused.
    ///
    /// # Errors
    /// [`Mismatch`] for that `.changes`.
    pub fn keeps(&self, changes: &Changes) -> Result<bool, Mismatch> {
        if self.source_only && !changes.is_source_only() {
            if changes.file_name().ends_with("_source.changes") {
                return Err(changes.not_source_only());
            }
            return Ok(false);
        }
        Ok(self.distributions.is_empty()
            || self
                .distributions
                .iter()
                .any(|want| changes.distribution.names(want)))
    }
}

/// Whether a listed file is part of a source upload: the `.dsc`, its
/// tarballs (and their upstream signatures), a `.diff.gz`, the source
/// `.buildinfo`.
pub fn is_source_file(name: &FileName) -> bool {
    let name = name.as_str();
    let tarball = name.strip_suffix(".asc").unwrap_or(name);
    let tarball = [".gz", ".bz2", ".xz", ".lzma", ".zst"]
        .iter()
        .find_map(|c| tarball.strip_suffix(c))
        .unwrap_or(tarball);
    name.ends_with(".dsc")
        || name.ends_with(".diff.gz")
        || name.ends_with("_source.buildinfo")
        || tarball.ends_with(".tar")
}

/// A listed binary package file (`.deb`, `.udeb`, `.ddeb`): its package
/// and architecture, from `PACKAGE_VERSION_ARCH.deb`; `Err` with the name
/// when it is a binary package whose name is not of that form.
fn binary_file(name: &FileName) -> Option<Result<(&str, &str), &str>> {
    let text = name.as_str();
    let stem = [".deb", ".udeb", ".ddeb"]
        .iter()
        .find_map(|ext| text.strip_suffix(ext))?;
    let mut parts = stem.split('_');
    Some(
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(package), Some(_), Some(arch), None)
                if syntax::is_package_name(package) && syntax::is_architecture(arch) =>
            {
                Ok((package, arch))
            }
            _ => Err(text),
        },
    )
}

/// One file listed in a `.changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedFile {
    /// The file's name, in Debian's file-name alphabet.
    pub name: FileName,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, from Checksums-Sha256.
    pub sha256: Option<String>,
}

/// A parsed `.changes`. It can only be made by parsing, which refuses
/// anything outside a strict subset of the format: every field that names
/// files is one auto-upload verifies, every name is a [`FileName`], and
/// the fields printed (Source, Version, Distribution, Architecture) are
/// single lines in their Debian syntax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Where it is.
    pub path: PathBuf,
    /// Source package.
    pub source: SourcePackage,
    /// Version.
    pub version: Version,
    /// Target distribution(s).
    pub distribution: Distribution,
    /// Architectures.
    pub architectures: Vec<String>,
    /// The binary packages the `Binary` field names (none for a source
    /// upload).
    pub binaries: Vec<String>,
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

    /// Reads and parses a `.changes` (signed or not): only a regular file,
    /// never through a link, at most 4 MiB.
    ///
    /// # Errors
    /// [`ChangesError::Io`] when it cannot be read, [`ChangesError::Invalid`]
    /// when it is a link or no regular file, or its text is not in the
    /// strict subset described on [`Changes`].
    pub fn read(path: &Path) -> Result<Self, ChangesError> {
        let file = safe_fs::open_regular(path).map_err(|e| match e {
            e if e.is_refusal() => invalid(path, &e.to_string()),
            OpenError::NotFound => ChangesError::Io {
                path: path.to_owned(),
                source: std::io::ErrorKind::NotFound.into(),
            },
            OpenError::Io(source) => ChangesError::Io {
                path: path.to_owned(),
                source,
            },
            e => invalid(path, &e.to_string()),
        })?;
        let mut text = Vec::new();
        file.take(MAX_CHANGES_BYTES + 1)
            .read_to_end(&mut text)
            .map_err(|source| ChangesError::Io {
                path: path.to_owned(),
                source,
            })?;
        if text.len() as u64 > MAX_CHANGES_BYTES {
            return Err(invalid(path, "larger than 4 MiB"));
        }
        let text = String::from_utf8(text).map_err(|_| invalid(path, "not UTF-8"))?;
        Self::parse(path, &text)
    }

    fn parse(path: &Path, text: &str) -> Result<Self, ChangesError> {
        check_characters(text).map_err(|r| invalid(path, &r))?;
        let body = strip_signature(text).map_err(|r| invalid(path, r))?;
        let lists = check_layout(&body).map_err(|r| invalid(path, &r))?;
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
        let printed = PrintedFields::check(
            &field("Source"),
            &field("Version"),
            &field("Distribution"),
            &field("Architecture"),
        )
        .map_err(|r| invalid(path, &r))?;
        let (files, expected) = file_lists(&lists).map_err(|r| invalid(path, &r))?;
        let binaries: Vec<String> = field("Binary")
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        if let Some(bad) = binaries.iter().find(|b| !syntax::is_package_name(b)) {
            return Err(invalid(
                path,
                &format!("Binary names {bad:?}, not a package name"),
            ));
        }
        Ok(Self {
            path: path.to_owned(),
            source: printed.source,
            version: printed.version,
            distribution: printed.distribution,
            architectures: printed.architectures,
            binaries,
            files,
            expected,
        })
    }

    /// Whether it is a source upload by content: `Architecture: source`
    /// and nothing but source files.
    pub fn is_source_only(&self) -> bool {
        self.architectures == ["source"] && self.files.iter().all(|f| is_source_file(&f.name))
    }

    fn not_source_only(&self) -> Mismatch {
        let found = match self.files.iter().find(|f| !is_source_file(&f.name)) {
            Some(file) => ("Files", format!("listing {}", file.name)),
            None => ("Architecture", self.architectures.join(" ")),
        };
        self.mismatch(
            found.0,
            "allows only source uploads",
            found.1,
            "--source-only",
        )
    }

    /// A [`Mismatch`] of this `.changes`.
    pub fn mismatch(
        &self,
        field: &'static str,
        wanted: impl Into<String>,
        found: impl Into<String>,
        origin: impl Into<String>,
    ) -> Mismatch {
        Mismatch {
            changes: self.file_name(),
            field,
            wanted: wanted.into(),
            found: found.into(),
            origin: origin.into(),
        }
    }

    /// Checks what a `.changes` must be whoever recorded the run: at most
    /// one `.dsc` and one `.buildinfo` (debsign signs only the first it
    /// finds), and every binary package it lists named in `Binary` and of
    /// an architecture its `Architecture` field names.
    ///
    /// # Errors
    /// [`Mismatch`] for the first problem.
    pub fn check_shape(&self) -> Result<(), Mismatch> {
        for (suffix, what) in [(".dsc", "one .dsc"), (".buildinfo", "one .buildinfo")] {
            let listed: Vec<&str> = self
                .files
                .iter()
                .map(|f| f.name.as_str())
                .filter(|n| n.ends_with(suffix))
                .collect();
            if listed.len() > 1 {
                return Err(self.mismatch(
                    "Files",
                    format!("allows at most {what}"),
                    format!("listing {}", listed.join(", ")),
                    "auto-upload",
                ));
            }
        }
        for file in &self.files {
            let (package, arch) = match binary_file(&file.name) {
                None => continue,
                Some(Ok(parsed)) => parsed,
                Some(Err(name)) => {
                    return Err(self.mismatch(
                        "Files",
                        "allows binary packages named PACKAGE_VERSION_ARCH.deb",
                        format!("listing {name}"),
                        "auto-upload",
                    ))
                }
            };
            if !self.architectures.iter().any(|a| a == arch) {
                return Err(self.mismatch(
                    "Architecture",
                    format!("allows {} only with {arch} in it", file.name),
                    self.architectures.join(" "),
                    "auto-upload",
                ));
            }
            if !self.binaries.iter().any(|b| b == package) {
                return Err(self.mismatch(
                    "Binary",
                    format!("allows {} only with {package} in it", file.name),
                    self.binaries.join(" "),
                    "auto-upload",
                ));
            }
        }
        Ok(())
    }

    /// Checks every listed file: present beside the `.changes`, a regular
    /// file (not a link), with the listed size and every listed checksum.
    /// Each file is read once, whatever the number of checksums.
    ///
    /// # Errors
    /// [`ChangesError::Mismatch`] for the first file that does not match.
    pub fn verify(&self) -> Result<(), ChangesError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        for file in &self.files {
            let mismatch = |problem: String| ChangesError::Mismatch {
                changes: self.path.clone(),
                file: file.name.to_string(),
                problem,
            };
            let opened = safe_fs::open_regular(&dir.join(&file.name)).map_err(|e| match e {
                OpenError::NotFound => mismatch("missing".into()),
                e => mismatch(e.to_string()),
            })?;
            let digests =
                Digests::of_reader(opened).map_err(|e| mismatch(format!("unreadable ({e})")))?;
            for expected in self.expected.iter().filter(|e| e.name() == &file.name) {
                expected.check(&digests).map_err(mismatch)?;
            }
        }
        Ok(())
    }
}

/// The fields that are printed on stdout, each checked to be one line in
/// its Debian syntax.
struct PrintedFields {
    source: SourcePackage,
    version: Version,
    distribution: Distribution,
    architectures: Vec<String>,
}

impl PrintedFields {
    fn check(
        source: &str,
        version: &str,
        distribution: &str,
        architecture: &str,
    ) -> Result<Self, String> {
        // Source: NAME, or NAME (VERSION) when the binaries' version differs.
        let (name, source_version) = match source.split_once(' ') {
            Some((name, rest)) => (
                name,
                Some(
                    rest.strip_prefix('(')
                        .and_then(|r| r.strip_suffix(')'))
                        .unwrap_or(""),
                ),
            ),
            None => (source, None),
        };
        let name = match SourcePackage::parse(name) {
            Ok(name) if source_version.is_none_or(syntax::is_version) => name,
            _ => return Err(format!("Source {source:?} is not a package name")),
        };
        let Ok(version) = Version::parse(version) else {
            return Err(format!("Version {version:?} is not a Debian version"));
        };
        let Ok(distribution) = Distribution::parse(distribution) else {
            return Err(format!(
                "Distribution {distribution:?} is not a list of suite names"
            ));
        };
        if !syntax::is_word_list(architecture, syntax::is_architecture) {
            return Err(format!(
                "Architecture {architecture:?} is not a list of architectures"
            ));
        }
        Ok(Self {
            source: name,
            version,
            distribution,
            architectures: architecture.split(' ').map(str::to_owned).collect(),
        })
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

/// Refuses carriage returns (CRLF line ends) and control characters other
/// than tab and newline anywhere in the file.
fn check_characters(text: &str) -> Result<(), String> {
    if text.contains('\r') {
        return Err("carriage return in the file (CRLF line ends?)".into());
    }
    match text
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        Some((at, c)) => Err(format!("control character {c:?} at byte {at}")),
        None => Ok(()),
    }
}

/// The payload of an OpenPGP clear-signed message, or the text as it is.
/// A signed file must be exactly the armor and nothing else: `Hash:`
/// headers, the dash-escaped text, a signature of base64 lines, and nothing
/// before or after it, so that no line escapes the checks on the payload.
fn strip_signature(text: &str) -> Result<String, &'static str> {
    const HEADER: &str = "-----BEGIN PGP SIGNED MESSAGE-----";
    const SIGNATURE: &str = "-----BEGIN PGP SIGNATURE-----";
    const END: &str = "-----END PGP SIGNATURE-----";
    if !text.contains("-----BEGIN PGP") {
        return Ok(text.to_owned());
    }
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err("text before the OpenPGP armor");
    }
    // Armor headers (Hash: ...) end at the first empty line.
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        let hashes = line
            .strip_prefix("Hash: ")
            .ok_or("unexpected OpenPGP armor header")?;
        if !hashes
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b", ".contains(&b))
        {
            return Err("unexpected OpenPGP armor header");
        }
    }
    let mut body = String::new();
    for line in lines.by_ref() {
        if line == SIGNATURE {
            break;
        }
        if line.starts_with('-') && !line.starts_with("- ") {
            return Err("an undashed line starting with '-' in the signed text");
        }
        // Dash-escaped lines (RFC 4880 7.1).
        body.push_str(line.strip_prefix("- ").unwrap_or(line));
        body.push('\n');
    }
    let mut ended = false;
    for line in lines {
        if ended {
            if !line.is_empty() {
                return Err("text after the OpenPGP signature");
            }
        } else if line == END {
            ended = true;
        } else if !line
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        {
            return Err("unexpected line in the OpenPGP signature");
        }
    }
    if !ended {
        return Err("clear-signed message without a complete signature");
    }
    Ok(body)
}

/// The raw lines of one file-list field.
struct RawList<'a> {
    field: &'static str,
    lines: Vec<&'a str>,
}

/// Checks the paragraph line by line, as debsign's and dput's own readers
/// see it, and returns the raw lines of the file lists: one paragraph; each
/// line a `Name: value` header or a continuation; no field twice; every
/// field whose name starts with `Files` or `Checksums` one of the lists
/// auto-upload verifies, starting on its own line; the lists last in the
/// paragraph (debsign looks for file names on every line after the first
/// of them); and the printed fields on one line.
fn check_layout(body: &str) -> Result<Vec<RawList<'_>>, String> {
    let mut seen: Vec<String> = Vec::new();
    let mut lists: Vec<RawList<'_>> = Vec::new();
    let mut current: Option<(String, Option<usize>)> = None;
    let mut ended = false;
    for line in body.lines() {
        if line.is_empty() {
            ended = true;
            continue;
        }
        if ended {
            return Err("more than one paragraph".into());
        }
        if line.starts_with([' ', '\t']) {
            let Some((name, list)) = &current else {
                return Err("a continuation line before the first field".into());
            };
            if SINGLE_LINE_FIELDS.contains(&name.as_str()) {
                return Err(format!("field {name} spans several lines"));
            }
            if let Some(index) = list {
                lists[*index].lines.push(line);
            }
            continue;
        }
        let (name, value) = field_line(line, &mut seen)?;
        let list = if let Some(field) = file_list_field(name, value)? {
            lists.push(RawList {
                field,
                lines: Vec::new(),
            });
            Some(lists.len() - 1)
        } else {
            if !lists.is_empty() {
                return Err(format!(
                    "field {name} follows the file lists, which must close the paragraph"
                ));
            }
            None
        };
        current = Some((name.to_owned(), list));
    }
    Ok(lists)
}

/// A field's first line, `Name: value`: a valid name, not given before
/// (in any case).
fn field_line<'l>(line: &'l str, seen: &mut Vec<String>) -> Result<(&'l str, &'l str), String> {
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| format!("line {line:?} is neither a field nor a continuation"))?;
    let name_ok = !name.is_empty()
        && !name.starts_with(['#', '-'])
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
    if !name_ok {
        return Err(format!("{name:?} is not a field name"));
    }
    let lower = name.to_ascii_lowercase();
    if seen.contains(&lower) {
        return Err(format!("field {name} given twice"));
    }
    seen.push(lower);
    Ok((name, value))
}

/// Which file list a field is, if its name says it lists files (any field
/// starting with `Files` or `Checksum`, in any case, must be one auto-upload
/// verifies and start on its own line).
fn file_list_field(name: &str, value: &str) -> Result<Option<&'static str>, String> {
    let lower = name.to_ascii_lowercase();
    if !(lower.starts_with("files") || lower.starts_with("checksum")) {
        return Ok(None);
    }
    let field = FILE_LISTS
        .iter()
        .copied()
        .find(|f| *f == name)
        .ok_or_else(|| format!("field {name} lists files that auto-upload does not verify"))?;
    if !value.trim().is_empty() {
        return Err(format!("field {name} must start on its own line"));
    }
    Ok(Some(field))
}

/// Parses the file lists' lines, each exactly ` DIGEST SIZE NAME` (Files:
/// ` MD5 SIZE SECTION PRIORITY NAME`) with single spaces: every Files name
/// is listed in Checksums-Sha256 and every checksum names a file in Files;
/// no name is listed twice in one field.
fn file_lists(lists: &[RawList<'_>]) -> Result<(Vec<ListedFile>, Vec<Expected>), String> {
    let mut expected = Vec::new();
    let mut files: Vec<ListedFile> = Vec::new();
    // Files first: a mismatch is reported with the digest every tool knows.
    let in_order = FILE_LISTS
        .iter()
        .flat_map(|field| lists.iter().filter(move |l| l.field == *field));
    for list in in_order {
        let mut names: Vec<FileName> = Vec::new();
        for line in &list.lines {
            let (name, size, algorithm, digest) = list_line(list.field, line)?;
            if names.contains(&name) {
                return Err(format!("{} lists {name} twice", list.field));
            }
            if list.field == "Files" {
                files.push(ListedFile {
                    name: name.clone(),
                    size,
                    sha256: None,
                });
            }
            names.push(name.clone());
            expected.push(Expected::new(name, size, algorithm, digest));
        }
    }
    cross_check(&mut files, &expected)?;
    Ok((files, expected))
}

/// One line of a file list: ` DIGEST SIZE NAME` (Files: ` MD5 SIZE SECTION
/// PRIORITY NAME`), digits-only size, a digest as long as its algorithm's.
fn list_line<'l>(
    field: &str,
    line: &'l str,
) -> Result<(FileName, u64, Algorithm, &'l str), String> {
    let malformed = || format!("malformed {field} line {line:?}");
    let words: Vec<&str> = line
        .strip_prefix(' ')
        .ok_or_else(malformed)?
        .split(' ')
        .collect();
    let (digest, size, name, algorithm) = match (field, words.as_slice()) {
        ("Files", [digest, size, section, priority, name])
            if syntax::is_section_or_priority(section)
                && syntax::is_section_or_priority(priority) =>
        {
            (*digest, size, name, Algorithm::Md5)
        }
        ("Checksums-Sha1", [digest, size, name]) => (*digest, size, name, Algorithm::Sha1),
        ("Checksums-Sha256", [digest, size, name]) => (*digest, size, name, Algorithm::Sha256),
        _ => return Err(malformed()),
    };
    let name: FileName = name.parse().map_err(|e| format!("{field}: {e}"))?;
    let bad_size = || format!("bad size in {field}: {line:?}");
    if !size.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_size());
    }
    let size: u64 = size.parse().map_err(|_| bad_size())?;
    if digest.len() != algorithm.hex_len() || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("bad digest in {field}: {line:?}"));
    }
    Ok((name, size, algorithm, digest))
}

/// Every name in Files has a SHA-256, and every checksum names a file in
/// Files; fills in each file's SHA-256.
fn cross_check(files: &mut [ListedFile], expected: &[Expected]) -> Result<(), String> {
    if files.is_empty() {
        return Err("Files lists nothing".into());
    }
    for file in files.iter_mut() {
        file.sha256 = expected.iter().find_map(|e| e.sha256_of(&file.name));
        if file.sha256.is_none() {
            return Err(format!(
                "{} is in Files but not in Checksums-Sha256",
                file.name
            ));
        }
    }
    if let Some(stray) = expected
        .iter()
        .find(|e| !files.iter().any(|f| &f.name == e.name()))
    {
        return Err(format!(
            "{} is listed in a checksum field but not in Files",
            stray.name()
        ));
    }
    Ok(())
}

/// How `find` treats each `.changes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Parse and check every listed file.
    Yes,
    /// Parse and check the `.changes` itself (its shape), not the files it
    /// lists: they are fetched after it was checked.
    Parsed,
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
        let raw = entry.file_name();
        let name = raw.to_string_lossy();
        if !name.ends_with(".changes") || name.starts_with('.') {
            continue;
        }
        // A name that would reach debsign and dput must mean nothing else.
        let name: FileName = raw
            .to_str()
            .unwrap_or_default()
            .parse()
            .map_err(|e: InvalidFileName| invalid(&entry.path(), &e.to_string()))?;
        paths.push(dir.join(name));
    }
    paths.sort();
    let any = !paths.is_empty();
    let mut found = Vec::new();
    for path in paths {
        let changes = if verify != Verify::No || filter.needs_fields() {
            let changes = Changes::read(&path)?;
            if !filter.keeps(&changes)? {
                continue;
            }
            if verify != Verify::No {
                changes.check_shape()?;
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
            distributions: vec![d.parse().unwrap()],
        };
        assert!(filter("experimental").keeps(&changes).unwrap());
        assert!(!filter("stable").keeps(&changes).unwrap());
    }

    #[test]
    fn strict_names_only() {
        for bad in [
            "../x",
            "auhello_1.0-1$(sh${IFS}p.sh).dsc",
            "-kDEADBEEF.dsc",
            "a b.dsc",
        ] {
            let text = CHANGES.replace(" hello_1.0-1.dsc\n", &format!(" {bad}\n"));
            let err = Changes::parse(Path::new("x.changes"), &text).unwrap_err();
            assert_eq!(err.exit_code(), ExitCode::Verification, "{bad}: {err}");
        }
    }

    #[test]
    fn unverified_file_lists_are_refused() {
        let evil = "Checksums-Extra:\n 0 1 x$(touch${IFS}m).dsc\nChecksums-Sha1:";
        for text in [
            CHANGES.replace("Checksums-Sha1:", evil),
            CHANGES.replace("Checksums-Sha1:", "Checksums-Sha512:"),
            CHANGES.replace("Files:", "files:"),
        ] {
            let err = Changes::parse(Path::new("x.changes"), &text).unwrap_err();
            assert!(err.to_string().contains("does not verify"), "{err}");
        }
        // Lines after the file lists are read by debsign as file names.
        let text = format!("{CHANGES}X-Note:\n d41d8cd98f00b204e9800998ecf8427e 0 a b$(x).dsc\n");
        let err = Changes::parse(Path::new("x.changes"), &text).unwrap_err();
        assert!(err.to_string().contains("close the paragraph"), "{err}");
        let text = CHANGES.replace("Files:\n", "Files: x.dsc\n");
        assert!(Changes::parse(Path::new("x.changes"), &text).is_err());
    }

    #[test]
    fn printed_fields_are_single_lines_in_debian_syntax() {
        for (from, to) in [
            ("Version: 1.0-1\n", "Version: 1.0-1\n uploaded\tx.changes\n"),
            (
                "Distribution: unstable experimental\n",
                "Distribution: unstable\n x\n",
            ),
            ("Version: 1.0-1\n", "Version: 1.0-1\tuploaded\n"),
            ("Source: hello (1.0-1)\n", "Source: Hello\n"),
            (
                "Architecture: source\n",
                "Architecture: source all\n amd64\n",
            ),
        ] {
            let text = CHANGES.replace(from, to);
            assert!(
                Changes::parse(Path::new("x.changes"), &text).is_err(),
                "{to:?}"
            );
        }
    }

    #[test]
    fn crlf_duplicates_and_stray_signature_text_are_refused() {
        let crlf = CHANGES.replace('\n', "\r\n");
        assert!(Changes::parse(Path::new("x.changes"), &crlf).is_err());
        let twice = CHANGES.replace(
            "devel optional hello_1.0-1.dsc\n",
            "devel optional hello_1.0-1.dsc\n 900150983cd24fb0d6963f7d28e17f72 3 devel optional hello_1.0-1.dsc\n",
        );
        let err = Changes::parse(Path::new("x.changes"), &twice).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
        let field_twice = format!("Version: 2\n{CHANGES}");
        assert!(Changes::parse(Path::new("x.changes"), &field_twice).is_err());
        let signed = |before: &str, sig: &str, after: &str| {
            format!("{before}-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n{CHANGES}\n-----BEGIN PGP SIGNATURE-----\n\n{sig}\n-----END PGP SIGNATURE-----\n{after}")
        };
        assert!(Changes::parse(Path::new("x.changes"), &signed("", "abc=", "")).is_ok());
        for bad in [
            signed("x\n", "abc", ""),
            signed("", "Comment: a b$(x).dsc", ""),
            signed("", "abc", " 0 1 a b$(x).dsc\n"),
        ] {
            assert!(
                Changes::parse(Path::new("x.changes"), &bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn links_and_fifos_are_not_read() {
        let (dir, _) = with_dsc(CHANGES, b"abc");
        let link = dir.path().join("link.changes");
        std::os::unix::fs::symlink(dir.path().join("hello_1.0-1_source.changes"), &link).unwrap();
        let err = Changes::read(&link).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::Verification, "{err}");
        let dsc = dir.path().join("hello_1.0-1.dsc");
        std::fs::rename(&dsc, dir.path().join("real.dsc")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("real.dsc"), &dsc).unwrap();
        let changes = Changes::read(&dir.path().join("hello_1.0-1_source.changes")).unwrap();
        let err = changes.verify().unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
    }
}
