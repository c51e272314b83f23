//! The shadow-column engine behind RENAME COLUMN and rewriting type changes: add the new
//! column, keep both in sync with a trigger, backfill in batches, verify, carry over every
//! index and constraint, gate, then switch over and drop the old column.

use std::collections::{BTreeMap, BTreeSet};

use super::{Out, index, not_null};
use crate::catalog::{ConstraintKind, Table, names};
use crate::plan::{BACKFILL_SETTING, Backfill, Gate, Phase, StepKind, Verify};
use crate::planner::builder::{Ctx, Draft};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError, expr, quote_ident as q, quote_literal};

/// What to build.
pub struct Spec {
    /// Table.
    pub table: QName,
    /// The existing column.
    pub old: String,
    /// The shadow column (the new name for a rename; a temporary name for a type change).
    pub new: String,
    /// Type of the shadow column.
    pub new_type: String,
    /// `new` from `old`: an expression over the old column's name.
    pub up: String,
    /// `old` from `new`: an expression over the old column's name (meaning the new value).
    pub down: String,
    /// A type change: in contract the shadow column takes the old name.
    pub retype: bool,
}

impl Spec {
    fn up_at(&self, rowref: &str) -> String {
        expr::substitute_column(&self.up, &self.old, rowref).unwrap_or_else(|_| self.up.clone())
    }
    fn down_at(&self, rowref: &str) -> String {
        expr::substitute_column(&self.down, &self.old, rowref).unwrap_or_else(|_| self.down.clone())
    }
    /// Name of a carried-over object: the final name for a rename, a temporary one for a
    /// type change (restored after the old column is gone).
    fn carried_name(&self, ctx: &Ctx, original: &str, taken: &mut BTreeSet<String>) -> String {
        let base = if !self.retype && original.contains(&self.old) {
            original.replacen(&self.old, &self.new, 1)
        } else if self.retype {
            format!("{original}_bellows")
        } else {
            format!("{original}_{}", self.new)
        };
        let base = names::truncate(&base, names::MAX_IDENT).to_string();
        let name = if ctx.name_free(&self.table.schema, &base, taken) {
            base
        } else {
            names::choose_name(names::truncate(&base, 50), "", "x", |n| {
                !ctx.name_free(&self.table.schema, n, taken)
            })
        };
        taken.insert(name.clone());
        name
    }
}

/// A batched backfill step.
pub fn backfill_draft(
    ctx: &Ctx,
    slug: &str,
    table: &QName,
    key: &[String],
    set: &[(String, String)],
    filter: &str,
    summary: String,
) -> Draft {
    let mut d = Draft::new(slug, Phase::Backfill, StepKind::Backfill, DdlForm::BatchUpdate, summary)
        .sql([sqlgen::batch_update(table, key, set, filter)])
        .on(table)
        .note("Batches follow the primary key, commit one by one, and touch only rows that still differ, so a re-run after a crash changes nothing twice.");
    d.backfill = Some(Backfill {
        table: table.sql(),
        key: key.to_vec(),
        set: set.iter().cloned().collect::<BTreeMap<_, _>>(),
        filter: filter.to_string(),
        batch: ctx.opts.batch.clone(),
    });
    d
}

