//! Every DDL form bellows knows, and what PostgreSQL takes to run it.

use serde::{Deserialize, Serialize};

use super::catalog_forms as cf;
use super::lock::{Duration as D, LockClaim, LockMode as M};

/// A statement form, fine-grained enough that each has one lock behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DdlForm {
    /// CREATE TABLE.
    CreateTable,
    /// ADD COLUMN, nullable, no default.
    AddColumnNullable,
    /// ADD COLUMN with a constant or stable default.
    AddColumnConstantDefault,
    /// ADD COLUMN with a volatile default.
    AddColumnVolatileDefault,
    /// ADD COLUMN serial / identity.
    AddColumnSerialOrIdentity,
    /// ADD COLUMN ... GENERATED ALWAYS AS (...) STORED.
    AddColumnGeneratedStored,
    /// ADD COLUMN NOT NULL without a default.
    AddColumnNotNullNoDefault,
    /// DROP COLUMN.
    DropColumn,
    /// RENAME COLUMN.
    RenameColumn,
    /// RENAME TO (table).
    RenameTable,
    /// ALTER COLUMN TYPE that needs no rewrite.
    AlterTypeCoercible,
    /// ALTER COLUMN TYPE that rewrites.
    AlterTypeRewrite,
    /// SET NOT NULL, no proof.
    SetNotNull,
    /// SET NOT NULL with a validated CHECK (col IS NOT NULL).
    SetNotNullProven,
    /// DROP NOT NULL.
    DropNotNull,
    /// SET DEFAULT / DROP DEFAULT.
    SetDefault,
    /// ADD CONSTRAINT ... CHECK, validated.
    AddCheck,
    /// ADD CONSTRAINT ... CHECK ... NOT VALID.
    AddCheckNotValid,
    /// ADD FOREIGN KEY, validated.
    AddForeignKey,
    /// ADD FOREIGN KEY ... NOT VALID.
    AddForeignKeyNotValid,
    /// VALIDATE CONSTRAINT.
    ValidateConstraint,
    /// ADD UNIQUE / PRIMARY KEY that builds its index.
    AddUniqueOrPrimaryKey,
    /// ADD ... USING INDEX.
    AddConstraintUsingIndex,
    /// ADD EXCLUDE.
    AddExclude,
    /// DROP CONSTRAINT.
    DropConstraint,
    /// CREATE INDEX.
    CreateIndex,
    /// CREATE INDEX CONCURRENTLY.
    CreateIndexConcurrently,
    /// ADD FOREIGN KEY on a partitioned table whose partitions all have it, validated:
    /// PostgreSQL attaches theirs instead of checking rows.
    AddForeignKeyAttaching,
    /// CREATE INDEX ... ON ONLY a partitioned table (its own index, no rows read).
    CreateIndexOnOnly,
    /// ALTER INDEX ... ATTACH PARTITION (a partition's index joins its parent's).
    AttachPartitionIndex,
    /// DROP INDEX.
    DropIndex,
    /// DROP INDEX CONCURRENTLY.
    DropIndexConcurrently,
    /// REINDEX.
    Reindex,
    /// REINDEX CONCURRENTLY.
    ReindexConcurrently,
    /// CREATE TRIGGER (and CREATE FUNCTION before it).
    CreateTrigger,
    /// DROP TRIGGER.
    DropTrigger,
    /// ALTER TYPE ... ADD VALUE.
    AddEnumValue,
    /// ADD GENERATED ... AS IDENTITY on an existing NOT NULL column.
    AddIdentity,
    /// CREATE VIEW / CREATE OR REPLACE VIEW / DROP VIEW.
    View,
    /// CREATE MATERIALIZED VIEW (then REFRESH and indexes on it): reads every row of the
    /// tables it reads.
    CreateMaterializedView,
    /// DROP MATERIALIZED VIEW.
    DropMaterializedView,
    /// TRUNCATE.
    Truncate,
    /// DROP TABLE.
    DropTable,
    /// VACUUM FULL.
    VacuumFull,
    /// CLUSTER.
    Cluster,
    /// ALTER TABLE ... SET LOGGED / SET UNLOGGED.
    SetLogged,
    /// LOCK TABLE ... IN SHARE MODE.
    LockTableShare,
    /// LOCK TABLE ... IN SHARE ROW EXCLUSIVE MODE.
    LockTableShareRowExclusive,
    /// LOCK TABLE ... IN EXCLUSIVE MODE.
    LockTableExclusive,
    /// LOCK TABLE ... [IN ACCESS EXCLUSIVE MODE].
    LockTableAccessExclusive,
    /// COMMENT ON a table, column, index, view or sequence.
    Comment,
    /// COMMENT ON CONSTRAINT ... ON table.
    CommentOnConstraint,
    /// ALTER TABLE ... RENAME CONSTRAINT.
    RenameConstraint,
    /// ALTER INDEX ... RENAME TO.
    RenameIndex,
    /// ALTER TABLE ... REPLICA IDENTITY.
    ReplicaIdentity,
    /// ALTER TABLE ... ALTER COLUMN ... SET STATISTICS (and ALTER INDEX ... SET STATISTICS).
    SetStatistics,
    /// ALTER TABLE ... ALTER COLUMN ... SET STORAGE.
    SetStorage,
    /// ALTER TABLE ... ALTER COLUMN ... SET COMPRESSION.
    SetCompression,
    /// ALTER TYPE ... RENAME VALUE.
    RenameEnumValue,
    /// GRANT / REVOKE on a table.
    Grant,
    /// ALTER TABLE ... SET / RESET (storage parameters such as autovacuum_*, fillfactor).
    SetStorageParameters,
    /// ALTER TABLE ... CLUSTER ON / SET WITHOUT CLUSTER.
    ClusterOn,
    /// CREATE STATISTICS.
    CreateStatistics,
    /// ALTER TABLE ... ALTER COLUMN ... SET / RESET (n_distinct, ...).
    SetColumnOptions,
    /// ALTER TABLE ... OWNER TO.
    OwnerTo,
    /// ALTER SEQUENCE (INCREMENT, AS, RESTART, OWNED BY).
    AlterSequence,
    /// A batched UPDATE of a key range (backfill).
    BatchUpdate,
    /// A batched DELETE of a key range (a data fix-up).
    BatchDelete,
    /// A read-only check (verification).
    Read,
    /// Nothing runs (gates).
    Nothing,
}

