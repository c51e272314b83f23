//! A position in a source file: what every statement, directive and error carries.

use serde::{Deserialize, Serialize};

/// A 1-based line and column in a source file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Loc {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub col: u32,
}

impl Loc {
    /// A location from sqlparser's.
    pub fn from_sqlparser(l: sqlparser::tokenizer::Location) -> Self {
        Self {
            line: u32::try_from(l.line).unwrap_or(u32::MAX),
            col: u32::try_from(l.column).unwrap_or(u32::MAX),
        }
    }
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}
