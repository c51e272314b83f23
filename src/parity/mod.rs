//! Parity: how two catalogs differ (two databases, or a schema file and a database).
//!
//! [`compare`] walks two [`Catalog`]s and returns a [`Report`]: differences grouped by
//! [`Object`], each a closed [`Kind`] of property with what [`Change`] it is (only in A,
//! only in B, or differs with both values). [`normalise`] evens out spellings that a file
//! and a server write differently but that are provably the same; [`render`] prints a
//! report as text, JSON or Markdown.

mod compare;
mod defs;
pub mod emit;
mod model;
pub mod normalise;
mod presence;
pub mod render;
mod table;

pub use compare::compare;
pub use model::{Change, Difference, Kind, Object, ObjectType, Report};

#[cfg(test)]
mod tests;
