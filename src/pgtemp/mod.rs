//! Throwaway local PostgreSQL clusters for tests, the demo command and rehearsals.
//!
//! [`TempCluster::start`] finds the server binaries (see [`find_bin_dir`]), runs
//! `initdb` into a fresh directory under [`std::env::temp_dir`], starts the server
//! with durability switched off (it is disposable) and waits until it accepts
//! connections. The server listens on loopback only: TCP on `127.0.0.1` with a free
//! port by default, or just a Unix socket (see [`Listen`]). Dropping the cluster
//! stops the server and deletes the directory unless it was asked to be kept
//! ([`TempClusterBuilder::keep`], or `BELLOWS_PGTEMP_KEEP=1`).
//!
//! `initdb` and `pg_ctl` refuse to run as root, so when the process is root they
//! run as the `postgres` user (or `nobody`), which then owns the cluster directory.
//!
//! The [`TempCluster::psql`], [`TempCluster::create_database`] and
//! [`TempCluster::drop_database`] helpers shell out to the PostgreSQL client tools;
//! they are meant for test and demo setup, not for the product's own queries.
//!
//! ```no_run
//! use bellows::pgtemp::TempCluster;
//!
//! let cluster = TempCluster::start()?;
//! cluster.create_database("app")?;
//! assert_eq!(cluster.psql("app", "SELECT 1")?, "1");
//! let url = cluster.url("app"); // postgres://postgres@127.0.0.1:PORT/app
//! # let _ = url;
//! # Ok::<(), bellows::pgtemp::PgTempError>(())
//! ```

mod binaries;
mod cluster;
mod error;
mod exec;
mod scratch;
mod server;
mod start;
mod user;

pub use binaries::{
    BINDIR_ENV, bin_dir_for_major, find_bin_dir, highest_versioned_bindir, parse_major_version,
    version_key,
};
pub use cluster::{KEEP_ENV, Listen, TempCluster};
pub use error::{PgTempError, Result};
pub use start::TempClusterBuilder;
