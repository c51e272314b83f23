//! The normalized DDL that the rest of bellows matches on: a few closed enums instead of
//! sqlparser's whole AST. Names are case-folded and schema-qualified; types and expressions
//! are in canonical spelling.

pub use super::annotations::{
    CommentObject, Compression, GrantOn, ReplicaIdentity, SequenceChange, SequenceOptions, Storage,
};
pub use super::ddl_table::{
    ColumnDef, ConstraintDef, ConstraintKind, Deferral, Identity, KeyIndex, Parent, TableDef,
};
use super::directive::Directives;
use super::ident::QName;
use super::loc::Loc;

/// One statement of a change or schema file.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Where it starts.
    pub loc: Loc,
    /// Its text as written.
    pub text: String,
    /// Directives from the comments before it.
    pub directives: Directives,
    /// What it means.
    pub ddl: Ddl,
}

/// What a statement does.
#[derive(Debug, Clone, PartialEq)]
pub enum Ddl {
    /// `CREATE TABLE`.
    CreateTable(TableDef),
    /// `CREATE SCHEMA`.
    CreateSchema(String),
    /// `CREATE TYPE ... AS ENUM`.
    CreateEnum { name: QName, labels: Vec<String> },
    /// `CREATE DOMAIN`.
    CreateDomain { name: QName, base: String },
    /// `CREATE SEQUENCE`.
    CreateSequence {
        name: QName,
        /// `AS` and `INCREMENT BY`, when written.
        options: SequenceOptions,
    },
    /// `ALTER SEQUENCE [IF EXISTS] name` with changes bellows plans.
    AlterSequence {
        name: QName,
        changes: Vec<SequenceChange>,
        if_exists: bool,
    },
    /// `ALTER SEQUENCE ... OWNED BY table.column`.
    SequenceOwnedBy {
        sequence: QName,
        table: QName,
        column: String,
    },
    /// `CREATE FUNCTION` / `CREATE PROCEDURE`.
    CreateFunction {
        name: QName,
        /// The body, for SQL and PL/pgSQL.
        body: Option<String>,
        /// `OR REPLACE`: the body replaces the ones known (overloads are not told apart).
        replace: bool,
    },
    /// `CREATE TRIGGER`.
    CreateTrigger(TriggerDef),
    /// `CREATE [MATERIALIZED] VIEW`.
    CreateView(ViewDef),
    /// `CREATE INDEX`.
    CreateIndex(IndexDef),
    /// `CREATE POLICY`.
    CreatePolicy(super::policy::PolicyDef),
    /// `DROP POLICY [IF EXISTS] name ON table`.
    DropPolicy {
        name: String,
        table: QName,
        if_exists: bool,
    },
    /// `ALTER TABLE [IF EXISTS]` with one or more actions.
    AlterTable {
        table: QName,
        actions: Vec<AlterAction>,
        /// `IF EXISTS`: a missing table is not an error (pg_dump --clean --if-exists).
        if_exists: bool,
    },
    /// `DROP INDEX`.
    DropIndex {
        names: Vec<QName>,
        concurrently: bool,
        if_exists: bool,
        cascade: bool,
    },
    /// `DROP TABLE`.
    DropTable {
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    /// `DROP VIEW` / `DROP MATERIALIZED VIEW`.
    DropView {
        names: Vec<QName>,
        cascade: bool,
        if_exists: bool,
    },
    /// `REINDEX`.
    Reindex {
        target: ReindexTarget,
        name: QName,
        concurrently: bool,
    },
    /// `ALTER TYPE ... ADD VALUE`.
    AddEnumValue {
        name: QName,
        value: String,
        position: Option<String>,
        if_not_exists: bool,
    },
    /// `VACUUM FULL`.
    VacuumFull { table: Option<QName> },
    /// `CLUSTER`.
    Cluster { table: Option<QName> },
    /// `TRUNCATE`.
    Truncate { tables: Vec<QName> },
    /// `GRANT privileges ON [TABLE | SEQUENCE] names TO grantees` (`revoke`: `REVOKE ...
    /// FROM`). Grants on other objects and column grants are `Ignored`.
    Grant {
        /// Tables or sequences.
        on: GrantOn,
        /// The tables or sequences.
        tables: Vec<QName>,
        privileges: Vec<String>,
        grantees: Vec<String>,
        revoke: bool,
    },
    /// `DROP` of an object other than a table, index or view (a sequence, type, function,
    /// trigger, ...): kept so that a schema file (pg_dump's `--clean` preamble) is read
    /// whole; the planner does not plan it.
    DropObject {
        kind: DropKind,
        names: Vec<QName>,
        /// The table, for `DROP TRIGGER name ON table`.
        table: Option<QName>,
        if_exists: bool,
    },
    /// `ALTER INDEX parent ATTACH PARTITION child`: a partition's index joins the
    /// partitioned table's.
    AttachIndex { parent: QName, child: QName },
    /// `LOCK [TABLE] name [, ...] [IN mode MODE]` (ACCESS EXCLUSIVE when no mode is given).
    LockTable { tables: Vec<QName>, mode: TableLock },
    /// `COMMENT ON COLUMN table.column IS 'text'` (`None`: `IS NULL`).
    CommentOnColumn {
        table: QName,
        column: String,
        comment: Option<String>,
    },
    /// `ALTER INDEX idx ALTER [COLUMN] n SET STATISTICS target` (`None`: back to the
    /// default, `-1`). `column` counts from 1.
    IndexStatistics {
        index: QName,
        column: usize,
        target: Option<i32>,
    },
    /// `COMMENT ON TABLE | VIEW | MATERIALIZED VIEW | INDEX | SEQUENCE name` and `COMMENT ON
    /// CONSTRAINT name ON table` (`None`: `IS NULL`).
    CommentOn {
        object: CommentObject,
        comment: Option<String>,
    },
    /// `ALTER INDEX [IF EXISTS] name RENAME TO new`.
    RenameIndex {
        index: QName,
        to: String,
        if_exists: bool,
    },
    /// `ALTER TYPE name RENAME VALUE 'from' TO 'to'`.
    RenameEnumValue {
        name: QName,
        from: String,
        to: String,
    },
    /// `CREATE EXTENSION name [VERSION v]`: recorded by name (and version when written);
    /// the objects it installs are not modelled.
    CreateExtension {
        /// Extension name.
        name: String,
        /// `VERSION`, when written.
        version: Option<String>,
    },
    /// Statements that do not shape the catalog (SET, GRANT, COMMENT, OWNER TO, ...).
    Ignored { what: String },
    /// A data change or a query (INSERT, UPDATE, DELETE, SELECT): not a schema change.
    Data { what: String },
    /// DDL bellows does not model, with its kind.
    Unsupported { what: String },
    /// Could not be read; kept only when reading leniently (schema files).
    Skipped { what: String },
}

/// The kinds of object [`Ddl::DropObject`] drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropKind {
    /// `DROP SEQUENCE`.
    Sequence,
    /// `DROP TYPE`.
    Type,
    /// `DROP DOMAIN`.
    Domain,
    /// `DROP FUNCTION` / `DROP PROCEDURE`.
    Function,
    /// `DROP TRIGGER ... ON table`.
    Trigger,
    /// `DROP EXTENSION`.
    Extension,
    /// `DROP SCHEMA`.
    Schema,
    /// `DROP COLLATION`.
    Collation,
}

