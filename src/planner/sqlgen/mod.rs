//! SQL text the recipes emit, built in one place with quoted identifiers: column and table
//! changes ([`alter`]), constraints ([`constraint`]), indexes ([`index`]), the trigger
//! templates ([`trigger`]), the duplicate pre-check of a unique build ([`duplicates`]), NOT NULL put back ([`nulls`]), sequences, identity and views ([`object`]), policies ([`policy`]), views dropped and created again ([`view`]), catalog-only statements ([`annotate`]), and the batched
//! backfill and verification statements ([`batch`]). Recipes never format DDL themselves.

pub mod alter;
pub mod annotate;
pub mod batch;
pub mod constraint;
pub mod duplicates;
pub mod index;
pub mod nulls;
pub mod object;
pub mod policy;
pub mod trigger;
pub mod view;

pub use alter::*;
pub use batch::*;
pub use constraint::*;
pub use duplicates::duplicate_check;
pub use index::*;
pub use nulls::restore_not_null;
pub use object::*;
pub use policy::*;
pub use trigger::*;
pub use view::*;

/// ` WITH ("fillfactor" = '70', ...)` for storage parameters spelled `name=value`; empty
/// when there are none.
pub fn with_params(params: &[String]) -> String {
    if params.is_empty() {
        return String::new();
    }
    let list: Vec<String> = params
        .iter()
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p.as_str(), "true"));
            format!(
                "{} = {}",
                crate::sql::quote_ident(name),
                crate::sql::quote_literal(value)
            )
        })
        .collect();
    format!(" WITH ({})", list.join(", "))
}

/// `"a", "b"`.
pub fn cols(cs: &[String]) -> String {
    cs.iter()
        .map(|c| crate::sql::quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}
