//! ADD COLUMN whose existing rows must be written: a nullable column (with its default for
//! new rows, a trigger for a generated column, or a fill trigger for a fill that reads the
//! row), a batched backfill, the NOT NULL tail, then the finish a serial or identity column
//! needs; a temporary default or fill trigger goes in contract, after a gate.

use super::Backfill;
use crate::catalog::{Table, names};
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen::{self, ComputeTrigger, FillTrigger};
use crate::planner::steps::backfill::{self, Fill};
use crate::planner::steps::{fill, not_null};
use crate::safety::DdlForm;
use crate::sql::ddl::ColumnDef;
use crate::sql::{QName, SqlError, quote_ident as q};

/// The steps, in order.
pub fn plan(ctx: &Ctx, t: &Table, c: &ColumnDef, how: &Backfill) -> Result<Drafts, SqlError> {
    let table = &t.name;
    let key = ctx.batch_key(t)?;
    let mut out = Drafts::default();
    let seq = sequence_name(ctx, table, c);
    let uses_sequence = c.serial || c.identity.is_some();
    let seq_default = if uses_sequence {
        sqlgen::nextval(&seq)
    } else {
        how.value.clone()
    };
    let add = out.push(add_nullable(
        table,
        c,
        how,
        uses_sequence.then_some(&seq),
        &seq_default,
    ));
    let set_value = if c.generated.is_some() {
        how.value.clone()
    } else {
        seq_default
    };
    let mut prev = add;
    if let Some(g) = &c.generated {
        prev = compute_trigger(ctx, &mut out, table, c, g, add);
    }
    // A fill that reads the row cannot be a default: a trigger fills what old code inserts.
    let fill_trigger = (c.not_null && !how.set_default && !uses_sequence && c.generated.is_none())
        .then(|| fill::trigger(ctx, table, &c.name, &how.value));
    // A page walk (no key) would miss a row that an update moves behind it while the column
    // is still NULL, unless a trigger fills it: where nothing else does, one fills such rows
    // until the backfill is done.
    let catch_up = (key.is_empty() && fill_trigger.is_none() && c.generated.is_none())
        .then(|| fill::trigger(ctx, table, &c.name, &set_value));
    if let Some(trg) = &catch_up {
        prev = out.push(catch_up_start(trg).after(prev));
    }
    if let Some(trg) = &fill_trigger {
        prev = out.push(fill::start(trg).after(add));
    }
    let col_ref = q(&c.name);
    let filter = if c.generated.is_some() {
        format!("{col_ref} IS DISTINCT FROM ({set_value})")
    } else {
        format!("{col_ref} IS NULL")
    };
    let fill = Fill {
        table,
        key: &key,
        set: &[(c.name.clone(), set_value.clone())],
        filter: &filter,
    };
    let summary = format!("Backfill {}.{} for existing rows", table.display(), c.name);
    let bf = out.push(
        backfill::backfill(ctx, "backfill", &fill, summary)
            .after(prev)
            .irreversible_data(),
    );
    if let Some(trg) = &catch_up {
        out.push(catch_up_end(trg).after(bf));
    }
    let mut last = bf;
    if c.not_null {
        let v = out.push(not_null::verify_no_nulls(table, &key, &c.name).after(bf));
        let chk = not_null::check_name(ctx, table, &c.name, &Default::default());
        last = not_null::tail(&mut out, table, &c.name, Some(v), &chk);
    }
    if let Some(trg) = &fill_trigger {
        last = fill::finish(&mut out, table, &c.name, last, fill::drop_trigger(trg));
    } else if !how.keep_default && how.set_default {
        let end = fill::drop_default(table, &c.name, &set_value);
        last = fill::finish(&mut out, table, &c.name, last, end);
    }
    if let Some(id) = c.identity {
        out.push(make_identity(table, c, id, &seq).after(last));
    } else if c.serial {
        out.push(own_sequence(table, c, &seq).after(last));
    }
    Ok(out)
}

/// The trigger that fills rows left NULL while a page walk runs.
fn catch_up_start(trg: &FillTrigger) -> Draft {
    Draft::new(
        "catch-up-trigger",
        Phase::DualWrite,
        StepKind::Trigger,
        DdlForm::CreateTrigger,
        format!(
            "Fill {} with {} on every write that leaves it NULL, until the backfill is done",
            trg.column, trg.fill
        ),
    )
    .sql(trg.create())
    .rollback(trg.drop())
    .note("The table has no key, so the backfill walks its pages: an update could move a row not yet filled to a page already walked. The trigger fills such rows as they are written.")
    .on(&trg.table)
}

/// The catch-up trigger dropped once the backfill is done.
fn catch_up_end(trg: &FillTrigger) -> Draft {
    Draft::new(
        "drop-catch-up-trigger",
        Phase::Backfill,
        StepKind::Trigger,
        DdlForm::DropTrigger,
        format!(
            "Stop filling {}.{}: every existing row has its value",
            trg.table.display(),
            trg.column
        ),
    )
    .sql(trg.drop())
    .rollback(trg.create())
    .on(&trg.table)
}

