//! One-step changes: defaults, DROP NOT NULL, enum values, identity, new non-table objects,
//! and the refusal for whole-table rewrites.

use super::Out;
use crate::plan::{Phase, StepKind};
use crate::planner::builder::{Ctx, Draft};
use crate::safety::DdlForm;
use crate::sql::ddl::Identity;
use crate::sql::{QName, SqlError, quote_ident as q};

/// SET DEFAULT / DROP DEFAULT: catalog only, affects new rows.
pub fn set_default(
    ctx: &Ctx,
    table: &QName,
    column: &str,
    expr: Option<&String>,
) -> Result<Out, SqlError> {
    let t = ctx.table(table)?;
    let c = ctx.column(t, column)?;
    let back = match &c.default {
        Some(d) => format!(
            "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {d}",
            table.sql(),
            q(column)
        ),
        None => format!(
            "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
            table.sql(),
            q(column)
        ),
    };
    let (sql, summary) = match expr {
        Some(e) => (
            format!(
                "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {e}",
                table.sql(),
                q(column)
            ),
            format!("Set the default of {}.{} to {e}", table.display(), column),
        ),
        None => (
            format!(
                "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                table.sql(),
                q(column)
            ),
            format!("Drop the default of {}.{}", table.display(), column),
        ),
    };
    let mut out = Out::default();
    out.push(
        Draft::new(
            "set-default",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::SetDefault,
            summary,
        )
        .sql([sql])
        .rollback([back])
        .on(table),
    );
    Ok(out)
}

/// DROP NOT NULL: catalog only.
pub fn drop_not_null(ctx: &Ctx, table: &QName, column: &str) -> Result<Out, SqlError> {
    let t = ctx.table(table)?;
    let c = ctx.column(t, column)?;
    if t.primary_key_columns().iter().any(|k| k == column) {
        return Err(ctx.refuse(
            format!(
                "{}.{column} is part of the primary key, which requires NOT NULL",
                table.display()
            ),
            "drop or change the primary key first",
        ));
    }
    let mut out = Out::default();
    if !c.not_null {
        out.warnings.push(format!(
            "{}.{column} already allows NULL; nothing to do",
            table.display()
        ));
        return Ok(out);
    }
    out.push(
        Draft::new("drop-not-null", Phase::Expand, StepKind::Ddl, DdlForm::DropNotNull, format!("Allow NULL in {}.{column}", table.display()))
            .sql([format!("ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL", table.sql(), q(column))])
            .rollback([format!("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL", table.sql(), q(column))])
            .note("Rolling back re-adds NOT NULL, which scans the table and fails if NULLs were written meanwhile.")
            .on(table),
    );
    Ok(out)
}

/// ALTER TYPE ... ADD VALUE.
pub fn enum_value(ctx: &Ctx) -> Result<Out, SqlError> {
    let mut out = Out::default();
    if let crate::sql::Ddl::AddEnumValue {
        name,
        value,
        if_not_exists,
        ..
    } = &ctx.st.ddl
    {
        let Some(labels) = ctx.cat.enums.get(name) else {
            return Err(ctx.refuse(
                format!("unknown enum type {}", name.display()),
                "check the type name against the schema source",
            ));
        };
        if labels.contains(value) {
            if *if_not_exists {
                out.warnings.push(format!(
                    "{} already has the label '{value}'; nothing to do",
                    name.display()
                ));
                return Ok(out);
            }
            return Err(ctx.refuse(
                format!("{} already has the label '{value}'", name.display()),
                "use ADD VALUE IF NOT EXISTS, or choose another label",
            ));
        }
    }
    out.push(
        Draft::new(
            "add-enum-value",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::AddEnumValue,
            "Add an enum label",
        )
        .sql([ctx.st.text.clone()])
        .irreversible(
            "PostgreSQL cannot remove a label from an enum type; an unused label is harmless",
        )
        .note("Roll back the code that uses the label instead; the label itself stays."),
    );
    Ok(out)
}

