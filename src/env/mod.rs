//! Where bellows connects: the environment room. It holds the environments of `bellows.toml`
//! ([`Environments`]: where each database is, without credentials, and its TLS policy) and the connection target
//! ([`Target`]: a database URL parsed once, described without secrets, its passwords
//! hidden from any text), used by every database caller. It uses only std; the thin
//! sqlx-dependent connect lives with its callers ([`crate::catalog::live::connect_to`]).

pub mod config;
pub mod error;
pub mod keyvalue;
pub mod resolve;
pub mod target;

pub use config::{Environment, Environments, Tls, UrlSource};
pub use error::{EnvError, TargetError};
pub use target::{Target, redact};
