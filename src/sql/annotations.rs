//! The values of catalog-only statements that the catalog keeps: what a comment is on, a
//! table's replica identity, a column's storage strategy and compression method, and a
//! sequence's options.

use super::ident::QName;

/// What a [`Ddl::CommentOn`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentObject {
    /// A table.
    Table(QName),
    /// A view or materialized view (`materialized`).
    View { name: QName, materialized: bool },
    /// An index.
    Index(QName),
    /// A sequence.
    Sequence(QName),
    /// A constraint of a table.
    Constraint { table: QName, name: String },
}

/// `REPLICA IDENTITY` of a table: which old values logical decoding writes for UPDATE and
/// DELETE.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(tag = "kind", content = "index", rename_all = "snake_case")]
pub enum ReplicaIdentity {
    /// The primary key (the default).
    #[default]
    Default,
    /// Every column.
    Full,
    /// None.
    Nothing,
    /// The columns of this unique index.
    Index(String),
}

impl ReplicaIdentity {
    /// The default (the primary key).
    pub fn is_default(&self) -> bool {
        *self == ReplicaIdentity::Default
    }

    /// The clause after `REPLICA IDENTITY`, identifiers quoted.
    pub fn sql(&self) -> String {
        match self {
            ReplicaIdentity::Default => "DEFAULT".into(),
            ReplicaIdentity::Full => "FULL".into(),
            ReplicaIdentity::Nothing => "NOTHING".into(),
            ReplicaIdentity::Index(i) => format!("USING INDEX {}", super::ident::quote_ident(i)),
        }
    }
}

/// A column's `STORAGE` strategy.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Storage {
    /// Inline, uncompressed.
    Plain,
    /// Out of line, uncompressed.
    External,
    /// Out of line and compressed.
    Extended,
    /// Inline and compressed, out of line only as a last resort.
    Main,
}

impl Storage {
    /// SQL keyword.
    pub fn sql(self) -> &'static str {
        match self {
            Storage::Plain => "PLAIN",
            Storage::External => "EXTERNAL",
            Storage::Extended => "EXTENDED",
            Storage::Main => "MAIN",
        }
    }

    /// From the keyword (any case) or `pg_attribute.attstorage`'s letter.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "plain" | "p" => Storage::Plain,
            "external" | "e" => Storage::External,
            "extended" | "x" => Storage::Extended,
            "main" | "m" => Storage::Main,
            _ => return None,
        })
    }
}

/// A column's `COMPRESSION` method (PostgreSQL 14+).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    /// `pglz`.
    Pglz,
    /// `lz4`.
    Lz4,
}

impl Compression {
    /// SQL spelling.
    pub fn sql(self) -> &'static str {
        match self {
            Compression::Pglz => "pglz",
            Compression::Lz4 => "lz4",
        }
    }

    /// From the name (any case) or `pg_attribute.attcompression`'s letter.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "pglz" | "p" => Compression::Pglz,
            "lz4" | "l" => Compression::Lz4,
            _ => return None,
        })
    }
}

/// Options of `CREATE SEQUENCE` the catalog keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SequenceOptions {
    /// `INCREMENT [BY] n`, when not 1.
    pub increment: Option<i64>,
    /// `AS type` (`smallint`, `integer`), when not `bigint`.
    pub data_type: Option<String>,
}

/// One change of `ALTER SEQUENCE` that bellows plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SequenceChange {
    /// `INCREMENT [BY] n`.
    Increment(i64),
    /// `AS smallint | integer | bigint`.
    As(String),
    /// `RESTART [[WITH] n]`.
    Restart(Option<i64>),
    /// `OWNED BY NONE`.
    OwnedByNone,
}

/// `bigint` is a sequence's default type: kept as `None`.
pub fn sequence_type(ty: &str) -> Option<String> {
    (ty != "bigint").then(|| ty.to_string())
}

/// What a `GRANT` / `REVOKE` is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantOn {
    /// Tables (views are not modelled).
    Table,
    /// Sequences.
    Sequence,
}

impl GrantOn {
    /// The keyword after `ON`.
    pub fn sql(self) -> &'static str {
        match self {
            GrantOn::Table => "TABLE",
            GrantOn::Sequence => "SEQUENCE",
        }
    }
}