impl DropKind {
    /// The statement's keywords, `DROP SEQUENCE` etc.
    pub fn sql(self) -> &'static str {
        match self {
            DropKind::Sequence => "DROP SEQUENCE",
            DropKind::Type => "DROP TYPE",
            DropKind::Domain => "DROP DOMAIN",
            DropKind::Function => "DROP FUNCTION",
            DropKind::Trigger => "DROP TRIGGER",
            DropKind::Extension => "DROP EXTENSION",
            DropKind::Schema => "DROP SCHEMA",
            DropKind::Collation => "DROP COLLATION",
        }
    }
}

/// What `REINDEX` rebuilds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReindexTarget {
    /// One index.
    Index,
    /// Every index of a table.
    Table,
}

/// One action of `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq)]
pub enum AlterAction {
    /// `ADD COLUMN`.
    AddColumn {
        column: ColumnDef,
        if_not_exists: bool,
    },
    /// `DROP COLUMN`.
    DropColumn {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    /// `RENAME COLUMN a TO b`.
    RenameColumn { from: String, to: String },
    /// `RENAME TO b`.
    RenameTable { to: String },
    /// `ALTER COLUMN c TYPE t [USING e]`.
    SetType {
        column: String,
        ty: String,
        using: Option<String>,
    },
    /// `ALTER COLUMN c SET NOT NULL`.
    SetNotNull { column: String },
    /// `ALTER COLUMN c DROP NOT NULL`.
    DropNotNull { column: String },
    /// `ALTER COLUMN c SET DEFAULT e`.
    SetDefault { column: String, expr: String },
    /// `ALTER COLUMN c DROP DEFAULT`.
    DropDefault { column: String },
    /// `ALTER COLUMN c ADD GENERATED ... AS IDENTITY`.
    AddIdentity { column: String, kind: Identity },
    /// `ADD CONSTRAINT`.
    AddConstraint { def: ConstraintDef, not_valid: bool },
    /// `VALIDATE CONSTRAINT`.
    ValidateConstraint { name: String },
    /// `DROP CONSTRAINT`.
    DropConstraint {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    /// `ENABLE` / `DISABLE ROW LEVEL SECURITY`.
    RowSecurity { enable: bool },
    /// `SET LOGGED` (`logged`) or `SET UNLOGGED`: rewrites the table.
    SetLogged { logged: bool },
    /// `ATTACH PARTITION child bound`.
    AttachPartition { child: QName, bound: String },
    /// `DETACH PARTITION child [CONCURRENTLY | FINALIZE]`.
    DetachPartition { child: QName },
    /// `ALTER COLUMN c SET STATISTICS n` (`None`: back to the default, `-1`).
    SetStatistics { column: String, target: Option<i32> },
    /// `ALTER COLUMN c SET STORAGE s`.
    SetStorage { column: String, storage: Storage },
    /// `ALTER COLUMN c SET COMPRESSION m` (`None`: `DEFAULT`).
    SetCompression {
        column: String,
        method: Option<Compression>,
    },
    /// `REPLICA IDENTITY ...`.
    ReplicaIdentity(ReplicaIdentity),
    /// `RENAME CONSTRAINT a TO b`.
    RenameConstraint { from: String, to: String },
    /// Does not change the modelled catalog (OWNER TO, SET STATISTICS, ...).
    Ignored { what: String },
    /// Changes the table in a way bellows does not plan.
    Unsupported { what: String },
}

/// The mode of `LOCK TABLE`, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TableLock {
    /// `ACCESS SHARE`.
    AccessShare,
    /// `ROW SHARE`.
    RowShare,
    /// `ROW EXCLUSIVE`.
    RowExclusive,
    /// `SHARE UPDATE EXCLUSIVE`.
    ShareUpdateExclusive,
    /// `SHARE`.
    Share,
    /// `SHARE ROW EXCLUSIVE`.
    ShareRowExclusive,
    /// `EXCLUSIVE`.
    Exclusive,
    /// `ACCESS EXCLUSIVE` (the default).
    AccessExclusive,
}

/// `CREATE INDEX`.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDef {
    /// Index name (PostgreSQL chooses one when omitted).
    pub name: Option<String>,
    /// Table.
    pub table: QName,
    /// `UNIQUE`.
    pub unique: bool,
    /// Access method (`btree` when omitted).
    pub method: String,
    /// Key elements.
    pub keys: Vec<IndexKey>,
    /// `INCLUDE (...)` columns.
    pub include: Vec<String>,
    /// `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
    /// Storage parameters, `name=value` as `pg_class.reloptions` spells them.
    pub with: Vec<String>,
    /// `WHERE` predicate, normalized.
    pub predicate: Option<String>,
    /// `CONCURRENTLY`.
    pub concurrently: bool,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

/// One key of an index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct IndexKey {
    /// Normalized expression (a bare column is just its quoted-if-needed name).
    pub expr: String,
    /// The column, when the key is a plain column.
    pub column: Option<String>,
    /// `COLLATE` when it differs from the column's own collation, quoted (`"C"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// Non-default operator class.
    pub opclass: Option<String>,
    /// `DESC`.
    pub desc: bool,
    /// `NULLS FIRST` (true) / `NULLS LAST` (false) when written against the default.
    pub nulls_first: Option<bool>,
    /// Statistics target of this index column (`ALTER INDEX ... ALTER COLUMN n SET
    /// STATISTICS`; only expression keys have one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
}

/// `CREATE TRIGGER`.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerDef {
    /// Trigger name.
    pub name: String,
    /// Table it fires on.
    pub table: QName,
    /// Function it executes.
    pub function: QName,
    /// Columns of `UPDATE OF`.
    pub update_columns: Vec<String>,
}

/// `CREATE VIEW`.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewDef {
    /// View name.
    pub name: QName,
    /// `MATERIALIZED`.
    pub materialized: bool,
    /// Relations named in the query.
    pub relations: Vec<QName>,
    /// Column references: (qualifier if any, column).
    pub columns: Vec<(Option<String>, String)>,
    /// Aliases: alias → relation.
    pub aliases: Vec<(String, QName)>,
    /// Uses `*`.
    pub star: bool,
    /// The query's text.
    pub query: String,
    /// Options as `name=value` (see [`view_option`](super::view::view_option)), sorted.
    pub options: Vec<String>,
}
