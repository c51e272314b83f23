//! Carry over what the old column has to the new one: NOT NULL, indexes (the primary key's
//! and unique constraints' among them), checks, the table's foreign keys, and the foreign
//! keys of other tables that reference the column.

use std::collections::{BTreeMap, BTreeSet};

use super::job::Job;
use crate::catalog::{ConstraintKind, Index, names};
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::constraint::{self, ForeignKey, MissingIndex};
use crate::planner::steps::{index, not_null, partitioned_index};
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError};

/// A carried-over object that has a temporary name until the old column is gone.
pub enum Rename {
    /// A constraint of `table`.
    Constraint {
        /// Its table.
        table: QName,
        /// The temporary name.
        tmp: String,
        /// The original name.
        original: String,
    },
    /// A plain index (of the job's table).
    Index {
        /// The temporary name.
        tmp: String,
        /// The original name.
        original: String,
    },
}

/// What carrying over has produced so far.
#[derive(Default)]
pub struct Carried {
    /// Names chosen so far.
    pub taken: BTreeSet<String>,
    /// The last draft of each carried object: the gate waits for all of them.
    pub steps: Vec<usize>,
    /// Names to restore after a type change's swap.
    pub renames: Vec<Rename>,
    /// Column lists with a unique index or constraint on the new column: the draft that makes it.
    pub unique_on: BTreeMap<Vec<String>, usize>,
    /// The index that becomes the primary key at the switch-over.
    pub pk_index: Option<String>,
    /// Foreign keys of other tables on the old column (table, name, definition), dropped one
    /// by one before the switch-over.
    pub old_incoming: Vec<(QName, String, ConstraintKind)>,
    /// Settings of the copies that are made at the switch-over (index statistics targets).
    pub settings: Vec<String>,
}

/// NOT NULL on the new column, proven by a validated check.
pub fn not_null(job: &Job, out: &mut Drafts, c: &mut Carried, verify: usize) {
    if !job.col.not_null {
        return;
    }
    let table = &job.spec.table;
    let chk = not_null::check_name(&job.ctx, table, &job.spec.new, &c.taken);
    c.taken.insert(chk.clone());
    let last = not_null::tail(out, table, &job.spec.new, Some(verify), &chk);
    c.steps.push(last);
}

/// Every index on the old column, built concurrently on the new one; unique constraints
/// attached to their copies.
pub fn indexes(
    job: &Job,
    out: &mut Drafts,
    c: &mut Carried,
    verify: usize,
) -> Result<(), SqlError> {
    let table = &job.spec.table;
    let pk = job.table.primary_key();
    for ix in &job.deps.indexes {
        let is_pk =
            ix.constraint.is_some() && pk.is_some_and(|p| Some(&p.name) == ix.constraint.as_ref());
        let copy = copy_index(job, ix, is_pk, &mut c.taken);
        let first_nn = c.steps.first().copied();
        if job.table.is_partitioned() {
            let built = partitioned_copy(job, out, &copy, verify, first_nn)?;
            if job.spec.retype {
                c.renames.push(Rename::Index {
                    tmp: copy.name.clone(),
                    original: ix.name.clone(),
                });
            }
            c.steps.push(built);
            continue;
        }
        let built = index::push(
            out,
            index::build(
                &format!("copy-index-{}", ix.name),
                table,
                &copy,
                format!(
                    "Build index {} on {} concurrently (copy of {})",
                    copy.name, job.spec.new, ix.name
                ),
            )
            .in_phase(Phase::Backfill)
            .after(verify)
            .after_opt(first_nn),
            table,
            &copy,
        );
        let cols: Vec<String> = copy.keys.iter().filter_map(|k| k.column.clone()).collect();
        c.settings.extend(sqlgen::index_statistics(table, &copy));
        if is_pk {
            c.pk_index = Some(copy.name.clone());
            c.unique_on.insert(cols, built);
            c.steps.push(built);
            continue;
        }
        match &ix.constraint {
            Some(cname) => {
                let deferral = job
                    .table
                    .constraints
                    .get(cname)
                    .map(|k| k.kind.deferral())
                    .unwrap_or_default();
                let attach = out.push(
                    Draft::new(
                        format!("copy-unique-{cname}"),
                        Phase::Backfill,
                        StepKind::Ddl,
                        DdlForm::AddConstraintUsingIndex,
                        format!(
                            "Attach {} as UNIQUE constraint on {}",
                            copy.name, job.spec.new
                        ),
                    )
                    .sql([sqlgen::attach_index(
                        table, &copy.name, false, &copy.name, deferral,
                    )])
                    .rollback([sqlgen::drop_constraint(table, &copy.name)])
                    .after(built)
                    .on(table),
                );
                if job.spec.retype {
                    c.renames.push(Rename::Constraint {
                        table: table.clone(),
                        tmp: copy.name.clone(),
                        original: cname.clone(),
                    });
                }
                c.unique_on.insert(cols, attach);
                c.steps.push(attach);
            }
            None => {
                if job.spec.retype {
                    c.renames.push(Rename::Index {
                        tmp: copy.name.clone(),
                        original: ix.name.clone(),
                    });
                }
                if copy.unique && copy.predicate.is_none() {
                    c.unique_on.insert(cols, built);
                }
                c.steps.push(built);
            }
        }
    }
    Ok(())
}

