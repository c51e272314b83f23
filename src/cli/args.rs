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
    /// Lint existing migration files (Flyway, golang-migrate, sqlx, dbmate, Liquibase, plain
    /// SQL) for statements that lock tables, rewrite them, or break running code.
    Check(CheckArgs),
    /// Carry out a plan against a live database; re-running continues where it stopped.
    Run(RunArgs),
    /// Write a plan as numbered migration files for Flyway, golang-migrate, sqlx, dbmate or
    /// Liquibase.
    Export(ExportArgs),
    /// Show what has run, what is next, and backfill progress.
    Status(StatusArgs),
    /// Undo completed reversible steps, newest first.
    Rollback(RollbackArgs),
    /// Compare two schemas (databases, schema files or environments) and list every
    /// difference; exit 0 identical, 1 different, 2 bad input, 4 unreachable.
    Diff(DiffArgs),
    /// A first look: a throwaway PostgreSQL with sample data and a live application load,
    /// a planned rename plus type change, and the console to step through it.
    Demo,
    /// Check each environment of bellows.toml: TLS, roles and privileges, WAL archiving,
    /// replicas, versions. Exit 1 when a protected environment has a problem.
    Doctor(DoctorArgs),
    /// Fill a development database's empty tables with synthetic rows that satisfy its
    /// constraints (never production's rows); refuses a protected environment.
    Seed(SeedArgs),
    /// Rehearse a plan on a throwaway copy: synthetic rows, the plan run to its end under an
    /// application load, the data checked, each phase boundary rolled back and compared.
    /// Exit 0 passed, 1 a check failed, 2 bad input.
    Rehearse(RehearseArgs),
}

/// `bellows rehearse`.
#[derive(Debug, Args)]
pub struct RehearseArgs {
    /// A plan file written by `bellows plan`.
    pub plan: String,
    /// The schema to rehearse on: a `pg_dump --schema-only` style file (or give --env).
    #[arg(long, value_name = "FILE", conflicts_with = "name")]
    pub schema: Option<String>,
    /// The environment whose schema to rehearse on (read with pg_dump --schema-only; no row
    /// is read); the backfill time is also extrapolated to its row counts.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Synthetic rows per table.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub rows: u64,
    /// Varies the synthetic values; the same seed writes the same rows.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EventFormat::Text)]
    pub format: EventFormat,
}

/// `bellows seed`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The environment to fill.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Rows per table.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub rows: u64,
    /// Varies the values; the same seed writes the same rows.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
}

/// `bellows doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Only this environment (default: every environment of the file).
    #[arg(long = "env", value_name = "NAME")]
    pub name: Option<String>,
    /// The config file holding the environments (default: bellows.toml here).
    #[arg(long = "env-config", value_name = "FILE")]
    pub config: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EventFormat::Text)]
    pub format: EventFormat,
}

/// Timeouts, retries and batch pacing for `run` and `rollback`.
#[derive(Debug, Args, Default)]
pub struct TimingArgs {
    /// How long a step may wait in the lock queue before it backs off (default 1s).
    #[arg(long, value_name = "DURATION")]
    pub lock_timeout: Option<String>,
    /// Ceiling for one statement of a transactional step (default 60s).
    #[arg(long, value_name = "DURATION")]
    pub statement_timeout: Option<String>,
    /// Keep retrying a step that cannot get its lock for this long (default 10m).
    #[arg(long, value_name = "DURATION")]
    pub retry_for: Option<String>,
    /// First backfill batch size in rows (default: the plan's).
    #[arg(long, value_name = "ROWS")]
    pub batch_size: Option<u32>,
    /// Target duration of one batch (default: the plan's, 50ms).
    #[arg(long, value_name = "DURATION")]
    pub batch_target: Option<String>,
    /// Pause between batches.
    #[arg(long, value_name = "DURATION")]
    pub batch_pause: Option<String>,
    /// Pause batches while replica replay lag is above this.
    #[arg(long, value_name = "DURATION")]
    pub max_replica_lag: Option<String>,
    /// Name recorded with completions and gate confirmations (default: $USER).
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
}

/// Event output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EventFormat {
    /// Readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `--env NAME` and the config file it is read from.
#[derive(Debug, Clone, Default, Args)]
pub struct EnvArgs {
    /// The environment `[environments.NAME]` of bellows.toml (instead of --database-url;
    /// DATABASE_URL is then ignored).
    #[arg(long = "env", value_name = "NAME")]
    pub name: Option<String>,
    /// The config file holding the environments (default: bellows.toml here).
    #[arg(long = "env-config", value_name = "FILE", requires = "name")]
    pub config: Option<String>,
}

