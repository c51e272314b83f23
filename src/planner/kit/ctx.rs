//! What a recipe sees: the statement, the schema as earlier statements leave it, the
//! settings, and the lookups that refuse with a located message.

use std::collections::BTreeSet;

use super::Options;
use crate::catalog::{Catalog, Column, Evolving, Table};
use crate::plan::PAGE_WALK_VERSION;
use crate::sql::{QName, SqlError, Statement};

/// What a recipe sees.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// File name, for messages.
    pub path: &'a str,
    /// The schema as earlier statements (and earlier actions of this one) leave it.
    pub schema: &'a Evolving,
    /// Settings.
    pub opts: &'a Options,
    /// The statement being planned.
    pub st: &'a Statement,
}

impl<'a> Ctx<'a> {
    /// A context for `st`.
    pub fn new(path: &'a str, schema: &'a Evolving, opts: &'a Options, st: &'a Statement) -> Self {
        Self {
            path,
            schema,
            opts,
            st,
        }
    }

    /// The same statement against another state of the schema.
    pub fn with_schema<'b>(&self, schema: &'b Evolving) -> Ctx<'b>
    where
        'a: 'b,
    {
        Ctx {
            path: self.path,
            schema,
            opts: self.opts,
            st: self.st,
        }
    }

    /// The catalog as earlier statements leave it.
    pub fn cat(&self) -> &'a Catalog {
        self.schema.catalog()
    }

    /// A refusal located at the statement.
    pub fn refuse(&self, message: impl Into<String>, hint: impl Into<String>) -> SqlError {
        SqlError::new(self.path, self.st.loc, message).with_hint(hint)
    }

    /// The table, or an error that says it is unknown.
    pub fn table(&self, name: &QName) -> Result<&'a Table, SqlError> {
        let cat = self.cat();
        cat.table(name).ok_or_else(|| {
            let known: Vec<String> = cat.tables.keys().take(8).map(|t| t.display()).collect();
            let unread = cat
                .unread
                .iter()
                .find(|u| crate::sql::source::names_in(&u.statement).contains(name));
            self.refuse(
                format!("unknown table {}", name.display()),
                if let Some(u) = unread {
                    format!("the schema file may define it in a statement bellows could not read, {u}; plan against the live database (--database-url) or rewrite that statement")
                } else if known.is_empty() {
                    "the schema has no tables: pass --schema FILE or --database-url for the database this change is for".to_string()
                } else {
                    format!("check the name and the schema source; known tables include {}", known.join(", "))
                },
            )
        })
    }

    /// The column, or an error that says it is unknown.
    pub fn column<'t>(&self, table: &'t Table, col: &str) -> Result<&'t Column, SqlError> {
        table.column(col).ok_or_else(|| {
            let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
            self.refuse(
                format!("unknown column {}.{}", table.name.display(), col),
                format!("{} has columns {}", table.name.display(), names.join(", ")),
            )
        })
    }

    /// Is the table created by this plan (so no application uses it yet)?
    pub fn is_new(&self, table: &QName) -> bool {
        self.schema.is_new(table)
    }

    /// The key batches walk ([`Table::batch_key`]: the primary key, or a unique index on
    /// NOT NULL columns); empty when the table has neither and batches walk its pages
    /// (`ctid` ranges, PostgreSQL 14+). Refused on an older server.
    pub fn batch_key(&self, table: &Table) -> Result<Vec<String>, SqlError> {
        let key = table.batch_key();
        if key.is_empty() && self.opts.pg_version < PAGE_WALK_VERSION {
            return Err(self.refuse(
                format!(
                    "{} has no primary key and no unique index on NOT NULL columns, and without one bellows batches over physical row positions (ctid ranges), which needs PostgreSQL {PAGE_WALK_VERSION}+; the target is PostgreSQL {}",
                    table.name.display(),
                    self.opts.pg_version
                ),
                "add a primary key or a unique index on NOT NULL columns first (bellows plans that safely too), then plan this change",
            ));
        }
        Ok(key)
    }

    /// Is `name` free for a new index or constraint in the table's schema?
    pub fn name_free(&self, schema: &str, name: &str, also_taken: &BTreeSet<String>) -> bool {
        !self.cat().name_taken(schema, name) && !also_taken.contains(name)
    }
}
