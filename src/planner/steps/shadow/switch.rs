//! Contract: the gate, the switch-over in one short transaction, the old column dropped,
//! and a type change's carried objects given back their original names.

use super::carry::{Carried, Rename};
use super::dependents;
use super::job::Job;
use super::rebuilt;
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::gate;
use crate::safety::DdlForm;
use crate::sql::QName;

/// The gate: every application works with the new column (or type) before anything is lost.
pub fn gate(job: &Job, out: &mut Drafts, verify: usize, c: &Carried) -> usize {
    let (spec, table) = (job.spec, &job.spec.table);
    let (summary, text) = if spec.retype {
        (
            format!(
                "Confirm the application works with {}.{} as {}",
                table.display(),
                spec.old,
                spec.new_type
            ),
            format!(
                "Every running instance of every application, job and report works with `{}.{}` as `{}` (check ORM mappings and casts). After this gate the column is swapped and the old values are dropped.",
                table.display(),
                spec.old,
                spec.new_type
            ),
        )
    } else {
        (
            format!(
                "Confirm every application instance uses {}.{}",
                table.display(),
                spec.new
            ),
            format!(
                "Every running instance of every application, job and report reads and writes `{}.{}` and no longer uses `{}` (deploy the new code everywhere first). After this gate `{}` and its data are dropped.",
                table.display(),
                spec.new,
                spec.old,
                spec.old
            ),
        )
    };
    let mentions = if spec.retype {
        Vec::new()
    } else {
        job.ctx.cat().function_mentions(table, &spec.old)
    };
    if let Some(w) = gate::functions_warning(table, &spec.old, &mentions) {
        out.warn(w);
    }
    let text = text + &gate::functions_to_change(&spec.old, Some(&spec.new), &mentions);
    out.push(
        gate::before_data_loss(summary, text, &table.name, table)
            .after(verify)
            .after_all(c.steps.iter().copied()),
    )
}

/// Stop syncing and move everything the old column had (keys, identity, default, sequences)
/// to the new one, in one transaction of catalog-only statements.
pub fn switch_over(job: &Job, out: &mut Drafts, c: &Carried, gate: usize) -> usize {
    let (spec, table) = (job.spec, &job.spec.table);
    // The rebuilt views first: their readers lock the view before the table.
    let mut sql = job.rebuilt.take_down();
    sql.extend(job.sync.drop());
    let locked = vec![table.clone()];
    let gate = drop_old_incoming(job, out, c, gate);
    sql.extend(move_primary_key(job, c));
    sql.extend(c.settings.iter().cloned());
    sql.extend(move_identity(job));
    sql.extend(move_default(job));
    sql.extend(move_sequences(job));
    if job.col.not_null {
        // The application no longer writes the old column; it must accept rows without it.
        sql.push(sqlgen::drop_not_null(table, &spec.old));
    }
    if spec.retype {
        sql.push(sqlgen::rename_column(table, &spec.old, &final_old(job)));
        sql.push(sqlgen::rename_column(table, &spec.new, &spec.old));
    }
    sql.extend(dependents::recreate(
        &job.policies,
        &job.views,
        job.rebuilt.put_back(),
        table,
        &final_old(job),
    ));
    let (slug, summary) = if spec.retype {
        (
            "swap",
            format!(
                "Swap {} into place as {}.{}",
                spec.new,
                table.display(),
                spec.old
            ),
        )
    } else {
        (
            "switch-over",
            format!(
                "Stop syncing; {} takes over everything {} had",
                spec.new, spec.old
            ),
        )
    };
    if job.table.columns.last().is_some_and(|c| c.name != spec.old) {
        out.warn(format!(
            "after the {slug}, {} is the last column of {}: INSERT without a column list, COPY without one and SELECT * see the columns in a new order",
            if spec.retype { &spec.old } else { &spec.new },
            table.display()
        ));
    }
    if !job.policies.is_empty() {
        let names: Vec<&str> = job
            .policies
            .iter()
            .map(|r| r.before.name.as_str())
            .collect();
        out.warn(format!(
            "row-level-security policies {} on {} read {}: until the {slug} they keep reading it (the sync trigger keeps both columns equal); the {slug} drops and creates them again on the new column in the same transaction",
            names.join(", "),
            table.display(),
            spec.old
        ));
    }
    if !job.views.is_empty() {
        let names: Vec<String> = job.views.iter().map(|v| v.name.display()).collect();
        out.warn(format!(
            "views {} read {}: until the {slug} they read it, and old and new application versions get the same values through them (the sync trigger keeps both columns equal); the {slug} replaces their queries to read {} under the same output column names, so readers of the views see no change (a view column named {} stays so named: rename it as its own change)",
            names.join(", "),
            spec.old,
            spec.new,
            spec.old
        ));
    }
    let note = rebuilt::warn(spec, &job.rebuilt, out, slug);
    let mut d = Draft::new(slug, Phase::Contract, StepKind::Ddl, DdlForm::DropTrigger, summary)
        .sql(sql)
        .irreversible("the sync trigger is gone and the application no longer writes the old column; roll forward, or restore from the earlier phases' rollbacks before this gate")
        .note(format!("Every statement is catalog-only and they share one short transaction.{note}"))
        .after_all(gate);
    for t in &locked {
        d = d.on(t);
    }
    for v in job.rebuilt.names() {
        d = d.touching(&v);
    }
    out.push(d)
}

