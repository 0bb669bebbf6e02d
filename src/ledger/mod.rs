//! The upload ledger in PostgreSQL: connecting and migrating
//! ([`database`]), the plan of what is due and the claims held while a
//! `.changes` is signed and uploaded (this module's items, from
//! `claims.rs`), the switch that pauses every uploader ([`pause`]), and
//! the operators' view: list, show, retry, forget ([`view`]); and what
//! the Janitor's own tables say of a run: its dispatch and verdict
//! ([`janitor`]).
//!
//! May use: `input` (run ids, the run's record) and the root modules.

mod claims;
pub mod database;
pub mod janitor;
pub mod pause;
pub mod view;

pub use claims::*;
