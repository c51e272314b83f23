//! bellows plans risky PostgreSQL schema changes as safe expand → dual-write → backfill →
//! contract migrations, lets reviewers read the plan, and carries it out.
//!
//! Data flows one way: [`sql`] reads change and schema files into [`sql::Ddl`];
//! [`catalog`] models the current schema (from a file or a live database); [`planner`]
//! turns changes plus catalog into a [`plan::Plan`] using the lock knowledge in [`safety`];
//! [`plan`] loads, validates, hashes and renders plans; [`export`] writes a plan as migration
//! files for other tools; [`cli`] wires it to the command line.

pub mod catalog;
pub mod cli;
pub mod env;
pub mod executor;
pub mod export;
pub mod lint;
pub mod parity;
pub mod pgtemp;
pub mod plan;
pub mod planner;
pub mod rehearse;
pub mod safety;
pub mod sql;
pub mod synth;
pub mod tui;

pub use cli::run;
