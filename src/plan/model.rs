//! The plan's data types (the public plan format; see CONTRACT.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::safety::{Duration, LockMode};

/// Version of the plan format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The transaction-local setting the executor's backfill batches turn `on`: bellows' sync
/// triggers then leave the batch's rows alone, since the batch writes both sides itself.
pub const BACKFILL_SETTING: &str = "bellows.backfill";

/// A whole migration plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Plan format version.
    pub format_version: u32,
    /// Short name (from the change file).
    pub name: String,
    /// File name of the change, as given.
    pub source_file: String,
    /// The change as written.
    pub source_sql: String,
    /// Hex SHA-256 of the plan content (everything but this field).
    pub hash: String,
    /// Minimum server major version.
    pub pg_version: u32,
    /// Table → its shape when planned; a run refuses a table that drifted since.
    pub fingerprint: BTreeMap<String, TableFingerprint>,
    /// Phases used, in order.
    pub phases: Vec<Phase>,
    /// Things a reviewer must know (write amplification, missing FK index, table size).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Schemas new application code runs with first on its `search_path` (versioned views:
    /// `SET search_path = <these>, <the table's schema>`); empty for most plans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_search_path: Vec<String>,
    /// Steps in execution order.
    pub steps: Vec<Step>,
}

/// What a table looked like when the plan was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableFingerprint {
    /// SHA-256 of `shape`.
    pub digest: String,
    /// One line per column, constraint, index and trigger (see `Table::shape`).
    pub shape: Vec<String>,
}

/// The four phases of an expand/contract migration, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Additive changes old code tolerates.
    Expand,
    /// Triggers keep old and new shapes in sync.
    DualWrite,
    /// Existing rows are converted in batches, then verified.
    Backfill,
    /// After the gate: remove what only old code needed.
    Contract,
}

impl Phase {
    /// All phases in order.
    pub const ALL: [Phase; 4] = [
        Phase::Expand,
        Phase::DualWrite,
        Phase::Backfill,
        Phase::Contract,
    ];

    /// Name as in plan files.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Expand => "expand",
            Phase::DualWrite => "dual_write",
            Phase::Backfill => "backfill",
            Phase::Contract => "contract",
        }
    }

    /// Title for people.
    pub fn title(self) -> &'static str {
        match self {
            Phase::Expand => "Expand",
            Phase::DualWrite => "Dual write",
            Phase::Backfill => "Backfill",
            Phase::Contract => "Contract",
        }
    }
}

impl std::str::FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phase::ALL
            .into_iter()
            .find(|p| p.name() == s || p.name().replace('_', "-") == s)
            .ok_or_else(|| format!("unknown phase `{s}` (expand, dual_write, backfill, contract)"))
    }
}

/// The closed set of step kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// DDL in a short transaction with lock_timeout.
    Ddl,
    /// DDL that cannot run in a transaction (CONCURRENTLY).
    DdlConcurrent,
    /// Sync trigger and its function.
    Trigger,
    /// Batched UPDATE over the primary key.
    Backfill,
    /// Batched read that proves the data is as the next steps need.
    Verify,
    /// A person confirms something about the application before the plan continues.
    Gate,
}

impl StepKind {
    /// Name as in plan files.
    pub fn name(self) -> &'static str {
        match self {
            StepKind::Ddl => "ddl",
            StepKind::DdlConcurrent => "ddl_concurrent",
            StepKind::Trigger => "trigger",
            StepKind::Backfill => "backfill",
            StepKind::Verify => "verify",
            StepKind::Gate => "gate",
        }
    }
}

/// The lock a step takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// Strongest mode.
    pub mode: LockMode,
    /// Tables it is taken on.
    pub tables: Vec<String>,
    /// How long it is held.
    pub duration: Duration,
}

/// One step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Stable id.
    pub id: String,
    /// Phase.
    pub phase: Phase,
    /// Kind.
    pub kind: StepKind,
    /// One line for people.
    pub summary: String,
    /// Why this step is safe to run on a live table.
    pub why: String,
    /// Statements in order (per-batch statement for backfills; empty for gates).
    pub sql: Vec<String>,
    /// Statements that undo it; `None` means irreversible.
    pub rollback_sql: Option<Vec<String>>,
    /// Why it cannot be undone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irreversible_reason: Option<String>,
    /// Runs inside a transaction.
    pub transactional: bool,
    /// The lock it takes.
    pub lock: Lock,
    /// Steps that must be done first.
    pub depends_on: Vec<String>,
    /// 1-based statement of the change file it comes from.
    pub statement: usize,
    /// Planned despite blocking reads or writes (only with --allow-blocking).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blocking: bool,
    /// A `-- bellows:raw` statement, run verbatim: bellows did not model it, so it could not
    /// check what it does to running code or write its rollback.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub raw: bool,
    /// For backfill steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill: Option<Backfill>,
    /// For verify steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verify>,
    /// For gates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<Gate>,
}

/// A batched backfill: `UPDATE table SET col = expr, ... WHERE key in batch AND (filter)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backfill {
    /// Quoted, qualified table.
    pub table: String,
    /// Key columns (the primary key), in order; empty when batches walk pages.
    pub key: Vec<String>,
    /// How batches walk the table (absent from plans that walk the key).
    #[serde(default, skip_serializing_if = "Walk::is_key")]
    pub walk: Walk,
    /// Batches walk each leaf partition in turn (the table is partitioned).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_partition: bool,
    /// Column → SQL expression over the row.
    pub set: BTreeMap<String, String>,
    /// Only rows matching this still need work (makes batches idempotent).
    pub filter: String,
    /// Batch sizing.
    pub batch: BatchSettings,
    /// What each batch does to its rows (update unless said).
    #[serde(default, skip_serializing_if = "BatchAction::is_update")]
    pub action: BatchAction,
    /// Where each batch first saves what it changes, so rollback can put it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save: Option<SaveTo>,
}

