//! CREATE TABLE: one step; nothing uses the table yet.

use crate::catalog::ConstraintKind;
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::SqlError;
use crate::sql::ddl::TableDef;

/// Plan CREATE TABLE.
pub fn plan(ctx: &Ctx, def: &TableDef) -> Result<Drafts, SqlError> {
    if ctx.cat().tables.contains_key(&def.name) {
        if def.if_not_exists {
            return Ok(Drafts::nothing(format!(
                "table {} already exists; CREATE TABLE IF NOT EXISTS does nothing",
                def.name.display()
            )));
        }
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
    .rollback([sqlgen::drop_if_exists("TABLE", &def.name)])
    .creating(&def.name);
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
    Ok(Drafts::one(d))
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn a_table_with_a_foreign_key_locks_the_referenced_table_briefly() {
        let out = testing::plan(
            "CREATE TABLE a (id bigint PRIMARY KEY);",
            "CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a (id));",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 create-table [expand ddl AddForeignKeyNotValid] Create table public.b
          do: CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a (id))
          undo: DROP TABLE IF EXISTS "public"."b"
          on: public.a
        "#);
    }
}