/// The other tables' foreign keys on the old column, each dropped in a transaction of its
/// own after the gate, so no transaction locks more than the referencing table and this
/// one (a key referenced by 70 tables would otherwise lock all of them at once). The
/// carried keys on the new column, validated before the gate, hold the same rows meanwhile.
/// Returns what the switch-over must wait for.
fn drop_old_incoming(job: &Job, out: &mut Drafts, c: &Carried, gate: usize) -> Vec<usize> {
    let table = &job.spec.table;
    let mut last = vec![gate];
    for (child, name, kind) in &c.old_incoming {
        last.push(
            out.push(
                Draft::new(
                    format!("drop-old-fk-{name}"),
                    Phase::Contract,
                    StepKind::Ddl,
                    DdlForm::DropConstraint,
                    format!("Drop foreign key {name} of {} on the old column", child.display()),
                )
                .sql([sqlgen::drop_constraint(child, name)])
                .rollback([
                    sqlgen::add_constraint(child, name, kind, true),
                    sqlgen::validate(child, name),
                ])
                .note("Its twin on the new column, validated before the gate, holds the same rows; undone by adding it back and validating it.")
                .after(gate)
                .on(child)
                .on(table),
            ),
        );
    }
    last
}

/// The old column's name once the switch-over is done.
fn final_old(job: &Job) -> String {
    if job.spec.retype {
        crate::catalog::names::fit(&format!("{}_bellows_old", job.spec.old))
    } else {
        job.spec.old.clone()
    }
}

fn move_primary_key(job: &Job, c: &Carried) -> Vec<String> {
    let table = &job.spec.table;
    let pk = job.table.primary_key();
    let moves = pk.is_some_and(|p| p.kind.columns().contains(&job.spec.old));
    match (moves, pk, c.pk_index.as_ref()) {
        (true, Some(pkc), Some(ix)) => vec![
            sqlgen::drop_constraint(table, &pkc.name),
            sqlgen::attach_index(table, &pkc.name, true, ix, pkc.kind.deferral()),
        ],
        _ => Vec::new(),
    }
}

fn move_identity(job: &Job) -> Vec<String> {
    let (spec, table) = (job.spec, &job.spec.table);
    let Some(id) = job.col.identity else {
        return Vec::new();
    };
    vec![
        sqlgen::add_identity(table, &spec.new, id),
        sqlgen::setval(
            &sqlgen::serial_sequence(table, &spec.new),
            &format!("nextval({})", sqlgen::serial_sequence(table, &spec.old)),
        ),
        sqlgen::drop_identity(table, &spec.old, false),
    ]
}

