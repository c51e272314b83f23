//! The plan file: what reviewers read and the executor runs.
//!
//! [`Plan`] holds the source SQL, the fingerprints of the tables it touches, and [`Step`]s
//! in four [`Phase`]s, each step of a closed [`StepKind`]. [`load`] reads TOML or JSON and
//! validates it (unknown fields, missing or cyclic dependencies, stale hash); [`render`]
//! turns it into Markdown, mermaid, DOT or JSON.

pub mod batch;
pub mod diff;
pub mod error;
pub mod escape;
pub mod graph;
pub mod load;
pub mod model;
pub mod render;

pub use batch::{BatchAction, SaveTo};
pub use error::PlanError;
pub use load::{load_file, parse};
pub use model::*;
