//! The catalog's data types. Everything is ordered (BTreeMap, sorted Vecs) so that two
//! catalogs describing the same schema compare equal and serialize identically.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::sql::QName;

mod name_index;
pub use crate::sql::ddl::{
    Compression, ConstraintKind, Deferral, Identity, IndexKey, KeyIndex, Parent, ReplicaIdentity,
    Storage,
};
pub use crate::sql::policy::{PolicyCommand, PolicyDef, PolicyKind};

/// A whole database schema as far as planning needs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// Server major version, when known (live databases).
    pub server_version: Option<u32>,
    /// Full server version number (`server_version_num`, e.g. 160004), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version_num: Option<u32>,
    /// Installed extensions: name → version (`pg_extension`; `plpgsql`, present in every
    /// database, is left out). Schema files do not record them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: BTreeMap<String, String>,
    /// Schemas.
    pub schemas: BTreeSet<String>,
    /// Tables by name.
    pub tables: BTreeMap<QName, Table>,
    /// Views and materialized views by name.
    pub views: BTreeMap<QName, View>,
    /// Sequences by name.
    pub sequences: BTreeMap<QName, Sequence>,
    /// Enum types and their labels.
    pub enums: BTreeMap<QName, Vec<String>>,
    /// Domains and their base types.
    pub domains: BTreeMap<QName, String>,
    /// Functions by name (overloads collapse).
    pub functions: BTreeSet<QName>,
    /// Bodies of SQL and PL/pgSQL functions by name (overloads together, sorted).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub function_bodies: BTreeMap<QName, Vec<String>>,
    /// Statements of the schema file the catalog does not reflect (empty for live databases).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<super::Unread>,
    /// Index, constraint and trigger names → tables, kept while a schema file loads (see
    /// [`name_index`]); never serialized, ignored by `==`, off in a clone.
    #[serde(skip)]
    pub(crate) names: name_index::NameIndex,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Name.
    pub name: QName,
    /// Columns in their physical order.
    pub columns: Vec<Column>,
    /// Constraints by name (primary key, unique, check, foreign key, exclude).
    pub constraints: BTreeMap<String, Constraint>,
    /// Indexes by name, including those that back constraints.
    pub indexes: BTreeMap<String, Index>,
    /// Triggers by name.
    pub triggers: BTreeMap<String, Trigger>,
    /// Estimated row count (live databases only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_estimate: Option<i64>,
    /// Row-level security is enabled (`ALTER TABLE ... ENABLE ROW LEVEL SECURITY`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub row_security: bool,
    /// Table privileges granted to roles other than the owner: grantee (`PUBLIC` for
    /// everyone) → privileges (`SELECT`, `INSERT`, ...). Column grants and grant options are
    /// not modelled. Not part of the fingerprint.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub grants: BTreeMap<String, std::collections::BTreeSet<String>>,
    /// `PARTITION BY` key of a partitioned table, as written or as `pg_get_partkeydef` prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    /// The partitioned table this is a partition of, or the tables it inherits from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Parent>,
    /// This table's indexes attached to an index of its partitioned parent: index → the
    /// parent's index.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub index_parents: BTreeMap<String, QName>,
    /// Row-level-security policies by name. Not part of the fingerprint.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, PolicyDef>,
    /// `COMMENT ON TABLE`. Not part of the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `REPLICA IDENTITY`. Not part of the fingerprint.
    #[serde(default, skip_serializing_if = "ReplicaIdentity::is_default")]
    pub replica_identity: ReplicaIdentity,
}

/// A column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Name.
    pub name: String,
    /// Type, as `format_type()` prints it.
    pub ty: String,
    /// NOT NULL.
    pub not_null: bool,
    /// Default expression, normalized.
    pub default: Option<String>,
    /// Identity kind.
    pub identity: Option<Identity>,
    /// Stored generation expression.
    pub generated: Option<String>,
    /// `COLLATE` when it is not the type's default, quoted (`"C"`). Not in the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// `COMMENT ON COLUMN`. Not in the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `SET STATISTICS` target when not the default. Not in the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
    /// `SET STORAGE` when it differs from the type's default. Not in the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Storage>,
    /// `SET COMPRESSION` when set (`None`: the server's `default_toast_compression`). Not in
    /// the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<Compression>,
}

