//! ADD CONSTRAINT without long locks: FK (index first) and CHECK as NOT VALID → VALIDATE;
//! UNIQUE / PRIMARY KEY through an index built concurrently; EXCLUDE has no online path.
//! Also VALIDATE CONSTRAINT and DROP CONSTRAINT.

use std::collections::BTreeSet;

use crate::catalog::{ConstraintKind, Table, names};
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::constraint::{self, ForeignKey, MissingIndex};
use crate::planner::steps::{fixup, index, not_null};
use crate::safety::DdlForm;
use crate::sql::ddl::ConstraintDef;
use crate::sql::fixup::Fix;
use crate::sql::{QName, SqlError};

/// The constraint's name, as given or as PostgreSQL would choose it.
fn name_of(ctx: &Ctx, table: &QName, def: &ConstraintDef) -> String {
    if let Some(n) = &def.name {
        return n.clone();
    }
    let taken = |n: &str| ctx.cat().name_taken(&table.schema, n);
    match &def.kind {
        ConstraintKind::PrimaryKey { .. } | ConstraintKind::PrimaryKeyUsingIndex { .. } => {
            names::choose_name(&table.name, "", "pkey", taken)
        }
        ConstraintKind::Unique { columns, .. } => {
            names::choose_name(&table.name, &columns.join("_"), "key", taken)
        }
        ConstraintKind::ForeignKey { columns, .. } => {
            names::choose_name(&table.name, &columns.join("_"), "fkey", taken)
        }
        ConstraintKind::Check { expr } => {
            let col = ctx
                .cat()
                .table(table)
                .and_then(|t| {
                    t.columns
                        .iter()
                        .find(|c| crate::sql::expr::mentions_column(expr, &c.name))
                })
                .map(|c| c.name.clone())
                .unwrap_or_default();
            names::choose_name(&table.name, &col, "check", taken)
        }
        ConstraintKind::Exclude { .. } => names::choose_name(&table.name, "", "excl", taken),
        ConstraintKind::UniqueUsingIndex { index, .. } => index.clone(),
    }
}

/// ADD CONSTRAINT.
pub fn add(
    ctx: &Ctx,
    table: &QName,
    def: &ConstraintDef,
    not_valid: bool,
) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    for c in def.kind.columns() {
        ctx.column(t, c)?;
    }
    let name = name_of(ctx, table, def);
    if t.constraints.contains_key(&name) {
        return Err(ctx.refuse(
            format!("constraint {name} already exists on {}", table.display()),
            "choose another name",
        ));
    }
    let mut out = Drafts::default();
    let fix = ctx.st.directives.fix.as_ref();
    fixes_apply(ctx, &def.kind, fix, not_valid)?;
    match &def.kind {
        ConstraintKind::ForeignKey {
            columns,
            ref_table,
            match_full,
            ..
        } => {
            let a = foreign_key(
                ctx,
                &mut out,
                table,
                &name,
                &def.kind,
                not_valid || fix.is_some(),
            )?;
            if let (Some(Fix::Orphans(how)), Some(a)) = (fix, a) {
                let rt = ctx.table(ref_table)?;
                let ref_columns = match &def.kind {
                    ConstraintKind::ForeignKey { ref_columns, .. } if !ref_columns.is_empty() => {
                        ref_columns.clone()
                    }
                    _ => rt.primary_key_columns(),
                };
                let r = fixup::Reference {
                    columns,
                    ref_table,
                    ref_columns: &ref_columns,
                    match_full: *match_full,
                };
                let f = fixup::For {
                    table: t,
                    constraint: &name,
                    after: Some(a),
                };
                let done = fixup::orphans(ctx, &mut out, &f, &r, *how)?;
                constraint::validate_foreign_key(&mut out, table, &name, ref_table, done);
            }
        }
        ConstraintKind::Check { expr } => {
            let a = constraint::check(
                &mut out,
                table,
                &name,
                &def.kind,
                not_valid || fix.is_some(),
                None,
            );
            if let Some(Fix::Rows(assign)) = fix {
                let f = fixup::For {
                    table: t,
                    constraint: &name,
                    after: Some(a),
                };
                let done = fixup::rows(ctx, &mut out, &f, expr, assign)?;
                constraint::validate_check(&mut out, table, &name, done);
            }
        }
        ConstraintKind::Unique { .. } | ConstraintKind::PrimaryKey { .. } => {
            unique_or_primary_key(ctx, &mut out, t, &name, &def.kind)?;
        }
        ConstraintKind::PrimaryKeyUsingIndex { index, deferral } => {
            using_index(ctx, &mut out, t, &name, index, true, *deferral)?;
        }
        ConstraintKind::UniqueUsingIndex { index, deferral } => {
            using_index(ctx, &mut out, t, &name, index, false, *deferral)?;
        }
        ConstraintKind::Exclude { .. } => exclude(ctx, &mut out, table, &name, &def.kind)?,
    }
    Ok(out)
}

