//! Debian's names as types, beside [`RunId`](crate::input::run_id::RunId)
//! and [`FileName`](crate::input::syntax::FileName): a suite, a source
//! package, a version, a dput host, a signing key's id and a key's
//! fingerprint. Each is parsed once, where it comes in (a `.changes`, a
//! message, a database row, a flag), by the checks of [`syntax`], and never
//! starts with `-`: what reaches debsign, dput or a query is one of these,
//! and two of them swapped do not compile.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use crate::input::syntax::{self, printable};

/// The ledger's key for dput's default host (no `--host`).
pub const DEFAULT_HOST_KEY: &str = "(default)";

/// A value that is not the name it was read as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {what}: {value:?}")]
pub struct InvalidName {
    /// What it was read as ("suite", "source package", ...).
    pub what: &'static str,
    /// The value, its control characters escaped.
    pub value: String,
}

macro_rules! debian_name {
    ($(#[$doc:meta])* $name:ident, $what:literal, $valid:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The name as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Parses `value`.
            ///
            /// # Errors
            /// [`InvalidName`] for a value that is not one.
            pub fn parse(value: &str) -> Result<Self, InvalidName> {
                let valid: fn(&str) -> bool = $valid;
                if !value.is_empty() && !value.starts_with('-') && valid(value) {
                    Ok(Self(value.to_owned()))
                } else {
                    Err(InvalidName {
                        what: $what,
                        value: printable(value).into_owned(),
                    })
                }
            }
        }

        impl FromStr for $name {
            type Err = InvalidName;

            fn from_str(value: &str) -> Result<Self, InvalidName> {
                Self::parse(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidName;

            fn try_from(value: String) -> Result<Self, InvalidName> {
                Self::parse(&value).map(|_| Self(value))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<std::ffi::OsStr> for $name {
            fn as_ref(&self) -> &std::ffi::OsStr {
                self.0.as_ref()
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl sqlx::Encode<'_, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode_by_ref(&self.0.as_str(), buf)
            }
        }

        /// Read from a row, it is parsed like any other input: the
        /// Janitor's tables hold what workers reported.
        impl sqlx::Decode<'_, sqlx::Postgres> for $name {
            fn decode(
                value: sqlx::postgres::PgValueRef<'_>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                Ok(Self::parse(text)?)
            }
        }

        impl sqlx::postgres::PgHasArrayType for $name {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::postgres::PgHasArrayType>::array_type_info()
            }
        }
    };
}

debian_name!(
    /// A suite or codename (`unstable`, `bookworm-backports`): the
    /// Distribution of a `.changes`, a campaign's build distribution.
    Suite,
    "suite",
    syntax::is_suite
);

debian_name!(
    /// A source package name (Policy 5.6.1).
    SourcePackage,
    "source package",
    syntax::is_package_name
);

debian_name!(
    /// A Debian version, `[epoch:]upstream[-revision]` (Policy 5.6.12).
    Version,
    "version",
    syntax::is_version
);

debian_name!(
    /// A dput host: a section of dput.cf, and the ledger's key.
    DputHost,
    "dput host",
    crate::input::keyed::is_name
);

debian_name!(
    /// The signing key as debsign `-k` and gpg take it: a key id, a
    /// fingerprint or a user id; no control character.
    KeyId,
    "key id",
    |s| !s.chars().any(char::is_control)
);

debian_name!(
    /// An OpenPGP fingerprint as gpg prints it: 16 to 64 upper-case hex
    /// digits.
    Fingerprint,
    "fingerprint",
    |s| (16..=64).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
);

/// A `.changes`' Distribution: one suite or more, separated by spaces.
/// Only a single suite can be routed, recorded or matched with a
/// campaign; a list is kept to be refused as the mismatch it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Distribution(Vec<Suite>);

impl Distribution {
    /// Parses a space-separated list of suites.
    ///
    /// # Errors
    /// [`InvalidName`] for an empty list or one that is not all suites.
    pub fn parse(value: &str) -> Result<Self, InvalidName> {
        let suites = value
            .split(' ')
            .map(Suite::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| InvalidName {
                what: "list of suites",
                value: printable(value).into_owned(),
            })?;
        Ok(Self(suites))
    }

    /// The suite, when it names exactly one.
    pub fn single(&self) -> Option<&Suite> {
        match self.0.as_slice() {
            [suite] => Some(suite),
            _ => None,
        }
    }

    /// Whether it names `suite`, among others or alone.
    pub fn names(&self, suite: &Suite) -> bool {
        self.0.contains(suite)
    }
}

impl From<Suite> for Distribution {
    fn from(suite: Suite) -> Self {
        Self(vec![suite])
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, suite) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(suite.as_str())?;
        }
        Ok(())
    }
}

