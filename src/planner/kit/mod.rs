//! The recipe toolkit: what a recipe sees ([`Ctx`]), the steps it describes ([`Draft`], undone
//! by a [`Rollback`]) and the list it returns ([`Drafts`]). Recipes and step fragments import
//! this and nothing of each other's.

mod ctx;
mod draft;
mod drafts;
mod options;
#[cfg(test)]
pub mod testing;

pub use ctx::Ctx;
pub use draft::{Draft, Rollback};
pub use drafts::Drafts;
pub use options::Options;
