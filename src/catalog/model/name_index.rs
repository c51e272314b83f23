//! Which tables have an index, constraint or trigger of a given name, kept while a schema
//! file loads so that `Catalog::index_table` and `Catalog::name_taken` need not scan every
//! table for each statement (they did: loading was quadratic in the number of tables).
//!
//! It is on only inside `load_str` (in `catalog::load`), where nothing but `Catalog::apply` changes the
//! catalog. `Catalog::table_mut` marks the table it hands out, and the few places in
//! `src/catalog` that reach a table another way mark it themselves (or mark everything); a
//! lookup first brings the marked tables up to date. Off (the default, and after a load),
//! the lookups scan as before, so code that writes a catalog's public fields directly can
//! never meet a stale answer. It is not serialized, compares equal to any other, and a
//! clone starts off.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use super::{Catalog, Table};
use crate::sql::QName;

/// See the module documentation.
#[derive(Default)]
pub struct NameIndex(Option<Mutex<Names>>);

/// What is known: names qualified by their table's schema → the tables that have them.
#[derive(Default, Debug, PartialEq)]
pub(crate) struct Names {
    /// Everything must be read again from the catalog.
    stale: bool,
    /// Tables changed (or created, dropped, renamed) since the last lookup.
    dirty: Vec<QName>,
    /// Index name → tables with an index of that name.
    indexes: HashMap<QName, BTreeSet<QName>>,
    /// Constraint or trigger name → tables with one of that name.
    others: HashMap<QName, BTreeSet<QName>>,
    /// Table → the index names and other names it was last seen with.
    of_table: HashMap<QName, (Vec<String>, Vec<String>)>,
}

impl Clone for NameIndex {
    fn clone(&self) -> Self {
        Self(None)
    }
}

impl PartialEq for NameIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for NameIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "on" } else { "off" })
    }
}

impl Names {
    fn forget(&mut self, table: &QName) {
        let Some((ixs, others)) = self.of_table.remove(table) else {
            return;
        };
        for (names, map) in [(ixs, &mut self.indexes), (others, &mut self.others)] {
            for n in names {
                let key = table.sibling(n);
                if let Some(set) = map.get_mut(&key) {
                    set.remove(table);
                    if set.is_empty() {
                        map.remove(&key);
                    }
                }
            }
        }
    }

    fn learn(&mut self, t: &Table) {
        let ixs: Vec<String> = t.indexes.keys().cloned().collect();
        let others: Vec<String> = t
            .constraints
            .keys()
            .chain(t.triggers.keys())
            .cloned()
            .collect();
        for (names, map) in [(&ixs, &mut self.indexes), (&others, &mut self.others)] {
            for n in names {
                map.entry(t.name.sibling(n.clone()))
                    .or_default()
                    .insert(t.name.clone());
            }
        }
        self.of_table.insert(t.name.clone(), (ixs, others));
    }

    /// Bring up to date with `tables`.
    fn refresh(&mut self, tables: &std::collections::BTreeMap<QName, Table>) {
        if self.stale {
            *self = Names::default();
            for t in tables.values() {
                self.learn(t);
            }
            return;
        }
        for name in std::mem::take(&mut self.dirty) {
            self.forget(&name);
            if let Some(t) = tables.get(&name) {
                self.learn(t);
            }
        }
    }

    /// Read from scratch.
    pub(crate) fn of(cat: &Catalog) -> Names {
        let mut n = Names {
            stale: true,
            ..Names::default()
        };
        n.refresh(&cat.tables);
        n
    }
}

impl Catalog {
    /// Keep the name index from now on (true) or drop it and scan (false).
    pub(crate) fn index_names(&mut self, on: bool) {
        self.names = NameIndex(on.then(|| {
            Mutex::new(Names {
                stale: true,
                ..Names::default()
            })
        }));
    }

    /// Note that `table`'s indexes, constraints or triggers may change (or that it is
    /// created, dropped or renamed).
    pub(crate) fn names_touch(&mut self, table: &QName) {
        if let Some(m) = &mut self.names.0 {
            let n = m.get_mut().unwrap_or_else(|e| e.into_inner());
            if !n.stale {
                n.dirty.push(table.clone());
            }
        }
    }

    /// Run `f` on the up-to-date names, when the index is on.
    fn with_names<R>(&self, f: impl FnOnce(&Names) -> R) -> Option<R> {
        let m = self.names.0.as_ref()?;
        let mut n = m.lock().unwrap_or_else(|e| e.into_inner());
        n.refresh(&self.tables);
        Some(f(&n))
    }

    /// The name of the first table (in name order) with an index called `index`, when the
    /// index is on: `Some(None)` when there is none.
    pub(crate) fn indexed_index_table(&self, index: &QName) -> Option<Option<QName>> {
        self.with_names(|n| n.indexes.get(index).and_then(|s| s.first().cloned()))
    }

    /// Does some table have a constraint or trigger called `name` in `schema`, when the
    /// index is on?
    pub(crate) fn indexed_other_taken(&self, name: &QName) -> Option<bool> {
        self.with_names(|n| n.others.contains_key(name))
    }