/// `bellows run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// A plan file written by `bellows plan`.
    pub plan: String,
    /// The database to change (default: $DATABASE_URL).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The environment to connect to.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Print progress lines instead of opening the console.
    #[arg(long)]
    pub headless: bool,
    /// Confirm every gate without asking.
    #[arg(long)]
    pub yes: bool,
    /// Confirm this gate (its step id, e.g. `1.gate`) without asking; repeat for several.
    /// Other gates still stop the run (exit 3).
    #[arg(long = "confirm", value_name = "GATE")]
    pub confirm: Vec<String>,
    /// Stop after this phase (expand, dual_write, backfill, contract).
    #[arg(long, value_name = "PHASE")]
    pub through: Option<String>,
    /// Run a plan edited by hand (stale hash, or not what bellows generates from its source
    /// SQL): recorded with who and when, and warned about on every run and in `status`.
    #[arg(long)]
    pub allow_edited: bool,
    /// Run on a protected environment without the clean pass on its `requires_pass_on`
    /// environment: recorded with who and when, and loud.
    #[arg(long)]
    pub force_unrehearsed: bool,
    /// Refuse to connect without TLS (also BELLOWS_REQUIRE_TLS=1).
    #[arg(long)]
    pub require_tls: bool,
    /// Progress output.
    #[arg(long, value_enum, default_value_t = EventFormat::Text)]
    pub format: EventFormat,
    /// Timeouts, retries, pacing.
    #[command(flatten)]
    pub timing: TimingArgs,
}

/// `bellows status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// A plan file.
    pub plan: String,
    /// The database (default: $DATABASE_URL).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The environment to connect to.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Refuse to connect without TLS (also BELLOWS_REQUIRE_TLS=1).
    #[arg(long)]
    pub require_tls: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EventFormat::Text)]
    pub format: EventFormat,
}

/// `bellows rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// A plan file.
    pub plan: String,
    /// The database (default: $DATABASE_URL).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The environment to connect to.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Refuse to connect without TLS (also BELLOWS_REQUIRE_TLS=1).
    #[arg(long)]
    pub require_tls: bool,
    /// Print progress lines instead of opening the console.
    #[arg(long)]
    pub headless: bool,
    /// Undo without asking (otherwise it lists what it would undo and exits 3).
    #[arg(long)]
    pub yes: bool,
    /// Undo back to the end of this phase only (expand, dual_write, backfill): its steps
    /// and earlier ones stay.
    #[arg(long, value_name = "PHASE")]
    pub to: Option<String>,
    /// Progress output.
    #[arg(long, value_enum, default_value_t = EventFormat::Text)]
    pub format: EventFormat,
    /// Timeouts and retries.
    #[command(flatten)]
    pub timing: TimingArgs,
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
    /// Read the current schema from this environment's database.
    #[command(flatten)]
    pub env: EnvArgs,
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

/// `bellows check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Migration files or folders (folders are read recursively, in the tool's run order).
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// PostgreSQL major version the migrations run on (default 15, or the config file's).
    #[arg(long, value_name = "N")]
    pub pg_version: Option<u32>,
    /// The migration tool whose conventions the files follow (default: detected per file).
    #[arg(long, value_name = "TOOL")]
    pub layout: Option<String>,
    /// Treat every migration as running inside a transaction opened by the tool.
    #[arg(long)]
    pub assume_in_transaction: bool,
    /// Check only these rules (comma-separated ids).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub enable: Vec<String>,
    /// Do not check these rules (comma-separated ids).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub disable: Vec<String>,
    /// Lowest severity that makes the check fail (exit 1): error, warning, note or never.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Config file (default: `bellows.toml` in the current directory, when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,
    /// The schema the first migration runs on (e.g. `pg_dump --schema-only` output), so
    /// type changes and constraints on existing tables can be judged.
    #[arg(long, value_name = "FILE")]
    pub schema: Option<String>,
    /// List the rules and exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Explain one rule (why, the lock, an example, the safe way) and exit.
    #[arg(long, value_name = "RULE")]
    pub explain: Option<String>,
}

/// `bellows check` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Human-readable, coloured on a terminal (NO_COLOR turns colour off).
    Text,
    /// One JSON document with every finding.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// `bellows export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A plan file written by `bellows plan`.
    pub plan: String,
    /// The migration tool whose conventions the files follow.
    #[arg(long, value_enum)]
    pub to: ExportTool,
    /// Directory to write the files into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: String,
    /// Write even if the directory already holds files (same-named files are replaced).
    #[arg(long)]
    pub force: bool,
}

/// Tools `export` writes for.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportTool {
    /// Flyway: V<n>__desc.sql, U<n>__desc.sql undo files, .sql.conf script config.
    Flyway,
    /// golang-migrate: <n>_name.up.sql / .down.sql.
    GolangMigrate,
    /// sqlx-cli: <n>_name.up.sql / .down.sql, `-- no-transaction` where needed.
    Sqlx,
    /// dbmate: <n>_name.sql with migrate:up / migrate:down sections.
    Dbmate,
    /// Liquibase formatted SQL: one changelog.sql.
    Liquibase,
}

/// `bellows diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// A: a schema file, a `postgres://` URL, or an environment name from `bellows.toml`.
    pub a: String,
    /// B: the same choices; differences are reported as A against B.
    pub b: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Also write a change file that brings B to A's shape (simple kinds as DDL, the rest
    /// as comments), for `bellows plan`.
    #[arg(long, value_name = "FILE")]
    pub emit_change: Option<String>,
    /// The config file environment names are read from (default: bellows.toml here).
    #[arg(long = "env-config", value_name = "FILE")]
    pub env_config: Option<String>,
}

/// `bellows diff` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Grouped by object: `only in A`, `only in B`, `differs: A=... B=...`.
    Text,
    /// One JSON document (fields in `bellows::parity::render`).
    Json,
    /// A Markdown table, for a pull request or a ticket.
    Markdown,
}
