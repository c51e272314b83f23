//! CHECK and FOREIGN KEY without long locks: added NOT VALID (instant), validated later
//! under a lock that lets reads and writes go on; a foreign key's referencing columns get an
//! index first when they have none.

use crate::catalog::{ConstraintKind, names};
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError};

/// CHECK: NOT VALID now, VALIDATE later (unless the user asked for NOT VALID only). With
/// `after`, both wait in the backfill phase for that draft. Returns the last draft's index.
pub fn check(
    out: &mut Drafts,
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
        d = d.after(a).in_phase(Phase::Backfill);
    }
    let a = out.push(d);
    if not_valid {
        return a;
    }
    validate_check(out, table, name, a)
}

/// VALIDATE of CHECK `name` after draft `after`. Returns its index.
pub fn validate_check(out: &mut Drafts, table: &QName, name: &str, after: usize) -> usize {
    out.push(
        Draft::new(
            format!("validate-{name}"),
            Phase::Backfill,
            StepKind::Ddl,
            DdlForm::ValidateConstraint,
            format!("Validate CHECK {name} on existing rows"),
        )
        .sql([sqlgen::validate(table, name)])
        .after(after)
        .on(table),
    )
}

/// VALIDATE of FOREIGN KEY `name` (to `ref_table`) after draft `after`. Returns its index.
pub fn validate_foreign_key(
    out: &mut Drafts,
    table: &QName,
    name: &str,
    ref_table: &QName,
    after: usize,
) -> usize {
    let d = validate_key(
        format!("validate-{name}"),
        out.phase_of(after),
        table,
        name,
        ref_table,
        format!("Validate FOREIGN KEY {name} on existing rows"),
        after,
    );
    out.push(d)
}

/// What to do when the referencing columns have no index leading with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingIndex {
    /// Build one concurrently before the constraint.
    Build,
    /// Warn reviewers: deletes on the referenced table will scan.
    Warn,
    /// Say nothing: the caller carries an index over to these columns itself.
    Silent,
}

/// A foreign key to add.
pub struct ForeignKey<'a> {
    /// The referencing table.
    pub table: &'a QName,
    /// The constraint's name.
    pub name: &'a str,
    /// A [`ConstraintKind::ForeignKey`].
    pub kind: &'a ConstraintKind,
    /// Stop at NOT VALID (the user asked for it).
    pub not_valid: bool,
    /// When the referencing columns have no index.
    pub missing_index: MissingIndex,
    /// The draft it must follow, if any (its phase carries over).
    pub after: Option<usize>,
}

/// FOREIGN KEY: index on the referencing columns (if none), NOT VALID, VALIDATE. Returns the
/// last draft's index.
pub fn foreign_key(ctx: &Ctx, out: &mut Drafts, fk: &ForeignKey) -> Result<usize, SqlError> {
    let ConstraintKind::ForeignKey {
        ref_table, columns, ..
    } = fk.kind
    else {
        return Err(ctx.refuse("internal error: not a foreign key", "report this as a bug"));
    };
    let (table, name) = (fk.table, fk.name);
    let t = ctx.table(table)?;
    if t.is_partitioned() {
        return partitioned_foreign_key(ctx, out, fk, t, (ref_table, columns));
    }
    let mut prev = fk.after;
    if !t.has_index_leading_with(columns) {
        match fk.missing_index {
            MissingIndex::Build => prev = Some(referencing_index(ctx, out, fk, columns)),
            MissingIndex::Warn => out.warn(format!(
                "{}({}) has no index for foreign key {name}: every delete or key update on {} scans it",
                table.display(),
                columns.join(", "),
                ref_table.display()
            )),
            MissingIndex::Silent => {}
        }
    }
    let mut d = add_not_valid(
        format!("add-fk-{name}"),
        table,
        fk,
        ref_table,
        table.display(),
    );
    if let Some(p) = prev {
        d = d.in_phase(out.phase_of(p)).after(p);
    }
    let a = out.push(d);
    if fk.not_valid {
        return Ok(a);
    }
    let validate = validate_key(
        format!("validate-{name}"),
        out.phase_of(a),
        table,
        name,
        ref_table,
        format!("Validate FOREIGN KEY {name} on existing rows"),
        a,
    );
    Ok(out.push(validate))
}

/// The concurrent build of an index on a foreign key's referencing columns.
fn referencing_index(ctx: &Ctx, out: &mut Drafts, fk: &ForeignKey, columns: &[String]) -> usize {
    let table = fk.table;
    let ix_name = names::choose_own_name(&table.name, &columns.join("_"), "idx", |n| {
        ctx.cat().relation_exists(&table.sibling(n)) || n == fk.name
    });
    let ix = super::index::btree(&ix_name, false, columns);
    let mut d = super::index::build(
        &format!("index-{ix_name}"),
        table,
        &ix,
        format!(
            "Build index {ix_name} on the referencing columns ({}) concurrently",
            columns.join(", ")
        ),
    )
    .note("Without it every delete or key update on the referenced table scans this one.");
    if let Some(p) = fk.after {
        d = d.after(p).in_phase(out.phase_of(p).max(Phase::Expand));
    }
    out.push(d)
}