/// Refuse a fix-up directive written on a statement it does not apply to (it changes data:
/// better said now than ignored), or one that would make the constraint stop at NOT VALID.
fn fixes_apply(
    ctx: &Ctx,
    kind: &ConstraintKind,
    fix: Option<&Fix>,
    not_valid: bool,
) -> Result<(), SqlError> {
    let Some(fix) = fix else {
        return Ok(());
    };
    let fits = matches!(
        (fix, kind),
        (Fix::Rows(_), ConstraintKind::Check { .. })
            | (Fix::Orphans(_), ConstraintKind::ForeignKey { .. })
            | (
                Fix::Duplicates { .. },
                ConstraintKind::Unique { .. } | ConstraintKind::PrimaryKey { .. }
            )
    );
    if !fits {
        return Err(ctx.refuse(
            format!("`-- bellows:{}` does not apply to this constraint", fix.directive()),
            "fix-rows goes with ADD CONSTRAINT ... CHECK, fix-orphans with ... FOREIGN KEY, fix-duplicates with ... UNIQUE, PRIMARY KEY or CREATE UNIQUE INDEX",
        ));
    }
    if not_valid {
        return Err(ctx.refuse(
            format!("`-- bellows:{}` repairs rows so that the constraint validates, but NOT VALID asks not to validate", fix.directive()),
            "drop NOT VALID, or the directive",
        ));
    }
    Ok(())
}

/// FOREIGN KEY: the referenced columns default to the referenced table's primary key.
/// Returns the last draft's index.
fn foreign_key(
    ctx: &Ctx,
    out: &mut Drafts,
    table: &QName,
    name: &str,
    kind: &ConstraintKind,
    not_valid: bool,
) -> Result<Option<usize>, SqlError> {
    let ConstraintKind::ForeignKey {
        ref_table,
        ref_columns,
        ..
    } = kind
    else {
        return Ok(None);
    };
    if not_valid && ctx.st.directives.fix.is_some() && ctx.table(table)?.is_partitioned() {
        return Err(ctx.refuse(
            format!(
                "`-- bellows:fix-orphans` on partitioned {} is not planned yet",
                table.display()
            ),
            "fix the orphan rows yourself before this change, then plan it without the directive",
        ));
    }
    let rt = ctx.table(ref_table)?;
    let ref_cols = if ref_columns.is_empty() {
        rt.primary_key_columns()
    } else {
        ref_columns.clone()
    };
    for c in &ref_cols {
        ctx.column(rt, c)?;
    }
    let mut kind = kind.clone();
    if let ConstraintKind::ForeignKey { ref_columns, .. } = &mut kind {
        *ref_columns = ref_cols;
    }
    let fk = ForeignKey {
        table,
        name,
        kind: &kind,
        not_valid,
        missing_index: MissingIndex::Build,
        after: None,
    };
    Ok(Some(constraint::foreign_key(ctx, out, &fk)?))
}

/// UNIQUE or PRIMARY KEY: (for a key, NOT NULL proven on each nullable column first), a
/// unique index with the constraint's options built concurrently, or an identical valid one
/// that already exists, then attached as the constraint.
fn unique_or_primary_key(
    ctx: &Ctx,
    out: &mut Drafts,
    t: &Table,
    name: &str,
    kind: &ConstraintKind,
) -> Result<(), SqlError> {
    let table = &t.name;
    let pk = matches!(kind, ConstraintKind::PrimaryKey { .. });
    if pk && t.primary_key().is_some() {
        return Err(ctx.refuse(
            format!("{} already has a primary key", table.display()),
            "drop it first, or add a UNIQUE constraint instead",
        ));
    }
    let columns = kind.columns();
    let mut last = None;
    if pk {
        let mut taken = BTreeSet::new();
        for c in columns {
            if ctx.column(t, c)?.not_null {
                continue;
            }
            let chk = not_null::check_name(ctx, table, c, &taken);
            taken.insert(chk.clone());
            last = Some(not_null::tail(out, table, c, last, &chk));
        }
    }
    let want = key_index(name, kind);
    let kw = if pk { "PRIMARY KEY" } else { "UNIQUE" };
    if let Some(existing) = index::identical_unique(t, &want) {
        if ctx.st.directives.fix.is_some() {
            out.warn(format!("`-- bellows:fix-duplicates` has no effect: the identical unique index {} already holds", existing.name));
        }
        let d = reuse_index(table, name, pk, existing, kind).after_opt(last);
        out.push(d);
        return Ok(());
    }
    let fixed = fixup::duplicates_for(ctx, out, t, name, &want, last)?;
    let build = index::build(
        "build-unique-index",
        table,
        &want,
        format!(
            "Build unique index {name} on {} concurrently",
            table.display()
        ),
    );
    let build = match fixed {
        Some(f) => build.after(f).in_phase(Phase::Backfill),
        None => build,
    };
    let built = index::push(out, build, table, &want);
    out.push(
        Draft::new(
            format!("add-{}", if pk { "primary-key" } else { "unique" }),
            Phase::Backfill,
            StepKind::Ddl,
            DdlForm::AddConstraintUsingIndex,
            format!(
                "Attach index {name} as the {kw} constraint of {}",
                table.display()
            ),
        )
        .sql([sqlgen::attach_index(table, name, pk, name, kind.deferral())])
        .rollback([sqlgen::drop_constraint(table, name)])
        .after(built)
        .on(table)
        .after_opt(last),
    );
    Ok(())
}

