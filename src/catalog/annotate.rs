//! Applying the catalog-only statements: comments on relations and constraints, renames of
//! indexes, constraints and enum labels (every place that names them follows), replica
//! identity, and a column's storage and compression.

use super::apply::mismatch;
use super::error::CatalogError;
use super::model::{Catalog, Compression, ReplicaIdentity, Storage, Table};
use crate::sql::QName;
use crate::sql::ddl::{CommentObject, SequenceChange};

type R = Result<(), CatalogError>;

impl Catalog {
    /// `COMMENT ON TABLE | VIEW | INDEX | SEQUENCE | CONSTRAINT`. A comment on an object
    /// the catalog does not model (an index of a materialized view, a sequence named in an
    /// identity's options) changes nothing here; the planner refuses it in a change.
    pub(super) fn comment_on(&mut self, object: &CommentObject, comment: Option<String>) -> R {
        let slot = match object {
            CommentObject::Table(t) => self.tables.get_mut(t).map(|t| &mut t.comment),
            CommentObject::View { name, .. } => self.views.get_mut(name).map(|v| &mut v.comment),
            CommentObject::Sequence(s) => self.sequences.get_mut(s).map(|s| &mut s.comment),
            CommentObject::Index(i) => {
                let t = self.index_table(i).map(|t| t.name.clone());
                t.and_then(|t| self.tables.get_mut(&t))
                    .and_then(|t| t.indexes.get_mut(&i.name))
                    .map(|ix| &mut ix.comment)
            }
            CommentObject::Constraint { table, name } => self
                .tables
                .get_mut(table)
                .and_then(|t| t.constraints.get_mut(name))
                .map(|c| &mut c.comment),
        };
        if let Some(slot) = slot {
            *slot = comment;
        }
        Ok(())
    }

    /// `ALTER INDEX i RENAME TO to`: an index that backs a constraint renames it too, as
    /// PostgreSQL does.
    pub(super) fn rename_index(&mut self, index: &QName, to: &str, if_exists: bool) -> R {
        let Some(table) = self.index_table(index).map(|t| t.name.clone()) else {
            if if_exists {
                return Ok(());
            }
            return Err(mismatch(format!("index {index} does not exist")));
        };
        if self.name_taken(&index.schema, to) {
            return Err(mismatch(format!(
                "relation {} already exists",
                index.sibling(to)
            )));
        }
        let backs = self.tables[&table].indexes[&index.name].constraint.clone();
        self.rename_index_and_constraint(&table, &index.name, backs.as_deref(), to);
        Ok(())
    }

    /// `ALTER TABLE t RENAME CONSTRAINT from TO to`: a key's index is renamed with it.
    pub(super) fn rename_constraint(&mut self, table: &QName, from: &str, to: &str) -> R {
        let t = self.table_mut(table)?;
        if !t.constraints.contains_key(from) {
            return Err(mismatch(format!(
                "constraint {from} does not exist on {table}"
            )));
        }
        if t.constraints.contains_key(to) {
            return Err(mismatch(format!(
                "constraint {to} already exists on {table}"
            )));
        }
        let index = t
            .indexes
            .values()
            .find(|i| i.constraint.as_deref() == Some(from))
            .map(|i| i.name.clone());
        match index {
            Some(ix) => self.rename_index_and_constraint(table, &ix, Some(from), to),
            None => rename_key(&mut t.constraints, from, to, |c| c.name = to.into()),
        }
        Ok(())
    }

    /// Rename index `index` of `table` (and the constraint it backs) to `to`, and every
    /// reference to them: the replica identity, and partition indexes attached to it.
    fn rename_index_and_constraint(
        &mut self,
        table: &QName,
        index: &str,
        constraint: Option<&str>,
        to: &str,
    ) {
        let old = table.sibling(index);
        let new = table.sibling(to);
        self.names_touch(table);
        if let Some(t) = self.tables.get_mut(table) {
            rename_key(&mut t.indexes, index, to, |ix| {
                ix.name = to.into();
                if ix.constraint.is_some() {
                    ix.constraint = Some(to.into());
                }
            });
            if let Some(c) = constraint {
                rename_key(&mut t.constraints, c, to, |c| c.name = to.into());
            }
            if t.replica_identity == ReplicaIdentity::Index(index.to_string()) {
                t.replica_identity = ReplicaIdentity::Index(to.to_string());
            }
            if let Some(parent) = t.index_parents.remove(index) {
                t.index_parents.insert(to.to_string(), parent);
            }
        }
        for t in self.tables.values_mut() {
            for p in t.index_parents.values_mut() {
                if *p == old {
                    *p = new.clone();
                }
            }
        }
    }

    /// `ALTER SEQUENCE s INCREMENT BY ... AS ... RESTART ... OWNED BY NONE`.
    pub(super) fn alter_sequence(
        &mut self,
        name: &QName,
        changes: &[SequenceChange],
        if_exists: bool,
    ) -> R {
        let Some(s) = self.sequences.get_mut(name) else {
            if if_exists {
                return Ok(());
            }
            return Err(mismatch(format!("sequence {name} does not exist")));
        };
        for c in changes {
            match c {
                SequenceChange::Increment(n) => s.increment = (*n != 1).then_some(*n),
                SequenceChange::As(t) => s.data_type = crate::sql::annotations::sequence_type(t),
                SequenceChange::Restart(_) => {}
                SequenceChange::OwnedByNone => s.owned_by = None,
            }
        }
        Ok(())
    }