fn move_default(job: &Job) -> Vec<String> {
    let (spec, table) = (job.spec, &job.spec.table);
    match job.new_default() {
        Some(d) => vec![
            sqlgen::set_default(table, &spec.new, &d),
            sqlgen::drop_default(table, &spec.old),
        ],
        None => Vec::new(),
    }
}

fn move_sequences(job: &Job) -> Vec<String> {
    let (spec, table) = (job.spec, &job.spec.table);
    let mut sql = Vec::new();
    if job.col.identity.is_some() {
        return sql;
    }
    for s in &job.deps.sequences {
        sql.push(sqlgen::sequence_owned_by(s, table, &spec.new));
        if spec.retype && matches!(spec.new_type.as_str(), "smallint" | "integer" | "bigint") {
            // A serial's sequence is typed; widen it with the column.
            sql.push(sqlgen::sequence_as(s, &spec.new_type));
        }
    }
    sql
}

/// Drop the old column (irreversible: its data lives on in the new one).
pub fn drop_old(job: &Job, out: &mut Drafts, swap: usize) -> usize {
    let (spec, table) = (job.spec, &job.spec.table);
    let old = final_old(job);
    out.push(
        Draft::new(
            "drop-old-column",
            Phase::Contract,
            StepKind::Ddl,
            DdlForm::DropColumn,
            format!("Drop the old column {}.{}", table.display(), old),
        )
        .sql([sqlgen::drop_column(table, &old)])
        .irreversible(format!(
            "the old column {old} and its data are deleted (the data lives on in {})",
            if spec.retype { &spec.old } else { &spec.new }
        ))
        .after(swap)
        .on(table),
    )
}

/// After a type change, the carried indexes and constraints take their original names.
pub fn restore_names(job: &Job, out: &mut Drafts, c: &Carried, dropped: usize) {
    let table = &job.spec.table;
    if !job.spec.retype || c.renames.is_empty() {
        return;
    }
    // One step per table: a rename locks its table ACCESS EXCLUSIVE, and a key referenced
    // by many tables must not lock them all in one transaction.
    let mut by_table: Vec<(QName, Vec<String>, Vec<String>)> =
        vec![(table.clone(), Vec::new(), Vec::new())];
    for r in &c.renames {
        let (on, fwd, back) = match r {
            Rename::Constraint {
                table: ct,
                tmp,
                original,
            } => (
                ct,
                sqlgen::rename_constraint(ct, tmp, original),
                sqlgen::rename_constraint(ct, original, tmp),
            ),
            Rename::Index { tmp, original } => (
                table,
                sqlgen::rename_index(&table.sibling(tmp.clone()), original),
                sqlgen::rename_index(&table.sibling(original.clone()), tmp),
            ),
        };
        match by_table.iter_mut().find(|(t, _, _)| t == on) {
            Some((_, f, b)) => {
                f.push(fwd);
                b.push(back);
            }
            None => by_table.push((on.clone(), vec![fwd], vec![back])),
        }
    }
    for (on, fwd, mut back) in by_table {
        if fwd.is_empty() {
            continue;
        }
        back.reverse();
        let (slug, summary) = if on == *table {
            (
                "restore-names".to_string(),
                "Give the carried-over indexes and constraints their original names".to_string(),
            )
        } else {
            (
                format!("restore-names-{}", on.name),
                format!(
                    "Give the carried-over constraints of {} their original names",
                    on.display()
                ),
            )
        };
        out.push(
            Draft::new(
                slug,
                Phase::Contract,
                StepKind::Ddl,
                DdlForm::RenameColumn,
                summary,
            )
            .sql(fwd)
            .rollback(back)
            .after(dropped)
            .on(&on)
            .touching(table),
        );
    }
}