    /// Does the index (when on) match one read from scratch? Debug builds check it after
    /// every statement of a load.
    pub(crate) fn names_agree(&self) -> bool {
        self.with_names(|n| {
            let fresh = Names::of(self);
            n.indexes == fresh.indexes && n.others == fresh.others && n.of_table == fresh.of_table
        })
        .unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Apply `sql` with the index on; after each statement it must match one read from
    /// scratch.
    fn apply(cat: &mut Catalog, sql: &str) {
        for s in crate::sql::parse_file("t.sql", sql, true).unwrap() {
            cat.apply(&s.ddl).unwrap();
            assert!(cat.names_agree(), "stale after {}", s.text);
        }
    }

    fn q(name: &str) -> QName {
        QName::new("public", name)
    }

    /// The indexed answers and the scanning ones (a clone has the index off).
    fn answers(cat: &Catalog, name: &str) -> (Option<QName>, bool, bool) {
        (
            cat.index_table(&q(name)).map(|t| t.name.clone()),
            cat.relation_exists(&q(name)),
            cat.name_taken("public", name),
        )
    }

    fn same(cat: &Catalog, names: &[&str]) {
        let scan = cat.clone();
        assert_eq!(format!("{:?}", scan.names), "off");
        for n in names {
            assert_eq!(answers(cat, n), answers(&scan, n), "{n}");
        }
    }

    fn loading() -> Catalog {
        let mut cat = Catalog::default();
        cat.schemas.insert("public".into());
        cat.index_names(true);
        apply(
            &mut cat,
            "CREATE TABLE a (id int PRIMARY KEY, x int);
             CREATE TABLE b (id int, a_id int REFERENCES a (id));
             CREATE INDEX a_x_idx ON a (x);",
        );
        cat
    }

    const NAMES: &[&str] = &[
        "a",
        "b",
        "c",
        "a_pkey",
        "a_x_idx",
        "x2",
        "b_a_id_fkey",
        "b_pkey",
        "b_a_id_idx",
        "trg",
    ];

    #[test]
    fn indexes_added_dropped_and_renamed() {
        let mut cat = loading();
        assert_eq!(answers(&cat, "a_x_idx").0, Some(q("a")));
        same(&cat, NAMES);
        apply(&mut cat, "ALTER INDEX a_x_idx RENAME TO x2;");
        assert_eq!(answers(&cat, "a_x_idx"), (None, false, false));
        assert_eq!(answers(&cat, "x2").0, Some(q("a")));
        same(&cat, NAMES);
        apply(&mut cat, "DROP INDEX x2;");
        assert_eq!(answers(&cat, "x2"), (None, false, false));
        same(&cat, NAMES);
        apply(&mut cat, "CREATE INDEX ON b (a_id);");
        assert_eq!(answers(&cat, "b_a_id_idx").0, Some(q("b")));
        same(&cat, NAMES);
    }

    #[test]
    fn tables_renamed_and_dropped_with_their_indexes() {
        let mut cat = loading();
        apply(&mut cat, "ALTER TABLE a RENAME TO c;");
        assert_eq!(answers(&cat, "a_x_idx").0, Some(q("c")));
        assert_eq!(answers(&cat, "a_pkey").0, Some(q("c")));
        same(&cat, NAMES);
        apply(&mut cat, "DROP TABLE c;");
        assert_eq!(answers(&cat, "a_x_idx"), (None, false, false));
        assert_eq!(answers(&cat, "a_pkey"), (None, false, false));
        // The foreign key to the dropped table went with it.
        assert!(!cat.name_taken("public", "b_a_id_fkey"));
        same(&cat, NAMES);
    }

    #[test]
    fn constraints_and_triggers_added_renamed_and_dropped() {
        let mut cat = loading();
        assert!(cat.name_taken("public", "b_a_id_fkey"));
        apply(
            &mut cat,
            "ALTER TABLE b ADD PRIMARY KEY (id);
             CREATE TRIGGER trg BEFORE UPDATE ON b FOR EACH ROW EXECUTE FUNCTION f();",
        );
        assert_eq!(answers(&cat, "b_pkey").0, Some(q("b")));
        assert!(cat.name_taken("public", "trg"));
        same(&cat, NAMES);
        apply(
            &mut cat,
            "ALTER TABLE b RENAME CONSTRAINT b_pkey TO x2;
             DROP TRIGGER trg ON b;
             ALTER TABLE b DROP COLUMN a_id;",
        );
        assert_eq!(answers(&cat, "b_pkey"), (None, false, false));
        assert_eq!(answers(&cat, "x2").0, Some(q("b")));
        assert!(!cat.name_taken("public", "trg"));
        assert!(!cat.name_taken("public", "b_a_id_fkey"));
        same(&cat, NAMES);
        apply(&mut cat, "ALTER TABLE b DROP CONSTRAINT x2;");
        assert_eq!(answers(&cat, "x2"), (None, false, false));
        same(&cat, NAMES);
    }

    #[test]
    fn the_first_table_answers_for_a_name_two_tables_have() {
        let mut cat = loading();
        apply(
            &mut cat,
            "CREATE TABLE c (id int);
             ALTER TABLE c ADD CONSTRAINT a_x_idx UNIQUE (id);",
        );
        assert_eq!(answers(&cat, "a_x_idx").0, Some(q("a")));
        apply(&mut cat, "DROP INDEX a_x_idx;");
        assert_eq!(answers(&cat, "a_x_idx").0, Some(q("c")));
        same(&cat, NAMES);
    }

    #[test]
    fn the_index_is_invisible_to_equality_clones_and_serialization() {
        let on = loading();
        let mut off = on.clone();
        assert_eq!(on, off);
        let mut empty = Catalog::default();
        empty.index_names(true);
        assert_eq!(
            serde_json::to_string(&empty).unwrap(),
            serde_json::to_string(&Catalog::default()).unwrap()
        );
        off.index_names(false);
        assert_eq!(on, off);
    }
}
