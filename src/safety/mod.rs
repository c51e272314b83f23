//! The one knowledge base of what each DDL form locks and for how long, per PostgreSQL
//! version: [`DdlForm`] names a form, [`claim`] says what it takes ([`LockClaim`]: a
//! [`LockMode`] and a [`Duration`]), and [`zero_downtime_ok`] is the rule every plan keeps.
//! The planner labels steps from here; the linter builds its rules on it. Each claim is
//! checked against a real server by the lock-truth tests.

mod catalog_forms;
pub mod coercion;
pub mod forms;
pub mod lock;

pub use coercion::binary_coercible;
pub use forms::{DdlForm, claim};
pub use lock::{Duration, LockClaim, LockMode};

/// The form a `-- bellows:raw` statement of kind `f` is claimed as.
pub fn raw_form(f: crate::sql::raw::RawForm) -> DdlForm {
    use crate::sql::raw::RawForm as R;
    match f {
        R::StorageParameters => DdlForm::SetStorageParameters,
        R::ClusterOn => DdlForm::ClusterOn,
        R::CreateStatistics => DdlForm::CreateStatistics,
        R::ColumnOptions => DdlForm::SetColumnOptions,
        R::OwnerTo => DdlForm::OwnerTo,
    }
}

/// The zero-downtime rule: on a table that already exists, nothing that blocks reads or
/// writes (SHARE or stronger) may be held for longer than `brief`.
pub fn zero_downtime_ok(mode: LockMode, duration: Duration) -> bool {
    !(mode >= LockMode::Share && duration > Duration::Brief)
}