impl DdlForm {
    /// Every form, for exhaustive tests and documentation.
    pub const ALL: &'static [DdlForm] = &[
        DdlForm::CreateTable,
        DdlForm::AddColumnNullable,
        DdlForm::AddColumnConstantDefault,
        DdlForm::AddColumnVolatileDefault,
        DdlForm::AddColumnSerialOrIdentity,
        DdlForm::AddColumnGeneratedStored,
        DdlForm::AddColumnNotNullNoDefault,
        DdlForm::DropColumn,
        DdlForm::RenameColumn,
        DdlForm::RenameTable,
        DdlForm::AlterTypeCoercible,
        DdlForm::AlterTypeRewrite,
        DdlForm::SetNotNull,
        DdlForm::SetNotNullProven,
        DdlForm::DropNotNull,
        DdlForm::SetDefault,
        DdlForm::AddCheck,
        DdlForm::AddCheckNotValid,
        DdlForm::AddForeignKey,
        DdlForm::AddForeignKeyNotValid,
        DdlForm::ValidateConstraint,
        DdlForm::AddUniqueOrPrimaryKey,
        DdlForm::AddConstraintUsingIndex,
        DdlForm::AddExclude,
        DdlForm::DropConstraint,
        DdlForm::CreateIndex,
        DdlForm::CreateIndexConcurrently,
        DdlForm::CreateIndexOnOnly,
        DdlForm::AttachPartitionIndex,
        DdlForm::AddForeignKeyAttaching,
        DdlForm::DropIndex,
        DdlForm::DropIndexConcurrently,
        DdlForm::Reindex,
        DdlForm::ReindexConcurrently,
        DdlForm::CreateTrigger,
        DdlForm::DropTrigger,
        DdlForm::AddEnumValue,
        DdlForm::AddIdentity,
        DdlForm::View,
        DdlForm::CreateMaterializedView,
        DdlForm::DropMaterializedView,
        DdlForm::Truncate,
        DdlForm::DropTable,
        DdlForm::VacuumFull,
        DdlForm::Cluster,
        DdlForm::SetLogged,
        DdlForm::LockTableShare,
        DdlForm::LockTableShareRowExclusive,
        DdlForm::LockTableExclusive,
        DdlForm::LockTableAccessExclusive,
        DdlForm::Comment,
        DdlForm::CommentOnConstraint,
        DdlForm::RenameConstraint,
        DdlForm::RenameIndex,
        DdlForm::ReplicaIdentity,
        DdlForm::SetStatistics,
        DdlForm::SetStorage,
        DdlForm::SetCompression,
        DdlForm::RenameEnumValue,
        DdlForm::Grant,
        DdlForm::SetStorageParameters,
        DdlForm::ClusterOn,
        DdlForm::CreateStatistics,
        DdlForm::SetColumnOptions,
        DdlForm::OwnerTo,
        DdlForm::AlterSequence,
        DdlForm::BatchUpdate,
        DdlForm::BatchDelete,
        DdlForm::Read,
        DdlForm::Nothing,
    ];
}