/// A copy of an index of a partitioned table: its own index `ON ONLY`, each partition's
/// built concurrently, then attached ([`partitioned_index`]), in the backfill phase after
/// the verification. Returns the last step's index.
fn partitioned_copy(
    job: &Job,
    out: &mut Drafts,
    copy: &Index,
    verify: usize,
    first_nn: Option<usize>,
) -> Result<usize, SqlError> {
    let mut sub = partitioned_index::build(&job.ctx, job.table, copy)?;
    for d in &mut sub.drafts {
        d.phase = Phase::Backfill;
    }
    let first = out.drafts.len();
    out.extend(sub, None);
    out.drafts[first].after.push(verify);
    out.drafts[first].after.extend(first_nn);
    Ok(out.drafts.len() - 1)
}

/// The index `ix` with the old column replaced by the new one, under a free name.
fn copy_index(job: &Job, ix: &Index, is_pk: bool, taken: &mut BTreeSet<String>) -> Index {
    let (spec, table) = (job.spec, &job.spec.table);
    let mut copy = ix.clone();
    copy.name = if is_pk {
        let name = names::choose_own_name(&table.name, &spec.new, "pkey", |x| {
            !job.ctx.name_free(&table.schema, x, taken)
        });
        taken.insert(name.clone());
        name
    } else {
        job.carried_name(&ix.name, taken)
    };
    copy.constraint = None;
    for k in &mut copy.keys {
        if k.column.as_deref() == Some(spec.old.as_str()) {
            k.column = Some(spec.new.clone());
        } else if k.column.is_none() {
            k.expr = job.renamed(&k.expr);
        }
    }
    copy.include = job.renamed_columns(&copy.include);
    copy.predicate = copy.predicate.as_deref().map(|p| job.renamed(p));
    copy
}

