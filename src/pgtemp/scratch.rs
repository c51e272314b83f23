//! The cluster's private scratch directory and its port.

use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::error::{PgTempError, Result};
use super::user::RunAs;

/// Longest root dir we accept, so that `<root>/.s.PGSQL.NNNNN` fits in `sun_path`.
const MAX_ROOT_LEN: usize = 90;

/// A port that is free on 127.0.0.1 right now.
pub(super) fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| PgTempError::io("could not bind 127.0.0.1:0 to find a free port", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| PgTempError::io("could not read the bound address", e))?;
    Ok(addr.port())
}

/// Creates a fresh, private directory for the cluster, owned by `run_as` if given.
pub(super) fn create_root(run_as: Option<&RunAs>) -> Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);

    let mut candidates = vec![std::env::temp_dir()];
    if !candidates.iter().any(|c| c == Path::new("/tmp")) {
        candidates.push(PathBuf::from("/tmp"));
    }
    let tried = candidates
        .iter()
        .map(|c| c.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let base = candidates
        .into_iter()
        .find(|base| {
            base.as_os_str().len() + 40 <= MAX_ROOT_LEN
                && run_as.is_none_or(|user| user.can_traverse(base))
        })
        .ok_or_else(|| PgTempError::NoUsableTempDir {
            user: run_as.map_or_else(|| "current user".to_owned(), |u| u.name.clone()),
            tried,
        })?;

    loop {
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = base.join(format!(
            "bellows-pgtemp-{}-{count}-{:x}",
            std::process::id(),
            nanos % (1 << 48)
        ));
        match fs::create_dir(&dir) {
            Ok(()) => {
                if let Err(err) = prepare_root(&dir, run_as) {
                    let _ = fs::remove_dir_all(&dir);
                    return Err(err);
                }
                return Ok(dir);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(PgTempError::io(
                    format!("could not create {}", dir.display()),
                    e,
                ));
            }
        }
    }
}

fn prepare_root(dir: &Path, run_as: Option<&RunAs>) -> Result<()> {
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| PgTempError::io(format!("could not chmod {}", dir.display()), e))?;
    if let Some(user) = run_as {
        std::os::unix::fs::chown(dir, Some(user.uid), Some(user.gid)).map_err(|e| {
            PgTempError::io(
                format!("could not chown {} to {}", dir.display(), user.name),
                e,
            )
        })?;
    }
    Ok(())
}
