//! The upload ledger in PostgreSQL: connecting and migrating
//! ([`database`]); opening it (`config.rs`); the plan of what is due
//! (`plan.rs`); the claims held while a `.changes` is signed and uploaded
//! (`claims.rs`, with the budgets in `budget.rs`), how each ends
//! (`endings.rs`) and how a run as a whole went (`runs.rs`), all
//! re-exported here; the one list of its states ([`state`]); the switch
//! that pauses every uploader ([`pause`]); the operators' view: list,
//! show, retry, forget ([`view`]); and what the Janitor's own tables say
//! of a run: its dispatch and verdict ([`janitor`]).
//!
//! May use: `input` (run ids, the run's record) and the root modules.

mod budget;
mod claims;
mod config;
pub mod database;
mod endings;
pub mod janitor;
pub mod pause;
mod plan;
mod runs;
pub mod state;
pub mod view;

pub use claims::*;
pub use config::*;
pub use plan::*;