/// A foreign key on a partitioned table, which PostgreSQL cannot add NOT VALID (observed on
/// 15): the same key NOT VALID and validated on each partition (ordinary tables), then added
/// on the partitioned table, which attaches the partitions' keys instead of checking rows.
fn partitioned_foreign_key(
    ctx: &Ctx,
    out: &mut Drafts,
    fk: &ForeignKey,
    t: &crate::catalog::Table,
    (ref_table, columns): (&QName, &[String]),
) -> Result<usize, SqlError> {
    let (table, name) = (fk.table, fk.name);
    if fk.not_valid {
        return Err(ctx.refuse(
            format!("PostgreSQL cannot add a NOT VALID foreign key on the partitioned table {}", table.display()),
            "leave out NOT VALID: bellows adds and validates it on each partition first, so the partitioned table's key is only attached",
        ));
    }
    let parts = super::partitioned_index::partitions(ctx.cat(), table);
    if let Some(sub) = parts.iter().find(|p| p.is_partitioned()) {
        return Err(ctx.refuse(
            format!(
                "{} is itself partitioned; bellows adds foreign keys on one level of partitions",
                sub.name.display()
            ),
            "add the key on each sub-partitioned table first",
        ));
    }
    if !t.has_index_leading_with(columns) {
        out.warn(format!(
            "{}({}) has no index for foreign key {name}: every delete or key update on {} scans every partition",
            table.display(),
            columns.join(", "),
            ref_table.display()
        ));
    }
    let phase = fk.after.map_or(Phase::Expand, |p| out.phase_of(p));
    let mut validated = Vec::new();
    for p in &parts {
        let part = &p.name;
        let mut add = add_not_valid(
            format!("add-fk-{name}-{}", part.name),
            part,
            fk,
            ref_table,
            format!("partition {}", part.display()),
        )
        .in_phase(phase);
        if let Some(a) = fk.after {
            add = add.after(a);
        }
        let a = out.push(add);
        validated.push(out.push(validate_key(
            format!("validate-{name}-{}", part.name),
            phase,
            part,
            name,
            ref_table,
            format!(
                "Validate FOREIGN KEY {name} on partition {}",
                part.display()
            ),
            a,
        )));
    }
    let mut parent = Draft::new(
        format!("add-fk-{name}"),
        phase.max(if parts.is_empty() { Phase::Expand } else { Phase::Backfill }),
        StepKind::Ddl,
        DdlForm::AddForeignKeyAttaching,
        format!(
            "Add FOREIGN KEY {name} on the partitioned table {} → {}, attaching the partitions' validated keys",
            table.display(),
            ref_table.display()
        ),
    )
    .sql([sqlgen::add_constraint(table, name, fk.kind, false)])
    .rollback([sqlgen::drop_constraint(table, name)])
    .note("Undone by dropping it, which drops the partitions' attached keys with it.")
    .on(table)
    .on(ref_table)
    .after_all(validated);
    for p in &parts {
        parent = parent.on(&p.name);
    }
    if let Some(a) = fk.after {
        parent = parent.after(a);
    }
    Ok(out.push(parent))
}

/// `ADD CONSTRAINT name FOREIGN KEY ... NOT VALID` on `table` as a draft (`what` names the
/// table in the summary).
fn add_not_valid(
    slug: String,
    table: &QName,
    fk: &ForeignKey,
    ref_table: &QName,
    what: String,
) -> Draft {
    let name = fk.name;
    Draft::new(
        slug,
        Phase::Expand,
        StepKind::Ddl,
        DdlForm::AddForeignKeyNotValid,
        format!(
            "Add FOREIGN KEY {name} NOT VALID on {what} → {}",
            ref_table.display()
        ),
    )
    .sql([sqlgen::add_constraint(table, name, fk.kind, true)])
    .rollback([sqlgen::drop_constraint(table, name)])
    .on(table)
    .on(ref_table)
}

/// `VALIDATE CONSTRAINT name` on `table` as a draft, after `after`.
fn validate_key(
    slug: String,
    phase: Phase,
    table: &QName,
    name: &str,
    ref_table: &QName,
    summary: String,
    after: usize,
) -> Draft {
    Draft::new(
        slug,
        phase.max(Phase::Backfill),
        StepKind::Ddl,
        DdlForm::ValidateConstraint,
        summary,
    )
    .sql([sqlgen::validate(table, name)])
    .note("The referenced table is held only in ROW SHARE mode.")
    .after(after)
    .on(table)
    .touching(ref_table)
}
