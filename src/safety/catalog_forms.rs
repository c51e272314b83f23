//! The claims of the catalog-only forms (comments, renames of indexes, constraints and enum
//! labels, replica identity, column statistics, storage and compression, privileges) and of
//! the forms a `-- bellows:raw` statement may take, one function per form for
//! [`super::forms::claim`]. Observed on PostgreSQL 15 by the lock-truth test: every one is
//! brief; what differs is the mode and where it is taken.

use super::lock::{Duration as D, LockClaim, LockMode as M};

fn c(mode: M, why: &'static str) -> LockClaim {
    LockClaim {
        mode,
        duration: D::Brief,
        transactional: true,
        why,
    }
}

/// `DdlForm::Comment`.
pub(super) fn comment() -> LockClaim {
    c(
        M::ShareUpdateExclusive,
        "a comment is catalog-only; COMMENT ON takes SHARE UPDATE EXCLUSIVE on the relation, so reads and writes go on",
    )
}

/// `DdlForm::CommentOnConstraint`.
pub(super) fn comment_on_constraint() -> LockClaim {
    c(
        M::AccessShare,
        "a comment is catalog-only; COMMENT ON CONSTRAINT takes only ACCESS SHARE on the table (and a lock on the constraint itself)",
    )
}

/// `DdlForm::RenameConstraint`.
pub(super) fn rename_constraint() -> LockClaim {
    c(
        M::AccessExclusive,
        "a catalog-only change (a key's index is renamed with it), but it takes ACCESS EXCLUSIVE on the table, and code that names the old constraint breaks",
    )
}

/// ALTER INDEX ... RENAME TO: on the index alone, SHARE UPDATE EXCLUSIVE since 12.
pub(super) fn rename_index(pg_version: u32) -> LockClaim {
    if pg_version >= 12 {
        c(
            M::ShareUpdateExclusive,
            "a catalog-only change; since PostgreSQL 12 renaming an index takes SHARE UPDATE EXCLUSIVE on the index alone, so reads and writes go on",
        )
    } else {
        c(
            M::AccessExclusive,
            "a catalog-only change, but before PostgreSQL 12 renaming an index takes ACCESS EXCLUSIVE on it",
        )
    }
}

/// `DdlForm::ReplicaIdentity`.
pub(super) fn replica_identity() -> LockClaim {
    c(
        M::AccessExclusive,
        "a catalog-only change, but it takes ACCESS EXCLUSIVE on the table (and SHARE on the index it names)",
    )
}

/// `DdlForm::SetStatistics`.
pub(super) fn set_statistics() -> LockClaim {
    c(
        M::ShareUpdateExclusive,
        "a catalog-only change that the next ANALYZE uses; reads and writes go on",
    )
}

/// `DdlForm::SetStorage`.
pub(super) fn set_storage() -> LockClaim {
    c(
        M::AccessExclusive,
        "a catalog-only change that applies to values written from now on; no row is rewritten",
    )
}

/// `DdlForm::SetCompression`.
pub(super) fn set_compression() -> LockClaim {
    c(
        M::AccessExclusive,
        "a catalog-only change that applies to values written from now on; no row is rewritten",
    )
}

/// `DdlForm::RenameEnumValue`.
pub(super) fn rename_enum_value() -> LockClaim {
    c(
        M::None,
        "changes only the type's label (a lock on the type, none on the tables that use it); stored values follow at once",
    )
}

/// `DdlForm::Grant`.
pub(super) fn grant() -> LockClaim {
    c(
        M::None,
        "changes only the table's access list: no lock on the table",
    )
}

/// `DdlForm::SetStorageParameters`.
pub(super) fn set_storage_parameters() -> LockClaim {
    c(
        M::ShareUpdateExclusive,
        "storage parameters such as autovacuum_* and fillfactor are catalog-only and take SHARE UPDATE EXCLUSIVE; reads and writes go on",
    )
}

/// `DdlForm::ClusterOn`.
pub(super) fn cluster_on() -> LockClaim {
    c(
        M::ShareUpdateExclusive,
        "only marks which index a later CLUSTER uses; no row moves",
    )
}

/// `DdlForm::CreateStatistics`.
pub(super) fn create_statistics() -> LockClaim {
    c(
        M::ShareUpdateExclusive,
        "defines extended statistics that the next ANALYZE fills; reads and writes go on",
    )
}

/// `DdlForm::SetColumnOptions`.
pub(super) fn set_column_options() -> LockClaim {
    c(
        M::ShareUpdateExclusive,
        "column options such as n_distinct are catalog-only and take SHARE UPDATE EXCLUSIVE",
    )
}

/// `DdlForm::OwnerTo`.
pub(super) fn owner_to() -> LockClaim {
    c(
        M::AccessExclusive,
        "a catalog-only change, but it takes ACCESS EXCLUSIVE on the table and each of its indexes",
    )
}

/// `DdlForm::AlterSequence`: on the sequence, which `nextval()` locks ROW EXCLUSIVE, so
/// inserts that draw from it wait for the instant it is held.
pub(super) fn alter_sequence() -> LockClaim {
    c(
        M::ShareRowExclusive,
        "a catalog-only change to the sequence; it takes SHARE ROW EXCLUSIVE on the sequence, so inserts that call nextval() on it wait for that instant",
    )
}

#[cfg(test)]
mod tests {
    use crate::safety::{DdlForm, LockMode, claim, zero_downtime_ok};

    #[test]
    fn every_catalog_only_form_is_brief_and_index_renames_got_lighter_in_12() {
        for f in [
            DdlForm::Comment,
            DdlForm::RenameConstraint,
            DdlForm::ReplicaIdentity,
            DdlForm::SetStorage,
            DdlForm::Grant,
            DdlForm::OwnerTo,
        ] {
            let c = claim(f, 15);
            assert!(zero_downtime_ok(c.mode, c.duration), "{f:?}");
        }
        assert_eq!(
            claim(DdlForm::RenameIndex, 12).mode,
            LockMode::ShareUpdateExclusive
        );
        assert_eq!(
            claim(DdlForm::RenameIndex, 11).mode,
            LockMode::AccessExclusive
        );
    }
}