/// What a batch does to the rows of its range that match the filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchAction {
    /// `UPDATE ... SET` the step's expressions.
    #[default]
    Update,
    /// `DELETE` the rows.
    Delete,
}

impl BatchAction {
    /// True for the default (kept out of plan files).
    pub fn is_update(&self) -> bool {
        *self == BatchAction::Update
    }
}

/// Where a batch saves the rows it changes, in the same transaction, before changing them:
/// their key and earlier values for an update, the whole row for a delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveTo {
    /// Quoted, qualified table the rows go to.
    pub table: String,
    /// The columns saved, in the save table's order.
    pub columns: Vec<String>,
}

/// The first PostgreSQL major version with TID range scans, which [`Walk::Pages`] needs.
pub const PAGE_WALK_VERSION: u32 = 14;

/// The condition of a page walk's batch, over parameters `$1` and `$2` (the first page and
/// the page after the last, as `(p,0)` texts): a TID range scan.
pub const PAGE_RANGE: &str = "ctid >= $1::tid AND ctid < $2::tid";

/// How the batches of a backfill or a verification walk a table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Walk {
    /// Keyset batches over `key` (the primary key, or a unique index on NOT NULL columns).
    #[default]
    Key,
    /// Ranges of physical pages (`ctid`, TID range scans, PostgreSQL 14+), up to the table's
    /// size when the step starts: the table has no usable key.
    Pages,
}

impl Walk {
    /// Is it the key walk (the default, left out of plan files)?
    pub fn is_key(&self) -> bool {
        *self == Walk::Key
    }

    /// Name as in plan files and state tables.
    pub fn name(self) -> &'static str {
        match self {
            Walk::Key => "key",
            Walk::Pages => "pages",
        }
    }

    /// The walk called `name` ([`Walk::name`]).
    pub fn from_name(name: &str) -> Option<Walk> {
        [Walk::Key, Walk::Pages]
            .into_iter()
            .find(|w| w.name() == name)
    }
}

/// How backfill batches are sized and paced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchSettings {
    /// First batch size in rows.
    pub size: u32,
    /// Smallest batch.
    pub min_size: u32,
    /// Largest batch.
    pub max_size: u32,
    /// Target duration of one batch in milliseconds.
    pub target_ms: u32,
    /// Pause between batches in milliseconds.
    pub pause_ms: u32,
}

impl Default for BatchSettings {
    fn default() -> Self {
        Self {
            size: 1000,
            min_size: 100,
            max_size: 50_000,
            target_ms: 50,
            pause_ms: 0,
        }
    }
}

/// A batched check: no row of `table` may match `violation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// Quoted, qualified table.
    pub table: String,
    /// Key columns, for sample keys in failures; empty when batches walk pages.
    pub key: Vec<String>,
    /// How batches walk the table (absent from plans that walk the key).
    #[serde(default, skip_serializing_if = "Walk::is_key")]
    pub walk: Walk,
    /// Predicate true for rows that are wrong.
    pub violation: String,
    /// What is being proven, for people.
    pub expectation: String,
}

/// What a person must confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    /// The question, in full.
    pub text: String,
    /// What the operator types to confirm (the table name when data is dropped next).
    pub confirm: String,
}

impl Plan {
    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Steps of one phase, in order.
    pub fn phase_steps(&self, phase: Phase) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(move |s| s.phase == phase)
    }

    /// Content hash: SHA-256 of the JSON form with `hash` empty.
    pub fn compute_hash(&self) -> String {
        use sha2::Digest;
        let mut p = self.clone();
        p.hash = String::new();
        let bytes = serde_json::to_vec(&p).unwrap_or_default();
        hex::encode(sha2::Sha256::digest(&bytes))
    }

    /// Set `hash` from the content.
    pub fn seal(&mut self) {
        self.hash = self.compute_hash();
    }

    /// TOML text (the default file format).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot serialize plan: {e}\n"))
    }

    /// Pretty JSON text (CONTRACT.md).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backfill(walk: Walk, by_partition: bool) -> Backfill {
        Backfill {
            table: "\"public\".\"t\"".into(),
            key: if walk == Walk::Key {
                vec!["id".into()]
            } else {
                vec![]
            },
            walk,
            by_partition,
            set: BTreeMap::from([("b".to_string(), "a".to_string())]),
            filter: "b IS NULL".into(),
            batch: BatchSettings::default(),
            action: Default::default(),
            save: None,
        }
    }

    #[test]
    fn plans_that_walk_the_key_read_and_write_as_before() {
        let json = serde_json::to_string(&backfill(Walk::Key, false)).expect("json");
        assert!(
            !json.contains("walk") && !json.contains("by_partition"),
            "{json}"
        );
        let old = r#"{"table":"t","key":["id"],"set":{},"filter":"true","batch":{"size":1,"min_size":1,"max_size":1,"target_ms":1,"pause_ms":0}}"#;
        let b: Backfill = serde_json::from_str(old).expect("a plan written before walks loads");
        assert_eq!((b.walk, b.by_partition), (Walk::Key, false));
    }

    #[test]
    fn page_walks_and_partitions_round_trip() {
        let b = backfill(Walk::Pages, true);
        let toml = toml::to_string(&b).expect("toml");
        assert!(
            toml.contains("walk = \"pages\"") && toml.contains("by_partition = true"),
            "{toml}"
        );
        assert_eq!(toml::from_str::<Backfill>(&toml).expect("reads back"), b);
        assert_eq!(Walk::from_name("pages"), Some(Walk::Pages));
        assert_eq!(Walk::from_name("rows"), None);
    }
}
