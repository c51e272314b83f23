//! Settings that shape a plan: the target server version, whether blocking steps are
//! allowed, the initial backfill batch settings.

use crate::plan::BatchSettings;

/// Settings that shape a plan.
#[derive(Debug, Clone)]
pub struct Options {
    /// Server major version to plan for (from the live database, else 15).
    pub pg_version: u32,
    /// Plan statements that have no online path as blocking steps instead of refusing.
    pub allow_blocking: bool,
    /// Initial backfill batch settings.
    pub batch: BatchSettings,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            pg_version: 15,
            allow_blocking: false,
            batch: BatchSettings::default(),
        }
    }
}
