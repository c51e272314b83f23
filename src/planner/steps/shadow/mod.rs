//! The shadow-column engine behind RENAME COLUMN and rewriting type changes. In outline:
//!
//! 1. expand: add the new column, nullable, with no default ([`expand`]);
//! 2. dual write: a trigger keeps both columns equal whichever one the application writes;
//! 3. backfill the new column in batches and verify it ([`expand`]);
//! 4. carry over NOT NULL, indexes, unique and primary keys, checks, the table's own foreign
//!    keys and the foreign keys that reference the column ([`carry`]);
//! 5. contract: a gate, the switch-over in one short transaction (trigger gone, keys,
//!    identity, defaults and sequences moved, the row-level-security policies that read the
//!    column re-created on the new one ([`dependents`]), views and materialized views rebuilt
//!    ([`rebuilt`])), the old column dropped, and for a type change the carried objects given
//!    back their original names ([`switch`]).

mod carry;
mod dependents;
mod expand;
mod job;
mod rebuilt;
mod switch;

use crate::planner::kit::{Ctx, Drafts};
use crate::sql::{QName, SqlError};

use carry::Carried;
use job::Job;

/// What to build.
pub struct Spec {
    /// Table.
    pub table: QName,
    /// The existing column.
    pub old: String,
    /// The shadow column (the new name for a rename; a temporary name for a type change).
    pub new: String,
    /// Type of the shadow column.
    pub new_type: String,
    /// `new` from `old`: an expression over the old column's name.
    pub up: String,
    /// `old` from `new`: an expression over the old column's name (meaning the new value).
    pub down: String,
    /// A type change: in contract the shadow column takes the old name.
    pub retype: bool,
}

/// Build the whole plan for one shadow column.
pub fn plan(ctx: &Ctx, spec: &Spec) -> Result<Drafts, SqlError> {
    let job = Job::new(ctx, spec)?;
    let mut out = Drafts::default();
    let add = expand::add_column(&job, &mut out);
    let sync = expand::sync_trigger(&job, &mut out, add);
    let verify = expand::backfill(&job, &mut out, sync);

    let mut carried = Carried::default();
    carry::not_null(&job, &mut out, &mut carried, verify);
    carry::indexes(&job, &mut out, &mut carried, verify)?;
    carry::constraints(&job, &mut out, &mut carried, verify)?;
    carry::referencing_keys(&job, &mut out, &mut carried)?;
    let beside = rebuilt::build_beside(&spec.table, &job.rebuilt, &mut out, verify);
    carried.steps.extend(beside);

    let gate = switch::gate(&job, &mut out, verify, &carried);
    let swap = switch::switch_over(&job, &mut out, &carried, gate);
    let dropped = switch::drop_old(&job, &mut out, swap);
    switch::restore_names(&job, &mut out, &carried, dropped);
    Ok(out)
}

#[cfg(test)]
mod tests;