/// What `form` takes on PostgreSQL `pg_version` (major).
pub fn claim(form: DdlForm, pg_version: u32) -> LockClaim {
    use DdlForm as F;
    let c = |mode, duration, why| LockClaim {
        mode,
        duration,
        transactional: true,
        why,
    };
    let nc = |mode, duration, why| LockClaim {
        mode,
        duration,
        transactional: false,
        why,
    };
    match form {
        F::CreateTable => c(
            M::None,
            D::None,
            "creates a new, empty table: nothing else waits on it",
        ),
        F::AddColumnNullable => c(
            M::AccessExclusive,
            D::Brief,
            "a nullable column without a default is a catalog-only change",
        ),
        F::AddColumnConstantDefault if pg_version >= 11 => c(
            M::AccessExclusive,
            D::Brief,
            "since PostgreSQL 11 a constant default is stored in the catalog, not written to every row",
        ),
        F::AddColumnConstantDefault => c(
            M::AccessExclusive,
            D::Rewrite,
            "before PostgreSQL 11 a default is written into every row",
        ),
        F::AddColumnVolatileDefault => c(
            M::AccessExclusive,
            D::Rewrite,
            "a volatile default is computed for every existing row, rewriting the table",
        ),
        F::AddColumnSerialOrIdentity => c(
            M::AccessExclusive,
            D::Rewrite,
            "serial and identity columns fill every existing row from a sequence, rewriting the table",
        ),
        F::AddColumnGeneratedStored => c(
            M::AccessExclusive,
            D::Rewrite,
            "a stored generated column is computed for every row, rewriting the table",
        ),
        F::AddColumnNotNullNoDefault => c(
            M::AccessExclusive,
            D::Scan,
            "fails on a table with rows; on an empty one it is brief",
        ),
        F::DropColumn => c(
            M::AccessExclusive,
            D::Brief,
            "the column is only marked dropped; space is reclaimed by later writes",
        ),
        F::RenameColumn => c(
            M::AccessExclusive,
            D::Brief,
            "a catalog-only change, but running code that uses the old name breaks",
        ),
        F::RenameTable => c(
            M::AccessExclusive,
            D::Brief,
            "a catalog-only change, but running code that uses the old name breaks",
        ),
        F::AlterTypeCoercible => c(
            M::AccessExclusive,
            D::Brief,
            "the stored bytes stay valid for the new type, so no row is rewritten",
        ),
        F::AlterTypeRewrite => c(
            M::AccessExclusive,
            D::Rewrite,
            "every row is converted and the table and its indexes rewritten",
        ),
        F::SetNotNull if pg_version >= 12 => c(
            M::AccessExclusive,
            D::Scan,
            "PostgreSQL reads every row to prove there is no NULL",
        ),
        F::SetNotNull => c(
            M::AccessExclusive,
            D::Scan,
            "PostgreSQL reads every row to prove there is no NULL",
        ),
        F::SetNotNullProven if pg_version >= 12 => c(
            M::AccessExclusive,
            D::Brief,
            "a validated CHECK (col IS NOT NULL) proves the column has no NULL, so nothing is scanned",
        ),
        F::SetNotNullProven => c(
            M::AccessExclusive,
            D::Scan,
            "before PostgreSQL 12 a CHECK constraint does not spare the scan",
        ),
        F::DropNotNull => c(M::AccessExclusive, D::Brief, "a catalog-only change"),
        F::SetDefault => c(
            M::AccessExclusive,
            D::Brief,
            "a catalog-only change that affects new rows only",
        ),
        F::AddCheck => c(
            M::AccessExclusive,
            D::Scan,
            "every row is checked while reads and writes wait",
        ),
        F::AddCheckNotValid => c(
            M::AccessExclusive,
            D::Brief,
            "NOT VALID skips checking existing rows; new writes are checked at once",
        ),
        F::AddForeignKey => c(
            M::ShareRowExclusive,
            D::Scan,
            "every row is checked against the referenced table while writes to both wait",
        ),
        F::AddForeignKeyNotValid => c(
            M::ShareRowExclusive,
            D::Brief,
            "NOT VALID skips checking existing rows; new writes are checked at once",
        ),
        F::ValidateConstraint => c(
            M::ShareUpdateExclusive,
            D::Scan,
            "validation reads every row but lets reads and writes continue",
        ),
        F::AddUniqueOrPrimaryKey => c(
            M::AccessExclusive,
            D::Build,
            "builds the index while reads and writes wait",
        ),
        F::AddConstraintUsingIndex => c(
            M::AccessExclusive,
            D::Brief,
            "the index already exists and is valid, so only the catalog changes",
        ),
        F::AddExclude => c(
            M::AccessExclusive,
            D::Build,
            "builds the exclusion index while reads and writes wait; there is no online alternative",
        ),
        F::DropConstraint => c(M::AccessExclusive, D::Brief, "a catalog-only change"),
        F::CreateIndex => c(M::Share, D::Build, "builds the index while writes wait"),
        F::CreateIndexConcurrently => nc(
            M::ShareUpdateExclusive,
            D::Build,
            "builds the index in two passes while reads and writes continue",
        ),
        F::AddForeignKeyAttaching => c(
            M::ShareRowExclusive,
            D::Brief,
            "every partition already has the same foreign key, validated, so PostgreSQL attaches those instead of checking rows",
        ),
        F::CreateIndexOnOnly => c(
            M::Share,
            D::Brief,
            "creates the partitioned table's own index, which holds no rows: brief once granted, but writes wait for it",
        ),
        F::AttachPartitionIndex => c(
            M::AccessShare,
            D::Brief,
            "a catalog-only change once the partition's index is built: the tables are only read-locked (the partition's index is locked ACCESS EXCLUSIVE, the parent's index SHARE UPDATE EXCLUSIVE)",
        ),
        F::DropIndex => c(
            M::AccessExclusive,
            D::Brief,
            "brief once granted, but queues every query behind it while it waits",
        ),
        F::DropIndexConcurrently => nc(
            M::ShareUpdateExclusive,
            D::Brief,
            "waits for running transactions instead of blocking new ones",
        ),
        F::Reindex => c(
            M::Share,
            D::Build,
            "rebuilds while writes wait (and reads that would use the index)",
        ),
        F::ReindexConcurrently if pg_version >= 12 => nc(
            M::ShareUpdateExclusive,
            D::Build,
            "rebuilds beside the old index while reads and writes continue",
        ),
        F::ReindexConcurrently => c(
            M::Share,
            D::Build,
            "REINDEX CONCURRENTLY needs PostgreSQL 12",
        ),
        F::CreateTrigger => c(
            M::ShareRowExclusive,
            D::Brief,
            "a catalog-only change, but it waits for writers",
        ),
        F::DropTrigger => c(M::AccessExclusive, D::Brief, "a catalog-only change"),
        F::AddEnumValue if pg_version < 12 => nc(
            M::None,
            D::Brief,
            "changes only the type; before PostgreSQL 12 it cannot run inside a transaction block",
        ),
        F::AddEnumValue => c(
            M::None,
            D::Brief,
            "changes only the type; the new value is usable after commit",
        ),
        F::AddIdentity => c(
            M::AccessExclusive,
            D::Brief,
            "attaches a sequence to a NOT NULL column; no row changes",
        ),
        F::View => c(
            M::AccessExclusive,
            D::Brief,
            "views hold no data; the lock is on the view alone, for an instant",
        ),
        F::CreateMaterializedView => c(
            M::AccessShare,
            D::Scan,
            "reads every row of the tables it reads, as a SELECT does: only ACCESS EXCLUSIVE waits for it",
        ),
        F::DropMaterializedView => c(
            M::AccessExclusive,
            D::Brief,
            "removes the materialized view, its data and its indexes; the tables it reads are not locked",
        ),
        F::Truncate => c(M::AccessExclusive, D::Brief, "removes every row at once"),
        F::DropTable => c(
            M::AccessExclusive,
            D::Brief,
            "removes the table and its data",
        ),
        F::VacuumFull => nc(
            M::AccessExclusive,
            D::Rewrite,
            "rewrites the whole table while reads and writes wait; no online equivalent in core PostgreSQL",
        ),
        F::Cluster => c(
            M::AccessExclusive,
            D::Rewrite,
            "rewrites the whole table in index order while reads and writes wait",
        ),
        F::SetLogged => c(
            M::AccessExclusive,
            D::Rewrite,
            "rewrites the whole table (and, for SET LOGGED, writes all of it to the WAL) while reads and writes wait",
        ),
        F::LockTableShare => c(
            M::Share,
            D::Brief,
            "takes SHARE and keeps it until the transaction ends: writes wait for every statement after it in the same transaction",
        ),
        F::LockTableShareRowExclusive => c(
            M::ShareRowExclusive,
            D::Brief,
            "takes SHARE ROW EXCLUSIVE and keeps it until the transaction ends: writes wait for every statement after it in the same transaction",
        ),
        F::LockTableExclusive => c(
            M::Exclusive,
            D::Brief,
            "takes EXCLUSIVE and keeps it until the transaction ends: writes (and SELECT FOR UPDATE) wait for every statement after it in the same transaction",
        ),
        F::LockTableAccessExclusive => c(
            M::AccessExclusive,
            D::Brief,
            "takes ACCESS EXCLUSIVE and keeps it until the transaction ends: reads and writes wait for every statement after it in the same transaction",
        ),
        F::Comment => cf::comment(),
        F::CommentOnConstraint => cf::comment_on_constraint(),
        F::RenameConstraint => cf::rename_constraint(),
        F::RenameIndex => cf::rename_index(pg_version),
        F::ReplicaIdentity => cf::replica_identity(),
        F::SetStatistics => cf::set_statistics(),
        F::SetStorage => cf::set_storage(),
        F::SetCompression => cf::set_compression(),
        F::RenameEnumValue => cf::rename_enum_value(),
        F::Grant => cf::grant(),
        F::SetStorageParameters => cf::set_storage_parameters(),
        F::ClusterOn => cf::cluster_on(),
        F::CreateStatistics => cf::create_statistics(),
        F::SetColumnOptions => cf::set_column_options(),
        F::OwnerTo => cf::owner_to(),
        F::AlterSequence => cf::alter_sequence(),
        F::BatchUpdate => c(
            M::RowExclusive,
            D::Brief,
            "each batch locks only the rows it updates, for one short transaction",
        ),
        F::BatchDelete => c(
            M::RowExclusive,
            D::Brief,
            "each batch locks only the rows it deletes (and, through foreign keys, the rows that reference them), for one short transaction",
        ),
        F::Read => c(
            M::AccessShare,
            D::Scan,
            "reads only; conflicts with nothing but ACCESS EXCLUSIVE",
        ),
        F::Nothing => c(M::None, D::None, "runs nothing"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_replacements_keep_the_rule() {
        for f in [
            DdlForm::AddCheckNotValid,
            DdlForm::ValidateConstraint,
            DdlForm::CreateIndexConcurrently,
            DdlForm::AddConstraintUsingIndex,
            DdlForm::SetNotNullProven,
            DdlForm::AddForeignKeyNotValid,
            DdlForm::BatchUpdate,
            DdlForm::BatchDelete,
        ] {
            let c = claim(f, 15);
            assert!(crate::safety::zero_downtime_ok(c.mode, c.duration), "{f:?}");
        }
        for f in [
            DdlForm::CreateIndex,
            DdlForm::AddCheck,
            DdlForm::AlterTypeRewrite,
            DdlForm::SetNotNull,
        ] {
            let c = claim(f, 15);
            assert!(
                !crate::safety::zero_downtime_ok(c.mode, c.duration),
                "{f:?}"
            );
        }
        assert!(!claim(DdlForm::CreateIndexConcurrently, 15).transactional);
    }
}
