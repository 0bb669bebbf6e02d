//! Debian's syntax for what a `.changes` names: file names, package names,
//! versions, suites and architectures. Everything read from the artifact
//! store passes through here before it can reach a path, a tool or stdout.

use std::fmt;
use std::str::FromStr;

/// The longest file name accepted, in bytes.
pub const MAX_FILE_NAME: usize = 200;

/// A file name in Debian's file-name alphabet: a letter or digit, then
/// only letters, digits and `.+~_-`, at most [`MAX_FILE_NAME`] bytes. Such a
/// name is one path segment, never an option, and means nothing to a shell.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct FileName(String);

/// A string that is not a [`FileName`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a plain file name (Debian's alphabet: a letter or digit, then letters, digits and '.+~_-'; at most 200 bytes)"
)]
pub struct InvalidFileName(pub String);

impl FileName {
    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for FileName {
    type Err = InvalidFileName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        let valid = !bytes.is_empty()
            && bytes.len() <= MAX_FILE_NAME
            && bytes[0].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b".+~_-".contains(b));
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidFileName(s.to_owned()))
        }
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<std::path::Path> for FileName {
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(&self.0)
    }
}

/// A source or binary package name: `[a-z0-9][a-z0-9+.-]+` (Policy 5.6.1).
pub fn is_package_name(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"+.-".contains(c))
}

/// A Debian version, `[epoch:]upstream[-revision]` (Policy 5.6.12): the
/// epoch digits, the upstream version starting with a digit and made of
/// alphanumerics and `.+~-` (and `:` when there is an epoch), the revision
/// of alphanumerics and `.+~`.
pub fn is_version(s: &str) -> bool {
    let (epoch, rest) = match s.split_once(':') {
        Some((epoch, rest)) => (Some(epoch), rest),
        None => (None, s),
    };
    if epoch.is_some_and(|e| e.is_empty() || !e.bytes().all(|c| c.is_ascii_digit())) {
        return false;
    }
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((upstream, revision)) => (upstream, Some(revision)),
        None => (rest, None),
    };
    let upstream_ok = upstream.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && upstream.bytes().all(|c| {
            c.is_ascii_alphanumeric() || b".+~-".contains(&c) || (c == b':' && epoch.is_some())
        });
    let revision_ok = revision.is_none_or(|r| {
        !r.is_empty()
            && r.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b".+~".contains(&c))
    });
    upstream_ok && revision_ok
}

/// One suite or codename: a letter or digit, then letters, digits and
/// `.+_-` (`unstable`, `bookworm-backports`, `UNRELEASED`).
pub fn is_suite(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 100
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b".+_-".contains(c))
}

/// One architecture name: lowercase letters, digits and `-` (`source`,
/// `all`, `amd64`, `kfreebsd-amd64`).
pub fn is_architecture(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 100
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// A section (`devel`, `non-free/net`) or priority (`optional`) in a Files
/// line, or `-` where dpkg has none.
pub fn is_section_or_priority(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"/+._-".contains(&c))
}

/// A list of words separated by single spaces, each accepted by `word`.
pub fn is_word_list(s: &str, word: fn(&str) -> bool) -> bool {
    !s.is_empty() && s.split(' ').all(word)
}

/// `text` with its control characters (tabs and newlines too) escaped as
/// `\u{..}`: tools' output kept in the ledger is printed on a terminal and
/// in tab-separated lines.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("plain text"), "plain text");
        assert_eq!(printable("a\tb\u{1b}[2Jc"), "a\\u{9}b\\u{1b}[2Jc");
    }

    #[test]
    fn file_names() {
        for good in [
            "hello_1.0-1.dsc",
            "hello_1.0~rc1-1~bpo12+1_amd64.deb",
            "0ad_0.0.26.orig.tar.xz",
            &"a".repeat(200),
        ] {
            assert_eq!(good.parse::<FileName>().unwrap().as_str(), good);
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "-kDEADBEEF.changes",
            "a/b",
            "a b",
            "a\tb",
            "a\nb",
            "a\0b",
            "auhello_1.0-1$(sh${IFS}p.sh).dsc",
            "a`id`.dsc",
            "a\"b",
            "a'b",
            "a;b",
            "ä.dsc",
            "a:b",
            &"a".repeat(201),
        ] {
            assert!(bad.parse::<FileName>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn versions() {
        for good in [
            "1.0-1",
            "1.0",
            "1:2.3-4",
            "1.0~rc1-1~bpo12+1",
            "2.1-3jan+lint1",
            "1:1.2:3-1",
            "0.1-1.2",
            "1.0-1-2",
        ] {
            assert!(is_version(good), "{good} refused");
        }
        for bad in [
            "",
            "a1.0",
            "1.0-",
            "1.0 1",
            "1.0\nuploaded",
            ":1.0",
            "x:1.0",
            "1.0:2",
            "1.0-1_2",
            "1.0$(x)",
        ] {
            assert!(!is_version(bad), "{bad:?} accepted");
        }
    }

    #[test]
    fn names_suites_architectures() {
        assert!(is_package_name("auhello"));
        assert!(is_package_name("libc6-dev"));
        assert!(is_package_name("g++"));
        for bad in ["a", "Hello", "-x", "a b", "a_b", ""] {
            assert!(!is_package_name(bad), "{bad:?}");
        }
        assert!(is_word_list("unstable experimental", is_suite));
        assert!(is_word_list("bookworm-backports", is_suite));
        assert!(!is_word_list("unstable  experimental", is_suite));
        assert!(!is_word_list("unstable\tuploaded", is_suite));
        assert!(!is_word_list("", is_suite));
        assert!(is_word_list("source all amd64", is_architecture));
        assert!(!is_word_list("source\nall", is_architecture));
        assert!(is_section_or_priority("non-free/net"));
        assert!(is_section_or_priority("-"));
        assert!(!is_section_or_priority("a$b"));
    }
}
