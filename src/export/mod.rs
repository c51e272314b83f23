//! Export: a plan written as numbered migration files in the conventions of the tools teams
//! already use (Flyway, golang-migrate, sqlx, dbmate, Liquibase), phase by phase, with
//! down/undo files, timeouts in every file, non-transactional files where the tool can mark
//! them, backfills as batched loops that commit per batch, and gates as named file
//! boundaries. Pure text generation: [`export`] returns [`File`]s; writing them is the
//! caller's business. [`layout`] turns steps into [`layout::Migration`]s, [`sql`] holds the
//! SQL every tool shares, and one file per tool renders them.

pub mod dbmate;
pub mod flyway;
pub mod golang_migrate;
pub mod layout;
pub mod liquibase;
pub mod sql;
pub mod sqlx;

use std::path::PathBuf;

use crate::plan::Plan;

/// A migration tool whose layout bellows can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tool {
    /// `V<n>__desc.sql`, `U<n>__desc.sql`, `.sql.conf` script config files.
    Flyway,
    /// `<n>_name.up.sql` / `.down.sql`, each sent as one query.
    GolangMigrate,
    /// `<n>_name.up.sql` / `.down.sql`, `-- no-transaction` where needed.
    Sqlx,
    /// `<n>_name.sql` with `-- migrate:up` / `-- migrate:down` sections.
    Dbmate,
    /// One formatted-SQL `changelog.sql`, a changeset per step.
    Liquibase,
}

impl Tool {
    /// Every tool.
    pub const ALL: [Tool; 5] = [
        Tool::Flyway,
        Tool::GolangMigrate,
        Tool::Sqlx,
        Tool::Dbmate,
        Tool::Liquibase,
    ];

    /// Name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Flyway => "flyway",
            Tool::GolangMigrate => "golang-migrate",
            Tool::Sqlx => "sqlx",
            Tool::Dbmate => "dbmate",
            Tool::Liquibase => "liquibase",
        }
    }
}

impl std::str::FromStr for Tool {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tool::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                format!("unknown tool `{s}` (flyway, golang-migrate, sqlx, dbmate, liquibase)")
            })
    }
}

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Path relative to the output directory.
    pub path: PathBuf,
    /// Its text.
    pub contents: String,
}

/// Why a plan cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A step lacks the details its kind needs.
    #[error("step {step} has no {what} details")]
    Missing {
        /// Step id.
        step: String,
        /// What is missing.
        what: String,
    },
    /// A step's SQL contains the quoting or delimiter the export relies on.
    #[error("step {step}: its SQL contains `{what}`, which the exported files use as a delimiter")]
    Quoting {
        /// Step id.
        step: String,
        /// The delimiter.
        what: String,
    },
    /// The tool cannot express this step.
    #[error("step {step}: {tool} cannot express it: {why}")]
    Unsupported {
        /// Step id.
        step: String,
        /// Tool name.
        tool: &'static str,
        /// Why.
        why: String,
    },
}

/// The plan as files for `tool`, in order. Same plan → byte-identical files.
pub fn export(plan: &Plan, tool: Tool) -> Result<Vec<File>, ExportError> {
    match tool {
        Tool::Flyway => flyway::files(plan),
        Tool::GolangMigrate => golang_migrate::files(plan),
        Tool::Sqlx => sqlx::files(plan),
        Tool::Dbmate => dbmate::files(plan),
        Tool::Liquibase => liquibase::files(plan),
    }
}

/// A part's note and statements, each statement ending in `;`.
pub(crate) fn body(part: &layout::Part) -> String {
    let mut s = String::new();
    if let Some(n) = &part.note {
        s.push_str(&sql::comment(n));
        s.push('\n');
    }
    for q in &part.statements {
        s.push_str(q.trim_end().trim_end_matches(';'));
        s.push_str(";\n");
    }
    s
}

/// The header of a migration's file.
pub(crate) fn header(plan: &Plan, m: &layout::Migration) -> String {
    sql::header(plan, m.step, &m.role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_names_round_trip() {
        for t in Tool::ALL {
            assert_eq!(t.name().parse::<Tool>(), Ok(t));
        }
        assert!("knex".parse::<Tool>().is_err());
    }
}