/// ADD GENERATED AS IDENTITY on an existing column (must be NOT NULL, no default).
pub fn add_identity(
    ctx: &Ctx,
    table: &QName,
    column: &str,
    kind: Identity,
) -> Result<Out, SqlError> {
    let t = ctx.table(table)?;
    let c = ctx.column(t, column)?;
    if !c.not_null || c.default.is_some() {
        return Err(ctx.refuse(
            format!("{}.{column} must be NOT NULL with no default before it can become an identity column", table.display()),
            "plan SET NOT NULL and DROP DEFAULT first",
        ));
    }
    // The sequence must start after the largest value, read in the same transaction as the
    // ALTER (a gap would let an insert take a value that exists). Without an index leading
    // with the column that read is a scan under ACCESS EXCLUSIVE.
    if !t.has_index_leading_with(&[column.to_string()]) {
        return Err(ctx.refuse(
            format!(
                "{}.{column} has no index, so finding its largest value (where the identity's sequence must start) would read every row while ACCESS EXCLUSIVE is held",
                table.display()
            ),
            format!(
                "create an index on it first (`CREATE INDEX CONCURRENTLY ON {} ({})`), then plan this change",
                table.sql(),
                q(column)
            ),
        ));
    }
    let mut out = Out::default();
    out.push(
        Draft::new("add-identity", Phase::Expand, StepKind::Ddl, DdlForm::AddIdentity, format!("Make {}.{column} an identity column", table.display()))
            .sql([
                format!("ALTER TABLE {} ALTER COLUMN {} ADD GENERATED {} AS IDENTITY", table.sql(), q(column), kind.sql()),
                format!(
                    "SELECT setval(pg_get_serial_sequence('{}', '{}'), GREATEST((SELECT max({}) FROM {}), 1))",
                    table.sql().replace('\'', "''"),
                    column.replace('\'', "''"),
                    q(column),
                    table.sql()
                ),
            ])
            .rollback([format!("ALTER TABLE {} ALTER COLUMN {} DROP IDENTITY IF EXISTS", table.sql(), q(column))])
            .note("The sequence starts after the largest existing value (read through an index when one exists).")
            .on(table),
    );
    Ok(out)
}

