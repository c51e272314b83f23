//! Raw clap arguments. Nothing outside `cli` sees these types.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// bellows: plan risky PostgreSQL schema changes as safe expand/contract migrations.
#[derive(Debug, Parser)]
#[command(name = "bellows", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan a change: turn the DDL you would naively run into a safe, reviewable plan.
    Plan(PlanArgs),
    /// Render a plan for review (Markdown for a pull request, or JSON, DOT, mermaid).
    Explain(ExplainArgs),
}

/// `bellows plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The change: a .sql file of ordinary PostgreSQL DDL.
    pub change: String,
    /// The current schema: a schema file (hand-written DDL or `pg_dump --schema-only`).
    /// (When both are given, including DATABASE_URL from the environment, the file wins.)
    #[arg(long, value_name = "FILE")]
    pub schema: Option<String>,
    /// Read the current schema from this live database (default: $DATABASE_URL).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where to write the plan (`-` for standard output). Default: plans/NNNN-<name>.<ext>.
    #[arg(long, value_name = "PATH")]
    pub out: Option<String>,
    /// Plan file format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Toml)]
    pub format: PlanFormat,
    /// PostgreSQL major version to plan for (default: the live server's, else 15).
    #[arg(long, value_name = "N")]
    pub pg_version: Option<u32>,
    /// Plan changes that have no online path (EXCLUDE, VACUUM FULL, CLUSTER) as blocking
    /// steps, loudly flagged, instead of refusing them.
    #[arg(long)]
    pub allow_blocking: bool,
}

/// Plan output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PlanFormat {
    /// TOML plan file (default).
    Toml,
    /// Plan JSON (CONTRACT.md).
    Json,
    /// Markdown for review (same as `bellows explain`).
    Markdown,
}

/// `bellows explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A plan file written by `bellows plan`.
    pub plan: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Markdown)]
    pub format: ExplainFormat,
}

/// Explain output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExplainFormat {
    /// Markdown with a mermaid graph.
    Markdown,
    /// Plan JSON.
    Json,
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}