/// A constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    /// Name.
    pub name: String,
    /// What it is.
    pub kind: ConstraintKind,
    /// Validated (false after `NOT VALID` until `VALIDATE CONSTRAINT`).
    pub validated: bool,
    /// `COMMENT ON CONSTRAINT`. Not in the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// An index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Index {
    /// Name.
    pub name: String,
    /// UNIQUE.
    pub unique: bool,
    /// Access method.
    pub method: String,
    /// Keys.
    pub keys: Vec<IndexKey>,
    /// INCLUDE columns.
    pub include: Vec<String>,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15+).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
    /// Storage parameters (`WITH (...)`), `name=value` as `pg_class.reloptions` spells them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<String>,
    /// Partial index predicate.
    pub predicate: Option<String>,
    /// Whether the index is valid (a failed concurrent build leaves it invalid).
    pub valid: bool,
    /// The constraint it backs, if any.
    pub constraint: Option<String>,
    /// `COMMENT ON INDEX`. Not in the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A trigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    /// Name.
    pub name: String,
    /// Function it calls.
    pub function: QName,
    /// Columns of `UPDATE OF` (empty when it fires on any update).
    pub update_columns: Vec<String>,
    /// When it fires (`ALTER TABLE ... DISABLE / ENABLE [REPLICA | ALWAYS] TRIGGER`); live
    /// databases only, schema files keep the default.
    #[serde(default, skip_serializing_if = "TriggerFiring::is_default")]
    pub firing: TriggerFiring,
}

/// When a trigger fires (`pg_trigger.tgenabled`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerFiring {
    /// Enabled (`O`, the default): fires unless `session_replication_role` is `replica`.
    #[default]
    Origin,
    /// `DISABLE TRIGGER` (`D`).
    Disabled,
    /// `ENABLE REPLICA TRIGGER` (`R`).
    Replica,
    /// `ENABLE ALWAYS TRIGGER` (`A`).
    Always,
}

impl TriggerFiring {
    /// The default (enabled)?
    pub fn is_default(&self) -> bool {
        *self == TriggerFiring::Origin
    }

    /// From `pg_trigger.tgenabled`; an unknown code reads as the default.
    pub fn from_code(code: &str) -> Self {
        match code {
            "D" => Self::Disabled,
            "R" => Self::Replica,
            "A" => Self::Always,
            _ => Self::Origin,
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Origin => "enabled",
            Self::Disabled => "disabled",
            Self::Replica => "enabled replica",
            Self::Always => "enabled always",
        }
    }
}

/// A view or materialized view, with the table columns it depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// Name.
    pub name: QName,
    /// Materialized.
    pub materialized: bool,
    /// Table → columns the view uses.
    pub depends: BTreeMap<QName, BTreeSet<String>>,
    /// The query, as written in the schema file or as `pg_get_viewdef()` prints it, when
    /// known. Not compared between a file and a live database (PostgreSQL re-spells it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// The views and materialized views its query reads (a view built on a view).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub reads_views: BTreeSet<QName>,
    /// Indexes of a materialized view by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indexes: BTreeMap<String, Index>,
    /// The view's options as `name=value`, sorted (`check_option=cascaded`,
    /// `security_barrier=true`, `security_invoker=true`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// `COMMENT ON VIEW` / `COMMENT ON MATERIALIZED VIEW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A sequence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sequence {
    /// `OWNED BY` table and column.
    pub owned_by: Option<(QName, String)>,
    /// `COMMENT ON SEQUENCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `INCREMENT BY`, when not 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    /// `AS smallint | integer`, when not `bigint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    /// Privileges granted to roles other than the owner, as for tables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub grants: BTreeMap<String, BTreeSet<String>>,
}

impl Table {
    /// An empty table called `name`.
    pub fn new(name: QName) -> Self {
        Self {
            name,
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            indexes: BTreeMap::new(),
            triggers: BTreeMap::new(),
            row_estimate: None,
            row_security: false,
            grants: BTreeMap::new(),
            partition_key: None,
            parent: None,
            index_parents: BTreeMap::new(),
            policies: BTreeMap::new(),
            comment: None,
            replica_identity: ReplicaIdentity::Default,
        }
    }

