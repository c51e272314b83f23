//! Dropping root privileges for `initdb` and `pg_ctl`, which refuse to run as root.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use super::error::{PgTempError, Result};

/// An unprivileged account the server programs run as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunAs {
    pub(crate) name: String,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

impl RunAs {
    /// Makes `cmd` run as this user, with HOME/USER/LOGNAME pointing at `home`.
    pub(crate) fn apply(&self, cmd: &mut Command, home: &Path) {
        cmd.uid(self.uid)
            .gid(self.gid)
            .env("HOME", home)
            .env("USER", &self.name)
            .env("LOGNAME", &self.name);
    }

    /// Whether this user may traverse every directory from `/` down to `path`.
    pub(crate) fn can_traverse(&self, path: &Path) -> bool {
        path.ancestors().all(|dir| {
            dir.metadata().is_ok_and(|m| {
                let mode = m.mode();
                if m.uid() == self.uid {
                    mode & 0o100 != 0
                } else if m.gid() == self.gid {
                    mode & 0o010 != 0
                } else {
                    mode & 0o001 != 0
                }
            })
        })
    }
}

/// The effective uid, from `/proc/self/status`, falling back to `id -u`.
pub(crate) fn effective_uid() -> Option<u32> {
    if let Ok(status) = fs::read_to_string("/proc/self/status") {
        let euid = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|rest| rest.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok());
        if euid.is_some() {
            return euid;
        }
    }
    let out = Command::new("id").arg("-u").output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// Looks up `name` in passwd-format text.
pub(crate) fn lookup_user(passwd: &str, name: &str) -> Option<RunAs> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some(RunAs {
            name: name.to_owned(),
            uid,
            gid,
        })
    })
}

/// `None` when not root; otherwise the `postgres` user, else `nobody`.
pub(crate) fn unprivileged_user() -> Result<Option<RunAs>> {
    if effective_uid() != Some(0) {
        return Ok(None);
    }
    let passwd = fs::read_to_string("/etc/passwd")
        .map_err(|e| PgTempError::io("could not read /etc/passwd", e))?;
    ["postgres", "nobody"]
        .into_iter()
        .filter_map(|name| lookup_user(&passwd, name))
        .find(|user| user.uid != 0)
        .map(Some)
        .ok_or(PgTempError::NoUnprivilegedUser)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lookup() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n\
                      postgres:x:101:104:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n\
                      nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
        let pg = lookup_user(passwd, "postgres");
        assert_eq!(
            pg,
            Some(RunAs {
                name: "postgres".into(),
                uid: 101,
                gid: 104
            })
        );
        assert_eq!(lookup_user(passwd, "nobody").map(|u| u.uid), Some(65534));
        assert_eq!(lookup_user(passwd, "post"), None);
    }
}
