//! The schema as a change goes: a catalog advanced statement by statement, and the relations
//! the change itself created (nothing uses those yet, so they need no online recipe).
//! The planner and the linter both walk a change through it.

use std::collections::BTreeSet;

use super::{Catalog, CatalogError};
use crate::sql::ddl::AlterAction;
use crate::sql::{Ddl, Loc, QName, SqlError};

/// A catalog that moves past each statement of a change, remembering what the change created.
#[derive(Debug, Clone, Default)]
pub struct Evolving {
    cat: Catalog,
    created: BTreeSet<QName>,
}

impl Evolving {
    /// Start from `cat`, with nothing created yet.
    pub fn new(cat: Catalog) -> Self {
        Self {
            cat,
            created: BTreeSet::new(),
        }
    }

    /// The schema as the statements so far leave it.
    pub fn catalog(&self) -> &Catalog {
        &self.cat
    }

    /// Was `name` created by the change so far (so no application uses it yet)?
    pub fn is_new(&self, name: &QName) -> bool {
        self.created.contains(name)
    }

    /// The relations the change created so far.
    pub fn created(&self) -> &BTreeSet<QName> {
        &self.created
    }

    /// Begin a new change on the schema as it stands; `created` are the relations that count
    /// as new in it (a down migration may treat what its up created as new).
    pub fn begin(&mut self, created: BTreeSet<QName>) {
        self.created = created;
    }

    /// Move past `ddl`: record what it creates, then apply it to the catalog.
    pub fn apply(&mut self, ddl: &Ddl) -> Result<(), CatalogError> {
        self.record_created(ddl);
        self.cat.apply(ddl)
    }

    /// [`Self::apply`] for a statement at `loc` of `path`, with the error located there.
    pub fn advance(&mut self, path: &str, loc: Loc, ddl: &Ddl) -> Result<(), SqlError> {
        self.apply(ddl).map_err(|e| located(path, loc, e))
    }

    /// The catalog with a column added (its inline constraints left out), as the rest of an
    /// `ADD COLUMN` statement sees it.
    pub fn with_column(
        &self,
        path: &str,
        loc: Loc,
        table: &QName,
        column: &crate::sql::ddl::ColumnDef,
    ) -> Result<Self, SqlError> {
        let mut next = self.clone();
        let mut plain = column.clone();
        plain.constraints.clear();
        next.cat
            .add_column(table, &plain)
            .map_err(|e| located(path, loc, e))?;
        Ok(next)
    }

    fn record_created(&mut self, ddl: &Ddl) {
        match ddl {
            Ddl::CreateTable(t) => {
                self.created.insert(t.name.clone());
            }
            Ddl::CreateView(v) => {
                self.created.insert(v.name.clone());
            }
            Ddl::AlterTable { table, actions, .. } if self.created.contains(table) => {
                for a in actions {
                    if let AlterAction::RenameTable { to } = a {
                        self.created.insert(table.sibling(to.clone()));
                    }
                }
            }
            _ => {}
        }
    }
}

/// One error shape for a statement that does not fit the schema.
fn located(path: &str, loc: Loc, e: CatalogError) -> SqlError {
    match e {
        CatalogError::Sql(s) => s,
        other => SqlError::new(path, loc, other.to_string())
            .with_hint("the change does not fit the schema; check names against the schema source"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(text: &str) -> Vec<crate::sql::Statement> {
        crate::sql::parse_file("t.sql", text, false).expect("parses")
    }

    #[test]
    fn tables_and_views_the_change_creates_are_new_and_renames_keep_them_new() {
        let mut e = Evolving::new(
            crate::catalog::load_str("s.sql", "CREATE TABLE old (id int);").expect("loads"),
        );
        for st in statements(
            "CREATE TABLE t (id int);\nALTER TABLE t RENAME TO u;\nCREATE VIEW v AS SELECT id FROM old;\nALTER TABLE old RENAME TO older;",
        ) {
            e.advance("t.sql", st.loc, &st.ddl).expect("fits");
        }
        let names: Vec<String> = e.created().iter().map(|n| n.display()).collect();
        assert_eq!(names, ["public.t", "public.u", "public.v"]);
        assert!(e.catalog().table(&QName::public("u")).is_some());
        assert!(!e.is_new(&QName::public("older")));
    }

    #[test]
    fn a_statement_that_does_not_fit_is_located_with_a_hint() {
        let mut e = Evolving::default();
        let st = &statements("\n\nALTER TABLE missing ADD COLUMN x int;")[0];
        let err = e
            .advance("t.sql", st.loc, &st.ddl)
            .expect_err("no such table");
        assert_eq!(err.loc.line, 3);
        assert!(err.to_string().contains("missing"), "{err}");
        assert!(err.hint().is_some());
    }

    #[test]
    fn begin_starts_a_new_change() {
        let mut e = Evolving::default();
        let st = &statements("CREATE TABLE t (id int);")[0];
        e.apply(&st.ddl).expect("fits");
        e.begin(BTreeSet::new());
        assert!(!e.is_new(&QName::public("t")));
        assert!(e.catalog().table(&QName::public("t")).is_some());
    }
}
