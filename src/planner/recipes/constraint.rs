//! ADD CONSTRAINT without long locks: FK (index first) and CHECK as NOT VALID → VALIDATE;
//! UNIQUE / PRIMARY KEY through an index built concurrently; EXCLUDE has no online path.

use std::collections::BTreeSet;

use super::{Out, index, not_null};
use crate::catalog::apply::plain_key;
use crate::catalog::{ConstraintKind, Index, names};
use crate::plan::{Phase, StepKind};
use crate::planner::builder::{Ctx, Draft};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::ddl::ConstraintDef;
use crate::sql::{QName, SqlError, quote_ident as q};

/// The constraint's name, as given or as PostgreSQL would choose it.
fn name_of(ctx: &Ctx, table: &QName, def: &ConstraintDef) -> String {
    if let Some(n) = &def.name {
        return n.clone();
    }
    let taken = |n: &str| ctx.cat.name_taken(&table.schema, n);
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
                .cat
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
        ConstraintKind::UniqueUsingIndex { index } => index.clone(),
    }
}

/// ADD CONSTRAINT.
pub fn add(
    ctx: &Ctx,
    table: &QName,
    def: &ConstraintDef,
    not_valid: bool,
) -> Result<Out, SqlError> {
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
    let mut out = Out::default();
    match &def.kind {
        ConstraintKind::ForeignKey {
            columns,
            ref_table,
            ref_columns,
            ..
        } => {
            let rt = ctx.table(ref_table)?;
            let ref_cols = if ref_columns.is_empty() {
                rt.primary_key_columns()
            } else {
                ref_columns.clone()
            };
            for c in &ref_cols {
                ctx.column(rt, c)?;
            }
            let mut kind = def.kind.clone();
            if let ConstraintKind::ForeignKey { ref_columns, .. } = &mut kind {
                *ref_columns = ref_cols;
            }
            foreign_key(
                ctx,
                &mut out,
                table,
                &name,
                &kind,
                columns,
                not_valid,
                &BTreeSet::new(),
                None,
            )?;
        }
        ConstraintKind::Check { .. } => {
            check(ctx, &mut out, table, &name, &def.kind, not_valid, None);
        }
        ConstraintKind::Unique { columns, .. } | ConstraintKind::PrimaryKey { columns } => {
            let pk = matches!(def.kind, ConstraintKind::PrimaryKey { .. });
            if pk && t.primary_key().is_some() {
                return Err(ctx.refuse(
                    format!("{} already has a primary key", table.display()),
                    "drop it first, or add a UNIQUE constraint instead",
                ));
            }
            let mut last = None;
            if pk {
                let mut taken = BTreeSet::new();
                for c in columns {
                    let col = ctx.column(t, c)?;
                    if col.not_null {
                        continue;
                    }
                    let chk = not_null::check_name(ctx, table, c, &taken);
                    taken.insert(chk.clone());
                    last = Some(not_null::tail(&mut out, table, c, last, &chk));
                }
            }
            let ix = Index {
                name: name.clone(),
                unique: true,
                method: "btree".into(),
                keys: columns.iter().map(|c| plain_key(c)).collect(),
                include: Vec::new(),
                predicate: None,
                valid: true,
                constraint: None,
            };
            let b = out.push(index::build_step(
                "build-unique-index",
                table,
                &ix,
                format!(
                    "Build unique index {name} on {} concurrently",
                    table.display()
                ),
            ));
            let kw = if pk { "PRIMARY KEY" } else { "UNIQUE" };
            let mut d = Draft::new(
                format!("add-{}", if pk { "primary-key" } else { "unique" }),
                Phase::Backfill,
                StepKind::Ddl,
                DdlForm::AddConstraintUsingIndex,
                format!(
                    "Attach index {name} as the {kw} constraint of {}",
                    table.display()
                ),
            )
            .sql([format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {kw} USING INDEX {}",
                table.sql(),
                q(&name),
                q(&name)
            )])
            .rollback([sqlgen::drop_constraint(table, &name)])
            .after(b)
            .on(table);
            if let Some(l) = last {
                d = d.after(l);
            }
            out.push(d);
        }
        ConstraintKind::PrimaryKeyUsingIndex { index }
        | ConstraintKind::UniqueUsingIndex { index } => {
            let Some(ix) = t.indexes.get(index) else {
                return Err(ctx.refuse(
                    format!("unknown index {index} on {}", table.display()),
                    "build it first with CREATE UNIQUE INDEX CONCURRENTLY",
                ));
            };
            let pk = matches!(def.kind, ConstraintKind::PrimaryKeyUsingIndex { .. });
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
                .sql([format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} {kw} USING INDEX {}",
                    table.sql(),
                    q(&name),
                    q(index)
                )])
                .rollback([sqlgen::drop_constraint(table, &name)])
                .note("Rolling back drops the constraint together with its index.")
                .on(table),
            );
        }
        ConstraintKind::Exclude { .. } => {
            if !ctx.opts.allow_blocking {
                return Err(ctx.refuse(
                    format!("an EXCLUDE constraint builds its index while blocking reads and writes on {}, and PostgreSQL has no online way to add one", table.display()),
                    "plan it in a maintenance window with --allow-blocking, or enforce the rule in a trigger",
                ));
            }
            let mut d = Draft::new(
                "add-exclude",
                Phase::Expand,
                StepKind::Ddl,
                DdlForm::AddExclude,
                format!("Add EXCLUDE constraint {name} (BLOCKS reads and writes)"),
            )
            .sql([sqlgen::add_constraint(table, &name, &def.kind, false)])
            .rollback([sqlgen::drop_constraint(table, &name)])
            .on(table);
            d.blocking = true;
            out.push(d);
            out.warnings.push(format!(
                "the EXCLUDE constraint on {} blocks reads and writes while its index is built",
                table.display()
            ));
        }
    }
    Ok(out)
}

