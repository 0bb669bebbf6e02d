//! What comes from outside and becomes a type: everything read from the
//! artifact store, Redis or a directory is parsed here, once, into values
//! that can only hold what is safe (a plain file name, a run id, a `.changes`
//! in a strict subset of its format, a runner message), and compared with
//! what the Janitor decided for the run ([`dispatch`], with the reviewers'
//! [`verdict`]) and the run's record ([`record`]).
//!
//! May use: the crate's root modules (`exit_codes`) only. Everything above
//! uses these types, never raw strings from outside.

pub mod changes;
pub mod checksums;
pub mod dispatch;
pub mod hosts;
pub mod keyed;
pub mod message;
pub mod names;
pub mod rates;
pub mod record;
pub mod run_id;
pub mod safe_fs;
pub mod syntax;
pub mod verdict;
