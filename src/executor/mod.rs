//! Running a plan against a live PostgreSQL without downtime, resumably.
//!
//! [`run::run`] checks preconditions (server version, drift against the plan's
//! fingerprints, one executor per plan through an advisory lock), then carries out the
//! steps in order with a per-run [`context::RunCtx`]: DDL in short transactions with
//! `lock_timeout` and retries with backoff ([`ddl`]), batched backfills ([`backfill`]) and
//! verifications ([`verify`]) over the primary key (or page ranges, [`pages`]), gates that stop unless confirmed.
//! Progress lives in the `bellows` schema of the target database ([`state`]), whose texts
//! are the closed enums of [`lifecycle`] ([`StepState`], [`RunStatus`]); a re-run continues
//! where the last one stopped. Before a gate and before every irreversible contract step,
//! [`guard`] checks that what is about to be dropped has its copy (type, NOT NULL, sync
//! trigger, data) and no unplanned dependant, online and again inside the step's
//! transaction. Every session ends a stalled transaction on the server's side, and the
//! advisory-lock session is watched at every safe point ([`liveness`]). Everything that
//! happens is an [`events::Event`] on a channel; pause, resume and tuning arrive as
//! [`events::Command`]s on another. [`outcome`] says how
//! a run or rollback ended, in every wording. [`rollback::rollback`] undoes what
//! [`undo::Undo`] lists (completed steps newest first); [`status::status`] reports.

pub mod accept;
pub mod backfill;
pub mod context;
pub mod ddl;
pub mod doctor;
pub mod done;
pub mod error;
pub mod events;
pub mod guard;
pub mod keyset;
pub mod lifecycle;
pub mod liveness;
pub mod locks;
pub mod outcome;
pub mod pages;
pub mod release;
pub mod rollback;
pub mod run;
pub mod seed;
pub mod session;
pub mod settings;
pub mod shape;
pub mod state;
pub mod status;
pub mod trust;
pub mod undo;
pub mod verify;

pub use error::ExecError;
pub use events::{Blocker, Command, Event};
pub use lifecycle::{RunStatus, StepState};
pub use outcome::{Outcome, RollbackOutcome};
pub use run::run;
pub use settings::RunSettings;
