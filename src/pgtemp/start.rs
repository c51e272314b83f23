//! Options for and creation of a [`TempCluster`].

use std::fs;
use std::net::Ipv4Addr;
use std::path::PathBuf;

use super::binaries;
use super::cluster::{KEEP_ENV, Listen, TempCluster};
use super::error::{PgTempError, Result};
use super::exec;
use super::scratch::{create_root, free_port};
use super::server::wait_ready;
use super::user;

/// How many times to retry with a new port when the chosen one was taken meanwhile.
const PORT_ATTEMPTS: u32 = 3;

/// Options for [`TempCluster`]; finish with [`start`](Self::start).
#[derive(Debug, Clone, Default)]
pub struct TempClusterBuilder {
    listen: Listen,
    settings: Vec<(String, String)>,
    superuser: Option<String>,
    keep: Option<bool>,
    bin_dir: Option<PathBuf>,
}

impl TempCluster {
    /// Starts a cluster with default options (TCP on 127.0.0.1, free port).
    pub fn start() -> Result<Self> {
        TempClusterBuilder::new().start()
    }

    /// Options for a cluster; see [`TempClusterBuilder`].
    pub fn builder() -> TempClusterBuilder {
        TempClusterBuilder::new()
    }
}

impl TempClusterBuilder {
    /// Default options: TCP on a free port, superuser `postgres`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Chooses where the server listens.
    pub fn listen(mut self, listen: Listen) -> Self {
        self.listen = listen;
        self
    }

    /// Listens on 127.0.0.1 at a fixed port.
    pub fn port(self, port: u16) -> Self {
        self.listen(Listen::TcpPort(port))
    }

    /// Listens only on a Unix socket.
    pub fn unix_socket_only(self) -> Self {
        self.listen(Listen::UnixSocket)
    }

    /// Adds a `postgresql.conf` setting; it overrides the built-in defaults.
    pub fn setting(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.push((key.into(), value.into()));
        self
    }

    /// Sets the superuser name (default `postgres`).
    pub fn superuser(mut self, name: impl Into<String>) -> Self {
        self.superuser = Some(name.into());
        self
    }

    /// Keeps the cluster directory after stop/drop (default: `BELLOWS_PGTEMP_KEEP=1`).
    pub fn keep(mut self, keep: bool) -> Self {
        self.keep = Some(keep);
        self
    }

    /// Uses this directory for the server binaries instead of searching.
    pub fn bin_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.bin_dir = Some(dir.into());
        self
    }

    /// Creates, configures and starts the cluster, waiting until it accepts connections.
    pub fn start(self) -> Result<TempCluster> {
        let superuser = self.superuser.unwrap_or_else(|| "postgres".to_owned());
        validate_superuser(&superuser)?;
        for (key, value) in &self.settings {
            validate_setting(key, value)?;
        }
        let bin_dir = match self.bin_dir {
            Some(dir) => binaries::check_bin_dir(dir)?,
            None => binaries::find_bin_dir()?,
        };
        let version = binaries::server_major_version(&bin_dir)?;
        let run_as = user::unprivileged_user()?;
        let root = create_root(run_as.as_ref())?;
        let keep = self.keep.unwrap_or_else(keep_from_env);

        // From here on, dropping `cluster` cleans up whatever was created.
        let mut cluster = TempCluster {
            data: root.join("data"),
            log: root.join("log"),
            host: match self.listen {
                Listen::UnixSocket => root.to_string_lossy().into_owned(),
                _ => Ipv4Addr::LOCALHOST.to_string(),
            },
            root,
            bin_dir,
            port: 0,
            listen: self.listen,
            superuser,
            version,
            run_as,
            keep,
            finished: false,
        };
        cluster.initdb()?;
        let conf_path = cluster.data.join("postgresql.conf");
        let base_conf = fs::read_to_string(&conf_path)
            .map_err(|e| PgTempError::io(format!("could not read {}", conf_path.display()), e))?;

        let mut attempt = 1;
        loop {
            cluster.port = match self.listen {
                Listen::TcpPort(port) => port,
                Listen::Tcp | Listen::UnixSocket => free_port()?,
            };
            let conf = base_conf.clone() + &cluster.conf_block(&self.settings);
            fs::write(&conf_path, conf).map_err(|e| {
                PgTempError::io(format!("could not write {}", conf_path.display()), e)
            })?;
            match cluster.pg_ctl_start() {
                Ok(()) => break,
                Err(err) => {
                    let log_tail = exec::tail(&cluster.log, 40);
                    let port_taken = log_tail.contains("could not bind")
                        || log_tail.contains("could not create any TCP/IP sockets");
                    if port_taken && self.listen == Listen::Tcp && attempt < PORT_ATTEMPTS {
                        attempt += 1;
                        continue;
                    }
                    return Err(PgTempError::StartFailed {
                        reason: cluster.with_keep_hint(err.to_string()),
                        log: cluster.log.clone(),
                        log_tail,
                    });
                }
            }
        }
        wait_ready(&cluster)?;
        Ok(cluster)
    }
}

fn keep_from_env() -> bool {
    std::env::var(KEEP_ENV).is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"))
}

fn invalid(what: &'static str, value: &str, reason: &'static str) -> PgTempError {
    PgTempError::InvalidArgument {
        what,
        value: value.to_owned(),
        reason,
    }
}

fn validate_superuser(name: &str) -> Result<()> {
    if name.is_empty() || name.starts_with('-') || name.contains(['\0', '\n']) {
        return Err(invalid(
            "superuser name",
            name,
            "must be non-empty, not start with '-' and not contain NUL or newlines",
        ));
    }
    Ok(())
}

fn validate_setting(key: &str, value: &str) -> Result<()> {
    let key_ok = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if !key_ok {
        return Err(invalid(
            "setting name",
            key,
            "must be letters, digits, '_' or '.'",
        ));
    }
    if value.contains(['\0', '\n', '\r']) {
        return Err(invalid(
            "setting value",
            value,
            "must not contain NUL or line breaks",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_validated() {
        assert!(validate_setting("work_mem", "8MB").is_ok());
        assert!(validate_setting("auto_explain.log_min_duration", "0").is_ok());
        assert!(validate_setting("bad key", "1").is_err());
        assert!(validate_setting("x", "a\nb").is_err());
    }
}
