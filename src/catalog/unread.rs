//! Statements of a schema file that bellows could not read, or read but does not model:
//! each is reported with its file and line, and a plan that touches an object one of them
//! names is refused (the catalog cannot describe that object fully).

use serde::{Deserialize, Serialize};

use super::model::Catalog;
use crate::sql::ddl::AlterAction;
use crate::sql::{Ddl, QName, Statement, source};

/// One statement of a schema file the catalog does not reflect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unread {
    /// The schema file.
    pub path: String,
    /// The statement's first line.
    pub line: u32,
    /// The statement, on one line and shortened.
    pub statement: String,
    /// Why it was not read.
    pub reason: String,
    /// Tables and views of the catalog the statement names (an index names its table).
    pub names: Vec<QName>,
}

impl std::fmt::Display for Unread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: `{}` ({})",
            self.path, self.line, self.statement, self.reason
        )
    }
}

/// Why `st` leaves the catalog short, if it does.
pub fn reason(st: &Statement) -> Option<String> {
    match &st.ddl {
        Ddl::Skipped { what } => Some(format!("could not be read: {what}")),
        Ddl::Unsupported { what } => Some(format!("`{what}` is not modelled")),
        Ddl::AlterTable { actions, .. } => actions.iter().find_map(|a| match a {
            AlterAction::Unsupported { what } => {
                Some(format!("`ALTER TABLE ... {what}` is not modelled"))
            }
            _ => None,
        }),
        _ => None,
    }
}

/// At most this many characters of a statement are kept.
const SHOWN: usize = 100;

/// A record of `st` in `path`, naming nothing yet.
pub fn record(path: &str, st: &Statement, reason: String) -> Unread {
    let flat = st.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let statement = match flat.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{} ...", &flat[..at]),
        None => flat,
    };
    Unread {
        path: path.to_string(),
        line: st.loc.line,
        statement,
        reason,
        names: Vec::new(),
    }
}

/// The tables and views of `cat` that `text` names (indexes stand for their tables).
pub fn names(cat: &Catalog, text: &str) -> Vec<QName> {
    let mut out: Vec<QName> = source::names_in(text)
        .into_iter()
        .filter_map(|n| {
            if cat.tables.contains_key(&n) || cat.views.contains_key(&n) {
                Some(n)
            } else {
                cat.index_table(&n).map(|t| t.name.clone())
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

impl Catalog {
    /// The first unread statement that names `relation`.
    pub fn unread_naming(&self, relation: &QName) -> Option<&Unread> {
        self.unread.iter().find(|u| u.names.contains(relation))
    }
}
