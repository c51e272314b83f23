//! RENAME COLUMN: running code uses the old name, so the column is copied, kept in sync,
//! and the old one dropped only after the gate (see [`super::shadow`]).

use super::{Out, shadow};
use crate::plan::{Phase, StepKind};
use crate::planner::builder::{Ctx, Draft};
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError, quote_ident as q};

/// Plan `ALTER TABLE t RENAME COLUMN from TO to`.
pub fn plan(ctx: &Ctx, table: &QName, from: &str, to: &str) -> Result<Out, SqlError> {
    let t = ctx.table(table)?;
    let col = ctx.column(t, from)?;
    if t.column(to).is_some() {
        return Err(ctx.refuse(
            format!("column {}.{to} already exists", table.display()),
            "choose another name",
        ));
    }
    if ctx.is_new(table) {
        let mut out = Out::default();
        out.push(
            Draft::new(
                "rename-column",
                Phase::Expand,
                StepKind::Ddl,
                DdlForm::RenameColumn,
                format!("Rename {}.{from} to {to} (new table)", table.display()),
            )
            .sql([format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                table.sql(),
                q(from),
                q(to)
            )])
            .rollback([format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                table.sql(),
                q(to),
                q(from)
            )])
            .on(table),
        );
        return Ok(out);
    }
    let same = crate::sql::expr::column_ref(from);
    shadow::plan(
        ctx,
        &shadow::Spec {
            table: table.clone(),
            old: from.to_string(),
            new: to.to_string(),
            new_type: col.ty.clone(),
            up: same.clone(),
            down: same,
            retype: false,
        },
    )
}