/// Refuse what cannot be carried over.
fn refuse_uncarriable(
    ctx: &Ctx,
    spec: &Spec,
    t: &Table,
) -> Result<crate::catalog::deps::ColumnDeps, SqlError> {
    let deps = ctx.cat.column_deps(&spec.table, &spec.old);
    let mut why = Vec::new();
    match deps.views.as_slice() {
        [] => {}
        [v] => why.push(format!(
            "view {} reads it, and a view stays bound to the column it was created on",
            v.display()
        )),
        vs => why.push(format!(
            "views {} read it, and a view stays bound to the column it was created on",
            vs.iter()
                .map(|v| v.display())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    why.extend(
        deps.column_triggers
            .iter()
            .map(|tr| format!("trigger {} fires on UPDATE OF it", tr.name)),
    );
    why.extend(
        deps.generated_columns
            .iter()
            .map(|c| format!("generated column {c} is computed from it")),
    );
    why.extend(
        deps.constraints
            .iter()
            .filter(|c| matches!(c.kind, ConstraintKind::Exclude { .. }))
            .map(|c| format!("exclusion constraint {} uses it", c.name)),
    );
    if !why.is_empty() {
        return Err(ctx.refuse(
            format!("{}.{} cannot be moved safely: {}", spec.table.display(), spec.old, why.join("; ")),
            "drop those objects first and recreate them on the new column afterwards, each as its own planned change",
        ));
    }
    let _ = t;
    Ok(deps)
}

/// Build the whole plan for one shadow column.
pub fn plan(ctx: &Ctx, spec: &Spec) -> Result<Out, SqlError> {
    let t = ctx.table(&spec.table)?;
    let col = ctx.column(t, &spec.old)?.clone();
    let key = ctx.batch_key(t)?;
    let deps = refuse_uncarriable(ctx, spec, t)?;
    let table = &spec.table;
    let (o, n) = (q(&spec.old), q(&spec.new));
    let mut out = Out::default();
    let mut taken: BTreeSet<String> = BTreeSet::new();

    // Expand: the new column, nullable, no default yet (see the trigger's insert rule).
    let add = out.push(
        Draft::new(
            "add-column",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::AddColumnNullable,
            format!(
                "Add column {}.{} {}",
                table.display(),
                spec.new,
                spec.new_type
            ),
        )
        .sql([format!(
            "ALTER TABLE {} ADD COLUMN {n} {}",
            table.sql(),
            spec.new_type
        )])
        .rollback([format!(
            "ALTER TABLE {} DROP COLUMN IF EXISTS {n}",
            table.sql()
        )])
        .on(table),
    );

    // Dual write: one trigger keeps both columns equal whichever one the application writes.
    let func = table.sibling(names::make_name(
        "bellows_sync",
        &format!("{}_{}", table.name, spec.old),
        "fn",
    ));
    let trig_ins = names::make_name("bellows_sync", &spec.old, "ins");
    let trig_upd = names::make_name("bellows_sync", &spec.old, "upd");
    let body = format!(
        "CREATE FUNCTION {f}() RETURNS trigger LANGUAGE plpgsql AS $bellows$\nBEGIN\n  IF TG_OP = 'INSERT' THEN\n    IF NEW.{n} IS NULL THEN\n      NEW.{n} := {up};\n    ELSE\n      NEW.{o} := {down};\n    END IF;\n  ELSIF NEW.{n} IS DISTINCT FROM OLD.{n} THEN\n    NEW.{o} := {down};\n  ELSIF NEW.{o} IS DISTINCT FROM OLD.{o} THEN\n    NEW.{n} := {up};\n  END IF;\n  RETURN NEW;\nEND\n$bellows$",
        f = func.sql(),
        up = spec.up_at(&format!("NEW.{o}")),
        down = spec.down_at(&format!("NEW.{n}")),
    );
    let drop_trigger = vec![
        format!("DROP TRIGGER IF EXISTS {} ON {}", q(&trig_ins), table.sql()),
        format!("DROP TRIGGER IF EXISTS {} ON {}", q(&trig_upd), table.sql()),
        format!("DROP FUNCTION IF EXISTS {}()", func.sql()),
    ];
    // Updates that change neither column never call the function (the WHEN clause is
    // evaluated without entering PL/pgSQL), and bellows' own backfill batches, which write
    // both sides consistently, skip it through a transaction-local setting.
    let create_trigger = vec![
        body,
        format!(
            "CREATE TRIGGER {} BEFORE INSERT ON {} FOR EACH ROW EXECUTE FUNCTION {}()",
            q(&trig_ins),
            table.sql(),
            func.sql()
        ),
        format!(
            "CREATE TRIGGER {} BEFORE UPDATE ON {} FOR EACH ROW WHEN ((NEW.{n} IS DISTINCT FROM OLD.{n} OR NEW.{o} IS DISTINCT FROM OLD.{o}) AND current_setting('{BACKFILL_SETTING}', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION {}()",
            q(&trig_upd),
            table.sql(),
            func.sql()
        ),
    ];
    let sync = out.push(
        Draft::new("sync-trigger", Phase::DualWrite, StepKind::Trigger, DdlForm::CreateTrigger, format!("Keep {} and {} in sync with a trigger", spec.old, spec.new))
            .sql(create_trigger.clone())
            .rollback(drop_trigger.clone())
            .note("On INSERT the trigger fills whichever column the writer left NULL; on UPDATE it copies from the column that changed. It assigns to NEW only, so it never recurses.")
            .after(add)
            .on(table),
    );
    out.warnings.push(format!(
        "the sync trigger on {} adds work to every INSERT and UPDATE until the contract phase (write amplification)",
        table.display()
    ));
    if !deps.table_triggers.is_empty() {
        out.warnings.push(format!(
            "{} has other triggers ({}): they fire on every backfill batch, and their functions may still mention `{}`",
            table.display(),
            deps.table_triggers.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
            spec.old
        ));
    }

    // Backfill and verification.
    let up_plain = spec.up_at(&o);
    let filter = format!("{n} IS DISTINCT FROM {up_plain}");
    let bf = out.push(
        backfill_draft(
            ctx,
            "backfill",
            table,
            &key,
            &[(spec.new.clone(), up_plain.clone())],
            &filter,
            format!(
                "Backfill {}.{} from {}",
                table.display(),
                spec.new,
                spec.old
            ),
        )
        .after(sync),
    );
    let mut violation = filter.clone();
    if spec.retype {
        violation = format!("{violation} OR {o} IS DISTINCT FROM {}", spec.down_at(&n));
    }
    let verify = out.push(
        Draft::new("verify", Phase::Backfill, StepKind::Verify, DdlForm::Read, format!("Verify every row has {} equal to {}", spec.new, if spec.retype { "the converted old value" } else { "the old column" }))
            .sql([sqlgen::verify_query(table, &key, &violation)])
            .on(table)
            .after(bf)
            .with_verify(Verify {
                table: table.sql(),
                key: key.clone(),
                violation: violation.clone(),
                expectation: if spec.retype {
                    format!("{} holds the converted value of {} in every row, and converting back gives the original", spec.new, spec.old)
                } else {
                    format!("{} equals {} in every row", spec.new, spec.old)
                },
            }),
    );

    // Carry over: NOT NULL, indexes, unique constraints, primary key, checks, foreign keys.
    let mut carried: Vec<usize> = Vec::new();
    let mut renames: Vec<(String, String, Option<QName>)> = Vec::new(); // (tmp, original, constraint table)
    if col.not_null {
        let chk = not_null::check_name(ctx, table, &spec.new, &taken);
        taken.insert(chk.clone());
        carried.push(not_null::tail(
            &mut out,
            table,
            &spec.new,
            Some(verify),
            &chk,
        ));
    }
    let ren =
        |e: &str| expr::rename_column(e, &spec.old, &spec.new).unwrap_or_else(|_| e.to_string());
    let ren_cols = |cs: &[String]| {
        cs.iter()
            .map(|c| {
                if *c == spec.old {
                    spec.new.clone()
                } else {
                    c.clone()
                }
            })
            .collect::<Vec<_>>()
    };
    let pk = t.primary_key().cloned();
    let pk_moves = pk
        .as_ref()
        .is_some_and(|p| p.kind.columns().contains(&spec.old));
    let mut unique_on: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    let mut pk_index: Option<String> = None;
    for ix in deps.indexes.iter() {
        let mut copy = ix.clone();
        let is_pk = ix.constraint.is_some()
            && pk
                .as_ref()
                .is_some_and(|p| Some(&p.name) == ix.constraint.as_ref());
        copy.name = if is_pk {
            let n2 = names::choose_name(&table.name, &spec.new, "pkey", |x| {
                !ctx.name_free(&table.schema, x, &taken)
            });
            taken.insert(n2.clone());
            n2
        } else {
            spec.carried_name(ctx, &ix.name, &mut taken)
        };
        copy.constraint = None;
        for k in &mut copy.keys {
            if k.column.as_deref() == Some(spec.old.as_str()) {
                k.column = Some(spec.new.clone());
            } else if k.column.is_none() {
                k.expr = ren(&k.expr);
            }
        }
        copy.include = ren_cols(&copy.include);
        copy.predicate = copy.predicate.as_deref().map(ren);
        let mut b = index::build_step(
            &format!("copy-index-{}", ix.name),
            table,
            &copy,
            format!(
                "Build index {} on {} concurrently (copy of {})",
                copy.name, spec.new, ix.name
            ),
        );
        b.phase = Phase::Backfill;
        let mut b = b.after(verify);
        if let Some(&last_nn) = carried.first() {
            b = b.after(last_nn);
        }
        let bi = out.push(b);
        let cols: Vec<String> = copy.keys.iter().filter_map(|k| k.column.clone()).collect();
        if is_pk {
            pk_index = Some(copy.name.clone());
            unique_on.insert(cols, bi);
            carried.push(bi);
            continue;
        }
        match &ix.constraint {
            Some(cname) => {
                let a = out.push(
                    Draft::new(
                        format!("copy-unique-{cname}"),
                        Phase::Backfill,
                        StepKind::Ddl,
                        DdlForm::AddConstraintUsingIndex,
                        format!("Attach {} as UNIQUE constraint on {}", copy.name, spec.new),
                    )
                    .sql([format!(
                        "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE USING INDEX {}",
                        table.sql(),
                        q(&copy.name),
                        q(&copy.name)
                    )])
                    .rollback([sqlgen::drop_constraint(table, &copy.name)])
                    .after(bi)
                    .on(table),
                );
                if spec.retype {
                    renames.push((copy.name.clone(), cname.clone(), Some(table.clone())));
                }
                unique_on.insert(cols, a);
                carried.push(a);
            }
            None => {
                if spec.retype {
                    renames.push((copy.name.clone(), ix.name.clone(), None));
                }
                if copy.unique && copy.predicate.is_none() {
                    unique_on.insert(cols, bi);
                }
                carried.push(bi);
            }
        }
    }
    for c in deps.constraints.iter() {
        match &c.kind {
            ConstraintKind::Check { expr: e } => {
                let name = spec.carried_name(ctx, &c.name, &mut taken);
                let kind = ConstraintKind::Check { expr: ren(e) };
                let last = super::constraint::check(
                    ctx,
                    &mut out,
                    table,
                    &name,
                    &kind,
                    false,
                    Some(verify),
                );
                if spec.retype {
                    renames.push((name, c.name.clone(), Some(table.clone())));
                }
                carried.push(last);
            }
            ConstraintKind::ForeignKey {
                columns,
                ref_table,
                ref_columns,
                on_delete,
                on_update,
            } => {
                let name = spec.carried_name(ctx, &c.name, &mut taken);
                let kind = ConstraintKind::ForeignKey {
                    columns: ren_cols(columns),
                    ref_table: ref_table.clone(),
                    ref_columns: ref_columns.clone(),
                    on_delete: on_delete.clone(),
                    on_update: on_update.clone(),
                };
                let planned: BTreeSet<Vec<String>> = BTreeSet::from([ren_cols(columns)]);
                let last = super::constraint::foreign_key(
                    ctx,
                    &mut out,
                    table,
                    &name,
                    &kind,
                    &ren_cols(columns),
                    false,
                    &planned,
                    Some(verify),
                )?;
                if spec.retype {
                    renames.push((name, c.name.clone(), Some(table.clone())));
                }
                carried.push(last);
            }
            _ => {}
        }
    }
    if spec.retype {
        for (child, fk) in deps.referencing_fks.iter() {
            if let ConstraintKind::ForeignKey {
                columns,
                ref_columns,
                ..
            } = &fk.kind
                && let Some(pos) = ref_columns.iter().position(|c| *c == spec.old)
                && let Some(cc) = columns.get(pos)
                && let Some(ccol) = ctx.cat.table(child).and_then(|t| t.column(cc))
                && ccol.ty != spec.new_type
            {
                out.warnings.push(format!(
                    "{}.{cc} (foreign key {}) stays {}: values of {}.{} beyond what {} holds cannot be referenced until it is changed too (plan `ALTER TABLE {} ALTER COLUMN {cc} TYPE {};`)",
                    child.display(), fk.name, ccol.ty, table.display(), spec.old, ccol.ty, child.display(), spec.new_type
                ));
            }
        }
    }
    let mut old_incoming: Vec<(QName, String)> = Vec::new();
    for (child, fk) in deps.referencing_fks.iter() {
        let ConstraintKind::ForeignKey {
            columns,
            ref_columns,
            on_delete,
            on_update,
            ..
        } = &fk.kind
        else {
            continue;
        };
        let new_ref = ren_cols(ref_columns);
        let Some(&uniq) = unique_on.get(&new_ref) else {
            return Err(ctx.refuse(
                format!("foreign key {} on {} references {}({}), and no unique index on those columns can be carried over", fk.name, child.display(), table.display(), ref_columns.join(", ")),
                "give the referenced columns a unique constraint first",
            ));
        };
        let name = spec.carried_name(ctx, &fk.name, &mut taken);
        let kind = ConstraintKind::ForeignKey {
            columns: columns.clone(),
            ref_table: table.clone(),
            ref_columns: new_ref,
            on_delete: on_delete.clone(),
            on_update: on_update.clone(),
        };
        let child_cat = ctx.table(child)?;
        let planned: BTreeSet<Vec<String>> = if child_cat.has_index_leading_with(columns) {
            BTreeSet::new()
        } else {
            BTreeSet::from([columns.clone()])
        };
        let last = super::constraint::foreign_key(
            ctx,
            &mut out,
            child,
            &name,
            &kind,
            columns,
            false,
            &planned,
            Some(uniq),
        )?;
        if spec.retype {
            renames.push((name, fk.name.clone(), Some(child.clone())));
        }
        old_incoming.push((child.clone(), fk.name.clone()));
        carried.push(last);
    }

    // Gate.
    let gate_text = if spec.retype {
        format!(
            "Every running instance of every application, job and report works with `{}.{}` as `{}` (check ORM mappings and casts). After this gate the column is swapped and the old values are dropped.",
            table.display(),
            spec.old,
            spec.new_type
        )
    } else {
        format!(
            "Every running instance of every application, job and report reads and writes `{}.{}` and no longer uses `{}` (deploy the new code everywhere first). After this gate `{}` and its data are dropped.",
            table.display(),
            spec.new,
            spec.old,
            spec.old
        )
    };
    let mut g = Draft::new(
        "gate",
        Phase::Contract,
        StepKind::Gate,
        DdlForm::Nothing,
        if spec.retype {
            format!(
                "Confirm the application works with {}.{} as {}",
                table.display(),
                spec.old,
                spec.new_type
            )
        } else {
            format!(
                "Confirm every application instance uses {}.{}",
                table.display(),
                spec.new
            )
        },
    )
    .touching(table)
    .with_gate(Gate {
        text: gate_text,
        confirm: table.name.clone(),
    })
    .after(verify);
    g = g.after_all(carried.iter().copied());
    let gate = out.push(g);

    // Contract: switch over in one short transaction, then drop the old column.
    let mut sw: Vec<String> = drop_trigger.clone();
    let mut tables_locked = vec![table.clone()];
    for (child, name) in &old_incoming {
        sw.push(sqlgen::drop_constraint(child, name));
        if !tables_locked.contains(child) {
            tables_locked.push(child.clone());
        }
    }
    if let (true, Some(pkc), Some(ix)) = (pk_moves, pk.as_ref(), pk_index.as_ref()) {
        sw.push(sqlgen::drop_constraint(table, &pkc.name));
        sw.push(format!(
            "ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}",
            table.sql(),
            q(&pkc.name),
            q(ix)
        ));
    }
    if let Some(id) = col.identity {
        sw.push(format!(
            "ALTER TABLE {} ALTER COLUMN {n} ADD GENERATED {} AS IDENTITY",
            table.sql(),
            id.sql()
        ));
        let tl = quote_literal(&table.sql());
        sw.push(format!(
            "SELECT setval(pg_get_serial_sequence({tl}, {}), nextval(pg_get_serial_sequence({tl}, {})))",
            quote_literal(&spec.new),
            quote_literal(&spec.old)
        ));
        sw.push(format!(
            "ALTER TABLE {} ALTER COLUMN {o} DROP IDENTITY",
            table.sql()
        ));
    }
    if let Some(d) = &col.default {
        sw.push(format!(
            "ALTER TABLE {} ALTER COLUMN {n} SET DEFAULT {d}",
            table.sql()
        ));
        sw.push(format!(
            "ALTER TABLE {} ALTER COLUMN {o} DROP DEFAULT",
            table.sql()
        ));
    }
    for s in &deps.sequences {
        if col.identity.is_none() {
            sw.push(format!(
                "ALTER SEQUENCE {} OWNED BY {}.{n}",
                s.sql(),
                table.sql()
            ));
            if spec.retype && matches!(spec.new_type.as_str(), "smallint" | "integer" | "bigint") {
                // A serial's sequence is typed; widen it with the column.
                sw.push(format!("ALTER SEQUENCE {} AS {}", s.sql(), spec.new_type));
            }
        }
    }

    if col.not_null {
        // The application no longer writes the old column; it must accept rows without it.
        sw.push(format!(
            "ALTER TABLE {} ALTER COLUMN {o} DROP NOT NULL",
            table.sql()
        ));
    }
    let final_old = if spec.retype {
        format!("{}_bellows_old", spec.old)
    } else {
        spec.old.clone()
    };
    if spec.retype {
        sw.push(format!(
            "ALTER TABLE {} RENAME COLUMN {o} TO {}",
            table.sql(),
            q(&final_old)
        ));
        sw.push(format!(
            "ALTER TABLE {} RENAME COLUMN {n} TO {o}",
            table.sql()
        ));
    }
    let mut s = Draft::new(if spec.retype { "swap" } else { "switch-over" }, Phase::Contract, StepKind::Ddl, DdlForm::DropTrigger, if spec.retype { format!("Swap {} into place as {}.{}", spec.new, table.display(), spec.old) } else { format!("Stop syncing; {} takes over everything {} had", spec.new, spec.old) })
        .sql(sw)
        .irreversible("the sync trigger is gone and the application no longer writes the old column; roll forward, or restore from the earlier phases' rollbacks before this gate")
        .note("Every statement is catalog-only and they share one short transaction.")
        .after(gate);
    for tl in &tables_locked {
        s = s.on(tl);
    }
    let swi = out.push(s);
    let drop_old = out.push(
        Draft::new(
            "drop-old-column",
            Phase::Contract,
            StepKind::Ddl,
            DdlForm::DropColumn,
            format!("Drop the old column {}.{}", table.display(), final_old),
        )
        .sql([format!(
            "ALTER TABLE {} DROP COLUMN {}",
            table.sql(),
            q(&final_old)
        )])
        .irreversible(format!(
            "the old column {final_old} and its data are deleted (the data lives on in {})",
            if spec.retype { &spec.old } else { &spec.new }
        ))
        .after(swi)
        .on(table),
    );
    if spec.retype && !renames.is_empty() {
        let mut fwd = Vec::new();
        let mut back = Vec::new();
        let mut locked: Vec<QName> = vec![table.clone()];
        for (tmp, orig, ctable) in &renames {
            match ctable {
                Some(ct) => {
                    fwd.push(format!(
                        "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                        ct.sql(),
                        q(tmp),
                        q(orig)
                    ));
                    back.push(format!(
                        "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                        ct.sql(),
                        q(orig),
                        q(tmp)
                    ));
                    if !locked.contains(ct) {
                        locked.push(ct.clone());
                    }
                }
                None => {
                    fwd.push(format!(
                        "ALTER INDEX {} RENAME TO {}",
                        table.sibling(tmp.clone()).sql(),
                        q(orig)
                    ));
                    back.push(format!(
                        "ALTER INDEX {} RENAME TO {}",
                        table.sibling(orig.clone()).sql(),
                        q(tmp)
                    ));
                }
            }
        }
        back.reverse();
        let mut d = Draft::new(
            "restore-names",
            Phase::Contract,
            StepKind::Ddl,
            DdlForm::RenameColumn,
            "Give the carried-over indexes and constraints their original names",
        )
        .sql(fwd)
        .rollback(back)
        .after(drop_old);
        for l in &locked {
            d = d.on(l);
        }
        out.push(d);
    }
    Ok(out)
}
