//! Reading SQL: change files and schema files become small typed statements with locations.
//!
//! [`source::split`] cuts a file into statements on sqlparser's own tokens (so `$$` bodies,
//! strings and comments are respected) and collects `-- bellows:` directives. [`parse_file`]
//! turns each statement into a [`ddl::Ddl`], the normalized form that the catalog, the
//! planner and the linter match on instead of walking sqlparser's AST. [`ident`] quotes
//! identifiers; [`types`] canonicalizes type names; [`expr`] normalizes expressions.

pub mod alter;
pub mod annotations;
mod catalog_only;
pub mod constraint;
pub mod convert;
pub mod ddl;
pub mod ddl_table;
pub mod depth;
pub mod directive;
pub mod drop;
pub mod error;
pub mod expr;
pub mod fallback;
pub mod fixup;
pub mod grant;
pub mod ident;
pub mod key_extras;
pub mod loc;
pub mod partition;
pub mod policy;
pub mod raw;
pub mod routine;
mod sequence;
pub mod source;
pub mod types;
pub mod view;
pub mod view_rewrite;
mod words;

pub use ddl::{Ddl, Statement};
pub use directive::Directives;
pub use error::SqlError;
pub use ident::{QName, assignments, quote_ident, quote_literal};
pub use loc::Loc;

/// Parse a whole file into statements. `lenient` skips statements that cannot be understood
/// (used for schema files, where anything that does not shape the catalog is irrelevant);
/// otherwise they are errors.
pub fn parse_file(path: &str, text: &str, lenient: bool) -> Result<Vec<Statement>, SqlError> {
    let raws = source::split(path, text)?;
    let mut out = Vec::with_capacity(raws.len());
    for raw in raws {
        match convert::statement(&raw) {
            Ok(ddl) => out.push(Statement {
                loc: raw.loc,
                text: raw.text.clone(),
                directives: raw.directives.clone(),
                ddl,
            }),
            // A raw statement need not be one bellows reads: it runs verbatim.
            Err(_) if raw.directives.raw => out.push(Statement {
                loc: raw.loc,
                text: raw.text.clone(),
                directives: raw.directives.clone(),
                ddl: Ddl::Unsupported {
                    what: "a raw statement".into(),
                },
            }),
            Err(e) if lenient => out.push(Statement {
                loc: raw.loc,
                text: raw.text.clone(),
                directives: raw.directives.clone(),
                ddl: Ddl::Skipped {
                    what: e.message().to_string(),
                },
            }),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
