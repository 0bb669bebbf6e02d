//! Options that take `VALUE` for everything and `KEY=VALUE` for one key,
//! the key's winning over the plain one (`--host [SUITE=]HOST`,
//! `--delayed [SUITE=]DAYS`, `--max-uploads-per-hour [HOST=]N`): parsed
//! here once, each option saying what a value and a key may be.

use std::borrow::Borrow;
use std::collections::BTreeMap;

/// A value of such an option that cannot be taken.
#[derive(Debug, thiserror::Error)]
#[error("{value:?}: {why}")]
pub struct KeyedError {
    /// The value given.
    pub value: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// A plain value for every key, and values for some keys (`K`: what a key
/// is, a suite or a host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyed<K, T> {
    /// The plain `VALUE`, if given.
    pub every: Option<T>,
    /// The `KEY=VALUE`s.
    pub keys: BTreeMap<K, T>,
}

impl<K, T> Default for Keyed<K, T> {
    fn default() -> Self {
        Self {
            every: None,
            keys: BTreeMap::new(),
        }
    }
}

impl<K: Ord, T> Keyed<K, T> {
    /// Parses each of `values` as `VALUE` or `KEY=VALUE` (split at the
    /// first `=`): `value` reads a value or says why not; `key` reads a key
    /// (`None`: not one).
    ///
    /// # Errors
    /// A value `value` refuses, a key `key` refuses ("`key` must be a
    /// name"), the same key or a second plain value.
    pub fn parse<S: AsRef<str>>(
        values: &[S],
        value: impl Fn(&str) -> Result<T, &'static str>,
        key: impl Fn(&str) -> Option<K>,
    ) -> Result<Self, KeyedError> {
        let mut keyed = Self::default();
        for given in values {
            let given = given.as_ref();
            let error = |why| KeyedError {
                value: given.to_owned(),
                why,
            };
            let (named, raw) = match given.split_once('=') {
                Some((named, raw)) => (Some(named), raw),
                None => (None, given),
            };
            let parsed = value(raw).map_err(error)?;
            match named.map(&key) {
                None if keyed.every.is_some() => return Err(error("a second plain value")),
                None => keyed.every = Some(parsed),
                Some(None) => return Err(error("the part before '=' is not a name")),
                Some(Some(named)) => {
                    if keyed.keys.insert(named, parsed).is_some() {
                        return Err(error("the same name twice"));
                    }
                }
            }
        }
        Ok(keyed)
    }

    /// The value for `key`: its own, else the plain one.
    pub fn get<Q>(&self, key: &Q) -> Option<&T>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.keys.get(key).or(self.every.as_ref())
    }

    /// Whether nothing was given.
    pub fn is_empty(&self) -> bool {
        self.every.is_none() && self.keys.is_empty()
    }
}

/// A name as a key may be: not empty, no leading `-`, no control
/// characters, no `=`.
pub fn is_name(key: &str) -> bool {
    !key.is_empty() && !key.starts_with('-') && !key.chars().any(|c| c.is_control() || c == '=')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(raw: &str) -> Result<u8, &'static str> {
        raw.parse().map_err(|_| "not a number")
    }

    fn name(raw: &str) -> Option<String> {
        is_name(raw).then(|| raw.to_owned())
    }

    #[test]
    fn keys_win_over_the_plain_value() {
        let keyed = Keyed::parse(&["2", "unstable=7"], number, name).unwrap();
        assert_eq!(keyed.get("unstable"), Some(&7));
        assert_eq!(keyed.get("experimental"), Some(&2));
        assert!(Keyed::<String, u8>::parse::<&str>(&[], number, name)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn bad_values_keys_and_repeats_are_refused() {
        for bad in [
            &["x"][..],
            &["=1"],
            &["-a=1"],
            &["1", "2"],
            &["a=1", "a=2"],
            &["a=b=1"],
        ] {
            assert!(
                Keyed::parse(bad, number, name).is_err(),
                "{bad:?} was taken"
            );
        }
    }
}
