//! Lock truth support: a fixture per DDL form, the observation of one run on a real
//! server, and the book page that records them.

pub mod book;
pub mod fixtures;
pub mod observation;
pub mod observe;