/// CREATE TYPE/DOMAIN/SCHEMA/FUNCTION/VIEW/SEQUENCE: new objects nothing uses yet.
pub fn new_object(ctx: &Ctx) -> Result<Out, SqlError> {
    use crate::sql::Ddl;
    let (summary, rollback, form) = match &ctx.st.ddl {
        Ddl::CreateEnum { name, .. } => (
            format!("Create type {}", name.display()),
            Some(format!("DROP TYPE IF EXISTS {}", name.sql())),
            DdlForm::CreateTable,
        ),
        Ddl::CreateDomain { name, .. } => (
            format!("Create domain {}", name.display()),
            Some(format!("DROP DOMAIN IF EXISTS {}", name.sql())),
            DdlForm::CreateTable,
        ),
        Ddl::CreateSchema(s) => (
            format!("Create schema {s}"),
            Some(format!("DROP SCHEMA IF EXISTS {}", q(s))),
            DdlForm::CreateTable,
        ),
        Ddl::CreateSequence { name } => (
            format!("Create sequence {}", name.display()),
            Some(format!("DROP SEQUENCE IF EXISTS {}", name.sql())),
            DdlForm::CreateTable,
        ),
        Ddl::CreateView(v) => (
            format!("Create view {}", v.name.display()),
            Some(format!(
                "DROP {}VIEW IF EXISTS {}",
                if v.materialized { "MATERIALIZED " } else { "" },
                v.name.sql()
            )),
            DdlForm::View,
        ),
        Ddl::CreateFunction { name } => (
            format!("Create function {}", name.display()),
            None,
            DdlForm::CreateTable,
        ),
        Ddl::DropView { names, .. } => (
            format!(
                "Drop view {}",
                names
                    .iter()
                    .map(|n| n.display())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
            DdlForm::View,
        ),
        Ddl::CreateTrigger(t) => {
            let mut out = Out::default();
            out.push(
                Draft::new(
                    "create-trigger",
                    Phase::Expand,
                    StepKind::Trigger,
                    DdlForm::CreateTrigger,
                    format!("Create trigger {} on {}", t.name, t.table.display()),
                )
                .sql([ctx.st.text.clone()])
                .rollback([format!(
                    "DROP TRIGGER IF EXISTS {} ON {}",
                    q(&t.name),
                    t.table.sql()
                )])
                .on(&t.table),
            );
            return Ok(out);
        }
        Ddl::SequenceOwnedBy { sequence, .. } => (
            format!("Set the owner column of {}", sequence.display()),
            None,
            DdlForm::CreateTable,
        ),
        _ => ("Create object".to_string(), None, DdlForm::CreateTable),
    };
    let mut out = Out::default();
    let phase = if matches!(ctx.st.ddl, Ddl::DropView { .. }) {
        Phase::Contract
    } else {
        Phase::Expand
    };
    let slug = if phase == Phase::Contract {
        "drop-view"
    } else {
        "create"
    };
    if let Ddl::DropView {
        names, if_exists, ..
    } = &ctx.st.ddl
    {
        for n in names {
            if !ctx.cat.views.contains_key(n) && *if_exists {
                let mut out = Out::default();
                out.warnings
                    .push(format!("view {} does not exist; skipped", n.display()));
                return Ok(out);
            }
            if !ctx.cat.views.contains_key(n) {
                return Err(ctx.refuse(
                    format!("unknown view {}", n.display()),
                    "check the name against the schema source",
                ));
            }
        }
    }
    let mut d = Draft::new(slug, phase, StepKind::Ddl, form, summary).sql([ctx.st.text.clone()]);
    if form == DdlForm::CreateTable {
        d = d.why("Creates a new object that nothing uses yet; no table is locked.");
    }
    let mut d = match rollback {
        Some(r) => d.rollback([r]),
        None => d.irreversible("bellows does not keep the previous definition to restore it"),
    };
    // Views order after (and before) other statements' work on the tables they read.
    match &ctx.st.ddl {
        Ddl::CreateView(v) => {
            for t in &v.relations {
                d = d.touching(t);
            }
        }
        Ddl::DropView { names, .. } => {
            for n in names {
                d = d.on(n);
                if let Some(v) = ctx.cat.views.get(n) {
                    for t in v.depends.keys() {
                        d = d.touching(t);
                    }
                }
            }
        }
        _ => {}
    }
    out.push(d);
    Ok(out)
}

/// VACUUM FULL and CLUSTER: no online path in core PostgreSQL.
pub fn rewrite_whole_table(ctx: &Ctx, table: Option<&QName>) -> Result<Out, SqlError> {
    let what = if ctx.st.text.to_uppercase().starts_with("CLUSTER") {
        "CLUSTER"
    } else {
        "VACUUM FULL"
    };
    let Some(table) = table else {
        return Err(ctx.refuse(
            format!("{what} without a table rewrites every table while blocking it"),
            "name one table, and consider pg_repack or pg_squeeze, which rebuild tables online",
        ));
    };
    ctx.table(table)?;
    if !ctx.opts.allow_blocking {
        return Err(ctx.refuse(
            format!("{what} rewrites {} while blocking reads and writes, and core PostgreSQL has no online equivalent", table.display()),
            "use pg_repack or pg_squeeze, or plan it in a maintenance window with --allow-blocking",
        ));
    }
    let form = if what == "CLUSTER" {
        DdlForm::Cluster
    } else {
        DdlForm::VacuumFull
    };
    let mut out = Out::default();
    let mut d = Draft::new(
        "rewrite",
        Phase::Expand,
        StepKind::Ddl,
        form,
        format!("{what} {} (BLOCKS reads and writes)", table.display()),
    )
    .sql([ctx.st.text.clone()])
    .rollback(Vec::<String>::new())
    .on(table);
    d.blocking = true;
    out.push(d);
    out.warnings.push(format!(
        "{what} on {} blocks reads and writes for the whole rewrite",
        table.display()
    ));
    Ok(out)
}