/// Exactly this one suite.
impl PartialEq<Suite> for Distribution {
    fn eq(&self, other: &Suite) -> bool {
        self.single() == Some(other)
    }
}

impl PartialEq<&str> for Distribution {
    fn eq(&self, other: &&str) -> bool {
        other.split(' ').eq(self.0.iter().map(Suite::as_str))
    }
}

impl serde::Serialize for Distribution {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What a worker reported for a name (a `debian_build` row, a runner
/// message): the name, or the text it gave that is none. Only compared
/// and printed (escaped), never given to a tool; a name that is not one
/// matches no `.changes`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reported<T> {
    /// A valid name.
    Name(T),
    /// Text that is not one, its control characters escaped.
    NotAName(String),
}

impl<T: FromStr<Err = InvalidName>> Reported<T> {
    /// Reads what was reported.
    pub fn of(text: &str) -> Self {
        match text.parse() {
            Ok(name) => Self::Name(name),
            Err(_) => Self::NotAName(printable(text).into_owned()),
        }
    }
}

impl<T> Reported<T> {
    /// The name, when it is one.
    pub fn name(&self) -> Option<&T> {
        match self {
            Self::Name(name) => Some(name),
            Self::NotAName(_) => None,
        }
    }
}

impl<T: PartialEq> PartialEq<T> for Reported<T> {
    fn eq(&self, other: &T) -> bool {
        self.name() == Some(other)
    }
}

impl<T: fmt::Display> fmt::Display for Reported<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(name) => name.fmt(f),
            Self::NotAName(text) => f.write_str(text),
        }
    }
}

impl<T: serde::Serialize> serde::Serialize for Reported<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Name(name) => name.serialize(serializer),
            Self::NotAName(text) => serializer.serialize_str(text),
        }
    }
}

impl<T: FromStr<Err = InvalidName>> sqlx::Type<sqlx::Postgres> for Reported<T> {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <&str as sqlx::Type<sqlx::Postgres>>::type_info()
    }

    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
    }
}

impl<T: FromStr<Err = InvalidName>> sqlx::Decode<'_, sqlx::Postgres> for Reported<T> {
    fn decode(value: sqlx::postgres::PgValueRef<'_>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
        Ok(Self::of(text))
    }
}

impl DputHost {
    /// The ledger's key for dput's default host (no `--host`): not a host
    /// dput.cf names, and never given to dput.
    pub fn default_key() -> Self {
        Self(DEFAULT_HOST_KEY.to_owned())
    }
}

impl Version {
    /// The epoch (0 when none is given).
    pub fn epoch(&self) -> u32 {
        self.0
            .split_once(':')
            .and_then(|(e, _)| e.parse().ok())
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_is_parsed_by_its_check_and_never_starts_with_a_dash() {
        assert!(Suite::parse("bookworm-backports").is_ok());
        assert!(Suite::parse("-unstable").is_err());
        assert!(Suite::parse("").is_err());
        assert!(SourcePackage::parse("auhello").is_ok());
        assert!(SourcePackage::parse("Auhello").is_err());
        assert!(Version::parse("1:1.0-1~jan+lint1").is_ok());
        assert!(Version::parse("1.0 -1").is_err());
        assert!(DputHost::parse("ftp-master").is_ok());
        assert!(DputHost::parse("--config=x").is_err());
        assert!(KeyId::parse("Jane Doe <jane@example.org>").is_ok());
        assert!(KeyId::parse("-k").is_err());
        assert!(KeyId::parse("A\nB").is_err());
        assert!(Fingerprint::parse("0123456789ABCDEF0123456789ABCDEF01234567").is_ok());
        assert!(Fingerprint::parse("0123456789abcdef").is_err());
    }

    #[test]
    fn errors_name_what_and_escape_the_value() {
        let err = Suite::parse("bad\nsuite").unwrap_err();
        assert_eq!(err.what, "suite");
        assert!(!err.to_string().contains('\n'), "{err}");
    }

    #[test]
    fn the_epoch_of_a_version() {
        assert_eq!(Version::parse("2:1.0-1").unwrap().epoch(), 2);
        assert_eq!(Version::parse("1.0-1").unwrap().epoch(), 0);
    }
}