/// The unique index a PRIMARY KEY or UNIQUE constraint needs, with its options.
fn key_index(name: &str, kind: &ConstraintKind) -> crate::catalog::Index {
    let mut ix = index::btree(name, true, kind.columns());
    if let ConstraintKind::PrimaryKey { index, .. } | ConstraintKind::Unique { index, .. } = kind {
        ix.include = index.include.clone();
        ix.with = index.with.clone();
    }
    ix.nulls_not_distinct = matches!(
        kind,
        ConstraintKind::Unique {
            nulls_not_distinct: true,
            ..
        }
    );
    ix
}

/// Attach `existing` (identical to the index the constraint needs) instead of building
/// another. PostgreSQL renames it to the constraint's name, and dropping the constraint drops
/// it, so the rollback first rebuilds it concurrently under its own name.
fn reuse_index(
    table: &QName,
    name: &str,
    pk: bool,
    existing: &crate::catalog::Index,
    kind: &ConstraintKind,
) -> Draft {
    let kw = if pk { "PRIMARY KEY" } else { "UNIQUE" };
    let mut again = existing.clone();
    if existing.name == name {
        again.name = names::fit(&format!("{name}_bellows"));
    }
    let mut back = vec![sqlgen::create_index(table, &again, true)];
    back.extend(sqlgen::index_statistics(table, &again));
    back.push(sqlgen::drop_constraint(table, name));
    if again.name != existing.name {
        back.push(sqlgen::rename_index(
            &table.sibling(again.name.clone()),
            &existing.name,
        ));
    }
    Draft::new(
        format!("add-{}", if pk { "primary-key" } else { "unique" }),
        Phase::Backfill,
        StepKind::Ddl,
        DdlForm::AddConstraintUsingIndex,
        format!(
            "Attach the existing identical index {} as the {kw} constraint {name} of {} (no new index is built)",
            existing.name,
            table.display()
        ),
    )
    .sql([sqlgen::attach_index(
        table,
        name,
        pk,
        &existing.name,
        kind.deferral(),
    )])
    .rollback(back)
    .note(format!(
        "PostgreSQL renames {} to {name}; rolling back rebuilds it concurrently under its own name before dropping the constraint.",
        existing.name
    ))
    .on(table)
}

/// ADD CONSTRAINT ... PRIMARY KEY|UNIQUE USING INDEX: instant once the index exists (and,
/// for a key, its columns are NOT NULL).
fn using_index(
    ctx: &Ctx,
    out: &mut Drafts,
    t: &Table,
    name: &str,
    index: &str,
    pk: bool,
    deferral: crate::catalog::Deferral,
) -> Result<(), SqlError> {
    let table = &t.name;
    let Some(ix) = t.indexes.get(index) else {
        return Err(ctx.refuse(
            format!("unknown index {index} on {}", table.display()),
            "build it first with CREATE UNIQUE INDEX CONCURRENTLY",
        ));
    };
    if pk {
        for k in &ix.keys {
            if let Some(c) = &k.column
                && !t.column(c).is_some_and(|c| c.not_null)
            {
                return Err(ctx.refuse(
                    format!("{}.{c} allows NULL, so PRIMARY KEY USING INDEX would scan the table under ACCESS EXCLUSIVE", table.display()),
                    format!("plan `ALTER TABLE {} ALTER COLUMN {c} SET NOT NULL;` first", table.display()),
                ));
            }
        }
    }
    let kw = if pk { "PRIMARY KEY" } else { "UNIQUE" };
    out.push(
        Draft::new(
            "add-constraint",
            Phase::Backfill,
            StepKind::Ddl,
            DdlForm::AddConstraintUsingIndex,
            format!("Attach index {index} as the {kw} constraint {name}"),
        )
        .sql([sqlgen::attach_index(table, name, pk, index, deferral)])
        .rollback([sqlgen::drop_constraint(table, name)])
        .note("Rolling back drops the constraint together with its index.")
        .on(table),
    );
    Ok(())
}

