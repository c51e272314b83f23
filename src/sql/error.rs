//! Errors raised while reading SQL, each with the file, line and column it concerns.

use std::fmt;

use super::loc::Loc;

/// A problem with the SQL text itself: where it is, what is wrong, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    /// File name as given by the user.
    pub path: String,
    /// Position in the file (1-based).
    pub loc: Loc,
    message: String,
    hint: Option<String>,
}

impl SqlError {
    /// A new error at `loc` in `path`.
    pub fn new(path: &str, loc: Loc, message: impl Into<String>) -> Self {
        Self {
            path: path.to_string(),
            loc,
            message: message.into(),
            hint: None,
        }
    }

    /// Attach advice on what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// What is wrong, without location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do, if known.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.loc.line, self.loc.col, self.message
        )?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SqlError {}
