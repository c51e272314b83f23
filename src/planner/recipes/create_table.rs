//! CREATE TABLE: one step; nothing uses the table yet.

use super::Out;
use crate::catalog::ConstraintKind;
use crate::plan::{Phase, StepKind};
use crate::planner::builder::{Ctx, Draft};
use crate::safety::DdlForm;
use crate::sql::SqlError;
use crate::sql::ddl::TableDef;

/// Plan CREATE TABLE.
pub fn plan(ctx: &Ctx, def: &TableDef) -> Result<Out, SqlError> {
    if ctx.cat.tables.contains_key(&def.name) && def.if_not_exists {
        let mut out = Out::default();
        out.warnings.push(format!(
            "table {} already exists; CREATE TABLE IF NOT EXISTS does nothing",
            def.name.display()
        ));
        return Ok(out);
    }
    if ctx.cat.tables.contains_key(&def.name) {
        return Err(ctx.refuse(
            format!("table {} already exists", def.name.display()),
            "choose another name, or plan changes to the existing table",
        ));
    }
    let mut d = Draft::new(
        "create-table",
        Phase::Expand,
        StepKind::Ddl,
        DdlForm::CreateTable,
        format!("Create table {}", def.name.display()),
    )
    .sql([ctx.st.text.clone()])
    .rollback([format!("DROP TABLE IF EXISTS {}", def.name.sql())])
    .touching(&def.name);
    let fks = def
        .constraints
        .iter()
        .chain(def.columns.iter().flat_map(|c| c.constraints.iter()))
        .filter_map(|c| match &c.kind {
            ConstraintKind::ForeignKey { ref_table, .. } => Some(ref_table.clone()),
            _ => None,
        });
    let mut referenced = Vec::new();
    for t in fks {
        if t != def.name {
            ctx.table(&t)?;
            referenced.push(t);
        }
    }
    if !referenced.is_empty() {
        d.form = DdlForm::AddForeignKeyNotValid;
        for t in &referenced {
            d = d.on(t);
        }
        d = d.why("A new table has no rows to check; its foreign keys take SHARE ROW EXCLUSIVE on the referenced tables only for the instant of creation.");
    }
    let mut out = Out::default();
    out.push(d);
    Ok(out)
}