/// The table's own checks and foreign keys on the old column, re-made on the new one.
pub fn constraints(
    job: &Job,
    out: &mut Drafts,
    c: &mut Carried,
    verify: usize,
) -> Result<(), SqlError> {
    let table = &job.spec.table;
    for con in &job.deps.constraints {
        let mut kind = con.kind.clone();
        match &mut kind {
            ConstraintKind::Check { expr } => *expr = job.renamed(expr),
            ConstraintKind::ForeignKey {
                columns,
                delete_set_columns,
                ..
            } => {
                *columns = job.renamed_columns(columns);
                *delete_set_columns = job.renamed_columns(delete_set_columns);
            }
            _ => continue,
        }
        let name = job.carried_name(&con.name, &mut c.taken);
        let last = if matches!(kind, ConstraintKind::Check { .. }) {
            constraint::check(out, table, &name, &kind, false, Some(verify))
        } else {
            let fk = ForeignKey {
                table,
                name: &name,
                kind: &kind,
                not_valid: false,
                missing_index: missing_index(job),
                after: Some(verify),
            };
            constraint::foreign_key(&job.ctx, out, &fk)?
        };
        if job.spec.retype {
            c.renames.push(Rename::Constraint {
                table: table.clone(),
                tmp: name,
                original: con.name.clone(),
            });
        }
        c.steps.push(last);
    }
    Ok(())
}

/// The new column gets an index only through the copies: say so when it gets none.
fn missing_index(job: &Job) -> MissingIndex {
    if job.deps.indexes.is_empty() {
        MissingIndex::Warn
    } else {
        MissingIndex::Silent
    }
}

/// Foreign keys of other tables on the old column: a twin on the new column, made once the
/// unique index it needs exists (the old one is dropped at the switch-over).
pub fn referencing_keys(job: &Job, out: &mut Drafts, c: &mut Carried) -> Result<(), SqlError> {
    let (spec, table) = (job.spec, &job.spec.table);
    if spec.retype {
        narrower_referencing_columns(job, out);
    }
    for (child, fk) in &job.deps.referencing_fks {
        let ConstraintKind::ForeignKey { ref_columns, .. } = &fk.kind else {
            continue;
        };
        let new_ref = job.renamed_columns(ref_columns);
        let Some(&unique) = c.unique_on.get(&new_ref) else {
            return Err(job.ctx.refuse(
                format!("foreign key {} on {} references {}({}), and no unique index on those columns can be carried over", fk.name, child.display(), table.display(), ref_columns.join(", ")),
                "give the referenced columns a unique constraint first",
            ));
        };
        let name = job.carried_name(&fk.name, &mut c.taken);
        let mut kind = fk.kind.clone();
        if let ConstraintKind::ForeignKey {
            ref_table,
            ref_columns,
            ..
        } = &mut kind
        {
            *ref_table = table.clone();
            *ref_columns = new_ref;
        }
        job.ctx.table(child)?;
        let twin = ForeignKey {
            table: child,
            name: &name,
            kind: &kind,
            not_valid: false,
            missing_index: missing_index(job),
            after: Some(unique),
        };
        let last = constraint::foreign_key(&job.ctx, out, &twin)?;
        if spec.retype {
            c.renames.push(Rename::Constraint {
                table: child.clone(),
                tmp: name,
                original: fk.name.clone(),
            });
        }
        c.old_incoming
            .push((child.clone(), fk.name.clone(), fk.kind.clone()));
        c.steps.push(last);
    }
    Ok(())
}

/// Warn where a referencing column keeps a type narrower than the new one.
fn narrower_referencing_columns(job: &Job, out: &mut Drafts) {
    let (spec, table) = (job.spec, &job.spec.table);
    for (child, fk) in &job.deps.referencing_fks {
        if let ConstraintKind::ForeignKey {
            columns,
            ref_columns,
            ..
        } = &fk.kind
            && let Some(pos) = ref_columns.iter().position(|c| *c == spec.old)
            && let Some(cc) = columns.get(pos)
            && let Some(ccol) = job.ctx.cat().table(child).and_then(|t| t.column(cc))
            && ccol.ty != spec.new_type
        {
            out.warn(format!(
                "{}.{cc} (foreign key {}) stays {}: values of {}.{} beyond what {} holds cannot be referenced until it is changed too (plan `ALTER TABLE {} ALTER COLUMN {cc} TYPE {};`)",
                child.display(), fk.name, ccol.ty, table.display(), spec.old, ccol.ty, child.display(), spec.new_type
            ));
        }
    }
}
