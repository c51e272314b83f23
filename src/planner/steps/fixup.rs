//! Data fix-ups before a constraint holds (`-- bellows:fix-rows`, `fix-orphans`,
//! `fix-duplicates`): rows repaired, orphans nulled or deleted, duplicates deleted, in key
//! batches like a backfill. Each batch first saves what it changes into a table of the plan's
//! own in schema `bellows`, in the same transaction, so rollback puts every row back; the
//! count of rows changed is reported as the batches go.

use crate::catalog::{Table, names};
use crate::plan::{BatchAction, Phase, SaveTo, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen::cols;
use crate::safety::DdlForm;
use crate::sql::fixup::{Keep, Orphans};
use crate::sql::{QName, SqlError, quote_ident as q};

use super::backfill::{Fill, batched};

/// The table and the constraint a fix-up works for.
pub struct For<'a> {
    /// The table whose rows are fixed.
    pub table: &'a Table,
    /// The constraint (or unique index) that must hold afterwards.
    pub constraint: &'a str,
    /// The draft the fix-up follows, if any.
    pub after: Option<usize>,
}

impl For<'_> {
    fn key(&self, ctx: &Ctx) -> Result<Vec<String>, SqlError> {
        let key = self.table.batch_key();
        if key.is_empty() {
            return Err(ctx.refuse(
                format!(
                    "{} has no primary key or unique NOT NULL index to fix its rows in batches by",
                    self.table.name.display()
                ),
                "add a primary key first, or fix the rows yourself before this change",
            ));
        }
        Ok(key)
    }

    /// `bellows."saved_<table>_<constraint>"`.
    fn save_name(&self) -> QName {
        QName {
            schema: "bellows".into(),
            name: names::own_name(
                "saved",
                &format!("{}_{}", self.table.name.name, self.constraint),
                "rows",
            ),
        }
    }
}

/// The step creating the save table (columns `columns` of the table, no rows, nobody else's
/// grants), and where batches save to.
fn save_table(f: &For, columns: Vec<String>) -> (SaveTo, Draft) {
    let save = f.save_name();
    let t = &f.table.name;
    let create = vec![
        "CREATE SCHEMA IF NOT EXISTS \"bellows\"".to_string(),
        format!(
            "CREATE TABLE {} AS SELECT {} FROM {} WITH NO DATA",
            save.sql(),
            cols(&columns),
            t.sql()
        ),
        format!("REVOKE ALL ON {} FROM PUBLIC", save.sql()),
    ];
    let d = Draft::new(
        format!("save-table-{}", f.constraint),
        Phase::Backfill,
        StepKind::Ddl,
        DdlForm::CreateTable,
        format!(
            "Create {} to keep the rows the fix-up for {} changes",
            save.display(),
            f.constraint
        ),
    )
    .sql(create)
    .rollback([format!("DROP TABLE IF EXISTS {}", save.sql())])
    .note("The fix-up's batches save each row's earlier values here before changing it, so rollback can put them back. It stays after the plan is done, for inspection; drop it when you no longer need it.")
    .creating(&save)
    .after_opt(f.after);
    (
        SaveTo {
            table: save.sql(),
            columns,
        },
        d,
    )
}

/// The fix-up step itself, after its save table.
fn push_fix(
    ctx: &Ctx,
    out: &mut Drafts,
    f: &For,
    fill: &Fill,
    (action, save, restore): (BatchAction, (SaveTo, Draft), Vec<String>),
    summary: String,
) -> usize {
    let (save, create) = save;
    let s = out.push(create);
    let mut back = vec![format!(
        "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
        f.table.name.sql(),
        q(f.constraint)
    )];
    back.extend(restore);
    back.push(format!("TRUNCATE {}", save.table));
    let d = batched(ctx, &format!("fix-{}", f.constraint), fill, (action, Some(save)), summary)
        .rollback(back)
        .note("Rolling back drops the constraint first (its own rollback follows), then puts the saved rows back as they were.")
        .after(s);
    out.push(d)
}