/// CHECK: NOT VALID now, VALIDATE later (unless the user asked for NOT VALID only).
pub fn check(
    _ctx: &Ctx,
    out: &mut Out,
    table: &QName,
    name: &str,
    kind: &ConstraintKind,
    not_valid: bool,
    after: Option<usize>,
) -> usize {
    let mut d = Draft::new(
        format!("add-check-{name}"),
        Phase::Expand,
        StepKind::Ddl,
        DdlForm::AddCheckNotValid,
        format!("Add CHECK {name} NOT VALID on {}", table.display()),
    )
    .sql([sqlgen::add_constraint(table, name, kind, true)])
    .rollback([sqlgen::drop_constraint(table, name)])
    .on(table);
    if let Some(a) = after {
        d = d.after(a);
        d.phase = Phase::Backfill;
    }
    let a = out.push(d);
    if not_valid {
        return a;
    }
    out.push(
        Draft::new(
            format!("validate-{name}"),
            Phase::Backfill,
            StepKind::Ddl,
            DdlForm::ValidateConstraint,
            format!("Validate CHECK {name} on existing rows"),
        )
        .sql([sqlgen::validate(table, name)])
        .after(a)
        .on(table),
    )
}

/// FOREIGN KEY: index on the referencing columns (if none), NOT VALID, VALIDATE.
#[allow(clippy::too_many_arguments)]
pub fn foreign_key(
    ctx: &Ctx,
    out: &mut Out,
    table: &QName,
    name: &str,
    kind: &ConstraintKind,
    columns: &[String],
    not_valid: bool,
    planned_indexes: &BTreeSet<Vec<String>>,
    after: Option<usize>,
) -> Result<usize, SqlError> {
    let ConstraintKind::ForeignKey { ref_table, .. } = kind else {
        return Err(ctx.refuse("internal error: not a foreign key", "report this as a bug"));
    };
    let t = ctx.table(table)?;
    let mut prev = after;
    if !t.has_index_leading_with(columns)
        && planned_indexes.contains(columns)
        && !out.drafts.iter().any(|d| d.slug.starts_with("copy-index"))
    {
        out.warnings.push(format!(
            "{}({}) has no index for foreign key {name}: every delete or key update on {} scans it",
            table.display(),
            columns.join(", "),
            ref_table.display()
        ));
    }
    if !t.has_index_leading_with(columns) && !planned_indexes.contains(columns) {
        let ix_name = names::choose_name(&table.name, &columns.join("_"), "idx", |n| {
            ctx.cat.relation_exists(&table.sibling(n)) || n == name
        });
        let ix = Index {
            name: ix_name.clone(),
            unique: false,
            method: "btree".into(),
            keys: columns.iter().map(|c| plain_key(c)).collect(),
            include: Vec::new(),
            predicate: None,
            valid: true,
            constraint: None,
        };
        let mut d = index::build_step(
            &format!("index-{ix_name}"),
            table,
            &ix,
            format!(
                "Build index {ix_name} on the referencing columns ({}) concurrently",
                columns.join(", ")
            ),
        )
        .note("Without it every delete or key update on the referenced table scans this one.");
        if let Some(p) = prev {
            d = d.after(p);
            d.phase = out.drafts[p].phase.max(Phase::Expand);
        }
        prev = Some(out.push(d));
    }
    let mut d = Draft::new(
        format!("add-fk-{name}"),
        Phase::Expand,
        StepKind::Ddl,
        DdlForm::AddForeignKeyNotValid,
        format!(
            "Add FOREIGN KEY {name} NOT VALID on {} → {}",
            table.display(),
            ref_table.display()
        ),
    )
    .sql([sqlgen::add_constraint(table, name, kind, true)])
    .rollback([sqlgen::drop_constraint(table, name)])
    .on(table)
    .on(ref_table);
    if let Some(p) = prev {
        d.phase = out.drafts[p].phase;
        d = d.after(p);
    }
    let a = out.push(d);
    if not_valid {
        return Ok(a);
    }
    let phase = out.drafts[a].phase.max(Phase::Backfill);
    let mut v = Draft::new(
        format!("validate-{name}"),
        phase,
        StepKind::Ddl,
        DdlForm::ValidateConstraint,
        format!("Validate FOREIGN KEY {name} on existing rows"),
    )
    .sql([sqlgen::validate(table, name)])
    .note("The referenced table is held only in ROW SHARE mode.")
    .after(a)
    .on(table);
    v.touches.push(ref_table.clone());
    Ok(out.push(v))
}

