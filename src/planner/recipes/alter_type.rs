//! ALTER COLUMN TYPE: in place when PostgreSQL need not rewrite; otherwise through a shadow
//! column with conversions both ways, swapped into place in contract.

use super::{Out, shadow};
use crate::plan::{Phase, StepKind};
use crate::planner::builder::{Ctx, Draft};
use crate::safety::{self, DdlForm};
use crate::sql::{QName, SqlError, quote_ident as q};

/// Families of types whose values convert with a plain cast in both directions.
const FAMILIES: &[&[&str]] = &[
    &[
        "smallint",
        "integer",
        "bigint",
        "numeric",
        "real",
        "double precision",
    ],
    &["text", "character varying", "character"],
    &[
        "timestamp without time zone",
        "timestamp with time zone",
        "date",
    ],
    &["json", "jsonb"],
];

fn base(ty: &str) -> &str {
    let b = ty.split('(').next().unwrap_or(ty).trim();
    if ty.starts_with("timestamp") || ty.starts_with("time ") {
        if ty.contains("with time zone") && !ty.contains("without") {
            return "timestamp with time zone";
        }
        return "timestamp without time zone";
    }
    b
}

/// A reverse conversion that needs no directive, when one is obviously right.
pub fn inferred_down(from: &str, to: &str) -> Option<String> {
    let (a, b) = (base(from), base(to));
    FAMILIES
        .iter()
        .any(|f| f.contains(&a) && f.contains(&b))
        .then(|| from.to_string())
}

/// Plan `ALTER TABLE t ALTER COLUMN c TYPE ty [USING e]`.
pub fn plan(
    ctx: &Ctx,
    table: &QName,
    column: &str,
    ty: &str,
    using: Option<&str>,
) -> Result<Out, SqlError> {
    let t = ctx.table(table)?;
    let col = ctx.column(t, column)?.clone();
    let mut out = Out::default();
    if col.ty == ty && using.is_none() {
        out.warnings.push(format!(
            "{}.{column} is already {ty}; nothing to do",
            table.display()
        ));
        return Ok(out);
    }
    let coercible =
        using.is_none() && safety::binary_coercible(&col.ty, ty, ctx.opts.pg_version, false);
    if (coercible || ctx.is_new(table)) && ctx.st.directives.down.is_some() {
        out.warnings.push("`-- bellows:down` has no effect here: the type changes in place, with no shadow column to convert back from".into());
    }
    if coercible || ctx.is_new(table) {
        out.push(
            Draft::new(
                "alter-type",
                Phase::Expand,
                StepKind::Ddl,
                if coercible {
                    DdlForm::AlterTypeCoercible
                } else {
                    DdlForm::AlterTypeRewrite
                },
                format!(
                    "Change {}.{column} from {} to {ty}{}",
                    table.display(),
                    col.ty,
                    if coercible {
                        " (no rewrite)"
                    } else {
                        " (new table)"
                    }
                ),
            )
            .sql([format!(
                "ALTER TABLE {} ALTER COLUMN {} TYPE {ty}{}",
                table.sql(),
                q(column),
                using.map(|u| format!(" USING {u}")).unwrap_or_default()
            )])
            .rollback([format!(
                "ALTER TABLE {} ALTER COLUMN {} TYPE {}",
                table.sql(),
                q(column),
                col.ty
            )])
            .on(table),
        );
        return Ok(out);
    }
    let col_ref = q(column);
    let up = match using {
        Some(u) => u.to_string(),
        None => format!("{col_ref}::{ty}"),
    };
    let down = match (&ctx.st.directives.down, inferred_down(&col.ty, ty)) {
        (Some(d), _) => d.clone(),
        (None, Some(back)) if using.is_none() => format!("{col_ref}::{back}"),
        _ => {
            return Err(ctx.refuse(
                format!("no safe way back from {ty} to {} is known for {}.{column}", col.ty, table.display()),
                format!(
                    "old application code still writes {column} as {}; add `-- bellows:down <expr>` before the statement, giving the old value from the new one (e.g. `-- bellows:down {column}::{}`)",
                    col.ty, col.ty
                ),
            ));
        }
    };
    let new = shadow_name(ctx, table, column);
    out = shadow::plan(
        ctx,
        &shadow::Spec {
            table: table.clone(),
            old: column.to_string(),
            new,
            new_type: ty.to_string(),
            up,
            down,
            retype: true,
        },
    )?;
    out.warnings.push(format!(
        "prepared statements that return {}.{column} fail once after the swap with `cached plan must not change result type`: drivers that re-prepare on that error (pgjdbc, for one) recover by themselves; otherwise recycle the application's connection pools right after the swap",
        table.display()
    ));
    out.warnings.push(format!(
        "{}.{column} keeps its old type {} until the swap after the gate; deploy code that works with both {} and {ty} before confirming the gate",
        table.display(),
        col.ty,
        col.ty
    ));
    Ok(out)
}

/// A free name for the shadow column: `<column>_bellows_new`.
fn shadow_name(ctx: &Ctx, table: &QName, column: &str) -> String {
    let t = ctx.cat.table(table);
    crate::catalog::names::choose_name(column, "bellows", "new", |n| {
        t.is_some_and(|t| t.column(n).is_some())
    })
}
