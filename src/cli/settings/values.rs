//! Values of settings read from text, shared by the commands' settings:
//! durations, sizes, and the runner's Redis.

use super::sources::{self, Sources};
use super::SettingsError;

/// Where `listen` finds Redis when nothing else says.
pub const DEFAULT_REDIS: &str = "redis://127.0.0.1:6379";

/// Redis: flag > environment > config file > [`DEFAULT_REDIS`].
pub(crate) fn redis_client(
    flag: Option<String>,
    config: &Sources,
) -> Result<redis::Client, SettingsError> {
    let url = config
        .choose(
            sources::REDIS,
            flag,
            |c| c.redis_location.clone(),
            Some(DEFAULT_REDIS),
        )
        .expect("a default is given");
    redis::Client::open(url.as_str()).map_err(|e| SettingsError::Invalid {
        what: "Redis URL",
        value: crate::secrets::mask(&url),
        reason: e.to_string(),
    })
}

/// A duration given as text (`90s`, `2m`, `1h 30m`).
pub(super) fn duration(
    what: &'static str,
    value: &str,
) -> Result<std::time::Duration, SettingsError> {
    humantime::parse_duration(value).map_err(|e| SettingsError::Invalid {
        what,
        value: value.to_owned(),
        reason: e.to_string(),
    })
}

/// A size in bytes: digits, optionally followed by K, M, G or T (powers
/// of 1024, with or without `iB`/`B`).
pub(super) fn size(what: &'static str, value: &str) -> Result<u64, SettingsError> {
    let invalid = |reason: &str| SettingsError::Invalid {
        what,
        value: value.to_owned(),
        reason: reason.to_owned(),
    };
    let text = value.trim();
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let shift = match unit.trim_end_matches("iB").trim_end_matches('B') {
        "" => 0,
        "K" | "k" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(invalid("use a number of bytes, or with K, M, G or T")),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("use a whole number of bytes, or with K, M, G or T"));
    }
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1u64 << shift))
        .filter(|n| *n > 0)
        .ok_or_else(|| invalid("must be more than zero and less than 16 EiB"))
}
