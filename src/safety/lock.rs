//! Lock modes and duration classes.

use serde::{Deserialize, Serialize};

/// PostgreSQL table lock modes, weakest first (so `>=` means "at least as strong").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LockMode {
    /// No table lock worth noting.
    #[serde(rename = "NONE")]
    None,
    /// Plain reads.
    #[serde(rename = "ACCESS SHARE")]
    AccessShare,
    /// SELECT FOR UPDATE; the referenced table of VALIDATE (foreign key).
    #[serde(rename = "ROW SHARE")]
    RowShare,
    /// INSERT/UPDATE/DELETE.
    #[serde(rename = "ROW EXCLUSIVE")]
    RowExclusive,
    /// VALIDATE, CONCURRENTLY index builds, VACUUM: reads and writes continue.
    #[serde(rename = "SHARE UPDATE EXCLUSIVE")]
    ShareUpdateExclusive,
    /// CREATE INDEX: blocks writes.
    #[serde(rename = "SHARE")]
    Share,
    /// CREATE TRIGGER, ADD FOREIGN KEY: blocks writes.
    #[serde(rename = "SHARE ROW EXCLUSIVE")]
    ShareRowExclusive,
    /// REFRESH MATERIALIZED VIEW CONCURRENTLY: blocks writes.
    #[serde(rename = "EXCLUSIVE")]
    Exclusive,
    /// Most ALTER TABLE forms: blocks reads and writes.
    #[serde(rename = "ACCESS EXCLUSIVE")]
    AccessExclusive,
}

impl LockMode {
    /// Name as PostgreSQL spells it (and as `pg_locks.mode` reports it, minus `Lock`).
    pub fn name(self) -> &'static str {
        match self {
            LockMode::None => "NONE",
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// From `pg_locks.mode` (`AccessExclusiveLock`).
    pub fn from_pg_locks(mode: &str) -> Option<Self> {
        Some(match mode {
            "AccessShareLock" => LockMode::AccessShare,
            "RowShareLock" => LockMode::RowShare,
            "RowExclusiveLock" => LockMode::RowExclusive,
            "ShareUpdateExclusiveLock" => LockMode::ShareUpdateExclusive,
            "ShareLock" => LockMode::Share,
            "ShareRowExclusiveLock" => LockMode::ShareRowExclusive,
            "ExclusiveLock" => LockMode::Exclusive,
            "AccessExclusiveLock" => LockMode::AccessExclusive,
            _ => return None,
        })
    }

    /// Does holding this lock stop plain SELECTs?
    pub fn blocks_reads(self) -> bool {
        self == LockMode::AccessExclusive
    }

    /// Does holding this lock stop INSERT/UPDATE/DELETE?
    pub fn blocks_writes(self) -> bool {
        self >= LockMode::Share
    }

    /// "reads and writes", "writes" or "nothing", for messages.
    pub fn blocks(self) -> &'static str {
        if self.blocks_reads() {
            "reads and writes"
        } else if self.blocks_writes() {
            "writes"
        } else {
            "neither reads nor writes"
        }
    }
}

impl std::fmt::Display for LockMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How long a lock is held once granted, as a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Duration {
    /// No lock worth noting.
    None,
    /// Catalog-only: milliseconds once granted.
    Brief,
    /// Reads every row while holding the lock.
    Scan,
    /// Builds an index while holding the lock.
    Build,
    /// Rewrites the table and its indexes while holding the lock.
    Rewrite,
}

impl Duration {
    /// Lower-case name as in plan files.
    pub fn name(self) -> &'static str {
        match self {
            Duration::None => "none",
            Duration::Brief => "brief",
            Duration::Scan => "scan",
            Duration::Build => "build",
            Duration::Rewrite => "rewrite",
        }
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a statement form takes: the lock, how long, and why that is (or is not) safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockClaim {
    /// Strongest table lock taken.
    pub mode: LockMode,
    /// How long it is held.
    pub duration: Duration,
    /// Whether the statement may run inside a transaction block.
    pub transactional: bool,
    /// One sentence for people: what happens and why.
    pub why: &'static str,
}