    /// `ALTER TYPE e RENAME VALUE 'from' TO 'to'`.
    pub(super) fn rename_enum_value(&mut self, name: &QName, from: &str, to: &str) -> R {
        let labels = self
            .enums
            .get_mut(name)
            .ok_or_else(|| mismatch(format!("enum type {name} does not exist")))?;
        if labels.iter().any(|l| l == to) {
            return Err(mismatch(format!("{name} already has the label '{to}'")));
        }
        let l = labels
            .iter_mut()
            .find(|l| *l == from)
            .ok_or_else(|| mismatch(format!("{name} has no label '{from}'")))?;
        *l = to.to_string();
        Ok(())
    }

    /// `ALTER TABLE t REPLICA IDENTITY ...`.
    pub(super) fn replica_identity(&mut self, table: &QName, ri: &ReplicaIdentity) -> R {
        let t = self.table_mut(table)?;
        if let ReplicaIdentity::Index(i) = ri
            && !t.indexes.contains_key(i)
        {
            return Err(mismatch(format!("index {i} does not exist on {table}")));
        }
        t.replica_identity = ri.clone();
        Ok(())
    }

    /// `ALTER COLUMN c SET STORAGE` (`storage`) or `SET COMPRESSION` (`compression`).
    pub(super) fn column_storage(
        &mut self,
        table: &QName,
        column: &str,
        storage: Option<Storage>,
        compression: Option<Option<Compression>>,
    ) -> R {
        let t: &mut Table = self.table_mut(table)?;
        let c = t
            .column_mut(column)
            .ok_or_else(|| mismatch(format!("column {table}.{column} does not exist")))?;
        if let Some(s) = storage {
            // Kept only when it differs from the type's own, as the live catalog reads it.
            c.storage = (crate::sql::types::default_storage(&c.ty) != Some(s)).then_some(s);
        }
        if let Some(m) = compression {
            c.compression = m;
        }
        Ok(())
    }
}

/// Move the entry under `from` to `to` in a map, changing it with `edit`.
fn rename_key<V>(
    map: &mut std::collections::BTreeMap<String, V>,
    from: &str,
    to: &str,
    edit: impl FnOnce(&mut V),
) {
    if let Some(mut v) = map.remove(from) {
        edit(&mut v);
        map.insert(to.to_string(), v);
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::{ReplicaIdentity, load_str};

    #[test]
    fn renaming_a_key_or_its_index_renames_both_and_the_replica_identity_follows() {
        let cat = load_str(
            "s.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY, c int NOT NULL, CONSTRAINT t_c_key UNIQUE (c));
             ALTER TABLE t REPLICA IDENTITY USING INDEX t_c_key;
             ALTER INDEX t_c_key RENAME TO t_c_uq;
             ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_pk;
             COMMENT ON CONSTRAINT t_pk ON t IS 'the key';
             COMMENT ON INDEX t_c_uq IS 'unique c';",
        )
        .expect("loads");
        let t = &cat.tables[&crate::sql::QName::public("t")];
        let names: Vec<&str> = t.indexes.keys().map(String::as_str).collect();
        assert_eq!(names, ["t_c_uq", "t_pk"]);
        let cons: Vec<&str> = t.constraints.keys().map(String::as_str).collect();
        assert_eq!(cons, ["t_c_uq", "t_pk"]);
        assert_eq!(t.indexes["t_pk"].constraint.as_deref(), Some("t_pk"));
        assert_eq!(t.replica_identity, ReplicaIdentity::Index("t_c_uq".into()));
        assert_eq!(t.constraints["t_pk"].comment.as_deref(), Some("the key"));
        assert_eq!(t.indexes["t_c_uq"].comment.as_deref(), Some("unique c"));
    }

    #[test]
    fn a_comment_on_an_object_the_catalog_does_not_model_is_no_error() {
        let cat = load_str(
            "s.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY);
             CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
             CREATE INDEX mv_id_idx ON mv (id);
             COMMENT ON INDEX mv_id_idx IS 'not modelled';
             COMMENT ON SEQUENCE t_custom_seq IS 'not modelled either';
             COMMENT ON MATERIALIZED VIEW mv IS 'kept';",
        )
        .expect("loads");
        assert_eq!(
            cat.views[&crate::sql::QName::public("mv")]
                .comment
                .as_deref(),
            Some("kept")
        );
    }

    #[test]
    fn storage_equal_to_the_type_default_is_not_kept() {
        let cat = load_str(
            "s.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY, b text, c text);
             ALTER TABLE t ALTER COLUMN b SET STORAGE EXTERNAL;
             ALTER TABLE t ALTER COLUMN c SET STORAGE EXTENDED;
             ALTER TABLE t ALTER COLUMN c SET COMPRESSION pglz;
             CREATE TYPE mood AS ENUM ('a', 'b');
             ALTER TYPE mood RENAME VALUE 'a' TO 'z';",
        )
        .expect("loads");
        let t = &cat.tables[&crate::sql::QName::public("t")];
        assert_eq!(
            t.columns[1].storage,
            Some(crate::catalog::Storage::External)
        );
        assert_eq!(t.columns[2].storage, None);
        assert_eq!(
            t.columns[2].compression,
            Some(crate::catalog::Compression::Pglz)
        );
        assert_eq!(cat.enums[&crate::sql::QName::public("mood")], ["z", "b"]);
    }
}