/// EXCLUDE: no online path; a blocking step only when the user allows it.
fn exclude(
    ctx: &Ctx,
    out: &mut Drafts,
    table: &QName,
    name: &str,
    kind: &ConstraintKind,
) -> Result<(), SqlError> {
    if !ctx.opts.allow_blocking {
        return Err(ctx.refuse(
            format!("an EXCLUDE constraint builds its index while blocking reads and writes on {}, and PostgreSQL has no online way to add one", table.display()),
            "plan it in a maintenance window with --allow-blocking, or enforce the rule in a trigger",
        ));
    }
    out.push(
        Draft::new(
            "add-exclude",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::AddExclude,
            format!("Add EXCLUDE constraint {name} (BLOCKS reads and writes)"),
        )
        .sql([sqlgen::add_constraint(table, name, kind, false)])
        .rollback([sqlgen::drop_constraint(table, name)])
        .on(table)
        .blocking(),
    );
    out.warn(format!(
        "the EXCLUDE constraint on {} blocks reads and writes while its index is built",
        table.display()
    ));
    Ok(())
}

/// VALIDATE CONSTRAINT.
pub fn validate(ctx: &Ctx, table: &QName, name: &str) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    if !t.constraints.contains_key(name) {
        return Err(ctx.refuse(
            format!("unknown constraint {name} on {}", table.display()),
            "check the name",
        ));
    }
    Ok(Drafts::one(
        Draft::new(
            "validate",
            Phase::Backfill,
            StepKind::Ddl,
            DdlForm::ValidateConstraint,
            format!("Validate {name} on existing rows"),
        )
        .sql([sqlgen::validate(table, name)])
        .on(table),
    ))
}

/// DROP CONSTRAINT: in contract; refused while foreign keys depend on it.
pub fn drop(
    ctx: &Ctx,
    table: &QName,
    name: &str,
    cascade: bool,
    if_exists: bool,
) -> Result<Drafts, SqlError> {
    if cascade {
        return Err(ctx.refuse(
            "DROP CONSTRAINT ... CASCADE drops the foreign keys that depend on it, unseen",
            "drop the dependent foreign keys explicitly first",
        ));
    }
    let t = ctx.table(table)?;
    let Some(c) = t.constraints.get(name) else {
        if if_exists {
            return Ok(Drafts::nothing(format!(
                "constraint {name} does not exist; skipped"
            )));
        }
        return Err(ctx.refuse(
            format!("unknown constraint {name} on {}", table.display()),
            "check the name",
        ));
    };
    let recreate = match &c.kind {
        ConstraintKind::Check { .. } | ConstraintKind::ForeignKey { .. } => {
            Some(vec![sqlgen::add_constraint(table, name, &c.kind, true)])
        }
        _ => None,
    };
    if matches!(
        c.kind,
        ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
    ) {
        let refs: Vec<String> = ctx
            .cat()
            .fks_referencing(table)
            .into_iter()
            .filter(|(_, fk)| matches!(&fk.kind, ConstraintKind::ForeignKey { ref_columns, .. } if ref_columns.as_slice() == c.kind.columns()))
            .map(|(t, fk)| format!("{} on {}", fk.name, t.display()))
            .collect();
        if !refs.is_empty() {
            return Err(ctx.refuse(
                format!("foreign keys depend on {name}: {}", refs.join(", ")),
                "drop those foreign keys first",
            ));
        }
    }
    let d = Draft::new(
        "drop-constraint",
        Phase::Contract,
        StepKind::Ddl,
        DdlForm::DropConstraint,
        format!("Drop constraint {name} on {}", table.display()),
    )
    .sql([sqlgen::drop_constraint(table, name)])
    .on(table);
    let d = match recreate {
        Some(r) => d.rollback(r).note("Rolling back re-adds it NOT VALID: it holds for new rows at once."),
        None => d.irreversible("the constraint's index is dropped with it; rebuild it with CREATE UNIQUE INDEX CONCURRENTLY and ADD CONSTRAINT ... USING INDEX"),
    };
    Ok(Drafts::one(d))
}

#[cfg(test)]
mod tests;
