//! The report's types: objects, kinds of difference, and what changed.

use std::collections::BTreeMap;

use serde::Serialize;

/// What sort of object a difference is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectType {
    /// The server itself (versions).
    Server,
    /// A schema.
    Schema,
    /// An extension.
    Extension,
    /// A table.
    Table,
    /// A column (`schema.table.column`).
    Column,
    /// A constraint (`schema.table.constraint`).
    Constraint,
    /// An index (`schema.table.index`).
    Index,
    /// A trigger (`schema.table.trigger`).
    Trigger,
    /// A row-level-security policy (`schema.table.policy`).
    Policy,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A sequence.
    Sequence,
    /// An enum type.
    Enum,
    /// A domain.
    Domain,
    /// A function or procedure (overloads together).
    Function,
}

impl ObjectType {
    /// Lower-case words for people.
    pub fn label(self) -> &'static str {
        match self {
            ObjectType::Server => "server",
            ObjectType::Schema => "schema",
            ObjectType::Extension => "extension",
            ObjectType::Table => "table",
            ObjectType::Column => "column",
            ObjectType::Constraint => "constraint",
            ObjectType::Index => "index",
            ObjectType::Trigger => "trigger",
            ObjectType::Policy => "policy",
            ObjectType::View => "view",
            ObjectType::MaterializedView => "materialized view",
            ObjectType::Sequence => "sequence",
            ObjectType::Enum => "enum",
            ObjectType::Domain => "domain",
            ObjectType::Function => "function",
        }
    }
}

/// One object: its type and its qualified name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Object {
    /// What it is.
    #[serde(rename = "type")]
    pub ty: ObjectType,
    /// Qualified name (`public.orders`, `public.orders.total`).
    pub name: String,
}

impl Object {
    /// An object of type `ty` called `name`.
    pub fn new(ty: ObjectType, name: impl Into<String>) -> Self {
        Self {
            ty,
            name: name.into(),
        }
    }
}

impl std::fmt::Display for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.ty.label(), self.name)
    }
}

/// The property that differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The object exists on one side only.
    Presence,
    /// Server major version.
    ServerMajor,
    /// Server full version (major and minor).
    ServerMinor,
    /// Extension version.
    ExtensionVersion,
    /// `PARTITION BY` key.
    PartitionKey,
    /// Partition parent and bound, or inheritance parents.
    Parent,
    /// Column data type.
    ColumnType,
    /// Column `NOT NULL`.
    Nullability,
    /// Column default.
    Default,
    /// Column collation.
    Collation,
    /// Identity column.
    Identity,
    /// Generated column expression.
    Generated,
    /// Constraint definition.
    ConstraintDefinition,
    /// Constraint validated (false: `NOT VALID`).
    Validated,
    /// Constraint `DEFERRABLE` / `INITIALLY DEFERRED`.
    Deferrable,
    /// Index definition (unique, method, keys, include, options).
    IndexDefinition,
    /// Partial index predicate.
    IndexPredicate,
    /// Index valid (false after a failed concurrent build).
    IndexValid,
    /// Trigger function and `UPDATE OF` columns.
    TriggerDefinition,
    /// Trigger enabled, disabled, replica or always.
    TriggerFiring,
    /// View query (compared between two servers; otherwise the columns it reads).
    ViewDefinition,
    /// View options (`security_barrier`, `check_option`, ...).
    ViewOptions,
    /// Sequence `INCREMENT BY`.
    SequenceIncrement,
    /// Sequence data type.
    SequenceType,
    /// Sequence `OWNED BY`.
    SequenceOwner,
    /// Enum labels and their order.
    EnumLabels,
    /// Domain base type.
    DomainType,
    /// Function body digest.
    FunctionBody,
    /// Row-level security enabled.
    RowSecurity,
    /// Policy definition.
    PolicyDefinition,
    /// `REPLICA IDENTITY`.
    ReplicaIdentity,
    /// Privileges granted.
    Grants,
    /// `COMMENT ON`.
    Comment,
}

impl Kind {
    /// Lower-case words for people.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Presence => "presence",
            Kind::ServerMajor => "server major version",
            Kind::ServerMinor => "server version",
            Kind::ExtensionVersion => "extension version",
            Kind::PartitionKey => "partition key",
            Kind::Parent => "parent",
            Kind::ColumnType => "type",
            Kind::Nullability => "not null",
            Kind::Default => "default",
            Kind::Collation => "collation",
            Kind::Identity => "identity",
            Kind::Generated => "generated",
            Kind::ConstraintDefinition => "definition",
            Kind::Validated => "validated",
            Kind::Deferrable => "deferrable",
            Kind::IndexDefinition => "definition",
            Kind::IndexPredicate => "predicate",
            Kind::IndexValid => "valid",
            Kind::TriggerDefinition => "definition",
            Kind::TriggerFiring => "firing",
            Kind::ViewDefinition => "definition",
            Kind::ViewOptions => "options",
            Kind::SequenceIncrement => "increment",
            Kind::SequenceType => "data type",
            Kind::SequenceOwner => "owned by",
            Kind::EnumLabels => "labels",
            Kind::DomainType => "base type",
            Kind::FunctionBody => "body",
            Kind::RowSecurity => "row level security",
            Kind::PolicyDefinition => "definition",
            Kind::ReplicaIdentity => "replica identity",
            Kind::Grants => "grants",
            Kind::Comment => "comment",
        }
    }
}

/// How a property differs between A and B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// Present in A, absent from B.
    OnlyInA,
    /// Present in B, absent from A.
    OnlyInB,
    /// Present in both with different values.
    Differs {
        /// A's value.
        a: String,
        /// B's value.
        b: String,
    },
}

/// One difference of one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The property.
    pub kind: Kind,
    /// What changed.
    #[serde(flatten)]
    pub change: Change,
}

/// Every difference between A and B, grouped by object (sorted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Object → its differences, in the order found (properties in a fixed order).
    pub objects: BTreeMap<Object, Vec<Difference>>,
}

impl Report {
    /// No difference at all?
    pub fn is_identical(&self) -> bool {
        self.objects.is_empty()
    }

    /// Number of differences.
    pub fn len(&self) -> usize {
        self.objects.values().map(Vec::len).sum()
    }

    /// No differences (same as [`Report::is_identical`]).
    pub fn is_empty(&self) -> bool {
        self.is_identical()
    }

    /// Record that `object` differs in `kind`.
    pub fn push(&mut self, object: Object, kind: Kind, change: Change) {
        self.objects
            .entry(object)
            .or_default()
            .push(Difference { kind, change });
    }

    /// Record `kind` of `object` when the values differ.
    pub fn differs(&mut self, object: &Object, kind: Kind, a: String, b: String) {
        if a != b {
            self.push(object.clone(), kind, Change::Differs { a, b });
        }
    }

    /// Does the report hold `kind` for the object called `name`?
    pub fn has(&self, name: &str, kind: Kind) -> bool {
        self.objects
            .iter()
            .any(|(o, ds)| o.name == name && ds.iter().any(|d| d.kind == kind))
    }
}
