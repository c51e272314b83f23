//! The schema model bellows plans against, and the two ways to fill it: from a schema file
//! (hand-written DDL or `pg_dump --schema-only`) and from a live database's `pg_catalog`.
//!
//! [`Catalog`] holds tables ([`Table`]: columns, constraints, indexes, triggers), views,
//! sequences and types. [`Catalog::apply`] applies one [`crate::sql::Ddl`]; [`Evolving`] walks a
//! change through it for the planner and the linter, remembering what the change created. [`deps`]
//! answers "what depends on this column?".

mod annotate;
pub mod apply;
mod constraints;
pub mod deps;
pub mod error;
pub mod evolving;
pub mod live;
pub mod load;
pub mod model;
pub mod names;
mod objects;
mod partition;
pub mod rename;
pub mod routines;
pub mod unread;
mod uses;

pub use error::CatalogError;
pub use evolving::Evolving;
pub use load::{load_file, load_str};
pub use model::*;
pub use unread::Unread;
