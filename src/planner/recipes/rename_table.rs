//! RENAME TABLE: rename plus an updatable view under the old name in one transaction →
//! gate → drop the view.

use super::Out;
use crate::plan::{Gate, Phase, StepKind};
use crate::planner::builder::{Ctx, Draft};
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError, quote_ident as q};

/// Plan `ALTER TABLE old RENAME TO new`.
pub fn plan(ctx: &Ctx, table: &QName, to: &str) -> Result<Out, SqlError> {
    let t = ctx.table(table)?;
    let new = table.sibling(to.to_string());
    if ctx.cat.relation_exists(&new) {
        return Err(ctx.refuse(
            format!("relation {} already exists", new.display()),
            "choose another name",
        ));
    }
    let mut out = Out::default();
    if ctx.is_new(table) {
        out.push(
            Draft::new(
                "rename-table",
                Phase::Expand,
                StepKind::Ddl,
                DdlForm::RenameTable,
                format!("Rename new table {} to {to}", table.display()),
            )
            .sql([format!("ALTER TABLE {} RENAME TO {}", table.sql(), q(to))])
            .rollback([format!(
                "ALTER TABLE {} RENAME TO {}",
                new.sql(),
                q(&table.name)
            )])
            .on(table)
            .touching(&new),
        );
        return Ok(out);
    }
    if !t.triggers.is_empty() {
        out.warnings.push(format!(
            "triggers on {} keep working after the rename, but statements through the compatibility view fire them on the table (view triggers are not created)",
            table.display()
        ));
    }
    out.warnings.push(format!(
        "until the gate, {} is a view over {}: INSERT/UPDATE/DELETE and RETURNING work through it; ON CONFLICT, COPY FROM, LOCK TABLE and TRUNCATE on the old name do not",
        table.display(),
        new.display()
    ));
    let a = out.push(
        Draft::new("rename-with-view", Phase::Expand, StepKind::Ddl, DdlForm::RenameTable, format!("Rename {} to {to} and leave an updatable view under the old name", table.display()))
            .sql([
                format!("ALTER TABLE {} RENAME TO {}", table.sql(), q(to)),
                format!("CREATE VIEW {} AS SELECT * FROM {}", table.sql(), new.sql()),
            ])
            .rollback([
                format!("DROP VIEW IF EXISTS {}", table.sql()),
                format!("ALTER TABLE {} RENAME TO {}", new.sql(), q(&table.name)),
            ])
            .note("Both statements run in one transaction, so no query ever sees neither name; the view is automatically updatable.")
            .on(table)
            .touching(&new),
    );
    let g = out.push(
        Draft::new("gate", Phase::Contract, StepKind::Gate, DdlForm::Nothing, format!("Confirm every application instance uses {}", new.display()))
            .after(a)
            .touching(&new)
            .with_gate(Gate {
                text: format!(
                    "Every running instance of every application (and every job, report and migration) now uses the table name `{}` and no longer uses `{}`.",
                    new.display(),
                    table.display()
                ),
                confirm: "confirm".into(),
            }),
    );
    out.push(
        Draft::new(
            "drop-view",
            Phase::Contract,
            StepKind::Ddl,
            DdlForm::View,
            format!("Drop the compatibility view {}", table.display()),
        )
        .sql([format!("DROP VIEW IF EXISTS {}", table.sql())])
        .rollback([format!(
            "CREATE VIEW {} AS SELECT * FROM {}",
            table.sql(),
            new.sql()
        )])
        .after(g)
        .on(table)
        .touching(&new),
    );
    Ok(out)
}

impl Draft {
    /// Attach gate details.
    pub fn with_gate(mut self, g: Gate) -> Self {
        self.gate = Some(g);
        self
    }
}
