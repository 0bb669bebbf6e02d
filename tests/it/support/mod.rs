//! What the integration tests share: the real fixtures and a test
//! environment ([`env`]), waiting and ports ([`wait`]), a database of each
//! test's own ([`database`]) and a running `listen` and Redis ([`service`]).

pub mod database;
pub mod env;
pub mod forge;
pub mod netns;
pub mod service;
pub mod wait;

pub use env::*;
pub use forge::*;
pub use wait::*;
