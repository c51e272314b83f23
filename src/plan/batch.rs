//! What one backfill batch does to the rows it selects: update them with the step's
//! expressions (the default) or delete them, first saving what it changes into a table of its
//! own when the step must be undoable (data fix-ups). The executor and the test harness build
//! a batch's statement here, so both run the same SQL.

use serde::{Deserialize, Serialize};

use super::model::Backfill;
use crate::sql::quote_ident as q;

/// What a batch does to the rows of its range that match the filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchAction {
    /// `UPDATE ... SET` the step's expressions.
    #[default]
    Update,
    /// `DELETE` the rows.
    Delete,
}

impl BatchAction {
    /// True for the default (kept out of plan files).
    pub fn is_update(&self) -> bool {
        *self == BatchAction::Update
    }
}

/// Where a batch saves the rows it changes, in the same transaction, before changing them:
/// their key and earlier values for an update, the whole row for a delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveTo {
    /// Quoted, qualified table the rows go to.
    pub table: String,
    /// The columns saved, in the save table's order.
    pub columns: Vec<String>,
}

impl SaveTo {
    fn list(&self) -> String {
        self.columns
            .iter()
            .map(|c| q(c))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Backfill {
    /// The data-modifying parts of one batch, as `WITH` items, over rows matching `range`
    /// (a condition on the key). The item named `upd` returns one row per row changed.
    pub fn write_ctes(&self, range: &str) -> String {
        let (t, filter) = (&self.table, &self.filter);
        let rows = format!("{range} AND ({filter})");
        match (self.action, &self.save) {
            (BatchAction::Update, None) => format!(
                "upd AS (UPDATE {t} SET {} WHERE {rows} RETURNING 1)",
                crate::sql::assignments(&self.set)
            ),
            (BatchAction::Update, Some(s)) => format!(
                "saved AS (INSERT INTO {} ({cols}) SELECT {cols} FROM {t} WHERE {rows}), \
                 upd AS (UPDATE {t} SET {} WHERE {rows} RETURNING 1)",
                s.table,
                crate::sql::assignments(&self.set),
                cols = s.list()
            ),
            (BatchAction::Delete, None) => {
                format!("upd AS (DELETE FROM {t} WHERE {rows} RETURNING 1)")
            }
            (BatchAction::Delete, Some(s)) => format!(
                "upd AS (DELETE FROM {t} WHERE {rows} RETURNING {cols}), \
                 saved AS (INSERT INTO {} ({cols}) SELECT {cols} FROM upd)",
                s.table,
                cols = s.list()
            ),
        }
    }

    /// One statement doing what the batches do, to every row still matching the filter
    /// (for tests and for reading the step as one statement); returns the count changed.
    pub fn whole_sql(&self) -> String {
        format!("WITH {} SELECT count(*) FROM upd", self.write_ctes("TRUE"))
    }

    /// What the step does to a batch, in words for reviewers and operators.
    pub fn verb(&self) -> &'static str {
        match self.action {
            BatchAction::Update => "updated",
            BatchAction::Delete => "deleted",
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::plan::BatchSettings;

    fn fill(action: BatchAction, save: bool) -> Backfill {
        Backfill {
            table: r#""public"."t""#.into(),
            key: vec!["id".into()],
            set: BTreeMap::from([("price".to_string(), "greatest(\"price\", 0)".to_string())]),
            filter: r#"("price" >= 0) IS FALSE"#.into(),
            batch: BatchSettings::default(),
            action,
            save: save.then(|| SaveTo {
                table: r#""bellows"."saved""#.into(),
                columns: vec!["id".into(), "price".into()],
            }),
        }
    }

    #[test]
    fn an_update_saves_the_earlier_values_of_the_rows_it_changes_from_the_same_snapshot() {
        assert_eq!(
            fill(BatchAction::Update, true).whole_sql(),
            r#"WITH saved AS (INSERT INTO "bellows"."saved" ("id", "price") SELECT "id", "price" FROM "public"."t" WHERE TRUE AND (("price" >= 0) IS FALSE)), upd AS (UPDATE "public"."t" SET "price" = greatest("price", 0) WHERE TRUE AND (("price" >= 0) IS FALSE) RETURNING 1) SELECT count(*) FROM upd"#
        );
    }

    #[test]
    fn a_delete_saves_exactly_the_rows_it_deleted() {
        assert_eq!(
            fill(BatchAction::Delete, true).write_ctes("k"),
            r#"upd AS (DELETE FROM "public"."t" WHERE k AND (("price" >= 0) IS FALSE) RETURNING "id", "price"), saved AS (INSERT INTO "bellows"."saved" ("id", "price") SELECT "id", "price" FROM upd)"#
        );
        assert_eq!(
            fill(BatchAction::Update, false).write_ctes("k"),
            r#"upd AS (UPDATE "public"."t" SET "price" = greatest("price", 0) WHERE k AND (("price" >= 0) IS FALSE) RETURNING 1)"#
        );
    }
}
