//! One run's upload chain: fetch the artifacts ([`artifacts`]), check
//! what the archive and the debug packages say (`checks`), sign
//! ([`sign`], with a private GnuPG home made from a mounted secret:
//! [`gnupg_home`]) and check the signature ([`signature`]), upload ([`dput`]),
//! tell what happened ([`publish`]), look in a host's upload queue
//! ([`queue`]), the external programs run with
//! deadlines ([`tool`]), and the chain itself ([`upload`]: what is fetched
//! is `fetch`'s, each `.changes` under its ledger claim `claimed`'s), which
//! `upload-run`, `listen` and `backfill` all call; what came of each
//! `.changes` ([`outcome`]), of the run as a whole ([`run_outcome`]), or why
//! it failed as a whole ([`run_error`]).
//!
//! May use: `input` (the checked types), `archive` (what the archive has
//! already), `ledger` (claims), and the root modules. Never the drivers
//! (`service`) or the front end (`cli`).

pub mod artifacts;
mod checks;
mod claimed;
pub mod dput;
mod fetch;
pub mod gnupg_home;
pub mod outcome;
pub mod pipeline;
pub mod publish;
pub mod queue;
pub mod run_error;
pub mod run_outcome;
pub mod sign;
pub mod signature;
pub mod ssh_home;
pub mod tool;
pub mod upload;
