//! The front end: the clap definition (one file per subcommand's
//! arguments in `args/`, re-exported here; nothing else sees clap), the
//! settings validated from it ([`settings`], with the Janitor's
//! `janitor.conf` read by [`janitor_conf`]), running a subcommand and
//! printing its results ([`app`], one file per subcommand in `commands/`,
//! [`output`]), the exit code of an error ([`exit_code`]), man pages and
//! completions ([`docs`]).
//!
//! May use everything below it; nothing below uses it.

pub mod app;
mod args;
mod commands;
pub mod docs;
mod exit;
pub mod janitor_conf;
pub mod output;
pub mod settings;
pub mod settings_file;

pub use args::*;
pub use exit::exit_code;
