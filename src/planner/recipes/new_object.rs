//! New objects nothing uses yet (types, domains, schemas, functions, sequences, views,
//! triggers), and DROP VIEW: one step each, as written.

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::ddl::TriggerDef;
use crate::sql::{Ddl, QName, SqlError};

/// CREATE TYPE/DOMAIN/SCHEMA/FUNCTION/VIEW/SEQUENCE/TRIGGER, ALTER SEQUENCE ... OWNED BY,
/// DROP VIEW.
pub fn plan(ctx: &Ctx) -> Result<Drafts, SqlError> {
    match &ctx.st.ddl {
        Ddl::CreateTrigger(t) => Ok(trigger(ctx, t)),
        Ddl::DropView {
            names, if_exists, ..
        } => drop_views(ctx, names, *if_exists),
        _ => Ok(create(ctx)),
    }
}

/// The statement as written, undone by dropping what it made (when bellows knows how).
fn create(ctx: &Ctx) -> Drafts {
    let (summary, rollback, form) = match &ctx.st.ddl {
        Ddl::CreateEnum { name, .. } => (
            format!("Create type {}", name.display()),
            Some(sqlgen::drop_if_exists("TYPE", name)),
            DdlForm::CreateTable,
        ),
        Ddl::CreateDomain { name, .. } => (
            format!("Create domain {}", name.display()),
            Some(sqlgen::drop_if_exists("DOMAIN", name)),
            DdlForm::CreateTable,
        ),
        Ddl::CreateSchema(s) => (
            format!("Create schema {s}"),
            Some(sqlgen::drop_schema_if_exists(s)),
            DdlForm::CreateTable,
        ),
        Ddl::CreateSequence { name, .. } => (
            format!("Create sequence {}", name.display()),
            Some(sqlgen::drop_if_exists("SEQUENCE", name)),
            DdlForm::CreateTable,
        ),
        Ddl::CreateView(v) => (
            format!("Create view {}", v.name.display()),
            Some(sqlgen::drop_if_exists(
                if v.materialized {
                    "MATERIALIZED VIEW"
                } else {
                    "VIEW"
                },
                &v.name,
            )),
            DdlForm::View,
        ),
        Ddl::CreateFunction { name, .. } => (
            format!("Create function {}", name.display()),
            None,
            DdlForm::CreateTable,
        ),
        Ddl::SequenceOwnedBy { sequence, .. } => (
            format!("Set the owner column of {}", sequence.display()),
            None,
            DdlForm::CreateTable,
        ),
        _ => ("Create object".to_string(), None, DdlForm::CreateTable),
    };
    let mut d = Draft::new("create", Phase::Expand, StepKind::Ddl, form, summary)
        .sql([ctx.st.text.clone()]);
    if form == DdlForm::CreateTable {
        d = d.why("Creates a new object that nothing uses yet; no table is locked.");
    }
    d = match rollback {
        Some(r) => d.rollback([r]),
        None => d.irreversible("bellows does not keep the previous definition to restore it"),
    };
    // A view orders after (and before) other statements' work on the tables it reads, and
    // never before an earlier statement's drop of its name.
    match &ctx.st.ddl {
        Ddl::CreateView(v) => {
            for t in &v.relations {
                d = d.touching(t);
            }
            d = d.creating(&v.name);
        }
        Ddl::CreateEnum { name, .. }
        | Ddl::CreateDomain { name, .. }
        | Ddl::CreateSequence { name, .. } => d = d.creating(name),
        _ => {}
    }
    Drafts::one(d)
}

/// CREATE TRIGGER: undone by dropping it.
fn trigger(ctx: &Ctx, t: &TriggerDef) -> Drafts {
    Drafts::one(
        Draft::new(
            "create-trigger",
            Phase::Expand,
            StepKind::Trigger,
            DdlForm::CreateTrigger,
            format!("Create trigger {} on {}", t.name, t.table.display()),
        )
        .sql([ctx.st.text.clone()])
        .rollback([sqlgen::drop_trigger(&t.name, &t.table)])
        .on(&t.table),
    )
}

/// DROP VIEW: in contract, ordered after other statements' work on the tables it reads.
fn drop_views(ctx: &Ctx, names: &[QName], if_exists: bool) -> Result<Drafts, SqlError> {
    let views = &ctx.cat().views;
    for n in names {
        if !views.contains_key(n) && if_exists {
            return Ok(Drafts::nothing(format!(
                "view {} does not exist; skipped",
                n.display()
            )));
        }
        if !views.contains_key(n) {
            return Err(ctx.refuse(
                format!("unknown view {}", n.display()),
                "check the name against the schema source",
            ));
        }
    }
    let list: Vec<String> = names.iter().map(|n| n.display()).collect();
    let mut d = Draft::new(
        "drop-view",
        Phase::Contract,
        StepKind::Ddl,
        DdlForm::View,
        format!("Drop view {}", list.join(", ")),
    )
    .sql([ctx.st.text.clone()])
    .irreversible("bellows does not keep the previous definition to restore it");
    for n in names {
        d = d.on(n).dropping(n);
        if let Some(v) = views.get(n) {
            for t in v.depends.keys() {
                d = d.touching(t);
            }
        }
    }
    Ok(Drafts::one(d))
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn a_new_view_orders_after_the_tables_it_reads() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY);",
            "CREATE VIEW v AS SELECT id FROM t;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 create [expand ddl View] Create view public.v
          do: CREATE VIEW v AS SELECT id FROM t
          undo: DROP VIEW IF EXISTS "public"."v"
        "#);
    }
}