/// VALIDATE CONSTRAINT.
pub fn validate(ctx: &Ctx, table: &QName, name: &str) -> Result<Out, SqlError> {
    let t = ctx.table(table)?;
    if !t.constraints.contains_key(name) {
        return Err(ctx.refuse(
            format!("unknown constraint {name} on {}", table.display()),
            "check the name",
        ));
    }
    let mut out = Out::default();
    out.push(
        Draft::new(
            "validate",
            Phase::Backfill,
            StepKind::Ddl,
            DdlForm::ValidateConstraint,
            format!("Validate {name} on existing rows"),
        )
        .sql([sqlgen::validate(table, name)])
        .on(table),
    );
    Ok(out)
}

/// DROP CONSTRAINT.
pub fn drop(
    ctx: &Ctx,
    table: &QName,
    name: &str,
    cascade: bool,
    if_exists: bool,
) -> Result<Out, SqlError> {
    if cascade {
        return Err(ctx.refuse(
            "DROP CONSTRAINT ... CASCADE drops the foreign keys that depend on it, unseen",
            "drop the dependent foreign keys explicitly first",
        ));
    }
    let t = ctx.table(table)?;
    let mut out = Out::default();
    let Some(c) = t.constraints.get(name) else {
        if if_exists {
            out.warnings
                .push(format!("constraint {name} does not exist; skipped"));
            return Ok(out);
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
            .cat
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
    out.push(d);
    Ok(out)
}