/// A free name for the temporary sequence of a serial or identity column.
fn sequence_name(ctx: &Ctx, table: &QName, c: &ColumnDef) -> QName {
    let label = if c.identity.is_some() {
        "bellows_seq"
    } else {
        "seq"
    };
    table.sibling(names::choose_own_name(&table.name, &c.name, label, |n| {
        ctx.cat().relation_exists(&table.sibling(n))
    }))
}

/// The column, nullable (existing rows untouched), with its default for new rows.
fn add_nullable(
    table: &QName,
    c: &ColumnDef,
    how: &Backfill,
    seq: Option<&QName>,
    default: &str,
) -> Draft {
    let mut sql = Vec::new();
    let mut undo = vec![sqlgen::drop_column_if_exists(table, &c.name)];
    if let Some(seq) = seq {
        sql.push(sqlgen::create_sequence(seq, &c.ty, false));
        undo.push(sqlgen::drop_if_exists("SEQUENCE", seq));
    }
    sql.push(sqlgen::add_column(
        table,
        &sqlgen::column_definition(&c.name, &c.ty, false, None),
    ));
    let with_default = c.generated.is_none() && how.set_default;
    if with_default {
        sql.push(sqlgen::set_default(table, &c.name, default));
    }
    let why = &how.why;
    let (summary, note) = if with_default {
        (
            format!(
                "Add column {}.{} as nullable, with its default for new rows",
                table.display(),
                c.name
            ),
            format!(
                "Adding it nullable and setting the default afterwards keeps existing rows untouched ({why})."
            ),
        )
    } else {
        (
            format!(
                "Add column {}.{} as a plain nullable column",
                table.display(),
                c.name
            ),
            format!(
                "Adding it nullable keeps existing rows untouched ({why}); the backfill fills them."
            ),
        )
    };
    Draft::new(
        "add-column",
        Phase::Expand,
        StepKind::Ddl,
        DdlForm::AddColumnNullable,
        summary,
    )
    .sql(sql)
    .rollback(undo)
    .note(note)
    .on(table)
}

/// A generated column stays trigger-maintained: PostgreSQL cannot add a stored generated
/// column without rewriting the table.
fn compute_trigger(
    ctx: &Ctx,
    out: &mut Drafts,
    table: &QName,
    c: &ColumnDef,
    generation: &str,
    add: usize,
) -> usize {
    let trigger = ComputeTrigger {
        table: table.clone(),
        function: table.sibling(names::own_name(
            "bellows_gen",
            &format!("{}_{}", table.name, c.name),
            "fn",
        )),
        name: names::own_name("bellows_gen", &c.name, "trg"),
        column: c.name.clone(),
        computed: fill::on_new_row(ctx, table, generation),
    };
    let i = out.push(
        Draft::new(
            "compute-trigger",
            Phase::DualWrite,
            StepKind::Trigger,
            DdlForm::CreateTrigger,
            format!("Compute {} on every write with a trigger", c.name),
        )
        .sql(trigger.create())
        .rollback(trigger.drop())
        .after(add)
        .on(table),
    );
    out.warn(format!(
        "{}.{} stays a trigger-maintained column, not GENERATED ... STORED: PostgreSQL cannot add a stored generated column without rewriting the table",
        table.display(),
        c.name
    ));
    i
}

/// The identity takes over from the temporary sequence where it stopped.
fn make_identity(
    table: &QName,
    c: &ColumnDef,
    id: crate::sql::ddl::Identity,
    seq: &QName,
) -> Draft {
    let col = &c.name;
    Draft::new(
        "make-identity",
        Phase::Backfill,
        StepKind::Ddl,
        DdlForm::AddIdentity,
        format!("Turn {}.{} into an identity column", table.display(), col),
    )
    .sql([
        sqlgen::drop_default(table, col),
        sqlgen::add_identity(table, col, id),
        sqlgen::setval(&sqlgen::serial_sequence(table, col), &sqlgen::nextval(seq)),
        sqlgen::drop_sequence(seq),
    ])
    .rollback([
        sqlgen::drop_identity(table, col, true),
        sqlgen::create_sequence(seq, &c.ty, true),
        sqlgen::setval(&sqlgen::regclass(seq), &sqlgen::max_or_one(table, col)),
        sqlgen::set_default(table, col, &sqlgen::nextval(seq)),
    ])
    .note("The identity sequence continues where the temporary one stopped, so no value repeats.")
    .on(table)
}

/// The column owns its sequence, as serial does.
fn own_sequence(table: &QName, c: &ColumnDef, seq: &QName) -> Draft {
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
    .sql([sqlgen::sequence_owned_by(seq, table, &c.name)])
    .why("Changes only which column owns the sequence; no row and no default changes.")
    .rollback([sqlgen::sequence_owned_by_none(seq)])
    .on(table)
}