    /// Is it partitioned (`PARTITION BY`)?
    pub fn is_partitioned(&self) -> bool {
        self.partition_key.is_some()
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column called `name`, mutably.
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// The primary key constraint.
    pub fn primary_key(&self) -> Option<&Constraint> {
        self.constraints
            .values()
            .find(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
    }

    /// Primary key columns (empty when there is none).
    pub fn primary_key_columns(&self) -> Vec<String> {
        self.primary_key()
            .map(|c| c.kind.columns().to_vec())
            .unwrap_or_default()
    }

    /// The columns batches walk in order: the primary key, or else the smallest valid,
    /// non-partial unique index whose keys are all NOT NULL columns (each row has exactly one
    /// key, so keyset pagination neither skips nor repeats rows). Empty when there is none.
    pub fn batch_key(&self) -> Vec<String> {
        let pk = self.primary_key_columns();
        if !pk.is_empty() {
            return pk;
        }
        self.indexes
            .values()
            .filter(|ix| ix.unique && ix.valid && ix.predicate.is_none() && !ix.keys.is_empty())
            .filter_map(|ix| {
                ix.keys
                    .iter()
                    .map(|k| {
                        let c = k.column.as_ref()?;
                        self.column(c)
                            .filter(|c| c.not_null)
                            .map(|c| c.name.clone())
                    })
                    .collect::<Option<Vec<String>>>()
            })
            .min_by_key(Vec::len)
            .unwrap_or_default()
    }

    /// Does some valid, non-partial index start with exactly these columns (in any order)?
    pub fn has_index_leading_with(&self, cols: &[String]) -> bool {
        self.indexes.values().any(|ix| {
            ix.valid && ix.predicate.is_none() && ix.keys.len() >= cols.len() && {
                let lead: BTreeSet<&str> = ix.keys[..cols.len()]
                    .iter()
                    .filter_map(|k| k.column.as_deref())
                    .collect();
                lead.len() == cols.len() && cols.iter().all(|c| lead.contains(c.as_str()))
            }
        })
    }

    /// A stable digest of the table's shape, to detect drift between planning and running.
    ///
    /// It covers what a schema file and the live server spell identically: column names,
    /// types, nullability, identity, whether a default or generation expression exists,
    /// constraint names, kinds, columns and validity, index names, uniqueness, method, plain
    /// key columns and whether a key is an expression or the index partial, and trigger
    /// names. Expression bodies are left out: PostgreSQL re-spells them (`0` becomes
    /// `(0)::numeric`), so a hand-written schema would always look drifted.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(self.shape().join("\n").as_bytes()))
    }

    /// The lines [`Table::fingerprint`] digests: one per column, constraint, index, trigger.
    pub fn shape(&self) -> Vec<String> {
        let mut s = String::new();
        for c in &self.columns {
            s.push_str(&format!(
                "col {} {} nn={} def={} id={:?} gen={}\n",
                c.name,
                c.ty,
                c.not_null,
                c.default.is_some(),
                c.identity,
                c.generated.is_some()
            ));
        }
        for c in self.constraints.values() {
            let kind = match &c.kind {
                ConstraintKind::PrimaryKey { .. } => "pk".to_string(),
                ConstraintKind::Unique { .. } => "unique".to_string(),
                ConstraintKind::Check { .. } => "check".to_string(),
                ConstraintKind::ForeignKey {
                    ref_table,
                    ref_columns,
                    ..
                } => {
                    format!("fk {} ({})", ref_table, ref_columns.join(","))
                }
                ConstraintKind::Exclude { .. } => "exclude".to_string(),
                other => format!("{other:?}"),
            };
            s.push_str(&format!(
                "con {} {kind} ({}) valid={}\n",
                c.name,
                c.kind.columns().join(","),
                c.validated
            ));
        }
        for i in self.indexes.values() {
            let keys: Vec<&str> = i
                .keys
                .iter()
                .map(|k| k.column.as_deref().unwrap_or("(expression)"))
                .collect();
            s.push_str(&format!(
                "idx {} unique={} {} ({}) partial={} valid={}\n",
                i.name,
                i.unique,
                i.method,
                keys.join(","),
                i.predicate.is_some(),
                i.valid
            ));
        }
        for t in self.triggers.keys() {
            s.push_str(&format!("trg {t}\n"));
        }
        if self.is_partitioned() {
            s.push_str("partitioned\n");
        }
        match &self.parent {
            Some(Parent::Partition { table, .. }) => s.push_str(&format!("partition of {table}\n")),
            Some(Parent::Inherits { tables }) => {
                for t in tables {
                    s.push_str(&format!("inherits {t}\n"));
                }
            }
            None => {}
        }
        s.lines().map(str::to_string).collect()
    }
}

impl Catalog {
    /// The table called `name`.
    pub fn table(&self, name: &QName) -> Option<&Table> {
        self.tables.get(name)
    }

    /// Is there a relation (table, view, index or sequence) called `name`?
    pub fn relation_exists(&self, name: &QName) -> bool {
        self.tables.contains_key(name)
            || self.views.contains_key(name)
            || self.sequences.contains_key(name)
            || self.index_table(name).is_some()
            || self
                .views
                .values()
                .any(|v| v.name.schema == name.schema && v.indexes.contains_key(&name.name))
    }

    /// The table an index belongs to (index names are unique per schema).
    pub fn index_table(&self, index: &QName) -> Option<&Table> {
        if let Some(found) = self.indexed_index_table(index) {
            return found.and_then(|t| self.tables.get(&t));
        }
        self.tables
            .values()
            .find(|t| t.name.schema == index.schema && t.indexes.contains_key(&index.name))
    }

    /// Is `name` used by any constraint or index in `schema`? (They share one namespace
    /// for indexes; constraint names must be unique per table, we keep them unique per schema.)
    pub fn name_taken(&self, schema: &str, name: &str) -> bool {
        let q = QName::new(schema, name);
        if self.relation_exists(&q) {
            return true;
        }
        if let Some(taken) = self.indexed_other_taken(&q) {
            return taken;
        }
        self.tables
            .values()
            .filter(|t| t.name.schema == schema)
            .any(|t| t.constraints.contains_key(name) || t.triggers.contains_key(name))
    }
}
