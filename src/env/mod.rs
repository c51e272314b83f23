//! Where bellows connects: the environment room. Today it holds the connection target
//! ([`Target`]: a database URL parsed once, described without secrets, its passwords
//! hidden from any text), used by every database caller. It uses only std; the thin
//! sqlx-dependent connect lives with its callers ([`crate::catalog::live::connect_to`]).

pub mod error;
pub mod keyvalue;
pub mod target;

pub use error::TargetError;
pub use target::{Target, redact};
