//! The claims of the catalog-only forms (comments, renames of indexes, constraints and enum
//! labels, replica identity, column statistics, storage and compression, privileges) and of
//! the forms a `-- bellows:raw` statement may take. Observed on PostgreSQL 15 by the
//! lock-truth test: every one is brief; what differs is the mode and where it is taken.

use super::forms::DdlForm;
use super::lock::{Duration as D, LockClaim, LockMode as M};

/// What `form` takes on PostgreSQL `pg_version`; only for the forms of this module.
pub(super) fn claim(form: DdlForm, pg_version: u32) -> LockClaim {
    use DdlForm as F;
    let c = |mode, why| LockClaim {
        mode,
        duration: D::Brief,
        transactional: true,
        why,
    };
    match form {
        F::Comment => c(
            M::ShareUpdateExclusive,
            "a comment is catalog-only; COMMENT ON takes SHARE UPDATE EXCLUSIVE on the relation, so reads and writes go on",
        ),
        F::CommentOnConstraint => c(
            M::AccessShare,
            "a comment is catalog-only; COMMENT ON CONSTRAINT takes only ACCESS SHARE on the table (and a lock on the constraint itself)",
        ),
        F::RenameConstraint => c(
            M::AccessExclusive,
            "a catalog-only change (a key's index is renamed with it), but it takes ACCESS EXCLUSIVE on the table, and code that names the old constraint breaks",
        ),
        F::RenameIndex if pg_version >= 12 => c(
            M::ShareUpdateExclusive,
            "a catalog-only change; since PostgreSQL 12 renaming an index takes SHARE UPDATE EXCLUSIVE on the index alone, so reads and writes go on",
        ),
        F::RenameIndex => c(
            M::AccessExclusive,
            "a catalog-only change, but before PostgreSQL 12 renaming an index takes ACCESS EXCLUSIVE on it",
        ),
        F::ReplicaIdentity => c(
            M::AccessExclusive,
            "a catalog-only change, but it takes ACCESS EXCLUSIVE on the table (and SHARE on the index it names)",
        ),
        F::SetStatistics => c(
            M::ShareUpdateExclusive,
            "a catalog-only change that the next ANALYZE uses; reads and writes go on",
        ),
        F::SetStorage => c(
            M::AccessExclusive,
            "a catalog-only change that applies to values written from now on; no row is rewritten",
        ),
        F::SetCompression => c(
            M::AccessExclusive,
            "a catalog-only change that applies to values written from now on; no row is rewritten",
        ),
        F::RenameEnumValue => c(
            M::None,
            "changes only the type's label (a lock on the type, none on the tables that use it); stored values follow at once",
        ),
        F::Grant => c(
            M::None,
            "changes only the table's access list: no lock on the table",
        ),
        F::SetStorageParameters => c(
            M::ShareUpdateExclusive,
            "storage parameters such as autovacuum_* and fillfactor are catalog-only and take SHARE UPDATE EXCLUSIVE; reads and writes go on",
        ),
        F::ClusterOn => c(
            M::ShareUpdateExclusive,
            "only marks which index a later CLUSTER uses; no row moves",
        ),
        F::CreateStatistics => c(
            M::ShareUpdateExclusive,
            "defines extended statistics that the next ANALYZE fills; reads and writes go on",
        ),
        F::SetColumnOptions => c(
            M::ShareUpdateExclusive,
            "column options such as n_distinct are catalog-only and take SHARE UPDATE EXCLUSIVE",
        ),
        F::OwnerTo => c(
            M::AccessExclusive,
            "a catalog-only change, but it takes ACCESS EXCLUSIVE on the table and each of its indexes",
        ),
        other => unreachable_form(other),
    }
}

/// The caller routes only this module's forms here; anything else is claimed as the
/// strongest lock, so a routing mistake can only make a plan more careful.
fn unreachable_form(_: DdlForm) -> LockClaim {
    LockClaim {
        mode: M::AccessExclusive,
        duration: D::Rewrite,
        transactional: true,
        why: "no claim for this form",
    }
}
