//! What the archive has already: its Sources indices read over HTTP or
//! `file://` ([`Archive`], [`Archives`]), kept parsed between runs by
//! [`index_cache`]. The archive can only make an upload be skipped
//! (superseded), never signed.
//!
//! May use: `input` (suite names) and the root modules (`secrets`).

pub mod index_cache;
mod sources;

pub use sources::*;
