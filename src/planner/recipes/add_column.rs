//! ADD COLUMN: one brief step when PostgreSQL stores the default in the catalog; otherwise a
//! nullable column, a default for new rows, a batched backfill, then the NOT NULL sequence.

use super::{Out, constraint, not_null, shadow};
use crate::plan::{Phase, StepKind};
use crate::planner::builder::{Ctx, Draft};
use crate::safety::DdlForm;
use crate::sql::ddl::ColumnDef;
use crate::sql::expr::{Volatility, volatility};
use crate::sql::{QName, SqlError, expr, quote_ident as q};

fn def_sql(c: &ColumnDef, not_null: bool, default: Option<&str>) -> String {
    let mut s = format!("{} {}", q(&c.name), c.ty);
    if not_null {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    s
}

/// Plan `ALTER TABLE t ADD COLUMN ...`.
pub fn plan(ctx: &Ctx, table: &QName, c: &ColumnDef, if_not_exists: bool) -> Result<Out, SqlError> {
    let t = ctx.table(table)?;
    let mut out = Out::default();
    if t.column(&c.name).is_some() {
        if if_not_exists {
            out.warnings.push(format!(
                "column {}.{} exists; skipped",
                table.display(),
                c.name
            ));
            return Ok(out);
        }
        return Err(ctx.refuse(
            format!("column {}.{} already exists", table.display(), c.name),
            "choose another name",
        ));
    }
    let drop = format!(
        "ALTER TABLE {} DROP COLUMN IF EXISTS {}",
        table.sql(),
        q(&c.name)
    );

    // A table nobody uses yet: the statement as written.
    if ctx.is_new(table) {
        out.push(
            Draft::new(
                "add-column",
                Phase::Expand,
                StepKind::Ddl,
                DdlForm::AddColumnNullable,
                format!("Add column {}.{} (new table)", table.display(), c.name),
            )
            .sql([ctx.st.text.clone()])
            .rollback([drop])
            .on(table),
        );
        return Ok(out);
    }

    let fill = ctx.st.directives.fill.clone();
    let fill_reads_row = fill.as_deref().is_some_and(|f| {
        t.columns
            .iter()
            .any(|col| expr::mentions_column(f, &col.name))
    });
    let kind = classify(c, fill.as_deref(), fill_reads_row);
    let mut last;
    match kind {
        Kind::Catalog { default } => {
            let form = if default.is_some() {
                DdlForm::AddColumnConstantDefault
            } else {
                DdlForm::AddColumnNullable
            };
            last = out.push(
                Draft::new(
                    "add-column",
                    Phase::Expand,
                    StepKind::Ddl,
                    form,
                    format!("Add column {}.{} {}", table.display(), c.name, c.ty),
                )
                .sql([format!(
                    "ALTER TABLE {} ADD COLUMN {}",
                    table.sql(),
                    def_sql(c, c.not_null, default.as_deref())
                )])
                .rollback([drop.clone()])
                .on(table),
            );
            if c.not_null && default.is_some() && c.default.is_none() {
                // NOT NULL without a default, filled by a constant: keep the fill only for old rows.
                last = out.push(
                    Draft::new("drop-fill-default", Phase::Expand, StepKind::Ddl, DdlForm::SetDefault, format!("Drop the fill default of {}.{}", table.display(), c.name))
                        .sql([format!("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", table.sql(), q(&c.name))])
                        .rollback([format!("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}", table.sql(), q(&c.name), default.unwrap_or_default())])
                        .note("Existing rows keep the fill value; new rows must supply one, as the column was declared.")
                        .after(last)
                        .on(table),
                );
            }
        }
        Kind::Backfill {
            value,
            keep_default,
            why,
            set_default,
        } => {
            let key = ctx.batch_key(t)?;
            let mut pre = Vec::new();
            let mut post_rollback = Vec::new();
            let mut seq_default = value.clone();
            let tmp_seq = table.sibling(crate::catalog::names::choose_name(
                &table.name,
                &c.name,
                if c.identity.is_some() {
                    "bellows_seq"
                } else {
                    "seq"
                },
                |n| ctx.cat.relation_exists(&table.sibling(n)),
            ));
            if c.serial || c.identity.is_some() {
                let seq = tmp_seq.clone();
                pre.push(format!("CREATE SEQUENCE {} AS {}", seq.sql(), c.ty));
                post_rollback.push(format!("DROP SEQUENCE IF EXISTS {}", seq.sql()));
                seq_default = format!(
                    "nextval({}::regclass)",
                    crate::sql::ident::quote_literal(&seq.sql())
                );
            }
            let mut sql = pre;
            sql.push(format!(
                "ALTER TABLE {} ADD COLUMN {}",
                table.sql(),
                def_sql(c, false, None)
            ));
            if c.generated.is_none() && set_default {
                sql.push(format!(
                    "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}",
                    table.sql(),
                    q(&c.name),
                    seq_default
                ));
            }
            let mut rb = vec![drop.clone()];
            rb.extend(post_rollback);
            let a = out.push(
                Draft::new("add-column", Phase::Expand, StepKind::Ddl, DdlForm::AddColumnNullable, if c.generated.is_some() || !set_default { format!("Add column {}.{} as a plain nullable column", table.display(), c.name) } else { format!("Add column {}.{} as nullable, with its default for new rows", table.display(), c.name) })
                    .sql(sql)
                    .rollback(rb)
                    .note(if set_default && c.generated.is_none() {
                        format!("Adding it nullable and setting the default afterwards keeps existing rows untouched ({why}).")
                    } else {
                        format!("Adding it nullable keeps existing rows untouched ({why}); the backfill fills them.")
                    })
                    .on(table),
            );
            let col_ref = q(&c.name);
            let set_value = if c.generated.is_some() {
                value.clone()
            } else {
                seq_default.clone()
            };
            let mut prev = a;
            if let Some(g) = &c.generated {
                let f = table.sibling(crate::catalog::names::make_name(
                    "bellows_gen",
                    &format!("{}_{}", table.name, c.name),
                    "fn",
                ));
                let trg = crate::catalog::names::make_name("bellows_gen", &c.name, "trg");
                let computed = row_expr(ctx, table, g);
                prev = out.push(
                    Draft::new("compute-trigger", Phase::DualWrite, StepKind::Trigger, DdlForm::CreateTrigger, format!("Compute {} on every write with a trigger", c.name))
                        .sql([
                            format!("CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $bellows$\nBEGIN\n  NEW.{col_ref} := {computed};\n  RETURN NEW;\nEND\n$bellows$", f.sql()),
                            format!("CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {}()", q(&trg), table.sql(), f.sql()),
                        ])
                        .rollback([format!("DROP TRIGGER IF EXISTS {} ON {}", q(&trg), table.sql()), format!("DROP FUNCTION IF EXISTS {}()", f.sql())])
                        .after(a)
                        .on(table),
                );
                out.warnings.push(format!(
                    "{}.{} stays a trigger-maintained column, not GENERATED ... STORED: PostgreSQL cannot add a stored generated column without rewriting the table",
                    table.display(),
                    c.name
                ));
            }
            let filter = if c.generated.is_some() {
                format!("{col_ref} IS DISTINCT FROM ({set_value})")
            } else {
                format!("{col_ref} IS NULL")
            };
            let bf = out.push(
                shadow::backfill_draft(
                    ctx,
                    "backfill",
                    table,
                    &key,
                    &[(c.name.clone(), set_value.clone())],
                    &filter,
                    format!("Backfill {}.{} for existing rows", table.display(), c.name),
                )
                .after(prev)
                .irreversible_data(),
            );
            last = bf;
            if c.not_null {
                let v = out.push(not_null::verify_no_nulls(table, &key, &c.name).after(bf));
                let chk = not_null::check_name(ctx, table, &c.name, &Default::default());
                last = not_null::tail(&mut out, table, &c.name, Some(v), &chk);
            }
            if !keep_default && set_default {
                last = out.push(
                    Draft::new(
                        "drop-fill-default",
                        Phase::Backfill,
                        StepKind::Ddl,
                        DdlForm::SetDefault,
                        format!(
                            "Drop the temporary default of {}.{}",
                            table.display(),
                            c.name
                        ),
                    )
                    .sql([format!(
                        "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                        table.sql(),
                        q(&c.name)
                    )])
                    .rollback([format!(
                        "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}",
                        table.sql(),
                        q(&c.name),
                        set_value
                    )])
                    .after(last)
                    .on(table),
                );
            }
            if let Some(id) = c.identity {
                let seqname = tmp_seq.clone();
                let tl = crate::sql::ident::quote_literal(&table.sql());
                last = out.push(
                    Draft::new("make-identity", Phase::Backfill, StepKind::Ddl, DdlForm::AddIdentity, format!("Turn {}.{} into an identity column", table.display(), c.name))
                        .sql([
                            format!("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", table.sql(), q(&c.name)),
                            format!("ALTER TABLE {} ALTER COLUMN {} ADD GENERATED {} AS IDENTITY", table.sql(), q(&c.name), id.sql()),
                            format!("SELECT setval(pg_get_serial_sequence({tl}, {}), nextval({}::regclass))", crate::sql::ident::quote_literal(&c.name), crate::sql::ident::quote_literal(&seqname.sql())),
                            format!("DROP SEQUENCE {}", seqname.sql()),
                        ])
                        .rollback([
                            format!("ALTER TABLE {} ALTER COLUMN {} DROP IDENTITY IF EXISTS", table.sql(), q(&c.name)),
                            format!("CREATE SEQUENCE IF NOT EXISTS {} AS {}", seqname.sql(), c.ty),
                            format!("SELECT setval({}::regclass, GREATEST((SELECT max({}) FROM {}), 1))", crate::sql::ident::quote_literal(&seqname.sql()), q(&c.name), table.sql()),
                            format!("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT nextval({}::regclass)", table.sql(), q(&c.name), crate::sql::ident::quote_literal(&seqname.sql())),
                        ])
                        .note("The identity sequence continues where the temporary one stopped, so no value repeats.")
                        .after(last)
                        .on(table),
                );
            } else if c.serial {
                let seqname = tmp_seq.clone();
                last = out.push(
                    Draft::new(
                        "own-sequence",
                        Phase::Backfill,
                        StepKind::Ddl,
                        DdlForm::SetDefault,
                        format!(
                            "Make {}.{} own its sequence, as serial does",
                            table.display(),
                            c.name
                        ),
                    )
                    .sql([format!(
                        "ALTER SEQUENCE {} OWNED BY {}.{}",
                        seqname.sql(),
                        table.sql(),
                        q(&c.name)
                    )])
                    .why("Changes only which column owns the sequence; no row and no default changes.")
                    .rollback([format!("ALTER SEQUENCE {} OWNED BY NONE", seqname.sql())])
                    .after(last)
                    .on(table),
                );
            }
        }
        Kind::NeedsFill => {
            return Err(ctx.refuse(
                format!("{}.{} is NOT NULL without a default, so every existing row needs a value", table.display(), c.name),
                "add a DEFAULT, or write `-- bellows:fill <expr>` on the line before the statement to fill existing rows",
            ));
        }
    }
    // Inline constraints (UNIQUE, REFERENCES, CHECK, PRIMARY KEY) follow the column.
    if !c.constraints.is_empty() {
        let mut cat = ctx.cat.clone();
        let mut plain = c.clone();
        plain.constraints.clear();
        cat.add_column(table, &plain)
            .map_err(|e| ctx.refuse(e.to_string(), "check the column definition"))?;
        let sub = Ctx {
            path: ctx.path,
            cat: &cat,
            opts: ctx.opts,
            st: ctx.st,
            new_tables: ctx.new_tables,
        };
        for k in &c.constraints {
            let o = constraint::add(&sub, table, k, false)?;
            out.extend(o, Some(last));
        }
    }
    Ok(out)
}

/// A generation expression evaluated on `NEW`.
fn row_expr(ctx: &Ctx, table: &QName, e: &str) -> String {
    let mut s = e.to_string();
    if let Some(t) = ctx.cat.table(table) {
        for c in &t.columns {
            if expr::mentions_column(&s, &c.name) {
                s = expr::substitute_column(&s, &c.name, &format!("NEW.{}", q(&c.name)))
                    .unwrap_or(s);
            }
        }
    }
    s
}

enum Kind {
    /// One catalog-only ADD COLUMN (nullable, or with a constant default).
    Catalog { default: Option<String> },
    /// Nullable column + default for new rows + backfill (+ NOT NULL).
    Backfill {
        value: String,
        keep_default: bool,
        why: String,
        /// New rows get `value` as their default (false when it reads other columns).
        set_default: bool,
    },
    /// NOT NULL without default and no fill given.
    NeedsFill,
}

fn classify(c: &ColumnDef, fill: Option<&str>, fill_reads_row: bool) -> Kind {
    if c.serial || c.identity.is_some() {
        return Kind::Backfill {
            value: String::new(),
            keep_default: true,
            why: "serial and identity columns would otherwise be filled by a table rewrite".into(),
            set_default: true,
        };
    }
    if let Some(g) = &c.generated {
        return Kind::Backfill {
            value: g.clone(),
            keep_default: true,
            why: "a stored generated column would otherwise be computed by a table rewrite".into(),
            set_default: true,
        };
    }
    match (&c.default, fill) {
        (Some(d), _) => match volatility(d) {
            Volatility::Constant => Kind::Catalog {
                default: Some(d.clone()),
            },
            Volatility::Volatile(f) => Kind::Backfill {
                value: d.clone(),
                keep_default: true,
                why: format!(
                    "the default calls {f}, which differs per row and would rewrite the table"
                ),
                set_default: true,
            },
        },
        (None, _) if !c.not_null => Kind::Catalog { default: None },
        (None, Some(f)) if fill_reads_row => Kind::Backfill {
            value: f.to_string(),
            keep_default: true,
            why: "the fill value is computed from each row".into(),
            set_default: false,
        },
        (None, Some(f)) => match volatility(f) {
            Volatility::Constant => Kind::Catalog {
                default: Some(f.to_string()),
            },
            Volatility::Volatile(_) => Kind::Backfill {
                value: f.to_string(),
                keep_default: false,
                why: "the fill value differs per row".into(),
                set_default: true,
            },
        },
        (None, None) => Kind::NeedsFill,
    }
}