/// `fix-rows`: rows that violate CHECK `check` get `assign`.
pub fn rows(
    ctx: &Ctx,
    out: &mut Drafts,
    f: &For,
    check: &str,
    assign: &[(String, String)],
) -> Result<usize, SqlError> {
    let key = f.key(ctx)?;
    for (c, _) in assign {
        ctx.column(f.table, c)?;
    }
    let mut saved = key.clone();
    saved.extend(
        assign
            .iter()
            .map(|(c, _)| c.clone())
            .filter(|c| !key.contains(c)),
    );
    let filter = format!("({check}) IS FALSE");
    let restore = format!(
        "UPDATE {t} SET {set} FROM {s} AS bellows_saved WHERE ({tk}) = ({sk})",
        t = f.table.name.sql(),
        set = assign
            .iter()
            .map(|(c, _)| format!("{} = bellows_saved.{}", q(c), q(c)))
            .collect::<Vec<_>>()
            .join(", "),
        s = f.save_name().sql(),
        tk = qualified(&f.table.name, &key),
        sk = prefixed("bellows_saved", &key),
    );
    let fill = Fill {
        table: &f.table.name,
        key: &key,
        set: assign,
        filter: &filter,
    };
    let summary = format!(
        "Fix the rows of {} that violate {}: set {}",
        f.table.name.display(),
        f.constraint,
        assign
            .iter()
            .map(|(c, e)| format!("{c} = {e}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let save = save_table(f, saved);
    Ok(push_fix(
        ctx,
        out,
        f,
        &fill,
        (BatchAction::Update, save, vec![restore]),
        summary,
    ))
}

/// A foreign key for `fix-orphans`: its columns, the referenced table and columns, MATCH FULL.
pub struct Reference<'a> {
    /// Referencing columns.
    pub columns: &'a [String],
    /// Referenced table.
    pub ref_table: &'a QName,
    /// Referenced columns.
    pub ref_columns: &'a [String],
    /// MATCH FULL (a row with some but not all key columns NULL violates it too).
    pub match_full: bool,
}

/// `fix-orphans`: rows whose key has no referenced row get NULL keys or are deleted.
pub fn orphans(
    ctx: &Ctx,
    out: &mut Drafts,
    f: &For,
    r: &Reference,
    how: Orphans,
) -> Result<usize, SqlError> {
    let key = f.key(ctx)?;
    let t = &f.table.name;
    let here = qualified(t, r.columns);
    let missing = format!(
        "NOT EXISTS (SELECT 1 FROM {} AS bellows_ref WHERE ({}) = ({here}))",
        r.ref_table.sql(),
        prefixed("bellows_ref", r.ref_columns)
    );
    let all_set = r
        .columns
        .iter()
        .map(|c| format!("{} IS NOT NULL", q(c)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let filter = if r.match_full {
        let any_set = r
            .columns
            .iter()
            .map(|c| format!("{} IS NOT NULL", q(c)))
            .collect::<Vec<_>>()
            .join(" OR ");
        format!("({any_set}) AND (NOT ({all_set}) OR {missing})")
    } else {
        format!("{all_set} AND {missing}")
    };
    let what = format!(
        "rows of {} whose ({}) has no row in {}",
        t.display(),
        r.columns.join(", "),
        r.ref_table.display()
    );
    match how {
        Orphans::SetNull => {
            for c in r.columns {
                if ctx.column(f.table, c)?.not_null {
                    return Err(ctx.refuse(
                        format!("`fix-orphans null` cannot set {}.{c} to NULL: the column is NOT NULL", t.display()),
                        "write `-- bellows:fix-orphans delete`, or repair the rows yourself before this change",
                    ));
                }
            }
            let set: Vec<(String, String)> = r
                .columns
                .iter()
                .map(|c| (c.clone(), "NULL".to_string()))
                .collect();
            rows_update(
                ctx,
                out,
                f,
                &key,
                &set,
                &filter,
                format!("Set the key to NULL in the {what}"),
            )
        }
        Orphans::Delete => delete(ctx, out, f, &key, &filter, format!("Delete the {what}")),
    }
}

/// An UPDATE fix-up over `filter` saving key and `set` columns.
fn rows_update(
    ctx: &Ctx,
    out: &mut Drafts,
    f: &For,
    key: &[String],
    set: &[(String, String)],
    filter: &str,
    summary: String,
) -> Result<usize, SqlError> {
    let mut saved = key.to_vec();
    saved.extend(
        set.iter()
            .map(|(c, _)| c.clone())
            .filter(|c| !key.contains(c)),
    );
    let restore = format!(
        "UPDATE {t} SET {s} FROM {save} AS bellows_saved WHERE ({tk}) = ({sk})",
        t = f.table.name.sql(),
        s = set
            .iter()
            .map(|(c, _)| format!("{} = bellows_saved.{}", q(c), q(c)))
            .collect::<Vec<_>>()
            .join(", "),
        save = f.save_name().sql(),
        tk = qualified(&f.table.name, key),
        sk = prefixed("bellows_saved", key),
    );
    let fill = Fill {
        table: &f.table.name,
        key,
        set,
        filter,
    };
    let save = save_table(f, saved);
    Ok(push_fix(
        ctx,
        out,
        f,
        &fill,
        (BatchAction::Update, save, vec![restore]),
        summary,
    ))
}

/// A DELETE fix-up over `filter`, saving whole rows (all but generated columns).
fn delete(
    ctx: &Ctx,
    out: &mut Drafts,
    f: &For,
    key: &[String],
    filter: &str,
    summary: String,
) -> Result<usize, SqlError> {
    let t = &f.table.name;
    let cascading: Vec<String> = ctx
        .cat()
        .fks_referencing(t)
        .into_iter()
        .filter(|(_, fk)| fk_acts_on_delete(&fk.kind))
        .map(|(on, fk)| format!("{} on {}", fk.name, on.display()))
        .collect();
    if !cascading.is_empty() {
        return Err(ctx.refuse(
            format!("deleting rows of {} would change other tables through {} (ON DELETE), which the fix-up cannot put back", t.display(), cascading.join(", ")),
            "fix these rows yourself before this change",
        ));
    }
    let columns: Vec<String> = f
        .table
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .map(|c| c.name.clone())
        .collect();
    let restore = format!(
        "INSERT INTO {t} ({c}) OVERRIDING SYSTEM VALUE SELECT {c} FROM {s}",
        t = t.sql(),
        c = cols(&columns),
        s = f.save_name().sql()
    );
    let fill = Fill {
        table: t,
        key,
        set: &[],
        filter,
    };
    let save = save_table(f, columns);
    Ok(push_fix(
        ctx,
        out,
        f,
        &fill,
        (BatchAction::Delete, save, vec![restore]),
        summary,
    ))
}

/// Whether a foreign key's ON DELETE action changes the referencing rows.
fn fk_acts_on_delete(kind: &crate::catalog::ConstraintKind) -> bool {
    matches!(kind, crate::catalog::ConstraintKind::ForeignKey { on_delete: Some(a), .. } if !a.eq_ignore_ascii_case("NO ACTION") && !a.eq_ignore_ascii_case("RESTRICT"))
}

/// `fix-duplicates`: of each group of rows sharing `columns`, all but the one with the lowest
/// (highest) `by` are deleted. The rows that stay are chosen first, in one read, into a
/// keeper table, so each batch finds its victims by index lookups.
pub fn duplicates(
    ctx: &Ctx,
    out: &mut Drafts,
    f: &For,
    columns: &[String],
    nulls_not_distinct: bool,
    (keep, by): (Keep, &str),
) -> Result<usize, SqlError> {
    let key = f.key(ctx)?;
    ctx.column(f.table, by)?;
    let t = &f.table.name;
    let keepers = QName {
        schema: "bellows".into(),
        name: names::own_name("keep", &format!("{}_{}", t.name, f.constraint), "rows"),
    };
    let ks: Vec<String> = (1..=columns.len()).map(|i| format!("k{i}")).collect();
    let ps: Vec<String> = (1..=key.len()).map(|i| format!("p{i}")).collect();
    let eq = if nulls_not_distinct {
        "IS NOT DISTINCT FROM"
    } else {
        "="
    };
    let not_null = if nulls_not_distinct {
        "TRUE".to_string()
    } else {
        columns
            .iter()
            .map(|c| format!("{} IS NOT NULL", q(c)))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let dir = match keep {
        Keep::Lowest => "ASC NULLS LAST",
        Keep::Highest => "DESC NULLS LAST",
    };
    let aliased = |names: &[String], to: &[String]| {
        names
            .iter()
            .zip(to)
            .map(|(c, a)| format!("{} AS {a}", q(c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let collect = vec![
        "CREATE SCHEMA IF NOT EXISTS \"bellows\"".to_string(),
        format!(
            "CREATE TABLE IF NOT EXISTS {kt} AS SELECT DISTINCT ON ({c}) {ka}, {pa} FROM {t} WHERE ({c}) IN (SELECT {c} FROM {t} WHERE {not_null} GROUP BY {c} HAVING count(*) > 1) ORDER BY {c}, {by} {dir}, {k}",
            kt = keepers.sql(),
            c = cols(columns),
            ka = aliased(columns, &ks),
            pa = aliased(&key, &ps),
            t = t.sql(),
            by = q(by),
            k = cols(&key),
        ),
        format!("REVOKE ALL ON {} FROM PUBLIC", keepers.sql()),
        format!(
            "CREATE INDEX IF NOT EXISTS {} ON {} ({})",
            q(&names::fit(&format!("{}_k", keepers.name))),
            keepers.sql(),
            ks.join(", ")
        ),
        format!("ANALYZE {}", keepers.sql()),
    ];
    let chosen = out.push(
        Draft::new(
            format!("choose-keepers-{}", f.constraint),
            Phase::Backfill,
            StepKind::DdlConcurrent,
            DdlForm::Read,
            format!(
                "Choose, of each group of rows of {} sharing ({}), the one with the {} {by} to keep",
                t.display(),
                columns.join(", "),
                if keep == Keep::Lowest { "lowest" } else { "highest" }
            ),
        )
        .sql(collect)
        .rollback([format!("DROP TABLE IF EXISTS {}", keepers.sql())])
        .note("One read of the table (ACCESS SHARE), outside a transaction and without a statement timeout, into a table of the plan's own; the deletes that follow look each row up there by index instead of scanning the table again. Rows whose kept row is gone by then are left alone, and the duplicate check before the build names them.")
        .on(t)
        .creating(&keepers)
        .after_opt(f.after),
    );
    let filter = format!(
        "EXISTS (SELECT 1 FROM {kt} AS bellows_keep JOIN {t} AS bellows_kept ON ({kp}) = ({bp}) WHERE ({kk}) {eq} ({here}) AND ({kp}) <> ({tk}) AND ({kept}) {eq} ({here}))",
        kt = keepers.sql(),
        t = t.sql(),
        kp = prefixed("bellows_keep", &ps),
        bp = prefixed("bellows_kept", &key),
        kk = prefixed("bellows_keep", &ks),
        here = qualified(t, columns),
        tk = qualified(t, &key),
        kept = prefixed("bellows_kept", columns),
    );
    let summary = format!(
        "Delete the duplicates of ({}) in {}, keeping the row with the {} {by} of each",
        columns.join(", "),
        t.display(),
        if keep == Keep::Lowest {
            "lowest"
        } else {
            "highest"
        }
    );
    let f2 = For {
        after: Some(chosen),
        ..*f
    };
    delete(ctx, out, &f2, &key, &filter, summary)
}

/// `"schema"."table"."c1", ...`
fn qualified(t: &QName, columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| format!("{}.{}", t.sql(), q(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `alias."c1", ...`
fn prefixed(alias: &str, columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| format!("{alias}.{}", q(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `fix-duplicates` of the statement, if written, before unique index `ix` of `t` is
/// built (after draft `after`). Returns the fix-up's last draft.
pub fn duplicates_for(
    ctx: &Ctx,
    out: &mut Drafts,
    t: &Table,
    constraint: &str,
    ix: &crate::catalog::Index,
    after: Option<usize>,
) -> Result<Option<usize>, SqlError> {
    let Some(fix) = &ctx.st.directives.fix else {
        return Ok(None);
    };
    let crate::sql::fixup::Fix::Duplicates { keep, column } = fix else {
        return Err(ctx.refuse(
            format!(
                "`-- bellows:{}` does not apply to a unique index",
                fix.directive()
            ),
            "write `-- bellows:fix-duplicates keep lowest <column>` here, or remove the directive",
        ));
    };
    let columns: Option<Vec<String>> = ix.keys.iter().map(|k| k.column.clone()).collect();
    let Some(columns) = columns.filter(|_| ix.predicate.is_none()) else {
        return Err(ctx.refuse(
            format!("`-- bellows:fix-duplicates` handles keys of plain columns, and {} has an expression or a WHERE clause", ix.name),
            "delete the duplicate rows yourself before this change, then plan it without the directive",
        ));
    };
    if t.is_partitioned() {
        return Err(ctx.refuse(
            format!("`-- bellows:fix-duplicates` on partitioned {} is not planned yet", t.name.display()),
            "delete the duplicate rows yourself before this change, then plan it without the directive",
        ));
    }
    let f = For {
        table: t,
        constraint,
        after,
    };
    duplicates(
        ctx,
        out,
        &f,
        &columns,
        ix.nulls_not_distinct,
        (*keep, column),
    )
    .map(Some)
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    const SCHEMA: &str = "CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE t (id bigint PRIMARY KEY, a_id bigint, price numeric);";

    #[test]
    fn fix_rows_come_between_the_not_valid_check_and_its_validation() {
        let out = testing::plan(
            SCHEMA,
            "-- bellows:fix-rows price = 0\nALTER TABLE t ADD CONSTRAINT t_price_check CHECK (price >= 0);",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out);
    }

    #[test]
    fn orphans_are_nulled_after_the_not_valid_key_and_before_its_validation() {
        let out = testing::plan(
            SCHEMA,
            "-- bellows:fix-orphans null\nALTER TABLE t ADD CONSTRAINT t_a_fkey FOREIGN KEY (a_id) REFERENCES a (id);",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out);
    }
}
