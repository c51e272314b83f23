//! What one run of a fixture showed, and the duration class that follows from it.

use bellows::safety::{Duration, LockMode};

use super::fixtures::ROWS;

/// What happened to the target's own file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChange {
    /// The same relfilenode after as before.
    Same,
    /// A new relfilenode: the data lives in a new file.
    New,
    /// The relation is gone.
    Gone,
    /// A view or other relation without storage.
    NoStorage,
    /// The target did not exist before: the statement created it.
    Created,
    /// The statement failed, so its uncommitted catalog cannot be read.
    Unknown,
}

/// Everything seen while one fixture ran.
#[derive(Debug, Clone)]
pub struct Observation {
    /// The form ran inside a transaction block (false: refused there with SQLSTATE 25001).
    pub transactional: bool,
    /// Strongest lock held on (or waited for on) the target, if the target existed before.
    pub target_mode: LockMode,
    /// Strongest lock on any relation of the fixture that existed before the statement.
    pub preexisting_max: LockMode,
    /// Other relations of the fixture locked, by name (`(new)` when the statement made
    /// them), with the strongest mode.
    pub others: Vec<(String, LockMode)>,
    /// The target's file.
    pub table_file: FileChange,
    /// An index of the target has a file it did not have before (a new or rebuilt index).
    pub new_index_file: bool,
    /// Rows of the target read (scanned, or fetched through an index).
    pub rows_read: i64,
    /// Sequential scans of the target begun.
    pub scans: i64,
    /// SQLSTATE of the error the statement failed with.
    pub error: Option<String>,
}

impl Observation {
    /// The duration class the observation shows.
    ///
    /// rewrite: a new table file and every row read; build: a new index file and every row
    /// read; scan: every row read (a failing statement: a scan began and read rows before
    /// the error); none: nothing locked on the target, nothing read, no file changed;
    /// brief: anything else (a catalog change, or a statement that reads a few rows).
    pub fn duration(&self) -> Duration {
        let full = self.rows_read >= ROWS;
        if self.error.is_some() {
            return if self.scans > 0 && self.rows_read > 0 {
                Duration::Scan
            } else {
                Duration::Brief
            };
        }
        if self.table_file == FileChange::New && full {
            Duration::Rewrite
        } else if self.new_index_file && full {
            Duration::Build
        } else if full {
            Duration::Scan
        } else if self.target_mode == LockMode::None
            && self.rows_read == 0
            && !self.new_index_file
            && self.table_file != FileChange::New
        {
            Duration::None
        } else {
            Duration::Brief
        }
    }

    /// The duration class with what it rests on, for the book.
    pub fn detail(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match self.table_file {
            FileChange::New => parts.push("new table file".into()),
            FileChange::Gone => parts.push("relation dropped".into()),
            FileChange::Created => parts.push("new relation".into()),
            FileChange::Same | FileChange::NoStorage | FileChange::Unknown => {}
        }
        if self.new_index_file {
            parts.push("new index file".into());
        }
        parts.push(match &self.error {
            Some(code) => format!(
                "fails with SQLSTATE {code} after reading {} row{}",
                self.rows_read,
                if self.rows_read == 1 { "" } else { "s" }
            ),
            None if self.rows_read == 0 => "no row read".into(),
            None if self.rows_read >= ROWS => "every row read".into(),
            None => "some rows read".into(),
        });
        format!("{} ({})", self.duration(), parts.join(", "))
    }
}
